#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/newvm.sh [PATTERN] - the New Virtual Machine wizard end to end:
# vmmc in tmux against the real libvirtd (qemu:///system) makes the tiny
# real guest of tests/guest/ (direct kernel boot) on a directory pool of its
# own with a new 64 MiB qcow2 disk, starts it and opens its console, where
# the guest's shell answers; a failed step leaves nothing behind; every page
# at 80x24 and 120x40, fields reached by their accelerators. Root only.
# Ends with "newvm: N passed, M failed".
#
# Everything it makes is named vmmc-test-<pid>-*: VMs (destroyed and
# undefined at exit), the pool (its volumes deleted, stopped, undefined, its
# folder removed at exit).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"
# shellcheck source=tests/lib/wizard.sh
. "$here/../lib/wizard.sh"

URI=qemu:///system
T_BOOT=60

POOL=$(lv_name pool)
POOL_DIR=/var/tmp/$POOL # qemu (libvirt-qemu) must reach the disk
KERNEL='' INITRD=''

# ---- helpers ------------------------------------------------------------------

# walk NAME: the wizard from the host to the summary, the tiny guest's
# choices: direct kernel boot, 128 MiB, no network, a 64 MiB qcow2 in POOL.
# Fields are reached by their accelerators (Alt+letter).
walk() {
	walk_name "$1"
	walk_rest "$1"
	tm_wait_for "Name:         $1" 5
	tm_wait_for "Memory:       128 MiB" 5
}

walk_name() {
	tm_keys v
	page "Name and host"
	tm_type "$1"
	tm_keys Enter
}

# walk_rest NAME [BRIDGE]: the pages after the first (no network, or that bridge)
walk_rest() {
	local n=$1 bridge=${2:-}
	page "Installation source"
	tm_keys Down Down Down Down # Direct kernel boot
	tm_wait_for "Kernel:" 5
	tm_keys M-k
	tm_type "$KERNEL"
	tm_keys M-n
	tm_type "$INITRD"
	tm_keys M-c C-u
	tm_type "console=ttyS0 quiet vmmc.hostname=$n"
	tm_keys Enter
	walk_after_source "$bridge"
}

# walk_after_source [BRIDGE]: the pages after the source page
walk_after_source() {
	local bridge=${1:-}
	page "Operating system"
	tm_keys Enter
	page "Firmware and machine"
	tm_assert_contains "(*) TCG (software emulation)" # KVM guests do not run here (TESTBED.md)
	tm_keys Enter
	page "Memory and processors"
	tm_keys M-m C-u
	tm_type 128M
	tm_keys Enter
	page "Network"
	if [ -n "$bridge" ]; then
		pick_radio Bridge
		tm_wait_for "Bridge:" 5
		tm_keys M-b C-u
		tm_type "$bridge"
	else
		pick_radio None
	fi
	tm_keys Enter
	wz_storage
}

# local_iso_page NAME FILE: vmmc at 120x40, the wizard to the source page,
# FILE as the local ISO uploaded into POOL
local_iso_page() {
	wz_vmmc_up 120 40
	walk_name "$1"
	page "Installation source"
	tm_keys Down # Local ISO file
	tm_wait_for "File:" 5
	tm_keys M-f
	tm_type "$2"
	tm_keys M-p
	set_choice "$POOL"
}

# ssh_vmmc_up: a loopback sshd of the test's own (stopped when it ends),
# vmmc at 120x40 on qemu:///system through it (ssh://), its pools listed
ssh_vmmc_up() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-ssh.XXXXXX")
	tm_on_exit "sh_down; rm -rf '$d'"
	sh_up "$d" || tm_fail "no sshd"
	wz_vmmc_up 120 40 "ssh://root@127.0.0.1:$SH_PORT" --env "VMMC_SSH_DIR=$VMMC_SSH_DIR" \
		--env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"
}

# shell_answers: the guest's shell in vmmc's console computes what is typed
shell_answers() {
	local tok=answer$RANDOM i
	for ((i = 0; i < 30; i++)); do
		tm_type "echo $tok-\$((6*7))"
		tm_keys Enter
		tm_wait_for "$tok-42" 1 2>/dev/null && break
	done
	tm_assert_contains "$tok-42"
}

# ---- tests ----------------------------------------------------------------------

# The whole wizard: the guest boots, its shell answers in vmmc's console.
t_nvm_kernel_boot() {
	local n t0 t1 t2 xml
	n=$(lv_name k)
	wz_vmmc_up 120 40
	walk "$n"
	t0=$(date +%s%N)
	tm_keys Enter # Finish
	tm_wait_for "Done in" 30
	t1=$(date +%s%N)
	tm_assert_contains "[done]   Define VM $n"
	tm_assert_contains "[done]   Open its serial console"
	tm_keys Enter # Close: the console is behind it
	tm_wait_for "vmmc-guest ready" "$T_BOOT"
	t2=$(date +%s%N)
	echo "  newvm: Finish to the steps done: $(((t1 - t0) / 1000000)) ms;" \
		"Finish to the guest's first line in the console: $(((t2 - t0) / 1000000)) ms"
	shell_answers
	# what was made: the VM running, its disk a 64 MiB qcow2 volume of POOL
	[ "$(lv_state "$n")" = running ] || tm_fail "$n is $(lv_state "$n")"
	vols | grep -qxF "$n.qcow2" || tm_fail "no volume $n.qcow2 in $POOL"
	lv_virsh vol-info "$n.qcow2" --pool "$POOL" --bytes | grep -qE "Capacity: +67108864 bytes" ||
		tm_fail "the volume is not 64 MiB"
	lv_virsh vol-dumpxml "$n.qcow2" --pool "$POOL" | grep -q "<format type='qcow2'/>" || tm_fail "not qcow2"
	xml=$(lv_virsh dumpxml "$n")
	grep -q "<source pool='$POOL' volume='$n.qcow2'" <<<"$xml" || tm_fail "disk source: $xml"
	grep -q "name='org.qemu.guest_agent.0'" <<<"$xml" || tm_fail "no agent channel"
	grep -q "<domain type='qemu'" <<<"$xml" || tm_fail "not TCG"
}

# The whole wizard over an ssh:// host (vmmc's own SSH link to a loopback
# sshd, tests/lib/sshhost.sh): direct kernel boot with the kernel and
# initrd as files here, uploaded into the pool; the guest's shell answers
# in vmmc's console.
t_nvm_ssh_kernel() {
	local n xml
	n=$(lv_name ssh)
	ssh_vmmc_up
	walk_name "$n"
	page "Installation source"
	tm_keys Down Down Down Down # Direct kernel boot
	tm_wait_for "[x] Upload files from this machine" 5 # a remote host's default
	tm_keys M-k
	tm_type "$KERNEL"
	tm_keys M-n
	tm_type "$INITRD"
	tm_keys M-c C-u
	tm_type "console=ttyS0 quiet vmmc.hostname=$n"
	tm_keys M-p
	set_choice "$POOL"
	tm_keys Enter
	walk_after_source
	tm_wait_for "Name:         $n" 5
	tm_keys Enter # Finish
	tm_wait_for "Done in" 90
	tm_assert_contains "[done]   Upload the kernel as $n-kernel"
	tm_assert_contains "[done]   Upload the initrd as $n-initrd"
	tm_keys Enter # Close: the console is behind it
	tm_wait_for "vmmc-guest ready" "$T_BOOT"
	shell_answers
	cmp -s "$KERNEL" "$POOL_DIR/$n-kernel" || tm_fail "the kernel in the pool is not the file"
	cmp -s "$INITRD" "$POOL_DIR/$n-initrd" || tm_fail "the initrd in the pool is not the file"
	xml=$(lv_virsh dumpxml "$n")
	grep -q "<kernel>$POOL_DIR/$n-kernel</kernel>" <<<"$xml" || tm_fail "kernel: $xml"
}

# Page 1 offers the connected hosts: the wizard opened on qemu:///system
# makes the VM on another one picked there (test:///default, a host of
# vmmc's own): its pools and networks from then on, Finish defines it there
# and not on the first host.
t_nvm_host_choice() {
	local n i
	n=$(lv_name hostpick)
	tm_vmmc -x 120 -y 40 -- -c "$URI" -c test:///default
	tm_wait_for "2/2 connected" 30
	tm_keys v
	page "Name and host"
	tm_wait_for "Host: < qemu:///system >" 5
	tm_type "$n"
	tm_keys M-h Right
	tm_wait_for "Host: < test:///default >" 5
	tm_keys Enter
	page "Installation source"
	tm_keys Down Down Down # Network boot (PXE)
	tm_wait_for "(*) Network boot (PXE)" 5
	tm_keys Enter
	page "Operating system"
	tm_keys Enter
	for ((i = 0; i < 6; i++)); do # to the summary, whichever pages the test host has
		tm_capture | grep -qF "Summary" && break
		tm_keys Enter
		sleep 0.3
	done
	page "Summary"
	tm_assert_contains "Host:         test:///default"
	tm_assert_contains "default-pool/$n.qcow2" # the test host's pool
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
	tm_keys Enter
	tm_wait_for "Done in" 30
	tm_assert_contains "[done]   Define VM $n"
	! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n was made on $URI"
}

# The host drops before Finish: the wizard keeps its choices, Finish says
# it waits for the host and, when vmmc has reconnected, makes the VM.
t_nvm_ssh_reconnect() {
	local n
	n=$(lv_name recon)
	ssh_vmmc_up
	walk_name "$n"
	page "Installation source"
	tm_keys Down Down Down # Network boot (PXE)
	tm_wait_for "(*) Network boot (PXE)" 5
	tm_keys Enter
	page "Operating system"
	tm_keys Enter Enter
	page "Memory and processors"
	tm_keys M-m C-u
	tm_type 128M
	tm_keys Enter
	page "Network"
	pick_radio "User networking" # (PXE needs a network)
	tm_keys Enter
	page "Storage"
	pick_radio None
	tm_keys Enter
	page "Summary"
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
	sh_cut 8 # sshd back 8 s later
	tm_wait_for "0/1 connected" 20
	tm_keys Enter # Finish
	tm_wait_for "Waiting for root@127.0.0.1" 10
	tm_wait_for "Done in" 60
	tm_assert_contains "[done]   Define VM $n"
	lv_virsh dominfo "$n" >/dev/null || tm_fail "$n was not defined"
}

# A name another client takes between page 1 and Finish: Finish refuses,
# nothing is made.
t_nvm_name_taken() {
	local n i
	n=$(lv_name taken)
	wz_vmmc_up 120 40
	walk_name "$n"
	lv_define_vm "$n" >/dev/null # another client, after page 1
	walk_rest "$n"
	# Finish: refused at once when the host's event reached vmmc first
	# (the summary said "Not ready"), else libvirt refuses the definition
	# and the volume made before it is removed
	tm_keys Enter
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE "Name and host: a VM of that name|What the steps before it made was removed" && break
		sleep 0.1
	done
	tm_capture | grep -qE "Name and host: a VM of that name|already exists" || tm_fail "no refusal on screen"
	! vols | grep -qxF "$n.qcow2" || tm_fail "volume $n.qcow2 left"
	[ "$(lv_virsh list --all --name | grep -cxF "$n")" = 1 ] || tm_fail "not exactly the other client's $n"
}

# A step that fails after others made things (start: a bridge that does
# not exist): the definition and the volume are removed, the dialog says
# which step failed and why.
t_nvm_start_fails() {
	local n
	n=$(lv_name fail)
	wz_vmmc_up 120 40
	walk_name "$n"
	walk_rest "$n" "vmmcnobr$$"
	tm_keys Enter
	tm_wait_for "Step 3 failed" 30
	tm_assert_contains "Could not start"
	tm_wait_for "What the steps before it made was removed." 30
	! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n is still defined"
	! vols | grep -qxF "$n.qcow2" || tm_fail "volume $n.qcow2 left"
}

# A local ISO: its OS detected (libosinfo) when the source page is left,
# the OS page and the summary show it; Finish (no start) uploads it into
# the pool and defines the VM with it as its CD-ROM.
t_nvm_detect() {
	local iso src n
	n=$(lv_name detect)
	src=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-iso.XXXXXX")
	tm_on_exit "rm -rf '$src'" # also when the test fails
	echo x >"$src/a.txt"
	iso=$src/debian-11.iso
	genisoimage -quiet -V "Debian 11.5.0 amd64 n" -o "$iso" "$src" || tm_fail "genisoimage"
	local_iso_page "$n" "$iso"
	tm_keys Enter
	page "Operating system"
	tm_wait_for "Detected Debian 11 on the install media" 5
	tm_assert_contains "Debian 11 (debian11)"
	tm_keys Enter Enter Enter Enter Enter
	page "Summary"
	tm_assert_contains "OS:           Debian 11"
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
	tm_keys Enter
	tm_wait_for "Done in" 30
	tm_assert_contains "[done]   Upload debian-11.iso to pool"
	vols | grep -qxF debian-11.iso || tm_fail "no volume debian-11.iso in $POOL"
	lv_virsh vol-info debian-11.iso --pool "$POOL" --bytes | grep -qE "Capacity: +$(stat -c %s "$iso") bytes" ||
		tm_fail "the volume's size is not the file's"
	lv_virsh dumpxml "$n" | grep -q "<source pool='$POOL' volume='debian-11.iso'" || tm_fail "no CD-ROM"
	[ "$(lv_state "$n")" = "shut off" ] || tm_fail "$n is $(lv_state "$n")"
	rm -rf "$src"
}

# A cloud image: a local qcow2 uploaded as the VM's disk and grown to
# 64 MiB, a cloud-init seed made here with the user's key (a key of the
# test's own in vmmc's ~/.ssh, offered as a check box), a user and a
# password, uploaded as NAME-seed.iso and attached as a CD-ROM. The seed is
# read back from the pool (virsh vol-download) with an ISO reader: volume
# id cidata, meta-data's host name, user-data's key and the password's
# SHA-512 hash, the password itself nowhere; no temporary file left.
t_nvm_cloud_seed() {
	local n src key ud md xml
	n=$(lv_name cloud)
	src=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-cloud.XXXXXX")
	tm_on_exit "rm -rf '$src'" # also when the test fails
	qemu-img create -q -f qcow2 "$src/cloud.qcow2" 32M || tm_fail "qemu-img"
	mkdir -p "$TM_TESTDIR/home/.ssh"
	ssh-keygen -q -t ed25519 -N '' -C "vmmc-test-$$@cloud" -f "$TM_TESTDIR/home/.ssh/id_ed25519" ||
		tm_fail "ssh-keygen"
	key=$(cut -d' ' -f2 "$TM_TESTDIR/home/.ssh/id_ed25519.pub")
	wz_vmmc_up 120 40
	walk_name "$n"
	page "Installation source"
	pick_radio "Cloud image (cloud-init)"
	tm_wait_for "Host name:" 5
	tm_keys M-f
	tm_type "$src/cloud.qcow2"
	tm_keys M-u
	tm_type ann
	tm_keys M-w
	tm_type "Secr3t pw"
	tm_wait_for "[x] ssh-ed25519 ${key:0:8}" 10 # read on a thread, checked
	tm_keys Enter
	page "Operating system"
	tm_keys Enter Enter
	wz_to_summary None
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
	tm_keys Enter
	tm_wait_for "Done in" 30
	tm_assert_contains "[done]   Upload the cloud image as" # (the labels wrap at 120x40)
	tm_assert_contains "[done]   Grow $n.qcow2 to 64 MiB"
	tm_assert_contains "[done]   Make the cloud-init seed"
	tm_assert_contains "user ann, 1 SSH key) in pool"
	lv_virsh vol-info "$n.qcow2" --pool "$POOL" --bytes | grep -qE "Capacity: +67108864 bytes" ||
		tm_fail "the disk is not 64 MiB"
	lv_virsh vol-download "$n-seed.iso" "$src/seed.iso" --pool "$POOL" || tm_fail "no seed volume"
	isoinfo -d -i "$src/seed.iso" | grep -qx "Volume id: cidata" || tm_fail "volume id is not cidata"
	xorriso -osirrox on -indev "$src/seed.iso" -extract /user-data "$src/user-data" \
		-extract /meta-data "$src/meta-data" >/dev/null 2>&1 || tm_fail "xorriso could not read the seed"
	ud=$(cat "$src/user-data") md=$(cat "$src/meta-data")
	grep -qx '#cloud-config' <<<"${ud%%$'\n'*}" || tm_fail "user-data: $ud"
	grep -qF "local-hostname: \"$n\"" <<<"$md" || tm_fail "meta-data: $md"
	grep -qF "  - name: \"ann\"" <<<"$ud" || tm_fail "no user: $ud"
	grep -qF "$key vmmc-test-$$@cloud\"" <<<"$ud" || tm_fail "no key: $ud"
	grep -qE 'passwd: "\$6\$' <<<"$ud" || tm_fail "no SHA-512 hash: $ud"
	! grep -qF "Secr3t" "$src/seed.iso" || tm_fail "the password is in the seed"
	! find "$TM_TESTDIR" -name 'vmmc-seed.*' | grep -q . || tm_fail "a seed folder was left"
	xml=$(lv_virsh dumpxml "$n")
	grep -q "<source pool='$POOL' volume='$n-seed.iso'" <<<"$xml" || tm_fail "no seed CD-ROM: $xml"
	grep -q "<source pool='$POOL' volume='$n.qcow2'" <<<"$xml" || tm_fail "no disk: $xml"
	rm -rf "$src"
}

# A local ISO already in the pool under another name (same size and
# SHA-256): not uploaded again, the VM's CD-ROM is that volume; a volume of
# the same size but other bytes (a decoy, compared first) is not taken.
t_nvm_reuse_iso() {
	local n src before
	n=$(lv_name reuse)
	src=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-reuse.XXXXXX")
	tm_on_exit "rm -rf '$src'" # also when the test fails
	mkdir "$src/a" "$src/b"
	echo "the real one" >"$src/a/x.txt"
	echo "a decoy one!" >"$src/b/x.txt"
	genisoimage -quiet -V "REUSE" -o "$src/mine.iso" "$src/a" || tm_fail "genisoimage"
	genisoimage -quiet -V "REUSE" -o "$src/decoy.iso" "$src/b" || tm_fail "genisoimage"
	[ "$(stat -c %s "$src/mine.iso")" = "$(stat -c %s "$src/decoy.iso")" ] || tm_fail "sizes differ"
	lv_virsh vol-create-as "$POOL" "a-decoy.iso" "$(stat -c %s "$src/decoy.iso")" --format raw >/dev/null
	lv_virsh vol-upload "a-decoy.iso" "$src/decoy.iso" --pool "$POOL" >/dev/null
	lv_virsh vol-create-as "$POOL" "sent-before.iso" "$(stat -c %s "$src/mine.iso")" --format raw >/dev/null
	lv_virsh vol-upload "sent-before.iso" "$src/mine.iso" --pool "$POOL" >/dev/null
	before=$(vols | sort | tr '\n' ' ')
	local_iso_page "$n" "$src/mine.iso"
	tm_wait_for "In the pool already as sent-before.iso" 15 # compared on a thread
	tm_assert_contains "not uploaded again"
	tm_keys Enter
	page "Operating system"
	tm_keys Enter Enter Enter
	page "Network"
	pick_radio None
	tm_keys Enter
	page "Storage"
	pick_radio None
	tm_keys Enter
	page "Summary"
	tm_assert_contains "$POOL/sent-before.iso (same SHA-256: not" # (wrapped at 120x40)
	tm_keys M-s Space # no start
	tm_wait_for "[ ] Start the VM" 5
	tm_keys Enter
	tm_wait_for "Done in" 30
	! tm_capture | grep -q "Upload" || tm_fail "an upload step"
	[ "$(vols | sort | tr '\n' ' ')" = "$before" ] || tm_fail "volumes changed: $(vols | tr '\n' ' ')"
	lv_virsh dumpxml "$n" | grep -q "<source pool='$POOL' volume='sent-before.iso'" || tm_fail "CD-ROM is not sent-before.iso"
	lv_virsh vol-delete a-decoy.iso --pool "$POOL" >/dev/null
	rm -rf "$src"
}

# Quick Create: one page; an ISO of the pool offered and picked; a missing
# name refused beside the field. (Create itself is not pressed here: with
# no network of its own the VM would join whichever network runs on this
# shared host.)
t_nvm_quick_page() {
	local src
	src=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-qc.XXXXXX")
	tm_on_exit "rm -rf '$src'" # also when the test fails
	echo x >"$src/a.txt"
	genisoimage -quiet -V "Debian 11.5.0 amd64 n" -o "$src/qc.iso" "$src" || tm_fail "genisoimage"
	lv_virsh vol-create-as "$POOL" qc.iso "$(stat -c %s "$src/qc.iso")" --format raw >/dev/null
	lv_virsh vol-upload qc.iso "$src/qc.iso" --pool "$POOL" >/dev/null
	rm -rf "$src"
	wz_vmmc_up 80 24
	tm_keys Q
	tm_wait_for "Quick Create" 10
	tm_assert_contains "(*) ISO image in a storage pool"
	tm_wait_for "$POOL/qc.iso" 5
	tm_assert_contains "OS: Generic"
	tm_keys C-u Enter # Create with no name (the one proposed from the ISO emptied)
	tm_wait_for "Name: enter a name" 5
	tm_keys Escape
	tm_wait_gone "Quick Create" 5
	lv_virsh vol-delete qc.iso --pool "$POOL" >/dev/null
}

# guest_iso FILE NAME: a bootable ISO of the tiny guest (isolinux: its
# kernel and initramfs, the serial console, host name NAME)
guest_iso() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-gi.XXXXXX")
	tm_on_exit "rm -rf '$d'" # also when the test fails
	mkdir -p "$d/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$d/isolinux/"
	cp "$KERNEL" "$d/vmlinuz"
	cp "$INITRD" "$d/initrd.gz"
	printf 'DEFAULT guest\nPROMPT 0\nTIMEOUT 0\nLABEL guest\n  KERNEL /vmlinuz\n  APPEND %s\n' \
		"initrd=/initrd.gz console=ttyS0 quiet vmmc.hostname=$2" >"$d/isolinux/isolinux.cfg"
	genisoimage -quiet -V VMMCGUEST -l -J -R -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
		-boot-load-size 4 -boot-info-table -o "$1" "$d" || tm_fail "genisoimage (bootable)"
	rm -rf "$d"
}

# Quick Create's key count, from opening it to a booted guest with its
# console open, for a pooled ISO (the tiny guest made bootable): Q, the ISO
# list by its accelerator, Down to the ISO (as many as the host's other
# ISOs before it; the name follows the ISO: no typing), Create, Close of
# the steps' dialog (the console is behind it). At most 10.
t_nvm_quick_keys() {
	local n src keys=0 i p
	n=$(lv_name qc)
	src=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-nvm-qk.XXXXXX")
	tm_on_exit "rm -rf '$src'" # also when the test fails
	guest_iso "$src/$n.iso" "$n"
	lv_virsh vol-create-as "$POOL" "$n.iso" "$(stat -c %s "$src/$n.iso")" --format raw >/dev/null
	lv_virsh vol-upload "$n.iso" "$src/$n.iso" --pool "$POOL" >/dev/null
	rm -rf "$src"
	wz_vmmc_up 120 40
	key() { tm_keys "$@"; keys=$((keys + $#)); }
	key Q
	tm_wait_for "Quick Create" 10
	tm_wait_for "$POOL/$n.iso" 5
	key M-i
	for ((i = 0; i < 30; i++)); do
		tm_capture | grep -qE "Name: +$n " && break # proposed from the ISO's name
		key Down
		sleep 0.2
	done
	tm_capture | grep -qE "Name: +$n " || tm_fail "the name did not follow the ISO"
	key Enter # Create
	tm_wait_for "Done in" 60
	tm_assert_contains "[done]   Open its serial console"
	key Enter # Close: the console is behind it
	tm_wait_for "vmmc-guest ready" "$T_BOOT"
	echo "  newvm: Quick Create to a booted guest with its console open: $keys key presses"
	[ "$keys" -le 10 ] || tm_fail "$keys key presses (at most 10)"
	[ "$(lv_state "$n")" = running ] || tm_fail "$n is $(lv_state "$n")"
	lv_virsh dumpxml "$n" | grep -q "volume='$n.iso'" || tm_fail "not booted from $n.iso"
	# its new disk, in whichever pool Quick Create chose: removed with the VM
	lv_virsh destroy "$n" >/dev/null 2>&1 || true
	lv_virsh undefine "$n" >/dev/null
	for p in $(lv_virsh pool-list --name); do
		lv_virsh vol-delete "$n.qcow2" --pool "$p" >/dev/null 2>&1 || true
	done
	lv_virsh vol-delete "$n.iso" --pool "$POOL" >/dev/null
}

# The UI thread never waits while the wizard is walked: every UI pass (key
# read to screen drawn, VMMC_BENCH_STATS) from the first page to the
# summary within 50 ms x VMMC_TIMEOUT_SCALE (its CPU and its sleeps; the
# wait for a CPU on a loaded machine printed, not counted): the OS
# database's first use,
# a click followed by a pause (ncurses read on in a blocking read after a
# mouse release outside vmmc's mouse mask: the UI slept until the next
# key), a click whose mouse report comes in two pieces 300 ms apart (ncurses
# reads a report's rest in a blocking read: tui/input.c relays it whole).
t_nvm_ui_passes() {
	local n st us cpu slept
	n=$(lv_name ui)
	st=$TM_TESTDIR/ui.stats
	wz_vmmc_up 120 40 "$URI" --env "VMMC_BENCH_STATS=$st"
	wz_bench_window "$st" # the walk's own window from here
	walk_name "$n"
	page "Installation source"
	tm_keys Down Down Down Down # Direct kernel boot
	tm_wait_for "Kernel:" 5
	tm_keys M-k
	tm_type "$KERNEL"
	tm_keys Enter
	page "Operating system"
	tm_keys Enter
	page "Firmware and machine"
	tm_keys Enter
	page "Memory and processors"
	tm_keys Enter
	page "Network"
	pick_radio "User networking"
	sleep 0.4 # the user reads: no key for a while after the click
	wz_split_click "( ) None"
	tm_wait_for "(*) None" 5
	sleep 0.4
	tm_keys Enter
	wz_storage
	tm_keys Escape
	tm_wait_gone "Summary" 5
	wz_bench_window "$st"
	us=$(wz_bench_field "$st" ui_us_max) cpu=$(wz_bench_field "$st" ui_cpu_us_max)
	slept=$(wz_bench_field "$st" ui_slept_us_max)
	[ -n "$slept" ] || slept=$us # (a build without the figure: all of it)
	echo "  newvm: the walk's longest UI pass: $((us / 1000)) ms ($((cpu / 1000)) ms of CPU)," \
		"longest sleep in a pass: $((slept / 1000)) ms (a lone Escape waits 25 ms for the rest of" \
		"a key's sequence), $(wz_bench_field "$st" passes) passes, load $(cut -d' ' -f1 /proc/loadavg)"
	# the pass's own time: its CPU and its sleeps, without its wait for a
	# CPU on this shared machine (/proc/thread-self/schedstat)
	[ $((slept + cpu)) -le $((50000 * VMMC_TIMEOUT_SCALE)) ] ||
		tm_fail "a UI pass took $((us / 1000)) ms, $((slept / 1000)) ms of it asleep"
}

# The steps' dialog closed (Escape) the moment Finish starts, a step in
# flight: the dialog stays (it does not close under a running step, as
# virt-manager's create job), says it cancels, lets the step end, starts no
# other and removes what was made; then Close closes it. virsh: no VM of
# that name, no volume left in the pool.
t_nvm_close_mid_finish() {
	local n i
	n=$(lv_name midclose)
	wz_vmmc_up 120 40
	walk "$n"
	tm_keys Enter Escape # Finish, then at once close the steps' dialog
	tm_wait_for "Cancelled at step" 30
	tm_assert_contains "the steps' dialog was closed"
	tm_assert_contains "What the steps before it made was removed."
	tm_assert_not_contains "Could not undo"
	tm_assert_not_contains "Done in"
	for i in 1 2 3; do # a late answer would show up: checked a few times
		! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n is defined"
		! vols | grep -qxF "$n.qcow2" || tm_fail "volume $n.qcow2 left"
		[ "$i" = 3 ] || sleep 1
	done
	tm_keys Escape # over: Close closes it
	tm_wait_gone "Cancelled at step" 5
}

# vmmc asked to quit while Finish runs (SIGTERM, as when its terminal is
# closed; q goes to the steps' dialog, which takes every key): the Finish is
# cancelled as the dialog's Close cancels it, and what its steps made is
# removed before vmmc ends, in bounded time; a second signal would end it at
# once. virsh: no VM of that name, no volume left in the pool.
t_nvm_quit_mid_finish() {
	local n i log st t0
	n=$(lv_name midquit)
	log=$TM_TESTDIR/vmmc.log
	wz_vmmc_up 120 40 "$URI" --env "VMMC_LOG=$log"
	walk "$n"
	tm_keys Enter
	for ((i = 0; i < 200; i++)); do # a step sent
		grep -q "newvm: step 1/" "$log" 2>/dev/null && break
		sleep 0.02
	done
	t0=$(date +%s%N)
	kill -TERM "$(tm_pid)"
	st=$(tm_exit_status 30)
	echo "  newvm: SIGTERM mid-Finish -> undone and ended in $((($(date +%s%N) - t0) / 1000000)) ms"
	[ "$st" = 143 ] || tm_fail "exit status $st, not 143 (SIGTERM)"
	! grep -q 'newvm: step \([0-9]*\)/\1 (.*): done' "$log" || tm_skip "the Finish ended before the signal came"
	tm_term_restored
	for i in 1 2; do # a late answer would show up
		! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n is defined"
		! vols | grep -qxF "$n.qcow2" || tm_fail "volume $n.qcow2 left"
		[ "$i" = 2 ] || sleep 1
	done
	grep -q "newvm: cancelled at step .*: vmmc is quitting" "$log" ||
		tm_fail "the Finish was not cancelled: $(grep newvm: "$log" | tail -3)"
}

# Every page fits at 80x24 and 120x40: its title, its fields, the buttons.
t_nvm_pages() {
	local size w h
	for size in 80x24 120x40; do
		w=${size%x*} h=${size#*x}
		wz_vmmc_up "$w" "$h"
		tm_keys v
		page "Name and host"
		tm_assert_contains "Name:"
		tm_assert_contains "Host: qemu:///system"
		tm_assert_contains "[ Next > ]"
		tm_type "$(lv_name pages)"
		tm_keys Enter
		page "Installation source"
		tm_assert_contains "(*) ISO image in a storage pool"
		tm_assert_contains "ISO image:"
		tm_keys Down
		tm_wait_for "File:" 5
		tm_assert_contains "Pool:"
		tm_keys Down
		tm_wait_for "Disk volume:" 5
		tm_keys Down Down
		tm_wait_for "Kernel:" 5
		tm_assert_contains "Command line: console=ttyS0"
		tm_keys M-k
		tm_type "$KERNEL"
		tm_keys Enter
		page "Operating system"
		tm_wait_for "Generic" 15 # the OS database: loading on a thread, the page shown again when it is there
		tm_keys M-s
		tm_type "debian 11"
		tm_wait_for "Debian 11 (debian11)" 10
		tm_keys M-o Down Enter
		page "Firmware and machine"
		tm_assert_contains "( ) UEFI"
		tm_assert_contains "[ ] Secure Boot"
		tm_assert_contains "(*) TCG (software emulation)"
		# the host's domain capabilities, read once when vmmc connected (ovmf and swtpm
		# installed; KVM where the daemon offers it: not on a machine without /dev/kvm)
		if lv_virsh domcapabilities --virttype kvm >/dev/null 2>&1; then
			tm_wait_for "Host offers: UEFI, Secure Boot, TPM 2.0, KVM, TCG" 5
		else
			tm_wait_for "Host offers: UEFI, Secure Boot, TPM 2.0, TCG;" 5
		fi
		tm_keys M-b Space Enter # Secure Boot without UEFI: refused
		tm_wait_for "Secure Boot: Secure Boot needs UEFI" 5
		tm_keys Space M-f Down # UEFI
		tm_wait_for "(*) UEFI" 5
		tm_keys Up Enter
		page "Memory and processors"
		tm_assert_contains "Memory:"
		tm_assert_contains "vCPUs:"
		tm_keys M-m C-u
		tm_type 20GG
		tm_wait_for "unknown unit" 5 # the error beside the field, as typed
		tm_keys Enter
		tm_assert_contains "Memory and processors" # not left with an error
		tm_keys C-u
		tm_type 1G
		tm_keys Enter
		page "Network"
		tm_assert_contains "Connection:" # the default: a network that runs, else user networking
		pick_radio None
		tm_keys Enter
		page "Storage"
		tm_assert_contains "(*) New volume"
		tm_assert_contains "Format: < qcow2 >"
		tm_keys M-p
		set_choice "$POOL"
		tm_keys Enter
		page "Summary"
		tm_assert_contains "OS:           Debian 11"
		tm_assert_contains "[x] Start the VM after creating it"
		tm_assert_contains "[ Finish ]"
		tm_keys Escape
		tm_wait_gone "Summary" 5
		tm_stop
	done
}

# ---- run ------------------------------------------------------------------------

nvm_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	pool_down
	lv_down
}
trap nvm_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

nvm_setup() { # libvirtd, the guest's kernel and initrd, our pool
	tm_guest_up || return 1
	{ read -r KERNEL; read -r INITRD; } < <("$TM_ROOT/tests/guest/build.sh" --print)
	pool_up
}
tm_suite_main newvm t_nvm_ nvm_setup "no libvirtd on $URI or no test guest" "$@"
