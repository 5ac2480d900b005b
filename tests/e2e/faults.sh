#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/faults.sh [PATTERN] - the fault matrix of issue 14: vmmc in tmux
# while the things it talks to fail under it. Ends with
# "faults: N passed, M failed". Root only.
#
# Nothing here touches the machine's libvirtd: the suite starts a libvirtd of
# its own (QEMU and storage drivers only) in a mount namespace where empty
# folders of the suite cover /run/libvirt, /etc/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt, listening on a socket in the
# suite's folder ($PD_URI); SIGSTOP / SIGKILL hit only that daemon. SSH rows
# go through a hermetic loopback sshd (tests/lib/sshhost.sh) to that socket;
# the link-cut row through a network namespace host (tests/remote/farhost.sh)
# whose traffic an iptables DROP rule inside the namespace swallows.
#
# Each row (a test) asserts:
#   - keys answered: a key's effect (F1 opens the help; in a dialog Tab
#     moves the focus; in a console Ctrl-] leaves it) is drawn within
#     50 ms x VMMC_TIMEOUT_SCALE while the fault lasts, seen from outside
#     (best of up to 5 tries: the machine is shared), and vmmc's own longest
#     UI pass (VMMC_BENCH_STATS ui_us_max) is within it too;
#   - the host shows the truth ("busy", "disconnected", "Config not saved");
#   - it recovers by itself after the fault ends (no key pressed);
#   - nothing half-made is left: volumes, domain definitions, temporary
#     files in the config folder, forward sockets in the runtime folder;
#   - after q: exit status 0, the terminal restored (modes, cursor) and the
#     tty sane (`stty -a` on it after the exit: tests/soak/stty-after.sh).
# Rows:
#   t_fault_stop_list       daemon SIGSTOPped while the list refreshes, SIGCONT
#   t_fault_stop_upload     daemon SIGSTOPped during a volume upload, SIGCONT
#   t_fault_stop_connect    daemon SIGSTOPped before vmmc connects: "not
#                           answering" after the connect deadline, SIGCONT
#   t_fault_stop_connect_removed  the same, the host removed while its
#                           connect waits: the late answer is closed
#   t_fault_stop_stats      daemon SIGSTOPped under a VM's Performance view
#   t_fault_kill_restart    daemon SIGKILLed, started again
#   t_fault_stop_console    daemon SIGSTOPped under an open serial console of
#                           the tiny real guest (tests/guest), SIGCONT
#   t_fault_stop_define     daemon SIGSTOPped under New Volume's Finish, SIGCONT
#   t_fault_sshd_killed     sshd and its sessions killed under an ssh:// host,
#                           sshd back 2 s later
#   t_fault_link_cut        packets to a far host dropped (not refused), restored
#   t_fault_nvm_stop        daemon SIGSTOPped in the middle of a New VM
#                           wizard's Finish (the moment its volume exists),
#                           SIGCONT: the wizard removes what was made
#   t_fault_nvm_kill        the same with SIGKILL, the daemon started again
#   t_fault_pool_full       a dir pool on a 16 MiB tmpfs: an upload that
#                           does not fit refused; the disk filling under an
#                           upload and under New Volume: "No space left",
#                           nothing left; room again: New Volume works
#   t_fault_disk_full       the config folder on a full tmpfs: adding a host
#                           says "Config not saved", nothing half-written;
#                           room made, the next save works
#   t_fault_stop_connect_again  Connect pressed on a host stuck at "no
#                           answer": "Still waiting for NAME's daemon (N s)",
#                           no second connect queued ("busy"), SIGCONT
#   t_fault_stop_many       24 hosts on one daemon, SIGSTOPped under their
#                           figures: the pool does not grow a thread per
#                           stuck host ($VMMC_SERVER_WORKERS), SIGCONT
#   t_fault_stop_disconnect  Disconnect pressed on a host stuck at "no
#                           answer": disconnected at once (never "busy"),
#                           the daemon's late answer closed unused (the host
#                           stays not connected), Connect then connects
# Every object it makes is named vmmc-fault-<pid>-*, in its own daemon. The
# measured times (key drawn, fault -> shown, fault over -> recovered) are
# printed as a table at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/guestshell.sh
. "$here/../lib/guestshell.sh"
TM_SUITE=faults

W=120 H=36
VMMC_BIN=${VMMC_BIN:-$TM_ROOT/build/vmmc}
export VMMC_BIN
case $VMMC_BIN in
*build-asan*) VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-3} ;;
esac
export VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-1}

FT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-faults-$$.XXXXXX")
chmod 755 "$FT_TMP"
PD=$FT_TMP/pd
PD_PID=
PD_URI="qemu:///system?socket=$PD/sock/libvirt-sock"
PREFIX=vmmc-fault-$$-
POOL=${PREFIX}pool
FAR_DIR=$FT_TMP/far
FAR_UP=0
SSH_UP=0
ft_vmmc_env=()
# shellcheck source=tests/soak/stty.sh
. "$here/../soak/stty.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"

# ---- the private daemon -----------------------------------------------------

pd_virsh() {
	timeout 30 virsh -q -c "$PD_URI" "$@"
}

pd_ping() {
	timeout 5 virsh -q -c "$PD_URI" uri >/dev/null 2>&1
}

# pd_start: start the daemon (first time: make its folders and config)
pd_start() {
	local i drvdir
	if [ ! -f "$PD/start.sh" ]; then
		drvdir=$(dirname "$(find /usr/lib -name libvirt_driver_qemu.so -path '*connection-driver*' | head -n 1)")
		[ -f "$drvdir/libvirt_driver_storage.so" ] || { echo "faults: libvirt's QEMU/storage drivers not found" >&2; return 1; }
		mkdir -p "$PD/drv" "$PD/sock" "$PD/run" "$PD/etc" "$PD/lib" "$PD/log" "$PD/cache" "$FT_TMP/pool"
		ln -sf "$drvdir/libvirt_driver_qemu.so" "$drvdir/libvirt_driver_storage.so" "$PD/drv/"
		cat >"$PD/libvirtd.conf" <<-CONF
			unix_sock_dir = "$PD/sock"
			unix_sock_rw_perms = "0700"
			auth_unix_rw = "none"
			auth_unix_ro = "none"
			log_outputs = "3:file:$PD/libvirtd.log"
		CONF
		# no virtlogd, no security driver: the daemon needs nothing of the machine's
		printf 'stdio_handler = "file"\nsecurity_driver = "none"\n' >"$PD/etc/qemu.conf"
		cat >"$PD/start.sh" <<-START
			set -e
			for m in /run/libvirt:run /etc/libvirt:etc /var/lib/libvirt:lib /var/log/libvirt:log /var/cache/libvirt:cache; do
				[ -d "\${m%%:*}" ] || mkdir -p "\${m%%:*}"
				mount --bind "$PD/\${m#*:}" "\${m%%:*}"
			done
			exec env LIBVIRT_DRIVER_DIR="$PD/drv" libvirtd -f "$PD/libvirtd.conf" -p "$PD/libvirtd.pid"
		START
	fi
	# (unshare and sh exec: $! is libvirtd itself)
	unshare -m --propagation private sh "$PD/start.sh" >>"$PD/libvirtd.out" 2>&1 &
	PD_PID=$!
	echo "$PD_PID" >"$FT_TMP/pd.pid" # tests run in subshells: the pid is read back from here
	for ((i = 0; i < 200; i++)); do
		pd_ping && return 0
		kill -0 "$PD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "faults: the private libvirtd did not answer:" >&2
	cat "$PD/libvirtd.out" >&2
	return 1
}

# the daemon's pid (empty when it is not running)
pd_pid() {
	local pid st
	pid=$(cat "$FT_TMP/pd.pid" 2>/dev/null) || return 0
	st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ] || echo "$pid"
}

# pd_stop: SIGSTOP the daemon; SIGCONT when the test ends, whichever way
# (a test that fails while it is stopped must not leave it so for the next,
# nor its own cleanups waiting on it: they run after, last in first out)
pd_stop() {
	local pid
	pid=$(pd_pid)
	[ -n "$pid" ] || tm_fail "no daemon to stop"
	tm_on_exit "kill -CONT '$pid' 2>/dev/null || true"
	kill -STOP "$pid"
}

# pd_kill [SIG=TERM]: stop the daemon with SIG (KILL after 10 s) and wait
pd_kill() {
	local pid
	pid=$(pd_pid)
	[ -n "$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null || true
	kill -"${1:-TERM}" "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		[ -n "$(pd_pid)" ] || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		[ -n "$(pd_pid)" ] || break
		sleep 0.1
	done
	rm -f "$FT_TMP/pd.pid"
}

# the daemon's state: a dir pool and two shut-off domains, all PREFIX-named
pd_populate() {
	local n
	pd_virsh pool-define-as "$POOL" dir --target "$FT_TMP/pool" >/dev/null
	pd_virsh pool-start "$POOL" >/dev/null
	for n in a b; do
		cat >"$FT_TMP/dom.xml" <<-XML
			<domain type='qemu'>
			  <name>${PREFIX}$n</name>
			  <memory unit='MiB'>32</memory>
			  <vcpu>1</vcpu>
			  <os><type arch='x86_64' machine='pc'>hvm</type></os>
			  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices>
			</domain>
		XML
		pd_virsh define "$FT_TMP/dom.xml" >/dev/null
	done
	rm -f "$FT_TMP/dom.xml"
}

# what the daemon holds, one line each (the "nothing half-made" check)
pd_inventory() {
	pd_virsh list --all --name | grep . | sort
	pd_virsh vol-list --pool "$POOL" | awk 'NF {print "vol " $1}' | sort
}

# ---- helpers ----------------------------------------------------------------------

# vmmc on URI... with a log, a short refresh
ft_vmmc() {
	mkdir -p "$TM_TESTDIR/run"
	chmod 700 "$TM_TESTDIR/run"
	rm -f "$TM_TESTDIR/stty"
	tm_start -x "$W" -y "$H" ${ft_vmmc_env[@]+"${ft_vmmc_env[@]}"} --env "XDG_RUNTIME_DIR=$TM_TESTDIR/run" \
		--env "VMMC_BENCH_STATS=$TM_TESTDIR/ui.stats" -- "$TM_ROOT/tests/soak/stty-after.sh" "$TM_TESTDIR/stty" \
		"$VMMC_BIN" --log "$TM_TESTDIR/vmmc.log" -d 1 "$@"
}

# tmux_ms: what sending a key costs by itself, in ms: a tmux command (a
# process: 20-30 ms on a machine whose forks are slow, where with the
# capture that sees the key's effect it alone reached 50 ms), the least of
# two. What is left of a key's time once it is taken off is the time to the
# draw, rounded up to the next capture (each capture a process too).
tmux_ms() {
	local a b best=
	for _ in 1 2; do
		a=$(date +%s%N)
		_tm display -p -t main: '#{pane_id}' >/dev/null
		b=$((($(date +%s%N) - a) / 1000000))
		[ -n "$best" ] && [ "$best" -le "$b" ] || best=$b
	done
	echo "$best"
}

# key_ms [WHAT [KEY [UNDO]]]: a key's effect drawn, in ms as seen from
# outside (tmux capture polls included), less what sending it costs by
# itself (tmux_ms, taken before each try), printed and recorded; the best of
# up to 5 tries must be within 50 ms x VMMC_TIMEOUT_SCALE. Without KEY: F1
# opens the help (Escape closes it again); with KEY (in a dialog: Tab): the
# screen, attributes included, differs from the one before the key (a key
# that cannot be pressed again to the same effect - C-] leaves the console
# view - is tried once, unless UNDO names the key that brings the screen
# before it back: pressed between tries); KEY "resize":
# the terminal 2 columns narrower (a dialog that takes every key and has
# nothing a key changes: the UI's answer to SIGWINCH), back to W after; a
# resize repaints the whole screen, tmux's side included: 100 ms x scale.
key_ms() {
	local t0 t1 ms screen before what=${1:-} key=${2:-} undo=${3:-} f row="" all="" ok lim=50 tries=5 try tool
	[ "$key" != resize ] || lim=100
	for f in "${FUNCNAME[@]}"; do
		[[ $f != t_fault_* ]] || row=$f
	done
	case $key in "" | Tab | resize) ;; *) [ -n "$undo" ] || tries=1 ;; esac
	for ((try = 1; try <= tries; try++)); do
		if [ -n "$undo" ] && [ "$try" -gt 1 ]; then
			tm_keys "$undo"
			for _ in $(seq 100); do [ "$(tm_capture -e)" = "$before" ] && break; sleep 0.02; done
		fi
		if [ -z "$key" ]; then
			tm_assert_not_contains "Help: keys"
		else
			before=$(tm_capture -e)
		fi
		ok=0
		tool=$(tmux_ms)
		t0=$(date +%s%N)
		if [ "$key" = resize ]; then
			_tm resize-window -t main: -x $((W - 2)) -y "$H"
			_tm list-panes -t main: >/dev/null 2>&1 # (tmux sets the pty's size on its next turn)
		else
			tm_keys "${key:-F1}"
		fi
		while :; do
			if [ -z "$key" ]; then
				screen=$(tm_capture)
				[[ $screen != *"Help: keys"* ]] || ok=1
			else
				[ "$(tm_capture -e)" = "$before" ] || ok=1
			fi
			t1=$(date +%s%N)
			[ "$ok" = 0 ] && [ $(((t1 - t0) / 1000000)) -lt 2000 ] || break
		done
		ms=$(((t1 - t0) / 1000000))
		[ "$ok" = 1 ] || { _tm_dump; tm_fail "${key:-F1} not drawn within 2 s ($what)"; }
		all="$all${all:+ }$ms-$tool"
		ms=$((ms > tool ? ms - tool : 0))
		if [ -z "$key" ]; then
			tm_keys Escape
			tm_wait_gone "Help: keys" 2
		elif [ "$key" = resize ]; then
			tm_resize "$W" "$H"
			tm_wait_stable 2 >/dev/null
		fi
		[ "$ms" -gt $((lim * VMMC_TIMEOUT_SCALE)) ] || break
	done
	echo "  ${key:-F1} drawn in $ms ms ($all: as seen - tmux's send)${what:+ ($what)}" >&2
	echo "$row key:${what// /_} $ms" >>"$FT_TMP/figures"
	[ "$ms" -le $((lim * VMMC_TIMEOUT_SCALE)) ] ||
		tm_fail "${key:-F1} drawn in $all ms (> $((lim * VMMC_TIMEOUT_SCALE)) ms) ($what)"
}

# figure NAME MS: print and record a measured time
figure() {
	local f row=""
	for f in "${FUNCNAME[@]}"; do
		[[ $f != t_fault_* ]] || row=$f
	done
	echo "  $1: $2 ms" >&2
	echo "$row $1 $2" >>"$FT_TMP/figures"
}

# quit: exit 0, terminal restored, no forward socket or temp file left
quit_clean() {
	local st left us
	tm_keys q
	st=$(tm_exit_status 20)
	[ "$st" = 0 ] || tm_fail "exit status $st"
	tm_term_restored || tm_fail "terminal not restored"
	stty_sane "$TM_TESTDIR/stty" || tm_fail "the tty was left in a wrong mode"
	# the UI thread's longest pass (key read to screen drawn), from vmmc itself
	us=$(sed -n 's/^ui_us_max=//p' "$TM_TESTDIR/ui.stats")
	[ -n "$us" ] || tm_fail "no VMMC_BENCH_STATS written"
	figure "ui_pass_max" $((us / 1000))
	figure "ui_pass_cpu_max" $(($(sed -n 's/^ui_cpu_us_max=//p' "$TM_TESTDIR/ui.stats") / 1000))
	[ "$us" -le $((50000 * VMMC_TIMEOUT_SCALE)) ] || tm_fail "a UI pass took $((us / 1000)) ms"
	left=$(find "$TM_TESTDIR/run" "$TM_TESTDIR/tmp" -mindepth 1 2>/dev/null | head -5)
	[ -z "$left" ] || tm_fail "left in the runtime/temp folder: $left"
	left=$(find "$TM_TESTDIR/config" -name '*.tmp*' -o -name '.*tmp*' 2>/dev/null | head -5)
	[ -z "$left" ] || tm_fail "temporary config files left: $left"
}

# the host row of the tree holds TEXT within T seconds
host_shows() {
	tm_wait_line -t "${2:-10}" "$3" "$1"
}

# the same with the ssh dir and agent of sshhost.sh
ft_vmmc_ssh() {
	ft_vmmc_env=(--env "VMMC_SSH_DIR=$VMMC_SSH_DIR" --env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK")
	ft_vmmc "$@"
}

# mark: the fault starts now; since NAME: record the ms from the mark
FT_T0=0
mark() { FT_T0=$(($(date +%s%N) / 1000000)); }
since() { figure "$1" $(($(date +%s%N) / 1000000 - FT_T0)); }

# recovered NAME INVENTORY: after the mark, the host connects again by itself
# and lists; the daemon holds what it held before (INVENTORY)
recovered() {
	tm_wait_for "1/1 connected" 60
	since "$1"
	tm_wait_for "${PREFIX}b" 10
	[ "$(pd_inventory)" = "$2" ] || tm_fail "the daemon's objects changed: $(pd_inventory | tr '\n' ' ')"
}

# ---- rows ------------------------------------------------------------------------

t_fault_stop_list() {
	local inv0
	inv0=$(pd_inventory)
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_wait_for "${PREFIX}b" 10
	key_ms "connected"
	pd_stop
	mark
	tm_keys F5 # a refresh now: the worker blocks in the list
	key_ms "daemon stopped"
	host_shows "busy" 5 "qemu://"
	key_ms "host busy"
	# the truth within the keepalive (5 s x 3)
	host_shows "disconnected" 40 "qemu://"
	since "stop->disconnected"
	key_ms "disconnected"
	kill -CONT "$(pd_pid)"
	mark
	recovered "cont->connected" "$inv0"
	quit_clean
}

# connect to a daemon that is SIGSTOPped already: keys answer while the
# connect waits; after the connect deadline (VMMC_CONNECT_TIMEOUT, 5 s here,
# 15 s by default) the status bar says "not answering" and why
# (libvirt's open has no timeout of its own), the tree "no answer";
# SIGCONT: the open that kept
# waiting answers, and the host connects and lists by itself
t_fault_stop_connect() {
	local inv0 ms
	inv0=$(pd_inventory)
	pd_stop
	tm_on_exit "kill -CONT '$(pd_pid)' 2>/dev/null || true"
	ft_vmmc_env=(--env VMMC_CONNECT_TIMEOUT=5)
	# a short name: the tree's state column and the status bar fit
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf 'version = 1\n\n[host]\nuri = %s\nname = pd\n' "$PD_URI" >"$TM_TESTDIR/config/vmmc/config"
	mark
	ft_vmmc
	tm_wait_for "0/1 connected" 10
	key_ms "connecting to a stopped daemon"
	host_shows "no answer" 30 "▾ pd"
	ms=$(($(date +%s%N) / 1000000 - FT_T0))
	since "stop->not_answering"
	[ "$ms" -ge 5000 ] || tm_fail "'not answering' after $ms ms, before the 5 s deadline"
	tm_wait_for "pd not answering: the daemon did not answer in 5 s (still waiting)" 5
	key_ms "not answering"
	tm_assert_contains "0/1 connected"
	kill -CONT "$(pd_pid)"
	mark
	recovered "cont->connected" "$inv0"
	tm_assert_not_contains "no answer"
	quit_clean
}

# stalled_pd: the daemon SIGSTOPped (the mark), vmmc on it as host "pd"
# with a 3 s connect deadline, until the host shows "no answer"
stalled_pd() {
	pd_stop
	mark
	tm_on_exit "kill -CONT '$(pd_pid)' 2>/dev/null || true"
	ft_vmmc_env=(--env VMMC_CONNECT_TIMEOUT=3)
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf 'version = 1\n\n[host]\nuri = %s\nname = pd\n' "$PD_URI" >"$TM_TESTDIR/config/vmmc/config"
	ft_vmmc
	host_shows "no answer" 30 "▾ pd"
}

# the same stopped daemon, the host removed while its connect still waits:
# when the daemon answers, the late connection is closed (no leak, nothing
# used after the host's end: run it under ASan too); added again, the host
# connects
# SIGCONT to the stalled daemon: the connect's late answer is closed unused
# (the host was removed, or its connect abandoned)
cont_late_answer_closed() {
	kill -CONT "$(pd_pid)"
	mark
	for _ in $(seq 100); do
		grep -q "answered after the host was removed: closed" "$TM_TESTDIR/vmmc.log" && break
		sleep 0.1
	done
	grep -q "answered after the host was removed: closed" "$TM_TESTDIR/vmmc.log" ||
		tm_fail "the late connection was not closed"
	since "cont->late_answer_closed"
}

t_fault_stop_connect_removed() {
	local inv0
	inv0=$(pd_inventory)
	stalled_pd
	tm_keys -
	tm_wait_for "─ Remove Host ─" 5
	tm_keys y # ("No" has the focus)
	tm_wait_gone "─ Remove Host ─" 5
	tm_wait_for "0/0 connected" 5
	key_ms "host removed, its connect still waiting"
	cont_late_answer_closed
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_type "$PD_URI"
	tm_keys Enter
	tm_wait_for "1/1 connected" 30
	since "cont->added_again_connected"
	[ "$(pd_inventory)" = "$inv0" ] || tm_fail "the daemon's objects changed"
	quit_clean
}

# a VM's Performance view (the stats tick) open while the daemon is
# SIGSTOPped: keys answer, the host goes "disconnected", the view stays; after
# SIGCONT the host is back and the view still answers
t_fault_stop_stats() {
	local inv0
	inv0=$(pd_inventory)
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_keys /
	tm_type "${PREFIX}a"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys Tab P
	tm_wait_for "Performance" 10
	pd_stop
	mark
	key_ms "performance view, daemon stopped"
	tm_wait_for "0/1 connected" 40
	since "stop->disconnected"
	key_ms "performance view, disconnected"
	kill -CONT "$(pd_pid)"
	mark
	tm_wait_for "1/1 connected" 60
	since "cont->connected"
	tm_keys Escape
	tm_wait_for "${PREFIX}a" 10
	[ "$(pd_inventory)" = "$inv0" ] || tm_fail "the daemon's objects changed"
	quit_clean
}

t_fault_kill_restart() {
	local inv0
	inv0=$(pd_inventory)
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_wait_for "${PREFIX}a" 10
	pd_kill KILL
	mark
	host_shows "disconnected" 10 "qemu://"
	since "kill->disconnected"
	key_ms "daemon gone"
	sleep 1
	key_ms "daemon gone, retrying"
	pd_start || tm_fail "the private daemon did not start again"
	mark
	recovered "restart->connected" "$inv0"
	quit_clean
}

# vmmc on the private daemon, its Storage Pools shown, the pool selected
to_pool() {
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_keys BTab Home
	for _ in 1 2 3 4 5; do
		tm_capture | grep -qF " Storage Pools (" && break
		tm_keys Down
		sleep 0.2
	done
	tm_wait_for " Storage Pools ("
	tm_keys Tab
	tm_wait_line "$POOL" "active"
}

# New Volume's Finish sent to a stopped daemon: the dialog says it waits and
# keys answer; the keepalive drops the host; the answer is an error (or the
# volume); after SIGCONT the host is back and the volume is either whole (the
# request reached the daemon) or absent, never a half
t_fault_stop_define() {
	local inv0 v=${PREFIX}nv.qcow2
	inv0=$(pd_inventory)
	to_pool
	tm_keys v
	tm_wait_for "─ New Volume ─"
	tm_keys M-n
	tm_type "$v"
	tm_keys M-s C-u
	tm_type 8M
	pd_stop
	mark
	tm_keys Enter
	tm_wait_for "Creating the volume..." 5
	key_ms "Finish sent, daemon stopped" Tab
	tm_wait_for "0/1 connected" 40
	since "stop->disconnected"
	# the dialog says why its Finish failed (libvirt: "connection closed
	# due to keepalive timeout")
	tm_wait_for "connection closed" 10
	tm_assert_contains "─ New Volume ─"
	key_ms "disconnected" Tab
	kill -CONT "$(pd_pid)"
	mark
	tm_wait_for "1/1 connected" 60
	since "cont->connected"
	tm_wait_gone "Creating the volume..." 10
	if pd_virsh vol-info --pool "$POOL" "$v" >"$TM_TESTDIR/vol" 2>/dev/null; then
		grep -qE 'Capacity:[[:space:]]+8\.00 MiB' "$TM_TESTDIR/vol" || tm_fail "a half-made volume: $(cat "$TM_TESTDIR/vol")"
		echo "  the request reached the daemon: $v is whole (8 MiB)" >&2
		figure "volume_made_after_cont" 1
		pd_virsh vol-delete --pool "$POOL" "$v" >/dev/null
	else
		figure "volume_made_after_cont" 0
	fi
	tm_keys Escape Escape
	[ "$(pd_inventory)" = "$inv0" ] || tm_fail "the daemon's objects changed: $(pd_inventory | tr '\n' ' ')"
	quit_clean
}

# an upload into a new volume with the daemon SIGSTOPped under it: keys
# answer, the transfer and the host say so; after SIGCONT it goes on (or
# ends with a reason) and the volume is either the whole file or gone
t_fault_stop_upload() {
	local inv0 f=$FT_TMP/up.img sum v=${PREFIX}up.img
	inv0=$(pd_inventory)
	[ -f "$f" ] || head -c 256M /dev/urandom >"$f"
	sum=$(sha256sum "$f" | cut -d' ' -f1)
	to_pool
	tm_keys U
	tm_wait_for "─ Upload to Volume ─"
	tm_keys M-f
	tm_type "$f"
	tm_keys M-n C-u
	tm_type "$v"
	tm_keys Enter
	tm_wait_for "Cancel Transfer" 10
	tm_wait_for " MiB of 256 MiB" 30
	pd_stop
	mark
	key_ms "upload, daemon stopped" Tab
	tm_wait_for "0/1 connected" 40
	since "stop->disconnected"
	tm_wait_for "reconnecting" 10
	key_ms "upload waits for the host" Tab
	kill -CONT "$(pd_pid)"
	mark
	tm_wait_for "1/1 connected" 60
	since "cont->connected"
	tm_wait_for "done: " 120
	since "cont->upload_done"
	tm_capture | grep -E "done: |resumed" >&2 || true
	if pd_virsh vol-info --pool "$POOL" "$v" >/dev/null 2>&1; then
		pd_virsh vol-download --pool "$POOL" "$v" "$FT_TMP/back.img" >/dev/null || tm_fail "vol-download failed"
		[ "$(sha256sum "$FT_TMP/back.img" | cut -d' ' -f1)" = "$sum" ] || tm_fail "the volume is not the file (half-made)"
		rm -f "$FT_TMP/back.img"
		pd_virsh vol-delete --pool "$POOL" "$v" >/dev/null
	else
		tm_assert_not_contains "done: Uploaded"
	fi
	tm_keys Escape
	[ "$(pd_inventory)" = "$inv0" ] || tm_fail "the daemon's objects changed: $(pd_inventory | tr '\n' ' ')"
	quit_clean
}

# the tiny real guest (tests/guest) running on the private daemon, its serial
# console open in vmmc; the daemon SIGSTOPped: Ctrl-] still leaves the console
# at once, the console and the host say the link is lost; SIGCONT: the
# console reopens by itself and the shell answers; the scrollback is kept
t_fault_stop_console() {
	local inv0 n=${PREFIX}con
	inv0=$(pd_inventory)
	LV_URI=$PD_URI "$TM_ROOT/tests/guest/domain.sh" "$n" >"$TM_TESTDIR/$n.xml" || tm_fail "domain.sh failed"
	pd_virsh define "$TM_TESTDIR/$n.xml" >/dev/null || tm_fail "could not define $n"
	tm_on_exit "pd_virsh destroy '$n' >/dev/null 2>&1; pd_virsh undefine '$n' >/dev/null 2>&1 || true"
	pd_virsh start "$n" >/dev/null || tm_fail "could not start $n: $(tail -n 5 "$PD/log/qemu/$n.log" 2>/dev/null)"
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_keys /
	tm_type "$n"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys c
	tm_wait_for ":$n" 10
	shell_answers "before$$" 90 || tm_fail "the guest's shell never answered"
	pd_stop
	mark
	key_ms "console, daemon stopped" C-] c
	tm_keys c
	tm_wait_for "Connection lost" 40
	since "stop->console_lost"
	tm_wait_for "0/1 connected" 10
	tm_assert_contains "before$$-42"
	key_ms "console lost" C-]
	kill -CONT "$(pd_pid)"
	mark
	tm_wait_for "console reopened" 60
	since "cont->console_reopened"
	tm_wait_for "1/1 connected" 10
	tm_keys c
	shell_answers "after$$" 30 || { _tm_dump; tm_fail "the reopened console does not answer"; }
	tm_keys C-]
	pd_virsh destroy "$n" >/dev/null 2>&1 || true
	pd_virsh undefine "$n" >/dev/null || tm_fail "could not undefine $n"
	[ "$(pd_inventory)" = "$inv0" ] || tm_fail "the daemon's objects changed: $(pd_inventory | tr '\n' ' ')"
	quit_clean
}

# an ssh:// host through the loopback sshd to the private daemon
ssh_uri() { echo "ssh://root@127.0.0.1:$SH_PORT/system?socket=$PD/sock/libvirt-sock"; }

# the forward sockets vmmc holds in its runtime folder now
fwd_socks() { find "$TM_TESTDIR/run" -name sock -type s 2>/dev/null | wc -l; }

t_fault_sshd_killed() {
	local n inv0
	inv0=$(pd_inventory)
	ft_vmmc_ssh "$(ssh_uri)"
	tm_wait_for "1/1 connected" 30
	tm_wait_for "${PREFIX}b" 10
	n=$(fwd_socks)
	[ "$n" -le 1 ] || tm_fail "$n forward sockets while connected"
	sh_cut 2
	mark
	tm_wait_for "0/1 connected" 20
	since "cut->disconnected"
	key_ms "sshd gone"
	# sshd is back 2 s after the cut: vmmc logs in again by itself
	recovered "cut->connected" "$inv0"
	key_ms "reconnected"
	n=$(fwd_socks)
	[ "$n" -le 1 ] || tm_fail "$n forward sockets after the reconnect (the old one was left)"
	quit_clean
}

# link_rules -I|-D: drop (or stop dropping) every packet of the far sshd's
# port inside its namespace: the link is cut silently, nothing is refused
link_rules() {
	local ns port
	ns=$(cat "$FAR_DIR/netns") port=$(cat "$FAR_DIR/port")
	ip netns exec "$ns" iptables -w "$1" INPUT -p tcp --dport "$port" -j DROP
	ip netns exec "$ns" iptables -w "$1" OUTPUT -p tcp --sport "$port" -j DROP
}

# an ssh:// host in a network namespace (tests/remote/farhost.sh, 1 ms each
# way); its packets dropped: keys answer, the host is "disconnected" once the
# SSH keepalives go unanswered (5 s x 3), retries go on without a crash;
# packets flow again: it logs in again by itself; one forward socket at most
t_fault_link_cut() {
	local addr port inv0 n
	inv0=$(pd_inventory)
	read -r addr port < <("$TM_ROOT/tests/remote/farhost.sh" up "$FAR_DIR" 1) || tm_fail "no far host"
	tm_on_exit "'$TM_ROOT/tests/remote/farhost.sh' down '$FAR_DIR' >/dev/null 2>&1"
	cat "$SH_KEY.pub" >>"$FAR_DIR/authorized_keys"
	ssh-keyscan -p "$port" -t ed25519 "$addr" 2>/dev/null >>"$VMMC_SSH_DIR/known_hosts"
	ft_vmmc_ssh "ssh://root@$addr:$port/system?socket=$PD/sock/libvirt-sock"
	tm_wait_for "1/1 connected" 30
	tm_wait_for "${PREFIX}b" 10
	link_rules -I
	tm_on_exit "link_rules -D >/dev/null 2>&1 || true"
	mark
	key_ms "link cut"
	tm_wait_for "0/1 connected" 40
	since "cut->disconnected"
	key_ms "link cut, disconnected"
	sleep 3
	key_ms "link cut, retrying"
	link_rules -D
	mark
	recovered "restored->connected" "$inv0"
	key_ms "restored"
	n=$(fwd_socks)
	[ "$n" -le 1 ] || tm_fail "$n forward sockets after the reconnect (the old one was left)"
	quit_clean
}

# the config folder on a 256 KiB tmpfs, filled: adding a host cannot be
# saved; the file on disk stays whole, the host stays in the tree for the
# session, no temporary file is left; with room again, the next save keeps all
t_fault_disk_full() {
	local cfg=$TM_TESTDIR/config/vmmc before
	mkdir -p "$TM_TESTDIR/config"
	mount -t tmpfs -o size=256k,mode=0755 vmmc-fault-cfg "$TM_TESTDIR/config" || tm_skip "cannot mount a tmpfs"
	tm_on_exit "umount -l '$TM_TESTDIR/config'"
	mkdir -p "$cfg"
	printf 'version = 1\n\n[host]\nuri = %s\nname = pd\n' "$PD_URI" >"$cfg/config"
	ft_vmmc
	tm_wait_for "1/1 connected" 20
	cp "$cfg/config" "$TM_TESTDIR/config.before"
	dd if=/dev/zero of="$cfg/fill" bs=4k status=none 2>/dev/null || true
	[ "$(df --output=avail "$TM_TESTDIR/config" | tail -n 1 | tr -d ' ')" = 0 ] || tm_fail "the tmpfs is not full"
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_type "test:///default"
	tm_keys Enter
	tm_wait_for "Config not saved" 10
	tm_wait_for "2/2 connected" 20
	key_ms "disk full"
	sleep 1
	tm_assert_contains "Config not saved"
	cmp -s "$cfg/config" "$TM_TESTDIR/config.before" || tm_fail "the config file changed (half-written?)"
	before=$(find "$cfg" -mindepth 1 -printf "%f\n" | sort | tr '\n' ' ')
	[ "$before" = "config config.lock fill " ] || [ "$before" = "config fill " ] ||
		tm_fail "files left in the config folder: $before"
	# room again: a new group is saved, with the host the full disk refused
	rm -f "$cfg/fill"
	tm_keys N
	tm_wait_for "─ New Group ─" 5
	tm_type "${PREFIX}g"
	tm_keys Enter
	tm_wait_for "${PREFIX}g" 5
	for _ in $(seq 50); do
		grep -qF "${PREFIX}g" "$cfg/config" 2>/dev/null && break
		sleep 0.1
	done
	grep -qF "${PREFIX}g" "$cfg/config" || tm_fail "the group was not saved once there was room"
	grep -qF "uri = test:///default" "$cfg/config" || tm_fail "the host added while the disk was full was lost"
	grep -qF "uri = $PD_URI" "$cfg/config" || tm_fail "the first host was lost"
	quit_clean
}

# ---- the disk filling under a pool --------------------------------------------------

# a dir pool (FULL_POOL) on a 16 MiB tmpfs at $FT_TMP/small, mounted before
# the private daemon starts (its mount namespace is a copy: the same tmpfs);
# named to sort before POOL, so that it is the Storage Pools view's first
FULL_POOL=${PREFIX}full
full_pool_up() {
	pd_virsh pool-define-as "$FULL_POOL" dir --target "$FT_TMP/small" >/dev/null || tm_fail "no pool on the tmpfs"
	tm_on_exit "pd_virsh pool-destroy '$FULL_POOL' >/dev/null 2>&1; pd_virsh pool-undefine '$FULL_POOL' >/dev/null 2>&1; rm -f '$FT_TMP/small/'* 2>/dev/null; true"
	pd_virsh pool-start "$FULL_POOL" >/dev/null || tm_fail "the pool on the tmpfs did not start"
}

# the tmpfs holds nothing but FILE... (no volume half-made, no temp file)
full_left() {
	local left
	left=$(find "$FT_TMP/small" -mindepth 1 -printf "%f " | tr ' ' '\n' | grep -vxF -e "" "${@/#/-e}" | tr '\n' ' ')
	[ -z "$left" ] || tm_fail "left on the full disk: $left"
	left=$(pd_virsh vol-list --pool "$FULL_POOL" | awk 'NF {print $1}' | grep -vxF -e "" "${@/#/-e}" | tr '\n' ' ')
	[ -z "$left" ] || tm_fail "volumes left in $FULL_POOL: $left"
}

# upload_to_full FILE VOL: the Upload dialog on the selected pool (FULL_POOL)
upload_to_full() {
	tm_keys U
	tm_wait_for "─ Upload to Volume ─"
	tm_assert_contains "$FULL_POOL"
	tm_keys M-f
	tm_type "$1"
	tm_keys M-n C-u
	tm_type "$2"
	mark
	tm_keys Enter
}

# The disk under a pool fills. An upload bigger than the pool's free room
# is refused before anything is made ("is full: ... free, the file needs
# ..."); an upload that fits when it starts but the disk fills under it
# (the daemon paused the moment its volume exists, the tmpfs filled, the
# daemon resumed) fails with libvirt's "No space left on device" and its
# volume is removed; New Volume on the full disk (a qcow2's header needs
# room) fails the same way, the dialog keeps what was typed; room again:
# the same Create works (the pool still usable). Keys answer throughout,
# the host stays connected, nothing is left on the disk.
t_fault_pool_full() {
	local big=$FT_TMP/big.img f=$FT_TMP/mid.img v=${PREFIX}up.img pid
	grep -q " $FT_TMP/small tmpfs " /proc/mounts || tm_skip "no tmpfs for the pool"
	full_pool_up
	[ -f "$big" ] || head -c 24M /dev/urandom >"$big"
	[ -f "$f" ] || head -c 8M /dev/urandom >"$f"
	to_pool
	tm_wait_line "$FULL_POOL" "active"
	# 1. bigger than the room: refused up front
	upload_to_full "$big" "$v"
	tm_wait_for "needs 24 MiB" 30
	since "upload_too_big->refused"
	tm_assert_contains "is full: 16 MiB free"
	key_ms "upload refused, pool full" resize # an ended transfer offers Close only: Tab changes nothing
	full_left
	tm_keys Escape Escape
	tm_wait_gone "─ Transfer ─" 5
	# 2. the disk fills under an upload
	pid=$(pd_pid)
	(
		end=$((SECONDS + 30))
		while [ "$SECONDS" -lt "$end" ]; do
			if [ -e "$FT_TMP/small/$v" ]; then
				kill -STOP "$pid"
				head -c 12M /dev/zero >"$FT_TMP/small/fill" 2>/dev/null
				kill -CONT "$pid"
				exit 0
			fi
		done
	) &
	upload_to_full "$f" "$v"
	tm_wait_for "is full (Unable to write" 60
	since "upload_disk_filled->failed"
	grep -q "No space left on device" "$TM_TESTDIR/vmmc.log" || tm_fail "the reason (ENOSPC) is not in the log"
	tm_capture | grep -iE "space|full" >&2 || true
	key_ms "upload failed, disk full" resize # (Close only, as above)
	tm_assert_contains "1/1 connected"
	for _ in $(seq 50); do
		[ ! -e "$FT_TMP/small/$v" ] && break
		sleep 0.1
	done
	full_left fill
	tm_keys Escape Escape
	tm_wait_gone "─ Transfer ─" 5
	# 3. New Volume on the full disk
	head -c 16M /dev/zero >>"$FT_TMP/small/fill" 2>/dev/null || true
	[ "$(df --output=avail "$FT_TMP/small" | tail -n 1 | tr -d ' ')" = 0 ] || tm_fail "the tmpfs is not full"
	tm_keys v
	tm_wait_for "─ New Volume ─"
	tm_keys M-n
	tm_type "${PREFIX}nv.qcow2"
	tm_keys M-s C-u
	tm_type 8M
	mark
	tm_keys Enter
	tm_wait_for "No space left on device" 30
	since "new_volume->no_space"
	tm_capture | grep -iE "space|full" >&2 || true
	tm_assert_contains "─ New Volume ─" # the dialog stays, with what was typed
	key_ms "New Volume refused, disk full" Tab
	full_left fill
	# room again: the same Create works
	rm -f "$FT_TMP/small/fill"
	mark
	tm_keys Enter
	tm_wait_gone "─ New Volume ─" 30
	since "room->volume_made"
	pd_virsh vol-info --pool "$FULL_POOL" "${PREFIX}nv.qcow2" >/dev/null || tm_fail "no volume made once there was room"
	pd_virsh vol-delete --pool "$FULL_POOL" "${PREFIX}nv.qcow2" >/dev/null
	tm_assert_contains "1/1 connected"
	quit_clean
}

# ---- a wizard's Finish --------------------------------------------------------------

# nvm_to_summary NAME: vmmc on the private daemon, the New VM wizard walked
# to its Summary: direct kernel boot (the tiny guest's kernel, not started),
# 128 MiB, no network, a new 8 MiB qcow2 in POOL. Finish makes two things:
# the volume, then the definition.
nvm_to_summary() {
	local n=$1 pos
	local -a k
	mapfile -t k < <("$TM_ROOT/tests/guest/build.sh" --print)
	[ "${#k[@]}" = 2 ] || tm_fail "no guest kernel (tests/guest/build.sh)"
	ft_vmmc "$PD_URI"
	tm_wait_for "1/1 connected" 20
	tm_wait_for "${PREFIX}b" 10
	tm_keys v
	tm_wait_for "Name and host" 10
	tm_type "$n"
	tm_keys Enter
	tm_wait_for "Installation source" 10
	tm_keys Down Down Down Down # Direct kernel boot
	tm_wait_for "Kernel:" 5
	tm_keys M-k
	tm_type "${k[0]}"
	tm_keys M-n
	tm_type "${k[1]}"
	tm_keys Enter
	tm_wait_for "Operating system" 10
	tm_keys Enter
	tm_wait_for "Firmware and machine" 10
	tm_keys Enter
	tm_wait_for "Memory and processors" 10
	tm_keys M-m C-u
	tm_type 128M
	tm_keys Enter
	tm_wait_for "Network" 10
	for _ in $(seq 50); do
		tm_capture | grep -qF "(*) None" && break
		pos=$(tm_find "( ) None") && tm_click "$((${pos#* } + 1))" "${pos% *}"
		sleep 0.1
	done
	tm_wait_for "(*) None" 5
	tm_keys Enter
	tm_wait_for "Storage" 10
	tm_keys M-p
	tm_choice "$POOL" || tm_fail "no pool $POOL in the wizard"
	tm_keys M-z C-u
	tm_type 8M
	tm_keys Enter
	tm_wait_for "Summary" 10
	pos=$(tm_find "[x] Start the VM") || tm_fail "no Start check box"
	tm_click "$((${pos#* } + 2))" "${pos% *}"
	tm_wait_for "[ ] Start the VM" 5
	ui_window walk
}

# vmmc's pid (ft_vmmc runs it under tests/soak/stty-after.sh)
ft_vmmc_pid() {
	pgrep -P "$(tm_pid)" | head -n 1
}

# ui_window NAME: the UI passes so far (VMMC_BENCH_STATS) closed by SIGUSR1
# and their longest kept as figure NAME_ui_pass_max: quit_clean's check then
# covers the fault alone
ui_window() {
	local pid
	pid=$(ft_vmmc_pid)
	[ -n "$pid" ] || tm_fail "no vmmc process"
	rm -f "$TM_TESTDIR/ui.stats"
	kill -USR1 "$pid"
	for _ in $(seq 100); do
		grep -q '^key_us_max=' "$TM_TESTDIR/ui.stats" 2>/dev/null && break
		sleep 0.02
	done
	figure "$1_ui_pass_max" $(($(sed -n 's/^ui_us_max=//p' "$TM_TESTDIR/ui.stats") / 1000))
	figure "$1_ui_pass_cpu_max" $(($(sed -n 's/^ui_cpu_us_max=//p' "$TM_TESTDIR/ui.stats") / 1000))
}

# nvm_finish_hit NAME SIG: the wizard walked to its Summary (nvm_to_summary),
# Finish pressed, and SIG sent to the daemon the moment the wizard's volume
# exists (between the volume and the definition, or before the volume's
# answer left the daemon: a background poll of the pool's folder); marks
nvm_finish_hit() {
	local f=$1.qcow2
	nvm_to_summary "$1"
	# whatever the row leaves: the daemon running, the VM and volume gone
	tm_on_exit "kill -CONT \"\$(pd_pid)\" 2>/dev/null; pd_virsh undefine '$1' >/dev/null 2>&1; pd_virsh vol-delete --pool '$POOL' '$f' >/dev/null 2>&1; true"
	(
		pid=$(pd_pid)
		end=$((SECONDS + 20))
		while [ "$SECONDS" -lt "$end" ]; do
			if [ -e "$FT_TMP/pool/$f" ]; then
				kill -"$2" "$pid"
				: >"$TM_TESTDIR/sig-sent"
				exit 0
			fi
		done
	) &
	tm_keys Enter # Finish
	for _ in $(seq 100); do
		[ -e "$TM_TESTDIR/sig-sent" ] && break
		sleep 0.05
	done
	[ -e "$TM_TESTDIR/sig-sent" ] || tm_fail "the volume was never made (Finish did not start)"
	mark
	tm_wait_for "Create volume $f" 5
}

# nvm_undone NAME INVENTORY WHAT: the daemon is back (the mark): the host
# connects, the steps' dialog says what was removed (nothing it could not);
# the daemon holds what it held before the wizard (no volume, no
# definition), checked a few times (a late request of the old connection
# would show up), no file of the volume in the pool's folder; quit
nvm_undone() {
	tm_wait_for "1/1 connected" 60
	since "$3->connected"
	tm_wait_for "was removed" 30
	since "$3->removed"
	tm_capture | grep -E "\[|failed|Waiting|remov" >&2 || true
	tm_assert_not_contains "Could not undo"
	for _ in 1 2 3; do
		sleep 1
		[ "$(pd_inventory)" = "$2" ] || tm_fail "half-made: the daemon holds $(pd_inventory | tr '\n' ' ')"
	done
	[ ! -e "$FT_TMP/pool/$1.qcow2" ] || tm_fail "the volume's file $1.qcow2 is left in the pool's folder"
	tm_keys Escape
	tm_wait_gone "Create volume" 5
	quit_clean
}

# New VM's Finish with the daemon SIGSTOPped mid-way: keys answer (the
# steps' dialog takes every key: a resize); the keepalive drops the host;
# the dialog says which step failed and that it waits for the host to
# remove what was made; SIGCONT: the host is back, the wizard removes the
# volume (also one whose answer was lost) and says so; nothing is left
t_fault_nvm_stop() {
	local n=${PREFIX}nvs inv0
	inv0=$(pd_inventory)
	nvm_finish_hit "$n" STOP
	key_ms "Finish, daemon stopped" resize
	tm_wait_for "0/1 connected" 40
	since "stop->disconnected"
	tm_wait_for "[FAILED]" 20
	since "stop->step_failed"
	tm_wait_for "to come back to remove what the steps made" 5
	key_ms "Finish failed, host away" resize
	kill -CONT "$(pd_pid)"
	mark
	nvm_undone "$n" "$inv0" cont
}

# the same with the daemon SIGKILLed mid-way and started again 2 s later:
# the host drops at once, the wizard says which step failed, waits, and
# removes what was made once the daemon is back
t_fault_nvm_kill() {
	local n=${PREFIX}nvk inv0
	inv0=$(pd_inventory)
	nvm_finish_hit "$n" KILL
	for _ in $(seq 50); do
		[ -z "$(pd_pid)" ] && break
		sleep 0.1
	done
	rm -f "$FT_TMP/pd.pid"
	tm_wait_for "[FAILED]" 20
	since "kill->step_failed"
	key_ms "Finish failed, daemon gone" resize
	sleep 2
	pd_start || tm_fail "the private daemon did not start again"
	mark
	nvm_undone "$n" "$inv0" restart
}

# Connect on a host whose stopped daemon did not answer in time: vmmc says
# it still waits for the daemon (and for how long), sends no second connect
# (the host shows "no answer", never "busy"); SIGCONT: it connects
t_fault_stop_connect_again() {
	local inv0 i
	inv0=$(pd_inventory)
	stalled_pd
	tm_keys C
	tm_wait_for "Still waiting for pd's daemon (" 5
	since "stop->connect_told"
	for i in 1 2 3 4 5 6 7 8; do # a queued connect would show "busy" after 500 ms
		sleep 0.25
		tm_assert_not_contains "busy"
	done
	host_shows "no answer" 1 "▾ pd"
	key_ms "Connect on a stalled host"
	kill -CONT "$(pd_pid)"
	mark
	recovered "cont->connected" "$inv0"
	tm_assert_not_contains "no answer"
	quit_clean
}

t_fault_stop_disconnect() {
	local inv0
	inv0=$(pd_inventory)
	stalled_pd
	tm_keys X
	tm_wait_for "pd disconnected: its connect that waits is dropped" 1
	tm_wait_for "Not connected." 1 # (the pane; the tree shows no state)
	# (the key's pass draws the status line; the tree's row follows with the
	# next frame no key asked for: at most $VMMC_FRAME_MS, 30 ms, later)
	tm_wait_gone "no answer" 1
	since "stop->disconnected"
	key_ms "Disconnect on a stalled host"
	for _ in 1 2 3 4 5 6; do # a disconnect queued behind the open shows "busy" after 500 ms
		sleep 0.25
		tm_assert_not_contains "busy"
	done
	cont_late_answer_closed
	sleep 1 # (a late answer used would show "connected" by now)
	tm_assert_contains "Not connected."
	tm_assert_contains "0/1 connected"
	tm_keys C
	recovered "connect->connected" "$inv0"
	quit_clean
}

# Many hosts on one daemon that stops: each on-screen host's figures (read
# every second here) block in turn. At most $VMMC_SERVER_WORKERS (6 here)
# workers wait on that server; the pool does not grow a thread per stuck
# host (it grew to about one per host before, and each surge left memory
# behind). Keys answer; after SIGCONT every host is connected again.
t_fault_stop_many() {
	local n=24 i uris=() base most=0 thr pid
	mkdir -p "$FT_TMP/many"
	for ((i = 1; i <= n; i++)); do # one daemon, n hosts: a URI each
		ln -sfn "$PD/sock/libvirt-sock" "$FT_TMP/many/s$i"
		uris+=("qemu:///system?socket=$FT_TMP/many/s$i")
	done
	ft_vmmc_env=(--env VMMC_SERVER_WORKERS=6 --env VMMC_OFFSCREEN_STATS=1)
	ft_vmmc "${uris[@]}"
	tm_resize "$W" 100 # every host's rows on screen: all their figures are read
	tm_wait_for "$n/$n connected" 60
	pid=$(ft_vmmc_pid)
	[ -n "$pid" ] || tm_fail "no vmmc process"
	sleep 2 # (the first readings and probes done)
	base=$(tm_threads "$pid")
	pd_stop
	mark
	for ((i = 0; i < 50; i++)); do # 5 s: every host's reading is due, and blocks
		thr=$(tm_threads "$pid")
		[ "$thr" -le "$most" ] || most=$thr
		sleep 0.1
	done
	figure "threads_before" "$base"
	figure "threads_daemon_stopped_max" "$most"
	key_ms "$n hosts, their daemon stopped"
	# (the figures of every host were being read, then blocked)
	[ "$(grep ' stats: .*: read ' "$TM_TESTDIR/vmmc.log" | sed 's/.* stats: //; s/: read .*//' | sort -u | wc -l)" = "$n" ] ||
		tm_fail "not every host's figures were read"
	# the workers the server may hold (6) are among the base 8: one thread more at most (the pool's watchdog)
	[ "$most" -le $((base + 1)) ] || tm_fail "$most threads with the daemon stopped ($base before): the pool grew for it"
	kill -CONT "$(pd_pid)"
	mark
	tm_wait_for "$n/$n connected" 60
	since "cont->all_connected"
	key_ms "$n hosts, their daemon back"
	tm_resize "$W" "$H"
	quit_clean
	rm -rf "$FT_TMP/many"
}

run_all() {
	local -a tests=() t
	for t in $(declare -F | awk '{print $3}' | grep '^t_fault_'); do
		[[ $t =~ ${VMMC_TESTS:-${1:-.}} ]] && tests+=("$t")
	done
	run_tests "${tests[@]}"
}

ft_exit() {
	tm_sweep 2>/dev/null || true
	[ "$SSH_UP" = 0 ] || sh_down
	[ "$FAR_UP" = 0 ] || "$TM_ROOT/tests/remote/farhost.sh" down "$FAR_DIR" >/dev/null 2>&1 || true
	if [ -n "$(pd_pid)" ]; then
		local n
		for n in $(pd_virsh list --all --name 2>/dev/null); do
			pd_virsh destroy "$n" >/dev/null 2>&1 || true
			pd_virsh undefine "$n" >/dev/null 2>&1 || true
		done
		pd_virsh pool-destroy "$POOL" >/dev/null 2>&1 || true
		pd_kill TERM
	fi
	! grep -q " $FT_TMP/small tmpfs " /proc/mounts || umount -l "$FT_TMP/small"
	[ -n "${VMMC_KEEP:-}" ] || rm -rf "$FT_TMP"
}
trap ft_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "faults: root only (skipped)"; echo "faults: 0 passed, 0 failed"; exit 0; }
mkdir -p "$FT_TMP/small"
mount -t tmpfs -o size=16m,mode=0755 vmmc-fault-pool "$FT_TMP/small" || echo "faults: no tmpfs for t_fault_pool_full" >&2
pd_start
pd_populate
sh_up "$FT_TMP/ssh" || { echo "faults: the loopback sshd did not start" >&2; exit 1; }
SSH_UP=1
set +e # run_tests must not run under || (bash would ignore set -e in the tests)
run_all "$@"
rc=$?
if [ -s "$FT_TMP/figures" ]; then
	echo "faults: figures (row, what, ms):"
	column -t "$FT_TMP/figures" | sed 's/^/  /'
fi
exit "$rc"
