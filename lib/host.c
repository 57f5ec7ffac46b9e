/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host.c - the host endpoint. The host does not trust the guest either
 * (mutual distrust): it runs the same checked ring code on the other two
 * halves of each queue, and a guest that breaks the protocol fails only its
 * own queue.
 *
 * Start-up and restart (docs/design.md, section 6): the host makes the epoch
 * odd, zeroes the rings and the guest control page, writes magic, version
 * and digest, and then publishes the next even epoch with a release store.
 * A queue carries frames once the guest has acked that epoch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "shm.h"

struct folio_host {
	struct fl_queue *qs;
	struct fl_hdr *hdr;
	struct fl_layout l;
	uint8_t *base;
	struct fl_map *map; /* registered mapping (SIGBUS containment) */
	uint8_t *done; /* zero-copy given-back flags, entries per queue */
	uint64_t digest;
	uint32_t epoch;
	int fd; /* owned, or -1 */
};

/* The guest left: it withdrew its ack (closed), or a new guest instance
 * found its predecessor's ack and cleared it. The rings of this epoch can
 * no longer be trusted to line up, so the queue stays down until the host
 * starts a new epoch. */
static int host_gone(struct fl_queue *q, unsigned qi)
{
	__atomic_store_n(&q->state, FOLIO_Q_GONE, __ATOMIC_RELAXED);
	fl_stat_add(q, FOLIO_STAT_PEER_LEFT, 1);
	fl_log(FOLIO_LOG_INFO, "host queue %u: guest left the epoch", qi);
	return FOLIO_EGONE;
}

static inline int host_ready(struct folio_host *h, struct fl_queue *q,
			     unsigned qi)
{
	uint32_t ack;

	if (fl_likely(q->state == FOLIO_Q_READY)) {
		/* One load per call of a line the guest rarely writes. */
		if (fl_likely(shm_load_once(q->ack) == h->epoch))
			return 0;
		return host_gone(q, qi);
	}
	if (q->state == FOLIO_Q_FAILED)
		return FOLIO_EFAILED;
	if (q->state == FOLIO_Q_GONE)
		return FOLIO_EGONE;
	/* P4: pairs with the guest's release of its ack, after its reset of
	 * its own indices to zero. */
	ack = shm_load_acquire(q->ack);
	if (ack != h->epoch) {
		fl_stat_add(q, FOLIO_STAT_NOT_READY, 1);
		return FOLIO_ENOTREADY;
	}
	__atomic_store_n(&q->epoch, h->epoch, __ATOMIC_RELAXED);
	__atomic_store_n(&q->state, FOLIO_Q_READY, __ATOMIC_RELAXED);
	fl_stat_add(q, FOLIO_STAT_ATTACH, 1);
	return 0;
}

static inline struct fl_queue *host_queue(struct folio_host *h, unsigned qi)
{
	return fl_likely(h && qi < h->l.queues) ? &h->qs[qi] : NULL;
}

/* Entry of every datapath call: the queue, the arguments, the ack. */
static inline int host_enter(struct folio_host *h, unsigned qi, int args_ok,
			     struct fl_queue **qp)
{
	struct fl_queue *q = host_queue(h, qi);

	if (fl_unlikely(!q || !args_ok))
		return -EINVAL;
	*qp = q;
	if (fl_unlikely(fl_map_lost(h->map)))
		return fl_queue_lost(q, "host", qi);
	return host_ready(h, q, qi);
}

/* Exit: a violation the ring reported latches the queue FAILED. */
static inline int host_exit(struct fl_queue *q, unsigned qi, int rc)
{
	return fl_unlikely(rc == FOLIO_EPEER) ? fl_queue_fail(q, "host", qi) : rc;
}

/* Every call ends here: a SIGBUS contained during it voids its result and
 * loses the channel (docs/security.md). */
static inline int host_done(struct folio_host *h, struct fl_queue *q,
			    unsigned qi, int rc)
{
	if (fl_unlikely(q && fl_map_lost(h->map)))
		return fl_queue_lost(q, "host", qi);
	return rc;
}

int folio_host_tx_burst(struct folio_host *h, unsigned qi,
			const void *const *bufs, const uint32_t *lens,
			unsigned n)
{
	struct fl_queue *q = NULL;
	int rc = host_enter(h, qi, !n || (bufs && lens), &q);

	if (!rc)
		rc = host_exit(q, qi, fl_ring_produce(q, bufs, lens, n));
	return host_done(h, q, qi, rc);
}

int folio_host_rx_burst(struct folio_host *h, unsigned qi, void *const *bufs,
			uint32_t *lens, unsigned n)
{
	struct fl_queue *q = NULL;
	int rc = host_enter(h, qi, !n || (bufs && lens), &q);

	if (!rc)
		rc = host_exit(q, qi, fl_ring_consume(q, bufs, lens, n));
	return host_done(h, q, qi, rc);
}

int folio_host_rx_peek(struct folio_host *h, unsigned qi,
		       struct folio_frame *frames, unsigned n)
{
	struct fl_queue *q = NULL;
	int rc = host_enter(h, qi, !n || frames, &q);

	if (!rc)
		rc = host_exit(q, qi, fl_ring_peek(q, frames, n));
	return host_done(h, q, qi, rc);
}

int folio_host_rx_done(struct folio_host *h, unsigned qi, uint32_t id)
{
	struct fl_queue *q = host_queue(h, qi);

	/* Allowed in any state: frames lent before a failure come back. */
	if (!q)
		return -EINVAL;
	return fl_ring_done(q, &id, 1);
}

int folio_host_rx_done_burst(struct folio_host *h, unsigned qi,
			     const uint32_t *ids, unsigned n)
{
	struct fl_queue *q = host_queue(h, qi);

	if (!q || (n && !ids))
		return -EINVAL;
	return fl_ring_done(q, ids, n);
}

uint32_t folio_frame_copy(void *dst, const struct folio_frame *f, uint32_t len)
{
	if (!dst || !f || !f->data)
		return 0;
	if (len > f->len)
		len = f->len;
	shm_copy_from(dst, f->data, len); /* ends with the compiler barrier */
	return len;
}

int folio_host_stats(const struct folio_host *h, unsigned qi,
		     struct folio_stats *st)
{
	if (!h || qi >= h->l.queues || !st)
		return -EINVAL;
	fl_queue_stats(&h->qs[qi], st);
	return 0;
}

uint32_t folio_host_epoch(const struct folio_host *h)
{
	return h ? h->epoch : 0;
}

/* The next even epoch after whatever the header holds. The old value may
 * have been written by anyone (the guest can write the whole region), so any
 * value is accepted; it only has to move forward for an honest guest. */
static uint32_t next_epoch(uint32_t old)
{
	uint32_t e = (old | 1u) + 1u;

	return e ? e : 2u;
}

/* The new epoch must also differ from every ack in the control page: a
 * header rewritten by someone else could otherwise lead this host to publish
 * again the epoch a guest is attached to, and that guest would keep its
 * indices over zeroed rings and never ack (design.md, section 6). Bounded:
 * at most one step per queue. */
static uint32_t pick_epoch(const struct folio_host *h, uint32_t old)
{
	uint32_t acks[FOLIO_MAX_QUEUES], e = next_epoch(old);

	for (unsigned i = 0; i < h->l.queues; i++)
		acks[i] = shm_load_once(h->qs[i].ack);
	for (unsigned step = 0; step <= h->l.queues; step++) {
		unsigned hit = 0;

		for (unsigned i = 0; i < h->l.queues; i++)
			hit |= acks[i] == e;
		if (!hit)
			break;
		e = next_epoch(e);
	}
	return e;
}

static void host_reset(struct folio_host *h)
{
	struct fl_hdr *hdr = h->hdr;
	uint32_t old = 0;

	if (shm_load_once64(&hdr->magic) == FL_MAGIC)
		old = shm_load_once(&hdr->epoch);
	h->epoch = pick_epoch(h, old);
	/* Odd: guests detach before the rings are wiped under them. The
	 * fence keeps every store of the wipe after the odd epoch, so a guest
	 * whose copies saw any of it sees the epoch move when it re-checks
	 * (shm_load_after in ring.c): the seqlock of design.md, section 6. */
	shm_store_release(&hdr->epoch, h->epoch - 1u);
	shm_fence_release();
	memset(h->base + FL_CTL_OFF, 0, h->l.region_size - FL_CTL_OFF);
	memset(hdr->zero, 0, sizeof(hdr->zero));
	shm_store_once64(&hdr->magic, FL_MAGIC);
	shm_store_once(&hdr->version, FOLIO_LAYOUT_VERSION);
	shm_store_once64(&hdr->digest, h->digest);
	/* P3: everything above is visible before the even epoch. */
	shm_store_release(&hdr->epoch, h->epoch);
}

static int host_setup(const struct folio_config *cfg, int fd, int owned,
		      struct folio_host **out)
{
	struct folio_host *h;
	struct stat st;
	int rc;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->fd = owned ? fd : -1;
	fl_layout_compute(cfg, &h->l);
	h->digest = folio_config_digest(cfg);
	h->qs = aligned_alloc(64, sizeof(struct fl_queue) * h->l.queues);
	h->done = calloc(h->l.queues, h->l.entries);
	if (!h->qs || !h->done) {
		rc = -ENOMEM;
		goto fail;
	}
	if (fstat(fd, &st)) {
		rc = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fl_log(FOLIO_LOG_ERR, "host: region is not a regular file");
		rc = -EINVAL;
		goto fail;
	}
	if ((uint64_t)st.st_size < h->l.region_size) {
		/* Round to the file system's block: a hugetlbfs file grows in
		 * whole huge pages. A sealed memfd refuses, which is right. */
		uint64_t blk = st.st_blksize > 0 ? (uint64_t)st.st_blksize : FL_PAGE;
		uint64_t sz = (h->l.region_size + blk - 1) / blk * blk;

		if (ftruncate(fd, (off_t)sz)) {
			rc = -errno;
			fl_log(FOLIO_LOG_ERR, "host: cannot size region to %llu bytes",
			       (unsigned long long)sz);
			goto fail;
		}
	}
	rc = fl_map_fd(fd, h->l.region_size, &h->map);
	if (rc)
		goto fail;
	h->base = h->map->base;
	h->hdr = (struct fl_hdr *)(void *)(h->base + FL_HDR_OFF);
	fl_numa_bind(h->base, h->l.region_size, cfg->numa_node);
	memset(h->qs, 0, sizeof(struct fl_queue) * h->l.queues);
	for (unsigned i = 0; i < h->l.queues; i++) {
		struct fl_queue *q = &h->qs[i];
		struct fl_ctl_line *ctl = (struct fl_ctl_line *)(void *)
			(h->base + FL_CTL_OFF + i * FL_CACHE_LINE);

		fl_ring_init(&q->tx, h->base, &h->l, i, FL_DIR_H2G);
		fl_ring_init(&q->rx, h->base, &h->l, i, FL_DIR_G2H);
		q->rx.done = h->done + (size_t)i * h->l.entries;
		q->ack = &ctl->ack_epoch;
		q->state = FOLIO_Q_DETACHED;
	}
	host_reset(h);
	for (unsigned i = 0; i < h->l.queues; i++)
		h->qs[i].epoch = h->epoch;
	*out = h;
	return 0;
fail:
	fl_unmap(h->map);
	free(h->qs);
	free(h->done);
	if (h->fd >= 0)
		close(h->fd);
	free(h);
	return rc;
}

int folio_host_create_fd(const struct folio_config *cfg, int fd,
			 struct folio_host **out)
{
	if (!cfg || !out || fd < 0 || folio_config_validate(cfg, NULL, 0))
		return -EINVAL;
	return host_setup(cfg, fd, 0, out);
}

/* The file at path (opened as fd) is ours and writable by us alone. */
static int region_safe(const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid != geteuid()) {
		fl_log(FOLIO_LOG_ERR, "host: %s is owned by uid %u, not by this "
		       "process (uid %u); refusing to adopt it", path,
		       (unsigned)st.st_uid, (unsigned)geteuid());
		return FOLIO_EUNSAFE;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fl_log(FOLIO_LOG_ERR, "host: %s is writable by group or others "
		       "(mode %04o); refusing to adopt it (chmod go-w)", path,
		       (unsigned)(st.st_mode & 07777));
		return FOLIO_EUNSAFE;
	}
	return 0;
}

int folio_host_create(const struct folio_config *cfg, struct folio_host **out)
{
	char err[200];
	int fd, rc;

	if (!cfg || !out)
		return -EINVAL;
	if (folio_config_validate(cfg, err, sizeof(err))) {
		fl_log(FOLIO_LOG_ERR, "host: %s", err);
		return -EINVAL;
	}
	/* Reuse an existing file in place: a guest or QEMU that has it
	 * mapped must see this restart, not a new inode. Never through a
	 * symbolic link (a planted link would make us grow and overwrite its
	 * target), and only a file that is ours and that nobody else may
	 * write: another user's file, or a group/other-writable one, is
	 * refused rather than adopted. */
	fd = open(cfg->region, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP) {
			fl_log(FOLIO_LOG_ERR, "host: %s is a symbolic link; "
			       "refusing to follow it", cfg->region);
			return FOLIO_EUNSAFE;
		}
		fl_log(FOLIO_LOG_ERR, "host: %s: %s", cfg->region, strerror(-rc));
		return rc;
	}
	rc = region_safe(cfg->region, fd);
	if (rc) {
		close(fd);
		return rc;
	}
	return host_setup(cfg, fd, 1, out);
}

void folio_host_close(struct folio_host *h)
{
	if (!h)
		return;
	if (h->hdr) /* odd epoch: the guest detaches instead of failing */
		shm_store_release(&h->hdr->epoch, h->epoch + 1u);
	fl_unmap(h->map);
	if (h->fd >= 0)
		close(h->fd);
	free(h->qs);
	free(h->done);
	free(h);
}
