/* SPDX-License-Identifier: BSD-3-Clause */
/* tool.c - signals, log callback, time, parsing and stats lines (tool.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

volatile sig_atomic_t tool_stop;
static const char *prog_name = "folio";

void tool_init(const char *prog)
{
	if (prog && prog[0])
		prog_name = prog;
}

const char *tool_prog(void)
{
	return prog_name;
}

static void on_signal(int sig)
{
	(void)sig;
	tool_stop = 1;
}

int tool_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_signal;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		return -errno;
	return 0;
}

void tool_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: lib[%d]: %s\n", prog_name, level, msg);
}

void tool_set_log(void)
{
	folio_set_log(tool_log, NULL);
}

double tool_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int tool_parse_ulong(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul alone takes "-1" (as ULONG_MAX) and leading blanks. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int tool_parse_seconds(const char *s, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int tool_guest_open(const struct folio_config *cfg, double deadline,
		    struct folio_guest **g)
{
	int rc, said = 0;

	for (;;) {
		rc = folio_guest_open(cfg, g);
		if (rc == 0)
			return 0;
		if (!folio_error_is_transient(rc))
			break;
		if (!said) {
			fprintf(stderr, "%s: waiting for the host on %s (%s)\n", prog_name,
				cfg->region, folio_strerror(rc));
			said = 1;
		}
		if (tool_stop || (deadline > 0 && tool_now() >= deadline))
			break;
		usleep(50 * 1000);
	}
	fprintf(stderr, "%s: %s: %s\n", prog_name, cfg->region, folio_strerror(rc));
	return rc;
}

uint64_t tool_violations(const struct folio_stats *st)
{
	return st->v[FOLIO_STAT_BAD_INDEX] + st->v[FOLIO_STAT_BAD_LENGTH] +
	       st->v[FOLIO_STAT_BAD_HEADER];
}

static void line_vadd(struct tool_line *l, const char *fmt, va_list ap)
{
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
}

void tool_line_init(struct tool_line *l, const char *fmt, ...)
{
	va_list ap;

	l->len = 0;
	l->buf[0] = '\0';
	va_start(ap, fmt);
	line_vadd(l, fmt, ap);
	va_end(ap);
}

void tool_line_add(struct tool_line *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_vadd(l, fmt, ap);
	va_end(ap);
}

void tool_line_counters(struct tool_line *l, const char *const *names,
			const uint64_t *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		tool_line_add(l, " %s=%" PRIu64, names[i], v[i]);
}

void tool_line_stats(struct tool_line *l, const struct folio_stats *st)
{
	tool_line_add(l, " state=%s epoch=%u", folio_qstate_name(st->state), st->epoch);
	for (unsigned i = 0; i < FOLIO_STAT__COUNT; i++)
		tool_line_add(l, " %s=%" PRIu64, folio_stat_name(i), st->v[i]);
}

void tool_line_print(const struct tool_line *l)
{
	fprintf(stderr, "%s\n", l->buf);
}
