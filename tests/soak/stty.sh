# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/soak/stty.sh - source it: stty_sane FILE waits (5 s at most) for the
# `stty -a` that tests/soak/stty-after.sh wrote after vmmc exited, and is
# true when the tty is as `stty sane` leaves it in the modes a program like
# vmmc changes: canonical input, echo, signals, CR->NL on input, output
# post-processing with NL->CRNL. Prints what is wrong.
stty_sane() {
	local f=$1 m
	for _ in $(seq 50); do
		[ -s "$f" ] && break
		sleep 0.1
	done
	if [ ! -s "$f" ]; then
		echo "  no stty -a after the exit ($f)" >&2
		return 1
	fi
	for m in icanon echo isig icrnl opost onlcr; do
		if ! grep -qE "(^|[ ;])$m([ ;]|\$)" "$f"; then
			echo "  the tty is left with -$m:" >&2
			cat "$f" >&2
			return 1
		fi
	done
}
