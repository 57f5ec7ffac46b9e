/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio.h - the one public header of libfolio.
 *
 * Folio moves Ethernet frames between a confidential VM (the guest) and an
 * untrusted host backend through one shared memory region. Both sides are
 * given the same fixed configuration before they start; every offset, size
 * and mask is computed privately from it and never read from the region.
 * Neither side trusts a value the other wrote: a bad index, length or header
 * latches the queue FAILED, bumps a counter and returns FOLIO_EPEER.
 *
 * Threading: each queue of an endpoint is driven by one thread at a time.
 * Different queues may be driven by different threads without locking.
 *
 * Return values: 0 or a count on success, a negative code on error. The
 * codes are -errno values from <errno.h> or the FOLIO_E* codes below;
 * folio_strerror() describes both.
 *
 * The library never prints. It reports through return codes, counters and
 * the optional log callback set with folio_set_log().
 */
#ifndef FOLIO_H
#define FOLIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FOLIO_VERSION_STRING "0.1.0"

/** Version of the shared-region layout (docs/design.md). */
#define FOLIO_LAYOUT_VERSION 1u

/* ---- limits of the fixed configuration ---------------------------------- */
#define FOLIO_MAX_QUEUES 16u
#define FOLIO_MIN_ENTRIES 64u
#define FOLIO_MAX_ENTRIES 4096u
#define FOLIO_MIN_SLOT 256u
#define FOLIO_MAX_SLOT 65536u
#define FOLIO_MIN_MTU 68u
#define FOLIO_MAX_MTU 9000u
/** Ethernet header (14) plus one VLAN tag (4): added to the MTU. */
#define FOLIO_L2_OVERHEAD 18u
/** The shortest frame either side accepts: an Ethernet header. */
#define FOLIO_MIN_FRAME 14u
/** Largest burst one call handles; larger requests are clipped. */
#define FOLIO_MAX_BURST 256u

/* ---- error codes (negative; also plain -errno values are used) ---------- */
#define FOLIO_E_BASE 4096
/** The peer broke the protocol; the queue is now FAILED. */
#define FOLIO_EPEER (-(FOLIO_E_BASE + 1))
/** The queue latched FAILED earlier in this host epoch. */
#define FOLIO_EFAILED (-(FOLIO_E_BASE + 2))
/** The host is not ready (restarting, or not yet started). Try later. */
#define FOLIO_ENOTREADY (-(FOLIO_E_BASE + 3))
/** The region header has the wrong magic: not a Folio region. */
#define FOLIO_EMAGIC (-(FOLIO_E_BASE + 4))
/** The region was laid out by another layout version. */
#define FOLIO_EVERSION (-(FOLIO_E_BASE + 5))
/** The region was laid out from a different configuration. */
#define FOLIO_EDIGEST (-(FOLIO_E_BASE + 6))
/** The region (file, memfd or BAR) is smaller than the layout needs. */
#define FOLIO_ESMALL (-(FOLIO_E_BASE + 7))
/** Host side: the guest left this host epoch (it closed, or a new guest
 * instance replaced it). Re-create the region to serve it again. */
#define FOLIO_EGONE (-(FOLIO_E_BASE + 8))

/** The region file is unsafe to adopt: a symbolic link, owned by another
 * user, or writable by group or others. */
#define FOLIO_EUNSAFE (-(FOLIO_E_BASE + 9))
/** The region was truncated under this endpoint's mapping (SIGBUS caught):
 * the channel is lost. Close the endpoint and open (create) it again. */
#define FOLIO_ELOST (-(FOLIO_E_BASE + 10))
/** The region memfd is not sealed with F_SEAL_SHRINK: the peer could
 * shrink it under the mapping. */
#define FOLIO_EUNSEALED (-(FOLIO_E_BASE + 11))

/** A short, static description of any code this library returns. */
const char *folio_strerror(int code);

/* ---- configuration ------------------------------------------------------- */

/**
 * The fixed deployment configuration. Both sides must be given equal values
 * for every field that the digest covers (all but region and numa_node).
 */
struct folio_config {
	uint32_t queues;       /**< queue pairs, 1..16; default 1 */
	uint32_t ring_entries; /**< power of two, 64..4096; default 1024 */
	uint32_t slot_size;    /**< power of two, 256..65536, >= mtu+18; default 2048 */
	uint32_t mtu;          /**< 68..9000; default 1500 */
	uint8_t guest_mac[6];  /**< default 02:f0:00:00:00:01 */
	uint8_t host_mac[6];   /**< default 02:f0:00:00:00:02 */
	int32_t numa_node;     /**< -1: no binding (default); local, not digested */
	char region[256];      /**< region path; local, not digested */
};

/** Fill cfg with the defaults listed above. */
void folio_config_init(struct folio_config *cfg);

/**
 * Set one key ("queues", "ring_entries", "slot_size", "mtu", "guest_mac",
 * "host_mac", "numa_node", "region") from its text form. Parsing is strict:
 * no trailing characters, decimal integers only, MACs as six hex pairs
 * separated by ':'.
 * @return 0; -EINVAL with a message in err that names the key and the
 *         allowed range; -ENOENT for an unknown key (message in err).
 */
int folio_config_set(struct folio_config *cfg, const char *key,
		     const char *value, char *err, size_t errlen);

/**
 * Read a "key = value" file (one per line, '#' starts a comment). Each line
 * goes through folio_config_set(); a key given twice is an error. The
 * message in err names the file and line.
 * @return 0, -errno if the file cannot be read, or an error of
 *         folio_config_set().
 */
int folio_config_load(struct folio_config *cfg, const char *path, char *err,
		      size_t errlen);

/**
 * Check the relations between keys (slot_size >= mtu + 18, distinct
 * unicast MACs). Both endpoints call this; tools call it after parsing.
 * @return 0 or -EINVAL with a message in err.
 */
int folio_config_validate(const struct folio_config *cfg, char *err,
			  size_t errlen);

/** Largest frame (bytes) that the configuration allows: mtu + 18. */
uint32_t folio_config_max_frame(const struct folio_config *cfg);

/** Bytes the region must have for this configuration. */
uint64_t folio_region_size(const struct folio_config *cfg);

/** The 64-bit digest of the digested fields, as written in the header. */
uint64_t folio_config_digest(const struct folio_config *cfg);

/**
 * Write the configuration in the file format of folio_config_load().
 * @return bytes written (excluding the NUL), or -ENOSPC if buf is too small.
 */
int folio_config_format(const struct folio_config *cfg, char *buf,
			size_t len);

/* ---- region -------------------------------------------------------------- */

/**
 * Create an anonymous region (memfd) of the right size, sealed against
 * shrinking and growing, so that no peer can cause SIGBUS by truncating it.
 * Pass the fd to folio_host_create_fd() and folio_guest_open_fd().
 * @return fd >= 0 or -errno.
 */
int folio_region_memfd(const struct folio_config *cfg);

/* ---- counters ------------------------------------------------------------ */

/** Queue states, as reported by the stats calls. */
enum folio_qstate {
	FOLIO_Q_DETACHED = 0, /**< waiting for the peer (host epoch / guest ack) */
	FOLIO_Q_READY = 1,    /**< exchanging frames */
	FOLIO_Q_FAILED = 2,   /**< a peer violation was seen; latched */
};

/** Per-queue counters. Indices into folio_stats.v. */
enum folio_stat {
	FOLIO_STAT_TX_FRAMES,   /**< frames published to the peer */
	FOLIO_STAT_TX_BYTES,
	FOLIO_STAT_TX_FULL,     /**< frames refused: ring full */
	FOLIO_STAT_RX_FRAMES,   /**< frames taken from the peer */
	FOLIO_STAT_RX_BYTES,
	FOLIO_STAT_BAD_INDEX,   /**< peer index outside the window (INV_window) */
	FOLIO_STAT_BAD_LENGTH,  /**< peer length out of range (INV_len) */
	FOLIO_STAT_BAD_HEADER,  /**< header magic, version or digest changed */
	FOLIO_STAT_NOT_READY,   /**< calls made while the peer was not attached */
	FOLIO_STAT_ATTACH,      /**< (re)attachments to a host epoch */
	FOLIO_STAT_BAD_CALL,    /**< caller errors (bad length, bad release) */
	FOLIO_STAT_PEER_LEFT,   /**< host: the guest withdrew its ack (FOLIO_EGONE) */
	FOLIO_STAT_REGION_LOST, /**< the mapping was lost to a truncation (FOLIO_ELOST) */
	FOLIO_STAT__COUNT
};

struct folio_stats {
	uint32_t state; /**< enum folio_qstate */
	uint32_t epoch; /**< host epoch the queue is attached to (0: none) */
	uint64_t v[FOLIO_STAT__COUNT];
};

/** Stable name of a counter ("tx_frames", "bad_index", ...), or NULL. */
const char *folio_stat_name(unsigned stat);

/** Name of a queue state ("detached", "ready", "failed"), or "?". */
const char *folio_qstate_name(unsigned state);

/* ---- guest endpoint -------------------------------------------------------- */

struct folio_guest;

/**
 * Open the region at cfg->region (a /dev/shm or hugetlbfs file, or a PCI
 * BAR resource file such as /sys/bus/pci/devices/BDF/resource2). The size is
 * checked with fstat before mmap, then magic, version and digest are
 * compared with the local configuration. No geometry is read from the
 * region. Queues attach to the host's epoch as soon as it publishes one,
 * unless an earlier guest instance acked that epoch and did not close: then
 * the queue withdraws the ack and waits for the host to start a new epoch.
 * @return 0; -EINVAL (bad config), -errno from open/mmap, FOLIO_ESMALL,
 *         FOLIO_EMAGIC, FOLIO_EVERSION or FOLIO_EDIGEST.
 */
int folio_guest_open(const struct folio_config *cfg, struct folio_guest **out);

/** As folio_guest_open(), on an fd the caller owns (it is not closed). */
int folio_guest_open_fd(const struct folio_config *cfg, int fd,
			struct folio_guest **out);

/** Close the guest: each queue withdraws its ack, so the host sees the
 * guest leave (FOLIO_EGONE) instead of indices that restart from zero. */
void folio_guest_close(struct folio_guest *g);

/**
 * Copy up to n frames from private buffers into the guest-to-host ring of
 * queue q: the one copy of the transmit path. Each lens[i] must be in
 * [FOLIO_MIN_FRAME, folio_config_max_frame()].
 * @return frames accepted (0 if the ring is full), -EINVAL for a bad
 *         argument or length (nothing sent), FOLIO_ENOTREADY while the host
 *         is not attached, FOLIO_EPEER / FOLIO_EFAILED on a violation.
 */
int folio_guest_tx_burst(struct folio_guest *g, unsigned q,
			 const void *const *bufs, const uint32_t *lens,
			 unsigned n);

/**
 * Copy up to n frames from the host-to-guest ring of queue q into private
 * buffers: the one copy of the receive path. Each bufs[i] must hold
 * folio_config_max_frame() bytes. Every length is snapshotted and checked
 * before any byte is copied; on a violation nothing is delivered (and the
 * contents of lens[] are unspecified: only a count >= 0 makes them valid).
 * @return frames delivered, or the errors of folio_guest_tx_burst().
 */
int folio_guest_rx_burst(struct folio_guest *g, unsigned q, void *const *bufs,
			 uint32_t *lens, unsigned n);

/** Counters and state of queue q. @return 0 or -EINVAL. */
int folio_guest_stats(const struct folio_guest *g, unsigned q,
		      struct folio_stats *st);

/* ---- host endpoint --------------------------------------------------------- */

struct folio_host;

/**
 * Create (or take over) the region at cfg->region: size it, zero it, write
 * magic, version and digest, then publish a new epoch. A file that already
 * exists is reused in place, so that a guest (or QEMU) that has it mapped
 * sees the restart; its epoch is advanced.
 * @return 0, -EINVAL, or -errno from open/ftruncate/mmap.
 */
int folio_host_create(const struct folio_config *cfg, struct folio_host **out);

/** As folio_host_create(), on an fd the caller owns (it is not closed). */
int folio_host_create_fd(const struct folio_config *cfg, int fd,
			 struct folio_host **out);

void folio_host_close(struct folio_host *h);

/** The epoch this host published (never 0). */
uint32_t folio_host_epoch(const struct folio_host *h);

/** As folio_guest_tx_burst(), on the host-to-guest ring. */
int folio_host_tx_burst(struct folio_host *h, unsigned q,
			const void *const *bufs, const uint32_t *lens,
			unsigned n);

/** As folio_guest_rx_burst(), on the guest-to-host ring. The host calls
 * also return FOLIO_EGONE once the guest has left the epoch. */
int folio_host_rx_burst(struct folio_host *h, unsigned q, void *const *bufs,
			uint32_t *lens, unsigned n);

/** A guest frame lent in place by folio_host_rx_peek(). */
struct folio_frame {
	const void *data; /**< inside the shared slot; the guest may still write it */
	uint32_t len;     /**< snapshotted and checked length */
	uint32_t id;      /**< pass to folio_host_rx_done() */
};

/**
 * Zero-copy receive: lend up to n guest frames in place, with checked
 * length snapshots. The bytes stay in shared memory, so the guest can still
 * change them; only the length is trusted. Each lent frame must be given back
 * with folio_host_rx_done(), in any order; a slot returns to the guest once
 * every older one has been given back. At most ring_entries frames are lent
 * at a time.
 * @return frames lent, or the errors of folio_host_rx_burst().
 */
int folio_host_rx_peek(struct folio_host *h, unsigned q,
		       struct folio_frame *frames, unsigned n);

/**
 * Give back a frame lent by folio_host_rx_peek().
 * @return 0, or -EINVAL if id is not lent (counted as bad_call).
 */
int folio_host_rx_done(struct folio_host *h, unsigned q, uint32_t id);

/**
 * Give back n lent frames at once, in any order; the guest is told once,
 * at the end. Ids that are not lent are skipped and counted as bad_call.
 * @return 0, or -EINVAL if any id was not lent (the others are given back).
 */
int folio_host_rx_done_burst(struct folio_host *h, unsigned q,
			     const uint32_t *ids, unsigned n);

int folio_host_stats(const struct folio_host *h, unsigned q,
		     struct folio_stats *st);

/* ---- idle back-off (local only: never a message to the peer) --------------- */

struct folio_backoff {
	uint32_t idle;      /**< consecutive idle polls */
	uint32_t spin;      /**< polls that only pause; default 1024 */
	uint32_t max_sleep_us; /**< longest sleep; default 50 */
};

void folio_backoff_init(struct folio_backoff *b);

/**
 * Call once per poll. With work > 0 it resets; otherwise it pauses the CPU,
 * and after b->spin idle polls it sleeps, doubling from 1 us up to
 * b->max_sleep_us.
 */
void folio_backoff(struct folio_backoff *b, int work);

/* ---- logging ------------------------------------------------------------------ */

enum folio_log_level { FOLIO_LOG_ERR = 3, FOLIO_LOG_WARN = 4, FOLIO_LOG_INFO = 6 };

typedef void (*folio_log_fn)(void *ctx, int level, const char *msg);

/**
 * Install (or, with NULL, remove) the log callback. Process-wide. Messages
 * are rate-limited to 10 per second: the next message after a pause is
 * preceded by one "libfolio: N messages suppressed" line (level WARN).
 */
void folio_set_log(folio_log_fn fn, void *ctx);

/** Messages the rate limit has held back since the process started. */
uint64_t folio_log_suppressed(void);

/**
 * Copy up to len bytes of a lent frame (folio_host_rx_peek()) into private
 * memory, as the library copies: the compiler may not read the shared slot
 * again in place of dst afterwards, so what the caller checks in dst is what
 * it uses. Copies min(len, f->len) bytes.
 * @return bytes copied.
 */
uint32_t folio_frame_copy(void *dst, const struct folio_frame *f, uint32_t len);

#ifdef __cplusplus
}
#endif
#endif /* FOLIO_H */
