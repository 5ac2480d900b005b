#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/soak/hosts.sh [SECONDS=3600] - the one-hour soak of issue 14 (manual:
# `make soak-hosts`): vmmc holding $SOAK_HOSTS (100) ssh:// hosts with live
# figures on screen for SECONDS, its memory sampled every $SOAK_SAMPLE (60) s.
# Ends with "soak-hosts: N passed, M failed".
#
# Set-up: a hermetic loopback sshd (tests/lib/sshhost.sh, MaxStartups 50, the
# key in a private ssh-agent); the machine's libvirtd (qemu:///system, started
# by tests/lib/libvirtd.sh when absent, never stopped) behind every host, each
# host a distinct URI ssh://root@127.0.0.1:PORT/system?socket=DIR/sNNNNN
# (sNNNNN a symlink to libvirtd's socket, as tests/bench/hosts.sh does); two
# tiny real guests of tests/guest (vmmc-soak-<pid>-g1, -g2) running there, so
# the stats carry cpu/balloon/vcpu figures. vmmc in tmux (120x40, refresh
# 2 s), the first host selected, g1's Performance view open the whole time.
#
# Every sample (one line "t=S rss=KiB ..."): VmRSS (and its anonymous and
# file-backed parts: libraries' pages come in as code paths first run), threads, descriptors, CPU
# over the interval (% of one core), the connected count on screen, and a key
# (F1 opens the help, Escape closes it) timed from outside. The curve is
# printed at the end (start, after the warm-up, every 10 min, end).
# Passes when, after the warm-up ($SOAK_WARMUP, 600 s, at most a third of the
# run), RSS grew < $SOAK_GROWTH_PCT (5) %: the median of the last 3 samples
# against the median of the 3 samples at the warm-up's end; all hosts stayed
# connected at every sample; the Performance view stayed; vmmc quit with
# status 0, the terminal restored, the tty sane; no sanitizer report (with
# VMMC_BIN=build-asan/vmmc a shorter run is the leak check: LSan at exit).
# VM churn, as on a fleet where VMs come and go: every $SOAK_CHURN (60; 0:
# none) seconds a third tiny guest (vmmc-soak-<pid>-c) is defined, started,
# destroyed after 5 s and undefined - the events and list changes reach all
# hosts. (Churn from outside - another client's VMs on the same daemon - is
# what showed a growth the quiet daemon did not.)
# VMMC_KEEP=1 keeps the folder (samples.txt, vmmc.log). $SOAK_WRAP: a
# command vmmc runs under (e.g. "heaptrack -o FILE": where a growth comes
# from); the figures are then vmmc's own process's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/soak/stty.sh
. "$here/stty.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
TM_SUITE=soak-hosts

SK_SECONDS=${1:-3600}
SK_HOSTS=${SOAK_HOSTS:-100}
SK_SAMPLE=${SOAK_SAMPLE:-60}
SK_WARMUP=${SOAK_WARMUP:-600}
SK_GROWTH=${SOAK_GROWTH_PCT:-5}
SK_CHURN=${SOAK_CHURN:-60}
SK_CHURN_PID=
case "$SK_SECONDS$SK_HOSTS$SK_SAMPLE$SK_WARMUP$SK_GROWTH$SK_CHURN" in
*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
[ "$SK_WARMUP" -le $((SK_SECONDS / 3)) ] || SK_WARMUP=$((SK_SECONDS / 3))
VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build/vmmc}
export VMMC_BIN
case $VMMC_BIN in
*build-asan*) VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-3} ;;
esac
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export TM_TEST_TIMEOUT=$((SK_SECONDS + 600))
SK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-soak-hosts-$$.XXXXXX")
chmod 755 "$SK_TMP"
LV_PREFIX=vmmc-soak-$$-
SK_CLK=$(getconf CLK_TCK)

sk_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
sk_status() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# the median of the numbers on stdin
sk_median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

# sk_key: ms from F1 sent to the help drawn (from outside; tmux polls included)
sk_key() {
	local t0 t1
	t0=$(date +%s%N)
	tm_keys F1
	while ! tm_capture | grep -q "Help: keys"; do
		t1=$(date +%s%N)
		[ $(((t1 - t0) / 1000000)) -lt 5000 ] || { echo 5000; return 0; }
		sleep 0.005
	done
	t1=$(date +%s%N)
	tm_keys Escape
	tm_wait_gone "Help: keys" 5 >/dev/null 2>&1 || true
	echo $(((t1 - t0) / 1000000))
}

# sk_vmmc_pid PID: the descendant of PID that runs VMMC_BIN
sk_vmmc_pid() {
	local p exe
	exe=$(readlink -f "$VMMC_BIN")
	for p in $(pgrep -P "$1") $(for q in $(pgrep -P "$1"); do pgrep -P "$q"; done); do
		[ "$(readlink "/proc/$p/exe")" != "$exe" ] || { echo "$p"; return 0; }
	done
}

# the guests: started paused-free, on the machine's libvirtd
sk_guests() {
	local g
	for g in g1 g2; do
		"$TM_ROOT/tests/guest/domain.sh" "$(lv_name "$g")" >"$SK_TMP/$g.xml" || return 1
		lv_virsh define "$SK_TMP/$g.xml" >/dev/null || return 1
		lv_virsh start "$(lv_name "$g")" >/dev/null || return 1
	done
}

# sk_churn: the churn loop (run in the background; its count in
# $SK_TMP/churn); the churn guest's XML made once
sk_churn() {
	local name n=0
	trap - EXIT INT TERM # not the suite's: this is a loop of its own
	name=$(lv_name c)
	"$TM_ROOT/tests/guest/domain.sh" "$name" --no-agent >"$SK_TMP/c.xml" || return 1
	while :; do
		sleep "$SK_CHURN"
		lv_virsh define "$SK_TMP/c.xml" >/dev/null 2>&1 &&
			lv_virsh start "$name" >/dev/null 2>&1 && sleep 5
		lv_virsh destroy "$name" >/dev/null 2>&1
		lv_virsh undefine "$name" >/dev/null 2>&1 && n=$((n + 1))
		echo "$n" >"$SK_TMP/churn"
	done
}

t_soak_hosts() {
	local i port cfg pid t0 t tnext c0 c1 cpu rss anon file thr fds conn key n=0 base end growth
	local -a rs
	port=$SH_PORT
	mkdir -p "$SK_TMP/socks"
	for ((i = 1; i <= SK_HOSTS; i++)); do
		ln -s /run/libvirt/libvirt-sock "$SK_TMP/socks/s$(printf %05d "$i")"
	done
	cfg=$TM_TESTDIR/config/vmmc
	mkdir -p "$cfg"
	awk -v n="$SK_HOSTS" -v port="$port" -v d="$SK_TMP/socks" 'BEGIN {
		print "version = 1"
		for (i = 1; i <= n; i++)
			printf "\n[host]\nuri = ssh://root@127.0.0.1:%d/system?socket=%s/s%05d\nname = s%05d\n", port, d, i, i
	}' >"$cfg/config"
	# shellcheck disable=SC2086 # (a command and its words)
	tm_start -x 120 -y 40 --env "VMMC_SSH_DIR=$VMMC_SSH_DIR" --env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK" \
		-- "$TM_ROOT/tests/soak/stty-after.sh" "$TM_TESTDIR/stty" \
		${SOAK_WRAP:-} "$VMMC_BIN" --log "$TM_TESTDIR/vmmc.log" -d 2
	tm_wait_for "$SK_HOSTS/$SK_HOSTS connected" 120
	# the first host's VMs; g1 found by the filter; its Performance view
	tm_wait_for "$(lv_name g1)" 30
	tm_keys /
	tm_type "$(lv_name g1)"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys Tab P
	tm_wait_for "Performance" 10
	pid=$(tm_pid)
	# the pane runs stty-after.sh; vmmc is its child (or grandchild: SOAK_WRAP)
	pid=$(sk_vmmc_pid "$pid")
	[ -n "$pid" ] || tm_fail "no vmmc process"
	echo "  vmmc pid $pid; $SK_HOSTS hosts; ${SK_SECONDS}s, a sample every ${SK_SAMPLE}s, warm-up ${SK_WARMUP}s" >&2
	if [ "$SK_CHURN" -gt 0 ]; then
		sk_churn &
		SK_CHURN_PID=$!
		tm_on_exit '[ -z "$SK_CHURN_PID" ] || kill "$SK_CHURN_PID" 2>/dev/null || true'
		echo "  VM churn: a guest defined, started, destroyed and undefined every ${SK_CHURN}s" >&2
	fi
	t0=$(date +%s)
	c0=$(sk_ticks "$pid")
	tnext=$t0
	while :; do
		t=$(($(date +%s) - t0))
		c1=$(sk_ticks "$pid")
		cpu=$(awk -v d=$((c1 - c0)) -v hz="$SK_CLK" -v s="$SK_SAMPLE" 'BEGIN { printf "%.1f", 100 * d / hz / s }')
		[ "$n" -gt 0 ] || cpu=-
		c0=$c1
		rss=$(sk_status "$pid" VmRSS)
		[ "$rss" -gt 0 ] || tm_fail "vmmc is gone at t=${t}s"
		anon=$(sk_status "$pid" RssAnon) file=$(sk_status "$pid" RssFile)
		thr=$(sk_status "$pid" Threads)
		fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		conn=$(tm_capture | grep -oE "[0-9]+/$SK_HOSTS connected" | head -n 1 | cut -d/ -f1)
		key=$(sk_key)
		echo "t=$t rss=$rss thr=$thr fds=$fds cpu=$cpu conn=${conn:-?} key=$key load=$(cut -d' ' -f1 /proc/loadavg) anon=$anon file=$file churn=$(cat "$SK_TMP/churn" 2>/dev/null || echo 0)" |
			tee -a "$SK_TMP/samples.txt" >&2
		[ "${conn:-0}" = "$SK_HOSTS" ] || tm_fail "at t=${t}s ${conn:-?} of $SK_HOSTS hosts connected"
		tm_assert_contains "Performance"
		n=$((n + 1))
		[ "$t" -lt "$SK_SECONDS" ] || break
		tnext=$((tnext + SK_SAMPLE))
		while [ "$(date +%s)" -lt "$tnext" ]; do sleep 1; done
	done
	if [ -n "$SK_CHURN_PID" ]; then
		kill "$SK_CHURN_PID" 2>/dev/null || true
		wait "$SK_CHURN_PID" 2>/dev/null || true # (its status: killed)
		SK_CHURN_PID=
		[ "$SK_CHURN" -gt "$SK_SECONDS" ] || [ "$(cat "$SK_TMP/churn" 2>/dev/null || echo 0)" -gt 0 ] ||
			tm_fail "the VM churn never completed a round (virsh define/start/destroy/undefine)"
	fi
	cp "$SK_TMP/samples.txt" "$TM_TESTDIR/samples.txt"
	# the curve: start, warm-up's end, every 10 min, end
	echo "  RSS curve (MiB): load average now $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	awk -v w="$SK_WARMUP" -v last="$t" '{
		split($1, a, "="); split($2, b, "="); tt = a[2]
		if (NR == 1 || tt % 600 < 60 || (tt >= w && !wd) || tt == last) {
			if (tt >= w) wd = 1
			split($9, an, "="); split($10, fi, "=")
			printf "    t=%5ds  %7.1f MiB (anon %.1f, file %.1f)  %s %s %s %s\n", tt, b[2] / 1024, an[2] / 1024, fi[2] / 1024, $3, $4, $5, $7
		}
	}' "$SK_TMP/samples.txt" >&2
	mapfile -t rs < <(awk -v w="$SK_WARMUP" '{ split($1, a, "="); split($2, b, "=") } a[2] >= w { print b[2] }' "$SK_TMP/samples.txt")
	[ "${#rs[@]}" -ge 3 ] || tm_fail "too few samples after the warm-up (${#rs[@]})"
	base=$(printf '%s\n' "${rs[@]:0:3}" | sk_median)
	end=$(printf '%s\n' "${rs[@]: -3}" | sk_median)
	growth=$(awk -v b="$base" -v e="$end" 'BEGIN { printf "%.2f", 100 * (e - b) / b }')
	echo "  RSS after the warm-up $((base / 1024)) MiB, at the end $((end / 1024)) MiB: growth $growth % (limit $SK_GROWTH %)" >&2
	echo "  key (F1 drawn) ms: median $(sed 's/.*key=\([0-9]*\).*/\1/' "$SK_TMP/samples.txt" | sk_median), max $(sed 's/.*key=\([0-9]*\).*/\1/' "$SK_TMP/samples.txt" | sort -n | tail -n 1)" >&2
	# quit first: the exit's checks (and LSan's leak check) whatever the growth
	tm_keys Escape
	tm_keys q
	[ "$(tm_exit_status 60)" = 0 ] || tm_fail "vmmc did not exit with status 0"
	tm_term_restored || tm_fail "terminal not restored"
	stty_sane "$TM_TESTDIR/stty" || tm_fail "the tty was left in a wrong mode"
	awk -v g="$growth" -v l="$SK_GROWTH" 'BEGIN { exit !(g < l) }' ||
		tm_fail "RSS grew $growth % after the warm-up (limit $SK_GROWTH %)"
}

sk_exit() {
	set +e
	tm_sweep 2>/dev/null
	sh_down
	lv_cleanup_vms >/dev/null 2>&1
	if [ -n "${VMMC_KEEP:-}" ]; then
		echo "soak-hosts: kept $SK_TMP" >&2
	else
		rm -rf "$SK_TMP"
	fi
}
trap sk_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "soak-hosts: root only (skipped)"; echo "soak-hosts: 0 passed, 0 failed"; exit 0; }
lv_up
sh_up "$SK_TMP/ssh" || { echo "soak-hosts: the loopback sshd did not start" >&2; exit 1; }
sk_guests || { echo "soak-hosts: the tiny guests did not start" >&2; exit 1; }
set +e # run_tests must not run under || (bash would ignore set -e in the tests)
run_tests t_soak_hosts
