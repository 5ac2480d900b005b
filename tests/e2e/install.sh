#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/install.sh [PATTERN] - the text installer on the serial console
# (issue 18) end to end: vmmc in tmux against the real libvirtd
# (qemu:///system). Debian 12's real installer (debian-installer-12-netboot-
# amd64: linux + initrd.gz) is put into a generated ISO at the paths
# osinfo-db names for a Debian 11 netinst ("install.amd/vmlinuz",
# "install.amd/initrd.gz") with a volume id its pattern matches; the ISO is a
# volume of a pool of the test's own. The New VM wizard detects the OS,
# offers the text installer (by ranged reads of the volume), Finish extracts
# the kernel and initrd into the pool and runs the installer, whose first
# screen ("Low memory", at 512 MiB) appears in vmmc's console; after the VM
# is turned off its definition boots from the disk (no <kernel>, the CD-ROM
# empty) and the extracted volumes are gone. An unknown ISO: the text
# installer is not offered and the wizard says why. Root only.
# Ends with "install: N passed, M failed".
#
# Everything it makes is named vmmc-test-<pid>-*: VMs (destroyed and
# undefined at exit), the pool (its volumes deleted, stopped, undefined, its
# folder removed at exit), temporary folders.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
# shellcheck source=tests/lib/wizard.sh
. "$here/../lib/wizard.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"

URI=qemu:///system
T_INSTALLER=60
DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64

T_INSTALLER=$((T_INSTALLER * VMMC_TIMEOUT_SCALE)) # TCG on a loaded machine: the first screen later
T_STEPS=$((60 * VMMC_TIMEOUT_SCALE))               # Finish to the steps done (far away: an upload)
POOL=$(lv_name pool)
POOL_DIR=/var/tmp/$POOL # qemu (libvirt-qemu) must reach the files
ISO_VOL=deb-netinst.iso
SRC=''
SMALL_POOL='' SMALL_DIR='' SSH_UP=''
# The ssh:// tests' host: a loopback sshd of their own (sshhost.sh), or the
# one named by INS_SSH_ADDR and INS_SSH_PORT (tests/bench/install.sh's far
# host; the caller exports VMMC_SSH_DIR and SSH_AUTH_SOCK for it)
SSH_ADDR=${INS_SSH_ADDR:-127.0.0.1}

# ---- helpers ------------------------------------------------------------------

# the Debian 11 netinst look-alike with Debian 12's real installer in it
make_isos() {
	SRC=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-ins.XXXXXX")
	mkdir -p "$SRC/deb/install.amd" "$SRC/unk/install.amd"
	cp "$DI/linux" "$SRC/deb/install.amd/vmlinuz"
	cp "$DI/initrd.gz" "$SRC/deb/install.amd/initrd.gz"
	echo "vmmc test" >"$SRC/deb/README.txt"
	# INS_ISO_PAD_MB (tests/bench/install.sh): a file of that size besides,
	# as a real netinst has its packages: the ISO read whole would show
	if [ "${INS_ISO_PAD_MB:-0}" -gt 0 ]; then
		mkdir -p "$SRC/deb/pool"
		head -c "$((INS_ISO_PAD_MB << 20))" /dev/urandom >"$SRC/deb/pool/packages.bin"
	fi
	xorriso -as mkisofs -quiet -R -J -V "Debian 11.7.0 amd64 n" -o "$SRC/deb.iso" "$SRC/deb" 2>"$SRC/xorriso.log" ||
		tm_fail "xorriso: $(tail -n 3 "$SRC/xorriso.log")"
	echo x >"$SRC/unk/install.amd/vmlinuz"
	xorriso -as mkisofs -quiet -R -J -V "VMMC_NOT_AN_OS_$$" -o "$SRC/unknown.iso" "$SRC/unk" 2>"$SRC/xorriso.log" ||
		tm_fail "xorriso: $(tail -n 3 "$SRC/xorriso.log")"
	lv_virsh vol-create-as "$POOL" "$ISO_VOL" "$(stat -c %s "$SRC/deb.iso")" --format raw >/dev/null
	lv_virsh vol-upload "$ISO_VOL" "$SRC/deb.iso" --pool "$POOL" >/dev/null
}

vmmc_up() { # vmmc_up W H [URI LABEL]: connected, its pools listed (ours at least)
	local i uri=${3:-$URI}
	local -a env=(--env "VMMC_LOG=$TM_TESTDIR/vmmc.log")
	[ -z "$SSH_UP" ] || env+=(--env "VMMC_SSH_DIR=$VMMC_SSH_DIR" --env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK")
	tm_vmmc -x "$1" -y "$2" "${env[@]}" -- -c "$uri"
	tm_wait_line -t 20 "${4:-qemu://}" " connected"
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE "Storage Pools +[1-9]" && return 0
		sleep 0.1
	done
	tm_fail "the pools were not listed"
}

# walk_rest [POOL SIZE MEMORY]: the pages after the source: 512 MiB (the
# installer's low-memory screen comes first), no network, a new 64 MiB disk
# in POOL
walk_rest() {
	local pool=${1:-$POOL} size=${2:-64M} mem=${3:-512M}
	page "Operating system"
	# the probe's answer (OS detected) comes from the host's worker: Enter
	# before it would take the list's Generic as the user's pick
	probe_answered
	tm_keys Enter
	page "Firmware and machine"
	tm_keys Enter
	page "Memory and processors"
	tm_keys M-m C-u
	tm_type "$mem"
	tm_keys Enter
	page "Network"
	pick_radio None
	tm_keys Enter
	page "Storage"
	tm_keys M-p
	set_choice "$pool"
	tm_keys M-z C-u
	tm_type "$size"
	tm_keys Enter
	page "Summary"
}

# files_gone NAME: vmmc removes NAME's extracted installer volumes (10 s)
files_gone() {
	local i
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		vols | grep -q "^$1.install-" || return 0
		sleep 0.1
	done
	tm_fail "extracted volumes left: $(vols | tr '\n' ' ')"
}

# step_times: the wizard's steps as vmmc's log times them (newvm: step ...;
# tests/bench/install.sh prints them)
step_times() {
	grep -ao "newvm: step [0-9]*/[0-9]* (.*): done in .*" "$TM_TESTDIR/vmmc.log" | sed 's/^/  install: /' || true
}

# probe_answered: the status line has the ISO probe's answer ("... offered"),
# or the wizard's own detection of a local ISO (its message may come last,
# or be replaced by the next one: after 10 s the test goes on, the summary's
# checks say whether the answer came)
probe_answered() {
	local i
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | tail -n 1 | grep -qE "offered|Detected|libosinfo knows" && return 0
		sleep 0.1
	done
}

# pick_pooled NAME: the first two pages, the pooled Debian ISO chosen
pick_pooled() {
	tm_keys v
	page "Name and host"
	tm_type "$1"
	tm_keys Enter
	page "Installation source"
	tm_assert_contains "(*) ISO image in a storage pool"
	tm_keys M-i End
	tm_wait_for "$POOL/$ISO_VOL" 5
	click_text "$POOL/$ISO_VOL"
	tm_keys Enter
}

# ---- tests ----------------------------------------------------------------------

# A pooled Debian netinst: detected, the text installer offered and chosen
# by default; Finish to the installer's first screen in vmmc's console;
# then turned off: the final definition, the extracted files gone.
t_ins_pooled_text() {
	local n t0 t1 t2 xml
	n=$(lv_name deb)
	vmmc_up 120 40
	pick_pooled "$n"
	walk_rest
	tm_wait_for "(*) Text installer on the serial console" 20
	tm_assert_contains "Debian 11: the installer's install.amd/vmlinuz"
	tm_assert_contains "OS:           Debian 11"
	t0=$(date +%s%N)
	tm_keys Enter # Finish
	tm_wait_for "Done in" "$T_STEPS"
	t1=$(date +%s%N)
	[ -n "${INS_DEBUG:-}" ] && tm_capture >&2
	tm_assert_contains "[done]   Extract the installer's kernel and initrd into"
	tm_assert_contains "[done]   Start the installer of $n"
	tm_keys Enter # Close: the console is behind it
	tm_wait_for "Low memory" "$T_INSTALLER"
	t2=$(date +%s%N)
	echo "  install: Finish to the steps done: $(((t1 - t0) / 1000000)) ms;" \
		"Finish to the installer's first screen in the console: $(((t2 - t0) / 1000000)) ms"
	step_times
	[ "$(lv_state "$n")" = running ] || tm_fail "$n is $(lv_state "$n")"
	vols | grep -qxF "$n.install-kernel" || tm_fail "no extracted kernel in $POOL"
	vols | grep -qxF "$n.install-initrd" || tm_fail "no extracted initrd in $POOL: $(vols | tr "\n" " ")"
	lv_virsh vol-download "$n.install-initrd" "$SRC/got-initrd" --pool "$POOL" >/dev/null
	cmp -s "$SRC/got-initrd" "$DI/initrd.gz" || tm_fail "the extracted initrd is not the installer's"
	xml=$(lv_virsh dumpxml "$n") # the install run
	grep -q "<kernel>$POOL_DIR/$n.install-kernel</kernel>" <<<"$xml" || tm_fail "install run: no kernel: $xml"
	grep -q "<cmdline>console=ttyS0,115200n8</cmdline>" <<<"$xml" || tm_fail "install run: cmdline"
	grep -q "volume='$ISO_VOL'" <<<"$xml" || tm_fail "install run: no ISO in the CD-ROM"
	xml=$(lv_virsh dumpxml --inactive "$n") # the next boot
	! grep -q "<kernel>" <<<"$xml" || tm_fail "the definition keeps <kernel>"
	! grep -q "volume='$ISO_VOL'" <<<"$xml" || tm_fail "the definition keeps the ISO"
	grep -q "device='cdrom'" <<<"$xml" || tm_fail "no CD-ROM drive left"
	grep -q "vmmc.invalid/xmlns/install" <<<"$xml" || tm_fail "no install record in <metadata>"
	# "the install is done": the VM turned off; vmmc removes the files
	lv_virsh destroy "$n" >/dev/null
	files_gone "$n"
	xml=$(lv_virsh dumpxml --inactive "$n")
	! grep -q "vmmc.invalid/xmlns/install" <<<"$xml" || tm_fail "the install record stays"
	grep -q "<boot dev='hd'/>" <<<"$xml" || tm_fail "does not boot from the disk"
	vols | grep -qxF "$n.qcow2" || tm_fail "the disk is gone"
	vols | grep -qxF "$ISO_VOL" || tm_fail "the ISO is gone"
}

# The same on an ssh:// host (vmmc's own SSH session to a loopback sshd):
# the pooled ISO read by ranged downloads over it, the installer's first
# screen in the console, the files removed after the run.
t_ins_ssh() {
	local n t0 t2
	n=$(lv_name ssh)
	[ -n "$SSH_UP" ] || tm_fail "no sshd"
	vmmc_up 120 40 "ssh://root@$SSH_ADDR:$SH_PORT" "root@${SSH_ADDR%%.*}."
	pick_pooled "$n"
	walk_rest
	tm_wait_for "(*) Text installer on the serial console" 20
	t0=$(date +%s%N)
	tm_keys Enter # Finish
	tm_wait_for "Done in" "$T_STEPS"
	tm_assert_contains "[done]   Start the installer of $n"
	tm_keys Enter
	tm_wait_for "Low memory" "$T_INSTALLER"
	t2=$(date +%s%N)
	echo "  install: ssh:// host: Finish to the installer's first screen: $(((t2 - t0) / 1000000)) ms"
	# vmmc's own count of what it read of the ISO (its log)
	grep -ao "Extracted the installer's kernel and initrd .*" "$TM_TESTDIR/vmmc.log" | head -n 1 |
		sed 's/^/  install: ssh:\/\/ host: /' || true
	step_times
	lv_virsh destroy "$n" >/dev/null
	files_gone "$n"
	! lv_virsh dumpxml --inactive "$n" | grep -q "<kernel>" || tm_fail "the definition keeps <kernel>"
}

# A local ISO for an ssh:// host: the kernel and initrd read here and
# uploaded (the ISO itself is already in the pool: the wizard reuses that
# volume for the CD-ROM); the install run starts
# with them (its screen is the test above's), the files go after it.
t_ins_ssh_local() {
	local n
	n=$(lv_name sshl)
	[ -n "$SSH_UP" ] || tm_fail "no sshd"
	vmmc_up 120 40 "ssh://root@$SSH_ADDR:$SH_PORT" "root@${SSH_ADDR%%.*}."
	tm_keys v
	page "Name and host"
	tm_type "$n"
	tm_keys Enter
	page "Installation source"
	tm_keys Down # Local ISO file
	tm_wait_for "File:" 5
	tm_keys M-f
	tm_type "$SRC/deb.iso"
	tm_keys M-p
	set_choice "$POOL"
	tm_keys Enter
	walk_rest
	tm_wait_for "(*) Text installer on the serial console" 20
	tm_keys Enter # Finish
	tm_wait_for "Done in" "$T_STEPS"
	tm_assert_contains "[done]   Start the installer of $n"
	[ "$(lv_state "$n")" = running ] || tm_fail "$n is $(lv_state "$n")"
	lv_virsh vol-download "$n.install-kernel" "$SRC/got-kernel" --pool "$POOL" >/dev/null
	cmp -s "$SRC/got-kernel" "$DI/linux" || tm_fail "the uploaded kernel is not the installer's"
	# the same file is in the pool already (as $ISO_VOL): reused, not uploaded
	lv_virsh dumpxml "$n" | grep -qE "volume='(deb.iso|$ISO_VOL)'" || tm_fail "install run: no ISO in the CD-ROM"
	lv_virsh destroy "$n" >/dev/null
	files_gone "$n"
}

# The install run ends while vmmc is not running: the next vmmc removes the
# extracted files when it connects (the record in the VM's <metadata>).
t_ins_restart() {
	local n
	n=$(lv_name rst)
	vmmc_up 120 40
	pick_pooled "$n"
	walk_rest
	tm_wait_for "(*) Text installer on the serial console" 20
	tm_keys Enter # Finish
	tm_wait_for "Done in" "$T_STEPS"
	tm_stop
	vols | grep -qxF "$n.install-kernel" || tm_fail "no extracted kernel in $POOL"
	lv_virsh destroy "$n" >/dev/null
	sleep 1
	vols | grep -qxF "$n.install-kernel" || tm_fail "removed without vmmc?"
	vmmc_up 120 40
	files_gone "$n"
	! lv_virsh dumpxml --inactive "$n" | grep -q "vmmc.invalid/xmlns/install" || tm_fail "the record stays"
}

# A pool without room for the kernel and initrd (a 4 MiB tmpfs): a clear
# error, the disk made before removed, no VM, nothing in the pool.
t_ins_no_room() {
	local n small=$SMALL_POOL
	n=$(lv_name full)
	[ -n "$small" ] || tm_skip "no tmpfs mount here"
	vmmc_up 120 40
	pick_pooled "$n"
	walk_rest "$small" 1M 1G
	tm_wait_for "(*) Text installer on the serial console" 20
	tm_keys Enter # Finish
	tm_wait_for "Step 2 failed" 60
	tm_assert_contains "the pool has"
	tm_assert_contains "installer's kernel and initrd need"
	tm_wait_for "What the steps before it made was removed." 30
	! lv_virsh dominfo "$n" >/dev/null 2>&1 || tm_fail "$n is defined"
	[ -z "$(lv_virsh vol-list "$small" | awk '$1 != "" {print $1}')" ] ||
		tm_fail "left in $small: $(lv_virsh vol-list "$small")"
}

# An ISO libosinfo does not know: the text installer is not offered, the
# summary says why; Boot the ISO as is stays.
t_ins_unknown() {
	local n
	n=$(lv_name unk)
	vmmc_up 120 40
	tm_keys v
	page "Name and host"
	tm_type "$n"
	tm_keys Enter
	page "Installation source"
	tm_keys Down # Local ISO file
	tm_wait_for "File:" 5
	tm_keys M-f
	tm_type "$SRC/unknown.iso"
	tm_keys M-p
	set_choice "$POOL"
	tm_keys Enter
	walk_rest
	tm_wait_for "Text installer not offered: libosinfo does not know this" 20
	tm_assert_contains "VMMC_NOT_AN_OS_$$"
	tm_assert_not_contains "Text installer on the serial console"
	tm_keys Escape
	tm_wait_gone "Summary" 5
}

# ---- run ------------------------------------------------------------------------

ins_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	pool_down
	[ -z "$SSH_UP" ] || [ -n "${INS_SSH_PORT:-}" ] || sh_down
	[ -n "$SRC" ] && rm -rf "$SRC"
	[ -z "$SMALL_POOL" ] || lv_virsh pool-destroy "$SMALL_POOL" >/dev/null 2>&1
	if [ -n "$SMALL_DIR" ]; then
		umount "$SMALL_DIR" 2>/dev/null
		rmdir "$SMALL_DIR"
	fi
	lv_down
}
trap ins_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

pattern=${1:-${VMMC_TESTS:-}}
mapfile -t tests < <(declare -F | awk '$3 ~ /^t_ins_/ {print $3}' | grep -E -- "${pattern:-.}" || true)
if [ "${#tests[@]}" = 0 ]; then
	echo "install: no test matches '${pattern}'" >&2
	exit 1
fi
if ! lv_up || [ ! -r "$DI/initrd.gz" ]; then
	echo "install: no libvirtd on $URI or no $DI (debian-installer-12-netboot-amd64)" >&2
	echo "install: 0 passed, ${#tests[@]} failed"
	exit 1
fi
pool_up
make_isos
# the small pool (a 4 MiB tmpfs) of the no-room test, made here so that
# the exit trap removes it (each test runs in a subshell of its own)
if printf '%s\n' "${tests[@]}" | grep -q no_room; then
	SMALL_DIR=$(mktemp -d /var/tmp/vmmc-ins-small.XXXXXX)
	if mount -t tmpfs -o size=4m,mode=755 tmpfs "$SMALL_DIR"; then
		SMALL_POOL=$(lv_name small)
		lv_virsh pool-create-as "$SMALL_POOL" dir --target "$SMALL_DIR" >/dev/null || SMALL_POOL=''
	fi
fi
# the ssh:// tests' sshd, once (each test runs in a subshell of its own)
if printf '%s\n' "${tests[@]}" | grep -q _ssh; then
	if [ -n "${INS_SSH_PORT:-}" ]; then
		SH_PORT=$INS_SSH_PORT SSH_UP=1
	else
		sh_up "$SRC/sh" && SSH_UP=1
	fi
fi
TM_SUITE=install run_tests "${tests[@]}"
