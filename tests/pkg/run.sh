#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/pkg/run.sh [PATTERN] - vmmc shipped like software: the Debian package
# (built by `make deb` in a scratch copy, lintian, installed with apt-get,
# run from /usr, purged), shell completion (bash, zsh), the manuals
# (mandoc -Tlint) and the debug log (--log: refusals, no secret after a
# password login over a real sshd, a dropped SSH link and its reconnect).
# Root only. PATTERN (or $VMMC_TESTS), an extended regex, picks tests by
# name. Ends with "pkg: N passed, M failed".
#
# The package is installed only for t_pkg_deb and purged again at its end
# (also when it fails); a vmmc package installed before is never touched:
# the test then fails and says so. Installs are serialized with other runs
# by a lock (/run/lock/vmmc-pkg-test.lock). The SSH tests use their own sshd
# (tests/remote/sshd.sh), a test user vmmclog<pid> (removed at exit) with its own
# session libvirtd, and the system libvirtd (started only when none runs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export TM_SUITE=pkg
# shellcheck source=tests/lib/tmux.sh
. "$here/../lib/tmux.sh"
# shellcheck source=tests/lib/libvirtd.sh
. "$here/../lib/libvirtd.sh"


PKG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-pkg-$$.XXXXXX")
chmod 711 "$PKG_TMP" # the test user reaches its home inside
SSHD_DIR=$PKG_TMP/sshd
PW_USER=vmmclog$$
PW_HOME=$PKG_TMP/pwhome
PW_PASS="lp-$$-$RANDOM-Qw" # the test user's password: must never reach the log
PORT=
SSH_READY=0
export PKG_TMP SSHD_DIR PW_USER PW_HOME PW_PASS

# ---- helpers --------------------------------------------------------------------

# the mandoc -Tlint messages of a page that are about the page: not those
# about this machine's manual database (an Xr to a page not installed here)
lint() {
	mandoc -Tlint -W style "$1" 2>&1 | grep -v -e 'outdated mandoc.db' -e 'referenced manual not found' || true
}

# bash with the completion script sourced and HOME=$TM_TESTDIR/home; runs
# "$1" (bash code) after it. COMP helpers: comp WORD... completes the last
# word as bash would split the line (COMP_WORDBREAKS with ':' and '=').
comp_bash() {
	local script=${COMP_SCRIPT:-$TM_ROOT/completion/vmmc.bash}
	# shellcheck disable=SC2016 # the script is for the inner bash
	env -i PATH="${COMP_PATH:-$PATH}" HOME="$TM_TESTDIR/home" TERM=dumb bash --norc --noprofile -c '
		set -u
		. "$1"
		# comp LINE: complete the end of LINE, words split the way readline does
		comp() {
			local line=$1 w=() cur=
			local i c
			for ((i = 0; i < ${#line}; i++)); do
				c=${line:i:1}
				case $c in
				" ") [ -n "$cur" ] && w+=("$cur"); cur= ;;
				[:=]) [ -n "$cur" ] && w+=("$cur"); w+=("$c"); cur= ;;
				*) cur+=$c ;;
				esac
			done
			w+=("$cur")
			COMP_WORDS=("${w[@]}")
			COMP_CWORD=$((${#w[@]} - 1))
			COMP_LINE=$line
			COMP_POINT=${#line}
			COMPREPLY=()
			_vmmc
			[ "${#COMPREPLY[@]}" = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort
		}
		'"$1" bash "$script"
}

# the test user and its session daemon, and an sshd (once per run, before
# the tests, when one of them needs it)
ssh_setup() {
	lv_up || return 1
	mkdir -p "$SSHD_DIR" "$PW_HOME"
	PORT=$("$TM_ROOT/tests/remote/sshd.sh" start "$SSHD_DIR") || return 1
	printf '%s' "$PW_PASS" | "$TM_ROOT/tests/remote/sshd.sh" user-add "$PW_USER" "$PW_HOME" || return 1
	chown "$PW_USER" "$PW_HOME"
	runuser -u "$PW_USER" -- env -i HOME="$PW_HOME" PATH=/usr/sbin:/usr/bin:/bin libvirtd --daemon || return 1
	for _ in $(seq 100); do
		[ -S "$PW_HOME/.cache/libvirt/libvirt-sock" ] && break
		sleep 0.1
	done
	[ -S "$PW_HOME/.cache/libvirt/libvirt-sock" ] || return 1
	# a key without passphrase for root's logins (no agent needed)
	ssh-keygen -q -t ed25519 -N '' -C vmmc-test-pkg -f "$PKG_TMP/root_key" || return 1
	cat "$PKG_TMP/root_key.pub" >>"$SSHD_DIR/authorized_keys"
	SSH_READY=1
}

need_ssh() { [ "$SSH_READY" = 1 ] || tm_fail "the SSH set-up failed (sshd, test user, libvirtd)"; }

# a fresh ssh dir for vmmc (VMMC_SSH_DIR) that knows the sshd's key
ssh_dir() {
	local d=$TM_TESTDIR/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keyscan -p "$PORT" -t ed25519 127.0.0.1 2>/dev/null >"$d/known_hosts"
	[ -s "$d/known_hosts" ] || tm_fail "ssh-keyscan found no key on port $PORT"
	echo "$d"
}

# ---- manuals -------------------------------------------------------------------

# every page of man/ is clean under mandoc -Tlint (style level too); a page
# with a fault is caught (the check can fail)
t_pkg_mandoc_lint() {
	local p out n=0
	for p in "$TM_ROOT"/man/*.[1-9]; do
		out=$(lint "$p")
		[ -z "$out" ] || tm_fail "mandoc -Tlint on ${p#"$TM_ROOT"/}:"$'\n'"$out"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || tm_fail "expected vmmc.1 and vmmc.conf.5, found $n pages"
	printf '.Dd x\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n.Sh DESCRIPTION\n.Sy\n' >"$TM_TESTDIR/bad.1"
	[ -n "$(lint "$TM_TESTDIR/bad.1")" ] || tm_fail "mandoc -Tlint does not catch an empty Sy"
}

# ---- completion ------------------------------------------------------------------

# bash: complete -p after sourcing; options; --the -> --theme; theme names
# shipped and the user's; --format; hosts from the config and ssh_config
# aliases as ssh://ALIAS (not patterns), also with ':' a word break
t_pkg_completion_bash() {
	local h=$TM_TESTDIR/home out opts
	mkdir -p "$h/.config/vmmc/themes" "$h/.ssh"
	: >"$h/.config/vmmc/themes/my-night.theme"
	cat >"$h/.config/vmmc/config" <<-'CONF'
	version = 1
	[host]
	uri = qemu+ssh://admin@kvm9/system
	name = Nine
	[host]
	uri = "test:///default"   # quoted, with a comment
	CONF
	cat >"$h/.ssh/config" <<-'SSHC'
	Host kvm-lab lab2
	    HostName 10.0.0.5
	Host *.example.org !bad
	host=lowercase-alias
	Match host foo
	SSHC
	out=$(comp_bash 'complete -p vmmc')
	[ "$out" = "complete -F _vmmc vmmc" ] || tm_fail "complete -p vmmc: '$out'"
	out=$(comp_bash 'comp "vmmc --the"')
	[ "$out" = "--theme" ] || tm_fail "--the<Tab>: '$out'"
	# every option of --help is offered
	opts=$("$VMMC_BIN" --help | grep -oE -- '(^|[ ,])--?[a-zA-Z][-a-zA-Z]*' | tr -d ' ,' | sort -u)
	out=$(comp_bash 'comp "vmmc -"' | sort -u)
	[ "$out" = "$opts" ] || tm_fail "options differ from --help: $(diff <(echo "$opts") <(echo "$out") | tr '\n' ' ')"
	out=$(COMP_PATH="${VMMC_BIN%/*}:$PATH" comp_bash 'comp "vmmc --theme "' | tr '\n' ' ')
	[ "$out" = "dark default mono my-night " ] || tm_fail "--theme <Tab>: '$out'"
	out=$(comp_bash 'comp "vmmc -t my"')
	[ "$out" = my-night ] || tm_fail "-t my<Tab>: '$out'"
	out=$(comp_bash 'comp "vmmc --format "' | tr '\n' ' ')
	[ "$out" = "csv json " ] || tm_fail "--format <Tab>: '$out'"
	out=$(comp_bash 'comp "vmmc --batch --format=j"')
	[ "$out" = json ] || tm_fail "--format=j<Tab>: '$out'"
	out=$(comp_bash 'comp "vmmc "' | tr '\n' ' ')
	[ "$out" = "qemu+ssh://admin@kvm9/system ssh://kvm-lab ssh://lab2 ssh://lowercase-alias test:///default " ] ||
		tm_fail "hosts: '$out'"
	# ':' splits words in bash: only the part after the last ':' is replaced
	out=$(comp_bash 'comp "vmmc -c ssh://kvm"')
	[ "$out" = "//kvm-lab" ] || tm_fail "-c ssh://kvm<Tab>: '$out'"
	out=$(comp_bash 'comp "vmmc --log /nonexistent-dir-$$/"')
	[ -z "$out" ] || tm_fail "--log completes files only: '$out'"
	out=$(comp_bash 'comp "vmmc -d "')
	[ -z "$out" ] || tm_fail "-d takes a number, nothing to offer: '$out'"
}

# no config, no ssh_config, no themes folder, HOME unreadable paths: no
# error, options and shipped themes still complete
t_pkg_completion_bash_no_files() {
	local out err=$TM_TESTDIR/err
	mkdir -p "$TM_TESTDIR/home"
	out=$(COMP_PATH="${VMMC_BIN%/*}:$PATH" comp_bash 'comp "vmmc "; comp "vmmc --theme "; comp "vmmc --de"' 2>"$err" | tr '\n' ' ')
	[ ! -s "$err" ] || tm_fail "errors without a config: $(cat "$err")"
	[ "$out" = "dark default mono --delay --demo " ] || tm_fail "without files: '$out'"
}

# a real Tab in an interactive bash (in tmux): the line is completed
t_pkg_completion_tab() {
	local h=$TM_TESTDIR/home
	mkdir -p "$h/.ssh"
	printf 'Host tabalias\n  HostName 127.0.0.1\n' >"$h/.ssh/config"
	tm_start -x 100 -y 10 --env HOME="$h" --env PS1='$ ' -- bash --norc --noprofile -i
	tm_wait_for '$' 5
	tm_type ". '$TM_ROOT/completion/vmmc.bash'"
	tm_keys Enter
	tm_type "vmmc --the"
	tm_keys Tab
	tm_wait_for "vmmc --theme" 5
	tm_keys C-u
	tm_type "vmmc ssh://taba"
	tm_keys Tab
	tm_wait_for "vmmc ssh://tabalias" 5
	tm_keys C-u
}

# zsh: the _vmmc function completes --the -> --theme and ssh_config aliases
t_pkg_completion_zsh() {
	local h=$TM_TESTDIR/home fp=$TM_TESTDIR/fpath
	command -v zsh >/dev/null || tm_fail "zsh is not installed (mk/deps.sh pkg)"
	zsh -n "$TM_ROOT/completion/_vmmc" || tm_fail "zsh -n _vmmc"
	mkdir -p "$h/.ssh" "$fp"
	cp "$TM_ROOT/completion/_vmmc" "$fp/"
	printf 'Host zedalias\n' >"$h/.ssh/config"
	tm_start -x 100 -y 10 --env HOME="$h" --env ZDOTDIR="$h" -- zsh -f -i
	tm_type "PS1='%% '; fpath=('$fp' \$fpath); autoload -Uz compinit; compinit -u -D"
	tm_keys Enter
	tm_wait_for "%" 5
	tm_type "vmmc --the"
	tm_keys Tab
	tm_wait_for "vmmc --theme" 5
	tm_keys C-u
	tm_type "vmmc ssh://zed"
	tm_keys Tab
	tm_wait_for "vmmc ssh://zedalias" 5
	tm_keys C-u
}

# ---- the debug log -----------------------------------------------------------------

# --log to a path that cannot be written, a symlink, a directory, and a bad
# $VMMC_LOG: a clear message, exit 1, nothing started, nothing made
t_pkg_log_refusals() {
	local out rc target=$TM_TESTDIR/target.log
	ln -s "$target" "$TM_TESTDIR/link.log"
	for args in "--log $TM_TESTDIR/no/such/dir/x.log" "--log $TM_TESTDIR/link.log" "--log $TM_TESTDIR"; do
		# shellcheck disable=SC2086 # split on purpose
		out=$("$VMMC_BIN" --demo $args 2>&1 </dev/null) && rc=0 || rc=$?
		[ "$rc" = 1 ] || tm_fail "vmmc $args: exit $rc, want 1"
		echo "$out" | grep -q "^vmmc: cannot write the log " || tm_fail "vmmc $args: '$out'"
	done
	echo "$out" | grep -qE "Is a directory|not a regular file" || tm_fail "directory: '$out'"
	out=$("$VMMC_BIN" --demo --log "$TM_TESTDIR/link.log" 2>&1 </dev/null) || true
	echo "$out" | grep -q "symbolic link" || tm_fail "symlink: '$out'"
	[ ! -e "$target" ] || tm_fail "the symlink's target was created"
	out=$(VMMC_LOG=$TM_TESTDIR/no/x.log "$VMMC_BIN" --demo 2>&1 </dev/null) && rc=0 || rc=$?
	[ "$rc" = 1 ] || tm_fail "bad VMMC_LOG: exit $rc"
	# shellcheck disable=SC2016 # a literal $
	echo "$out" | grep -q 'from \$VMMC_LOG' || tm_fail "bad VMMC_LOG: '$out'"
	# --log wins over VMMC_LOG
	VMMC_LOG=$TM_TESTDIR/no/x.log "$VMMC_BIN" --batch --demo --iterations 1 --delay 0.2 \
		--log "$TM_TESTDIR/ok.log" >/dev/null || tm_fail "--log did not win over a bad VMMC_LOG"
	grep -q "connected in" "$TM_TESTDIR/ok.log" || tm_fail "no connect line in the log"
}

# a demo run in tmux with $VMMC_LOG: start line with versions, the connect,
# a refresh job (F5) with its duration, the exit
t_pkg_log_jobs() {
	local log=$TM_TESTDIR/demo.log
	tm_vmmc --env VMMC_LOG="$log" -- --demo
	tm_wait_for "1/1 connected" 10
	tm_keys F5
	for _ in $(seq 50); do grep -q "end refresh" "$log" 2>/dev/null && break; sleep 0.1; done
	tm_keys q
	tm_wait_exit 10
	grep -qE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z \[[0-9]+\] vmmc: vmmc [0-9.]+ started .*libvirt [0-9.]+, libssh ' "$log" ||
		tm_fail "no start line: $(head -2 "$log")"
	grep -qE 'host: test://.*demo-host.xml: connected in [0-9]+ ms' "$log" || tm_fail "no connect line"
	grep -qE 'job: test://.*: end refresh .*\(job [0-9]+\) in [0-9]+ ms' "$log" || tm_fail "no refresh job: $(cat "$log")"
	grep -q "vmmc: exit status 0" "$log" || tm_fail "no exit line"
	[ "$(stat -c %a "$log")" = 600 ] || tm_fail "log mode $(stat -c %a "$log")"
}

# a password login over SSH (a wrong password first): the log tells the
# method and the attempts, and holds no copy of either password
t_pkg_log_password_secret() {
	local d log=$TM_TESTDIR/ssh.log n
	need_ssh
	d=$(ssh_dir)
	tm_vmmc -x 140 -y 36 --env VMMC_SSH_DIR="$d" -- --log "$log" "ssh://$PW_USER@127.0.0.1:$PORT/session"
	tm_wait_for "Password for $PW_USER@127.0.0.1" 20
	tm_type "wrong-$PW_PASS"
	tm_keys Enter
	tm_wait_for "please try again" 20
	tm_type "$PW_PASS"
	tm_keys Enter
	tm_wait_for "1/1 connected" 30
	tm_stop
	grep -q "password login for $PW_USER@127.0.0.1, attempt 2: asking" "$log" || tm_fail "no second attempt logged: $(cat "$log")"
	grep -qE "ssh: ssh://$PW_USER@127.0.0.1:$PORT/session: logged in to .* with password" "$log" ||
		tm_fail "no password login line: $(cat "$log")"
	grep -q "connected in" "$log" || tm_fail "no connect line"
	n=$(grep -cF -- "$PW_PASS" "$log" || true)
	echo "  lines of the log with the password: $n" >&2
	[ "$n" = 0 ] || tm_fail "the password is in the log $n times"
	# the check finds what is there (the user name)
	grep -qF -- "$PW_USER" "$log" || tm_fail "the grep finds nothing at all"
}

# the SSH link dropped (sshd's session killed, the listener stays): the log
# shows the closed link, the disconnect, the reconnect and the new login
t_pkg_log_reconnect() {
	local d log=$TM_TESTDIR/reconnect.log
	need_ssh
	d=$(ssh_dir)
	cp "$PKG_TMP/root_key" "$d/id_ed25519"
	cp "$PKG_TMP/root_key.pub" "$d/id_ed25519.pub"
	tm_vmmc -x 140 -y 36 --env VMMC_SSH_DIR="$d" -- --log "$log" "ssh://root@127.0.0.1:$PORT"
	tm_wait_for "1/1 connected" 20
	"$TM_ROOT/tests/remote/sshd.sh" signal "$SSHD_DIR" KILL
	tm_wait_for "0/1 connected" 30
	tm_wait_for "1/1 connected" 45
	tm_stop
	grep -qE "ssh: ssh://root@127.0.0.1:$PORT: link closed" "$log" || tm_fail "no closed link: $(cat "$log")"
	grep -qE "host: ssh://root@127.0.0.1:$PORT: disconnected: .*; retry in [0-9]+ s" "$log" || tm_fail "no disconnect line"
	grep -qE "host: ssh://root@127.0.0.1:$PORT: reconnecting" "$log" || tm_fail "no reconnecting line"
	grep -qE "host: ssh://root@127.0.0.1:$PORT: connected in [0-9]+ ms \(reconnected\)" "$log" || tm_fail "no reconnected line"
	[ "$(grep -c "logged in to .* with publickey" "$log")" -ge 2 ] || tm_fail "expected 2 logins in the log"
}

# ---- the Debian package --------------------------------------------------------------

pkg_purge() {
	if dpkg-query -W -f='${Status}' vmmc 2>/dev/null | grep -q installed; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=120 vmmc >/dev/null 2>&1
	fi
}

# make deb (a scratch copy: the work tree is untouched), lintian without
# errors, apt-get install, /usr/bin/vmmc --version and a demo run in tmux from
# the installed paths, man pages and completion in place, purge: nothing left
t_pkg_deb() {
	local dist=$TM_TESTDIR/dist deb before after list=$TM_TESTDIR/files f left=0 out
	[ "$(id -u)" = 0 ] || tm_skip "needs root (apt-get install)"
	before=$(cd "$TM_ROOT" && git status --porcelain --ignored 2>/dev/null | grep -v '^!! dist/' | sort)
	make -s -C "$TM_ROOT" deb DEBDIR="$dist" >"$TM_TESTDIR/make-deb.log" 2>&1 ||
		{ tail -20 "$TM_TESTDIR/make-deb.log" >&2; tm_fail "make deb failed"; }
	after=$(cd "$TM_ROOT" && git status --porcelain --ignored 2>/dev/null | grep -v '^!! dist/' | sort)
	[ "$before" = "$after" ] || tm_fail "make deb changed the work tree: $(diff <(echo "$before") <(echo "$after"))"
	deb=$(ls "$dist"/vmmc_*.deb)
	[ -f "$deb" ] || tm_fail "no .deb in $dist"
	lintian "$deb" >"$TM_TESTDIR/lintian.txt" 2>&1 || true
	! grep -q '^E:' "$TM_TESTDIR/lintian.txt" || tm_fail "lintian errors: $(grep '^E:' "$TM_TESTDIR/lintian.txt")"
	# what the optional features use at run time
	local rec
	rec=$(dpkg-deb -f "$deb" Recommends)
	for want in osinfo-db ovmf swtpm 'xorriso | genisoimage'; do
		case ", $rec," in *", $want,"*) ;; *) tm_fail "Recommends lacks $want: $rec" ;; esac
	done

	mkdir -p /run/lock
	exec 9>/run/lock/vmmc-pkg-test.lock
	flock -w 600 9 || tm_fail "another run holds the package lock"
	if dpkg-query -W -f='${Status}' vmmc 2>/dev/null | grep -q installed; then
		tm_fail "a vmmc package is installed already; not touching it"
	fi
	tm_on_exit pkg_purge
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=120 --no-install-recommends \
		"$deb" >"$TM_TESTDIR/apt.log" 2>&1 || { tail "$TM_TESTDIR/apt.log" >&2; tm_fail "apt-get install failed"; }
	dpkg -L vmmc >"$list"
	for f in /usr/bin/vmmc /usr/share/vmmc/demo-host.xml /usr/share/vmmc/themes/dark.theme \
		/usr/share/man/man1/vmmc.1.gz /usr/share/man/man5/vmmc.conf.5.gz \
		/usr/share/bash-completion/completions/vmmc /usr/share/zsh/vendor-completions/_vmmc \
		/usr/share/doc/vmmc/copyright; do
		{ grep -qxF "$f" "$list" && [ -e "$f" ]; } || tm_fail "$f is not installed"
	done
	/usr/bin/vmmc --version >"$TM_TESTDIR/version" || tm_fail "/usr/bin/vmmc --version failed"
	{ grep -q "^vmmc [0-9]" "$TM_TESTDIR/version" && grep -q "GPL-2.0-or-later" "$TM_TESTDIR/version" &&
		grep -qE "^  libvirt  [0-9]" "$TM_TESTDIR/version"; } || tm_fail "--version: $(cat "$TM_TESTDIR/version")"
	[ "$(lint <(zcat /usr/share/man/man5/vmmc.conf.5.gz))" = "" ] || tm_fail "installed vmmc.conf.5 does not lint"
	# the demo, from the installed paths only (no VMMC_DATADIR; cwd elsewhere)
	VMMC_BIN=/usr/bin/vmmc tm_vmmc -- --demo --max-iterations 1
	[ "$(tm_exit_status 20)" = 0 ] || tm_fail "the installed vmmc --demo did not exit 0"
	grep -q "Demo host" "$(tm_output_log)" || tm_fail "the installed vmmc did not show the demo host"
	# a shipped theme is found under /usr/share/vmmc/themes (a missing one is named)
	VMMC_BIN=/usr/bin/vmmc tm_vmmc -- --demo -t nosuchtheme
	tm_wait_for "Theme 'nosuchtheme' not found" 10
	tm_keys q
	VMMC_BIN=/usr/bin/vmmc tm_vmmc -- --demo -t dark
	tm_wait_for "1/1 connected" 10
	tm_assert_not_contains "not found"
	tm_keys q
	[ "$(tm_exit_status 10)" = 0 ] || tm_fail "the installed vmmc -t dark did not exit 0"
	# completion of the installed script: shipped themes from /usr/share/vmmc
	mkdir -p "$TM_TESTDIR/home"
	out=$(COMP_SCRIPT=/usr/share/bash-completion/completions/vmmc COMP_PATH=/usr/bin:/bin \
		comp_bash 'comp "vmmc --theme "' | tr '\n' ' ')
	[ "$out" = "dark default mono " ] || tm_fail "installed completion: --theme: '$out'"

	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=120 vmmc >"$TM_TESTDIR/apt.log" 2>&1 ||
		tm_fail "apt-get purge failed"
	while IFS= read -r f; do
		[ "$f" = /. ] && continue
		if [ -d "$f" ]; then
			# a folder of its own (not one other packages share) must be gone
			case $f in
			/usr/share/vmmc* | /usr/share/doc/vmmc) echo "left behind: $f" >&2; left=$((left + 1)) ;;
			esac
		elif [ -e "$f" ] || [ -L "$f" ]; then
			echo "left behind: $f" >&2
			left=$((left + 1))
		fi
	done <"$list"
	[ "$left" = 0 ] || tm_fail "$left files of the package left after purge"
	! dpkg-query -W vmmc >/dev/null 2>&1 || dpkg-query -W -f='${Status}' vmmc | grep -q not-installed ||
		tm_fail "dpkg still knows vmmc"
	echo "  files: $(wc -l <"$list") listed, 0 left after purge; lintian: $(grep -c '^[EW]:' "$TM_TESTDIR/lintian.txt" || true) E/W lines" >&2
}

# debian/control's Build-Depends follow mk/deps.sh's build set: the check
# passes here and fails when the lists part (in a copy)
t_pkg_debcontrol() {
	local c=$TM_TESTDIR/copy
	"$TM_ROOT/mk/debcontrol.sh" --check >/dev/null || tm_fail "debcontrol --check fails on the tree"
	mkdir -p "$c/mk" "$c/debian"
	cp "$TM_ROOT/mk/deps.sh" "$TM_ROOT/mk/debcontrol.sh" "$c/mk/"
	cp "$TM_ROOT/debian/control" "$c/debian/"
	sed -i 's/^build_pkgs="/build_pkgs="libfoo-dev /' "$c/mk/deps.sh"
	! "$c/mk/debcontrol.sh" --check >/dev/null 2>&1 || tm_fail "a package missing from Build-Depends is not caught"
	"$c/mk/debcontrol.sh" --fix >/dev/null
	"$c/mk/debcontrol.sh" --check >/dev/null || tm_fail "--fix did not fix it"
	grep -q "libfoo-dev" "$c/debian/control" || tm_fail "--fix did not add the package"
}

# ---- run ------------------------------------------------------------------------

pkg_exit() {
	set +e
	tm_sweep
	if [ "$SSH_READY" = 1 ] || [ -d "$SSHD_DIR" ]; then
		if [ -f "$PW_HOME/.cache/libvirt/libvirtd.pid" ]; then
			kill "$(cat "$PW_HOME/.cache/libvirt/libvirtd.pid")" 2>/dev/null
		fi
		if getent passwd "$PW_USER" | grep -q ':vmmc-test-user:'; then
			pkill -u "$PW_USER" 2>/dev/null
			sleep 0.2
		fi
		"$TM_ROOT/tests/remote/sshd.sh" user-del "$PW_USER"
		"$TM_ROOT/tests/remote/sshd.sh" stop "$SSHD_DIR" 2>/dev/null
		lv_down
	fi
	rm -rf "$PKG_TMP"
}
trap pkg_exit EXIT
trap 'tm_interrupt; exit 130' INT TERM

pattern=${1:-${VMMC_TESTS:-}}
mapfile -t tests < <(declare -F | awk '$3 ~ /^t_pkg_/ {print $3}' | grep -E -- "${pattern:-.}" || true)
if [ "${#tests[@]}" = 0 ]; then
	echo "pkg: no test matches '${pattern}'" >&2
	exit 1
fi
SECONDS=0
if printf '%s\n' "${tests[@]}" | grep -q '^t_pkg_log_\(password\|reconnect\)'; then
	ssh_setup || echo "pkg: the SSH set-up failed (sshd, test user $PW_USER, libvirtd)" >&2
fi
export PORT SSH_READY
trap 'echo "pkg: took $SECONDS s" >&2; pkg_exit' EXIT
run_tests "${tests[@]}"
