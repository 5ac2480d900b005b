#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/build-xfer-bench.sh OUT - build tests/bench/xfer_bench.c
# against build/libvmmc.a (make builds it) into OUT.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$root/build/libvmmc.a" ] || { echo "build/libvmmc.a is missing (make builds it)" >&2; exit 1; }
# shellcheck disable=SC2046
cc -O2 -D_GNU_SOURCE $(pkg-config --cflags libvirt libxml-2.0) -o "$1" \
	"$root/tests/bench/xfer_bench.c" "$root/build/libvmmc.a" \
	$(make -s --no-print-directory -C "$root" print-libs) -pthread
