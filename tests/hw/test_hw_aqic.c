/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AQIC: the I bit and its delay, RC06/RC07, NIB + interrupt on a reply, GISA. */
#include <time.h>

#include "testlib.h"

#include "hwtest.h"

static uint32_t enable(struct hwt *t, uint64_t nib, const struct apv_storage *st)
{
	struct apv_aqic_ctrl c = {.ir = true, .isc = 6};

	return apv_hw_aqic(t->hw, T_APQN, c, nib, st);
}

static uint32_t disable(struct hwt *t)
{
	struct apv_aqic_ctrl c = {.ir = false};

	return apv_hw_aqic(t->hw, T_APQN, c, 0, &t->st);
}

static bool i_bit(struct hwt *t)
{
	return apv_apqsw_decode(hwt_tapq(t, T_APQN)).i;
}

TEST(aqic_without_facility_65_is_a_specification_exception)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	apv_hw_config_default(&cfg);
	cfg.aqic = false;
	hwt_init(&t, &cfg, false);
	res = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR | 6, T_NIB);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	hwt_fini(&t);
}

TEST(enable_answers_rc00_cc0_and_the_i_bit_follows_irq_ns_later)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	res = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR | 6, T_NIB);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	struct apv_apqsw s = apv_apqsw_decode(apv_apqsw_from_gr1(r.gr[1]));
	CHECK_EQ(s.rc, 0);
	CHECK(!s.i); /* not yet */
	CHECK(s.e);
	hwt_sleep(&t, t.cfg.irq_ns - 1);
	CHECK(!i_bit(&t));
	hwt_sleep(&t, 1);
	CHECK(i_bit(&t));
	hwt_fini(&t);
}

TEST(disable_answers_rc00_and_the_i_bit_goes_off_irq_ns_later)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	uint32_t w = disable(&t);
	CHECK_EQ(hwt_rc(w), 0);
	CHECK(apv_apqsw_decode(w).i); /* still on */
	hwt_sleep(&t, t.cfg.irq_ns - 1);
	CHECK(i_bit(&t));
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.nib, T_NIB); /* kept until the I bit is off */
	hwt_sleep(&t, 1);
	CHECK(!i_bit(&t));
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.nib, 0);
	CHECK_EQ(st.aqic, 2);
	hwt_fini(&t);
}

/* A clock callback that keeps the real clock's timer thread busy for 200 ms. */
static void hog_timer_thread(void *arg)
{
	struct timespec ts = {0, 200 * 1000 * 1000};

	(void)arg;
	nanosleep(&ts, NULL);
}

/*
 * Real clock: once irq_ns have passed, TAPQ shows the new I bit, even if
 * the clock's timer thread (which would otherwise flip it) is late.
 */
TEST(the_i_bit_follows_irq_ns_later_even_when_the_timer_thread_is_late)
{
	struct apv_hw_config cfg;
	struct apv_timer hog;
	struct hwt t;
	uint64_t t0;

	apv_hw_config_default(&cfg);
	hwt_init(&t, &cfg, true);
	apv_timer_init(&hog, hog_timer_thread, NULL);
	apv_clock_arm(t.clk, &hog, apv_clock_now(t.clk));
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	t0 = apv_clock_now(t.clk); /* after the AQIC: irq_ns from here are surely over */
	while (apv_clock_now(t.clk) - t0 < cfg.irq_ns)
		;
	CHECK(i_bit(&t));
	CHECK(apv_clock_now(t.clk) - t0 < 100 * APV_NSEC_PER_MSEC); /* the hog is still running */
	CHECK_EQ(hwt_rc(disable(&t)), 0);
	t0 = apv_clock_now(t.clk);
	while (apv_clock_now(t.clk) - t0 < cfg.irq_ns)
		;
	CHECK(!i_bit(&t));
	apv_clock_cancel(t.clk, &hog);
	hwt_fini(&t);
}

TEST(enable_while_enabled_or_enabling_answers_rc07_cc3)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	/* in progress */
	res = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR | 6, T_NIB2);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_OTHERWISE_CHANGED);
	hwt_sleep(&t, t.cfg.irq_ns);
	/* done: still a conflict */
	CHECK_EQ(hwt_rc(enable(&t, T_NIB2, &t.st)), APV_RC_OTHERWISE_CHANGED);
	struct apv_hw_queue_stats st;
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.nib, T_NIB); /* the first registration stands */
	hwt_fini(&t);
}

TEST(disable_while_disabled_or_disabling_answers_rc07)
{
	struct hwt t;

	hwt_init(&t, NULL, false);
	uint32_t w = disable(&t);
	CHECK_EQ(hwt_rc(w), APV_RC_OTHERWISE_CHANGED);
	CHECK(apv_apqsw_decode(w).e); /* the status bits come with RC07 */
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	/* disable while the enable is still in progress */
	CHECK_EQ(hwt_rc(disable(&t)), APV_RC_OTHERWISE_CHANGED);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK_EQ(hwt_rc(disable(&t)), 0);
	CHECK_EQ(hwt_rc(disable(&t)), APV_RC_OTHERWISE_CHANGED);
	/* enable while the disable is in progress */
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), APV_RC_OTHERWISE_CHANGED);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK(!i_bit(&t));
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_fini(&t);
}

TEST(enable_with_unusable_nib_answers_rc06)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(enable(&t, 0, &t.st)), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(hwt_rc(enable(&t, UINT64_MAX, &t.st)), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(hwt_rc(enable(&t, T_BASE - 1, &t.st)), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(hwt_rc(enable(&t, T_BASE + T_MEM_SIZE, &t.st)), APV_RC_INVALID_ADDRESS);
	/* backed but read-only */
	CHECK_EQ(hwt_rc(enable(&t, T_RO + 1, &t.st_ro)), APV_RC_INVALID_ADDRESS);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, NULL)), APV_RC_INVALID_ADDRESS);
	struct apv_regs r;
	struct apv_result res = hwt_pqap(&t, &r, APV_FC_AQIC, T_APQN, false, APV_AQIC_IR, 0);
	CHECK_EQ(res.cc, 3);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK(!i_bit(&t));
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_U64(st.nib, 0);
	/* the probe of a good NIB leaves its content alone */
	t.mem[T_NIB - T_BASE] = 0x5A;
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st_ro)), 0);
	CHECK_EQ(t.mem[T_NIB - T_BASE], 0x5A);
	hwt_fini(&t);
}

static void run_one_request(struct hwt *t, uint64_t psmid)
{
	struct apv_regs r;
	struct rsa_req q;

	rsa_me(&q, 256, (unsigned)psmid);
	REQUIRE(hwt_nqap(t, &r, T_APQN, psmid, q.req, q.req_len).cc == 0);
	hwt_sleep(t, t->cfg.reply_ns);
	REQUIRE(hwt_dqap(t, &r, T_APQN, 4096).cc == 0);
	CHECK_EQ(rsa_check(&q, t->mem + (T_BUF - T_BASE), 4096 - r.gr[5]), 0);
}

TEST(reply_with_interrupts_on_sets_the_nib_and_raises_one_interrupt)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK_EQ(t.mem[T_NIB - T_BASE], 0);
	run_one_request(&t, 0x1234);
	CHECK(t.mem[T_NIB - T_BASE] != 0);
	REQUIRE(hwt_nirq(&t) == 1);
	CHECK_EQ(t.irqs[0].apqn, T_APQN);
	CHECK_EQ(t.irqs[0].isc, 6);
	CHECK(!t.irqs[0].gisa_valid);
	CHECK_EQ(t.irqs[0].gisa, 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.interrupts, 1);
	/* The driver clears the NIB; the next reply sets it again. */
	t.mem[T_NIB - T_BASE] = 0;
	run_one_request(&t, 0x1235);
	CHECK(t.mem[T_NIB - T_BASE] != 0);
	CHECK_EQ(hwt_nirq(&t), 2);
	hwt_fini(&t);
}

TEST(interrupt_carries_the_gisa_designation_given_to_aqic)
{
	struct hwt t;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 5, .gisc = 6, .gf = 1, .gisa = 0x123456};

	hwt_init(&t, NULL, false);
	CHECK_EQ(hwt_rc(apv_hw_aqic(t.hw, T_APQN, c, T_NIB2, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	run_one_request(&t, 77);
	CHECK(t.mem[T_NIB2 - T_BASE] != 0);
	CHECK_EQ(t.mem[T_NIB - T_BASE], 0);
	REQUIRE(hwt_nirq(&t) == 1);
	CHECK(t.irqs[0].gisa_valid);
	CHECK_U64(t.irqs[0].gisa, 0x123456);
	CHECK_EQ(t.irqs[0].gisc, 6);
	CHECK_EQ(t.irqs[0].isc, 5);
	CHECK_EQ(t.irqs[0].apqn, T_APQN);
	hwt_fini(&t);
}

TEST(no_interrupt_and_no_nib_store_while_the_i_bit_is_off)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	apv_hw_config_default(&cfg);
	cfg.irq_ns = 1000;
	cfg.reply_ns = 500;
	hwt_init(&t, &cfg, false);
	run_one_request(&t, 1); /* disabled */
	CHECK_EQ(hwt_nirq(&t), 0);
	/* enabling but not on yet when the reply becomes ready */
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	rsa_me(&q, 128, 9);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, 500);
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).r);
	CHECK(!i_bit(&t));
	CHECK_EQ(hwt_nirq(&t), 0);
	CHECK_EQ(t.mem[T_NIB - T_BASE], 0);
	/* turning the I bit on does not raise one for the waiting reply */
	hwt_sleep(&t, 500);
	CHECK(i_bit(&t));
	CHECK_EQ(hwt_nirq(&t), 0);
	hwt_fini(&t);
}

TEST(a_reply_while_disabling_still_interrupts_until_the_i_bit_is_off)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	apv_hw_config_default(&cfg);
	cfg.irq_ns = 1000;
	cfg.reply_ns = 500;
	hwt_init(&t, &cfg, false);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_sleep(&t, 1000);
	rsa_me(&q, 128, 3);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	CHECK_EQ(hwt_rc(disable(&t)), 0);
	hwt_sleep(&t, 500); /* reply ready while the I bit is still on */
	CHECK_EQ(hwt_nirq(&t), 1);
	hwt_sleep(&t, 500); /* now off */
	CHECK(!i_bit(&t));
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, 500);
	CHECK_EQ(hwt_nirq(&t), 1);
	hwt_fini(&t);
}

TEST(interrupt_raised_without_handler_is_counted_and_sets_the_nib)
{
	struct hwt t;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	apv_hw_set_irq_handler(t.hw, NULL, NULL);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	run_one_request(&t, 5);
	CHECK(t.mem[T_NIB - T_BASE] != 0);
	CHECK_EQ(hwt_nirq(&t), 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.interrupts, 1);
	hwt_fini(&t);
}

TEST(irq_ns_zero_changes_the_i_bit_immediately)
{
	struct apv_hw_config cfg;
	struct hwt t;

	apv_hw_config_default(&cfg);
	cfg.irq_ns = 0;
	hwt_init(&t, &cfg, false);
	uint32_t w = enable(&t, T_NIB, &t.st);
	CHECK_EQ(hwt_rc(w), 0);
	CHECK(apv_apqsw_decode(w).i);
	w = disable(&t);
	CHECK_EQ(hwt_rc(w), 0);
	CHECK(!apv_apqsw_decode(w).i);
	CHECK_U64(apv_clock_next_deadline(t.clk), UINT64_MAX);
	hwt_fini(&t);
}

/* A handler that issues instructions of its own: no hw lock may be held. */
struct reentry {
	struct hwt *t;
	uint32_t tapq;
	unsigned calls;
	size_t len;
};

static void reentrant_handler(void *ctx, const struct apv_hw_irq *irq)
{
	struct reentry *e = ctx;
	struct apv_regs r;

	e->calls++;
	e->tapq = hwt_tapq(e->t, irq->apqn);
	/* dequeue from inside the interrupt, as a driver tasklet would */
	if (hwt_dqap(e->t, &r, irq->apqn, 4096).cc == 0)
		e->len = 4096 - r.gr[5];
}

TEST(the_irq_handler_runs_without_hw_locks_and_may_issue_instructions)
{
	struct hwt t;
	struct reentry e = {0};
	struct apv_regs r;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	e.t = &t;
	apv_hw_set_irq_handler(t.hw, reentrant_handler, &e);
	CHECK_EQ(hwt_rc(enable(&t, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	rsa_me(&q, 128, 4);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	CHECK_EQ(e.calls, 1);
	CHECK(apv_apqsw_decode(e.tapq).r);
	CHECK_EQ(rsa_check(&q, t.mem + (T_BUF - T_BASE), e.len), 0);
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).e);
	hwt_fini(&t);
}

TEST_MAIN
