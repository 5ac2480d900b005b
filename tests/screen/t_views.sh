# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_views.sh - the results pane's views on a test-driver host of
# odd cases (tests/fixtures/odd-host.xml: crashed, pmsuspended, transient and
# saved VMs; 30 pools with volumes of odd sizes; 30 networks; hostile names).

ODD=$TM_ROOT/tests/fixtures/odd-host.xml

odd_up() {
	tm_vmmc "$@" -- -c "test://$ODD"
	tm_wait_for "1/1 connected"
	tm_wait_for "Virtual Machines (14) on test:odd-host.xml"
}

# The tree's node whose label is $1: select it with the keys (from the top).
odd_node() {
	local i
	tm_keys BTab Home
	for i in 1 2 3 4; do
		tm_capture | grep -qE "^.?[ ▾▸]*$1 .*│ *$1|│ $1 \\(" && return 0
		tm_keys Down
		sleep 0.2
	done
	tm_wait_for " $1 ("
}

t_views_odd_states() {
	odd_up
	# virsh list --state-running: 6 (paused, pmsuspended, idle are not)
	tm_wait_for "VMs 6/14 running"
	tm_wait_line "crashed-vm " "crashed"
	tm_wait_line "pm-sleeper " "pmsuspended"
	tm_wait_line "saved-state " "saved"
	# hostile names are drawn as they are, escaped where they must be
	tm_wait_line 'web <prod> & "co" ' "running"
	# a crashed VM: Start is refused, Turn Off asks (then Start works)
	tm_keys /
	tm_type crashed
	tm_keys Enter
	tm_wait_for "(1 of 14)"
	tm_keys s
	tm_wait_for "Start is not possible for this selection"
	tm_keys o
	tm_wait_for "Turn Off 'crashed-vm'?"
	tm_keys y
	tm_wait_line -t 10 "crashed-vm " "shut off"
	tm_keys s
	tm_wait_line -t 10 "crashed-vm " "running"
}

t_views_transient_removed_by_name() {
	odd_up
	tm_keys /
	tm_type transient
	tm_keys Enter
	tm_wait_for "(1 of 14)"
	tm_keys o
	tm_wait_for "Turn Off 'transient-runner'?"
	tm_keys y
	tm_wait_for "Virtual Machines (0 of 13) on"
	# the status bar names it, not its UUID
	tm_wait_for "transient-runner"
	tm_assert_not_contains "-0000-"
}

t_views_pools_scroll_sort_click() {
	# (no colours: the selected row is in reverse video)
	odd_up -y 24 -x 100 --env NO_COLOR=1
	odd_node "Storage Pools"
	tm_wait_for "Storage Pools (30) on test:odd-host.xml"
	tm_keys Tab
	# sorted by name as virsh sorts: the quoted one, then pool-01, -02 ...
	tm_wait_line 'pool <&> "q" ' "active"
	local first second
	first=$(tm_capture | grep -n "pool-01 " | head -1 | cut -d: -f1)
	second=$(tm_capture | grep -n "pool-02 " | head -1 | cut -d: -f1)
	[ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ] || tm_fail "pools not in name order"
	# sizes as virsh prints them
	tm_wait_for "1000.00 B"
	tm_wait_for "1.95 KiB"
	# every pool can be reached: the list scrolls
	tm_keys End
	tm_wait_for "pool-30 "
	tm_assert_not_contains 'pool <&> "q" '
	tm_keys Home
	tm_wait_for 'pool <&> "q" '
	# a click on a pool below another pool's volumes selects that pool
	local y
	y=$(tm_capture | grep -n "│pool-02 " | head -1 | cut -d: -f1)
	[ -n "$y" ] || tm_fail "pool-02 is not on the screen"
	tm_click 40 "$y"
	sleep 0.3
	tm_capture -e | grep -E "pool-02 " | grep -qE $'\e\\[([0-9]+;)*7m' ||
		tm_fail "the click did not select pool-02"
	tm_capture -e | grep -E "pool-01 " | grep -qE $'\e\\[([0-9]+;)*7m' &&
		tm_fail "pool-01 is still selected"
	true
}

t_views_networks_scroll_sort() {
	odd_up -y 24 -x 100
	odd_node "Virtual Networks"
	tm_wait_for "Virtual Networks (30) on test:odd-host.xml"
	tm_wait_line "net <lab> & 'test' " "active"
	tm_keys Tab End
	tm_wait_for "net-30 "
	tm_keys '>'
	tm_wait_for "State▲"
}

t_views_three_test_hosts() {
	local d=$TM_TESTDIR/hosts
	mkdir -p "$d"
	cp "$ODD" "$d/alpha.xml"
	cp "$ODD" "$d/beta.xml"
	cp "$ODD" "$d/gamma.xml"
	tm_vmmc -- -c "test://$d/alpha.xml" -c "test://$d/beta.xml" -c "test://$d/gamma.xml"
	tm_wait_for "3/3 connected"
	# the tree is narrow: the file names tell them apart, not "test:///tm"
	tm_wait_for "▾ test:alpha"
	tm_wait_for "▾ test:beta"
	tm_wait_for "▾ test:gamma"
	tm_assert_not_contains "test:///"
}

t_views_filter_and_sort_arrow() {
	odd_up -x 140
	# a typed backslash shows as one
	tm_keys /
	tm_type 'a\b'
	tm_wait_for 'Filter: a\b'
	tm_assert_not_contains 'a\\b'
	tm_keys Escape
	tm_wait_gone "Filter:"
	# the sort arrow is never cut off: vCPU▲
	tm_keys '>' '>'
	tm_wait_for "vCPU▲"
}

t_views_help_wraps_inside_pane() {
	odd_up -x 100 -y 30
	tm_keys F1
	tm_wait_for "Help: keys"
	# the separator between the pane and the actions pane stays on every row
	local bad
	tm_assert_contains "│ Actions"
	# each row: the tree's separator, then the pane's (before the actions)
	bad=$(tm_capture | sed -n '2,29p' | awk '{ if (gsub(/│/, "│") != 2) n++ } END { print n + 0 }')
	[ "$bad" = 0 ] || tm_fail "help wrote over the separator on $bad rows"
	# a long description goes on under its key (not cut at the edge)
	tm_wait_line "Add a host by its libvirt URI or"
	tm_wait_line "over SSH (host, user, port), in"
}
