#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/scale.sh [PATTERN] - many hosts and few file descriptors, vmmc in
# tmux (issue 14). Ends with "scale: N passed, M failed".
#   t_scale_thousand   1000 test-driver hosts in 10 groups (no daemon: the
#                      test driver is in-process): the tree is on screen
#                      within 3 s, a key is drawn during the connect storm
#                      within 1 s, all 1000 connect on a bounded worker
#                      pool (the process has at most 48 threads: 1002
#                      before the pool), quit exits 0 with the terminal
#                      restored
#   t_scale_paced      40 hosts on the real libvirtd (qemu+unix:// URIs made
#                      distinct by ./ in the socket path) with
#                      VMMC_CONNECT_MAX=2: the log never shows more than 2
#                      connects in flight, and all 40 connect
#   t_scale_fd_limit   the same 40 hosts under `ulimit -n 64` (soft and
#                      hard): hosts beyond the limit say "too many open
#                      files: raise ulimit -n (now 64)", some connect, vmmc
#                      does not crash, a key is still drawn, quit exits 0
#   t_scale_fd_raised  `ulimit -Sn 64` with a higher hard limit: vmmc raises
#                      the soft limit (said in the log) and all 40 connect
#   t_scale_stats_shown  40 hosts on the real libvirtd, VMMC_OFFSCREEN_STATS=1:
#                      only hosts whose tree row is on screen (or the
#                      selected one) have their figures read (the log's
#                      "stats: URI: read" lines); a host scrolled out of
#                      the tree is never read; End selects the last host:
#                      it is read from then on; the probes no tree row
#                      needs (driver abilities, domain capabilities) wait
#                      for a host to be selected: u040's are read when End
#                      selects it, at most 2 hosts' in all
#   t_scale_waiting    VMMC_CONNECT_MAX=2, two hosts whose daemon never
#                      answers (a listening socket nobody accepts on) hold
#                      both slots: the third host shows "waiting" in the
#                      tree; once the mute listeners go, it connects
#   t_scale_ssh_slot   6 ssh:// hosts on one loopback sshd (tests/remote/sshd.sh),
#                      their daemon socket a mute listener (the open waits),
#                      VMMC_CONNECT_MAX=2, VMMC_CONNECT_TOTAL=8: a host's slot
#                      at its server is free once it is logged in, so all 6
#                      are past their login at once (with the slot held to
#                      the open's end: 2), never more than 2 logging in at
#                      once, and hosts waited for that server's slot
# It makes no libvirt objects: only its temporary directories (removed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

W=120 H=40
VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build/vmmc}
export VMMC_BIN
case $VMMC_BIN in
*build-asan*) VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-3} ;;
esac
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-1}
SOCK=/run/libvirt/libvirt-sock

# unix_conf N: a config of N hosts on the local libvirtd, distinct URIs
unix_conf() {
	mkdir -p "$TM_TESTDIR/config/vmmc"
	awk -v n="$1" -v sock="$SOCK" 'BEGIN {
		print "version = 1"
		d = sock; sub(/\/[^\/]*$/, "", d); f = substr(sock, length(d) + 2)
		for (i = 1; i <= n; i++) {
			p = d "/"; for (k = 0; k < i; k++) p = p "./"
			printf "\n[host]\nuri = qemu+unix:///system?socket=%s%s\nname = u%03d\n", p, f, i
		}
	}' >"$TM_TESTDIR/config/vmmc/config"
}

# the number of connected hosts the status bar shows ("N/M connected")
connected_count() {
	tm_capture | sed -n 's/^ *\([0-9]*\)\/[0-9]* connected.*/\1/p' | tail -n 1
}

# quit; exit status 0, terminal restored
quit_clean() {
	local st
	tm_keys q
	st=$(tm_exit_status 20)
	[ "$st" = 0 ] || tm_fail "exit status $st"
	tm_term_restored || tm_fail "terminal not restored"
}

t_scale_thousand() {
	local t0 t1 before
	mkdir -p "$TM_TESTDIR/config/vmmc"
	"$TM_ROOT/tests/bench/gen-hosts-conf.sh" 1000 "$TM_TESTDIR/config/vmmc/config" 10
	t0=$(date +%s%N)
	tm_vmmc -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log"
	tm_wait_for "g01" 10
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -le $((3000 * VMMC_TIMEOUT_SCALE)) ] ||
		tm_fail "the tree took $(((t1 - t0) / 1000000)) ms to show"
	# a key during the storm: drawn within 1 s
	before=$(tm_capture -e)
	tm_keys Down
	tm_wait_drawn "$before"
	tm_wait_for "1000/1000 connected" 90
	[ "$(grep -c ': connected in' "$TM_TESTDIR/vmmc.log")" -ge 1000 ] || tm_fail "fewer than 1000 connects logged"
	threads=$(tm_threads "$(tm_pid)")
	echo "  threads with 1000 hosts: $threads" >&2
	[ -n "$threads" ] && [ "$threads" -le 48 ] || tm_fail "$threads threads for 1000 hosts (at most 48)"
	before=$(tm_capture -e)
	tm_keys Down
	tm_wait_drawn "$before"
	quit_clean
}

# the largest number of connects in flight the log shows
max_in_flight() {
	awk '/ host: .*: connecting$/ { n++; if (n > m) m = n }
	     / host: .*: (connected in |connect failed|not connecting)/ { n-- }
	     END { print m + 0 }' "$1"
}

t_scale_paced() {
	local m
	unix_conf 40
	tm_vmmc -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" --env VMMC_CONNECT_MAX=2
	tm_wait_for "40/40 connected" 60
	m=$(max_in_flight "$TM_TESTDIR/vmmc.log")
	[ "$m" -ge 1 ] && [ "$m" -le 2 ] || tm_fail "$m connects in flight at once (max 2)"
	grep -q ': waiting (2 connects in flight to it' "$TM_TESTDIR/vmmc.log" || tm_fail "no host waited for a slot"
	quit_clean
}

# reads_of LOG: "I N" for each host (I: its number, the count of ./ in its
# socket path) whose figures were read N times, from the log's stats lines
reads_of() {
	awk '/ stats: qemu\+unix:.*: read / { u = $0; sub(/^.*socket=/, "", u); sub(/: read .*/, "", u);
	     n[gsub(/\.\//, "", u)]++ } END { for (i in n) print i, n[i] }' "$1"
}

# the host numbers (uNNN) whose rows the tree shows now
hosts_shown() {
	tm_capture | cut -c1-24 | sed -n 's/.*u0*\([0-9][0-9]*\) .*/\1/p'
}

t_scale_stats_shown() {
	local shown i n reads bad=0 mark
	unix_conf 40
	tm_vmmc -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" --env VMMC_OFFSCREEN_STATS=1
	tm_wait_for "40/40 connected" 60
	# connected once open; listed (the reading needs the list) after
	for ((n = 0; n < 600 * VMMC_TIMEOUT_SCALE; n++)); do
		[ "$(grep -c ': setup done in' "$TM_TESTDIR/vmmc.log")" -ge 40 ] && break
		sleep 0.1
	done
	shown=" $(hosts_shown | tr '\n' ' ') "
	[ "$(wc -w <<<"$shown")" -ge 3 ] && [ "$(wc -w <<<"$shown")" -lt 40 ] || tm_fail "tree shows hosts:$shown"
	sleep $((4 * VMMC_TIMEOUT_SCALE)) # a few 1 s off-screen periods and 2 s ticks
	reads=$(reads_of "$TM_TESTDIR/vmmc.log")
	while read -r i n; do
		[[ $shown == *" $i "* ]] || { echo "  u$i read $n times, off screen" >&2; bad=1; }
	done <<<"$reads"
	[ "$bad" = 0 ] || tm_fail "hosts off screen were read"
	for i in $shown; do
		grep -q "^$i [0-9]" <<<"$reads" || tm_fail "u$i on screen, never read"
	done
	# the last host: off screen, never read; selected (End), read
	grep -q "^40 " <<<"$reads" && tm_fail "u040 read before it showed"
	mark=$(wc -l <"$TM_TESTDIR/vmmc.log")
	for n in 1 2 3; do # End in the tree (Tab until the tree has the focus)
		tm_keys End
		sleep 0.3
		tm_capture | grep -q "u040" && break
		tm_keys Tab
	done
	tm_wait_for "u040" 10
	for ((n = 0; n < 50 * VMMC_TIMEOUT_SCALE; n++)); do
		tail -n +"$mark" "$TM_TESTDIR/vmmc.log" | grep -q 'socket=/run/libvirt/\(\./\)\{40\}libvirt-sock: read ' && break
		sleep 0.1
	done
	[ "$n" -lt $((50 * VMMC_TIMEOUT_SCALE)) ] || tm_fail "u040 selected, not read within 5 s"
	probes_when_selected
	# an arrow key held up the tree (a terminal repeats it every ~30 ms)
	# for ten rows: the hosts it passes do not count as selected
	# (be_host_watch after 300 ms at rest), so none reads its probes; where
	# it stops, one does (each host is 4 rows: the selection spends 4 keys
	# on one; when 4 keys took 250 ms or more to send - tmux slowed by a
	# busy machine - it rested on a host that long, and that host may count)
	local ts=() rested=0
	mark=$(wc -l <"$TM_TESTDIR/vmmc.log")
	for ((n = 0; n < 10; n++)); do
		tm_keys Up
		ts+=("$(date +%s%N)")
		sleep 0.02
	done
	sleep $((1 * VMMC_TIMEOUT_SCALE))
	for ((n = 0; n + 4 < 10; n++)); do
		[ $(((ts[n + 4] - ts[n]) / 1000000)) -lt 250 ] || rested=$((rested + 1))
	done
	n=$(tail -n +"$mark" "$TM_TESTDIR/vmmc.log" | grep -c ': selected: its probes now') || true
	[ "$rested" = 0 ] || echo "  $rested times 4 keys took 250 ms or more to send (a busy machine)" >&2
	if [ "$n" -gt $((1 + rested)) ]; then
		tail -n +"$mark" "$TM_TESTDIR/vmmc.log" | grep ': selected: its probes now' >&2
		tm_fail "$n hosts read their probes as the selection passed them"
	fi
	quit_clean
}

# (after t_scale_stats_shown selected u040, the last host) the probes no
# tree row needs (what the driver can do, the domain capabilities) were
# read at setup for the selected host only; the others' waited: u040's
# were read when it was selected, after its setup, and no other host's
u040='socket=/run/libvirt/\(\./\)\{40\}libvirt-sock'
probes_when_selected() {
	local log=$TM_TESTDIR/vmmc.log caps setup sel n
	for ((n = 0; n < 50 * VMMC_TIMEOUT_SCALE; n++)); do
		grep -q "$u040: domain capabilities in" "$log" && break
		sleep 0.1
	done
	caps=$(grep -n "$u040: domain capabilities in" "$log" | head -n 1 | cut -d: -f1)
	setup=$(grep -n "$u040: setup done in .* (its probes wait until it is selected)" "$log" | head -n 1 | cut -d: -f1)
	sel=$(grep -n "$u040: selected: its probes now" "$log" | head -n 1 | cut -d: -f1)
	[ -n "$setup" ] || tm_fail "u040's setup did not leave its probes for later"
	[ -n "$caps" ] || tm_fail "u040 selected: its domain capabilities not read within 5 s"
	[ -n "$sel" ] && [ "$sel" -gt "$setup" ] && [ "$caps" -gt "$sel" ] ||
		tm_fail "u040's probes: setup line $setup, selected line $sel, capabilities line $caps"
	# one host was selected at setup (read then), u040 later: two in all
	n=$(grep -c ': domain capabilities in' "$log")
	[ "$n" -le 2 ] || tm_fail "$n hosts' domain capabilities read (the selected ones: at most 2)"
	[ "$(grep -c ': setup done in .* (its probes wait until it is selected)' "$log")" -ge 38 ] ||
		tm_fail "fewer than 38 hosts left their probes for later"
}

t_scale_fd_limit() {
	local n before
	unix_conf 40
	tm_start -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" -- \
		bash -c 'ulimit -n 64 && exec "$0"' "$VMMC_BIN"
	tm_wait_for "too many open files: raise ulimit -n (now 64)" 30
	sleep 2
	tm_alive || tm_fail "vmmc died"
	n=$(connected_count)
	[ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt 40 ] || tm_fail "connected: '$n' (want 1-39)"
	grep -q "too many open files: raise ulimit -n (now 64)" "$TM_TESTDIR/vmmc.log" || tm_fail "not in the log"
	# the tree still answers
	before=$(tm_capture -e)
	tm_keys Down
	tm_wait_drawn "$before"
	tm_alive || tm_fail "vmmc died"
	quit_clean
}

t_scale_fd_raised() {
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 512 ] || tm_skip "hard open-file limit $(ulimit -Hn)"
	unix_conf 40
	tm_start -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" -- \
		bash -c 'ulimit -Sn 64 && exec "$0"' "$VMMC_BIN"
	tm_wait_for "40/40 connected" 60
	grep -q "open-file limit raised from 64 to the hard limit" "$TM_TESTDIR/vmmc.log" || tm_fail "no raise logged"
	quit_clean
}

# mute_listener PATH: a unix socket that listens and never accepts (a
# daemon that never answers); its pid on stdout
mute_listener() {
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
print("ready", flush=True)
time.sleep(600)' "$1" >"$1.ready" 2>&1 &
	echo $!
}

t_scale_waiting() {
	local m1 m2 i
	m1=$(mute_listener "$TM_TESTDIR/mute1.sock")
	m2=$(mute_listener "$TM_TESTDIR/mute2.sock")
	tm_on_exit "kill $m1 $m2 2>/dev/null; true"
	for i in $(seq 50); do
		grep -q ready "$TM_TESTDIR/mute1.sock.ready" 2>/dev/null &&
			grep -q ready "$TM_TESTDIR/mute2.sock.ready" 2>/dev/null && break
		sleep 0.1
	done
	mkdir -p "$TM_TESTDIR/config/vmmc"
	cat >"$TM_TESTDIR/config/vmmc/config" <<CONF
version = 1

[group]
name = slots

[host]
uri = qemu+unix:///system?socket=$TM_TESTDIR/mute1.sock
name = mute1
group = slots

[host]
uri = qemu+unix:///system?socket=$TM_TESTDIR/mute2.sock
name = mute2
group = slots

[host]
uri = test:///default?name=third
name = third
group = slots
CONF
	tm_vmmc -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" --env VMMC_CONNECT_MAX=2 \
		--env VMMC_WORKERS=1
	# one worker: the hosts start in the config's order (the pool adds a
	# worker for each one blocked), so the third is the one in line
	tm_wait_line -t 10 third waiting || tm_fail "the third host does not show waiting"
	tm_wait_line -t 5 mute1 connecting || tm_fail "mute1 is not connecting"
	grep -q 'test:///default?name=third: waiting (2 connects in flight to it' "$TM_TESTDIR/vmmc.log" ||
		tm_fail "the wait is not in the log"
	kill "$m1" "$m2"
	tm_wait_for "1/3 connected" $((20 * VMMC_TIMEOUT_SCALE)) || tm_fail "the third host did not connect"
	tm_assert_not_contains "waiting"
	quit_clean
}

# logins_in_flight LOG: the most ssh logins at once (connecting to -> logged in / failed)
logins_in_flight() {
	awk '/ ssh: .*: connecting to / { n++; if (n > m) m = n }
	     / ssh: .*: (logged in to |login failed)/ { n-- }
	     END { print m + 0 }' "$1"
}

t_scale_ssh_slot() {
	local port sd=$TM_TESTDIR/sshd d=$TM_TESTDIR/ssh mute=$TM_TESTDIR/mute.sock m i n=6 p in
	mkdir -p "$sd" "$d"
	chmod 700 "$d"
	port=$("$TM_ROOT/tests/remote/sshd.sh" start "$sd") || tm_fail "sshd did not start"
	tm_on_exit "'$TM_ROOT/tests/remote/sshd.sh' stop '$sd'"
	ssh-keygen -q -t ed25519 -N '' -C vmmc-scale -f "$d/id_ed25519"
	cat "$d/id_ed25519.pub" >>"$sd/authorized_keys"
	ssh-keyscan -p "$port" -t ed25519 127.0.0.1 2>/dev/null >"$d/known_hosts"
	[ -s "$d/known_hosts" ] || tm_fail "ssh-keyscan found no key on port $port"
	# a daemon socket nobody answers on: each host's open waits there,
	# past its login, for as long as the test looks
	m=$(mute_listener "$mute")
	tm_on_exit "kill $m 2>/dev/null; true"
	for i in $(seq 50); do
		grep -q ready "$mute.ready" 2>/dev/null && break
		sleep 0.1
	done
	mkdir -p "$TM_TESTDIR/config/vmmc"
	{
		echo "version = 1"
		for ((i = 1; i <= n; i++)); do
			p=$TM_TESTDIR/$(printf './%.0s' $(seq "$i"))mute.sock
			printf '\n[host]\nuri = ssh://root@127.0.0.1:%s/system?socket=%s\nname = m%02d\n' "$port" "$p" "$i"
		done
	} >"$TM_TESTDIR/config/vmmc/config"
	tm_vmmc -x "$W" -y "$H" --env "VMMC_LOG=$TM_TESTDIR/vmmc.log" --env "VMMC_SSH_DIR=$d" \
		--env VMMC_CONNECT_MAX=2 --env VMMC_CONNECT_TOTAL=8 --env VMMC_CONNECT_TIMEOUT=120
	for ((i = 0; i < 200 * VMMC_TIMEOUT_SCALE; i++)); do
		[ "$(grep -sc ': logged in to ' "$TM_TESTDIR/vmmc.log")" -ge "$n" ] 2>/dev/null && break # (no log yet: no count)
		sleep 0.1
	done
	# all six past their login at once (each open waits on the mute
	# socket): only 2 of them held the server's slot while logging in
	in=$(grep -c ': logged in to ' "$TM_TESTDIR/vmmc.log" || true)
	[ "$in" -ge "$n" ] || tm_fail "$in of $n hosts past their login (the destination slot is held past it?)"
	grep -q ': connected in ' "$TM_TESTDIR/vmmc.log" && tm_fail "a host connected to the mute socket"
	[ "$(logins_in_flight "$TM_TESTDIR/vmmc.log")" -le 2 ] ||
		tm_fail "$(logins_in_flight "$TM_TESTDIR/vmmc.log") logins at once to one server (VMMC_CONNECT_MAX=2)"
	grep -q ': waiting (2 connects in flight to it' "$TM_TESTDIR/vmmc.log" || tm_fail "no host waited for the server's slot"
	kill "$m"
	quit_clean
}

scale_exit() {
	set +e
	tm_sweep
	lv_down
}
trap scale_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

pattern=${1:-${VMMC_TESTS:-}}
mapfile -t tests < <(declare -F | awk '$3 ~ /^t_scale_/ {print $3}' | grep -E -- "${pattern:-.}" || true)
if [ "${#tests[@]}" = 0 ]; then
	echo "scale: no test matches '${pattern}'" >&2
	exit 1
fi
if ! lv_up || [ ! -S "$SOCK" ]; then
	echo "scale: no libvirtd on qemu:///system (socket $SOCK)" >&2
	echo "scale: 0 passed, ${#tests[@]} failed"
	exit 1
fi
TM_SUITE=scale run_tests "${tests[@]}"
