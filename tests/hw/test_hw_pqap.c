/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PQAP: program exceptions, TAPQ (with and without T), RAPQ/ZAPQ, wrappers. */
#include "testlib.h"

#include "hwtest.h"

static struct apv_result pqap_raw(struct hwt *t, struct apv_regs *r, uint64_t gr0)
{
	memset(r, 0, sizeof(*r));
	r->gr[0] = gr0;
	return apv_hw_pqap(t->hw, r, &t->st);
}

TEST(every_ap_instruction_raises_operation_exception_when_not_installed)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	CHECK(apv_hw_installed(t.hw));
	apv_hw_set_installed(t.hw, false);
	CHECK(!apv_hw_installed(t.hw));
	for (unsigned fc = 0; fc <= APV_FC_QCI; fc++) {
		res = hwt_pqap(&t, &r, fc, T_APQN, false, 0, T_QCI);
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_OPERATION);
	}
	res = hwt_nqap(&t, &r, T_APQN, 1, (const uint8_t *)"x", 1);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_OPERATION);
	res = hwt_dqap(&t, &r, T_APQN, 64);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_OPERATION);
	apv_hw_set_installed(t.hw, true);
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0);
	CHECK_EQ(res.kind, APV_RES_DONE);
	hwt_fini(&t);
}

TEST(invalid_or_unoffered_function_code_is_a_specification_exception)
{
	struct hwt t;
	struct apv_regs r;
	unsigned fcs[] = {APV_FC_QACT, APV_FC_QBAP, APV_FC_BAPQ, APV_FC_AAPQ, 42, 0xFF};

	hwt_init(&t, NULL, false);
	for (size_t i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++) {
		struct apv_result res = hwt_pqap(&t, &r, fcs[i], T_APQN, false, 0, 0);

		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	}
	hwt_fini(&t);
}

TEST(gr0_bits_41_to_47_are_reserved_except_f_for_resets)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	for (unsigned bit = 41; bit <= 47; bit++) {
		res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_TAPQ, T_APQN, false, false) | APV_BIT64(bit));
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
		res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_AQIC, T_APQN, false, false) | APV_BIT64(bit));
		CHECK_EQ(res.kind, APV_RES_PGM);
	}
	/* F (bit 41) is defined for RAPQ and ZAPQ. */
	res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_RAPQ, T_APQN, false, true));
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_ZAPQ, T_APQN, false, true));
	CHECK_EQ(res.kind, APV_RES_DONE);
	res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_ZAPQ, T_APQN, false, false) | APV_BIT64(42));
	CHECK_EQ(res.kind, APV_RES_PGM);
	/* Bits 0-31 are not looked at. */
	res = pqap_raw(&t, &r, apv_gr0_pqap(APV_FC_TAPQ, T_APQN, false, false) | 0xFFFFFFFF00000000ull);
	CHECK_EQ(res.kind, APV_RES_DONE);
	hwt_fini(&t);
}

TEST(tapq_t_bit_needs_apft)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	apv_hw_config_default(&cfg);
	cfg.apft = false;
	hwt_init(&t, &cfg, false);
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, true, 0, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0xdead);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	CHECK_U64(r.gr[2], 0); /* documented: no T, GR2 = 0 */
	hwt_fini(&t);
}

TEST(tapq_with_t_reports_the_adapter_hwinfo)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, true, 0, 0);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(r.gr[2]);
	CHECK(h.accel);
	CHECK(!h.cca);
	CHECK(!h.ep11);
	CHECK(h.mex4k);
	CHECK(h.crt4k);
	CHECK(h.apxa);
	CHECK_EQ(h.at, APV_AT_CEX8);
	CHECK_EQ(h.nd, 85);
	CHECK_EQ(h.ml, 0);
	CHECK_EQ(h.qd, 7);
	CHECK_EQ(h.bs, 0);
	/* The well-known value of a 4K CEX8A with 85 domains, ML 0, QD 7. */
	CHECK_U64(r.gr[2] & 0xFFFFFFFF00000000ull, 0x6A80000000000000ull);
	CHECK_U64(r.gr[2] & 0xFFFFFFFFull, 0x0E550007ull);
	/* The status: empty, no interrupts, RC 0. */
	struct apv_apqsw s = apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1]));
	CHECK(s.e);
	CHECK(!s.r);
	CHECK(!s.f);
	CHECK(!s.i);
	CHECK_EQ(s.rc, 0);
	CHECK_U64(r.gr[1] >> 32, 0);
	hwt_fini(&t);
}

TEST(tapq_hwinfo_follows_adapter_type_mode_and_limits)
{
	struct apv_hw_config cfg;
	struct apv_adapter_config a;
	struct hwt t;
	struct apv_regs r;

	apv_hw_config_default(&cfg);
	cfg.apxa = false;
	hwt_init(&t, &cfg, false);
	apv_adapter_config_default(&a);
	a.at = APV_AT_CEX5;
	a.mode = APV_MODE_CCA;
	a.mex4k = false;
	a.crt4k = false;
	a.nd = 16;
	a.ml = 3;
	a.qd = 2;
	REQUIRE(apv_hw_add_adapter(t.hw, 9, &a) == 0);
	hwt_pqap(&t, &r, APV_FC_TAPQ, apv_apqn(9, T_APQI), true, 0, 0);
	struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(r.gr[2]);
	CHECK(h.cca);
	CHECK(!h.accel);
	CHECK(!h.mex4k);
	CHECK(!h.crt4k);
	CHECK(!h.apxa);
	CHECK_EQ(h.at, APV_AT_CEX5);
	CHECK_EQ(h.nd, 16);
	CHECK_EQ(h.ml, 3);
	CHECK_EQ(h.qd, 2);
	a.mode = APV_MODE_EP11;
	REQUIRE(apv_hw_add_adapter(t.hw, 10, &a) == 0);
	hwt_pqap(&t, &r, APV_FC_TAPQ, apv_apqn(10, T_APQI), true, 0, 0);
	h = apv_tapq_hwinfo_decode(r.gr[2]);
	CHECK(h.ep11);
	CHECK(!h.cca);
	hwt_fini(&t);
}

TEST(apqn_outside_the_configuration_answers_rc01_cc3)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	apv_apqn_t absent[] = {apv_apqn(T_APID, 7), apv_apqn(4, T_APQI), apv_apqn(200, 200)};

	hwt_init(&t, NULL, false);
	for (size_t i = 0; i < 3; i++) {
		for (unsigned fc = APV_FC_TAPQ; fc <= APV_FC_AQIC; fc++) {
			res = hwt_pqap(&t, &r, fc, absent[i], fc == APV_FC_TAPQ, APV_AQIC_IR, T_NIB);
			CHECK_EQ(res.kind, APV_RES_DONE);
			CHECK_EQ(res.cc, 3);
			CHECK_U64(r.gr[1], apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
			if (fc == APV_FC_TAPQ)
				CHECK_U64(r.gr[2], 0);
		}
	}
	hwt_fini(&t);
}

TEST(without_apxa_an_apqn_beyond_63_15_is_a_specification_exception)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	apv_hw_config_default(&cfg);
	cfg.apxa = false;
	hwt_init(&t, &cfg, false);
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, apv_apqn(64, 0), false, 0, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	res = hwt_pqap(&t, &r, APV_FC_RAPQ, apv_apqn(0, 16), false, 0, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	res = hwt_nqap(&t, &r, apv_apqn(0, 16), 1, (const uint8_t *)"x", 1);
	CHECK_EQ(res.kind, APV_RES_PGM);
	res = hwt_dqap(&t, &r, apv_apqn(64, 0), 16);
	CHECK_EQ(res.kind, APV_RES_PGM);
	/* Inside the range but not defined: RC01. */
	res = hwt_pqap(&t, &r, APV_FC_TAPQ, apv_apqn(63, 15), false, 0, 0);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_Q_NOT_AVAIL);
	hwt_fini(&t);
}

TEST(rapq_and_zapq_report_rc02_until_reset_ns_then_rc00)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	unsigned fcs[] = {APV_FC_RAPQ, APV_FC_ZAPQ};

	hwt_init(&t, NULL, false);
	for (int i = 0; i < 2; i++) {
		res = hwt_pqap(&t, &r, fcs[i], T_APQN, false, 0, 0);
		CHECK_EQ(res.kind, APV_RES_DONE);
		CHECK_EQ(res.cc, 0);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_NORMAL);
		res = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0);
		CHECK_EQ(res.cc, 3);
		struct apv_apqsw s = apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1]));
		CHECK_EQ(s.rc, APV_RC_RESET_IN_PROGRESS);
		CHECK(s.e);
		CHECK(!s.i);
		hwt_sleep(&t, t.cfg.reset_ns - 1);
		CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_RESET_IN_PROGRESS);
		hwt_sleep(&t, 1);
		CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_NORMAL);
	}
	hwt_fini(&t);
}

TEST(a_reset_during_a_reset_is_accepted_and_restarts_it)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(apv_hw_rapq(t.hw, T_APQN)), APV_RC_NORMAL);
	hwt_sleep(&t, t.cfg.reset_ns / 2);
	CHECK_EQ(hwt_rc(apv_hw_zapq(t.hw, T_APQN)), APV_RC_NORMAL);
	hwt_sleep(&t, t.cfg.reset_ns / 2 + 1);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_RESET_IN_PROGRESS);
	hwt_sleep(&t, t.cfg.reset_ns);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_NORMAL);
	hwt_fini(&t);
}

TEST(reset_in_progress_blocks_nqap_dqap_and_aqic_with_rc02)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 3};

	hwt_init(&t, NULL, false);
	apv_hw_rapq(t.hw, T_APQN);
	res = hwt_nqap(&t, &r, T_APQN, 1, (const uint8_t *)"abcd", 4);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
	res = hwt_dqap(&t, &r, T_APQN, 64);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
	CHECK_EQ(hwt_rc(apv_hw_aqic(t.hw, T_APQN, c, T_NIB, &t.st)), APV_RC_RESET_IN_PROGRESS);
	hwt_fini(&t);
}

/* Both resets, every instruction that names the queue: RC02, CC3, E on, I off. */
TEST(every_queue_instruction_answers_rc02_cc3_while_a_rapq_or_zapq_runs)
{
	unsigned fcs[] = {APV_FC_RAPQ, APV_FC_ZAPQ};

	for (int i = 0; i < 2; i++) {
		struct hwt t;
		struct apv_regs r;
		struct apv_result res[6];
		struct apv_aqic_ctrl on = {.ir = true, .isc = 3};

		hwt_init(&t, NULL, false);
		REQUIRE(hwt_pqap(&t, &r, fcs[i], T_APQN, false, 0, 0).cc == 0);
		res[0] = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		res[1] = hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, true, 0, 0);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		res[2] = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, apv_aqic_ctrl_encode(on), T_NIB);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		res[3] = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, 0, 0);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		res[4] = hwt_nqap(&t, &r, T_APQN, 1, (const uint8_t *)"abcd", 4);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		CHECK(apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1])).e);
		CHECK(!apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1])).i);
		res[5] = hwt_dqap(&t, &r, T_APQN, 64);
		CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_RESET_IN_PROGRESS);
		for (int k = 0; k < 6; k++) {
			CHECK_EQ(res[k].kind, APV_RES_DONE);
			CHECK_EQ(res[k].cc, 3);
		}
		/* Nothing was taken while the reset ran. */
		hwt_sleep(&t, t.cfg.reset_ns);
		CHECK_EQ(hwt_tapq(&t, T_APQN), apv_apqsw_rc(APV_RC_NORMAL) | APV_APQSW_E);
		hwt_fini(&t);
	}
}

TEST(reset_discards_queued_requests_and_replies_and_counts_them)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 1);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns); /* one reply ready */
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 3, q.req, q.req_len).cc == 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.queued, 3);
	CHECK_EQ(st.replies, 1);
	CHECK_EQ(hwt_rc(apv_hw_zapq(t.hw, T_APQN)), APV_RC_NORMAL);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.queued, 0);
	CHECK_EQ(st.replies, 0);
	CHECK_EQ(st.discarded, 3);
	CHECK_EQ(st.requests, 3);
	CHECK_EQ(st.replies_done, 0);
	/* Nothing comes back after the reset, and no stale completion fires. */
	hwt_sleep(&t, 10 * t.cfg.reset_ns);
	CHECK_U64(apv_clock_next_deadline(t.clk), UINT64_MAX);
	struct apv_result res = hwt_dqap(&t, &r, T_APQN, 4096);
	CHECK_EQ(res.cc, 3);
	struct apv_apqsw s = apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1]));
	CHECK_EQ(s.rc, APV_RC_NO_PENDING_REPLY);
	CHECK(s.e);
	hwt_fini(&t);
}

TEST(reset_turns_interrupts_off_at_once)
{
	struct hwt t;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 6};
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(apv_hw_aqic(t.hw, T_APQN, c, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).i);
	apv_hw_rapq(t.hw, T_APQN);
	struct apv_apqsw s = apv_apqsw_decode(hwt_tapq(&t, T_APQN));
	CHECK(!s.i);
	CHECK_EQ(s.rc, APV_RC_RESET_IN_PROGRESS);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK(!st.irq_enabled);
	CHECK_U64(st.nib, 0);
	hwt_fini(&t);
}

TEST(wrappers_return_the_status_and_map_exceptions_to_rc01)
{
	struct apv_hw_config cfg;
	struct hwt t;
	uint64_t gr2 = 1;

	apv_hw_config_default(&cfg);
	cfg.apft = false;
	hwt_init(&t, &cfg, false);
	CHECK_EQ(hwt_rc(apv_hw_tapq(t.hw, T_APQN, false, &gr2)), APV_RC_NORMAL);
	CHECK_U64(gr2, 0);
	/* T without APFT is a program exception: the wrapper says RC01. */
	gr2 = 1;
	CHECK_EQ(hwt_rc(apv_hw_tapq(t.hw, T_APQN, true, &gr2)), APV_RC_Q_NOT_AVAIL);
	CHECK_U64(gr2, 0);
	CHECK_EQ(hwt_rc(apv_hw_rapq(t.hw, apv_apqn(1, 1))), APV_RC_Q_NOT_AVAIL);
	CHECK_EQ(hwt_rc(apv_hw_zapq(t.hw, apv_apqn(1, 1))), APV_RC_Q_NOT_AVAIL);
	apv_hw_set_installed(t.hw, false);
	CHECK_EQ(hwt_rc(apv_hw_tapq(t.hw, T_APQN, false, NULL)), APV_RC_Q_NOT_AVAIL);
	hwt_fini(&t);
}

/* ---- the observer of wrapper-issued instructions --------------------------------- */

struct seen {
	struct apv_hw_host_insn in[8];
	unsigned n;
};

static void record(void *ctx, const struct apv_hw_host_insn *insn)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->in[s->n] = *insn;
	s->n++;
}

TEST(the_observer_sees_each_wrapper_issued_instruction_with_its_answer)
{
	struct hwt t;
	struct seen s = {.n = 0};
	struct apv_aqic_ctrl c = {.ir = true, .isc = 3};
	struct apv_regs r;

	hwt_init(&t, NULL, false);
	apv_hw_set_insn_observer(t.hw, record, &s);
	apv_hw_zapq(t.hw, T_APQN);
	apv_hw_tapq(t.hw, T_APQN, true, NULL);
	hwt_sleep(&t, t.cfg.reset_ns);
	apv_hw_aqic(t.hw, T_APQN, c, T_NIB, &t.st);
	apv_hw_rapq(t.hw, 0x0101);
	REQUIRE(s.n == 4);
	CHECK_EQ(s.in[0].fc, APV_FC_ZAPQ);
	CHECK_EQ(s.in[0].apqn, T_APQN);
	CHECK_EQ(hwt_rc(s.in[0].apqsw), 0);
	CHECK_EQ(s.in[1].fc, APV_FC_TAPQ);
	CHECK_EQ(hwt_rc(s.in[1].apqsw), APV_RC_RESET_IN_PROGRESS);
	CHECK(s.in[1].gr2_out != 0); /* T: the adapter's facilities */
	CHECK_EQ(s.in[2].fc, APV_FC_AQIC);
	CHECK_U64(s.in[2].gr1_in, apv_aqic_ctrl_encode(c));
	CHECK_U64(s.in[2].gr2_in, T_NIB);
	CHECK_U64(s.in[2].time_ns, t.cfg.reset_ns);
	CHECK_EQ(s.in[3].fc, APV_FC_RAPQ);
	CHECK_EQ(hwt_rc(s.in[3].apqsw), APV_RC_Q_NOT_AVAIL);
	/* An instruction through apv_hw_pqap (a guest's, interpreted) is not a host one. */
	hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0);
	CHECK_EQ(s.n, 4);
	apv_hw_set_insn_observer(t.hw, NULL, NULL);
	apv_hw_zapq(t.hw, T_APQN);
	CHECK_EQ(s.n, 4);
	hwt_fini(&t);
}

TEST_MAIN
