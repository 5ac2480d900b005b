#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/ssh.sh [PATTERN] - SSH hosts end to end: vmmc in tmux reaching a
# real libvirtd (qemu:///system, started by the tests when none runs)
# through a real, hermetic sshd on a free loopback port (tests/remote/sshd.sh:
# its own config, host key and authorized_keys in a temporary folder) and a
# private ssh-agent. vmmc reads its ssh files from VMMC_SSH_DIR (one per
# test), never ~/.ssh. Root only. PATTERN (or $VMMC_TESTS), an extended
# regex, picks tests by name. Ends with "ssh: N passed, M failed".
#
# Every domain it creates is named vmmc-test-<pid>-*; all are removed at exit,
# with the test user (vmmcpwPID, made by sshd.sh user-add) and its session daemon.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/guestshell.sh
. "$here/../lib/guestshell.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

W=140 H=36

SSH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-ssh-$$.XXXXXX")
chmod 711 "$SSH_TMP" # the test user reaches its home inside
SSHD_DIR=$SSH_TMP/sshd
AGENT_SOCK=$SSH_TMP/agent.sock
AGENT_PID=
PW_USER=vmmcpw$$
PW_HOME=$SSH_TMP/pwhome
PW_PASS="pw-$$-$RANDOM-Zq"   # the test user's password: must never reach a file
KEY_PASS="kp-$$-$RANDOM-Yx"  # the encrypted key's passphrase
PW_MADE=0        # this run made the test user (and removes it)
PORT=
BATCH_SSH_DIR=

# ---- helpers ------------------------------------------------------------------

# a fresh ssh dir for vmmc (VMMC_SSH_DIR) in this test's folder; known
# hosts prefilled unless "empty" is given
ssh_dir() {
	local d=$TM_TESTDIR/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	: >"$d/known_hosts"
	if [ "${1:-}" != empty ]; then
		ssh-keyscan -p "$PORT" -t ed25519 127.0.0.1 2>/dev/null >"$d/known_hosts"
		[ -s "$d/known_hosts" ] || tm_fail "ssh-keyscan found no key on port $PORT"
	fi
	echo "$d"
}

# vmmc_ssh SSHDIR [--agent] ARG...: vmmc with that ssh dir (and the agent)
vmmc_ssh() {
	local d=$1
	shift
	local -a env=(--env "VMMC_SSH_DIR=$d")
	if [ "${1:-}" = --agent ]; then
		env+=(--env "SSH_AUTH_SOCK=$AGENT_SOCK")
		shift
	fi
	tm_vmmc -x "$W" -y "$H" "${env[@]}" -- "$@"
}

host_uri() { echo "ssh://root@127.0.0.1:$PORT"; }

# the VM names of this run, sorted, as virsh sees them on the daemon
virsh_names() {
	lv_virsh list --all --name | grep "^$LV_PREFIX" | sort
}

logins() { grep -c "Accepted " "$SSHD_DIR/sshd.log" || true; }

# stop sshd and every session of it (found by its port: a session whose
# listener is gone is no longer the listener's child)
sshd_kill() {
	local pid
	"$TM_ROOT/tests/remote/sshd.sh" stop "$SSHD_DIR"
	for pid in $(ss -Htnp state established "( sport = :$PORT )" 2>/dev/null |
		grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] && kill -9 "$pid" 2>/dev/null
	done
	return 0
}

# start sshd again on the same port with the same key
sshd_restart() {
	rm -f "$SSHD_DIR/sshd.pid"
	/usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" || tm_fail "sshd did not restart"
}

# secret_gone SECRET WHAT: no copy of SECRET in vmmc's memory (it runs, the
# login is done) nor in its command line; then, vmmc stopped, in no file of
# the test (config, cache, state, home, tmp, the screen's bytes)
secret_gone() {
	local n pid
	pid=$(tm_pid)
	tm_wait_stable 5
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$1" && tm_fail "the $2 is in the command line"
	n=$(printf '%s' "$1" | python3 "$TM_ROOT/tests/lib/memscan.py" "$pid" -)
	echo "  copies of the $2 in vmmc's memory after the login: $n" >&2
	[ "$n" = 0 ] || tm_fail "$n copies of the $2 left in vmmc's memory"
	tm_stop
	if grep -rqF -- "$1" "$TM_TESTDIR"; then
		tm_fail "the $2 reached a file"
	fi
}

# ---- tests ----------------------------------------------------------------------

# unknown host key: the dialog shows the server's SHA256 fingerprint; "Accept
# and save" writes a line ssh-keygen -F finds; agent login; the list matches
# virsh; a lifecycle action works over SSH; one SSH login for all of it
t_ssh_hostkey_save_list_lifecycle() {
	local d fp names shown n0
	d=$(ssh_dir empty)
	fp=$(ssh-keygen -lf "$SSHD_DIR/hostkey.pub" | awk '{print $2}')
	n0=$(logins)
	vmmc_ssh "$d" --agent "$(host_uri)"
	tm_wait_for "Unknown Host Key" 20
	tm_assert_contains "$fp"
	tm_assert_contains "ssh-ed25519"
	tm_assert_contains "[ Accept and save ]"
	# an 80x24 terminal, resized while the question is open: all of it stays
	tm_resize 80 24
	tm_wait_for "[ Accept once ] [ Accept and save ] [ Reject ]" 5
	tm_assert_contains "$fp"
	tm_resize "$W" "$H"
	tm_wait_for "[ Accept once ] [ Accept and save ] [ Reject ]" 5
	tm_keys Left Enter # Reject has the focus; one to the left is Accept and save
	tm_wait_for "1/1 connected" 20
	ssh-keygen -F "[127.0.0.1]:$PORT" -f "$d/known_hosts" | grep -q ssh-ed25519 ||
		tm_fail "ssh-keygen -F does not find the saved key"
	# the list: the same VMs as virsh on the same daemon
	names=$(virsh_names)
	[ -n "$names" ] || tm_fail "no test VMs defined"
	tm_keys /
	tm_type "$LV_PREFIX"
	tm_keys Enter
	tm_wait_for "($(echo "$names" | wc -l) of " 10
	shown=$(tm_capture | grep -oE "│${LV_PREFIX}[a-z0-9]+ " | tr -d '│ ' | sort -u)
	[ "$shown" = "$names" ] || { _tm_dump; tm_fail "list differs from virsh: '$shown' vs '$names'"; }
	# start the first one, see virsh agree, turn it off again
	tm_keys Tab Home
	tm_keys s
	lv_wait_state "$(echo "$names" | head -1)" running 60 || tm_fail "start over SSH did not reach the VM"
	tm_wait_line -t 20 "$(echo "$names" | head -1)" running
	tm_keys o
	tm_wait_for "Turn Off" 5
	tm_keys y
	lv_wait_state "$(echo "$names" | head -1)" "shut off" 60 || tm_fail "turn off over SSH failed"
	[ "$(($(logins) - n0))" = 1 ] || tm_fail "expected 1 SSH login, saw $(($(logins) - n0))"
}

# a changed host key (the server got a new key) is refused, loudly, with no
# way to accept it; the known_hosts line is named
t_ssh_hostkey_changed_refused() {
	local d
	d=$(ssh_dir)
	"$TM_ROOT/tests/remote/sshd.sh" rekey "$SSHD_DIR"
	vmmc_ssh "$d" --agent "$(host_uri)"
	tm_wait_line -t 20 "root@127.0.0.1:$PORT" failed
	tm_wait_for "REMOTE HOST IDENTIFICATION HAS CHANGED" 5
	tm_assert_not_contains "Unknown Host Key"
	tm_assert_not_contains "Accept"
	tm_keys F1 # the keyboard still answers
	tm_wait_for "Help: keys" 5
	tm_keys Escape
	BATCH_SSH_DIR=$d
	expect_err "$(host_uri)" "REMOTE HOST IDENTIFICATION HAS CHANGED for \\[127.0.0.1\\]:$PORT.*known key is at $d/known_hosts:1"
}

# password login as a user whose session daemon is reached through SSH: a
# wrong password, then the right one; the password shows nowhere (screen
# bytes, config/cache/state/home/tmp files, /proc/PID/cmdline)
t_ssh_password_retry_secret_scan() {
	local d n
	d=$(ssh_dir)
	vmmc_ssh "$d" "ssh://$PW_USER@127.0.0.1:$PORT/session"
	tm_wait_for "Password for $PW_USER@127.0.0.1" 20
	tm_type "wrong-$PW_PASS"
	tm_keys Enter
	tm_wait_for "please try again" 20
	tm_type "$PW_PASS"
	tm_keys Enter
	tm_wait_for "1/1 connected" 30
	# (the memory scan does find what is there: the user name of this login)
	n=$(printf '%s' "$PW_USER@127.0.0.1" | python3 "$TM_ROOT/tests/lib/memscan.py" "$(tm_pid)" -)
	[ "$n" -gt 0 ] || tm_fail "the memory scan finds nothing at all"
	secret_gone "$PW_PASS" password
}

# keyboard-interactive (a second sshd with PAM, whose only login method for
# the test user is keyboard-interactive): the server's prompt becomes a
# dialog, the answer is not echoed, the user's session daemon is reached
t_ssh_kbdint() {
	local d pam=$TM_TESTDIR/pamsshd pport
	[ -f /etc/pam.d/sshd ] || tm_skip "no /etc/pam.d/sshd"
	mkdir -p "$pam"
	pport=$(SSHD_PAM=1 "$TM_ROOT/tests/remote/sshd.sh" start "$pam") || tm_fail "the PAM sshd did not start"
	tm_on_exit "'$TM_ROOT/tests/remote/sshd.sh' stop '$pam'"
	d=$TM_TESTDIR/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keyscan -p "$pport" -t ed25519 127.0.0.1 2>/dev/null >"$d/known_hosts"
	vmmc_ssh "$d" "ssh://$PW_USER@127.0.0.1:$pport/session"
	tm_wait_for "Password:" 20
	tm_assert_not_contains "Password for $PW_USER" # not the password dialog: the server's prompt
	tm_type "$PW_PASS"
	tm_assert_not_contains "$PW_PASS"
	tm_keys Enter
	tm_wait_for "1/1 connected" 30
	grep -q "Accepted keyboard-interactive/pam for $PW_USER" "$pam/sshd.log" ||
		tm_fail "sshd did not log a keyboard-interactive login: $(tail -5 "$pam/sshd.log")"
	secret_gone "$PW_PASS" password
}

# an encrypted key file: its passphrase is asked in a dialog (no agent)
t_ssh_passphrase_key() {
	local d
	d=$(ssh_dir)
	cp "$SSH_TMP/enc_key" "$d/id_ed25519"
	cp "$SSH_TMP/enc_key.pub" "$d/id_ed25519.pub"
	vmmc_ssh "$d" "$(host_uri)"
	tm_wait_for "Key Passphrase" 20
	tm_assert_contains "$d/id_ed25519"
	tm_type "$KEY_PASS"
	tm_keys Enter
	tm_wait_for "1/1 connected" 20
	secret_gone "$KEY_PASS" passphrase
}

# sshd killed while connected: the host shows the loss, keys still work; sshd
# back: vmmc reconnects by itself (agent key: nothing asked) and lists again
t_ssh_reconnect() {
	local d n0
	d=$(ssh_dir)
	n0=$(logins)
	vmmc_ssh "$d" --agent "$(host_uri)"
	tm_wait_for "1/1 connected" 20
	tm_wait_for "${LV_PREFIX}" 10
	sshd_kill
	tm_wait_for "0/1 connected" 20
	# the keyboard keeps working while the host is down: open and close help
	tm_keys F1
	tm_wait_for "Help: keys" 5
	tm_keys Escape
	sshd_restart
	tm_wait_for "1/1 connected" 45
	tm_wait_for "${LV_PREFIX}" 10
	tm_assert_not_contains "Password"
	[ "$(($(logins) - n0))" = 2 ] || { tail -20 "$SSHD_DIR/sshd.log" >&2; tm_fail "expected 2 logins (first + reconnect), saw $(($(logins) - n0))"; }
}

# a serial console over the SSH host: the tiny guest's shell answers; after
# the link drops and sshd is back, the console reopens on its own
t_ssh_console() {
	local d n
	n=$(lv_name con)
	"$TM_ROOT/tests/guest/domain.sh" "$n" >"$TM_TESTDIR/$n.xml" || tm_fail "domain.sh failed"
	lv_virsh define "$TM_TESTDIR/$n.xml" >/dev/null || tm_fail "could not define $n"
	tm_on_exit "lv_virsh destroy '$n' >/dev/null 2>&1; lv_virsh undefine '$n' >/dev/null 2>&1"
	lv_virsh start "$n" >/dev/null || tm_fail "could not start $n"
	d=$(ssh_dir)
	vmmc_ssh "$d" --agent "$(host_uri)"
	tm_wait_for "1/1 connected" 20
	tm_keys /
	tm_type "$n"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_keys c
	tm_wait_for ":$n" 10
	shell_answers "ssh$RANDOM" 60 || tm_fail "the guest's shell never answered over SSH"
	# the SSH link drops and comes back: the console reopens by itself
	sshd_kill
	tm_wait_for "0/1 connected" 20
	sshd_restart
	tm_wait_for "console reopened" 60
	shell_answers "again$RANDOM" 30 || tm_fail "the reopened console does not answer"
}

# libvirt's own libssh transport (qemu+libssh://): libvirt's questions (here:
# accept an unknown host key) come as vmmc dialogs and the answer reaches it
t_ssh_libvirt_libssh_uri() {
	local kh=$TM_TESTDIR/kh
	: >"$kh"
	tm_vmmc -x "$W" -y "$H" -- "qemu+libssh://root@127.0.0.1:$PORT/system?known_hosts=$kh&keyfile=$SSH_TMP/agent_key&sshauth=privkey"
	tm_wait_for "Accept SSH host key" 20
	tm_assert_contains "Answer:"
	tm_type y
	tm_keys Enter
	tm_wait_for "1/1 connected" 20
	tm_wait_for "${LV_PREFIX}a" 10
	grep -q "127.0.0.1" "$kh" || tm_fail "libvirt did not save the accepted key in $kh"
}

# ms since the epoch
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# far_up: a "far" host in FAR_DIR (a network namespace, 100 ms each way:
# 200 ms RTT) with sshd inside, removed when the test ends; FAR_ADDR,
# FAR_PORT; its key in $TM_TESTDIR/ssh/known_hosts. FAR_DIR is in SSH_TMP,
# where the test user can read authorized_keys (sshd reads it as the user)
far_up() {
	local far d=$TM_TESTDIR/ssh
	FAR_DIR=$SSH_TMP/far.$BASHPID
	far=$FAR_DIR
	mkdir -p "$far"
	cp "$SSHD_DIR/authorized_keys" "$far/authorized_keys"
	chmod 644 "$far/authorized_keys"
	tm_on_exit "'$TM_ROOT/tests/remote/farhost.sh' down '$far' >/dev/null 2>&1; rm -rf '$far'"
	read -r FAR_ADDR FAR_PORT < <(FARHOST_OWNER=$BASHPID "$TM_ROOT/tests/remote/farhost.sh" up "$far" 100) ||
		tm_fail "no far host"
	[ -n "$FAR_PORT" ] || tm_fail "no far host"
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keyscan -T 10 -p "$FAR_PORT" -t ed25519 "$FAR_ADDR" 2>/dev/null >"$d/known_hosts"
	[ -s "$d/known_hosts" ] || tm_fail "ssh-keyscan found no key at $FAR_ADDR:$FAR_PORT"
}

# a far host (far_up): while a slow call is in flight (a refresh: several round trips),
# a key press still changes the screen within 100 ms
t_ssh_far_keys_responsive() {
	local addr port d i t0 t1 ms all=() sorted med f
	far_up
	addr=$FAR_ADDR port=$FAR_PORT d=$TM_TESTDIR/ssh
	t0=$(now_ms)
	vmmc_ssh "$d" --agent "ssh://root@$addr:$port"
	tm_wait_for "1/1 connected" 60
	tm_wait_for "${LV_PREFIX}a" 20
	t1=$(now_ms)
	echo "  connect and list at 200 ms RTT: $((t1 - t0)) ms" >&2
	# the delay is real: SSH and libvirt's handshakes take many round trips
	[ $((t1 - t0)) -ge 1000 ] || tm_fail "connected in $((t1 - t0)) ms: is there no delay?"
	for i in 1 2 3 4 5; do
		tm_wait_stable 10
		tm_keys F5 # re-read the host: a list, stats, nets, pools: round trips at 200 ms
		sleep 0.05
		t0=$(now_ms)
		tm_keys F1
		while ! tm_capture | grep -q "Help: keys"; do
			t1=$(now_ms)
			[ $((t1 - t0)) -lt 5000 ] || tm_fail "help did not open in 5 s"
		done
		t1=$(now_ms)
		ms=$((t1 - t0))
		all+=("$ms")
		tm_keys Escape
		tm_wait_gone "Help: keys" 5
	done
	sorted=$(printf '%s\n' "${all[@]}" | sort -n | tr '\n' ' ')
	med=$(printf '%s\n' "${all[@]}" | sort -n | sed -n 3p)
	echo "  key to screen during a refresh at 200 ms RTT: ${sorted}ms (median ${med} ms)" >&2
	[ "$med" -lt 100 ] || tm_fail "a key took ${med} ms (median) to reach the screen"
	# the private forward socket is in TMPDIR while connected, and gone after
	# a quit, even though closing a far host takes longer than vmmc waits
	compgen -G "$TM_TESTDIR/tmp/vmmc-ssh-*/sock" >/dev/null || tm_fail "no forward socket in TMPDIR"
	# (two on a far host: libvirt's and the transfers' own, rm_ssh_forward_exec)
	for f in $(compgen -G "$TM_TESTDIR/tmp/vmmc-ssh-*"); do
		[ "$(stat -c %a "$f")" = 700 ] || tm_fail "the socket's folder $f is not 0700"
	done
	tm_keys q
	tm_wait_exit 10
	! compgen -G "$TM_TESTDIR/tmp/vmmc-ssh-*" >/dev/null || tm_fail "the forward socket was left behind"
}

# The round trips a far host (200 ms RTT) costs, counted from its packet
# trace (tests/remote/farhost.sh trips), against the test user's session
# daemon (its VMs are this test's alone, none running: the count depends on
# vmmc only). Each limit is the count measured when it was set; a change
# that adds a round trip fails here. Where they go, and the floor:
# tests/bench/ssh.sh.
FAR_RT_BATCH=15     # batch connect+list, a key file without passphrase
FAR_RT_BATCH_AGENT=16 # the same with the agent's key (libssh asks first)
FAR_RT_RECONNECT=14 # console: link dropped, to the new list (retry delay aside)
t_ssh_far_round_trips() {
	local far d=$TM_TESTDIR/ssh uri sock rt i
	far_up
	far=$FAR_DIR
	[ "$(cat "$far/delay_method")" = nfqueue ] || tm_skip "round trips are counted only with the nfqueue delay"
	cp "$SSH_TMP/agent_key" "$d/id_ed25519"
	# two VMs in the test user's session daemon
	sock=$PW_HOME/.cache/libvirt/libvirt-sock
	for i in 1 2; do
		far_session_define "$(lv_name "far$i")" || tm_fail "cannot define $(lv_name "far$i") for $PW_USER"
	done
	uri="ssh://$PW_USER@$FAR_ADDR:$FAR_PORT/session"

	# the first time: the socket search (the remote uid and home, then
	# the candidates one by one); its result is remembered
	rt=$(far_batch "$d" "$uri") || tm_fail "batch mode on the far host failed: $rt"
	echo "  batch connect+list, first time (socket search): $rt round trips" >&2
	[ "$(far_names)" = "$(lv_name far1) $(lv_name far2)" ] || tm_fail "batch listed '$(far_names)'"
	[ -s "$TM_TESTDIR/cache/vmmc/ssh-sockets" ] || tm_fail "the socket found was not remembered"
	grep -qF "$sock" "$TM_TESTDIR/cache/vmmc/ssh-sockets" || tm_fail "a wrong socket was remembered"
	rt=$(far_batch "$d" "$uri") || tm_fail "batch mode on the far host failed: $rt"
	echo "  batch connect+list: $rt round trips (limit $FAR_RT_BATCH)" >&2
	[ "$(far_names)" = "$(lv_name far1) $(lv_name far2)" ] || tm_fail "batch listed '$(far_names)'"
	[ "$rt" -le "$FAR_RT_BATCH" ] || tm_fail "batch connect+list took $rt round trips (at most $FAR_RT_BATCH)"
	rm "$d/id_ed25519"
	rt=$(far_batch "$d" "$uri" --agent) || tm_fail "batch mode on the far host failed: $rt"
	echo "  batch connect+list, agent key: $rt round trips (limit $FAR_RT_BATCH_AGENT)" >&2
	[ "$rt" -le "$FAR_RT_BATCH_AGENT" ] ||
		tm_fail "batch connect+list (agent) took $rt round trips (at most $FAR_RT_BATCH_AGENT)"

	# the console (the key file again): the link drops, a VM is defined
	# meanwhile, the new list counts it
	cp "$SSH_TMP/agent_key" "$d/id_ed25519"
	vmmc_ssh "$d" --agent "$uri"
	tm_wait_for "Virtual Machines (2) on" 60
	tm_wait_gone busy 30
	"$TM_ROOT/tests/remote/sshd.sh" signal "$far" KILL
	tm_wait_for disconnected 20
	i=$("$TM_ROOT/tests/remote/farhost.sh" mark "$far")
	far_session_define "$(lv_name far3)" || tm_fail "cannot define $(lv_name far3)"
	tm_wait_for "Virtual Machines (3) on" 60
	rt=$("$TM_ROOT/tests/remote/farhost.sh" trips "$far" "$i" "$("$TM_ROOT/tests/remote/farhost.sh" mark "$far")")
	echo "  reconnect to the new list: $rt round trips (limit $FAR_RT_RECONNECT)" >&2
	[ "$rt" -le "$FAR_RT_RECONNECT" ] || tm_fail "the reconnect took $rt round trips (at most $FAR_RT_RECONNECT)"
}

# far_session_define NAME: a plain VM in the test user's session daemon
far_session_define() {
	# (the XML in the user's home: the test folder is not the user's to read)
	local xml=$PW_HOME/$1.xml rc=0
	printf "<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices></domain>\n" "$1" >"$xml"
	chmod 644 "$xml"
	runuser -u "$PW_USER" -- env -i HOME="$PW_HOME" PATH=/usr/sbin:/usr/bin:/bin \
		virsh -q -c "qemu+unix:///session?socket=$PW_HOME/.cache/libvirt/libvirt-sock" define "$xml" >/dev/null || rc=1
	rm -f "$xml"
	return "$rc"
}

# far_batch SSHDIR URI [--agent]: vmmc --batch --iterations 1 on URI (its CSV
# in $TM_TESTDIR/far.csv); prints the far host's round trips for it
far_batch() {
	local m rc=0 far=$FAR_DIR
	local -a agent=()
	[ "${3:-}" != --agent ] || agent=("SSH_AUTH_SOCK=$AGENT_SOCK")
	m=$("$TM_ROOT/tests/remote/farhost.sh" mark "$far")
	env -i PATH="$PATH" HOME="$TM_TESTDIR/home" VMMC_SSH_DIR="$1" "${agent[@]}" \
		XDG_CONFIG_HOME="$TM_TESTDIR/config" XDG_CACHE_HOME="$TM_TESTDIR/cache" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TM_TESTDIR/asan" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TM_TESTDIR/asan" \
		timeout 60 "$VMMC_BIN" --batch --iterations 1 --format csv -d 0.001 "$2" \
		>"$TM_TESTDIR/far.csv" 2>"$TM_TESTDIR/far.err" </dev/null || rc=$?
	if [ "$rc" != 0 ]; then
		echo "status $rc: $(head -c 400 "$TM_TESTDIR/far.err")"
		return 1
	fi
	"$TM_ROOT/tests/remote/farhost.sh" trips "$far" "$m"
}

# the VM names of far.csv (third field), sorted, on one line
far_names() {
	awk -F, 'NR > 1 { print $3 }' "$TM_TESTDIR/far.csv" | sort | tr '\n' ' ' | sed 's/ $//'
}

# batch_err URI...: vmmc --batch's error output for URIs (it exits non-zero)
batch_err() {
	local rc=0
	env -i PATH="$PATH" HOME="$TM_TESTDIR/home" VMMC_SSH_DIR="$BATCH_SSH_DIR" SSH_AUTH_SOCK="$AGENT_SOCK" \
		XDG_CONFIG_HOME="$TM_TESTDIR/config" XDG_CACHE_HOME="$TM_TESTDIR/cache" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TM_TESTDIR/asan" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TM_TESTDIR/asan" \
		timeout 60 "$VMMC_BIN" --batch --iterations 1 --format csv "$@" 2>&1 >/dev/null || rc=$?
	[ "$rc" != 124 ] || echo "TIMEOUT"
}

# expect_err URI REGEX: batch mode on URI fails with a message matching REGEX
expect_err() {
	local out
	out=$(batch_err "$1")
	echo "  $1 -> $out" | head -3 >&2
	echo "$out" | grep -qE -- "$2" || tm_fail "for $1 expected /$2/, got: $out"
	echo "$out" | grep -q TIMEOUT && tm_fail "$1 hung"
	return 0
}

# bad input: a name that does not resolve, a closed port, a server that is
# not SSH, a remote without that libvirt daemon (the sockets tried are
# named), a known_hosts that cannot be read: each a clear error; an
# unsupported ssh_config option: a warning, and it still connects. Then all
# of them at once in the console: the good host connects, the keys answer.
t_ssh_bad_input() {
	local d junk closed
	d=$(ssh_dir)
	BATCH_SSH_DIR=$d
	# a port that serves plain text
	python3 -c '
import socket, sys, os
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, _ = s.accept(); c.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello\r\n"); c.close()
' "$TM_TESTDIR/junk.port" </dev/null >/dev/null 2>&1 &
	tm_on_exit "kill $! 2>/dev/null"
	for _ in $(seq 50); do
		[ -s "$TM_TESTDIR/junk.port" ] && break
		sleep 0.1
	done
	junk=$(cat "$TM_TESTDIR/junk.port" 2>/dev/null || true)
	[ -n "$junk" ] || tm_fail "no plain-text server"
	closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	expect_err "ssh://root@no-such-host.invalid" "no-such-host.invalid"
	expect_err "ssh://root@127.0.0.1:$closed" "cannot connect to 127.0.0.1:$closed: .*[Rr]efused"
	expect_err "ssh://root@127.0.0.1:$junk" "127.0.0.1:$junk is not an SSH server \\(it answered \"HTTP/1.0 200 OK\"\\)"
	expect_err "ssh://root@127.0.0.1:$PORT/session" "no libvirt session daemon socket found; tried .*/root/.cache/libvirt/libvirt-sock"
	expect_err "ssh://root@127.0.0.1:$PORT/system?socket=/run/vmmc-no-such.sock" "/run/vmmc-no-such.sock"
	expect_err "ssh://root@127.0.0.1:99999" "bad port"
	# unsupported ssh_config option: warned about, and the host still lists
	printf 'Host *\n  FrobnicateMode yes\n' >"$d/config"
	out=$(env -i PATH="$PATH" VMMC_SSH_DIR="$d" SSH_AUTH_SOCK="$AGENT_SOCK" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TM_TESTDIR/asan" \
		timeout 60 "$VMMC_BIN" --batch --iterations 1 --format csv "$(host_uri)" 2>&1) ||
		tm_fail "an unknown ssh_config option stopped the connection: $out"
	echo "$out" | grep -qi "frobnicatemode" || tm_fail "no warning about the unsupported option: $out"
	echo "$out" | grep -q "${LV_PREFIX}a" || tm_fail "no VM list after the warning: $out"
	# unreadable known_hosts (a directory in its place)
	mkdir -p "$TM_TESTDIR/ssh2/known_hosts"
	BATCH_SSH_DIR=$TM_TESTDIR/ssh2
	expect_err "$(host_uri)" "cannot read known_hosts file .*known_hosts"
	# all at once in the console
	vmmc_ssh "$d" --agent \
		"ssh://root@no-such-host.invalid" \
		"ssh://root@127.0.0.1:$closed" \
		"ssh://root@127.0.0.1:$junk" \
		"ssh://root@127.0.0.1:$PORT/session" \
		"$(host_uri)"
	tm_wait_for "1/5 connected" 30
	tm_keys F1
	tm_wait_for "Help: keys" 5
	tm_keys Escape
}

# ---- run ------------------------------------------------------------------------

ssh_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	if [ -f "$PW_HOME/.cache/libvirt/libvirtd.pid" ]; then
		kill "$(cat "$PW_HOME/.cache/libvirt/libvirtd.pid")" 2>/dev/null
	fi
	if [ "$PW_MADE" = 1 ]; then
		pkill -u "$PW_USER" 2>/dev/null
		"$TM_ROOT/tests/remote/sshd.sh" user-del "$PW_USER"
	fi
	"$TM_ROOT/tests/remote/sshd.sh" stop "$SSHD_DIR" 2>/dev/null
	[ -z "$AGENT_PID" ] || kill "$AGENT_PID" 2>/dev/null
	lv_down
	rm -rf "$SSH_TMP"
}
trap ssh_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

setup() {
	lv_up || return 1
	"$TM_ROOT/tests/guest/build.sh" >/dev/null || return 1
	mkdir -p "$SSHD_DIR"
	PORT=$("$TM_ROOT/tests/remote/sshd.sh" start "$SSHD_DIR") || return 1
	# the agent's key, and an encrypted key (not in the agent)
	ssh-keygen -q -t ed25519 -N '' -C vmmc-test-agent -f "$SSH_TMP/agent_key" || return 1
	ssh-keygen -q -t ed25519 -N "$KEY_PASS" -C vmmc-test-enc -f "$SSH_TMP/enc_key" || return 1
	cat "$SSH_TMP/agent_key.pub" "$SSH_TMP/enc_key.pub" >>"$SSHD_DIR/authorized_keys"
	eval "$(ssh-agent -s -a "$AGENT_SOCK")" >/dev/null || return 1
	AGENT_PID=$SSH_AGENT_PID
	SSH_AUTH_SOCK=$AGENT_SOCK ssh-add -q "$SSH_TMP/agent_key" 2>/dev/null || return 1
	unset SSH_AUTH_SOCK SSH_AGENT_PID
	# the password user and its session daemon (~/.cache/libvirt/libvirt-sock)
	mkdir -p "$PW_HOME"
	if getent passwd "$PW_USER" >/dev/null; then
		# another run of this suite has it: leave it (and its processes) alone
		echo "ssh: the test user $PW_USER exists: is another run of this suite going on? (one at a time)" >&2
		return 1
	fi
	printf '%s' "$PW_PASS" | "$TM_ROOT/tests/remote/sshd.sh" user-add "$PW_USER" "$PW_HOME" || return 1
	PW_MADE=1
	chown "$PW_USER" "$PW_HOME"
	runuser -u "$PW_USER" -- env -i HOME="$PW_HOME" PATH=/usr/sbin:/usr/bin:/bin libvirtd --daemon || return 1
	for _ in $(seq 50); do
		[ -S "$PW_HOME/.cache/libvirt/libvirt-sock" ] && break
		sleep 0.1
	done
	# two plain VMs to list
	lv_define_vm "$(lv_name a)" >/dev/null || return 1
	lv_define_vm "$(lv_name b)" >/dev/null || return 1
}

ssh_setup() { setup && export PORT SSHD_DIR SSH_TMP AGENT_SOCK PW_USER PW_PASS KEY_PASS; }
tm_suite_main ssh t_ssh_ ssh_setup "set-up failed (libvirtd, sshd, agent or the test user)" "$@"
