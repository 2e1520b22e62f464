/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PQAP(AQIC) hook (ap-architecture 3.3-3.5): lookup, NIB validation,
 * the real AQIC's controls, each response-code branch of enable and
 * disable, and the resource balance after each.
 */
#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

#include <apvirt/testing.h>

static const apv_apqn_t Q = (FX_A1 << 8) | FX_D1;  /* 01.0004 */
static const apv_apqn_t Q2 = (FX_A2 << 8) | FX_D2; /* 05.0006 */

/* ---- lookup --------------------------------------------------------------------- */

TEST(vm_without_gisa_exits_to_user_space)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.kvm.use_gisa = false; /* AIV on the host, but no GISA for the VM */
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	REQUIRE(apv_vm_gisa(f.vm) == 0);
	CHECK_EQ(fx_enable(&f, Q, FX_NIB, APV_AP_ISC).kind, APV_RES_EXIT);
	/* Nothing answered: GR1 still holds the guest's controls. */
	CHECK_U64(f.r->gr[1], APV_AQIC_IR | APV_AP_ISC);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(unassigned_apqn_answers_rc01)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, (FX_A3 << 8) | FX_D1, FX_NIB, APV_AP_ISC), 1);
	CHECK_AQIC(&f, fx_enable(&f, (FX_A1 << 8) | 0x20, FX_NIB, APV_AP_ISC), 1);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(no_mdev_attached_answers_rc01_from_kvm)
{
	struct fx f;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	f.r->gr[1] = UINT64_C(0xFFFFFFFF00000000);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 1);
	FX_BALANCE(&f, 0, 0, 1);
	fx_fini(&f);
}

TEST(hook_of_a_detached_mdev_answers_rc01)
{
	struct fx f;

	fx_init(&f);
	fx_assign(&f, f.mdev);
	/* Call the hook directly, as a vCPU racing the publication would. */
	f.r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, Q, false, false);
	f.r->gr[1] = APV_AQIC_IR | APV_AP_ISC;
	f.r->gr[2] = FX_NIB;
	CHECK_EQ(f.mdev->hook.fn(&f.mdev->hook, f.v), 0);
	CHECK_EQ(fx_rc(&f), 1);
	FX_BALANCE(&f, 0, 0, 1);
	fx_fini(&f);
}

TEST(queue_in_matrix_but_filtered_out_of_shadow_answers_rc01)
{
	struct fx f;
	struct vfio_ap_queue *q;

	fx_init_attached(&f);
	/* 05.0006 becomes unusable: adapter 05 leaves the guest, 05.0004 with it. */
	q = vfio_ap_queue_at(f.m, Q2);
	REQUIRE(q);
	q->reset_status = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	REQUIRE(apv_mdev_unassign_control_domain(f.mdev, FX_CD) == 0); /* re-filters */
	CHECK(fx_qinfo(&f, f.mdev, (FX_A2 << 8) | FX_D1).linked);
	CHECK(!fx_qinfo(&f, f.mdev, (FX_A2 << 8) | FX_D1).in_shadow);
	/* Linked, but not in the guest's configuration: apvirt refuses (the kernel would not). */
	CHECK_AQIC(&f, fx_enable(&f, (FX_A2 << 8) | FX_D1, FX_NIB, APV_AP_ISC), 1);
	CHECK(!fx_hw_irq(&f, (FX_A2 << 8) | FX_D1));
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 0);
	FX_BALANCE(&f, 1, 1, 2);
	q->reset_status = 0;
	fx_fini(&f);
}

TEST(apqsw_in_low_word_with_high_word_zero_on_every_path)
{
	struct fx f;

	fx_init_attached(&f);
	f.r->gr[1] = 0;
	/* RC01 path with guest garbage in the high half of GR1 input. */
	CHECK_AQIC(
	    &f,
	    fx_pqap(&f, (FX_A3 << 8) | FX_D1, UINT64_C(0xDEADBEEF00000000) | APV_AQIC_IR, FX_NIB),
	    1);
	CHECK_U64(f.r->gr[1], (uint64_t)apv_apqsw_rc(1));
	/* RC06 path. */
	CHECK_AQIC(&f, fx_enable(&f, Q, 0, APV_AP_ISC), 6);
	/* RC00 path. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 0);
	fx_fini(&f);
}

/* ---- enable ------------------------------------------------------------------------ */

TEST(enable_rc00_pins_nib_registers_gisc_and_enables_hw)
{
	struct fx f;
	struct apv_hw_queue_stats s;
	struct apv_mdev_queue_info i;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB + 3, 3), 0);
	fx_settle(&f);
	CHECK(fx_hw_irq(&f, Q));
	i = fx_qinfo(&f, f.mdev, Q);
	CHECK_U64(i.saved_nib, FX_NIB + 3);
	CHECK_EQ(i.saved_isc, 3);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 3), 1);
	CHECK(apv_vm_gisa_iam(f.vm) & (0x80 >> 3));
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 1);
	/* The hardware got the host address of the guest byte, in host storage. */
	REQUIRE(apv_hw_queue_stats(f.hw, Q, &s) == 0);
	CHECK_U64(s.nib, (uint64_t)(uintptr_t)apv_vm_hva(f.vm, FX_NIB + 3));
	FX_BALANCE(&f, 1, 1, 2);
	FX_CHECK(&f);
	fx_fini(&f);
}

TEST(enable_nib_zero_answers_rc06_nothing_held)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, 0, APV_AP_ISC), 6);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(enable_nib_outside_guest_memory_answers_rc06_nothing_held)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_MEM + 0x10, APV_AP_ISC), 6);
	CHECK_AQIC(&f, fx_enable(&f, Q, UINT64_C(0xFFFFFFFFFFFFF000), APV_AP_ISC), 6);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(privileged_and_specification_exceptions_win_over_a_nib_outside_guest_memory)
{
	struct fx f;
	struct apv_result res;
	uint64_t before;

	fx_init_attached(&f);
	before = apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_CALLS);
	/* Without an exception this NIB is RC06 (above); with one the handler never sees it. */
	apv_vcpu_psw(f.v)->problem_state = true;
	res = fx_enable(&f, Q, FX_MEM + 0x10, APV_AP_ISC);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_PRIVILEGED_OP);
	apv_vcpu_psw(f.v)->problem_state = false;
	f.r->gr[0] |= APV_BIT64(42);
	res = apv_vcpu_execute(f.v, APV_OP_PQAP, 0, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_CALLS), before);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(enable_unpinnable_nib_answers_rc06_nothing_held)
{
	struct fx f;

	fx_init_attached(&f);
	REQUIRE(apv_vm_set_unpinnable(f.vm, FX_NIB, true) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 6);
	FX_BALANCE(&f, 0, 0, 2);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, APV_AP_ISC), 0);
	fx_fini(&f);
}

/*
 * Invariant 6: an ISC registration failure is RC06, never RC08, and the
 * new page is unpinned. A GISA is present and the guest ISC has 3 bits, so
 * only kvm's test hook can make the registration fail.
 */
TEST(enable_gisc_registration_failure_answers_rc06_and_unpins_never_rc08)
{
	struct fx f;
	struct apv_mdev_queue_info i;

	fx_init_attached(&f);
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, -EIO) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 6);
	FX_BALANCE(&f, 0, 0, 2);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, APV_AP_ISC), 0);
	i = fx_qinfo(&f, f.mdev, Q);
	CHECK_U64(i.saved_nib, 0);
	CHECK_EQ(i.saved_isc, -1);
	CHECK(!fx_hw_irq(&f, Q));
	/* The registration works again: so does the enable. */
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, 0) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 0);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

TEST(reenable_gisc_registration_failure_answers_rc06_and_keeps_the_old_configuration)
{
	struct fx f;
	struct apv_mdev_queue_info i;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, -ENOMEM) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 2), 6);
	i = fx_qinfo(&f, f.mdev, Q);
	CHECK_U64(i.saved_nib, FX_NIB);
	CHECK_EQ(i.saved_isc, 6);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 2), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 1);
	FX_BALANCE(&f, 1, 1, 2);
	CHECK(fx_hw_irq(&f, Q));
	REQUIRE(apv_vm_set_gisc_register_failure(f.vm, 0) == 0);
	CHECK_EQ(apv_vm_set_gisc_register_failure(f.vm, 5), -EINVAL);
	fx_fini(&f);
}

TEST(enable_protected_guest_nonshared_nib_answers_rc06_and_unpins)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.vm.pv = true;
	fx_init_opts(&f, &o);
	fx_assign(&f, f.mdev);
	fx_attach(&f);
	REQUIRE(apv_vm_is_protected(f.vm));
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 6);
	FX_BALANCE(&f, 0, 0, 2);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	REQUIRE(apv_vm_pv_set_shared(f.vm, FX_NIB, true) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, APV_AP_ISC), 0);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

TEST(enable_real_aqic_rc07_releases_new_keeps_old)
{
	struct fx f;
	struct apv_mdev_queue_info i;
	struct apv_hw_fault_spec rc07 = {.kind = APV_FAULT_AQIC_RC07, .count = 1};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &rc07) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 2), 7);
	i = fx_qinfo(&f, f.mdev, Q);
	CHECK_U64(i.saved_nib, FX_NIB);
	CHECK_EQ(i.saved_isc, 6);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 2), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 1);
	FX_BALANCE(&f, 1, 1, 2);
	CHECK(fx_hw_irq(&f, Q));
	fx_fini(&f);
}

TEST(enable_while_enabled_hw_rc07_keeps_one_pin_per_queue)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	/* The adapter refuses a second enable; the queue still holds one pin. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 7);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 6), 7);
	FX_BALANCE(&f, 1, 1, 2);
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 1);
	fx_fini(&f);
}

TEST(enable_other_rc_releases_new_and_old_resources)
{
	struct fx f;
	struct apv_hw_fault_spec bad = {.kind = APV_FAULT_AQIC_RC, .count = 1, .rc = 0x08};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &bad) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 2), 8);
	/* Neither the new registration (the kernel's leak) nor the old one stays. */
	FX_BALANCE(&f, 0, 0, 2);
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q).saved_nib, 0);
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q).saved_isc, -1);
	CHECK(!fx_hw_irq(&f, Q));
	CHECK_EQ(apv_vm_pinned_pages(f.vm), 0);
	fx_fini(&f);
}

TEST(enable_busy_rc05_releases_the_new_resources)
{
	struct fx f;
	struct apv_hw_fault_spec busy = {.kind = APV_FAULT_AQIC_RC, .count = 1, .rc = 0x05};

	fx_init_attached(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 5);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(enable_on_checkstopped_queue_passes_rc04_and_holds_nothing)
{
	struct fx f;
	struct apv_hw_fault_spec cs = {.kind = APV_FAULT_CHECKSTOP};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};

	fx_init_attached(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &cs) == 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 4);
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_inject(f.hw, Q, &none) == 0);
	fx_fini(&f);
}

TEST(two_queues_share_one_nib_page_two_pins_one_gisc_refcount_each)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q2, FX_NIB, 6), 0);
	FX_BALANCE(&f, 2, 2, 2);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 2);
	fx_settle(&f);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

/* ---- disable ------------------------------------------------------------------------ */

TEST(disable_rc00_waits_for_i_bit_then_frees)
{
	struct fx f;
	struct apv_matrix_stats s;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	CHECK(fx_hw_irq(&f, Q));
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	/* The wait ran on the virtual clock: the I bit is already off. */
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);
	apv_matrix_stats(f.m, &s);
	CHECK_EQ(s.aqic_enable, 1);
	CHECK_EQ(s.aqic_disable, 1);
	fx_fini(&f);
}

TEST(disable_when_not_enabled_rc07_is_done_nothing_held)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_disable(&f, Q), 7);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

/*
 * The hardware answers RC07 to a disable while the enable before it is
 * still taking effect (I bit not on yet). Freeing at that point would
 * leave the hardware, once the enable lands, with interrupts on and a NIB
 * the host no longer has pinned, for an ISC no longer registered.
 */
TEST(disable_while_enable_in_progress_never_leaves_hw_enabled_without_pin)
{
	struct fx f;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	CHECK(!fx_hw_irq(&f, Q)); /* still enabling */
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	fx_settle(&f);
	CHECK(!fx_hw_irq(&f, Q));
	CHECK_U64(fx_qinfo(&f, f.mdev, Q).saved_nib, 0);
	FX_BALANCE(&f, 0, 0, 2);
	/* And the queue can be enabled again. */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 2), 0);
	fx_settle(&f);
	CHECK(fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

static uint64_t hw_aqics(struct fx *f, apv_apqn_t q)
{
	struct apv_hw_queue_stats s;

	apv_hw_queue_stats(f->hw, q, &s);
	return s.aqic;
}

TEST(disable_retries_busy_up_to_six_attempts_then_frees)
{
	struct fx f;
	struct apv_hw_fault_spec busy5 = {.kind = APV_FAULT_AQIC_RC, .count = 5, .rc = 0x05};
	struct apv_hw_fault_spec busy9 = {.kind = APV_FAULT_AQIC_RC, .count = 9, .rc = 0x02};
	struct apv_hw_fault_spec none = {.kind = APV_FAULT_NONE};
	uint64_t n, t0;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	/* Five busy answers, the sixth attempt gets through. */
	REQUIRE(apv_hw_inject(f.hw, Q, &busy5) == 0);
	n = hw_aqics(&f, Q);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK_EQ(hw_aqics(&f, Q) - n, 6);
	CHECK(!fx_hw_irq(&f, Q));
	FX_BALANCE(&f, 0, 0, 2);

	/*
	 * Always "reset in progress" from AQIC alone: six attempts, then free
	 * anyway. TAPQ says the queue is fine, so each retry follows the first
	 * look (5 us), not the 20 ms a queue that stays busy is given.
	 */
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &busy9) == 0);
	n = hw_aqics(&f, Q);
	t0 = apv_clock_now(f.clk);
	CHECK_AQIC(&f, fx_disable(&f, Q), 2);
	CHECK_EQ(hw_aqics(&f, Q) - n, 6);
	CHECK_U64(apv_clock_now(f.clk) - t0, 5 * 5 * APV_NSEC_PER_USEC);
	FX_BALANCE(&f, 0, 0, 2);
	REQUIRE(apv_hw_inject(f.hw, Q, &none) == 0);
	fx_fini(&f);
}

TEST(disable_not_operational_rc03_frees_without_retry)
{
	struct fx f;
	struct apv_hw_fault_spec dec = {.kind = APV_FAULT_AQIC_RC, .count = 1, .rc = 0x03};
	uint64_t n;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	REQUIRE(apv_hw_inject(f.hw, Q, &dec) == 0);
	n = hw_aqics(&f, Q);
	CHECK_AQIC(&f, fx_disable(&f, Q), 3);
	CHECK_EQ(hw_aqics(&f, Q) - n, 1);
	FX_BALANCE(&f, 0, 0, 2);
	fx_fini(&f);
}

TEST(re_enable_after_disable_moves_to_new_nib_and_isc)
{
	struct fx f;
	struct apv_mdev_queue_info i;

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB, 6), 0);
	fx_settle(&f);
	CHECK_AQIC(&f, fx_disable(&f, Q), 0);
	CHECK_AQIC(&f, fx_enable(&f, Q, FX_NIB2, 2), 0);
	i = fx_qinfo(&f, f.mdev, Q);
	CHECK_U64(i.saved_nib, FX_NIB2);
	CHECK_EQ(i.saved_isc, 2);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 6), 0);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 2), 1);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

TEST(guest_zone_gisc_gisa_fields_are_ignored)
{
	struct fx f;
	struct apv_aqic_ctrl c = {
	    .zone = 7, .ir = true, .gisc = 5, .gf = 3, .gisa = 0x1234, .isc = 6};

	fx_init_attached(&f);
	CHECK_AQIC(&f, fx_pqap(&f, Q, apv_aqic_ctrl_encode(c), FX_NIB), 0);
	CHECK_EQ(fx_qinfo(&f, f.mdev, Q).saved_isc, 6);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, 5), 0);
	FX_BALANCE(&f, 1, 1, 2);
	fx_fini(&f);
}

TEST_MAIN
