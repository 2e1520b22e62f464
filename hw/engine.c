/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Request processing: turning an accepted request into a ready reply.
 *
 * Virtual clock: each slot carries a timer armed by NQAP for
 * now + reply_ns (+ an injected slowdown). The reply is computed when that
 * event runs, on the thread that advances the clock, with one shared
 * crypto engine. Runs are therefore repeatable.
 *
 * Real clock: a pool of worker threads (one per core unless configured),
 * each with its own crypto engine and buffers, takes slots from one work
 * list. The list is intrusive (links live in the slot), so NQAP only links
 * a slot in; nothing is allocated after the pool starts.
 *
 * Either way the request is copied out under the queue lock and computed
 * without it; the result is stored only if the slot still holds the same
 * request (same ticket), so a reset never waits for a computation and a
 * stale result is simply dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "hw_internal.h"

size_t hw_reply_t82(uint8_t *reply, uint8_t code)
{
	memset(reply, 0, APV_T82_LEN);
	reply[1] = APV_T82_TYPE;
	reply[4] = code;
	return APV_T82_LEN;
}

/*
 * Compute the reply for slot s if it still holds request `ticket`.
 * Returns the interrupt to raise; the caller delivers it after dropping
 * every lock it holds.
 */
static struct hw_irq_out process_slot(struct hw_queue *q, struct hw_slot *s, uint64_t ticket,
				      bool may_wait, struct apv_cex *cex, uint8_t *req,
				      uint8_t *reply)
{
	struct hw_irq_out out = {0};
	struct apv_card_ctx card;
	uint64_t due, now;
	size_t len, rlen;

	apv_mutex_lock(&q->lock);
	now = apv_clock_now(q->hw->clock);
	/*
	 * A clock event must never wait (that would move virtual time from
	 * inside a callback): if the slot now holds a later request, its own
	 * event will come.
	 */
	if (s->state != SLOT_PENDING || s->ticket != ticket || (!may_wait && s->due > now)) {
		apv_mutex_unlock(&q->lock);
		return out;
	}
	len = s->msg_len;
	memcpy(req, s->msg, len);
	due = s->due;
	/* The card's view for this request: mode, domain, serial and this domain's keys. */
	card.mode = (enum apv_card_mode)q->ad->cfg.mode;
	card.domain = (uint16_t)apv_apqn_apqi(q->apqn);
	memcpy(card.serial, q->ad->cfg.serial, sizeof(card.serial));
	if (card.mode != APV_CARD_ACCEL)
		card.keys = q->keys;
	apv_mutex_unlock(&q->lock);
	if (card.mode != APV_CARD_ACCEL)
		hw_cpacf_get(q->hw, &card.cpacf);

	/* Real mode: an injected slowdown holds this worker back. */
	if (due > now)
		apv_clock_sleep(q->hw->clock, due - now);

	/* One entry for every mode: type 50 for accelerators, type 6 for coprocessors. */
	rlen = apv_card_process(cex, &card, req, len, reply, APV_CARD_REPLY_MAX);
	if (card.mode != APV_CARD_ACCEL)
		OPENSSL_cleanse(&card, sizeof(card));
	if (rlen == 0 || rlen > q->reply_size)
		rlen = hw_reply_t82(reply, APV_T82_MACHINE_FAILURE);

	apv_mutex_lock(&q->lock);
	if (s->state == SLOT_PENDING && s->ticket == ticket) {
		memcpy(s->reply, reply, rlen);
		s->reply_len = rlen;
		hw_queue_reply_ready(q, s, &out);
	}
	apv_mutex_unlock(&q->lock);
	return out;
}

/* ---- virtual mode ---------------------------------------------------------- */

void hw_engine_slot_fire(void *arg)
{
	struct hw_slot *s = arg;
	struct hw_queue *q = s->q;
	struct hw_engine *e = &q->hw->engine;
	struct hw_irq_out out;
	uint64_t ticket;

	apv_mutex_lock(&q->lock);
	ticket = s->ticket;
	apv_mutex_unlock(&q->lock);

	apv_mutex_lock(&e->vlock);
	out = process_slot(q, s, ticket, false, e->vcex, e->vreq, e->vreply);
	apv_mutex_unlock(&e->vlock);
	hw_irq_deliver(q->hw, &out);
}

/* ---- real mode --------------------------------------------------------------- */

static void work_unlink(struct hw_engine *e, struct hw_slot *s)
{
	if (s->work_prev)
		s->work_prev->work_next = s->work_next;
	else
		e->head = s->work_next;
	if (s->work_next)
		s->work_next->work_prev = s->work_prev;
	else
		e->tail = s->work_prev;
	s->work_prev = s->work_next = NULL;
	s->on_work_list = false;
}

static void *worker_main(void *arg)
{
	struct hw_worker *w = arg;
	struct hw_engine *e = &w->hw->engine;

	for (;;) {
		struct hw_slot *s;
		struct hw_irq_out out;
		uint64_t ticket;

		apv_mutex_lock(&e->lock);
		while (!e->stop && !e->head)
			apv_cond_wait(&e->cond, &e->lock);
		if (e->stop) {
			apv_mutex_unlock(&e->lock);
			break;
		}
		s = e->head;
		work_unlink(e, s);
		/* Read under the engine lock: a reused slot is re-linked only after this. */
		ticket = s->ticket;
		apv_mutex_unlock(&e->lock);

		out = process_slot(s->q, s, ticket, true, w->cex, w->req, w->reply);
		hw_irq_deliver(w->hw, &out);
	}
	return NULL;
}

static unsigned worker_count(const struct apv_hw *hw)
{
	long n = hw->cfg.workers;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 256)
		n = 256;
	return (unsigned)n;
}

static void workers_stop(struct hw_engine *e)
{
	apv_mutex_lock(&e->lock);
	e->stop = true;
	pthread_cond_broadcast(&e->cond);
	apv_mutex_unlock(&e->lock);
	for (unsigned i = 0; i < e->nworkers; i++)
		pthread_join(e->workers[i].thread, NULL);
	e->nworkers = 0;
}

static void workers_free(struct hw_engine *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		apv_cex_free(e->workers[i].cex);
		free(e->workers[i].req);
	}
	free(e->workers);
	e->workers = NULL;
}

static int engine_init_real(struct apv_hw *hw)
{
	struct hw_engine *e = &hw->engine;
	unsigned n = worker_count(hw);
	unsigned i;

	apv_mutex_init(&e->lock, APV_LOCK_HW_ENGINE);
	if (pthread_cond_init(&e->cond, NULL))
		goto fail_lock;
	e->workers = calloc(n, sizeof(*e->workers));
	if (!e->workers)
		goto fail_cond;
	for (i = 0; i < n; i++) {
		struct hw_worker *w = &e->workers[i];

		w->hw = hw;
		w->cex = apv_cex_new();
		w->req = malloc(HW_MSG_MAX);
		if (!w->cex || !w->req) {
			workers_free(e, i + 1);
			goto fail_cond;
		}
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&e->workers[i].thread, NULL, worker_main, &e->workers[i]))
			break;
		e->nworkers = i + 1;
	}
	if (e->nworkers != n) {
		workers_stop(e);
		workers_free(e, n);
		goto fail_cond;
	}
	return 0;

fail_cond:
	pthread_cond_destroy(&e->cond);
fail_lock:
	apv_mutex_destroy(&e->lock);
	return -1;
}

/* ---- common ------------------------------------------------------------------- */

int hw_engine_init(struct apv_hw *hw)
{
	struct hw_engine *e = &hw->engine;

	e->real = !apv_clock_is_virtual(hw->clock);
	if (e->real)
		return engine_init_real(hw);
	apv_mutex_init(&e->vlock, APV_LOCK_HW_VENGINE);
	e->vcex = apv_cex_new();
	e->vreq = malloc(HW_MSG_MAX);
	if (!e->vcex || !e->vreq) {
		apv_cex_free(e->vcex);
		free(e->vreq);
		apv_mutex_destroy(&e->vlock);
		return -1;
	}
	return 0;
}

void hw_engine_fini(struct apv_hw *hw)
{
	struct hw_engine *e = &hw->engine;

	if (e->real) {
		unsigned n = e->nworkers;

		workers_stop(e);
		workers_free(e, n);
		pthread_cond_destroy(&e->cond);
		apv_mutex_destroy(&e->lock);
		return;
	}
	apv_cex_free(e->vcex);
	free(e->vreq);
	apv_mutex_destroy(&e->vlock);
}

void hw_engine_submit(struct hw_queue *q, struct hw_slot *s)
{
	struct apv_hw *hw = q->hw;
	struct hw_engine *e = &hw->engine;
	uint64_t now = apv_clock_now(hw->clock);

	if (!e->real) {
		s->due = now + hw->cfg.reply_ns + q->f_slow_ns;
		apv_clock_arm(hw->clock, &s->timer, s->due);
		return;
	}
	s->due = now + q->f_slow_ns;
	apv_mutex_lock(&e->lock);
	s->work_next = NULL;
	s->work_prev = e->tail;
	if (e->tail)
		e->tail->work_next = s;
	else
		e->head = s;
	e->tail = s;
	s->on_work_list = true;
	apv_mutex_unlock(&e->lock);
	/* After the unlock: a woken worker does not block on the lock we still hold. */
	pthread_cond_signal(&e->cond);
}

void hw_engine_forget(struct hw_queue *q, struct hw_slot *s)
{
	struct hw_engine *e = &q->hw->engine;

	if (!e->real) {
		/* Never waits on the virtual clock, so safe under the queue lock. */
		apv_clock_cancel(q->hw->clock, &s->timer);
		return;
	}
	apv_mutex_lock(&e->lock);
	if (s->on_work_list)
		work_unlink(e, s);
	apv_mutex_unlock(&e->lock);
}
