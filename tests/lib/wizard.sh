# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/wizard.sh - source it after tmux.sh and libvirtd.sh: a directory
# pool of the test's own and the New VM wizard's page helpers, for e2e
# suites that drive the wizard (tests/e2e/install.sh; tests/e2e/newvm.sh has
# its own copies of the same helpers and can switch to these).
#   POOL, POOL_DIR   set by the suite (lv_name pool, /var/tmp/$POOL)
#   pool_up / pool_down / vols
#   page TITLE, set_choice TEXT, click_text TEXT, pick_radio TEXT
#   wz_vmmc_up W H (URI): vmmc connected to URI, its pools listed
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

page() { tm_wait_for "$1" 10; }

set_choice() { # press Right on the focused choice until it shows < TEXT >
	tm_choice "$1" && return 0
	tm_fail "no choice '$1'"
}

click_text() { # click the first place TEXT is shown
	local pos
	pos=$(tm_find "$1") || tm_fail "'$1' is not shown"
	tm_click "$(( ${pos#* } + 1 ))" "${pos% *}"
}

pick_radio() {
	tm_capture | grep -qF "(*) $1" && return 0
	click_text "( ) $1"
	tm_wait_for "(*) $1" 5
}


wz_vmmc_up() { # wz_vmmc_up W H: vmmc connected to $URI, its pools listed (ours at least)
	local i
	tm_vmmc -x "$1" -y "$2" -- -c "$URI"
	tm_wait_line -t 30 " connected"
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE "Storage Pools +[1-9]" && return 0
		sleep 0.1
	done
	tm_fail "the pools were not listed"
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
