/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf-worker.c - folio-perf's workers: one thread per queue sends,
 * receives and verifies frames (or plays ping-pong), and run_role() drives
 * one role (host or guest) in this process and fills in its results.
 */
#include "perf.h"

/* ---- copy tracing (folio-perf-trace only) ------------------------------- */

#ifdef FOLIO_PERF_TRACE
/* The library's own declaration of the trace hook and its operations. */
#include "shm.h"

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
#else
static _Thread_local uint64_t t_copy_to, t_copy_from, t_to_bytes, t_from_bytes;
#endif

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
		if (now_s() > deadline || tool_stop) {
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

		if (!tx_done && (tool_stop || (o->frames ? seq >= o->frames : t >= stop))) {
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

void run_role(const struct opts *o, enum role role, int cpu, int show_iv,
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
			if (!folio_error_is_transient(rc) || now_s() > until ||
			    tool_stop) {
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
