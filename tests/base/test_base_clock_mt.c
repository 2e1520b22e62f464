/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real clock and the virtual clock under threads. No timing assertion:
 * only order, "ran at least once / exactly once", and that cancel returns
 * after a running callback has finished. Every wait is bounded.
 */
#include "testlib.h"

#include <pthread.h>
#include <stdatomic.h>

#include <apvirt/clock.h>

/* Poll `flag` up to ~10 s of real time; true when it became set. */
static bool wait_for(atomic_int *flag, int want)
{
	struct apv_clock *c = apv_clock_new_real();
	bool ok = false;

	for (int i = 0; i < 10000 && c; i++) {
		if (atomic_load(flag) >= want) {
			ok = true;
			break;
		}
		apv_clock_sleep(c, APV_NSEC_PER_MSEC);
	}
	apv_clock_free(c);
	return ok;
}

struct ord {
	struct apv_timer t;
	int id;
	atomic_int *pos;
	atomic_int *done;
	int *slots;
};

static void ord_fn(void *arg)
{
	struct ord *o = arg;
	int p = atomic_fetch_add(o->pos, 1);

	if (p < 8)
		o->slots[p] = o->id;
	atomic_fetch_add(o->done, 1); /* publishes the slot written above */
}

TEST(real_clock_runs_due_timers_in_deadline_order)
{
	struct apv_clock *c = apv_clock_new_real();
	bool conclusive = false;

	REQUIRE(c);
	CHECK(!apv_clock_is_virtual(c));
	/*
	 * The order says something only when all four were armed before the
	 * first deadline: a thread preempted between two arms (a loaded
	 * machine) lets an earlier-armed timer fire on its own. Such a round
	 * is repeated, never judged.
	 */
	for (int round = 0; round < 20 && !conclusive; round++) {
		atomic_int pos = 0, done = 0;
		int slots[8] = {0};
		struct ord o[4];

		for (int i = 0; i < 4; i++) {
			o[i] = (struct ord){.id = i, .pos = &pos, .done = &done, .slots = slots};
			apv_timer_init(&o[i].t, ord_fn, &o[i]);
		}
		/* All four are armed relative to one instant, so the order is by deadline. */
		uint64_t first = apv_clock_now(c) + 5 * APV_NSEC_PER_MSEC;
		apv_clock_arm(c, &o[2].t, first + 2 * APV_NSEC_PER_MSEC);
		apv_clock_arm(c, &o[0].t, first);
		apv_clock_arm(c, &o[3].t, first + 3 * APV_NSEC_PER_MSEC);
		apv_clock_arm(c, &o[1].t, first + 1 * APV_NSEC_PER_MSEC);
		uint64_t armed = apv_clock_now(c);
		REQUIRE(wait_for(&done, 4));
		if (armed >= first)
			continue;
		conclusive = true;
		for (int i = 0; i < 4; i++)
			CHECK_EQ(slots[i], i);
	}
	CHECK(conclusive);
	apv_clock_free(c);
}

TEST(real_clock_now_is_monotonic_and_sleep_advances_it)
{
	struct apv_clock *c = apv_clock_new_real();

	REQUIRE(c);
	uint64_t a = apv_clock_now(c);
	apv_clock_sleep(c, 100 * APV_NSEC_PER_USEC);
	uint64_t b = apv_clock_now(c);
	CHECK(b >= a + 100 * APV_NSEC_PER_USEC);
	CHECK_EQ(apv_clock_run_due(c), 0);
	apv_clock_free(c);
}

struct slow {
	struct apv_timer t;
	struct apv_clock *c;
	atomic_int started;
	atomic_int finished;
};

static void slow_fn(void *arg)
{
	struct slow *s = arg;

	atomic_store(&s->started, 1);
	apv_clock_sleep(s->c, 20 * APV_NSEC_PER_MSEC);
	atomic_store(&s->finished, 1);
}

TEST(real_cancel_waits_for_a_running_callback)
{
	struct slow s = {0};

	s.c = apv_clock_new_real();
	REQUIRE(s.c);
	apv_timer_init(&s.t, slow_fn, &s);
	apv_clock_arm(s.c, &s.t, apv_clock_now(s.c));
	REQUIRE(wait_for(&s.started, 1));
	/* Already running: not armed any more, but cancel must wait for it. */
	CHECK(!apv_clock_cancel(s.c, &s.t));
	CHECK_EQ(atomic_load(&s.finished), 1);
	apv_clock_free(s.c);
}

struct periodic {
	struct apv_timer t;
	struct apv_clock *c;
	atomic_int runs;
	atomic_int self_cancel_at; /* cancel itself on this run (0 = never) */
	atomic_int cancelled_self;
};

static void periodic_fn(void *arg)
{
	struct periodic *p = arg;
	int n = atomic_fetch_add(&p->runs, 1) + 1;

	apv_clock_arm(p->c, &p->t, apv_clock_now(p->c) + 100 * APV_NSEC_PER_USEC);
	if (n == atomic_load(&p->self_cancel_at)) {
		/* From its own callback: must not deadlock waiting for itself. */
		atomic_store(&p->cancelled_self, apv_clock_cancel(p->c, &p->t) ? 1 : -1);
	}
}

TEST(real_callback_rearms_itself_and_can_cancel_itself)
{
	struct periodic p = {0};

	p.c = apv_clock_new_real();
	REQUIRE(p.c);
	atomic_store(&p.self_cancel_at, 3);
	apv_timer_init(&p.t, periodic_fn, &p);
	apv_clock_arm(p.c, &p.t, apv_clock_now(p.c));
	REQUIRE(wait_for(&p.cancelled_self, 1));
	CHECK_EQ(atomic_load(&p.cancelled_self), 1); /* it had just re-armed */
	CHECK(!apv_timer_armed(&p.t));
	CHECK_EQ(atomic_load(&p.runs), 3);
	apv_clock_free(p.c);
}

TEST(real_periodic_timer_stops_after_cancel_from_another_thread)
{
	struct periodic p = {0};

	p.c = apv_clock_new_real();
	REQUIRE(p.c);
	apv_timer_init(&p.t, periodic_fn, &p);
	apv_clock_arm(p.c, &p.t, apv_clock_now(p.c));
	REQUIRE(wait_for(&p.runs, 3));
	/* One cancel suffices even if the callback re-arms while we wait for it. */
	apv_clock_cancel(p.c, &p.t);
	CHECK(!apv_timer_armed(&p.t));
	int runs = atomic_load(&p.runs);
	apv_clock_sleep(p.c, 2 * APV_NSEC_PER_MSEC);
	CHECK_EQ(atomic_load(&p.runs), runs);
	CHECK(!apv_timer_armed(&p.t));
	apv_clock_free(p.c);
}

struct counter {
	struct apv_timer t;
	atomic_int *total;
	atomic_int fired;
};

static void counter_fn(void *arg)
{
	struct counter *k = arg;

	atomic_fetch_add(&k->fired, 1);
	atomic_fetch_add(k->total, 1);
}

struct arm_job {
	struct apv_clock *c;
	struct counter k[16];
	atomic_int *total;
	bool cancel_odd;
	bool cancel_ok[16]; /* checked by the main thread: CHECK is not thread-safe */
};

static void *arm_thread(void *arg)
{
	struct arm_job *j = arg;

	for (int i = 0; i < 16; i++) {
		j->k[i].total = j->total;
		apv_timer_init(&j->k[i].t, counter_fn, &j->k[i]);
		bool cancel = j->cancel_odd && (i & 1);

		/*
		 * Arm, re-arm and (for odd ones) cancel, concurrently with the
		 * other threads. The first arming and the re-arming of timers
		 * to be cancelled are far out, so that neither can fire before
		 * the re-arm or the cancel even when this thread is descheduled
		 * for a long time on a loaded machine.
		 */
		apv_clock_arm(j->c, &j->k[i].t, apv_clock_now(j->c) + 60 * APV_NSEC_PER_SEC);
		apv_clock_arm(j->c, &j->k[i].t,
			      apv_clock_now(j->c) +
				      (cancel ? 100 * APV_NSEC_PER_SEC : (uint64_t)i * APV_NSEC_PER_USEC));
		j->cancel_ok[i] = cancel ? apv_clock_cancel(j->c, &j->k[i].t) : true;
	}
	return NULL;
}

static void run_arm_threads(struct apv_clock *c, bool is_virtual)
{
	atomic_int total = 0;
	struct arm_job jobs[4];
	pthread_t th[4];
	int expect = 0;

	for (int i = 0; i < 4; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].c = c;
		jobs[i].total = &total;
		jobs[i].cancel_odd = (i % 2) == 0;
		REQUIRE(pthread_create(&th[i], NULL, arm_thread, &jobs[i]) == 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	if (is_virtual)
		apv_clock_sleep(c, APV_NSEC_PER_SEC);
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 16; k++)
			expect += (jobs[i].cancel_odd && (k & 1)) ? 0 : 1;
	if (!is_virtual)
		REQUIRE(wait_for(&total, expect));
	CHECK_EQ(atomic_load(&total), expect);
	for (int i = 0; i < 4; i++) {
		for (int k = 0; k < 16; k++) {
			/* Exactly once each, never for a cancelled one. */
			int want = (jobs[i].cancel_odd && (k & 1)) ? 0 : 1;
			CHECK(jobs[i].cancel_ok[k]);
			CHECK_EQ(atomic_load(&jobs[i].k[k].fired), want);
			CHECK(!apv_timer_armed(&jobs[i].k[k].t));
		}
	}
}

TEST(real_clock_arm_and_cancel_from_many_threads)
{
	struct apv_clock *c = apv_clock_new_real();

	REQUIRE(c);
	run_arm_threads(c, false);
	apv_clock_free(c);
}

TEST(virtual_clock_accepts_timers_armed_by_other_threads)
{
	struct apv_clock *c = apv_clock_new_virtual();

	REQUIRE(c);
	run_arm_threads(c, true);
	apv_clock_free(c);
}

struct sleeper {
	struct apv_clock *c;
	atomic_int stop;
};

static void *sleeper_thread(void *arg)
{
	struct sleeper *s = arg;

	while (!atomic_load(&s->stop))
		apv_clock_sleep(s->c, 10 * APV_NSEC_PER_USEC);
	return NULL;
}

TEST(virtual_clock_advanced_by_one_thread_runs_timers_armed_by_another)
{
	struct sleeper s = {0};
	atomic_int total = 0;
	struct counter k[32];
	pthread_t th;

	s.c = apv_clock_new_virtual();
	REQUIRE(s.c);
	REQUIRE(pthread_create(&th, NULL, sleeper_thread, &s) == 0);
	for (int i = 0; i < 32; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].total = &total;
		apv_timer_init(&k[i].t, counter_fn, &k[i]);
		apv_clock_arm(s.c, &k[i].t, apv_clock_now(s.c) + 50 * APV_NSEC_PER_USEC);
	}
	bool done = wait_for(&total, 32);
	atomic_store(&s.stop, 1);
	pthread_join(th, NULL);
	CHECK(done);
	for (int i = 0; i < 32; i++) {
		CHECK_EQ(atomic_load(&k[i].fired), 1);
		CHECK(!apv_timer_armed(&k[i].t));
	}
	apv_clock_free(s.c);
}

TEST_MAIN
