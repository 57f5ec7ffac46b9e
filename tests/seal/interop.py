#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cross-check Folio's MACsec framing against scapy's own 802.1AE code
(scapy.contrib.macsec: its IV, AAD, SL and SecTAG code is independent of
lib/seal.c). For each cipher suite:
  - the frames a sealing guest wrote must be byte-identical to what scapy
    makes from the same plaintext, SCI and PN, and scapy must open them;
  - frames scapy seals with the peer's key and SCI must be delivered by the
    guest as the exact plaintext, and a tampered one must be dropped.
usage: interop.py TEST_SEAL_BINARY   (exit 0 pass, 1 fail, 77 skip)"""
import subprocess
import sys

try:
    from scapy.layers.l2 import Ether
    from scapy.contrib.macsec import MACsecSA, MACsec
except ImportError as e:  # python3-scapy (scripts/setup.d/50-seal.sh)
    print(f"SKIP: scapy's MACsec module is not available ({e})", file=sys.stderr)
    sys.exit(77)

GUEST_SCI = 0x02F0000000010001
PEER_SCI = 0x02F0000000020001
KEY_G = bytes((0xA0 + i) & 0xFF for i in range(32))  # as in test_seal.c
KEY_P = bytes((0x50 + 3 * i) & 0xFF for i in range(32))
binary = sys.argv[1]
fail = 0


def bad(msg):
    global fail
    print("FAIL: " + msg, file=sys.stderr)
    fail = 1


for bits in (128, 256):
    klen = bits // 8
    out = subprocess.run([binary, "wire", str(bits)], capture_output=True,
                         text=True, timeout=30)
    if out.returncode:
        bad(f"test_seal wire {bits}: rc {out.returncode}: {out.stderr}")
        continue
    frames = [tuple(bytes.fromhex(h) for h in ln.split()) for ln in out.stdout.split("\n") if ln]
    if len(frames) < 5:
        bad(f"gcm-aes-{bits}: only {len(frames)} frames from the guest")
    for plain, wire in frames:
        pkt = Ether(wire)
        pn = pkt[MACsec].pn
        sa = MACsecSA(sci=GUEST_SCI, an=0, pn=pn, key=KEY_G[:klen], icvlen=16,
                      encrypt=1, send_sci=1)
        mine = bytes(sa.encrypt(sa.encap(Ether(plain))))
        if mine != wire:
            bad(f"gcm-aes-{bits}: {len(plain)} B, PN {pn}: Folio's frame differs "
                f"from scapy's\n folio {wire.hex()}\n scapy {mine.hex()}")
            continue
        opened = bytes(sa.decap(sa.decrypt(pkt)))
        if opened != plain:
            bad(f"gcm-aes-{bits}: scapy opened {len(plain)} B to something else")
    # The other way: scapy seals as the peer, the guest opens.
    lines, want = [], []
    for i, n in enumerate((14, 40, 60, 61, 300, 1514)):
        plain = bytes.fromhex("02f00000000102f0000000020800") + \
            bytes((i * 17 + j) & 0xFF for j in range(n - 14))
        sa = MACsecSA(sci=PEER_SCI, an=0, pn=i + 1, key=KEY_P[:klen], icvlen=16,
                      encrypt=1, send_sci=1)
        wire = bytes(sa.encrypt(sa.encap(Ether(plain))))
        lines.append(wire.hex())
        want.append(plain.hex())
    t = bytearray(bytes.fromhex(lines[-1]))
    t[40] ^= 1  # ciphertext bit: must be dropped
    sa = MACsecSA(sci=PEER_SCI, an=0, pn=100, key=KEY_P[:klen], icvlen=16,
                  encrypt=1, send_sci=1)
    lines.append(bytes(t).hex())
    want.append("dropped")
    out = subprocess.run([binary, "open", str(bits)], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, timeout=30)
    got = out.stdout.split()
    if out.returncode or got != want:
        bad(f"gcm-aes-{bits}: guest delivered {got[:3]}... want {want[:3]}... "
            f"(rc {out.returncode}) {out.stderr}")
    if not fail:
        print(f"gcm-aes-{bits}: {len(frames)} guest frames identical to scapy's, "
              f"{len(want) - 1} scapy frames opened by the guest, tampered one dropped",
              file=sys.stderr)
sys.exit(fail)
