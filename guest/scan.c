/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bus scan: the configuration from QCI (facility 12) or, without it,
 * a blind TAPQ over the 64 x 16 APQNs a machine without APXA can have;
 * then TAPQ (with the T bit when facility 15 is there) for every APQN to
 * learn type, mode and functions. New queues are brought up, queues that
 * left the configuration fail their requests over, errored queues that
 * answer again are reset, as the kernel's periodic rescan does.
 */
#include <stdlib.h>
#include <string.h>

#include "guest_internal.h"

enum { NON_APXA_MAX_APID = 63, NON_APXA_MAX_APQI = 15 };

struct gq *gs_find(struct apv_guest *g, apv_apqn_t apqn)
{
	unsigned lo = 0, hi = g->nq;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (g->q[mid]->apqn == apqn)
			return g->q[mid];
		if (g->q[mid]->apqn < apqn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct gq *insert(struct apv_guest *g, apv_apqn_t apqn, uint64_t hwinfo)
{
	struct gq *q;
	unsigned pos = 0;

	if (g->nq == g->capq) {
		unsigned cap = g->capq ? g->capq * 2 : 16;
		struct gq **n = realloc(g->q, cap * sizeof(*n));

		if (!n)
			return NULL;
		g->q = n;
		g->capq = cap;
	}
	q = gq_new(g, apqn, hwinfo);
	if (!q)
		return NULL;
	while (pos < g->nq && g->q[pos]->apqn < apqn)
		pos++;
	memmove(&g->q[pos + 1], &g->q[pos], (g->nq - pos) * sizeof(*g->q));
	g->q[pos] = q;
	g->nq++;
	return q;
}

/* The configuration block; false if QCI is not usable. */
static bool read_qci(struct apv_guest *g, struct apv_qci *qci)
{
	uint8_t block[APV_QCI_SIZE];
	struct insn_out o;

	if (!g->fac_qci)
		return false;
	memset(block, 0, sizeof(block));
	if (apv_storage_write(&g->p.storage, g->qci_addr, block, sizeof(block)))
		return false;
	/* Linux takes QCI as done unless it raises an exception. */
	o = gi_pqap(g, APV_FC_QCI, 0, false, 0, g->qci_addr, NULL);
	if (o.pgm || o.s.rc != APV_RC_NORMAL)
		return false;
	if (apv_storage_read(&g->p.storage, g->qci_addr, block, sizeof(block)))
		return false;
	apv_qci_decode(block, qci);
	return true;
}

/* TAPQ answers that mean "a queue is there" (ap_queue_info). */
static bool queue_present(const struct apv_guest *g, const struct insn_out *o, uint64_t hwinfo)
{
	if (o->pgm)
		return false;
	switch (o->s.rc) {
	case APV_RC_NORMAL:
	case APV_RC_RESET_IN_PROGRESS:
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
	case APV_RC_BUSY:
		return hwinfo != 0 || !g->fac_apft;
	default:
		return false;
	}
}

static void probe_apqn(struct apv_guest *g, apv_apqn_t apqn, bool from_qci)
{
	struct gq *q = gs_find(g, apqn);
	uint64_t hwinfo = 0;
	struct insn_out o;

	/* A queue in service needs no TAPQ when QCI already vouches for it. */
	if (q && from_qci && gq_online(q)) {
		q->in_config = true;
		return;
	}
	o = gi_tapq(g, apqn, &hwinfo);
	if (!queue_present(g, &o, hwinfo))
		return;
	if (!q) {
		q = insert(g, apqn, hwinfo);
		if (!q)
			return;
	} else if (gq_online(q)) {
		q->in_config = true;
		return;
	} else if (o.s.rc == APV_RC_NORMAL && hwinfo) {
		gq_set_hwinfo(q, hwinfo);
	}
	q->in_config = true;
	if (!q->driven) {
		q->state = APV_GQ_UNINITIATED;
		return;
	}
	switch (o.s.rc) {
	case APV_RC_DECONFIGURED:
	case APV_RC_CHECKSTOPPED:
		q->state = APV_GQ_ERROR;
		q->last_rc = o.s.rc;
		break;
	default:
		gq_start(q);
		break;
	}
}

void gs_scan(struct apv_guest *g)
{
	struct apv_qci qci;
	bool have_qci = read_qci(g, &qci);

	g->qci_used = have_qci;
	g->apxa = have_qci && (qci.flags & APV_QCI_N);
	/* Without APXA, IDs beyond 63/15 would raise a specification exception. */
	g->max_apid = (g->apxa && qci.na) ? qci.na : NON_APXA_MAX_APID;
	g->max_apqi = (g->apxa && qci.nd) ? qci.nd : NON_APXA_MAX_APQI;

	for (unsigned i = 0; i < g->nq; i++)
		g->q[i]->in_config = false;
	for (unsigned apid = 0; apid <= g->max_apid; apid++) {
		if (have_qci && !apv_mask_test(&qci.apm, apid))
			continue;
		for (unsigned apqi = 0; apqi <= g->max_apqi; apqi++) {
			if (have_qci && !apv_mask_test(&qci.aqm, apqi))
				continue;
			probe_apqn(g, apv_apqn(apid, apqi), have_qci);
		}
	}
	for (unsigned i = 0; i < g->nq; i++) {
		struct gq *q = g->q[i];

		if (!q->in_config && q->state != APV_GQ_REMOVED)
			gq_offline(q, APV_GQ_REMOVED, APV_RC_DECONFIGURED);
	}
}
