#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/domain.sh NAME [--busy] [--mem MIB] [--vcpus N] [--no-serial]
#                            [--two-serials] [--no-agent] [--vnc] [--vnc-passwd PW]
# Print the libvirt domain XML (type qemu, TCG) of a test guest named NAME
# booting the kernel + initramfs of tests/guest/build.sh (built if needed).
# One virtio NIC on the libvirt network "default" only if it is active.
# LV_URI (default qemu:///system) is where that network is looked up.
# --vnc: a VNC display on 127.0.0.1, its port chosen at start (port='-1');
# --vnc-passwd PW: the same with a password (implies --vnc).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() {
	echo "usage: domain.sh NAME [--busy] [--mem MIB] [--vcpus N] [--no-serial] [--two-serials] [--no-agent] [--vnc] [--vnc-passwd PW]" >&2
	exit 2
}

name="" busy=0 mem=128 vcpus=1 serials=1 agent=1 vnc=0 vnc_pw=
while [ $# -gt 0 ]; do
	case $1 in
	--busy) busy=1 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift ;;
	--vcpus) [ $# -ge 2 ] || usage; vcpus=$2; shift ;;
	--no-serial) serials=0 ;;
	--two-serials) serials=2 ;;
	--no-agent) agent=0 ;; # no guest agent channel (its qemu-ga then does not start)
	--vnc) vnc=1 ;;
	--vnc-passwd) [ $# -ge 2 ] || usage; vnc=1 vnc_pw=$2; shift ;;
	-h | --help) usage ;;
	-*) echo "domain.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$name" ] || usage; name=$1 ;;
	esac
	shift
done
[ -n "$name" ] || usage
[[ $mem =~ ^[1-9][0-9]*$ ]] || { echo "domain.sh: --mem wants MiB" >&2; exit 2; }
[[ $vcpus =~ ^[1-9][0-9]*$ ]] || { echo "domain.sh: --vcpus wants a count" >&2; exit 2; }

# XML escaping: the one of tests/lib/libvirtd.sh (sourcing it only defines)
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
esc() { _lv_xml_escape "$1"; }

paths=$("$here/build.sh" --print) || { echo "domain.sh: build.sh failed" >&2; exit 1; }
kernel=$(sed -n 1p <<<"$paths")
initrd=$(sed -n 2p <<<"$paths")

# the kernel command line is split at spaces: keep the hostname one word
host=$(printf '%s' "$name" | tr -c 'A-Za-z0-9.-' '-' | cut -c1-63)
cmdline="console=ttyS0 quiet vmmc.hostname=$host"
[ "$busy" = 1 ] && cmdline="$cmdline vmmc.busy=1"

emulator=$(command -v qemu-system-x86_64 || echo /usr/bin/qemu-system-x86_64)

nic=
if command -v virsh >/dev/null &&
	timeout 10 virsh -q -c "${LV_URI:-qemu:///system}" net-info default 2>/dev/null |
	grep -Eq '^Active:[[:space:]]+yes'; then
	nic="    <interface type='network'>
      <source network='default'/>
      <model type='virtio'/>
    </interface>"
fi

serial=
if [ "$serials" -ge 1 ]; then
	serial="    <serial type='pty'>
      <target port='0'/>
    </serial>"
	[ "$serials" -ge 2 ] && serial="$serial
    <serial type='pty'>
      <target port='1'/>
    </serial>"
	serial="$serial
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>"
fi

channel=
[ "$agent" = 1 ] && channel="    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>"
graphics=
if [ "$vnc" = 1 ]; then
	graphics="    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'${vnc_pw:+ passwd='$(esc "$vnc_pw")'}>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video>
      <model type='vga'/>
    </video>"
fi

cat <<EOF
<domain type='qemu'>
  <name>$(esc "$name")</name>
  <memory unit='MiB'>$mem</memory>
  <currentMemory unit='MiB'>$mem</currentMemory>
  <vcpu>$vcpus</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$(esc "$kernel")</kernel>
    <initrd>$(esc "$initrd")</initrd>
    <cmdline>$(esc "$cmdline")</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(esc "$emulator")</emulator>
    <controller type='usb' model='none'/>
${serial:+$serial
}${channel:+$channel
}${nic:+$nic
}${graphics:+$graphics
}    <memballoon model='virtio'>
      <stats period='2'/>
    </memballoon>
  </devices>
</domain>
EOF
