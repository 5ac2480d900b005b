#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/soak/monkey.sh [SECONDS=60] [SEED] - the monkey test of issue 14:
# random keys, resizes and mouse events against vmmc (meant for the ASan +
# UBSan build, VMMC_BIN=build-asan/vmmc) in a private tmux, on the shipped
# demo host plus a test-driver host (test:///default). Ends with
# "monkey: N passed, M failed".
#
# The events: every key of the action table (`vmmc --dump-keys tsv`, so new
# actions join by themselves) but the quitting ones, plus F1..F11, Escape,
# Tab, Shift-Tab, Enter, Space, Backspace, the arrows, PgUp/PgDn, Home/End,
# letters, digits and a few bytes of text; terminal resizes (40x10, 80x24,
# 100x30, 120x40 and random sizes from 20x5 to 200x60); mouse clicks (left,
# middle, right, anywhere) and wheel steps. Dialogs and wizards open as the
# keys fall (New VM, Add Host, Settings, Upload, menus...). Every 100 events
# the program must still run (a clean exit, status 0 and the terminal
# restored, is allowed: the menu holds Quit; it is started again) and have
# written no sanitizer report. At the end: Escape until the tree, q, exit
# status 0, the terminal restored (alternate screen, mouse, keypad, cursor;
# the tty back in canonical mode with echo), no ASan/UBSan/LSan report.
#
# The seed (SEED, else $VMMC_MONKEY_SEED, else random) is printed first: the
# same seed gives the same events in the same order (timing aside). Each
# event is logged to the test folder's events file (VMMC_KEEP=1 keeps it).
# The editor for "Edit XML" is `true` (no change); nothing else is run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/soak/stty.sh
. "$here/stty.sh"
TM_SUITE=monkey

MK_SECONDS=${1:-60}
MK_SEED=${2:-${VMMC_MONKEY_SEED:-$(((RANDOM << 15) | RANDOM))}}
case "$MK_SECONDS$MK_SEED" in
*[!0-9]*) echo "usage: $0 [SECONDS] [SEED]" >&2; exit 2 ;;
esac
VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build-asan/vmmc}
export VMMC_BIN
case $VMMC_BIN in
*build-asan*) VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-3} ;;
esac
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-1}
# leaks count too (LSan runs at exit), and a report ends the program
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export TM_TEST_TIMEOUT=$((MK_SECONDS + 180))

MK_KEYS=()   # tmux key names (send-keys)
MK_TEXT=()   # literal characters (send-keys -l)
MK_RUNS=0
MK_EVENTS=0

# tmux name of one key as the action table spells it; empty: leave it out
mk_key_name() {
	case $1 in
	q | F12 | KP-Enter) ;; # quit; the keypad's Enter is Enter
	Insert) echo IC ;;
	Delete) echo DC ;;
	PgUp) echo PPage ;;
	PgDn) echo NPage ;;
	Shift-PgUp) echo S-PPage ;;
	Shift-Tab) echo BTab ;;
	Ctrl-?) echo "C-$(printf '%s' "${1#Ctrl-}" | tr '[:upper:]' '[:lower:]')" ;;
	F[0-9]* | Up | Down | Left | Right | Home | End | Tab | Enter | Escape) echo "$1" ;;
	?) echo "=$1" ;; # one character: sent literally
	esac
}

mk_tables() {
	local keys k n
	while IFS=$'\t' read -r _ keys _; do
		[ "$keys" != keys ] || continue
		while IFS= read -r k; do
			n=$(mk_key_name "$k")
			case $n in
			'') ;;
			=*) MK_TEXT+=("${n#=}") ;;
			*) MK_KEYS+=("$n") ;;
			esac
		done < <(printf '%s\n' "$keys" | sed 's/, /\n/g')
	done < <("$VMMC_BIN" --dump-keys tsv)
	if [ "${#MK_KEYS[@]}" -le 10 ] || [ "${#MK_TEXT[@]}" -le 20 ]; then
		tm_fail "the key table (--dump-keys tsv) gave ${#MK_KEYS[@]} keys, ${#MK_TEXT[@]} letters"
	fi
	MK_KEYS+=(F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 Escape Escape Tab BTab Enter Enter Space BSpace
		Up Down Left Right Up Down PPage NPage Home End M-n M-s M-f C-u C-r C-l)
	MK_TEXT+=(a e z 0 1 5 9 / . - _ ' ' x M G k)
}

# start vmmc: the demo host and a test-driver host, a short refresh
mk_start() {
	MK_RUNS=$((MK_RUNS + 1))
	rm -f "$TM_TESTDIR/stty"
	tm_start -x 100 -y 30 --env VISUAL=true --env EDITOR=true -- "$here/stty-after.sh" "$TM_TESTDIR/stty" \
		"$VMMC_BIN" --log "$TM_TESTDIR/vmmc.log" -d 1 --demo test:///default
	tm_wait_for "2/2 connected" 30
	MK_W=100 MK_H=30
}

# the program ended: fine only if it quit cleanly (the menu has Quit)
mk_check_alive() {
	local st
	tm_alive && return 0
	st=$(tm_exit_status 10) || st=unknown
	[ "$st" = 0 ] || { tail -n 20 "$TM_TESTDIR/events" >&2; tm_fail "vmmc exited with status $st at event $MK_EVENTS (seed $MK_SEED)"; }
	tm_term_restored || tm_fail "terminal not restored after a quit at event $MK_EVENTS (seed $MK_SEED)"
	mk_stty_sane
	echo "  quit through the menu at event $MK_EVENTS: started again" >&2
	mk_start
}

mk_no_reports() {
	local f
	for f in "$TM_TESTDIR"/asan.*; do
		[ -e "$f" ] || continue
		tail -n 20 "$TM_TESTDIR/events" >&2
		tm_fail "a sanitizer report ($f) by event $MK_EVENTS (seed $MK_SEED)"
	done
}

mk_event() {
	local r=$((RANDOM % 100)) k x y
	case $r in
	[0-9] | [1-4][0-9]) # keys of the action table and moving around
		k=${MK_KEYS[RANDOM % ${#MK_KEYS[@]}]}
		echo "key $k" >>"$TM_TESTDIR/events"
		tm_keys "$k" ;;
	[5-7][0-9]) # letters (actions, or text in a field)
		k=${MK_TEXT[RANDOM % ${#MK_TEXT[@]}]}
		echo "text '$k'" >>"$TM_TESTDIR/events"
		tm_type "$k" ;;
	8[0-3]) # resizes
		case $((RANDOM % 6)) in
		0) MK_W=40 MK_H=10 ;;
		1) MK_W=80 MK_H=24 ;;
		2) MK_W=100 MK_H=30 ;;
		3) MK_W=120 MK_H=40 ;;
		*) MK_W=$((20 + RANDOM % 181)) MK_H=$((5 + RANDOM % 56)) ;;
		esac
		echo "resize ${MK_W}x$MK_H" >>"$TM_TESTDIR/events"
		tm_resize "$MK_W" "$MK_H" >/dev/null 2>&1 || true ;;
	8[4-9] | 9[0-5]) # clicks: left mostly, double clicks too
		x=$((1 + RANDOM % MK_W)) y=$((1 + RANDOM % MK_H))
		k=$((RANDOM % 8))
		case $k in 5) k=1 ;; 6) k=2 ;; *) k=0 ;; esac
		echo "click $k $x $y" >>"$TM_TESTDIR/events"
		tm_click -b "$k" "$x" "$y" 2>/dev/null || true
		[ $((RANDOM % 4)) != 0 ] || tm_click -b "$k" "$x" "$y" 2>/dev/null || true ;;
	*) # the wheel
		x=$((1 + RANDOM % MK_W)) y=$((1 + RANDOM % MK_H))
		k=$([ $((RANDOM % 2)) = 0 ] && echo up || echo down)
		echo "wheel $k $x $y" >>"$TM_TESTDIR/events"
		tm_wheel "$k" "$x" "$y" 2>/dev/null || true ;;
	esac
	MK_EVENTS=$((MK_EVENTS + 1))
}

# Escape until no dialog is left, then q (a question about a running job or
# a console in full screen gets its answer); the exit is clean
mk_quit() {
	local st i
	tm_resize 100 30 >/dev/null 2>&1 || true
	for ((i = 0; i < 20; i++)); do
		tm_alive || break
		tm_keys C-] Escape Escape Escape
		sleep 0.3
		tm_keys q
		sleep 0.5
		tm_alive || break
		# a question ("Quit while ... ?") takes y
		tm_keys y
		sleep 0.3
	done
	st=$(tm_exit_status 20) || tm_fail "vmmc does not quit (seed $MK_SEED)"
	[ "$st" = 0 ] || tm_fail "exit status $st at the end (seed $MK_SEED)"
	tm_term_restored || tm_fail "terminal not restored (seed $MK_SEED)"
	mk_stty_sane
}

mk_stty_sane() {
	stty_sane "$TM_TESTDIR/stty" || tm_fail "the tty was left in a wrong mode (seed $MK_SEED)"
}

t_monkey() {
	local end
	echo "  seed $MK_SEED (replay: VMMC_BIN=$VMMC_BIN $0 $MK_SECONDS $MK_SEED)" >&2
	RANDOM=$MK_SEED
	mk_tables
	: >"$TM_TESTDIR/events"
	mk_start
	end=$((SECONDS + MK_SECONDS))
	while [ "$SECONDS" -lt "$end" ]; do
		mk_event
		if [ $((MK_EVENTS % 100)) = 0 ]; then
			mk_check_alive
			mk_no_reports
		fi
	done
	mk_check_alive
	mk_quit
	mk_no_reports
	echo "  $MK_EVENTS events in $MK_SECONDS s, $MK_RUNS run(s) of vmmc, seed $MK_SEED" >&2
	mk_seen
}

# which dialogs, wizards and views the run drew (from the output bytes)
mk_seen() {
	local t seen="" n=0
	for t in "Add Host" "New Group" "New Virtual Machine" "Quick Create" "Settings" "Upload to Volume" \
		"Download Volume" "New Volume" "New Storage Pool" "New Virtual Network" "Host Properties" \
		"Transfers" "Help: keys" "Performance" "Delete" "Turn Off" "terminal too small" "Integration"; do
		if grep -aqF -- "$t" "$TM_TESTDIR"/output.* 2>/dev/null; then
			seen="$seen${seen:+, }$t"
			n=$((n + 1))
		fi
	done
	echo "  drawn ($n of 18): $seen" >&2
}

trap 'tm_sweep' EXIT
trap 'tm_interrupt; exit 130' INT TERM
echo "monkey: seed $MK_SEED, $MK_SECONDS s, $VMMC_BIN"
run_tests t_monkey
