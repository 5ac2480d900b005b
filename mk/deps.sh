#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mk/deps.sh [build] [test] - install the Debian packages vmmc needs (as root),
# or print the exact apt-get line (as a user). Quiet when all are there.
#   mk/deps.sh --list SET...   print the packages of the sets, one a line
#                              (debian/control's Build-Depends are checked
#                              against the build set: mk/debcontrol.sh)
# Sets: build (make: compiler, libraries), test (make check: cmocka, tmux,
# libvirtd, QEMU, sshd ...), pkg (make deb and its tests: debhelper,
# lintian, mandoc, bash-completion, zsh).
build_pkgs="gcc make pkg-config libvirt-dev libxml2-dev libncurses-dev libvterm-dev libssh-dev libosinfo-1.0-dev libcrypt-dev libarchive-dev"
test_pkgs="libcmocka-dev tmux ovmf swtpm swtpm-tools osinfo-db xorriso genisoimage isolinux syslinux-common virtinst dnsmasq-base libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils openssh-server busybox-static qemu-guest-agent cpio procps psmisc iproute2 iptables openssh-client python3 python3-yaml clang libclang-rt-dev libvirt-daemon-driver-lxc golang-go golang-github-vmware-govmomi-dev debian-installer-12-netboot-amd64"
pkg_pkgs="dpkg-dev debhelper fakeroot lintian devscripts mandoc bash-completion zsh"
list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
want=""
for set in "$@"; do
	case "$set" in
	build) want="$want $build_pkgs" ;;
	test) want="$want $test_pkgs" ;;
	pkg) want="$want $pkg_pkgs" ;;
	*) echo "mk/deps.sh: unknown set '$set'" >&2; exit 2 ;;
	esac
done
if [ "$list" = 1 ]; then
	# shellcheck disable=SC2086 # one package a word
	printf '%s\n' $want
	exit 0
fi
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "vmmc: installing Debian packages:$missing"
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "vmmc: apt-get install failed for:$missing" >&2; exit 1; }
else
	echo "vmmc: missing Debian packages. Run:" >&2
	echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
