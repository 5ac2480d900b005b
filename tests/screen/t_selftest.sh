# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2016,SC2317
# tests/screen/t_selftest.sh - tests of tests/lib/tmux.sh itself, against
# stand-in programs (sh, tput, a small ncurses program), not vmmc.
# Sourced by tests/screen/run.sh; run alone: tests/screen/run.sh selftest

# a command line that prints its arguments' output, then idles
_st_idle() {
	printf '%s; exec sleep 60' "$1"
}

t_selftest_wait_for() {
	tm_start -x 60 -y 10 -- sh -c "$(_st_idle 'echo one; sleep 0.3; echo two words; echo three')"
	tm_wait_for "two words" 5
	tm_wait_line "two" "words"
	tm_assert_contains "three"
	tm_assert_not_contains "four"
	[ "$(tm_line 1)" = one ] || tm_fail "tm_line 1 is '$(tm_line 1)'"
	[ "$(tm_find words)" = "2 5" ] || tm_fail "tm_find words gave '$(tm_find words)'"
	if tm_wait_for "never shown" 0.3 2>/dev/null; then
		tm_fail "tm_wait_for found text that is not there"
	fi
	if tm_wait_line -t 0.3 "one" "three" 2>/dev/null; then
		tm_fail "tm_wait_line matched across lines"
	fi
	tm_wait_gone "not there" 1
	tm_wait_stable 5
	[ "$(tm_pid)" -gt 1 ] || tm_fail "tm_pid"
	tm_alive || tm_fail "tm_alive"
}

t_selftest_env() {
	# the runner's own environment must not leak into the program
	NO_COLOR=1 LIBVIRT_DEFAULT_URI=test:///default
	export NO_COLOR LIBVIRT_DEFAULT_URI
	tm_start -x 100 -y 12 -- sh -c "$(_st_idle 'echo "T=$TERM L=$LANG N=${NO_COLOR-unset} U=${LIBVIRT_DEFAULT_URI-unset}"; echo "H=$HOME"; echo "C=$XDG_CONFIG_HOME"; echo "A=$ASAN_OPTIONS"')"
	tm_wait_for "T=$TM_TERM L=C.UTF-8 N=unset U=unset"
	tm_assert_contains "H=$TM_TESTDIR/home"
	tm_assert_contains "C=$TM_TESTDIR/config"
	tm_assert_contains "log_path=$TM_TESTDIR/asan"
	tm_start --env NO_COLOR=1 --env X=y -- sh -c "$(_st_idle 'echo "N=${NO_COLOR-unset} X=$X"')"
	tm_wait_for "N=1 X=y"
}

t_selftest_golden() {
	tm_start -x 40 -y 6 -- sh -c "$(_st_idle "printf 'vmmc selftest   \n  second line\n\033[1mbold\033[0m \033[31mred\033[0m\n'")"
	tm_golden selftest_basic
	tm_golden -e selftest_attr
	# a sed script can mask what changes from run to run
	tm_golden selftest_masked 's/second/SECOND/'
	if [ -z "${VMMC_REGEN:-}" ]; then
		# a screen that differs must fail, with a diff
		tm_start -x 40 -y 6 -- sh -c "$(_st_idle "printf 'vmmc selftest\n  other line\n'")"
		tm_wait_for "other line"
		if out=$(tm_golden selftest_basic 2>&1); then
			tm_fail "tm_golden accepted a different screen"
		fi
		case $out in
		*"-  second line"*"+  other line"*) ;;
		*) tm_fail "no diff in: $out" ;;
		esac
	fi
}

t_selftest_resize() {
	tm_start -- sh -c 'trap "stty size" WINCH; stty size; while :; do sleep 0.05; done'
	tm_wait_for "30 100"
	tm_resize 80 24
	tm_wait_for "24 80"
	tm_resize 132 43
	tm_wait_for "43 132"
}

t_selftest_exit_status() {
	tm_start -- sh -c 'sleep 0.3; exit 3'
	[ "$(tm_exit_status)" = 3 ] || tm_fail "exit status: $(tm_exit_status)"
	tm_start -- sh -c 'exit 0'
	[ "$(tm_exit_status)" = 0 ] || tm_fail "exit status 0: $(tm_exit_status)"
	tm_start -- sh -c 'sleep 0.2; kill -TERM $$'
	[ "$(tm_exit_status)" = 143 ] || tm_fail "killed by TERM: $(tm_exit_status)"
	tm_start -- sh -c 'exec sleep 60'
	if tm_wait_exit 0.3 2>/dev/null; then
		tm_fail "tm_wait_exit: sleep 60 exited"
	fi
}

t_selftest_term_restored() {
	local setup='tput smcup; tput smkx; tput civis; printf "\033[?1000h\033[?1006h"; echo inside'
	# left in the alternate screen, keypad and mouse on, cursor hidden
	tm_start -- sh -c "$setup; sleep 0.3"
	[ "$(tm_exit_status)" = 0 ]
	if out=$(tm_term_restored 2>&1); then
		tm_fail "tm_term_restored: true for a messy exit"
	fi
	case $out in
	*"alternate_on=1 mouse_any_flag=1 keypad_flag=1 keypad_cursor_flag=1 cursor=hidden"*) ;;
	*) tm_fail "unexpected: $out" ;;
	esac
	# everything put back
	tm_start -- sh -c "$setup; sleep 0.3; printf '\033[?1006l\033[?1000l'; tput rmkx; tput cnorm; tput rmcup"
	[ "$(tm_exit_status)" = 0 ]
	tm_term_restored
	# only the cursor left hidden
	tm_start -- sh -c "$setup; sleep 0.3; printf '\033[?1006l\033[?1000l'; tput rmkx; tput rmcup"
	[ "$(tm_exit_status)" = 0 ]
	if out=$(tm_term_restored 2>&1); then
		tm_fail "tm_term_restored: true with the cursor hidden"
	fi
	case $out in
	*"alternate_on=0 mouse_any_flag=0 keypad_flag=0 keypad_cursor_flag=0 cursor=hidden"*) ;;
	*) tm_fail "unexpected: $out" ;;
	esac
}

t_selftest_title() {
	# a raw OSC 0 sets the title; the same text drawn escaped does not
	tm_start -- sh -c "$(_st_idle "printf 'raw\033]0;pwned\007\n'")"
	tm_wait_for raw
	[ "$(tm_pane_title)" = pwned ] || tm_fail "OSC 0 did not set the title: '$(tm_pane_title)'"
	grep -q $'\e]0;pwned' "$(tm_output_log)" || tm_fail "output log misses the OSC"
	tm_start -- sh -c "$(_st_idle "printf '%s\n' 'x\\e]0;pwned\\a'")"
	tm_wait_for 'x\e]0;pwned\a'
	[ "$(tm_pane_title)" != pwned ] || tm_fail "title set by escaped text"
}

t_selftest_mouse_bytes() {
	# raw bytes as read by a program that asked for SGR (1006), then X10 (1000)
	local reader='stty raw -echo; printf "\033[?1000h%s"; IFS= read -r -d "" -n %d s; printf "got %%q\r\n" "$s"; exec sleep 60'
	# shellcheck disable=SC2059
	tm_start --env LC_ALL=C -- bash -c "$(printf "$reader" '\033[?1006h' 20)"
	sleep 0.3
	tm_click 10 5
	tm_wait_for "got \$'\\E[<0;10;5M\\E[<0;10;5m'"
	# shellcheck disable=SC2059
	tm_start --env LC_ALL=C -- bash -c "$(printf "$reader" '' 12)"
	sleep 0.3
	tm_click 10 5
	# press: 32+0, 32+10 (*), 32+5 (%); release: 32+3 (#)
	tm_wait_for "got \$'\\E[M *%\\E[M#*%'"
	# a program that did not ask for the mouse gets nothing
	tm_start -- sh -c 'exec sleep 60'
	if tm_click 1 1 2>/dev/null; then
		tm_fail "tm_click sent a click to a program without mouse reporting"
	fi
}

# a small ncurses program, like vmmc: keys, mouse, resize, exit status 3
_st_ncurses_prog() {
	local bin=$TM_TESTDIR/nc
	command -v cc >/dev/null || tm_skip "no C compiler"
	cat >"$TM_TESTDIR/nc.c" <<'EOF'
#include <curses.h>
#include <locale.h>
int main(void)
{
	setlocale(LC_ALL, "");
	initscr(); cbreak(); noecho(); keypad(stdscr, TRUE); curs_set(0);
	mousemask(ALL_MOUSE_EVENTS, NULL); mouseinterval(0);
	mvprintw(0, 0, "ready %dx%d", COLS, LINES);
	refresh();
	for (;;) {
		int c = getch();
		if (c == 'q')
			break;
		if (c == KEY_MOUSE) {
			MEVENT e;
			if (getmouse(&e) == OK)
				mvprintw(1, 0, "mouse col=%d line=%d%s   ", e.x + 1, e.y + 1,
					 e.bstate & (BUTTON1_PRESSED | BUTTON1_RELEASED |
						     BUTTON1_CLICKED) ? " button1" : " other");
		} else if (c == KEY_RESIZE) {
			mvprintw(2, 0, "resize %dx%d   ", COLS, LINES);
		} else {
			mvprintw(3, 0, "key %s   ", keyname(c));
		}
		refresh();
	}
	endwin();
	return 3;
}
EOF
	# shellcheck disable=SC2046
	cc -o "$bin" "$TM_TESTDIR/nc.c" $(pkg-config --cflags --libs ncursesw 2>/dev/null || echo -lncursesw) 2>"$TM_TESTDIR/cc.log" ||
		tm_skip "cannot build an ncurses program: $(head -c 300 "$TM_TESTDIR/cc.log")"
	echo "$bin"
}

_st_ncurses_run() { # TERM
	local nc=$1
	shift
	tm_start "$@" -- "$nc"
	tm_wait_for "ready 100x30"
	tm_keys F10
	tm_wait_for "key KEY_F(10)"
	tm_keys Down
	tm_wait_for "key KEY_DOWN"
	tm_click 10 5
	tm_wait_for "mouse col=10 line=5 button1"
	tm_click 100 30
	tm_wait_for "mouse col=100 line=30 button1"
	tm_resize 80 20
	tm_wait_for "resize 80x20"
	tm_keys q
	[ "$(tm_exit_status)" = 3 ] || tm_fail "status $(tm_exit_status)"
	tm_term_restored
}

t_selftest_ncurses() {
	local nc
	nc=$(_st_ncurses_prog)
	_st_ncurses_run "$nc"                        # tmux-256color: X10 mouse
	_st_ncurses_run "$nc" --env TERM=xterm-256color # SGR mouse (1006)
}

t_selftest_sanitizer() {
	# reports land in $TM_TESTDIR (log_path) and tm_sanitizer_check sees them
	echo "==1== ERROR: AddressSanitizer: fake" >"$TM_TESTDIR/asan.1"
	if tm_sanitizer_check "$TM_TESTDIR" 2>/dev/null; then
		tm_fail "fake report not seen"
	fi
	rm -f "$TM_TESTDIR/asan.1"
	tm_sanitizer_check "$TM_TESTDIR"
	command -v cc >/dev/null || return 0
	printf '%s\n' '#include <stdlib.h>' \
		'int main(int c, char **v) { char *p = malloc(4); p[c + 3] = 1; free(p); return v[0][0] == 0; }' \
		>"$TM_TESTDIR/bad.c"
	cc -g -fsanitize=address,undefined -o "$TM_TESTDIR/bad" "$TM_TESTDIR/bad.c" 2>/dev/null ||
		return 0 # no sanitizer runtime here
	tm_start -- "$TM_TESTDIR/bad"
	tm_wait_exit
	sleep 0.2
	if tm_sanitizer_check "$TM_TESTDIR" 2>/dev/null; then
		tm_fail "the ASan report did not reach $TM_TESTDIR"
	fi
	tm_sanitizer_check "$TM_TESTDIR" 2>&1 | grep -q heap-buffer-overflow ||
		tm_fail "report without heap-buffer-overflow"
	rm -f "$TM_TESTDIR"/asan.*
}

t_selftest_runner() {
	# a failing test does not stop the others; a hung one is stopped
	local out rc
	_st_pass() { true; }
	_st_fail() { false; echo "not reached"; }
	_st_fail2() { tm_wait_for "nothing" 0.1 2>/dev/null; }
	_st_skip() { tm_skip "not here"; }
	_st_hang() { sleep 30; }
	# (not under || or if: bash would ignore set -e in the tests)
	set +e
	out=$(TM_SUITE=inner TM_TESTNO=1000 TM_TEST_TIMEOUT=1 run_tests \
		_st_pass _st_fail _st_fail2 _st_skip _st_hang _st_pass 2>&1)
	rc=$?
	set -e
	[ "$rc" = 1 ] || tm_fail "run_tests status $rc"
	case $out in
	*"not reached"*) tm_fail "set -e not in force: $out" ;;
	esac
	[ "$(printf '%s\n' "$out" | grep -c '^PASS _st_pass$')" = 2 ] || tm_fail "$out"
	printf '%s\n' "$out" | grep -qx 'FAIL _st_fail' || tm_fail "$out"
	printf '%s\n' "$out" | grep -qx 'FAIL _st_fail2' || tm_fail "$out"
	printf '%s\n' "$out" | grep -qx 'FAIL _st_hang' || tm_fail "$out"
	printf '%s\n' "$out" | grep -qx 'SKIP _st_skip' || tm_fail "$out"
	[ "$(printf '%s\n' "$out" | tail -n 1)" = "inner: 2 passed, 3 failed" ] || tm_fail "$out"
}
