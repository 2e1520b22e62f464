/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The waits of an AQIC disable, polled instead of slept: the I bit, the
 * enable still taking effect (RC07), a queue that is resetting or busy.
 * Each keeps its retry count, its budget and its result, and ends as soon
 * as the hardware has done what it was waited for. Virtual clock: the
 * times are exact.
 */
#include "vfio_fixture.h"

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;

/* The latest a wait of `ns` is seen to end: the looks are 1/16 of the time waited apart, >= 5 us.
 */
#define SEEN_BY(ns) ((ns) + (ns) / 16 + 5 * APV_NSEC_PER_USEC)

static void init_irq(struct fx *f, uint64_t irq_ns)
{
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.irq_ns = irq_ns;
	fx_init_opts(f, &o);
	fx_assign(f, f->mdev);
	fx_attach(f);
}

static uint64_t hw_aqics(struct fx *f)
{
	struct apv_hw_queue_stats s;

	apv_hw_queue_stats(f->hw, Q, &s);
	return s.aqic;
}

/* A disable through the guest's PQAP: its RC, its virtual duration. */
static uint64_t timed_disable(struct fx *f, int rc)
{
	uint64_t t0 = apv_clock_now(f->clk);

	CHECK_AQIC(f, fx_disable(f, Q), rc);
	return apv_clock_now(f->clk) - t0;
}

TEST(disable_ends_when_the_i_bit_goes_off)
{
	struct apv_hw_config d;
	struct fx f;
	uint64_t t;

	apv_hw_config_default(&d);
	init_irq(&f, d.irq_ns);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	t = timed_disable(&f, 0);
	CHECK(t >= d.irq_ns && t <= SEEN_BY(d.irq_ns)); /* was one 20 ms sleep */
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(i_bit_clearing_late_is_waited_for_within_the_budget)
{
	struct fx f;
	uint64_t t;

	/* 30 ms: more than one old 20 ms interval, inside the 80 ms budget. */
	init_irq(&f, 30 * APV_NSEC_PER_MSEC);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	apv_clock_sleep(f.clk, 40 * APV_NSEC_PER_MSEC);
	REQUIRE(fx_hw_irq(&f, Q));
	t = timed_disable(&f, 0);
	CHECK(t >= 30 * APV_NSEC_PER_MSEC && t <= SEEN_BY(30 * APV_NSEC_PER_MSEC));
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);

	/* 200 ms: the wait gives up where the kernel's fifth TAPQ would, then frees. */
	init_irq(&f, 200 * APV_NSEC_PER_MSEC);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	apv_clock_sleep(f.clk, 250 * APV_NSEC_PER_MSEC);
	REQUIRE(fx_hw_irq(&f, Q));
	t = timed_disable(&f, 0);
	CHECK_U64(t, 4 * 20 * APV_NSEC_PER_MSEC);
	FX_BALANCE(&f, 0, 0, 2);
	apv_clock_sleep(f.clk, 200 * APV_NSEC_PER_MSEC);
	fx_fini(&f);
}

TEST(rc07_while_the_enable_lands_repeats_the_disable_as_soon_as_it_landed)
{
	struct apv_hw_config d;
	struct fx f;
	uint64_t n, t;

	apv_hw_config_default(&d);
	init_irq(&f, d.irq_ns);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	n = hw_aqics(&f);
	/* RC07 (still enabling), watch until I comes on, disable again (RC00), wait for I off. */
	t = timed_disable(&f, 0);
	CHECK_U64(hw_aqics(&f) - n, 2);
	CHECK(t >= 2 * d.irq_ns && t <= 2 * SEEN_BY(d.irq_ns)); /* was 40 ms */
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(rc07_with_the_i_bit_off_waits_only_when_a_nib_is_held)
{
	struct fx f;

	init_irq(&f, 100 * APV_NSEC_PER_USEC);
	/* Never enabled: RC07 means "already disabled"; no enable of ours can land. */
	CHECK_U64(timed_disable(&f, 7), 0);
	/*
	 * Enabled, then reset by the guest (interpreted ZAPQ: I off, the host
	 * still holds the NIB): RC07 could be an enable on its way, so the I
	 * bit is watched for the whole 20 ms before the NIB goes.
	 */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_zapq(f.hw, Q)), 0);
	fx_settle(&f);
	CHECK_U64(timed_disable(&f, 7), 20 * APV_NSEC_PER_MSEC);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

struct at_fn {
	struct apv_timer t;
	struct fx *f;
	int what; /* 0: clear faults on Q, 1: deconfigure Q's adapter */
};

static void at_fire(void *arg)
{
	struct at_fn *a = arg;
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	if (a->what == 0)
		apv_hw_inject(a->f->hw, Q, &none);
	else
		apv_hw_configure_adapter(a->f->hw, FX_A1, false);
}

static void at(struct at_fn *a, struct fx *f, int what, uint64_t after)
{
	a->f = f;
	a->what = what;
	apv_timer_init(&a->t, at_fire, a);
	apv_clock_arm(f->clk, &a->t, apv_clock_now(f->clk) + after);
}

TEST(queue_gone_in_the_middle_of_the_i_bit_wait_ends_it)
{
	struct at_fn a;
	struct fx f;
	uint64_t t;

	init_irq(&f, 50 * APV_NSEC_PER_MSEC);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	apv_clock_sleep(f.clk, 60 * APV_NSEC_PER_MSEC);
	at(&a, &f, 1, APV_NSEC_PER_MSEC);
	t = timed_disable(&f, 0);
	CHECK(t >= APV_NSEC_PER_MSEC && t <= SEEN_BY(APV_NSEC_PER_MSEC));
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A1, true) == 0);
	fx_fini(&f);
}

TEST(queue_gone_while_an_enable_may_land_ends_that_wait)
{
	struct at_fn a;
	struct fx f;
	uint64_t t;

	init_irq(&f, 50 * APV_NSEC_PER_MSEC);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	at(&a, &f, 1, APV_NSEC_PER_MSEC);
	t = timed_disable(&f, 7); /* still enabling: RC07, then the adapter goes */
	CHECK(t >= APV_NSEC_PER_MSEC && t <= SEEN_BY(APV_NSEC_PER_MSEC));
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A1, true) == 0);
	fx_fini(&f);
}

TEST(busy_aqic_is_repeated_once_tapq_says_the_queue_is_not_busy)
{
	struct apv_hw_config d;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct at_fn a;
	struct fx f;
	uint64_t n, t;

	apv_hw_config_default(&d);
	init_irq(&f, d.irq_ns);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	at(&a, &f, 0, 3 * APV_NSEC_PER_MSEC);
	n = hw_aqics(&f);
	t = timed_disable(&f, 0); /* RC05, the queue busy until 3 ms, RC00, I off */
	CHECK_U64(hw_aqics(&f) - n, 2);
	CHECK(t >= 3 * APV_NSEC_PER_MSEC + d.irq_ns);
	CHECK(t <= SEEN_BY(3 * APV_NSEC_PER_MSEC) + SEEN_BY(d.irq_ns)); /* was 40 ms */
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(busy_for_good_still_gets_six_attempts_twenty_ms_apart)
{
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	struct fx f;
	uint64_t n;

	init_irq(&f, 100 * APV_NSEC_PER_USEC);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	n = hw_aqics(&f);
	CHECK_U64(timed_disable(&f, 5), 5 * 20 * APV_NSEC_PER_MSEC);
	CHECK_U64(hw_aqics(&f) - n, 6);
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_inject(f.hw, Q, &none) == 0);
	fx_fini(&f);
}

TEST_MAIN
