#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/remote/sshd.sh - a hermetic OpenSSH server for the remote/ tests.
#
#   sshd.sh start DIR        host key, sshd_config, empty authorized_keys (if
#                            missing) in DIR; sshd on 127.0.0.1 and a free
#                            port; prints the port (also in DIR/port).
#                            Environment, for start only (rekey reuses them):
#                              SSHD_LISTEN=ADDR  listen there, not 127.0.0.1
#                              SSHD_NETNS=NAME   run sshd inside that network
#                                                namespace (ip netns exec)
#                              SSHD_PAM=1        UsePAM yes, keyboard-
#                                                interactive the only password
#                                                method (PasswordAuthentication no)
#                              SSHD_NO_REEXEC=1  sshd -r: a login is a fork of
#                                                the listener, not a new sshd
#                                                (exec, dynamic linking, config
#                                                and key read: about half of a
#                                                login's CPU here); for a
#                                                bench's stand-in fleet
#                            each kept (when set) in DIR/sshd.listen,
#                            DIR/sshd.netns and DIR/sshd.noreexec
#   sshd.sh stop DIR         stop it and every session process under it
#   sshd.sh rekey DIR        new host key, restart on the same port
#   sshd.sh signal DIR SIG   send SIG to the session processes only (not the
#                            listener): STOP freezes the link, KILL drops it
#   sshd.sh user-add NAME HOME   create a local user; its password is read
#                            from stdin (never on a command line)
#   sshd.sh user-del NAME    remove that user (only one made by user-add)
#
# The server reads nothing outside DIR: HostKey, AuthorizedKeysFile, PidFile
# and the log (DIR/sshd.log) are all there. UsePAM no (unless SSHD_PAM=1),
# StrictModes no.
set -eu
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|rekey|signal DIR" >&2; exit 2; }

listener_pid() {
	local pid
	pid=$(cat "$dir/sshd.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ] || return 1
	echo "$pid"
}

# every descendant of $1
descendants() {
	local kids k
	kids=$(ps -o pid= --ppid "$1" 2>/dev/null) || true
	for k in $kids; do
		echo "$k"
		descendants "$k"
	done
}

pam_on() { [ "${SSHD_PAM:-}" = 1 ]; }

write_config() {
	cat >"$dir/sshd_config" <<CONF
Port $1
ListenAddress $listen
HostKey $dir/hostkey
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
UsePAM $(pam_on && echo yes || echo no)
StrictModes no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication $(pam_on && echo no || echo yes)
KbdInteractiveAuthentication $(pam_on && echo yes || echo no)
AllowStreamLocalForwarding yes
AllowTcpForwarding local
X11Forwarding no
PrintMotd no
MaxAuthTries 10
MaxStartups 50
UseDNS no
LoginGraceTime 30
LogLevel ${SSHD_LOGLEVEL:-INFO}
CONF
}

start_on() { # PORT: 0 ok, 1 port busy, 2 other failure
	write_config "$1"
	rm -f "$dir/sshd.pid"
	local -a run=() opt=()
	[ -z "$netns" ] || run=(ip netns exec "$netns")
	[ "$noreexec" != 1 ] || opt=(-r)
	if ${run[@]+"${run[@]}"} /usr/sbin/sshd ${opt[@]+"${opt[@]}"} -f "$dir/sshd_config" -E "$dir/sshd.log"; then
		for _ in $(seq 50); do
			listener_pid >/dev/null && return 0
			sleep 0.1
		done
		return 2
	fi
	grep -q "Address already in use" "$dir/sshd.log" 2>/dev/null && return 1
	return 2
}

# listeners started with this DIR's config whose pid file was lost (by pid)
strays() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "-f $dir/sshd_config " && echo "${p#/proc/}"
	done
	return 0
}

stop() {
	local pid k
	for k in $(strays); do kill "$k" 2>/dev/null || true; done
	pid=$(listener_pid) || return 0
	for k in $(descendants "$pid"); do kill -CONT "$k" 2>/dev/null || true; kill "$k" 2>/dev/null || true; done
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		[ -d "/proc/$pid" ] || break
		sleep 0.1
	done
	rm -f "$dir/sshd.pid"
}

listen=127.0.0.1
netns=
noreexec=
case $cmd in
start)
	listen=${SSHD_LISTEN:-127.0.0.1}
	netns=${SSHD_NETNS:-}
	noreexec=${SSHD_NO_REEXEC:-}
	case $listen in
	*[!0-9A-Fa-f.:]* | '') echo "sshd.sh: SSHD_LISTEN='$listen' is not an IP address" >&2; exit 2 ;;
	esac
	if [ -n "$netns" ] && ! ip netns exec "$netns" true 2>/dev/null; then
		echo "sshd.sh: no network namespace '$netns'" >&2
		exit 1
	fi
	rm -f "$dir/sshd.listen" "$dir/sshd.netns" "$dir/sshd.noreexec"
	[ "$listen" = 127.0.0.1 ] || echo "$listen" >"$dir/sshd.listen"
	[ -z "$netns" ] || echo "$netns" >"$dir/sshd.netns"
	[ "$noreexec" != 1 ] || echo 1 >"$dir/sshd.noreexec"
	mkdir -p /run/sshd
	chmod 0755 /run/sshd
	[ -f "$dir/hostkey" ] || ssh-keygen -q -t ed25519 -N '' -C vmmc-test-host -f "$dir/hostkey"
	touch "$dir/authorized_keys"
	for _ in $(seq 20); do
		port=$((20000 + RANDOM % 40000))
		rc=0
		start_on "$port" || rc=$?
		if [ "$rc" = 0 ]; then
			echo "$port" >"$dir/port"
			echo "$port"
			exit 0
		fi
		[ "$rc" = 1 ] || { echo "sshd.sh: sshd did not start; see $dir/sshd.log" >&2; exit 1; }
	done
	echo "sshd.sh: no free port" >&2
	exit 1
	;;
stop) stop ;;
rekey)
	port=$(cat "$dir/port")
	listen=$(cat "$dir/sshd.listen" 2>/dev/null) || listen=127.0.0.1
	netns=$(cat "$dir/sshd.netns" 2>/dev/null) || netns=
	noreexec=$(cat "$dir/sshd.noreexec" 2>/dev/null) || noreexec=
	stop
	rm -f "$dir/hostkey" "$dir/hostkey.pub"
	ssh-keygen -q -t ed25519 -N '' -C vmmc-test-host2 -f "$dir/hostkey"
	start_on "$port" || { echo "sshd.sh: restart on $port failed" >&2; exit 1; }
	;;
signal)
	pid=$(listener_pid) || { echo "sshd.sh: not running" >&2; exit 1; }
	for k in $(descendants "$pid"); do kill "-${3:?signal}" "$k" 2>/dev/null || true; done
	;;
user-add)
	# $2 = NAME, $3 = HOME; password on stdin
	name=$2
	userdel "$name" >/dev/null 2>&1 || true
	useradd -M -d "${3:?home}" -s /bin/sh -c vmmc-test-user "$name"
	{ printf '%s:' "$name"; cat; } | chpasswd
	;;
user-del)
	name=$2
	if getent passwd "$name" | grep -q ':vmmc-test-user:'; then
		userdel "$name" >/dev/null 2>&1 || true
	fi
	;;
*) echo "usage: $0 start|stop|rekey|signal|user-add|user-del ..." >&2; exit 2 ;;
esac
