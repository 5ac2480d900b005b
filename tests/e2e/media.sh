#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/media.sh [PATTERN] - local media and Quiesced Checkpoint end to
# end (issues 12 and 13): vmmc in tmux, the real libvirtd (qemu:///system),
# the tiny real guest of tests/guest/ with its real qemu-ga. Root only.
#   - Settings, CD/DVD: a local ISO (xorriso-made) uploaded into a pool and
#     inserted into the running guest's drive: the volume has the file's
#     SHA-256 (virsh vol-download), virsh domblklist shows it; the same file
#     again reuses the pooled volume (no second upload); Cancel mid-upload
#     leaves no volume and the drive as it was.
#   - Integration Tools wizard, a Windows VM (libosinfo win10 metadata): the
#     virtio-win ISO from a local file, uploaded at Finish and inserted into
#     a CD-ROM the wizard adds.
#   - Quiesced Checkpoint: the snapshot exists (virsh snapshot-list), the
#     guest's qemu-ga logged its fsfreeze and is thawed after, the view
#     lists it; a raw disk is refused with the reason and nothing made.
# PATTERN (or $VMMC_TESTS), an extended regex, picks tests by name. Ends with
# "media: N passed, M failed".
#
# Everything it makes is named vmmc-test-<pid>-*: VMs (their snapshots'
# metadata deleted first), a directory pool (its volumes, overlays, folder);
# all removed at exit. Its files are in its own temporary folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
# shellcheck source=tests/lib/settings.sh
. "$here/../lib/settings.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"

URI=qemu:///system
W=160 H=45
T_AGENT=60

MD_TMP=$(mktemp -d "${TMPDIR:-/var/tmp}/vmmc-media-$$.XXXXXX")
POOL=$(lv_name pool)
POOL_DIR=/var/tmp/$POOL

# ---- fixtures ---------------------------------------------------------------------

fixtures_up() {
	mkdir -p "$POOL_DIR"
	chmod 755 "$POOL_DIR"
	lv_virsh pool-define-as "$POOL" dir --target "$POOL_DIR" >/dev/null
	lv_virsh pool-start "$POOL" >/dev/null
}

fixtures_down() {
	local v
	if lv_virsh pool-info "$POOL" >/dev/null 2>&1; then
		for v in $(lv_virsh vol-list "$POOL" 2>/dev/null | awk 'NR > 2 && $1 != "" {print $1}'); do
			lv_virsh vol-delete "$v" --pool "$POOL" >/dev/null 2>&1 || true
		done
		lv_virsh pool-destroy "$POOL" >/dev/null 2>&1 || true
		lv_virsh pool-undefine "$POOL" >/dev/null 2>&1 || true
	fi
	rm -rf "$POOL_DIR"
}

# the snapshots' metadata of our VMs (undefine refuses a VM that has some);
# their overlay files go with the pool's folder
snapshots_down() {
	local d s
	for d in $(lv_virsh list --all --name 2>/dev/null | grep "^$LV_PREFIX" || true); do
		for s in $(lv_virsh snapshot-list "$d" --name 2>/dev/null); do
			lv_virsh snapshot-delete "$d" "$s" --metadata >/dev/null 2>&1 || true
		done
	done
}

# guest NAME DISKS_XML [domain.sh options]: defined, DISKS_XML in <devices>
guest() {
	local n=$1 disks=$2
	shift 2
	"$TM_ROOT/tests/guest/domain.sh" "$n" "$@" >"$MD_TMP/$n.xml" || tm_fail "domain.sh failed"
	python3 - "$MD_TMP/$n.xml" "$disks" <<'EOF'
import sys
p, extra = sys.argv[1], sys.argv[2]
s = open(p).read().replace("</devices>", extra + "</devices>", 1)
open(p, "w").write(s)
EOF
	lv_virsh define "$MD_TMP/$n.xml" >/dev/null || tm_fail "could not define $n"
}

CDROM="<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>"

# an ISO made here with xorriso: NAME with a file of its own
make_iso() {
	mkdir -p "$MD_TMP/iso-src"
	echo "vmmc media test $$ $1" >"$MD_TMP/iso-src/readme.txt"
	xorriso -as mkisofs -quiet -V "VMMC$$" -o "$MD_TMP/$1" "$MD_TMP/iso-src" 2>/dev/null ||
		tm_fail "xorriso could not make $1"
}

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

vol_sum() { # vol_sum VOL: the SHA-256 of the pool's volume, read back with virsh
	lv_virsh vol-download --pool "$POOL" "$1" "$MD_TMP/back.bin" >/dev/null || tm_fail "vol-download $1 failed"
	sum_of "$MD_TMP/back.bin"
	rm -f "$MD_TMP/back.bin"
}

vols() { lv_virsh vol-list "$POOL" | awk 'NR > 0 && $1 != "" {print $1}' | sort; }

wait_true() { # wait_true SECONDS CMD...: until CMD succeeds
	local t=$1 i
	shift
	for ((i = 0; i < t * 10 * VMMC_TIMEOUT_SCALE; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

agent_ping() { lv_virsh qemu-agent-command "$1" '{"execute":"guest-ping"}' >/dev/null 2>&1; }

# guest-exec /bin/sh -c CMD in the guest; prints its stdout
guest_sh() {
	local n=$1 cmd pid out i
	cmd=$(python3 -c 'import json,sys; print(json.dumps({"execute": "guest-exec", "arguments": {"path": "/bin/sh", "arg": ["-c", sys.argv[1]], "capture-output": True}}))' "$2")
	pid=$(lv_virsh qemu-agent-command "$n" "$cmd" | python3 -c 'import json,sys; print(json.load(sys.stdin)["return"]["pid"])')
	for ((i = 0; i < 100; i++)); do
		out=$(lv_virsh qemu-agent-command "$n" "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":$pid}}")
		if python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["return"]["exited"] else 1)' "$out"; then
			python3 -c 'import json,sys,base64; print(base64.b64decode(json.loads(sys.argv[1])["return"].get("out-data","")).decode(), end="")' "$out"
			return 0
		fi
		sleep 0.1
	done
	tm_fail "guest-exec '$2' did not end"
}

vmmc_up() { # vmmc_up [URI LABEL [tm_start options]]: connected, our pool listed
	local i uri=${1:-$URI} label=${2:-qemu://}
	shift 2 || true
	tm_vmmc -x "$W" -y "$H" "$@" -- -c "$uri"
	tm_wait_line -t 20 "$label" " connected"
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		tm_capture | grep -qE "Storage Pools +[1-9]" && return 0
		sleep 0.1
	done
	tm_fail "the pools were not listed"
}

pick() { # pick NAME: the VM list filtered down to NAME, selected
	tm_keys Right
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of " 10
}

settings() { # settings NAME: its Settings read, the CD/DVD drive shown
	pick "$1"
	tm_keys O
	tm_wait_for "Settings - $1" 5
	tm_wait_for "UUID: " 10
	set_item "CD/DVD hdc"
}

apply() { # press Apply and wait for want
	tm_keys M-y # Appl&y
	tm_wait_for "$1" 60
}

set_choice() { # set_choice TEXT: Right on the focused choice until < TEXT >
	tm_choice "$1" && return 0
	tm_fail "no choice '$1'"
}

# ---- Settings: a local ISO into the CD/DVD drive -----------------------------------

# local_iso FILE: in the CD/DVD form shown, the local FILE for our pool
local_iso() {
	tm_keys M-l
	tm_type "$1"
	tm_keys M-d
	set_choice "$POOL"
}

t_media_settings_local_iso() {
	local n iso sum vol
	n=$(lv_name set)
	guest "$n" "$CDROM"
	lv_virsh start "$n" >/dev/null
	make_iso "setup-$$.iso"
	iso=$MD_TMP/setup-$$.iso
	sum=$(sum_of "$iso")
	vmmc_up
	settings "$n"
	local_iso "$iso"
	apply "Uploaded as setup-$$.iso; CD/DVD drive hdc: changed"
	vol=setup-$$.iso
	lv_virsh vol-info --pool "$POOL" "$vol" >/dev/null 2>&1 || tm_fail "no volume $vol: $(vols)"
	[ "$(vol_sum "$vol")" = "$sum" ] || tm_fail "the volume's SHA-256 is not the file's"
	lv_virsh domblklist "$n" | grep -qE "hdc +$POOL_DIR/$vol" || tm_fail "not inserted: $(lv_virsh domblklist "$n")"
	lv_virsh dumpxml --inactive "$n" | grep -q "$POOL_DIR/$vol" || tm_fail "not for the next boot"
	tm_wait_for "CD/DVD hdc ($vol)" 10
	# the Transfers list has the upload, done
	tm_keys Escape
	tm_wait_gone "Settings - $n" 5
	tm_keys t
	tm_wait_for "─ Transfers ─"
	tm_wait_for "Upload qemu:///system: setup-$$.iso -> "
	tm_wait_for "done: Uploaded"
	tm_keys Escape
	tm_wait_gone "─ Transfers ─"
	# ejected, then the same file again: the pooled volume, no upload
	lv_virsh change-media "$n" hdc --eject --live --config >/dev/null || tm_fail "virsh could not eject"
	tm_keys O
	tm_wait_for "Settings - $n" 5
	tm_wait_for "UUID: " 10
	set_item "CD/DVD hdc (empty)"
	local_iso "$iso"
	apply "Pooled copy $vol used (same content"
	[ "$(vols | grep -c "^setup-$$")" = 1 ] || tm_fail "a second volume: $(vols)"
	lv_virsh domblklist "$n" | grep -qE "hdc +$POOL_DIR/$vol" || tm_fail "not inserted again"
	tm_keys Escape
	lv_virsh destroy "$n" >/dev/null
}

# Cancel mid-upload: no volume left, the drive as it was
t_media_settings_cancel() {
	local n big
	n=$(lv_name can)
	guest "$n" "$CDROM"
	lv_virsh start "$n" >/dev/null
	big=$MD_TMP/big-$$.iso
	yes "vmmc media cancel $$" | head -c 768M >"$big"
	vmmc_up
	settings "$n"
	local_iso "$big"
	tm_keys M-y # Appl&y
	tm_wait_for "─ Local ISO ─" 10
	tm_keys Enter # its only button: Cancel
	tm_wait_for "Local ISO: Cancelled" 10
	wait_true 30 eval "! lv_virsh vol-list $POOL | grep -q big-$$" || tm_fail "the cancelled upload left: $(vols)"
	ls "$POOL_DIR" | grep -q "^big-$$" && tm_fail "files left in the pool's folder: $(ls "$POOL_DIR")"
	lv_virsh domblklist "$n" | grep -qE "hdc +-" || tm_fail "the drive changed: $(lv_virsh domblklist "$n")"
	tm_keys Escape
	rm -f "$big"
	lv_virsh destroy "$n" >/dev/null
}

# an ssh:// host: the upload goes over the host's own login (a hermetic
# sshd on loopback, a key in a private agent); a shut-off guest's drive
# gets it for the next boot
t_media_settings_ssh() {
	local n iso sum
	n=$(lv_name ssh)
	guest "$n" "$CDROM"
	sh_up "$MD_TMP/sh" || tm_fail "no sshd"
	make_iso "ssh-$$.iso"
	iso=$MD_TMP/ssh-$$.iso
	sum=$(sum_of "$iso")
	vmmc_up "ssh://root@127.0.0.1:$SH_PORT" "root@127." --env "VMMC_SSH_DIR=$VMMC_SSH_DIR" \
		--env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK"
	settings "$n"
	local_iso "$iso"
	apply "Uploaded as ssh-$$.iso; CD/DVD drive hdc: changed at"
	[ "$(vol_sum "ssh-$$.iso")" = "$sum" ] || tm_fail "the volume's SHA-256 is not the file's"
	lv_virsh dumpxml --inactive "$n" | grep -q "$POOL_DIR/ssh-$$.iso" || tm_fail "not in the drive"
	tm_keys Escape
	tm_stop
	sh_down
}

# rt_again NAME FILE VOL: NAME (selected) with its drive emptied (next
# boot), its Settings anew, FILE again: the pooled VOL used; RT_MS: the ms
# from Apply to that answer
rt_again() {
	local t0 t1
	lv_virsh change-media "$1" hdc --eject --config >/dev/null || tm_fail "virsh could not eject"
	tm_keys O
	tm_wait_for "Settings - $1" 5
	tm_wait_for "UUID: " 10
	set_item "CD/DVD hdc (empty)"
	local_iso "$2"
	t0=$(date +%s%N)
	tm_keys M-y
	tm_wait_for "Pooled copy $3 used (same" 120
	t1=$(date +%s%N)
	cd_src "$1" --inactive | grep -qE "^hdc $POOL_DIR/$3\$" || tm_fail "not inserted again"
	tm_keys Escape
	tm_wait_gone "Settings - $1" 5
	RT_MS=$(((t1 - t0) / 1000000))
}

# The figures: a 256 MiB local ISO into a shut-off VM's drive, uploaded
# (Apply to the answer), then again in the same session (the upload made it
# known: one read of the volume's timestamps) and in a new session (the
# volume read and compared byte for byte), next to virsh vol-create-as +
# vol-upload of the same file
t_media_reuse_timing() {
	local n big vol t0 t1 t2 t3 t4 t5 same fresh
	n=$(lv_name rt)
	guest "$n" "$CDROM"
	vol=rt-$$.iso
	big=$MD_TMP/$vol
	head -c 256M /dev/urandom >"$big"
	vmmc_up
	settings "$n"
	local_iso "$big"
	t0=$(date +%s%N)
	tm_keys M-y # Appl&y
	tm_wait_for "Uploaded as $vol; CD/DVD drive hdc: changed" 120
	t1=$(date +%s%N)
	tm_keys Escape
	tm_wait_gone "Settings - $n" 5
	rt_again "$n" "$big" "$vol"
	same=$RT_MS
	tm_stop
	vmmc_up
	pick "$n"
	rt_again "$n" "$big" "$vol"
	fresh=$RT_MS
	[ "$(vols | grep -c "^rt-$$")" = 1 ] || tm_fail "a second volume: $(vols)"
	t4=$(date +%s%N)
	lv_virsh vol-create-as "$POOL" "virsh-$vol" 256M --format raw >/dev/null || tm_fail "vol-create-as failed"
	lv_virsh vol-upload --pool "$POOL" "virsh-$vol" "$big" >/dev/null || tm_fail "vol-upload failed"
	t5=$(date +%s%N)
	echo "    256 MiB local ISO: Apply -> inserted $(((t1 - t0) / 1000000)) ms (uploaded); again, same session $same ms, new session $fresh ms (pooled copy reused); virsh vol-create-as + vol-upload $(((t5 - t4) / 1000000)) ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
	rm -f "$big"
}

# ---- Settings: a NEW CD/DVD drive with a local ISO -----------------------------------

# add_cd_local NAME FILE: NAME's Settings, + Add hardware, a CD/DVD drive
# with the local FILE for our pool (Apply not pressed yet)
add_cd_local() {
	pick "$1"
	tm_keys O
	tm_wait_for "Settings - $1" 5
	tm_wait_for "UUID: " 10
	set_item "+ Add hardware"
	set_new_cd "$2" "$POOL"
}

# nd_up TAG DISKS [start]: the caller's n (a guest with DISKS, started if
# asked), vol and iso (an ISO made for it); vmmc up on its new drive's form
nd_up() {
	n=$(lv_name "$1")
	guest "$n" "$2"
	if [ "${3:-}" = start ]; then
		lv_virsh start "$n" >/dev/null
	fi
	vol=$1-$$.iso
	make_iso "$vol"
	iso=$MD_TMP/$vol
	vmmc_up
	add_cd_local "$n" "$iso"
}

# cd_src NAME [--inactive]: the targets and files of NAME's CD/DVD drives
# ("sda /var/tmp/x.iso" a line), as virsh dumpxml has them
cd_src() {
	lv_virsh dumpxml "$@" | python3 -c '
import sys, xml.etree.ElementTree as ET
for d in ET.fromstring(sys.stdin.read()).iter("disk"):
    if d.get("device") == "cdrom":
        s = d.find("source")
        print(d.find("target").get("dev"), s.get("file") if s is not None else "-")'
}

# a shut-off VM: the drive and the ISO for the next boot
t_media_newdrive_off() {
	local n iso sum vol
	nd_up ndo ""
	sum=$(sum_of "$iso")
	apply "Uploaded as $vol; CD/DVD drive sd"
	tm_wait_for "added at next boot" 5
	[ "$(vol_sum "$vol")" = "$sum" ] || tm_fail "the volume's SHA-256 is not the file's"
	cd_src "$n" --inactive | grep -qE "^sd[a-z] $POOL_DIR/$vol\$" || tm_fail "no drive with it: $(cd_src "$n" --inactive)"
	lv_virsh dumpxml --inactive "$n" >"$MD_TMP/ndo.xml"
	virt-xml-validate "$MD_TMP/ndo.xml" domain >/dev/null || tm_fail "virt-xml-validate failed"
	tm_wait_for "CD/DVD sda ($vol)" 10
	tm_keys Escape
}

# a running VM without a SCSI controller: said in the form, added for the
# next boot (libvirt hot-plugs no SATA/IDE CD/DVD drive)
t_media_newdrive_running() {
	local n iso vol
	nd_up ndr "" start
	tm_assert_contains "a SATA/IDE CD/DVD drive cannot be hot-plugged"
	apply "Uploaded as $vol; CD/DVD drive sda: added at next boot"
	cd_src "$n" --inactive | grep -qE "^sda $POOL_DIR/$vol\$" || tm_fail "not for the next boot: $(cd_src "$n" --inactive)"
	[ -z "$(cd_src "$n")" ] || tm_fail "in the running VM: $(cd_src "$n")"
	lv_virsh domblklist "$n" | grep -q "$vol" && tm_fail "domblklist has it: $(lv_virsh domblklist "$n")"
	tm_keys Escape
	lv_virsh destroy "$n" >/dev/null
}

# a running VM with a virtio-scsi controller: the drive goes in now, on
# SCSI; the same file again (a second new drive) reuses the pooled volume
t_media_newdrive_scsi_live() {
	local n iso vol
	nd_up nds "<controller type='scsi' model='virtio-scsi'/>" start
	tm_assert_contains "added now on its SCSI controller"
	apply "Uploaded as $vol; CD/DVD drive sda: added now and at next boot"
	lv_virsh domblklist "$n" | grep -qE "^ *sda +$POOL_DIR/$vol" || tm_fail "not in the running VM: $(lv_virsh domblklist "$n")"
	cd_src "$n" --inactive | grep -qE "^sda $POOL_DIR/$vol\$" || tm_fail "not for the next boot"
	lv_virsh dumpxml "$n" | grep -q "bus='scsi'" || tm_fail "not on SCSI"
	# a second drive, the same file: no second upload
	set_item "+ Add hardware"
	set_new_cd "$iso" "$POOL"
	apply "Pooled copy $vol used"
	[ "$(vols | grep -c "^nds-$$")" = 1 ] || tm_fail "a second volume: $(vols)"
	lv_virsh domblklist "$n" | grep -qE "^ *sdb +$POOL_DIR/$vol" || tm_fail "no second drive: $(lv_virsh domblklist "$n")"
	tm_keys Escape
	lv_virsh destroy "$n" >/dev/null
}

# nd_uploading TAG SIZE: the caller's n (a shut-off guest without a drive)
# and big (a file of SIZE, "yes" text); its new drive with big applied: the
# upload under way in the Local ISO dialog
nd_uploading() {
	n=$(lv_name "$1")
	guest "$n" ""
	big=$MD_TMP/$1-$$.iso
	yes "vmmc media new drive $1 $$" | head -c "$2" >"$big"
	vmmc_up
	add_cd_local "$n" "$big"
	tm_keys M-y # Appl&y
	tm_wait_for "─ Local ISO ─" 10
}

# Cancel mid-upload: no volume, no drive
t_media_newdrive_cancel() {
	local n big before
	nd_uploading ndc 768M
	before=$(lv_virsh dumpxml --inactive "$n" | sha256sum)
	tm_keys Enter # its only button: Cancel
	tm_wait_for "Local ISO: Cancelled" 10
	wait_true 30 eval "! lv_virsh vol-list $POOL | grep -q ndc-$$" || tm_fail "the cancelled upload left: $(vols)"
	ls "$POOL_DIR" | grep -q "^ndc-$$" && tm_fail "files left in the pool's folder: $(ls "$POOL_DIR")"
	[ "$(lv_virsh dumpxml --inactive "$n" | sha256sum)" = "$before" ] || tm_fail "the VM changed: $(cd_src "$n" --inactive)"
	tm_keys Escape
	rm -f "$big"
}

# the drive cannot be added after the upload (the VM was deleted meanwhile):
# the volume uploaded for it is removed again
t_media_newdrive_fails() {
	local n big
	nd_uploading ndf 256M
	lv_virsh undefine "$n" >/dev/null || tm_fail "virsh undefine failed"
	tm_wait_gone "─ Local ISO ─" 60
	wait_true 30 eval "! lv_virsh vol-list $POOL | grep -q ndf-$$" || tm_fail "the uploaded volume was left: $(vols)"
	tm_assert_not_contains "Uploaded as ndf-$$.iso; CD/DVD drive"
	tm_keys Escape
	rm -f "$big"
}

# ---- the Integration Tools wizard: virtio-win from a local file ---------------------

# win_guest NAME: the tiny guest, shut off, whose libosinfo metadata says Windows 10
win_guest() {
	local n=$1
	"$TM_ROOT/tests/guest/domain.sh" "$n" >"$MD_TMP/$n.xml" || tm_fail "domain.sh failed"
	python3 - "$MD_TMP/$n.xml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
meta = ("<metadata><libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<libosinfo:os id='http://microsoft.com/win/10'/></libosinfo:libosinfo></metadata>")
i = s.index("</name>") + len("</name>")
open(p, "w").write(s[:i] + meta + s[i:])
EOF
	lv_virsh define "$MD_TMP/$n.xml" >/dev/null || tm_fail "could not define $n"
	lv_virsh dumpxml --inactive "$n" | grep -q "disk.*device='cdrom'" && tm_fail "the VM has a CD-ROM already"
	return 0
}

# wizard_to_finish NAME LOCAL VOL: the wizard on NAME up to its last page,
# the virtio-win ISO the local file LOCAL (to be uploaded as VOL into our pool)
wizard_to_finish() {
	pick "$1"
	tm_keys Y
	tm_wait_for "Guest OS: http://microsoft.com/win/10" 15
	tm_keys Enter
	tm_wait_for "virtio-win IS" 5
	tm_keys M-l
	tm_type "$2"
	tm_keys M-u
	set_choice "$POOL"
	tm_keys Enter
	tm_wait_for "$POOL at Finish (as" 10
	tm_assert_contains "$POOL_DIR/$3"
	tm_keys Enter
	tm_wait_for "Finish makes the changes" 5
}

t_media_wizard_virtio_win() {
	local n iso sum
	n=$(lv_name win)
	win_guest "$n"
	mkdir -p "$MD_TMP/w"
	make_iso "w/virtio-win.iso"
	iso=$MD_TMP/w/virtio-win.iso
	sum=$(sum_of "$iso")
	vmmc_up
	wizard_to_finish "$n" "$iso" virtio-win.iso
	tm_keys Enter
	wait_true 60 eval "lv_virsh dumpxml --inactive $n | grep -q \"$POOL_DIR/virtio-win.iso\"" ||
		tm_fail "the CD-ROM with the ISO is not in the configuration"
	lv_virsh dumpxml --inactive "$n" | grep -q "device='cdrom'" || tm_fail "no CD-ROM was added"
	[ "$(vol_sum virtio-win.iso)" = "$sum" ] || tm_fail "the volume's SHA-256 is not the file's"
}

# the host refuses the changes (the configuration changed after the wizard
# read it): the ISO uploaded for them is removed, the VM as it was
t_media_wizard_refused() {
	local n iso before
	n=$(lv_name wr)
	win_guest "$n"
	mkdir -p "$MD_TMP/wr"
	make_iso "wr/refused-$$.iso"
	iso=$MD_TMP/wr/refused-$$.iso
	vmmc_up
	wizard_to_finish "$n" "$iso" "refused-$$.iso"
	lv_virsh desc "$n" --config "changed behind the wizard" >/dev/null || tm_fail "virsh desc failed"
	before=$(lv_virsh dumpxml --inactive "$n" | sha256sum)
	tm_keys Enter
	tm_wait_for "its configuration changed since the wizard read it" 60
	wait_true 20 eval "! lv_virsh vol-list $POOL | grep -q refused-$$" || tm_fail "the uploaded ISO was left: $(vols)"
	[ "$(lv_virsh dumpxml --inactive "$n" | sha256sum)" = "$before" ] || tm_fail "the VM changed"
}

# ---- Quiesced Checkpoint ----------------------------------------------------------

# a running guest with a qcow2 disk in our pool, its agent answering, syslogd
# in the guest (qemu-ga logs "guest-fsfreeze called" there)
ckpt_guest() { # ckpt_guest NAME FORMAT
	local n=$1 f=$2
	qemu-img create -q -f "$f" "$POOL_DIR/$n.$f" 16M || tm_fail "qemu-img failed"
	chmod 644 "$POOL_DIR/$n.$f"
	guest "$n" "<disk type='file' device='disk'><driver name='qemu' type='$f'/><source file='$POOL_DIR/$n.$f'/><target dev='vdb' bus='virtio'/></disk>"
	lv_virsh start "$n" >/dev/null || tm_fail "could not start $n"
	wait_true "$T_AGENT" agent_ping "$n" || tm_fail "the guest agent of $n never answered"
	guest_sh "$n" "syslogd -O /tmp/ga.log; echo started" | grep -q started || tm_fail "no syslogd in the guest"
}

t_media_checkpoint() {
	local n snap t0 t1 t2 t3
	n=$(lv_name ck)
	ckpt_guest "$n" qcow2
	vmmc_up
	pick "$n"
	tm_keys J
	tm_wait_for "Integration Services: $n (agent up)" 20
	tm_wait_for "Checkpoints: none (Ctrl-N takes a Quiesced Checkpoint)" 15
	t0=$(date +%s%N)
	tm_keys C-n
	tm_wait_for "Quiesced Checkpoint vmmc-" 30
	t1=$(date +%s%N)
	snap=$(lv_virsh snapshot-list "$n" --name | grep -E '^vmmc-[0-9]{8}-[0-9]{6}$' || true)
	[ -n "$snap" ] || tm_fail "virsh snapshot-list has no vmmc- snapshot: $(lv_virsh snapshot-list "$n")"
	lv_virsh snapshot-info "$n" "$snap" | grep -qE "State: +disk-snapshot" || tm_fail "not a disk-only snapshot"
	lv_virsh domblklist "$n" | grep -qE "vdb +$POOL_DIR/$n\.$snap\.qcow2" || tm_fail "no overlay: $(lv_virsh domblklist "$n")"
	guest_sh "$n" "cat /tmp/ga.log" | grep -q "guest-fsfreeze called" || tm_fail "qemu-ga logged no fsfreeze"
	lv_virsh qemu-agent-command "$n" '{"execute":"guest-fsfreeze-status"}' | grep -q thawed || tm_fail "not thawed after"
	tm_wait_for "Checkpoint: " 15
	tm_assert_contains "$snap"
	tm_keys Escape
	# the same with virsh, for the figures
	printf '<domainsnapshot><name>virsh-%s</name></domainsnapshot>' "$$" >"$MD_TMP/snap.xml"
	t2=$(date +%s%N)
	lv_virsh snapshot-create "$n" "$MD_TMP/snap.xml" --disk-only --quiesce --atomic >/dev/null ||
		tm_fail "virsh could not take the same snapshot"
	t3=$(date +%s%N)
	echo "    Quiesced Checkpoint: Ctrl-N to the answer $(((t1 - t0) / 1000000)) ms; virsh snapshot-create --disk-only --quiesce --atomic $(((t3 - t2) / 1000000)) ms"
	lv_virsh destroy "$n" >/dev/null
}

t_media_checkpoint_raw_refused() {
	local n
	n=$(lv_name raw)
	ckpt_guest "$n" raw
	vmmc_up
	pick "$n"
	tm_keys J
	tm_wait_for "Integration Services: $n (agent up)" 20
	tm_keys C-n
	tm_wait_for "disk vdb is a raw file: only qcow2 disks get a Quiesced Checkpoint" 30
	[ -z "$(lv_virsh snapshot-list "$n" --name)" ] || tm_fail "a snapshot was made"
	[ "$(ls "$POOL_DIR" | grep -c "^$n")" = 1 ] || tm_fail "files made: $(ls "$POOL_DIR")"
	guest_sh "$n" "cat /tmp/ga.log" | grep -q "guest-fsfreeze called" && tm_fail "the guest was frozen"
	tm_keys Escape
	lv_virsh destroy "$n" >/dev/null
}

# no agent: refused with the reason, nothing made
t_media_checkpoint_no_agent() {
	local n
	n=$(lv_name na)
	qemu-img create -q -f qcow2 "$POOL_DIR/$n.qcow2" 16M || tm_fail "qemu-img failed"
	chmod 644 "$POOL_DIR/$n.qcow2"
	guest "$n" "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$POOL_DIR/$n.qcow2'/><target dev='vdb' bus='virtio'/></disk>" --no-agent
	lv_virsh start "$n" >/dev/null || tm_fail "could not start $n"
	vmmc_up
	pick "$n"
	tm_keys C-n
	tm_wait_for "the VM has no guest agent channel" 30
	[ -z "$(lv_virsh snapshot-list "$n" --name)" ] || tm_fail "a snapshot was made"
	[ "$(ls "$POOL_DIR" | grep -c "^$n")" = 1 ] || tm_fail "files made: $(ls "$POOL_DIR")"
	lv_virsh destroy "$n" >/dev/null
}

# ---- run --------------------------------------------------------------------------

md_exit() {
	set +e
	tm_sweep
	snapshots_down
	sh_down
	lv_cleanup_vms
	fixtures_down
	lv_down
	rm -rf "$MD_TMP"
}
trap md_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

md_setup() { tm_guest_up && fixtures_up; } # libvirtd, the guest, our pool
tm_suite_main media t_media_ md_setup "no libvirtd on $URI, no test guest, or no pool" "$@"
