#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/selftest.sh - build the tiny test guest, boot it under TCG on
# qemu:///system and check what the test suites rely on: the serial console
# ("vmmc-guest ready", an interactive shell), the guest agent, domstats
# (cpu.time, balloon.*, a busy guest burning ~1 s of CPU per second),
# `reboot -f` and an agent reboot (on_reboot=restart), ACPI shutdown.
# Prints timings. LV_URI (default qemu:///system) picks the libvirt daemon.
# Only the domain vmmc-test-<pid>-g is ever touched; it is destroyed and
# undefined on exit, whatever happens. Ends with "guest: N passed, M failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-guest-selftest.XXXXXX")
reader=
dom=$(lv_name g)
finish() {
	local rc=$?
	[ -n "$reader" ] && kill "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
	lv_cleanup_vms >/dev/null 2>&1 || lv_cleanup_vms
	lv_down
	rm -rf "$tmp"
	echo "guest: $pass passed, $fail failed"
	[ "$fail" = 0 ] && [ "$rc" = 0 ] || exit 1
}
trap finish EXIT
trap 'bad "interrupted"; exit 1' INT TERM HUP

# ---- build -----------------------------------------------------------------
t=$(now)
if "$here/build.sh"; then
	ok "build.sh ($(since "$t") s)"
else
	bad "build.sh failed"
	exit 1
fi
t=$(now)
paths=$("$here/build.sh" --print)
dt=$(since "$t")
kernel=$(sed -n 1p <<<"$paths")
initrd=$(sed -n 2p <<<"$paths")
if [ "$(wc -l <<<"$paths")" = 2 ] && [ -s "$kernel" ] && [ -s "$initrd" ]; then
	ok "build.sh --print: two paths ($kernel, $initrd)"
else
	bad "build.sh --print printed: $paths"
fi
if awk -v d="$dt" 'BEGIN { exit !(d < 1.0) }'; then
	ok "cached build.sh --print in $dt s"
else
	bad "cached build.sh --print took $dt s (want < 0.5 s)"
fi
perm_ok=1
for f in "$kernel" "$initrd"; do
	[ "$(stat -c %a "$f")" = 644 ] || perm_ok=0
done
# read them as the user libvirt runs qemu as (when it exists)
qemu_user=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' /etc/libvirt/qemu.conf 2>/dev/null | tail -n 1)
qemu_user=${qemu_user:-libvirt-qemu}
if [ "$(id -u)" = 0 ] && id "$qemu_user" >/dev/null 2>&1 && command -v runuser >/dev/null; then
	runuser -u "$qemu_user" -- test -r "$kernel" -a -r "$initrd" || perm_ok=0
fi
if [ "$perm_ok" = 1 ]; then
	ok "kernel and initramfs are mode 644 and readable by $qemu_user"
else
	bad "kernel/initramfs not readable by $qemu_user (or not mode 644)"
fi
echo "     cache $(dirname "$kernel"): $(du -sh "$(dirname "$kernel")" | cut -f1)" \
	"(kernel $(du -h "$kernel" | cut -f1), initramfs $(du -h "$initrd" | cut -f1))"

# ---- domain XML ------------------------------------------------------------
xml_ok=1
for opts in "" "--busy" "--no-serial" "--two-serials --mem 256 --vcpus 2"; do
	# shellcheck disable=SC2086
	if ! "$here/domain.sh" "$dom" $opts >"$tmp/v.xml" ||
		! virt-xml-validate "$tmp/v.xml" domain >"$tmp/validate.out" 2>&1; then
		xml_ok=0
		echo "     domain.sh $opts:" && cat "$tmp/validate.out"
	fi
	n=$(grep -c "<serial type='pty'>" "$tmp/v.xml")
	case $opts in
	--no-serial) [ "$n" = 0 ] && ! grep -q '<console' "$tmp/v.xml" || xml_ok=0 ;;
	--two-serials*) [ "$n" = 2 ] && grep -q "<memory unit='MiB'>256<" "$tmp/v.xml" &&
		grep -q '<vcpu>2<' "$tmp/v.xml" || xml_ok=0 ;;
	*) [ "$n" = 1 ] || xml_ok=0 ;;
	esac
done
if [ "$xml_ok" = 1 ]; then ok "domain.sh XML validates (4 variants)"; else bad "domain.sh XML"; fi

# ---- boot ------------------------------------------------------------------
if ! lv_up; then
	bad "libvirtd is not reachable on $LV_URI"
	exit 1
fi
"$here/domain.sh" "$dom" --busy >"$tmp/dom.xml" || { bad "domain.sh"; exit 1; }
if ! lv_virsh define "$tmp/dom.xml" >/dev/null; then
	bad "virsh define $dom"
	exit 1
fi
# start paused, attach to the serial pty, then run: qemu drops pty output
# while nobody has the pty open, so nothing of the boot is lost this way
if ! lv_virsh start --paused "$dom" >/dev/null; then
	bad "virsh start $dom"
	exit 1
fi
pty=$(lv_virsh ttyconsole "$dom")
if [ ! -c "$pty" ]; then
	bad "no serial pty for $dom ($pty)"
	exit 1
fi
log=$tmp/serial.log
: >"$log"
stty -F "$pty" raw -echo 2>/dev/null
cat "$pty" >>"$log" 2>/dev/null &
reader=$!
sleep 1.2 # qemu notices a connected pty within a second
t0=$(now)
lv_virsh resume "$dom" >/dev/null || bad "virsh resume $dom"

markers() { tr -d '\r' <"$log" | grep -c '^vmmc-guest ready$'; }
# wait_for SECONDS CMD...: poll CMD every 0.1 s
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
has_markers() { [ "$(markers)" -ge "$1" ]; }
if wait_for 60 has_markers 1; then
	boot=$(since "$t0")
	ok "serial console: \"vmmc-guest ready\" after $boot s"
else
	bad "no \"vmmc-guest ready\" on the serial console in 60 s; it printed:"
	tail -c 2000 "$log" | sed 's/^/     | /'
fi

agent() { lv_virsh qemu-agent-command --timeout 3 "$dom" "$1" 2>/dev/null; }
ping_ok() { agent '{"execute":"guest-ping"}' | grep -q '"return"'; }
if wait_for 60 ping_ok; then
	ok "guest agent answers guest-ping after $(since "$t0") s"
else
	bad "guest agent: no answer to guest-ping in 60 s"
fi
if agent '{"execute":"guest-get-host-name"}' | grep -q "\"host-name\":\"$dom\""; then
	ok "guest hostname is $dom (vmmc.hostname=)"
else
	bad "guest-get-host-name: $(agent '{"execute":"guest-get-host-name"}')"
fi
if agent '{"execute":"guest-get-osinfo"}' | grep -q '"id":"vmmctest"'; then
	ok "guest-get-osinfo: id vmmctest"
else
	bad "guest-get-osinfo: $(agent '{"execute":"guest-get-osinfo"}')"
fi

# ---- domstats --------------------------------------------------------------
stat_of() { lv_virsh domstats --cpu-total --balloon "$dom" | sed -n "s/^ *$1=//p" | head -n 1; }
c1=$(stat_of cpu.time)
if [[ $c1 =~ ^[0-9]+$ ]]; then ok "domstats cpu.time=$c1"; else bad "domstats: no cpu.time"; fi
have_available() { [ -n "$(stat_of balloon.available)" ]; }
if [ -n "$(stat_of balloon.current)" ] && wait_for 15 have_available; then
	ok "domstats balloon.current and guest balloon stats (balloon.available)"
else
	bad "domstats balloon: $(lv_virsh domstats --balloon "$dom" | tr -s ' \n' ' ')"
fi
c1=$(stat_of cpu.time) w1=$(now)
sleep 3
c2=$(stat_of cpu.time) w2=$(now)
rate=$(awk -v a="$c1" -v b="$c2" -v x="$w1" -v y="$w2" 'BEGIN { printf "%.2f", (b - a) / 1e9 / (y - x) }')
# an idle guest grows ~0.05 s/s; on a host with more runnable threads than
# cores the busy vCPU gets less than a whole core
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v r="$rate" 'BEGIN { exit !(r >= 0.6 && r <= 1.6) }'; then
	ok "busy guest: cpu.time grows $rate s per second"
elif awk -v r="$rate" -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(r >= 0.3 && r <= 1.6 && l > n) }'; then
	ok "busy guest: cpu.time grows $rate s per second (host loaded: load $load on $(nproc) cores)"
else
	bad "busy guest: cpu.time grows $rate s per second (want ~1)"
fi

# ---- the shell on the serial console ----------------------------------------
type_line() { printf '%s\r' "$1" >"$pty"; }
seen() { tr -d '\r' <"$log" | grep -q -- "$1"; }
type_line 'echo vmmc-$((6*7)) $(tty) $(id -u)'
if wait_for 10 seen '^vmmc-42 /dev/ttyS0 0$'; then
	ok "serial shell runs commands (root, on /dev/ttyS0)"
else
	bad "serial shell: no answer to a command"
fi
type_line 'sleep 30 & jobs; kill %1'
if wait_for 10 seen 'Running.*sleep 30'; then
	ok "serial shell has job control"
else
	bad "serial shell: no job control"
fi

# ---- reboot -f, ACPI shutdown ------------------------------------------------
t=$(now)
type_line 'reboot -f'
if wait_for 90 has_markers 2 && [ "$(lv_state "$dom")" = running ]; then
	ok "reboot -f: restarted, \"vmmc-guest ready\" again after $(since "$t") s"
	wait_for 60 ping_ok || bad "guest agent: no answer after the reboot"
else
	bad "reboot -f: no second \"vmmc-guest ready\" in 90 s (state $(lv_state "$dom")); the console:"
	tail -c 600 "$log" | tr -d '\r' | sed 's/^/     | /'
fi
t=$(now)
if lv_virsh reboot --mode agent "$dom" >/dev/null && wait_for 90 has_markers 3 &&
	[ "$(lv_state "$dom")" = running ]; then
	ok "agent reboot: \"vmmc-guest ready\" again after $(since "$t") s"
else
	bad "agent reboot: no third \"vmmc-guest ready\" in 90 s (state $(lv_state "$dom"))"
fi
t=$(now)
lv_virsh shutdown --mode acpi "$dom" >/dev/null || bad "virsh shutdown --mode acpi"
if lv_wait_state "$dom" "shut off" 30; then
	ok "ACPI shutdown: shut off after $(since "$t") s"
else
	bad "ACPI shutdown: still $(lv_state "$dom") after 30 s"
fi
