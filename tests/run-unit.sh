#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/run-unit.sh BIN... - run cmocka test binaries; fail if any fails.
# Binaries named test_*_real talk to a real libvirtd: it is started first
# (tests/lib/libvirtd.sh; stopped again only if this script started it), and
# VMMC_REQUIRE_LIBVIRTD=1 tells them that a missing daemon is a failure,
# not a skip.
set -u
here=$(cd "$(dirname "$0")" && pwd)
fail=0; n=0; pid=0 rc=0
case " $* " in
*_real\ *)
	# shellcheck source=tests/lib/libvirtd.sh
	. "$here/lib/libvirtd.sh"
	trap 'lv_cleanup_vms >/dev/null 2>&1; lv_down' EXIT
	lv_up || { echo "unit: cannot start libvirtd"; exit 1; }
	export VMMC_REQUIRE_LIBVIRTD=1
	;;
esac
for t in "$@"; do
	n=$((n + 1))
	echo "== $t"
	"$t" &
	pid=$!
	wait "$pid"
	rc=$?
	# a real-daemon binary killed before its teardown: what it named with
	# its pid goes (test_storage_real: vmmc-st-<pid>-*, /tmp/vmmc-st-<pid>.*)
	case $t in
	*_real)
		if [ "$rc" != 0 ]; then
			lv_sweep "vmmc-st-$pid-" || true
			awk -v d="/tmp/vmmc-st-$pid." 'index($2, d) == 1 {print $2}' /proc/mounts |
				xargs -r -n1 umount 2>/dev/null || true
			rm -rf /tmp/vmmc-st-"$pid".*
		fi
		;;
	esac
	if [ "$rc" != 0 ]; then echo "FAILED: $t"; fail=$((fail + 1)); fi
done
echo "unit: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
