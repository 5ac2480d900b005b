#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/customize.sh [PATTERN] - the New VM wizard's "Customize before
# install" end to end: vmmc in tmux against the real libvirtd
# (qemu:///system); on the Summary page the check box opens VM Settings on
# the VM not yet defined; a second disk (a new volume) and more memory
# added there go into the definition Finish makes (virsh dumpxml --inactive
# shows two disks, the pool both volumes); a new CD/DVD drive with a local
# ISO uploaded at Finish; Cancel in Settings leaves the Summary as it was.
# Root only. Ends with "customize: N passed, M failed".
#
# Everything it makes is named vmmc-test-<pid>-*: VMs (undefined at exit),
# the pool (its volumes deleted, stopped, undefined, its folder removed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
# shellcheck source=tests/lib/wizard.sh
. "$here/../lib/wizard.sh"
# shellcheck source=tests/lib/settings.sh
. "$here/../lib/settings.sh"

URI=qemu:///system
POOL=$(lv_name pool)
POOL_DIR=/var/tmp/$POOL

# to_summary NAME: the wizard to its Summary: network boot, 128 MiB, user
# networking, a new 64 MiB qcow2 in POOL, not started after Finish
to_summary() {
	tm_keys v
	page "Name and host"
	tm_type "$1"
	tm_keys Enter
	page "Installation source"
	pick_radio "Network boot (PXE)"
	tm_keys Enter
	page "Operating system"
	tm_keys Enter
	page "Firmware and machine"
	tm_keys Enter
	wz_to_summary "User networking"
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
}

# cust_open NAME: vmmc up, the wizard on its Summary for NAME, Customize
# before install opened
cust_open() {
	wz_vmmc_up 120 40
	to_summary "$1"
	tm_keys M-u Space
	tm_wait_for "Customize before install - $1" 10
}

# Settings before the definition: a second disk and 256 MiB; OK; Finish
# defines the VM with both disks and creates both volumes.
t_cust_second_disk() {
	local n x
	n=$(lv_name cd)
	cust_open "$n"
	tm_assert_contains "Not defined yet"
	hw_item "Memory"
	tm_keys M-m C-u
	tm_type 256M
	hw_item "+ Add hardware"
	tm_keys M-a
	set_choice "Disk: new volume"
	tm_keys M-o
	set_choice "$POOL"
	tm_keys M-v C-u
	tm_type "$n-extra.qcow2"
	tm_keys M-s C-u
	tm_type 32M
	tm_keys M-k # O&K
	tm_wait_gone "Customize before install -" 10
	tm_wait_for "[x] Customize before install: 3 changes in Settings" 5
	! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n defined before Finish"
	! vols | grep -qxF "$n-extra.qcow2" || tm_fail "volume made before Finish"
	tm_keys Enter # Finish
	tm_wait_for "Done in" 30
	tm_assert_contains "[done]   Create volume $n-extra.qcow2"
	tm_assert_contains "[done]   Define VM $n"
	x=$(lv_virsh dumpxml --inactive "$n")
	[ "$(grep -c "<disk type='volume' device='disk'" <<<"$x")" = 2 ] || tm_fail "not two disks: $x"
	grep -q "<source pool='$POOL' volume='$n.qcow2'" <<<"$x" || tm_fail "no first disk: $x"
	grep -q "<source pool='$POOL' volume='$n-extra.qcow2'" <<<"$x" || tm_fail "no second disk: $x"
	grep -q "<memory unit='KiB'>262144</memory>" <<<"$x" || tm_fail "memory not 256 MiB: $x"
	lv_virsh vol-info "$n-extra.qcow2" --pool "$POOL" --bytes | grep -qE "Capacity: +33554432 bytes" ||
		tm_fail "the second volume is not 32 MiB"
	vols | grep -qxF "$n.qcow2" || tm_fail "no volume $n.qcow2"
}

# A new CD/DVD drive with a local ISO: nothing uploaded before Finish; Finish
# uploads it (a step of its own) and defines the VM with the drive on that
# volume, which holds the file's bytes.
t_cust_cd_local_iso() {
	local n x tmp iso vol
	n=$(lv_name ci)
	tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/vmmc-cust-$$.XXXXXX")
	tm_on_exit "rm -rf '$tmp'" # also when the test fails
	vol=$n.iso
	iso=$tmp/$vol
	head -c 3M /dev/urandom >"$iso"
	cust_open "$n"
	hw_item "+ Add hardware"
	set_new_cd "$iso" "$POOL"
	tm_assert_contains "uploaded at Finish"
	tm_keys M-k # O&K
	tm_wait_gone "Customize before install -" 10
	tm_wait_for "[x] Customize before install: 1 change in Settings" 5
	! vols | grep -qxF "$vol" || tm_fail "uploaded before Finish"
	tm_keys Enter # Finish
	tm_wait_for "Done in" 60
	tm_assert_contains "[done]   Upload $vol to pool"
	x=$(lv_virsh dumpxml --inactive "$n")
	grep -q "device='cdrom'" <<<"$x" || tm_fail "no CD/DVD drive: $x"
	grep -q "<source pool='$POOL' volume='$vol'" <<<"$x" || tm_fail "the drive is not on the volume: $x"
	lv_virsh vol-download --pool "$POOL" "$vol" "$tmp/back" >/dev/null || tm_fail "no volume $vol"
	cmp -s "$iso" "$tmp/back" || tm_fail "the volume does not hold the file's bytes"
	rm -rf "$tmp"
}

# Cancel in Settings: the Summary unchanged, Finish defines one disk.
t_cust_cancel() {
	local n x
	n=$(lv_name cc)
	cust_open "$n"
	hw_item "+ Add hardware"
	tm_keys M-a
	set_choice "Disk: new volume"
	tm_keys Escape
	tm_wait_gone "Customize before install -" 10
	tm_wait_for "[ ] Customize before install" 5
	tm_assert_not_contains "changes in Settings"
	tm_keys Enter # Finish
	tm_wait_for "Done in" 30
	x=$(lv_virsh dumpxml --inactive "$n")
	[ "$(grep -c "device='disk'" <<<"$x")" = 1 ] || tm_fail "not one disk: $x"
	[ "$(vols | grep -c "^$n")" = 1 ] || tm_fail "volumes: $(vols)"
}

cust_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	pool_down
	lv_down
}
trap cust_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

cust_setup() { lv_up && pool_up; }
tm_suite_main customize t_cust_ cust_setup "no libvirtd on $URI" "$@"
