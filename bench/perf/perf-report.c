/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf-report.c - folio-perf's output: the per-interval lines while a
 * role runs, and the results at the end, as text or as one JSON object.
 */
#include "perf.h"

uint64_t lib_viol(const struct opts *o, struct worker *ws, int is_host)
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

void print_iv(const char *role, const struct iv *v, int rx, int tx,
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

double pct(const uint64_t *s, uint64_t n, double p)
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

/* ---- output -------------------------------------------------------------- */

const char *dir_name(unsigned d)
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

int report(const struct opts *o, const struct side *s, unsigned n)
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
