#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/storage_ssh.sh - volume uploads to an ssh:// host: vmmc's
# backend (tests/bench/xfer_bench.c, be_xfer_start as the UI runs it)
# reaching the real libvirtd (qemu:///system) through a hermetic sshd on a
# loopback port (tests/remote/sshd.sh) with a key in a private ssh-agent.
#   - a 64 MiB file: `virsh vol-download` gives back the same SHA-256
#   - a sparse 256 MiB file with 12 MiB of data: same SHA-256, and the
#     volume allocates about its data
#   - the SSH link cut at ~50% of a 256 MiB upload (sshd and its sessions
#     killed, sshd back 2 s later): the upload resumes after the reconnect,
#     less than 60% of the file goes again, the content matches
#   - the same on the far-host path (the transfer's own connection over an
#     exec channel running virt-ssh-helper, taken on loopback with
#     VMMC_SSH_XFER_RTT_MS=0): a new helper channel after the reconnect,
#     less than 60% again, the same SHA-256
# Everything is in a temporary folder and a pool named vmmc-test-<pid>-pool,
# removed at exit. Root only. Ends with "storage-ssh: N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$root/tests/lib/sshhost.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-st-ssh-$$.XXXXXX")
chmod 755 "$tmp"
pool=${LV_PREFIX}pool
pass=0 fail=0

finish() {
	lv_virsh pool-destroy "$pool" >/dev/null 2>&1
	lv_virsh pool-delete "$pool" >/dev/null 2>&1
	lv_virsh pool-undefine "$pool" >/dev/null 2>&1
	sh_down
	lv_down
	rm -rf "$tmp"
}
trap finish EXIT

ok() { echo "  ok: $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL: $*" >&2; fail=$((fail + 1)); }

setup() {
	lv_up || return 1
	mkdir -p "$tmp/pool"
	sh_up "$tmp/sh" || return 1
	"$root/tests/bench/build-xfer-bench.sh" "$tmp/xfer_bench" || return 1
	lv_virsh pool-define-as "$pool" dir --target "$tmp/pool" >/dev/null || return 1
	lv_virsh pool-build "$pool" >/dev/null && lv_virsh pool-start "$pool" >/dev/null || return 1
	puuid=$(lv_virsh pool-uuid "$pool") || return 1
	uri="ssh://root@127.0.0.1:$SH_PORT"
}

# the SHA-256 of a volume as virsh reads it back
vol_sha() {
	lv_virsh vol-download --pool "$pool" "$1" "$tmp/down" >/dev/null || return 1
	sha256sum "$tmp/down" | cut -d' ' -f1
	rm -f "$tmp/down"
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

t_upload_64m() {
	local out want got
	dd if=/dev/urandom of="$tmp/f64" bs=1M count=64 status=none
	want=$(sha256sum "$tmp/f64" | cut -d' ' -f1)
	out=$("$tmp/xfer_bench" "$uri" "$puuid" f64.img "$tmp/f64" --hash) || { bad "64 MiB upload: $out"; return; }
	got=$(vol_sha f64.img)
	[ "$got" = "$want" ] && [ "$(field sha256 "$out")" = "$want" ] &&
		ok "64 MiB over ssh:// ($(field seconds "$out") s), SHA-256 matches" ||
		bad "64 MiB: $got != $want"
}

t_upload_sparse() {
	local out want got alloc
	truncate -s 256M "$tmp/sp"
	dd if=/dev/urandom of="$tmp/sp" bs=1M count=4 conv=notrunc status=none
	dd if=/dev/urandom of="$tmp/sp" bs=1M count=8 seek=120 conv=notrunc status=none
	want=$(sha256sum "$tmp/sp" | cut -d' ' -f1)
	out=$("$tmp/xfer_bench" "$uri" "$puuid" sp.img "$tmp/sp" --sparse) || { bad "sparse upload: $out"; return; }
	got=$(vol_sha sp.img)
	lv_virsh pool-refresh "$pool" >/dev/null
	alloc=$(lv_virsh vol-info --bytes --pool "$pool" sp.img | awk '/^Allocation:/ {print $2}')
	if [ "$got" != "$want" ]; then
		bad "sparse: $got != $want"
	elif [ "$(field sent "$out")" -gt $((12 * 1048576)) ] || [ "$alloc" -gt $((16 * 1048576)) ]; then
		bad "sparse: sent $(field sent "$out") bytes, allocation $alloc for 12 MiB of data"
	else
		ok "sparse 256 MiB (12 MiB data) over ssh://: sent $(field sent "$out"), allocation $alloc, SHA-256 matches"
	fi
}

t_resume_after_cut() {
	local out want got sent total
	dd if=/dev/urandom of="$tmp/big" bs=1M count=256 status=none
	want=$(sha256sum "$tmp/big" | cut -d' ' -f1)
	# the cut: sshd and every session gone; sshd back on the same port 2 s later
	printf '#!/bin/bash\n. "%s/tests/lib/sshhost.sh"\nSH_DIR="%s" SH_PORT=%s\nsh_cut\n' \
		"$root" "$SH_DIR" "$SH_PORT" >"$tmp/cut.sh"
	chmod +x "$tmp/cut.sh"
	out=$("$tmp/xfer_bench" "$uri" "$puuid" big.img "$tmp/big" --cut-at 50 \
		--cut-cmd "$tmp/cut.sh") || { bad "resume: $out"; return; }
	got=$(vol_sha big.img)
	sent=$(field sent "$out")
	total=$(field total "$out")
	if [ "$got" != "$want" ]; then
		bad "resume: content differs"
	elif [ "$(field resumes "$out")" -lt 1 ]; then
		bad "resume: the link was not cut (resumes=0)"
	elif [ "$sent" -ge $((total * 16 / 10)) ]; then
		bad "resume: $sent bytes sent for $total (60% or more again)"
	else
		ok "cut at 50%: resumed $(field resumes "$out") time(s), sent $((sent / 1048576)) MiB for $((total / 1048576)) MiB, SHA-256 matches"
	fi
}

# The far-host path: transfers on a connection of their own, over an exec
# channel running virt-ssh-helper (be_ssh.c takes it from 10 ms RTT;
# VMMC_SSH_XFER_RTT_MS=0 takes it on loopback). The link cut at ~50%: the
# upload resumes on a new helper channel from the offset the host confirmed.
t_resume_exec_channel() {
	local out want got sent total chans own
	[ -s "$tmp/big" ] || dd if=/dev/urandom of="$tmp/big" bs=1M count=256 status=none
	want=$(sha256sum "$tmp/big" | cut -d' ' -f1)
	printf '#!/bin/bash\n. "%s/tests/lib/sshhost.sh"\nSH_DIR="%s" SH_PORT=%s\nsh_cut\n' \
		"$root" "$SH_DIR" "$SH_PORT" >"$tmp/cut.sh"
	chmod +x "$tmp/cut.sh"
	rm -f "$tmp/xfer.log"
	out=$(VMMC_SSH_XFER_RTT_MS=0 VMMC_LOG="$tmp/xfer.log" "$tmp/xfer_bench" "$uri" "$puuid" bigx.img \
		"$tmp/big" --cut-at 50 --cut-cmd "$tmp/cut.sh") || { bad "exec-channel resume: $out"; return; }
	[ -z "${VMMC_KEEP_LOG:-}" ] || cp "$tmp/xfer.log" "$VMMC_KEEP_LOG" # for a look afterwards
	got=$(vol_sha bigx.img)
	sent=$(field sent "$out")
	total=$(field total "$out")
	chans=$(grep -c 'transfers get a channel of their own (virt-ssh-helper' "$tmp/xfer.log")
	own=$(grep -c 'xfer: .*: a connection of its own' "$tmp/xfer.log")
	if [ "$chans" -lt 2 ] || [ "$own" -lt 2 ]; then
		bad "exec-channel resume: $chans helper channel(s) opened, $own transfer connection(s) over one (one before the cut and one after wanted): $(grep -E 'ssh:|xfer:' "$tmp/xfer.log" | cut -c12-200)"
	elif ! grep -E 'xfer: .*connection of its own' "$tmp/xfer.log" | tail -n 1 | grep -q ': a connection of its own'; then
		# (a connect that lands while sh_cut still kills sessions may
		# fail and fall back; the last one, after the last reconnect, counts)
		bad "exec-channel resume: after the last reconnect the transfer went on the host's connection: $(grep -E 'ssh:|xfer:|link|connected' "$tmp/xfer.log" | cut -c12-200)"
	elif [ "$got" != "$want" ]; then
		bad "exec-channel resume: content differs"
	elif [ "$(field resumes "$out")" -lt 1 ]; then
		bad "exec-channel resume: the link was not cut (resumes=0)"
	elif [ "$sent" -ge $((total * 16 / 10)) ]; then
		bad "exec-channel resume: $sent bytes sent for $total (60% or more again)"
	else
		ok "exec channel (virt-ssh-helper), cut at 50%: $chans channels, resumed $(field resumes "$out") time(s), sent $((sent / 1048576)) MiB for $((total / 1048576)) MiB, SHA-256 matches"
	fi
}

if ! setup; then
	echo "storage-ssh: set-up failed" >&2
	echo "storage-ssh: 0 passed, 4 failed"
	exit 1
fi
for t in ${VMMC_TESTS:-t_upload_64m t_upload_sparse t_resume_after_cut t_resume_exec_channel}; do
	echo "== $t"
	$t
done
echo "storage-ssh: $pass passed, $fail failed"
[ "$fail" = 0 ]
