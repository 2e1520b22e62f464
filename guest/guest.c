/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest AP bus: creation over a platform, the module-init probe
 * (ap_instructions_available, QCI, adapter interruption on ISC 6), the
 * scan and bring-up, and removal (ZAPQ).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guest_internal.h"

/* Layout of the driver's memory, offsets from mem_base. */
enum {
	OFF_NIB = 0x0,
	OFF_QCI = 0x100,
	OFF_REQ = 0x1000,
	OFF_REP = 0x2000,
};

void apv_guest_config_default(struct apv_guest_config *c)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	c->id = 1;
	c->useirq = true;
	c->poll_ns = 250 * APV_NSEC_PER_USEC;
	c->low_poll_ns = 40 * APV_NSEC_PER_MSEC;
	c->reset_timeout_ns = 700 * APV_NSEC_PER_MSEC;
	c->request_timeout_ns = 900 * APV_NSEC_PER_SEC;
	c->config_time_ns = 30 * APV_NSEC_PER_SEC;
	c->wait_timeout_ns = 60 * APV_NSEC_PER_SEC;
	c->max_retries = 10;
}

static bool platform_ok(const struct apv_guest_platform *p)
{
	return p->execute && p->has_facility && p->enable_isc && p->storage.read &&
	       p->storage.write && p->clock && p->mem_size >= APV_GUEST_MEM_MIN &&
	       !(p->mem_base & 7) && p->mem_base <= UINT64_MAX - p->mem_size;
}

static void release_now(const struct apv_guest_platform *p)
{
	if (p->release)
		p->release(p->ctx);
}

static bool config_ok(const struct apv_guest_config *c)
{
	return c->poll_ns && c->low_poll_ns && c->reset_timeout_ns && c->request_timeout_ns;
}

int apv_guest_new(const struct apv_guest_platform *p, const struct apv_guest_config *cfg,
		  struct apv_guest **out)
{
	struct apv_guest *g;
	pthread_condattr_t ca;

	if (out)
		*out = NULL;
	if (!p)
		return -EINVAL;
	if (!out || !platform_ok(p) || (cfg && !config_ok(cfg))) {
		release_now(p);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		release_now(p);
		return -ENOMEM;
	}
	g->p = *p;
	if (cfg)
		g->cfg = *cfg;
	else
		apv_guest_config_default(&g->cfg);
	g->nib = p->mem_base + OFF_NIB;
	g->qci_addr = p->mem_base + OFF_QCI;
	g->req_addr = p->mem_base + OFF_REQ;
	g->rep_addr = p->mem_base + OFF_REP;
	/* The reply area: the rest of the memory, up to the largest message limit. */
	g->rep_room = p->mem_size - OFF_REP < APV_AP_ML_MAX ? (uint32_t)(p->mem_size - OFF_REP)
							    : APV_AP_ML_MAX;
	apv_mutex_init(&g->lock, APV_LOCK_GUEST);
	apv_mutex_init(&g->wait_mu, APV_LOCK_GUEST_WAIT);
	pthread_condattr_init(&ca);
	/* Real-clock waits time out on the monotonic clock, like the real clock itself. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wait_cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = g;
	return 0;
}

void apv_guest_free(struct apv_guest *g)
{
	if (!g)
		return;
	if (g->probed && !g->removed)
		(void)apv_guest_remove(g);
	for (unsigned i = 0; i < g->nq; i++)
		gq_free(g->q[i]);
	free(g->q);
	apv_guest_platform_release(&g->p);
	pthread_cond_destroy(&g->wait_cv);
	apv_mutex_destroy(&g->wait_mu);
	apv_mutex_destroy(&g->lock);
	free(g);
}

void apv_guest_platform_release(struct apv_guest_platform *p)
{
	if (p && p->release) {
		p->release(p->ctx);
		p->release = NULL;
		p->ctx = NULL;
	}
}

static bool pred_settled(struct apv_guest *g, void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < g->nq; i++) {
		if (!gq_settled(g->q[i]))
			return false;
	}
	return true;
}

/* Long enough for a reset and an I-bit wait to run into their timeouts. */
static uint64_t settle_time(const struct apv_guest *g)
{
	return 2 * g->cfg.reset_timeout_ns + 2 * g->cfg.low_poll_ns;
}

int apv_guest_probe(struct apv_guest *g)
{
	struct insn_out o;
	uint8_t zero = 0;

	if (!g)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (g->removed || g->probed) {
		apv_mutex_unlock(&g->lock);
		return g->removed ? -EINVAL : -EBUSY;
	}
	/* ap_instructions_available(): TAPQ 00.0000, only an exception matters. */
	o = gi_pqap(g, APV_FC_TAPQ, 0, false, 0, 0, NULL);
	g->ap_instr = !o.pgm;
	if (!g->ap_instr) {
		apv_mutex_unlock(&g->lock);
		return -ENODEV;
	}
	g->fac_qci = g->p.has_facility(g->p.ctx, APV_FAC_QCI);
	g->fac_apft = g->p.has_facility(g->p.ctx, APV_FAC_APFT);
	g->fac_aqic = g->p.has_facility(g->p.ctx, APV_FAC_AQIC);
	(void)apv_storage_write(&g->p.storage, g->nib, &zero, 1);
	if (g->fac_aqic && g->cfg.useirq)
		g->irq = g->p.enable_isc(g->p.ctx, APV_AP_ISC, gd_airq, g) == 0;
	gs_scan(g);
	g->probed = true;
	g->next_scan = g_now(g) + g->cfg.config_time_ns;
	apv_mutex_unlock(&g->lock);
	(void)gd_drive_until(g, pred_settled, NULL, settle_time(g));
	return 0;
}

int apv_guest_rescan(struct apv_guest *g)
{
	if (!g)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (!g->probed || g->removed) {
		apv_mutex_unlock(&g->lock);
		return -ENODEV;
	}
	gs_scan(g);
	g->st.rescans++;
	g->next_scan = g_now(g) + g->cfg.config_time_ns;
	apv_mutex_unlock(&g->lock);
	(void)gd_drive_until(g, pred_settled, NULL, settle_time(g));
	return 0;
}

static void fail_all(struct apv_guest *g, struct gq *q, int result)
{
	while (q->pendingq.head)
		req_complete(g, q->pendingq.head, result);
	while (q->requestq.head)
		req_complete(g, q->requestq.head, result);
}

/* Queues zapped by remove whose reset still runs (or whose I bit is still on). */
static unsigned zap_check(struct apv_guest *g)
{
	unsigned busy = 0;

	for (unsigned i = 0; i < g->nq; i++) {
		struct gq *q = g->q[i];
		struct insn_out o;

		if (!q->zap_wait)
			continue;
		o = gi_tapq(g, q->apqn, NULL);
		if (!o.pgm &&
		    (o.s.rc == APV_RC_RESET_IN_PROGRESS || (o.s.rc == APV_RC_NORMAL && o.s.i)))
			busy++;
		else
			q->zap_wait = false;
	}
	return busy;
}

int apv_guest_remove(struct apv_guest *g)
{
	uint64_t deadline;

	if (!g)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (!g->probed) {
		apv_mutex_unlock(&g->lock);
		return -ENODEV;
	}
	if (g->removed) {
		apv_mutex_unlock(&g->lock);
		return 0;
	}
	g->removed = true;
	for (unsigned i = 0; i < g->nq; i++) {
		struct gq *q = g->q[i];
		struct insn_out o;

		fail_all(g, q, -ENODEV);
		if (!q->driven || q->state == APV_GQ_REMOVED || q->state == APV_GQ_UNINITIATED)
			continue;
		/* ap_queue_remove: ZAPQ, which also clears the interruption registration. */
		o = gi_pqap(g, APV_FC_ZAPQ, q->apqn, false, 0, 0, NULL);
		q->st.resets++;
		q->state = APV_GQ_REMOVED;
		q->irq_on = false;
		q->zap_wait =
		    !o.pgm && (o.s.rc == APV_RC_NORMAL || o.s.rc == APV_RC_RESET_IN_PROGRESS);
	}
	apv_mutex_unlock(&g->lock);

	/* Our memory holds the NIB: let the resets finish before it goes away. */
	deadline = g_now(g) + g->cfg.reset_timeout_ns;
	for (;;) {
		unsigned busy;

		apv_mutex_lock(&g->lock);
		busy = zap_check(g);
		apv_mutex_unlock(&g->lock);
		if (!busy || g_now(g) >= deadline)
			break;
		apv_clock_sleep(g->p.clock, g->cfg.poll_ns);
	}

	apv_mutex_lock(&g->lock);
	if (g->irq) {
		(void)g->p.enable_isc(g->p.ctx, APV_AP_ISC, NULL, NULL);
		g->irq = false;
	}
	apv_mutex_unlock(&g->lock);
	return 0;
}
