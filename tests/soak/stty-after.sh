#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/soak/stty-after.sh OUT CMD [ARG]... - run CMD on this terminal, then
# write `stty -a` of the same terminal to OUT (the state CMD left it in);
# exits with CMD's status. For the fault matrix and the monkey test: "the
# terminal is sane after quitting" is read on the very tty vmmc used.
out=$1
shift
"$@"
st=$?
stty -a >"$out" 2>&1
exit "$st"
