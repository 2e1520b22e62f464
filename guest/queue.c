/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-queue state machine of the AP bus, as the kernel's ap_queue
 * runs it: reset (RAPQ, then TAPQ until done), interruption enable (AQIC
 * and the wait for the I bit), then reads and writes. Each step issues at
 * most a couple of instructions and says what to wait for next; gq_run()
 * repeats steps until one has to wait. Callers hold g->lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "apvirt/crypto.h"
#include "guest_internal.h"

enum { MAX_STEPS = 256, MAX_DRAIN = 16 };

struct gq *gq_new(struct apv_guest *g, apv_apqn_t apqn, uint64_t hwinfo)
{
	struct gq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->g = g;
	q->apqn = apqn;
	q->state = APV_GQ_UNINITIATED;
	gq_set_hwinfo(q, hwinfo);
	return q;
}

void gq_free(struct gq *q)
{
	free(q);
}

void gq_set_hwinfo(struct gq *q, uint64_t hwinfo)
{
	q->hwinfo = hwinfo;
	q->hi = apv_tapq_hwinfo_decode(hwinfo);
	/* cex4queue binds types 10-14; msgtype50 needs the accelerator mode. */
	q->driven = q->hi.accel && q->hi.at >= APV_AT_CEX4 && q->hi.at <= APV_AT_CEX8;
	/* zcrypt keeps at most qd requests in flight (lszcrypt shows qd + 1). */
	q->qd = q->hi.qd ? q->hi.qd : 1;
	q->max_mod = (q->hi.mex4k && q->hi.crt4k) ? 512 : 256;
	/*
	 * zcrypt sizes a queue's reply buffer to its card's message limit and
	 * DQAPs into all of it; the reply area may be smaller than a large
	 * limit, and no accelerator reply comes near either.
	 */
	q->max_msg = apv_ap_max_msg_size(q->hi.ml);
	q->rep_len = q->max_msg < q->g->rep_room ? q->max_msg : q->g->rep_room;
}

bool gq_online(const struct gq *q)
{
	return q->driven && q->state >= APV_GQ_RESET_START && q->state <= APV_GQ_QUEUE_FULL;
}

bool gq_settled(const struct gq *q)
{
	return !q->driven || q->state < APV_GQ_RESET_START || q->state > APV_GQ_SETIRQ_WAIT;
}

void gq_start(struct gq *q)
{
	if (!q->driven)
		return;
	q->state = APV_GQ_RESET_START;
	q->irq_on = false;
	q->last_wait = GQ_NONE;
}

void gq_offline(struct gq *q, enum apv_guest_qstate state, uint8_t rc)
{
	struct apv_guest *g = q->g;

	q->state = state;
	if (rc)
		q->last_rc = rc;
	q->irq_on = false;
	q->inflight = 0;
	/* zcrypt gets -EAGAIN for these and retries them on another queue. */
	while (q->pendingq.head)
		req_failover(g, q->pendingq.head, q);
	while (q->requestq.head)
		req_failover(g, q->requestq.head, q);
}

static void note_status(struct gq *q, const struct insn_out *o)
{
	if (o->s.rc == APV_RC_NORMAL || o->s.rc == APV_RC_Q_FULL)
		q->irq_on = o->s.i;
	else
		q->last_rc = o->s.rc;
}

/*
 * Replies the driver still expects: what it sent and has not read back,
 * counting cancelled requests (their replies must still be read), and
 * never fewer than the requests waiting for one.
 */
static unsigned expected(const struct gq *q)
{
	return q->inflight > q->pendingq.n ? q->inflight : q->pendingq.n;
}

static enum gq_wait wait_for_reply(const struct gq *q)
{
	return q->irq_on ? GQ_IRQ : GQ_HIGH;
}

/* Response codes that leave the normal path, for any instruction on the queue. */
static enum gq_wait hard_rc(struct gq *q, uint8_t rc)
{
	switch (rc) {
	case APV_RC_RESET_IN_PROGRESS:
		/* Someone reset the queue under us: wait for it, then start over. */
		q->state = APV_GQ_RESET_WAIT;
		q->t_state = g_now(q->g);
		q->irq_on = false;
		return GQ_HIGH;
	case APV_RC_BUSY:
		return GQ_HIGH;
	default:
		/* 01 / 03 / 04 and anything unexpected: offline until a rescan. */
		gq_offline(q, APV_GQ_ERROR, rc);
		return GQ_NONE;
	}
}

static enum gq_wait pgm_offline(struct gq *q)
{
	gq_offline(q, APV_GQ_ERROR, 0);
	return GQ_NONE;
}

/*
 * AQIC(enable) with the NIB and ISC 6. 0: the I bit will follow;
 * -EOPNOTSUPP / -EPERM: no interruptions for this queue until the next
 * reset; -EBUSY: try again later.
 */
static int aqic_enable(struct gq *q)
{
	struct apv_guest *g = q->g;
	struct apv_aqic_ctrl c = {.ir = true, .isc = APV_AP_ISC};
	struct insn_out o;

	o = gi_pqap(g, APV_FC_AQIC, q->apqn, false, apv_aqic_ctrl_encode(c), g->nib, NULL);
	q->st.aqic++;
	if (o.pgm) {
		q->irq_refused = true;
		return -EOPNOTSUPP;
	}
	if (o.s.async) {
		q->irq_refused = true;
		return -EPERM;
	}
	switch (o.s.rc) {
	case APV_RC_NORMAL:
	case APV_RC_OTHERWISE_CHANGED:
		return 0;
	case APV_RC_Q_NOT_AVAIL:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
	case APV_RC_INVALID_ADDRESS:
		q->last_rc = o.s.rc;
		q->irq_refused = true;
		return -EOPNOTSUPP;
	default:
		q->last_rc = o.s.rc;
		return -EBUSY;
	}
}

static bool want_irq(const struct gq *q)
{
	return q->g->irq && !q->irq_refused;
}

static void enter_operating(struct gq *q)
{
	q->state = expected(q) ? APV_GQ_WORKING : APV_GQ_IDLE;
	q->t_progress = g_now(q->g);
}

/* Enable interruptions if possible; true when the queue went to SETIRQ_WAIT. */
static bool try_setirq(struct gq *q)
{
	if (!want_irq(q) || aqic_enable(q))
		return false;
	q->state = APV_GQ_SETIRQ_WAIT;
	q->t_state = g_now(q->g);
	return true;
}

static enum gq_wait sm_reset_start(struct gq *q)
{
	struct insn_out o = gi_pqap(q->g, APV_FC_RAPQ, q->apqn, false, 0, 0, NULL);

	if (o.pgm)
		return pgm_offline(q);
	q->st.resets++;
	note_status(q, &o);
	switch (o.s.rc) {
	case APV_RC_NORMAL:
	case APV_RC_RESET_IN_PROGRESS:
		q->state = APV_GQ_RESET_WAIT;
		q->t_state = g_now(q->g);
		q->irq_on = false;
		/* A reset clears the interruption registration: AQIC may work again. */
		q->irq_refused = false;
		return GQ_HIGH;
	default:
		return hard_rc(q, o.s.rc);
	}
}

static enum gq_wait sm_reset_wait(struct gq *q)
{
	struct apv_guest *g = q->g;
	uint64_t hwinfo = 0;
	struct insn_out o = gi_tapq(g, q->apqn, &hwinfo);

	if (o.pgm)
		return pgm_offline(q);
	note_status(q, &o);
	switch (o.s.rc) {
	case APV_RC_NORMAL:
		if (g->fac_apft && hwinfo) {
			gq_set_hwinfo(q, hwinfo);
			if (!q->driven) {
				gq_offline(q, APV_GQ_UNINITIATED, 0);
				return GQ_NONE;
			}
		}
		if (!o.s.i && try_setirq(q))
			return GQ_AGAIN;
		enter_operating(q);
		return GQ_AGAIN;
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_BUSY:
		if (g_now(g) - q->t_state >= g->cfg.reset_timeout_ns) {
			gq_offline(q, APV_GQ_ERROR, o.s.rc);
			return GQ_NONE;
		}
		return GQ_HIGH;
	default:
		return hard_rc(q, o.s.rc);
	}
}

/* ---- reading ------------------------------------------------------------------------ */

enum rd { RD_REPLY, RD_EMPTY, RD_FAIL };

static struct apv_guest_req *find_pending(struct gq *q, uint64_t psmid)
{
	for (struct apv_guest_req *r = q->pendingq.head; r; r = r->priv.next) {
		if (r->psmid == psmid)
			return r;
	}
	return NULL;
}

/* A reply larger than the buffer stays on the queue: fetch the rest and drop it. */
static void drain_residual(struct gq *q)
{
	struct apv_guest *g = q->g;

	for (int i = 0; i < MAX_DRAIN; i++) {
		uint64_t psmid, residual;
		uint32_t len;
		struct insn_out o = gi_dqap(g, q->apqn, true, q->rep_len, &psmid, &len, &residual);

		if (o.pgm || o.s.rc != APV_RC_NORMAL || !residual)
			return;
	}
}

static enum rd gq_read(struct gq *q, struct insn_out *out, enum gq_wait *w)
{
	struct apv_guest *g = q->g;
	uint64_t psmid, residual;
	uint32_t len;
	struct apv_guest_req *r;
	uint8_t reply[APV_CEX_REPLY_MAX];

	*out = gi_dqap(g, q->apqn, false, q->rep_len, &psmid, &len, &residual);
	if (out->pgm) {
		*w = pgm_offline(q);
		return RD_FAIL;
	}
	note_status(q, out);
	if (out->s.rc == APV_RC_NO_PENDING_REPLY)
		return RD_EMPTY;
	if (out->s.rc != APV_RC_NORMAL) {
		*w = hard_rc(q, out->s.rc);
		return RD_FAIL;
	}
	q->t_progress = g_now(g);
	if (q->inflight)
		q->inflight--;
	r = find_pending(q, psmid);
	if (residual)
		drain_residual(q);
	if (!r) {
		/* Cancelled, or not ours: zcrypt logs it and drops it. */
		q->st.unassociated++;
		g->st.unassociated++;
		return RD_REPLY;
	}
	q->st.replies++;
	g->st.replies++;
	if (g->in_irq_pass)
		q->st.irq_replies++;
	if (residual || len > sizeof(reply))
		req_complete(g, r, -EMSGSIZE);
	else if (apv_storage_read(&g->p.storage, g->rep_addr, reply, len))
		req_complete(g, r, -EIO);
	else
		req_reply(q, r, reply, len);
	return RD_REPLY;
}

/* The card forgot what we sent (E = 1, no reply): send all of it again. */
static void resend_all(struct gq *q)
{
	q->inflight = 0;
	while (q->pendingq.tail) {
		struct apv_guest_req *r = q->pendingq.tail;

		req_list_del(&q->pendingq, r);
		r->priv.state = REQ_QUEUED;
		req_list_add_head(&q->requestq, r);
		q->st.resends++;
		q->g->st.resends++;
	}
}

/* ---- writing ------------------------------------------------------------------------ */

static enum gq_wait gq_write(struct gq *q)
{
	struct apv_guest *g = q->g;
	struct apv_guest_req *r = q->requestq.head;
	uint8_t msg[APV_T50_MAX_LEN];
	size_t n = req_build(r, msg, sizeof(msg));
	struct insn_out o;

	if (!n) {
		req_complete(g, r, -EINVAL);
		return GQ_AGAIN;
	}
	if (apv_storage_write(&g->p.storage, g->req_addr, msg, n)) {
		req_complete(g, r, -EIO);
		return GQ_AGAIN;
	}
	o = gi_nqap(g, q->apqn, r->psmid, g->req_addr, (uint32_t)n);
	if (o.pgm)
		return pgm_offline(q);
	note_status(q, &o);
	switch (o.s.rc) {
	case APV_RC_NORMAL:
		req_list_del(&q->requestq, r);
		r->priv.state = REQ_PENDING;
		req_list_add_tail(&q->pendingq, r);
		q->inflight++;
		r->sends++;
		q->st.requests++;
		if (expected(q) == 1)
			q->t_progress = g_now(g);
		q->state = APV_GQ_WORKING;
		return GQ_AGAIN;
	case APV_RC_Q_FULL:
		q->st.queue_full++;
		q->state = APV_GQ_QUEUE_FULL;
		return wait_for_reply(q);
	case APV_RC_MESSAGE_TOO_BIG:
	case APV_RC_REQ_FAC_NOT_INST:
	case APV_RC_INVALID_DOMAIN:
		req_complete(g, r, -EINVAL);
		return GQ_AGAIN;
	default:
		return hard_rc(q, o.s.rc);
	}
}

/* ---- states ------------------------------------------------------------------------- */

static enum gq_wait sm_setirq_wait(struct gq *q)
{
	struct apv_guest *g = q->g;
	struct insn_out o;
	bool got = false;
	enum gq_wait w;

	if (expected(q)) {
		enum rd rd = gq_read(q, &o, &w);

		if (rd == RD_FAIL)
			return w;
		got = rd == RD_REPLY;
	} else {
		o = gi_tapq(g, q->apqn, NULL);
		if (o.pgm)
			return pgm_offline(q);
		note_status(q, &o);
		if (o.s.rc != APV_RC_NORMAL)
			return hard_rc(q, o.s.rc);
	}
	if (q->state != APV_GQ_SETIRQ_WAIT)
		return GQ_AGAIN;
	if (o.s.i) {
		enter_operating(q);
		return GQ_AGAIN;
	}
	if (got)
		return GQ_AGAIN;
	if (g_now(g) - q->t_state >= g->cfg.reset_timeout_ns) {
		/* The I bit never came: poll this queue until its next reset. */
		q->irq_refused = true;
		enter_operating(q);
		return GQ_AGAIN;
	}
	return GQ_LOW;
}

static enum gq_wait sm_work(struct gq *q)
{
	struct apv_guest *g = q->g;
	struct insn_out o;
	enum gq_wait w;

	if (expected(q) && g_now(g) - q->t_progress >= g->cfg.request_timeout_ns) {
		/* No reply for too long: reset; E = 1 afterwards makes us re-send. */
		q->st.timeouts++;
		q->state = APV_GQ_RESET_START;
		return GQ_AGAIN;
	}
	if (expected(q) || q->state == APV_GQ_QUEUE_FULL) {
		enum rd rd = gq_read(q, &o, &w);

		if (rd == RD_FAIL)
			return w;
		if (rd == RD_REPLY) {
			if (q->state != APV_GQ_QUEUE_FULL && q->state != APV_GQ_WORKING &&
			    q->state != APV_GQ_IDLE)
				return GQ_AGAIN; /* the reply took the queue offline */
			q->state = expected(q) ? APV_GQ_WORKING : APV_GQ_IDLE;
		} else if (o.s.e && expected(q)) {
			resend_all(q);
		}
		/* Drained and still no I bit: ask for interruptions again. */
		if (!o.s.i && o.s.e && !expected(q) && try_setirq(q))
			return GQ_AGAIN;
		if (rd == RD_REPLY)
			return GQ_AGAIN;
		if (!expected(q))
			q->state = APV_GQ_IDLE;
		else if (q->state == APV_GQ_QUEUE_FULL)
			return wait_for_reply(q);
	}
	if (q->requestq.n && expected(q) < q->qd)
		return gq_write(q);
	if (expected(q))
		return wait_for_reply(q);
	q->state = APV_GQ_IDLE;
	return GQ_NONE;
}

static enum gq_wait gq_step(struct gq *q)
{
	switch (q->state) {
	case APV_GQ_RESET_START:
		return sm_reset_start(q);
	case APV_GQ_RESET_WAIT:
		return sm_reset_wait(q);
	case APV_GQ_SETIRQ_WAIT:
		return sm_setirq_wait(q);
	case APV_GQ_IDLE:
	case APV_GQ_WORKING:
	case APV_GQ_QUEUE_FULL:
		return sm_work(q);
	default:
		return GQ_NONE;
	}
}

enum gq_wait gq_run(struct gq *q)
{
	for (int i = 0; i < MAX_STEPS; i++) {
		enum gq_wait w = gq_step(q);

		if (w != GQ_AGAIN)
			return w;
	}
	/* A platform that keeps us busy forever gets polled instead of spun on. */
	return GQ_HIGH;
}
