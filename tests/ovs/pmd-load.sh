#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_folio must load as a plugin in an application that links only the
# public DPDK libraries (ovs-vswitchd-dpdk does not link the vdev bus):
# every library it uses is declared in the module itself.
set -uo pipefail
PMD_SO=$1 LOADER=$2
[ -f "$PMD_SO" ] || { echo "SKIP: librte_net_folio.so not built" >&2; exit 77; }
out=$(env -u LD_PRELOAD "$LOADER" "$PMD_SO" 2>&1) ||
	{ echo "FAIL: $out" >&2; exit 1; }
need=$(readelf -d "$PMD_SO" 2>/dev/null | grep -c 'NEEDED.*librte_bus_vdev') || true
[ "$need" -ge 1 ] || { echo "FAIL: librte_bus_vdev is not a NEEDED library" >&2; exit 1; }
echo "$out"
echo PASS
