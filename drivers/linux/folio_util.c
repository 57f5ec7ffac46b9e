// SPDX-License-Identifier: BSD-3-Clause
/* lib/util.c compiled into folio.ko as is: error strings, counter names,
 * the violation latch (fl_queue_fail) and the log hook. */
#include "../../lib/util.c"
