/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NQAP (enqueue a request) and DQAP (dequeue a reply).
 *
 * Program exceptions first: AP instructions not installed (operation); an
 * odd R1 or R2, a zero length in R2 + 1, a must-be-zero GR0 bit, or an
 * APQN beyond 63/15 without APXA (specification). Then the queue's
 * response codes (hw_queue_gate), then the instruction's own:
 *   NQAP: RC15 message longer than the adapter's ML limit, RC10 queue full
 *         (qd + 1 requests and replies held), RC06 message not readable.
 *   DQAP: RC10 no reply ready (E tells whether anything is still in
 *         flight), RC06 buffer not writable; CC1 with the residual length in
 *         GR2 when the buffer was too small.
 * Both complete in one go: no CC2 segment-boundary stops.
 */
#include <string.h>

#include "hw_internal.h"

static bool pair_ok(unsigned r)
{
	return r < 15 && !(r & 1);
}

static unsigned common_check(struct apv_hw *hw, const struct apv_regs *r, unsigned r1, unsigned r2,
			     uint64_t mbz)
{
	uint64_t gr0 = r->gr[0];

	if (!apv_hw_installed(hw))
		return APV_PGM_OPERATION;
	if (!pair_ok(r1) || !pair_ok(r2))
		return APV_PGM_SPECIFICATION;
	if (gr0 & mbz)
		return APV_PGM_SPECIFICATION;
	if (!hw->cfg.apxa && apv_apqn_needs_apxa(apv_gr0_apqn(gr0)))
		return APV_PGM_SPECIFICATION;
	if (r->gr[r2 + 1] == 0)
		return APV_PGM_SPECIFICATION;
	return 0;
}

static struct apv_result finish(struct apv_regs *r, uint32_t apqsw, unsigned cc_ok)
{
	r->gr[1] = apv_gr1_from_apqsw(apqsw);
	return apv_done(apv_apqsw_get_rc(apqsw) ? 3 : cc_ok);
}

static struct hw_slot *free_slot(struct hw_queue *q)
{
	for (unsigned i = 0; i < q->cap; i++)
		if (q->slots[i].state == SLOT_FREE)
			return &q->slots[i];
	return NULL;
}

/*
 * NQAP: copy the message into a free slot and schedule its reply. The
 * L bit (GR0 bit 33) is not required: every NQAP carries a whole message,
 * as zcrypt always sends one. The S bit (41) is accepted and has no effect
 * on an accelerator.
 */
struct apv_result apv_hw_nqap(struct apv_hw *hw, struct apv_regs *r, unsigned r1, unsigned r2,
			      const struct apv_storage *st)
{
	struct hw_queue *q;
	struct hw_slot *s;
	uint64_t addr, len;
	uint32_t apqsw;
	unsigned pgm;
	uint8_t rc;

	/* No machine or no registers: as if the instruction were not installed. */
	if (!hw || !r)
		return apv_pgm(APV_PGM_OPERATION);
	pgm = common_check(hw, r, r1, r2, APV_GR0_NQAP_MBZ);
	if (pgm)
		return apv_pgm(pgm);
	addr = r->gr[r2];
	len = r->gr[r2 + 1];
	q = hw_queue_find(hw, apv_gr0_apqn(r->gr[0]));
	if (!q)
		return finish(r, apv_apqsw_rc(APV_RC_Q_NOT_AVAIL), 0);

	apv_mutex_lock(&q->lock);
	rc = hw_queue_gate(q, false);
	if (rc == APV_RC_NORMAL && len > q->slot_size)
		rc = APV_RC_MESSAGE_TOO_BIG;
	s = rc == APV_RC_NORMAL ? free_slot(q) : NULL;
	if (rc == APV_RC_NORMAL && !s)
		rc = APV_RC_Q_FULL;
	if (s && (!st || !st->read || apv_storage_read(st, addr, s->msg, (size_t)len)))
		rc = APV_RC_INVALID_ADDRESS;
	if (rc == APV_RC_NORMAL) {
		s->state = SLOT_PENDING;
		s->ticket = ++q->next_ticket;
		s->psmid = apv_psmid_from_pair(r, r1);
		s->msg_len = (size_t)len;
		q->pending++;
		q->st_requests++;
		hw_engine_submit(q, s);
		r->gr[r2] = addr + len;
		r->gr[r2 + 1] = 0;
	}
	apqsw = hw_queue_status(q, rc);
	apv_mutex_unlock(&q->lock);
	return finish(r, apqsw, 0);
}

/* The reply DQAP hands out next: one partly stored, else the oldest ready. */
static struct hw_slot *next_reply(struct hw_queue *q)
{
	struct hw_slot *best = NULL;

	if (q->partial)
		return q->partial;
	for (unsigned i = 0; i < q->cap; i++) {
		struct hw_slot *s = &q->slots[i];

		if (s->state == SLOT_READY && (!best || s->ready_seq < best->ready_seq))
			best = s;
	}
	return best;
}

/*
 * DQAP: store the oldest ready reply at R2, advance R2 and shrink R2 + 1 by
 * what was stored, psmid to the R1 pair. If the buffer is too small it is
 * filled, GR2 gets the residual length, the reply stays queued and CC is 1;
 * the next DQAP with the returned GR0 (bit 32 cleared) continues it. A DQAP
 * with bit 32 set restarts a partly stored reply from its first byte.
 */
struct apv_result apv_hw_dqap(struct apv_hw *hw, struct apv_regs *r, unsigned r1, unsigned r2,
			      const struct apv_storage *st)
{
	struct hw_queue *q;
	struct hw_slot *s = NULL;
	uint64_t addr, len, gr0;
	size_t avail = 0, n = 0;
	uint32_t apqsw;
	unsigned pgm, cc = 0;
	uint8_t rc;

	if (!hw || !r)
		return apv_pgm(APV_PGM_OPERATION);
	gr0 = r->gr[0];

	pgm = common_check(hw, r, r1, r2, APV_GR0_DQAP_MBZ);
	if (pgm)
		return apv_pgm(pgm);
	addr = r->gr[r2];
	len = r->gr[r2 + 1];
	r->gr[2] = 0;
	q = hw_queue_find(hw, apv_gr0_apqn(gr0));
	if (!q)
		return finish(r, apv_apqsw_rc(APV_RC_Q_NOT_AVAIL), 0);

	apv_mutex_lock(&q->lock);
	rc = hw_queue_gate(q, false);
	if (rc == APV_RC_NORMAL) {
		s = next_reply(q);
		if (!s)
			rc = APV_RC_NO_PENDING_REPLY;
	}
	if (s) {
		if ((gr0 & APV_GR0_DQAP_FIRST) && s->reply_off)
			s->reply_off = 0;
		avail = s->reply_len - s->reply_off;
		n = len < avail ? (size_t)len : avail;
		if (!st || !st->write || apv_storage_write(st, addr, s->reply + s->reply_off, n))
			rc = APV_RC_INVALID_ADDRESS;
	}
	if (rc == APV_RC_NORMAL) {
		apv_psmid_to_pair(r, r1, s->psmid);
		r->gr[r2] = addr + n;
		r->gr[r2 + 1] = len - n;
		if (n < avail) {
			s->reply_off += n;
			q->partial = s;
			r->gr[2] = avail - n;
			r->gr[0] = gr0 & ~APV_GR0_DQAP_FIRST;
			cc = 1;
		} else {
			hw_slot_free(q, s);
			q->ready--;
			q->st_replies_done++;
		}
	}
	apqsw = hw_queue_status(q, rc);
	apv_mutex_unlock(&q->lock);
	return finish(r, apqsw, cc);
}
