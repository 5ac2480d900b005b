#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mk/debcontrol.sh --check | --fix - debian/control's Build-Depends are
# debhelper-compat plus mk/deps.sh's build set, less what build-essential
# brings (gcc, g++, make, libc6-dev, dpkg-dev): one list of packages, kept in
# mk/deps.sh. --check says what differs; --fix rewrites the field.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-}
case $mode in
--check | --fix) ;;
*) echo "usage: mk/debcontrol.sh --check | --fix" >&2; exit 2 ;;
esac
control=debian/control
compat="debhelper-compat (= 13)"
want=$(sh mk/deps.sh --list build | grep -vxE 'gcc|g\+\+|make|libc6-dev|dpkg-dev' | sort -u)
# the Build-Depends field: its first line and continuation lines, names only
have=$(awk '
	/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
	on && /^[ \t]/ { print; next }
	{ on = 0 }' "$control" | tr ',' '\n' | sed 's/([^)]*)//; s/\[[^]]*\]//; s/^[[:space:]]*//; s/[[:space:]]*$//' |
	grep -v -e '^$' -e '^debhelper-compat$' | sort -u)
if [ "$want" = "$have" ]; then
	echo "debcontrol: ok (Build-Depends = debhelper-compat + $(echo "$want" | wc -l) packages of mk/deps.sh's build set)"
	exit 0
fi
if [ "$mode" = --check ]; then
	echo "debcontrol: debian/control's Build-Depends differ from mk/deps.sh's build set:" >&2
	diff -u --label "debian/control Build-Depends" --label "mk/deps.sh --list build" \
		/dev/fd/3 /dev/fd/4 3<<E1 4<<E2 >&2 || true
$have
E1
$want
E2
	echo "debcontrol: fix with: mk/debcontrol.sh --fix" >&2
	exit 1
fi
field=$(printf 'Build-Depends: %s' "$compat"; for p in $want; do printf ',\n               %s' "$p"; done)
tmp=$control.tmp.$$
awk -v field="$field" '
	/^Build-Depends:/ { print field; skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }' "$control" >"$tmp"
mv -f "$tmp" "$control"
echo "debcontrol: rewrote Build-Depends of $control"
