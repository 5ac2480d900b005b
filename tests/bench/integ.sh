#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/integ.sh [BIN] - `make bench`: Integration Services (issue 13)
# on a far host (tests/remote/farhost.sh, VMMC_BENCH_RTT_MS, default 200 ms
# RTT), the tiny real guest of tests/guest/ with its real qemu-ga:
#   vmmc   in tmux on ssh://root@FAR, the guest selected, its Agent column
#          "up": from the J key to all services filled (the first answer:
#          the heartbeat with the agent's version, the guest clock, the
#          guest's interfaces, the devices), VMMC_BENCH_RUNS runs (3), the
#          median (target < 1.5 s); then, the view open, the agent calls per
#          refresh it prints ("Agent calls: N in R refresh(es), L in the
#          last"; target <= 3)
#   virsh  the same data over qemu+ssh:// to the same far host: guestinfo,
#          domifaddr --source agent and domtime, as three commands (a login
#          each) and as one virsh session ("cmd; cmd; cmd")
# J is pressed once the host's worker is not busy (its connect done); vmmc's
# log (VMMC_LOG) gives the info job's own time too, without a wait in the
# worker's queue (the shared libvirtd's other clients make it re-read lists).
# Prints figures; exit status 0 unless something could not run. Root only
# (libvirtd, network namespaces); everything it makes is named
# vmmc-bench-integ-<pid>: the guest (destroyed, undefined), the far host,
# its ssh-agent, tmux, the temporary folder are removed at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
VMMC_BIN=${1:-${VMMC_BIN:-$root/build/vmmc}}
export VMMC_BIN
runs=${VMMC_BENCH_RUNS:-3}
rtt=${VMMC_BENCH_RTT_MS:-200}
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-5}

# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/tmux.sh
. "$root/tests/lib/tmux.sh"
# shellcheck source=tests/lib/farssh.sh
. "$root/tests/lib/farssh.sh"

die() {
	echo "bench integ: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (libvirtd, network namespaces)"
[ -x "$VMMC_BIN" ] || die "$VMMC_BIN is not an executable (make builds it)"
name=vmmc-bench-integ-$$
tmp=$(mktemp -d /var/tmp/vmmc-bench-integ.XXXXXX)
defined=0

# shellcheck disable=SC2317 # (the EXIT trap)
cleanup() {
	local rc=$?
	set +e
	trap '' INT TERM HUP
	tm_end >/dev/null 2>&1
	tm_sweep
	if [ "$defined" = 1 ]; then
		virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1
		virsh -q -c qemu:///system undefine "$name" >/dev/null 2>&1
	fi
	far_ssh_down
	lv_down
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ms_since() { # EPOCHREALTIME value -> whole ms since then
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $(((10#$b - 10#$a) / 1000))
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "?" }'
}

lv_up || die "no libvirtd on qemu:///system"
"$root/tests/guest/domain.sh" "$name" >"$tmp/guest.xml" || die "tests/guest/domain.sh failed"
virsh -q -c qemu:///system define "$tmp/guest.xml" >/dev/null || die "cannot define $name"
defined=1
virsh -q -c qemu:///system start "$name" >/dev/null || die "cannot start $name"
far_ssh_up "$tmp" "$rtt" || die "no far host"
ok=0
for ((i = 0; i < 60 * 5 * VMMC_TIMEOUT_SCALE / 5; i++)); do
	if virsh -q -c qemu:///system qemu-agent-command "$name" '{"execute":"guest-ping"}' >/dev/null 2>&1; then
		ok=1
		break
	fi
	sleep 0.2
done
[ "$ok" = 1 ] || die "the guest agent of $name never answered"

echo "== Integration Services on a far host ($rtt ms RTT, delay $(cat "$tmp/far/delay_method")), the tiny guest's qemu-ga =="
tm_vmmc -x 160 -y 45 --env "SSH_AUTH_SOCK=$FAR_SOCK" --env "VMMC_SSH_DIR=$FAR_SSHDIR" --env "VMMC_LOG=$tmp/vmmc.log" \
	-- -c "ssh://root@$FAR_ADDR:$FAR_PORT/system" || die "cannot start vmmc in tmux"
tm_wait_for " connected" 30 >/dev/null || die "vmmc did not connect to the far host"
tm_keys /
tm_type "$name"
tm_keys Enter
tm_wait_for "(1 of " 10 >/dev/null || die "the guest is not in vmmc's list"
ok=0
for ((i = 0; i < 300 * VMMC_TIMEOUT_SCALE; i++)); do
	if tm_capture | grep -qE "│$name .* up *│"; then
		ok=1
		break
	fi
	sleep 0.1
done
[ "$ok" = 1 ] || die "the Agent column of $name is not 'up'"

# filled: every service of the first answer is on the screen
filled() {
	local s
	s=$(tm_capture 2>/dev/null) || return 1
	[[ $s == *"(agent up)"* && $s == *"connected, version "* && $s == *"guest clock "* &&
		$s == *"Interface: lo"* && $s == *"Device: agent channel"* ]]
}

times=() jobs=() per=() firsts=()
for ((r = 1; r <= runs; r++)); do
	# the host's worker done with what it had (the rest of the connect, a
	# re-read after another client's change): J's job is not queued behind it
	tm_wait_gone " busy" 60 >/dev/null || true
	mark=$(wc -l <"$tmp/vmmc.log")
	t0=$EPOCHREALTIME
	tm_keys J
	ok=0
	for ((i = 0; i < 600 * VMMC_TIMEOUT_SCALE; i++)); do
		if filled; then
			ok=1
			break
		fi
		sleep 0.02
	done
	[ "$ok" = 1 ] || die "Integration Services were not filled (run $r): $(tm_capture | grep -E 'Agent calls|agent' | head -n 3)"
	times+=("$(ms_since "$t0")")
	# the info job's own time (vmmc's log): without the wait in the queue
	jobs+=("$(tail -n +$((mark + 1)) "$tmp/vmmc.log" |
		sed -n 's/.*end read the guest information of .* in \([0-9]*\) ms$/\1/p' | head -n 1)")
	# the view open: 6 refreshes at the default interval
	ok=0
	for ((i = 0; i < 300 * VMMC_TIMEOUT_SCALE; i++)); do
		line=$(tm_capture | grep -oE "Agent calls: [0-9]+ in [0-9]+ refresh\(es\), [0-9]+ in the last" || true)
		if [[ $line =~ Agent\ calls:\ ([0-9]+)\ in\ ([0-9]+)\ refresh.*,\ ([0-9]+)\ in\ the\ last ]] &&
			[ "${BASH_REMATCH[2]}" -ge 6 ]; then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ "$ok" = 1 ] || die "fewer than 6 refreshes of the view in $((30 * VMMC_TIMEOUT_SCALE)) s"
	calls=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]} last=${BASH_REMATCH[3]}
	per+=("$(awk -v c="$calls" -v n="$n" 'BEGIN { printf "%.1f", c / n }')")
	firsts+=("$calls/$n (last $last)")
	tm_keys Escape
	tm_wait_gone "Integration Services:" 10 >/dev/null || die "the view did not close"
done
vm=$(median "${times[@]}")
echo "  vmmc: J to all services filled: ${times[*]} ms, median $vm ms (target < 1500)"
echo "  vmmc: of which the info job on the host's worker: ${jobs[*]} ms, median $(median "${jobs[@]}") ms"
echo "  vmmc: agent calls per refresh, the view open: ${per[*]} (calls/refreshes: ${firsts[*]}; target <= 3)"
tm_end >/dev/null 2>&1 || true

# virsh over qemu+ssh:// to the same host: each its own login, then one session
vt=()
for ((r = 1; r <= runs; r++)); do
	t0=$EPOCHREALTIME
	SSH_AUTH_SOCK=$FAR_SOCK virsh -q -c "$FAR_URI" guestinfo "$name" >"$tmp/gi" 2>&1 || die "virsh guestinfo: $(cat "$tmp/gi")"
	SSH_AUTH_SOCK=$FAR_SOCK virsh -q -c "$FAR_URI" domifaddr "$name" --source agent >"$tmp/if" 2>&1 || die "virsh domifaddr: $(cat "$tmp/if")"
	SSH_AUTH_SOCK=$FAR_SOCK virsh -q -c "$FAR_URI" domtime "$name" >"$tmp/dt" 2>&1 || die "virsh domtime: $(cat "$tmp/dt")"
	vt+=("$(ms_since "$t0")")
done
grep -q "hostname *: $name" "$tmp/gi" || die "virsh guestinfo has no hostname $name"
vs=()
for ((r = 1; r <= runs; r++)); do
	t0=$EPOCHREALTIME
	SSH_AUTH_SOCK=$FAR_SOCK virsh -q -c "$FAR_URI" "guestinfo $name; domifaddr $name --source agent; domtime $name" \
		>"$tmp/all" 2>&1 || die "virsh (one session): $(cat "$tmp/all")"
	vs+=("$(ms_since "$t0")")
done
echo "  virsh guestinfo + domifaddr --source agent + domtime, 3 logins: ${vt[*]} ms, median $(median "${vt[@]}") ms"
echo "  virsh the same in one session:                        ${vs[*]} ms, median $(median "${vs[@]}") ms"
