#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mk/deb.sh [OUTDIR] - build the Debian package of vmmc with dpkg-buildpackage
# in a scratch copy of the tree (the files git knows, committed or not; all
# files but build output when this is not a git checkout), so the work tree
# gets no debian/vmmc/, build/ or stamp files. The .deb, .buildinfo and
# .changes go to OUTDIR (default: dist); the scratch copy is removed.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-dist}
case $out in
/*) ;;
*) out=$top/$out ;;
esac
version=$(dpkg-parsechangelog -S Version)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
src=$scratch/vmmc-$version
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar -c --null -T - -f - | tar -x -C "$src" -f -
else
	tar -c --exclude=./build --exclude=./build-asan --exclude=./dist --exclude=./vmmc \
		--exclude=./.git -f - . | tar -x -C "$src" -f -
fi
echo "deb: building vmmc $version in $src"
(cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$scratch/build.log" 2>&1 || {
	tail -n 40 "$scratch/build.log" >&2
	echo "deb: dpkg-buildpackage failed (last 40 lines above)" >&2
	exit 1
}
mkdir -p "$out"
for f in "$scratch"/*.deb "$scratch"/*.buildinfo "$scratch"/*.changes; do
	[ -e "$f" ] && mv -f "$f" "$out/"
done
ls "$out"/vmmc_"$version"_*.deb
