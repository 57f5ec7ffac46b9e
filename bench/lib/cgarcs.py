#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Instructions per packet of a PMD's burst function, from a callgrind
output file, without needing the PMD's symbols.

Debian ships its PMDs stripped, so a burst function has no name that
--toggle-collect could match. But testpmd reaches the PMD's rx (or tx)
burst only through the ethdev function pointer, called from testpmd's own
code (rte_eth_rx_burst is inline): every call arc from the testpmd object
into the PMD object is a burst call, and callgrind records its call count
and inclusive cost (the PMD's code and all it calls: mempool, ring,
library). This reads those arcs.

  cgarcs.py CALLGRIND.OUT CALLER_OBJ_SUBSTR PMD_OBJ_SUBSTR [BURST]

prints one line
  calls=N ir=M ir_per_call=X ir_per_pkt=Y ir_all_per_pkt=Z fn=NAME obj=PATH
for the callee function of PMD_OBJ with the most cost from testpmd (its
burst). ir_all_per_pkt adds every other call into the PMD object from
outside it in the same window: a free callback of lent (zero-copy) mbufs
that testpmd's rte_pktmbuf_free_bulk runs, the once-a-second stats call.
Per packet figures assume BURST (default 32) packets per call: the harness
keeps the measured side saturated (rx: a native sender keeps the ring full
while the receiver runs under valgrind; tx: a native receiver keeps it
empty), which the caller checks against the port counters.
"""
import re
import sys


def parse(path, caller_sub, pmd_sub):
    names = {"ob": {}, "fl": {}, "fn": {}}
    arcs = {}  # (fn, obj) -> [calls, ir]
    ob = fn = cob = cfn = None
    pending = None  # (calls, callee) waiting for its cost line
    rx = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def name(kind, val):
        m = rx.match(val)
        if not m:
            return val
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), val)

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if pending is not None:
                if line and (line[0].isdigit() or line[0] in "+-*"):
                    fields = line.split()
                    if len(fields) >= 2:
                        calls, key = pending
                        a = arcs.setdefault(key, [0, 0])
                        a[0] += calls
                        a[1] += int(fields[1])
                pending = None
                continue
            if line.startswith("ob="):
                ob = name("ob", line[3:])
            elif line.startswith("fn="):
                fn = name("fn", line[3:])
                cob = None
            elif line.startswith("cob="):
                cob = name("ob", line[4:])
            elif line.startswith("cfn="):
                cfn = name("fn", line[4:])
            elif line.startswith("calls="):
                callee_ob = cob if cob is not None else ob
                if (ob and pmd_sub not in ob and callee_ob and
                        pmd_sub in callee_ob):
                    pending = (int(line[6:].split()[0]),
                               (cfn, callee_ob, caller_sub in ob))
                else:
                    pending = (0, None)
                cob = None
            elif line.startswith(("fl=", "fi=", "fe=")):
                name("fl", line[3:])
            # cost lines and headers: ignored
    arcs.pop(None, None)
    return {k: v for k, v in arcs.items() if k is not None}


def main(argv):
    if len(argv) < 4 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    burst = int(argv[4]) if len(argv) > 4 else 32
    every = parse(argv[1], argv[2], argv[3])
    arcs = {}
    for (fn, obj, from_caller), v in every.items():
        if from_caller:
            a = arcs.setdefault((fn, obj), [0, 0])
            a[0] += v[0]
            a[1] += v[1]
    ir_all = sum(v[1] for v in every.values())
    if not arcs:
        print(f"cgarcs: no call from an object matching '{argv[2]}' into one "
              f"matching '{argv[3]}' in {argv[1]}", file=sys.stderr)
        return 1
    (fn, obj), (calls, ir) = max(arcs.items(), key=lambda kv: kv[1][1])
    if not calls:
        return 1
    print(f"calls={calls} ir={ir} ir_per_call={ir / calls:.1f} "
          f"ir_per_pkt={ir / calls / burst:.2f} "
          f"ir_all_per_pkt={ir_all / calls / burst:.2f} fn={fn} obj={obj}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
