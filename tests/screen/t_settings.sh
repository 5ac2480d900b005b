# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_settings.sh - VM Settings on the demo host (libvirt's test
# driver): the hardware list and each kind of form, at 80x24 and 120x40.
# Goldens: tests/screen/golden/settings_*.txt (VMMC_REGEN=1 rewrites them).

SET_MASK='s/vmmc [0-9.]*$/vmmc X/; s/52:54:00:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]/52:54:00:xx:xx:xx/g'

# settings_open W H: web01's Settings, read
settings_open() {
	tm_vmmc -x "$1" -y "$2" -- --demo
	tm_wait_for "1/1 connected"
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_keys Right /
	tm_type web01
	tm_keys Enter
	tm_wait_for "(1 of 16)"
	tm_keys O
	tm_wait_for "UUID: 5a1f3c0e-7d2b-4c61-9e0a-000000000001"
}

# settings_forms W H: a golden of each item's form (Down through the list)
settings_forms() {
	local w=$1 h=$2 item
	settings_open "$w" "$h"
	tm_golden "settings_summary_${w}x$h" "$SET_MASK"
	for item in boot memory cpu disk nic mgmt add; do
		tm_keys Down
		tm_wait_stable
		tm_golden "settings_${item}_${w}x$h" "$SET_MASK"
	done
	# Add hardware: the network adapter's fields
	tm_keys M-a Right Right Right Right
	tm_wait_for "< Network adapter >"
	tm_golden "settings_add_nic_${w}x$h" "$SET_MASK"
	# a refusal in place: a malformed MAC
	tm_keys M-m
	tm_type "52:54:00:zz:00:01"
	tm_keys M-y # Appl&y
	tm_wait_for "is not a MAC address"
	# a new CD/DVD drive: its local ISO fields, what a running VM allows, a
	# file that does not exist refused with the reason (the answer wraps)
	tm_keys M-a Left
	tm_wait_for "< CD/DVD drive >"
	tm_keys M-l
	tm_type "/nonexistent/vmmc-screen-test/a-long-directory-name/install-media.iso"
	tm_keys M-y
	tm_wait_for "file or directory"
	tm_golden "settings_add_cd_${w}x$h" "$SET_MASK"
	tm_keys Escape
	tm_wait_gone "Settings - web01"
}

t_settings_80x24() {
	settings_forms 80 24
}

t_settings_120x40() {
	settings_forms 120 40
}

# Properties (i) is Settings' Summary page; Edit XML without an editor is a
# read-only view that says how to get one.
t_settings_properties_readonly_xml() {
	settings_open 100 30
	tm_keys Escape
	tm_wait_gone "Settings - web01"
	tm_keys i
	tm_wait_for "== Summary =="
	tm_wait_for "Disk vda: /var/lib/libvirt/images/web01.qcow2"
	tm_keys M-e # &Edit XML...
	tm_wait_for "Edit XML (read-only)"
	tm_wait_for "No editor: set VISUAL or EDITOR"
	tm_wait_for "<name>web01</name>"
	tm_keys Enter
	tm_wait_gone "Edit XML (read-only)"
	tm_wait_for "Settings - web01"
}

# Removing the VM's only disk asks first; No sends nothing, Yes sends it.
t_settings_only_disk_asks() {
	settings_open 100 30
	tm_keys M-h Down Down Down Down
	tm_wait_for "== Disk vda (web01.qcow2) =="
	tm_keys M-r Space
	tm_keys M-y # Appl&y
	tm_wait_for "This is the VM's only disk"
	tm_keys Enter # No is focused first
	tm_wait_gone "This is the VM's only disk"
	tm_assert_contains "Disk vda (web01.qcow2)"
	tm_assert_not_contains "removed"
	tm_keys M-y # Appl&y
	tm_wait_for "This is the VM's only disk"
	tm_keys y
	# sent now: the test driver has no device detach, and says so
	tm_wait_for "Disk: this function is not supported"
}

# Resized mid-dialog: 80x24 (the list above the form) to 120x40 (the list
# left, the form right) and back; the item shown, the focus and an edit
# not applied yet are kept.
t_settings_resize() {
	local row
	settings_open 80 24
	tm_keys Down Down
	tm_wait_for "== Memory (2 GiB) =="
	tm_keys M-m C-u
	tm_type "3 GiB"
	tm_resize 120 40
	tm_wait_for "Memory:  3 GiB"
	# two panes: the list's first item and the form's title on one row
	row=$(tm_capture | grep -F "== Memory (2 GiB) ==") || tm_fail "no form title at 120x40"
	case $row in
	*"Hardware:"*"│ == Memory (2 GiB) =="*) ;;
	*) tm_fail "not two panes at 120x40: $row" ;;
	esac
	tm_type "X" # the focus stayed in the Memory field
	tm_resize 80 24
	tm_wait_for "Memory:   3 GiBX"
	# one column again: the form's title under the list, not beside it
	! tm_capture | grep -F "Hardware:" | grep -qF "== Memory" || tm_fail "still two panes at 80x24"
	tm_keys M-y # Appl&y
	tm_wait_for 'unknown unit "GiBX"'
}
