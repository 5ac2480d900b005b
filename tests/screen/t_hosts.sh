# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_hosts.sh - groups of hosts in the console tree (New, Rename,
# Move to, Remove, collapse, the config's [group] sections), Host
# Properties, and the Add Host dialog's SSH kind (the ssh:// URI it saves,
# its field checks, an unreachable SSH host that must not stall the UI, 80x24
# and a resize mid-dialog). On the demo host and test:///default.

HOSTS_MASK='s/[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/hh:mm:ss/g; s/vmmc [0-9.]*$/vmmc X/'

hosts_conf() {
	echo "$TM_TESTDIR/config/vmmc/config"
}

# A config with one saved host, test:///default named lab1 (and $1 more lines).
hosts_write_conf() {
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf 'version = 1\n%s\n[host]\nuri = test:///default\nname = lab1\n' "${1:-}" >"$(hosts_conf)"
}

# The console tree as text: the rows left of the first '│', blanks trimmed.
hosts_tree() {
	tm_capture | sed -n '3,$p' | sed '$d' | sed 's/│.*//; s/[[:space:]]*$//' | sed '/^$/d'
}

# Wait until the tree is exactly $1.
hosts_tree_is() {
	local want=$1 got i n=$((60 * ${VMMC_TIMEOUT_SCALE:-1}))
	for ((i = 0; i < n; i++)); do
		got=$(hosts_tree)
		[ "$got" = "$want" ] && return 0
		sleep 0.1
	done
	echo "  the tree is not as expected (- wanted, + shown):" >&2
	diff -u <(echo "$want") <(echo "$got") >&2 || true
	return 1
}

# The config holds line $1 (exactly, a whole line).
hosts_conf_has() {
	grep -qxF -- "$1" "$(hosts_conf)" && return 0
	echo "  the config lacks the line '$1':" >&2
	sed 's/^/  | /' "$(hosts_conf)" >&2
	return 1
}

# Wait until the config holds line $1 (an SSH host's failure may replace
# the "Added host" message at once).
hosts_wait_conf() {
	local i n=$((50 * ${VMMC_TIMEOUT_SCALE:-1}))
	for ((i = 0; i < n; i++)); do
		grep -qxF -- "$1" "$(hosts_conf)" 2>/dev/null && return 0
		sleep 0.1
	done
	hosts_conf_has "$1"
}

hosts_conf_lacks() {
	! grep -qxF -- "$1" "$(hosts_conf)" && return 0
	echo "  the config still has the line '$1':" >&2
	sed 's/^/  | /' "$(hosts_conf)" >&2
	return 1
}

# Wait until the tree row of host $1 shows a state matching regex $2.
hosts_wait_state() {
	local i n=$((100 * ${VMMC_TIMEOUT_SCALE:-1}))
	for ((i = 0; i < n; i++)); do
		hosts_tree | grep -E -- "$1 .*($2)\$" >/dev/null && return 0
		sleep 0.1
	done
	echo "  the row of $1 never showed ($2)" >&2
	hosts_tree >&2
	return 1
}

# Focus the tree and select its first node.
hosts_tree_focus() {
	tm_keys BTab Home
}

# Create group $1 with New Group (N).
hosts_new_group() {
	tm_keys N
	tm_wait_for "A group is a folder"
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "Created group '$1'"
}

hosts_type() {
	[ -z "$1" ] || tm_type "$1"
}

# Add Host, kind SSH: host user port daemon(system|session) driver name.
# The fields are reached by their accelerators (Alt+letter), not by Tabs.
hosts_add_ssh() {
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_keys M-k Right
	tm_wait_line "Kind:" "< SSH >"
	tm_keys M-h
	hosts_type "$1"
	tm_keys M-u
	hosts_type "$2"
	tm_keys M-p
	hosts_type "$3"
	tm_keys M-d
	[ "$4" = system ] || tm_keys Right
	tm_keys M-r C-u
	hosts_type "$5"
	tm_keys M-n
	hosts_type "$6"
	tm_keys Enter
}

t_hosts_group_move_rename_restart() {
	hosts_write_conf
	tm_vmmc --
	tm_wait_for "Virtual Machines (1) on lab1"
	tm_wait_for "1/1 connected"
	hosts_new_group Lab
	hosts_tree_is "▾ Lab                0
▾ lab1       connected
  Virtual Machines   1
  Virtual Networks   1
  Storage Pools      1"
	tm_wait_for "Group Lab (0 hosts)"
	hosts_conf_has "[group]"
	hosts_conf_has "name = Lab"
	# the host into the group: it shows under it, indented
	tm_keys Down
	tm_wait_for "Virtual Machines (1) on lab1"
	tm_keys m
	tm_wait_for "Where does"
	tm_wait_line "Group:" "< (none) >"
	tm_keys Right
	tm_wait_line "Group:" "< Lab >"
	tm_keys Enter
	tm_wait_for "Moved lab1 to the group 'Lab'"
	hosts_tree_is "▾ Lab                1
  ▾ lab1     connected
    Virtual Machines 1
    Virtual Networks 1
    Storage Pools    1"
	hosts_conf_has "group = Lab"
	tm_golden hosts_in_group "$HOSTS_MASK"
	# rename the group (F2): the host follows
	tm_keys Home F2
	tm_wait_for "stay in it."
	tm_wait_line "Name:" "Lab"
	# the cursor starts at the end of the old name (issue 9): no End needed
	tm_keys BSpace BSpace BSpace
	tm_type "Prod EU"
	tm_keys Enter
	tm_wait_for "Renamed the group to 'Prod EU'"
	tm_wait_line "▾ Prod EU" "1"
	hosts_conf_has "name = Prod EU"
	hosts_conf_has "group = Prod EU"
	hosts_conf_lacks "name = Lab"
	# collapse and expand: arrows
	tm_keys Left
	hosts_tree_is "▸ Prod EU            1"
	tm_keys Right
	hosts_tree_is "▾ Prod EU            1
  ▾ lab1     connected
    Virtual Machines 1
    Virtual Networks 1
    Storage Pools    1"
	# Left on a collapsed host goes up to its group
	tm_keys Down Left
	hosts_tree_is "▾ Prod EU            1
  ▸ lab1     connected"
	tm_keys Left
	tm_wait_for "Group Prod EU (1 host)"
	tm_keys Down Right
	# restart: the group and the host in it come back from the config
	tm_keys q
	tm_wait_exit
	tm_vmmc --
	tm_wait_for "1/1 connected"
	hosts_tree_is "▾ Prod EU            1
  ▾ lab1     connected
    Virtual Machines 1
    Virtual Networks 1
    Storage Pools    1"
	[ "$(grep -c '^\[group\]$' "$(hosts_conf)")" = 1 ] || tm_fail "one [group] section expected"
	[ "$(grep -c '^\[host\]$' "$(hosts_conf)")" = 1 ] || tm_fail "one [host] section expected"
}

t_hosts_mouse_and_empty_groups() {
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	hosts_new_group Alpha
	hosts_new_group Beta
	hosts_tree_is "▾ Alpha              0
▾ Beta               0
▾ Demo host  connected
  Virtual Machines  16
  Virtual Networks   2
  Storage Pools      2"
	# empty groups are saved, in order
	hosts_conf_has "name = Alpha"
	hosts_conf_has "name = Beta"
	[ "$(grep '^name = ' "$(hosts_conf)" | tr '\n' ' ')" = "name = Alpha name = Beta " ] ||
		tm_fail "the groups are not saved in their order"
	# a click on the host's arrow collapses it, another expands it
	tm_click 1 5
	hosts_tree_is "▾ Alpha              0
▾ Beta               0
▸ Demo host  connected"
	tm_click 1 5
	tm_wait_line "Virtual Machines  16"
	# a double click on a group's row folds it too
	tm_keys m
	tm_wait_for "Where does"
	tm_keys Right Right Enter
	tm_wait_for "Moved Demo host to the group 'Beta'"
	tm_click 8 4
	tm_click 8 4
	hosts_tree_is "▾ Alpha              0
▸ Beta               1"
	tm_click 1 4
	tm_wait_line "▾ Beta" "1"
	tm_wait_line "  ▾ Demo hos"
	# the demo host is not saved: its group is not in the config
	hosts_conf_lacks "group = Beta"
}

t_hosts_group_names_checked() {
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	hosts_new_group Lab
	tm_keys N
	tm_wait_for "A group is a folder"
	tm_keys Enter
	tm_wait_for "Enter a group name"
	tm_type "lab"
	tm_keys Enter
	tm_wait_for "There is a group 'Lab' already"
	tm_keys Escape
	tm_wait_gone "A group is a folder"
	# a new group typed in Move to Group; an existing name (any case) is that group
	tm_keys Down m
	tm_wait_for "Where does"
	tm_keys M-n
	tm_type "LAB"
	tm_keys Enter
	tm_wait_for "Moved Demo host to the group 'Lab'"
	tm_keys m
	tm_wait_for "Where does"
	tm_keys M-n
	tm_type "Lab 2"
	tm_keys Enter
	tm_wait_for "Moved Demo host to the group 'Lab 2'"
	hosts_tree_is "▾ Lab                0
▾ Lab 2              1
  ▾ Demo hos connected
    Virtual Machin… 16
    Virtual Networks 2
    Storage Pools    2"
	hosts_conf_has "name = Lab 2"
}

t_hosts_remove_group() {
	hosts_write_conf
	tm_vmmc --
	tm_wait_for "1/1 connected"
	hosts_new_group Empty
	hosts_new_group Full
	tm_keys Down m
	tm_wait_for "Where does"
	tm_keys Right Right Enter
	tm_wait_for "Moved lab1 to the group 'Full'"
	hosts_conf_has "group = Full"
	# '-' on an empty group asks, then removes it
	tm_keys Home -
	tm_wait_for "Remove the group 'Empty'?"
	tm_wait_for "It is empty."
	tm_keys n
	tm_wait_gone "Remove the group"
	tm_wait_line "▾ Empty"
	tm_keys -
	tm_wait_for "Remove the group 'Empty'?"
	tm_keys y
	tm_wait_for "Removed the group 'Empty'"
	hosts_conf_lacks "name = Empty"
	# a group with a host: the host goes to the top level, it is not removed
	tm_keys Home -
	tm_wait_for "Remove the group 'Full'?"
	tm_wait_for "Its 1 host moves to the top level"
	tm_keys y
	tm_wait_for "Removed the group 'Full'"
	hosts_tree_is "▾ lab1       connected
  Virtual Machines   1
  Virtual Networks   1
  Storage Pools      1"
	hosts_conf_lacks "[group]"
	hosts_conf_lacks "group = Full"
	hosts_conf_has "uri = test:///default"
	# '-' on a host is still Remove Host
	tm_keys Home -
	tm_wait_for "Remove test:///default from the console tree?"
	tm_keys n
	tm_wait_gone "Remove test:///default"
}

t_hosts_properties() {
	hosts_write_conf "$(printf '[group]\nname = Lab')"
	tm_vmmc --
	tm_wait_for "1/1 connected"
	hosts_tree_is "▾ Lab                0
▾ lab1       connected
  Virtual Machines   1
  Virtual Networks   1
  Storage Pools      1"
	tm_keys BTab Down e
	tm_wait_for "─ Host Properties ─"
	tm_wait_for "URI:        test:///default"
	tm_wait_line "State:" "connected, 1 VM"
	tm_wait_line "Last error:" "none"
	tm_wait_line "Name:" "lab1"
	tm_wait_line "Group:" "< (none) >"
	tm_wait_for "[x] Saved in the config"
	# Close changes nothing
	tm_keys Escape
	tm_wait_gone "─ Host Properties ─"
	# a new name and a group: the tree and the config follow
	tm_keys e
	tm_wait_for "─ Host Properties ─"
	tm_keys C-u
	tm_type "kvm-lab"
	tm_keys M-g Right Enter
	tm_wait_for "Host kvm-lab updated"
	hosts_tree_is "▾ Lab                1
  ▾ kvm-lab  connected
    Virtual Machines 1
    Virtual Networks 1
    Storage Pools    1"
	hosts_conf_has "name = kvm-lab"
	hosts_conf_has "group = Lab"
	# not saved any more: out of the config, still in the tree
	tm_keys e
	tm_wait_for "─ Host Properties ─"
	tm_keys M-s Space
	tm_wait_for "[ ] Saved in the config"
	tm_keys Enter
	tm_wait_for "Host kvm-lab updated"
	hosts_conf_lacks "uri = test:///default"
	hosts_conf_has "name = Lab"
	tm_assert_contains "kvm-lab"
}

t_hosts_add_ssh() {
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	hosts_new_group Remote
	hosts_add_ssh kvm1 admin 2222 session lxc "KVM one"
	# the URI in the grammar the backend reads, in the group that was selected
	hosts_wait_conf "uri = ssh://admin@kvm1:2222/session?driver=lxc"
	hosts_conf_has "name = KVM one"
	hosts_conf_has "group = Remote"
	hosts_conf_has "name = Remote"
	# it cannot connect; the console goes on meanwhile
	tm_wait_line "KVM one"
	tm_keys F1
	tm_wait_for "Help: keys"
	tm_keys Escape
	tm_wait_gone "Help: keys"
	tm_keys End Up Up Up
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_wait_line -t 60 "KVM one" "failed"
	tm_wait_for "1/2 connected"
	# the defaults: no user, port or driver; system
	hosts_add_ssh kvm2.example.net "" "" system qemu ""
	hosts_wait_conf "uri = ssh://kvm2.example.net/system"
	tm_keys q
	[ "$(tm_exit_status 20)" = 0 ] || tm_fail "vmmc did not quit cleanly"
}

# An SSH "server" that accepts and never says a word: the login waits.
# Sets HOSTS_TARPIT_PORT. (Not in $(...): the listener would hold its pipe.)
hosts_tarpit() {
	command -v python3 >/dev/null || tm_skip "python3 is needed for a silent TCP listener"
	python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    held.append(s.accept()[0])
' "$TM_TESTDIR/tarpit.port" </dev/null >/dev/null 2>&1 &
	HOSTS_TARPIT_PID=$!
	tm_on_exit "kill $HOSTS_TARPIT_PID 2>/dev/null || true"
	for _ in $(seq 50); do
		[ -s "$TM_TESTDIR/tarpit.port" ] && break
		sleep 0.1
	done
	[ -s "$TM_TESTDIR/tarpit.port" ] || tm_fail "the listener did not start"
	HOSTS_TARPIT_PORT=$(cat "$TM_TESTDIR/tarpit.port")
}

t_hosts_ssh_silent_host_keeps_ui() {
	local port
	hosts_tarpit
	port=$HOSTS_TARPIT_PORT
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	hosts_add_ssh 127.0.0.1 "" "$port" system qemu tarpit
	hosts_wait_conf "uri = ssh://127.0.0.1:$port/system"
	# the login hangs in the host's worker; the tree says so, keys work
	hosts_wait_state tarpit "connecting|busy"
	tm_keys F1
	tm_wait_for "Help: keys"
	tm_keys Escape
	tm_wait_gone "Help: keys"
	tm_keys BTab Home
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_keys G
	tm_wait_for "Storage Pools (0)"
	tm_keys g /
	tm_type web01
	tm_keys Enter
	tm_wait_for "(1 of 16)"
	tm_keys Escape
	hosts_wait_state tarpit "connecting|busy|failed"
	# removed (while it logs in, or after it gave up): gone at once
	tm_keys BTab End Up Up Up -
	tm_wait_for "Remove ssh://127.0.0.1:$port/system from the console"
	tm_keys y
	tm_wait_gone "tarpit"
	tm_wait_for "1/1 connected"
	hosts_conf_lacks "uri = ssh://127.0.0.1:$port/system"
	tm_keys q
	[ "$(tm_exit_status 20)" = 0 ] || tm_fail "vmmc did not quit cleanly"
}

# The line editor in Add Host: Ctrl-U/A/E/W edit, control characters are
# never inserted (a host was once saved as qemu:///sytemU), the label reads
# "URI:" with one colon.
t_hosts_add_uri_line_keys() {
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_assert_contains "URI:    " || tm_fail "no URI field"
	tm_assert_not_contains "URI::" || tm_fail "two colons"
	tm_type "qemu:///sytem"
	tm_wait_for "qemu:///sytem"
	tm_keys C-u
	tm_wait_gone "qemu:///sytem"
	tm_type "zz test:///default"
	tm_keys C-a Delete Delete Delete C-e
	tm_type " junk"
	tm_keys C-w BSpace C-x C-b C-t C-v
	tm_wait_line "URI:" "test:///default"
	tm_capture | grep -qE "URI: +test:///default +│" || { _tm_dump; tm_fail "the URI is not exactly test:///default"; }
	tm_keys M-n
	tm_type "edited"
	tm_keys Enter
	hosts_wait_conf "uri = test:///default"
	hosts_conf_has "name = edited"
	grep -q $'[\x01-\x1f]' "$(hosts_conf)" && tm_fail "a control character reached the config"
	tm_wait_for "2/2 connected"
}

t_hosts_add_ssh_checks_fields() {
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_keys M-k Right
	tm_wait_line "Kind:" "< SSH >"
	tm_keys Enter
	tm_wait_for "Enter the host: a name, an address or an ssh alias"
	tm_keys M-h
	tm_type "root@kvm1"
	tm_keys Enter
	tm_wait_for "The host cannot hold '@': the user goes in User"
	tm_keys Home Delete Delete Delete Delete Delete
	tm_keys M-u
	tm_type "ad min"
	tm_keys Enter
	tm_wait_for "The user name cannot hold spaces or control characters"
	tm_keys BSpace BSpace BSpace BSpace
	tm_keys M-p
	tm_type "70000"
	tm_keys Enter
	tm_wait_for "The port must be a number from 1 to 65535"
	tm_keys BSpace BSpace BSpace BSpace BSpace
	tm_type "22x"
	tm_keys Enter
	tm_wait_for "The port must be a number from 1 to 65535"
	tm_keys BSpace
	tm_keys M-r C-u
	tm_type "Xen"
	tm_keys Enter
	tm_wait_for "The driver is a name like qemu, lxc or xen (a-z, 0-9)"
	tm_keys BSpace BSpace BSpace
	tm_type "xen"
	# back to a URI and again: the values are kept
	tm_keys M-k Left
	tm_wait_line "Kind:" "< libvirt URI >"
	tm_keys Right
	tm_wait_line "Host:" "kvm1"
	tm_wait_line "Port:" "22"
	tm_keys Enter
	hosts_wait_conf "uri = ssh://ad@kvm1:22/system?driver=xen"
	# the same host again is refused
	hosts_add_ssh kvm1 ad 22 system xen ""
	tm_wait_for "This host is in the tree already"
	tm_keys Escape
	tm_wait_gone "─ Add Host ─"
}

t_hosts_add_dialog_80x24_resize() {
	tm_vmmc -x 80 -y 24 -- --demo
	tm_wait_for "1/1 connected"
	tm_keys +
	tm_wait_for "─ Add Host ─"
	tm_keys M-k Right M-h
	tm_type "kvm9"
	tm_keys M-u
	tm_type "ops"
	tm_keys M-p
	tm_type "2200"
	tm_wait_line "Port:" "2200"
	tm_golden hosts_add_ssh_80x24 "$HOSTS_MASK"
	# the whole dialog fits: its first and last rows and the buttons
	tm_assert_contains "Kind:   < SSH >"
	tm_assert_contains "[x] Save in the config"
	tm_assert_contains "[ Add ] [ Cancel ]"
	# resized mid-dialog: re-centred, values kept
	tm_resize 100 30
	tm_wait_line "Host:" "kvm9"
	tm_resize 60 20
	tm_wait_for "terminal too small"
	tm_resize 80 24
	tm_wait_line "Host:" "kvm9"
	tm_wait_line "User:" "ops"
	tm_wait_line "Port:" "2200"
	tm_keys Enter
	hosts_wait_conf "uri = ssh://ops@kvm9:2200/system"
}

t_hosts_config_merge() {
	# hosts the tree does not show (autoconnect = no; or not opened because
	# a URI was given) stay in the file, and follow a rename or removal of
	# their group
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf '%s\n' 'version = 1' '[group]' 'name = Lab' '[host]' 'uri = test:///default' 'group = Lab' \
		'[host]' 'uri = qemu:///nowhere' 'group = Lab' 'autoconnect = no' '[host]' 'uri = qemu:///other' \
		'group = Old' 'autoconnect = no' >"$(hosts_conf)"
	tm_vmmc -- --demo
	tm_wait_for "1/1 connected"
	# every group of the file is in the tree, also those only hosts name
	hosts_tree_is "▾ Lab                0
▾ Old                0
▾ Demo host  connected
  Virtual Machines  16
  Virtual Networks   2
  Storage Pools      2"
	hosts_tree_focus
	tm_keys F2
	tm_wait_for "stay in it."
	tm_keys End BSpace BSpace BSpace
	tm_type "Bench"
	tm_keys Enter
	tm_wait_for "Renamed the group to 'Bench'"
	tm_keys Down -
	tm_wait_for "Remove the group 'Old'?"
	tm_keys y
	tm_wait_for "Removed the group 'Old'"
	hosts_conf_has "name = Bench"
	hosts_conf_lacks "name = Lab"
	hosts_conf_lacks "group = Lab"
	hosts_conf_lacks "group = Old"
	[ "$(grep -c '^group = Bench$' "$(hosts_conf)")" = 2 ] || tm_fail "both hosts of Lab should be in Bench"
	hosts_conf_has "uri = test:///default"
	hosts_conf_has "uri = qemu:///nowhere"
	hosts_conf_has "uri = qemu:///other"
	[ "$(grep -c '^autoconnect = no$' "$(hosts_conf)")" = 2 ] || tm_fail "autoconnect = no was not kept"
}

t_hosts_config_group_error() {
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf 'version = 1\n[group]\nname = Lab\n[group]\nname = Lab\n' >"$(hosts_conf)"
	cp "$(hosts_conf)" "$TM_TESTDIR/config.orig"
	tm_vmmc -- --demo
	tm_wait_for "Problems at start-up"
	tm_wait_for "vmmc/config:5:"
	tm_wait_for "duplicate group 'Lab'"
	tm_keys Enter
	tm_wait_for "1/1 connected"
	# a group made now is not saved over the file vmmc could not read
	tm_keys N
	tm_wait_for "A group is a folder"
	tm_type "Other"
	tm_keys Enter
	tm_wait_for "Config not saved"
	tm_wait_line "▾ Other"
	cmp -s "$(hosts_conf)" "$TM_TESTDIR/config.orig" || tm_fail "the malformed config was overwritten"
}

# The config file links to a FIFO: vmmc refuses to write through it, and says
# so where it stays visible, also when a failing host's error comes right
# after.
t_hosts_config_not_regular_sticky() {
	mkdir -p "$TM_TESTDIR/config/vmmc"
	mkfifo "$TM_TESTDIR/fifo"
	ln -s "$TM_TESTDIR/fifo" "$(hosts_conf)"
	tm_vmmc -x 220 -- --demo
	# (read at start: refused at once, not waited on)
	tm_wait_for "Problems at start-up"
	tm_wait_for "regular file"
	tm_keys Escape
	tm_wait_for "1/1 connected"
	tm_keys +
	tm_wait_for "─ Add Host ─"
	# a host that fails at once: its error lands in the status bar too
	tm_type "qemu+tcp://127.0.0.1:1/system"
	tm_keys Enter
	tm_wait_for "Config not saved"
	tm_wait_for "not a regular file"
	sleep 1.5
	tm_assert_contains "Config not saved"
	[ -p "$TM_TESTDIR/fifo" ] || tm_fail "the FIFO was replaced"
	[ -L "$(hosts_conf)" ] || tm_fail "the link was replaced"
}

# Remove Host's "y" and a VM key in the same read: the key must not reach the
# removed host's VM list (a heap-use-after-free under ASan, found by the
# monkey test, tests/soak/monkey.sh seed 31337)
t_hosts_remove_then_key_same_read() {
	hosts_write_conf
	tm_vmmc --
	tm_wait_for "1/1 connected"
	tm_keys Home
	tm_wait_for "Virtual Machines (1) on lab1"
	tm_keys -
	tm_wait_for "Remove test:///default from the console tree?"
	tm_keys y s i Down s Enter
	tm_wait_gone "lab1"
	tm_alive || tm_fail "vmmc died after removing the host"
	tm_keys q
	[ "$(tm_exit_status 10)" = 0 ] || tm_fail "exit status not 0"
}
