/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio-perf - an iperf-style benchmark for Folio.
 *
 * One binary, two roles: "--role host" creates the region and drives the
 * host endpoint, "--role guest" opens it and drives the guest endpoint, each
 * in its own process. "--role both" forks the two roles so that one command
 * runs a whole test. Both sides must be given the same configuration.
 *
 * Every frame carries a small header (type, queue, length, sequence number)
 * and a fixed byte pattern, so the receiver verifies each frame and counts
 * loss and reordering. The guest receives into private buffers: that copy is
 * the one copy of its receive path. The host receives in place (zero copy,
 * folio_host_rx_peek) unless --host-copy is given.
 *
 * End of a run (per queue): each side sends its data, the guest then sends
 * FIN; the host answers FIN once its own data is out; the guest answers BYE,
 * which is the last frame, so the host closes (and makes the epoch odd) only
 * when the guest has taken everything it was sent.
 *
 * Built three times from this file: folio-perf (hardened library),
 * folio-perf-unhardened (-DFOLIO_UNHARDENED library, for the cost of the
 * checks) and folio-perf-trace (a library built with -DFOLIO_SHM_TRACE, which
 * counts the copies between private and shared memory per frame).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "folio.h"

#ifndef FOLIO_PERF_VARIANT
#define FOLIO_PERF_VARIANT "hardened"
#endif

/* ---- frame format (private to this tool) ------------------------------- */

#define ETH_TYPE_PERF 0x88b5u /* IEEE local experimental ethertype */
#define PERF_MAGIC 0x46505246u /* "FRPF" */
#define HDR_LEN 40u             /* eth 14 + perf header 26 */
#define MIN_LEN 60u

enum ftype { F_DATA = 0, F_FIN = 1, F_BYE = 2, F_PING = 3 };

/* Offsets inside a frame. */
#define O_MAGIC 14
#define O_TYPE 18
#define O_QUEUE 19
#define O_LEN 20
#define O_SEQ 24
#define O_AUX 32 /* ping: send time; FIN: data frames sent */

static inline uint8_t pattern_byte(uint32_t i)
{
	return (uint8_t)(i * 7u + 3u);
}

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* IMIX: 7 x 64, 4 x 594, 1 x 1518 bytes, spread over a cycle of 12. */
static const uint32_t imix_cycle[12] = { 64, 594, 64, 1518, 64, 594,
					 64, 64, 594, 64, 594, 64 };

/* ---- options ----------------------------------------------------------- */

enum role { R_HOST = 0, R_GUEST = 1, R_BOTH = 2 };
enum dir { D_G2H = 1, D_H2G = 2, D_BOTH = 3 };
enum verify { V_NONE, V_LIGHT, V_FULL };

struct opts {
	struct folio_config cfg;
	enum role role;
	unsigned dir;
	double seconds;
	uint64_t frames;    /* per queue; 0: run for seconds */
	double interval;
	uint32_t len;       /* 0: IMIX */
	unsigned burst;
	int latency;
	int cpu[2];         /* [0] this role (host in both), [1] guest in both */
	int json;
	enum verify verify;
	int host_copy;      /* -1 auto, 0 in place, 1 copy */
	int host_copy_now;  /* what auto chose */
	int busy;
	uint32_t spin;     /* back-off: idle polls before sleeping */
	double wait;        /* seconds a side waits for its peer */
	double timeout;     /* whole run, 0: derived */
	int quiet;
	int region_given;
};

static volatile sig_atomic_t g_stop;


/* ---- results (shared with the parent in --role both) -------------------- */

#define MAX_IV 512

struct iv {
	double t0, t1;
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, lost, viol;
};

struct side {
	int valid, role, rc;
	char err[160];
	uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes;
	uint64_t lost, reorder, bad, viol, tx_full, rx_empty, peer_sent;
	double tx_secs, rx_secs;
	uint64_t lib_tx, lib_rx; /* every frame through the library, control too */
	int traced;
	uint64_t copy_to, copy_from, copy_to_bytes, copy_from_bytes;
	uint64_t lat_n;
	double lat_min, lat_p50, lat_p90, lat_p99, lat_p999, lat_max, lat_mean;
	unsigned n_iv;
	struct iv iv[MAX_IV];
};

/* ---- copy tracing (folio-perf-trace only) ------------------------------- */

#ifdef FOLIO_PERF_TRACE
enum fl_shm_op { FL_SHM_LOAD, FL_SHM_STORE, FL_SHM_COPY_FROM, FL_SHM_COPY_TO };
void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op);

static _Thread_local uint64_t t_copy_to, t_copy_from, t_to_bytes, t_from_bytes;

void fl_shm_trace(const void *addr, size_t len, enum fl_shm_op op)
{
	(void)addr;
	if (op == FL_SHM_COPY_TO) {
		t_copy_to++;
		t_to_bytes += len;
	} else if (op == FL_SHM_COPY_FROM) {
		t_copy_from++;
		t_from_bytes += len;
	}
}
#define TRACED 1
#else
static _Thread_local uint64_t t_copy_to, t_copy_from, t_to_bytes, t_from_bytes;
#define TRACED 0
#endif

/* ---- small helpers ------------------------------------------------------ */

static const char *prog = "folio-perf";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(2);
}

static void set_err(struct side *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct side *s, int rc, const char *fmt, ...)
{
	va_list ap;

	if (s->rc)
		return;
	s->rc = rc;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		fprintf(stderr, "%s: warning: cannot pin to CPU %d\n", prog, cpu);
}

/* ---- per-queue worker --------------------------------------------------- */

struct worker {
	/* Written by the worker only; read by the reporter (relaxed). */
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, lost;
	uint64_t reorder, bad, tx_full, rx_empty, lib_tx, lib_rx, peer_sent;
	double tx_first, tx_last, rx_first, rx_last;
	uint64_t copy_to, copy_from, to_bytes, from_bytes;
	uint64_t *lat;      /* round-trip samples in ns (guest, latency mode) */
	uint64_t lat_n, lat_cap;
	int rc;
	char err[160];
	int finished;
	/* Set up by the main thread. */
	pthread_t tid;
	unsigned q;
	const struct opts *o;
	struct folio_guest *g;
	struct folio_host *h;
	int is_host;
	int cpu;
} __attribute__((aligned(64)));

#define STORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static void werr(struct worker *w, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void werr(struct worker *w, int rc, const char *fmt, ...)
{
	va_list ap;

	if (w->rc)
		return;
	w->rc = rc;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
}

static int do_tx(struct worker *w, const void *const *bufs, const uint32_t *lens,
		 unsigned n)
{
	int rc = w->is_host ? folio_host_tx_burst(w->h, w->q, bufs, lens, n)
			    : folio_guest_tx_burst(w->g, w->q, bufs, lens, n);
	if (rc > 0)
		STORE(w->lib_tx, w->lib_tx + (uint64_t)rc);
	return rc;
}

/* The frame header as the sender writes it. */
static void frame_hdr(uint8_t *f, const struct opts *o, int from_host,
		      unsigned q, enum ftype t, uint32_t len, uint64_t seq,
		      uint64_t aux)
{
	const uint8_t *dst = from_host ? o->cfg.guest_mac : o->cfg.host_mac;
	const uint8_t *src = from_host ? o->cfg.host_mac : o->cfg.guest_mac;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(ETH_TYPE_PERF >> 8);
	f[13] = (uint8_t)(ETH_TYPE_PERF & 0xff);
	put32(f + O_MAGIC, PERF_MAGIC);
	f[O_TYPE] = (uint8_t)t;
	f[O_QUEUE] = (uint8_t)q;
	put16(f + O_LEN, (uint16_t)len);
	put16(f + 22, 0);
	put64(f + O_SEQ, seq);
	put64(f + O_AUX, aux);
}

/* Send one control frame, retrying while the ring is full. */
static int send_ctl(struct worker *w, uint8_t *buf, enum ftype t, uint64_t aux,
		    double deadline)
{
	const void *b[1] = { buf };
	uint32_t len = MIN_LEN;
	struct folio_backoff bo;

	folio_backoff_init(&bo);
	frame_hdr(buf, w->o, w->is_host, w->q, t, len, 0, aux);
	for (;;) {
		int rc = do_tx(w, b, &len, 1);

		if (rc == 1)
			return 0;
		if (rc < 0 && rc != FOLIO_ENOTREADY) {
			werr(w, rc, "queue %u: tx: %s", w->q, folio_strerror(rc));
			return rc;
		}
		if (now_s() > deadline) {
			werr(w, -ETIMEDOUT, "queue %u: peer stopped taking frames",
			     w->q);
			return -ETIMEDOUT;
		}
		folio_backoff(&bo, 0);
	}
}

/* Check one received frame. Returns its type, or -1 if it is not valid. */
static int check_frame(struct worker *w, const uint8_t *f, uint32_t len,
		       uint64_t *expect)
{
	const struct opts *o = w->o;
	uint32_t from, to;
	uint64_t seq;

	if (len < MIN_LEN || get32(f + O_MAGIC) != PERF_MAGIC ||
	    get16(f + O_LEN) != len || f[O_QUEUE] != w->q ||
	    f[12] != (uint8_t)(ETH_TYPE_PERF >> 8))
		goto bad;
	if (f[O_TYPE] != F_DATA && f[O_TYPE] != F_PING)
		return f[O_TYPE] <= F_PING ? f[O_TYPE] : -1;
	seq = get64(f + O_SEQ);
	if (seq == *expect) {
		(*expect)++;
	} else if (seq > *expect) {
		STORE(w->lost, w->lost + (seq - *expect));
		*expect = seq + 1;
	} else {
		STORE(w->reorder, w->reorder + 1);
	}
	if (o->verify == V_NONE)
		return f[O_TYPE];
	from = HDR_LEN;
	to = len;
	if (o->verify == V_LIGHT && len - HDR_LEN > 16) {
		/* The first and the last 8 pattern bytes. */
		for (uint32_t i = HDR_LEN; i < HDR_LEN + 8; i++)
			if (f[i] != pattern_byte(i))
				goto bad;
		from = len - 8;
	}
	for (uint32_t i = from; i < to; i++)
		if (f[i] != pattern_byte(i))
			goto bad;
	return f[O_TYPE];
bad:
	STORE(w->bad, w->bad + 1);
	return -1;
}

static void note_rx(struct worker *w, uint32_t len, double t)
{
	if (!w->rx_frames)
		w->rx_first = t;
	w->rx_last = t;
	STORE(w->rx_frames, w->rx_frames + 1);
	STORE(w->rx_bytes, w->rx_bytes + len);
}

struct rxbufs {
	uint8_t *mem;
	void *bufs[FOLIO_MAX_BURST];
	uint32_t lens[FOLIO_MAX_BURST];
	struct folio_frame fr[FOLIO_MAX_BURST];
};

/* Poll the receive side once. Returns frames taken (>= 0) or an error;
 * *fin / *bye are set when the peer's control frames arrive. */
static int rx_poll(struct worker *w, struct rxbufs *rb, uint64_t *expect,
		   int *fin, int *bye, uint8_t *echo_buf)
{
	const struct opts *o = w->o;
	unsigned n = o->burst;
	double t = 0;
	int rc;

	if (w->is_host && !o->host_copy_now) {
		rc = folio_host_rx_peek(w->h, w->q, rb->fr, n);
		if (rc > 0)
			t = now_s();
		for (int i = 0; i < rc; i++) {
			const uint8_t *f = rb->fr[i].data;
			int ty = check_frame(w, f, rb->fr[i].len, expect);

			if (ty == F_DATA) {
				note_rx(w, rb->fr[i].len, t);
			} else if (ty == F_PING) {
				/* Echo: copy the lent frame back out. */
				const void *b[1] = { f };
				uint32_t l = rb->fr[i].len;
				int r;

				while ((r = do_tx(w, b, &l, 1)) == 0)
					;
				(void)echo_buf;
				note_rx(w, l, t);
			} else if (ty == F_FIN) {
				*fin = 1;
				w->peer_sent = get64(f + O_AUX);
			} else if (ty == F_BYE) {
				*bye = 1;
			}
			folio_host_rx_done(w->h, w->q, rb->fr[i].id);
		}
	} else {
		rc = w->is_host ? folio_host_rx_burst(w->h, w->q, rb->bufs, rb->lens, n)
				: folio_guest_rx_burst(w->g, w->q, rb->bufs, rb->lens, n);
		if (rc > 0)
			t = now_s();
		for (int i = 0; i < rc; i++) {
			const uint8_t *f = rb->bufs[i];
			int ty = check_frame(w, f, rb->lens[i], expect);

			if (ty == F_DATA) {
				note_rx(w, rb->lens[i], t);
			} else if (ty == F_PING) {
				if (w->is_host) {
					const void *b[1] = { f };
					uint32_t l = rb->lens[i];

					while (do_tx(w, b, &l, 1) == 0)
						;
				}
				note_rx(w, rb->lens[i], t);
			} else if (ty == F_FIN) {
				*fin = 1;
				w->peer_sent = get64(f + O_AUX);
			} else if (ty == F_BYE) {
				*bye = 1;
			}
		}
	}
	if (rc > 0)
		STORE(w->lib_rx, w->lib_rx + (uint64_t)rc);
	return rc;
}

static int lat_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Guest side of the ping-pong: one frame out, wait for it to come back. */
static void guest_pingpong(struct worker *w, uint8_t *buf, struct rxbufs *rb,
			   double stop, double deadline)
{
	const struct opts *o = w->o;
	uint32_t len = o->len ? o->len : MIN_LEN;
	const void *b[1] = { buf };
	uint64_t seq = 0;

	for (uint32_t i = HDR_LEN; i < len; i++)
		buf[i] = pattern_byte(i);
	while ((o->frames ? seq < o->frames : now_s() < stop) && !w->rc) {
		uint64_t t0 = now_ns(), expect = seq;
		int got = 0, rc;

		frame_hdr(buf, o, 0, w->q, F_PING, len, seq, t0);
		while ((rc = do_tx(w, b, &len, 1)) != 1) {
			if (rc < 0 && rc != FOLIO_ENOTREADY) {
				werr(w, rc, "queue %u: tx: %s", w->q, folio_strerror(rc));
				return;
			}
			if (now_s() > deadline) {
				werr(w, -ETIMEDOUT, "queue %u: host is not echoing", w->q);
				return;
			}
		}
		if (!w->tx_frames)
			w->tx_first = (double)t0 * 1e-9;
		STORE(w->tx_frames, w->tx_frames + 1);
		STORE(w->tx_bytes, w->tx_bytes + len);
		while (!got) {
			rc = folio_guest_rx_burst(w->g, w->q, rb->bufs, rb->lens, 1);
			if (rc < 0 && rc != FOLIO_ENOTREADY) {
				werr(w, rc, "queue %u: rx: %s", w->q, folio_strerror(rc));
				return;
			}
			if (rc == 1) {
				const uint8_t *f = rb->bufs[0];
				uint64_t t1 = now_ns();

				STORE(w->lib_rx, w->lib_rx + 1);
				if (check_frame(w, f, rb->lens[0], &expect) != F_PING ||
				    get64(f + O_SEQ) != seq)
					continue; /* counted as bad by check_frame */
				if (w->lat_n < w->lat_cap)
					w->lat[w->lat_n++] = t1 - get64(f + O_AUX);
				note_rx(w, rb->lens[0], (double)t1 * 1e-9);
				got = 1;
			} else if (now_s() > deadline) {
				werr(w, -ETIMEDOUT, "queue %u: no echo from the host", w->q);
				return;
			}
		}
		w->tx_last = now_s();
		seq++;
	}
}

/* Wait until the queue is attached on this side (a zero-frame call). */
static int wait_ready(struct worker *w, double deadline)
{
	struct folio_backoff bo;

	folio_backoff_init(&bo);
	for (;;) {
		int rc = w->is_host ? folio_host_rx_burst(w->h, w->q, NULL, NULL, 0)
				    : folio_guest_rx_burst(w->g, w->q, NULL, NULL, 0);

		if (rc == 0)
			return 0;
		if (rc != FOLIO_ENOTREADY) {
			werr(w, rc, "queue %u: %s", w->q, folio_strerror(rc));
			return rc;
		}
		if (now_s() > deadline || g_stop) {
			werr(w, -ETIMEDOUT, "queue %u: the %s did not attach in time",
			     w->q, w->is_host ? "guest" : "host");
			return -ETIMEDOUT;
		}
		folio_backoff(&bo, 0);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct opts *o = w->o;
	uint32_t max_frame = folio_config_max_frame(&o->cfg);
	int sends = o->latency ? 0 : (w->is_host ? !!(o->dir & D_H2G) : !!(o->dir & D_G2H));
	size_t stride = (max_frame + 63u) & ~(size_t)63u;
	uint8_t *txmem = NULL, *ctl = NULL;
	const void *tb[FOLIO_MAX_BURST];
	uint32_t tl[FOLIO_MAX_BURST];
	struct rxbufs rb;
	uint64_t seq = 0, expect = 0;
	int fin = 0, bye = 0, fin_sent = 0, tx_done = !sends;
	struct folio_backoff bo;
	double t0, stop, deadline;

	pin_cpu(w->cpu);
	memset(&rb, 0, sizeof(rb));
	txmem = aligned_alloc(64, stride * o->burst);
	ctl = aligned_alloc(64, stride);
	rb.mem = aligned_alloc(64, stride * o->burst);
	if (!txmem || !ctl || !rb.mem) {
		werr(w, -ENOMEM, "out of memory");
		goto out;
	}
	/* Private buffers: the pattern is written once; each send only
	 * rewrites the header. */
	for (unsigned b = 0; b < o->burst; b++) {
		for (uint32_t i = 0; i < max_frame; i++)
			txmem[b * stride + i] = pattern_byte(i);
		/* The constant part of the header, written once. */
		frame_hdr(txmem + b * stride, o, w->is_host, w->q, F_DATA, MIN_LEN, 0, 0);
		tb[b] = txmem + b * stride;
		rb.bufs[b] = rb.mem + b * stride;
	}
	memset(ctl, 0, stride);
	memset(rb.mem, 0, stride * o->burst);

	if (wait_ready(w, now_s() + o->wait))
		goto out;
	t0 = now_s();
	stop = t0 + o->seconds;
	deadline = o->timeout > 0 ? t0 + o->timeout
				  : (o->frames ? t0 + 600 : stop + o->wait);

	if (o->latency && !w->is_host) {
		guest_pingpong(w, ctl, &rb, stop, deadline);
		if (w->rc)
			goto out;
		seq = w->tx_frames;
	}
	folio_backoff_init(&bo);
	bo.spin = o->busy ? UINT32_MAX : o->spin;
	for (;;) {
		int work = 0, rc;
		double t = now_s();

		if (!tx_done && (g_stop || (o->frames ? seq >= o->frames : t >= stop))) {
			tx_done = 1;
		} else if (!tx_done) {
			unsigned k = o->burst;
			uint64_t bytes = 0;

			if (o->frames && o->frames - seq < k)
				k = (unsigned)(o->frames - seq);
			for (unsigned i = 0; i < k; i++) {
				uint32_t len = o->len ? o->len
						      : imix_cycle[(seq + i) % 12];

				uint8_t *f = (uint8_t *)(uintptr_t)tb[i];

				put16(f + O_LEN, (uint16_t)len);
				put64(f + O_SEQ, seq + i);
				tl[i] = len;
			}
			rc = do_tx(w, tb, tl, k);
			if (rc > 0) {
				for (int i = 0; i < rc; i++)
					bytes += tl[i];
				if (!seq)
					w->tx_first = t;
				w->tx_last = t;
				seq += (uint64_t)rc;
				STORE(w->tx_frames, seq);
				STORE(w->tx_bytes, w->tx_bytes + bytes);
				work = 1;
			} else if (rc == 0) {
				STORE(w->tx_full, w->tx_full + 1);
			} else if (rc != FOLIO_ENOTREADY) {
				werr(w, rc, "queue %u: tx: %s", w->q, folio_strerror(rc));
				break;
			}
		}
		rc = rx_poll(w, &rb, &expect, &fin, &bye, ctl);
		if (rc > 0) {
			work = 1;
		} else if (rc == 0) {
			STORE(w->rx_empty, w->rx_empty + 1);
		} else if (rc != FOLIO_ENOTREADY) {
			werr(w, rc, "queue %u: rx: %s", w->q, folio_strerror(rc));
			break;
		}
		if (!w->is_host) {
			if (tx_done && !fin_sent) {
				if (send_ctl(w, ctl, F_FIN, seq, deadline))
					break;
				fin_sent = 1;
			}
			if (fin_sent && fin) {
				send_ctl(w, ctl, F_BYE, 0, deadline);
				break;
			}
		} else {
			if (tx_done && fin && !fin_sent) {
				if (send_ctl(w, ctl, F_FIN, seq, deadline))
					break;
				fin_sent = 1;
			}
			if (bye)
				break;
		}
		if (t > deadline) {
			werr(w, -ETIMEDOUT, "queue %u: the run did not end in time "
			     "(peer gone?)", w->q);
			break;
		}
		folio_backoff(&bo, work);
	}
	/* Frames the peer says it sent but that never came are lost too. */
	if (!w->rc && fin && w->peer_sent > expect && !o->latency)
		STORE(w->lost, w->lost + (w->peer_sent - expect));
out:
	w->copy_to = t_copy_to;
	w->copy_from = t_copy_from;
	w->to_bytes = t_to_bytes;
	w->from_bytes = t_from_bytes;
	free(txmem);
	free(ctl);
	free(rb.mem);
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ---- one role in this process ------------------------------------------ */

static uint64_t lib_viol(const struct opts *o, struct worker *ws, int is_host)
{
	uint64_t v = 0;

	for (unsigned q = 0; q < o->cfg.queues; q++) {
		struct folio_stats st;
		int rc = is_host ? folio_host_stats(ws[q].h, q, &st)
				 : folio_guest_stats(ws[q].g, q, &st);

		if (!rc)
			v += st.v[FOLIO_STAT_BAD_INDEX] + st.v[FOLIO_STAT_BAD_LENGTH] +
			     st.v[FOLIO_STAT_BAD_HEADER];
	}
	return v;
}

static void print_iv(const char *role, const struct iv *v, int rx, int tx,
		     int latency)
{
	double d = v->t1 - v->t0;

	if (d <= 0)
		return;
	printf("[%-5s] %6.2f-%-6.2f s", role, v->t0, v->t1);
	if (latency)
		printf("  ping %9.0f /s", (double)v->tx_frames / d);
	if (rx)
		printf("  rx %7.3f Mfr/s %7.3f Gbit/s", (double)v->rx_frames / d / 1e6,
		       (double)v->rx_bytes * 8 / d / 1e9);
	if (tx)
		printf("  tx %7.3f Mfr/s %7.3f Gbit/s", (double)v->tx_frames / d / 1e6,
		       (double)v->tx_bytes * 8 / d / 1e9);
	printf("  drops %" PRIu64 "  viol %" PRIu64 "\n", v->lost, v->viol);
	fflush(stdout);
}

static double pct(const uint64_t *s, uint64_t n, double p)
{
	uint64_t i;

	if (!n)
		return 0;
	i = (uint64_t)ceil(p / 100.0 * (double)n);
	if (i)
		i--;
	if (i >= n)
		i = n - 1;
	return (double)s[i] / 1000.0;
}

static void run_role(const struct opts *o, enum role role, int cpu, int show_iv,
		     struct side *s)
{
	int is_host = role == R_HOST;
	const char *rname = is_host ? "host" : "guest";
	unsigned nq = o->cfg.queues;
	struct folio_host *h = NULL;
	struct folio_guest *g = NULL;
	struct worker *ws;
	int rc, show_rx, show_tx;
	double t0, last, tfirst_rx = 0, tlast_rx = 0, tfirst_tx = 0, tlast_tx = 0;
	struct iv prev;

	memset(s, 0, sizeof(*s));
	s->role = role;
	s->traced = TRACED;
	ws = aligned_alloc(64, sizeof(*ws) * nq);
	if (!ws) {
		set_err(s, -ENOMEM, "out of memory");
		goto done;
	}
	memset(ws, 0, sizeof(*ws) * nq);
	if (is_host) {
		rc = folio_host_create(&o->cfg, &h);
		if (rc) {
			set_err(s, rc, "host: cannot create region %s: %s",
				o->cfg.region, folio_strerror(rc));
			goto done;
		}
	} else {
		double until = now_s() + o->wait;

		/* The host may not have created or published the region yet. */
		while ((rc = folio_guest_open(&o->cfg, &g)) != 0) {
			if ((rc != -ENOENT && rc != FOLIO_ENOTREADY && rc != FOLIO_ESMALL) ||
			    now_s() > until || g_stop) {
				set_err(s, rc, "guest: cannot open region %s: %s",
					o->cfg.region, folio_strerror(rc));
				goto done;
			}
			usleep(5000);
		}
	}
	for (unsigned q = 0; q < nq; q++) {
		struct worker *w = &ws[q];

		w->q = q;
		w->o = o;
		w->g = g;
		w->h = h;
		w->is_host = is_host;
		w->cpu = cpu;
		if (o->latency && !is_host) {
			w->lat_cap = o->frames ? o->frames : 4000000;
			w->lat = malloc(w->lat_cap * sizeof(uint64_t));
			if (!w->lat) {
				set_err(s, -ENOMEM, "out of memory");
				goto done;
			}
		}
	}
	for (unsigned q = 0; q < nq; q++) {
		rc = pthread_create(&ws[q].tid, NULL, worker_main, &ws[q]);
		if (rc) {
			set_err(s, -rc, "cannot start thread: %s", strerror(rc));
			for (unsigned k = 0; k < q; k++)
				pthread_join(ws[k].tid, NULL);
			nq = 0;
			goto done;
		}
	}
	/* Reporter: the main thread sleeps and samples the counters. */
	show_rx = o->latency ? 0 : (is_host ? !!(o->dir & D_G2H) : !!(o->dir & D_H2G));
	show_tx = o->latency ? 0 : !show_rx;
	t0 = last = now_s();
	memset(&prev, 0, sizeof(prev));
	for (;;) {
		unsigned fin = 0;
		double t;

		usleep(20000); /* the reporter stays off the measured CPUs as much as it can */
		for (unsigned q = 0; q < nq; q++)
			fin += (unsigned)__atomic_load_n(&ws[q].finished, __ATOMIC_ACQUIRE);
		t = now_s();
		if (fin == nq || (o->interval > 0 && t - last >= o->interval)) {
			struct iv cur = { 0 };

			for (unsigned q = 0; q < nq; q++) {
				cur.rx_frames += LOAD(ws[q].rx_frames);
				cur.rx_bytes += LOAD(ws[q].rx_bytes);
				cur.tx_frames += LOAD(ws[q].tx_frames);
				cur.tx_bytes += LOAD(ws[q].tx_bytes);
				cur.lost += LOAD(ws[q].lost);
			}
			cur.viol = lib_viol(o, ws, is_host);
			if (o->interval > 0 && s->n_iv < MAX_IV &&
			    (fin != nq || t - last > o->interval / 10)) {
				struct iv *v = &s->iv[s->n_iv++];

				v->t0 = last - t0;
				v->t1 = t - t0;
				v->rx_frames = cur.rx_frames - prev.rx_frames;
				v->rx_bytes = cur.rx_bytes - prev.rx_bytes;
				v->tx_frames = cur.tx_frames - prev.tx_frames;
				v->tx_bytes = cur.tx_bytes - prev.tx_bytes;
				v->lost = cur.lost - prev.lost;
				v->viol = cur.viol - prev.viol;
				if (show_iv)
					print_iv(rname, v, show_rx, show_tx, o->latency);
			}
			prev = cur;
			last = t;
		}
		if (fin == nq)
			break;
	}
	for (unsigned q = 0; q < nq; q++)
		pthread_join(ws[q].tid, NULL);
done:
	if (ws) {
		uint64_t lat_total = 0;

		for (unsigned q = 0; q < nq; q++) {
			struct worker *w = &ws[q];

			if (w->rc)
				set_err(s, w->rc, "%s: %s", rname, w->err);
			s->tx_frames += w->tx_frames;
			s->tx_bytes += w->tx_bytes;
			s->rx_frames += w->rx_frames;
			s->rx_bytes += w->rx_bytes;
			s->lost += w->lost;
			s->reorder += w->reorder;
			s->bad += w->bad;
			s->tx_full += w->tx_full;
			s->rx_empty += w->rx_empty;
			s->peer_sent += w->peer_sent;
			s->lib_tx += w->lib_tx;
			s->lib_rx += w->lib_rx;
			s->copy_to += w->copy_to;
			s->copy_from += w->copy_from;
			s->copy_to_bytes += w->to_bytes;
			s->copy_from_bytes += w->from_bytes;
			if (w->rx_frames) {
				if (!tfirst_rx || w->rx_first < tfirst_rx)
					tfirst_rx = w->rx_first;
				if (w->rx_last > tlast_rx)
					tlast_rx = w->rx_last;
			}
			if (w->tx_frames) {
				if (!tfirst_tx || w->tx_first < tfirst_tx)
					tfirst_tx = w->tx_first;
				if (w->tx_last > tlast_tx)
					tlast_tx = w->tx_last;
			}
			lat_total += w->lat_n;
		}
		s->rx_secs = tlast_rx - tfirst_rx;
		s->tx_secs = tlast_tx - tfirst_tx;
		if (nq)
			s->viol = lib_viol(o, ws, is_host);
		if (lat_total) {
			uint64_t *all = malloc(lat_total * sizeof(uint64_t)), k = 0;
			double sum = 0;

			if (all) {
				for (unsigned q = 0; q < nq; q++) {
					memcpy(all + k, ws[q].lat, ws[q].lat_n * sizeof(uint64_t));
					k += ws[q].lat_n;
				}
				qsort(all, k, sizeof(uint64_t), lat_cmp);
				for (uint64_t i = 0; i < k; i++)
					sum += (double)all[i];
				s->lat_n = k;
				s->lat_min = (double)all[0] / 1000.0;
				s->lat_max = (double)all[k - 1] / 1000.0;
				s->lat_mean = sum / (double)k / 1000.0;
				s->lat_p50 = pct(all, k, 50);
				s->lat_p90 = pct(all, k, 90);
				s->lat_p99 = pct(all, k, 99);
				s->lat_p999 = pct(all, k, 99.9);
				free(all);
			}
		}
		for (unsigned q = 0; q < o->cfg.queues; q++)
			free(ws[q].lat);
		free(ws);
	}
	if (h) {
		folio_host_close(h);
		unlink(o->cfg.region);
	}
	if (g)
		folio_guest_close(g);
	s->valid = 1;
}

/* ---- output -------------------------------------------------------------- */

static const char *dir_name(unsigned d)
{
	return d == D_G2H ? "g2h" : d == D_H2G ? "h2g" : "both";
}

static double rate(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static void print_len(FILE *f, const struct opts *o)
{
	if (o->len)
		fprintf(f, "%u", o->len);
	else
		fprintf(f, "\"imix\"");
}

static void print_side_text(const struct opts *o, const struct side *s)
{
	const char *r = s->role == R_HOST ? "host" : "guest";

	if (!s->valid) {
		printf("[%-5s] no result (the process died)\n", r);
		return;
	}
	if (s->tx_frames && !o->latency)
		printf("[%-5s] tx %12" PRIu64 " frames in %6.2f s %8.3f Mfr/s %8.3f Gbit/s"
		       "  (ring full %" PRIu64 " times)\n", r, s->tx_frames, s->tx_secs,
		       rate(s->tx_frames, s->tx_secs) / 1e6,
		       rate(s->tx_bytes, s->tx_secs) * 8 / 1e9, s->tx_full);
	if (s->rx_frames && !o->latency)
		printf("[%-5s] rx %12" PRIu64 " frames in %6.2f s %8.3f Mfr/s %8.3f Gbit/s"
		       "  lost %" PRIu64 "  reorder %" PRIu64 "  bad %" PRIu64 "\n",
		       r, s->rx_frames, s->rx_secs, rate(s->rx_frames, s->rx_secs) / 1e6,
		       rate(s->rx_bytes, s->rx_secs) * 8 / 1e9, s->lost, s->reorder, s->bad);
	if (s->lat_n)
		printf("[%-5s] round trip over %" PRIu64 " pings (us): min %.2f  p50 %.2f"
		       "  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f\n", r,
		       s->lat_n, s->lat_min, s->lat_p50, s->lat_p90, s->lat_p99,
		       s->lat_p999, s->lat_max, s->lat_mean);
	if (s->traced)
		printf("[%-5s] copies per frame: tx %.3f (%" PRIu64 " copies / %" PRIu64
		       " frames)  rx %.3f (%" PRIu64 " / %" PRIu64 ")\n", r,
		       s->lib_tx ? (double)s->copy_to / (double)s->lib_tx : 0, s->copy_to,
		       s->lib_tx, s->lib_rx ? (double)s->copy_from / (double)s->lib_rx : 0,
		       s->copy_from, s->lib_rx);
	printf("[%-5s] violations %" PRIu64 "%s%s\n", r, s->viol, s->rc ? "  error: " : "",
	       s->rc ? s->err : "");
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_side_json(const struct opts *o, const struct side *s)
{
	printf("{\"role\":\"%s\",\"valid\":%s,\"rc\":%d,\"error\":",
	       s->role == R_HOST ? "host" : "guest", s->valid ? "true" : "false", s->rc);
	json_str(stdout, s->err);
	printf(",\"tx\":{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,"
	       "\"fps\":%.1f,\"gbps\":%.4f,\"ring_full\":%" PRIu64 "}",
	       s->tx_frames, s->tx_bytes, s->tx_secs, rate(s->tx_frames, s->tx_secs),
	       rate(s->tx_bytes, s->tx_secs) * 8 / 1e9, s->tx_full);
	printf(",\"rx\":{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,"
	       "\"fps\":%.1f,\"gbps\":%.4f,\"lost\":%" PRIu64 ",\"reorder\":%" PRIu64
	       ",\"bad\":%" PRIu64 ",\"peer_sent\":%" PRIu64 "}",
	       s->rx_frames, s->rx_bytes, s->rx_secs, rate(s->rx_frames, s->rx_secs),
	       rate(s->rx_bytes, s->rx_secs) * 8 / 1e9, s->lost, s->reorder, s->bad,
	       s->peer_sent);
	printf(",\"rx_empty_polls\":%" PRIu64, s->rx_empty);
	printf(",\"violations\":%" PRIu64, s->viol);
	printf(",\"copies\":{\"traced\":%s,\"lib_tx_frames\":%" PRIu64
	       ",\"lib_rx_frames\":%" PRIu64, s->traced ? "true" : "false", s->lib_tx,
	       s->lib_rx);
	if (s->traced)
		printf(",\"to_shared\":%" PRIu64 ",\"from_shared\":%" PRIu64
		       ",\"to_shared_bytes\":%" PRIu64 ",\"from_shared_bytes\":%" PRIu64
		       ",\"tx_per_frame\":%.4f,\"rx_per_frame\":%.4f",
		       s->copy_to, s->copy_from, s->copy_to_bytes, s->copy_from_bytes,
		       s->lib_tx ? (double)s->copy_to / (double)s->lib_tx : 0,
		       s->lib_rx ? (double)s->copy_from / (double)s->lib_rx : 0);
	printf("}");
	if (o->latency)
		printf(",\"latency_us\":{\"samples\":%" PRIu64 ",\"min\":%.3f,\"p50\":%.3f,"
		       "\"p90\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f,\"mean\":%.3f}",
		       s->lat_n, s->lat_min, s->lat_p50, s->lat_p90, s->lat_p99, s->lat_p999,
		       s->lat_max, s->lat_mean);
	printf(",\"intervals\":[");
	for (unsigned i = 0; i < s->n_iv; i++) {
		const struct iv *v = &s->iv[i];
		double d = v->t1 - v->t0;

		printf("%s{\"start\":%.3f,\"end\":%.3f,\"rx_fps\":%.1f,\"rx_gbps\":%.4f,"
		       "\"tx_fps\":%.1f,\"tx_gbps\":%.4f,\"drops\":%" PRIu64
		       ",\"violations\":%" PRIu64 "}", i ? "," : "", v->t0, v->t1,
		       rate(v->rx_frames, d), rate(v->rx_bytes, d) * 8 / 1e9,
		       rate(v->tx_frames, d), rate(v->tx_bytes, d) * 8 / 1e9, v->lost, v->viol);
	}
	printf("]}");
}

/* The receivers' view: what was verified at the far end. */
static void summary(const struct side *s, unsigned n, double *fps, double *gbps,
		    uint64_t *frames, uint64_t *errs)
{
	*fps = *gbps = 0;
	*frames = *errs = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!s[i].valid) {
			(*errs)++;
			continue;
		}
		*fps += rate(s[i].rx_frames, s[i].rx_secs);
		*gbps += rate(s[i].rx_bytes, s[i].rx_secs) * 8 / 1e9;
		*frames += s[i].rx_frames;
		*errs += s[i].lost + s[i].bad + s[i].viol + s[i].reorder + (s[i].rc != 0);
	}
}

static int report(const struct opts *o, const struct side *s, unsigned n)
{
	double fps, gbps;
	uint64_t frames, errs;

	summary(s, n, &fps, &gbps, &frames, &errs);
	if (o->json) {
		printf("{\"tool\":\"folio-perf\",\"version\":\"%s\",\"variant\":\"%s\","
		       "\"config\":{\"role\":\"%s\",\"direction\":\"%s\",\"length\":",
		       FOLIO_VERSION_STRING, FOLIO_PERF_VARIANT,
		       o->role == R_HOST ? "host" : o->role == R_GUEST ? "guest" : "both",
		       o->latency ? "pingpong" : dir_name(o->dir));
		print_len(stdout, o);
		printf(",\"queues\":%u,\"ring_entries\":%u,\"slot_size\":%u,\"mtu\":%u,"
		       "\"burst\":%u,\"seconds\":%.3f,\"frames\":%" PRIu64 ",\"latency\":%s,"
		       "\"verify\":\"%s\",\"host_rx\":\"%s\",\"region\":",
		       o->cfg.queues, o->cfg.ring_entries, o->cfg.slot_size, o->cfg.mtu,
		       o->burst, o->seconds, o->frames, o->latency ? "true" : "false",
		       o->verify == V_FULL ? "full" : o->verify == V_LIGHT ? "light" : "none",
		       o->host_copy_now ? "copy" : "peek");
		json_str(stdout, o->cfg.region);
		printf("},\"sides\":[");
		for (unsigned i = 0; i < n; i++) {
			if (i)
				printf(",");
			print_side_json(o, &s[i]);
		}
		printf("],\"summary\":{\"rx_frames\":%" PRIu64 ",\"rx_fps\":%.1f,"
		       "\"rx_gbps\":%.4f,\"errors\":%" PRIu64 ",\"ok\":%s}}\n",
		       frames, fps, gbps, errs, errs ? "false" : "true");
	} else if (!o->quiet) {
		printf("- - - - - - - - - - - - - - - - - - - - - - - - -\n");
		for (unsigned i = 0; i < n; i++)
			print_side_text(o, &s[i]);
		if (!o->latency)
			printf("summary: %.3f Mfr/s  %.3f Gbit/s received and verified, "
			       "%s\n", fps / 1e6, gbps, errs ? "ERRORS (see above)" : "no errors");
	}
	for (unsigned i = 0; i < n; i++)
		if (s[i].rc)
			fprintf(stderr, "%s: %s\n", prog, s[i].err);
	return errs ? 1 : 0;
}

/* ---- command line -------------------------------------------------------- */

static void usage(void)
{
	printf("usage: %s --role host|guest|both [options]\n"
	       "\n"
	       "An iperf-style benchmark for Folio. Run '--role host' and '--role guest'\n"
	       "in two processes with the same options, or '--role both' to fork both.\n"
	       "\n"
	       "  -r, --role ROLE        host (creates the region), guest, or both\n"
	       "  -c, --config FILE      fixed configuration (key = value file)\n"
	       "      --region PATH      region file (default /dev/shm/folio-perf-<uid>,\n"
	       "                         with --role both a per-run name)\n"
	       "  -t, --time SEC         seconds to send (default 10)\n"
	       "  -n, --frames N         send exactly N frames per queue instead\n"
	       "  -i, --interval SEC     report every SEC seconds, 0 = off (default 1)\n"
	       "  -l, --length LEN       frame length 60..mtu+18, or 'imix' (7:4:1 of\n"
	       "                         64, 594, 1518 bytes) (default 64)\n"
	       "  -P, --parallel N       queues, one thread each (default 1)\n"
	       "  -d, --dir DIR          g2h (guest to host, default), h2g, or both\n"
	       "  -R, --reverse          same as --dir h2g\n"
	       "      --bidir            same as --dir both\n"
	       "      --latency          ping-pong: the guest sends one frame, the host\n"
	       "                         echoes it; p50/p90/p99/p99.9 round trip in us\n"
	       "  -b, --burst N          frames per call, 1..256 (default 32)\n"
	       "  -A, --affinity N[,M]   pin this role to CPU N (--role both: host to N,\n"
	       "                         guest to M)\n"
	       "  -J, --json             print one JSON object at the end\n"
	       "      --verify MODE      none, light (header, sequence, first and last\n"
	       "                         8 payload bytes; default) or full (every byte)\n"
	       "      --host-rx MODE     how the host receives: copy (folio_host_rx_burst),\n"
	       "                         peek (in place, folio_host_rx_peek/_done) or auto\n"
	       "                         (default: copy up to 256 B frames, else peek)\n"
	       "      --host-copy        same as --host-rx copy\n"
	       "      --poll MODE        busy (default) or backoff (pause, then sleep)\n"
	       "      --spin N           with backoff: idle polls before the first sleep\n"
	       "                         (default 1024; 0 sleeps at once)\n"
	       "      --wait SEC         how long a side waits for its peer (default 10)\n"
	       "      --timeout SEC      give up on the whole run after SEC seconds\n"
	       "  -q, --quiet            no interval lines, no summary (errors only)\n"
	       "  -V, --version          print the version and the ring variant\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Exit status: 0 if every frame arrived verified, in order, with no\n"
	       "violation; 1 otherwise; 2 for a bad command line.\n", prog);
}

static double parse_secs(const char *opt, const char *v, double lo, double hi)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= lo && d <= hi))
		die_usage("%s '%s': expected seconds in [%g, %g]", opt, v, lo, hi);
	return d;
}

static uint64_t parse_u64(const char *opt, const char *v, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long n;

	if (!*v || *v == '-' || *v == '+')
		die_usage("%s '%s': expected an integer in [%" PRIu64 ", %" PRIu64 "]",
			  opt, v, lo, hi);
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		die_usage("%s '%s': expected an integer in [%" PRIu64 ", %" PRIu64 "]",
			  opt, v, lo, hi);
	return n;
}

static void parse(int argc, char **argv, struct opts *o)
{
	enum { O_REGION = 256, O_BIDIR, O_LAT, O_VERIFY, O_HCOPY, O_POLL, O_WAIT,
	       O_TIMEOUT, O_SPIN, O_HOSTRX };
	static const struct option lo[] = {
		{ "role", required_argument, 0, 'r' },
		{ "config", required_argument, 0, 'c' },
		{ "region", required_argument, 0, O_REGION },
		{ "time", required_argument, 0, 't' },
		{ "frames", required_argument, 0, 'n' },
		{ "interval", required_argument, 0, 'i' },
		{ "length", required_argument, 0, 'l' },
		{ "parallel", required_argument, 0, 'P' },
		{ "dir", required_argument, 0, 'd' },
		{ "reverse", no_argument, 0, 'R' },
		{ "bidir", no_argument, 0, O_BIDIR },
		{ "latency", no_argument, 0, O_LAT },
		{ "burst", required_argument, 0, 'b' },
		{ "affinity", required_argument, 0, 'A' },
		{ "json", no_argument, 0, 'J' },
		{ "verify", required_argument, 0, O_VERIFY },
		{ "host-copy", no_argument, 0, O_HCOPY },
		{ "host-rx", required_argument, 0, O_HOSTRX },
		{ "poll", required_argument, 0, O_POLL },
		{ "wait", required_argument, 0, O_WAIT },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "spin", required_argument, 0, O_SPIN },
		{ "quiet", no_argument, 0, 'q' },
		{ "version", no_argument, 0, 'V' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *conf = NULL, *region = NULL, *len = "64";
	int have_role = 0, queues = -1, c;
	char err[256];

	memset(o, 0, sizeof(*o));
	folio_config_init(&o->cfg);
	o->dir = D_G2H;
	o->seconds = 10;
	o->interval = 1;
	o->burst = 32;
	o->cpu[0] = o->cpu[1] = -1;
	o->verify = V_LIGHT;
	o->host_copy = -1;
	o->busy = 1;
	o->spin = 1024;
	o->wait = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:c:t:n:i:l:P:d:Rb:A:JqVh", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			have_role = 1;
			if (!strcmp(optarg, "host"))
				o->role = R_HOST;
			else if (!strcmp(optarg, "guest"))
				o->role = R_GUEST;
			else if (!strcmp(optarg, "both"))
				o->role = R_BOTH;
			else
				die_usage("--role '%s': expected host, guest or both", optarg);
			break;
		case 'c': conf = optarg; break;
		case O_REGION: region = optarg; break;
		case 't': o->seconds = parse_secs("-t", optarg, 0.1, 86400); break;
		case 'n': o->frames = parse_u64("-n", optarg, 1, UINT64_MAX / 2); break;
		case 'i': o->interval = parse_secs("-i", optarg, 0, 3600); break;
		case 'l': len = optarg; break;
		case 'P': queues = (int)parse_u64("-P", optarg, 1, FOLIO_MAX_QUEUES); break;
		case 'd':
			if (!strcmp(optarg, "g2h"))
				o->dir = D_G2H;
			else if (!strcmp(optarg, "h2g"))
				o->dir = D_H2G;
			else if (!strcmp(optarg, "both"))
				o->dir = D_BOTH;
			else
				die_usage("--dir '%s': expected g2h, h2g or both", optarg);
			break;
		case 'R': o->dir = D_H2G; break;
		case O_BIDIR: o->dir = D_BOTH; break;
		case O_LAT: o->latency = 1; break;
		case 'b': o->burst = (unsigned)parse_u64("-b", optarg, 1, FOLIO_MAX_BURST); break;
		case 'A': {
			char *comma = strchr(optarg, ',');

			if (comma) {
				*comma = 0;
				o->cpu[1] = (int)parse_u64("-A", comma + 1, 0, CPU_SETSIZE - 1);
			}
			o->cpu[0] = (int)parse_u64("-A", optarg, 0, CPU_SETSIZE - 1);
			break;
		}
		case 'J': o->json = 1; break;
		case O_VERIFY:
			if (!strcmp(optarg, "none"))
				o->verify = V_NONE;
			else if (!strcmp(optarg, "light"))
				o->verify = V_LIGHT;
			else if (!strcmp(optarg, "full"))
				o->verify = V_FULL;
			else
				die_usage("--verify '%s': expected none, light or full", optarg);
			break;
		case O_HCOPY: o->host_copy = 1; break;
		case O_HOSTRX:
			if (!strcmp(optarg, "copy"))
				o->host_copy = 1;
			else if (!strcmp(optarg, "peek"))
				o->host_copy = 0;
			else if (!strcmp(optarg, "auto"))
				o->host_copy = -1;
			else
				die_usage("--host-rx '%s': expected copy, peek or auto", optarg);
			break;
		case O_POLL:
			if (!strcmp(optarg, "busy"))
				o->busy = 1;
			else if (!strcmp(optarg, "backoff"))
				o->busy = 0;
			else
				die_usage("--poll '%s': expected busy or backoff", optarg);
			break;
		case O_SPIN:
			o->spin = (uint32_t)parse_u64("--spin", optarg, 0, UINT32_MAX - 1);
			o->busy = 0;
			break;
		case O_WAIT: o->wait = parse_secs("--wait", optarg, 0.1, 3600); break;
		case O_TIMEOUT: o->timeout = parse_secs("--timeout", optarg, 1, 86400); break;
		case 'q': o->quiet = 1; break;
		case 'V':
			printf("folio-perf %s (%s ring%s)\n", FOLIO_VERSION_STRING,
			       FOLIO_PERF_VARIANT, TRACED ? ", copy tracing" : "");
			exit(0);
		case 'h': usage(); exit(0);
		case ':': die_usage("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				die_usage("unknown option -%c", optopt);
			die_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!have_role)
		die_usage("--role host|guest|both is required");
	if (conf) {
		int rc = folio_config_load(&o->cfg, conf, err, sizeof(err));

		if (rc)
			die_usage("%s", err);
	}
	if (queues > 0)
		o->cfg.queues = (uint32_t)queues;
	if (region) {
		if (strlen(region) >= sizeof(o->cfg.region))
			die_usage("--region: path too long");
		snprintf(o->cfg.region, sizeof(o->cfg.region), "%s", region);
		o->region_given = 1;
	} else if (!conf || !o->cfg.region[0] || strcmp(o->cfg.region, "") == 0) {
		snprintf(o->cfg.region, sizeof(o->cfg.region), "/dev/shm/folio-perf-%u",
			 (unsigned)getuid());
	} else {
		o->region_given = 1;
	}
	if (folio_config_validate(&o->cfg, err, sizeof(err)))
		die_usage("configuration: %s", err);
	if (!strcmp(len, "imix") || !strcmp(len, "IMIX")) {
		o->len = 0;
		if (folio_config_max_frame(&o->cfg) < 1518)
			die_usage("-l imix needs frames of 1518 bytes (mtu >= 1500)");
	} else {
		o->len = (uint32_t)parse_u64("-l", len, MIN_LEN, folio_config_max_frame(&o->cfg));
	}
	/* In place costs a fixed amount per frame (lend, then give back); a
	 * copy grows with the length. Under callgrind they cross near 256 B. */
	o->host_copy_now = o->host_copy >= 0 ? o->host_copy : (o->len && o->len <= 256);
	if (o->latency && o->len == 0)
		die_usage("--latency takes one frame length, not imix");
	if (o->latency && o->dir != D_G2H)
		die_usage("--latency is a ping-pong; it takes no --dir");
	if (o->burst > o->cfg.ring_entries)
		die_usage("-b %u: larger than the ring (%u entries)", o->burst,
			  o->cfg.ring_entries);
	if (o->role != R_BOTH && o->cpu[1] >= 0)
		die_usage("-A N,M: the second CPU is only for --role both");
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct side *sides;
	struct sigaction sa;
	unsigned nsides = 1;

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sides = mmap(NULL, 2 * sizeof(struct side), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sides == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!o.json && !o.quiet) {
		printf("folio-perf %s, %s ring: %s, %u queue%s, ", FOLIO_VERSION_STRING,
		       FOLIO_PERF_VARIANT,
		       o.role == R_HOST ? "host" : o.role == R_GUEST ? "guest" : "host+guest",
		       o.cfg.queues, o.cfg.queues > 1 ? "s" : "");
		if (o.latency)
			printf("ping-pong");
		else
			printf("%s", dir_name(o.dir));
		if (o.len)
			printf(", %u B", o.len);
		else
			printf(", IMIX");
		printf(", burst %u, ", o.burst);
		if (o.frames)
			printf("%" PRIu64 " frames/queue\n", o.frames);
		else
			printf("%.1f s\n", o.seconds);
	}
	if (o.role != R_BOTH) {
		run_role(&o, o.role, o.cpu[0], !o.json && !o.quiet, &sides[0]);
	} else {
		pid_t pid[2];
		double limit;
		int left = 2;

		nsides = 2;
		if (!o.region_given)
			snprintf(o.cfg.region, sizeof(o.cfg.region),
				 "/dev/shm/folio-perf-%u-%d", (unsigned)getuid(), (int)getpid());
		fflush(stdout);
		for (int r = 0; r < 2; r++) {
			pid[r] = fork();
			if (pid[r] < 0) {
				perror("fork");
				if (r)
					kill(pid[0], SIGTERM);
				return 1;
			}
			if (pid[r] == 0) {
				/* In one command only the receiving side reports intervals. */
				int rx = o.latency ? r == R_GUEST
						   : (r == R_HOST ? !!(o.dir & D_G2H)
								  : !!(o.dir & D_H2G));

				run_role(&o, (enum role)r, o.cpu[r], rx && !o.json && !o.quiet,
					 &sides[r]);
				fflush(stdout);
				_exit(0);
			}
		}
		limit = now_s() + 2 * o.wait + 30 +
			(o.timeout > 0 ? o.timeout : o.frames ? 600 : o.seconds);
		while (left) {
			int st;

			for (int r = 0; r < 2; r++) {
				if (pid[r] > 0 && waitpid(pid[r], &st, WNOHANG) == pid[r]) {
					if (WIFSIGNALED(st) && !sides[r].valid)
						snprintf(sides[r].err, sizeof(sides[r].err),
							 "%s process killed by signal %d",
							 r ? "guest" : "host", WTERMSIG(st));
					pid[r] = 0;
					left--;
				}
			}
			if (left && now_s() > limit) {
				for (int r = 0; r < 2; r++)
					if (pid[r] > 0)
						kill(pid[r], SIGKILL);
			}
			if (left)
				usleep(20000);
		}
		unlink(o.cfg.region);
		for (int r = 0; r < 2; r++)
			if (!sides[r].valid) {
				sides[r].role = r;
				sides[r].rc = -1;
				if (!sides[r].err[0])
					snprintf(sides[r].err, sizeof(sides[r].err),
						 "%s process gave no result", r ? "guest" : "host");
			}
	}
	return report(&o, sides, nsides);
}
