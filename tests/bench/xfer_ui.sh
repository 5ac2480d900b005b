#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/xfer_ui.sh [BIN] - `make bench`: the UI thread while a
# transfer runs, side by side with the same vmmc idle. vmmc (120x40, in a
# private tmux) on the local qemu:///system daemon and on an ssh:// host
# (a hermetic sshd on loopback, tests/lib/sshhost.sh), the Storage Pools
# view of a pool of the bench's own; for each:
#   idle      keys pressed (Down / Up in the list), nothing else running
#   transfer  a 1 GiB file uploaded through the Upload dialog, its progress
#             sent to the background (Escape), the same keys pressed
# From vmmc itself (VMMC_BENCH_STATS; SIGUSR1 writes a window's figures and
# begins the next): UI-thread wall and CPU time per drawn frame (avg, max,
# frames over 2 ms), and per key (poll's wake to the frame on the
# terminal); from outside, each key's round trip (tmux send-keys until the
# screen changed: includes tmux's own capture, ~2-5 ms). Targets: < 2 ms a
# frame, keys answered within 50 ms. Prints figures only.
# Knobs: VMMC_BENCH_XFER_MIB (1024), VMMC_BENCH_KEYS (30),
# VMMC_BENCH_UI_HOSTS ("local ssh").
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
mib=${VMMC_BENCH_XFER_MIB:-1024}
nkeys=${VMMC_BENCH_KEYS:-30}
uri=qemu:///system
pool=vmmc-bench-ui-$$
sock=vmmc-bench-ui-$$
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$root/tests/lib/sshhost.sh"

die() { echo "bench xfer-ui: $*" >&2; exit 1; }

[ -x "$bin" ] || die "$bin is not an executable (make builds it)"
command -v tmux >/dev/null || die "tmux is not installed"
lv_up || die "cannot start libvirtd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-ui.XXXXXX")
chmod 755 "$tmp"
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	for v in $(virsh -q -c "$uri" vol-list --pool "$pool" 2>/dev/null | awk '{print $1}'); do
		virsh -q -c "$uri" vol-delete --pool "$pool" "$v" >/dev/null 2>&1 || true
	done
	virsh -q -c "$uri" pool-destroy "$pool" >/dev/null 2>&1 || true
	virsh -q -c "$uri" pool-undefine "$pool" >/dev/null 2>&1 || true
	sh_down
	rm -rf "$tmp"
	lv_down
}
trap cleanup EXIT

virsh -q -c "$uri" pool-define-as "$pool" dir --target "$tmp/pool" >/dev/null || die "pool-define-as"
virsh -q -c "$uri" pool-build "$pool" >/dev/null || die "pool-build"
virsh -q -c "$uri" pool-start "$pool" >/dev/null || die "pool-start"
for i in 1 2 3 4 5; do # rows for the keys to move between
	virsh -q -c "$uri" vol-create-as "$pool" "row-$i.img" 1M --format raw >/dev/null || die "vol-create-as"
done
dd if=/dev/urandom of="$tmp/up.img" bs=1M count="$mib" status=none
sh_up "$tmp/sh" || die "cannot start the test sshd"
mkdir -p "$tmp/home" "$tmp/config" "$tmp/cache" "$tmp/state"

scr() { tmux -L "$sock" capture-pane -p -t bench; }
scr_e() { tmux -L "$sock" capture-pane -p -e -t bench; }
now_ms() { date +%s%3N; }
wait_for() { # TEXT SECONDS
	local i
	for ((i = 0; i < ${2:-20} * 20; i++)); do
		scr | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	die "no '$1' on the screen after ${2:-20} s: $(scr | tail -n 5)"
}
field() { sed -n "s/^$1=//p" "$2"; }

# key round trips: nkeys presses of Down / Up, each until the screen
# changed; "median max" in ms. Stops early when $1 (a file) exists.
keys() {
	local i k before t0 lat all=()
	for ((i = 0; i < nkeys; i++)); do
		[ -z "${1:-}" ] || [ ! -e "$1" ] || break
		k=Down
		[ $((i % 2)) = 0 ] || k=Up
		before=$(scr_e)
		t0=$(now_ms)
		tmux -L "$sock" send-keys -t bench "$k"
		lat=
		for ((j = 0; j < 400; j++)); do
			[ "$(scr_e)" = "$before" ] || { lat=$(($(now_ms) - t0)); break; }
			sleep 0.002
		done
		all+=("${lat:-2000}")
		sleep 0.1
	done
	printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d\n", v[int((NR + 1) / 2)], v[NR], NR; else print "- - 0" }'
}

# window NAME: SIGUSR1, the window's figures kept as $tmp/NAME.stats
window() {
	local i
	rm -f "$tmp/stats"
	kill -USR1 "$pid"
	for ((i = 0; i < 200; i++)); do
		[ -s "$tmp/stats" ] && grep -q '^key_us_max=' "$tmp/stats" && break
		sleep 0.02
	done
	cp "$tmp/stats" "$tmp/$1.stats" 2>/dev/null || die "vmmc wrote no figures on SIGUSR1"
}

# run LABEL URI: the two windows on one host
run() {
	local label=$1 u=$2 n=0 idle_k xfer_k
	rm -f "$tmp/stats"
	tmux -L "$sock" -f /dev/null new -d -x 120 -y 40 -s bench \
		"exec env -i PATH='$PATH' HOME='$tmp/home' XDG_CONFIG_HOME='$tmp/config' XDG_CACHE_HOME='$tmp/cache' \
		XDG_STATE_HOME='$tmp/state' LANG=C.UTF-8 TERM=tmux-256color VMMC_SSH_DIR='$VMMC_SSH_DIR' \
		SSH_AUTH_SOCK='$SSH_AUTH_SOCK' VMMC_BENCH_STATS='$tmp/stats' '$bin' -c '$u'"
	pid=$(tmux -L "$sock" display -p -t bench '#{pane_pid}')
	wait_for " connected" 60
	# the Storage Pools view, filtered to the bench's pool
	tmux -L "$sock" send-keys -t bench BTab Home
	for _ in 1 2 3 4; do
		scr | grep -qF " Storage Pools (" && break
		tmux -L "$sock" send-keys -t bench Down
		sleep 0.3
	done
	wait_for " Storage Pools ("
	tmux -L "$sock" send-keys -t bench Tab /
	tmux -L "$sock" send-keys -t bench -l "$pool"
	tmux -L "$sock" send-keys -t bench Enter
	wait_for "Filter: $pool"
	sleep 1
	window start
	read -r idle_med idle_max idle_n < <(keys)
	window idle
	# the upload, through its dialog; its progress to the background
	tmux -L "$sock" send-keys -t bench U
	wait_for "─ Upload to Volume ─"
	tmux -L "$sock" send-keys -t bench M-f
	tmux -L "$sock" send-keys -t bench -l "$tmp/up.img"
	tmux -L "$sock" send-keys -t bench M-n
	tmux -L "$sock" send-keys -t bench -l "ui-$label.img"
	tmux -L "$sock" send-keys -t bench Enter
	wait_for "Cancel Transfer" 30
	wait_for "MiB/s" 60
	# Escape waits ESCDELAY (25 ms) for an Alt+key: not in the window
	tmux -L "$sock" send-keys -t bench Escape
	wait_for "in the background" 10
	sleep 0.2
	window start2
	rm -f "$tmp/done"
	( # the end of the upload, seen from outside: the volume complete
		for ((i = 0; i < 3000; i++)); do
			a=$(virsh -q -c "$uri" vol-info --bytes --pool "$pool" "ui-$label.img" 2>/dev/null |
				awk '/^Allocation:/ {print $2}')
			[ "${a:-0}" -ge $((mib << 20)) ] && break
			sleep 0.2
		done
		touch "$tmp/done"
	) &
	read -r xfer_med xfer_max xfer_n < <(keys "$tmp/done")
	window transfer
	[ -e "$tmp/done" ] || n=1
	wait
	tmux -L "$sock" send-keys -t bench q
	for ((i = 0; i < 100; i++)); do
		tmux -L "$sock" has-session -t bench 2>/dev/null || break
		sleep 0.05
	done
	tmux -L "$sock" kill-server 2>/dev/null || true
	virsh -q -c "$uri" vol-delete --pool "$pool" "ui-$label.img" >/dev/null 2>&1 || true
	for w in idle transfer; do
		local s=$tmp/$w.stats med max kn
		if [ $w = idle ]; then med=$idle_med max=$idle_max kn=$idle_n; else med=$xfer_med max=$xfer_max kn=$xfer_n; fi
		printf "%-8s %-9s %7s %8s %8s %8s %8s %6s | %6s %8s %8s | %5s %8s %8s\n" "$label" "$w" \
			"$(field frames_drawn "$s")" "$(field frame_us_avg "$s")" "$(field frame_us_max "$s")" \
			"$(field frame_cpu_us_avg "$s")" "$(field frame_cpu_us_max "$s")" "$(field frames_over_2ms "$s")" \
			"$(field key_passes "$s")" "$(field key_us_avg "$s")" "$(field key_us_max "$s")" \
			"$kn" "$med" "$max"
	done
	for w in idle transfer; do
		echo "  $label $w: slowest frame: drain $(field frame_max_drain_us "$tmp/$w.stats") us," \
			"draw $(field frame_max_draw_us "$tmp/$w.stats") us, doupdate $(field frame_max_update_us "$tmp/$w.stats") us"
	done
	[ "$n" = 1 ] || [ "$xfer_n" -ge "$nkeys" ] ||
		echo "  $label: the upload ended after $xfer_n keys (the window ends with it)"
}

echo "bench xfer-ui: vmmc 120x40 in tmux; $nkeys keys (Down/Up) idle, then during a $mib MiB upload"
printf "%-8s %-9s %7s %8s %8s %8s %8s %6s | %6s %8s %8s | %5s %8s %8s\n" host window frames \
	"avg us" "max us" "cpu avg" "cpu max" ">2ms" "keys" "avg us" "max us" "keys" "med ms" "max ms"
for h in ${VMMC_BENCH_UI_HOSTS:-local ssh}; do
	case $h in
	local) run local "$uri" ;;
	ssh) run ssh "ssh://root@127.0.0.1:$SH_PORT" ;;
	esac
done
echo "frames: UI-thread wall time per drawn frame (drain, keys, draw, doupdate), and its CPU time; keys: the"
echo "passes that read a key, poll's wake to doupdate (vmmc's own clock); then each key's round trip from"
echo "tmux send-keys until the screen changed (median, max). Targets: < 2000 us a frame, keys < 50 ms."
