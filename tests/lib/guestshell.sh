# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/guestshell.sh - source it after tests/lib/tmux.sh: the tiny
# guest's shell (tests/guest) in the console vmmc shows.
#   shell_answers TOKEN TRIES  type an echo in the shown console until the
#                              guest's shell answers it (once a second, at
#                              most TRIES times); 0 when it answered

shell_answers() {
	local i
	for ((i = 0; i < $2; i++)); do
		tm_type "echo $1-\$((6*7))"
		tm_keys Enter
		tm_wait_for "$1-42" 1 2>/dev/null && return 0
	done
	return 1
}
