/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupt-driven versus polled operation on bare hardware, measured on
 * the virtual clock: with facility 65 a reply is read when the adapter
 * interruption arrives (NIB set, then re-armed by the driver); without
 * it the driver polls every 250 us.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

/* One ME request on 03.0006; returns the virtual time it took. */
static uint64_t one_request(struct gfix *f, unsigned seed)
{
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	uint64_t t0;

	if (!k)
		return 0;
	rsa_test_msg(msg, k->L, seed);
	m = rsa_ica_me(k, msg, k->e, out);
	t0 = apv_clock_now(f->clock);
	if (apv_guest_submit_me(f->g, &r, &m, 0x0306))
		return 0;
	if (apv_guest_wait(f->g, &r, APV_NSEC_PER_SEC))
		return 0;
	if (!rsa_ref_modexp(msg, k->e, k->n, k->L, ref) || memcmp(out, ref, k->L))
		return 0;
	return apv_clock_now(f->clock) - t0;
}

/* Counters from after the bring-up, whose reset waits poll. */
struct base {
	struct apv_guest_stats st;
	struct apv_guest_queue_info qi;
};

static void base_take(struct gfix *f, apv_apqn_t apqn, struct base *b)
{
	apv_guest_stats(f->g, &b->st);
	if (apv_guest_queue_find(f->g, apqn, &b->qi))
		memset(&b->qi, 0, sizeof(b->qi));
}

TEST(with_facility_65_replies_are_read_when_the_interruption_arrives)
{
	struct gfix f;
	struct base b;
	struct apv_guest_stats st;
	struct apv_guest_queue_info qi;
	struct apv_hw_queue_stats hs;
	struct apv_hw_config c;

	apv_hw_config_default(&c);
	REQUIRE(gfix_default(&f, &c, NULL));
	base_take(&f, 0x0306, &b);
	for (unsigned i = 0; i < 5; i++) {
		/* Exactly the hardware's reply time: no poll interval in between. */
		CHECK_U64(one_request(&f, i), c.reply_ns);
		CHECK_EQ(gfix_nib(&f), 0);
	}
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.interrupts, 5);
	CHECK_EQ(st.nib_set, 5);
	CHECK_EQ(st.polls - b.st.polls, 0);
	CHECK_EQ(st.watchdog - b.st.watchdog, 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(qi.irq);
	CHECK_EQ(qi.stats.replies, 5);
	CHECK_EQ(qi.stats.irq_replies, 5);
	CHECK_EQ(qi.stats.polls - b.qi.stats.polls, 0);
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0306, &hs) == 0);
	CHECK_EQ(hs.interrupts, 5);
	gfix_free(&f);
}

TEST(without_facility_65_the_driver_polls_every_250us)
{
	struct gfix f;
	struct base b;
	struct apv_guest_stats st;
	struct apv_guest_queue_info qi;
	struct apv_hw_config c;
	struct apv_guest_config gc;

	apv_hw_config_default(&c);
	c.aqic = false;
	apv_guest_config_default(&gc);
	REQUIRE(gfix_default(&f, &c, &gc));
	base_take(&f, 0x0306, &b);
	/* A 100 us reply is seen at the first poll, 250 us after the send. */
	for (unsigned i = 0; i < 3; i++)
		CHECK_U64(one_request(&f, i), gc.poll_ns);
	/* A 600 us reply at the third. */
	{
		struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW,
						 .ns = 500 * APV_NSEC_PER_USEC};

		REQUIRE(apv_hw_inject(f.hw, 0x0306, &slow) == 0);
	}
	CHECK_U64(one_request(&f, 9), 3 * gc.poll_ns);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.interrupts, 0);
	CHECK_EQ(st.nib_set, 0);
	CHECK_EQ(st.polls - b.st.polls, 3 + 3);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(!qi.irq);
	CHECK_EQ(qi.stats.replies, 4);
	CHECK_EQ(qi.stats.irq_replies, 0);
	CHECK_EQ(qi.stats.polls - b.qi.stats.polls, 6);
	gfix_free(&f);
}

TEST(a_queue_whose_aqic_failed_polls_while_the_others_use_interrupts)
{
	struct gfix f;
	struct base b;
	struct apv_hw_config c;
	struct apv_guest_platform p;
	struct apv_guest_queue_info qi;
	struct apv_guest_stats st;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_AQIC_RC, .rc = APV_RC_INVALID_ADDRESS};
	static const unsigned a[] = {3}, d[] = {6, 9};
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	uint64_t t0;

	REQUIRE(k);
	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, a, 1, d, 2));
	REQUIRE(apv_hw_inject(f.hw, 0x0309, &fs) == 0);
	REQUIRE(apv_guest_platform_hw(f.hw, 0x8000, &p) == 0);
	f.p = p;
	REQUIRE(apv_guest_new(&p, NULL, &f.g) == 0);
	REQUIRE(apv_guest_probe(f.g) == 0);
	base_take(&f, 0x0306, &b);
	REQUIRE(apv_guest_queue_find(f.g, 0x0309, &qi) == 0);
	CHECK(!qi.irq);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(qi.irq);

	rsa_test_msg(msg, k->L, 1);
	m = rsa_ica_me(k, msg, k->e, out);
	t0 = apv_clock_now(f.clock);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0309) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), 0);
	CHECK_U64(apv_clock_now(f.clock) - t0, 250 * APV_NSEC_PER_USEC);
	t0 = apv_clock_now(f.clock);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), 0);
	CHECK_U64(apv_clock_now(f.clock) - t0, c.reply_ns);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.polls - b.st.polls, 1);
	CHECK_EQ(st.interrupts, 1);
	gfix_free(&f);
}

TEST(the_driver_clears_the_nib_before_draining_so_later_replies_interrupt_again)
{
	struct gfix f;
	struct base b;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[4][512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r[4];
	struct apv_guest_stats st;
	struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW, .ns = APV_NSEC_PER_MSEC};

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	base_take(&f, 0x0306, &b);
	/* Two queues, replies 1 ms apart. */
	REQUIRE(apv_hw_inject(f.hw, 0x0509, &slow) == 0);
	rsa_test_msg(msg, k->L, 2);
	for (unsigned i = 0; i < 4; i++) {
		m = rsa_ica_me(k, msg, k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, i < 2 ? 0x0306 : 0x0509) == 0);
	}
	CHECK_EQ(apv_guest_wait(f.g, &r[0], APV_NSEC_PER_SEC), 0);
	/* One pass drained both replies of 03.0006. */
	CHECK(apv_guest_req_done(f.g, &r[1]));
	CHECK(!apv_guest_req_done(f.g, &r[2]));
	CHECK_EQ(gfix_nib(&f), 0);
	CHECK_EQ(apv_guest_wait(f.g, NULL, APV_NSEC_PER_SEC), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(r[i].result, 0);
	apv_guest_stats(f.g, &st);
	CHECK(st.interrupts >= 2);
	CHECK(st.nib_set >= 2);
	CHECK_EQ(st.polls - b.st.polls, 0);
	CHECK_EQ(st.watchdog - b.st.watchdog, 0);
	gfix_free(&f);
}

TEST(run_lets_virtual_time_pass_without_requests_and_without_polling)
{
	struct gfix f;
	struct base b;
	struct apv_guest_stats st;
	uint64_t t0;

	REQUIRE(gfix_default(&f, NULL, NULL));
	base_take(&f, 0x0306, &b);
	t0 = apv_clock_now(f.clock);
	apv_guest_run(f.g, 10 * APV_NSEC_PER_MSEC);
	CHECK_U64(apv_clock_now(f.clock) - t0, 10 * APV_NSEC_PER_MSEC);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.polls - b.st.polls, 0);
	CHECK_EQ(st.watchdog - b.st.watchdog, 0);
	gfix_free(&f);
}

TEST_MAIN
