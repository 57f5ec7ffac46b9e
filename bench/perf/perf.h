/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf.h - what the parts of folio-perf share: the frame format, the
 * options, the per-queue worker and the results of one role.
 *
 *   folio-perf.c    command line and main (forks the roles)
 *   perf-frame.c    frame header, IMIX cycle, receive-side verification
 *   perf-worker.c   per-queue workers and one role in this process
 *   perf-report.c   interval lines, text and JSON results
 */
#ifndef FOLIO_PERF_H
#define FOLIO_PERF_H

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
#include "tool.h"

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
extern const uint32_t imix_cycle[12];

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

/* Set by SIGINT/SIGTERM: every loop winds down. */
extern const char *prog;


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

#ifdef FOLIO_PERF_TRACE
#define TRACED 1
#else
#define TRACED 0
#endif

/* ---- small helpers ------------------------------------------------------ */

/* Monotonic time, from the tools module (tools/tool.h). */
static inline double now_s(void) { return tool_now(); }
static inline uint64_t now_ns(void) { return tool_now_ns(); }

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

/* perf-frame.c */
void frame_hdr(uint8_t *f, const struct opts *o, int from_host, unsigned q,
	       enum ftype t, uint32_t len, uint64_t seq, uint64_t aux);
int check_frame(struct worker *w, const uint8_t *f, uint32_t len,
		uint64_t *expect);

/* perf-worker.c */
void run_role(const struct opts *o, enum role role, int cpu, int show_iv,
	      struct side *s);

/* perf-report.c */
uint64_t lib_viol(const struct opts *o, struct worker *ws, int is_host);
void print_iv(const char *role, const struct iv *v, int rx, int tx, int latency);
double pct(const uint64_t *s, uint64_t n, double p);
const char *dir_name(unsigned d);
int report(const struct opts *o, const struct side *s, unsigned n);

#endif /* FOLIO_PERF_H */
