/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue semantics the driver relies on, on bare hardware: at most qd
 * requests in flight, RC10 on NQAP makes it read first, requests lost by
 * a reset behind its back are re-sent when DQAP says "no reply" with E=1,
 * and a queue that goes away hands its requests to another one.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

static const unsigned one_ap[] = {3}, one_dom[] = {6};

/* Put a request on the hardware queue the way another user would. */
static bool foreign_nqap(struct gfix *f, apv_apqn_t apqn, uint64_t psmid)
{
	const struct rsa_ica_key *k = gkey_get(1024);
	static uint8_t mem[4096];
	struct apv_flat_storage fs = {mem, 0x1000, sizeof(mem)};
	struct apv_storage st = apv_flat_storage(&fs);
	uint8_t msg[512];
	struct apv_regs r = {{0}};
	size_t n;
	struct apv_result res;

	rsa_test_msg(msg, k->L, 77);
	n = apv_t50_build_me(mem, sizeof(mem), k->e, k->n, msg, k->L);
	if (!n)
		return false;
	r.gr[0] = APV_GR0_NQAP_LAST | apqn;
	apv_psmid_to_pair(&r, 4, psmid);
	r.gr[2] = 0x1000;
	r.gr[3] = n;
	res = apv_hw_nqap(f->hw, &r, 4, 2, &st);
	return res.kind == APV_RES_DONE && apv_apqsw_get_rc(apv_apqsw_from_gr1(r.gr[1])) == 0;
}

TEST(no_more_than_qd_requests_are_in_flight_per_queue)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_adapter_config a;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[6][512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r[6];
	struct apv_guest_queue_info qi;
	struct apv_hw_queue_stats hs;

	REQUIRE(k);
	apv_hw_config_default(&c);
	apv_adapter_config_default(&a);
	a.qd = 2;
	REQUIRE(gfix_hw(&f, false, &c, &a, one_ap, 1, one_dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	rsa_test_msg(msg, k->L, 1);
	for (unsigned i = 0; i < 6; i++) {
		m = rsa_ica_me(k, msg, k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, APV_GUEST_ANY_QUEUE) == 0);
	}
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.qd, 2);
	CHECK_EQ(qi.outstanding, 2);
	CHECK_EQ(qi.waiting, 4);
	CHECK_EQ(qi.state, APV_GQ_WORKING);
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0306, &hs) == 0);
	CHECK_EQ(hs.queued, 2);
	CHECK_EQ(apv_guest_wait(f.g, NULL, APV_NSEC_PER_SEC), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	for (unsigned i = 0; i < 6; i++) {
		CHECK_EQ(r[i].result, 0);
		CHECK_MEM(out[i], ref, k->L);
	}
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.requests, 6);
	CHECK_EQ(qi.stats.queue_full, 0);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	gfix_free(&f);
}

TEST(rc10_on_nqap_makes_the_driver_read_before_it_sends_again)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_adapter_config a;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_guest_queue_info qi;

	REQUIRE(k);
	apv_hw_config_default(&c);
	apv_adapter_config_default(&a);
	a.qd = 1; /* the hardware holds two */
	REQUIRE(gfix_hw(&f, false, &c, &a, one_ap, 1, one_dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	/* Someone else filled the queue. */
	REQUIRE(foreign_nqap(&f, 0x0306, UINT64_C(0xF00D000000000001)));
	REQUIRE(foreign_nqap(&f, 0x0306, UINT64_C(0xF00D000000000002)));

	rsa_test_msg(msg, k->L, 2);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.state, APV_GQ_QUEUE_FULL);
	CHECK_EQ(qi.stats.queue_full, 1);
	CHECK_EQ(qi.waiting, 1);
	CHECK_EQ(qi.outstanding, 0);

	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
	CHECK_EQ(r.sends, 1);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	/* The foreign replies were read first and dropped. */
	CHECK_EQ(qi.stats.unassociated, 2);
	CHECK_EQ(qi.stats.replies, 1);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	gfix_free(&f);
}

static void submit_three(struct gfix *f, struct apv_guest_req *r, uint8_t (*out)[512],
			 const uint8_t *msg)
{
	const struct rsa_ica_key *k = gkey_get(1024);
	struct apv_ica_rsa_modexpo m;

	for (unsigned i = 0; i < 3; i++) {
		m = rsa_ica_me(k, msg, k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f->g, &r[i], &m, 0x0306) == 0);
	}
}

/* All three complete with OpenSSL's result, each sent twice (lost once). */
static void wait_three_resent(struct gfix *f, struct apv_guest_req *r, uint8_t (*out)[512],
			      const uint8_t *msg)
{
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t ref[512];

	CHECK_EQ(apv_guest_wait(f->g, NULL, 10 * APV_NSEC_PER_SEC), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(r[i].result, 0);
		CHECK_EQ(r[i].sends, 2);
		CHECK_MEM(out[i], ref, k->L);
	}
}

TEST(requests_lost_to_a_host_reset_are_resent_when_dqap_says_empty)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[3][512];
	struct apv_guest_req r[3];
	struct apv_guest_queue_info qi;
	struct apv_guest_stats st;
	struct apv_hw_queue_stats hs;
	struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW, .ns = 10 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &slow) == 0);
	rsa_test_msg(msg, k->L, 3);
	submit_three(&f, r, out, msg);
	/* The host resets the queue under the guest: requests and IRQ registration gone. */
	CHECK_EQ(apv_apqsw_get_rc(apv_hw_rapq(f.hw, 0x0306)), 0);
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0306, &hs) == 0);
	CHECK_EQ(hs.discarded, 3);
	CHECK(!hs.irq_enabled);

	wait_three_resent(&f, r, out, msg);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.resends, 3);
	CHECK_EQ(qi.stats.requests, 6);
	CHECK_EQ(qi.stats.replies, 3);
	/* Interruptions were enabled again after the reset. */
	CHECK(qi.irq);
	CHECK_EQ(qi.stats.aqic, 2);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.resends, 3);
	gfix_free(&f);
}

TEST(requests_lost_to_an_injected_reset_fault_are_resent_when_polling)
{
	struct gfix f;
	struct apv_hw_config c;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[3][512];
	struct apv_guest_req r[3];
	struct apv_guest_queue_info qi;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_SLOW, .ns = 10 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	apv_hw_config_default(&c);
	c.aqic = false;
	REQUIRE(gfix_default(&f, &c, NULL));
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);
	rsa_test_msg(msg, k->L, 4);
	submit_three(&f, r, out, msg);
	fs.kind = APV_FAULT_RESET;
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);
	apv_guest_run(f.g, 5 * APV_NSEC_PER_MSEC);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	/* DQAP saw RC02: the driver waits for the reset to end. */
	CHECK_EQ(qi.state, APV_GQ_RESET_WAIT);
	CHECK_EQ(qi.outstanding, 3);
	fs.kind = APV_FAULT_NONE;
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);

	wait_three_resent(&f, r, out, msg);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.resends, 3);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	gfix_free(&f);
}

TEST(a_checkstopped_queue_goes_offline_and_its_requests_move_to_another)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[3][512], ref[512];
	struct apv_guest_req r[3];
	struct apv_guest_queue_info qi;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_SLOW, .ns = 10 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);
	rsa_test_msg(msg, k->L, 5);
	{
		struct apv_ica_rsa_modexpo m;

		for (unsigned i = 0; i < 3; i++) {
			m = rsa_ica_me(k, msg, k->e, out[i]);
			/* Any queue would do, but start them all on 03.0006. */
			REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, APV_GUEST_ANY_QUEUE) == 0);
		}
	}
	fs.kind = APV_FAULT_CHECKSTOP;
	REQUIRE(apv_hw_inject(f.hw, r[0].apqn, &fs) == 0);
	CHECK_EQ(apv_guest_wait(f.g, NULL, 10 * APV_NSEC_PER_SEC), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(r[i].result, 0);
		CHECK_MEM(out[i], ref, k->L);
	}
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(!qi.online);
	CHECK_EQ(qi.state, APV_GQ_ERROR);
	CHECK_STR(qi.status, "chkstop");
	CHECK(r[0].apqn != 0x0306);
	CHECK_EQ(r[0].sends, 2);
	gfix_free(&f);
}

TEST(a_request_for_a_queue_that_dies_fails_enodev_when_nothing_else_fits)
{
	struct gfix f;
	struct apv_hw_config c;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_SLOW, .ns = 10 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, one_ap, 1, one_dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);
	rsa_test_msg(msg, k->L, 6);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, APV_GUEST_ANY_QUEUE) == 0);
	fs.kind = APV_FAULT_DECONFIGURED;
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &fs) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, 10 * APV_NSEC_PER_SEC), -ENODEV);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -ENODEV);
	gfix_free(&f);
}

/* A platform around the bare one whose first DQAP of a reply offers only 256 bytes. */
struct shrink {
	struct apv_guest_platform inner;
	bool armed;
};

static struct apv_result shrink_execute(void *ctx, struct apv_regs *r, uint16_t op, unsigned r1,
					unsigned r2)
{
	struct shrink *s = ctx;
	bool cut = op == APV_OP_DQAP && s->armed && (r->gr[0] & APV_GR0_DQAP_FIRST);
	struct apv_result res;

	if (cut)
		r->gr[r2 + 1] = 0x100;
	res = s->inner.execute(s->inner.ctx, r, op, r1, r2);
	if (cut && res.kind == APV_RES_DONE && !apv_apqsw_get_rc(apv_apqsw_from_gr1(r->gr[1])))
		s->armed = false;
	return res;
}

static bool shrink_fac(void *ctx, unsigned nr)
{
	struct shrink *s = ctx;

	return s->inner.has_facility(s->inner.ctx, nr);
}

static int shrink_isc(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	struct shrink *s = ctx;

	return s->inner.enable_isc(s->inner.ctx, isc, fn, arg);
}

static void shrink_release(void *ctx)
{
	struct shrink *s = ctx;

	apv_guest_platform_release(&s->inner);
}

TEST(a_reply_larger_than_the_buffer_fails_emsgsize_and_is_drained)
{
	struct gfix f;
	struct apv_hw_config c;
	static struct shrink sh;
	struct apv_guest_platform p;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_hw_queue_stats hs;

	REQUIRE(k);
	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, one_ap, 1, one_dom, 1));
	memset(&sh, 0, sizeof(sh));
	REQUIRE(apv_guest_platform_hw(f.hw, 0x8000, &sh.inner) == 0);
	p = sh.inner;
	p.execute = shrink_execute;
	p.has_facility = shrink_fac;
	p.enable_isc = shrink_isc;
	p.release = shrink_release;
	p.ctx = &sh;
	f.p = p;
	REQUIRE(apv_guest_new(&p, NULL, &f.g) == 0);
	REQUIRE(apv_guest_probe(f.g) == 0);

	rsa_test_msg(msg, k->L, 8);
	m = rsa_ica_me(k, msg, k->e, out);
	sh.armed = true;
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), -EMSGSIZE);
	/* The rest of the reply was fetched: nothing is left on the queue. */
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0306, &hs) == 0);
	CHECK_EQ(hs.queued, 0);
	CHECK_EQ(hs.replies_done, 1);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
	gfix_free(&f);
}

TEST(queue_state_names_match_the_scenario_language)
{
	/* The words `expect guest queue ... state=` accepts, in enum order. */
	static const char *const want[] = {"uninitiated", "reset_start", "reset_wait",
					   "setirq_wait", "idle",	 "working",
					   "queue_full",  "error",	 "removed"};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR(apv_guest_qstate_name((enum apv_guest_qstate)i), want[i]);
	CHECK(apv_guest_qstate_name((enum apv_guest_qstate)(APV_GQ_REMOVED + 1)) == NULL);
	CHECK(apv_guest_qstate_name((enum apv_guest_qstate)UINT32_MAX) == NULL);
}

TEST_MAIN
