/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The clock: one ordered list of armed timers, and two ways of letting
 * time pass.
 *
 * Virtual: time is a counter. apv_clock_sleep() walks it forward to each
 * due deadline in turn, so a callback always observes now == its deadline
 * and everything a callback arms in the window still runs in order.
 *
 * Real: CLOCK_MONOTONIC, plus one timer thread that sleeps on a condition
 * variable until the earliest deadline. Cancel waits for a callback that is
 * running on that thread, so the owner may free the timer afterwards.
 *
 * The list is kept sorted by (deadline, arming sequence); ties therefore
 * fire in the order they were armed, which keeps virtual runs repeatable.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "apvirt/base.h"

struct apv_clock {
	bool is_virtual;
	struct apv_mutex lock;
	struct apv_timer *head; /* sorted by (deadline, seq) */
	uint64_t seq;

	/* virtual */
	uint64_t now;

	/* real */
	struct timespec base;
	pthread_t thread;
	bool thread_started;
	bool stop;
	pthread_cond_t wake;	/* list head changed or stop requested */
	pthread_cond_t settled; /* the running callback returned */
	struct apv_timer *running;
	int holds; /* objects built on the clock (apv_clock_hold) */
};

/* The armed flag is read without the clock lock by apv_timer_armed(). */
static void set_armed(struct apv_timer *t, bool v)
{
	__atomic_store_n(&t->armed, v, __ATOMIC_RELEASE);
}

static bool timer_before(const struct apv_timer *a, const struct apv_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

/* Caller holds c->lock. */
static void list_unlink(struct apv_clock *c, struct apv_timer *t)
{
	struct apv_timer **pp;

	for (pp = &c->head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	set_armed(t, false);
}

/* Caller holds c->lock; t is not on the list. */
static void list_insert(struct apv_clock *c, struct apv_timer *t)
{
	struct apv_timer **pp = &c->head;

	t->seq = c->seq++;
	while (*pp && !timer_before(t, *pp))
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	set_armed(t, true);
}

static uint64_t ts_to_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * APV_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static uint64_t real_now(const struct apv_clock *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts_to_ns(&ts) - ts_to_ns(&c->base);
}

static struct timespec real_abs_deadline(const struct apv_clock *c, uint64_t deadline)
{
	uint64_t abs = ts_to_ns(&c->base) + deadline;
	struct timespec ts;

	if (abs < deadline) /* wrapped: "never" */
		abs = UINT64_MAX;
	ts.tv_sec = (time_t)(abs / APV_NSEC_PER_SEC);
	ts.tv_nsec = (long)(abs % APV_NSEC_PER_SEC);
	return ts;
}

static void *timer_thread(void *arg)
{
	struct apv_clock *c = arg;

	apv_mutex_lock(&c->lock);
	while (!c->stop) {
		struct apv_timer *t = c->head;

		if (!t) {
			apv_cond_wait(&c->wake, &c->lock);
			continue;
		}
		if (t->deadline > real_now(c)) {
			struct timespec ts = real_abs_deadline(c, t->deadline);

			apv_cond_timedwait(&c->wake, &c->lock, &ts);
			continue;
		}
		c->head = t->next;
		t->next = NULL;
		set_armed(t, false);
		c->running = t;
		apv_mutex_unlock(&c->lock);
		t->fn(t->arg);
		apv_mutex_lock(&c->lock);
		c->running = NULL;
		pthread_cond_broadcast(&c->settled);
	}
	apv_mutex_unlock(&c->lock);
	return NULL;
}

static struct apv_clock *clock_alloc(bool is_virtual)
{
	struct apv_clock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->is_virtual = is_virtual;
	apv_mutex_init(&c->lock, APV_LOCK_CLOCK);
	return c;
}

struct apv_clock *apv_clock_new_virtual(void)
{
	return clock_alloc(true);
}

struct apv_clock *apv_clock_new_real(void)
{
	struct apv_clock *c = clock_alloc(false);
	pthread_condattr_t attr;

	if (!c)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &c->base);
	/* Deadlines are monotonic times, so the condvar must wait on that clock. */
	if (pthread_condattr_init(&attr))
		goto fail_lock;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&c->wake, &attr)) {
		pthread_condattr_destroy(&attr);
		goto fail_lock;
	}
	pthread_condattr_destroy(&attr);
	if (pthread_cond_init(&c->settled, NULL))
		goto fail_wake;
	if (pthread_create(&c->thread, NULL, timer_thread, c))
		goto fail_settled;
	c->thread_started = true;
	return c;

fail_settled:
	pthread_cond_destroy(&c->settled);
fail_wake:
	pthread_cond_destroy(&c->wake);
fail_lock:
	apv_mutex_destroy(&c->lock);
	free(c);
	return NULL;
}

void apv_clock_hold(struct apv_clock *c)
{
	if (!c)
		return;
	apv_mutex_lock(&c->lock);
	c->holds++;
	apv_mutex_unlock(&c->lock);
}

void apv_clock_release(struct apv_clock *c)
{
	if (!c)
		return;
	apv_mutex_lock(&c->lock);
	if (c->holds > 0)
		c->holds--;
	apv_mutex_unlock(&c->lock);
}

int apv_clock_free(struct apv_clock *c)
{
	int holds;

	if (!c)
		return 0;
	apv_mutex_lock(&c->lock);
	holds = c->holds;
	apv_mutex_unlock(&c->lock);
	if (holds)
		return -EBUSY;
	if (!c->is_virtual) {
		apv_mutex_lock(&c->lock);
		c->stop = true;
		pthread_cond_broadcast(&c->wake);
		apv_mutex_unlock(&c->lock);
		if (c->thread_started)
			pthread_join(c->thread, NULL);
		pthread_cond_destroy(&c->settled);
		pthread_cond_destroy(&c->wake);
	}
	apv_mutex_destroy(&c->lock);
	free(c);
	return 0;
}

bool apv_clock_is_virtual(const struct apv_clock *c)
{
	return c && c->is_virtual;
}

uint64_t apv_clock_now(struct apv_clock *c)
{
	uint64_t now;

	if (!c)
		return 0;
	if (!c->is_virtual)
		return real_now(c);
	apv_mutex_lock(&c->lock);
	now = c->now;
	apv_mutex_unlock(&c->lock);
	return now;
}

void apv_timer_init(struct apv_timer *t, void (*fn)(void *arg), void *arg)
{
	if (!t)
		return;
	t->fn = fn;
	t->arg = arg;
	t->deadline = 0;
	t->seq = 0;
	t->next = NULL;
	set_armed(t, false);
}

void apv_clock_arm(struct apv_clock *c, struct apv_timer *t, uint64_t deadline)
{
	if (!c || !t)
		return;
	apv_mutex_lock(&c->lock);
	if (t->armed)
		list_unlink(c, t);
	t->deadline = deadline;
	list_insert(c, t);
	if (!c->is_virtual && c->head == t)
		pthread_cond_signal(&c->wake);
	apv_mutex_unlock(&c->lock);
}

bool apv_clock_cancel(struct apv_clock *c, struct apv_timer *t)
{
	bool was;

	if (!c || !t)
		return false;
	apv_mutex_lock(&c->lock);
	was = t->armed;
	if (was)
		list_unlink(c, t);
	/*
	 * A callback cancelling its own timer must not wait for itself; any
	 * other thread waits, so that after we return fn is not running. A
	 * callback that re-armed its timer meanwhile is disarmed again: on
	 * return the timer is neither armed nor running.
	 */
	if (!c->is_virtual && !pthread_equal(pthread_self(), c->thread)) {
		while (c->running == t) {
			apv_cond_wait(&c->settled, &c->lock);
			if (t->armed) {
				list_unlink(c, t);
				was = true;
			}
		}
	}
	apv_mutex_unlock(&c->lock);
	return was;
}

bool apv_timer_armed(const struct apv_timer *t)
{
	return t && __atomic_load_n(&t->armed, __ATOMIC_ACQUIRE);
}

/*
 * Pop the earliest timer if it is due by `limit`, moving virtual time to
 * its deadline (never backwards: another thread may be ahead of us).
 */
static struct apv_timer *virtual_pop_due(struct apv_clock *c, uint64_t limit)
{
	struct apv_timer *t;

	apv_mutex_lock(&c->lock);
	t = c->head;
	if (t && t->deadline <= limit) {
		c->head = t->next;
		t->next = NULL;
		set_armed(t, false);
		if (t->deadline > c->now)
			c->now = t->deadline;
	} else {
		t = NULL;
	}
	apv_mutex_unlock(&c->lock);
	return t;
}

/*
 * Waking a sleeping thread takes tens of microseconds (timer slack,
 * scheduler); a wait shorter than APV_CLOCK_SPIN_NS spins on the clock
 * instead, the way the kernel uses udelay() rather than usleep() for a few
 * microseconds. The stack's polling loops start with such short waits.
 */
#define APV_CLOCK_SPIN_NS (10 * APV_NSEC_PER_USEC)

static void real_sleep(const struct apv_clock *c, uint64_t ns)
{
	struct timespec ts = {
	    .tv_sec = (time_t)(ns / APV_NSEC_PER_SEC),
	    .tv_nsec = (long)(ns % APV_NSEC_PER_SEC),
	};

	if (ns <= APV_CLOCK_SPIN_NS) {
		uint64_t end = real_now(c) + ns;

		while (real_now(c) < end)
			;
		return;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

void apv_clock_sleep(struct apv_clock *c, uint64_t ns)
{
	uint64_t target;
	struct apv_timer *t;

	if (!c)
		return;
	if (!c->is_virtual) {
		real_sleep(c, ns);
		return;
	}
	apv_mutex_lock(&c->lock);
	target = c->now + ns;
	if (target < c->now)
		target = UINT64_MAX;
	apv_mutex_unlock(&c->lock);

	while ((t = virtual_pop_due(c, target)) != NULL)
		t->fn(t->arg);

	apv_mutex_lock(&c->lock);
	if (target > c->now)
		c->now = target;
	apv_mutex_unlock(&c->lock);
}

unsigned apv_clock_run_due(struct apv_clock *c)
{
	unsigned n = 0;
	struct apv_timer *t;

	if (!c || !c->is_virtual)
		return 0;
	for (;;) {
		uint64_t now = apv_clock_now(c);

		t = virtual_pop_due(c, now);
		if (!t)
			break;
		t->fn(t->arg);
		n++;
	}
	return n;
}

uint64_t apv_clock_next_deadline(struct apv_clock *c)
{
	uint64_t d;

	if (!c)
		return UINT64_MAX;
	apv_mutex_lock(&c->lock);
	d = c->head ? c->head->deadline : UINT64_MAX;
	apv_mutex_unlock(&c->lock);
	return d;
}
