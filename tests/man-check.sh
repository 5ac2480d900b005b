#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/man-check.sh [--fix] BIN - the man page must match the program.
#   1. The key table in man/vmmc.1, between the lines `.\" BEGIN KEYS` and
#      `.\" END KEYS`, must equal `BIN --dump-keys mdoc` (made from the code's
#      action table). --fix rewrites that block in place instead.
#   2. Every option of the OPTIONS section (`.It Fl x ...`, `Fl -long`) must
#      appear in `BIN --help`. Options of --help missing from the man page are
#      reported as a note.
# VMMC_MAN overrides the man page's path.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
man=${VMMC_MAN:-$root/man/vmmc.1}
fix=0
if [ "${1:-}" = --fix ]; then
	fix=1
	shift
fi
if [ $# != 1 ]; then
	echo "usage: tests/man-check.sh [--fix] BIN" >&2
	exit 2
fi
bin=$1
case $bin in
*/*) ;;
*) bin=./$bin ;;
esac
if [ ! -f "$man" ]; then
	echo "man-check: $man is missing" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/man-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2089,SC2090 # the literal text is meant: .\" is a roff comment
export BEGIN_KEYS='.\" BEGIN KEYS' END_KEYS='.\" END KEYS'

# ---- 1. the key table ---------------------------------------------------------
if ! "$bin" --dump-keys mdoc >"$tmp/keys.code" 2>"$tmp/err"; then
	echo "man-check: '$bin --dump-keys mdoc' failed:" >&2
	cat "$tmp/err" >&2
	exit 1
fi
nb=$(grep -cxF -- "$BEGIN_KEYS" "$man" || true)
ne=$(grep -cxF -- "$END_KEYS" "$man" || true)
if [ "$nb" != 1 ] || [ "$ne" != 1 ]; then
	echo "man-check: ${man#"$root"/} needs exactly one line '$BEGIN_KEYS' and one '$END_KEYS' (found $nb and $ne)" >&2
	exit 1
fi
lb=$(grep -nxF -- "$BEGIN_KEYS" "$man" | cut -d: -f1)
le=$(grep -nxF -- "$END_KEYS" "$man" | cut -d: -f1)
if [ "$lb" -gt "$le" ]; then
	echo "man-check: '$END_KEYS' comes before '$BEGIN_KEYS'" >&2
	exit 1
fi
sed -n "$((lb + 1)),$((le - 1))p" "$man" >"$tmp/keys.man"

status=0
if ! cmp -s "$tmp/keys.man" "$tmp/keys.code"; then
	if [ "$fix" = 1 ]; then
		awk -v keys="$tmp/keys.code" '
			$0 == ENVIRON["BEGIN_KEYS"] { print; while ((getline l < keys) > 0) print l; skip = 1; next }
			$0 == ENVIRON["END_KEYS"] { skip = 0 }
			!skip { print }' "$man" >"$tmp/man.new"
		cat "$tmp/man.new" >"$man"
		echo "man-check: rewrote the key table of ${man#"$root"/}"
	else
		echo "man-check: the key table of ${man#"$root"/} differs from '$bin --dump-keys mdoc':" >&2
		diff -u --label "${man#"$root"/} (BEGIN KEYS..END KEYS)" --label "$bin --dump-keys mdoc" \
			"$tmp/keys.man" "$tmp/keys.code" >&2 || true
		echo "man-check: regenerate with: tests/man-check.sh --fix $1" >&2
		status=1
	fi
fi

# ---- 2. options: man page -> --help ---------------------------------------------
if ! "$bin" --help >"$tmp/help" 2>&1; then
	echo "man-check: '$bin --help' failed" >&2
	exit 1
fi
# the options named on the .It lines of the OPTIONS section: "Fl c" -> -c,
# "Fl -connect" or "Fl \-connect" -> --connect
awk '
	/^\.Sh / { in_opts = ($2 == "OPTIONS"); next }
	in_opts && /^\.It / {
		for (i = 2; i < NF; i++)
			if ($i == "Fl") {
				o = $(i + 1)
				gsub(/\\/, "", o)
				if (o ~ /^-?[A-Za-z0-9][-A-Za-z0-9]*$/)
					print "-" o
			}
	}' "$man" | sort -u >"$tmp/opts.man"
nopts=$(wc -l <"$tmp/opts.man")
if [ "$nopts" = 0 ]; then
	echo "man-check: no options found in the OPTIONS section of ${man#"$root"/}" >&2
	status=1
fi
while IFS= read -r o; do
	if ! grep -qE -- "(^|[^-[:alnum:]])$o([^-[:alnum:]]|\$)" "$tmp/help"; then
		echo "man-check: option $o of the man page is not in '$bin --help'" >&2
		status=1
	fi
done <"$tmp/opts.man"
# the other way round: only a note
grep -oE -- '(^|[[:space:],])--?[[:alnum:]][-[:alnum:]]*' "$tmp/help" | sed 's/^[[:space:],]*//' |
	sort -u | while IFS= read -r o; do
	grep -qxF -- "$o" "$tmp/opts.man" ||
		echo "man-check: note: $o of --help is not in the OPTIONS section of the man page"
done

# ---- 3. the README's key table ----------------------------------------------------
# Between the lines <!-- BEGIN KEYS --> and <!-- END KEYS --> of README.md: a
# fenced block holding `BIN --dump-keys text`.
readme=${VMMC_README:-$root/README.md}
{
	echo '```'
	"$bin" --dump-keys text
	echo '```'
} >"$tmp/keys.readme.code"
rb=$(grep -nxF -- '<!-- BEGIN KEYS -->' "$readme" | cut -d: -f1 || true)
re=$(grep -nxF -- '<!-- END KEYS -->' "$readme" | cut -d: -f1 || true)
if [ -z "$rb" ] || [ -z "$re" ]; then
	echo "man-check: ${readme#"$root"/} needs the lines <!-- BEGIN KEYS --> and <!-- END KEYS -->" >&2
	status=1
else
	sed -n "$((rb + 1)),$((re - 1))p" "$readme" >"$tmp/keys.readme"
	if ! cmp -s "$tmp/keys.readme" "$tmp/keys.readme.code"; then
		if [ "$fix" = 1 ]; then
			{ sed -n "1,${rb}p" "$readme"; cat "$tmp/keys.readme.code"; sed -n "${re},\$p" "$readme"; } >"$tmp/readme.new"
			cat "$tmp/readme.new" >"$readme"
			echo "man-check: rewrote the key table of ${readme#"$root"/}"
		else
			echo "man-check: the key table of ${readme#"$root"/} differs from '$bin --dump-keys text':" >&2
			diff -u "$tmp/keys.readme" "$tmp/keys.readme.code" >&2 || true
			echo "man-check: regenerate with: tests/man-check.sh --fix $1" >&2
			status=1
		fi
	fi
fi

[ "$status" = 0 ] || exit 1
echo "man-check: ok ($(wc -l <"$tmp/keys.code") key-table lines, $nopts options)"
