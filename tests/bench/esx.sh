#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/esx.sh [BIN] - `make bench`: a VMware ESX host of 100 VMs
# (govmomi's simulator behind the test harness's fixing proxy,
# mk/vcsim.sh), whose libvirt driver has no bulk stats and no
# events:
#   virsh -c esx://... list --all               (stdout to /dev/null)
#   vmmc  -c esx://... --max-iterations 1       (in a 120x40 pty: start to
#                                                the host settled: VMs, flags,
#                                                pools, networks, probes)
# wall time (median and min of 5 runs); vmmc's start to its full VM list
# (its debug log: "started" to "VMs read"), the ratio against the target
# (<= 1.2x virsh list --all); the calls of one refresh on this host without
# events: libvirt calls (target: one list call plus one info call per VM at
# most) and the SOAP calls the simulator counted, next to virsh list --all's. Prints figures, passes or fails nothing: exit
# status 0 unless something could not run. BIN: $VMMC_BIN, else build/vmmc.
# Knobs: VMMC_BENCH_ESX_VMS (100), VMMC_BENCH_RUNS (5).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-${VMMC_BIN:-$root/build/vmmc}}
nvms=${VMMC_BENCH_ESX_VMS:-100}
runs=${VMMC_BENCH_RUNS:-5}
runstat=$root/build/runstat

die() {
	echo "bench esx: $*" >&2
	exit 1
}

[ -x "$bin" ] || die "$bin is not an executable (make builds it)"
command -v virsh >/dev/null || die "virsh is not installed"
vcsim=$("$root/mk/vcsim.sh") || die "could not build vmmc-vcsim"
mkdir -p "$root/build"
cc -O2 -Wall -o "$runstat" "$root/tests/bench/runstat.c" -lutil || die "cannot build runstat"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-bench-esx.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
"$vcsim" -vms "$nvms" -addr-file "$tmp/addr" -calls "$tmp/calls" >"$tmp/vcsim.log" 2>&1 &
pid=$!
for ((i = 0; i < 100; i++)); do
	[ -s "$tmp/addr" ] && break
	sleep 0.1
done
[ -s "$tmp/addr" ] || die "vcsim did not start: $(cat "$tmp/vcsim.log")"
uri="esx://user@$(cat "$tmp/addr")/?no_verify=1"
printf '[credentials-b]\nusername=user\npassword=bench\n[auth-esx-127.0.0.1]\ncredentials=b\n' >"$tmp/auth.conf"
mkdir -p "$tmp/home" "$tmp/config" "$tmp/cache" "$tmp/state"
cleanenv=(env -i "PATH=$PATH" "HOME=$tmp/home" "XDG_CONFIG_HOME=$tmp/config"
	"XDG_CACHE_HOME=$tmp/cache" "XDG_STATE_HOME=$tmp/state" "LANG=C.UTF-8"
	"TERM=xterm-256color" "LIBVIRT_AUTH_FILE=$tmp/auth.conf")

field() { # NAME LINE
	local kv
	for kv in $2; do
		[ "${kv%%=*}" != "$1" ] || { echo "${kv#*=}"; return 0; }
	done
	echo "?"
}

echo "bench esx: $nvms VMs (govmomi's ESX simulator, libvirt's esx driver), $runs runs each"
virsh_out=$("$runstat" -n "$runs" -q -- "${cleanenv[@]}" LIBVIRT_LOG_OUTPUTS=4:file:/dev/null \
	virsh -c "$uri" list --all) || die "virsh list failed: $virsh_out"
: >"$tmp/calls"
"${cleanenv[@]}" LIBVIRT_LOG_OUTPUTS=4:file:/dev/null virsh -c "$uri" list --all >/dev/null
virsh_calls=$(wc -l <"$tmp/calls")
vmmc_out=$("$runstat" -n "$runs" -t 120x40 -o "$tmp/tty.out" -- "${cleanenv[@]}" \
	"$bin" --log "$tmp/vmmc.log" -c "$uri" --max-iterations 1) || die "vmmc --max-iterations 1 failed: $vmmc_out"
# start to the full list, per run, from the log's timestamps: the median
list_ms=$(python3 -c '
import datetime, statistics, sys
t = lambda l: datetime.datetime.strptime(l[:23], "%Y-%m-%dT%H:%M:%S.%f")
start, d = None, []
for l in open(sys.argv[1], errors="replace"):
    if " started (pid " in l: start = t(l)
    elif " VMs read in " in l and start: d.append((t(l) - start).total_seconds() * 1000); start = None
print("%.0f" % statistics.median(d) if d else "?")' "$tmp/vmmc.log")

# calls of one refresh: batch mode reads the list once per tick; the
# difference between 3 and 2 ticks is one tick's calls: the SOAP calls the
# simulator saw, and the libvirt calls that reach the host (libvirt's debug
# log of its public API, less the accessors that read only the handle)
calls_of() {
	: >"$tmp/calls"
	rm -f "$tmp/lv.log"
	"${cleanenv[@]}" LIBVIRT_LOG_FILTERS="1:libvirt 4:*" LIBVIRT_LOG_OUTPUTS="1:file:$tmp/lv.log" \
		"$bin" --batch --iterations "$1" -d 0.2 -c "$uri" >/dev/null 2>&1 || die "vmmc --batch failed"
	echo "$(wc -l <"$tmp/calls") $(grep -o 'debug : vir[A-Za-z]*' "$tmp/lv.log" |
		grep -cvE 'vir(Domain(GetUUID|GetUUIDString|GetName|GetID|Free|Ref)|Register[A-Za-z]*|GlobalInit|ConnectOpenInternal|ConnectRef|ResetLastError|GetLastError)$')"
}
read -r s2 l2 <<<"$(calls_of 2)"
read -r s3 l3 <<<"$(calls_of 3)"
lv_tick=$((l3 - l2))
c2=$s2
c3=$s3
awk -v vmed="$(field median_ms "$virsh_out")" -v vmin="$(field min_ms "$virsh_out")" \
	-v mmed="$(field median_ms "$vmmc_out")" -v mmin="$(field min_ms "$vmmc_out")" \
	-v tick=$((c3 - c2)) -v n="$nvms" -v lms="$list_ms" -v vcalls="$virsh_calls" -v lvt="$lv_tick" '
function verdict(ok) { return ok ? "ok" : "OVER" }
BEGIN {
	printf "%-36s %12s %10s\n", "", "wall median", "wall min"
	printf "%-36s %9.0f ms %7.0f ms\n", "virsh list --all", vmed, vmin
	printf "%-36s %9.0f ms %7.0f ms\n", "vmmc --max-iterations 1 (settled)", mmed, mmin
	printf "%-36s %9.0f ms\n", "vmmc start to the full VM list", lms
	rw = lms / vmed
	printf "%-36s %11.2fx   target <= 1.20x: %s\n", "full list: vmmc / virsh", rw, verdict(rw <= 1.2)
	printf "%-36s %12d   target <= %d (1 list + 1 info per VM): %s\n", "libvirt calls per refresh (no events)", lvt, n + 1, verdict(lvt <= n + 1)
	printf "%-36s %12d   virsh list --all: %d\n", "SOAP calls per refresh", tick, vcalls
}'
