# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2034 # (FAR_* are for the caller)
# tests/lib/farssh.sh - source it: a far host (tests/remote/farhost.sh) with
# a private SSH setup that both vmmc and virsh use, for the benches.
#   far_ssh_up DIR RTT_MS   the far host in DIR/far (RTT_MS round trip), a
#                           fresh ed25519 key in its authorized_keys and in a
#                           private ssh-agent, DIR/sshdir with config and
#                           known_hosts (ssh-keyscan). Sets FAR_ADDR FAR_PORT
#                           FAR_SSHDIR (vmmc's VMMC_SSH_DIR) FAR_SOCK (its
#                           SSH_AUTH_SOCK) FAR_KEY FAR_URI (virsh's
#                           qemu+ssh:// URI) FAR_NS (the namespace). The
#                           owner of the far host is $FAR_OWNER, else $$.
#   far_ssh_down            the agent and the far host gone (idempotent)
FAR_DIR='' FAR_AGENT_PID=''

far_ssh_up() {
	local d=$1 rtt=$2 root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	FAR_DIR=$d
	mkdir -p "$d/far" "$d/sshdir"
	chmod 700 "$d/sshdir"
	read -r FAR_ADDR FAR_PORT < <(FARHOST_OWNER=${FAR_OWNER:-$$} "$root/tests/remote/farhost.sh" up "$d/far" $((rtt / 2))) ||
		return 1
	[ -n "${FAR_PORT:-}" ] || return 1
	FAR_NS=$(cat "$d/far/netns")
	FAR_SSHDIR=$d/sshdir
	FAR_KEY=$FAR_SSHDIR/id_ed25519
	FAR_SOCK=$d/agent.sock
	ssh-keygen -q -t ed25519 -N '' -C vmmc-bench -f "$FAR_KEY" || return 1
	cat "$FAR_KEY.pub" >>"$d/far/authorized_keys"
	ssh-agent -D -a "$FAR_SOCK" >/dev/null 2>&1 &
	FAR_AGENT_PID=$!
	for _ in $(seq 50); do
		[ -S "$FAR_SOCK" ] && break
		sleep 0.1
	done
	SSH_AUTH_SOCK=$FAR_SOCK ssh-add -q "$FAR_KEY" 2>/dev/null || return 1
	timeout 20 ssh-keyscan -T 10 -t ed25519 -p "$FAR_PORT" "$FAR_ADDR" >"$FAR_SSHDIR/known_hosts" 2>/dev/null
	[ -s "$FAR_SSHDIR/known_hosts" ] || return 1
	printf 'Host *\n\tUserKnownHostsFile %s\n\tIdentityFile %s\n' "$FAR_SSHDIR/known_hosts" "$FAR_KEY" >"$FAR_SSHDIR/config"
	FAR_URI="qemu+ssh://root@$FAR_ADDR:$FAR_PORT/system?keyfile=$FAR_KEY&no_verify=1&no_tty=1"
}

far_ssh_down() {
	local root
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	[ -z "$FAR_AGENT_PID" ] || kill "$FAR_AGENT_PID" 2>/dev/null || true
	FAR_AGENT_PID=''
	[ -z "$FAR_DIR" ] || [ ! -d "$FAR_DIR/far" ] || "$root/tests/remote/farhost.sh" down "$FAR_DIR/far" >/dev/null 2>&1 || true
}

# far_bytes: the bytes through the far host's link so far (both ways)
far_bytes() {
	local v
	v=$(cat "$FAR_DIR/far/veth") || return 1
	echo $(($(cat "/sys/class/net/$v/statistics/rx_bytes") + $(cat "/sys/class/net/$v/statistics/tx_bytes")))
}
