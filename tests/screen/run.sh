#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/screen/run.sh [PATTERN] - the screen tests: vmmc in a private tmux.
# Sources tests/lib/tmux.sh, then every tests/screen/t_*.sh; each function
# whose name starts with t_ is a test (helpers must not start with t_).
# PATTERN (or $VMMC_TESTS), an extended regex, picks tests by name.
# VMMC_BIN: the binary under test (default build/vmmc); VMMC_REGEN=1 rewrites
# the goldens; VMMC_KEEP=1 keeps each test's directory. Ends with the line
# "screen: N passed, M failed"; exit status 1 if any failed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"

# (tmux.sh sets VMMC_BIN and VMMC_TIMEOUT_SCALE: build/vmmc, x3 for ASan)

if ! command -v tmux >/dev/null; then
	echo "screen: tmux is not installed (mk/deps.sh test)" >&2
	exit 1
fi
[ -x "$VMMC_BIN" ] || echo "screen: warning: $VMMC_BIN is missing; vmmc tests will fail" >&2

for f in "$here"/t_*.sh; do
	[ -e "$f" ] || continue
	# shellcheck source=/dev/null
	. "$f"
done

pattern=${1:-${VMMC_TESTS:-}}
# the library's own tests first: when they fail, the others mean little
mapfile -t tests < <(declare -F | awk '$3 ~ /^t_/ {print $3}' | grep -E -- "${pattern:-.}" |
	awk '/^t_selftest_/ {print; next} {rest[n++] = $0} END {for (i = 0; i < n; i++) print rest[i]}' || true)
if [ "${#tests[@]}" = 0 ]; then
	echo "screen: no test matches '${pattern}'" >&2
	exit 1
fi

trap 'tm_sweep' EXIT
trap 'tm_interrupt; exit 130' INT TERM
TM_SUITE=screen run_tests "${tests[@]}"
