#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mk/vcsim.sh [OUT] - build vmmc-vcsim (tests/drivers/vcsim/main.go:
# govmomi's ESX simulator behind a fixing proxy) offline from Debian's
# packages (golang-go, golang-github-vmware-govmomi-dev: GOPATH mode, no
# module download). Cached: rebuilt only when main.go, the Go toolchain or
# govmomi's simulator is newer than OUT (default build/vmmc-vcsim). Prints OUT's path.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/vmmc-vcsim}
src=$root/tests/drivers/vcsim/main.go
gocode=/usr/share/gocode
if ! command -v go >/dev/null || [ ! -d "$gocode/src/github.com/vmware/govmomi/simulator" ]; then
	echo "vcsim: needs golang-go and golang-github-vmware-govmomi-dev (mk/deps.sh test)" >&2
	exit 1
fi
if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$(command -v go)" ] &&
	[ "$out" -nt "$gocode/src/github.com/vmware/govmomi/simulator" ]; then
	echo "$out"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vmmc-vcsim-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/vmmc-vcsim" "$(dirname "$out")"
cp "$src" "$work/src/vmmc-vcsim/"
(cd "$work/src/vmmc-vcsim" &&
	GOPATH="$work:$gocode" GO111MODULE=off GOFLAGS='' GOPROXY=off \
		GOCACHE="${VMMC_GOCACHE:-$root/build/go-cache}" \
		go build -o "$out.tmp" .) || {
	echo "vcsim: go build failed" >&2
	exit 1
}
mv -f "$out.tmp" "$out"
echo "$out"
