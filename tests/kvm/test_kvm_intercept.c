/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PQAP(AQIC) intercept: every row of the check order in kvm.h, each
 * program exception, each CC/RC path of the hook and of the no-hook answer.
 */
#include "kvm_fixture.h"
#include "kvm_hook.h"

#define GR1_GUEST_INPUT UINT64_C(0xA5A5A5A5DEADBEEF)

static uint64_t aqic_gr0(apv_apqn_t apqn)
{
	return apv_gr0_pqap(APV_FC_AQIC, apqn, false, false);
}

static const apv_apqn_t Q = 0x0102; /* adapter 1, domain 2: in the guest's APCB */

/* ---- rows 1-3: exits ------------------------------------------------------------ */

TEST(row1_no_ap_instructions_on_host_exits)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	apv_hw_set_installed(f.hw, false);
	f.psw->cc = 2;
	CHECK_EXIT(fx_pqap(&f, aqic_gr0(Q), GR1_GUEST_INPUT, 0x1000));
	CHECK_U64(f.r->gr[1], GR1_GUEST_INPUT);
	CHECK_EQ(f.psw->cc, 2);
	CHECK_EQ(h.calls, 0);
	/* Even a problem-state AQIC with reserved bits: the exit comes first. */
	f.psw->problem_state = true;
	CHECK_EXIT(fx_pqap(&f, aqic_gr0(Q) | APV_GR0_RESERVED_41_47, 0, 0));
	apv_hw_set_installed(f.hw, true);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(row2_apie_off_exits_before_privilege_and_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.apie = false;
	fx_init_opts(&f, &o);
	CHECK(!apv_vm_apie(f.vm));
	CHECK_EXIT(fx_pqap(&f, aqic_gr0(Q), GR1_GUEST_INPUT, 0));
	CHECK_U64(f.r->gr[1], GR1_GUEST_INPUT);
	f.psw->problem_state = true;
	CHECK_EXIT(fx_pqap(&f, aqic_gr0(Q) | APV_GR0_RESERVED_41_47, 0, 0));
	fx_fini(&f);
}

TEST(row3_fc_check_before_privilege_check_problem_state_non_aqic_exits)
{
	struct fx f;

	fx_init(&f);
	/* Only a nested setup lets other function codes reach the intercept. */
	apv_vm_set_nested_intercept(f.vm, true);
	f.psw->problem_state = true;
	f.psw->cc = 1;
	CHECK_EXIT(fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, 0x2000));
	CHECK_EXIT(fx_pqap(&f, apv_gr0_pqap(APV_FC_TAPQ, Q, false, false), 0, 0));
	CHECK_EQ(f.psw->cc, 1);
	/* An AQIC in the same state is the privileged-operation case. */
	CHECK_PGM(fx_pqap(&f, aqic_gr0(Q), 0, 0), APV_PGM_PRIVILEGED_OP);
	fx_fini(&f);
}

TEST(row3_any_fc_other_than_aqic_exits_without_exception)
{
	struct fx f;
	const unsigned fcs[] = {APV_FC_TAPQ, APV_FC_RAPQ, APV_FC_ZAPQ, APV_FC_QCI, APV_FC_QACT,
				APV_FC_BAPQ, APV_FC_AAPQ, 0x2A,	       0xFF};
	struct apv_vcpu_stats st;

	fx_init(&f);
	apv_vm_set_nested_intercept(f.vm, true);
	for (unsigned i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++) {
		/* Even with reserved bits and an out-of-range APQN: exit, not an exception. */
		uint64_t gr0 = apv_gr0_pqap(fcs[i], 0xFFFF, false, false) | APV_GR0_RESERVED_41_47;

		CHECK_EXIT(fx_pqap(&f, gr0, GR1_GUEST_INPUT, 0));
		CHECK_U64(f.r->gr[1], GR1_GUEST_INPUT);
	}
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.exits, sizeof(fcs) / sizeof(fcs[0]));
	CHECK_EQ(st.pgm, 0);
	fx_fini(&f);
}

TEST(row3_fc_taken_from_bits_32_39_only)
{
	struct fx f;

	fx_init(&f);
	/* Bits 0-31 of GR0 set: the function code is still AQIC (no hook -> CC3). */
	CHECK_DONE(fx_pqap(&f, UINT64_C(0xFFFFFFFF00000000) | aqic_gr0(Q), 0, 0), 3);
	fx_fini(&f);
}

/* ---- row 4: privilege ------------------------------------------------------------ */

TEST(row4_problem_state_aqic_privileged_operation)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	f.psw->problem_state = true;
	f.psw->cc = 2;
	CHECK_PGM(fx_pqap(&f, aqic_gr0(Q), GR1_GUEST_INPUT, 0), APV_PGM_PRIVILEGED_OP);
	CHECK_U64(f.r->gr[1], GR1_GUEST_INPUT);
	CHECK_EQ(f.psw->cc, 2);
	CHECK_EQ(h.calls, 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(row4_privileged_operation_outranks_every_specification_exception)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_AQIC);
	apv_fac_clear(&o.vm.fac, APV_FAC_APFT);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3);
	fx_init_opts(&f, &o);
	f.psw->problem_state = true;
	CHECK_PGM(fx_pqap(&f, aqic_gr0(0xFFFF) | APV_GR0_RESERVED_41_47 | APV_GR0_T, 0, 0),
		  APV_PGM_PRIVILEGED_OP);
	fx_fini(&f);
}

/* ---- rows 5-8: specification -------------------------------------------------------- */

TEST(row5_gr0_bits_41_to_47_specification)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	for (unsigned bit = 41; bit <= 47; bit++) {
		f.psw->cc = 1;
		CHECK_PGM(fx_pqap(&f, aqic_gr0(Q) | APV_BIT64(bit), GR1_GUEST_INPUT, 0),
			  APV_PGM_SPECIFICATION);
		CHECK_U64(f.r->gr[1], GR1_GUEST_INPUT);
		CHECK_EQ(f.psw->cc, 1);
	}
	CHECK_EQ(h.calls, 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(row6_t_bit_without_facility_15_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_APFT);
	fx_init_opts(&f, &o);
	CHECK(!apv_vm_has_facility(f.vm, APV_FAC_APFT));
	CHECK_PGM(fx_pqap(&f, aqic_gr0(Q) | APV_GR0_T, 0, 0), APV_PGM_SPECIFICATION);
	/* Without the T bit the same AQIC gets the no-hook answer. */
	CHECK_DONE(fx_pqap(&f, aqic_gr0(Q), 0, 0), 3);
	fx_fini(&f);
}

TEST(row6_t_bit_with_facility_15_passes)
{
	struct fx f;

	fx_init(&f);
	CHECK(apv_vm_has_facility(f.vm, APV_FAC_APFT));
	CHECK_DONE(fx_pqap(&f, aqic_gr0(Q) | APV_GR0_T, 0, 0), 3);
	fx_fini(&f);
}

TEST(row7_apqn_beyond_63_15_without_apxa_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3); /* CRYCB format 0 */
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 0);
	CHECK_PGM(fx_pqap(&f, aqic_gr0(apv_apqn(64, 0)), 0, 0), APV_PGM_SPECIFICATION);
	CHECK_PGM(fx_pqap(&f, aqic_gr0(apv_apqn(0, 16)), 0, 0), APV_PGM_SPECIFICATION);
	CHECK_PGM(fx_pqap(&f, aqic_gr0(apv_apqn(128, 0)), 0, 0), APV_PGM_SPECIFICATION);
	CHECK_DONE(fx_pqap(&f, aqic_gr0(apv_apqn(63, 15)), 0, 0), 3);
	fx_fini(&f);
}

TEST(row7_format1_host_without_apxa_is_not_apxa)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.apxa = false;
	o.hw.na = 63;
	o.hw.nd = 15;
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 1);
	CHECK_PGM(fx_pqap(&f, aqic_gr0(apv_apqn(64, 2)), 0, 0), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(row7_format2_allows_apqn_beyond_63_15)
{
	struct fx f;

	fx_init(&f);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 2);
	CHECK_DONE(fx_pqap(&f, aqic_gr0(apv_apqn(200, 100)), 0, 0), 3);
	CHECK_U64(f.r->gr[1], apv_gr1_from_apqsw(apv_apqsw_rc(APV_RC_Q_NOT_AVAIL)));
	fx_fini(&f);
}

TEST(row8_no_facility_65_specification)
{
	struct fx f;
	struct fx_opts o;
	struct test_hook h;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_AQIC);
	fx_init_opts(&f, &o);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	CHECK_PGM(fx_pqap(&f, aqic_gr0(Q), 0, 0), APV_PGM_SPECIFICATION);
	CHECK_EQ(h.calls, 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

/* A host option that KVM must answer by not offering facility 65: AQIC is a specification. */
static void check_facility_65_dropped(const struct fx_opts *o)
{
	struct fx f;

	fx_init_opts(&f, o);
	CHECK(!apv_vm_has_facility(f.vm, APV_FAC_AQIC));
	CHECK_PGM(fx_pqap(&f, aqic_gr0(Q), 0, 0), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(row8_facility_65_dropped_without_host_aiv_specification)
{
	struct fx_opts o;

	fx_opts_default(&o);
	o.kvm.aiv = false;
	check_facility_65_dropped(&o);
}

TEST(row8_facility_65_dropped_without_hardware_aqic_specification)
{
	struct fx_opts o;

	fx_opts_default(&o);
	o.hw.aqic = false;
	check_facility_65_dropped(&o);
}

/* ---- row 9: the hook ---------------------------------------------------------------- */

TEST(row9_hook_rc0_writes_cc0_over_stale_cc)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, APV_APQSW_I);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	for (uint8_t stale = 1; stale <= 3; stale++) {
		f.psw->cc = stale;
		CHECK_DONE(fx_aqic(&f, Q, 0x1000), 0);
		CHECK_EQ(f.psw->cc, 0);
	}
	CHECK_EQ(h.calls, 3);
	CHECK(h.last_vcpu == f.v);
	CHECK_U64(h.last_gr0, aqic_gr0(Q));
	CHECK_U64(f.r->gr[1], APV_APQSW_I);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(row9_hook_rc_nonzero_writes_cc3_over_stale_cc)
{
	struct fx f;
	struct test_hook h;
	const uint8_t rcs[] = {APV_RC_Q_NOT_AVAIL, APV_RC_INVALID_ADDRESS, APV_RC_OTHERWISE_CHANGED,
			       APV_RC_BUSY};

	fx_init(&f);
	for (unsigned i = 0; i < sizeof(rcs); i++) {
		test_hook_init(&h, 0, apv_apqsw_rc(rcs[i]));
		apv_vm_set_pqap_hook(f.vm, &h.hook);
		f.psw->cc = 2;
		CHECK_DONE(fx_aqic(&f, Q, 0x1000), 3);
		CHECK_EQ(f.psw->cc, 3);
		CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(f.r->gr[1])), rcs[i]);
		apv_vm_set_pqap_hook(f.vm, NULL);
	}
	fx_fini(&f);
}

TEST(row9_hook_eopnotsupp_exits_and_leaves_cc_untouched)
{
	struct fx f;
	struct test_hook h;
	struct apv_vcpu_stats st;

	fx_init(&f);
	test_hook_init(&h, -EOPNOTSUPP, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	f.psw->cc = 2;
	CHECK_EXIT(fx_aqic(&f, Q, 0x1000));
	CHECK_EQ(f.psw->cc, 2);
	CHECK_EQ(h.calls, 1);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.exits, 1);
	CHECK_EQ(st.pqap_intercepts, 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(row9_hook_calls_and_returns_counted_in_account)
{
	struct fx f;
	struct test_hook h;
	struct apv_account *a;
	struct apv_balance b;

	fx_init(&f);
	a = apv_kvm_account(f.kvm);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	apv_account_balance(a, &b);
	CHECK_EQ(b.hooks, 1);
	for (int i = 0; i < 5; i++)
		fx_aqic(&f, Q, 0x1000);
	h.rc = -EOPNOTSUPP;
	fx_aqic(&f, Q, 0x1000);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CALLS), 6);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_RETURNS), 6);
	apv_vm_set_pqap_hook(f.vm, NULL);
	apv_account_balance(a, &b);
	CHECK_EQ(b.hooks, 0);
	CHECK_EQ(b.hook_calls, 0);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_SETS), 1);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CLEARS), 1);
	fx_fini(&f);
}

TEST(row9_hook_published_while_check_fails_is_not_called)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	f.psw->problem_state = true;
	fx_aqic(&f, Q, 0x1000);
	f.psw->problem_state = false;
	fx_pqap(&f, aqic_gr0(Q) | APV_GR0_F, 0, 0);
	CHECK_EQ(h.calls, 0);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

/* ---- row 10: no hook ------------------------------------------------------------------ */

TEST(row10_no_hook_cc3_rc01_apqsw_in_low_word_upper_half_zero)
{
	struct fx f;
	struct apv_vcpu_stats st;

	fx_init(&f);
	CHECK(apv_vm_pqap_hook(f.vm) == NULL);
	f.psw->cc = 0;
	CHECK_DONE(fx_pqap(&f, aqic_gr0(Q), GR1_GUEST_INPUT, 0x1000), 3);
	CHECK_EQ(f.psw->cc, 3);
	/* Bits 0-31 zero; the guest's input in bits 32-63 overwritten by the APQSW. */
	CHECK_U64(f.r->gr[1] >> 32, 0);
	CHECK_U64(f.r->gr[1] & APV_GR1_RC_MASK, UINT64_C(0x00010000));
	CHECK_U64(f.r->gr[1], UINT64_C(0x0000000000010000));
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(f.r->gr[1])), APV_RC_Q_NOT_AVAIL);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.pqap_intercepts, 1);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_CALLS), 0);
	fx_fini(&f);
}

TEST(row10_hook_cleared_gives_no_hook_answer)
{
	struct fx f;
	struct test_hook h;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	CHECK(apv_vm_pqap_hook(f.vm) == &h.hook);
	apv_vm_set_pqap_hook(f.vm, NULL);
	CHECK(apv_vm_pqap_hook(f.vm) == NULL);
	f.psw->cc = 0;
	CHECK_DONE(fx_aqic(&f, Q, 0x1000), 3);
	CHECK_U64(f.r->gr[1], UINT64_C(0x0000000000010000));
	CHECK_EQ(h.calls, 0);
	/* Clearing twice is harmless and counted once. */
	apv_vm_set_pqap_hook(f.vm, NULL);
	CHECK_EQ(apv_account_get(apv_kvm_account(f.kvm), APV_ACCT_HOOK_CLEARS), 1);
	fx_fini(&f);
}

TEST(hook_publish_refuses_a_second_owner_and_changes_nothing)
{
	struct fx f;
	struct test_hook h, other;
	struct apv_account *a;

	fx_init(&f);
	a = apv_kvm_account(f.kvm);
	test_hook_init(&h, 0, 0);
	test_hook_init(&other, 0, 0x00010000);
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, &h.hook), 0);
	/* A different hook while one is published: refused, the first one stays. */
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, &other.hook), -EPERM);
	CHECK(apv_vm_pqap_hook(f.vm) == &h.hook);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_SETS), 1);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CLEARS), 0);
	CHECK_DONE(fx_aqic(&f, Q, 0x1000), 0);
	CHECK_EQ(h.calls, 1);
	CHECK_EQ(other.calls, 0);
	/* The owner publishing itself again is a no-op, not a second publication. */
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, &h.hook), 0);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_SETS), 1);
	/* Once the owner is gone the other one may publish. */
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, NULL), 0);
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, &other.hook), 0);
	CHECK(apv_vm_pqap_hook(f.vm) == &other.hook);
	CHECK_EQ(apv_vm_set_pqap_hook(f.vm, NULL), 0);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_SETS), 2);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CLEARS), 2);
	fx_fini(&f);
}

TEST(intercept_aqic_is_never_interpreted_even_with_apie)
{
	struct fx f;
	struct test_hook h;
	struct apv_vcpu_stats st;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	CHECK_DONE(fx_aqic(&f, Q, 0x1000), 0);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.interpreted, 0);
	CHECK_EQ(st.pqap_intercepts, 1);
	CHECK_EQ(h.calls, 1);
	apv_vm_set_pqap_hook(f.vm, NULL);
	fx_fini(&f);
}

TEST(intercept_nqap_dqap_intercepted_exit_to_user_space)
{
	struct fx f;

	fx_init(&f);
	apv_vm_set_nested_intercept(f.vm, true);
	f.r->gr[0] = Q;
	f.r->gr[3] = 16;
	CHECK_EXIT(apv_vcpu_execute(f.v, APV_OP_NQAP, 2, 2));
	CHECK_EXIT(apv_vcpu_execute(f.v, APV_OP_DQAP, 4, 2));
	fx_fini(&f);
}

TEST_MAIN
