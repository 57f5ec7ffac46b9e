/* SPDX-License-Identifier: BSD-3-Clause */
/* <time.h> for the kernel build of lib/ (see README): folio_backoff() is
 * never called by the module (its hrtimer backs off instead), so its sleep
 * is a stub. */
#ifndef FOLIO_COMPAT_TIME_H
#define FOLIO_COMPAT_TIME_H
struct timespec {
	long tv_sec;
	long tv_nsec;
};
static inline int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return 0;
}
#endif
