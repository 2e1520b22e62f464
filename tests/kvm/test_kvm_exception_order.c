/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exception order at the vCPU's instruction boundary: a privileged
 * operation (problem state) or a specification condition wins over an
 * operand that is not in guest storage, on the interpreted path (PQAP
 * TAPQ/RAPQ/ZAPQ/QCI and invalid function codes, NQAP, DQAP) and on the
 * PQAP(AQIC) intercept. Had storage been touched first, the answer would
 * be an addressing exception (QCI) or RC06 (NQAP, DQAP) or a hook call
 * (AQIC) instead.
 */
#include "kvm_fixture.h"
#include "kvm_hook.h"

static const apv_apqn_t Q = 0x0102; /* in the guest's APCB */
/* Guest addresses with no memory behind them. */
static const uint64_t NOWHERE = UINT64_C(0x40000000);
static const uint64_t NOWHERE_ODD = UINT64_C(0x40000003);

#define CHECK_PGM(res, code)                                                                       \
	do {                                                                                       \
		struct apv_result r_ = (res);                                                      \
		CHECK_EQ(r_.kind, APV_RES_PGM);                                                    \
		CHECK_EQ(r_.pgm, (code));                                                          \
	} while (0)

static struct apv_result nqap(struct fx *f, uint64_t gr0, unsigned r1, unsigned r2, uint64_t addr,
			      uint64_t len)
{
	f->r->gr[0] = gr0;
	f->r->gr[r2 & 15] = addr;
	f->r->gr[(r2 + 1) & 15] = len;
	return apv_vcpu_execute(f->v, APV_OP_NQAP, r1, r2);
}

static struct apv_result dqap(struct fx *f, uint64_t gr0, unsigned r1, unsigned r2, uint64_t addr,
			      uint64_t len)
{
	f->r->gr[0] = gr0;
	f->r->gr[r2 & 15] = addr;
	f->r->gr[(r2 + 1) & 15] = len;
	return apv_vcpu_execute(f->v, APV_OP_DQAP, r1, r2);
}

static struct apv_hw_queue_stats qstats(struct fx *f)
{
	struct apv_hw_queue_stats s;

	REQUIRE(apv_hw_queue_stats(f->hw, Q, &s) == 0);
	return s;
}

/* A request on the queue (not a valid one: its reply is an error reply) and its reply ready. */
static void one_reply_ready(struct fx *f)
{
	uint8_t *msg = apv_vm_hva(f->vm, 0x3000);

	REQUIRE(msg);
	memset(msg, 0x5A, 64);
	REQUIRE(nqap(f, APV_GR0_NQAP_LAST | Q, 4, 6, 0x3000, 64).cc == 0);
	apv_clock_sleep(f->clk, APV_NSEC_PER_MSEC);
	REQUIRE(qstats(f).replies == 1);
}

TEST(interp_problem_state_wins_over_operands_outside_guest_memory)
{
	struct fx f;

	fx_init(&f);
	one_reply_ready(&f);
	f.psw->problem_state = true;
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | Q, 4, 6, NOWHERE, 64), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(dqap(&f, APV_GR0_DQAP_FIRST | Q, 4, 8, NOWHERE, 4096), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, NOWHERE),
		  APV_PGM_PRIVILEGED_OP);
	/* ... and over every specification condition that comes with them. */
	CHECK_PGM(nqap(&f, Q | APV_BIT64(32), 5, 6, NOWHERE, 0), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(dqap(&f, Q | APV_BIT64(33), 4, 9, NOWHERE, 0), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(
	    fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false) | APV_BIT64(44), 0, NOWHERE_ODD),
	    APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(0x2A, Q, false, false), 0, NOWHERE),
		  APV_PGM_PRIVILEGED_OP);
	/* Nothing reached the queue: one request taken, its reply still waiting. */
	CHECK_EQ(qstats(&f).requests, 1);
	CHECK_EQ(qstats(&f).replies, 1);
	f.psw->problem_state = false;
	fx_fini(&f);
}

TEST(interp_nqap_specification_wins_over_a_message_outside_guest_memory)
{
	struct fx f;
	struct fx_opts o;

	fx_init(&f);
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | Q, 5, 6, NOWHERE, 64), APV_PGM_SPECIFICATION);
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | Q, 4, 7, NOWHERE, 64), APV_PGM_SPECIFICATION);
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | Q, 4, 6, NOWHERE, 0), APV_PGM_SPECIFICATION);
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | Q | APV_BIT64(35), 4, 6, NOWHERE, 64),
		  APV_PGM_SPECIFICATION);
	CHECK_EQ(qstats(&f).requests, 0);
	/* With the conditions gone the same message is an invalid address (RC06). */
	CHECK_EQ(nqap(&f, APV_GR0_NQAP_LAST | Q, 4, 6, NOWHERE, 64).cc, 3);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(f.r->gr[1])), APV_RC_INVALID_ADDRESS);
	fx_fini(&f);

	/* A CRYCB without APXA (format 1): APQI 16 is a specification exception. */
	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3);
	fx_init_opts(&f, &o);
	CHECK_PGM(nqap(&f, APV_GR0_NQAP_LAST | apv_apqn(1, 16), 4, 6, NOWHERE, 64),
		  APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_dqap_specification_wins_over_a_buffer_outside_guest_memory)
{
	struct fx f;

	fx_init(&f);
	one_reply_ready(&f);
	CHECK_PGM(dqap(&f, APV_GR0_DQAP_FIRST | Q, 5, 8, NOWHERE, 4096), APV_PGM_SPECIFICATION);
	CHECK_PGM(dqap(&f, APV_GR0_DQAP_FIRST | Q, 4, 9, NOWHERE, 4096), APV_PGM_SPECIFICATION);
	CHECK_PGM(dqap(&f, APV_GR0_DQAP_FIRST | Q, 4, 8, NOWHERE, 0), APV_PGM_SPECIFICATION);
	CHECK_PGM(dqap(&f, APV_GR0_DQAP_FIRST | Q | APV_BIT64(41), 4, 8, NOWHERE, 4096),
		  APV_PGM_SPECIFICATION);
	CHECK_EQ(qstats(&f).replies, 1);
	/* Without them: RC06 and the reply stays queued. */
	CHECK_EQ(dqap(&f, APV_GR0_DQAP_FIRST | Q, 4, 8, NOWHERE, 4096).cc, 3);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_from_gr1(f.r->gr[1])), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(qstats(&f).replies, 1);
	fx_fini(&f);
}

TEST(interp_pqap_specification_wins_over_a_block_outside_guest_memory)
{
	struct fx f;
	struct fx_opts o;
	const unsigned fcs[] = {APV_FC_QACT, APV_FC_QBAP, APV_FC_BAPQ, APV_FC_AAPQ, 0x2A};

	fx_init(&f);
	/* Without the exception the block outside memory is an addressing exception. */
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, NOWHERE), 0x05);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, NOWHERE_ODD),
		  APV_PGM_SPECIFICATION);
	CHECK_PGM(
	    fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false) | APV_BIT64(47), 0, NOWHERE),
	    APV_PGM_SPECIFICATION);
	for (unsigned i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++)
		CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(fcs[i], Q, false, false), 0, NOWHERE),
			  APV_PGM_SPECIFICATION);
	fx_fini(&f);

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_QCI);
	fx_init_opts(&f, &o);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, NOWHERE),
		  APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(intercept_aqic_exceptions_win_over_a_nib_outside_guest_memory)
{
	struct fx f;
	struct fx_opts o;
	struct test_hook h;
	struct apv_balance b;

	fx_init(&f);
	test_hook_init(&h, 0, 0);
	REQUIRE(apv_vm_set_pqap_hook(f.vm, &h.hook) == 0);
	f.psw->problem_state = true;
	CHECK_PGM(fx_aqic(&f, Q, NOWHERE), APV_PGM_PRIVILEGED_OP);
	/* Privilege first, also with a reserved bit set. */
	f.r->gr[0] |= APV_BIT64(45);
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_PQAP, 0, 0), APV_PGM_PRIVILEGED_OP);
	f.psw->problem_state = false;
	for (unsigned bit = 41; bit <= 47; bit++) {
		struct apv_aqic_ctrl c = {.ir = true, .isc = APV_AP_ISC};

		CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_AQIC, Q, false, false) | APV_BIT64(bit),
				  apv_aqic_ctrl_encode(c), NOWHERE),
			  APV_PGM_SPECIFICATION);
	}
	/* The hook, the only user of the NIB, was never called; nothing is pinned. */
	CHECK_EQ(h.calls, 0);
	apv_account_balance(apv_kvm_account(f.kvm), &b);
	CHECK_EQ(b.pins, 0);
	REQUIRE(apv_vm_set_pqap_hook(f.vm, NULL) == 0);
	fx_fini(&f);

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_AQIC);
	fx_init_opts(&f, &o);
	test_hook_init(&h, 0, 0);
	REQUIRE(apv_vm_set_pqap_hook(f.vm, &h.hook) == 0);
	CHECK_PGM(fx_aqic(&f, Q, NOWHERE), APV_PGM_SPECIFICATION);
	CHECK_EQ(h.calls, 0);
	REQUIRE(apv_vm_set_pqap_hook(f.vm, NULL) == 0);
	fx_fini(&f);
}

TEST_MAIN
