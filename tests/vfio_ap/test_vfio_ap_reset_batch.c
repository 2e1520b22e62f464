/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue resets in batches: every path that resets several queues (VFIO
 * reset, detach, mdev remove, unassign, host configuration change, bus
 * mask change, module unload) issues every ZAPQ first and verifies them
 * together, so it takes as long as its slowest queue, not the sum, and a
 * busy queue delays neither the ZAPQ nor the verification of the others. The virtual clock
 * makes the times exact; the hardware records when each queue's latest
 * reset started (apv_hw_queue_stats.last_reset_ns).
 */
#include "vfio_fixture.h"

#define SLOW (100 * APV_NSEC_PER_MSEC)
/* The latest a wait of `ns` is seen to end: the looks are 1/16 of the time waited apart, >= 5 us.
 */
#define SEEN_BY(ns) ((ns) + (ns) / 16 + 5 * APV_NSEC_PER_USEC)

static const apv_apqn_t QS[4] = {(FX_A1 << 8) | FX_D1, (FX_A1 << 8) | FX_D2, (FX_A2 << 8) | FX_D1,
				 (FX_A2 << 8) | FX_D2};

/* The fixture with hardware resets that take `reset_ns`. */
static void init_slow(struct fx *f, uint64_t reset_ns)
{
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.reset_ns = reset_ns;
	fx_init_opts(f, &o);
}

static struct apv_hw_queue_stats hwq(struct fx *f, apv_apqn_t q)
{
	struct apv_hw_queue_stats s;

	apv_hw_queue_stats(f->hw, q, &s);
	return s;
}

/* Every queue of QS got exactly one ZAPQ since `before`, all of them at `t0`. */
static void check_zapqs_at(struct fx *f, const uint64_t before[4], uint64_t t0)
{
	for (unsigned i = 0; i < 4; i++) {
		struct apv_hw_queue_stats s = hwq(f, QS[i]);

		CHECK_U64(s.resets - before[i], 1);
		CHECK_U64(s.last_reset_ns, t0);
	}
}

static void count_resets(struct fx *f, uint64_t out[4])
{
	for (unsigned i = 0; i < 4; i++)
		out[i] = hwq(f, QS[i]).resets;
}

static void enable_all(struct fx *f)
{
	for (unsigned i = 0; i < 4; i++)
		CHECK_AQIC(f, fx_enable(f, QS[i], FX_NIB, 6), 0);
	fx_settle(f);
	FX_BALANCE(f, 4, 4, 2);
}

/* VFIO reset of the fixture's mdev; its virtual duration. */
static uint64_t timed_vfio_reset(struct fx *f, int *rc)
{
	uint64_t t0 = apv_clock_now(f->clk);

	*rc = apv_mdev_reset(f->mdev);
	return apv_clock_now(f->clk) - t0;
}

TEST(slow_resets_of_four_queues_take_as_long_as_one)
{
	struct fx f;
	uint64_t before[4], t0, four, one;
	int rc;

	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	enable_all(&f);
	count_resets(&f, before);
	t0 = apv_clock_now(f.clk);
	four = timed_vfio_reset(&f, &rc);
	CHECK_EQ(rc, 0);
	check_zapqs_at(&f, before, t0);
	CHECK(four >= SLOW && four <= SEEN_BY(SLOW));
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);

	/* The same mdev with a single queue. */
	init_slow(&f, SLOW);
	REQUIRE(apv_mdev_assign_adapter(f.mdev, FX_A1) == 0);
	REQUIRE(apv_mdev_assign_domain(f.mdev, FX_D1) == 0);
	fx_attach(&f);
	one = timed_vfio_reset(&f, &rc);
	CHECK_EQ(rc, 0);
	CHECK_U64(four, one);
	fx_fini(&f);
}

struct clear_at {
	struct apv_timer t;
	struct fx *f;
	apv_apqn_t apqn;
};

static void clear_fn(void *arg)
{
	struct clear_at *c = arg;
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	apv_hw_inject(c->f->hw, c->apqn, &none);
}

static void clear_later(struct clear_at *c, struct fx *f, apv_apqn_t q, uint64_t after)
{
	c->f = f;
	c->apqn = q;
	apv_timer_init(&c->t, clear_fn, c);
	apv_clock_arm(f->clk, &c->t, apv_clock_now(f->clk) + after);
}

/* Queues stuck in reset until 30, 60, 90, 120 ms (only the last if `only_last`). */
static uint64_t staggered(bool only_last)
{
	struct apv_hw_fault_spec rip = {.kind = APV_FAULT_RESET};
	struct clear_at c[4];
	struct fx f;
	uint64_t d;
	int rc;

	fx_init_attached(&f);
	for (unsigned i = only_last ? 3 : 0; i < 4; i++) {
		REQUIRE(apv_hw_inject(f.hw, QS[i], &rip) == 0);
		clear_later(&c[i], &f, QS[i], (i + 1) * 30 * APV_NSEC_PER_MSEC);
	}
	d = timed_vfio_reset(&f, &rc);
	CHECK_EQ(rc, 0);
	fx_fini(&f);
	return d;
}

TEST(queues_stuck_for_different_times_finish_with_the_slowest)
{
	uint64_t all = staggered(false), last = staggered(true);

	/* 120 ms stuck, then the repeated ZAPQ's 1 ms reset: not 30+60+90+120. */
	CHECK(all >= 121 * APV_NSEC_PER_MSEC);
	CHECK(all <= SEEN_BY(120 * APV_NSEC_PER_MSEC) + SEEN_BY(APV_NSEC_PER_MSEC));
	CHECK_U64(all, last);
}

struct pins_at {
	struct apv_timer t;
	struct fx *f;
	uint64_t pins;
};

static void pins_fn(void *arg)
{
	struct pins_at *p = arg;
	struct apv_balance b;

	apv_account_balance(apv_kvm_account(p->f->kvm), &b);
	p->pins = b.pins;
}

/*
 * Whichever queue is busy, and wherever it sits in the order the queues
 * are visited, the others get their ZAPQ at once and are verified (their
 * NIBs unpinned) while it is still busy.
 */
TEST(busy_queue_delays_neither_the_zapq_nor_the_verification_of_the_others)
{
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};

	for (unsigned s = 0; s < 4; s++) {
		struct fx f;
		struct clear_at c;
		struct pins_at p = {.pins = 99};
		uint64_t before[4], t0;
		int rc;

		fx_init_attached(&f);
		enable_all(&f);
		REQUIRE(apv_hw_inject(f.hw, QS[s], &busy) == 0);
		clear_later(&c, &f, QS[s], 500 * APV_NSEC_PER_MSEC);
		p.f = &f;
		apv_timer_init(&p.t, pins_fn, &p);
		apv_clock_arm(f.clk, &p.t, apv_clock_now(f.clk) + 250 * APV_NSEC_PER_MSEC);
		count_resets(&f, before);
		t0 = apv_clock_now(f.clk);
		(void)timed_vfio_reset(&f, &rc);
		CHECK_EQ(rc, 0);
		for (unsigned i = 0; i < 4; i++) {
			struct apv_hw_queue_stats st = hwq(&f, QS[i]);

			if (i == s) {
				CHECK(st.last_reset_ns >= t0 + 500 * APV_NSEC_PER_MSEC);
				continue;
			}
			CHECK_U64(st.resets - before[i], 1);
			CHECK_U64(st.last_reset_ns, t0);
		}
		CHECK_U64(p.pins, 1); /* at 250 ms only the busy queue's NIB is still pinned */
		FX_BALANCE(&f, 0, 0, 2);
		fx_fini(&f);
	}
}

/* ---- every path that resets several queues ------------------------------------------ */

TEST(detach_resets_its_queues_in_parallel)
{
	struct fx f;
	uint64_t before[4], t0;

	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	enable_all(&f);
	count_resets(&f, before);
	t0 = apv_clock_now(f.clk);
	apv_mdev_detach(f.mdev);
	CHECK(apv_clock_now(f.clk) - t0 <= SEEN_BY(SLOW));
	check_zapqs_at(&f, before, t0);
	FX_BALANCE(&f, 0, 0, 1);
	fx_fini(&f);
}

TEST(mdev_remove_resets_its_queues_in_parallel)
{
	struct fx f;
	uint64_t before[4], t0;

	/* Not attached: remove's own reset of the linked queues, one batch. */
	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	count_resets(&f, before);
	t0 = apv_clock_now(f.clk);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK(apv_clock_now(f.clk) - t0 <= SEEN_BY(SLOW));
	check_zapqs_at(&f, before, t0);
	fx_fini(&f);

	/* Attached: the detach's batch, then remove's (as the kernel does both). */
	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	enable_all(&f);
	t0 = apv_clock_now(f.clk);
	CHECK_EQ(apv_mdev_remove(f.mdev), 0);
	CHECK(apv_clock_now(f.clk) - t0 <= 2 * SEEN_BY(SLOW));
	FX_BALANCE(&f, 0, 0, 1);
	fx_fini(&f);
}

TEST(unassign_adapter_resets_its_queues_in_parallel)
{
	struct fx f;
	uint64_t before[4], t0;

	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	enable_all(&f);
	count_resets(&f, before);
	t0 = apv_clock_now(f.clk);
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, FX_A1) == 0);
	CHECK(apv_clock_now(f.clk) - t0 <= SEEN_BY(SLOW));
	/* 01.0004 and 01.0006 at once; adapter 05 untouched. */
	for (unsigned i = 0; i < 2; i++) {
		CHECK_U64(hwq(&f, QS[i]).resets - before[i], 1);
		CHECK_U64(hwq(&f, QS[i]).last_reset_ns, t0);
	}
	CHECK_U64(hwq(&f, QS[2]).resets, before[2]);
	FX_BALANCE(&f, 2, 2, 2);
	fx_fini(&f);
}

TEST(host_configuration_removal_frees_without_waiting)
{
	struct fx f;
	uint64_t before[4], t0;

	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	enable_all(&f);
	count_resets(&f, before);
	REQUIRE(apv_hw_configure_adapter(f.hw, FX_A2, false) == 0);
	t0 = apv_clock_now(f.clk);
	apv_bus_rescan(f.m);
	/* Adapter 05's queues are gone: no ZAPQ, no wait, their NIBs and ISCs released. */
	CHECK_U64(apv_clock_now(f.clk), t0);
	CHECK_U64(hwq(&f, QS[2]).resets, before[2]);
	CHECK_U64(hwq(&f, QS[3]).resets, before[3]);
	FX_BALANCE(&f, 2, 2, 2);
	fx_fini(&f);
}

TEST(unbinding_queues_through_the_bus_masks_resets_them_in_parallel)
{
	const apv_apqn_t a3[2] = {(FX_A3 << 8) | FX_D1, (FX_A3 << 8) | FX_D2};
	struct fx f;
	uint64_t t0;

	init_slow(&f, SLOW);
	t0 = apv_clock_now(f.clk);
	/* Adapter 0a back to the host drivers: its two queues leave vfio_ap. */
	CHECK_EQ(apv_bus_store_mask(f.m, true, "+10", NULL, 0), 0);
	CHECK(apv_clock_now(f.clk) - t0 >= SLOW && apv_clock_now(f.clk) - t0 <= SEEN_BY(SLOW));
	for (unsigned i = 0; i < 2; i++) {
		CHECK_U64(hwq(&f, a3[i]).resets, 1);
		CHECK_U64(hwq(&f, a3[i]).last_reset_ns, t0);
	}
	fx_fini(&f);
}

TEST(module_unload_resets_every_queue_in_parallel)
{
	struct fx f;
	struct apv_balance b;
	uint64_t t0, d;

	/* Six queues bound to vfio_ap, four of them assigned; nothing attached. */
	init_slow(&f, SLOW);
	fx_assign(&f, f.mdev);
	FX_CHECK(&f);
	t0 = apv_clock_now(f.clk);
	apv_matrix_free(f.m);
	d = apv_clock_now(f.clk) - t0;
	/* The mdev's batch (four queues), then the bus's (all six): two resets' time, not ten. */
	CHECK(d >= 2 * SLOW && d <= 2 * SEEN_BY(SLOW));
	CHECK_U64(hwq(&f, (FX_A3 << 8) | FX_D1).last_reset_ns, hwq(&f, QS[0]).last_reset_ns);
	apv_vcpu_free(f.v);
	apv_vm_put(f.vm);
	fx_balance(&f, &b);
	CHECK(apv_balance_zero(&b));
	apv_kvm_free(f.kvm);
	apv_hw_free(f.hw);
	apv_clock_free(f.clk);
}

TEST_MAIN
