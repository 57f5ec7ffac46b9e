/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tool.h - what every Folio program around the library shares: the stop
 * flag set by SIGINT/SIGTERM, a log callback for folio_set_log(), monotonic
 * time, strict number parsing for command lines, and "key=value" stats
 * lines on stderr.
 *
 * This is not part of libfolio and never linked into it: the trusted guest
 * library stays libc-only and silent. Link it into folio-hostd,
 * folio-tapd, folio-perf and the examples (meson: folio_tool_dep), beside
 * whichever libfolio variant the program uses.
 */
#ifndef FOLIO_TOOL_H
#define FOLIO_TOOL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <folio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Set to 1 by SIGINT or SIGTERM once tool_signals() has run. */
extern volatile sig_atomic_t tool_stop;

/**
 * Name the program for every message of this module ("folio-tapd"). The
 * string is not copied. Call it first; the default is "folio".
 */
void tool_init(const char *prog);

/** The name given to tool_init(). */
const char *tool_prog(void);

/**
 * SIGINT and SIGTERM set tool_stop (with SA_RESTART, as signal(2) does on
 * glibc, so that system calls in flight are resumed and the main loop sees
 * the flag on its next turn); SIGPIPE is ignored.
 * @return 0, or -errno from sigaction().
 */
int tool_signals(void);

/**
 * A folio_log_fn: prints "PROG: lib[LEVEL]: MSG" on stderr. LEVEL is the
 * syslog-style number of enum folio_log_level. ctx is unused.
 */
void tool_log(void *ctx, int level, const char *msg);

/** folio_set_log(tool_log, NULL). */
void tool_set_log(void);

/** Seconds on CLOCK_MONOTONIC. */
double tool_now(void);

/** Nanoseconds on CLOCK_MONOTONIC. */
uint64_t tool_now_ns(void);

/**
 * Parse a decimal integer in [min, max]: digits only (no sign, no
 * leading blanks, nothing after), no overflow.
 * @return 0, or -EINVAL (out untouched).
 */
int tool_parse_ulong(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

/**
 * Parse a duration in seconds: a finite decimal number in [0, max]
 * ("1e30" is out of range, not a huge count turned into a small one).
 * @return 0, or -EINVAL (out untouched).
 */
int tool_parse_seconds(const char *s, double max, double *out);

/**
 * Open the guest side of cfg->region, waiting for the host while the
 * failure is transient (folio_error_is_transient(): no file yet, not sized,
 * no ready epoch), polling every 50 ms, until deadline (tool_now() seconds;
 * 0: no deadline) or tool_stop. Says "PROG: waiting for the host on REGION
 * (why)" once, and names the region and the cause when it gives up.
 * @return 0 with *g set, or the last code of folio_guest_open().
 */
int tool_guest_open(const struct folio_config *cfg, double deadline,
		    struct folio_guest **g);

/**
 * The getopt_long() entries of the options every serving loop takes, and
 * the table's end: --stats SEC ('s'), --duration SEC ('d'), --idle-spin N
 * ('i'), --help ('h'). Each program parses their values with its own
 * ranges and messages. Last in a struct option table:
 *   static const struct option opts[] = { { "port", ... }, TOOL_LOOP_OPTIONS };
 */
#define TOOL_LOOP_OPTIONS                                 \
	{ "stats", required_argument, NULL, 's' },        \
	{ "duration", required_argument, NULL, 'd' },     \
	{ "idle-spin", required_argument, NULL, 'i' },    \
	{ "help", no_argument, NULL, 'h' },               \
	{ NULL, 0, NULL, 0 }

/** The protocol-violation counters of one queue, summed: bad_index,
 * bad_length and bad_header. */
uint64_t tool_violations(const struct folio_stats *st);

/* ---- stats lines ------------------------------------------------------------- */

/** One line of "key=value" fields under construction. Text that does not
 * fit is cut at the end of the buffer; the line is still printed. */
struct tool_line {
	char buf[1024];
	size_t len;
};

/** Start a line with a printf-style prefix ("folio-tapd: exit:"). */
void tool_line_init(struct tool_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append printf-style text. */
void tool_line_add(struct tool_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Append " NAME=VALUE" for each of n counters. */
void tool_line_counters(struct tool_line *l, const char *const *names,
			const uint64_t *v, unsigned n);

/** Append " state=S epoch=E" and every library counter of one queue
 * (" tx_frames=N ..."), in the order of enum folio_stat. */
void tool_line_stats(struct tool_line *l, const struct folio_stats *st);

/** Print the line and a newline on stderr. */
void tool_line_print(const struct tool_line *l);

#ifdef __cplusplus
}
#endif
#endif /* FOLIO_TOOL_H */
