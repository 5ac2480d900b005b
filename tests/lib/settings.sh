# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/settings.sh - helpers for suites that drive vmmc's VM Settings
# in tmux (tests/lib/tmux.sh sourced first).

# set_item TEXT: select the hardware list's item whose form heading holds TEXT
set_item() {
	local i
	tm_keys M-h Home
	# the first item's form first: a capture taken before Home arrives
	# would still show the item of before
	for ((i = 0; i < 50 * ${VMMC_TIMEOUT_SCALE:-1}; i++)); do
		tm_capture | grep -o -- "== .*" | grep -qF -- "== Summary ==" && break
		sleep 0.1
	done
	for ((i = 0; i < 20; i++)); do
		# the form's heading only (two panes: the list's row is left of it)
		tm_capture | grep -o -- "== .*" | grep -qF -- "$1" && return 0
		tm_keys Down
		sleep 0.1
	done
	tm_capture | sed 's/^/|/' >&2
	tm_fail "no hardware item '$1'"
}

# set_new_cd FILE POOL: in the selected "+ Add hardware" form, a CD/DVD drive
# with the local ISO FILE to go into POOL (Apply not pressed)
set_new_cd() {
	tm_keys M-a
	tm_choice "CD/DVD drive" || tm_fail "no choice 'CD/DVD drive'"
	tm_keys M-l
	tm_type "$1"
	tm_keys M-d
	tm_choice "$2" || tm_fail "no choice '$2'"
}
