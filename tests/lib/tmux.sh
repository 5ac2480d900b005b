# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/tmux.sh - run a program in a private tmux server and look at its
# screen: the library behind tests/screen/ and tests/e2e/. Source it from bash.
#
# Every test (see run_tests) gets
#   - its own tmux server: tmux -L vmmc-test-<runner pid>-<test>-<n> -f /dev/null,
#     status line off (the pane is the whole window), remain-on-exit on (exit
#     status and final terminal state stay readable), the program's output
#     bytes logged to $TM_TESTDIR/output.<n> (pipe-pane, from the first byte);
#   - a fresh directory $TM_TESTDIR with HOME, XDG_CONFIG_HOME,
#     XDG_CACHE_HOME, XDG_STATE_HOME, XDG_DATA_HOME and TMPDIR inside, kept
#     across restarts within the test (so a test can check a saved config);
#   - an environment built from nothing (env -i): PATH, USER, LOGNAME, those
#     directories, LANG=C.UTF-8, TERM=tmux-256color (screen-256color if the
#     terminfo entry is missing), ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS
#     passed through with log_path=$TM_TESTDIR/asan added; NO_COLOR only when
#     asked for (--env NO_COLOR=1). run_tests fails a test that leaves any
#     asan.* / ubsan.* report there, and prints it.
#
# Conventions: lines and columns count from 1 (line 1 is the top line, as in
# the escape sequences). Timeouts are seconds, fractions allowed, multiplied by
# $VMMC_TIMEOUT_SCALE (a whole number, default 1). A check that fails says why
# on stderr (the wait functions print the screen) and returns 1: tests run
# under `set -e`, so that ends the test. tm_fail and tm_skip end it at once.
#
# Functions:
#   run_tests FUNC...          run each function as a test in its own subshell;
#                              "PASS f" / "FAIL f" / "SKIP f", then the line
#                              "$TM_SUITE: N passed, M failed"; status 1 if M > 0.
#                              Call it as a plain command (not under ||, &&,
#                              if, !: bash would then ignore set -e in tests)
#   tm_start [-x W] [-y H] [--env K=V]... [--] CMD [ARG]...
#                              start CMD in a new private server (100x30); stops
#                              the previous one of this test first
#   tm_vmmc [tm_start options] [--] [ARG]...   tm_start "$VMMC_BIN" ARG...
#   tm_stop                    kill the server; wait for the program to be gone
#   tm_keys KEY...             tmux key names: Enter Tab BTab Escape F1 F5 F10 Up
#                              Down Left Right PageDown Home Space C-c q ...
#   tm_type TEXT               send TEXT literally
#   tm_capture [-e]            print the screen (-e: with attributes as escapes)
#   tm_line N                  print screen line N
#   tm_find TEXT               print "LINE COL" where TEXT first occurs
#   tm_wait_for TEXT [T=10]    wait (50 ms polls) until TEXT is on the screen
#   tm_wait_gone TEXT [T=10]   wait until TEXT is not on the screen
#   tm_wait_line [-t T] TEXT...  wait until one line holds every TEXT
#   tm_wait_stable [T=10]      wait until two captures 150 ms apart are equal
#   tm_wait_drawn BEFORE       wait at most 1 s for the screen (tm_capture -e)
#                              to differ from BEFORE: a key's effect drawn
#   tm_golden [-e] NAME [SED]  wait stable; compare with golden/NAME.txt (-e:
#                              NAME.ansi, with attributes) after removing
#                              trailing blanks and applying sed script SED;
#                              VMMC_REGEN=1 writes the golden instead
#   tm_assert_contains TEXT    the screen holds TEXT now
#   tm_assert_not_contains TEXT  the screen does not hold TEXT now
#   tm_resize W H              resize the window; returns once the pty has the
#                              new size (the program got SIGWINCH)
#   tm_click [-b 0|1|2] COL LINE  mouse press+release (button 0 = left) as the
#                              bytes the program asked for (SGR 1006 or X10)
#   tm_wheel up|down COL LINE  mouse wheel step
#   tm_alive                   true while the program runs
#   tm_wait_exit [T=10]        wait until the program has exited
#   tm_exit_status [T=10]      wait for the exit, print the status (128+N when
#                              killed by signal N)
#   tm_term_restored           true if the program left the terminal as found:
#                              no alternate screen, mouse reporting off, keypad
#                              modes off, cursor visible (prints what is wrong)
#   tm_pane_title              print #{pane_title} (a program may set it: OSC 0)
#   tm_pid                     print the program's pid (#{pane_pid})
#   tm_threads PID             print how many threads process PID has now
#   tm_output_log              print the path of the raw output log
#   tm_on_exit CMD             eval CMD when the test ends (last added first)
#   tm_fail MSG                end the test: failed
#   tm_skip MSG                end the test: skipped (not counted as failed)
#   tm_sanitizer_check DIR     print asan.* / ubsan.* reports in DIR, fail if any
#   tm_begin / tm_end          set up / tear down a test by hand (run_tests
#                              does it for you)
#   tm_sweep                   kill every server of this runner (for EXIT traps)
#   tm_interrupt               stop the running test and its servers (for the
#                              runner's INT/TERM trap)
#
# Environment read: VMMC_BIN, VMMC_REGEN, VMMC_TIMEOUT_SCALE, VMMC_KEEP (keep
# the test directories), TM_SUITE (summary label, default "screen"),
# TM_TEST_TIMEOUT (seconds per test, default 300), TM_GOLDEN_DIR.
#
# tmux 3.3a facts this relies on (checked by tests/screen/t_selftest.sh):
#   - tmux hands mouse events to a program only from an attached client, and
#     there is none: tm_click writes the report bytes itself (send-keys -H) in
#     the encoding the program turned on (#{mouse_sgr_flag}: SGR, else X10;
#     ncurses with TERM=tmux-256color uses X10, with xterm-256color SGR).
#   - a dead pane keeps alternate_on, mouse_*_flag and keypad_*_flag as the
#     program left them, but tmux clears cursor_flag itself, so the cursor is
#     judged from the output log (the last ESC[?25h / ESC[?25l).
#   - tmux sometimes misses a pane's SIGCHLD (the pane is dead, its status
#     never comes); tm_exit_status sends the server a SIGCHLD to reap it.
#   - remain-on-exit-format is set empty: otherwise "Pane is dead" scrolls
#     the final screen up a line.

TM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TM_GOLDEN_DIR=${TM_GOLDEN_DIR:-$TM_ROOT/tests/screen/golden}
TM_SUITE=${TM_SUITE:-screen}
TM_SOCK=
TM_N=0
TM_TESTNO=${TM_TESTNO:-0}
TM_TESTDIR=${TM_TESTDIR:-}
TM_CLEANUPS=()
_TM_CUR=()
unset TMUX TMUX_PANE

# the binary under test (build/vmmc unless VMMC_BIN says), and the scale of
# every wait: 3 for an ASan build unless VMMC_TIMEOUT_SCALE says
VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build/vmmc}
export VMMC_BIN
case $VMMC_BIN in
*build-asan*) VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-3} ;;
esac
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-1}

if infocmp tmux-256color >/dev/null 2>&1; then
	TM_TERM='tmux-256color'
else
	TM_TERM='screen-256color'
fi

_tm() {
	LC_ALL=C.UTF-8 tmux -u -L "$TM_SOCK" -f /dev/null "$@"
}

_tm_need() {
	if [ -z "$TM_SOCK" ]; then
		echo "$1: no program started (tm_start)" >&2
		return 1
	fi
}

# seconds ("2", "0.5") -> milliseconds, scaled by VMMC_TIMEOUT_SCALE
_tm_ms() {
	local s=$1 i f=
	if ! [[ $s =~ ^[0-9]*(\.[0-9]*)?$ ]] || [ -z "$s" ]; then
		echo "tmux.sh: bad timeout '$s'" >&2
		return 1
	fi
	i=${s%%.*}
	[[ $s == *.* ]] && f=${s#*.}
	f=${f}000
	f=${f:0:3}
	_TM_MS=$(((10#${i:-0} * 1000 + 10#$f) * ${VMMC_TIMEOUT_SCALE:-1}))
}

_tm_now() {
	local t=${EPOCHREALTIME//[.,]/}
	_TM_NOW=$((t / 1000))
}

_tm_deadline() {
	_tm_ms "$1" || return 1
	_tm_now
	_TM_DEADLINE=$((_TM_NOW + _TM_MS))
}

_tm_expired() {
	_tm_now
	[ "$_TM_NOW" -ge "$_TM_DEADLINE" ]
}

_tm_fmt() {
	_tm display-message -p -t main: "$1"
}

_tm_dump() {
	local size
	size=$(_tm_fmt '#{pane_width}x#{pane_height}' 2>/dev/null || echo '?')
	{
		echo "--- screen ($size) ---"
		_tm capture-pane -p -t main: 2>/dev/null | sed 's/[[:space:]]*$//; s/^/|/'
		echo "--- end of screen ---"
	} >&2
}

tm_fail() {
	echo "  FAIL: $*" >&2
	exit 1
}

tm_skip() {
	echo "  SKIP: $*" >&2
	exit 77
}

tm_on_exit() {
	TM_CLEANUPS+=("$1")
}

# ---- tests -----------------------------------------------------------------

# tm_begin: the test's directory and state; once per test (run_tests calls
# it): a second call inside a test is a no-op, its cleanups and folder kept
tm_begin() {
	[ -z "$TM_TESTDIR" ] || [ ! -d "$TM_TESTDIR" ] || return 0
	TM_TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-test-$$-${TM_TESTNO}.XXXXXX")
	TM_N=0
	TM_SOCK=
	TM_CLEANUPS=()
}

# tm_end: cleanups, stop, sanitizer check, remove the test directory.
tm_end() {
	local rc=0
	_tm_run_cleanups
	tm_stop || true
	if [ -n "$TM_TESTDIR" ]; then
		tm_sanitizer_check "$TM_TESTDIR" || rc=1
		[ -n "${VMMC_KEEP:-}" ] || rm -rf "$TM_TESTDIR"
		TM_TESTDIR=
	fi
	return "$rc"
}

_tm_run_cleanups() {
	local i
	for ((i = ${#TM_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${TM_CLEANUPS[i]}" || echo "  cleanup failed: ${TM_CLEANUPS[i]}" >&2
	done
	TM_CLEANUPS=()
}

# runs in the test's subshell when it ends (any way)
_tm_test_exit() {
	local rc=$?
	set +e
	_tm_run_cleanups
	tm_stop
	exit "$rc"
}

tm_sanitizer_check() {
	local dir=$1 f found=0
	for f in "$dir"/asan.* "$dir"/ubsan.*; do
		[ -e "$f" ] || continue
		found=1
		echo "=== sanitizer report: ${f##*/} ===" >&2
		cat "$f" >&2
	done
	[ "$found" = 0 ]
}

# kill any tmux server this runner started (sockets vmmc-test-<pid>-<prefix>*)
tm_sweep() {
	local dir s name
	dir=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)
	for s in "$dir/vmmc-test-$$-${1:-}"*; do
		[ -S "$s" ] || continue
		name=${s##*/}
		tmux -L "$name" -f /dev/null kill-server 2>/dev/null || true
		rm -f "$s"
	done
}

# watchdog for one test: TERM it after $2 seconds, KILL 10 s later
_tm_watchdog() {
	local pid=$1 secs=$2 name=$3 sp=''
	trap '[ -z "$sp" ] || kill "$sp" 2>/dev/null; exit 0' TERM
	sleep "$secs" &
	sp=$!
	wait "$sp"
	echo "  TIMEOUT: $name still running after ${secs}s" >&2
	# the test's shell runs its TERM trap only once its current command
	# ends: stop that command too (the test's own children, by pid)
	local -a kids
	mapfile -t kids < <(ps -o pid= --ppid "$pid" 2>/dev/null)
	kill -TERM "$pid" ${kids[@]+"${kids[@]}"} 2>/dev/null || exit 0
	sleep 10 &
	sp=$!
	wait "$sp"
	kill -KILL "$pid" 2>/dev/null || true
}

# for the runner's INT/TERM trap: stop the running test, remove its servers
tm_interrupt() {
	local p
	for p in "${_TM_CUR[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${_TM_CUR[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	_TM_CUR=()
	tm_sweep
	if [ -n "$TM_TESTDIR" ] && [ -z "${VMMC_KEEP:-}" ]; then
		rm -rf "$TM_TESTDIR"
	fi
}

run_tests() {
	local t rc pass=0 fail=0 skip=0 tpid wpid errexit=0 failed=() traps
	[[ $- == *e* ]] && errexit=1
	set +e
	for t in "$@"; do
		TM_TESTNO=$((TM_TESTNO + 1))
		tm_begin
		echo "--- $t"
		# the test and its watchdog are forked without the suite's traps: a
		# subshell keeps its parent's until it sets its own, and a watchdog
		# killed before that (a test that ended at once: a skip) ran the
		# suite's EXIT trap - its folder removed, its daemon stopped - in
		# the middle of the suite (CI: console.sh, e2e run.sh)
		traps=$(trap -p EXIT INT TERM HUP)
		trap - EXIT INT TERM HUP
		(
			trap '_tm_test_exit' EXIT
			trap 'exit 143' TERM INT HUP
			# bash ignores set -e in a subshell of a command run under
			# "||", "&&", "if" or "!": a failed check would not end the test
			set +e
			(set -e; false; true)
			_tm_probe=$?
			if [ "$_tm_probe" = 0 ]; then
				echo "run_tests: called where bash ignores set -e (under ||, &&, if, !)" >&2
				exit 1
			fi
			set -eu
			"$t"
		) &
		tpid=$!
		_tm_watchdog "$tpid" "${TM_TEST_TIMEOUT:-300}" "$t" &
		wpid=$!
		eval "$traps"
		_TM_CUR=("$tpid" "$wpid")
		wait "$tpid"
		rc=$?
		kill "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
		_TM_CUR=()
		tm_sweep "$TM_TESTNO-"
		tm_end || { [ "$rc" = 77 ] || rc=1; }
		case $rc in
		0) echo "PASS $t"; pass=$((pass + 1)) ;;
		77) echo "SKIP $t"; skip=$((skip + 1)) ;;
		*) echo "FAIL $t"; fail=$((fail + 1)); failed+=("$t") ;;
		esac
	done
	[ "$skip" = 0 ] || echo "$TM_SUITE: $skip skipped"
	[ "$fail" = 0 ] || echo "$TM_SUITE: failed: ${failed[*]}"
	echo "$TM_SUITE: $pass passed, $fail failed"
	[ "$errexit" = 0 ] || set -e
	[ "$fail" = 0 ]
}

# tm_suite_main SUITE PREFIX SETUP WHY [PATTERN]: the end of an e2e suite: the
# functions named PREFIX* that match PATTERN (else $VMMC_TESTS; an ERE), then
# SETUP (a command; when it fails every selected test counts as failed and
# "SUITE: WHY" is said), then run_tests; its status is the suite's.
tm_suite_main() {
	local suite=$1 prefix=$2 setup=$3 why=$4 pattern=${5:-${VMMC_TESTS:-}}
	local -a tests
	mapfile -t tests < <(declare -F | awk -v p="^$prefix" '$3 ~ p {print $3}' | grep -E -- "${pattern:-.}" || true)
	if [ "${#tests[@]}" = 0 ]; then
		echo "$suite: no test matches '$pattern'" >&2
		exit 1
	fi
	if ! $setup; then
		echo "$suite: $why" >&2
		echo "$suite: 0 passed, ${#tests[@]} failed"
		exit 1
	fi
	TM_SUITE=$suite run_tests "${tests[@]}"
}

# tm_guest_up: the shared libvirtd up and the tiny test guest built
tm_guest_up() {
	lv_up && "$TM_ROOT/tests/guest/build.sh" >/dev/null
}

# ---- the program -------------------------------------------------------------

tm_start() {
	local w=100 h=30 d
	local -a extra=() envv=()
	while [ $# -gt 0 ]; do
		case $1 in
		-x) w=$2; shift 2 ;;
		-y) h=$2; shift 2 ;;
		--env) extra+=("$2"); shift 2 ;;
		--env=*) extra+=("${1#--env=}"); shift ;;
		--) shift; break ;;
		-*) echo "tm_start: unknown option $1" >&2; return 2 ;;
		*) break ;;
		esac
	done
	if [ $# = 0 ]; then
		echo "tm_start: no command" >&2
		return 2
	fi
	[ -n "$TM_TESTDIR" ] || tm_begin
	tm_stop
	TM_N=$((TM_N + 1))
	TM_SOCK="vmmc-test-$$-$TM_TESTNO-$TM_N"
	d=$TM_TESTDIR
	mkdir -p "$d/home" "$d/config" "$d/cache" "$d/state" "$d/data" "$d/tmp"
	envv=(
		"PATH=$PATH"
		"HOME=$d/home"
		"XDG_CONFIG_HOME=$d/config"
		"XDG_CACHE_HOME=$d/cache"
		"XDG_STATE_HOME=$d/state"
		"XDG_DATA_HOME=$d/data"
		"TMPDIR=$d/tmp"
		"LANG=C.UTF-8"
		"TERM=$TM_TERM"
		"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$d/asan"
		"UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$d/asan"
	)
	[ -z "${LSAN_OPTIONS:-}" ] || envv+=("LSAN_OPTIONS=$LSAN_OPTIONS")
	[ -z "${USER:-}" ] || envv+=("USER=$USER")
	[ -z "${LOGNAME:-}" ] || envv+=("LOGNAME=$LOGNAME")
	_tm start-server \; \
		set -g exit-empty off \; \
		set -g remain-on-exit on \; \
		set -g remain-on-exit-format '' \; \
		set -g status off \; \
		set -g default-terminal "$TM_TERM" \; \
		set -g default-size "${w}x$h" || return 1
	# pipe-pane in the same command list: it is attached before the server
	# reads the first byte from the new pane
	_tm new-session -d -s main -x "$w" -y "$h" -- \
		env -i "${envv[@]}" "${extra[@]}" "$@" \; \
		pipe-pane -t main: -o "cat >>'$d/output.$TM_N'" || return 1
}

tm_vmmc() {
	local -a opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		-x|-y|--env) opts+=("$1" "$2"); shift 2 ;;
		--env=*) opts+=("$1"); shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	if [ -z "${VMMC_BIN:-}" ] || [ ! -x "$VMMC_BIN" ]; then
		echo "tm_vmmc: VMMC_BIN='${VMMC_BIN:-}' is not an executable (make builds it)" >&2
		return 1
	fi
	tm_start "${opts[@]}" -- "$VMMC_BIN" "$@"
}

# the start time of a live process (empty if gone or a zombie): tells a pid
# from a later process that reuses it
_tm_proc_start() {
	local st
	local -a f
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	read -r -a f <<<"${st##*) }"
	[ "${f[0]}" != Z ] || return 0
	echo "${f[19]}"
}

tm_stop() {
	[ -n "$TM_SOCK" ] || return 0
	local info pid start="" now i
	info=$(_tm_fmt '#{pane_dead} #{pane_pid}' 2>/dev/null || true)
	pid=${info#* }
	[ "${info%% *}" = 0 ] && [ -n "$pid" ] && start=$(_tm_proc_start "$pid")
	_tm kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TM_SOCK"
	TM_SOCK=
	[ -n "$start" ] || return 0
	# the program got SIGHUP; give it 5 s, then KILL (if it is still the same process)
	for ((i = 0; i < 100; i++)); do
		now=$(_tm_proc_start "$pid")
		[ "$now" = "$start" ] || return 0
		sleep 0.05
	done
	echo "tm_stop: pid $pid ignored SIGHUP; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
}

tm_keys() {
	_tm_need tm_keys || return 1
	_tm send-keys -t main: "$@"
}

tm_type() {
	_tm_need tm_type || return 1
	_tm send-keys -t main: -l -- "$1"
}

tm_capture() {
	_tm_need tm_capture || return 1
	if [ "${1:-}" = -e ]; then
		_tm capture-pane -p -e -t main:
	else
		_tm capture-pane -p -t main:
	fi
}

tm_line() {
	tm_capture | sed -n "${1}p"
}

tm_find() {
	local screen line n=0 pre
	screen=$(tm_capture) || return 1
	while IFS= read -r line; do
		n=$((n + 1))
		if [[ $line == *"$1"* ]]; then
			pre=${line%%"$1"*}
			echo "$n $((${#pre} + 1))"
			return 0
		fi
	done <<<"$screen"
	return 1
}

tm_assert_contains() {
	local screen
	screen=$(tm_capture) || return 1
	[[ $screen == *"$1"* ]] && return 0
	echo "  expected on screen: '$1'" >&2
	_tm_dump
	return 1
}

# tm_choice TEXT [KEY]: press KEY (Right) on the focused choice field until
# it shows "< TEXT >"; after each press it waits for the screen to change, so
# a slow frame never makes it press twice past the wanted value. Non-zero
# (with the screen) when TEXT never shows.
tm_choice() {
	local i j before now key=${2:-Right}
	for ((i = 0; i < 40; i++)); do
		before=$(tm_capture) || return 1
		[[ $before == *"< $1 >"* ]] && return 0
		tm_keys "$key"
		for ((j = 0; j < 40 * ${VMMC_TIMEOUT_SCALE:-1}; j++)); do
			now=$(tm_capture) || return 1
			[ "$now" != "$before" ] && break
			sleep 0.05
		done
	done
	echo "  no choice '< $1 >' on screen" >&2
	_tm_dump
	return 1
}

tm_assert_not_contains() {
	local screen
	screen=$(tm_capture) || return 1
	[[ $screen != *"$1"* ]] && return 0
	echo "  not expected on screen: '$1'" >&2
	_tm_dump
	return 1
}

tm_wait_for() {
	local screen
	_tm_need tm_wait_for || return 1
	_tm_deadline "${2:-10}" || return 1
	while :; do
		screen=$(tm_capture 2>/dev/null) || screen=
		[[ $screen == *"$1"* ]] && return 0
		if _tm_expired; then
			echo "  timed out after ${2:-10}s waiting for: '$1'" >&2
			_tm_dump
			return 1
		fi
		sleep 0.05
	done
}

tm_wait_gone() {
	local screen
	_tm_need tm_wait_gone || return 1
	_tm_deadline "${2:-10}" || return 1
	while :; do
		screen=$(tm_capture 2>/dev/null) || screen=
		[[ $screen != *"$1"* ]] && return 0
		if _tm_expired; then
			echo "  timed out after ${2:-10}s waiting for '$1' to go" >&2
			_tm_dump
			return 1
		fi
		sleep 0.05
	done
}

_tm_line_has_all() { # LINE TEXT...
	local line=$1 x
	shift
	for x in "$@"; do
		[[ $line == *"$x"* ]] || return 1
	done
}

tm_wait_line() {
	local t=10 screen line
	if [ "${1:-}" = -t ]; then
		t=$2
		shift 2
	fi
	_tm_need tm_wait_line || return 1
	_tm_deadline "$t" || return 1
	while :; do
		screen=$(tm_capture 2>/dev/null) || screen=
		while IFS= read -r line; do
			_tm_line_has_all "$line" "$@" && return 0
		done <<<"$screen"
		if _tm_expired; then
			echo "  timed out after ${t}s waiting for a line with: $(printf "'%s' " "$@")" >&2
			_tm_dump
			return 1
		fi
		sleep 0.05
	done
}

tm_wait_drawn() {
	local k
	for ((k = 0; k < 40; k++)); do
		[ "$(tm_capture -e)" != "$1" ] && return 0
		sleep 0.025
	done
	return 0
}

tm_wait_stable() {
	local a b
	_tm_need tm_wait_stable || return 1
	_tm_deadline "${1:-10}" || return 1
	a=$(tm_capture -e) || return 1
	while :; do
		sleep 0.15
		b=$(tm_capture -e) || return 1
		[ "$a" = "$b" ] && return 0
		if _tm_expired; then
			echo "  timed out after ${1:-10}s waiting for the screen to settle" >&2
			_tm_dump
			return 1
		fi
		a=$b
	done
}

tm_golden() {
	local e='' ext=txt name sedscript golden actual
	if [ "${1:-}" = -e ]; then
		e=-e
		ext=ansi
		shift
	fi
	name=$1
	sedscript=${2:-}
	golden=$TM_GOLDEN_DIR/$name.$ext
	actual=$TM_TESTDIR/$name.$ext.actual
	tm_wait_stable 10 || return 1
	if [ -n "$sedscript" ]; then
		tm_capture ${e:+"$e"} | sed 's/[[:space:]]*$//' | sed -e "$sedscript" >"$actual"
	else
		tm_capture ${e:+"$e"} | sed 's/[[:space:]]*$//' >"$actual"
	fi || return 1
	if [ -n "${VMMC_REGEN:-}" ]; then
		mkdir -p "$TM_GOLDEN_DIR"
		cp "$actual" "$golden"
		echo "  golden: wrote ${golden#"$TM_ROOT"/}" >&2
		return 0
	fi
	if [ ! -f "$golden" ]; then
		echo "  golden ${golden#"$TM_ROOT"/} is missing; create it with VMMC_REGEN=1" >&2
		_tm_dump
		return 1
	fi
	if ! diff -u --label "${golden#"$TM_ROOT"/}" --label "screen" "$golden" "$actual" >&2; then
		echo "  screen differs from ${golden#"$TM_ROOT"/} (if intended: VMMC_REGEN=1)" >&2
		return 1
	fi
}

tm_resize() {
	local tty i
	_tm_need tm_resize || return 1
	_tm resize-window -t main: -x "$1" -y "$2" || return 1
	# tmux sets the pty's size (and so sends SIGWINCH) on a later turn of its
	# loop; with no client attached that turn may not come until the next
	# command: ask until the pty has the new size (2 s at most)
	tty=$(_tm list-panes -t main: -F '#{pane_tty}' 2>/dev/null) || return 0
	for ((i = 0; i < 40; i++)); do
		[ "$(stty -F "$tty" size 2>/dev/null)" = "$2 $1" ] && return 0
		_tm list-panes -t main: >/dev/null 2>&1
		sleep 0.05
	done
	echo "tm_resize: the pty of the pane is still $(stty -F "$tty" size 2>/dev/null)" >&2
	return 1
}

# _tm_mouse_send BUTTONCODE COL LINE PRESS(1)/RELEASE(0)
_tm_mouse_send() {
	local b=$1 x=$2 y=$3 press=$4 flags seq
	flags=$(_tm_fmt '#{mouse_any_flag} #{mouse_sgr_flag}') || return 1
	if [ "${flags% *}" != 1 ]; then
		echo "  tm_click: the program has not turned on mouse reporting" >&2
		return 1
	fi
	if [ "${flags#* }" = 1 ]; then
		seq=$(printf '\033[<%d;%d;%d%s' "$b" "$x" "$y" "$([ "$press" = 1 ] && echo M || echo m)")
		_tm send-keys -t main: -l -- "$seq"
	else
		# X10: ESC [ M, then 32+button, 32+col, 32+line as raw bytes
		[ "$press" = 1 ] || b=3
		if [ "$x" -gt 223 ] || [ "$y" -gt 223 ]; then
			echo "  tm_click: ($x,$y) cannot be sent in X10 mouse encoding" >&2
			return 1
		fi
		_tm send-keys -t main: -H 1b 5b 4d \
			"$(printf %x $((32 + b)))" "$(printf %x $((32 + x)))" "$(printf %x $((32 + y)))"
	fi
}

tm_click() {
	local b=0
	if [ "${1:-}" = -b ]; then
		b=$2
		shift 2
	fi
	_tm_need tm_click || return 1
	_tm_mouse_send "$b" "$1" "$2" 1 && _tm_mouse_send "$b" "$1" "$2" 0
}

tm_wheel() {
	local b
	case $1 in
	up) b=64 ;;
	down) b=65 ;;
	*) echo "tm_wheel: up or down" >&2; return 2 ;;
	esac
	_tm_need tm_wheel || return 1
	_tm_mouse_send "$b" "$2" "$3" 1
}

tm_alive() {
	[ "$(_tm_fmt '#{pane_dead}')" = 0 ]
}

tm_wait_exit() {
	_tm_need tm_wait_exit || return 1
	_tm_deadline "${1:-10}" || return 1
	while tm_alive; do
		if _tm_expired; then
			echo "  timed out after ${1:-10}s waiting for the program to exit" >&2
			_tm_dump
			return 1
		fi
		sleep 0.05
	done
}

tm_exit_status() {
	local st spid
	tm_wait_exit "${1:-10}" || return 1
	# tmux can miss the SIGCHLD of a pane (seen with 3.3a): the pane is dead
	# (pty closed) but its status never arrives. Nudging the server with a
	# SIGCHLD makes it reap the child.
	spid=$(_tm_fmt '#{pid}') || return 1
	_tm_deadline 3
	while :; do
		st=$(_tm_fmt '#{pane_dead_status}:#{pane_dead_signal}') || return 1
		case $st in
		?*:*) echo "${st%%:*}"; return 0 ;;
		:?*) echo $((128 + ${st#:})); return 0 ;;
		esac
		if _tm_expired; then
			echo "  tm_exit_status: no exit status from tmux" >&2
			return 1
		fi
		kill -CHLD "$spid" 2>/dev/null || true
		sleep 0.05
	done
}

tm_output_log() {
	_tm_need tm_output_log || return 1
	echo "$TM_TESTDIR/output.$TM_N"
}

tm_term_restored() {
	local got want last
	_tm_need tm_term_restored || return 1
	want='alternate_on=0 mouse_any_flag=0 keypad_flag=0 keypad_cursor_flag=0'
	got=$(_tm_fmt 'alternate_on=#{alternate_on} mouse_any_flag=#{mouse_any_flag} keypad_flag=#{keypad_flag} keypad_cursor_flag=#{keypad_cursor_flag}') || return 1
	# tmux hides the cursor of a dead pane itself (cursor_flag is then 0
	# whatever the program did), so the cursor is judged from the output:
	# the last of ESC[?25h / ESC[?25l the program wrote must be "h".
	sleep 0.1 # let pipe-pane's cat write the last bytes
	last=$(grep -aoE $'\e\\[\\?25[hl]' "$(tm_output_log)" 2>/dev/null | tail -n 1 || true)
	if [ "$last" = $'\e[?25l' ]; then
		got="$got cursor=hidden"
	else
		got="$got cursor=visible"
	fi
	want="$want cursor=visible"
	[ "$got" = "$want" ] && return 0
	echo "  terminal not restored: $got" >&2
	echo "                  wanted: $want" >&2
	return 1
}

tm_pane_title() {
	_tm_need tm_pane_title || return 1
	_tm_fmt '#{pane_title}'
}

tm_pid() {
	_tm_need tm_pid || return 1
	_tm_fmt '#{pane_pid}'
}

tm_threads() {
	awk '$1 == "Threads:" {print $2}' "/proc/$1/status"
}
