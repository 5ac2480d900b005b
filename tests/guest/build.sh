#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/build.sh [--print] - build (cached) the tiny test guest: a
# Debian cloud kernel and a busybox + qemu-ga initramfs.
#
#   --print   print the kernel and initramfs paths, one per line, nothing else
#
# Cache: $VMMC_GUEST_CACHE, else ~/.cache/vmmc-guest when the qemu process
# (libvirt runs it as another user) can reach it, else (as root)
# /var/cache/vmmc-guest. Rebuilt only when an input changes: the kernel
# package version, busybox-static, qemu-guest-agent and its libraries, and
# tests/guest/init and this script. Safe to run concurrently (flock).
set -eEuo pipefail
trap 'echo "guest build: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
init_src=$here/init
self=$here/build.sh
print=0
case ${1:-} in
--print) print=1 ;;
"") ;;
-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: build.sh [--print]" >&2; exit 2 ;;
esac

say() { [ "$print" = 1 ] || echo "guest: $*" >&2; }
die() { echo "guest build: $*" >&2; exit 1; }

# KMETA: the meta package naming the current cloud kernel.
KMETA=linux-image-cloud-amd64
# Modules for /init, loaded in dependency order (deps are added and sorted
# from each module's own "depends=" list; ones built into the kernel are
# simply absent). button + evdev let busybox acpid see the ACPI power button.
WANT_MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
virtio_pci virtio_console virtio_balloon virtio_blk failover net_failover
virtio_net button evdev"
QGA_PKG=qemu-guest-agent
BB_PKG=busybox-static

# ---- cache location --------------------------------------------------------
# world_reachable DIR: every existing ancestor of DIR lets others search it
world_reachable() {
	local p=$1 m
	while :; do
		if [ -e "$p" ]; then
			m=$(stat -L -c %a "$p") || return 1
			(((8#$m & 1) != 0)) || return 1
		fi
		[ "$p" = / ] && return 0
		p=$(dirname "$p")
	done
}

if [ -n "${VMMC_GUEST_CACHE:-}" ]; then
	cache=$VMMC_GUEST_CACHE
else
	cache=${HOME:-/root}/.cache/vmmc-guest
	if ! world_reachable "$cache" && [ "$(id -u)" = 0 ]; then
		cache=/var/cache/vmmc-guest
	fi
fi
case $cache in /*) ;; *) cache=$PWD/$cache ;; esac
kernel_out=$cache/vmlinuz
initrd_out=$cache/initramfs.gz

mkdir -p "$cache"
chmod 0755 "$cache" 2>/dev/null || true
exec 9>>"$cache/.lock"
chmod 0644 "$cache/.lock" 2>/dev/null || true
flock 9

# ---- inputs ----------------------------------------------------------------
qga_bin=$(dpkg -L "$QGA_PKG" 2>/dev/null | grep -E '/s?bin/qemu-ga$' | head -n 1) || true
[ -n "$qga_bin" ] && [ -x "$qga_bin" ] || qga_bin=$(command -v qemu-ga || true)
[ -n "$qga_bin" ] || die "qemu-ga not found: apt-get install $QGA_PKG"
bb_bin=/bin/busybox
if [ ! -f "$bb_bin" ] || [ ! -x "$bb_bin" ]; then
	die "$bb_bin not found: apt-get install $BB_PKG"
fi
if ldd "$bb_bin" >/dev/null 2>&1; then
	die "$bb_bin is not static: apt-get install $BB_PKG"
fi

# the files qemu-ga needs: its libraries and the dynamic loader
qga_libs() {
	ldd "$qga_bin" | awk '
		/=>/ { if ($3 ~ /^\//) print $3; next }
		$1 ~ /^\// { print $1 }'
}
libs=$(qga_libs) || die "ldd $qga_bin failed"

pkg_versions=$(dpkg-query -W -f='${Package}=${Version}\n' "$BB_PKG" "$QGA_PKG" 2>/dev/null) ||
	die "dpkg-query failed: are $BB_PKG and $QGA_PKG installed?"
# size + mtime of every file copied from this machine (catches library updates)
# shellcheck disable=SC2086
host_files=$(stat -L -c '%n %s %Y' "$bb_bin" "$qga_bin" $libs)
scripts=$(sha256sum "$init_src" "$self" | awk '{print $1}')

apt_lists() {
	find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -printf '%f %s %T@\n' 2>/dev/null | sort
}
# quick key: no apt-cache call (it takes ~0.6 s here); the apt lists' stat
# stands for "the candidate kernel did not change".
quick_key=$(printf '%s\n' "$pkg_versions" "$host_files" "$scripts" "$(apt_lists)" | sha256sum | cut -c1-32)

if [ -f "$cache/quick-key" ] && [ "$(cat "$cache/quick-key")" = "$quick_key" ] &&
	[ -s "$kernel_out" ] && [ -s "$initrd_out" ]; then
	if [ "$print" = 1 ]; then
		printf '%s\n%s\n' "$kernel_out" "$initrd_out"
	else
		say "cached in $cache"
	fi
	exit 0
fi

# ---- which kernel ----------------------------------------------------------
kernel_pkg() {
	apt-cache depends "$KMETA" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ { print $2; exit }'
}
kpkg=$(kernel_pkg) || kpkg=
if [ -z "$kpkg" ]; then
	say "apt-cache knows no $KMETA: apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	kpkg=$(kernel_pkg) || kpkg=
fi
[ -n "$kpkg" ] || die "cannot find the current Debian cloud kernel ($KMETA)"
kver=$(apt-cache show --no-all-versions "$kpkg" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }') || kver=
[ -n "$kver" ] || die "apt-cache show $kpkg: no version"

full_key=$(printf '%s\n' "$kpkg=$kver" "$pkg_versions" "$host_files" "$scripts" | sha256sum | cut -c1-32)
if [ -f "$cache/key" ] && [ "$(cat "$cache/key")" = "$full_key" ] &&
	[ -s "$kernel_out" ] && [ -s "$initrd_out" ]; then
	printf '%s\n' "$quick_key" >"$cache/quick-key.new" && mv -f "$cache/quick-key.new" "$cache/quick-key"
	if [ "$print" = 1 ]; then printf '%s\n%s\n' "$kernel_out" "$initrd_out"; else say "cached in $cache"; fi
	exit 0
fi

# ---- build -----------------------------------------------------------------
t0=$(date +%s.%N)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-guest.XXXXXX")
trap 'rm -rf "$tmp"; rm -f "$cache"/*.new' EXIT

deb=$cache/${kpkg}_${kver//:/%3a}_amd64.deb
if [ ! -s "$deb" ]; then
	say "downloading $kpkg $kver"
	mkdir -p "$tmp/dl"
	# apt's sandbox user cannot write to our private temp dir: download as root
	if ! (cd "$tmp/dl" && apt-get download -q -o APT::Sandbox::User=root "$kpkg=$kver" >&2); then
		if [ -s "$kernel_out" ] && [ -s "$initrd_out" ]; then
			# offline: keep the guest we have rather than fail
			echo "guest build: apt-get download $kpkg=$kver failed; using the cached guest" >&2
			[ "$print" = 0 ] || printf '%s\n%s\n' "$kernel_out" "$initrd_out"
			exit 0
		fi
		die "apt-get download $kpkg=$kver failed"
	fi
	got=$(find "$tmp/dl" -name '*.deb' | head -n 1)
	[ -n "$got" ] || die "apt-get download produced no .deb"
	rm -f "$cache"/linux-image-*.deb
	mv "$got" "$deb.new" && mv "$deb.new" "$deb"
fi
say "extracting $(basename "$deb")"
dpkg -x "$deb" "$tmp/k"
vmlinuz=$(find "$tmp/k/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || die "no vmlinuz in $deb"
kmods=$(find "$tmp/k/lib/modules" "$tmp/k/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1) || true
[ -n "$kmods" ] || die "no lib/modules in $deb"

# ---- initramfs tree --------------------------------------------------------
root=$tmp/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,var,lib/modules}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

# modules: find, decompress, order by dependencies
declare -A mod_path=() mod_done=()
while IFS= read -r f; do
	b=${f##*/}
	b=${b%.ko*}
	mod_path[${b//-/_}]=$f
done < <(find "$kmods" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

# mod_file NAME: print the uncompressed copy of module NAME in $tmp/mods
mod_file() {
	local src=${mod_path[$1]} dst=$tmp/mods/$1.ko
	mkdir -p "$tmp/mods"
	if [ ! -f "$dst" ]; then
		case $src in
		*.ko.xz) xz -dc "$src" >"$dst" || die "xz -d $src (apt-get install xz-utils)" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst" || die "zstd -d $src (apt-get install zstd)" ;;
		*.ko.gz) gzip -dc "$src" >"$dst" ;;
		*) cp "$src" "$dst" ;;
		esac
	fi
	printf '%s\n' "$dst"
}
order=()
add_module() {
	local m=${1//-/_} f d deps
	[ -n "${mod_done[$m]:-}" ] && return 0
	mod_done[$m]=1
	[ -n "${mod_path[$m]:-}" ] || return 0 # built in (or absent)
	f=$(mod_file "$m")
	deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' ')
	for d in $deps; do add_module "$d"; done
	order+=("$m")
}
for m in $WANT_MODULES; do add_module "$m"; done
for m in "${order[@]}"; do
	cp "$tmp/mods/$m.ko" "$root/lib/modules/$m.ko"
	echo "$m.ko"
done >"$root/lib/modules/load-order"
say "modules: ${order[*]:-none (all built in)}"

# busybox and its applets
cp "$bb_bin" "$root/bin/busybox"
while IFS= read -r a; do
	[ "$a" = bin/busybox ] && continue
	[ -e "$root/$a" ] || [ -L "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done < <("$bb_bin" --list-full)

# qemu-ga, its libraries and the loader, at the paths ldd printed
for f in "$qga_bin" $libs; do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
[ "$qga_bin" = /usr/sbin/qemu-ga ] || ln -sf "$qga_bin" "$root/usr/sbin/qemu-ga" 2>/dev/null || true

cat >"$root/etc/os-release" <<'EOF'
NAME="vmmc test guest"
ID=vmmctest
VERSION_ID=1
PRETTY_NAME="vmmc test guest 1"
EOF
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '/bin/sh\n' >"$root/etc/shells"
cat >"$root/etc/profile" <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
PS1='# '
cd /root 2>/dev/null
EOF
# udhcpc: apply the lease (busybox ships no default script)
mkdir -p "$root/etc/udhcpc"
cat >"$root/etc/udhcpc/default.script" <<'EOF'
#!/bin/sh
case $1 in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; break; done
	: >/etc/resolv.conf
	for d in $dns; do echo "nameserver $d" >>/etc/resolv.conf; done
	;;
esac
exit 0
EOF
chmod 0755 "$root/etc/udhcpc/default.script"
# qemu-ga's guest-shutdown runs /sbin/shutdown -h -P|-H|-r +0 MSG
cat >"$root/sbin/shutdown" <<'EOF'
#!/bin/sh
act=poweroff
for a in "$@"; do
	case $a in
	-r) act=reboot ;;
	-H) act=halt ;;
	esac
done
sync
exec "$act" -f
EOF
chmod 0755 "$root/sbin/shutdown"
# busybox acpid: power button -> poweroff
mkdir -p "$root/etc/acpi/PWRF"
printf '#!/bin/sh\nsync\npoweroff -f\n' >"$root/etc/acpi/PWRF/00000080"
chmod 0755 "$root/etc/acpi/PWRF/00000080"

cp "$init_src" "$root/init"
chmod 0755 "$root/init"
# the kernel's built-in initramfs has /dev/console too; add it when we can
if [ "$(id -u)" = 0 ]; then
	mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
fi

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible 2>/dev/null) | gzip -6 -n >"$tmp/initramfs.gz" ||
	die "cpio/gzip failed (apt-get install cpio)"

install -m 0644 "$vmlinuz" "$kernel_out.new"
install -m 0644 "$tmp/initramfs.gz" "$initrd_out.new"
mv -f "$kernel_out.new" "$kernel_out"
mv -f "$initrd_out.new" "$initrd_out"
chmod 0644 "$deb" 2>/dev/null || true
printf '%s\n' "$full_key" >"$cache/key.new" && mv -f "$cache/key.new" "$cache/key"
printf '%s\n' "$quick_key" >"$cache/quick-key.new" && mv -f "$cache/quick-key.new" "$cache/quick-key"
chmod 0644 "$cache/key" "$cache/quick-key"

t1=$(date +%s.%N)
say "built $kpkg $kver in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s:" \
	"$(du -h "$kernel_out" | cut -f1) kernel, $(du -h "$initrd_out" | cut -f1) initramfs in $cache"
if [ "$print" = 1 ]; then
	printf '%s\n%s\n' "$kernel_out" "$initrd_out"
fi
