#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/install.sh [BIN] - `make bench`: the text installer on the
# serial console (issue 18), Finish to the installer's first screen, vmmc
# against virt-install with the same VM (TCG, 512 MiB, 1 vCPU, no disk
# and no network for virt-install; vmmc's has a 64 MiB disk it creates):
#   vmmc          the New VM wizard in tmux, a pooled Debian netinst
#                 look-alike holding Debian 12's real installer
#                 (tests/e2e/install.sh t_ins_pooled_text prints the figure)
#   virt-install  --location ISO --extra-args console=ttyS0,115200n8
#                 --noautoconsole, then `virsh console` until "Low memory"
# then the same on a far host (tests/remote/farhost.sh, VMMC_BENCH_RTT_MS,
# default 200 ms RTT): vmmc's ssh:// host with the ISO in its pool (read by
# ranged downloads), virt-install over qemu+ssh:// with the ISO in a pool
# of that host (a volume: virt-install's rule for remote --location).
# VMMC_BENCH_FAR=0 skips it.
# Prints figures, passes or fails nothing (exit 0 unless something could not
# run). Root only; everything it makes is named vmmc-bench-ins-<pid>.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
DI=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
name=vmmc-bench-ins-$$
tmp=$(mktemp -d /var/tmp/vmmc-bench-ins.XXXXXX)
con_pid='' agent_pid='' far_uri=''
farhost=$root/tests/remote/farhost.sh

cleanup() {
	set +e
	[ -z "$con_pid" ] || kill "$con_pid" 2>/dev/null
	virsh -q -c qemu:///system destroy "$name" >/dev/null 2>&1
	virsh -q -c qemu:///system undefine "$name" >/dev/null 2>&1
	for v in $(virsh -q -c qemu:///system vol-list default 2>/dev/null | awk -v n="$name" 'index($1, n) == 1 {print $1}'); do
		virsh -q -c qemu:///system vol-delete "$v" --pool default >/dev/null 2>&1
	done
	[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null
	[ ! -d "$tmp/far" ] || "$farhost" down "$tmp/far" >/dev/null 2>&1
	virsh -q -c qemu:///system pool-destroy "$name-pool" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -r "$DI/initrd.gz" ] || { echo "bench install: no $DI (debian-installer-12-netboot-amd64)" >&2; exit 1; }
command -v virt-install >/dev/null || { echo "bench install: virt-install is not installed (virtinst)" >&2; exit 1; }

echo "== text installer on the serial console: Finish to the installer's first screen =="
vm=$(VMMC_BIN=$bin bash "$root/tests/e2e/install.sh" pooled_text 2>&1 |
	sed -n "s/.*Finish to the installer's first screen in the console: \([0-9]*\) ms.*/\1/p")

chmod 755 "$tmp"
mkdir -p "$tmp/iso/install.amd"
cp "$DI/linux" "$tmp/iso/install.amd/vmlinuz"
cp "$DI/initrd.gz" "$tmp/iso/install.amd/initrd.gz"
xorriso -as mkisofs -quiet -R -J -V "Debian 11.7.0 amd64 n" -o "$tmp/deb.iso" "$tmp/iso" 2>/dev/null
chmod 644 "$tmp/deb.iso"
# vi_run URI: virt-install's Finish to "Low memory" in ms on stdout
vi_run() {
	local t0 i
	t0=$(date +%s%N)
	virt-install --connect "$1" --name "$name" --virt-type qemu --memory 512 --vcpus 1 \
		--os-variant debian11 --location "${vi_loc:-$tmp/deb.iso}" --extra-args console=ttyS0,115200n8 \
		--disk none --network none --graphics none --noautoconsole >"$tmp/vi.log" 2>&1 ||
		{ cat "$tmp/vi.log" >&2; return 1; }
	rm -f "$tmp/con.log"
	script -qfc "virsh -c '$1' console --force $name" "$tmp/con.log" >/dev/null 2>&1 </dev/null &
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
vi=$(vi_run qemu:///system) || exit 1
printf '  %-14s %8s ms\n' vmmc "${vm:-?}" virt-install "${vi:-?}"
if [ -n "$vm" ] && [ -n "$vi" ]; then
	echo "  vmmc / virt-install: $(awk -v a="$vm" -v b="$vi" 'BEGIN { printf "%.2f", a / b }') (target: <= 1)"
fi

[ "${VMMC_BENCH_FAR:-1}" != 0 ] || exit 0
rtt=${VMMC_BENCH_RTT_MS:-200}
echo "== the same on a far host ($rtt ms RTT): vmmc's ssh:// host with the ISO in its pool; virt-install over qemu+ssh:// with the ISO in a pool there =="
mkdir -p "$tmp/far" "$tmp/sshdir"
chmod 700 "$tmp/sshdir"
read -r far_addr far_port < <(FARHOST_OWNER=$$ "$farhost" up "$tmp/far" $((rtt / 2))) || { echo "bench install: no far host" >&2; exit 1; }
key=$tmp/sshdir/id_ed25519
ssh-keygen -q -t ed25519 -N '' -C vmmc-bench-install -f "$key"
cat "$key.pub" >>"$tmp/far/authorized_keys"
ssh-agent -D -a "$tmp/agent.sock" >/dev/null 2>&1 &
agent_pid=$!
for _ in $(seq 50); do [ -S "$tmp/agent.sock" ] && break; sleep 0.1; done
SSH_AUTH_SOCK=$tmp/agent.sock ssh-add -q "$key" 2>/dev/null || { echo "bench install: ssh-add failed" >&2; exit 1; }
timeout 20 ssh-keyscan -T 10 -t ed25519 -p "$far_port" "$far_addr" >"$tmp/sshdir/known_hosts" 2>/dev/null
[ -s "$tmp/sshdir/known_hosts" ] || { echo "bench install: ssh-keyscan found no key" >&2; exit 1; }
printf 'Host *\n\tUserKnownHostsFile %s\n\tIdentityFile %s\n' "$tmp/sshdir/known_hosts" "$key" >"$tmp/sshdir/config"
vmf=$(VMMC_TIMEOUT_SCALE=${VMMC_TIMEOUT_SCALE:-5} VMMC_BIN=$bin VMMC_SSH_DIR=$tmp/sshdir SSH_AUTH_SOCK=$tmp/agent.sock INS_SSH_ADDR=$far_addr INS_SSH_PORT=$far_port \
	bash "$root/tests/e2e/install.sh" 't_ins_ssh$' >"$tmp/far-e2e.log" 2>&1; sed -n "s/.*ssh:\/\/ host: Finish to the installer's first screen: \([0-9]*\) ms.*/\1/p" "$tmp/far-e2e.log")
[ -n "$vmf" ] || grep -E "timed out|FAIL|failed" "$tmp/far-e2e.log" | head -n 5 | sed 's/^/  vmmc: /'
far_uri="qemu+ssh://root@$far_addr:$far_port/system?keyfile=$key&no_verify=1&no_tty=1"
# virt-install takes --location on a remote connection only from a volume of
# that host's pools ("Cannot access install tree on remote connection"): the
# ISO goes into a pool of the bench's own, as vmmc's is in the e2e's pool
mkdir -p "$tmp/pool"
chmod 755 "$tmp/pool"
cp "$tmp/deb.iso" "$tmp/pool/deb.iso"
chmod 644 "$tmp/pool/deb.iso"
virsh -q -c qemu:///system pool-create-as "$name-pool" dir --target "$tmp/pool" >/dev/null
vi_loc=$tmp/pool/deb.iso
vif=$(vi_run "$far_uri") || vif=''
printf '  %-14s %8s ms\n' vmmc "${vmf:-?}" virt-install "${vif:-?}"
if [ -n "$vmf" ] && [ -n "$vif" ]; then
	echo "  vmmc / virt-install: $(awk -v a="$vmf" -v b="$vif" 'BEGIN { printf "%.2f", a / b }') (target: <= 1)"
fi
