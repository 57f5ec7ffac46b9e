/* SPDX-License-Identifier: BSD-3-Clause */
/* util.c - error strings, counter names, logging and the idle back-off. */
#include <errno.h>
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

static folio_log_fn log_fn;
static void *log_ctx;

void folio_set_log(folio_log_fn fn, void *ctx)
{
	__atomic_store_n(&log_ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&log_fn, fn, __ATOMIC_RELEASE);
}

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
