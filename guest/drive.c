/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving the bus: the adapter interruption handler, one driving pass
 * (what the AP bus tasklet does: re-arm the NIB, run every queue), and
 * the waits between passes (ap_wait): the 250 us poll when a queue has no
 * interruptions, LOW_TIMEOUT for slow state changes, otherwise the
 * interruption itself.
 *
 * With a virtual clock a wait moves time to the next hardware event, so
 * the interruption is delivered on this very thread. With a real clock
 * the interruption comes on a hardware thread: the handler only sets a
 * flag and signals a condition variable; a driver thread takes it from
 * there.
 */
#include <errno.h>
#include <time.h>

#include "guest_internal.h"

void gd_completed(struct apv_guest *g)
{
	apv_mutex_lock(&g->wait_mu);
	g->gen++;
	apv_mutex_unlock(&g->wait_mu);
	/* After the unlock: a woken waiter does not block again on wait_mu we still hold. */
	pthread_cond_broadcast(&g->wait_cv);
}

/* Never takes g->lock: the interruption may arrive inside an instruction. */
void gd_airq(void *arg)
{
	struct apv_guest *g = arg;

	apv_mutex_lock(&g->wait_mu);
	g->irq_pending = true;
	g->irq_count++;
	apv_mutex_unlock(&g->wait_mu);
	pthread_cond_broadcast(&g->wait_cv);
}

static bool take_irq(struct apv_guest *g, uint64_t *gen)
{
	bool irq;

	apv_mutex_lock(&g->wait_mu);
	irq = g->irq_pending;
	g->irq_pending = false;
	g->st.interrupts = g->irq_count;
	if (gen)
		*gen = g->gen;
	apv_mutex_unlock(&g->wait_mu);
	return irq;
}

/* The tasklet: clear the NIB first so that a later reply raises a new one. */
static void rearm_nib(struct apv_guest *g)
{
	uint8_t nib = 0, zero = 0;

	if (apv_storage_read(&g->p.storage, g->nib, &nib, 1))
		return;
	if (nib) {
		g->st.nib_set++;
		(void)apv_storage_write(&g->p.storage, g->nib, &zero, 1);
	}
}

static bool runnable(const struct gq *q)
{
	return q->driven && q->state >= APV_GQ_RESET_START && q->state <= APV_GQ_QUEUE_FULL;
}

/* One pass under g->lock. Returns what to wait for. */
static enum gq_wait pass(struct apv_guest *g, enum gq_wake wake, uint64_t *gen)
{
	bool irq = take_irq(g, gen);
	bool timer = wake == WAKE_POLL || wake == WAKE_LOW || wake == WAKE_WATCHDOG;
	enum gq_wait w = GQ_NONE;

	switch (wake) {
	case WAKE_POLL:
		g->st.polls++;
		break;
	case WAKE_LOW:
		g->st.low_polls++;
		break;
	case WAKE_WATCHDOG:
		if (g->active)
			g->st.watchdog++;
		break;
	default:
		break;
	}
	if (irq && g->irq)
		rearm_nib(g);
	if (!g->probed || g->removed)
		return GQ_NONE;
	if (g->cfg.config_time_ns && g_now(g) >= g->next_scan) {
		gs_scan(g);
		g->st.rescans++;
		g->next_scan = g_now(g) + g->cfg.config_time_ns;
	}
	g->in_irq_pass = irq;
	for (int round = 0; round < 4; round++) {
		g->kick = false;
		w = GQ_NONE;
		for (unsigned i = 0; i < g->nq; i++) {
			struct gq *q = g->q[i];
			enum gq_wait qw;

			if (!runnable(q))
				continue;
			if (round == 0 && timer && q->last_wait >= GQ_LOW)
				q->st.polls++;
			qw = gq_run(q);
			q->last_wait = qw;
			if (qw > w)
				w = qw;
		}
		if (!g->kick)
			break;
	}
	g->in_irq_pass = false;
	return w;
}

unsigned apv_guest_poll(struct apv_guest *g)
{
	uint64_t before;

	if (!g)
		return 0;
	apv_mutex_lock(&g->lock);
	before = g->completed;
	(void)pass(g, WAKE_CALL, NULL);
	before = g->completed - before;
	apv_mutex_unlock(&g->lock);
	return (unsigned)before;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * Wait for an interruption or another thread's completion, at most cap ns.
 * Returns why the wait ended. On the real clock the thread sleeps at once,
 * as a zcrypt caller sleeps on its request's completion until the AP bus's
 * tasklet (interruption) or poll timer completes it: nothing spins.
 */
static enum gq_wake wait_event(struct apv_guest *g, uint64_t gen, uint64_t cap)
{
	struct apv_clock *c = g->p.clock;
	enum gq_wake why;

	if (apv_clock_is_virtual(c)) {
		uint64_t now = apv_clock_now(c), next = apv_clock_next_deadline(c);
		bool to_next = next != UINT64_MAX && (next <= now || next - now <= cap);

		if (to_next && next <= now)
			apv_clock_run_due(c);
		else
			apv_clock_sleep(c, to_next ? next - now : cap);
		apv_mutex_lock(&g->wait_mu);
		why = (g->irq_pending || g->gen != gen) ? WAKE_IRQ
		      : to_next				? WAKE_CALL
							: WAKE_WATCHDOG;
		apv_mutex_unlock(&g->wait_mu);
		return why;
	}

	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(cap / APV_NSEC_PER_SEC);
	ts.tv_nsec += (long)(cap % APV_NSEC_PER_SEC);
	if (ts.tv_nsec >= (long)APV_NSEC_PER_SEC) {
		ts.tv_sec++;
		ts.tv_nsec -= (long)APV_NSEC_PER_SEC;
	}
	apv_mutex_lock(&g->wait_mu);
	why = WAKE_WATCHDOG;
	while (!g->irq_pending && g->gen == gen) {
		if (apv_cond_timedwait(&g->wait_cv, &g->wait_mu, &ts) == ETIMEDOUT)
			break;
	}
	if (g->irq_pending || g->gen != gen)
		why = WAKE_IRQ;
	apv_mutex_unlock(&g->wait_mu);
	return why;
}

int gd_drive_until(struct apv_guest *g, bool (*pred)(struct apv_guest *g, void *arg), void *arg,
		   uint64_t timeout_ns)
{
	struct apv_clock *c = g->p.clock;
	uint64_t start = apv_clock_now(c);
	uint64_t deadline = timeout_ns > UINT64_MAX - start ? UINT64_MAX : start + timeout_ns;
	enum gq_wake wake = WAKE_CALL;

	for (;;) {
		uint64_t gen = 0, now, left;
		enum gq_wait w;
		bool done;

		apv_mutex_lock(&g->lock);
		w = pass(g, wake, &gen);
		done = pred(g, arg);
		apv_mutex_unlock(&g->lock);
		if (done)
			return 0;
		now = apv_clock_now(c);
		if (now >= deadline)
			return -ETIMEDOUT;
		left = deadline - now;
		switch (w) {
		case GQ_HIGH:
			apv_clock_sleep(c, min_u64(g->cfg.poll_ns, left));
			wake = WAKE_POLL;
			break;
		case GQ_LOW:
			apv_clock_sleep(c, min_u64(g->cfg.low_poll_ns, left));
			wake = WAKE_LOW;
			break;
		default:
			/* Interrupt-driven (or idle): the LOW_TIMEOUT cap is a watchdog. */
			wake = wait_event(g, gen, min_u64(g->cfg.low_poll_ns, left));
			break;
		}
	}
}

/* ---- public waits ---------------------------------------------------------------------- */

static bool pred_req_done(struct apv_guest *g, void *arg)
{
	const struct apv_guest_req *r = arg;

	(void)g;
	return r->priv.state == REQ_DONE;
}

static bool pred_idle(struct apv_guest *g, void *arg)
{
	(void)arg;
	return g->active == 0;
}

static bool pred_never(struct apv_guest *g, void *arg)
{
	(void)g;
	(void)arg;
	return false;
}

int apv_guest_wait(struct apv_guest *g, struct apv_guest_req *r, uint64_t timeout_ns)
{
	int rc;

	if (!g)
		return -EINVAL;
	if (!r)
		return gd_drive_until(g, pred_idle, NULL, timeout_ns);
	apv_mutex_lock(&g->lock);
	rc = r->priv.state == REQ_FREE ? -EINVAL : 0;
	apv_mutex_unlock(&g->lock);
	if (rc)
		return rc;
	rc = gd_drive_until(g, pred_req_done, r, timeout_ns);
	return rc ? rc : r->result;
}

void apv_guest_run(struct apv_guest *g, uint64_t ns)
{
	if (g)
		(void)gd_drive_until(g, pred_never, NULL, ns);
}
