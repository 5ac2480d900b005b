#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/run.sh [BIN] - `make bench`: vmmc side by side with virsh on a
# libvirt test-driver host of 10,000 domains (tests/bench/gen-host.sh).
#   virsh -c test:///H list --all               (stdout to /dev/null)
#   vmmc  -c test:///H --max-iterations 1       (in a 120x40 pty: start to
#                                                first complete frame)
# wall time (median and min of 5 runs) and peak RSS, with the ratios against
# the targets (vmmc <= 1.1x virsh wall, <= 1.5x RSS); then the UI thread's
# time per refresh (VMMC_BENCH_STATS) over --max-iterations 20 -d 0.1.
# Prints figures, passes or fails nothing: exit status 0 unless something
# could not run. BIN defaults to $VMMC_BIN, else build/vmmc.
# Knobs: VMMC_BENCH_VMS (10000), VMMC_BENCH_RUNS (5), VMMC_BENCH_GEN (generator).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
nvms=${VMMC_BENCH_VMS:-10000}
runs=${VMMC_BENCH_RUNS:-5}
gen=${VMMC_BENCH_GEN:-$root/tests/bench/gen-host.sh}
size=120x40
runstat=$root/build/runstat

die() {
	echo "bench: $*" >&2
	if [ -s "${tmp:-/nonexistent}/tty.out" ]; then
		echo "bench: the program's last screen output (escapes removed):" >&2
		sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][0-9A-Za-z]//g; s/\x1b[=>]//g' "$tmp/tty.out" |
			tr '\r' '\n' | grep -v '^[[:space:]]*$' | tail -n 20 >&2
	fi
	exit 1
}

[ -x "$bin" ] || die "$bin is not an executable (make builds it)"
[ -x "$gen" ] || die "$gen is missing"
command -v virsh >/dev/null || die "virsh is not installed"
mkdir -p "$root/build"
cc -O2 -Wall -o "$runstat" "$root/tests/bench/runstat.c" -lutil || die "cannot build runstat"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/config" "$tmp/cache" "$tmp/state"
"$gen" "$nvms" "$tmp/host.xml" || die "$gen failed"
uri="test://$tmp/host.xml"

# the same clean environment for both programs (no user config for vmmc)
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config"
	"XDG_CACHE_HOME=$tmp/cache" "XDG_STATE_HOME=$tmp/state" "LANG=C.UTF-8"
	"TERM=xterm-256color")

# field NAME LINE: the value of NAME=... in a runstat / stats line
field() {
	local kv
	local -a kvs
	read -r -a kvs <<<"$2"
	for kv in ${kvs[@]+"${kvs[@]}"}; do
		[ "${kv%%=*}" != "$1" ] || { echo "${kv#*=}"; return 0; }
	done
	echo "?"
}

echo "bench: $nvms domains (libvirt test driver), $runs runs each, vmmc in a $size pty"
virsh_out=$("$runstat" -n "$runs" -q -- "${cleanenv[@]}" virsh -c "$uri" list --all) ||
	die "virsh list failed: $virsh_out"
vmmc_out=$("$runstat" -n "$runs" -t "$size" -o "$tmp/tty.out" -- "${cleanenv[@]}" \
	"VMMC_BENCH_STATS=$tmp/stats1" "$bin" -c "$uri" --max-iterations 1) ||
	die "vmmc --max-iterations 1 failed: $vmmc_out"
ui_out=$("$runstat" -n 1 -t "$size" -o "$tmp/tty.out" -- "${cleanenv[@]}" \
	"VMMC_BENCH_STATS=$tmp/stats20" "$bin" -c "$uri" --max-iterations 20 -d 0.1) ||
	die "vmmc --max-iterations 20 failed: $ui_out"
stats1=$(tr '\n' ' ' <"$tmp/stats1" 2>/dev/null) || stats1=
stats20=$(tr '\n' ' ' <"$tmp/stats20" 2>/dev/null) || stats20=

awk -v vmed="$(field median_ms "$virsh_out")" -v vmin="$(field min_ms "$virsh_out")" \
	-v vrss="$(field maxrss_kib "$virsh_out")" \
	-v mmed="$(field median_ms "$vmmc_out")" -v mmin="$(field min_ms "$vmmc_out")" \
	-v mrss="$(field maxrss_kib "$vmmc_out")" '
function verdict(r, t) { return r <= t ? "ok" : "OVER" }
BEGIN {
	printf "%-36s %12s %10s %12s\n", "", "wall median", "wall min", "peak RSS"
	printf "%-36s %9.0f ms %7.0f ms %8.1f MiB\n", "virsh list --all", vmed, vmin, vrss / 1024
	printf "%-36s %9.0f ms %7.0f ms %8.1f MiB\n", "vmmc --max-iterations 1", mmed, mmin, mrss / 1024
	rw = mmed / vmed; rr = mrss / vrss
	printf "%-36s %11.2fx %10s %11.2fx\n", "vmmc / virsh", rw, "", rr
	printf "%-36s %12s %10s %12s\n", "target", "<= 1.10x", "", "<= 1.50x"
	printf "%-36s %12s %10s %12s\n", "", verdict(rw, 1.10), "", verdict(rr, 1.50)
}'
echo "vmmc first frame (VMMC_BENCH_STATS, last run): $(field first_frame_ms "$stats1") ms"
echo "vmmc UI thread per refresh at $nvms VMs (--max-iterations 20 -d 0.1):" \
	"avg $(field ui_us_avg "$stats20") us, max $(field ui_us_max "$stats20") us," \
	"$(field frames "$stats20") frames, $(field median_ms "$ui_out") ms in all"
# the same in the UI thread's own CPU time (clock_gettime THREAD_CPUTIME):
# what the thread did, without the time other processes took the CPU from it
echo "vmmc UI thread CPU per pass at $nvms VMs: avg $(field ui_cpu_us_avg "$stats20") us," \
	"max $(field ui_cpu_us_max "$stats20") us (targets: avg <= 641 us, max < 2000 us)"
