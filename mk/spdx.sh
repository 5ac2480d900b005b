#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mk/spdx.sh --check | --fix - every source file of vmmc names its license
# in an SPDX line near its top (within the first 3 lines):
#   C (.c .h):                    /* SPDX-License-Identifier: GPL-2.0-or-later */  (line 1)
#   shell, Python, make, themes,
#   completion, debian/rules:     # SPDX-License-Identifier: ...  (after a #! line)
#   man pages (.1 .5):            .\" SPDX-License-Identifier: ...  (line 1)
#   XML:                          <!-- SPDX-License-Identifier: ... -->  (after <?xml ...?>)
# The files are those git tracks (else every file under the tree), by name:
# *.c *.h *.sh *.py *.theme *.bash *.zsh *.1 *.5 *.xml, Makefile, debian/rules,
# mk/*, completion/*, and any file starting with "#!". Not source, so not
# checked: the golden screens and fixtures of tests/ (compared byte for
# byte), *.md, LICENSE and the debian/ control files (debian/copyright
# covers them). --fix adds the line where it is missing.
set -eu
cd "$(dirname "$0")/.."
LICENSE_ID=GPL-2.0-or-later
TAG="SPDX-License-Identifier: $LICENSE_ID"
mode=${1:-}
case $mode in
--check | --fix) ;;
*) echo "usage: mk/spdx.sh --check | --fix" >&2; exit 2 ;;
esac

list_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||'
	fi | grep -v -e '^tests/screen/golden/' -e '^tests/fixtures/' -e '^debian/\.' \
		-e '^debian/vmmc/' -e '^debian/tmp/' -e '^debian/files$' -e '\.substvars$' \
		-e '^debian/.*\.log$' -e '^debian/.*debhelper' || true
}

# the comment style of a source file, or "" when it is not one
style_of() {
	case $1 in
	*.c | *.h) echo c ;;
	*.1 | *.5) echo roff ;;
	*.xml) echo xml ;;
	*.sh | *.py | *.theme | *.bash | *.zsh | Makefile | */Makefile | debian/rules | mk/* | completion/*) echo hash ;;
	*)
		if [ "$(head -c 2 "$1" 2>/dev/null)" = '#!' ]; then echo hash; else echo; fi ;;
	esac
}

has_tag() {
	head -n 3 "$1" | grep -qF "$TAG"
}

add_tag() {
	f=$1
	tmp=$f.spdx.$$
	case $2 in
	c) { echo "/* $TAG */"; cat "$f"; } >"$tmp" ;;
	roff) { echo ".\\\" $TAG"; cat "$f"; } >"$tmp" ;;
	xml)
		if head -n 1 "$f" | grep -q '^<?xml'; then
			{ head -n 1 "$f"; echo "<!-- $TAG -->"; tail -n +2 "$f"; } >"$tmp"
		else
			{ echo "<!-- $TAG -->"; cat "$f"; } >"$tmp"
		fi ;;
	hash)
		if [ "$(head -c 2 "$f")" = '#!' ]; then
			{ head -n 1 "$f"; echo "# $TAG"; tail -n +2 "$f"; } >"$tmp"
		else
			{ echo "# $TAG"; cat "$f"; } >"$tmp"
		fi ;;
	esac
	chmod --reference="$f" "$tmp"
	mv -f "$tmp" "$f"
}

n=0 bad=0 fixed=0
for f in $(list_files); do
	[ -f "$f" ] || continue
	st=$(style_of "$f")
	[ -n "$st" ] || continue
	n=$((n + 1))
	has_tag "$f" && continue
	if [ "$mode" = --fix ]; then
		add_tag "$f" "$st"
		fixed=$((fixed + 1))
	else
		echo "spdx: $f: no '$TAG' line in its first 3 lines" >&2
		bad=$((bad + 1))
	fi
done
if [ "$bad" != 0 ]; then
	echo "spdx: $bad of $n source files lack the SPDX line; add it with: mk/spdx.sh --fix" >&2
	exit 1
fi
if [ "$mode" = --fix ]; then
	echo "spdx: added the SPDX line to $fixed files ($n source files)"
else
	echo "spdx: ok ($n source files)"
fi
