# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/screen/t_console.sh - the console foundation, driven in tmux on the
# demo host (libvirt's test driver: every run gets a fresh copy of it).
# Goldens: tests/screen/golden/*.txt (VMMC_REGEN=1 rewrites them).

# Mask what changes from run to run: uptimes and the version.
MASK='s/[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/hh:mm:ss/g; s/vmmc [0-9.]*$/vmmc X/'

demo_up() {
	tm_vmmc "$@" -- --demo
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_wait_for "1/1 connected"
}

# Select a VM by filtering on its (unique) name.
pick() {
	tm_keys /
	tm_type "$1"
	tm_keys Enter
	tm_wait_for "(1 of 16)"
}

# The results row of VM $1 holds text $2.
row_has() {
	tm_wait_line -t "${3:-5}" "$1 " "$2"
}

t_startup() {
	demo_up
	tm_golden startup "$MASK"
	tm_assert_contains "File   Action   View   Help"
	tm_assert_contains "Demo host  connected"
}

t_select_vm() {
	demo_up
	tm_keys j j
	tm_wait_line "Actions" ""
	tm_golden select_vm "$MASK"
	# the actions pane follows the selection
	tm_wait_for "│db-replica"
	tm_keys G
	tm_wait_for "│win11-desktop"
}

t_lifecycle() {
	demo_up
	pick dev-sandbox
	row_has dev-sandbox "shut off"
	tm_keys s
	row_has dev-sandbox running
	tm_wait_for "Started 'dev-sandbox'"
	tm_golden started "$MASK"
	tm_keys p
	row_has dev-sandbox paused
	tm_keys u
	row_has dev-sandbox running
	tm_keys r
	tm_wait_for "Rebooting 'dev-sandbox'"
	tm_keys d
	row_has dev-sandbox "shut off"
	tm_keys s
	row_has dev-sandbox running
	# Save, then start from the saved state
	tm_keys S
	# a saved VM says so (Start resumes it), not "shut off"
	row_has dev-sandbox "saved"
	tm_wait_for "Saved 'dev-sandbox'"
	tm_keys i
	tm_wait_for "saved state: yes"
	tm_keys Escape
	tm_wait_gone "saved state: yes"
	tm_keys s
	tm_wait_for "from saved state"
	row_has dev-sandbox running
	# autostart on and off (the Auto column folds away at this width: the
	# status bar says it)
	tm_keys a
	tm_wait_for "Autostart on for 'dev-sandbox'"
	tm_keys a
	tm_wait_for "Autostart off for 'dev-sandbox'"
}

t_confirm_turn_off() {
	demo_up
	pick web01
	row_has web01 running
	tm_keys o
	tm_wait_for "Turn Off 'web01'?"
	tm_golden confirm_turn_off "$MASK"
	# the default answer is No: Enter keeps it running
	tm_keys Enter
	tm_wait_gone "Turn Off 'web01'?"
	row_has web01 running
	tm_keys o
	tm_wait_for "Turn Off 'web01'?"
	tm_keys y
	row_has web01 "shut off"
	tm_wait_for "Turned off 'web01'"
}

t_reset_asks() {
	demo_up
	pick mail
	tm_keys R
	tm_wait_for "Reset 'mail'?"
	tm_keys n
	tm_wait_gone "Reset 'mail'?"
	tm_keys R
	tm_keys y
	tm_wait_for "Reset 'mail'"
	row_has mail running
}

t_delete_with_volume() {
	local row col
	demo_up
	pick gitlab
	tm_keys D
	tm_wait_for "Delete 'gitlab'?"
	tm_wait_for "gitlab.qcow2"
	tm_golden delete_dialog "$MASK"
	# tick the volume (a click on it: volumes have no accelerator), then Delete
	# (Enter in a field presses the first button)
	read -r row col < <(tm_find "[ ] /var/lib/libvirt/images/gitlab.qcow2")
	tm_click "$col" "$row"
	tm_wait_for "[x] /var/lib/libvirt/images/gitlab.qcow2"
	tm_keys Enter
	tm_wait_for "Deleted 'gitlab' and 1 volume(s)"
	tm_wait_for "(0 of 15)"
	tm_keys Escape
	tm_wait_for "Virtual Machines (15) on Demo host"
	# the volume is gone from its pool
	tm_keys BTab Down Down Down
	tm_wait_for "Storage Pools ("
	tm_assert_not_contains "gitlab.qcow2"
}

t_layout_80x24() {
	tm_vmmc -x 80 -y 24 -- --demo
	tm_wait_for "Virtual Machines (16) on Demo host"
	tm_golden layout_80x24 "$MASK"
	# the actions pane is folded away; the Action menu still has them all
	tm_assert_not_contains "│ Actions"
	tm_keys F10 Right
	tm_wait_for "Turn Off..."
	tm_keys Escape
}

t_resize() {
	demo_up
	tm_resize 80 24
	tm_wait_gone "│ Actions"
	tm_golden resize_80x24 "$MASK"
	tm_resize 60 20
	tm_wait_for "terminal too small"
	tm_wait_for "60x20, need 80x24"
	tm_resize 100 30
	tm_wait_gone "terminal too small"
	tm_golden startup "$MASK"
}

t_resize_mid_dialog() {
	demo_up
	tm_keys +
	tm_wait_for "Add Host"
	tm_type "test:///default"
	tm_resize 80 24
	tm_wait_line "URI:" "test:///default"
	tm_resize 50 15
	tm_wait_for "terminal too small"
	tm_resize 100 30
	tm_wait_line "URI:" "test:///default"
	tm_keys Enter
	tm_wait_for "2/2 connected"
	grep -q 'uri = test:///default' "$TM_TESTDIR/config/vmmc/config" ||
		tm_fail "the added host is not in the config"
}

t_theme_mono() {
	demo_up --env NO_COLOR=1
	tm_golden -e theme_no_color "$MASK"
	tm_stop
	tm_vmmc -- --demo --theme mono
	tm_wait_for "1/1 connected"
	tm_golden -e theme_mono "$MASK"
}

t_theme_malformed() {
	mkdir -p "$TM_TESTDIR/config/vmmc/themes"
	printf 'name = broken\nrow = green black\nrow.selected = purple black\n' \
		>"$TM_TESTDIR/config/vmmc/themes/broken.theme"
	tm_vmmc -- --demo --theme broken
	tm_wait_for "Problems at start-up"
	tm_wait_for "themes/broken.theme:3:"
	tm_wait_for "unknown colour 'purple'"
	tm_keys Enter
	tm_wait_gone "Problems at start-up"
	tm_wait_for "1/1 connected"
	tm_assert_contains "Virtual Machines (16)"
}

t_config_malformed() {
	mkdir -p "$TM_TESTDIR/config/vmmc"
	printf 'version = 1\n[host]\nuri test:///default\n' >"$TM_TESTDIR/config/vmmc/config"
	cp "$TM_TESTDIR/config/vmmc/config" "$TM_TESTDIR/config.orig"
	tm_vmmc -- --demo
	tm_wait_for "Problems at start-up"
	tm_wait_for "vmmc/config:3:"
	tm_keys Enter
	tm_wait_for "1/1 connected"
	# adding a host must not overwrite the file it could not read
	tm_keys +
	tm_type "test:///default"
	tm_keys Enter
	tm_wait_for "Config not saved"
	cmp -s "$TM_TESTDIR/config/vmmc/config" "$TM_TESTDIR/config.orig" ||
		tm_fail "the malformed config was overwritten"
}

t_hostile_text() {
	local uri
	uri=$(printf 'test:///\033]0;pwned\007\033[2J')
	tm_vmmc -- -c "$uri" --demo
	tm_wait_for 'test:///\e]0;pwned\a\e[2J'
	tm_wait_for "1/2 connected"
	[ "$(tm_pane_title)" != pwned ] || tm_fail "the pane title was set by a hostile string"
	tm_assert_contains "File   Action   View   Help"
	tm_assert_contains "Virtual Machines"
}

t_unreachable_uri() {
	tm_vmmc -- -c "qemu+unix:///system?socket=/nonexistent/sock" -c "tset:///typo"
	tm_wait_for "0/2 connected"
	tm_wait_line "failed"
	tm_keys F1
	tm_wait_for "Help: keys"
	tm_keys Escape
	tm_wait_gone "Help: keys"
}

t_help_and_menu() {
	demo_up
	tm_keys F1
	tm_wait_for "Help: keys"
	# the VM keys come after the global and host ones (wrapped to the
	# pane's width): a few pages down
	for _ in 1 2 3 4; do
		tm_capture | grep -q "Turn the VM off at once" && break
		tm_keys PageDown
		sleep 0.2
	done
	tm_wait_for "Turn the VM off at once"
	tm_keys Escape
	tm_wait_gone "Help: keys"
	tm_keys F10
	tm_wait_for "Add Host..."
	tm_keys Right
	tm_wait_for "Shut Down"
	tm_keys Right
	tm_wait_for "Filter by Name..."
	tm_keys Right Down Enter
	tm_wait_for "About vmmc"
	tm_keys Enter
	tm_wait_gone "About vmmc"
}

t_sort_and_filter() {
	demo_up
	tm_keys '>'
	tm_wait_for "State▲"
	tm_keys I
	tm_wait_for "State▼"
	tm_keys /
	tm_type k8s
	tm_wait_for "(3 of 16)"
	tm_keys Escape
	tm_wait_for "Virtual Machines (16) on Demo host"
}

t_mouse() {
	demo_up
	local pos line col
	pos=$(tm_find "mail ") || tm_fail "no mail row"
	line=${pos% *}
	col=${pos#* }
	tm_click "$col" "$line"
	tm_wait_for "│mail"
	# a click on a header sorts by it
	pos=$(tm_find "Memory")
	tm_click "${pos#* }" "${pos% *}"
	tm_wait_for "Memory▲"
	# a click on the menu bar opens a menu
	tm_click 10 1
	tm_wait_for "Shut Down"
}

t_networks_and_pools() {
	demo_up
	tm_keys BTab Down Down
	tm_wait_for "Virtual Networks ("
	tm_wait_for "default"
	tm_keys Down
	tm_wait_for "Storage Pools ("
	tm_wait_for "Capacity"
}

t_quit_restores_terminal() {
	demo_up
	tm_keys q
	[ "$(tm_exit_status)" = 0 ] || tm_fail "exit status is not 0"
	tm_term_restored
}

t_signals_restore_terminal() {
	local sig st
	for sig in TERM INT HUP QUIT TRAP; do
		demo_up
		kill -s "$sig" "$(tm_pid)"
		tm_wait_exit
		tm_term_restored || tm_fail "SIG$sig left the terminal broken"
		# asked to stop by a signal is not a success
		st=$(tm_exit_status)
		[ "$st" != 0 ] || tm_fail "SIG$sig: exit status 0"
		tm_stop
	done
}

# Raw mode: Ctrl-\ and Ctrl-Z are keys, not signals that kill or stop vmmc
# with the terminal in curses mode; Ctrl-C (outside a console) quits cleanly.
t_ctrl_keys_outside_console() {
	demo_up
	tm_keys 'C-\'
	sleep 0.3
	tm_alive || tm_fail "Ctrl-\\ killed vmmc"
	tm_assert_contains "Virtual Machines (16) on Demo host"
	tm_keys C-c
	tm_wait_exit
	[ "$(tm_exit_status)" = 0 ] || tm_fail "Ctrl-C: exit status is not 0"
	tm_term_restored
}

t_default_uri_env() {
	# no -c and no saved hosts: $LIBVIRT_DEFAULT_URI is the host opened
	tm_vmmc --env LIBVIRT_DEFAULT_URI=test:///default --
	tm_wait_for "Virtual Machines (1) on test:///default"
	tm_wait_for "1/1 connected"
}

t_saved_hosts_reopen() {
	# a host added (and saved) comes back at the next start
	demo_up
	tm_keys +
	tm_wait_for "Add Host"
	tm_type "test:///default"
	tm_keys M-n
	tm_type "lab"
	tm_keys Enter
	tm_wait_for "2/2 connected"
	tm_keys q
	tm_wait_exit
	tm_vmmc --
	tm_wait_for "Virtual Machines (1) on lab"
	tm_wait_for "1/1 connected"
}

# The state letter of process $1 (R, S, T ...), empty when gone.
proc_state() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	echo "${st%% *}"
}

# wait until process $1 is in state $2 (T: stopped)
wait_state() {
	local i
	for ((i = 0; i < 100 * VMMC_TIMEOUT_SCALE; i++)); do
		[ "$(proc_state "$1")" != "$2" ] || return 0
		sleep 0.05
	done
	tm_fail "pid $1 is '$(proc_state "$1")', not '$2'"
}

# Ctrl-Z, then bg, then fg in a shell with job control: in the background
# vmmc stops like any job that reads the terminal (its input relay's read:
# SIGTTIN; with that signal blocked the read failed with EIO, the relay
# ended and vmmc went on deaf, spinning); fg brings it back drawn whole and
# answering keys, three times; after q the terminal is as the shell had it.
t_ctrl_z_bg_fg() {
	local vm i
	tm_start --env 'PS1=sh$ ' -- bash --norc --noprofile -i
	tm_wait_for 'sh$'
	tm_type "stty -g >'$TM_TESTDIR/stty.0'"
	tm_keys Enter
	tm_type "$VMMC_BIN --demo"
	tm_keys Enter
	tm_wait_for "1/1 connected"
	vm=$(pgrep -P "$(tm_pid)")
	[ -n "$vm" ] || tm_fail "no vmmc under the shell"
	for i in 1 2 3; do
		tm_keys C-z
		wait_state "$vm" T
		tm_wait_for "Stopped"
		# bg, and the next command typed ahead: the terminal has input
		# while vmmc runs in the background
		tm_keys b g Enter e c h o Space r o u n d '$' '(' '(' "$i" '*' 7 ')' ')' Enter
		tm_wait_for "round$((i * 7))"
		sleep 0.3
		case $(proc_state "$vm") in
		T) ;;
		'') tm_fail "vmmc ended in the background (round $i)" ;;
		*) tm_fail "vmmc runs in the background: $(proc_state "$vm") (round $i)" ;;
		esac
		tm_keys f g Enter
		tm_wait_for "Virtual Machines (16) on Demo host"
		tm_wait_gone "round$((i * 7))"
		tm_wait_for "1/1 connected"
		# keys answer: a filter, then Escape clears it
		tm_keys /
		tm_type db-
		tm_keys Enter
		tm_wait_for "(2 of 16)"
		tm_keys Escape
		tm_wait_gone "of 16)"
	done
	tm_keys q
	tm_wait_for 'sh$'
	tm_type 'echo "rc=$?"; stty -g >'"'$TM_TESTDIR/stty.1'"'; echo "stty-$((6 * 7))"'
	tm_keys Enter
	tm_wait_for "stty-42"
	tm_assert_contains "rc=0"
	cmp -s "$TM_TESTDIR/stty.0" "$TM_TESTDIR/stty.1" ||
		tm_fail "stty -g before: $(cat "$TM_TESTDIR/stty.0"), after: $(cat "$TM_TESTDIR/stty.1")"
}
