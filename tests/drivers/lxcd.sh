# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/drivers/lxcd.sh - a private libvirtd with only the LXC driver, for
# tests/e2e/drivers.sh. Source it from bash (root).
#
# Why a daemon of its own: the machine's libvirtd (lv_up) may run without the
# LXC driver (it loads drivers at its start, and the tests must not restart
# a daemon they did not start), and Debian 12 ships no virtlxcd. So this
# starts a second libvirtd:
#   - in a mount namespace of its own (unshare -m), where empty directories
#     of the test cover /run/libvirt, /etc/libvirt, /var/lib/libvirt,
#     /var/log/libvirt and /var/cache/libvirt: nothing of the machine's
#     daemon is seen or touched (no qemu state, no autostart, no configs);
#   - with LIBVIRT_DRIVER_DIR holding only libvirt_driver_lxc.so: no QEMU,
#     network or storage driver is loaded;
#   - listening on a socket in the test's directory: the URI is
#     lxc:///system?socket=DIR/sock/libvirt-sock ($LXCD_URI).
# On a cgroup v1 + v2 "hybrid" host (v2 at /sys/fs/cgroup/unified), libvirt
# 9.0's LXC controller fails every start with "Unable to create directory
# /sys/fs/cgroup/unified" (virCgroupV2BindMount); the namespace unmounts the
# unified hierarchy, so the daemon sees plain cgroup v1 and containers start.
#
# Functions:
#   lxcd_up DIR     start it (DIR: an empty temporary directory it may fill);
#                   sets LXCD_URI and LXCD_PID; waits at most 20 s
#   lxcd_virsh ARG...  virsh -q -c "$LXCD_URI" ARG... (30 s timeout)
#   lxcd_rootfs DIR make a busybox root file system in DIR (busybox-static)
#   lxcd_down       destroy and undefine every container of the daemon
#                   (they are all the test's), then stop the daemon

LXCD_URI=
LXCD_PID=

lxcd_virsh() {
	timeout 30 virsh -q -c "$LXCD_URI" "$@"
}

lxcd_up() {
	local d=$1 drv i
	drv=$(find /usr/lib -name libvirt_driver_lxc.so -path '*connection-driver*' 2>/dev/null | head -n 1)
	if [ -z "$drv" ]; then
		echo "lxcd: libvirt-daemon-driver-lxc is not installed (mk/deps.sh test)" >&2
		return 1
	fi
	mkdir -p "$d/drv" "$d/sock" "$d/run" "$d/etc" "$d/lib" "$d/log" "$d/cache"
	ln -sf "$drv" "$d/drv/"
	cat >"$d/libvirtd.conf" <<CONF
unix_sock_dir = "$d/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$d/libvirtd.log"
CONF
	cat >"$d/start.sh" <<START
set -e
for m in /run/libvirt:run /etc/libvirt:etc /var/lib/libvirt:lib /var/log/libvirt:log /var/cache/libvirt:cache; do
	[ -d "\${m%%:*}" ] || mkdir -p "\${m%%:*}"
	mount --bind "$d/\${m#*:}" "\${m%%:*}"
done
if grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/mounts && grep -q ' cgroup ' /proc/mounts; then
	umount /sys/fs/cgroup/unified
fi
exec env LIBVIRT_DRIVER_DIR="$d/drv" libvirtd -f "$d/libvirtd.conf" -p "$d/libvirtd.pid"
START
	unshare -m --propagation private sh "$d/start.sh" >"$d/libvirtd.out" 2>&1 &
	LXCD_PID=$!
	LXCD_URI="lxc:///system?socket=$d/sock/libvirt-sock"
	for ((i = 0; i < 200; i++)); do
		if timeout 5 virsh -q -c "$LXCD_URI" uri >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$LXCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "lxcd: the LXC libvirtd did not answer:" >&2
	cat "$d/libvirtd.out" >&2
	lxcd_down
	return 1
}

lxcd_rootfs() {
	local r=$1 c
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc" "$r/run"
	cp /bin/busybox "$r/bin/busybox"
	for c in sh ls echo cat sleep uname; do
		ln -sf busybox "$r/bin/$c"
	done
}

lxcd_down() {
	local n i
	[ -n "$LXCD_PID" ] || return 0
	if kill -0 "$LXCD_PID" 2>/dev/null; then
		for n in $(lxcd_virsh list --all --name 2>/dev/null); do
			lxcd_virsh destroy "$n" >/dev/null 2>&1 || true
			lxcd_virsh undefine "$n" >/dev/null 2>&1 || true
		done
		kill -TERM "$LXCD_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$LXCD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$LXCD_PID" 2>/dev/null || true
	fi
	wait "$LXCD_PID" 2>/dev/null || true
	LXCD_PID=
}
