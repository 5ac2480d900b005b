#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/settings.sh VMMC - VM Settings: the time from the Settings key
# (O) to the hardware list drawn, in vmmc in tmux on the local
# qemu:///system, for a shut-off and a running tiny guest (tests/guest), and
# the backend's time for the details job (its --log line "end read the
# settings of"). Best and median of VMMC_BENCH_RUNS (5) runs each; the
# screen is polled every 10 ms. Next to it, virsh doing the same reads
# (dumpxml, and dumpxml --inactive when running). VMs named
# vmmc-test-<pid>-*, removed at the end. Then the same on the far host
# (tests/remote/farhost.sh, 200 ms RTT; VMMC_BENCH_RTT_MS) as vmmc's
# ssh:// host, with the round trips the far sshd's clients waited for
# (farhost.sh trips). Also the libvirt calls of one Apply (title; maximum and
# current processors; memory), counted in libvirt's client log of the RPCs
# it sends, next to virsh's for the same changes (desc --title, setvcpus,
# setmem). Prints figures only. VMMC_BENCH_FAR=0: no far host.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
VMMC_BIN=${1:-$root/build/vmmc}
export VMMC_BIN
runs=${VMMC_BENCH_RUNS:-5}
# shellcheck source=tests/lib/tmux.sh
. "$root/tests/lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/settings.sh
. "$root/tests/lib/settings.sh"
die() { echo "bench settings: $*" >&2; exit 1; }
lv_up || die "cannot start libvirtd"
"$root/tests/guest/build.sh" >/dev/null || die "no test guest"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-set.XXXXXX")
farhost=$root/tests/remote/farhost.sh
agent_pid=
cleanup() {
	set +e
	tm_end >/dev/null 2>&1
	tm_sweep
	[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null
	[ ! -d "$tmp/far" ] || "$farhost" down "$tmp/far" >/dev/null 2>&1
	lv_cleanup_vms >/dev/null 2>&1
	lv_down
	rm -rf "$tmp"
}
trap cleanup EXIT
off=$(lv_name off) run=$(lv_name run)
for n in "$off" "$run"; do
	"$root/tests/guest/domain.sh" "$n" >"$tmp/$n.xml"
	lv_virsh define "$tmp/$n.xml" >/dev/null || die "define $n"
done
lv_virsh start "$run" >/dev/null || die "start $run"

now_ms() { date +%s%3N; }
# the first open (the VM looked up) apart: later ones reuse the domain
stats() {
	local v
	v=$(cat)
	printf "first %d ms, " "$(head -n 1 <<<"$v")"
	sort -n <<<"$v" | awk '{v[NR] = $1} END {printf "best %d ms, median %d ms", v[1], v[int((NR + 1) / 2)]}'
}

# settle: until the far host's link is quiet for 2 s (the host's first
# reads after it connected done), at most 90 s
settle() {
	local mk i
	for ((i = 0; i < 45; i++)); do
		mk=$("$farhost" mark "$tmp/far")
		sleep 2
		[ "$("$farhost" trips "$tmp/far" "$mk")" != 0 ] || return 0
	done
}

# measure TAG [tm_start options] -- URI: O to the list drawn, per VM
measure() {
	local tag=$1 n t0 i mk
	shift
	tm_vmmc -x 120 -y 40 "$@" >/dev/null
	tm_wait_line -t 60 "connected" >/dev/null || die "vmmc did not connect ($tag)"
	tm_wait_for "Virtual Machines (" 30 >/dev/null || die "no VM list ($tag)"
	tm_keys Right
	for n in "$off" "$run"; do
		: >"$tmp/ui.$tag.$n"
		: >"$tmp/rt.$tag.$n"
		tm_keys /
		tm_type "$n"
		tm_keys Enter
		tm_wait_for "(1 of " 10 >/dev/null || die "no $n ($tag)"
		tm_wait_gone busy 60 >/dev/null 2>&1 || true
		sleep 1
		[ "$tag" != far ] || settle
		for ((i = 0; i < runs; i++)); do
			[ "$tag" != far ] || mk=$("$farhost" mark "$tmp/far")
			t0=$(now_ms)
			tm_keys O
			while ! tm_capture | grep -q "UUID: "; do sleep 0.01; done
			echo $(($(now_ms) - t0)) >>"$tmp/ui.$tag.$n"
			[ "$tag" != far ] || "$farhost" trips "$tmp/far" "$mk" >>"$tmp/rt.$tag.$n"
			tm_keys Escape
			tm_wait_gone "Settings - " 5 >/dev/null
			sleep 0.5
		done
		tm_keys / C-u Enter
	done
	tm_stop >/dev/null 2>&1
}

tm_begin bench-settings >/dev/null
measure local -- --log "$tmp/vmmc.log" -c qemu:///system
for n in "$off" "$run"; do
	: >"$tmp/virsh.$n"
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ms)
		virsh -q -c qemu:///system dumpxml "$n" >/dev/null
		[ "$n" = "$off" ] || virsh -q -c qemu:///system dumpxml --inactive "$n" >/dev/null
		echo $(($(now_ms) - t0)) >>"$tmp/virsh.$n"
	done
done
job_ms() { # the details jobs' times, in order
	grep -o "end read the settings of .* in [0-9]* ms" "$tmp/vmmc.log" | awk '{print $(NF - 1)}'
}
job_ms >"$tmp/jobs"
echo "bench settings: O to the hardware list drawn (tmux, 10 ms polls), local qemu:///system, $runs runs"
echo "  shut-off VM: $(stats <"$tmp/ui.local.$off"); details job $(head -n "$runs" "$tmp/jobs" | stats)"
echo "  running VM:  $(stats <"$tmp/ui.local.$run"); details job $(tail -n "$runs" "$tmp/jobs" | stats)"
echo "  virsh dumpxml (a new virsh each time): shut off $(stats <"$tmp/virsh.$off"), running (+ --inactive) $(stats <"$tmp/virsh.$run")"
echo "  round trips per open: no lookup (the host's list keeps the domains, first open too), the live XML"
echo "  (shut off: 1), then the inactive XML (running: 2)"

# ---- libvirt calls per Apply -------------------------------------------------------
# libvirt's client logs each RPC it sends (RPC_CLIENT_MSG_TX_QUEUE, headers
# only: no payload, no secret); the calls of the remote program counted from
# Apply until the answer is shown and 1.5 s after (what the Apply reads
# back and the events' reads included). Stats ticks off (-d 60).
rpc_calls() { grep -c "RPC_CLIENT_MSG_TX_QUEUE.*prog=536903814 .*type=0 " "$tmp/rpc.log" || true; }
# apply_calls VM ITEM WANT KEY VALUE [KEY VALUE]: calls of one Apply
apply_calls() {
	local vm=$1 it=$2 want=$3 k0
	shift 3
	tm_keys /
	tm_type "$vm"
	tm_keys Enter
	tm_wait_for "(1 of " 10 >/dev/null || die "no $vm (calls)"
	tm_keys O
	tm_wait_for "UUID: " 10 >/dev/null || die "no Settings of $vm"
	set_item "$it"
	while [ $# -ge 2 ]; do
		tm_keys "$1" C-u
		tm_type "$2"
		shift 2
	done
	sleep 1
	k0=$(rpc_calls)
	tm_keys M-h BTab BTab BTab BTab Enter
	tm_wait_for "$want" 30 >/dev/null || die "Apply did not say '$want'"
	sleep 1.5
	echo $(($(rpc_calls) - k0))
	tm_keys Escape
	tm_wait_gone "Settings - " 5 >/dev/null
	tm_keys / C-u Enter
}
tm_vmmc -x 120 -y 40 --env "LIBVIRT_LOG_FILTERS=2:rpc.netclient 4:*" --env "LIBVIRT_LOG_OUTPUTS=2:file:$tmp/rpc.log" \
	-- -d 60 -c qemu:///system >/dev/null
tm_wait_line -t 60 "connected" >/dev/null || die "vmmc did not connect (calls)"
tm_wait_for "Virtual Machines (" 30 >/dev/null || die "no VM list (calls)"
tm_keys Right
# the daemon is shared (other VMs' events make this host's worker read them):
# the fewest of 3 Applies is the Apply's own
least() { sort -n | head -n 1; }
for vm in "$off" "$run"; do
	for i in 1 2 3; do apply_calls "$vm" "Management" "Title: set" M-t "bench $$ $i"; done >"$tmp/c.title.$vm"
done
for i in 2 3 4; do
	apply_calls "$off" "Processors (" "Processors: $i at next boot" M-x "$i" M-p "$i"
done >"$tmp/c.cpu"
c_cpu_off="$(least <"$tmp/c.cpu") ($(tr '\n' ' ' <"$tmp/c.cpu"))"
for i in 96 112 96; do
	apply_calls "$run" "Memory (" "Memory: $i MiB now and at next boot" M-m "$i MiB"
done >"$tmp/c.mem"
tm_stop >/dev/null 2>&1
# virsh doing the same change: its RPCs from its lookup of the VM on (the
# connection's own open, auth and close left out), and in all
virsh_calls() { # virsh_calls VIRSH-ARGS...: "domain calls/all calls"
	local log=$tmp/virsh.rpc.log
	rm -f "$log"
	LIBVIRT_LOG_FILTERS="2:rpc.netclient 4:*" LIBVIRT_LOG_OUTPUTS="2:file:$log" \
		virsh -q -c qemu:///system "$@" >/dev/null || die "virsh $*"
	grep "RPC_CLIENT_MSG_TX_QUEUE.*prog=536903814 .*type=0 " "$log" | grep -o "proc=[0-9]*" | cut -d= -f2 |
		awk '$1 == 22 || $1 == 23 || $1 == 24 {on = 1} on && $1 != 2 {d++} {n++} END {printf "%d/%d", d, n}'
}
v_title_off=$(virsh_calls desc "$off" --title --config "virsh $$")
v_title_run=$(virsh_calls desc "$run" --title --live --config "virsh $$")
v_cpu_off="$(virsh_calls setvcpus "$off" 2 --maximum --config) + $(virsh_calls setvcpus "$off" 2 --config)"
v_mem=$(virsh_calls setmem "$run" 100M --live --config)
echo "bench settings: libvirt calls per Apply (RPCs sent, local qemu:///system; Apply to its answer + 1.5 s:"
echo "  the change itself (no lookup, no details read: Settings' XML patched with what was applied; the VM"
echo "  list row posted from it), and what events make the host read; fewest of 3 on the shared daemon)"
echo "  shut-off VM: title $(least <"$tmp/c.title.$off") ($(tr '\n' ' ' <"$tmp/c.title.$off")); maximum and current processors (2 changes) $c_cpu_off"
echo "  running VM:  title $(least <"$tmp/c.title.$run") ($(tr '\n' ' ' <"$tmp/c.title.$run")); memory (balloon) $(least <"$tmp/c.mem") ($(tr '\n' ' ' <"$tmp/c.mem"))"
echo "  virsh, the same changes (calls from its lookup on / all its calls): desc --title $v_title_off (shut off),"
echo "  $v_title_run (running); setvcpus --maximum + setvcpus $v_cpu_off; setmem --live --config $v_mem"

# ---- the far host ----------------------------------------------------------------
[ "${VMMC_BENCH_FAR:-1}" != 0 ] || exit 0
rtt=${VMMC_BENCH_RTT_MS:-200}
mkdir -p "$tmp/far" "$tmp/sshdir"
chmod 700 "$tmp/sshdir"
read -r far_addr far_port < <(FARHOST_OWNER=$$ "$farhost" up "$tmp/far" $((rtt / 2))) || die "no far host"
[ -n "${far_port:-}" ] || die "no far host"
key=$tmp/sshdir/id_ed25519
ssh-keygen -q -t ed25519 -N '' -C vmmc-bench-settings -f "$key"
cat "$key.pub" >>"$tmp/far/authorized_keys"
agent_sock=$tmp/agent.sock
ssh-agent -D -a "$agent_sock" >/dev/null 2>&1 &
agent_pid=$!
for _ in $(seq 50); do [ -S "$agent_sock" ] && break; sleep 0.1; done
SSH_AUTH_SOCK=$agent_sock ssh-add -q "$key" 2>/dev/null || die "ssh-add failed"
kh=$(timeout 20 ssh-keyscan -T 10 -t ed25519 -p "$far_port" "$far_addr" 2>/dev/null) || kh=
[ -n "$kh" ] || die "ssh-keyscan found no key"
echo "$kh" >"$tmp/sshdir/known_hosts"
printf 'Host *\n\tUserKnownHostsFile %s\n\tIdentityFile %s\n' "$tmp/sshdir/known_hosts" "$key" >"$tmp/sshdir/config"
# -d 60: no stats tick shares the link (and the host's worker) with the reads
measure far --env "SSH_AUTH_SOCK=$agent_sock" --env "VMMC_SSH_DIR=$tmp/sshdir" -- -d 60 --log "$tmp/far.log" \
	"ssh://root@$far_addr:$far_port/system"
grep -o "end read the settings of .* in [0-9]* ms" "$tmp/far.log" | awk '{print $(NF - 1)}' >"$tmp/farjobs"
echo "bench settings: the same on the far host ($rtt ms RTT, $(cat "$tmp/far/delay_method" 2>/dev/null || echo delay)), ssh:// host"
echo "  shut-off VM: $(stats <"$tmp/ui.far.$off"); details job $(head -n "$runs" "$tmp/farjobs" | stats); round trips $(stats <"$tmp/rt.far.$off" | sed 's/ ms//g')"
echo "  running VM:  $(stats <"$tmp/ui.far.$run"); details job $(tail -n "$runs" "$tmp/farjobs" | stats); round trips $(stats <"$tmp/rt.far.$run" | sed 's/ ms//g')"
