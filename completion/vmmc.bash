# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vmmc(1): options, --format/--dump-keys values, theme
# names (the user's ~/.config/vmmc/themes and the shipped ones) and hosts
# (the URIs saved in the config, and ssh://ALIAS for each Host alias of
# ~/.ssh/config). Works without a config, ssh_config or the bash-completion
# package. Installed as share/bash-completion/completions/vmmc.

# the theme names, one a line
_vmmc_themes()
{
	local d f bin
	local -a dirs=("${XDG_CONFIG_HOME:-$HOME/.config}/vmmc/themes")
	[ -n "${VMMC_DATADIR:-}" ] && dirs+=("$VMMC_DATADIR/themes")
	bin=$(type -P vmmc 2>/dev/null)
	if [ -n "$bin" ]; then
		bin=$(readlink -f "$bin" 2>/dev/null || echo "$bin")
		dirs+=("${bin%/*}/themes" "${bin%/*}/../themes" "${bin%/*}/../share/vmmc/themes")
	fi
	dirs+=(/usr/share/vmmc/themes /usr/local/share/vmmc/themes)
	for d in "${dirs[@]}"; do
		for f in "$d"/*.theme; do
			[ -f "$f" ] || continue
			f=${f##*/}
			printf '%s\n' "${f%.theme}"
		done
	done 2>/dev/null | sort -u
}

# the hosts: the config's saved URIs, then ssh://ALIAS for ~/.ssh/config's
# Host aliases (not patterns with * ? or !)
_vmmc_hosts()
{
	local conf=${XDG_CONFIG_HOME:-$HOME/.config}/vmmc/config
	local sshconf=${VMMC_SSH_DIR:-$HOME/.ssh}/config
	local line key val a
	if [ -r "$conf" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line#"${line%%[![:space:]]*}"}
			case $line in
			uri*=*) ;;
			*) continue ;;
			esac
			key=${line%%=*}
			key=${key%"${key##*[![:space:]]}"}
			[ "$key" = uri ] || continue
			val=${line#*=}
			val=${val#"${val%%[![:space:]]*}"}
			if [ "${val:0:1}" = '"' ]; then
				val=${val:1}
				val=${val%\"*}
				val=${val//\\\"/\"}
				val=${val//\\\\/\\}
			else
				val=${val%%#*}
				val=${val%"${val##*[![:space:]]}"}
			fi
			[ -n "$val" ] && printf '%s\n' "$val"
		done <"$conf"
	fi
	if [ -r "$sshconf" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			line=${line#"${line%%[![:space:]]*}"}
			line=${line%%#*}
			case ${line,,} in
			host[[:space:]=]*) ;;
			*) continue ;;
			esac
			line=${line:4}
			line=${line#"${line%%[!=[:space:]]*}"}
			for a in $line; do
				case $a in
				*[\*\?\!]*) ;;
				*) printf 'ssh://%s\n' "$a" ;;
				esac
			done
		done <"$sshconf"
	fi
}

_vmmc()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local opts='-c --connect --demo -t --theme -d --delay -n --max-iterations --batch
		--iterations --format --dump-keys --log -h --help -V --version'
	local -a cands=()
	local c line wb=${COMP_WORDBREAKS:-}

	# --opt=value: bash splits it into "--opt" "=" "value"
	if [ "$cur" = = ] && [ "${prev:0:2}" = -- ]; then
		cur=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -ge 2 ]; then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# a URI's ':' also splits words: complete the whole of it
	if [[ $wb == *:* ]]; then
		local i=$COMP_CWORD full=$cur
		while [ "$i" -gt 1 ] && { [ "${COMP_WORDS[i - 1]}" = : ] || [ "${COMP_WORDS[i]}" = : ]; }; do
			i=$((i - 1))
			full=${COMP_WORDS[i]}$full
		done
		if [ "$i" != "$COMP_CWORD" ]; then
			cur=$full
			prev=${COMP_WORDS[i - 1]}
		fi
	fi

	case $prev in
	-t | --theme)
		while IFS= read -r line; do cands+=("$line"); done < <(_vmmc_themes) ;;
	--format)
		cands=(csv json) ;;
	--dump-keys)
		cands=(mdoc text tsv) ;;
	--log)
		compopt -o filenames 2>/dev/null
		while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
		return 0 ;;
	-d | --delay | -n | --max-iterations | --iterations)
		return 0 ;;
	-c | --connect)
		while IFS= read -r line; do cands+=("$line"); done < <(_vmmc_hosts) ;;
	*)
		if [ "${cur:0:1}" = - ]; then
			# shellcheck disable=SC2206 # split on blanks on purpose
			cands=($opts)
		else
			while IFS= read -r line; do cands+=("$line"); done < <(_vmmc_hosts)
		fi ;;
	esac
	COMPREPLY=()
	for c in "${cands[@]}"; do
		[[ $c == "$cur"* ]] || continue
		# bash replaces only the part after the last ':' (a word break)
		if [[ $wb == *:* && $cur == *:* ]]; then
			c=${c#"${cur%"${cur##*:}"}"}
		fi
		COMPREPLY+=("$c")
	done
	return 0
}
complete -F _vmmc vmmc
