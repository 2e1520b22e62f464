/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtual clock: deterministic order, time steps, callbacks that re-arm. */
#include "testlib.h"

#include <apvirt/clock.h>

struct rec {
	struct apv_clock *c;
	int order[32];
	uint64_t at[32];
	int n;
};

struct tmr {
	struct apv_timer t;
	struct rec *r;
	int id;
	int reps;          /* re-arm itself this many more times */
	uint64_t period;
	struct apv_timer *victim; /* cancel this one when run */
	bool victim_was_armed;
	struct apv_timer *spawn;  /* arm this one at now + spawn_delay */
	uint64_t spawn_delay;
};

static void tmr_fn(void *arg)
{
	struct tmr *m = arg;
	struct rec *r = m->r;

	if (r->n < 32) {
		r->order[r->n] = m->id;
		r->at[r->n] = apv_clock_now(r->c);
		r->n++;
	}
	if (m->victim)
		m->victim_was_armed = apv_clock_cancel(r->c, m->victim);
	if (m->spawn)
		apv_clock_arm(r->c, m->spawn, apv_clock_now(r->c) + m->spawn_delay);
	if (m->reps > 0) {
		m->reps--;
		apv_clock_arm(r->c, &m->t, apv_clock_now(r->c) + m->period);
	}
}

static void tmr_init(struct tmr *m, struct rec *r, int id)
{
	memset(m, 0, sizeof(*m));
	m->r = r;
	m->id = id;
	apv_timer_init(&m->t, tmr_fn, m);
}

TEST(virtual_clock_starts_at_zero_and_only_moves_when_slept)
{
	struct apv_clock *c = apv_clock_new_virtual();

	REQUIRE(c);
	CHECK(apv_clock_is_virtual(c));
	CHECK_U64(apv_clock_now(c), 0);
	CHECK_U64(apv_clock_now(c), 0);
	apv_clock_sleep(c, 1500);
	CHECK_U64(apv_clock_now(c), 1500);
	apv_clock_sleep(c, 0);
	CHECK_U64(apv_clock_now(c), 1500);
	CHECK_U64(apv_clock_next_deadline(c), UINT64_MAX);
	apv_clock_free(c);
}

TEST(timers_fire_in_deadline_order_ties_in_arming_order)
{
	struct rec r = {0};
	struct tmr m[5];

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	for (int i = 0; i < 5; i++)
		tmr_init(&m[i], &r, i);
	apv_clock_arm(r.c, &m[0].t, 300);
	apv_clock_arm(r.c, &m[1].t, 100);
	apv_clock_arm(r.c, &m[2].t, 200);
	apv_clock_arm(r.c, &m[3].t, 100); /* same deadline as 1, armed later */
	apv_clock_arm(r.c, &m[4].t, 200);
	CHECK_U64(apv_clock_next_deadline(r.c), 100);
	apv_clock_sleep(r.c, 1000);
	REQUIRE(r.n == 5);
	int want[5] = {1, 3, 2, 4, 0};
	uint64_t want_at[5] = {100, 100, 200, 200, 300};
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(r.order[i], want[i]);
		CHECK_U64(r.at[i], want_at[i]);
	}
	CHECK_U64(apv_clock_now(r.c), 1000);
	apv_clock_free(r.c);
}

TEST(sleep_stops_at_target_and_leaves_later_timers_armed)
{
	struct rec r = {0};
	struct tmr a, b;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	tmr_init(&b, &r, 2);
	apv_clock_arm(r.c, &a.t, 50);
	apv_clock_arm(r.c, &b.t, 150);
	apv_clock_sleep(r.c, 100);
	CHECK_EQ(r.n, 1);
	CHECK(!apv_timer_armed(&a.t));
	CHECK(apv_timer_armed(&b.t));
	CHECK_U64(apv_clock_next_deadline(r.c), 150);
	apv_clock_sleep(r.c, 50); /* exactly reaches the deadline */
	CHECK_EQ(r.n, 2);
	CHECK_U64(r.at[1], 150);
	apv_clock_free(r.c);
}

TEST(rearming_moves_the_deadline_and_fires_once)
{
	struct rec r = {0};
	struct tmr a;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 7);
	apv_clock_arm(r.c, &a.t, 10);
	apv_clock_arm(r.c, &a.t, 40);
	CHECK_U64(apv_clock_next_deadline(r.c), 40);
	apv_clock_sleep(r.c, 100);
	CHECK_EQ(r.n, 1);
	CHECK_U64(r.at[0], 40);
	apv_clock_free(r.c);
}

TEST(cancel_reports_whether_armed_and_prevents_firing)
{
	struct rec r = {0};
	struct tmr a;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	CHECK(!apv_clock_cancel(r.c, &a.t));
	apv_clock_arm(r.c, &a.t, 10);
	CHECK(apv_timer_armed(&a.t));
	CHECK(apv_clock_cancel(r.c, &a.t));
	CHECK(!apv_timer_armed(&a.t));
	CHECK(!apv_clock_cancel(r.c, &a.t));
	apv_clock_sleep(r.c, 100);
	CHECK_EQ(r.n, 0);
	CHECK_U64(apv_clock_next_deadline(r.c), UINT64_MAX);
	apv_clock_free(r.c);
}

TEST(callback_rearming_itself_runs_periodically_within_one_sleep)
{
	struct rec r = {0};
	struct tmr a;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	a.reps = 3;
	a.period = 25;
	apv_clock_arm(r.c, &a.t, 25);
	apv_clock_sleep(r.c, 1000);
	REQUIRE(r.n == 4);
	for (int i = 0; i < 4; i++)
		CHECK_U64(r.at[i], 25 * (uint64_t)(i + 1));
	CHECK(!apv_timer_armed(&a.t));
	apv_clock_free(r.c);
}

TEST(callback_may_cancel_another_timer_and_arm_a_new_one)
{
	struct rec r = {0};
	struct tmr a, b, s;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	tmr_init(&b, &r, 2);
	tmr_init(&s, &r, 3);
	a.victim = &b.t;
	a.spawn = &s.t;
	a.spawn_delay = 5;
	apv_clock_arm(r.c, &a.t, 10);
	apv_clock_arm(r.c, &b.t, 12);
	apv_clock_sleep(r.c, 100);
	CHECK(a.victim_was_armed);
	REQUIRE(r.n == 2);
	CHECK_EQ(r.order[0], 1);
	CHECK_EQ(r.order[1], 3); /* b was cancelled, s spawned at 10 + 5 */
	CHECK_U64(r.at[1], 15);
	apv_clock_free(r.c);
}

TEST(callback_cancelling_itself_sees_it_already_disarmed)
{
	struct rec r = {0};
	struct tmr a;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	a.victim = &a.t;
	apv_clock_arm(r.c, &a.t, 10);
	apv_clock_sleep(r.c, 20);
	CHECK_EQ(r.n, 1);
	CHECK(!a.victim_was_armed);
	apv_clock_free(r.c);
}

TEST(callback_arming_past_the_window_waits_for_the_next_sleep)
{
	struct rec r = {0};
	struct tmr a, s;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	tmr_init(&s, &r, 2);
	a.spawn = &s.t;
	a.spawn_delay = 100;
	apv_clock_arm(r.c, &a.t, 10);
	apv_clock_sleep(r.c, 50);
	CHECK_EQ(r.n, 1);
	CHECK(apv_timer_armed(&s.t));
	CHECK_U64(apv_clock_next_deadline(r.c), 110);
	apv_clock_sleep(r.c, 60);
	CHECK_EQ(r.n, 2);
	CHECK_U64(r.at[1], 110);
	apv_clock_free(r.c);
}

TEST(timer_armed_in_the_past_fires_without_moving_time_back)
{
	struct rec r = {0};
	struct tmr a;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	apv_clock_sleep(r.c, 500);
	apv_clock_arm(r.c, &a.t, 100);
	CHECK_EQ(apv_clock_run_due(r.c), 1);
	CHECK_EQ(r.n, 1);
	CHECK_U64(r.at[0], 500);
	CHECK_U64(apv_clock_now(r.c), 500);
	apv_clock_free(r.c);
}

TEST(run_due_runs_only_timers_due_now_and_counts_them)
{
	struct rec r = {0};
	struct tmr a, b, c2;

	r.c = apv_clock_new_virtual();
	REQUIRE(r.c);
	tmr_init(&a, &r, 1);
	tmr_init(&b, &r, 2);
	tmr_init(&c2, &r, 3);
	apv_clock_arm(r.c, &a.t, 0);
	apv_clock_arm(r.c, &b.t, 0);
	apv_clock_arm(r.c, &c2.t, 1);
	CHECK_EQ(apv_clock_run_due(r.c), 2);
	CHECK_EQ(apv_clock_run_due(r.c), 0);
	CHECK_EQ(r.n, 2);
	CHECK(apv_timer_armed(&c2.t));
	CHECK(apv_clock_cancel(r.c, &c2.t));
	apv_clock_free(r.c);
}

TEST(sleep_saturates_instead_of_wrapping)
{
	struct apv_clock *c = apv_clock_new_virtual();

	REQUIRE(c);
	apv_clock_sleep(c, 10);
	apv_clock_sleep(c, UINT64_MAX);
	CHECK_U64(apv_clock_now(c), UINT64_MAX);
	apv_clock_free(c);
}

TEST(free_of_null_clock_is_harmless)
{
	apv_clock_free(NULL);
	CHECK(1);
}

TEST_MAIN
