/* SPDX-License-Identifier: BSD-3-Clause */
/* util.c - error strings, counter names, logging and the idle back-off. */
#include <errno.h>
#ifndef __KERNEL__
#include <pthread.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

const char *folio_strerror(int code)
{
	switch (code) {
	case 0: return "success";
	case FOLIO_EPEER: return "peer violated the protocol; queue FAILED";
	case FOLIO_EFAILED: return "queue FAILED earlier in this host epoch";
	case FOLIO_ENOTREADY: return "peer not attached (host restarting or not started)";
	case FOLIO_EMAGIC: return "region header has a wrong magic: not a Folio region";
	case FOLIO_EVERSION: return "region uses another layout version";
	case FOLIO_EDIGEST: return "region was laid out from a different configuration";
	case FOLIO_ESMALL: return "region is smaller than the configuration needs";
	case FOLIO_EGONE: return "guest left this host epoch; re-create the region";
	case FOLIO_EUNSAFE: return "region file is unsafe to adopt (a symlink, another user's, or group/other-writable)";
	case FOLIO_ELOST: return "region was truncated under the mapping; channel lost, re-open it";
	case FOLIO_EUNSEALED: return "region memfd is not sealed against shrinking (F_SEAL_SHRINK)";
	case FOLIO_ESEALPN: return "seal: transmit packet numbers exhausted; a new key is needed";
	}
	if (code < 0 && code > -FOLIO_E_BASE)
		return strerror(-code);
	return "unknown error";
}

static const char *const stat_names[FOLIO_STAT__COUNT] = {
	[FOLIO_STAT_TX_FRAMES] = "tx_frames",
	[FOLIO_STAT_TX_BYTES] = "tx_bytes",
	[FOLIO_STAT_TX_FULL] = "tx_full",
	[FOLIO_STAT_RX_FRAMES] = "rx_frames",
	[FOLIO_STAT_RX_BYTES] = "rx_bytes",
	[FOLIO_STAT_BAD_INDEX] = "bad_index",
	[FOLIO_STAT_BAD_LENGTH] = "bad_length",
	[FOLIO_STAT_BAD_HEADER] = "bad_header",
	[FOLIO_STAT_NOT_READY] = "not_ready",
	[FOLIO_STAT_ATTACH] = "attach",
	[FOLIO_STAT_BAD_CALL] = "bad_call",
	[FOLIO_STAT_PEER_LEFT] = "peer_left",
	[FOLIO_STAT_REGION_LOST] = "region_lost",
	[FOLIO_STAT_SEAL_BAD_FRAME] = "seal_bad_frame",
	[FOLIO_STAT_SEAL_UNKNOWN_SCI] = "seal_unknown_sci",
	[FOLIO_STAT_SEAL_BAD_ICV] = "seal_bad_icv",
	[FOLIO_STAT_SEAL_REPLAY] = "seal_replay",
};

const char *folio_stat_name(unsigned stat)
{
	return stat < FOLIO_STAT__COUNT ? stat_names[stat] : NULL;
}

const char *folio_qstate_name(unsigned state)
{
	switch (state) {
	case FOLIO_Q_DETACHED: return "detached";
	case FOLIO_Q_READY: return "ready";
	case FOLIO_Q_FAILED: return "failed";
	case FOLIO_Q_GONE: return "gone";
	}
	return "?";
}

void fl_queue_stats(const struct fl_queue *q, struct folio_stats *st)
{
	st->state = __atomic_load_n(&q->state, __ATOMIC_RELAXED);
	st->epoch = __atomic_load_n(&q->epoch, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < FOLIO_STAT__COUNT; i++)
		st->v[i] = __atomic_load_n(&q->st[i], __ATOMIC_RELAXED);
}

int fl_queue_fail(struct fl_queue *q, const char *side, unsigned qi)
{
	fl_stat_add(q, q->viol, 1);
	__atomic_store_n(&q->state, FOLIO_Q_FAILED, __ATOMIC_RELAXED);
	fl_log(FOLIO_LOG_WARN, "%s queue %u: peer violation (%s); queue FAILED",
	       side, qi, folio_stat_name(q->viol));
	return FOLIO_EPEER;
}

int fl_queue_lost(struct fl_queue *q, const char *side, unsigned qi)
{
	if (__atomic_load_n(&q->state, __ATOMIC_RELAXED) == FOLIO_Q_FAILED &&
	    q->st[FOLIO_STAT_REGION_LOST])
		return FOLIO_EFAILED;
	fl_stat_add(q, FOLIO_STAT_REGION_LOST, 1);
	__atomic_store_n(&q->state, FOLIO_Q_FAILED, __ATOMIC_RELAXED);
	fl_log(FOLIO_LOG_ERR, "%s queue %u: the region was truncated under the "
	       "mapping; channel lost", side, qi);
	return FOLIO_ELOST;
}

static folio_log_fn log_fn;
static void *log_ctx;

void folio_set_log(folio_log_fn fn, void *ctx)
{
	__atomic_store_n(&log_ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&log_fn, fn, __ATOMIC_RELEASE);
}

/* Rate limit: at most FL_LOG_BURST messages reach the callback in each
 * window of FL_LOG_WINDOW_NS. A peer that can make the library log on every
 * call (a host bumping its epoch over a bad digest) cannot flood the
 * caller's log. What is held back is counted exactly: the next message
 * that passes is preceded by one line with the count, and
 * folio_log_suppressed() returns the total. */
#define FL_LOG_BURST 10u
#define FL_LOG_WINDOW_NS 1000000000ull

static uint64_t log_suppressed;    /* suppressed in total */

uint64_t folio_log_suppressed(void)
{
	return __atomic_load_n(&log_suppressed, __ATOMIC_RELAXED);
}

#ifdef __KERNEL__
/* folio.ko builds this file too; it has no clock_gettime or pthreads, and
 * its log callback rate-limits with the kernel's own printk limit. */
void fl_log(int level, const char *fmt, ...)
{
	folio_log_fn fn = __atomic_load_n(&log_fn, __ATOMIC_ACQUIRE);
	char msg[256];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(__atomic_load_n(&log_ctx, __ATOMIC_RELAXED), level, msg);
}
#else
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t log_window;        /* start of the current window */
static uint32_t log_in_window;     /* messages passed in it */
static uint64_t log_held;          /* suppressed since the last report */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void fl_log(int level, const char *fmt, ...)
{
	folio_log_fn fn = __atomic_load_n(&log_fn, __ATOMIC_ACQUIRE);
	void *ctx = __atomic_load_n(&log_ctx, __ATOMIC_RELAXED);
	uint64_t now = now_ns(), held = 0;
	char msg[256];
	va_list ap;

	if (!fn)
		return;
	pthread_mutex_lock(&log_lock);
	if (!log_window || now - log_window >= FL_LOG_WINDOW_NS) {
		log_window = now;
		log_in_window = 0;
	}
	if (log_in_window >= FL_LOG_BURST) {
		log_held++;
		__atomic_store_n(&log_suppressed, log_suppressed + 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&log_lock);
		return;
	}
	log_in_window++;
	held = log_held;
	log_held = 0;
	pthread_mutex_unlock(&log_lock);
	if (held) {
		snprintf(msg, sizeof(msg), "libfolio: %llu messages suppressed "
			 "(at most %u per second)", (unsigned long long)held,
			 FL_LOG_BURST);
		fn(ctx, FOLIO_LOG_WARN, msg);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, level, msg);
}
#endif /* __KERNEL__ */

void folio_backoff_init(struct folio_backoff *b)
{
	b->idle = 0;
	b->spin = 1024;
	b->max_sleep_us = 50;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

void folio_backoff(struct folio_backoff *b, int work)
{
	if (work > 0) {
		b->idle = 0;
		return;
	}
	if (b->idle < b->spin) {
		b->idle++;
		cpu_relax();
		return;
	}
	uint32_t step = b->idle - b->spin, us = 1;

	while (step-- && us < b->max_sleep_us)
		us <<= 1;
	if (us > b->max_sleep_us)
		us = b->max_sleep_us;
	if (b->idle - b->spin < 32)
		b->idle++;
	struct timespec ts = {0, (long)us * 1000};
	nanosleep(&ts, NULL);
}
