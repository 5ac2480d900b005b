#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/storage.sh - `make bench`: volume uploads, vmmc's backend
# (tests/bench/xfer_bench.c: be_xfer_start, as the UI runs it) side by side
# with `virsh vol-upload`:
#   1. a 1 GiB file of random data, on the local qemu:///system daemon
#   2. a sparse 8 GiB file with 256 MiB of data (vmmc sparse vs --sparse)
#   3. the 1 GiB file over SSH: vmmc's ssh:// host vs virsh -c qemu+ssh://,
#      both through a hermetic sshd on loopback (tests/lib/sshhost.sh)
#   4. a 128 MiB file to the far host (tests/remote/farhost.sh, 200 ms
#      RTT; VMMC_BENCH_RTT_MS), same two clients (2 runs at most)
# VMMC_BENCH_KINDS picks some of them ("ssh far"; default: all four).
# Each figure is the best of VMMC_BENCH_RUNS (5) runs; MB/s = file size /
# wall time. vmmc's time includes making the new volume (it uploads into a
# volume it makes); virsh's is given twice: `vol-upload` alone into a
# volume made beforehand (the strict figure, the ratio printed), and with
# the `vol-create-as` before it (the same work as vmmc's, "+create").
# A directory pool in a temporary folder, named vmmc-bench-<pid>, removed
# at the end. Prints figures only.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${VMMC_BENCH_RUNS:-5}
uri=qemu:///system
pool=vmmc-bench-$$
# shellcheck source=tests/lib/libvirtd.sh
. "$root/tests/lib/libvirtd.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$root/tests/lib/sshhost.sh"

die() { echo "bench storage: $*" >&2; exit 1; }

lv_up || die "cannot start libvirtd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-st.XXXXXX")
chmod 755 "$tmp"
cleanup() {
	virsh -q -c "$uri" pool-destroy "$pool" >/dev/null 2>&1 || true
	virsh -q -c "$uri" pool-delete "$pool" >/dev/null 2>&1 || true
	virsh -q -c "$uri" pool-undefine "$pool" >/dev/null 2>&1 || true
	sh_down
	[ ! -d "$tmp/far" ] || "$root/tests/remote/farhost.sh" down "$tmp/far" >/dev/null 2>&1
	rm -rf "$tmp"
	lv_down
}
trap cleanup EXIT

"$root/tests/bench/build-xfer-bench.sh" "$tmp/xfer_bench" || die "cannot build xfer_bench"

virsh -q -c "$uri" pool-define-as "$pool" dir --target "$tmp/pool" >/dev/null || die "pool-define-as"
virsh -q -c "$uri" pool-build "$pool" >/dev/null || die "pool-build"
virsh -q -c "$uri" pool-start "$pool" >/dev/null || die "pool-start"
puuid=$(virsh -q -c "$uri" pool-uuid "$pool")

echo "bench storage: making the files"
dd if=/dev/urandom of="$tmp/full.img" bs=1M count=1024 status=none
truncate -s 8G "$tmp/sparse.img"
for off in 0 2048 4096 8000; do # 4 x 64 MiB of data, holes between
	dd if=/dev/urandom of="$tmp/sparse.img" bs=1M count=64 seek=$off conv=notrunc status=none
done

now() { date +%s.%N; }
best() { sort -n | head -n 1; }

# virsh_up URI FILE SIZE [--sparse]: "UPLOAD_S CREATE_AND_UPLOAD_S"
virsh_up() {
	local u=$1 f=$2 size=$3 tc t0 t1
	sync
	tc=$(now)
	virsh -q -c "$u" vol-create-as "$pool" vb.img "$size" --format raw --allocation 0 >/dev/null ||
		die "vol-create-as"
	t0=$(now)
	virsh -q -c "$u" vol-upload --pool "$pool" vb.img "$f" ${4:-} || die "virsh vol-upload"
	t1=$(now)
	virsh -q -c "$uri" vol-delete --pool "$pool" vb.img >/dev/null
	awk -v c="$tc" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f %.3f\n", b - a, b - c }'
}

# vmmc_up URI FILE [--sparse]: seconds, from xfer_bench
vmmc_up() {
	local out
	sync
	out=$("$tmp/xfer_bench" "$1" "$puuid" vm.img "$2" ${3:-}) || die "xfer_bench failed"
	virsh -q -c "$uri" vol-delete --pool "$pool" vm.img >/dev/null
	sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out"
}

row() { # NAME BYTES VMMC_S VIRSH_S VIRSH_CREATE_S
	awk -v n="$1" -v b="$2" -v a="$3" -v v="$4" -v c="$5" 'BEGIN {
		printf "%-34s vmmc %7.1f MB/s (%.2f s)   virsh %7.1f MB/s (%.2f s, +create %.2f s)   vmmc/virsh %.2fx (+create %.2fx)\n",
			n, b / a / 1e6, a, b / v / 1e6, v, c, v / a, c / a }'
}

sh_up "$tmp/sh" || die "cannot start the test sshd"
ssh_vmmc="ssh://root@127.0.0.1:$SH_PORT"
ssh_virsh="qemu+ssh://root@127.0.0.1:$SH_PORT/system?no_verify=1&no_tty=1"

rtt=${VMMC_BENCH_RTT_MS:-200}
far_vmmc= far_virsh=
if read -r far_addr far_port < <(FARHOST_OWNER=$$ "$root/tests/remote/farhost.sh" up "$tmp/far" $((rtt / 2))) &&
	[ -n "${far_port:-}" ]; then
	cat "$SH_KEY.pub" >>"$tmp/far/authorized_keys"
	ssh-keyscan -T 10 -t ed25519 -p "$far_port" "$far_addr" 2>/dev/null >>"$VMMC_SSH_DIR/known_hosts"
	far_vmmc="ssh://root@$far_addr:$far_port"
	far_virsh="qemu+ssh://root@$far_addr:$far_port/system?no_verify=1&no_tty=1"
	head -c $((128 << 20)) "$tmp/full.img" >"$tmp/far.img"
else
	echo "bench storage: the far host did not come up: no figure at ${rtt} ms" >&2
fi

for kind in ${VMMC_BENCH_KINDS:-full sparse ssh far}; do
	f=$tmp/full.img vu=$uri mu=$uri flag= n=$runs
	case $kind in
	sparse) f=$tmp/sparse.img flag=--sparse ;;
	ssh) vu=$ssh_virsh mu=$ssh_vmmc ;;
	far)
		[ -n "$far_vmmc" ] || continue
		f=$tmp/far.img vu=$far_virsh mu=$far_vmmc
		[ "$n" -le 2 ] || n=2
		;;
	esac
	size=$(stat -c %s "$f")
	vs=() cs=() ms=()
	for ((i = 0; i < n; i++)); do
		read -r vu_s vc_s < <(virsh_up "$vu" "$f" "$size" $flag)
		vs+=("$vu_s") cs+=("$vc_s")
		ms+=("$(vmmc_up "$mu" "$f" $flag)")
	done
	v=$(printf '%s\n' "${vs[@]}" | best)
	c=$(printf '%s\n' "${cs[@]}" | best)
	m=$(printf '%s\n' "${ms[@]}" | best)
	case $kind in
	full) row "upload 1 GiB (local daemon)" "$size" "$m" "$v" "$c" ;;
	sparse) row "upload sparse 8 GiB, 256 MiB data" "$size" "$m" "$v" "$c" ;;
	ssh) row "upload 1 GiB over SSH (loopback)" "$size" "$m" "$v" "$c" ;;
	far) row "upload 128 MiB, SSH at ${rtt} ms RTT" "$size" "$m" "$v" "$c" ;;
	esac
done
