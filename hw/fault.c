/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection and observation, per queue.
 *
 * Faults are sticky flags checked by hw_queue_gate() (busy, reset in
 * progress, deconfigured, checkstopped), counters consumed by AQIC (forced
 * RC07 or another RC), or a delay added to every reply (slow). Injecting a
 * reset fault performs the reset (requests and replies discarded,
 * interrupts off) and keeps RC02 until the faults are cleared; the other
 * faults leave the queue's contents alone. A fault injected with a
 * duration is ended by a clock event on the queue, so on the virtual
 * clock a wait in the stack meets the end exactly when it is due.
 */
#include <errno.h>
#include <string.h>

#include "hw_internal.h"

static void clear_kind(struct hw_queue *q, enum apv_hw_fault kind)
{
	switch (kind) {
	case APV_FAULT_BUSY:
		q->f_busy = false;
		break;
	case APV_FAULT_RESET:
		q->f_reset = false;
		break;
	case APV_FAULT_DECONFIGURED:
		q->f_deconfigured = false;
		break;
	case APV_FAULT_CHECKSTOP:
		q->f_checkstop = false;
		break;
	case APV_FAULT_AQIC_RC07:
		q->f_aqic_rc07 = 0;
		q->f_aqic_rc07_sticky = false;
		break;
	case APV_FAULT_AQIC_RC:
		q->f_aqic_rc_count = 0;
		q->f_aqic_rc_sticky = false;
		q->f_aqic_rc = 0;
		break;
	case APV_FAULT_SLOW:
		q->f_slow_ns = 0;
		break;
	default:
		break;
	}
	q->f_until[kind] = 0;
}

static void clear_faults(struct hw_queue *q)
{
	for (unsigned k = APV_FAULT_BUSY; k <= APV_FAULT_SLOW; k++)
		clear_kind(q, (enum apv_hw_fault)k);
}

/*
 * End the timed faults that are due and arm the event for the next one.
 * Queue locked. The timer is re-armed, never cancelled here: on a real
 * clock a cancel under the queue lock could wait for a callback that
 * needs it; a callback that finds nothing due does nothing.
 */
static void expire_faults(struct hw_queue *q)
{
	uint64_t now = apv_clock_now(q->hw->clock), next = 0;

	for (unsigned k = APV_FAULT_BUSY; k <= APV_FAULT_SLOW; k++) {
		uint64_t until = q->f_until[k];

		if (!until)
			continue;
		if (until <= now)
			clear_kind(q, (enum apv_hw_fault)k);
		else if (!next || until < next)
			next = until;
	}
	if (next)
		apv_clock_arm(q->hw->clock, &q->fault_timer, next);
	else if (apv_clock_is_virtual(q->hw->clock))
		apv_clock_cancel(q->hw->clock, &q->fault_timer); /* keep next_deadline meaningful */
}

void hw_fault_timer_fire(void *arg)
{
	struct hw_queue *q = arg;

	apv_mutex_lock(&q->lock);
	expire_faults(q);
	apv_mutex_unlock(&q->lock);
}

int apv_hw_inject(struct apv_hw *hw, apv_apqn_t apqn, const struct apv_hw_fault_spec *f)
{
	struct hw_queue *q;
	int rc = 0;

	if (!hw || !f || (f->for_ns && f->kind == APV_FAULT_NONE) || f->kind > APV_FAULT_SLOW)
		return -EINVAL;
	q = hw_queue_find(hw, apqn);
	if (!q)
		return -ENODEV;
	apv_mutex_lock(&q->lock);
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
	if (!rc && f->kind != APV_FAULT_NONE) {
		uint64_t now = apv_clock_now(hw->clock);

		/* A duration that runs past the end of time is no end at all. */
		q->f_until[f->kind] = f->for_ns && now + f->for_ns > now ? now + f->for_ns : 0;
	}
	expire_faults(q);
	apv_mutex_unlock(&q->lock);
	return rc;
}

int apv_hw_queue_stats(struct apv_hw *hw, apv_apqn_t apqn, struct apv_hw_queue_stats *out)
{
	struct hw_queue *q;

	if (!hw || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	q = hw_queue_find(hw, apqn);
	if (!q) {
		out->apqsw = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
		return -ENODEV;
	}
	apv_mutex_lock(&q->lock);
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
	out->resets = q->st_resets;
	out->last_reset_ns = q->st_last_reset;
	apv_mutex_unlock(&q->lock);
	return 0;
}
