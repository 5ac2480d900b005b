#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/stats.sh [BIN] - live figures, measured. Prints figures; fails
# nothing (exit status 0 unless something could not run).
#
# 1. A 10,000-domain test-driver host (tests/bench/gen-host.sh), the console
#    in tmux at 120x40 refreshing every 0.2 s for 100 ticks: the UI thread's
#    time per tick (VMMC_BENCH_STATS) and the process's RSS after the first
#    ticks, at the end, and its peak (VmHWM).
# 2. With at least 8 real TCG guests (tests/guest/, named vmmc-test-<pid>-*,
#    removed at exit) on qemu:///system, the same run of ticks at 2 s:
#      a. vmmc --batch: one bulk call per host per tick;
#      b. a loop calling `virsh domstats DOM` per domain per tick (what
#         per-VM pollers do);
#    CPU time per tick of the client and of libvirtd for each; then
#      c. the console itself (in tmux) for 30 s at 2 s: its CPU use as a
#         share of one core (target: under 1 %).
# Part 2 needs root and runs only when libvirtd can be started; skip it with
# VMMC_BENCH_GUESTS=0. Knobs: VMMC_BENCH_VMS (10000), VMMC_BENCH_GUESTS (8),
# VMMC_BENCH_TICKS (10, for part 2).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
nvms=${VMMC_BENCH_VMS:-10000}
nguests=${VMMC_BENCH_GUESTS:-8}
gticks=${VMMC_BENCH_TICKS:-10}
[ -x "$bin" ] || { echo "bench stats: $bin is not an executable" >&2; exit 1; }

# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-stats.XXXXXX")
sock=vmmc-bench-stats-$$
cleanup() {
	set +e
	tmux -L "$sock" kill-server 2>/dev/null
	if [ "${guests_up:-0}" = 1 ]; then
		lv_cleanup_vms
		lv_down
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home" "$tmp/config"
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config" "LANG=C.UTF-8"
	"TERM=xterm-256color")

clk=$(getconf CLK_TCK)
# CPU time of a process in ms (utime + stime)
cpu_ms() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	st=${st##*) }
	read -r -a f <<<"$st"
	echo $(((f[11] + f[12]) * 1000 / clk))
}
rss_kib() {
	awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}
# the program run by tmux's pane (the pane runs `exec`: same pid)
pane_pid() {
	tmux -L "$sock" display -p -t main: '#{pane_pid}'
}
field() {
	sed -n "s/^$1=//p" "$2"
}

# ---- 1. 10,000 domains --------------------------------------------------------
echo "bench stats: 1. $nvms domains (test driver), console at 120x40, 100 ticks of 0.2 s"
"$root/tests/bench/gen-host.sh" "$nvms" "$tmp/host.xml"
tmux -L "$sock" -f /dev/null new -d -s main -x 120 -y 40 \
	"exec ${cleanenv[*]} VMMC_BENCH_STATS=$tmp/ui.stats $bin -c test://$tmp/host.xml -n 100 -d 0.2"
pid=$(pane_pid)
rss_first= rss_last=0 hwm=0
t0=$(date +%s)
while kill -0 "$pid" 2>/dev/null && [ "$(($(date +%s) - t0))" -lt 120 ]; do
	r=$(rss_kib "$pid" VmRSS)
	h=$(rss_kib "$pid" VmHWM)
	[ -n "$r" ] && [ "$r" != 0 ] || break
	rss_last=$r
	hwm=$h
	# "after the first ticks": 5 s in (the host opens in about 2 s, then ~15 ticks)
	if [ -z "$rss_first" ] && [ "$(($(date +%s) - t0))" -ge 5 ]; then
		rss_first=$r
	fi
	sleep 0.25
done
tmux -L "$sock" kill-server 2>/dev/null || true
if [ -s "$tmp/ui.stats" ]; then
	frames=$(field frames "$tmp/ui.stats")
	passes=$(field passes "$tmp/ui.stats")
	avg=$(field ui_us_avg "$tmp/ui.stats")
	max=$(field ui_us_max "$tmp/ui.stats")
	per_tick=$(awk -v a="$avg" -v p="$passes" -v f="$frames" 'BEGIN {printf "%.0f", f ? a * p / f : 0}')
	echo "  ticks=$frames ui_passes=$passes ui_us_per_tick=$per_tick ui_us_per_pass_avg=$avg ui_us_per_pass_max=$max"
	echo "  first frame after $(field first_frame_ms "$tmp/ui.stats") ms"
else
	echo "  (no UI stats written: the run did not finish)"
fi
echo "  rss_kib_after_first_ticks=${rss_first:-?} rss_kib_last=$rss_last peak_rss_kib=$hwm" \
	"growth_kib=$((rss_last - ${rss_first:-$rss_last}))"

# ---- 2. real guests -------------------------------------------------------------
if [ "$nguests" -lt 1 ] || [ "$(id -u)" != 0 ]; then
	echo "bench stats: 2. skipped (VMMC_BENCH_GUESTS=0 or not root)"
	exit 0
fi
echo "bench stats: 2. $nguests TCG guests on $LV_URI, $gticks ticks of 2 s"
lv_up || { echo "  libvirtd could not be started: skipped"; exit 0; }
guests_up=1
"$root/tests/guest/build.sh" >/dev/null
names=()
for ((i = 1; i <= nguests; i++)); do
	n=$(lv_name "b$i")
	"$root/tests/guest/domain.sh" "$n" --mem 96 >"$tmp/g$i.xml"
	lv_virsh define "$tmp/g$i.xml" >/dev/null
	lv_virsh start "$n" >/dev/null
	names+=("$n")
done
for n in "${names[@]}"; do lv_wait_state "$n" running 60; done
sleep 15 # the boots' CPU burst passes
ndoms=$(lv_virsh list --uuid | grep -c . || true)
lpid=$(lv_libvirtd_pid)

# a. vmmc --batch
l0=$(cpu_ms "$lpid")
TIMEFORMAT='%U %S %R'
{ time "${cleanenv[@]}" "$bin" --batch -c "$LV_URI" --iterations "$gticks" --delay 2 >"$tmp/batch.csv" 2>/dev/null; } 2>"$tmp/batch.time"
l1=$(cpu_ms "$lpid")
read -r u s r <"$tmp/batch.time"
vm_client=$(awk -v u="$u" -v s="$s" -v t="$gticks" 'BEGIN {printf "%.1f", (u + s) * 1000 / (t + 1)}')
vm_daemon=$(awk -v d="$((l1 - l0))" -v t="$gticks" 'BEGIN {printf "%.1f", d / (t + 1)}')
echo "  a. vmmc --batch ($ndoms running domains on the host, all read): client ${vm_client} ms CPU/tick," \
	"libvirtd ${vm_daemon} ms CPU/tick (wall ${r} s, $(($(wc -l <"$tmp/batch.csv") - 1)) records)"

# b. virsh domstats per domain per tick, same guests, same cadence
l0=$(cpu_ms "$lpid")
{ time (
	for ((t = 0; t <= gticks; t++)); do
		start=$(date +%s%N)
		for n in "${names[@]}"; do
			virsh -q -c "$LV_URI" domstats --raw "$n" >/dev/null
		done
		left=$((2000000000 - ($(date +%s%N) - start)))
		[ "$left" -le 0 ] || sleep "$(awk -v l="$left" 'BEGIN {printf "%.3f", l / 1e9}')"
	done
); } 2>"$tmp/virsh.time"
l1=$(cpu_ms "$lpid")
read -r u s r <"$tmp/virsh.time"
vs_client=$(awk -v u="$u" -v s="$s" -v t="$gticks" 'BEGIN {printf "%.1f", (u + s) * 1000 / (t + 1)}')
vs_daemon=$(awk -v d="$((l1 - l0))" -v t="$gticks" 'BEGIN {printf "%.1f", d / (t + 1)}')
echo "  b. virsh domstats per domain ($nguests domains): client ${vs_client} ms CPU/tick," \
	"libvirtd ${vs_daemon} ms CPU/tick (wall ${r} s)"
awk -v a="$vm_client" -v b="$vs_client" -v c="$vm_daemon" -v d="$vs_daemon" 'BEGIN {
	printf "     per tick, virsh loop / vmmc: client CPU %.1fx, libvirtd CPU %.1fx (libvirtd also serves other clients)\n",
		(a > 0 ? b / a : 0), (c > 0 ? d / c : 0) }'

# c. the console, idle, at 2 s
tmux -L "$sock" -f /dev/null new -d -s main -x 120 -y 40 "exec ${cleanenv[*]} $bin -c $LV_URI -d 2"
pid=$(pane_pid)
sleep 6 # connected, listed, first readings
c0=$(cpu_ms "$pid")
w0=$(date +%s%N)
sleep 30
c1=$(cpu_ms "$pid")
w1=$(date +%s%N)
tmux -L "$sock" kill-server 2>/dev/null || true
awk -v c="$((c1 - c0))" -v w="$(((w1 - w0) / 1000000))" 'BEGIN {
	printf "  c. console idle at 2 s: %d ms CPU in %d ms = %.2f %% of one core (target < 1 %%)\n", c, w, c * 100 / w }'
