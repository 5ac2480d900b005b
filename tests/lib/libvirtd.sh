# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/libvirtd.sh - a system libvirtd for the end-to-end tests, and
# tiny throw-away QEMU domains. Source it from bash.
#
# Only domains whose names start with $LV_PREFIX (vmmc-test-<pid of the
# sourcing shell>-) are ever touched; only daemons lv_up started are stopped.
#
# Functions:
#   lv_up                  make sure virtlogd and libvirtd run and answer on
#                          qemu:///system (starts them as root: `virtlogd -d`,
#                          `libvirtd -d`; waits at most 20 s); sets
#                          LV_STARTED_VIRTLOGD / LV_STARTED_LIBVIRTD to 1 for
#                          what it started. Also gives /dev/kvm udev's
#                          root:kvm 0660 (see _lv_kvm_perms)
#   lv_down                stop what lv_up started (TERM, wait for the exit)
#   lv_ping [T=5]          true if qemu:///system answers within T seconds
#   lv_libvirtd_pid        print the pid of the running libvirtd
#   lv_kill_libvirtd       stop libvirtd (only one lv_up started) and wait
#   lv_start_libvirtd      start libvirtd again and wait until it answers
#   lv_virsh ARG...        virsh -q -c qemu:///system ARG..., 120 s timeout
#                          ($LV_VIRSH_TIMEOUT)
#   lv_name SUFFIX         print "$LV_PREFIX$SUFFIX"
#   lv_define_vm NAME [DEVICES_XML]
#                          define a persistent domain: type qemu (TCG), 32 MiB,
#                          1 vCPU, no disk, pty serial + console, no graphics;
#                          DEVICES_XML is added inside <devices>. NAME must
#                          start with $LV_PREFIX. Prints its UUID.
#   lv_state DOM           print the state ("running", "shut off", ...)
#   lv_wait_state DOM STATE [T=30]  wait until virsh reports STATE
#   lv_cleanup_vms         destroy and undefine every domain named
#                          $LV_PREFIX*, by UUID (call it from the EXIT trap)

LV_URI=${LV_URI:-qemu:///system}
LV_PREFIX=${LV_PREFIX:-vmmc-test-$$-}
LV_STARTED_VIRTLOGD=${LV_STARTED_VIRTLOGD:-0}
LV_STARTED_LIBVIRTD=${LV_STARTED_LIBVIRTD:-0}
LV_LIBVIRTD_PIDFILE=/run/libvirtd.pid
LV_VIRTLOGD_PIDFILE=/run/virtlogd.pid

lv_virsh() {
	local rc=0
	timeout "${LV_VIRSH_TIMEOUT:-120}" virsh -q -c "$LV_URI" "$@" || rc=$?
	[ "$rc" != 124 ] || echo "lv: virsh $1: no answer in ${LV_VIRSH_TIMEOUT:-120} s" >&2
	return "$rc"
}

# (not `virsh version`: here the QEMU driver re-probes the emulator's
# capabilities on every virConnectGetVersion, 4-6 s; `uri` is one round trip)
lv_ping() {
	timeout "${1:-5}" virsh -q -c "$LV_URI" uri >/dev/null 2>&1
}

# _lv_alive PID: the process exists and is not a zombie (PID 1 here reaps
# orphans late: a daemon that exited can linger as a zombie for a while)
_lv_alive() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _lv_daemon_pid NAME PIDFILE: the pid of a running NAME (pid file, else pgrep)
_lv_daemon_pid() {
	local pid comm
	pid=$(cat "$2" 2>/dev/null) || pid=
	pid=${pid//[!0-9]/}
	if [ -n "$pid" ]; then
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || comm=
		if [ "$comm" = "$1" ] && _lv_alive "$pid"; then
			echo "$pid"
			return 0
		fi
	fi
	for pid in $(pgrep -x "$1"); do
		if _lv_alive "$pid"; then
			echo "$pid"
			return 0
		fi
	done
	return 1
}

lv_libvirtd_pid() {
	_lv_daemon_pid libvirtd "$LV_LIBVIRTD_PIDFILE"
}

# _lv_wait_gone PID SECONDS
_lv_wait_gone() {
	local i st
	for ((i = 0; i < $2 * 10; i++)); do
		st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
		st=${st##*) }
		[ "${st%% *}" != Z ] || return 0
		sleep 0.1
	done
	return 1
}

_lv_wait_up() {
	local i
	for ((i = 0; i < 40; i++)); do
		lv_ping 5 && return 0
		sleep 0.5
	done
	echo "lv: libvirtd does not answer on $LV_URI after 20 s" >&2
	return 1
}

# /dev/kvm as udev sets it on Debian (root:kvm 0660; libvirt-qemu is in
# group kvm). Without udev it is root-only 0600; libvirt then finds "KVM was
# enabled when probing qemu, but it is not available now" on every lookup of
# the QEMU capabilities and probes QEMU again: 4 s per lookup, a define or a
# start takes 10-60 s. Set VMMC_TEST_KVM_PERMS=0 to leave /dev/kvm alone.
_lv_kvm_perms() {
	[ "${VMMC_TEST_KVM_PERMS:-1}" != 0 ] || return 0
	[ -c /dev/kvm ] && [ "$(id -u)" = 0 ] || return 0
	getent group kvm >/dev/null || return 0
	[ "$(stat -c '%G %a' /dev/kvm)" != "kvm 660" ] || return 0
	if chgrp kvm /dev/kvm && chmod 0660 /dev/kvm; then
		echo "lv: /dev/kvm set to root:kvm 0660 (as udev would)" >&2
	fi
}

lv_up() {
	_lv_kvm_perms
	lv_ping && return 0
	if ! command -v libvirtd >/dev/null || ! command -v virsh >/dev/null; then
		echo "lv: libvirtd/virsh not installed (mk/deps.sh test)" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "lv: libvirtd is not running and only root can start it" >&2
		return 1
	fi
	if ! _lv_daemon_pid virtlogd "$LV_VIRTLOGD_PIDFILE" >/dev/null; then
		virtlogd -d || return 1
		LV_STARTED_VIRTLOGD=1
		echo "lv: started virtlogd" >&2
	fi
	if ! lv_libvirtd_pid >/dev/null; then
		libvirtd -d || return 1
		LV_STARTED_LIBVIRTD=1
		echo "lv: started libvirtd" >&2
	fi
	_lv_wait_up
}

lv_kill_libvirtd() {
	local pid
	if [ "$LV_STARTED_LIBVIRTD" != 1 ]; then
		echo "lv: refusing to stop a libvirtd the tests did not start" >&2
		return 1
	fi
	pid=$(lv_libvirtd_pid) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	_lv_wait_gone "$pid" 15 && return 0
	kill -KILL "$pid" 2>/dev/null || true
	_lv_wait_gone "$pid" 5
}

lv_start_libvirtd() {
	if ! lv_libvirtd_pid >/dev/null; then
		libvirtd -d || return 1
	fi
	_lv_wait_up
}

lv_down() {
	local pid
	if [ "$LV_STARTED_LIBVIRTD" = 1 ]; then
		lv_kill_libvirtd || echo "lv: libvirtd did not stop" >&2
		LV_STARTED_LIBVIRTD=0
	fi
	if [ "$LV_STARTED_VIRTLOGD" = 1 ]; then
		if pid=$(_lv_daemon_pid virtlogd "$LV_VIRTLOGD_PIDFILE"); then
			kill -TERM "$pid" 2>/dev/null || true
			_lv_wait_gone "$pid" 10 || echo "lv: virtlogd did not stop" >&2
		fi
		LV_STARTED_VIRTLOGD=0
	fi
}

lv_name() {
	echo "$LV_PREFIX$1"
}

_lv_xml_escape() {
	local s=$1
	# quoted replacements: bash 5.2 expands an unquoted & to the match
	s=${s//&/"&amp;"}
	s=${s//</"&lt;"}
	s=${s//>/"&gt;"}
	s=${s//\'/"&apos;"}
	s=${s//\"/"&quot;"}
	printf '%s' "$s"
}

lv_define_vm() {
	local name=$1 extra=${2:-} xml rc=0
	case $name in
	"$LV_PREFIX"?*) ;;
	*) echo "lv_define_vm: '$name' does not start with $LV_PREFIX" >&2; return 1 ;;
	esac
	xml=$(mktemp "${TMPDIR:-/tmp}/vmmc-test-dom.XXXXXX") || return 1
	cat >"$xml" <<EOF
<domain type='qemu'>
  <name>$(_lv_xml_escape "$name")</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/>
    <console type='pty'/>
    <memballoon model='none'/>
    $extra
  </devices>
</domain>
EOF
	lv_virsh define "$xml" >/dev/null || rc=1
	rm -f "$xml"
	[ "$rc" = 0 ] || return 1
	lv_virsh domuuid "$name"
}

lv_state() {
	lv_virsh domstate "$1" 2>/dev/null | head -n 1
}

lv_wait_state() {
	local i st
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		st=$(lv_state "$1") || st=
		[ "$st" = "$2" ] && return 0
		sleep 0.1
	done
	echo "lv: $1 is '$st', not '$2' after ${3:-30} s" >&2
	return 1
}

lv_cleanup_vms() {
	local uuid name
	lv_ping 10 || {
		echo "lv_cleanup_vms: libvirtd does not answer; nothing cleaned" >&2
		return 1
	}
	for uuid in $(lv_virsh list --all --uuid 2>/dev/null); do
		name=$(lv_virsh domname "$uuid" 2>/dev/null) || continue
		case $name in
		"$LV_PREFIX"*) ;;
		*) continue ;;
		esac
		lv_virsh destroy "$uuid" >/dev/null 2>&1 || true
		lv_virsh undefine --managed-save --snapshots-metadata --checkpoints-metadata \
			"$uuid" >/dev/null 2>&1 ||
			lv_virsh undefine "$uuid" >/dev/null 2>&1 || true
		if lv_virsh domname "$uuid" >/dev/null 2>&1; then
			echo "lv_cleanup_vms: could not remove $uuid ($(printf %q "$name"))" >&2
		fi
	done
}

# lv_sweep PREFIX: remove the VMs, pools (with their volumes) and networks
# whose names start with PREFIX, e.g. what a test binary that was killed
# (no teardown) left behind; PREFIX must carry that binary's own pid
lv_sweep() {
	local p=$1 name v
	case $p in
	vmmc-*-[0-9]*-) ;;
	*) echo "lv_sweep: '$p' is not a test's own prefix" >&2; return 1 ;;
	esac
	lv_ping 10 || return 1
	while read -r name; do
		[[ $name == "$p"* ]] || continue
		lv_virsh destroy "$name" >/dev/null 2>&1 || true
		lv_virsh undefine "$name" >/dev/null 2>&1 || true
		echo "lv_sweep: removed VM $name" >&2
	done < <(lv_virsh list --all --name 2>/dev/null)
	while read -r name; do
		[[ $name == "$p"* ]] || continue
		lv_virsh pool-start "$name" >/dev/null 2>&1 || true
		for v in $(lv_virsh vol-list "$name" --name 2>/dev/null); do
			lv_virsh vol-delete "$v" --pool "$name" >/dev/null 2>&1 || true
		done
		lv_virsh pool-destroy "$name" >/dev/null 2>&1 || true
		lv_virsh pool-undefine "$name" >/dev/null 2>&1 || true
		echo "lv_sweep: removed pool $name" >&2
	done < <(lv_virsh pool-list --all --name 2>/dev/null)
	while read -r name; do
		[[ $name == "$p"* ]] || continue
		lv_virsh net-destroy "$name" >/dev/null 2>&1 || true
		lv_virsh net-undefine "$name" >/dev/null 2>&1 || true
		echo "lv_sweep: removed network $name" >&2
	done < <(lv_virsh net-list --all --name 2>/dev/null)
}
