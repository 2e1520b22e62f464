/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host AP hardware object: creation, teardown, machine-wide settings
 * (installed AP instructions, the interrupt handler).
 */
#include <errno.h>
#include <stdlib.h>

#include "hw_internal.h"

void apv_hw_config_default(struct apv_hw_config *cfg)
{
	if (!cfg)
		return;
	*cfg = (struct apv_hw_config){
	    .apxa = true,
	    .qci = true,
	    .apft = true,
	    .aqic = true,
	    .na = 255,
	    .nd = 255,
	    .reset_ns = APV_NSEC_PER_MSEC,
	    .irq_ns = 100 * APV_NSEC_PER_USEC,
	    .reply_ns = 100 * APV_NSEC_PER_USEC,
	    .workers = 0,
	};
}

struct apv_hw *apv_hw_new(const struct apv_hw_config *cfg, struct apv_clock *clock)
{
	struct apv_hw *hw;

	if (!clock)
		return NULL;
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return NULL;
	if (cfg)
		hw->cfg = *cfg;
	else
		apv_hw_config_default(&hw->cfg);
	/* Without APXA the IDs are 6 and 4 bits wide: the maxima cannot exceed that. */
	if (!hw->cfg.apxa) {
		if (hw->cfg.na > 63)
			hw->cfg.na = 63;
		if (hw->cfg.nd > 15)
			hw->cfg.nd = 15;
	}
	hw->clock = clock;
	hw->log = apv_log_new(clock);
	if (!hw->log)
		goto fail;
	atomic_init(&hw->installed, true);
	for (unsigned i = 0; i < HW_MAX_ID; i++)
		atomic_init(&hw->adapters[i], NULL);
	apv_mutex_init(&hw->config_lock, APV_LOCK_HW_CONFIG);
	atomic_init(&hw->irq_calls, 0);
	atomic_init(&hw->irq_waiters, 0);
	atomic_init(&hw->irq_handler, NULL);
	apv_mutex_init(&hw->irq_fn_lock, APV_LOCK_HW_IRQ_FN);
	if (pthread_cond_init(&hw->irq_fn_idle, NULL))
		goto fail_irq_lock;
	if (hw_cpacf_init(hw))
		goto fail_irq;
	if (hw_engine_init(hw))
		goto fail_cpacf;
	apv_clock_hold(clock);
	return hw;

fail_cpacf:
	hw_cpacf_fini(hw);
fail_irq:
	pthread_cond_destroy(&hw->irq_fn_idle);
fail_irq_lock:
	apv_mutex_destroy(&hw->irq_fn_lock);
	apv_mutex_destroy(&hw->config_lock);
fail:
	apv_log_free(hw->log);
	free(hw);
	return NULL;
}

bool apv_hw_in_use(const struct apv_hw *hw)
{
	bool used;

	if (!hw)
		return false;
	apv_mutex_lock(&((struct apv_hw *)hw)->irq_fn_lock);
	{
		const struct hw_irq_handler *h = atomic_load(&((struct apv_hw *)hw)->irq_handler);

		used = h && h->fn != NULL;
	}
	apv_mutex_unlock(&((struct apv_hw *)hw)->irq_fn_lock);
	return used;
}

int apv_hw_free(struct apv_hw *hw)
{
	if (!hw)
		return 0;
	/* A KVM or a guest platform still takes its interrupts: it would use freed memory. */
	if (apv_hw_in_use(hw))
		return -EBUSY;
	/* Workers first: after this nothing computes or completes a reply. */
	hw_engine_fini(hw);
	for (unsigned apid = 0; apid < HW_MAX_ID; apid++) {
		struct hw_adapter *ad = atomic_load(&hw->adapters[apid]);

		if (!ad)
			continue;
		for (unsigned apqi = 0; apqi < HW_MAX_ID; apqi++) {
			struct hw_queue *q = atomic_load(&ad->queues[apqi]);

			if (q)
				hw_queue_free(q);
		}
		free(ad);
	}
	hw_cpacf_fini(hw);
	pthread_cond_destroy(&hw->irq_fn_idle);
	apv_mutex_destroy(&hw->irq_fn_lock);
	apv_mutex_destroy(&hw->config_lock);
	apv_log_free(hw->log);
	apv_clock_release(hw->clock);
	free(hw);
	return 0;
}

const struct apv_hw_config *apv_hw_config(const struct apv_hw *hw)
{
	return hw ? &hw->cfg : NULL;
}

struct apv_clock *apv_hw_clock(const struct apv_hw *hw)
{
	return hw ? hw->clock : NULL;
}

struct apv_log *apv_hw_log(const struct apv_hw *hw)
{
	return hw ? hw->log : NULL;
}

/*
 * The handler calls running on this thread, innermost first. A handler
 * that replaces the handler (or a nested delivery) must not wait for its
 * own return.
 */
struct irq_frame {
	const struct apv_hw *hw;
	struct irq_frame *up;
};
static _Thread_local struct irq_frame *irq_frames;

static unsigned irq_calls_on_this_thread(const struct apv_hw *hw)
{
	unsigned n = 0;

	for (const struct irq_frame *f = irq_frames; f; f = f->up)
		n += f->hw == hw;
	return n;
}

/*
 * Like synchronize_irq() after free_irq(): once this returns, the old
 * handler is not running on any other thread and will not be called again,
 * so its context may be freed.
 */
void apv_hw_set_irq_handler(struct apv_hw *hw, apv_hw_irq_fn fn, void *ctx)
{
	unsigned own;

	if (!hw)
		return;
	own = irq_calls_on_this_thread(hw);

	struct hw_irq_handler *slot;

	apv_mutex_lock(&hw->irq_fn_lock);
	slot = atomic_load(&hw->irq_handler) == &hw->irq_slots[0] ? &hw->irq_slots[1]
								    : &hw->irq_slots[0];
	slot->fn = fn;
	slot->ctx = ctx;
	atomic_store(&hw->irq_handler, slot);
	atomic_fetch_add(&hw->irq_waiters, 1);
	while (atomic_load(&hw->irq_calls) > own)
		apv_cond_wait(&hw->irq_fn_idle, &hw->irq_fn_lock);
	atomic_fetch_sub(&hw->irq_waiters, 1);
	apv_mutex_unlock(&hw->irq_fn_lock);
}

void apv_hw_set_installed(struct apv_hw *hw, bool installed)
{
	if (!hw)
		return;
	atomic_store(&hw->installed, installed);
}

bool apv_hw_installed(const struct apv_hw *hw)
{
	return hw && atomic_load(&((struct apv_hw *)hw)->installed);
}

/*
 * The lock is taken only when someone waits to replace the handler:
 * waiters count themselves before reading irq_calls, so with sequentially
 * consistent atomics one of the two sides sees the other.
 */
static void irq_call_done(struct apv_hw *hw)
{
	atomic_fetch_sub(&hw->irq_calls, 1);
	if (atomic_load(&hw->irq_waiters)) {
		apv_mutex_lock(&hw->irq_fn_lock);
		pthread_cond_broadcast(&hw->irq_fn_idle);
		apv_mutex_unlock(&hw->irq_fn_lock);
	}
}

void hw_irq_deliver(struct apv_hw *hw, const struct hw_irq_out *out)
{
	const struct hw_irq_handler *h;
	struct irq_frame frame;
	apv_hw_irq_fn fn;
	void *ctx;

	if (!out->raise)
		return;
	/*
	 * Counted first, read second (both sequentially consistent): a setter
	 * that publishes after our count sees it and waits; one that published
	 * before it is the one we read. No lock: deliveries from many queues
	 * do not meet here.
	 */
	atomic_fetch_add(&hw->irq_calls, 1);
	h = atomic_load(&hw->irq_handler);
	fn = h ? h->fn : NULL;
	ctx = h ? h->ctx : NULL;
	if (!fn) {
		irq_call_done(hw);
		return;
	}
	frame = (struct irq_frame){.hw = hw, .up = irq_frames};
	irq_frames = &frame;
	fn(ctx, &out->irq);
	irq_frames = frame.up;
	irq_call_done(hw);
}
