#!/bin/sh
# tests/run-unit.sh BIN... - run cmocka test binaries; fail if any fails.
fail=0; n=0
for t in "$@"; do
	n=$((n + 1))
	echo "== $t"
	if ! "$t"; then echo "FAILED: $t"; fail=$((fail + 1)); fi
done
echo "unit: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
