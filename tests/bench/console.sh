#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/console.sh [VMMC_BIN] - serial console figures, vmmc side by
# side with `virsh console`, same run, same tiny guest (tests/guest/):
#   - throughput: the guest prints about 10 MB to its console; time from the
#     Enter that starts it until the end marker shows (target: vmmc >= 0.9x
#     virsh's bytes/s);
#   - keystroke echo: '@' typed, time until the guest's echo shows, median of
#     30 (target: vmmc adds < 5 ms).
# Both clients run in a pseudo-terminal driven by tests/bench/con_bench.c,
# which reads their output at once. Root (starts libvirtd if needed). The
# one domain it makes, vmmc-test-<pid>-bench, is destroyed and undefined.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"

bin=${1:-$root/build/vmmc}
MB=${VMMC_BENCH_CONSOLE_MB:-10}
ECHOES=${VMMC_BENCH_ECHOES:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-con.XXXXXX")
cleanup() {
	set +e
	lv_cleanup_vms
	lv_down
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$bin" ] || { echo "console bench: $bin is missing (make)" >&2; exit 1; }
cc -O2 -Wall -o "$tmp/con_bench" "$here/con_bench.c" -lutil
lv_up
"$root/tests/guest/build.sh" >/dev/null
n=$(lv_name bench)
"$root/tests/guest/domain.sh" "$n" >"$tmp/dom.xml"
lv_virsh define "$tmp/dom.xml" >/dev/null
lv_virsh start "$n" >/dev/null
sleep 8 # boot (TCG)

bytes=$((MB * 1000000))
# 100-byte lines; the marker's text differs from the command's echo
gen="yes 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstu | head -c $bytes; echo; echo DONE-\$((1+1))tok\\r"
ready=(-k '\r' -q 500 -r 'echo ok$((2+3))\r' ok5 30)

run_virsh() {
	"$tmp/con_bench" -w 'Escape character' 20 "${ready[@]}" -t "$gen" DONE-2tok -l "$ECHOES" -- \
		virsh -c "$LV_URI" console "$n"
}

run_vmmc() {
	"$tmp/con_bench" -w connected 30 -k / -k "$n" -k '\r' -q 300 -k '\r' -q 1500 \
		"${ready[@]}" -t "$gen" DONE-2tok -l "$ECHOES" -- \
		env HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" "$bin" -c "$LV_URI"
}

get() { # get KEY FILE
	sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" | head -n 1
}

run_virsh >"$tmp/virsh.out"
run_vmmc >"$tmp/vmmc.out"
echo "virsh console: $(tr '\n' ' ' <"$tmp/virsh.out")"
echo "vmmc:          $(tr '\n' ' ' <"$tmp/vmmc.out")"

vt=$(get elapsed_ms "$tmp/virsh.out")
mt=$(get elapsed_ms "$tmp/vmmc.out")
ve=$(get echo_ms_median "$tmp/virsh.out")
me=$(get echo_ms_median "$tmp/vmmc.out")
vp=$(get echo_ms_p90 "$tmp/virsh.out")
mp=$(get echo_ms_p90 "$tmp/vmmc.out")
awk -v mb="$MB" -v vt="$vt" -v mt="$mt" -v ve="$ve" -v me="$me" -v vp="$vp" -v mp="$mp" 'BEGIN {
	vr = mb / (vt / 1000); mr = mb / (mt / 1000); ratio = mr / vr; add = me - ve
	ok1 = (ratio >= 0.9) ? "OK" : "MISSED"; ok2 = (add < 5) ? "OK" : "MISSED"
	printf "console throughput (%d MB to the guest console): virsh console %.2f MB/s (%.1f s)  vmmc %.2f MB/s (%.1f s)  ratio %.2f (target >= 0.90) %s\n",
		mb, vr, vt / 1000, mr, mt / 1000, ratio, ok1
	printf "console keystroke echo (median of N, p90): virsh console %.2f ms (%.2f)  vmmc %.2f ms (%.2f)  added %.2f ms (target < 5) %s\n",
		ve, vp, me, mp, add, ok2
}' | sed "s/of N/of $ECHOES/"
