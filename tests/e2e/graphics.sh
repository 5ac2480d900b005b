#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/graphics.sh [PATTERN] - "Open Graphical Console" end to end:
# vmmc in tmux, a real libvirtd (qemu:///system), the tiny guest of
# tests/guest with a VNC display on 127.0.0.1 (domain.sh --vnc-passwd),
# reached over a real hermetic sshd on loopback (tests/lib/sshhost.sh) or
# directly on the local host. Checks: the forwarded local port answers the
# RFB handshake ("RFB 003.00x"); `ss -ltn` shows it on 127.0.0.1 only;
# closing the dialog (or the VM stopping) frees it; with no viewer the
# address and the command are shown; a viewer on $PATH with $DISPLAY set
# is started with that address; the display's password is neither on the
# screen nor in the debug log. Root only. PATTERN (or $VMMC_TESTS), an
# extended regex, picks tests by name. Ends with "graphics: N passed, M failed".
#
# Every domain it creates is named vmmc-test-<pid>-*; all are removed at exit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"
# shellcheck source=tests/lib/sshhost.sh
. "$here/../lib/sshhost.sh"

W=120 H=36

GFX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-gfx-$$.XXXXXX")
SECRET=$(tr -dc a-z </dev/urandom | head -c 8) # the display's password (VNC: 8 at most): never shown or logged
VM=                        # the running VNC guest (set-up)

# ---- helpers ------------------------------------------------------------------

# rfb PORT: the first line the server at 127.0.0.1:PORT sends (RFB banner)
rfb() {
	python3 - "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.settimeout(10)
print(s.recv(12).decode("ascii", "replace").strip())
s.close()
EOF
}

# listeners PORT: the local addresses listening on TCP port PORT ("" none)
listeners() {
	ss -Hltn "( sport = :$1 )" | awk '{print $4}' | sort -u
}

# the port of "Address: 127.0.0.1:PORT" on the screen
shown_port() {
	tm_capture | sed -n 's/.*Address: 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' | head -n 1
}

# the VNC port of the running guest as libvirt says (":N" -> 5900 + N)
vnc_port() {
	local d
	d=$(lv_virsh vncdisplay "$1" | head -n 1)
	echo $((5900 + ${d##*:}))
}

# open vmmc on URI with the debug log, select VM, press V; the dialog
vmmc_gfx() {
	local uri=$1 vm=$2
	shift 2
	tm_vmmc -x "$W" -y "$H" --env "VMMC_SSH_DIR=$VMMC_SSH_DIR" --env "SSH_AUTH_SOCK=$SSH_AUTH_SOCK" \
		"$@" -- --log "$TM_TESTDIR/vmmc.log" "$uri"
	tm_wait_for "1/1 connected" 30
	tm_keys /
	tm_type "$vm"
	tm_keys Enter
	tm_wait_for "(1 of " 10
	tm_wait_line -t 20 "$vm" running
	tm_keys V
	tm_wait_for "Graphical Console" 10
}

# the password must be nowhere we can see: the screen, the raw output bytes, the log
no_secret() {
	[ "${1:-}" = stopped ] || tm_assert_not_contains "$SECRET"
	! grep -rqF -- "$SECRET" "$TM_TESTDIR" || tm_fail "the display's password reached a file of the test"
}

# wait until nothing listens on PORT (T seconds)
wait_port_free() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		[ -z "$(listeners "$1")" ] && return 0
		sleep 0.1
	done
	tm_fail "port $1 still listens: $(listeners "$1" | tr '\n' ' ')"
}

new_vm() { # NAME [domain.sh options]: define and start, removed at the test's end
	local n=$1
	shift
	"$TM_ROOT/tests/guest/domain.sh" "$n" "$@" >"$TM_TESTDIR/$n.xml" || tm_fail "domain.sh failed"
	lv_virsh define "$TM_TESTDIR/$n.xml" >/dev/null || tm_fail "could not define $n"
	tm_on_exit "lv_virsh destroy '$n' >/dev/null 2>&1; lv_virsh undefine '$n' >/dev/null 2>&1"
	lv_virsh start "$n" >/dev/null || tm_fail "could not start $n"
}

# ---- tests ----------------------------------------------------------------------

# an ssh:// host: the display forwarded to a private port on 127.0.0.1 that
# answers RFB; no viewer here: the address and the commands are shown;
# Close frees the port; the password is nowhere
t_gfx_ssh_forward() {
	local port rport banner l n
	vmmc_gfx "ssh://root@127.0.0.1:$SH_PORT" "$VM" --env DISPLAY= --env WAYLAND_DISPLAY=
	tm_wait_for "Address: 127.0.0.1:" 20
	port=$(shown_port)
	rport=$(vnc_port "$VM")
	[ -n "$port" ] || tm_fail "no local port on the screen"
	echo "  forwarded: 127.0.0.1:$port -> the host's 127.0.0.1:$rport" >&2
	[ "$port" != "$rport" ] || tm_fail "the local port is the display's own port: not a forward"
	tm_assert_contains "On the host: 127.0.0.1:$rport"
	tm_assert_contains "No viewer started: no graphical session here"
	tm_assert_contains "remote-viewer 'vnc://127.0.0.1:$port'"
	tm_assert_contains "vncviewer '127.0.0.1::$port'"
	tm_assert_contains "the viewer asks for it"
	l=$(listeners "$port")
	[ "$l" = "127.0.0.1:$port" ] || tm_fail "port $port listens on: $(echo "$l" | tr '\n' ' ') (want 127.0.0.1 only)"
	banner=$(rfb "$port") || tm_fail "no answer on 127.0.0.1:$port"
	echo "  127.0.0.1:$port says: $banner" >&2
	[[ $banner =~ ^RFB\ 003\.00[0-9]$ ]] || tm_fail "not an RFB banner: '$banner'"
	# twice: each connection gets its own channel
	banner=$(rfb "$port") || tm_fail "no second answer on 127.0.0.1:$port"
	[[ $banner =~ ^RFB\ 003\.00[0-9]$ ]] || tm_fail "second banner: '$banner'"
	no_secret
	n=$(printf '%s' "$SECRET" | python3 "$TM_ROOT/tests/lib/memscan.py" "$(tm_pid)" -)
	echo "  copies of the display's password in vmmc's memory: $n" >&2
	[ "$n" = 0 ] || tm_fail "$n copies of the display's password left in vmmc's memory"
	tm_keys Enter # [Close]
	tm_wait_gone "Graphical Console" 5
	wait_port_free "$port" 5
	tm_assert_contains "$VM" # vmmc goes on
	tm_stop
	no_secret stopped
	grep -q "forward $port closed" "$TM_TESTDIR/vmmc.log" || tm_fail "the log does not say the forward closed"
}

# the VM stops while the dialog is open: the forward goes, the dialog says why
t_gfx_vm_stops() {
	local n port
	n=$(lv_name gstop)
	new_vm "$n" --vnc
	vmmc_gfx "ssh://root@127.0.0.1:$SH_PORT" "$n" --env DISPLAY=
	tm_wait_for "Address: 127.0.0.1:" 20
	port=$(shown_port)
	[ -n "$(listeners "$port")" ] || tm_fail "nothing listens on $port"
	lv_virsh destroy "$n" >/dev/null
	tm_wait_for "is closed (the VM stopped)" 20
	wait_port_free "$port" 5
	tm_keys Enter
	tm_wait_gone "Graphical Console" 5
}

# a viewer on $PATH and a $DISPLAY: it is started with the forwarded
# address (a stand-in remote-viewer that records its arguments and reads
# the RFB banner through that address, as the real one would)
t_gfx_viewer_started() {
	local bin=$TM_TESTDIR/bin port
	mkdir -p "$bin"
	cat >"$bin/remote-viewer" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >"$TM_TESTDIR/viewer.args"
u=\${1#vnc://}
python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10); print(s.recv(12).decode().strip())' "\${u##*:}" >"$TM_TESTDIR/viewer.rfb" 2>&1
EOF
	chmod 755 "$bin/remote-viewer"
	vmmc_gfx "ssh://root@127.0.0.1:$SH_PORT" "$VM" --env "PATH=$bin:$PATH" --env DISPLAY=:99
	tm_wait_for "Address: 127.0.0.1:" 20
	port=$(shown_port)
	tm_wait_for "Started $bin/remote-viewer" 5
	for _ in $(seq 100); do
		[ -s "$TM_TESTDIR/viewer.rfb" ] && break
		sleep 0.1
	done
	[ "$(cat "$TM_TESTDIR/viewer.args" 2>/dev/null)" = "vnc://127.0.0.1:$port" ] ||
		tm_fail "the viewer got '$(cat "$TM_TESTDIR/viewer.args" 2>/dev/null)', not vnc://127.0.0.1:$port"
	grep -Eq '^RFB 003\.00[0-9]$' "$TM_TESTDIR/viewer.rfb" ||
		tm_fail "the viewer read '$(cat "$TM_TESTDIR/viewer.rfb" 2>/dev/null)' through the forward"
	no_secret
	tm_keys Enter
	wait_port_free "$port" 5
}

# the local host: the display's own address, no forward (no new listener)
t_gfx_local_direct() {
	local rport banner
	vmmc_gfx qemu:///system "$VM" --env DISPLAY=
	rport=$(vnc_port "$VM")
	tm_wait_for "Address: 127.0.0.1:$rport" 20
	tm_assert_contains "is on this"
	tm_assert_not_contains "Closing this dialog closes the forward"
	banner=$(rfb "$rport")
	[[ $banner =~ ^RFB\ 003\.00[0-9]$ ]] || tm_fail "not an RFB banner: '$banner'"
	[ -z "$(ss -Hltnp | grep "pid=$(tm_pid)," || true)" ] || tm_fail "vmmc listens on a TCP port for a local display"
	no_secret
}

# a VM without a display: a clear error, nothing forwarded
t_gfx_no_display() {
	local n
	n=$(lv_name gnone)
	new_vm "$n"
	vmmc_gfx "ssh://root@127.0.0.1:$SH_PORT" "$n"
	tm_wait_for "has no graphical display" 20
	[ -z "$(ss -Hltnp | grep "pid=$(tm_pid)," || true)" ] || tm_fail "vmmc listens on a TCP port"
	tm_keys Enter
	tm_wait_gone "Graphical Console" 5
}

# ---- run ------------------------------------------------------------------------

gfx_exit() {
	set +e
	tm_sweep
	lv_cleanup_vms
	sh_down
	lv_down
	rm -rf "$GFX_TMP"
}
trap gfx_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

setup() {
	lv_up || return 1
	"$TM_ROOT/tests/guest/build.sh" >/dev/null || return 1
	sh_up "$GFX_TMP/sh" || return 1
	VM=$(lv_name gfx)
	"$TM_ROOT/tests/guest/domain.sh" "$VM" --vnc-passwd "$SECRET" >"$GFX_TMP/vm.xml" || return 1
	lv_virsh define "$GFX_TMP/vm.xml" >/dev/null || return 1
	rm -f "$GFX_TMP/vm.xml"
	lv_virsh start "$VM" >/dev/null || return 1
}

gfx_setup() { setup && export SH_PORT VMMC_SSH_DIR SSH_AUTH_SOCK SECRET VM; }
tm_suite_main graphics t_gfx_ gfx_setup "set-up failed (libvirtd, sshd or the test guest)" "$@"
