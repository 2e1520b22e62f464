/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection and observation, per queue.
 *
 * Faults are sticky flags checked by hw_queue_gate() (busy, reset in
 * progress, deconfigured, checkstopped), counters consumed by AQIC (forced
 * RC07 or another RC), or a delay added to every reply (slow). Injecting a
 * reset fault performs the reset (requests and replies discarded,
 * interrupts off) and keeps RC02 until the faults are cleared; the other
 * faults leave the queue's contents alone.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

static void clear_faults(struct hw_queue *q)
{
	q->f_busy = false;
	q->f_reset = false;
	q->f_deconfigured = false;
	q->f_checkstop = false;
	q->f_aqic_rc07 = 0;
	q->f_aqic_rc07_sticky = false;
	q->f_aqic_rc_count = 0;
	q->f_aqic_rc_sticky = false;
	q->f_aqic_rc = 0;
	q->f_slow_ns = 0;
}

int apv_hw_inject(struct apv_hw *hw, apv_apqn_t apqn, const struct apv_hw_fault_spec *f)
{
	struct hw_queue *q;
	int rc = 0;

	if (!f)
		return -EINVAL;
	q = hw_queue_find(hw, apqn);
	if (!q)
		return -ENODEV;
	pthread_mutex_lock(&q->lock);
	switch (f->kind) {
	case APV_FAULT_NONE:
		clear_faults(q);
		break;
	case APV_FAULT_BUSY:
		q->f_busy = true;
		break;
	case APV_FAULT_RESET:
		q->f_reset = true;
		hw_queue_reset(q, false);
		break;
	case APV_FAULT_DECONFIGURED:
		q->f_deconfigured = true;
		break;
	case APV_FAULT_CHECKSTOP:
		q->f_checkstop = true;
		break;
	case APV_FAULT_AQIC_RC07:
		q->f_aqic_rc07 = f->count;
		q->f_aqic_rc07_sticky = f->count == 0;
		break;
	case APV_FAULT_AQIC_RC:
		/* RC 00 is no fault; use APV_FAULT_NONE to clear. */
		if (f->rc == APV_RC_NORMAL) {
			rc = -EINVAL;
			break;
		}
		q->f_aqic_rc = f->rc;
		q->f_aqic_rc_count = f->count;
		q->f_aqic_rc_sticky = f->count == 0;
		break;
	case APV_FAULT_SLOW:
		q->f_slow_ns = f->ns;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int apv_hw_queue_stats(struct apv_hw *hw, apv_apqn_t apqn, struct apv_hw_queue_stats *out)
{
	struct hw_queue *q;

	memset(out, 0, sizeof(*out));
	q = hw_queue_find(hw, apqn);
	if (!q) {
		out->apqsw = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
		return -ENODEV;
	}
	pthread_mutex_lock(&q->lock);
	out->exists = true;
	out->apqsw = hw_queue_status(q, hw_queue_gate(q, false));
	out->queued = q->pending + q->ready;
	out->replies = q->ready;
	out->requests = q->st_requests;
	out->replies_done = q->st_replies_done;
	out->discarded = q->st_discarded;
	out->interrupts = q->st_interrupts;
	out->aqic = q->st_aqic;
	out->irq_enabled = q->irq_on;
	out->nib = q->nib;
	out->last_ready_ns = q->st_last_ready;
	pthread_mutex_unlock(&q->lock);
	return 0;
}
