/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the guest can tell about itself: bus facts, counters, and the
 * card/queue view lszcrypt prints (CARD.DOM TYPE MODE STATUS REQUESTS).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest_internal.h"

const char *apv_guest_qstate_name(enum apv_guest_qstate s)
{
	static const char *const names[] = {
	    [APV_GQ_UNINITIATED] = "uninitiated",
	    [APV_GQ_RESET_START] = "reset_start",
	    [APV_GQ_RESET_WAIT] = "reset_wait",
	    [APV_GQ_SETIRQ_WAIT] = "setirq_wait",
	    [APV_GQ_IDLE] = "idle",
	    [APV_GQ_WORKING] = "working",
	    [APV_GQ_QUEUE_FULL] = "queue_full",
	    [APV_GQ_ERROR] = "error",
	    [APV_GQ_REMOVED] = "removed",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[s];
}

static const char *mode_name(const struct apv_tapq_hwinfo *hi)
{
	if (hi->accel)
		return "Accelerator";
	if (hi->cca)
		return "CCA-Coproc";
	if (hi->ep11)
		return "EP11-Coproc";
	return "unknown";
}

static void type_name(const struct apv_tapq_hwinfo *hi, char *buf, size_t len)
{
	const char *base = apv_ap_type_name(hi->at);
	char suffix = hi->accel ? 'A' : hi->cca ? 'C' : hi->ep11 ? 'P' : '?';

	if (base)
		snprintf(buf, len, "%s%c", base, suffix);
	else
		snprintf(buf, len, "AT%u", hi->at);
}

static const char *status_name(const struct gq *q)
{
	if (gq_online(q))
		return "online";
	if (q->last_rc == APV_RC_DECONFIGURED)
		return "deconfig";
	if (q->last_rc == APV_RC_CHECKSTOPPED)
		return "chkstop";
	return "offline";
}

static void fill_queue(const struct gq *q, struct apv_guest_queue_info *out)
{
	memset(out, 0, sizeof(*out));
	out->apqn = q->apqn;
	out->at = q->hi.at;
	type_name(&q->hi, out->type, sizeof(out->type));
	out->mode = mode_name(&q->hi);
	out->status = status_name(q);
	out->driven = q->driven;
	out->online = gq_online(q);
	out->irq = q->irq_on;
	out->state = q->state;
	out->hwinfo = q->hwinfo;
	out->last_rc = q->last_rc;
	out->qd = q->qd;
	out->outstanding = q->inflight > q->pendingq.n ? q->inflight : q->pendingq.n;
	out->waiting = q->requestq.n;
	out->stats = q->st;
}

unsigned apv_guest_queue_count(struct apv_guest *g)
{
	unsigned n;

	if (!g)
		return 0;
	apv_mutex_lock(&g->lock);
	n = g->nq;
	apv_mutex_unlock(&g->lock);
	return n;
}

int apv_guest_queue_at(struct apv_guest *g, unsigned idx, struct apv_guest_queue_info *out)
{
	int rc = -ENOENT;

	if (!g || !out)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	if (idx < g->nq) {
		fill_queue(g->q[idx], out);
		rc = 0;
	}
	apv_mutex_unlock(&g->lock);
	return rc;
}

int apv_guest_queue_find(struct apv_guest *g, apv_apqn_t apqn, struct apv_guest_queue_info *out)
{
	struct gq *q;
	int rc = -ENOENT;

	if (!g || !out)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	q = gs_find(g, apqn);
	if (q) {
		fill_queue(q, out);
		rc = 0;
	}
	apv_mutex_unlock(&g->lock);
	return rc;
}

/* Cards are the runs of queues with one APID (the array is in APQN order). */
static bool card_fill(struct apv_guest *g, unsigned idx, struct apv_guest_card_info *out)
{
	unsigned card = 0, i = 0;

	while (i < g->nq) {
		unsigned apid = apv_apqn_apid(g->q[i]->apqn), j = i;

		if (card == idx) {
			const struct gq *first = g->q[i];
			const struct gq *shown = NULL;

			memset(out, 0, sizeof(*out));
			out->apid = apid;
			out->at = first->hi.at;
			type_name(&first->hi, out->type, sizeof(out->type));
			out->mode = mode_name(&first->hi);
			for (; j < g->nq && apv_apqn_apid(g->q[j]->apqn) == apid; j++) {
				const struct gq *q = g->q[j];

				out->queues++;
				out->requests += q->st.requests;
				out->driven |= q->driven;
				if (gq_online(q)) {
					out->online = true;
					shown = q;
				} else if (!shown) {
					shown = q;
				}
			}
			out->status = out->online ? "online" : status_name(shown);
			return true;
		}
		while (j < g->nq && apv_apqn_apid(g->q[j]->apqn) == apid)
			j++;
		i = j;
		card++;
	}
	return false;
}

unsigned apv_guest_card_count(struct apv_guest *g)
{
	unsigned n = 0;

	if (!g)
		return 0;
	apv_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->nq; i++) {
		if (i == 0 || apv_apqn_apid(g->q[i]->apqn) != apv_apqn_apid(g->q[i - 1]->apqn))
			n++;
	}
	apv_mutex_unlock(&g->lock);
	return n;
}

int apv_guest_card_at(struct apv_guest *g, unsigned idx, struct apv_guest_card_info *out)
{
	bool ok;

	if (!g || !out)
		return -EINVAL;
	apv_mutex_lock(&g->lock);
	ok = card_fill(g, idx, out);
	apv_mutex_unlock(&g->lock);
	return ok ? 0 : -ENOENT;
}

void apv_guest_info(struct apv_guest *g, struct apv_guest_info *out)
{
	if (!g || !out)
		return;
	memset(out, 0, sizeof(*out));
	apv_mutex_lock(&g->lock);
	out->probed = g->probed;
	out->removed = g->removed;
	out->ap_instructions = g->ap_instr;
	out->qci = g->fac_qci;
	out->apft = g->fac_apft;
	out->aqic = g->fac_aqic;
	out->qci_used = g->qci_used;
	out->apxa = g->apxa;
	out->irq = g->irq;
	out->max_apid = g->max_apid;
	out->max_apqi = g->max_apqi;
	out->queues = g->nq;
	for (unsigned i = 0; i < g->nq; i++) {
		if (i == 0 || apv_apqn_apid(g->q[i]->apqn) != apv_apqn_apid(g->q[i - 1]->apqn))
			out->cards++;
		if (gq_online(g->q[i]))
			out->online++;
	}
	out->nib = g->nib;
	apv_mutex_unlock(&g->lock);
}

void apv_guest_stats(struct apv_guest *g, struct apv_guest_stats *out)
{
	if (!g || !out)
		return;
	memset(out, 0, sizeof(*out));
	apv_mutex_lock(&g->lock);
	*out = g->st;
	apv_mutex_unlock(&g->lock);
	apv_mutex_lock(&g->wait_mu);
	out->interrupts = g->irq_count;
	apv_mutex_unlock(&g->wait_mu);
}

struct sbuf {
	char *buf;
	size_t len, used;
};

static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->used < s->len ? s->buf + s->used : NULL,
		      s->used < s->len ? s->len - s->used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->used += (size_t)n;
}

int apv_guest_lszcrypt(struct apv_guest *g, char *buf, size_t len)
{
	struct sbuf s = {buf, buf ? len : 0, 0};
	struct apv_guest_card_info c;
	unsigned qi = 0;

	/* Like snprintf, (NULL, 0) measures; NULL with a length is a mistake. */
	if (!g || (!buf && len))
		return -EINVAL;
	if (buf && len)
		buf[0] = '\0';
	sb_printf(&s, "%-8s %-5s %-11s %-8s %8s\n", "CARD.DOM", "TYPE", "MODE", "STATUS",
		  "REQUESTS");
	sb_printf(&s, "----------------------------------------------\n");
	apv_mutex_lock(&g->lock);
	for (unsigned ci = 0; card_fill(g, ci, &c); ci++) {
		char id[16];

		snprintf(id, sizeof(id), "%02x", c.apid);
		sb_printf(&s, "%-8s %-5s %-11s %-8s %8" PRIu64 "\n", id, c.type, c.mode, c.status,
			  c.requests);
		for (; qi < g->nq && apv_apqn_apid(g->q[qi]->apqn) == c.apid; qi++) {
			struct apv_guest_queue_info q;

			fill_queue(g->q[qi], &q);
			snprintf(id, sizeof(id), "%02x.%04x", c.apid, apv_apqn_apqi(q.apqn));
			sb_printf(&s, "%-8s %-5s %-11s %-8s %8" PRIu64 "\n", id, q.type, q.mode,
				  q.status, q.stats.requests);
		}
	}
	apv_mutex_unlock(&g->lock);
	return s.used > INT32_MAX ? INT32_MAX : (int)s.used;
}
