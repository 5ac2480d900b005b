#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/run.sh SECONDS BIN... - run each libFuzzer target (built by
# `make fuzz-build`) over its seed corpus tests/fuzz/corpus/NAME/ and then
# for SECONDS more. New inputs go to a scratch corpus (removed after);
# a crash is kept as build-fuzz/fuzz/crashes/NAME-crash-* with its log.
# Prints per target: runs, executions per second, new inputs; closes with
# "fuzz: N passed, M failed".
secs=${1:?seconds}
shift
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-fuzz-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
pass=0
fail=0
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	seeds="$here/corpus/$name"
	crashes=$(dirname "$bin")/crashes
	mkdir -p "$work/$name" "$work/tmp" "$crashes"
	log="$crashes/$name.log"
	start=$(date +%s)
	TMPDIR="$work/tmp" "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$crashes/$name-" \
		"$work/$name" "$seeds" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(find "$work/$name" -type f | wc -l)
	nseed=$(find "$seeds" -type f | wc -l)
	if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		pass=$((pass + 1))
		echo "fuzz $name: ok, $nseed seeds, ${runs:-?} runs in $((end - start)) s, ${eps:-?} exec/s, $new new inputs"
		rm -f "$log"
	else
		fail=$((fail + 1))
		echo "fuzz $name: FAILED (exit $rc) after $((end - start)) s; log: $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -8
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
