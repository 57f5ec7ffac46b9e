/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf-frame.c - folio-perf's frame format: the header every frame
 * carries, the IMIX cycle of lengths, and the receiver's check of each
 * frame (header, sequence, pattern bytes).
 */
#include "perf.h"

/* IMIX: 7 x 64, 4 x 594, 1 x 1518 bytes, spread over a cycle of 12. */
const uint32_t imix_cycle[12] = { 64, 594, 64, 1518, 64, 594,
					 64, 64, 594, 64, 594, 64 };

/* The frame header as the sender writes it. */
void frame_hdr(uint8_t *f, const struct opts *o, int from_host,
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

/* Check one received frame. Returns its type, or -1 if it is not valid. */
int check_frame(struct worker *w, const uint8_t *f, uint32_t len,
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
