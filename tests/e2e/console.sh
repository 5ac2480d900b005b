#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/console.sh [PATTERN] - serial consoles end to end: vmmc in tmux,
# a real libvirtd (qemu:///system) and the tiny real guest of tests/guest/
# (built once and cached by tests/guest/build.sh). Root only. PATTERN (or
# $VMMC_TESTS), an extended regex, picks tests by name. Ends with the line
# "console: N passed, M failed"; exit status 1 if any failed.
#
# Every domain it creates is named vmmc-test-<pid>-*, and all of them are
# destroyed and undefined at exit. A libvirtd is only killed (the "daemon
# dies" test) if these tests started it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

URI=qemu:///system
W=160 H=40
T_BOOT=60      # guest start to its shell answering (TCG)
T_OUT=20       # a command's output to show

CON_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-con-$$.XXXXXX")

# ---- helpers ------------------------------------------------------------------

# guest_define NAME [domain.sh options]: define (not start) a test guest
guest_define() {
	local n=$1
	shift
	"$TM_ROOT/tests/guest/domain.sh" "$n" "$@" >"$CON_TMP/$n.xml" || tm_fail "domain.sh failed"
	lv_virsh define "$CON_TMP/$n.xml" >/dev/null || tm_fail "could not define $n"
}

guest_up() {
	guest_define "$@"
	lv_virsh start "$1" >/dev/null || tm_fail "could not start $1"
}

vmmc_up() {
	tm_vmmc -x "$W" -y "$H" "$@" -- -c "$URI"
	tm_wait_line -t 20 "qemu://" " connected"
}

# pick NAME: filter the list down to NAME (unique), select it
pick() {
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of " 10
}

# a line of the console pane (between the tree's and the actions' bars)
# that is exactly TEXT (a regex) followed by blanks
pane_has() {
	tm_capture | grep -qE "│$1 *│"
}

wait_pane() { # wait_pane REGEX [T]
	local i
	for ((i = 0; i < ${2:-$T_OUT} * 10 * VMMC_TIMEOUT_SCALE; i++)); do
		pane_has "$1" && return 0
		sleep 0.1
	done
	echo "  no console line '$1' after ${2:-$T_OUT}s" >&2
	tm_capture | sed 's/^/|/' >&2
	return 1
}

# shell_ready: type an echo until the guest's shell answers it
shell_ready() {
	local i tok
	tok=ready$RANDOM
	for ((i = 0; i < T_BOOT * VMMC_TIMEOUT_SCALE; i++)); do
		tm_type "echo $tok"
		tm_keys Enter
		if wait_pane "$tok" 1 2>/dev/null; then
			return 0
		fi
	done
	tm_fail "the guest's shell never answered"
}

# connect NAME: select NAME and open its console (Enter on a running VM)
connect() {
	pick "$1"
	tm_keys Enter
	tm_wait_for "1:$1" 10 || tm_wait_for ":$1" 1
	shell_ready
}

# ---- tests ----------------------------------------------------------------------

# connect, type uname -a, see the guest's kernel string in the pane
t_con_uname() {
	local n
	n=$(lv_name u)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type "uname -a"
	tm_keys Enter
	wait_pane "Linux $n [0-9.]+-[0-9]+-cloud-amd64 .*"
	# the VM list marks the VM with an open console
	tm_keys C-]
	tm_keys Escape
	tm_wait_for "» vmmc-test" 5
}

# Ctrl-C in a console goes to the guest as the byte it is (the guest's
# tty echoes it as ^C) and does not quit vmmc: raw mode, the terminal
# makes no signal of it. (Whether the guest then interrupts its foreground
# job is its own tty's business: the test guest's busybox shell has no job
# control on ttyS0.)
t_con_ctrl_c_to_guest() {
	local n
	n=$(lv_name cc)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type "/bin/busybox sleep 60"
	tm_keys Enter
	sleep 1
	tm_keys C-c
	wait_pane '\^C' 10
	tm_alive || tm_fail "Ctrl-C quit vmmc"
	tm_assert_contains "1:$n"
}

# 5,000 numbered lines, then back to line 1 (Shift-PgUp, a search)
t_con_scrollback() {
	local n
	n=$(lv_name s)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type 'i=1; while [ $i -le 5000 ]; do echo "L$i:"; i=$((i+1)); done'
	tm_keys Enter
	wait_pane "L5000:" 120
	tm_keys S-PageUp
	tm_wait_for "scrollback" 5
	tm_keys /
	tm_type "L1:"
	tm_keys Enter
	wait_pane "L1:" 10
	pane_has "L2:" || tm_fail "L2: does not follow L1:"
	pane_has "L5000:" && tm_fail "still at the bottom"
	# Home goes to the oldest line kept, End back to live
	tm_keys End
	wait_pane "L5000:" 5
}

# the escape key inside a pasted chunk returns to the tree; what follows it
# never reaches the guest
t_con_escape_in_paste() {
	local n
	n=$(lv_name e)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type $'echo AAA\x1decho BBB\r'
	tm_wait_for "Enter: attach" 5
	# back in the tree: Enter attaches again; Enter runs what the guest got
	tm_keys Enter
	tm_wait_for "Shift-PgUp: scroll" 5
	tm_keys Enter
	wait_pane "AAA"
	sleep 0.5
	pane_has "BBB" && tm_fail "bytes after the escape key reached the guest"
	tm_capture | grep -q "echo BBB" && tm_fail "bytes after the escape key were echoed"
	return 0
}

# reboot -f inside the guest: the console comes back and answers again
t_con_reboot() {
	local n
	n=$(lv_name r)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type "reboot -f"
	tm_keys Enter
	wait_pane ".*guest reset.*" 30
	wait_pane "vmmc-guest ready" "$T_BOOT"
	shell_ready
	tm_type "echo back-again"
	tm_keys Enter
	wait_pane "back-again"
}

# two consoles to two guests; each tab shows its own guest's hostname
t_con_two_guests() {
	local a b
	a=$(lv_name ta)
	b=$(lv_name tb)
	guest_up "$a"
	guest_up "$b"
	vmmc_up
	connect "$a"
	tm_keys C-]
	tm_keys Escape
	tm_keys Escape # clears the filter
	pick "$b"
	tm_keys Enter
	tm_wait_for "2:$b" 10
	shell_ready
	tm_type "hostname"
	tm_keys Enter
	wait_pane "$b"
	tm_keys C-]
	tm_keys n
	tm_wait_for "Enter: attach" 5
	tm_keys Enter
	tm_type "hostname"
	tm_keys Enter
	wait_pane "$a"
	pane_has "$b" && tm_fail "the first tab shows the second guest's output"
	tm_keys C-]
	tm_keys n
	tm_keys Enter
	wait_pane "$b" 5
}

# a guest setting the title and writing the clipboard (OSC 0, OSC 52)
t_con_hostile_output() {
	local n
	n=$(lv_name o)
	guest_up "$n"
	vmmc_up
	_tm set -g set-clipboard on
	_tm set -g allow-rename on
	connect "$n"
	tm_type "printf '\\033]0;pwned\\007\\033]52;c;cHduZWQ=\\007\\033]2;pwned2\\007done-%s\\n' osc"
	tm_keys Enter
	wait_pane "done-osc"
	[ "$(tm_pane_title)" != pwned ] || tm_fail "the guest set the pane title"
	[ "$(tm_pane_title)" != pwned2 ] || tm_fail "the guest set the pane title"
	if _tm show-buffer >/dev/null 2>&1; then
		tm_fail "the guest wrote the clipboard: $(_tm show-buffer)"
	fi
	if grep -qa $'\e]0;pwned\|\e]52;' "$(tm_output_log)"; then
		tm_fail "an OSC sequence of the guest reached the terminal"
	fi
}

# bad input: a shut-off VM (offered a start), no serial device, held elsewhere
t_con_shut_off_start() {
	local n
	n=$(lv_name f)
	guest_define "$n"
	vmmc_up
	pick "$n"
	tm_keys c
	tm_wait_for "is shut off" 5
	tm_keys Left Enter
	shell_ready
}

t_con_no_serial() {
	local n
	n=$(lv_name n)
	guest_up "$n" --no-serial
	vmmc_up
	pick "$n"
	tm_keys Enter
	tm_wait_for "No Serial Console" 10
	tm_capture | tr -d '\n│ ' | grep -q "<serialtype='pty'/>" || tm_fail "the message does not say what to add"
}

t_con_two_serials_pick() {
	local n
	n=$(lv_name p)
	guest_up "$n" --two-serials
	vmmc_up
	pick "$n"
	tm_keys Enter
	tm_wait_for "Pick a Serial Device" 10
	tm_assert_not_contains "Device::" || tm_fail "two colons"
	tm_keys Right
	tm_wait_for "serial1" 2
	tm_keys Enter # in the Device field: the first button, Connect
	tm_wait_for "1:$n" 5
	tm_wait_for "(serial1)" 10
}

# L logs the shown console to a file: the dialog's field reads "File:" (one
# colon, issue 9), Tab completes the path on the local disk, the guest's
# output lands in the file; L again stops it
t_con_log_to_file() {
	local n f
	n=$(lv_name l)
	guest_up "$n"
	vmmc_up
	connect "$n"
	shell_ready
	tm_keys C-]
	tm_wait_for "Enter: attach" 5 # the tab detached: L is the tree's key now
	tm_keys L
	tm_wait_for "Log Console to File" 5
	tm_assert_contains "File: ~/vmmc-$n-console.log" || tm_fail "no default path"
	tm_assert_not_contains "File::" || tm_fail "two colons"
	mkdir "$CON_TMP/logdir-$n"
	tm_keys C-u
	tm_type "$CON_TMP/logd"
	tm_keys Tab
	tm_wait_for "logdir-$n/" 5
	tm_type "out.log"
	tm_keys Enter
	tm_wait_for "Logging the console of '$n'" 5
	f="$CON_TMP/logdir-$n/out.log"
	[ -f "$f" ] || tm_fail "no log file $f"
	tm_keys c
	tm_type "echo logged-$$-ok"
	tm_keys Enter
	wait_pane "logged-$$-ok"
	tm_keys C-]
	tm_wait_for "Enter: attach" 5
	tm_keys L
	tm_wait_for "Stopped logging" 5
	grep -q "logged-$$-ok" "$f" || tm_fail "the output is not in the log"
}

t_con_held_elsewhere() {
	local n
	n=$(lv_name b)
	guest_up "$n"
	script -qfc "virsh -c $URI console $n" /dev/null </dev/zero >"$CON_TMP/virsh.out" 2>&1 &
	local vpid=$!
	tm_on_exit "kill $vpid 2>/dev/null || true"
	# wait until virsh really holds the console (it prints its escape key)
	local i
	for i in $(seq 1 150); do
		grep -q "Escape character" "$CON_TMP/virsh.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "Escape character" "$CON_TMP/virsh.out" || tm_fail "virsh console did not connect"
	vmmc_up
	pick "$n"
	tm_keys Enter
	tm_wait_for "Console in Use" 15
	tm_keys Left Enter
	tm_wait_for "1:$n" 5
	shell_ready
}

# the daemon dies while connected: "connection lost", scrollback kept,
# reconnected when it is back
t_con_daemon_dies() {
	local n
	[ "$LV_STARTED_LIBVIRTD" = 1 ] ||
		tm_skip "libvirtd was running before these tests: it is not theirs to kill"
	n=$(lv_name d)
	guest_up "$n"
	vmmc_up
	connect "$n"
	tm_type "echo before-loss"
	tm_keys Enter
	wait_pane "before-loss"
	tm_on_exit "lv_start_libvirtd || true"
	lv_kill_libvirtd
	tm_wait_for "connection lost" 20
	pane_has "before-loss" || tm_fail "the scrollback was lost"
	lv_start_libvirtd
	tm_wait_for "console reopened" 60
	shell_ready
}

# ---- run ------------------------------------------------------------------------

con_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	lv_down
	rm -rf "$CON_TMP"
}
trap con_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

tm_suite_main console t_con_ tm_guest_up "no libvirtd on $URI or no test guest" "$@"
