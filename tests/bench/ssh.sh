#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/ssh.sh [BIN] - SSH hosts, vmmc side by side with virsh, same
# run, same hosts (root; starts libvirtd if needed):
#   1. connect + list, wall time, median of 5 runs (the two alternate), over
#      a hermetic sshd on loopback (0 ms RTT) and over a "far" host
#      (tests/remote/farhost.sh: a network namespace, 200 ms RTT):
#        virsh -c 'qemu+ssh://root@ADDR:PORT/system?keyfile=KEY&command=SSH' list --all
#        vmmc --batch --iterations 1 --format csv -d 0.001 ssh://root@ADDR:PORT/system
#      vmmc must list the same VM names as virsh (else: exit status 1);
#      throw-away domains of other test runs (vmmc-test-<pid>-*) are left out
#      of that check, and a name counts only if virsh saw it both before and
#      after the vmmc run (the host may change while it runs).
#      On the far host also the round trips of each (median), counted by
#      tests/remote/farhost.sh trips from its packet trace, next to
#      `ssh root@ADDR true` (the SSH floor), and the console: vmmc in tmux,
#      the time and round trips to the first frame with the VMs, and after
#      the link drops (sshd's session killed) to the next list.
#   2. SSH logins over a session: vmmc in tmux (120x40, default refresh) on
#      the loopback host for 60 s, counting sshd's "Accepted publickey" lines
#      (target: 1); virsh opens one SSH login per command.
#
# The floor at 200 ms RTT with these components (libssh 0.10.6, OpenSSH
# 9.2's sshd, libvirt 9.0's client), in round trips, as counted: TCP 1,
# banners 1 (libssh sends KEXINIT only after the server's banner), KEXINIT
# 1, ECDH 1, NEWKEYS + SERVICE_REQUEST 1, the signed login 1 (+1 for an
# agent key: libssh 0.10 asks the server about it first), the channel to
# the daemon's socket 2 (sshd's Nagle holds the confirmation behind its
# post-login hostkeys notice until our ACK), libvirt's open 5 (AUTH_LIST,
# SUPPORTS_FEATURE, CONNECT_OPEN, SUPPORTS_FEATURE x 2, one after another),
# the list 1: 14 to the console's first frame, 15 for batch mode (its
# second reading). Below that needs changes outside vmmc: libssh sending
# KEXINIT with its banner and the login right after SERVICE_REQUEST (-2),
# sshd with TCP_NODELAY on forwarding channels (-1), libvirt's client
# pipelining its open (-4); or a link that is already up (a multiplexed
# SSH master kept between runs: 7 round trips instead of 14).
#
# Both clients get the same private SSH setup: a fresh ed25519 key (no
# passphrase) in authorized_keys and in a private ssh-agent (SSH_AUTH_SOCK),
# and a directory with config, known_hosts (ssh-keyscan of both servers) and
# the key as id_ed25519 (the config holds only options both OpenSSH and
# libssh implement). vmmc reads it through VMMC_SSH_DIR; virsh's ssh runs
# through command=TMP/ssh, a two-line wrapper
# `ssh -F DIR/config -o BatchMode=yes "$@"` (qemu+ssh passes keyfile= on as
# -i but ignores known_hosts=, and OpenSSH finds ~/.ssh through the passwd
# entry, not $HOME).
# vmmc's figure includes what --batch --iterations 1 does after the list:
# one bulk-stats call (the list's own was the baseline), so one round trip
# more than `virsh list` needs; -d 0.001 makes the interval nothing.
#
# The test domains (8, vmmc-test-<pid>-ssh*, defined, never started), both
# sshd, the far host, the agent and tmux are removed at exit, also on
# INT/TERM. Prints figures; exit status 0 unless something could not run
# (vmmc could not connect, its list differs from virsh's).
# Knobs: VMMC_BENCH_RUNS (5), VMMC_BENCH_SSH_VMS (8), VMMC_BENCH_SSH_RTT (ms,
# 200), VMMC_BENCH_SSH_SECS (60), VMMC_BENCH_SSH_TIMEOUT (s per run, 60).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
runs=${VMMC_BENCH_RUNS:-5}
nvms=${VMMC_BENCH_SSH_VMS:-8}
rtt=${VMMC_BENCH_SSH_RTT:-200}
secs=${VMMC_BENCH_SSH_SECS:-60}
tmo=${VMMC_BENCH_SSH_TIMEOUT:-60}
farhost=$root/tests/remote/farhost.sh
sshd_sh=$root/tests/remote/sshd.sh

# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/tmux.sh
. "$root/tests/lib/tmux.sh"

die() {
	echo "bench ssh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (libvirtd, sshd, network namespaces)"
[ -x "$bin" ] || die "$bin is not an executable (make builds it)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
for c in virsh ssh ssh-agent ssh-add ssh-keygen ssh-keyscan tmux timeout ip; do
	command -v "$c" >/dev/null || die "$c is missing (mk/deps.sh test)"
done
[ -x /usr/sbin/sshd ] || die "sshd is missing (mk/deps.sh test: openssh-server)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-ssh.XXXXXX")
agent_pid=
child=
vms_defined=0
# shellcheck disable=SC2317 # (the EXIT trap)
cleanup() {
	local rc=$?
	set +e
	trap '' INT TERM HUP
	if [ -n "$child" ]; then # timeout(1) passes the TERM on to its command
		kill "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	tm_end >/dev/null 2>&1
	tm_sweep
	[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null
	"$farhost" down "$tmp/far" >/dev/null
	"$sshd_sh" stop "$tmp/near"
	if [ "$vms_defined" = 1 ]; then
		lv_cleanup_vms
	fi
	lv_down
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# timed CMD...: run CMD under timeout(1), wait for it. In the background:
# timeout puts CMD in a process group of its own, so a Ctrl-C reaches only
# this shell, and bash runs a trap only once a foreground command ends; a
# `wait` ends at once on a trapped signal (cleanup then stops $child).
timed() {
	local rc=0
	timeout "$tmo" "$@" &
	child=$!
	wait "$child" || rc=$?
	child=
	return "$rc"
}

ms_since() { # EPOCHREALTIME value -> whole ms since then
	local t0=${1/[.,]/} t1=${EPOCHREALTIME/[.,]/}
	echo $(((t1 - t0) / 1000))
}

median() { # numbers... -> the median (the lower middle one for an even count)
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# the names in `virsh list --all` output (second column of the table)
virsh_names() {
	awk 'NR > 2 && NF >= 3 { print $2 }' "$1" | LC_ALL=C sort
}

# the names (third field) in vmmc's CSV, quotes undone
vmmc_names() {
	awk 'NR > 1 {
		f = 1; s = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (q) {
				if (c == "\"") {
					if (substr($0, i + 1, 1) == "\"") { s = s c; i++ } else q = 0
				} else s = s c
			} else if (c == "\"") q = 1
			else if (c == ",") { if (f == 3) break; f++; s = "" }
			else s = s c
		}
		if (f == 3) print s
	}' "$1" | LC_ALL=C sort
}

# the names to compare: all but the throw-away domains of other test runs
# (vmmc-test-<pid>-*, defined and removed within seconds by a concurrent
# `make check`); this run's own are kept
comparable() {
	awk -v own="$LV_PREFIX" '!/^vmmc-test-[0-9]+-/ || index($0, own) == 1' "$@"
}

# same_names VIRSH_BEFORE VMMC VIRSH_AFTER: vmmc's list against virsh's taken
# before and after it (the host may change in between): wrong if it lacks a
# name both virsh runs saw, or has one neither saw. Prints the differences.
same_names() {
	local b=$1 m=$2 a=$3 missing extra
	missing=$(LC_ALL=C comm -12 <(comparable "$b") <(comparable "$a") |
		LC_ALL=C comm -23 - <(comparable "$m"))
	extra=$(LC_ALL=C comm -23 <(comparable "$m") <(comparable "$b" "$a" | LC_ALL=C sort -u))
	[ -z "$missing$extra" ] && return 0
	# shellcheck disable=SC2001 # (one line per name)
	[ -z "$missing" ] || sed 's/^/  listed by virsh, not by vmmc: /' <<<"$missing"
	# shellcheck disable=SC2001
	[ -z "$extra" ] || sed 's/^/  listed by vmmc, not by virsh: /' <<<"$extra"
	return 1
}

logins() { # sshd DIR -> "Accepted publickey" lines so far
	grep -c 'Accepted publickey' "$1/sshd.log" 2>/dev/null || true
}

# ---- the host: libvirtd and the test domains ----------------------------------
lv_up || die "libvirtd does not run"
vms_defined=1
echo "bench ssh: defining $nvms test domains (${LV_PREFIX}ssh1..$nvms)"
for i in $(seq "$nvms"); do
	lv_define_vm "$(lv_name "ssh$i")" >/dev/null || die "cannot define $(lv_name "ssh$i")"
done

# ---- the SSH servers ------------------------------------------------------------
mkdir -p "$tmp/near" "$tmp/far" "$tmp/sshdir" "$tmp/home" "$tmp/config" "$tmp/cache" "$tmp/state"
chmod 700 "$tmp/sshdir"
near_port=$("$sshd_sh" start "$tmp/near") || die "the loopback sshd did not start"
near_addr=127.0.0.1
read -r far_addr far_port < <(FARHOST_OWNER=$$ "$farhost" up "$tmp/far" $((rtt / 2))) ||
	die "the far host did not come up"
[ -n "${far_port:-}" ] || die "the far host did not come up"

# ---- keys, agent, ssh directory ---------------------------------------------------
sshdir=$tmp/sshdir
key=$sshdir/id_ed25519
ssh-keygen -q -t ed25519 -N '' -C vmmc-bench-ssh -f "$key"
cat "$key.pub" >>"$tmp/near/authorized_keys"
cat "$key.pub" >>"$tmp/far/authorized_keys"
agent_sock=$tmp/agent.sock
ssh-agent -D -a "$agent_sock" >/dev/null 2>&1 &
agent_pid=$!
for _ in $(seq 50); do
	[ -S "$agent_sock" ] && break
	sleep 0.1
done
SSH_AUTH_SOCK=$agent_sock ssh-add -q "$key" 2>/dev/null || die "ssh-add failed"
for hp in "$near_addr $near_port" "$far_addr $far_port"; do
	read -r a p <<<"$hp"
	kh=$(timeout 20 ssh-keyscan -T 10 -t ed25519 -p "$p" "$a" 2>/dev/null) || kh=
	[ -n "$kh" ] || die "ssh-keyscan of $a:$p found no key"
	echo "$kh" >>"$sshdir/known_hosts"
done
cat >"$sshdir/config" <<EOF
Host *
	UserKnownHostsFile $sshdir/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	IdentityFile $key
	ConnectTimeout 20
EOF
# (BatchMode here: libssh does not implement it; vmmc would warn)
cat >"$tmp/ssh" <<EOF
#!/bin/sh
exec ssh -F '$sshdir/config' -o BatchMode=yes "\$@"
EOF
chmod +x "$tmp/ssh"

# the same clean environment for both programs
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config"
	"XDG_CACHE_HOME=$tmp/cache" "XDG_STATE_HOME=$tmp/state" "LANG=C.UTF-8"
	"SSH_AUTH_SOCK=$agent_sock" "VMMC_SSH_DIR=$sshdir")

# round trip to the far host, as TCP sees it (SYN to SYN-ACK)
t0=$EPOCHREALTIME
# shellcheck disable=SC2016 # (expanded by the inner bash)
timeout 10 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$far_addr" "$far_port" || die "far host: no TCP connection"
far_rtt=$(ms_since "$t0")
echo "bench ssh: loopback sshd $near_addr:$near_port; far host $far_addr:$far_port" \
	"(delay $(cat "$tmp/far/delay_method"), measured TCP connect $far_rtt ms)"

# ---- 1. connect + list --------------------------------------------------------------
fail=0
declare -A res

# the far host's round trips: rt_mark before a run, rt_count after it
rt_mark() { "$farhost" mark "$tmp/far"; }
rt_count() { "$farhost" trips "$tmp/far" "$@"; }

# measure LABEL ADDR PORT DIR: alternate virsh and vmmc $runs times (and
# count round trips on the far host)
measure() {
	local label=$1 addr=$2 port=$3 sdir=$4 i t0 rc ms vuri muri l0 l1 vlog=0 mlog=0 mk
	local -a vt=() mt=() vr=() mr=()
	local vmmc_ok=1 err mruns=0
	vuri="qemu+ssh://root@$addr:$port/system?keyfile=$key&command=$tmp/ssh"
	muri="ssh://root@$addr:$port/system"
	for ((i = 1; i <= runs; i++)); do
		l0=$(logins "$sdir")
		[ "$label" != far ] || mk=$(rt_mark)
		t0=$EPOCHREALTIME
		rc=0
		timed "${cleanenv[@]}" virsh -c "$vuri" list --all >"$tmp/virsh.out" 2>"$tmp/virsh.err" || rc=$?
		ms=$(ms_since "$t0")
		[ "$label" != far ] || vr+=("$(rt_count "$mk")")
		l1=$(logins "$sdir")
		vlog=$((vlog + l1 - l0))
		if [ "$rc" != 0 ]; then
			echo "bench ssh: virsh ($label) failed (status $rc): $(head -c 600 "$tmp/virsh.err")" >&2
			return 1
		fi
		vt+=("$ms")
		virsh_names "$tmp/virsh.out" >"$tmp/virsh.names"
		for n in $(seq "$nvms"); do
			grep -qxF "$(lv_name "ssh$n")" "$tmp/virsh.names" ||
				{ echo "bench ssh: virsh ($label) does not list $(lv_name "ssh$n")" >&2; return 1; }
		done

		[ "$vmmc_ok" = 1 ] || continue
		mruns=$((mruns + 1))
		l0=$(logins "$sdir")
		[ "$label" != far ] || mk=$(rt_mark)
		t0=$EPOCHREALTIME
		rc=0
		timed "${cleanenv[@]}" "$bin" --batch --iterations 1 --format csv -d 0.001 "$muri" \
			>"$tmp/vmmc.out" 2>"$tmp/vmmc.err" </dev/null || rc=$?
		ms=$(ms_since "$t0")
		[ "$label" != far ] || mr+=("$(rt_count "$mk")")
		l1=$(logins "$sdir")
		mlog=$((mlog + l1 - l0))
		if [ "$rc" != 0 ] || [ ! -s "$tmp/vmmc.out" ]; then
			err=$(head -c 600 "$tmp/vmmc.err")
			[ "$rc" != 124 ] || err="no answer in $tmo s${err:+; }$err"
			echo "vmmc: could not connect ($label, status $rc): ${err:-no output}" >&2
			vmmc_ok=0
			fail=1
			continue
		fi
		mt+=("$ms")
		vmmc_names "$tmp/vmmc.out" >"$tmp/vmmc.names"
		if ! cmp -s <(comparable "$tmp/virsh.names") <(comparable "$tmp/vmmc.names"); then
			# the host may have changed in between (another test): ask again
			timed "${cleanenv[@]}" virsh -c "$vuri" list --all >"$tmp/virsh2.out" 2>/dev/null || true
			virsh_names "$tmp/virsh2.out" >"$tmp/virsh2.names"
			if ! same_names "$tmp/virsh.names" "$tmp/vmmc.names" "$tmp/virsh2.names" >"$tmp/diff"; then
				echo "bench ssh: MISMATCH ($label): vmmc's VM names differ from virsh's" >&2
				cat "$tmp/diff" >&2
				fail=1
				vmmc_ok=0
				mt=()
			fi
		fi
	done
	res[$label.virsh]=$(median "${vt[@]}")
	res[$label.vmmc]=
	[ "$vmmc_ok" = 0 ] || res[$label.vmmc]=$(median "${mt[@]}")
	res[$label.vrt]=$(median "${vr[@]}")
	res[$label.mrt]=$(median "${mr[@]}")
	res[$label.vlog]=$vlog
	res[$label.mlog]=$mlog
	res[$label.mruns]=$mruns
	res[$label.nv]=$(wc -l <"$tmp/virsh.names")
	[ -n "${res[nv]:-}" ] || res[nv]=${res[$label.nv]}
}

echo "bench ssh: connect+list, $runs runs each, virsh and vmmc alternating"
measure near "$near_addr" "$near_port" "$tmp/near" || die "virsh over the loopback sshd failed"
measure far "$far_addr" "$far_port" "$tmp/far" || die "virsh over the far host failed"

# ssh host true on the far host, $runs times: the SSH floor
st=() sr=()
for ((i = 1; i <= runs; i++)); do
	mk=$(rt_mark)
	t0=$EPOCHREALTIME
	timed "${cleanenv[@]}" "$tmp/ssh" -p "$far_port" "root@$far_addr" true </dev/null ||
		die "ssh root@$far_addr true failed"
	st+=("$(ms_since "$t0")")
	sr+=("$(rt_count "$mk")")
done
res[ssh.ms]=$(median "${st[@]}")
res[ssh.rt]=$(median "${sr[@]}")

# a time, and the round trips when counted: "4635 ms" / "4635 ms 22 rt"
cell() { # MS [RT]
	if [ -z "$1" ]; then printf '%17s' n/a
	elif [ -n "${2:-}" ]; then printf '%8d ms %3d rt' "$1" "$2"
	else printf '%11d ms' "$1"; fi
}
row() { # LABEL KEY
	local ratio=n/a
	[ -z "${res[$2.vmmc]}" ] || ratio=$(awk -v v="${res[$2.virsh]}" -v m="${res[$2.vmmc]}" 'BEGIN { printf "%.2fx", m / v }')
	printf '%-30s %17s %17s %11s\n' "$1" "$(cell "${res[$2.virsh]}" "${res[$2.vrt]:-}")" \
		"$(cell "${res[$2.vmmc]}" "${res[$2.mrt]:-}")" "$ratio"
}
printf '%-30s %17s %17s %11s\n' "(median of $runs, ${res[nv]} VMs)" virsh vmmc "vmmc/virsh"
row "connect+list   0 ms RTT" near
row "connect+list $(printf '%3d' "$rtt") ms RTT" far
printf '%-30s %17s   (the SSH floor: connect, log in, run a command)\n' \
	"ssh host true $(printf '%3d' "$rtt") ms RTT" "$(cell "${res[ssh.ms]}" "${res[ssh.rt]}")"
echo "SSH logins in those runs: virsh $((${res[near.vlog]} + ${res[far.vlog]})) for $((2 * runs)) calls," \
	"vmmc $((${res[near.mlog]} + ${res[far.mlog]})) for $((${res[near.mruns]} + ${res[far.mruns]})) runs"

# ---- the console on the far host: first frame with VMs, reconnect ------------------------
export VMMC_BIN=$bin

# the N of "Virtual Machines (N) on HOST" on the screen, -1 when none
vm_count() {
	local screen
	screen=$(tm_capture 2>/dev/null) || screen=
	if [[ $screen =~ Virtual\ Machines\ \(([0-9]+)\)\ on\  ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo -1
	fi
}

# wait_count MIN SECS: until the title counts MIN VMs or more (20 ms polls)
wait_count() {
	local i
	for ((i = 0; i < $2 * 50; i++)); do
		[ "$(vm_count)" -lt "$1" ] || return 0
		tm_alive || return 1
		sleep 0.02
	done
	return 1
}

# $runs times: vmmc in tmux (140x36) on the far host, from the start to the
# first frame whose title counts the VMs; then the link drops (sshd's session
# killed), a VM is defined meanwhile, and from "disconnected" on the screen
# to the frame that counts it (this includes the 1 s retry delay). Round
# trips: the far host's, from the start (the drop) to that frame (the window
# then also holds the burst sent right after the list's answer, which the
# count leaves out as its last).
ct=() cr=() rct=() rcr=()
for ((i = 1; i <= runs; i++)); do
	mk=$(rt_mark)
	t0=$EPOCHREALTIME
	tm_vmmc -x 140 -y 36 --env "SSH_AUTH_SOCK=$agent_sock" --env "VMMC_SSH_DIR=$sshdir" \
		-- "ssh://root@$far_addr:$far_port/system" || die "cannot start vmmc in tmux"
	if ! wait_count "$nvms" "$tmo"; then
		echo "vmmc: the far host's VMs did not show in $tmo s (console)" >&2
		fail=1
		break
	fi
	ct+=("$(ms_since "$t0")")
	cr+=("$(rt_count "$mk" "$(rt_mark)")")
	tm_wait_gone busy 20 >/dev/null 2>&1 || true # the rest of the connect
	sleep 1
	n=$(vm_count)
	"$sshd_sh" signal "$tmp/far" KILL
	if ! tm_wait_for disconnected 20 >/dev/null 2>&1; then
		echo "vmmc: a dropped link was not noticed in 20 s" >&2
		fail=1
		break
	fi
	mk=$(rt_mark)
	t0=$EPOCHREALTIME
	lv_define_vm "$(lv_name "re$i")" >/dev/null || die "cannot define $(lv_name "re$i")"
	if ! wait_count $((n + 1)) "$tmo"; then
		echo "vmmc: no new list in $tmo s after a dropped link" >&2
		fail=1
		break
	fi
	rct+=("$(ms_since "$t0")")
	rcr+=("$(rt_count "$mk" "$(rt_mark)")")
	tm_stop # (the next tm_vmmc keeps the test folder: its cache of the socket found)
done
tm_end >/dev/null 2>&1 || true
[ "${#ct[@]}" = 0 ] ||
	printf '%-30s %17s %17s   (start to the first frame with VMs)\n' "console $(printf '%3d' "$rtt") ms RTT" "" \
		"$(cell "$(median "${ct[@]}")" "$(median "${cr[@]}")")"
[ "${#rct[@]}" = 0 ] ||
	printf '%-30s %17s %17s   (link dropped: \"disconnected\" to the new list, 1 s retry delay included)\n' \
		"reconnect $(printf '%3d' "$rtt") ms RTT" "" "$(cell "$(median "${rct[@]}")" "$(median "${rcr[@]}")")"

# ---- 2. logins over a session ---------------------------------------------------------
# the session lists, opens a serial console (the tiny real guest of
# tests/guest/) and polls the live figures
guest=$(lv_name guest)
"$root/tests/guest/build.sh" >/dev/null || die "no test guest (tests/guest/build.sh)"
"$root/tests/guest/domain.sh" "$guest" >"$tmp/guest.xml" || die "tests/guest/domain.sh failed"
lv_virsh define "$tmp/guest.xml" >/dev/null || die "cannot define $guest"
lv_virsh start "$guest" >/dev/null || die "cannot start $guest"
l0=$(logins "$tmp/near")
tm_vmmc -x 120 -y 40 --env "SSH_AUTH_SOCK=$agent_sock" --env "VMMC_SSH_DIR=$sshdir" \
	-- "ssh://root@$near_addr:$near_port/system" || die "cannot start vmmc in tmux"
# listed: the title "Virtual Machines (N) on HOST" counts them all
listed=0
for ((i = 0; i < 300; i++)); do
	screen=$(tm_capture 2>/dev/null) || screen=
	if [[ $screen =~ Virtual\ Machines\ \(([0-9]+)\)\ on\  ]] &&
		[ "${BASH_REMATCH[1]}" -ge "$nvms" ]; then
		listed=1
		break
	fi
	tm_alive || break
	sleep 0.1
done
console=0
if [ "$listed" = 1 ]; then
	tm_keys /
	tm_type "$guest"
	tm_keys Enter
	sleep 0.5
	tm_keys c
	for ((i = 0; i < 120; i++)); do
		tm_type "echo con-\$((6*7))"
		tm_keys Enter
		if tm_capture | grep -q "con-42"; then
			console=1
			break
		fi
		sleep 0.5
	done
	[ "$console" = 1 ] || { echo "bench ssh: the console over SSH did not answer" >&2; fail=1; }
fi
if [ "$listed" = 1 ]; then
	sleep "$secs"
	alive=running
	tm_alive || alive="exited early"
	n=$(($(logins "$tmp/near") - l0))
	echo "SSH logins in a $secs s session (list, serial console, live figures): vmmc $n (target 1; vmmc $alive), virsh: 1 per command"
	[ "$alive" = running ] || fail=1
else
	screen=$(tm_capture 2>/dev/null | sed 's/[[:space:]]*$//' | grep -v '^$' | tail -n 5 | tr '\n' '|')
	why="the VM list did not show in 30 s"
	tm_alive || why="vmmc exited before the VM list showed"
	echo "vmmc: could not connect (interactive: $why): screen: ${screen:-empty}" >&2
	echo "SSH logins in $secs s: vmmc n/a (could not connect), virsh per command: 1 per call"
	fail=1
fi
tm_end >/dev/null 2>&1 || true

exit "$fail"
