#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run one ThreadSanitizer test. Some kernels place mappings where TSan's
# shadow memory must go ("unexpected memory mapping"); then run again with
# address randomisation off for this process only, and skip if that is not
# possible either.
log=$(mktemp "${TMPDIR:-/tmp}/folio-tsan-XXXXXX")
trap 'rm -f "$log"' EXIT
"$@" 2>"$log"
rc=$?
if [ $rc -ne 0 ] && grep -q "unexpected memory mapping" "$log"; then
	if command -v setarch >/dev/null; then
		setarch "$(uname -m)" -R "$@" 2>"$log"
		rc=$?
	fi
	if [ $rc -ne 0 ] && grep -q "unexpected memory mapping" "$log"; then
		echo "skip: ThreadSanitizer cannot map its shadow memory on this kernel" >&2
		exit 77
	fi
fi
cat "$log" >&2
exit $rc
