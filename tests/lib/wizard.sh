# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/wizard.sh - source it after tmux.sh and libvirtd.sh: a directory
# pool of the test's own and the New VM wizard's page helpers, for e2e
# suites that drive the wizard (tests/e2e/newvm.sh, customize.sh, install.sh).
#   POOL, POOL_DIR   set by the suite (lv_name pool, /var/tmp/$POOL)
#   pool_up / pool_down / vols
#   page TITLE, set_choice TEXT, click_text TEXT, pick_radio TEXT
#   wz_vmmc_up W H [URI [tm_start options]]: vmmc connected, its pools listed
#   wz_to_summary NET, wz_storage: the last pages with the tiny guest's choices
#   hw_item TEXT: VM Settings' hardware item holding TEXT selected

pool_up() {
	mkdir -p "$POOL_DIR"
	chmod 755 "$POOL_DIR"
	lv_virsh pool-define-as "$POOL" dir --target "$POOL_DIR" >/dev/null
	lv_virsh pool-start "$POOL" >/dev/null
}

pool_down() {
	local v
	lv_virsh pool-info "$POOL" >/dev/null 2>&1 || return 0
	for v in $(lv_virsh vol-list "$POOL" 2>/dev/null | awk '$1 != "" {print $1}'); do
		lv_virsh vol-delete "$v" --pool "$POOL" >/dev/null 2>&1 || true
	done
	lv_virsh pool-destroy "$POOL" >/dev/null 2>&1 || true
	lv_virsh pool-undefine "$POOL" >/dev/null 2>&1 || true
	rm -rf "$POOL_DIR"
}

vols() { # the pool's volume names
	lv_virsh vol-list "$POOL" | awk '$1 != "" {print $1}'
}

page() { tm_wait_for "$1" 10; } # page TITLE: wait for the wizard's page

set_choice() { # press Right on the focused choice until it shows < TEXT >
	tm_choice "$1" && return 0
	lv_virsh pool-list --all >&2
	tm_fail "no choice '$1'"
}

click_text() { # click the first place TEXT is shown
	local pos
	pos=$(tm_find "$1") || tm_fail "'$1' is not shown"
	tm_click "$(( ${pos#* } + 1 ))" "${pos% *}"
}

# pick_radio TEXT: click the radio item "( ) TEXT" (whatever is chosen now)
pick_radio() {
	local pos i
	for ((i = 0; i < 50; i++)); do # (a page title may show before its page: "Network" is in the tree)
		tm_capture | grep -qF "(*) $1" && return 0
		pos=$(tm_find "( ) $1") && break
		sleep 0.1
	done
	[ -n "${pos:-}" ] || tm_fail "no radio item '$1'"
	tm_click "$(( ${pos#* } + 1 ))" "${pos% *}"
	tm_wait_for "(*) $1" 5
}

# wz_vmmc_up W H [URI [tm_start options]]: vmmc connected to URI ($URI), its
# pools listed (ours at least)
wz_vmmc_up() {
	local i w=$1 h=$2 uri=${3:-$URI}
	shift 2
	[ $# = 0 ] || shift
	tm_vmmc -x "$w" -y "$h" "$@" -- -c "$uri"
	tm_wait_line -t 30 " connected"
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE "Storage Pools +[1-9]" && return 0
		sleep 0.1
	done
	tm_fail "the pools were not listed"
}

# wz_to_summary NET: the wizard's last pages from "Memory and processors":
# 128 MiB, the network radio item NET ("" = the page as it is), a new 64 MiB
# disk in POOL; ends on the Summary
wz_to_summary() {
	page "Memory and processors"
	tm_keys M-m C-u
	tm_type 128M
	tm_keys Enter
	page "Network"
	[ -z "$1" ] || pick_radio "$1"
	tm_keys Enter
	wz_storage
}

wz_storage() { # the Storage page: a new 64 MiB disk in POOL; ends on the Summary
	page "Storage"
	tm_keys M-p
	set_choice "$POOL"
	tm_keys M-z C-u
	tm_type 64M
	tm_keys Enter
	page "Summary"
}

hw_item() { # hw_item TEXT: select VM Settings' hardware item holding TEXT (its form's heading)
	local i
	tm_keys M-h Home
	for ((i = 0; i < 20; i++)); do
		tm_capture | grep -F -- "== " | grep -qF -- "$1" && return 0
		tm_keys Down
		sleep 0.1
	done
	tm_capture | sed 's/^/|/' >&2
	tm_fail "no hardware item '$1'"
}

# wz_bench_window FILE: vmmc's UI figures so far (VMMC_BENCH_STATS=FILE)
# written by SIGUSR1, a new window begun; waits until FILE is complete
wz_bench_window() {
	local pid i
	pid=$(tm_pid)
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = vmmc ] || pid=$(pgrep -P "$pid" -x vmmc | head -n 1)
	[ -n "$pid" ] || tm_fail "no vmmc process"
	rm -f "$1"
	kill -USR1 "$pid"
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		grep -q '^key_us_max=' "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	tm_fail "vmmc wrote no figures to $1"
}

# wz_bench_field FILE NAME: one figure of FILE
wz_bench_field() {
	sed -n "s/^$2=//p" "$1"
}

# wz_split_click TEXT: a click on the first place TEXT is shown, its press's
# X10 mouse report sent in two pieces 300 ms apart (as a loaded link may
# deliver it), the release whole
wz_split_click() {
	local pos x y
	[ "$(_tm_fmt '#{mouse_sgr_flag}')" = 0 ] || tm_fail "wz_split_click: X10 mouse reports only"
	pos=$(tm_find "$1") || tm_fail "'$1' is not shown"
	x=$((${pos#* } + 1)) y=${pos% *}
	_tm send-keys -t main: -H 1b 5b 4d 20
	sleep 0.3
	_tm send-keys -t main: -H "$(printf %x $((32 + x)))" "$(printf %x $((32 + y)))"
	_tm send-keys -t main: -H 1b 5b 4d 23 "$(printf %x $((32 + x)))" "$(printf %x $((32 + y)))"
}
