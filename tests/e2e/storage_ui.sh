#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/storage_ui.sh [PATTERN] - storage pools, volumes, uploads and
# virtual networks through vmmc's dialogs (in tmux) against the real
# libvirtd (qemu:///system):
#   - a directory pool in a temporary folder made with New Pool, a volume
#     with New Volume, a generated file uploaded (progress to "done",
#     verified; `virsh vol-download` gives the same SHA-256; Download
#     gives it back; an upload cancelled at once leaves no volume), both volumes and the pool deleted through their dialogs
#   - New Pool's "Other (XML)" page: a type's skeleton, bad XML told with
#     its line, no name, libvirt's own refusal under the text, then a dir
#     pool defined, started and deleted through XML
#   - a netfs pool on 127.0.0.1:/nonexistent (this kernel has no NFS): a
#     clear message, no pool and no mount point left; an LVM pool on a
#     volume group that is not there (no device-mapper here): libvirt's
#     reason, no pool left
#   - a NAT network made with the subnet the host suggests, a tiny test
#     guest (tests/guest) started on it: its DHCP lease shows in the Leases
#     dialog with the VM's name; Delete is refused while the guest runs and
#     names it; after the guest stops the network is deleted
# Everything it makes is named vmmc-test-<pid>-* (pool, network, guest) and
# removed at exit, also after a failure. Root only. PATTERN (or
# $VMMC_TESTS) picks tests by name. Ends with "storage-ui: N passed, M failed".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

URI=qemu:///system
SU_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-stui-$$.XXXXXX")
chmod 755 "$SU_TMP"
POOL=$(lv_name pool)
POOLX=$(lv_name xpool)
POOLN=$(lv_name nfspool)
POOLL=$(lv_name lvmpool)
NET=$(lv_name net)
GUEST=$(lv_name guest)

# vmmc on the local daemon, the host's view $1 shown, the list focused.
su_up() {
	tm_vmmc -x 120 -y 40 -- -c "$URI"
	tm_wait_line -t 20 "qemu://" " connected"
	tm_keys BTab Home
	for _ in 1 2 3 4; do
		tm_capture | grep -qF " $1 (" && break
		tm_keys Down
		sleep 0.2
	done
	tm_wait_for " $1 ("
	tm_keys Tab
	sleep 0.2
}

# The list filtered down to the row named $1 (pools and networks).
su_pick() {
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "Filter: $1"
}

# The row holding $1 selected (drawn reversed or on cyan), from the top.
su_select() {
	local i prev
	prev=$(tm_capture -e)
	tm_keys Home
	tm_wait_drawn "$prev"
	for ((i = 0; i < 40; i++)); do
		tm_capture -e | grep -F -- "$1" | grep -qE $'\e\\[([0-9]+;)*(7|46)m' && return 0
		prev=$(tm_capture -e)
		tm_keys Down
		tm_wait_drawn "$prev"
	done
	tm_fail "cannot select the row '$1'"
}

# The text inside the dialog box drawn on the screen, its wrapped lines
# joined (runs of blanks folded into one space).
su_dialog_text() {
	tm_capture | python3 -c '
import sys
lines = sys.stdin.read().split("\n")
top = next((i for i, l in enumerate(lines) if "┌" in l and "┐" in l), None)
if top is None:
    sys.exit(0)
l, r = lines[top].index("┌"), lines[top].index("┐")
out = []
for line in lines[top + 1:]:
    if len(line) > l and line[l] == "└":
        break
    out.append(line[l + 1:r])
print(" ".join(" ".join(out).split()))
'
}

# Wait until the dialog on the screen says $1 (wrapped lines joined); $2
# seconds (10).
su_wait_text() {
	local i n
	n=$(awk -v t="${2:-10}" -v s="$VMMC_TIMEOUT_SCALE" 'BEGIN { print int(t * s * 10) }')
	for ((i = 0; i < n; i++)); do
		su_dialog_text | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	tm_fail "the dialog does not say '$1'; it says: $(su_dialog_text)"
}

# New Pool with the type "Other (XML)": its text emptied (from the top,
# Ctrl+K), then $1 typed into it and Create pressed.
su_pool_xml() {
	tm_keys M-x PPage PPage PPage PPage Home
	for _ in $(seq 1 40); do tm_keys C-k; done
	tm_type "$1"
	tm_keys Tab Enter
}

t_su_pool_xml() {
	su_up "Storage Pools"
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	tm_keys M-t Right Right Right
	tm_wait_for "Libvirt type: < dir >"
	tm_wait_for '<pool type="dir">'
	tm_wait_for "<name>newpool</name>"
	# another type: its skeleton (netfs: the server and the export to fill in)
	tm_keys M-y Right Right
	tm_wait_for '<pool type="netfs">'
	tm_wait_for '<host name="NFS-SERVER"/>'
	# not well-formed: told beside the text with its line, nothing sent
	su_pool_xml "<pool type=\"dir\"><name>$POOLX</name>"
	su_wait_text "XML: line 1:"
	tm_assert_contains "─ New Storage Pool ─"
	lv_virsh pool-info "$POOLX" >/dev/null 2>&1 && tm_fail "a pool was defined from bad XML"
	# no name: told before anything is sent
	su_pool_xml '<pool type="dir"><target><path>/tmp</path></target></pool>'
	su_wait_text "XML: <pool> needs a <name>"
	# well-formed, but libvirt refuses it: its own words, under the text
	su_pool_xml "<pool type=\"nosuchtype\"><name>$POOLX</name></pool>"
	su_wait_text "Could not create pool \"$POOLX\": XML document failed to validate against schema" 30
	su_wait_text "Refused: the reason is under the XML"
	lv_virsh pool-info "$POOLX" >/dev/null 2>&1 && tm_fail "a refused pool is defined"
	# a dir pool through XML: defined, built, started, autostart on
	su_pool_xml "<pool type=\"dir\"><name>$POOLX</name><target><path>$SU_TMP/xpool</path></target></pool>"
	tm_wait_gone "─ New Storage Pool ─" 30
	lv_virsh pool-info "$POOLX" | grep -qE '^State:[[:space:]]+running' || tm_fail "the XML pool is not running"
	lv_virsh pool-info "$POOLX" | grep -qE '^Autostart:[[:space:]]+yes' || tm_fail "the XML pool has no autostart"
	[ -d "$SU_TMP/xpool" ] || tm_fail "the XML pool's folder was not made"
	su_pick "$POOLX"
	tm_wait_line "$POOLX" "active"
	# and removed through its dialog
	su_select "$POOLX"
	tm_keys D
	tm_wait_for "─ Delete Storage Pool ─"
	tm_keys M-d Space Enter
	tm_wait_gone "─ Delete Storage Pool ─" 30
	lv_virsh pool-info "$POOLX" >/dev/null 2>&1 && tm_fail "the XML pool is still defined"
	[ ! -e "$SU_TMP/xpool" ] || tm_fail "the XML pool's folder is left"
}

# NFS cannot be mounted here (no nfs in /proc/filesystems): the start fails
# and vmmc says so clearly, leaving no pool and no mount point behind.
t_su_pool_netfs_refused() {
	su_up "Storage Pools"
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	tm_keys M-t Right
	tm_wait_for "NFS host"
	tm_keys M-n
	tm_type "$POOLN"
	tm_keys M-h
	tm_type 127.0.0.1
	tm_keys M-e
	tm_type /nonexistent
	tm_keys M-m
	tm_type "$SU_TMP/mnt"
	tm_keys Enter
	su_wait_text "Could not create pool \"$POOLN\": the host could not mount 127.0.0.1:/nonexistent (the pool was removed again)" 60
	tm_assert_contains "─ New Storage Pool ─"
	lv_virsh pool-info "$POOLN" >/dev/null 2>&1 && tm_fail "the netfs pool is left defined"
	[ ! -e "$SU_TMP/mnt" ] || tm_fail "the mount point made for it is left"
	tm_keys Escape
	tm_wait_gone "─ New Storage Pool ─"
}

# No LVM here either (no device-mapper, no lvm2 tools): an LVM pool on a
# volume group that is not there fails to start; libvirt's words are shown,
# and no pool is left defined.
t_su_pool_logical_refused() {
	su_up "Storage Pools"
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	tm_keys M-t Right Right
	tm_wait_for "Volume group"
	tm_keys M-n
	tm_type "$POOLL"
	tm_keys M-v
	tm_type "vmmc-test-no-vg"
	tm_keys Enter
	su_wait_text "Could not create pool \"$POOLL\" (it was removed again): " 60
	tm_assert_contains "─ New Storage Pool ─"
	lv_virsh pool-info "$POOLL" >/dev/null 2>&1 && tm_fail "the logical pool is left defined"
	tm_keys Escape
	tm_wait_gone "─ New Storage Pool ─"
}

t_su_pool_volume_upload() {
	local f="$SU_TMP/upload.img" sum got
	su_up "Storage Pools"
	# New Pool: a directory pool in the temporary folder
	tm_keys A
	tm_wait_for "─ New Storage Pool ─"
	tm_keys M-n
	tm_type "$POOL"
	tm_keys M-p
	tm_type "$SU_TMP/pool"
	tm_keys Enter
	tm_wait_gone "─ New Storage Pool ─" 30
	lv_virsh pool-info "$POOL" | grep -qE '^State:[[:space:]]+running' || tm_fail "the pool is not running"
	[ -d "$SU_TMP/pool" ] || tm_fail "the pool's folder was not made"
	su_pick "$POOL"
	tm_wait_line "$POOL" "active"
	# New Volume
	tm_keys v
	tm_wait_for "─ New Volume ─"
	tm_keys M-n
	tm_type "made.qcow2"
	tm_keys M-s C-u
	tm_type 16M
	tm_keys Enter
	tm_wait_gone "─ New Volume ─" 30
	tm_wait_line "made.qcow2" "qcow2"
	lv_virsh vol-info --pool "$POOL" made.qcow2 | grep -qE 'Capacity:[[:space:]]+16\.00 MiB' ||
		tm_fail "virsh does not see a 16 MiB made.qcow2"
	# Upload a generated file (data, a hole, data), verified
	head -c 6M /dev/urandom >"$f"
	truncate -s 20M "$f"
	head -c 3M /dev/urandom >>"$f"
	sum=$(sha256sum "$f" | cut -d' ' -f1)
	tm_keys U
	tm_wait_for "─ Upload to Volume ─"
	tm_keys M-f
	tm_type "$f"
	tm_keys M-n
	tm_type "up.img"
	tm_keys M-v Space Enter
	tm_wait_for "─ Transfer ─" # (done, it offers Close alone)
	tm_wait_for "upload.img -> $POOL/up.img"
	tm_wait_for "done: Uploaded" 60
	tm_wait_for "verified"
	tm_assert_not_contains "Cancel Transfer"
	tm_keys Escape
	tm_wait_gone "─ Transfer ─"
	tm_wait_line "up.img" "23.00 MiB"
	lv_virsh vol-download --pool "$POOL" up.img "$SU_TMP/back.img" >/dev/null || tm_fail "vol-download failed"
	got=$(sha256sum "$SU_TMP/back.img" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || tm_fail "the uploaded volume's SHA-256 differs"
	# Download it back through the dialog: the same bytes
	su_select "  up.img"
	tm_keys W
	tm_wait_for "─ Download Volume ─"
	tm_keys M-s C-u
	tm_type "$SU_TMP/down.img"
	tm_keys Enter
	tm_wait_for "─ Transfer ─" # (a download's too: it opens before the model has it)
	tm_wait_for "done: Downloaded" 60
	tm_keys Escape
	tm_wait_gone "─ Transfer ─"
	got=$(sha256sum "$SU_TMP/down.img" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || tm_fail "the downloaded file's SHA-256 differs"
	# Cancel at once (it is still hashing the file): the volume it made goes
	head -c 192M /dev/urandom >"$SU_TMP/big.img"
	tm_keys U
	tm_wait_for "─ Upload to Volume ─"
	tm_keys M-f
	tm_type "$SU_TMP/big.img"
	tm_keys M-v Space Enter
	tm_wait_for "Cancel Transfer"
	tm_keys Left Enter
	tm_wait_gone "Cancel Transfer"
	tm_keys t
	tm_wait_for "─ Transfers ─"
	tm_wait_for "cancelled" 30
	tm_keys Escape
	tm_wait_gone "─ Transfers ─"
	lv_virsh vol-info --pool "$POOL" big.img >/dev/null 2>&1 && tm_fail "the cancelled upload left its volume"
	# the Transfers list has the others, done
	tm_keys t
	tm_wait_for "─ Transfers ─"
	tm_wait_for "23 MiB of 23 MiB, done"
	tm_keys Escape
	# delete both volumes, then the pool with its contents
	for v in up.img made.qcow2; do
		su_select "  $v"
		tm_keys D
		tm_wait_for "Delete the volume '$v'"
		tm_keys Left Enter
		tm_wait_gone "─ Delete Volume ─" 30
		tm_wait_gone "│  $v"
	done
	lv_virsh vol-list --pool "$POOL" | grep -q . && tm_fail "volumes are left"
	su_select "$POOL"
	tm_keys D
	tm_wait_for "─ Delete Storage Pool ─"
	tm_keys M-d Space Enter
	tm_wait_gone "─ Delete Storage Pool ─" 30
	tm_wait_gone "│$POOL"
	lv_virsh pool-info "$POOL" >/dev/null 2>&1 && tm_fail "the pool is still defined"
	[ ! -e "$SU_TMP/pool" ] || tm_fail "the pool's folder is left"
}

# the test guest's XML with its NIC on network $2
su_guest_xml() {
	"$TM_ROOT/tests/guest/domain.sh" "$1" | python3 -c '
import sys, xml.etree.ElementTree as ET
net = sys.argv[1]
d = ET.parse(sys.stdin).getroot()
dev = d.find("devices")
for i in dev.findall("interface"):
    dev.remove(i)
i = ET.SubElement(dev, "interface", type="network")
ET.SubElement(i, "source", network=net)
ET.SubElement(i, "model", type="virtio")
sys.stdout.write(ET.tostring(d, encoding="unicode"))
' "$2"
}

t_su_network_leases() {
	local subnet i seen=0
	su_up "Virtual Networks"
	tm_keys A
	tm_wait_for "─ New Virtual Network ─"
	# the subnet the host suggests is filled in
	tm_wait_for "Subnet: "
	for ((i = 0; i < 100; i++)); do
		subnet=$(tm_capture | sed -n 's/.*Subnet: *\([0-9.]*\/[0-9]*\).*/\1/p' | head -1)
		[ -n "$subnet" ] && break
		sleep 0.1
	done
	[ -n "$subnet" ] || tm_fail "no subnet suggested"
	tm_keys M-n
	tm_type "$NET"
	tm_keys Enter
	tm_wait_gone "─ New Virtual Network ─" 30
	lv_virsh net-info "$NET" | grep -qE '^Active:[[:space:]]+yes' || tm_fail "the network is not active"
	lv_virsh net-dumpxml "$NET" | grep -q "<forward mode='nat'" || tm_fail "the network is not NAT"
	su_pick "$NET"
	tm_wait_line "$NET" "${subnet}"
	# a guest on it gets a lease that names it
	su_guest_xml "$GUEST" "$NET" >"$SU_TMP/guest.xml"
	lv_virsh define "$SU_TMP/guest.xml" >/dev/null || tm_fail "could not define the guest"
	lv_virsh start "$GUEST" >/dev/null || tm_fail "could not start the guest"
	for ((i = 0; i < 45; i++)); do
		tm_keys E
		tm_wait_for "─ DHCP Leases ─"
		tm_wait_gone "Reading the leases"
		if tm_capture | grep -qF "VM: $GUEST"; then
			seen=1
			break
		fi
		tm_keys Escape
		tm_wait_gone "─ DHCP Leases ─"
		sleep 2
	done
	[ "$seen" = 1 ] || tm_fail "no lease of $GUEST within 90 s"
	tm_assert_contains "1 DHCP lease on the network"
	tm_keys Escape
	tm_wait_gone "─ DHCP Leases ─"
	# Delete is refused while the guest runs, and names it
	tm_keys D
	tm_wait_for "─ Delete Virtual Network ─"
	tm_keys Left Enter
	tm_wait_for "$GUEST" 30
	tm_assert_contains "─ Delete Virtual Network ─"
	lv_virsh net-info "$NET" >/dev/null 2>&1 || tm_fail "the network went although the guest runs"
	tm_keys Escape
	# with the guest off, Delete works
	lv_virsh destroy "$GUEST" >/dev/null
	tm_keys D
	tm_wait_for "─ Delete Virtual Network ─"
	tm_keys Left Enter
	tm_wait_gone "─ Delete Virtual Network ─" 30
	tm_wait_gone "│$NET"
	lv_virsh net-info "$NET" >/dev/null 2>&1 && tm_fail "the network is still defined"
	return 0
}

# ---- run ------------------------------------------------------------------------

su_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	if lv_virsh net-info "$NET" >/dev/null 2>&1; then
		lv_virsh net-destroy "$NET" >/dev/null 2>&1
		lv_virsh net-undefine "$NET" >/dev/null 2>&1
	fi
	for p in "$POOL" "$POOLX" "$POOLN" "$POOLL"; do
		lv_virsh pool-info "$p" >/dev/null 2>&1 || continue
		for v in $(lv_virsh vol-list --pool "$p" 2>/dev/null | awk '{print $1}'); do
			lv_virsh vol-delete --pool "$p" "$v" >/dev/null 2>&1
		done
		lv_virsh pool-destroy "$p" >/dev/null 2>&1
		lv_virsh pool-undefine "$p" >/dev/null 2>&1
	done
	lv_down
	rm -rf "$SU_TMP"
}
trap su_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

tm_suite_main storage-ui t_su_ tm_guest_up "no libvirtd on $URI or no test guest" "$@"
