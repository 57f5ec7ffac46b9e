/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * folio.pml - a SPIN model of one Folio queue (docs/design.md, sections 4-8):
 * its two rings, the header epoch, the guest's ack, attach, leave, restart,
 * and the checks of every call. Each shared load or store is one step, so
 * SPIN explores every interleaving of the two sides' accesses (sequential
 * consistency: the release/acquire pairs and fences of section 7 are what
 * make the real code behave as this program order does).
 *
 * A frame is two halves written one after the other, so that a copy can see
 * one half old and one half new (a torn frame). Its value names the epoch it
 * was sent in and its sequence number in that epoch: (epoch / 2) * 4 + seq.
 *
 * Variants (spin -D...):
 *   (none)     the current rules, honest host and guest, with up to RESTARTS
 *              host restarts and one guest restart (close and re-open)
 *   OLD        the old restart rule: no re-check of the epoch after a burst's
 *              copies. SPIN must find a torn or zeroed frame delivered.
 *   HOSTILE    the host replaced by one that writes any value of a small
 *              domain to any field it owns, at any step (bounded count)
 *
 * Properties (assertions):
 *   P_whole    a delivered frame is whole (both halves equal, not zeroed)
 *   P_epoch    it was sent in the epoch the receiver is attached to
 *   P_once     no frame is delivered twice, none out of order
 *   P_latch    a FAILED guest queue leaves FAILED only by attaching to a
 *              different even epoch
 *   P_window   a consumer never holds more than ENTRIES unreleased frames
 * Every call of the model is straight-line code (no loop), as every
 * library call is bounded (INV_bounded); SPIN also reports invalid end
 * states (a side stuck on a blocked statement) as errors.
 */

#ifndef ENTRIES
#define ENTRIES 4
#endif
#ifndef RESTARTS
#define RESTARTS 2
#endif
#ifndef SEQS
#define SEQS 2 /* frames per direction and epoch */
#endif
#ifndef HOSTILE_WRITES
#define HOSTILE_WRITES 3
#endif

#define W(x) ((x) & 255)
#define SLOT(i) ((i) % ENTRIES)
#define TAG(v) ((v) / 4)
#define SEQ(v) ((v) % 4)

#define DET 0
#define READY 1
#define FAILED 2

/* ---- shared region ---- */
byte epoch;             /* header epoch (host) */
bit hdr_ok;             /* magic, version, digest all right (host) */
byte ack;               /* ack_epoch (guest) */
/* host->guest ring: prod, desc, slots by the host; cons by the guest */
byte h_prod, h_cons;
byte h_len[ENTRIES], h_a[ENTRIES], h_b[ENTRIES];
/* guest->host ring: prod, desc, slots by the guest; cons by the host */
byte g_prod, g_cons;
byte g_len[ENTRIES], g_a[ENTRIES], g_b[ENTRIES];

/* ---- guest private state ---- */
byte q_epoch, q_state;
byte rx_head, rx_peer, tx_head, tx_peer, tx_seq, rx_last;
bit attached_once;

/* ---- host private state ---- */
byte h_epoch;
bit h_ready, h_gone;
byte hx_head, hx_peer, hx_seq, hr_head, hr_peer, hr_last;

/* A violation the guest saw: a restart if the epoch moved, else latched. */
inline guest_violation() {
	if
	:: epoch != q_epoch -> q_state = DET
	:: else -> q_state = FAILED
	fi
}

/* Entry of every guest call: load the epoch, attach if it changed. */
inline guest_enter(ok) {
	e = epoch;
	ok = 0;
	if
	:: e == q_epoch && q_state == READY -> ok = 1
	:: else ->
		prev = q_state;
		if
		:: e == 0 || (e & 1) -> if :: q_state == READY -> q_state = DET :: else fi
		:: else ->
			if
			:: e == q_epoch && q_state != READY -> skip /* wait for a new one */
			:: else ->
				if
				:: !hdr_ok -> q_epoch = e; q_state = FAILED
				:: else ->
					a = ack;
					if
					:: !attached_once && (a == e || a == W(e + 1)) ->
						/* an earlier instance used this epoch */
						ack = W(e + 1); q_epoch = e; q_state = DET
					:: else ->
						/* P_latch: FAILED ends only on a new epoch */
						assert(!(prev == FAILED && e == q_epoch));
						rx_head = 0; rx_peer = 0; rx_last = 0;
						h_cons = 0;
						tx_head = 0; tx_peer = 0; tx_seq = 0;
						g_prod = 0;
						ack = e;
						q_epoch = e; q_state = READY; attached_once = 1;
						ok = 1
					fi
				fi
			fi
		fi
	fi
}

/* Guest receive, a burst of one frame (ring.c fl_ring_consume). */
inline guest_rx() {
	guest_enter(ok);
	if
	:: ok ->
		if
		:: rx_peer == rx_head ->
			p = h_prod;
			if
			:: W(p - rx_peer) > W(rx_head + ENTRIES - rx_peer) ->
				guest_violation(); ok = 0
			:: else -> rx_peer = p
			fi
		:: else
		fi;
		if
		:: ok && rx_peer != rx_head ->
			assert(W(rx_peer - rx_head) <= ENTRIES); /* P_window */
			l = h_len[SLOT(rx_head)];
			if
			:: l != 1 -> guest_violation()
			:: else ->
				ca = h_a[SLOT(rx_head)];
				cb = h_b[SLOT(rx_head)];
#ifndef OLD
				/* the re-check of section 6 */
				if
				:: epoch != q_epoch -> q_state = DET
				:: else ->
#else
				if
				:: true ->
#endif
#ifndef HOSTILE
					assert(ca == cb && ca != 0);         /* P_whole */
					assert(TAG(ca) == q_epoch / 2);       /* P_epoch */
					assert(SEQ(ca) > rx_last);            /* P_once */
					rx_last = SEQ(ca);
#endif
					rx_head = W(rx_head + 1);
					h_cons = rx_head
				fi
			fi
		:: else
		fi
	:: else
	fi
}

/* Guest transmit of one frame (ring.c fl_ring_produce). */
inline guest_tx() {
	guest_enter(ok);
	if
	:: ok && tx_seq < SEQS ->
		if
		:: W(tx_head - tx_peer) == ENTRIES ->
			c = g_cons;
			if
			:: W(c - tx_peer) > W(tx_head - tx_peer) -> guest_violation(); ok = 0
			:: else -> tx_peer = c
			fi
		:: else
		fi;
		if
		:: ok && W(tx_head - tx_peer) < ENTRIES ->
			v = (q_epoch / 2) * 4 + tx_seq + 1;
			g_a[SLOT(tx_head)] = v;
			g_b[SLOT(tx_head)] = v;
			g_len[SLOT(tx_head)] = 1;
#ifndef OLD
			if
			:: epoch != q_epoch -> q_state = DET /* not published */
			:: else ->
#else
			if
			:: true ->
#endif
				tx_head = W(tx_head + 1);
				tx_seq++;
				g_prod = tx_head
			fi
		:: else
		fi
	:: else
	fi
}

/* A guest that closes (ack = epoch + 1) and a new instance that opens. */
inline guest_restart() {
	if
	:: q_state == READY -> ack = W(q_epoch + 1)
	:: else
	fi;
	q_epoch = 0; q_state = DET; attached_once = 0;
	rx_head = 0; rx_peer = 0; tx_head = 0; tx_peer = 0; tx_seq = 0; rx_last = 0
}

proctype Guest() {
	byte restarts = 0, e, prev, a, p, l, ca, cb, c, v;
	bit ok;
	do
	:: guest_rx()
	:: guest_tx()
	:: restarts < 1 -> restarts++; guest_restart()
	od
}

#ifndef HOSTILE
/* Host entry: attached once the guest acked this epoch; gone if it left. */
inline host_enter(ok) {
	ok = 0;
	a = ack;
	if
	:: h_gone -> skip
	:: h_ready && a != h_epoch -> h_gone = 1; h_ready = 0
	:: h_ready && a == h_epoch -> ok = 1
	:: !h_ready && a == h_epoch -> h_ready = 1; ok = 1
	:: else -> skip
	fi
}

inline host_tx() {
	host_enter(ok);
	if
	:: ok && hx_seq < SEQS ->
		if
		:: W(hx_head - hx_peer) == ENTRIES ->
			c = h_cons;
			assert(W(c - hx_peer) <= W(hx_head - hx_peer)); /* honest guest */
			hx_peer = c
		:: else
		fi;
		if
		:: W(hx_head - hx_peer) < ENTRIES ->
			v = (h_epoch / 2) * 4 + hx_seq + 1;
			h_a[SLOT(hx_head)] = v;
			h_b[SLOT(hx_head)] = v;
			h_len[SLOT(hx_head)] = 1;
			hx_head = W(hx_head + 1);
			hx_seq++;
			h_prod = hx_head
		:: else
		fi
	:: else
	fi
}

inline host_rx() {
	host_enter(ok);
	if
	:: ok ->
		if
		:: hr_peer == hr_head ->
			p = g_prod;
			/* an honest guest never moves its index out of the window */
			assert(W(p - hr_peer) <= W(hr_head + ENTRIES - hr_peer));
			hr_peer = p
		:: else
		fi;
		if
		:: hr_peer != hr_head ->
			l = g_len[SLOT(hr_head)];
			assert(l == 1);
			ca = g_a[SLOT(hr_head)];
			cb = g_b[SLOT(hr_head)];
			assert(ca == cb && ca != 0);       /* P_whole, host side */
			assert(TAG(ca) == h_epoch / 2);     /* P_epoch, host side */
			assert(SEQ(ca) > hr_last);          /* P_once, host side */
			hr_last = SEQ(ca);
			hr_head = W(hr_head + 1);
			g_cons = hr_head
		:: else
		fi
	:: else
	fi
}

/* Restart in place (host.c host_reset): odd, zero everything, even. The
 * new epoch skips the guest's ack (pick_epoch). */
inline host_restart() {
	a = ack;
	h_epoch = W((h_epoch | 1) + 1);
	if :: h_epoch == a -> h_epoch = W(h_epoch + 2) :: else fi;
	epoch = W(h_epoch - 1);
	ack = 0;
	h_prod = 0; h_cons = 0; g_prod = 0; g_cons = 0;
	i = 0;
	do
	:: i < ENTRIES ->
		h_len[i] = 0; h_a[i] = 0; h_b[i] = 0;
		g_len[i] = 0; g_a[i] = 0; g_b[i] = 0;
		i++
	:: else -> break
	od;
	hdr_ok = 1;
	h_ready = 0; h_gone = 0;
	hx_head = 0; hx_peer = 0; hx_seq = 0; hr_head = 0; hr_peer = 0; hr_last = 0;
	epoch = h_epoch
}

proctype Host() {
	byte restarts = 0, a, p, l, ca, cb, c, v, i;
	bit ok;
	do
	:: host_tx()
	:: host_rx()
	:: restarts < RESTARTS -> restarts++; host_restart()
	od
}
#else
/* A hostile host: any value of a small domain into any field it owns. */
proctype Host() {
	byte n = 0, v;
	do
	:: n < HOSTILE_WRITES ->
		n++;
		if :: v = 0 :: v = 1 :: v = 2 :: v = 255 fi;
		if
		:: epoch = v
		:: hdr_ok = (v & 1)
		:: h_prod = v
		:: g_cons = v
		:: h_len[SLOT(v)] = (v & 3)
		:: h_a[SLOT(v)] = v
		:: h_b[SLOT(v)] = v
		fi
	:: else -> break
	od
}
#endif

init {
	/* The host's first start: epoch 2, over a zeroed region. */
	hdr_ok = 1;
	h_epoch = 2;
	epoch = 2;
	atomic {
		run Host();
		run Guest()
	}
}
