/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests: what zcrypt's ioctl path and msgtype50 do. Validation, queue
 * choice (least loaded online queue whose size limits fit), the type 50
 * message, the reply check, and the error classes: operand errors end the
 * request, transient ones retry on another queue, a reply the driver
 * cannot trust takes the queue offline.
 */
#include <errno.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "guest_internal.h"

enum { MAX_L = 512 };

/* ---- intrusive lists -------------------------------------------------------------- */

void req_list_add_tail(struct req_list *l, struct apv_guest_req *r)
{
	r->priv.next = NULL;
	r->priv.prev = l->tail;
	if (l->tail)
		l->tail->priv.next = r;
	else
		l->head = r;
	l->tail = r;
	l->n++;
}

void req_list_add_head(struct req_list *l, struct apv_guest_req *r)
{
	r->priv.prev = NULL;
	r->priv.next = l->head;
	if (l->head)
		l->head->priv.prev = r;
	else
		l->tail = r;
	l->head = r;
	l->n++;
}

void req_list_del(struct req_list *l, struct apv_guest_req *r)
{
	if (r->priv.prev)
		r->priv.prev->priv.next = r->priv.next;
	else
		l->head = r->priv.next;
	if (r->priv.next)
		r->priv.next->priv.prev = r->priv.prev;
	else
		l->tail = r->priv.prev;
	r->priv.next = r->priv.prev = NULL;
	l->n--;
}

/* ---- completion and fail-over ----------------------------------------------------- */

static void req_unlink(struct apv_guest_req *r)
{
	struct gq *q = r->priv.queue;

	if (!q)
		return;
	if (r->priv.state == REQ_QUEUED)
		req_list_del(&q->requestq, r);
	else if (r->priv.state == REQ_PENDING)
		req_list_del(&q->pendingq, r);
	r->priv.queue = NULL;
}

void req_complete(struct apv_guest *g, struct apv_guest_req *r, int result)
{
	req_unlink(r);
	r->priv.state = REQ_DONE;
	r->result = result;
	g->active--;
	g->completed++;
	if (result)
		g->st.failed++;
	gd_completed(g);
}

uint32_t req_len(const struct apv_guest_req *r)
{
	return r->priv.op == APV_GUEST_ME ? r->priv.u.me.inputdatalength
					  : r->priv.u.crt.inputdatalength;
}

/* Least loaded fitting online queue; `avoid` only if nothing else fits. */
static struct gq *pick(struct apv_guest *g, uint32_t L, int target, struct gq *avoid)
{
	struct gq *best = NULL;
	bool avoid_fits = false;

	for (unsigned i = 0; i < g->nq; i++) {
		struct gq *q = g->q[i];

		if (!gq_online(q) || L > q->max_mod)
			continue;
		if (target >= 0 && q->apqn != (apv_apqn_t)target)
			continue;
		if (q == avoid) {
			avoid_fits = true;
			continue;
		}
		if (!best)
			best = q;
		else {
			unsigned lq = q->requestq.n + q->pendingq.n;
			unsigned lb = best->requestq.n + best->pendingq.n;

			if (lq < lb || (lq == lb && q->st.requests < best->st.requests))
				best = q;
		}
	}
	return best ? best : (avoid_fits ? avoid : NULL);
}

static void req_enqueue(struct gq *q, struct apv_guest_req *r)
{
	r->priv.queue = q;
	r->priv.state = REQ_QUEUED;
	r->apqn = q->apqn;
	req_list_add_tail(&q->requestq, r);
}

void req_failover(struct apv_guest *g, struct apv_guest_req *r, struct gq *exclude)
{
	struct gq *q;

	req_unlink(r);
	if (++r->priv.retries > g->cfg.max_retries) {
		req_complete(g, r, -EIO);
		return;
	}
	q = pick(g, req_len(r), r->priv.target, exclude);
	if (!q) {
		req_complete(g, r, -ENODEV);
		return;
	}
	req_enqueue(q, r);
	/* The new queue may already have had its turn in this pass. */
	g->kick = true;
}

/* ---- messages ------------------------------------------------------------------------ */

size_t req_build(const struct apv_guest_req *r, uint8_t *out, size_t cap)
{
	if (r->priv.op == APV_GUEST_ME) {
		const struct apv_ica_rsa_modexpo *m = &r->priv.u.me;

		return apv_t50_build_me(out, cap, m->b_key, m->n_modulus, m->inputdata,
					m->inputdatalength);
	}
	const struct apv_ica_rsa_modexpo_crt *c = &r->priv.u.crt;

	/* libica pads p, dp and u with 8 leading bytes; zcrypt skips them. */
	return apv_t50_build_crt(out, cap, c->np_prime + 8, c->nq_prime, c->bp_key + 8, c->bq_key,
				 c->u_mult_inv + 8, c->inputdata, c->inputdatalength);
}

/* Reply codes zcrypt turns into -EINVAL (the request is wrong); the rest retry. */
static bool reply_code_is_final(int code)
{
	static const uint8_t final[] = {0x22, 0x23, 0x24, 0x29, 0x34, 0x40, 0x41,
					0x80, 0x82, 0x84, 0x85, 0x8A, 0x8B, 0xA0};

	for (size_t i = 0; i < sizeof(final); i++) {
		if (final[i] == code)
			return true;
	}
	return false;
}

void req_reply(struct gq *q, struct apv_guest_req *r, const uint8_t *reply, uint32_t len)
{
	struct apv_guest *g = q->g;
	uint8_t result[MAX_L];
	uint32_t L = req_len(r);
	int rc = apv_t80_parse(reply, len, result, L);

	if (rc == 0) {
		if (r->priv.op == APV_GUEST_ME) {
			memcpy(r->priv.u.me.outputdata, result, L);
			r->priv.u.me.outputdatalength = L;
		} else {
			memcpy(r->priv.u.crt.outputdata, result, L);
			r->priv.u.crt.outputdatalength = L;
		}
		req_complete(g, r, 0);
	} else if (rc > 0) {
		q->st.error_replies++;
		if (reply_code_is_final(rc))
			req_complete(g, r, -EINVAL);
		else
			req_failover(g, r, q);
	} else if (rc == -EMSGSIZE) {
		req_complete(g, r, -EMSGSIZE);
	} else {
		/* A reply of unknown type: the card is not to be trusted any more;
		 * r, still pending on q, fails over with the rest. */
		gq_offline(q, APV_GQ_ERROR, q->last_rc);
	}
}

/* ---- submission ---------------------------------------------------------------------- */

static int submit(struct apv_guest *g, struct apv_guest_req *r, int target)
{
	struct gq *q;
	int rc = 0;

	if (target < APV_GUEST_ANY_QUEUE || target > 0xFFFF)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (!g->probed || g->removed) {
		rc = -ENODEV;
		goto out;
	}
	q = pick(g, req_len(r), target, NULL);
	if (!q) {
		rc = -ENODEV;
		goto out;
	}
	r->result = 0;
	r->sends = 0;
	r->psmid = ((uint64_t)g->cfg.id << 32) + g->psmid_counter++;
	r->priv.target = target;
	r->priv.retries = 0;
	req_enqueue(q, r);
	g->active++;
	g->st.requests++;
	/* Like zcrypt, send right away when the queue has room. */
	q->last_wait = gq_run(q);
out:
	apv_mutex_unlock(&g->lock);
	return rc;
}

static bool bad_len(uint32_t L, uint32_t outlen)
{
	return L == 0 || L > MAX_L || outlen < L;
}

int apv_guest_submit_me(struct apv_guest *g, struct apv_guest_req *r,
			const struct apv_ica_rsa_modexpo *mex, int target)
{
	if (!g || !r || !mex)
		return -EINVAL;
	if (bad_len(mex->inputdatalength, mex->outputdatalength))
		return -EINVAL;
	if (!mex->inputdata || !mex->outputdata || !mex->b_key || !mex->n_modulus)
		return -EFAULT;
	memset(&r->priv, 0, sizeof(r->priv));
	r->priv.op = APV_GUEST_ME;
	r->priv.u.me = *mex;
	return submit(g, r, target);
}

int apv_guest_submit_crt(struct apv_guest *g, struct apv_guest_req *r,
			 const struct apv_ica_rsa_modexpo_crt *crt, int target)
{
	if (!g || !r || !crt)
		return -EINVAL;
	if (bad_len(crt->inputdatalength, crt->outputdatalength) || (crt->inputdatalength & 1))
		return -EINVAL;
	if (!crt->inputdata || !crt->outputdata || !crt->bp_key || !crt->bq_key || !crt->np_prime ||
	    !crt->nq_prime || !crt->u_mult_inv)
		return -EFAULT;
	memset(&r->priv, 0, sizeof(r->priv));
	r->priv.op = APV_GUEST_CRT;
	r->priv.u.crt = *crt;
	return submit(g, r, target);
}

bool apv_guest_req_done(struct apv_guest *g, const struct apv_guest_req *r)
{
	bool done;

	if (!g || !r)
		return false;
	apv_mutex_lock(&g->lock);
	done = r->priv.state == REQ_DONE;
	apv_mutex_unlock(&g->lock);
	return done;
}

int apv_guest_cancel(struct apv_guest *g, struct apv_guest_req *r)
{
	int rc = -ENOENT;

	if (!g || !r)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (r->priv.state == REQ_QUEUED || r->priv.state == REQ_PENDING) {
		req_complete(g, r, -ECANCELED);
		rc = 0;
	}
	apv_mutex_unlock(&g->lock);
	return rc;
}

static int finish_sync(struct apv_guest *g, struct apv_guest_req *r)
{
	int rc = apv_guest_wait(g, r, g->cfg.wait_timeout_ns);

	if (rc == -ETIMEDOUT) {
		/* Like a signalled ioctl: withdraw, a late reply gets dropped. */
		if (apv_guest_cancel(g, r) == 0)
			return -ETIMEDOUT;
		rc = r->result;
	}
	return rc;
}

int apv_guest_rsa_me(struct apv_guest *g, struct apv_ica_rsa_modexpo *mex)
{
	struct apv_guest_req r;
	int rc = apv_guest_submit_me(g, &r, mex, APV_GUEST_ANY_QUEUE);

	if (rc)
		return rc;
	rc = finish_sync(g, &r);
	if (rc == 0)
		mex->outputdatalength = r.priv.u.me.outputdatalength;
	return rc;
}

int apv_guest_rsa_crt(struct apv_guest *g, struct apv_ica_rsa_modexpo_crt *crt)
{
	struct apv_guest_req r;
	int rc = apv_guest_submit_crt(g, &r, crt, APV_GUEST_ANY_QUEUE);

	if (rc)
		return rc;
	rc = finish_sync(g, &r);
	if (rc == 0)
		crt->outputdatalength = r.priv.u.crt.outputdatalength;
	return rc;
}
