/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue reset (ap-architecture 3.6): ZAPQ, verification with TAPQ without
 * an upper bound, ZAPQ again after 02/05, the end of the wait when the
 * queue leaves the host configuration, resources freed only once the reset
 * is verified or the queue is gone. Faults end through clock timers, which
 * the virtual clock runs inside the reset's own waits.
 *
 * Several queues are reset as one batch: every ZAPQ first, then one
 * verification loop, so the batch takes as long as its slowest queue.
 */
#include "vfio_fixture.h"

/* The latest a wait of `ns` is seen to end: the looks are 1/16 of the time waited apart, >= 5 us.
 */
#define SEEN_BY(ns) ((ns) + (ns) / 16 + 5 * APV_NSEC_PER_USEC)

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;

struct later {
	struct apv_timer t;
	struct fx *f;
	apv_apqn_t apqn;
	int what; /* 0: clear faults, 1: deconfigure adapter */
	bool ran;
};

static void later_fn(void *arg)
{
	struct later *l = arg;
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	l->ran = true;
	if (l->what == 0)
		apv_hw_inject(l->f->hw, l->apqn, &none);
	else
		apv_hw_configure_adapter(l->f->hw, apv_apqn_apid(l->apqn), false);
}

static void at(struct later *l, struct fx *f, apv_apqn_t q, int what, uint64_t after_ns)
{
	l->f = f;
	l->apqn = q;
	l->what = what;
	l->ran = false;
	apv_timer_init(&l->t, later_fn, l);
	apv_clock_arm(f->clk, &l->t, apv_clock_now(f->clk) + after_ns);
}

static void setup_enabled(struct fx *f)
{
	fx_init_attached(f);
	CHECK_AQIC(f, fx_enable(f, Q, FX_NIB, 6), 0);
	fx_settle(f);
	REQUIRE(fx_hw_irq(f, Q));
}

/* VFIO_DEVICE_RESET: every linked queue (four of them). */
static int reset_all(struct fx *f)
{
	return apv_mdev_reset(f->mdev);
}

TEST(reset_zapq_verified_by_tapq_then_frees_irq_resources)
{
	struct fx f;
	uint64_t z, t0;

	setup_enabled(&f);
	z = fx_resets(&f);
	t0 = apv_clock_now(f.clk);
	CHECK_EQ(reset_all(&f), 0);
	CHECK_EQ(fx_resets(&f) - z, 4);
	/* One wait for all four, ending at the first look after the 1 ms hardware reset. */
	CHECK(apv_clock_now(f.clk) - t0 >= APV_NSEC_PER_MSEC);
	CHECK(apv_clock_now(f.clk) - t0 <= SEEN_BY(APV_NSEC_PER_MSEC));
	CHECK(!fx_hw_irq(&f, Q));
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, Q).reset_status), 0);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(reset_in_progress_waits_without_bound_then_zeroizes_again)
{
	struct fx f;
	struct apv_hw_fault_spec rip = {.kind = APV_FAULT_RESET};
	struct later l;
	uint64_t z;

	setup_enabled(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &rip) == 0);
	at(&l, &f, Q, 0, 3 * APV_NSEC_PER_SEC); /* far beyond any retry budget */
	z = fx_resets(&f);
	CHECK_EQ(reset_all(&f), 0);
	CHECK(l.ran);
	/* ZAPQ (RC02), TAPQ ... TAPQ (00), ZAPQ again, plus one each for the other 3 queues. */
	CHECK_EQ(fx_resets(&f) - z, 5);
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, Q).reset_status), 0);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(busy_zapq_is_repeated_once_the_queue_answers_again)
{
	struct fx f;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct later l;
	uint64_t z;

	setup_enabled(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	at(&l, &f, Q, 0, 500 * APV_NSEC_PER_MSEC);
	z = fx_resets(&f);
	/* Unassigning adapter 01 resets its two queues. */
	REQUIRE(apv_mdev_unassign_adapter(f.mdev, FX_A1) == 0);
	CHECK(l.ran);
	CHECK_EQ(fx_resets(&f) - z, 3); /* 01.0004 twice (busy), 01.0006 once */
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

static void check_pins_during(void *arg)
{
	struct later *l = arg;
	struct apv_balance b;

	/* Runs inside the reset's wait: the NIB must still be pinned. */
	apv_account_balance(apv_kvm_account(l->f->kvm), &b);
	l->ran = b.pins == 1 && b.isc_regs == 1;
}

TEST(nib_stays_pinned_while_the_reset_is_still_running)
{
	struct fx f;
	struct apv_hw_fault_spec rip = {.kind = APV_FAULT_RESET};
	struct later clear, probe;

	setup_enabled(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &rip) == 0);
	at(&clear, &f, Q, 0, 200 * APV_NSEC_PER_MSEC);
	probe.f = &f;
	probe.ran = false;
	apv_timer_init(&probe.t, check_pins_during, &probe);
	apv_clock_arm(f.clk, &probe.t, apv_clock_now(f.clk) + 100 * APV_NSEC_PER_MSEC);
	CHECK_EQ(reset_all(&f), 0);
	CHECK(probe.ran);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(permanently_busy_queue_wait_ends_when_it_leaves_the_host_configuration)
{
	struct fx f;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_BUSY};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	struct later l;

	setup_enabled(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	at(&l, &f, Q, 1, 10 * APV_NSEC_PER_SEC); /* the administrator deconfigures adapter 01 */
	CHECK_EQ(reset_all(&f), -EIO);		 /* 01.0004 did not end normally */
	CHECK(l.ran);
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, Q).reset_status) != 0, 1);
	FX_BALANCE(&f, 0, 0, 2);
	apv_hw_inject(f.hw, Q, &none);
	apv_bus_rescan(f.m);
	fx_fini(&f);
}

TEST(deconfigured_or_checkstopped_zapq_frees_at_once_without_waiting)
{
	struct fx f;
	struct apv_hw_fault_spec dec = {.kind = APV_FAULT_DECONFIGURED};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	uint64_t z, t0;

	setup_enabled(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &dec) == 0);
	z = fx_resets(&f);
	t0 = apv_clock_now(f.clk);
	REQUIRE(apv_mdev_unassign_domain(f.mdev, FX_D1) == 0);
	CHECK_EQ(fx_resets(&f) - z, 2); /* 01.0004 and 05.0004 */
	/* Only 05.0004 waited for its verification: one 1 ms hardware reset. */
	CHECK(apv_clock_now(f.clk) - t0 >= APV_NSEC_PER_MSEC);
	CHECK(apv_clock_now(f.clk) - t0 <= SEEN_BY(APV_NSEC_PER_MSEC));
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, Q).reset_status), APV_RC_DECONFIGURED);
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_inject(f.hw, Q, &none) == 0);
	fx_fini(&f);
}

TEST(queue_gone_from_host_configuration_gets_no_zapq)
{
	struct fx f;
	uint64_t z;

	setup_enabled(&f);
	REQUIRE(apv_hw_configure_domain(f.hw, FX_D1, false) == 0);
	z = fx_resets(&f);
	apv_bus_rescan(f.m);
	CHECK_EQ(fx_resets(&f), z); /* the unplug freed 01.0004's IRQ without a ZAPQ */
	FX_BALANCE(&f, 0, 0, 2);
	/* Detach resets the linked queues: only the two of domain 6 are still there. */
	apv_mdev_detach(f.mdev);
	CHECK_EQ(fx_resets(&f) - z, 2);
	fx_fini(&f);
}

/* Found by fuzzing: the shadow kept an adapter whose queue had just failed its reset. */
TEST(vfio_reset_of_a_queue_the_host_lost_unplugs_its_adapter_from_the_guest)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init_attached(&f);
	/* The host loses domain 6; the bus has not rescanned yet. */
	REQUIRE(apv_hw_configure_domain(f.hw, FX_D2, false) == 0);
	CHECK_EQ(reset_all(&f), -EIO);
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, (FX_A1 << 8) | FX_D2).reset_status),
		 APV_RC_Q_NOT_AVAIL);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(apv_mask_empty(&apm)); /* both adapters had a queue on domain 6 */
	FX_CHECK(&f);
	/* The rescan drops the domain; the adapters come back with domain 4 alone. */
	apv_bus_rescan(f.m);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(apv_mask_test(&apm, FX_A1) && apv_mask_test(&apm, FX_A2));
	CHECK(apv_mask_test(&aqm, FX_D1) && !apv_mask_test(&aqm, FX_D2));
	FX_CHECK(&f);
	apv_mdev_detach(f.mdev);
	fx_fini(&f);
}

/* Found by fuzzing: the same after a detach whose resets failed (no AP instructions left). */
TEST(detach_with_failing_resets_leaves_no_unusable_queue_in_the_shadow)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init_attached(&f);
	apv_hw_set_installed(f.hw, false);
	apv_mdev_detach(f.mdev);
	CHECK_EQ(apv_apqsw_get_rc(fx_qinfo(&f, f.mdev, Q).reset_status), APV_RC_Q_NOT_AVAIL);
	apv_mdev_shadow(f.mdev, &apm, &aqm, &adm);
	CHECK(apv_mask_empty(&apm));
	FX_CHECK(&f);
	apv_hw_set_installed(f.hw, true);
	fx_fini(&f);
}

TEST_MAIN
