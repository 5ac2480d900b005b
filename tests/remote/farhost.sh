#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/remote/farhost.sh - a "far" SSH host for the remote tests and the SSH
# bench: a network namespace joined to this one by a veth pair with netem
# delay on both ends, and a hermetic sshd (tests/remote/sshd.sh) inside it.
# Root only.
#
#   farhost.sh up DIR [DELAY_MS]   make it; DELAY_MS (default 100) is added on
#                                  each end, so the RTT is 2 x DELAY_MS. Prints
#                                  "ADDR PORT" (the sshd inside); DIR holds
#                                  addr, port, netns, veth, delay_ms and all of
#                                  sshd.sh's files (hostkey, authorized_keys,
#                                  sshd.log, ...). DIR is created if missing;
#                                  an earlier far host in DIR is removed first
#   farhost.sh down DIR            remove sshd, its sessions, the veth pair and
#                                  the namespace; idempotent; leaves DIR's
#                                  other files (keys, log) for the caller
#   farhost.sh delay DIR MS        change the delay on both ends, live
#   farhost.sh mark DIR            print a mark for `trips` (the packets so far)
#   farhost.sh trips DIR MARK [END]  print the round trips the clients of
#                                  the far sshd waited for since MARK (and
#                                  up to the mark END)
#
# Round trips (nfqueue delay only; `trips` fails under netem): every TCP
# packet into the namespace is logged in DIR/trace (tests/remote/
# nfqdelay.c -t). A client's packets to sshd form bursts: a packet sent more
# than DELAY_MS (half the RTT) after the client's previous one starts a new
# burst, which it can only have waited for, a round trip (a lone ACK counts:
# it answers a segment the server's Nagle held back until then, a wait as
# long as any). Bare RSTs and what a connection sends after its FIN are
# left out; the last burst (the close, or whatever ends the window) is
# waited on by nothing, so round trips = bursts - 1: a TCP connect, one
# request and its answer, and a close count 2. All of the far sshd's
# clients in the window count together, on one time line.
#
# The delay: `tc qdisc ... netem delay` on both ends of the veth pair when
# the kernel has sch_netem; otherwise (some VM kernels are built without it
# and without modules) an iptables rule inside the namespace sends every
# packet into it through netfilter queue 0, where tests/remote/nfqdelay.c
# (built into build/nfqdelay) holds it for 2 x DELAY_MS: the same RTT, all
# of it on the way in. Not half on the way out too: a packet the far host
# sends is still charged to its socket while it waits in the queue, and TCP
# Small Queues then lets a socket have only about two packets there, so a
# download from the far host crawled at 2 packets per DELAY_MS (28 KB/s at
# 100 ms; 8 MB took 286 s, with the delay only inbound 8.4 s). A packet that
# comes in has left the sender's socket at the veth (orphaned). The trace
# then holds the packets into the namespace only (what `trips` reads).
# FARHOST_DELAY=netem or =nfqueue forces one; DIR/delay_method says which
# was used.
#
# Addresses: 10.251.X.1/30 on this side (veth vfarXr), 10.251.X.2/30 inside
# (vfarXn), X in 1..254, the first X with no address, route or link of ours
# in 10.251.X.0/24. The namespace is vmmc-far-OWNER-X, OWNER being the pid
# of the process the host belongs to: $FARHOST_OWNER, else the caller
# ($PPID). /run/vmmc-far/NAME records OWNER's start time and DIR. Every up
# and down first removes the far hosts whose owner is gone (a run that was
# killed before its `down`). An interrupted or failed `up` removes what it
# made. The namespace shares the file system: sshd's sessions reach the
# host's /run/libvirt/libvirt-sock, so qemu+ssh:// to ADDR:PORT works
# (libvirt runs virt-ssh-helper on the remote side).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sshd_sh=$here/sshd.sh
root=$(cd "$here/../.." && pwd)
reg=/run/vmmc-far
net=10.251

die() {
	echo "farhost.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 up DIR [DELAY_MS] | down DIR | delay DIR MS | mark DIR | trips DIR MARK [END]" >&2
	exit 2
}

# the start time of a live process (field 22 of stat), empty if gone
proc_start() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	read -r -a f <<<"$st"
	[ "${f[0]}" != Z ] || return 0
	echo "${f[19]}"
}

lock() {
	mkdir -p "$reg"
	exec 9>"$reg/lock"
	flock -w 60 9 || die "cannot lock $reg/lock"
}

our_namespaces() {
	ip netns list 2>/dev/null | awk '$1 ~ /^vmmc-far-[0-9]+-[0-9]+$/ {print $1}'
}

# teardown NAME [DIR]: stop everything in namespace NAME and remove it
teardown() {
	local name=$1 d=${2:-} x pids p i
	x=${name##*-}
	if [ -n "$d" ] && [ -f "$d/sshd_config" ]; then
		"$sshd_sh" stop "$d" || true
	fi
	if [ -e "/run/netns/$name" ]; then
		for ((i = 0; i < 30; i++)); do
			pids=$(ip netns pids "$name" 2>/dev/null) || pids=
			[ -n "$pids" ] || break
			for p in $pids; do
				if [ "$i" -ge 20 ]; then
					kill -KILL "$p" 2>/dev/null || true
				else
					kill -CONT "$p" 2>/dev/null || true
					kill -TERM "$p" 2>/dev/null || true
				fi
			done
			sleep 0.1
		done
		[ -z "$(ip netns pids "$name" 2>/dev/null)" ] ||
			echo "farhost.sh: processes left in $name: $(ip netns pids "$name" | tr '\n' ' ')" >&2
	fi
	# deleting one end of a veth pair deletes the other
	ip link del "vfar${x}r" 2>/dev/null || true
	[ ! -e "/run/netns/$name" ] || ip netns del "$name" 2>/dev/null ||
		echo "farhost.sh: could not delete namespace $name" >&2
	rm -f "$reg/$name"
}

# remove far hosts whose owner is gone (also registry entries whose `up`
# died before the namespace was made)
sweep() {
	local name owner start dir live
	for name in $(our_namespaces) $(cd "$reg" && ls -d vmmc-far-* 2>/dev/null); do
		[ -e "/run/netns/$name" ] || [ -f "$reg/$name" ] || continue
		owner='' start='' dir=''
		[ ! -f "$reg/$name" ] || read -r owner start dir <"$reg/$name" || true
		live=
		[ -z "$owner" ] || live=$(proc_start "$owner")
		if [ -z "$owner" ] || [ -z "$live" ] || [ "$live" != "$start" ]; then
			echo "farhost.sh: removing stale far host $name${dir:+ ($dir)} (owner ${owner:-?} gone)" >&2
			if [ -n "$dir" ] && [ "$(cat "$dir/netns" 2>/dev/null)" = "$name" ]; then
				down_dir "$dir"
			else
				teardown "$name" "$dir"
			fi
		fi
	done
}

# down_dir DIR: remove the far host recorded in DIR, if any
down_dir() {
	local d=$1 name
	name=$(cat "$d/netns" 2>/dev/null) || name=
	if [ -n "$name" ]; then
		teardown "$name" "$d"
	elif [ -f "$d/sshd_config" ]; then
		"$sshd_sh" stop "$d" || true
	fi
	rm -f "$d/netns" "$d/veth" "$d/addr" "$d/delay_ms" "$d/delay_method" "$d/nfqdelay.pid" \
		"$d/nfqdelay.ready" "$d/nfq_delay_ms" "$d/trace"
}

# build/nfqdelay, built when missing or older than its source
nfqdelay_bin() {
	local src=$here/nfqdelay.c bin=$root/build/nfqdelay
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		mkdir -p "$root/build"
		if ! cc -O2 -Wall -o "$bin.tmp.$$" "$src"; then
			rm -f "$bin.tmp.$$"
			die "cannot build $bin (gcc)"
		fi
		mv -f "$bin.tmp.$$" "$bin"
	fi
	echo "$bin"
}

# nfqueue_up NAME INNER DIR DELAY: the delay in user space (see the top)
nfqueue_up() {
	local name=$1 inner=$2 d=$3 delay=$4 bin pid
	command -v iptables >/dev/null || die "iptables is missing (Debian: iptables; mk/deps.sh test)"
	bin=$(nfqdelay_bin)
	rm -f "$d/nfqdelay.ready"
	# not holding the lock (fd 9), not holding a caller's $(...) open
	: >"$d/trace"
	echo $((2 * delay)) >"$d/nfq_delay_ms"
	ip netns exec "$name" "$bin" -q 0 -d $((2 * delay)) -f "$d/nfq_delay_ms" -r "$d/nfqdelay.ready" -t "$d/trace" \
		</dev/null >>"$d/nfqdelay.log" 2>&1 9>&- &
	pid=$!
	echo "$pid" >"$d/nfqdelay.pid"
	for _ in $(seq 50); do
		[ ! -e "$d/nfqdelay.ready" ] || break
		kill -0 "$pid" 2>/dev/null || die "nfqdelay failed: $(tail -n 3 "$d/nfqdelay.log")"
		sleep 0.1
	done
	[ -e "$d/nfqdelay.ready" ] || die "nfqdelay did not bind its queue in 5 s"
	ip netns exec "$name" iptables -w -A INPUT -i "$inner" -j NFQUEUE --queue-num 0
}

check_ms() {
	case $1 in
	'' | *[!0-9]*) die "delay '$1' is not a whole number of milliseconds" ;;
	esac
}

# trips DIR MARK [END]: see the top
trips() {
	local d=$1 mark=$2 end=${3:-} port delay
	[ -f "$d/trace" ] || die "no packet trace in $d (the nfqueue delay makes one)"
	port=$(cat "$d/port") || die "no sshd port in $d"
	delay=$(cat "$d/delay_ms") || die "no delay in $d"
	awk -v mark="$mark" -v end="$end" -v port="$port" -v gap="$((delay * 1000))" '
		NR <= mark || (end != "" && NR > end) || $2 != "in" || $4 != port || fin[$3] { next }
		$5 ~ /R/ && $6 == 0 { next }
		{ if (n == 0 || $1 - last > gap) n++; last = $1 }
		$5 ~ /F/ { fin[$3] = 1 }
		END { print (n > 0 ? n - 1 : 0) }' "$d/trace"
}

case ${1:-} in
mark)
	[ $# = 2 ] || usage
	[ -f "$2/trace" ] || die "no packet trace in $2 (the nfqueue delay makes one)"
	wc -l <"$2/trace"
	exit 0
	;;
trips)
	[ $# = 3 ] || [ $# = 4 ] || usage
	check_ms "$3"
	[ $# = 3 ] || check_ms "$4"
	trips "$2" "$3" "${4:-}"
	exit 0
	;;
esac

[ "$(id -u)" = 0 ] || die "needs root (ip netns, tc)"
cmd=${1:-}
[ $# -ge 2 ] || usage
{ command -v ip && command -v tc; } >/dev/null ||
	die "ip and tc are missing (Debian: iproute2; mk/deps.sh test)"

case $cmd in
up)
	[ $# -le 3 ] || usage
	delay=${3:-100}
	check_ms "$delay"
	mkdir -p "$2"
	dir=$(cd "$2" && pwd)
	owner=${FARHOST_OWNER:-$PPID}
	case $owner in '' | *[!0-9]*) die "FARHOST_OWNER='$owner' is not a pid" ;; esac
	ostart=$(proc_start "$owner")
	[ -n "$ostart" ] || die "owner process $owner does not exist"
	lock
	sweep
	down_dir "$dir"

	x=
	for i in $(seq 1 254); do
		compgen -G "$reg/vmmc-far-*-$i" >/dev/null && continue
		compgen -G "/run/netns/vmmc-far-*-$i" >/dev/null && continue
		ip link show "vfar${i}r" >/dev/null 2>&1 && continue
		[ -z "$(ip -4 -o addr show to "$net.$i.0/24" 2>/dev/null)" ] || continue
		[ -z "$(ip -4 route show table all root "$net.$i.0/24" 2>/dev/null | grep -Ev '^(local|broadcast) ' || true)" ] || continue
		x=$i
		break
	done
	[ -n "$x" ] || die "no free /30 in $net.0.0/16"
	name=vmmc-far-$owner-$x
	outer=vfar${x}r
	inner=vfar${x}n
	addr=$net.$x.2

	done_up=0
	# shellcheck disable=SC2317 # (run by the traps)
	on_exit() {
		local rc=$?
		if [ "$done_up" != 1 ]; then
			trap '' INT TERM HUP
			echo "farhost.sh: up failed or interrupted; removing $name" >&2
			down_dir "$dir"
			[ "$rc" != 0 ] || rc=1
		fi
		exit "$rc"
	}
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP

	# recorded before anything is made, so that any failure can be undone
	echo "$owner $ostart $dir" >"$reg/$name"
	echo "$name" >"$dir/netns"
	echo "$outer" >"$dir/veth"
	echo "$addr" >"$dir/addr"
	echo "$delay" >"$dir/delay_ms"

	ip netns add "$name"
	ip link add "$outer" type veth peer name "$inner" netns "$name"
	ip addr add "$net.$x.1/30" dev "$outer"
	ip link set "$outer" up
	ip -n "$name" link set lo up
	ip -n "$name" addr add "$addr/30" dev "$inner"
	ip -n "$name" link set "$inner" up
	method=${FARHOST_DELAY:-auto}
	case $method in
	auto | netem)
		if tc qdisc add dev "$outer" root netem delay "${delay}ms" 2>"$dir/tc.err"; then
			tc -n "$name" qdisc add dev "$inner" root netem delay "${delay}ms"
			method=netem
		elif [ "$method" = netem ]; then
			die "tc netem: $(cat "$dir/tc.err")"
		else
			method=nfqueue
		fi
		rm -f "$dir/tc.err"
		;;
	nfqueue) ;;
	*) die "FARHOST_DELAY='$method': auto, netem or nfqueue" ;;
	esac
	echo "$method" >"$dir/delay_method"
	[ "$method" = netem ] || nfqueue_up "$name" "$inner" "$dir" "$delay"

	port=$(SSHD_LISTEN=$addr SSHD_NETNS=$name "$sshd_sh" start "$dir" 9>&-) ||
		die "sshd did not start in $name; see $dir/sshd.log"
	# reachable from here, through the delay
	ok=0
	for _ in $(seq 100); do
		# shellcheck disable=SC2016 # (expanded by the inner bash)
		if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$addr" "$port" 2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ "$ok" = 1 ] || die "sshd in $name does not answer on $addr:$port"
	done_up=1
	echo "$addr $port"
	;;
down)
	[ $# = 2 ] || usage
	lock
	if [ -d "$2" ]; then
		down_dir "$(cd "$2" && pwd)"
	fi
	sweep
	;;
delay)
	[ $# = 3 ] || usage
	check_ms "$3"
	name=$(cat "$2/netns" 2>/dev/null) || die "no far host in $2"
	outer=$(cat "$2/veth") || die "no far host in $2"
	x=${name##*-}
	if [ "$(cat "$2/delay_method" 2>/dev/null)" = nfqueue ]; then
		pid=$(cat "$2/nfqdelay.pid") || die "no nfqdelay pid in $2"
		echo "$3" >"$2/delay_ms"
		echo $((2 * $3)) >"$2/nfq_delay_ms"
		kill -HUP "$pid" || die "nfqdelay ($pid) is gone"
	else
		tc qdisc change dev "$outer" root netem delay "$3ms"
		tc -n "$name" qdisc change dev "vfar${x}n" root netem delay "$3ms"
		echo "$3" >"$2/delay_ms"
	fi
	;;
*) usage ;;
esac
