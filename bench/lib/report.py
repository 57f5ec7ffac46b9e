#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of bench/run: turn each tool's output into CSV rows, then the
rows into medians, same-round ratios, a table and a plot."""
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

FIELDS = ["harness", "peer", "test", "dir", "size", "run", "mpps", "gbps",
          "p50_us", "p90_us", "p99_us", "p999_us", "instr_per_frame", "ok", "idle_calls",
          "mode", "rtt_ns"]
# Modes that can be compared: a sample whose mode changed while it ran
# ("mixed") is compared with nothing.
COMPARABLE = ("fast", "slow", "n/a")


def row(**kw):
    """One raw row; the speed mode comes from bench/run's calibration
    (FOLIO_MODE, FOLIO_RTT) unless given."""
    kw.setdefault("mode", os.environ.get("FOLIO_MODE", "n/a"))
    kw.setdefault("rtt_ns", os.environ.get("FOLIO_RTT", ""))
    w = csv.writer(sys.stdout)
    w.writerow([kw.get(f, "") for f in FIELDS])


def perf_row(peer, direction, size, run):
    text = sys.stdin.read().strip()
    if not text:
        return 1
    d = json.loads(text)
    s = d["summary"]
    if d["config"]["latency"]:
        g = [x for x in d["sides"] if x["role"] == "guest"][0]
        lat = g.get("latency_us", {})
        if not lat.get("samples"):
            return 1
        row(harness="folio-perf", peer=peer, test="latency", dir="pingpong",
            size=size, run=run, p50_us=lat["p50"], p90_us=lat["p90"],
            p99_us=lat["p99"], p999_us=lat["p99_9"], ok=int(s["ok"]))
    else:
        # Like testpmd's per-second Rx-pps: the median of the receiver's
        # interval rates, without the first and last (partial) interval.
        # Falls back to the whole-run rate when there are too few.
        fps = gbps = 0.0
        for side in d["sides"]:
            if not side["rx"]["frames"]:
                continue
            iv = [x for x in side.get("intervals", []) if x["rx_fps"] > 0]
            if len(iv) >= 3:
                iv = iv[1:-1]
                fps += statistics.median(x["rx_fps"] for x in iv)
                gbps += statistics.median(x["rx_gbps"] for x in iv)
            else:
                fps += side["rx"]["fps"]
                gbps += side["rx"]["gbps"]
        if not s["ok"]:
            print(f"folio-perf {peer} {direction} {size}: run not clean "
                  f"(errors {s['errors']})", file=sys.stderr)
        row(harness="folio-perf", peer=peer, test="throughput", dir=direction,
            size=size, run=run, mpps=round(fps / 1e6, 4),
            gbps=round(gbps, 4), ok=int(s["ok"]))
    return 0


def testpmd_row(peer, size, run, log):
    """Median of the receiver's per-second Rx-pps samples, without the
    first and last (partial) ones."""
    with open(log, errors="replace") as f:
        pps = [int(m.group(1)) for m in re.finditer(r"Rx-pps:\s+(\d+)", f.read())]
    pps = [p for p in pps if p > 0]
    if len(pps) >= 3:
        pps = pps[1:-1]
    if not pps:
        return 1
    mpps = statistics.median(pps) / 1e6
    row(harness="testpmd", peer=peer, test="throughput", dir="txonly-rxonly",
        size=size, run=run, mpps=round(mpps, 4),
        gbps=round(mpps * int(size) * 8 / 1e3, 4), ok=1)
    return 0


def pingpong_row(peer, run):
    m = re.search(r"latency_us samples=(\d+) .*p50=([\d.]+) p90=([\d.]+) "
                  r"p99=([\d.]+) p99_9=([\d.]+)", sys.stdin.read())
    if not m or int(m.group(1)) == 0:
        return 1
    row(harness="dpdk-pingpong", peer=peer, test="latency", dir="pingpong",
        size=64, run=run, p50_us=m.group(2), p90_us=m.group(3),
        p99_us=m.group(4), p999_us=m.group(5), ok=1)
    return 0


def callgrind_row(peer, path, size, log):
    text = sys.stdin.read().strip()
    with open(log, errors="replace") as f:
        m = re.search(r"Collected\s*:\s*([\d,]+)", f.read())
    if not text or not m:
        return 1
    d = json.loads(text)
    side = d["sides"][0]
    frames = side["copies"]["lib_tx_frames" if path == "tx" else "lib_rx_frames"]
    if not frames or not d["summary"]["ok"] and side["rc"]:
        return 1
    ir = int(m.group(1).replace(",", ""))
    idle = side["tx"]["ring_full"] if path == "tx" else side["rx_empty_polls"]
    row(harness="callgrind", peer=peer, test="ipp", dir=path, size=size,
        instr_per_frame=round(ir / frames, 2), ok=int(side["rc"] == 0),
        idle_calls=idle)
    return 0


def pmd_rows(path):
    with open(path) as f:
        for r in csv.DictReader(f):
            good = float(r["mpps"] or 0) > 0
            row(harness="pmd-race:" + r["harness"], peer=r["peer"],
                test="throughput", dir="txonly-rxonly", size=r["size"],
                run=r["run"], mpps=r["mpps"] if good else "",
                gbps=r["gbps"] if good else "", ok=int(good),
                mode=r.get("mode") or "n/a", rtt_ns=r.get("rtt_ns") or "")
    return 0


def ring_row(run):
    """dpdk-ring-bench's line: elements/s, median of its intervals (like
    folio-perf's rows), the whole run's rate when too short for that."""
    m = re.search(r"mpps=([\d.]+) mpps_iv_median=([\d.]+)", sys.stdin.read())
    if not m:
        return 1
    v = float(m.group(2)) or float(m.group(1))
    row(harness="rte_ring", peer="rte_ring", test="throughput", dir="spsc",
        size=8, run=run, mpps=round(v, 4), ok=1)
    return 0


# ---- summary ---------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=2):
    return "n/a" if x is None else f"{x:.{nd}f}"


def fx(x, nd=2):
    return "n/a" if x is None else f"{x:.{nd}f}x"


def summarize(raw, out, args):
    opts = dict(zip(args[::2], args[1::2]))
    rows = list(csv.DictReader(open(raw)))

    def val(r, k):
        try:
            return float(r[k])
        except (ValueError, KeyError):
            return None

    class Series(dict):
        """{run: value}, and .mode {run: speed mode} beside it."""
        def __init__(self):
            super().__init__()
            self.mode = {}

        def only(self, mode):
            s = Series()
            for k, v in self.items():
                if self.mode.get(k) == mode:
                    s[k] = v
                    s.mode[k] = mode
            return s

    def series(harness, peer, test, d, size, key):
        """{run: value} for one cell of the matrix."""
        res = Series()
        for r in rows:
            if (r["harness"].startswith(harness) and r["peer"] == peer and
                    r["test"] == test and r["dir"] == d and r["size"] == size):
                v = val(r, key)
                if v is not None:
                    res[r["run"]] = v
                    res.mode[r["run"]] = r.get("mode") or "n/a"
        return res

    def ratio(a, b):
        """Median over rounds of a[run] / b[run], for rounds that have both
        and where both samples ran in the same speed mode."""
        rs = [a[k] / b[k] for k in a if k in b and b[k] > 0 and
              a.mode.get(k) == b.mode.get(k) and a.mode.get(k) in COMPARABLE]
        return med(rs), len(rs)

    sizes = ["64", "512", "1518", "imix"]
    lines = []
    summ = [["section", "name", "size", "dir", "value", "unit", "rounds"]]
    P = lines.append
    P(f"Rounds: {opts.get('--runs')}, {opts.get('--seconds')} s per measurement; "
      f"machine: {opts.get('--machine')}; bench/run took {opts.get('--elapsed')} s.")
    P("")
    P("### Folio (folio-perf, two processes, one queue): median Mfr/s and Gbit/s; "
      "hardened/unhardened is the median of same-round ratios")
    P("")
    P("| size | direction | Folio Mfr/s | Folio Gbit/s | unhardened Mfr/s | hardened / unhardened |")
    P("|---|---|---|---|---|---|")
    hu_all = []
    for s in sizes:
        for d in ["g2h", "h2g", "both"]:
            f = series("folio-perf", "folio", "throughput", d, s, "mpps")
            fg = series("folio-perf", "folio", "throughput", d, s, "gbps")
            u = series("folio-perf", "folio-unhardened", "throughput", d, s, "mpps")
            r, n = ratio(f, u)
            if r is not None:
                hu_all.append(r)
            P(f"| {s} | {d} | {fmt(med(f.values()), 3)} | {fmt(med(fg.values()))} | "
              f"{fmt(med(u.values()), 3)} | {fmt(r, 3)} |")
            summ.append(["folio", "folio_mpps", s, d, med(f.values()), "Mpps", len(f)])
            summ.append(["folio", "folio_gbps", s, d, med(fg.values()), "Gbit/s", len(fg)])
            summ.append(["folio", "unhardened_mpps", s, d, med(u.values()), "Mpps", len(u)])
            summ.append(["folio", "hardened_over_unhardened", s, d, r, "ratio", n])
    P("")
    P("### Peers: DPDK testpmd txonly -> rxonly, one queue (a different harness "
      "from folio-perf: label 'testpmd'); each peer run right after a folio-perf "
      "guest->host run of the same size, ratios of those pairs")
    P("")
    P("| size | Folio Mfr/s (paired) | memif Mpps | memif Gbit/s | virtio-user Mpps | "
      "virtio-user Gbit/s | Folio / memif | Folio / virtio-user |")
    P("|---|---|---|---|---|---|---|---|")
    peer_ratio = {}
    for s in ["64", "512", "1518"]:
        fm = series("folio-perf", "folio-pair-memif", "throughput", "g2h", s, "mpps")
        fv = series("folio-perf", "folio-pair-virtio", "throughput", "g2h", s, "mpps")
        m = series("testpmd", "net_memif", "throughput", "txonly-rxonly", s, "mpps")
        v = series("testpmd", "net_virtio", "throughput", "txonly-rxonly", s, "mpps")
        rm, nm = ratio(fm, m)
        rv, nv = ratio(fv, v)
        peer_ratio[s] = (rm, rv)
        mm, vm = med(m.values()), med(v.values())
        fp = med(list(fm.values()) + list(fv.values()))
        P(f"| {s} | {fmt(fp, 3)} | {fmt(mm, 3)} | {fmt(mm and mm * int(s) * 8 / 1e3)} | "
          f"{fmt(vm, 3)} | {fmt(vm and vm * int(s) * 8 / 1e3)} | {fmt(rm)} | {fmt(rv)} |")
        summ.append(["testpmd", "memif_mpps", s, "txonly-rxonly", mm, "Mpps", len(m)])
        summ.append(["testpmd", "virtio_mpps", s, "txonly-rxonly", vm, "Mpps", len(v)])
        summ.append(["ratio", "folio_over_memif", s, "g2h", rm, "ratio", nm])
        summ.append(["ratio", "folio_over_virtio", s, "g2h", rv, "ratio", nv])
    P("| imix | n/a | n/a | n/a | n/a | n/a | n/a | n/a |")
    P("")
    P("testpmd's txonly sends one frame length, so the peers have no IMIX figure.")
    P("")
    pmd = [r for r in rows if r["harness"].startswith("pmd-race")]
    P("### Same harness: net_folio, net_memif and net_virtio in testpmd (bench/pmd-race)")
    P("")
    if not pmd:
        P("Not available: bench/pmd-race was not there (or gave no result) in this run.")
    else:
        P("| size | net_folio Mpps | net_memif Mpps | net_virtio Mpps | "
          "net_folio / memif | net_folio / virtio |")
        P("|---|---|---|---|---|---|")
        for s in sorted({r["size"] for r in pmd}, key=lambda x: int(x) if x.isdigit() else 9999):
            f = series("pmd-race", "net_folio", "throughput", "txonly-rxonly", s, "mpps")
            m = series("pmd-race", "net_memif", "throughput", "txonly-rxonly", s, "mpps")
            v = series("pmd-race", "net_virtio", "throughput", "txonly-rxonly", s, "mpps")
            rm, nm = ratio(f, m)
            rv, nv = ratio(f, v)
            P(f"| {s} | {fmt(med(f.values()), 3)} | {fmt(med(m.values()), 3)} | "
              f"{fmt(med(v.values()), 3)} | {fmt(rm)} | {fmt(rv)} |")
            summ.append(["pmd-race", "net_folio_mpps", s, "txonly-rxonly", med(f.values()), "Mpps", len(f)])
            summ.append(["pmd-race", "net_folio_over_memif", s, "", rm, "ratio", nm])
            summ.append(["pmd-race", "net_folio_over_virtio", s, "", rv, "ratio", nv])
    P("")
    P("### The pointer-only limit: DPDK rte_ring SP/SC, burst 32, 8-byte elements, "
      "same two CPUs, each round right after a Folio 64 B guest->host run")
    P("")
    ring = series("rte_ring", "rte_ring", "throughput", "spsc", "8", "mpps")
    fring = series("folio-perf", "folio-pair-ring", "throughput", "g2h", "64", "mpps")
    if not ring:
        P("Not available: dpdk-ring-bench was not built (no DPDK) or gave no result.")
    else:
        P("| mode | rounds | Folio 64 B Mfr/s | rte_ring M elements/s | Folio / rte_ring |")
        P("|---|---|---|---|---|")
        for mode in ("fast", "slow", "n/a"):
            fr, rr = fring.only(mode), ring.only(mode)
            if not fr and not rr:
                continue
            r, n = ratio(fr, rr)
            P(f"| {mode} | {n} | {fmt(med(fr.values()), 3)} | {fmt(med(rr.values()), 3)} | "
              f"{fmt(r, 3)} |")
            summ.append(["ring", f"folio_over_rte_ring_{mode}", "64", "g2h", r, "ratio", n])
            summ.append(["ring", f"rte_ring_mpps_{mode}", "8", "spsc", med(rr.values()), "Mpps", len(rr)])
        P("")
        P("A ring that also moves each frame's bytes cannot beat one that moves "
          "only a pointer between the same two CPUs: the ratio is how close "
          "Folio comes to that limit.")
    P("")
    P("### Per speed mode")
    P("")
    P("Each sample is tagged by a cache-line ping-pong between the two CPUs "
      "(bench/calib/folio-calib) before and after it: fast or slow, 'mixed' "
      "when the mode changed while it ran. A ratio below is taken only between "
      "two samples of the same round in the same mode.")
    P("")
    P("| mode | samples (all kinds) | median round trip ns | Folio 64 B g2h Mfr/s | "
      "hardened / unhardened 64 B g2h | Folio / memif 64 B (paired) | "
      "net_folio / memif 64 B (pmd-race) | net_folio / memif 1518 B (pmd-race) | "
      "Folio p50 / memif p50 |")
    P("|---|---|---|---|---|---|---|---|---|")
    for mode in ("fast", "slow", "mixed", "n/a"):
        sel = [r for r in rows if (r.get("mode") or "n/a") == mode]
        if not sel:
            continue
        rtt = med([val(r, "rtt_ns") for r in sel])

        def mr(a, b):
            return fmt(ratio(a.only(mode), b.only(mode))[0], 3)
        f64 = series("folio-perf", "folio", "throughput", "g2h", "64", "mpps")
        u64 = series("folio-perf", "folio-unhardened", "throughput", "g2h", "64", "mpps")
        fm = series("folio-perf", "folio-pair-memif", "throughput", "g2h", "64", "mpps")
        m64 = series("testpmd", "net_memif", "throughput", "txonly-rxonly", "64", "mpps")
        pf = {s: series("pmd-race", "net_folio", "throughput", "txonly-rxonly", s, "mpps")
              for s in ("64", "1518")}
        pm = {s: series("pmd-race", "net_memif", "throughput", "txonly-rxonly", s, "mpps")
              for s in ("64", "1518")}
        lf = series("folio-perf", "folio", "latency", "pingpong", "64", "p50_us")
        lm = series("dpdk-pingpong", "net_memif", "latency", "pingpong", "64", "p50_us")
        P(f"| {mode} | {len(sel)} | {fmt(rtt, 0)} | {fmt(med(f64.only(mode).values()), 3)} | "
          f"{mr(f64, u64)} | {mr(fm, m64)} | {mr(pf['64'], pm['64'])} | "
          f"{mr(pf['1518'], pm['1518'])} | {mr(lf, lm)} |")
    P("")
    P("### Latency: ping-pong, 64 B, one frame in flight, round trip in us "
      "(median over rounds)")
    P("")
    P("Folio: folio-perf --latency. Peers: bench/dpdk/dpdk-pingpong, two DPDK "
      "processes over the same vdev pairs (first 100 pings not counted).")
    P("")
    P("| ring | harness | p50 | p90 | p99 | p99.9 |")
    P("|---|---|---|---|---|---|")
    lat = {}
    for h, peer in [("folio-perf", "folio"), ("folio-perf", "folio-unhardened"),
                    ("dpdk-pingpong", "net_memif"), ("dpdk-pingpong", "net_virtio")]:
        cols = [med(series(h, peer, "latency", "pingpong", "64", k).values())
                for k in ["p50_us", "p90_us", "p99_us", "p999_us"]]
        lat[peer] = cols
        P(f"| {peer} | {h} | " + " | ".join(fmt(c) for c in cols) + " |")
        for k, c in zip(["p50", "p90", "p99", "p99.9"], cols):
            summ.append(["latency", f"{peer}_{k}", "64", "pingpong", c, "us", ""])
    lat_r, _ = ratio(series("folio-perf", "folio", "latency", "pingpong", "64", "p50_us"),
                     series("dpdk-pingpong", "net_memif", "latency", "pingpong", "64", "p50_us"))
    P("")
    P(f"Folio p50 / memif p50, median of same-round ratios: {fmt(lat_r, 3)}")
    P("")
    P("### Guest instructions per frame (valgrind --tool=callgrind, inclusive, "
      "200k frames, burst 32)")
    P("")
    P("| path | size | hardened | unhardened | hardened / unhardened | idle calls (h, u) |")
    P("|---|---|---|---|---|---|")
    ipp = {}
    for s in ["64", "1518"]:
        for p in ["tx", "rx"]:
            h = med(series("callgrind", "folio", "ipp", p, s, "instr_per_frame").values())
            u = med(series("callgrind", "folio-unhardened", "ipp", p, s, "instr_per_frame").values())
            ipp[(p, s)] = (h, u)
            ih = med(series("callgrind", "folio", "ipp", p, s, "idle_calls").values())
            iu = med(series("callgrind", "folio-unhardened", "ipp", p, s, "idle_calls").values())
            P(f"| guest {p} | {s} | {fmt(h, 1)} | {fmt(u, 1)} | "
              f"{fmt(h / u if h and u else None, 3)} | {fmt(ih, 0)}, {fmt(iu, 0)} |")
            summ.append(["ipp", "hardened", s, p, h, "instr/frame", ""])
            summ.append(["ipp", "unhardened", s, p, u, "instr/frame", ""])
    P("")
    P("Idle calls are calls that moved no frame (ring full on tx, empty on rx); "
      "their instructions are included above. The guest backs off with a sleep "
      "after each one, so there are few.")
    P("")
    P("### Targets")
    P("")

    def verdict(x, goal):
        return "n/a" if x is None else ("met" if x >= goal else "MISSED")
    r64m, r64v = peer_ratio.get("64", (None, None))
    r1518m = peer_ratio.get("1518", (None, None))[0]
    hu64 = ratio(series("folio-perf", "folio", "throughput", "g2h", "64", "mpps"),
                 series("folio-perf", "folio-unhardened", "throughput", "g2h", "64", "mpps"))[0]
    hu_med = med(hu_all)
    P("| target | measured | verdict |")
    P("|---|---|---|")
    P(f"| 64 B, 1 queue: Folio >= 1.2x memif (paired runs) | {fx(r64m)} | {verdict(r64m, 1.2)} |")
    P(f"| 64 B, 1 queue: Folio >= 1.4x virtio-user (paired runs) | {fx(r64v)} | {verdict(r64v, 1.4)} |")
    P(f"| hardened >= 0.95x unhardened, 64 B g2h | {fx(hu64, 3)} | {verdict(hu64, 0.95)} |")
    P(f"| hardened >= 0.95x unhardened, median over sizes and directions | {fx(hu_med, 3)} | "
      f"{verdict(hu_med, 0.95)} |")
    for p in ["tx", "rx"]:
        h, u = ipp.get((p, "64"), (None, None))
        r = u / h if h and u else None
        P(f"| hardened >= 0.95x unhardened, by guest {p} instructions per 64 B frame "
          f"(unhardened / hardened) | {fx(r, 3)} | {verdict(r, 0.95)} |")
        summ.append(["target", f"ipp_unhardened_over_hardened_{p}_64", "64", p, r, "ratio", ""])
    P(f"| 1518 B: Folio Gbit/s >= memif Gbit/s (paired runs) | {fx(r1518m)} | {verdict(r1518m, 1.0)} |")
    lv = "n/a" if lat_r is None else ("met" if lat_r <= 1.0 else "MISSED")
    P(f"| latency p50 <= memif p50 | Folio {fmt(lat['folio'][0])} us, memif "
      f"{fmt(lat['net_memif'][0])} us; same-round ratio {fmt(lat_r, 3)} | {lv} |")
    summ.append(["target", "folio_p50_over_memif_p50", "64", "pingpong", lat_r, "ratio", ""])
    summ.append(["target", "folio_over_memif_64", "64", "g2h", r64m, "ratio", ""])
    summ.append(["target", "folio_over_virtio_64", "64", "g2h", r64v, "ratio", ""])
    summ.append(["target", "hardened_over_unhardened_64", "64", "g2h", hu64, "ratio", ""])
    summ.append(["target", "folio_over_memif_gbps_1518", "1518", "g2h", r1518m, "ratio", ""])

    table = "\n".join(lines) + "\n"
    print(table)
    os.makedirs(out, exist_ok=True)
    shutil.copyfile(raw, os.path.join(out, "benchmarks.csv"))
    with open(os.path.join(out, "benchmarks-summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        for r in summ:
            w.writerow(["" if x is None else (round(x, 4) if isinstance(x, float) else x)
                        for x in r])
    with open(os.path.join(out, "benchmarks-table.md"), "w") as f:
        f.write(table)
    drawn = any(r.get("test") == "throughput" for r in rows)
    if drawn:
        plot(rows, out, series, med, pmd)
    else:
        print("no throughput rows (--latency-only): no plot", file=sys.stderr)
    # docs/benchmarks.md carries the latest table between two markers.
    doc = os.path.join(out, "benchmarks.md")
    if os.path.exists(doc):
        text = open(doc).read()
        a, b = "<!-- bench/run table begin -->", "<!-- bench/run table end -->"
        if a in text and b in text:
            head, rest = text.split(a, 1)
            tail = rest.split(b, 1)[1]
            with open(doc, "w") as f:
                f.write(head + a + "\n" + table + b + tail)
            print(f"updated the table in {doc}")
    print(f"wrote {out}/benchmarks.csv, benchmarks-summary.csv, benchmarks-table.md"
          + (", benchmarks.svg" if drawn else ""))
    return 0


def plot(rows, out, series, med, pmd):
    cols = [("Folio g2h", "folio-perf", "folio", "g2h"),
            ("Folio h2g", "folio-perf", "folio", "h2g"),
            ("Folio unhardened g2h", "folio-perf", "folio-unhardened", "g2h"),
            ("memif (testpmd)", "testpmd", "net_memif", "txonly-rxonly"),
            ("virtio-user (testpmd)", "testpmd", "net_virtio", "txonly-rxonly")]
    if pmd:
        cols.append(("net_folio (testpmd, pmd-race)", "pmd-race", "net_folio", "txonly-rxonly"))
    tmp = tempfile.mkdtemp(prefix="folio-plot.")
    dat = os.path.join(tmp, "plot.dat")
    with open(dat, "w") as f:
        f.write("size " + " ".join(f'"{c[0]}"' for c in cols) + " " +
                " ".join(f'"{c[0]}"' for c in cols) + "\n")
        for s in ["64", "512", "1518", "imix"]:
            mp = [med(series(h, p, "throughput", d, s, "mpps").values()) for _, h, p, d in cols]
            gb = [med(series(h, p, "throughput", d, s, "gbps").values()) for _, h, p, d in cols]
            f.write(s + " " + " ".join("-" if x is None else f"{x:.4f}" for x in mp + gb) + "\n")
    n = len(cols)
    gp = f"""
set terminal svg size 1100,520 dynamic font "sans,11"
set termoption noenhanced
set output "{os.path.join(out, 'benchmarks.svg')}"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key below horizontal font ",9" width -2
set xlabel "frame size (bytes)"
set multiplot layout 1,2 title "Folio beside memif and virtio-user, one queue, medians (2 vCPU, --no-huge)"
set title "frames per second"
set ylabel "Mframes/s"
set yrange [0:*]
plot for [i=2:{n + 1}] "{dat}" using i:xtic(1) title columnhead(i)
set title "throughput"
set ylabel "Gbit/s"
plot for [i={n + 2}:{2 * n + 1}] "{dat}" using i:xtic(1) title columnhead(i)
unset multiplot
"""
    gpf = os.path.join(tmp, "plot.gp")
    with open(gpf, "w") as f:
        f.write(gp)
    if shutil.which("gnuplot"):
        subprocess.run(["gnuplot", gpf], check=False)
        png = os.environ.get("FOLIO_PLOT_PNG")
        if png:  # a raster copy, e.g. for a quick look
            with open(gpf, "w") as f:
                f.write(gp.replace('set terminal svg', 'set terminal png') .replace(
                    os.path.join(out, 'benchmarks.svg'), png).replace(' dynamic font "sans,11"', ''))
            subprocess.run(["gnuplot", gpf], check=False)
    else:
        print("gnuplot not found: plot not drawn", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    cmd = argv[1]
    if cmd == "perf-row":
        return perf_row(*argv[2:6])
    if cmd == "testpmd-row":
        return testpmd_row(*argv[2:6])
    if cmd == "pingpong-row":
        return pingpong_row(*argv[2:4])
    if cmd == "callgrind-row":
        return callgrind_row(*argv[2:6])
    if cmd == "pmd-rows":
        return pmd_rows(argv[2])
    if cmd == "ring-row":
        return ring_row(argv[2])
    if cmd == "summarize":
        return summarize(argv[2], argv[3], argv[4:])
    print(f"report.py: unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
