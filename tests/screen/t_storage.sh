# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_storage.sh - the Storage Pools and Virtual Networks views'
# columns, actions and dialogs (issue 10) on a test-driver host
# (tests/fixtures/odd-host.xml: 30 pools with volumes, 30 networks), each
# at 80x24 and 120x40. Fields are reached by their Alt accelerators.

ST_ODD=$TM_ROOT/tests/fixtures/odd-host.xml

# vmmc on the odd host at $1 x $2, the view $3 shown, the list focused.
st_up() {
	tm_vmmc -x "$1" -y "$2" -- -c "test://$ST_ODD"
	tm_wait_for "1/1 connected"
	tm_keys BTab Home
	for _ in 1 2 3 4; do
		tm_capture | grep -qF " $3 (" && break
		tm_keys Down
		sleep 0.2
	done
	tm_wait_for " $3 ("
	tm_keys Tab
	sleep 0.2
}

# Select the list row holding $1 (the selected row is drawn reversed or
# on cyan), from the top, or from the bottom with $2 = End.
st_select() {
	local i prev step=Down
	[ "${2:-Home}" = Home ] || step=Up
	prev=$(tm_capture -e)
	tm_keys "${2:-Home}"
	tm_wait_drawn "$prev"
	for ((i = 0; i < 90; i++)); do
		tm_capture -e | grep -F -- "$1" | grep -qE $'\e\\[([0-9]+;)*(7|46)m' && return 0
		prev=$(tm_capture -e)
		tm_keys $step
		tm_wait_drawn "$prev"
	done
	tm_fail "cannot select the row '$1'"
}

st_pools_view() {
	st_up "$1" "$2" "Storage Pools"
	tm_wait_line 'pool <&> "q" ' "active"
	tm_wait_line "vol-08-0.img" "raw"
	# the columns that fit: capacity and available of a pool, a volume's format
	tm_wait_line "pool-02 " "100.00 GiB"
	tm_assert_contains "Capacity"
	if [ "$1" -ge 120 ]; then
		tm_assert_contains "Available"
		tm_assert_contains "Type"
	fi
}

st_volume_dialogs() {
	local w=$1 h=$2
	st_pools_view "$w" "$h"
	st_select 'pool <&> "q"'
	# New Volume: a bad size is told beside the field and blocks OK
	tm_keys v
	tm_wait_for "─ New Volume ─"
	tm_keys M-n
	tm_type 'a<&>.qcow2'
	tm_keys M-s C-u
	tm_type 20GG
	tm_wait_for 'unknown unit'
	tm_keys Enter
	tm_wait_for "Size: "
	tm_assert_contains "─ New Volume ─"
	tm_keys M-s C-u
	tm_type 1G
	# a name with '/' is refused before anything is sent
	tm_keys M-n C-u
	tm_type 'a/b'
	tm_keys Enter
	tm_wait_for "Name: may not contain '/'"
	tm_keys M-n C-u
	tm_type 'a<&>.qcow2'
	tm_keys Enter
	tm_wait_gone "─ New Volume ─"
	tm_wait_line 'a<&>.qcow2' "qcow2"
	tm_wait_for 'Volume "a<&>.qcow2" created'
	# the host refuses a name taken: the dialog stays with its values
	tm_keys v
	tm_wait_for "─ New Volume ─"
	tm_keys M-n
	tm_type 'a<&>.qcow2'
	tm_keys Enter
	tm_wait_for "exists"
	tm_assert_contains "─ New Volume ─"
	tm_keys Escape
	tm_wait_gone "─ New Volume ─"
	# Clone a volume: the copy's name is offered
	st_select 'a<&>.qcow2'
	tm_keys y
	tm_wait_for "─ Clone Volume ─"
	tm_wait_for 'a<&>.qcow2-clone'
	tm_keys Enter
	tm_wait_gone "─ Clone Volume ─"
	tm_wait_line 'a<&>.qcow2-clone' "qcow2"
	# Resize: smaller is refused unless ticked
	st_select 'a<&>.qcow2-clone'
	tm_keys z
	tm_wait_for "─ Resize Volume ─"
	tm_keys M-c C-u
	tm_type 10M
	tm_keys Enter
	tm_wait_for "smaller than now"
	tm_keys Escape
	tm_wait_gone "─ Resize Volume ─"
	# Delete the clone: asks (Cancel first), then it is gone
	st_select 'a<&>.qcow2-clone'
	tm_keys D
	tm_wait_for "Delete the volume 'a<&>.qcow2-clone'"
	tm_keys Enter
	tm_wait_gone "─ Delete Volume ─"
	tm_assert_contains 'a<&>.qcow2-clone'
	tm_keys D
	tm_wait_for "─ Delete Volume ─"
	tm_keys Left Enter
	tm_wait_gone '│  a<&>.qcow2-clone'
	tm_assert_contains 'a<&>.qcow2'
	# Download: an existing local file needs Overwrite
	st_select 'a<&>.qcow2'
	: >"$TM_TESTDIR/tmp/have.img"
	tm_keys W
	tm_wait_for "─ Download Volume ─"
	tm_keys M-s C-u
	tm_type "$TM_TESTDIR/tmp/have.img"
	tm_keys Enter
	tm_wait_for "exists; tick Overwrite"
	tm_keys Escape
	tm_wait_gone "─ Download Volume ─"
}

t_storage_volumes_80x24() { st_volume_dialogs 80 24; }
t_storage_volumes_120x40() { st_volume_dialogs 120 40; }

st_pool_dialogs() {
	local w=$1 h=$2 dir
	dir=$TM_TESTDIR/tmp/pooldir
	st_pools_view "$w" "$h"
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	# a relative path is refused; the type changes the fields, values stay
	tm_keys M-n
	tm_type "st-pool"
	tm_keys M-p
	tm_type "relative/dir"
	tm_keys Enter
	tm_wait_for "Path: give a full path"
	tm_keys M-t Right
	tm_wait_for "NFS host"
	tm_keys M-t Left
	tm_wait_for "relative/dir"
	tm_keys M-p C-u
	tm_type "$dir"
	tm_keys Enter
	tm_wait_gone "─ New Storage Pool ─"
	tm_wait_for "Storage Pools (31)"
	st_select "st-pool " End
	tm_wait_line "st-pool " "active"
	# Delete: asks, the contents box is off
	tm_keys D
	tm_wait_for "Delete the storage pool 'st-pool'?"
	tm_wait_for "[ ] Also delete its contents"
	tm_keys Escape
	tm_wait_gone "─ Delete Storage Pool ─"
	tm_keys D
	tm_wait_for "─ Delete Storage Pool ─"
	tm_keys Left Enter
	tm_wait_gone "│st-pool "
	# Stop and Start by key; on a started pool Start says why not (not
	# "select a VM": the key is the VMs' Start too)
	st_select "pool-03 "
	tm_keys o
	tm_wait_line "pool-03 " "inactive"
	tm_keys s
	tm_wait_line "pool-03 " " active   dir"
	tm_keys s
	tm_wait_for "Start Pool is not possible"
	# Upload: a missing file is told at the field; Tab completes a path
	st_select "pool-02 "
	head -c 300000 /dev/urandom >"$TM_TESTDIR/tmp/upload-me.bin"
	tm_keys U
	tm_wait_for "─ Upload to Volume ─"
	tm_wait_for "holes are not sent"
	tm_keys M-f
	tm_type "$TM_TESTDIR/tmp/nothing-here"
	tm_keys Enter
	tm_wait_for "No such file or directory"
	tm_keys M-f C-u
	tm_type "$TM_TESTDIR/tmp/upload-m"
	tm_keys Tab
	tm_keys End
	tm_wait_for "upload-me.bin"
	tm_keys Enter
	# the progress dialog, then a final state (the test driver refuses
	# uploads: it says why); ended, it offers Close alone (nothing to
	# cancel or to send to the background)
	tm_wait_for "─ Transfer ─"
	tm_wait_for "upload-me.bin -> pool-02/upload-me.bin"
	tm_wait_for -t 20 "failed: "
	tm_wait_for "[ Close ]"
	tm_assert_not_contains "Cancel Transfer"
	tm_assert_not_contains "Background"
	tm_keys Enter
	tm_wait_gone "─ Transfer ─"
	# the Transfers list has it; Clear Finished empties it once it ended
	tm_keys t
	tm_wait_for "─ Transfers ─"
	tm_wait_for "Upload test:odd-host.xml"
	tm_keys Tab Tab Enter
	tm_wait_for "No transfers."
	tm_keys Escape
	tm_wait_gone "No transfers."
}

# New Pool's "Other (XML)" page: the skeleton of the type chosen (golden),
# edited in place; bad XML told under the text with its line, nothing sent;
# a dir pool through XML made on the test driver.
st_pool_xml() {
	local w=$1 h=$2
	st_pools_view "$w" "$h"
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	tm_keys M-t Right Right Right
	tm_wait_for '<pool type="dir">'
	tm_keys M-y Right Right
	tm_wait_for '<host name="NFS-SERVER"/>'
	tm_golden "pool_xml_netfs_${w}x${h}"
	tm_keys M-y Left Left
	tm_wait_for '<path>/var/lib/libvirt/images/newpool</path>'
	# the name edited in place: line 2, "newpool" before "</name>"
	tm_keys M-x Down End Left Left Left Left Left Left Left
	for _ in 1 2 3 4 5 6 7; do tm_keys BSpace; done
	tm_type 'x<y'
	tm_wait_for '<name>x<y</name>'
	tm_keys Tab Enter
	tm_wait_for "XML: line 2:"
	tm_wait_for "Not sent: the reason is under the XML."
	tm_golden "pool_xml_error_${w}x${h}"
	# an edit answers the complaint; a good name makes the pool
	tm_keys M-x BSpace BSpace
	tm_type 'st-xml'
	tm_wait_gone "XML: line 2:"
	tm_keys Tab Enter
	tm_wait_gone "─ New Storage Pool ─"
	tm_wait_for "Storage Pools (31)"
	tm_wait_for 'Pool "xst-xml" created and started'
}

t_storage_pool_xml_80x24() { st_pool_xml 80 24; }
t_storage_pool_xml_120x40() { st_pool_xml 120 40; }

t_storage_pools_80x24() { st_pool_dialogs 80 24; }
t_storage_pools_120x40() { st_pool_dialogs 120 40; }

st_net_dialogs() {
	local w=$1 h=$2
	st_up "$w" "$h" "Virtual Networks"
	tm_wait_line "net-01 " "active"
	tm_wait_line "net-01 " "10.77.1.0/24"
	tm_keys A
	tm_wait_for "─ New Virtual Network ─"
	# the host's free subnet is filled in
	tm_wait_for "192.168."
	tm_keys M-n
	tm_type "st-net"
	tm_keys M-s C-u
	tm_type "10.0.0.0/33"
	tm_keys Enter
	tm_wait_for "Subnet:"
	tm_assert_contains "─ New Virtual Network ─"
	# a subnet of another network is refused by the host
	tm_keys M-s C-u
	tm_type "10.77.3.0/24"
	tm_keys Enter
	tm_wait_for "overlaps"
	tm_keys M-s C-u
	tm_type "192.168.201.0/24"
	tm_keys M-o
	tm_type "lab.test"
	tm_keys Enter
	tm_wait_gone "─ New Virtual Network ─"
	tm_wait_for "Virtual Networks (31)"
	st_select "st-net " End
	tm_wait_line "st-net " "192.168.201.0/24"
	# leases of a network
	tm_keys E
	tm_wait_for "─ DHCP Leases ─"
	tm_wait_gone "Reading the leases"
	# the test driver has no leases: its refusal is the job's last answer,
	# and the dialog grows by its rows; Escape after that (an Escape read
	# together with the next key is Alt-that-key, and a frame caught
	# mid-relayout may lack the title)
	tm_wait_for "could not be read"
	tm_keys Escape
	tm_wait_gone "─ DHCP Leases ─"
	# delete: asks, then it is gone
	tm_keys D
	tm_wait_for "Delete the virtual network 'st-net'?"
	tm_keys Left Enter
	tm_wait_gone "│st-net "
}

t_storage_networks_80x24() { st_net_dialogs 80 24; }
t_storage_networks_120x40() { st_net_dialogs 120 40; }
