#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/integ.sh [PATTERN] - Integration Services, the Agent column and
# the Integration Tools wizard end to end: vmmc in tmux, a real libvirtd
# (qemu:///system), the tiny real guest of tests/guest/ with its real
# qemu-ga. Root only. PATTERN (or $VMMC_TESTS), an extended regex, picks
# tests by name. Ends with "integ: N passed, M failed".
#
# Every domain it creates is named vmmc-test-<pid>-*; all are destroyed and
# undefined at exit. Files it makes are in its own temporary folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

URI=qemu:///system
W=160 H=45
T_AGENT=60     # guest start to its agent answering (TCG)

IN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-integ-$$.XXXXXX")

# ---- helpers ------------------------------------------------------------------

guest_define() { # guest_define NAME [domain.sh options]
	local n=$1
	shift
	"$TM_ROOT/tests/guest/domain.sh" "$n" "$@" >"$IN_TMP/$n.xml" || tm_fail "domain.sh failed"
	lv_virsh define "$IN_TMP/$n.xml" >/dev/null || tm_fail "could not define $n"
}

guest_up() {
	guest_define "$@"
	lv_virsh start "$1" >/dev/null || tm_fail "could not start $1"
}

agent_ping() {
	lv_virsh qemu-agent-command "$1" '{"execute":"guest-ping"}' >/dev/null 2>&1
}

wait_agent() { # wait_agent NAME: its qemu-ga answers
	local i
	for ((i = 0; i < T_AGENT * 5 * VMMC_TIMEOUT_SCALE; i++)); do
		agent_ping "$1" && return 0
		sleep 0.2
	done
	tm_fail "the guest agent of $1 never answered"
}

vmmc_up() {
	tm_vmmc -x "$W" -y "$H" "$@" -- -c "$URI"
	tm_wait_line -t 20 "qemu://" " connected"
}

pick() { # pick NAME: filter the list down to NAME, select it
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of " 10
}

# the VM list row of NAME ends with the Agent column's STATE
agent_col() { # agent_col NAME STATE [T]
	tm_wait_for "$1" 10
	local i
	for ((i = 0; i < ${3:-10} * 10 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -E "│$1 .* $2 *│" >/dev/null && return 0
		sleep 0.1
	done
	tm_capture | sed 's/^/|/' >&2
	tm_fail "the Agent column of $1 is not '$2'"
}

# guest-exec PATH ARGS... in the guest; prints its stdout (decoded)
guest_exec() {
	local n=$1 path=$2 args='' a pid out i
	shift 2
	for a in "$@"; do
		args+="${args:+,}$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$a")"
	done
	pid=$(lv_virsh qemu-agent-command "$n" \
		"{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"$path\",\"arg\":[$args],\"capture-output\":true}}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["return"]["pid"])')
	for i in $(seq 1 50); do
		out=$(lv_virsh qemu-agent-command "$n" \
			"{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}")
		if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["return"]["exited"] else 1)' "$out"; then
			python3 -c 'import json,sys,base64; print(base64.b64decode(json.loads(sys.argv[1])["return"].get("out-data","")).decode(), end="")' "$out"
			return 0
		fi
		sleep 0.1
	done
	tm_fail "guest-exec $path did not end"
}

wait_re() { # wait_re ERE [T]: a screen line matches
	local i
	for ((i = 0; i < ${2:-10} * 10 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	tm_capture | sed 's/^/|/' >&2
	tm_fail "no screen line matches '$1'"
}

inactive_sum() {
	lv_virsh dumpxml --inactive "$1" | sha256sum | cut -d' ' -f1
}

# ---- tests ----------------------------------------------------------------------

# a guest without the channel: "none" in the column and in the view, no
# agent call; the wizard adds the channel (diff shown first), restarts it,
# waits, reports the agent up; then the view shows what virsh shows
t_integ_wizard_adds_agent() {
	local n ip_v hn_v
	n=$(lv_name w)
	guest_up "$n" --no-agent
	vmmc_up
	pick "$n"
	agent_col "$n" none
	tm_keys J
	tm_wait_for "Integration Services: $n (agent none)" 10
	tm_wait_for "no guest agent channel" 10
	tm_wait_for "Agent calls: 0 in " 10
	tm_assert_contains "ACPI (no guest agent)"
	tm_keys Escape
	tm_keys Y
	tm_wait_for "Guest agent: no channel" 15
	tm_keys Enter
	tm_wait_for "Add the guest agent channel" 5
	tm_keys M-t Space      # Restart the VM after the changes
	tm_keys Enter
	wait_re '\+ +<channel type="unix">' 5
	tm_assert_contains 'name="org.qemu.guest_agent.0"/>'
	tm_assert_contains "The VM restarts (turn off, start) after the changes."
	tm_keys Enter
	tm_wait_for "In the guest, as root" 5
	tm_keys Enter
	tm_wait_for "Waiting for the guest agent" 10
	tm_wait_for "The guest agent connected after" $((T_AGENT * VMMC_TIMEOUT_SCALE))
	lv_virsh dumpxml --inactive "$n" | grep -q "org.qemu.guest_agent.0" || tm_fail "no channel in the configuration"
	# Data exchange: the guest's own os-release, hostname, address
	tm_wait_for "OS: vmmc test guest" 15
	hn_v=$(lv_virsh guestinfo "$n" --hostname | awk '$1 == "hostname" {print $3}')
	[ -n "$hn_v" ] || tm_fail "virsh guestinfo has no hostname"
	tm_assert_contains "Host name: $hn_v"
	ip_v=$(lv_virsh domifaddr "$n" --source agent | awk '$4 ~ /^[0-9.]+\// {print $4; exit}')
	[ -n "$ip_v" ] || tm_fail "virsh domifaddr --source agent has no IPv4 address"
	tm_assert_contains " $ip_v"
	tm_assert_contains "(agent up)"
	tm_keys Escape
	agent_col "$n" up 10
}

# cancel at each page: the persistent XML is the same byte for byte
t_integ_cancel_each_page() {
	local n before page
	n=$(lv_name c)
	guest_define "$n" --no-agent
	before=$(inactive_sum "$n")
	vmmc_up
	pick "$n"
	for page in 0 1 2 3; do
		tm_keys Y
		tm_wait_for "Guest agent: no channel" 15
		for ((i = 0; i < page; i++)); do
			tm_keys Enter
			sleep 0.5
		done
		case $page in
		1) tm_wait_for "Add the guest agent channel" 5 ;;
		2) wait_re '\+ +<channel type="unix">' 5 ;;
		3) tm_wait_for "Finish makes the changes" 5 ;;
		esac
		tm_keys Escape
		tm_wait_gone "Install Integration Tools" 5
		sleep 0.5
		[ "$(inactive_sum "$n")" = "$before" ] || tm_fail "cancel on page $page changed the configuration"
	done
	# and a shut-off VM says so
	tm_keys Y
	tm_wait_for "changes go to the persistent" 15
	tm_keys Escape
}

# Sync Time Now fixes a guest clock set wrong first; Copy File to Guest
# arrives whole; Shut Down goes through the agent (the guest ignores
# nothing here, but the result names the path) and the guest stops
t_integ_time_copy_shutdown() {
	local n g h sum_l sum_g t0
	n=$(lv_name t)
	guest_up "$n"
	wait_agent "$n"
	guest_exec "$n" /bin/date -s "2001-01-01 00:00:00" >/dev/null
	g=$(lv_virsh domtime "$n" | awk '{print $2}')
	[ "$g" -lt 1000000000 ] || tm_fail "the guest clock was not set wrong ($g)"
	vmmc_up
	pick "$n"
	agent_col "$n" up 20
	t0=$(date +%s%N)
	tm_keys J
	tm_wait_for "Integration Services: $n (agent up)" 10
	tm_wait_for "guest clock -" 15
	tm_wait_for "Interface: lo" 5
	echo "    Integration Services filled $((($(date +%s%N) - t0) / 1000000)) ms after J (local host)"
	tm_assert_contains "Device: agent channel: virtio"
	tm_assert_contains "Device: memory balloon: virtio"
	tm_keys K
	tm_wait_for "Synchronised the clock of '$n'" 20
	g=$(lv_virsh domtime "$n" | awk '{print $2}')
	h=$(date +%s)
	[ $((g > h ? g - h : h - g)) -le 5 ] || tm_fail "guest clock $g, host $h after Sync Time Now"
	# Copy File to Guest: 300 KiB of random bytes (several chunks)
	head -c 307200 /dev/urandom >"$IN_TMP/payload.bin"
	sum_l=$(sha256sum <"$IN_TMP/payload.bin" | cut -d' ' -f1)
	tm_keys F
	tm_wait_for "Copy File to Guest" 5
	tm_type "$IN_TMP/payload.bin"
	tm_keys M-g
	tm_type "/tmp/payload.bin"
	tm_keys Enter
	tm_wait_for "Copied '$IN_TMP/payload.bin' to '/tmp/payload.bin'" 60
	sum_g=$(guest_exec "$n" /bin/sh -c "sha256sum /tmp/payload.bin" | cut -d' ' -f1)
	[ "$sum_g" = "$sum_l" ] || tm_fail "checksum in the guest $sum_g, local $sum_l"
	# a path the guest refuses: its words, nothing left running
	tm_keys F
	tm_wait_for "Copy File to Guest" 5
	tm_type "$IN_TMP/payload.bin"
	tm_keys M-g
	tm_type "/no/such/dir/x"
	tm_keys Enter
	tm_wait_for "the guest refused '/no/such/dir/x'" 20
	# Shut Down through the agent
	tm_keys d
	tm_wait_for "Shut down requested for '$n' (through the guest agent)" 10
	for ((i = 0; i < 300; i++)); do
		[ "$(lv_virsh domstate "$n")" = "shut off" ] && break
		sleep 0.1
	done
	[ "$(lv_virsh domstate "$n")" = "shut off" ] || tm_fail "the guest did not stop"
}

clock_near() { # clock_near NAME WHEN: the guest's clock within 2 s of the host's
	local g h
	g=$(lv_virsh domtime "$1" | awk '{print $2}')
	h=$(date +%s)
	echo "    $2: guest clock $((h - g)) s from the host's"
	[ $((g > h ? g - h : h - g)) -le 2 ] || tm_fail "guest clock $g, host $h $2"
}

# automatic time sync (B, kept in the VM's metadata): paused 6 s, resumed,
# the guest's clock is within 2 s of the host's afterwards, synced by
# vmmc by itself on the RESUMED event
t_integ_autosync_resume() {
	local n d0
	n=$(lv_name a)
	guest_up "$n"
	wait_agent "$n"
	vmmc_up
	pick "$n"
	agent_col "$n" up 20
	# without it: the guest's clock stays behind after a pause (printed)
	lv_virsh suspend "$n" >/dev/null
	sleep 6
	lv_virsh resume "$n" >/dev/null
	sleep 2
	d0=$(($(date +%s) - $(lv_virsh domtime "$n" | awk '{print $2}')))
	echo "    without automatic sync: guest clock ${d0} s behind after a 6 s pause"
	[ "$d0" -ge 4 ] || tm_fail "the guest clock did not fall behind during the pause (${d0} s): the test proves nothing"
	tm_assert_not_contains "by itself"
	tm_keys B
	tm_wait_for "Automatic time sync of '$n': on" 15
	lv_virsh metadata "$n" https://vmmc.invalid/xmlns/timesync/1 --config | grep -q 'auto="yes"' ||
		tm_fail "the setting is not in the persistent definition"
	tm_keys J
	tm_wait_for "Integration Services: $n (agent up)" 10
	wait_re "Automatic sync after Resume, restore and revert.*on \(B turns it off\)" 15
	tm_keys Escape
	lv_virsh suspend "$n" >/dev/null
	sleep 6
	lv_virsh resume "$n" >/dev/null
	tm_wait_for "Synchronised the clock of '$n' by itself" 20
	clock_near "$n" "after Resume (6 s paused) with automatic sync"
	# off again: in the metadata too
	tm_keys B
	tm_wait_for "Automatic time sync of '$n': off" 15
	lv_virsh metadata "$n" https://vmmc.invalid/xmlns/timesync/1 --config | grep -q 'auto="no"' ||
		tm_fail "the setting was not turned off"
	# on, then saved and restored 5 s later: synced once its agent is back
	tm_keys B
	tm_wait_for "Automatic time sync of '$n': on" 15
	lv_virsh save "$n" "$IN_TMP/$n.save" >/dev/null || tm_fail "virsh save failed"
	sleep 5
	lv_virsh restore "$IN_TMP/$n.save" >/dev/null || tm_fail "virsh restore failed"
	rm -f "$IN_TMP/$n.save"
	tm_wait_for "Synchronised the clock of '$n' by itself" 60
	clock_near "$n" "after restore from saved state with automatic sync"
	tm_keys B
	tm_wait_for "Automatic time sync of '$n': off" 15
	lv_virsh metadata "$n" https://vmmc.invalid/xmlns/timesync/1 --config | grep -q 'auto="no"' ||
		tm_fail "the setting was not turned off"
}

# a Linux guest without the agent: the wizard's Guest tools page types the
# install command into the VM's open serial console, after a confirmation;
# the guest's shell runs it (the tiny guest has no apt-get: its shell says so)
t_integ_type_command() {
	local n i tok
	n=$(lv_name k)
	guest_up "$n" --no-agent
	vmmc_up
	pick "$n"
	tm_keys c
	tok=ready$RANDOM
	for ((i = 0; i < 60 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_type "echo $tok"
		tm_keys Enter
		sleep 1
		tm_capture | grep "$tok" | grep -qv "echo" && break
	done
	tm_capture | grep "$tok" | grep -qv "echo" || tm_fail "the guest's shell never answered"
	tm_keys C-]
	tm_keys Escape
	tm_wait_gone "$tok" 5
	tm_keys Y
	tm_wait_for "Guest agent: no channel" 15
	tm_keys Enter
	tm_wait_for "Add the guest agent channel" 5
	tm_keys Enter
	sleep 0.5
	tm_keys Enter
	tm_wait_for "Type it into the VM's open serial console" 5
	tm_assert_contains "apt-get install -y qemu-guest-agent"
	tm_keys M-y Space
	tm_keys Enter
	# the dialog's title: its sentence wraps where the VM's name falls
	tm_wait_for "Type Install Command" 10
	tm_assert_contains "Type this into the serial console of"
	# the running tiny guest has no virtio-serial controller: no hot-plug
	# tried (libvirt hot-plugs none), the channel waits for a restart
	tm_assert_not_contains "hot-plug failed"
	tm_keys Left Enter
	tm_wait_for "Typed the install command into the VM's serial console" 10
	tm_keys Escape
	tm_keys c
	tm_wait_for "apt-get: not found" 15
}

# an agent that stops answering: the view says so (the ping's timeout), no
# pile-up of calls, vmmc stays responsive
t_integ_agent_stops() {
	local n
	n=$(lv_name s)
	guest_up "$n"
	wait_agent "$n"
	vmmc_up
	pick "$n"
	agent_col "$n" up 20
	tm_keys J
	tm_wait_for "Integration Services: $n (agent up)" 10
	tm_wait_for "Interface: lo" 15
	# stop qemu-ga from inside (no answer to wait for: it is the one stopped)
	lv_virsh qemu-agent-command "$n" '{"execute":"guest-exec","arguments":{"path":"/bin/sh","arg":["-c","sleep 1; kill -STOP $(pidof qemu-ga)"]}}' >/dev/null
	wait_re "Data exchange +error +the agent did not answer the ping" 40
	tm_assert_contains "Time synchronisation        error"
	# still answering keys
	tm_keys Escape
	agent_col "$n" up 5
}

# the test driver: no channel, "none" everywhere, no agent call however long
# the view stays open (counted by vmmc and shown)
t_integ_test_driver() {
	tm_vmmc -x "$W" -y "$H" -- -c test:///default
	tm_wait_line -t 20 "test://" " connected"
	pick test
	agent_col test none
	tm_keys J
	tm_wait_for "Integration Services: test (agent none)" 10
	tm_wait_for "not available: the VM has no guest agent channel" 10
	sleep 7 # two more periods
	tm_capture | grep -E "Agent calls: " | sed 's/^/    /'
	tm_capture | grep -qE "Agent calls: 0 in [3-9] refresh" || tm_fail "no refreshes, or they made agent calls"
	tm_assert_not_contains "error"
}

# ---- run ------------------------------------------------------------------------

in_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	lv_down
	rm -rf "$IN_TMP"
}
trap in_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

tm_suite_main integ t_integ_ tm_guest_up "no libvirtd on $URI or no test guest" "$@"
