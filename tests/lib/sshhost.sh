# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/sshhost.sh - source it: a hermetic sshd on a loopback port
# (tests/remote/sshd.sh) that lets root in with a key held by a private
# ssh-agent, and a VMMC_SSH_DIR whose known_hosts has the server's key.
#   sh_up DIR   start it all under DIR; sets SH_PORT, SH_KEY (the private
#               key file), exports VMMC_SSH_DIR and SSH_AUTH_SOCK; 0 or 1
#   sh_down     stop sshd and the agent (call from an EXIT trap)
#   sh_cut [S]  kill every session (no goodbye on the link) and the
#               listener; sshd comes back on the same port S (2) s later
SH_DIR= SH_PORT= SH_KEY= SH_AGENT_PID=
_sh_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

sh_up() {
	SH_DIR=$1
	mkdir -p "$SH_DIR/sshd" "$SH_DIR/ssh" || return 1
	chmod 700 "$SH_DIR/ssh"
	SH_PORT=$("$_sh_root/tests/remote/sshd.sh" start "$SH_DIR/sshd") || return 1
	SH_KEY=$SH_DIR/agent_key
	ssh-keygen -q -t ed25519 -N '' -C vmmc-test-agent -f "$SH_KEY" || return 1
	cat "$SH_KEY.pub" >>"$SH_DIR/sshd/authorized_keys"
	eval "$(ssh-agent -s -a "$SH_DIR/agent.sock")" >/dev/null || return 1
	SH_AGENT_PID=$SSH_AGENT_PID
	export SSH_AUTH_SOCK
	ssh-add -q "$SH_KEY" 2>/dev/null || return 1
	ssh-keyscan -p "$SH_PORT" -t ed25519 127.0.0.1 2>/dev/null >"$SH_DIR/ssh/known_hosts"
	[ -s "$SH_DIR/ssh/known_hosts" ] || return 1
	export VMMC_SSH_DIR=$SH_DIR/ssh
}

sh_down() {
	[ -z "$SH_DIR" ] || "$_sh_root/tests/remote/sshd.sh" stop "$SH_DIR/sshd" 2>/dev/null
	[ -z "$SH_AGENT_PID" ] || kill "$SH_AGENT_PID" 2>/dev/null
	SH_AGENT_PID=
	return 0
}

sh_cut() {
	local pids pid
	"$_sh_root/tests/remote/sshd.sh" signal "$SH_DIR/sshd" KILL
	"$_sh_root/tests/remote/sshd.sh" stop "$SH_DIR/sshd"
	for _ in $(seq 20); do
		pids=$(ss -Htnp state established "( sport = :$SH_PORT )" 2>/dev/null |
			grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
		[ -z "$pids" ] && break
		for pid in $pids; do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] && kill -9 "$pid"
		done
		sleep 0.1
	done
	[ -z "$pids" ] || echo "sh_cut: sessions left on port $SH_PORT: $pids" >&2
	(
		sleep "${1:-2}"
		rm -f "$SH_DIR/sshd/sshd.pid"
		/usr/sbin/sshd -f "$SH_DIR/sshd/sshd_config" -E "$SH_DIR/sshd/sshd.log"
	) >/dev/null 2>&1 &
}
