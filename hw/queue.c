/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AP queue state machine: request slots, the status word, the
 * asynchronous reset, the interruption state that AQIC changes, and the
 * NIB + interrupt when a reply becomes ready.
 *
 * Timers and locks: the queue's timers take the queue lock in their
 * callbacks, and a real clock's cancel waits for a running callback, so a
 * timer is never cancelled with the queue lock held on a real clock.
 * Instead every callback re-checks, under the lock, that the event it was
 * armed for is still the current one (state + due time). On the virtual
 * clock a cancel never waits, so stale timers are removed eagerly to keep
 * apv_clock_next_deadline() meaningful.
 */
#include <stdlib.h>
#include <string.h>

#include "hw_internal.h"

static void irq_timer_fire(void *arg);

struct hw_queue *hw_queue_new(struct apv_hw *hw, struct hw_adapter *ad, unsigned apqi)
{
	struct hw_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	apv_mutex_init(&q->lock, APV_LOCK_HW_QUEUE);
	q->hw = hw;
	q->ad = ad;
	q->apqn = apv_apqn(ad->apid, apqi);
	/* Defined under config_lock by the caller; the masks are stable here. */
	q->ad_configured = ad->configured;
	q->dom_configured =
	    !apv_mask_test(&hw->aqm_defined, apqi) || apv_mask_test(&hw->aqm_configured, apqi);
	q->cap = ad->cfg.qd + 1u;
	q->slot_size = ad->msg_limit;
	q->reply_size = ad->cfg.mode == APV_MODE_ACCEL ? APV_CEX_REPLY_MAX : APV_CARD_REPLY_MAX;
	q->slots = calloc(q->cap, sizeof(*q->slots));
	/*
	 * One block, not zeroed: an idle queue then costs about a page of it
	 * (the allocator's header), not one page per slot, which matters with
	 * 65536 queues. A buffer is always written before it is read.
	 */
	q->bufs = malloc(q->cap * (q->slot_size + q->reply_size));
	if (!q->slots || !q->bufs)
		goto fail;
	for (unsigned i = 0; i < q->cap; i++) {
		struct hw_slot *s = &q->slots[i];

		s->q = q;
		s->msg = q->bufs + i * (q->slot_size + q->reply_size);
		s->reply = s->msg + q->slot_size;
		apv_timer_init(&s->timer, hw_engine_slot_fire, s);
	}
	apv_timer_init(&q->irq_timer, irq_timer_fire, q);
	apv_timer_init(&q->fault_timer, hw_fault_timer_fire, q);
	return q;

fail:
	hw_queue_free(q);
	return NULL;
}

void hw_queue_free(struct hw_queue *q)
{
	if (!q)
		return;
	/* No lock held: a real clock may wait here for a running callback. */
	apv_clock_cancel(q->hw->clock, &q->irq_timer);
	apv_clock_cancel(q->hw->clock, &q->fault_timer);
	if (q->slots) {
		for (unsigned i = 0; i < q->cap; i++) {
			if (q->slots[i].q)
				apv_clock_cancel(q->hw->clock, &q->slots[i].timer);
		}
	}
	free(q->slots);
	free(q->bufs);
	apv_mutex_destroy(&q->lock);
	free(q);
}

struct hw_queue *hw_queue_find(struct apv_hw *hw, apv_apqn_t apqn)
{
	struct hw_adapter *ad;

	ad = atomic_load_explicit(&hw->adapters[apv_apqn_apid(apqn)], memory_order_acquire);
	if (!ad)
		return NULL;
	return atomic_load_explicit(&ad->queues[apv_apqn_apqi(apqn)], memory_order_acquire);
}

/*
 * The conditions every queue instruction checks first, in priority order:
 * the queue outside the configuration, the adapter deconfigured or
 * checkstopped, a reset in progress, busy. A reset instruction is accepted
 * during a running reset (it restarts it); an injected reset fault blocks
 * everything until cleared.
 */
uint8_t hw_queue_gate(struct hw_queue *q, bool is_reset)
{
	hw_queue_catch_up(q);
	if (!q->dom_configured)
		return APV_RC_Q_NOT_AVAIL;
	if (!q->ad_configured || q->f_deconfigured)
		return APV_RC_DECONFIGURED;
	if (q->f_checkstop)
		return APV_RC_CHECKSTOPPED;
	if (q->f_reset)
		return APV_RC_RESET_IN_PROGRESS;
	if (!is_reset && q->reset_until) {
		if (apv_clock_now(q->hw->clock) < q->reset_until)
			return APV_RC_RESET_IN_PROGRESS;
		/* Over: forget it, so that later instructions do not read the clock. */
		q->reset_until = 0;
	}
	if (q->f_busy)
		return APV_RC_BUSY;
	return APV_RC_NORMAL;
}

/*
 * A queue that is not reachable (not available, deconfigured,
 * checkstopped) reports no state bits; every other answer carries the
 * queue's E/R/F/I bits as they are after the instruction.
 */
uint32_t hw_queue_status(const struct hw_queue *q, uint8_t rc)
{
	struct apv_apqsw s = {.rc = rc};
	unsigned used = q->pending + q->ready;

	if (rc == APV_RC_Q_NOT_AVAIL || rc == APV_RC_DECONFIGURED || rc == APV_RC_CHECKSTOPPED)
		return apv_apqsw_encode(s);
	s.e = used == 0;
	s.r = q->ready > 0;
	s.f = used >= q->cap;
	s.i = q->irq_on;
	return apv_apqsw_encode(s);
}

void hw_slot_free(struct hw_queue *q, struct hw_slot *s)
{
	if (q->partial == s)
		q->partial = NULL;
	s->state = SLOT_FREE;
	s->msg_len = 0;
	s->reply_len = 0;
	s->reply_off = 0;
}

static void irq_forget_nib(struct hw_queue *q)
{
	memset(&q->nib_st, 0, sizeof(q->nib_st));
	q->nib = 0;
	q->isc = 0;
	q->gisa_valid = false;
	q->gisa = 0;
	q->gisc = 0;
	q->gf = 0;
}

void hw_queue_reset(struct hw_queue *q, bool async)
{
	struct apv_hw *hw = q->hw;

	for (unsigned i = 0; i < q->cap; i++) {
		struct hw_slot *s = &q->slots[i];

		if (s->state == SLOT_FREE)
			continue;
		hw_engine_forget(q, s);
		hw_slot_free(q, s);
		q->st_discarded++;
	}
	q->pending = 0;
	q->ready = 0;
	q->partial = NULL;
	/* A reset also ends the interruption registration, at once. */
	q->irq_on = false;
	q->irq_change = IRQ_STEADY;
	irq_forget_nib(q);
	if (apv_clock_is_virtual(hw->clock))
		apv_clock_cancel(hw->clock, &q->irq_timer);
	if (async) {
		uint64_t now = apv_clock_now(hw->clock), until = now + hw->cfg.reset_ns;

		q->st_resets++;
		q->st_last_reset = now;

		/* 0 means "no reset running"; a zero-length reset is over already. */
		q->reset_until = hw->cfg.reset_ns ? until : 0;
	}
}

void hw_queue_reply_ready(struct hw_queue *q, struct hw_slot *s, struct hw_irq_out *out)
{
	uint8_t set = HW_NIB_SET;

	hw_queue_catch_up(q);
	s->state = SLOT_READY;
	s->reply_off = 0;
	s->ready_seq = q->next_ready_seq++;
	q->pending--;
	q->ready++;
	q->st_last_ready = apv_clock_now(q->hw->clock);
	out->raise = false;
	if (!q->irq_on)
		return;
	/*
	 * The NIB store happens under the queue lock, so once a disable or a
	 * reset has taken effect no late store can reach the old NIB. A failed
	 * store (the owner unmapped it) still raises the interrupt.
	 */
	if (q->nib_st.write)
		(void)apv_storage_write(&q->nib_st, q->nib, &set, 1);
	q->st_interrupts++;
	out->raise = true;
	out->irq = (struct apv_hw_irq){
	    .apqn = q->apqn,
	    .isc = q->isc,
	    .gisa_valid = q->gisa_valid,
	    .gisa = q->gisa,
	    .gisc = q->gisc,
	    .nib_storage = q->nib_st,
	};
}

static void irq_change_complete(struct hw_queue *q)
{
	if (q->irq_change == IRQ_ENABLING) {
		q->irq_on = true;
	} else if (q->irq_change == IRQ_DISABLING) {
		q->irq_on = false;
		irq_forget_nib(q);
	}
	q->irq_change = IRQ_STEADY;
}

void hw_queue_irq_change(struct hw_queue *q, enum hw_irq_change change)
{
	struct apv_hw *hw = q->hw;

	q->irq_change = change;
	if (!hw->cfg.irq_ns) {
		irq_change_complete(q);
		return;
	}
	q->irq_due = apv_clock_now(hw->clock) + hw->cfg.irq_ns;
	/*
	 * Every observer catches up (hw_queue_catch_up), so on a real clock
	 * the timer would only cost the AQIC a wake-up of the clock's thread
	 * (tens of microseconds in a virtual machine). The virtual clock
	 * keeps it: it runs in line and makes the change a visible event.
	 */
	if (apv_clock_is_virtual(hw->clock))
		apv_clock_arm(hw->clock, &q->irq_timer, q->irq_due);
}

/*
 * The I bit changes irq_ns after the AQIC for every observer: every
 * instruction (and a reply becoming ready) first applies a change that is
 * due, so no observer depends on when a clock thread gets to run. Costs a
 * clock read only while a change is pending.
 */
void hw_queue_catch_up(struct hw_queue *q)
{
	if (q->irq_change != IRQ_STEADY && apv_clock_now(q->hw->clock) >= q->irq_due)
		irq_change_complete(q);
}

static void irq_timer_fire(void *arg)
{
	struct hw_queue *q = arg;

	apv_mutex_lock(&q->lock);
	/* Stale if a reset intervened or a newer AQIC re-armed for later. */
	hw_queue_catch_up(q);
	apv_mutex_unlock(&q->lock);
}
