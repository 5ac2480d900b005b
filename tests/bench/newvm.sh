#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/newvm.sh [VMMC_BIN] - the New VM wizard's Finish to the
# guest's first console line, vmmc side by side with virt-install making the
# same VM (tests/guest/'s kernel and initramfs by direct kernel boot, TCG,
# 128 MiB, 1 vCPU, a new 64 MiB qcow2 in a pool of its own, no network),
# same run, local host:
#   vmmc: tests/e2e/newvm.sh kernel_boot (Finish pressed to "vmmc-guest
#         ready" in vmmc's console, through tmux);
#   virt-install: --boot kernel=,initrd=,kernel_args= --noautoconsole, then
#         `virsh console` until the same line.
# Target: vmmc no slower. Prints "newvm bench: vmmc N ms, virt-install M ms".
# Root. What it makes is named vmmc-test-<pid>-*, removed at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"

bin=${1:-$root/build/vmmc}
pool=$(lv_name vipool)
dir=/var/tmp/$pool
cleanup() {
	set +e
	lv_cleanup_vms
	for v in $(lv_virsh vol-list "$pool" 2>/dev/null | awk '$1 != "" {print $1}'); do
		lv_virsh vol-delete "$v" --pool "$pool" >/dev/null 2>&1
	done
	lv_virsh pool-destroy "$pool" >/dev/null 2>&1
	lv_virsh pool-undefine "$pool" >/dev/null 2>&1
	rm -rf "$dir"
	lv_down
}
trap cleanup EXIT

command -v virt-install >/dev/null || { echo "newvm bench: no virt-install (apt-get install virtinst)" >&2; exit 1; }
lv_up
{ read -r kernel; read -r initrd; } < <("$root/tests/guest/build.sh" --print)

# vmmc: the e2e test prints its figure
out=$(VMMC_BIN=$bin bash "$root/tests/e2e/newvm.sh" kernel_boot 2>&1) || { echo "$out" >&2; exit 1; }
vmmc_ms=$(sed -n "s/.*Finish to the guest's first line in the console: \([0-9]*\) ms.*/\1/p" <<<"$out")
[ -n "$vmmc_ms" ] || { echo "$out" >&2; exit 1; }

# virt-install, the same VM
mkdir -p "$dir"
chmod 755 "$dir"
lv_virsh pool-define-as "$pool" dir --target "$dir" >/dev/null
lv_virsh pool-start "$pool" >/dev/null
n=$(lv_name vi)
t0=$(date +%s%N)
virt-install --connect "$LV_URI" --name "$n" --virt-type qemu --memory 128 --vcpus 1 \
	--boot "kernel=$kernel,initrd=$initrd,kernel_args=console=ttyS0 quiet vmmc.hostname=$n" \
	--disk "pool=$pool,size=0.0625,format=qcow2" --network none --graphics none \
	--osinfo detect=off,require=off --import --noautoconsole --quiet
t1=
coproc CON { timeout 120 script -qfc "virsh -c $LV_URI console $n --force" /dev/null </dev/null; }
while IFS= read -r line <&"${CON[0]}"; do
	if [[ $line == *"vmmc-guest ready"* ]]; then
		t1=$(date +%s%N) # the line's arrival, not the console's end
		break
	fi
done
kill "$CON_PID" 2>/dev/null || true
[ -n "$t1" ] || { echo "newvm bench: virt-install's guest did not come up" >&2; exit 1; }
vi_ms=$(((t1 - t0) / 1000000))
echo "newvm bench: Finish to the guest's first console line: vmmc $vmmc_ms ms, virt-install $vi_ms ms" \
	"(target: vmmc no slower)"
