// SPDX-License-Identifier: BSD-3-Clause
/* lib/config.c compiled into folio.ko as is: the module parameters are
 * checked with the same ranges and messages as the config file, and the
 * digest and layout are the library's. */
#include "../../lib/config.c"
