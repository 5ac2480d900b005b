#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/hosts.sh [BIN] - `make bench`: many hosts in one tree (issue
# 14). A config of N hosts on the libvirt test driver (in-process: no
# daemon, test:///default?name=hNNNNN, 10 groups; tests/bench/gen-hosts-conf.sh)
# for N = 1, 10, 100, 300, 1000 ($VMMC_BENCH_HOSTS):
#   vmmc --max-iterations 1 in a 120x40 pty (runstat, median of $VMMC_BENCH_RUNS):
#     wall time to every host listed, peak RSS; from VMMC_BENCH_STATS the
#     first draw (the tree on screen) and the first complete frame
#   vmmc in tmux at the default 2 s refresh: a key (Tab: the focus moves) every 400 ms from
#     when the tree shows until all N show connected (the connect storm), each timed until
#     drawn (tests/bench/keyprobe.py: one tmux control-mode client, no process spawned per
#     sample): count/median/p95/max ms; once all N show connected: CPU over the idle window (60 s, $VMMC_BENCH_IDLE_S) (% of one
#     core), threads, descriptors, RSS
#   virsh, one process doing the same N connects: `virsh "connect U1; list
#     --all; connect U2; list --all; ..."` (sequential; wall, peak RSS)
# Then the same curve for N ssh:// hosts under `ulimit -Sn 1024` (the soft
# limit most desktops have; vmmc raises it to the hard limit), on the
# bench's own loopback sshds standing in for a fleet: $VMMC_BENCH_SSHDS
# (default 10) servers (tests/remote/sshd.sh: UsePAM no, UseDNS no,
# MaxStartups 50; `sshd -r`: a login is a fork of the listener, not a new
# sshd - about half a login's CPU, which a real fleet pays on its own
# machines, not on vmmc's; $VMMC_BENCH_SSHD_REEXEC=1: sshd's default, a new
# sshd per login) on 127.0.0.2, 127.0.0.3 ..., the hosts spread over them,
# and the local libvirtd: each host a distinct URI
# ssh://root@127.0.0.K:PORT/system?socket=DIR/sNNNNN, sNNNNN a symlink to
# libvirtd's socket; connected time, key latency, idle CPU, threads, fds per
# host, RSS, and the CPU the storm cost (start to all connected) in vmmc,
# in the sshds and in libvirtd; next to virsh doing the same connects in one process
# (qemu+ssh://, sequential; at most $VMMC_BENCH_VIRSH_SSH_MAX hosts, default
# 300: beyond that its time is extrapolated, marked ~). Skipped (said so)
# without sshd; the local libvirtd is started when none runs (and stopped after). $VMMC_BENCH_SSH=0 skips it,
# $VMMC_BENCH_DRIVER=0 the test-driver part; VMMC_OFFSCREEN_STATS,
# VMMC_CONNECT_MAX, VMMC_CONNECT_TOTAL, VMMC_WORKERS, VMMC_SSH_POLLERS, VMMC_SSH_LOOP and VMMC_WORKER_NICE, when set, go to the
# ssh:// runs' vmmc (LIBVIRT_LOG_FILTERS and LIBVIRT_LOG_OUTPUTS too: libvirt's client log, e.g.
# "1:rpc.virNetClient" into a file, to count the round trips); $VMMC_BENCH_SSHD_NICE (default 0) runs the sshds that
# stand in for remote machines at that nice value (their logins' CPU is
# then not the UI thread's, as on a real fleet); $VMMC_BENCH_PERF=DIR keeps a
# perf profile of each idle window there; $VMMC_BENCH_TRACE=DIR counts its
# system calls instead (perf trace -s, kept there; the 8 most made are
# printed a second); $VMMC_BENCH_IDLE_S is the window's length (60 s; its
# CPU is printed for each 10 s too). After the ssh:// table, each
# size's timeline from vmmc's log (tests/bench/timeline.sh: login, forward,
# open, setup as percentiles; logins in flight; workers).
# vmmc runs with XDG_RUNTIME_DIR on a tmpfs (/dev/shm), as in a desktop
# session ($VMMC_BENCH_RUNTIME=0: unset, the forward sockets in /tmp).
# Prints figures, passes or fails nothing; exit status 0 unless something
# could not run. BIN defaults to $VMMC_BIN, else build/vmmc.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
counts=${VMMC_BENCH_HOSTS:-1 10 100 300 1000}
runs=${VMMC_BENCH_RUNS:-3}
runstat=$root/build/runstat
comm=$(basename "$bin" | cut -c1-15)
clk=$(getconf CLK_TCK)
idle_s=${VMMC_BENCH_IDLE_S:-60} # the idle window (s)
sock=vmmc-bench-hosts-$$
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"

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
sshd_dir=$tmp/sshd
fleet_cg=
acct_cg=
bench_exit() {
	set +e # every step, though one fails
	tmux -L "$sock" kill-server 2>/dev/null
	for d in "$sshd_dir"*; do
		[ ! -f "$d/sshd_config" ] || "$root/tests/remote/sshd.sh" stop "$d" >/dev/null 2>&1
	done
	for g in "$fleet_cg" "$acct_cg"; do
		[ -n "$g" ] && [ -d "$g" ] || continue
		# (what is left in it goes back to the root group)
		while read -r t; do echo "$t" >"$g/../cgroup.procs"; done <"$g/cgroup.procs" 2>/dev/null
		rmdir "$g"
	done
	rm -rf "$tmp"
	[ -z "${rt:-}" ] || rm -rf "$rt"
	lv_down # (only a daemon lv_up started)
}
trap bench_exit EXIT
mkdir -p "$tmp/home" "$tmp/config/vmmc" "$tmp/cache" "$tmp/state"
# a desktop session's runtime folder is a tmpfs (pam_systemd's
# /run/user/UID): vmmc's SSH forward sockets go there. Without it they go
# to /tmp, here ext4, where making and removing a folder and a socket per
# host was 15 % of vmmc's CPU in a 1000-host storm (perf: ext4_mkdir,
# ext4_mknod, recently_deleted). $VMMC_BENCH_RUNTIME=0: none, as before.
runtime=()
if [ "${VMMC_BENCH_RUNTIME:-1}" != 0 ] && [ -d /dev/shm ] && rt=$(mktemp -d /dev/shm/vmmc-bench-run.XXXXXX); then
	runtime=("XDG_RUNTIME_DIR=$rt")
fi
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config"
	"XDG_CACHE_HOME=$tmp/cache" "XDG_STATE_HOME=$tmp/state" "LANG=C.UTF-8" ${runtime[@]+"${runtime[@]}"})

# field NAME LINE: the value of NAME=... in a runstat / stats line
field() { local v; v=$(sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" <<<"$2"); echo "${v:-?}"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
screen() { tmux -L "$sock" capture-pane -p -t bench 2>/dev/null; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# cpu_split [VMMC_PID]: "VMMC SSHD LIBVIRTD MACHINE" CPU ticks so far: vmmc, the bench's sshds
# with every process they forked (their cpuacct group: forks, re-execs and privilege-separation
# children that come and go; without one, their sessions through /proc, which misses most of it),
# libvirtd, and the machine's busy time on all its CPUs (/proc/stat)
cpu_split() {
	local ls="" d acct=-1
	for d in "$sshd_dir"*; do [ -f "$d/sshd.pid" ] && ls="$ls $(cat "$d/sshd.pid")"; done
	[ -z "$acct_cg" ] || acct=$(cat "$acct_cg/cpuacct.usage" 2>/dev/null || echo -1)
	{ head -n 1 /proc/stat; cat /proc/[0-9]*/stat 2>/dev/null; } | awk -v V="${1:-0}" -v LS="$ls" -v A="$acct" -v hz="$clk" \
		-v L="$(cat /run/libvirtd.pid 2>/dev/null || pgrep -o -x libvirtd)" '
	$1 == "cpu" { m = $2 + $3 + $4 + $7 + $8 + $9; next }
	{ p = index($0, ")"); pid = $1; n = split(substr($0, p + 2), f, " ")
	  pp[pid] = f[2]; t[pid] = f[12] + f[13]; ct[pid] = f[14] + f[15] }
	END { n = split(LS, l, " "); for (i = 1; i <= n; i++) root[l[i]] = 1
	      for (k in pp) if (root[k]) s += t[k] + ct[k]; else if (root[pp[k]]) s += t[k] + ct[k]; else if (root[pp[pp[k]]]) s += t[k]
	      if (A >= 0) s = A / 1e9 * hz
	      print t[V] + 0, s + 0, t[L] + 0, m + 0 }'
}
# each thread's context switches so far: "tid:name=count ..."
thread_switches() {
	local t
	for t in /proc/"$1"/task/*; do
		printf "%s:%s=%s " "${t##*/}" "$(tr ' ' _ <"$t/comm" 2>/dev/null)" \
			"$(awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }' "$t/status" 2>/dev/null)"
	done
}
status_of() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# one tmux run: key latency during the storm, then the idle figures;
# extra arguments go before vmmc's command (env settings, a ulimit wrapper)
tmux_run() {
	local n=$1 t0 t_tree lat=? pid c1 c2 i cpu0 cpu1 log= probe kp stats= st
	shift
	[ "${1#VMMC_LOG=}" = "$1" ] || log=${1#VMMC_LOG=} # the log, when the first setting names it
	[ "${2#VMMC_BENCH_STATS=}" = "${2:-}" ] || stats=${2#VMMC_BENCH_STATS=} # the UI's figures, when the second does
	tmux -L "$sock" kill-server 2>/dev/null || true
	cpu0=$(cpu_split)
	t0=$(now_ms)
	tmux -L "$sock" -f /dev/null new -d -s bench -x 120 -y 40 \
		"${cleanenv[@]}" TERM=tmux-256color "$@" "$bin"
	tmux -L "$sock" set -g remain-on-exit on >/dev/null
	for ((i = 0; i < 2000; i++)); do
		screen | grep -q "Console Tree" && break
		sleep 0.005
	done
	t_tree=$(($(now_ms) - t0))
	pid=$(tmux -L "$sock" display -p -t bench '#{pane_pid}')
	# the pane runs vmmc itself (exec) or a wrapper whose child it is
	# (its name: the binary's, as the kernel keeps it, 15 characters:
	# a binary kept as vmmc-e0b18d6 to compare)
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || pid=$(pgrep -P "$pid" -x "$comm" | head -n 1)
	# VMMC_BENCH_STATS set: its window (SIGUSR1) is the storm
	if [ -n "$stats" ] && kill -USR1 "$pid" 2>/dev/null; then
		for ((i = 0; i < 100; i++)); do [ -s "$stats" ] && break; sleep 0.02; done
		rm -f "$stats" # (the window before; the storm's is written at its end)
	fi
	# keys through the whole storm: Tab every 400 ms from a persistent
	# control-mode client (tests/bench/keyprobe.py) until all are connected,
	# which it sees on the same connection (the pane read every 50 ms: no
	# tmux and grep spawned 20 times a second on the cores of the storm)
	rm -f "$tmp/key-stop"
	python3 "$root/tests/bench/keyprobe.py" "$sock" bench "$tmp/key-stop" 400 2000 "^ *$n/$n connected" \
		>"$tmp/key-$n.txt" 2>"$tmp/key-$n.err" &
	probe=$!
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$probe" 2>/dev/null || break
		sleep 0.1
	done
	kp=$(cat "$tmp/key-$n.txt")
	if [ "$(field done_ms "$kp")" -gt 0 ] 2>/dev/null; then
		t_all=$(($(field done_ms "$kp") - t0))
	else
		t_all=$(($(now_ms) - t0))
	fi
	[ -z "$stats" ] || kill -USR1 "$pid" 2>/dev/null || true
	touch "$tmp/key-stop"
	wait "$probe" || true
	kp=$(cat "$tmp/key-$n.txt")
	[ "$(field done_ms "$kp")" -gt 0 ] 2>/dev/null || t_all="(not all: $(screen | tail -n 1 | cut -c1-20))"
	[ -z "${VMMC_BENCH_KEEP:-}" ] || cp "$tmp/key-$n.txt" "$tmp/key-$n.err" "$VMMC_BENCH_KEEP/"
	lat=$(field n "$kp")/$(field median_ms "$kp")/$(field p95_ms "$kp")/$(field max_ms "$kp")
	cpu1=$(cpu_split "$pid")
	ui=-
	if [ -n "$stats" ]; then
		for ((i = 0; i < 40; i++)); do [ -s "$stats" ] && break; sleep 0.05; done
		st=$(tr '\n' ' ' <"$stats" 2>/dev/null)
		[ -z "${VMMC_BENCH_KEEP:-}" ] || cp "$stats" "$VMMC_BENCH_KEEP/" 2>/dev/null || true
		ui=$(awk -v k="$(field key_passes "$st")" -v m="$(field key_us_max "$st")" -v p="$(field ui_us_max "$st")" \
			'BEGIN { printf "%s/%.1f/%.1f", k, m / 1000, p / 1000 }')
	fi
	# a host shows connected once open; its lists and registrations
	# follow (the log's "setup done" line ends them; the probes of hosts
	# not selected wait until they are; a binary before that line: its
	# "domain capabilities" line, then every host's last): the idle window
	# starts when every host has them
	t_setup=-
	if [ -n "$log" ]; then
		for ((i = 0; i < 1200; i++)); do # (0.1 s: each look reads the whole log)
			[ "$(grep -c ': setup done in' "$log" 2>/dev/null)" -ge "$n" ] && break
			[ "$(grep -c ': domain capabilities in' "$log" 2>/dev/null)" -ge "$n" ] && break
			sleep 0.1
		done
		t_setup=$(($(now_ms) - t0))
	fi
	# CPU seconds of the storm: vmmc (all of it so far), the sshds, libvirtd
	storm_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$clk" 'BEGIN { split(a, x); split(b, y);
		printf "%.1f/%.1f/%.1f/%.1f", y[1] / hz, (y[2] - x[2]) / hz, (y[3] - x[3]) / hz, (y[4] - x[4]) / hz }')
	# the fleet's floor: the stand-in servers' CPU spread over every core -
	# no client on this machine gets them all connected sooner
	floors+=$(awk -v sc="$storm_cpu" -v n="$n" -v c="$(nproc)" -v all="$t_all" 'BEGIN { split(sc, v, "/")
		f = (v[2] + v[3]) / c
		printf "  %5d hosts: the sshds and libvirtd took %.1f CPU s = %.1f s of all %d cores; all connected in %s\n", n, f * c, f, c,
			all ~ /^[0-9]+$/ ? sprintf("%.1f s", all / 1000) : "(not all)" }')$'\n'
	c1=$(ticks "$pid")
	w1=$(thread_switches "$pid")
	if [ -n "${VMMC_BENCH_PERF:-}" ] && command -v perf >/dev/null; then
		# where the idle time goes: a profile of the window (into that folder)
		perf record -q -g -p "$pid" -o "$VMMC_BENCH_PERF/perf-$n.data" -- sleep "$idle_s" >/dev/null 2>&1 || sleep "$idle_s"
	elif [ -n "${VMMC_BENCH_TRACE:-}" ] && command -v perf >/dev/null; then
		# its system calls by name (perf trace counts them; it slows each a little)
		perf trace -s -p "$pid" -o "$VMMC_BENCH_TRACE/trace-$n.txt" -- sleep "$idle_s" >/dev/null 2>&1 || sleep "$idle_s"
		calls+=$(awk -v n="$n" -v s="$idle_s" '/^   [a-z_0-9]+ +[0-9]+ / && NF >= 7 { c[$1] += $2; all += $2 }
			END { k = 0; while (k < 8) { m = ""; for (x in c) if (m == "" || c[x] > c[m]) m = x
					if (m == "") break; out = out sprintf(" %s %.0f", m, c[m] / s); delete c[m]; k++ }
				printf "  %5d hosts: %.0f/s in all;%s\n", n, all / s, out }' "$VMMC_BENCH_TRACE/trace-$n.txt")$'\n'
	else
		# in steps of 10 s: the curve (at 1000 hosts the first 10 s still
		# hold the storm's tail - a second or two at twice the rate - then
		# it is flat: 10 s windows read 5.7-6.9 %, 30 s 4.4-5.3, 60 s 4.6-4.9)
		cw0=$c1 curve=
		for ((wi = 0; wi < idle_s; wi += 10)); do
			st=$((idle_s - wi < 10 ? idle_s - wi : 10))
			sleep "$st"
			cw1=$(ticks "$pid")
			curve+=" $(awk -v d=$((cw1 - cw0)) -v hz="$clk" -v s="$st" 'BEGIN { printf "%.1f", 100 * d / hz / s }')"
			cw0=$cw1
		done
		curves+=$(printf "  %5d hosts:%s" "$n" "$curve")$'\n'
	fi
	c2=$(ticks "$pid")
	w2=$(thread_switches "$pid")
	# how often its threads woke in the window (context switches a second,
	# per thread name: on a paravirtual machine each costs more than the
	# work it wakes for)
	# (threads in both readings; summed by name)
	wakes+=$(printf "%s\n%s\n" "$w1" "$w2" | awk -v n="$n" -v s="$idle_s" 'NR == 1 { for (i = 1; i <= NF; i++) { split($i, kv, "="); a[kv[1]] = kv[2] } next }
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (!(kv[1] in a)) continue
			d = (kv[2] - a[kv[1]]) / s; all += d; sub(/^[0-9]+:/, "", kv[1]); by[kv[1]] += d; nt[kv[1]]++ } }
		END { for (k in by) out = out sprintf(" %s (%d) %.0f", k, nt[k], by[k])
			printf "  %5d hosts: %.0f wakes/s in all; by thread name (how many):%s\n", n, all, out }')$'\n'
	idle=$(awk -v d=$((c2 - c1)) -v hz="$clk" -v s="$idle_s" 'BEGIN { printf "%.1f", 100 * d / hz / s }')
	threads=$(status_of "$pid" Threads)
	fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	[ -z "${VMMC_BENCH_KEEP:-}" ] || ls -l "/proc/$pid/fd" >"$VMMC_BENCH_KEEP/fds-$n.txt" 2>/dev/null || true
	rss=$(( $(status_of "$pid" VmRSS) / 1024 ))
	tmux -L "$sock" send-keys -t bench q
	for ((i = 0; i < 200; i++)); do
		[ "$(tmux -L "$sock" display -p -t bench '#{pane_dead}' 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	tmux -L "$sock" kill-server 2>/dev/null || true
	key_ms=$lat tree_ms=$t_tree setup_ms=$t_setup ui_ms=$ui
}

if [ "${VMMC_BENCH_DRIVER:-1}" != 0 ]; then
echo "bench hosts: N test-driver hosts in 10 groups; vmmc in a 120x40 pty ($runs runs) and in tmux; virsh one process, sequential"
printf "%6s | %9s %9s %9s %8s | %22s %8s %7s %5s %6s %6s | %9s %8s\n" hosts "tree ms" "listed" "wall ms" "RSS MiB" \
	"key n/med/p95/max ms" "all ms" "idle %" thr fds "RSS" "virsh ms" "RSS MiB"
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
	printf "%6s | %9s %9s %9s %8.1f | %22s %8s %7s %5s %6s %6s | %9s %8.1f\n" "$n" \
		"$(field first_draw_ms "$stats")" "$(field first_frame_ms "$stats")" "$(field median_ms "$out")" \
		"$(awk -v k="$(field maxrss_kib "$out")" 'BEGIN { print k / 1024 }')" \
		"$key_ms" "$t_all" "$idle" "$threads" "$fds" "$rss" \
		"$(field median_ms "$vout")" "$(awk -v k="$(field maxrss_kib "$vout")" 'BEGIN { print k / 1024 }')"
done
echo "tree ms: first draw; listed: every host listed (first complete frame); key: Tab every 400 ms from when the"
echo "tree shows until all are connected, each until drawn (count/median/p95/max; tests/bench/keyprobe.py);"
echo "all ms: tmux start to N/N connected; idle: CPU over"
echo "10 s once connected at the 2 s refresh (% of one core); thr/fds/RSS then. Connects in flight at most"
echo "\$VMMC_CONNECT_MAX (default 8)."
fi

# ---- ssh:// hosts ----------------------------------------------------------------
[ "${VMMC_BENCH_SSH:-1}" != 0 ] || exit 0
lvsock=/run/libvirt/libvirt-sock
if [ ! -x /usr/sbin/sshd ] || ! lv_up; then
	echo "bench hosts: ssh:// part skipped (no sshd, or libvirtd could not be started)"
	exit 0
fi
virsh_ssh_max=${VMMC_BENCH_VIRSH_SSH_MAX:-300}
nsshd=${VMMC_BENCH_SSHDS:-10}
mkdir -p "$tmp/ssh" "$tmp/socks"
chmod 700 "$tmp/ssh"
ssh-keygen -q -t ed25519 -N '' -C vmmc-bench -f "$tmp/ssh/id_ed25519"
: >"$tmp/ssh/known_hosts"
dests=
# VMMC_BENCH_FLEET_GROUP=1: the stand-in fleet - the sshds (and every
# session child they fork) and libvirtd - in one CPU group of its own
# (cgroup v1 cpu) of $VMMC_BENCH_FLEET_SHARES cpu.shares (default 2: the
# fleet runs on what vmmc and the terminal leave, as on machines of its own;
# 1024: as much as one session). Each sshd session child calls setsid(),
# and with sched_autogroup each session is its own scheduling group, weighed
# as much as vmmc's whole process: 60 logins in flight are 60 groups against
# vmmc's one. A fleet's sshds and daemons run on other machines: in one
# group of little weight they take the CPU vmmc does not use, without
# making a key wait for them.
fleet=
if [ "${VMMC_BENCH_FLEET_GROUP:-0}" = 1 ]; then
	fleet=" (fleet in one CPU group of ${VMMC_BENCH_FLEET_SHARES:-2} shares)"
	if [ -w /sys/fs/cgroup/cpu/cgroup.procs ] && mkdir "/sys/fs/cgroup/cpu/vmmc-bench-fleet-$$" 2>/dev/null; then
		fleet_cg=/sys/fs/cgroup/cpu/vmmc-bench-fleet-$$
		echo "${VMMC_BENCH_FLEET_SHARES:-2}" >"$fleet_cg/cpu.shares" || die "cannot set $fleet_cg/cpu.shares"
		lvpid=$(cat /run/libvirtd.pid 2>/dev/null || pgrep -o -x libvirtd) &&
			echo "$lvpid" >"$fleet_cg/cgroup.procs" || die "cannot move libvirtd to $fleet_cg"
	else
		die "VMMC_BENCH_FLEET_GROUP=1: cannot make a cgroup under /sys/fs/cgroup/cpu (cgroup v1 cpu, as root)"
	fi
fi
# the sshds' CPU, every process they fork included: a cpuacct group of
# their own (cgroup v1 cpuacct: accounting only, the scheduler does not see it)
if [ -w /sys/fs/cgroup/cpuacct/cgroup.procs ] && mkdir "/sys/fs/cgroup/cpuacct/vmmc-bench-acct-$$" 2>/dev/null; then
	acct_cg=/sys/fs/cgroup/cpuacct/vmmc-bench-acct-$$
fi
noreexec=1 reexec=", sshd -r"
[ "${VMMC_BENCH_SSHD_REEXEC:-0}" != 1 ] || noreexec=0 reexec=", sshd re-exec per login"
for ((k = 1; k <= nsshd; k++)); do
	d=$sshd_dir$k addr=127.0.0.$((k + 1))
	mkdir -p "$d"
	p=$(SSHD_LISTEN=$addr SSHD_NO_REEXEC=$noreexec nice -n "${VMMC_BENCH_SSHD_NICE:-0}" "$root/tests/remote/sshd.sh" start "$d") ||
		die "sshd $k did not start"
	[ -z "$fleet_cg" ] || echo "$(cat "$d/sshd.pid")" >"$fleet_cg/cgroup.procs" || die "cannot move sshd $k to $fleet_cg"
	[ -z "$acct_cg" ] || echo "$(cat "$d/sshd.pid")" >"$acct_cg/cgroup.procs" || acct_cg=
	cat "$tmp/ssh/id_ed25519.pub" >>"$d/authorized_keys"
	ssh-keyscan -p "$p" -t ed25519 "$addr" 2>/dev/null >>"$tmp/ssh/known_hosts"
	grep -q "$addr" "$tmp/ssh/known_hosts" || die "ssh-keyscan found no key on $addr port $p"
	dests+="$addr:$p "
done
# virsh's ssh reads $HOME/.ssh (the bench's own HOME)
mkdir -p "$tmp/home/.ssh"
chmod 700 "$tmp/home/.ssh"
cp "$tmp/ssh/known_hosts" "$tmp/home/.ssh/known_hosts"
maxn=0
for n in $counts; do [ "$n" -gt "$maxn" ] && maxn=$n; done
for ((i = 1; i <= maxn; i++)); do ln -s "$lvsock" "$tmp/socks/s$(printf %05d "$i")"; done

# dest I: the sshd (address:port) host I is on
dest() {
	local a=($dests)
	echo "${a[$((($1 - 1) % nsshd))]}"
}

# ssh_conf N OUT: N ssh:// hosts, distinct by their socket path, spread
# over the sshds, 10 groups
ssh_conf() {
	awk -v n="$1" -v dests="$dests" -v d="$tmp/socks" 'BEGIN {
		print "version = 1"
		nd = split(dests, ds, " ")
		for (k = 1; k <= 10; k++)
			printf "\n[group]\nname = g%02d\n", k
		for (i = 1; i <= n; i++)
			printf "\n[host]\nuri = ssh://root@%s/system?socket=%s/s%05d\nname = s%05d\ngroup = g%02d\n",
			       ds[1 + (i - 1) % nd], d, i, i, 1 + (i - 1) % 10
	}' >"$2"
}

lim=(bash -c 'ulimit -Sn 1024 && exec "$@"' bash)
echo
echo "bench hosts: N ssh:// hosts ($nsshd loopback sshds$reexec$fleet, one libvirtd) under ulimit -Sn 1024 (soft); vmmc in tmux; virsh one process, sequential (qemu+ssh://); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%6s | %9s %9s %7s %22s %16s %7s %5s %6s %7s %7s %21s | %10s %8s\n" hosts "all ms" "setup ms" "conn ms" "key n/med/p95/max ms" "ui n/key/pass ms" "idle %" thr fds "fds/h" "RSS MiB" \
	"storm s v/s/l/m" "virsh ms" "RSS MiB"
base_fds= timelines= floors= wakes= calls= curves=
for n in $counts; do
	ssh_conf "$n" "$tmp/config/vmmc/config"
	rm -f "$tmp/ssh-$n.log"
	pass=() # settings to compare, passed on when set
	for v in VMMC_OFFSCREEN_STATS VMMC_CONNECT_MAX VMMC_CONNECT_TOTAL VMMC_WORKERS VMMC_SSH_POLLERS VMMC_SSH_LOOP VMMC_WORKER_NICE VMMC_FRAME_MS \
		LIBVIRT_LOG_FILTERS LIBVIRT_LOG_OUTPUTS; do
		[ -z "${!v:-}" ] || pass+=("$v=${!v}")
	done
	rm -f "$tmp/ui-$n"
	tmux_run "$n" "VMMC_LOG=$tmp/ssh-$n.log" "VMMC_BENCH_STATS=$tmp/ui-$n" "VMMC_SSH_DIR=$tmp/ssh" ${pass[@]+"${pass[@]}"} "${lim[@]}"
	# one connect's time (median of the log's "connected in N ms")
	conn_ms=$(sed -n 's/.*: connected in \([0-9]*\) ms.*/\1/p' "$tmp/ssh-$n.log" | sort -n |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "?" }')
	[ -z "${VMMC_BENCH_KEEP:-}" ] || cp "$tmp/ssh-$n.log" "$VMMC_BENCH_KEEP/"
	timelines+=$("$root/tests/bench/timeline.sh" "$tmp/ssh-$n.log" "$n")$'\n'
	# descriptors per host: the growth over the first (smallest) run's
	fph=-
	if [ -z "$base_fds" ]; then
		base_fds=$fds base_n=$n
	elif [ "$n" -gt "$base_n" ]; then
		fph=$(awk -v f="$fds" -v b="$base_fds" -v n="$n" -v m="$base_n" 'BEGIN { printf "%.1f", (f - b) / (n - m) }')
	fi
	vn=$((n < virsh_ssh_max ? n : virsh_ssh_max))
	cmds=
	for ((i = 1; i <= vn; i++)); do
		cmds+="connect qemu+ssh://root@$(dest "$i")/system?socket=$tmp/socks/s$(printf %05d "$i")&keyfile=$tmp/ssh/id_ed25519&known_hosts=$tmp/ssh/known_hosts&no_tty=1; list --all; "
	done
	vout=$("$runstat" -n 1 -q -k 900 -- "${cleanenv[@]}" virsh "$cmds" 2>/dev/null) || vout="median_ms=? maxrss_kib=0"
	vms=$(field median_ms "$vout")
	if [ "$vn" != "$n" ] && [ "$vms" != "?" ]; then
		vms="~$(awk -v m="$vms" -v a="$vn" -v b="$n" 'BEGIN { printf "%.0f", m * b / a }')"
	fi
	printf "%6s | %9s %9s %7s %22s %16s %7s %5s %6s %7s %7s %21s | %10s %8.1f\n" "$n" "$t_all" "$t_setup" "$conn_ms" "$key_ms" "$ui_ms" "$idle" "$threads" "$fds" \
		"$fph" "$rss" "$storm_cpu" "$vms" "$(awk -v k="$(field maxrss_kib "$vout")" 'BEGIN { print k / 1024 }')"
done
echo "storm s v/s/l/m: CPU seconds from start to all connected in vmmc / the sshds (every process they forked) / libvirtd (shared: other clients count too) / the whole machine (all CPUs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "setup ms: tmux start to every host listed (its lists and events; the idle window starts then)"
echo "all ms: tmux start to N/N connected (goal < 15000 at 1000); conn ms: one host's connect (median); key: Tab every 400 ms"
echo "through the storm, each until drawn, count/median/p95/max (goal < 50); ui: vmmc's own figures over the storm"
echo "(VMMC_BENCH_STATS): UI passes that read a key, the longest of them, the longest pass (ms); idle: CPU over $idle_s s once connected, 2 s refresh (goal < 5); fds/h: descriptors per host over the"
echo "program's own; RSS (goal < 300 MiB). virsh: one process, sequential connects (~: extrapolated)."
echo "the stand-in fleet's floor (its CPU in the storm over this machine's cores: what vmmc's time is next to):"
printf "%s" "$floors"
if [ -n "$curves" ]; then
	echo "the idle window's CPU (% of one core) in steps of 10 s:"
	printf "%s" "$curves"
fi
echo "the idle window's wakes (vmmc's threads' context switches a second, by thread name):"
printf "%s" "$wakes"
if [ -n "$calls" ]; then
	echo "the idle window's system calls a second (perf trace -s; the 8 most made):"
	printf "%s" "$calls"
fi
echo
echo "where the time goes (vmmc's log, tests/bench/timeline.sh): per host, when its login started, its steps, when it"
echo "was connected, how long it then waited for its setup step (lists, events) and how long that took:"
printf "%s" "$timelines"
