#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/stats.sh [PATTERN] - live figures end to end: a real libvirtd
# (qemu:///system) and the tiny real guest of tests/guest/ (one running a CPU
# busy loop from boot, one idle, one bare VM with no balloon, disk or NIC).
# Root only. PATTERN (or $VMMC_TESTS), an extended regex, picks tests by
# name. Ends with the line "stats: N passed, M failed"; exit status 1 if any
# failed.
#
#   - batch mode's CPU % of the busy guest against the delta of
#     `virsh domstats --cpu-total` over the same run: within 10 points;
#   - the idle guest under 10 %;
#   - libvirt's own debug log: one virConnectGetAllDomainStats per host per
#     tick and no per-VM stats call;
#   - the Performance view of the busy guest in tmux: graph drawn, labelled;
#   - bad input: --format xml, --delay 0 and negative; a VM with no balloon
#     driver, disk or NIC.
#
# Every domain it creates is named vmmc-test-<pid>-*, and all of them are
# destroyed and undefined at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

URI=qemu:///system
T_BOOT=60 # guest start to its busy loop running (TCG)

ST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-stats-$$.XXXXXX")
BUSY=$(lv_name busy)
IDLE=$(lv_name idle)
BARE=$(lv_name bare)

st_exit() {
	local rc=$?
	set +e
	tm_sweep
	lv_cleanup_vms
	lv_down
	rm -rf "$ST_TMP"
	exit "$rc"
}
trap st_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

# ---- helpers ----------------------------------------------------------------

# vmmc in batch mode, no terminal; stdout to $1, the rest of the arguments to vmmc
batch() {
	local out=$1
	shift
	env -u DISPLAY "$VMMC_BIN" --batch -c "$URI" "$@" >"$out" 2>"$out.err"
	# an ASan/UBSan build reports on stderr: that fails the test
	if grep -qE 'Sanitizer|runtime error:' "$out.err"; then
		cat "$out.err" >&2
		return 1
	fi
}

# cpu.time (ns) of domain $1 from virsh
cpu_ns() {
	lv_virsh domstats --cpu-total "$1" | awk -F= '$1 ~ /cpu\.time$/ {print $2}'
}

# the column of CSV header name $2 in file $1
csv_col() {
	head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1
}

# mean of column $3 of the CSV records of VM $2 in file $1 (names have no comma)
csv_mean() {
	local c
	c=$(csv_col "$1" "$3")
	awk -F, -v n="$2" -v c="$c" 'NR > 1 && $3 == n && $c != "" {s += $c; k++}
		END {if (k) printf "%.1f\n", s / k; else print "none"}' "$1"
}

# the booted guest has its busy loop (or idle shell) running: its CPU use settles
wait_running() {
	lv_wait_state "$1" running 30
}

# ---- set-up -----------------------------------------------------------------

setup() {
	lv_up
	"$TM_ROOT/tests/guest/build.sh" >/dev/null
	"$TM_ROOT/tests/guest/domain.sh" "$BUSY" --busy >"$ST_TMP/busy.xml"
	"$TM_ROOT/tests/guest/domain.sh" "$IDLE" >"$ST_TMP/idle.xml"
	lv_virsh define "$ST_TMP/busy.xml" >/dev/null
	lv_virsh define "$ST_TMP/idle.xml" >/dev/null
	lv_define_vm "$BARE" >/dev/null # no balloon driver, no disk, no NIC, no OS
	lv_virsh start "$BUSY" >/dev/null
	lv_virsh start "$IDLE" >/dev/null
	lv_virsh start "$BARE" >/dev/null
	wait_running "$BUSY"
	wait_running "$IDLE"
	wait_running "$BARE"
	# TCG boot takes a few seconds of CPU: let it pass before measuring idle
	sleep 12
}

# ---- tests ------------------------------------------------------------------

t_stats_busy_matches_virsh() {
	local a b t0 t1 ours theirs diff
	a=$(cpu_ns "$BUSY")
	t0=$(date +%s%N)
	batch "$ST_TMP/busy.csv" --iterations 4 --delay 2
	b=$(cpu_ns "$BUSY")
	t1=$(date +%s%N)
	ours=$(csv_mean "$ST_TMP/busy.csv" "$BUSY" cpu_pct)
	[ "$ours" != none ] || tm_fail "no CPU figure for $BUSY: $(cat "$ST_TMP/busy.csv" "$ST_TMP/busy.csv.err")"
	theirs=$(awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f\n", (b - a) * 100 / (t1 - t0)}')
	diff=$(awk -v x="$ours" -v y="$theirs" 'BEGIN {d = x - y; if (d < 0) d = -d; printf "%.1f\n", d}')
	echo "  busy guest: vmmc ${ours} %, virsh domstats delta ${theirs} % (difference ${diff} points)"
	awk -v d="$diff" 'BEGIN {exit !(d <= 10)}' || tm_fail "vmmc and virsh differ by $diff points"
	# the busy loop keeps its vCPU busy: near 100 % when the host has a core
	# to give it. On a loaded machine (other guests, other jobs) TCG gets
	# less: then virsh sees the same, and only the agreement is checked.
	if awk -v y="$theirs" 'BEGIN {exit !(y >= 60)}'; then
		awk -v x="$ours" 'BEGIN {exit !(x >= 55)}' || tm_fail "busy guest at only $ours %"
	else
		echo "  note: the host is loaded (load average $(cut -d' ' -f1 /proc/loadavg)): the busy guest got $theirs % of a core"
	fi
	[ "$(grep -c "$BUSY" "$ST_TMP/busy.csv")" = 4 ] || tm_fail "not one record per tick for $BUSY"
}

t_stats_idle_guest() {
	local ours mem
	batch "$ST_TMP/idle.csv" --iterations 3 --delay 2
	ours=$(csv_mean "$ST_TMP/idle.csv" "$IDLE" cpu_pct)
	echo "  idle guest: vmmc ${ours} %"
	[ "$ours" != none ] || tm_fail "no CPU figure for $IDLE"
	awk -v x="$ours" 'BEGIN {exit !(x < 10)}' || tm_fail "idle guest at $ours %"
	# the guest's balloon driver reports: used memory below the 128 MiB given
	mem=$(csv_mean "$ST_TMP/idle.csv" "$IDLE" mem_used_kib)
	awk -v m="$mem" 'BEGIN {exit !(m > 0 && m < 131072)}' || tm_fail "idle guest memory used: $mem KiB"
}

t_stats_one_call_per_host_per_tick() {
	local log=$ST_TMP/libvirt.log n_stats per_vm ticks=5
	rm -f "$log"
	LIBVIRT_DEBUG=1 LIBVIRT_LOG_OUTPUTS="1:file:$log" LIBVIRT_LOG_FILTERS="1:libvirt" \
		batch "$ST_TMP/calls.csv" --iterations "$ticks" --delay 1
	[ -s "$log" ] || tm_fail "no libvirt debug log"
	# one bulk call for the first VM list, which is also the baseline
	# reading, and one per tick
	n_stats=$(grep -c 'virConnectGetAllDomainStats:' "$log" || true)
	echo "  virConnectGetAllDomainStats calls: $n_stats for $ticks ticks (+ the list, also the baseline)"
	[ "$n_stats" = $((ticks + 1)) ] || tm_fail "expected $((ticks + 1)) bulk stats calls, saw $n_stats"
	# no per-VM stats call for our guests, ever
	per_vm=$(grep -E '(virDomainGetInfo|virDomainGetBlockStats|virDomainBlockStats|virDomainInterfaceStats|virDomainMemoryStats|virDomainGetCPUStats|virDomainGetVcpus|virDomainGetState):' "$log" |
		grep -c "$LV_PREFIX" || true)
	[ "$per_vm" = 0 ] || tm_fail "$per_vm per-VM calls on our guests"
	# node figures: per host, not per VM (at most count + values the first time)
	[ "$(grep -c 'virNodeGetCPUStats:' "$log")" -le $((ticks + 2)) ] || tm_fail "too many virNodeGetCPUStats calls"
	[ "$(grep -cE 'virDomainSetMemoryStatsPeriod:.*'"$LV_PREFIX" "$log" || true)" -le 3 ] ||
		tm_fail "the balloon period was set more than once per VM"
	[ "$(grep -c "$BUSY" "$ST_TMP/calls.csv")" = "$ticks" ] || tm_fail "not $ticks records for $BUSY"
}

t_stats_bare_vm() {
	local f=$ST_TMP/bare.json line
	batch "$f" --iterations 2 --delay 1 --format json
	line=$(grep "\"name\":\"$BARE\"" "$f" | tail -n 1)
	[ -n "$line" ] || tm_fail "no record for $BARE: $(cat "$f.err")"
	echo "  $line"
	# a CPU figure, memory from the balloon's current size (no driver to report),
	# and no disk or network figure: null, not 0
	[[ $line == *'"cpu_pct":'[0-9]* ]] || tm_fail "no CPU figure"
	[[ $line == *'"mem_used_kib":32768'* ]] || tm_fail "memory is not the balloon size"
	[[ $line == *'"disk_rd_bps":null'* && $line == *'"net_rx_bps":null'* ]] || tm_fail "disk/net not null"
	[[ $line == *'"state":"running"'* ]] || tm_fail "state"
}

t_stats_bad_input() {
	local rc=0 err
	err=$("$VMMC_BIN" --batch -c "$URI" --format xml 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 2 ] || tm_fail "--format xml: status $rc"
	[[ $err == *csv*json* ]] || tm_fail "--format xml does not list the formats: $err"
	for d in 0 -1 abc; do
		rc=0
		err=$("$VMMC_BIN" --batch -c "$URI" --delay "$d" 2>&1 >/dev/null) || rc=$?
		[ "$rc" = 2 ] || tm_fail "--delay $d: status $rc"
		[[ $err == *"--delay"* ]] || tm_fail "--delay $d: unclear error: $err"
	done
	# a host that cannot be read: said on stderr, status 1, no hang
	rc=0
	timeout 60 "$VMMC_BIN" --batch -c "qemu+unix:///system?socket=/nonexistent/sock" --iterations 1 \
		>"$ST_TMP/none.csv" 2>"$ST_TMP/none.err" || rc=$?
	[ "$rc" = 1 ] || tm_fail "unreadable host: status $rc"
	grep -q "nonexistent" "$ST_TMP/none.err" || tm_fail "unreadable host: no error on stderr"
}

t_stats_perf_view() {
	tm_vmmc -x 120 -y 40 -- -c "$URI"
	tm_wait_for " connected" 20
	tm_keys /
	tm_type "$BUSY"
	tm_keys Enter
	tm_wait_for "(1 of "
	tm_keys P
	tm_wait_for "Performance: $BUSY"
	tm_wait_line "CPU% of 1 vCPU" "now" "avg" "peak"
	# two readings make the first figure: a bar in the CPU graph
	local i screen
	cpu_graph() { awk '/CPU% of 1 vCPU/ {on = 1} /Memory  now/ {on = 0} on' <<<"$1"; }
	for ((i = 0; i < 100; i++)); do
		screen=$(tm_capture)
		if cpu_graph "$screen" | grep -q "█"; then
			break
		fi
		sleep 0.1
	done
	cpu_graph "$screen" | grep -q "█" || {
		tm_capture >&2
		tm_fail "the CPU graph stays empty"
	}
	tm_assert_contains "100%│"
	tm_assert_contains "Memory  now"
	tm_assert_contains "(guest)"
	tm_wait_line "└" "now"
	tm_keys Escape
	tm_wait_gone "Performance: $BUSY"
}

# ---- run --------------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then
	echo "stats: needs root (libvirtd, guests)" >&2
	echo "stats: 0 passed, 0 failed"
	exit 0
fi
tm_suite_main stats t_stats_ setup "set-up failed" "$@"
