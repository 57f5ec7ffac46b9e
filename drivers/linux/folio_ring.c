// SPDX-License-Identifier: BSD-3-Clause
/* The one ring implementation, lib/ring.c, compiled into folio.ko as is. */
#include "../../lib/ring.c"
