#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/drivers.sh [PATTERN] - libvirt drivers other than QEMU, end to
# end: vmmc in tmux against libvirt's LXC driver, in a private libvirtd of
# the test's own (tests/drivers/lxcd.sh), with busybox containers whose root
# file system is a temporary directory. Root only. PATTERN (or $VMMC_TESTS),
# an extended regex, picks tests by name. Ends with the line
# "drivers: N passed, M failed"; exit status 1 if any failed.
#
#   - the LXC driver has no bulk stats: containers listed with the same
#     names and states as `virsh list --all`, from list + info per VM;
#     the tree shows the driver; Host Properties lists what it lacks;
#   - start from vmmc, its console (a command's output), Turn Off;
#   - managed save: refused with "not supported by the lxc driver" once,
#     then greyed with that reason; libvirt's own words never shown;
#   - a container undefined behind vmmc's back leaves the list (events);
#   - batch mode lists a container with its figures;
#   - VMware ESX: libvirt's esx driver against govmomi's simulator behind a
#     fixing proxy (tests/drivers/vcsim/main.go, built offline from Debian's
#     packages by mk/vcsim.sh, cached in build/): the password
#     asked in vmmc's dialog and never stored, the VMs listed as
#     `virsh -c esx://...` lists them, Turn Off and Start, consoles greyed
#     with the reason, no libvirt warning on the screen; a change made with
#     virsh shows at the next refresh (ESX has no events); datastores and
#     vSwitches counted as virsh counts them, a datastore's files listed
#     as its volumes as `virsh vol-list` lists them; bad input: a wrong password
#     (the server's words, then the retry asks again), a self-signed
#     certificate without no_verify=1 (the option named, not retried), a
#     vCenter URI without its path (libvirt's message); Delete of a VM
#     whose XML libvirt cannot read (the simulator's own: empty .vmx)
#     offers the undefine alone, says why, and works; a host whose list
#     answer is cut half-way shows its error while the other host goes on.
#
# Every container it makes is named vmmc-test-<pid>-*; the daemon is the
# test's own and is stopped, its containers destroyed and undefined, at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/drivers/lxcd.sh
. "$here/../drivers/lxcd.sh"

W=120 H=32
PREFIX=vmmc-test-$$-
DRV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-drv-$$.XXXXXX")

# ---- helpers ------------------------------------------------------------------

# ct_define NAME: a busybox container (<init>/bin/sh) on the shared root
ct_define() {
	cat >"$DRV_TMP/$1.xml" <<XML
<domain type='lxc'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type>exe</type><init>/bin/sh</init></os>
  <devices>
    <filesystem type='mount'><source dir='$DRV_TMP/root'/><target dir='/'/></filesystem>
    <console type='pty'/>
  </devices>
</domain>
XML
	lxcd_virsh define "$DRV_TMP/$1.xml" >/dev/null || tm_fail "could not define $1"
	tm_on_exit "ct_remove $1"
}

ct_remove() {
	lxcd_virsh destroy "$1" >/dev/null 2>&1 || true
	lxcd_virsh undefine "$1" >/dev/null 2>&1 || true
}

# wait_state VIRSH NAME STATE [T=20]: until `VIRSH domstate NAME` says STATE
# (VIRSH: lxcd_virsh or esx_virsh)
wait_state() {
	local i st
	for ((i = 0; i < ${4:-20} * 10; i++)); do
		st=$("$1" domstate "$2" 2>/dev/null | head -n 1) || st=
		[ "$st" = "$3" ] && return 0
		sleep 0.1
	done
	tm_fail "$2 is '$st', not '$3'"
}

vmmc_up() {
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c "$LXCD_URI"
	tm_wait_line -t 20 "lxc:///" " lxc "
}

# pick NAME: filter the list down to NAME, select it
pick() {
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys Tab Home
}

# the status bar (the last line)
status_line() {
	tm_line "$H"
}

# ---- tests ----------------------------------------------------------------------

# the list as virsh has it, the driver in the tree, its gaps in Host Properties
t_drv_lxc_list_and_properties() {
	local a b shown want
	a=${PREFIX}la
	b=${PREFIX}lb
	ct_define "$a"
	ct_define "$b"
	lxcd_virsh start "$b" >/dev/null || tm_fail "could not start $b"
	# the host through Add Host (kind libvirt URI), next to the test driver's
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c test:///default
	tm_wait_for "1/1 connected" 10
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_type "$LXCD_URI"
	tm_keys Enter
	tm_wait_line -t 20 "lxc:///" " lxc "
	grep -qF "$LXCD_URI" "$TM_TESTDIR/config/vmmc/config" || tm_fail "the config does not hold the lxc URI"
	tm_wait_line -t 10 "$a" "shut off"
	tm_wait_line -t 10 "$b" "running"
	want=$(lxcd_virsh list --all | awk -v p="$PREFIX" '$2 ~ "^"p {print $2, $3}' | sort)
	shown=$(tm_capture |  grep -oE "│${PREFIX}[a-z]+ +(running|shut off)" | tr -d '│' | awk '{print $1, $2}' | sort)
	[ "$shown" = "$want" ] || tm_fail "list differs from virsh: '$shown' vs '$want'"
	tm_assert_not_contains "Loading"
	tm_assert_not_contains "not supported by the connection driver"
	tm_keys e
	tm_wait_for "Host Properties" 5
	tm_wait_line -t 5 "Driver:" "lxc"
	tm_wait_line -t 5 "Lacks:" "bulk stats"
	tm_keys Escape
	# a container's Properties (Settings' Summary): as virsh dominfo has it
	pick "$b"
	tm_keys i
	tm_wait_line -t 5 "Name:" "$b"
	tm_wait_line -t 5 "State:" "running"
	# (Properties is Settings' Summary page: "Memory: ... (max M), processors: N (max N)")
	tm_wait_line -t 5 "Memory:" "(max 64 MiB)" "processors: $(lxcd_virsh dominfo "$b" | awk '/^CPU\(s\):/ {print $2}') "
	tm_wait_line -t 5 "UUID:" "$(lxcd_virsh domuuid "$b")"
	tm_keys Escape
}

# start, the console (busybox's shell answers), Turn Off: virsh agrees each time
t_drv_lxc_start_console_stop() {
	local n tok
	n=${PREFIX}c
	ct_define "$n"
	vmmc_up
	tm_wait_line -t 10 "$n" "shut off"
	pick "$n"
	tm_keys s
	wait_state lxcd_virsh "$n" running
	tm_wait_line -t 10 "$n" "running"
	tm_keys c
	tm_wait_for "1:$n" 10
	tok=drv$RANDOM
	tm_type "echo $tok-\$((6*7))"
	tm_keys Enter
	tm_wait_for "$tok-42" 10
	tm_keys C-]
	tm_keys Escape
	tm_wait_for "(1 of " 10 # the list, still filtered to it
	tm_keys Tab Home
	tm_keys o
	tm_wait_for "Turn Off" 5
	tm_keys y
	wait_state lxcd_virsh "$n" "shut off"
	tm_wait_line -t 10 "$n" "shut off"
}

# managed save: one clear refusal, then greyed with the reason
t_drv_lxc_unsupported_greyed() {
	local n line
	n=${PREFIX}u
	ct_define "$n"
	lxcd_virsh start "$n" >/dev/null || tm_fail "could not start $n"
	vmmc_up
	tm_wait_line -t 10 "$n" "running"
	pick "$n"
	tm_keys S
	tm_wait_for "Could not save '$n': not supported by the lxc driver" 10
	tm_assert_not_contains "this function is not supported"
	# greyed now: the pane draws it dim, the key says why and queues nothing
	line=$(tm_capture -e | grep -a " Save  " | head -n 1)
	case $line in
	*$'\e[2m'*" Save "*) ;;
	*) tm_fail "Save is not greyed: $(printf %q "$line")" ;;
	esac
	tm_keys S
	tm_wait_for "Save: not supported by the lxc driver" 5
	sleep 0.5
	[ "$(grep -c 'end save' "$TM_TESTDIR/vmmc.log")" = 1 ] ||
		tm_fail "expected one save job, the log has $(grep -c 'end save' "$TM_TESTDIR/vmmc.log")"
	wait_state lxcd_virsh "$n" running 1 # still running after the refused save
}

# a container undefined behind vmmc's back leaves its list (the driver's events)
t_drv_lxc_undefine_seen() {
	local n
	n=${PREFIX}g
	ct_define "$n"
	vmmc_up
	tm_wait_line -t 10 "$n" "shut off"
	lxcd_virsh undefine "$n" >/dev/null || tm_fail "could not undefine $n"
	tm_wait_for "'$n' no longer exists" 10
	! tm_capture | grep -q "│$n " || tm_fail "$n is still listed"
}

# batch mode: the container, running, with a vCPU count and memory
t_drv_lxc_batch() {
	local n out
	n=${PREFIX}b
	ct_define "$n"
	lxcd_virsh start "$n" >/dev/null || tm_fail "could not start $n"
	out=$DRV_TMP/batch.csv
	timeout 30 env -u DISPLAY "$VMMC_BIN" --batch --iterations 2 -d 1 -c "$LXCD_URI" >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; tm_fail "batch mode failed"; }
	grep -qE 'Sanitizer|runtime error:' "$out.err" && { cat "$out.err" >&2; tm_fail "sanitizer report"; }
	[ "$(grep -c ",$n,.*,running,1," "$out")" = 2 ] || { cat "$out" >&2; tm_fail "expected 2 records of $n running with 1 vCPU"; }
	[ ! -s "$out.err" ] || { cat "$out.err" >&2; tm_fail "batch mode wrote on stderr"; }
}

# ---- ESX (vcsim) -------------------------------------------------------------

ESX_PW=vmmc-esx-pw-$$

# esx_up [VMS [vmmc-vcsim options]]
esx_up() {
	local i
	VCSIM_BIN=$("$TM_ROOT/mk/vcsim.sh") || tm_fail "could not build vmmc-vcsim"
	"$VCSIM_BIN" -vms "${1:-2}" "${@:2}" -addr-file "$TM_TESTDIR/vcsim.addr" >"$TM_TESTDIR/vcsim.log" 2>&1 &
	tm_on_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
	for ((i = 0; i < 100; i++)); do
		[ -s "$TM_TESTDIR/vcsim.addr" ] && break
		sleep 0.1
	done
	[ -s "$TM_TESTDIR/vcsim.addr" ] || { cat "$TM_TESTDIR/vcsim.log" >&2; tm_fail "vcsim did not start"; }
	ESX_URI="esx://user@$(cat "$TM_TESTDIR/vcsim.addr")/?no_verify=1"
	printf '[credentials-t]\nusername=user\npassword=%s\n[auth-esx-127.0.0.1]\ncredentials=t\n' \
		"$ESX_PW" >"$TM_TESTDIR/auth.conf"
}

# virsh on the simulator (credentials from a file: virsh's own prompt is not tested)
esx_virsh() {
	LIBVIRT_AUTH_FILE=$TM_TESTDIR/auth.conf LIBVIRT_LOG_OUTPUTS="4:file:/dev/null" \
		timeout 30 virsh -q -c "$ESX_URI" "$@"
}

# the password in vmmc's dialog, the list as virsh has it, Turn Off and
# Start, the console greyed with the reason, no libvirt output on the screen
t_drv_esx_list_power_console() {
	local want shown vm line tree
	esx_up 3
	# the host through Add Host's ESX kind (next to the test driver's host)
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c test:///default
	tm_wait_for "1/1 connected" 10
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_keys M-k Left
	tm_wait_line "Kind:" "< ESX / vCenter >"
	tm_keys M-h
	tm_type 127.0.0.1
	tm_keys M-u
	tm_type user
	tm_keys M-p
	tm_type "$(cut -d: -f2 "$TM_TESTDIR/vcsim.addr")"
	tm_keys M-c Space
	tm_keys Enter
	tm_wait_for "Password" 20
	tm_wait_for "user's password" 5
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	want=$(esx_virsh list --all | awk '{print $2, $3}' | sort)
	[ "$(echo "$want" | wc -l)" = 3 ] || tm_fail "virsh lists: $want"
	tm_wait_for "Virtual Machines (3)" 10
	shown=$(tm_capture | grep -oE "│[A-Za-z0-9_-]+_VM[0-9]+ +(running|shut off)" | tr -d '│' | awk '{print $1, $2}' | sort)
	[ "$shown" = "$want" ] || tm_fail "list differs from virsh: '$shown' vs '$want'"
	# Turn Off the first VM, then Start it
	vm=$(echo "$want" | head -n 1 | cut -d' ' -f1)
	tm_keys /
	tm_type "$vm"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys Tab Home o
	tm_wait_for "Turn Off" 5
	tm_keys y
	wait_state esx_virsh "$vm" "shut off"
	tm_wait_line -t 10 "$vm" "shut off"
	tm_keys s
	wait_state esx_virsh "$vm" running
	tm_wait_line -t 10 "$vm" "running"
	# a change behind vmmc's back: no events on ESX, the refresh re-reads
	esx_virsh destroy "$vm" >/dev/null || tm_fail "virsh destroy failed"
	tm_wait_line -t 10 "$vm" "shut off"
	esx_virsh start "$vm" >/dev/null || tm_fail "virsh start failed"
	tm_wait_line -t 10 "$vm" "running"
	# the esx driver has no consoles: greyed, and the key says why
	line=$(tm_capture -e | grep -a " Connect Console " | head -n 1)
	case $line in
	*$'\e[2m'*" Connect Console "*) ;;
	*) tm_fail "Connect Console is not greyed: $(printf %q "$line")" ;;
	esac
	tm_keys c
	tm_wait_for "Connect Console: not supported by the esx driver" 5
	# datastores as pools, vSwitches as networks, as virsh counts them
	tree=$(tm_capture | grep -A4 "esx://" | head -n 5)
	echo "$tree" | grep -qE "Virtual Networks +$(esx_virsh net-list --all | grep -c .)( |$)" ||
		tm_fail "networks differ from virsh: $tree"
	echo "$tree" | grep -qE "Storage Pools +$(esx_virsh pool-list --all | grep -c .)( |$)" ||
		tm_fail "pools differ from virsh: $tree"
	tm_keys e
	tm_wait_line -t 5 "Driver:" "esx"
	tm_wait_line -t 5 "Lacks:" "bulk stats, events"
	tm_keys Escape
	# libvirt's esx warnings went to the log, not the screen
	tm_assert_not_contains "warning"
	tm_assert_not_contains "esxVI_"
	grep -q "esxVI_.*Unexpected" "$TM_TESTDIR/vmmc.log" || tm_fail "libvirt's warnings are not in the log"
	# the URI the dialog built is saved; the password in no file vmmc wrote
	grep -qF "$ESX_URI" "$TM_TESTDIR/config/vmmc/config" || tm_fail "the config does not hold $ESX_URI"
	! grep -rqF "$ESX_PW" "$TM_TESTDIR" --exclude=auth.conf || tm_fail "the password was written to a file"
}

# a host without bulk stats is read each refresh only while it is shown:
# the simulator counts the calls while another host is selected, then
# while it is
t_drv_esx_refresh_only_shown() {
	local n0 n1 n2 line col
	esx_up 5 -calls "$TM_TESTDIR/calls"
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -d 1 -c test:///default -c "$ESX_URI"
	tm_wait_for "user's password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	tm_wait_for "Virtual Machines (1) on test:///default" 5 # the first host is shown
	sleep 1.5 # the connect's own calls end
	n0=$(wc -l <"$TM_TESTDIR/calls")
	sleep 3.5 # three refreshes at -d 1
	n1=$(wc -l <"$TM_TESTDIR/calls")
	[ "$n1" = "$n0" ] || tm_fail "the ESX host not shown was read: $((n1 - n0)) calls in 3.5 s"
	# show it: its list and figures are read each refresh again
	read -r line col <<<"$(tm_find "esx://user")"
	tm_click "$((col + 2))" "$line"
	tm_wait_for "Virtual Machines (5) on esx://" 5
	sleep 3.5
	n2=$(wc -l <"$TM_TESTDIR/calls")
	# each refresh: 1 list + 5 info (3 SOAP calls each here)
	[ "$((n2 - n1))" -ge 18 ] || tm_fail "the ESX host shown was not read each refresh: $((n2 - n1)) calls"
}

# a wrong password: the server's message, then the retry asks again and the
# right one connects
t_drv_esx_wrong_password() {
	esx_up 1 -user user -password "$ESX_PW"
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c "$ESX_URI"
	tm_wait_for "user's password" 20
	tm_type "wrong-$ESX_PW"
	tm_keys Enter
	tm_wait_for "Login failure" 10 # vcsim's words, as an ESX host says them
	tm_wait_for "user's password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	tm_wait_for "Virtual Machines (1)" 10
}

# bad input: a self-signed certificate without no_verify=1 (the error names
# the option, asked once: no retry asks again), a vCenter URI without the
# datacenter path (libvirt's message as it is); the good host next to them
# goes on
t_drv_esx_bad_input() {
	local a
	esx_up 1
	a=$(cat "$TM_TESTDIR/vcsim.addr")
	tm_vmmc -x 160 -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c "esx://user@$a/" -c "vpx://user@$a/" \
		-c "$ESX_URI"
	tm_wait_for "Password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	# the cert-checked host first or the good one: answer each prompt
	tm_wait_for "Password" 10
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	grep -q "add no_verify=1 to the URI" "$TM_TESTDIR/vmmc.log" ||
		tm_fail "the certificate error does not name no_verify=1"
	grep -q "Path has to specify the datacenter and compute resource" "$TM_TESTDIR/vmmc.log" ||
		tm_fail "the vpx:// error is not libvirt's"
	sleep 3 # a retry would ask for the password again by now
	tm_assert_not_contains "Password"
	[ "$(grep -c "esx://user@$a/: connect failed" "$TM_TESTDIR/vmmc.log")" = 1 ] ||
		tm_fail "the refused certificate was retried"
	# the tree: both bad hosts failed, the good one connected
	[ "$(tm_capture | grep -c " failed ")" = 2 ] || tm_fail "expected two failed hosts"
}

# datastores as Storage Pools with their files as volumes: the pool view
# lists the same volumes as `virsh vol-list` (the driver has only the older
# volume listing calls: vmmc falls back to them)
t_drv_esx_datastore_volumes() {
	local pool want shown
	esx_up 2
	tm_vmmc -x 140 -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c "$ESX_URI" # whole names at this width
	tm_wait_for "user's password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	pool=$(esx_virsh pool-list --all | awk 'NR == 1 {print $1}')
	want=$(esx_virsh vol-list "$pool" | awk '{print $1}' | sort)
	[ "$(echo "$want" | grep -c .)" = 2 ] || tm_fail "virsh vol-list $pool: '$want' (2 VM disks expected)"
	tm_keys BTab Down Down Down # the tree: Storage Pools
	tm_wait_for "Storage Pools (1) on esx://" 10
	tm_wait_line -t 10 "$pool" "active"
	tm_wait_for "$(echo "$want" | tail -n 1)" 10
	shown=$(tm_capture | grep -oE "│  [^ │]+ +vmdk " | awk '{print $2}' | sort)
	[ "$shown" = "$want" ] || tm_fail "volumes differ from virsh: '$shown' vs '$want'"
	tm_assert_not_contains "not supported"
}

# Delete on ESX: the simulator's VMs have empty .vmx files, so libvirt
# cannot give their XML (the volumes); the dialog says why and offers the
# undefine alone, which works: the VM (running: turned off first) is gone
# from virsh and from the list, the other VM stays
t_drv_esx_delete_undefine() {
	local vm other
	esx_up 2
	tm_vmmc -x "$W" -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -c "$ESX_URI"
	tm_wait_for "user's password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	tm_wait_for "Virtual Machines (2)" 10
	vm=$(esx_virsh list --all | awk 'NR == 1 {print $2}')
	other=$(esx_virsh list --all | awk 'NR == 2 {print $2}')
	! esx_virsh dumpxml "$vm" >/dev/null 2>&1 || tm_fail "dumpxml of $vm works: the case is not tested"
	pick "$vm"
	tm_keys D
	tm_wait_for "─ Delete Virtual Machine ─" 5
	tm_wait_for "Its volumes are not" 10
	tm_wait_for "definition only." 5
	tm_assert_not_contains "[ ]"
	tm_assert_not_contains "Looking for its storage volumes"
	tm_keys BTab Enter # Delete (the focus was on Cancel)
	tm_wait_for "Deleted '$vm'" 20
	! esx_virsh list --all | grep -qw -- "$vm" || tm_fail "$vm is still on the host"
	esx_virsh list --all | grep -qw -- "$other" || tm_fail "$other went too"
	tm_wait_for "(0 of 1)" 10
	tm_assert_not_contains "Could not"
}

# a host whose list breaks half-way (the proxy sends half of the answer and
# closes): its error (curl's words) is shown, the other host goes on (its VM
# paused from vmmc); once the answers are whole again the list comes back
t_drv_esx_cut_mid_list() {
	esx_up 2 -cut-file "$TM_TESTDIR/cut"
	# wide: the status bar holds the whole error
	tm_vmmc -x 240 -y "$H" -- --log "$TM_TESTDIR/vmmc.log" -d 1 -c test:///default -c "$ESX_URI"
	tm_wait_for "user's password" 20
	tm_type "$ESX_PW"
	tm_keys Enter
	tm_wait_line -t 20 "esx://" " esx "
	tm_wait_for "Virtual Machines (1) on test:///default" 5
	# the ESX host shown (the tree: its host row after the test host's three)
	tm_keys BTab Down Down Down Down
	tm_wait_for "Virtual Machines (2) on esx://" 10
	tm_wait_line -t 10 "ha-host_VM0" " 0.0 " # its figures read: the list ticks
	touch "$TM_TESTDIR/cut"
	tm_wait_for "no live figures: internal error: curl_easy_perform() returned an error: Transferred a partial file" 15
	tm_wait_for "transfer closed with" 5
	grep -q "cut an answer" "$TM_TESTDIR/vcsim.log" || tm_fail "the simulator cut no answer"
	grep -q "transfer closed with" "$TM_TESTDIR/vmmc.log" || tm_fail "the host's error is not in the log"
	# the other host goes on: its VM paused from vmmc
	tm_keys Up Up Up Up
	tm_wait_for "Virtual Machines (1) on test:///default" 10
	tm_wait_line -t 10 "│test " "running"
	tm_keys Tab Home p
	tm_wait_line -t 10 "│test " "paused"
	# whole answers again: the ESX host's figures come back
	rm -f "$TM_TESTDIR/cut"
	tm_keys BTab Down Down Down Down
	tm_wait_for "Virtual Machines (2) on esx://" 10
	tm_wait_line -t 20 "ha-host_VM0" " 0.0 "
	tm_wait_line -t 5 "esx://" " esx "
}

# ---- run ------------------------------------------------------------------------

drv_exit() {
	set +e
	tm_sweep
	lxcd_down
	rm -rf "$DRV_TMP"
}
trap drv_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

drv_setup() { # root, the LXC daemon and its root file system, the simulator built
	[ "$(id -u)" = 0 ] && lxcd_up "$DRV_TMP/lxcd" && lxcd_rootfs "$DRV_TMP/root" || return 1
	# the simulator's build (cached) before the clock of a test runs
	"$TM_ROOT/mk/vcsim.sh" >/dev/null || echo "drivers: vmmc-vcsim did not build" >&2
}
tm_suite_main drivers t_drv_ drv_setup "no LXC libvirtd (root, libvirt-daemon-driver-lxc)" "$@"
