#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/install.sh [BIN] - `make bench`: the text installer on the
# serial console (issue 18), Finish to the installer's first screen, vmmc
# against virt-install with the same VM (TCG, 512 MiB, 1 vCPU, no disk
# and no network for virt-install; vmmc's has a 64 MiB disk it creates):
#   vmmc          the New VM wizard in tmux, a pooled Debian netinst
#                 look-alike holding Debian 12's real installer
#                 (tests/e2e/install.sh t_ins_pooled_text prints the figure)
#   virt-install  --location ISO --extra-args console=ttyS0,115200n8
#                 --noautoconsole, then `virsh console` until "Low memory"
# Prints figures, passes or fails nothing (exit 0 unless something could not
# run). Root only; everything it makes is named vmmc-bench-ins-<pid>.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
name=vmmc-bench-ins-$$
tmp=$(mktemp -d /var/tmp/vmmc-bench-ins.XXXXXX)
con_pid=''

cleanup() {
	set +e
	[ -z "$con_pid" ] || kill "$con_pid" 2>/dev/null
	virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1
	virsh -q -c qemu:///system undefine "$name" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -r "$DI/initrd.gz" ] || { echo "bench install: no $DI (debian-installer-12-netboot-amd64)" >&2; exit 1; }
command -v virt-install >/dev/null || { echo "bench install: virt-install is not installed (virtinst)" >&2; exit 1; }

echo "== text installer on the serial console: Finish to the installer's first screen =="
vm=$(VMMC_BIN=$bin bash "$root/tests/e2e/install.sh" pooled_text 2>&1 |
	sed -n "s/.*Finish to the installer's first screen in the console: \([0-9]*\) ms.*/\1/p")

chmod 755 "$tmp"
mkdir -p "$tmp/iso/install.amd"
cp "$DI/linux" "$tmp/iso/install.amd/vmlinuz"
cp "$DI/initrd.gz" "$tmp/iso/install.amd/initrd.gz"
xorriso -as mkisofs -quiet -R -J -V "Debian 11.7.0 amd64 n" -o "$tmp/deb.iso" "$tmp/iso" 2>/dev/null
chmod 644 "$tmp/deb.iso"
t0=$(date +%s%N)
virt-install --connect qemu:///system --name "$name" --virt-type qemu --memory 512 --vcpus 1 \
	--os-variant debian11 --location "$tmp/deb.iso" --extra-args console=ttyS0,115200n8 \
	--disk none --network none --graphics none --noautoconsole >"$tmp/vi.log" 2>&1 ||
	{ cat "$tmp/vi.log" >&2; exit 1; }
script -qfc "virsh -c qemu:///system console --force $name" "$tmp/con.log" >/dev/null 2>&1 </dev/null &
con_pid=$!
vi=''
for ((i = 0; i < 1800; i++)); do
	if grep -q "Low memory" "$tmp/con.log" 2>/dev/null; then
		vi=$((($(date +%s%N) - t0) / 1000000))
		break
	fi
	sleep 0.1
done
printf '  %-14s %8s ms\n' vmmc "${vm:-?}" virt-install "${vi:-?}"
if [ -n "$vm" ] && [ -n "$vi" ]; then
	echo "  vmmc / virt-install: $(awk -v a="$vm" -v b="$vi" 'BEGIN { printf "%.2f", a / b }') (target: <= 1)"
fi
