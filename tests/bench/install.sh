#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/install.sh [BIN] - `make bench`: the text installer on the
# serial console (issue 18), Finish to the installer's first screen, vmmc
# against virt-install with the same VM (TCG, 512 MiB, 1 vCPU, no disk
# and no network for virt-install; vmmc's has a 64 MiB disk it creates),
# VMMC_BENCH_RUNS runs each (3), the median:
#   vmmc          the New VM wizard in tmux, a pooled Debian netinst
#                 look-alike holding Debian 12's real installer
#                 (tests/e2e/install.sh t_ins_pooled_text prints the figure)
#   virt-install  --location ISO --extra-args console=ttyS0,115200n8
#                 --noautoconsole, then `virsh console` until "Low memory"
# then the same on a far host (tests/lib/farssh.sh, VMMC_BENCH_RTT_MS,
# default 200 ms RTT; VMMC_BENCH_FAR=0 skips it, VMMC_BENCH_LOCAL=0 the
# local half):
#   vmmc          its ssh:// host with the ISO in a pool there, read by
#                 ranged downloads (tests/e2e/install.sh t_ins_ssh); the ISO
#                 carries INS_ISO_PAD_MB (100) MiB of packages besides the
#                 installer, as a real netinst does
#   virt-install  over qemu+ssh:// it refuses a local or pooled ISO ("Cannot
#                 access install tree on remote connection"): the URL form,
#                 --location http://FAR/.../installer-amd64/, the same
#                 kernel and initrd extracted from the same ISO, served by
#                 python3 -m http.server inside the far namespace (the Debian
#                 mirror's layout, current/images/netboot/...); virt-install
#                 fetches them and uploads them into the host's boot-scratch
#                 pool (/var/lib/libvirt/boot; made when missing, and then
#                 removed again at exit)
# and the bytes through the far link during each run (both ways; the
# veth's counters), next to the kernel + initrd and the ISO's size.
# Prints figures, passes or fails nothing (exit 0 unless something could not
# run). Root only; everything it makes is named vmmc-bench-ins-<pid>, and
# the pools virt-install makes for the bench's folder are removed.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
runs=${VMMC_BENCH_RUNS:-3}
pad=${INS_ISO_PAD_MB:-100}
DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
name=vmmc-bench-ins-$$
tmp=$(mktemp -d /var/tmp/vmmc-bench-ins.XXXXXX)
con_pid='' http_pid='' scratch_made=0
# shellcheck source=tests/lib/farssh.sh
. "$root/tests/lib/farssh.sh"

# pools_at DIR: the pools whose folder is DIR or in it
pools_at() {
	local p path
	for p in $(virsh -q -c qemu:///system pool-list --all --name 2>/dev/null); do
		path=$(virsh -q -c qemu:///system pool-dumpxml "$p" 2>/dev/null | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -n 1)
		case $path in
		"$1" | "$1"/*) echo "$p" ;;
		esac
	done
}

# drop_pools_at DIR: remove them (virt-install makes one for the folder of
# a local --location ISO, and boot-scratch for its uploads to a remote host)
drop_pools_at() {
	local p
	for p in $(pools_at "$1"); do
		virsh -q -c qemu:///system pool-destroy "$p" >/dev/null 2>&1
		virsh -q -c qemu:///system pool-undefine "$p" >/dev/null 2>&1
	done
}

# shellcheck disable=SC2317 # (the EXIT trap)
cleanup() {
	set +e
	[ -z "$con_pid" ] || kill "$con_pid" 2>/dev/null
	[ -z "$http_pid" ] || kill "$http_pid" 2>/dev/null
	virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1
	virsh -q -c qemu:///system undefine "$name" >/dev/null 2>&1
	for v in $(virsh -q -c qemu:///system vol-list default 2>/dev/null | awk -v n="$name" 'index($1, n) == 1 {print $1}'); do
		virsh -q -c qemu:///system vol-delete "$v" --pool default >/dev/null 2>&1
	done
	[ "$scratch_made" = 0 ] || drop_pools_at /var/lib/libvirt/boot
	drop_pools_at "$tmp"
	far_ssh_down
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

[ -r "$DI/initrd.gz" ] || { echo "bench install: no $DI (debian-installer-12-netboot-amd64)" >&2; exit 1; }
command -v virt-install >/dev/null || { echo "bench install: virt-install is not installed (virtinst)" >&2; exit 1; }

# breakdown LOG TOTAL_MS: one line of vmmc's steps (the e2e's "newvm: step
# ...: done in N ms" lines) and the rest to the installer's first screen
breakdown() {
	local last
	last=$(sed -n 's/.*newvm: step [0-9]*\/[0-9]* .*: done in [0-9]* ms, +\([0-9]*\) ms from Finish.*/\1/p' "$1" | tail -n 1)
	sed -n 's/.*newvm: step [0-9]*\/[0-9]* (\([A-Za-z]*\) .*: done in \([0-9]*\) ms.*/\1 \2/p' "$1" |
		awk -v total="$2" -v last="${last:-0}" '{ printf "%s%s %.1f s", (NR > 1 ? ", " : ""), tolower($1), $2 / 1000 }
			END { if (total != "" && last > 0) printf ", console to the first screen %.1f s", (total - last) / 1000; print "" }'
}

median() {
	printf '%s\n' "$@" | grep -E '^[0-9]+$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "?" }'
}

# side_by_side VMMC_MS... -- VI_MS...
side_by_side() {
	local -a a=() b=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	local ma mb
	ma=$(median "${a[@]}")
	mb=$(median "${b[@]}")
	printf '  %-14s %8s ms  (runs: %s)\n' vmmc "$ma" "${a[*]}" virt-install "$mb" "${b[*]}"
	if [ "$ma" != "?" ] && [ "$mb" != "?" ]; then
		echo "  vmmc / virt-install: $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", a / b }') (target: <= 1)"
	fi
}

chmod 755 "$tmp"
mkdir -p "$tmp/iso/install.amd"
cp "$DI/linux" "$tmp/iso/install.amd/vmlinuz"
cp "$DI/initrd.gz" "$tmp/iso/install.amd/initrd.gz"
xorriso -as mkisofs -quiet -R -J -V "Debian 11.7.0 amd64 n" -o "$tmp/deb.iso" "$tmp/iso" 2>/dev/null
chmod 644 "$tmp/deb.iso"
kbytes=$(($(stat -c %s "$DI/linux") + $(stat -c %s "$DI/initrd.gz")))

# vi_run URI: virt-install's Finish to "Low memory" in ms on stdout
vi_run() {
	local t0 i
	t0=$(date +%s%N)
	SSH_AUTH_SOCK=${FAR_SOCK:-} virt-install --connect "$1" --name "$name" --virt-type qemu --memory 512 --vcpus 1 \
		--os-variant debian11 --location "${vi_loc:-$tmp/deb.iso}" --extra-args console=ttyS0,115200n8 \
		--disk none --network none --graphics none --noautoconsole >"$tmp/vi.log" 2>&1 ||
		{ sed 's/^/  virt-install: /' "$tmp/vi.log" >&2; return 1; }
	rm -f "$tmp/con.log"
	SSH_AUTH_SOCK=${FAR_SOCK:-} script -qfc "virsh -c '$1' console --force $name" "$tmp/con.log" >/dev/null 2>&1 </dev/null &
	con_pid=$!
	for ((i = 0; i < 1800; i++)); do
		if grep -q "Low memory" "$tmp/con.log" 2>/dev/null; then
			echo $((($(date +%s%N) - t0) / 1000000))
			break
		fi
		sleep 0.1
	done
	kill "$con_pid" 2>/dev/null
	con_pid=''
	virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1
	virsh -q -c qemu:///system undefine "$name" >/dev/null 2>&1
	return 0
}

if [ "${VMMC_BENCH_LOCAL:-1}" != 0 ]; then
	echo "== text installer on the serial console: Finish to the installer's first screen ($runs runs, median) =="
	vm=() vi=()
	steps=()
	for ((r = 1; r <= runs; r++)); do
		TM_TEST_TIMEOUT=${TM_TEST_TIMEOUT:-900} VMMC_BIN=$bin bash "$root/tests/e2e/install.sh" 't_ins_pooled_text$' \
			>"$tmp/local-e2e.log" 2>&1 || true
		vm+=("$(sed -n "s/.*Finish to the installer's first screen in the console: \([0-9]*\) ms.*/\1/p" "$tmp/local-e2e.log")")
		steps+=("$(breakdown "$tmp/local-e2e.log" "${vm[-1]}")")
		vi+=("$(vi_run qemu:///system || true)")
		# each run as it ends (a long run on a loaded machine: the figures so far)
		echo "  run $r: vmmc ${vm[-1]:-?} ms, virt-install ${vi[-1]:-?} ms (load $(cut -d' ' -f1 /proc/loadavg)); vmmc: ${steps[-1]}"
	done
	drop_pools_at "$tmp"
	echo "  (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
	side_by_side "${vm[@]}" -- "${vi[@]}"
	for ((r = 0; r < runs; r++)); do echo "  vmmc run $((r + 1)): ${steps[r]}"; done
fi

[ "${VMMC_BENCH_FAR:-1}" != 0 ] || exit 0
rtt=${VMMC_BENCH_RTT_MS:-200}
mkdir -p "$tmp/farhost"
far_ssh_up "$tmp/farhost" "$rtt" || { echo "bench install: no far host" >&2; exit 1; }
echo "== the same on a far host ($rtt ms RTT, delay $(cat "$tmp/farhost/far/delay_method")): vmmc's ssh:// host with the ISO in its pool; virt-install over qemu+ssh:// with the URL of the same tree =="
vmf=() vmb=() read_line='' fsteps=()
for ((r = 1; r <= runs; r++)); do
	b0=$(far_bytes)
	VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-5} TM_TEST_TIMEOUT=${TM_TEST_TIMEOUT:-900} VMMC_BIN=$bin \
		VMMC_SSH_DIR=$FAR_SSHDIR SSH_AUTH_SOCK=$FAR_SOCK INS_SSH_ADDR=$FAR_ADDR INS_SSH_PORT=$FAR_PORT \
		INS_ISO_PAD_MB=$pad bash "$root/tests/e2e/install.sh" 't_ins_ssh$' >"$tmp/far-e2e.log" 2>&1 || true
	vmb+=($(($(far_bytes) - b0)))
	ms=$(sed -n "s/.*ssh:\/\/ host: Finish to the installer's first screen: \([0-9]*\) ms.*/\1/p" "$tmp/far-e2e.log")
	[ -n "$read_line" ] || read_line=$(sed -n "s/.*ssh:\/\/ host: \(Extracted .*\)/\1/p" "$tmp/far-e2e.log")
	if [ -z "$ms" ]; then # the failure, with the screen the e2e printed
		grep -aE "timed out|FAIL|failed|TIMEOUT" "$tmp/far-e2e.log" | head -n 5 | sed 's/^/  vmmc: /'
		grep -a '^|' "$tmp/far-e2e.log" | grep -avE '^\|[ │]*$' | tail -n 12 | sed 's/^/  vmmc: /'
	fi
	vmf+=("$ms")
	fsteps+=("$(breakdown "$tmp/far-e2e.log" "$ms")")
	echo "  vmmc run $r: $ms ms (load $(cut -d' ' -f1 /proc/loadavg)); ${fsteps[-1]}"
	grep -ao "ssh:// host: Extracted .*" "$tmp/far-e2e.log" | sed "s/^ssh:\/\/ host: /  vmmc run $r: /" || true
done

# the URL tree: the ISO's kernel and initrd, extracted, where a Debian
# mirror keeps its netboot installer (virt-install finds the architecture
# in the URL: .../installer-amd64/)
url_dir=debian/dists/bookworm/main/installer-amd64
www=$tmp/www
mkdir -p "$www/$url_dir/current/images/netboot/debian-installer/amd64" "$tmp/x"
xorriso -osirrox on -indev "$tmp/deb.iso" -extract /install.amd "$tmp/x/install.amd" >/dev/null 2>&1
cp "$tmp/x/install.amd/vmlinuz" "$www/$url_dir/current/images/netboot/debian-installer/amd64/linux"
cp "$tmp/x/install.amd/initrd.gz" "$www/$url_dir/current/images/netboot/debian-installer/amd64/initrd.gz"
echo "debian installer netboot images (vmmc bench)" >"$www/$url_dir/current/images/MANIFEST"
http_port=18080
ip netns exec "$FAR_NS" python3 -m http.server --bind "$FAR_ADDR" --directory "$www" "$http_port" >"$tmp/http.log" 2>&1 &
http_pid=$!
ok=0
for _ in $(seq 100); do
	# shellcheck disable=SC2016 # (expanded by the inner bash)
	if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$FAR_ADDR" "$http_port" 2>/dev/null; then
		ok=1
		break
	fi
	sleep 0.1
done
[ "$ok" = 1 ] || { echo "bench install: the far host's HTTP server does not answer" >&2; exit 1; }
[ -n "$(pools_at /var/lib/libvirt/boot)" ] || scratch_made=1
vi_loc=http://$FAR_ADDR:$http_port/$url_dir/
vif=() vib=()
for ((r = 1; r <= runs; r++)); do
	b0=$(far_bytes)
	vif+=("$(vi_run "$FAR_URI" || true)")
	vib+=($(($(far_bytes) - b0)))
	echo "  virt-install run $r: ${vif[-1]:-?} ms (load $(cut -d' ' -f1 /proc/loadavg)), $((vib[-1] / 1000000)) MB through the far link"
done
echo "  (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
side_by_side "${vmf[@]}" -- "${vif[@]}"
for ((r = 0; r < runs; r++)); do echo "  vmmc run $((r + 1)): ${fsteps[r]}"; done
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
echo "  bytes through the far link per run (both ways): vmmc $(mb "$(median "${vmb[@]}")"), virt-install $(mb "$(median "${vib[@]}")");" \
	"kernel + initrd $(mb "$kbytes"), the ISO vmmc read from about $(mb $((kbytes + (pad << 20))))"
[ -z "$read_line" ] || echo "  vmmc: $read_line"
