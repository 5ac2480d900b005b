#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/run.sh [PATTERN] - end-to-end tests: vmmc in tmux against a real
# libvirtd (qemu:///system) and tiny QEMU guests. Root only (it may start
# virtlogd and libvirtd, see tests/lib/libvirtd.sh). PATTERN (or $VMMC_TESTS),
# an extended regex, picks tests by name. Ends with the line
# "e2e: N passed, M failed"; exit status 1 if any failed.
#
# Every domain it creates is named vmmc-test-<pid>-*, and all of them are
# destroyed and undefined at exit; a libvirtd it stops (SIGSTOP) is always
# continued; a libvirtd is only killed if these tests started it.
# (optional arguments: the checks are called with and without them)
# shellcheck disable=SC2119,SC2120
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

# ---- what vmmc shows: adjust here when the UI changes -----------------------
E2E_URI=qemu:///system
E2E_W=200 E2E_H=40              # wide: the Name column gets the spare width, so
                                # long (escaped) names are not cut short ("…")
UI_MENU_BAR="File   Action   View   Help"   # line 1
UI_HOST="qemu://"               # the host's line in the tree starts so
UI_CONNECTED=" connected"       # host state in the tree (the space: not "disconnected")
UI_DISCONNECTED="disconnected"
UI_RUNNING="running"            # VM state words in the results rows
UI_PAUSED="paused"
UI_SHUT_OFF="shut off"
UI_STATES=("$UI_RUNNING" "$UI_PAUSED" "$UI_SHUT_OFF" "crashed" "blocked" "pmsuspended" "stopping" "no state")
UI_HELP="Help: keys"            # shown by F1
# a VM named $'x\e]0;pwned\a\e[2J' is drawn as this literal text
UI_HOSTILE_SHOWN='\e]0;pwned\a\e[2J'
KEY_HELP=F1
KEY_CLOSE=Escape
KEY_REFRESH=F5
KEY_QUIT=q
# ---- how long things may take (seconds) -------------------------------------
T_CONNECT=20    # vmmc start to host listed
T_STATE=5       # a change made with virsh shows, with no key pressed
T_HELP=1        # help appears while libvirtd is stopped
T_RECONNECT=40  # libvirtd back to host connected (backoff max 30 s)

VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build/vmmc}
export VMMC_BIN
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-e2e-$$.XXXXXX")
# a libvirtd pid written here is SIGSTOPped: the exit trap continues it
E2E_STOPPED=$E2E_TMP/stopped-libvirtd

# ---- helpers ----------------------------------------------------------------

vmmc_up() {
	tm_vmmc -x "$E2E_W" -y "$E2E_H" "$@" -- -c "$E2E_URI"
	tm_wait_line -t "$T_CONNECT" "$UI_HOST" "$UI_CONNECTED"
}

# row_state NAME STATE [T]: the results row of NAME shows STATE
row_state() {
	tm_wait_line -t "${3:-$T_STATE}" "$1 " "$2"
}

_row_present() {
	local screen line s
	screen=$(tm_capture) || return 1
	while IFS= read -r line; do
		[[ $line == *"$1 "* ]] || continue
		for s in "${UI_STATES[@]}"; do
			[[ ${line#*"$1 "} == *"$s"* ]] && return 0
		done
	done <<<"$screen"
	return 1
}

# row_gone NAME [T]: no results row shows NAME any more
row_gone() {
	local i
	for ((i = 0; i < ${2:-$T_STATE} * 20; i++)); do
		_row_present "$1" || return 0
		sleep 0.05
	done
	echo "  the row of $1 is still there after ${2:-$T_STATE}s" >&2
	tm_capture | sed 's/^/|/' >&2
	return 1
}

continue_libvirtd() {
	local pid
	[ -f "$E2E_STOPPED" ] || return 0
	pid=$(cat "$E2E_STOPPED")
	kill -CONT "$pid" 2>/dev/null || true
	rm -f "$E2E_STOPPED"
}

# ---- tests ------------------------------------------------------------------

# a) changes made outside vmmc show up by themselves
t_e2e_outside_changes() {
	local n
	n=$(lv_name a)
	lv_define_vm "$n" >/dev/null
	vmmc_up
	row_state "$n" "$UI_SHUT_OFF"
	lv_virsh start "$n" >/dev/null
	row_state "$n" "$UI_RUNNING"
	lv_virsh suspend "$n" >/dev/null
	row_state "$n" "$UI_PAUSED"
	lv_virsh resume "$n" >/dev/null
	row_state "$n" "$UI_RUNNING"
	lv_virsh destroy "$n" >/dev/null
	row_state "$n" "$UI_SHUT_OFF"
	lv_virsh undefine "$n" >/dev/null
	row_gone "$n"
	tm_keys "$KEY_QUIT"
	[ "$(tm_exit_status)" = 0 ] || tm_fail "exit status $(tm_exit_status) after $KEY_QUIT"
	tm_term_restored
}

# b) a VM name full of escape sequences is drawn as text
t_e2e_hostile_name() {
	local n uuid
	n=$(lv_name h)
	uuid=$(lv_define_vm "$n")
	tm_on_exit "lv_virsh undefine $uuid >/dev/null 2>&1 || true"
	lv_virsh domrename "$n" "$n"$'\e]0;pwned\a\e[2J' >/dev/null
	vmmc_up
	tm_wait_line -t "$T_STATE" "$n$UI_HOSTILE_SHOWN" "$UI_SHUT_OFF"
	[ "$(tm_pane_title)" != pwned ] || tm_fail "the VM name set the terminal title"
	[[ $(tm_line 1) == *"$UI_MENU_BAR"* ]] || tm_fail "line 1 is not the menu bar: $(tm_line 1)"
	if grep -qa $'\e]0;pwned' "$(tm_output_log)"; then
		tm_fail "the raw OSC sequence reached the terminal"
	fi
}

# c) a stopped (hung) libvirtd does not freeze the UI
t_e2e_hung_daemon() {
	local n pid
	n=$(lv_name s)
	lv_define_vm "$n" >/dev/null
	vmmc_up
	row_state "$n" "$UI_SHUT_OFF"
	pid=$(lv_libvirtd_pid) || tm_fail "no libvirtd pid"
	tm_on_exit continue_libvirtd
	echo "$pid" >"$E2E_STOPPED"
	kill -STOP "$pid"
	tm_keys "$KEY_REFRESH"
	sleep 0.3
	tm_keys "$KEY_HELP"
	tm_wait_for "$UI_HELP" "$T_HELP"
	tm_keys "$KEY_CLOSE"
	tm_wait_gone "$UI_HELP" 2
	continue_libvirtd
	tm_alive || tm_fail "vmmc exited"
	row_state "$n" "$UI_SHUT_OFF" 15
}

# d) a libvirtd that dies and comes back
t_e2e_dead_daemon() {
	local n
	[ "$LV_STARTED_LIBVIRTD" = 1 ] ||
		tm_skip "libvirtd was running before these tests: it is not theirs to kill"
	n=$(lv_name d)
	lv_define_vm "$n" >/dev/null
	vmmc_up
	row_state "$n" "$UI_SHUT_OFF"
	tm_on_exit "lv_start_libvirtd || true"
	lv_kill_libvirtd
	tm_wait_line -t 15 "$UI_HOST" "$UI_DISCONNECTED"
	lv_start_libvirtd
	tm_wait_line -t "$T_RECONNECT" "$UI_HOST" "$UI_CONNECTED"
	row_state "$n" "$UI_SHUT_OFF" "$T_RECONNECT"
}

# ---- run --------------------------------------------------------------------

e2e_exit() {
	set +e
	tm_sweep
	continue_libvirtd
	lv_cleanup_vms
	lv_down
	rm -rf "$E2E_TMP"
}
trap e2e_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

pattern=${1:-${VMMC_TESTS:-}}
mapfile -t tests < <(declare -F | awk '$3 ~ /^t_e2e_/ {print $3}' | grep -E -- "${pattern:-.}" || true)
if [ "${#tests[@]}" = 0 ]; then
	echo "e2e: no test matches '${pattern}'" >&2
	exit 1
fi
if ! command -v tmux >/dev/null; then
	echo "e2e: tmux is not installed (mk/deps.sh test)" >&2
	echo "e2e: 0 passed, ${#tests[@]} failed"
	exit 1
fi
if ! lv_up; then
	echo "e2e: no libvirtd on $E2E_URI" >&2
	echo "e2e: 0 passed, ${#tests[@]} failed"
	exit 1
fi
TM_SUITE=e2e run_tests "${tests[@]}"
