#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Lines of C (not blank, not comment-only) in the guest's trusted code.
set -euo pipefail
cd "$(dirname "$0")/.."
count() {
	# Strip /* */ and // comments, then count non-blank lines.
	python3 - "$@" <<'PY'
import re, sys
total = 0
for f in sys.argv[1:]:
    s = open(f).read()
    s = re.sub(r'/\*.*?\*/', '', s, flags=re.S)
    s = re.sub(r'//[^\n]*', '', s)
    n = sum(1 for l in s.splitlines() if l.strip())
    print(f"{n:6d}  {f}")
    total += n
print(f"{total:6d}  total")
PY
}
echo "guest datapath (ring + guest endpoint + the headers they use):"
count lib/ring.c lib/guest.c lib/shm.h lib/internal.h lib/layout.h
echo "whole core (lib/ and include/):"
count lib/*.c lib/*.h include/folio.h
echo "kernel guest datapath (folio.ko's own code, plus the lib/ring.c it compiles):"
count drivers/linux/folio_main.c drivers/linux/folio_guest.c drivers/linux/folio_drv.h \
	drivers/linux/folio_shm.h lib/ring.c
echo "folio.ko glue for the C headers of lib/ (drivers/linux/compat, wrappers):"
count drivers/linux/compat/*.h drivers/linux/folio_ring.c drivers/linux/folio_config.c \
	drivers/linux/folio_util.c
