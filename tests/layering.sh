#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/layering.sh - check the #include rules between the layers:
#   curses (<curses.h>, <ncurses*.h>, <term.h>, <panel.h>, <form.h>, <menu.h>)
#                     only in tui/ and main.c
#   <libvirt/...>     only in backend/ and main.c
#   <libssh/...>      only in remote/
#   <vterm*.h>        only in tui/
#   core/             includes nothing from tui/, backend/, remote/, wizards/
#   backend/, remote/ include nothing from tui/ or wizards/
#   tui/              includes nothing from wizards/ (main wires them)
#   wizards/          includes core/ and backend/ only: no tui/, no remote/
# Quoted includes are resolved against the including file's folder, then the
# top folder. tests/ and the build folders are not checked. Prints each
# violation as file:line: and "layering: ok (N files)" when there is none.
set -eu
cd "$(dirname "$0")/.."

mapfile -t files < <(find . \( -path ./tests -o -path ./.git -o -path './build*' \) -prune -o \
	-type f \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)

bad=0
violation() {
	echo "$1: $2" >&2
	bad=$((bad + 1))
}

# normalize a relative path: a/b/../c -> a/c
normpath() {
	local -a out=()
	local part IFS=/
	for part in $1; do
		case $part in
		'' | .) ;;
		..)
			if [ "${#out[@]}" = 0 ]; then
				out+=(..)
			else
				unset 'out[${#out[@]}-1]'
			fi
			;;
		*) out+=("$part") ;;
		esac
	done
	echo "${out[*]}"
}

# top-level folder of a repository path ("" for a file at the top)
layer_of() {
	case $1 in
	*/*) echo "${1%%/*}" ;;
	*) echo "" ;;
	esac
}

for f in "${files[@]}"; do
	layer=$(layer_of "$f")
	# "LINE<TAB><|"<TAB>PATH" for every #include
	while IFS=$'\t' read -r line kind inc; do
		where="$f:$line"
		if [ "$kind" = '<' ]; then
			case $inc in
			curses.h | ncurses*.h | ncurses*/* | term.h | panel.h | form.h | menu.h)
				[ "$layer" = tui ] || [ "$f" = main.c ] ||
					violation "$where" "<$inc> outside tui/ and main.c" ;;
			libvirt/*)
				[ "$layer" = backend ] || [ "$f" = main.c ] ||
					violation "$where" "<$inc> outside backend/ and main.c" ;;
			libssh/*)
				[ "$layer" = remote ] ||
					violation "$where" "<$inc> outside remote/" ;;
			vterm*.h)
				[ "$layer" = tui ] ||
					violation "$where" "<$inc> outside tui/" ;;
			esac
			continue
		fi
		# a project header: which layer is it in?
		dir=$(dirname "$f")
		target=$(normpath "$dir/$inc")
		if [ ! -e "$target" ]; then
			case $(normpath "$inc") in
			core/* | backend/* | remote/* | tui/* | wizards/*) target=$(normpath "$inc") ;;
			*) [ ! -e "$(normpath "$inc")" ] || target=$(normpath "$inc") ;;
			esac
		fi
		to=$(layer_of "$target")
		case "$layer>$to" in
		core\>tui | core\>backend | core\>remote | core\>wizards | \
			backend\>tui | backend\>wizards | remote\>tui | remote\>wizards | \
			tui\>wizards | wizards\>tui | wizards\>remote)
			violation "$where" "$layer/ includes $target (\"$inc\")" ;;
		esac
	done < <(awk '
		/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
			s = $0
			sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
			kind = substr(s, 1, 1)
			s = substr(s, 2)
			if (kind == "<")
				sub(/>.*/, "", s)
			else
				sub(/".*/, "", s)
			printf "%d\t%s\t%s\n", FNR, kind, s
		}' "$f")
done

if [ "$bad" != 0 ]; then
	echo "layering: $bad violation(s) in ${#files[@]} files" >&2
	exit 1
fi
echo "layering: ok (${#files[@]} files)"
