# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/settings.sh - helpers for suites that drive vmmc's VM Settings
# in tmux (tests/lib/tmux.sh sourced first).

# set_item TEXT: select the hardware list's item whose form heading holds TEXT
set_item() {
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
