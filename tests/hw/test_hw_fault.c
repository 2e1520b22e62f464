/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection: busy, reset, deconfigured, checkstop, AQIC RC07/RC, slow
 * replies; faults that end by themselves after a duration.
 */
#include "testlib.h"

#include <errno.h>

#include "hwtest.h"

static int inject(struct hwt *t, enum apv_hw_fault kind, unsigned count, uint8_t rc, uint64_t ns)
{
	struct apv_hw_fault_spec f = {.kind = kind, .count = count, .rc = rc, .ns = ns};

	return apv_hw_inject(t->hw, T_APQN, &f);
}

static uint32_t aqic_enable(struct hwt *t)
{
	struct apv_aqic_ctrl c = {.ir = true, .isc = 6};

	return apv_hw_aqic(t->hw, T_APQN, c, T_NIB, &t->st);
}

/* The RC every queue instruction answers now, and its CC. */
static void expect_every_instruction(struct hwt *t, uint8_t rc)
{
	struct apv_regs r;
	struct apv_result res;
	struct rsa_req q;

	rsa_me(&q, 64, 1);
	res = hwt_pqap(t, &r, APV_FC_TAPQ, T_APQN, false, 0, 0);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
	res = hwt_pqap(t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR | 6, T_NIB);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
	res = hwt_nqap(t, &r, T_APQN, 1, q.req, q.req_len);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
	res = hwt_dqap(t, &r, T_APQN, 4096);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
	res = hwt_pqap(t, &r, APV_FC_RAPQ, T_APQN, false, 0, 0);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
	res = hwt_pqap(t, &r, APV_FC_ZAPQ, T_APQN, false, 0, 0);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), rc);
}

TEST(busy_fault_answers_rc05_on_every_instruction_until_cleared)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject(&t, APV_FAULT_BUSY, 0, 0, 0), 0);
	expect_every_instruction(&t, APV_RC_BUSY);
	/* busy still shows the queue's bits */
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).e);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.requests, 0);
	hwt_fini(&t);
}

TEST(reset_fault_discards_and_answers_rc02_until_cleared)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 1);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	CHECK_EQ(inject(&t, APV_FAULT_RESET, 0, 0, 0), 0);
	expect_every_instruction(&t, APV_RC_RESET_IN_PROGRESS);
	hwt_sleep(&t, 100 * t.cfg.reset_ns); /* time alone does not end it */
	struct apv_apqsw s = apv_apqsw_decode(hwt_tapq(&t, T_APQN));
	CHECK_EQ(s.rc, APV_RC_RESET_IN_PROGRESS);
	CHECK(!s.i);
	CHECK(s.e);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.discarded, 1);
	CHECK_EQ(st.interrupts, 0);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	hwt_fini(&t);
}

TEST(deconfigured_and_checkstop_faults_answer_rc03_and_rc04_without_bits)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;
	struct apv_hw_queue_stats st;
	struct apv_adapter_config ad;

	hwt_init(&t, NULL, false);
	REQUIRE(apv_hw_adapter_info(t.hw, T_APID, &ad) == 0);
	REQUIRE(ad.at != 0);
	rsa_me(&q, 128, 2);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	CHECK_EQ(inject(&t, APV_FAULT_CHECKSTOP, 0, 0, 0), 0);
	expect_every_instruction(&t, APV_RC_CHECKSTOPPED);
	CHECK_U64(hwt_tapq(&t, T_APQN), apv_apqsw_rc(APV_RC_CHECKSTOPPED));
	/* deconfigured outranks checkstopped */
	CHECK_EQ(inject(&t, APV_FAULT_DECONFIGURED, 0, 0, 0), 0);
	expect_every_instruction(&t, APV_RC_DECONFIGURED);
	CHECK_U64(hwt_tapq(&t, T_APQN), apv_apqsw_rc(APV_RC_DECONFIGURED));
	/* TAPQ with T still tells the adapter's type */
	hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, true, 0, 0);
	CHECK_EQ(apv_apqsw_get_rc((uint32_t)r.gr[1]), APV_RC_DECONFIGURED);
	CHECK_EQ(apv_tapq_hwinfo_decode(r.gr[2]).at, ad.at);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	CHECK_EQ(inject(&t, APV_FAULT_CHECKSTOP, 0, 0, 0), 0);
	hwt_pqap(&t, &r, APV_FC_TAPQ, T_APQN, true, 0, 0);
	CHECK_EQ(apv_apqsw_get_rc((uint32_t)r.gr[1]), APV_RC_CHECKSTOPPED);
	CHECK_EQ(apv_tapq_hwinfo_decode(r.gr[2]).at, ad.at);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	/* these faults leave the queue's contents alone */
	hwt_sleep(&t, t.cfg.reply_ns);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.discarded, 0);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_EQ(rsa_check(&q, t.mem + (T_BUF - T_BASE), 4096 - r.gr[5]), 0);
	hwt_fini(&t);
}

TEST(aqic_rc07_fault_answers_the_next_count_aqics_then_stops)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject(&t, APV_FAULT_AQIC_RC07, 2, 0, 0), 0);
	uint32_t w = aqic_enable(&t);
	CHECK_EQ(hwt_rc(w), APV_RC_OTHERWISE_CHANGED);
	CHECK(apv_apqsw_decode(w).e);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), APV_RC_OTHERWISE_CHANGED);
	/* TAPQ is not affected */
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).i);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.aqic, 3);
	hwt_fini(&t);
}

TEST(aqic_rc07_fault_with_count_0_lasts_until_cleared)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject(&t, APV_FAULT_AQIC_RC07, 0, 0, 0), 0);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(hwt_rc(aqic_enable(&t)), APV_RC_OTHERWISE_CHANGED);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), 0);
	hwt_fini(&t);
}

TEST(aqic_rc_fault_answers_any_rc_with_cc3)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject(&t, APV_FAULT_AQIC_RC, 1, APV_RC_INVALID_GISA, 0), 0);
	res = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR | 6, T_NIB);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_INVALID_GISA);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), 0);
	CHECK_EQ(inject(&t, APV_FAULT_AQIC_RC, 0, APV_RC_BUSY, 0), 0);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), APV_RC_BUSY);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), APV_RC_BUSY);
	CHECK_EQ(inject(&t, APV_FAULT_AQIC_RC, 0, 0, 0), -EINVAL);
	hwt_fini(&t);
}

TEST(slow_fault_delays_replies_by_ns)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 3);
	CHECK_EQ(inject(&t, APV_FAULT_SLOW, 0, 0, 5000), 0);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns + 4999);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 4096).cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_NO_PENDING_REPLY);
	hwt_sleep(&t, 1);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_EQ(rsa_check(&q, t.mem + (T_BUF - T_BASE), 4096 - r.gr[5]), 0);
	hwt_fini(&t);
}

TEST(inject_reports_enodev_for_absent_queues_and_einval_for_bad_specs)
{
	struct hwt t;
	struct apv_hw_fault_spec f = {.kind = APV_FAULT_BUSY};
	struct apv_hw_fault_spec bad = {.kind = (enum apv_hw_fault)99};

	hwt_init(&t, NULL, false);
	CHECK_EQ(apv_hw_inject(t.hw, apv_apqn(1, 1), &f), -ENODEV);
	CHECK_EQ(apv_hw_inject(t.hw, T_APQN, NULL), -EINVAL);
	CHECK_EQ(apv_hw_inject(t.hw, T_APQN, &bad), -EINVAL);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	hwt_fini(&t);
}

TEST(faults_are_per_queue)
{
	struct hwt t;
	struct apv_adapter_config a;

	hwt_init(&t, NULL, false);
	apv_adapter_config_default(&a);
	REQUIRE(apv_hw_add_adapter(t.hw, 6, &a) == 0);
	CHECK_EQ(inject(&t, APV_FAULT_CHECKSTOP, 0, 0, 0), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_CHECKSTOPPED);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(6, T_APQI))), 0);
	hwt_fini(&t);
}

TEST(queue_stats_record_when_the_latest_reply_became_ready)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;
	struct apv_hw_queue_stats st;
	uint64_t sent;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 64, 4);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.last_ready_ns, 0);
	hwt_sleep(&t, 1000);
	sent = apv_clock_now(t.clk);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns + 50);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.last_ready_ns, sent + t.cfg.reply_ns);
	hwt_fini(&t);
}

TEST(an_expired_reset_stays_over_for_every_later_instruction)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(apv_hw_rapq(t.hw, T_APQN)), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_RESET_IN_PROGRESS);
	hwt_sleep(&t, t.cfg.reset_ns);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	/* A new reset after the old one was forgotten starts over. */
	CHECK_EQ(hwt_rc(apv_hw_zapq(t.hw, T_APQN)), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_RESET_IN_PROGRESS);
	hwt_sleep(&t, t.cfg.reset_ns - 1);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_RESET_IN_PROGRESS);
	hwt_sleep(&t, 1);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	hwt_fini(&t);
}

static int inject_for(struct hwt *t, enum apv_hw_fault kind, uint64_t for_ns)
{
	struct apv_hw_fault_spec f = {.kind = kind, .for_ns = for_ns};

	if (kind == APV_FAULT_SLOW)
		f.ns = 1000;
	return apv_hw_inject(t->hw, T_APQN, &f);
}

TEST(a_timed_fault_ends_exactly_at_its_clock_event)
{
	static const struct {
		enum apv_hw_fault kind;
		uint8_t rc;
	} k[] = {
	    {APV_FAULT_BUSY, APV_RC_BUSY},
	    {APV_FAULT_RESET, APV_RC_RESET_IN_PROGRESS},
	    {APV_FAULT_DECONFIGURED, APV_RC_DECONFIGURED},
	    {APV_FAULT_CHECKSTOP, APV_RC_CHECKSTOPPED},
	};

	for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct hwt t;
		uint64_t t0;

		hwt_init(&t, NULL, false);
		t0 = apv_clock_now(t.clk);
		CHECK_EQ(inject_for(&t, k[i].kind, 50 * APV_NSEC_PER_MSEC), 0);
		/* The end is an event on the clock, so waits in the stack run into it. */
		CHECK_U64(apv_clock_next_deadline(t.clk), t0 + 50 * APV_NSEC_PER_MSEC);
		CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), k[i].rc);
		hwt_sleep(&t, 50 * APV_NSEC_PER_MSEC - 1);
		CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), k[i].rc);
		hwt_sleep(&t, 1);
		CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
		CHECK_U64(apv_clock_next_deadline(t.clk), UINT64_MAX);
		hwt_fini(&t);
	}
}

TEST(timed_aqic_faults_and_slow_replies_end_too)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject_for(&t, APV_FAULT_AQIC_RC07, 10 * APV_NSEC_PER_MSEC), 0);
	CHECK_EQ(inject_for(&t, APV_FAULT_SLOW, 30 * APV_NSEC_PER_MSEC), 0);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), APV_RC_OTHERWISE_CHANGED);
	CHECK_EQ(hwt_rc(aqic_enable(&t)),
		 APV_RC_OTHERWISE_CHANGED); /* count 0: sticky while it lasts */
	hwt_sleep(&t, 10 * APV_NSEC_PER_MSEC);
	CHECK_EQ(hwt_rc(aqic_enable(&t)), 0);
	/* The slow fault's end is still to come (the I bit's event may come first). */
	CHECK(apv_clock_next_deadline(t.clk) <= 30 * APV_NSEC_PER_MSEC);
	hwt_sleep(&t, 20 * APV_NSEC_PER_MSEC);
	CHECK_U64(apv_clock_next_deadline(t.clk), UINT64_MAX);
	hwt_fini(&t);
}

TEST(reinjecting_without_a_duration_makes_it_last_and_none_clears_the_event)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	CHECK_EQ(inject_for(&t, APV_FAULT_BUSY, APV_NSEC_PER_MSEC), 0);
	CHECK_EQ(inject_for(&t, APV_FAULT_BUSY, 0), 0);
	hwt_sleep(&t, 5 * APV_NSEC_PER_MSEC);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_BUSY);
	/* Two timed faults: the earlier one ends first, the other at its own time. */
	CHECK_EQ(inject_for(&t, APV_FAULT_BUSY, 2 * APV_NSEC_PER_MSEC), 0);
	CHECK_EQ(inject_for(&t, APV_FAULT_CHECKSTOP, APV_NSEC_PER_MSEC), 0);
	hwt_sleep(&t, APV_NSEC_PER_MSEC);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_BUSY);
	CHECK_EQ(inject(&t, APV_FAULT_NONE, 0, 0, 0), 0);
	CHECK_U64(apv_clock_next_deadline(t.clk), UINT64_MAX);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	CHECK_EQ(inject_for(&t, APV_FAULT_NONE, 5), -EINVAL);
	CHECK_EQ(inject_for(&t, (enum apv_hw_fault)42, 5), -EINVAL);
	hwt_fini(&t);
}

TEST(a_timed_fault_ends_on_the_real_clock_without_anyone_looking)
{
	struct hwt t;
	struct apv_hw_fault_spec f = {.kind = APV_FAULT_BUSY, .for_ns = 20 * APV_NSEC_PER_MSEC};

	hwt_init(&t, NULL, true);
	REQUIRE(apv_hw_inject(t.hw, T_APQN, &f) == 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), APV_RC_BUSY);
	/* Generous: the timer thread clears it at 20 ms; allow a slow, shared machine. */
	apv_clock_sleep(t.clk, 200 * APV_NSEC_PER_MSEC);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	hwt_fini(&t);
}

TEST_MAIN
