#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/hosts.sh [BIN] - `make bench`: many hosts in one tree (issue
# 14). A config of N hosts on the libvirt test driver (in-process: no
# daemon, test:///default?name=hNNNNN, 10 groups; tests/bench/gen-hosts-conf.sh)
# for N = 1, 10, 100, 300, 1000 ($VMMC_BENCH_HOSTS):
#   vmmc --max-iterations 1 in a 120x40 pty (runstat, median of $VMMC_BENCH_RUNS):
#     wall time to every host listed, peak RSS; from VMMC_BENCH_STATS the
#     first draw (the tree on screen) and the first complete frame
#   vmmc in tmux at the default 2 s refresh: a key (Tab: the focus moves) pressed as soon as
#     the tree shows, during the connect storm: ms until it is drawn (5 ms
#     capture polls); once all N show connected: CPU over 10 s (% of one
#     core), threads, descriptors, RSS
#   virsh, one process doing the same N connects: `virsh "connect U1; list
#     --all; connect U2; list --all; ..."` (sequential; wall, peak RSS)
# Prints figures, passes or fails nothing; exit status 0 unless something
# could not run. BIN defaults to $VMMC_BIN, else build/vmmc.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
counts=${VMMC_BENCH_HOSTS:-1 10 100 300 1000}
runs=${VMMC_BENCH_RUNS:-3}
runstat=$root/build/runstat
clk=$(getconf CLK_TCK)
sock=vmmc-bench-hosts-$$

die() {
	echo "bench hosts: $*" >&2
	exit 1
}

[ -x "$bin" ] || die "$bin is not an executable (make builds it)"
command -v virsh >/dev/null || die "virsh is not installed"
command -v tmux >/dev/null || die "tmux is not installed"
mkdir -p "$root/build"
cc -O2 -Wall -o "$runstat" "$root/tests/bench/runstat.c" -lutil || die "cannot build runstat"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-hosts.XXXXXX")
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/config/vmmc" "$tmp/cache" "$tmp/state"
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config"
	"XDG_CACHE_HOME=$tmp/cache" "XDG_STATE_HOME=$tmp/state" "LANG=C.UTF-8")

# field NAME LINE: the value of NAME=... in a runstat / stats line
field() { local v; v=$(sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" <<<"$2"); echo "${v:-?}"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
screen() { tmux -L "$sock" capture-pane -p -t bench 2>/dev/null; }
screen_e() { tmux -L "$sock" capture-pane -e -p -t bench 2>/dev/null; } # focus shows in attributes
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
status_of() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# one tmux run: key latency during the storm, then the idle figures
tmux_run() {
	local n=$1 t0 t_tree before t_key lat=? pid c1 c2 i
	tmux -L "$sock" kill-server 2>/dev/null || true
	t0=$(now_ms)
	tmux -L "$sock" -f /dev/null new -d -s bench -x 120 -y 40 \
		"${cleanenv[@]}" TERM=tmux-256color "$bin"
	tmux -L "$sock" set -g remain-on-exit on >/dev/null
	for ((i = 0; i < 2000; i++)); do
		screen | grep -q "Console Tree" && break
		sleep 0.005
	done
	t_tree=$(($(now_ms) - t0))
	before=$(screen_e)
	t_key=$(now_ms)
	tmux -L "$sock" send-keys -t bench Tab
	for ((i = 0; i < 400; i++)); do
		[ "$(screen_e)" = "$before" ] || { lat=$(($(now_ms) - t_key)); break; }
		sleep 0.005
	done
	for ((i = 0; i < 1200; i++)); do
		screen | grep -q "^ *$n/$n connected" && break
		sleep 0.05
	done
	t_all=$(($(now_ms) - t0))
	screen | grep -q "^ *$n/$n connected" || t_all="(not all: $(screen | tail -n 1 | cut -c1-20))"
	pid=$(tmux -L "$sock" display -p -t bench '#{pane_pid}')
	c1=$(ticks "$pid")
	sleep 10
	c2=$(ticks "$pid")
	idle=$(awk -v d=$((c2 - c1)) -v hz="$clk" 'BEGIN { printf "%.1f", 100 * d / hz / 10 }')
	threads=$(status_of "$pid" Threads)
	fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	rss=$(( $(status_of "$pid" VmRSS) / 1024 ))
	tmux -L "$sock" send-keys -t bench q
	for ((i = 0; i < 200; i++)); do
		[ "$(tmux -L "$sock" display -p -t bench '#{pane_dead}' 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	tmux -L "$sock" kill-server 2>/dev/null || true
	key_ms=$lat tree_ms=$t_tree
}

echo "bench hosts: N test-driver hosts in 10 groups; vmmc in a 120x40 pty ($runs runs) and in tmux; virsh one process, sequential"
printf "%6s | %9s %9s %9s %8s | %7s %8s %7s %5s %6s %6s | %9s %8s\n" hosts "tree ms" "listed" "wall ms" "RSS MiB" \
	"key ms" "all ms" "idle %" thr fds "RSS" "virsh ms" "RSS MiB"
for n in $counts; do
	"$root/tests/bench/gen-hosts-conf.sh" "$n" "$tmp/config/vmmc/config" 10
	out=$("$runstat" -n "$runs" -t 120x40 -k 120 -- "${cleanenv[@]}" TERM=xterm-256color \
		"VMMC_BENCH_STATS=$tmp/stats" "$bin" --max-iterations 1) || die "vmmc --max-iterations 1 failed ($n hosts): $out"
	stats=$(tr '\n' ' ' <"$tmp/stats")
	tmux_run "$n"
	cmds=
	for ((i = 1; i <= n; i++)); do
		cmds+="connect test:///default?name=h$(printf %05d "$i"); list --all; "
	done
	vout=$("$runstat" -n "$runs" -q -- "${cleanenv[@]}" virsh "$cmds") || die "virsh failed: $vout"
	printf "%6s | %9s %9s %9s %8.1f | %7s %8s %7s %5s %6s %6s | %9s %8.1f\n" "$n" \
		"$(field first_draw_ms "$stats")" "$(field first_frame_ms "$stats")" "$(field median_ms "$out")" \
		"$(awk -v k="$(field maxrss_kib "$out")" 'BEGIN { print k / 1024 }')" \
		"$key_ms" "$t_all" "$idle" "$threads" "$fds" "$rss" \
		"$(field median_ms "$vout")" "$(awk -v k="$(field maxrss_kib "$vout")" 'BEGIN { print k / 1024 }')"
done
echo "tree ms: first draw; listed: every host listed (first complete frame); key ms: a Tab pressed when the"
echo "tree shows, during the connect storm, until drawn; all ms: tmux start to N/N connected; idle: CPU over"
echo "10 s once connected at the 2 s refresh (% of one core); thr/fds/RSS then. Connects in flight at most"
echo "\$VMMC_CONNECT_MAX (default 8)."
