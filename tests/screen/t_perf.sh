# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_perf.sh - live figures on the demo host (libvirt's test
# driver: its bulk stats hold only state.*, so every figure is "-"): the
# live columns, the host summary, the Performance view and its keys. The
# same view on a real running guest is in tests/e2e/stats.sh.

PERF_MASK='s/[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/hh:mm:ss/g; s/vmmc [0-9.]*$/vmmc X/; s/└-[0-9m]*s/└-T/g'

perf_demo_up() {
	tm_vmmc "$@" -- --demo
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_wait_for "1/1 connected"
}

perf_pick() {
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of 16)"
}

t_perf_columns_and_summary() {
	perf_demo_up
	# the test driver has no figures: its live columns fold first, and the
	# names get the room
	tm_wait_line "Name" "State" "vCPU" "Memory"
	tm_assert_not_contains "CPU%"
	tm_wait_line "home-assistant " "paused"
	tm_stop
	# with room, they show (empty) after the others
	perf_demo_up -x 160
	tm_wait_line "Name" "State" "vCPU" "Memory" "Uptime" "CPU%" "Used"
	# paused and pmsuspended VMs are not running (virsh list --state-running)
	tm_wait_for "VMs 10/16 running"
	tm_wait_line "web01 " "running" " - " "2 GiB"
	# the host summary above the list while the host node is selected
	tm_wait_line "Host CPU" "mem" "64 GiB"
	tm_wait_for "VMs 10/16 running"
	# not on the Virtual Machines node
	tm_keys BTab Down
	tm_wait_gone "VMs 10/16 running"
	tm_assert_contains "Virtual Machines (16) on Demo host"
}

t_perf_view_vm() {
	perf_demo_up
	perf_pick web01
	tm_keys P
	tm_wait_for "Performance: web01"
	# four labelled graphs with axes, even with no figure yet
	tm_wait_line "CPU% of 2 vCPUs" "now -" "avg -" "peak -"
	tm_assert_contains "Memory  now -"
	tm_assert_contains "Disk R+W"
	tm_assert_contains "Net RX+TX"
	tm_assert_contains "100%│"
	tm_wait_line "└" "now"
	tm_assert_contains "No figures yet"
	tm_golden perf_view_demo "$PERF_MASK"
	# Escape goes back to the list, the selection kept
	tm_keys Escape
	tm_wait_gone "Performance: web01"
	tm_wait_for "Virtual Machines (1 of 16)"
}

t_perf_view_host_80x24() {
	tm_vmmc -x 80 -y 24 -- --demo
	tm_wait_for "1/1 connected"
	tm_keys H
	tm_wait_for "Performance: Demo host"
	tm_wait_line "Host CPU" "now -"
	tm_assert_contains "Host memory used"
	tm_assert_contains "VMs' disk R+W"
	tm_assert_contains "VMs' net RX+TX"
	tm_golden perf_host_80x24 "$PERF_MASK"
	tm_keys Escape
	tm_wait_for "Virtual Machines (16) on Demo host"
}

t_perf_keys() {
	perf_demo_up -x 160
	tm_keys ']'
	tm_wait_for "Refresh every 3 s"
	tm_keys '[' '['
	tm_wait_for "Refresh every 1 s"
	tm_keys '['
	tm_wait_for "Refresh every 0.5 s"
	tm_keys Z
	tm_wait_for "Live figures frozen"
	tm_wait_for "[frozen]"
	tm_keys Z
	tm_wait_for "Live figures running again"
	tm_wait_gone "[frozen]"
	# CPU % of the host instead of the vCPUs: the header says which
	tm_keys %
	tm_wait_line "Host%" "Memory"
	tm_keys %
	tm_wait_line "CPU%" "Memory"
	# sort by a live column: '>' walks the columns in order
	tm_keys '>'
	tm_wait_for "State▲"
	tm_keys '>'
	tm_wait_for "vCPU▲"
	tm_keys '>'
	tm_wait_for "CPU%▲"
	tm_keys I
	tm_wait_for "CPU%▼"
	tm_assert_contains "win11-desktop"
}

t_perf_ascii_graphs() {
	perf_demo_up --env LANG=C --env LC_ALL=C
	perf_pick mail
	tm_keys P
	tm_wait_for "Performance: mail"
	# no UTF-8: ASCII axes
	tm_wait_line "100%|"
	tm_wait_line "+-0s" "now"
	tm_assert_not_contains "└"
}
