#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/run-unit.sh BIN... - run cmocka test binaries; fail if any fails.
# Binaries named test_*_real talk to a real libvirtd: it is started first
# (tests/lib/libvirtd.sh; stopped again only if this script started it), and
# VMMC_REQUIRE_LIBVIRTD=1 tells them that a missing daemon is a failure,
# not a skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
fail=0; n=0; pid=0 rc=0 lv=
reports=$(mktemp -d /tmp/vmmc-unit-reports.XXXXXX)
cleanup() {
	rm -rf "$reports"
	[ -z "$lv" ] || { lv_cleanup_vms >/dev/null 2>&1; lv_down; }
}
trap cleanup EXIT
case " $* " in
*_real\ *)
	# shellcheck source=tests/lib/libvirtd.sh
	. "$here/lib/libvirtd.sh"
	lv=1
	lv_up || { echo "unit: cannot start libvirtd"; exit 1; }
	export VMMC_REQUIRE_LIBVIRTD=1
	;;
esac
# sweep BIN PID: a test binary killed before its teardown (a timeout, a
# crash) leaves what it made; each names it with its pid: test_storage_real
# vmmc-st-PID-* (VMs, pools and their volumes, networks) and
# /tmp/vmmc-st-PID.*; test_remote and test_backend_real a loopback sshd
# and ssh-agent (/tmp/vmmc-rmtest-PID-*/..., /tmp/vmmc-bereal-PID-*/...) and
# test_remote its password user vmmctPID
sweep() {
	local t=$1 pid=$2 d
	case $t in
	*_real)
		lv_sweep "vmmc-st-$pid-" || true
		awk -v d="/tmp/vmmc-st-$pid." 'index($2, d) == 1 {print $2}' /proc/mounts |
			xargs -r -n1 umount 2>/dev/null || true
		rm -rf /tmp/vmmc-st-"$pid".*
		;;
	esac
	for d in /tmp/vmmc-rmtest-"$pid"-* /tmp/vmmc-bereal-"$pid"-*; do
		[ -d "$d" ] || continue
		pkill -f -- "$d/" || true # its sshd (-f DIR/...), its ssh-agent (-a DIR/...)
		rm -rf "$d"
	done
	"$here/remote/sshd.sh" user-del "vmmct$pid"
}

# A sanitizer's report goes to a file of its own (its processes' too: a
# test may run itself again): printed in full after the test, and its first
# lines and stack frames again before the summary, where the end of a long
# log (all a CI page may show) still has them.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$reports/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$reports/ubsan:print_stacktrace=1"
brief=
for t in "$@"; do
	n=$((n + 1))
	echo "== $t"
	"$t" &
	pid=$!
	wait "$pid"
	rc=$?
	for f in "$reports"/*; do
		[ -f "$f" ] || continue
		echo "-- ${f##*/} (the sanitizer's report):"
		cat "$f"
		brief+="$t, ${f##*/}:"$'\n'$(grep -E '^(==[0-9]+==ERROR|SUMMARY|[^ ].*runtime error)|^ +#[0-9] |^[A-Za-z].* by thread|^freed by|^previously allocated' "$f" | head -40)$'\n'
		rm -f "$f"
		[ "$rc" != 0 ] || rc=1
	done
	if [ "$rc" != 0 ]; then
		sweep "$t" "$pid"
		echo "FAILED: $t"
		fail=$((fail + 1))
	fi
done
if [ -n "$brief" ]; then
	echo "== the sanitizers' reports, in brief (in full above):"
	printf "%s" "$brief"
fi
echo "unit: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
