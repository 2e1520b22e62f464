/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NQAP and DQAP: exceptions, RC10/RC15/RC06, E/R/F bits, partial DQAP, RSA results. */
#include "testlib.h"

#include "hwtest.h"

static struct apv_apqsw status_of(const struct apv_regs *r)
{
	return apv_apqsw_decode(apv_apqsw_from_gr1(r->gr[1]));
}

static const uint8_t *buf(struct hwt *t)
{
	return t->mem + (T_BUF - T_BASE);
}

TEST(odd_register_pairs_zero_length_and_mbz_bits_are_specification_exceptions)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	/* odd R1 / R2 */
	for (unsigned odd = 1; odd < 16; odd += 2) {
		memset(&r, 0, sizeof(r));
		r.gr[0] = T_APQN;
		r.gr[2] = T_MSG;
		r.gr[3] = 16;
		res = apv_hw_nqap(t.hw, &r, odd, 2, &t.st);
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
		res = apv_hw_nqap(t.hw, &r, 4, odd, &t.st);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
		res = apv_hw_dqap(t.hw, &r, odd, 2, &t.st);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
		res = apv_hw_dqap(t.hw, &r, 4, odd, &t.st);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	}
	res = apv_hw_nqap(t.hw, &r, 16, 2, &t.st);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	/* zero length */
	res = hwt_nqap(&t, &r, T_APQN, 1, NULL, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	res = hwt_dqap(&t, &r, T_APQN, 0);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	/* NQAP: bits 32, 34, 35, 40 must be zero */
	unsigned nq_bits[] = {32, 34, 35, 40};
	for (int i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.gr[0] = T_APQN | APV_BIT64(nq_bits[i]);
		r.gr[2] = T_MSG;
		r.gr[3] = 16;
		res = apv_hw_nqap(t.hw, &r, 4, 2, &t.st);
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	}
	/* DQAP: bits 33, 34, 35, 40, 41 must be zero */
	unsigned dq_bits[] = {33, 34, 35, 40, 41};
	for (int i = 0; i < 5; i++) {
		memset(&r, 0, sizeof(r));
		r.gr[0] = T_APQN | APV_BIT64(dq_bits[i]);
		r.gr[4] = T_BUF;
		r.gr[5] = 16;
		res = apv_hw_dqap(t.hw, &r, 6, 4, &t.st);
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	}
	/* NQAP's L (33) and S (41) and DQAP's bit 32 are allowed */
	memset(&r, 0, sizeof(r));
	r.gr[0] = T_APQN | APV_BIT64(33) | APV_BIT64(41);
	r.gr[2] = T_MSG;
	r.gr[3] = 16;
	CHECK_EQ(apv_hw_nqap(t.hw, &r, 4, 2, &t.st).kind, APV_RES_DONE);
	hwt_fini(&t);
}

TEST(nqap_and_dqap_on_an_absent_apqn_answer_rc01)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	res = hwt_nqap(&t, &r, apv_apqn(1, 2), 1, (const uint8_t *)"ab", 2);
	CHECK_EQ(res.cc, 3);
	CHECK_U64(r.gr[1], apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	CHECK_U64(r.gr[3], 2); /* nothing consumed */
	res = hwt_dqap(&t, &r, apv_apqn(1, 2), 64);
	CHECK_EQ(res.cc, 3);
	CHECK_U64(r.gr[1], apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	hwt_fini(&t);
}

TEST(me_request_is_answered_after_reply_ns_with_the_right_result)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 256, 11);
	res = hwt_nqap(&t, &r, T_APQN, 0x1122334455667788ull, q.req, q.req_len);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	CHECK_U64(r.gr[2], T_MSG + q.req_len); /* address advanced */
	CHECK_U64(r.gr[3], 0);                  /* length consumed */
	struct apv_apqsw s = status_of(&r);
	CHECK(!s.e);
	CHECK(!s.r);
	/* not yet */
	hwt_sleep(&t, t.cfg.reply_ns - 1);
	res = hwt_dqap(&t, &r, T_APQN, 4096);
	CHECK_EQ(res.cc, 3);
	s = status_of(&r);
	CHECK_EQ(s.rc, APV_RC_NO_PENDING_REPLY);
	CHECK(!s.e); /* still in flight: E must stay off */
	CHECK(!s.r);
	hwt_sleep(&t, 1);
	CHECK(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).r);
	res = hwt_dqap(&t, &r, T_APQN, 4096);
	CHECK_EQ(res.cc, 0);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 0x1122334455667788ull);
	size_t got = 4096 - r.gr[5];
	CHECK_U64(r.gr[4], T_BUF + got);
	CHECK_U64(r.gr[2], 0);
	CHECK_EQ(rsa_check(&q, buf(&t), got), 0);
	s = status_of(&r);
	CHECK(s.e);
	CHECK(!s.r);
	hwt_fini(&t);
}

TEST(crt_requests_of_every_size_are_answered_correctly)
{
	struct hwt t;
	struct apv_regs r;
	size_t sizes[] = {128, 256, 512};

	hwt_init(&t, NULL, false);
	for (int i = 0; i < 3; i++) {
		struct rsa_req q;

		rsa_crt(&q, sizes[i], (unsigned)i);
		REQUIRE(hwt_nqap(&t, &r, T_APQN, (uint64_t)i, q.req, q.req_len).cc == 0);
		hwt_sleep(&t, t.cfg.reply_ns);
		REQUIRE(hwt_dqap(&t, &r, T_APQN, 12288).cc == 0);
		CHECK_U64(apv_psmid_from_pair(&r, 6), (uint64_t)i);
		CHECK_EQ(rsa_check(&q, buf(&t), 12288 - r.gr[5]), 0);
	}
	hwt_fini(&t);
}

TEST(malformed_request_gets_a_type_82_reply_not_a_response_code)
{
	struct hwt t;
	struct apv_regs r;
	uint8_t junk[64] = {0, 0x50, 0, 64};

	hwt_init(&t, NULL, false);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 9, junk, sizeof(junk)).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_EQ(buf(&t)[1], APV_T82_TYPE);
	CHECK(apv_t80_parse(buf(&t), 4096 - r.gr[5], NULL, 0) > 0);
	hwt_fini(&t);
}

TEST(coprocessor_mode_adapters_answer_type_50_requests_with_type_82)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_adapter_config a;
	struct rsa_req q;
	enum apv_ap_mode modes[] = {APV_MODE_CCA, APV_MODE_EP11};

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 2);
	for (int i = 0; i < 2; i++) {
		apv_adapter_config_default(&a);
		a.mode = modes[i];
		REQUIRE(apv_hw_add_adapter(t.hw, 20 + (unsigned)i, &a) == 0);
		apv_apqn_t qn = apv_apqn(20 + (unsigned)i, T_APQI);
		REQUIRE(hwt_nqap(&t, &r, qn, 1, q.req, q.req_len).cc == 0);
		hwt_sleep(&t, t.cfg.reply_ns);
		REQUIRE(hwt_dqap(&t, &r, qn, 4096).cc == 0);
		CHECK_EQ(4096 - r.gr[5], APV_T82_LEN);
		CHECK_EQ(buf(&t)[1], APV_T82_TYPE);
		CHECK_EQ(apv_t80_parse(buf(&t), APV_T82_LEN, NULL, 0), APV_T82_WRONG_MSG_TYPE);
	}
	hwt_fini(&t);
}

TEST(queue_holds_qd_plus_1_requests_then_answers_rc10_with_f)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct rsa_req q;
	struct apv_adapter_config a;
	apv_apqn_t qn = apv_apqn(30, T_APQI);

	hwt_init(&t, NULL, false);
	apv_adapter_config_default(&a);
	a.qd = 3;
	REQUIRE(apv_hw_add_adapter(t.hw, 30, &a) == 0);
	rsa_me(&q, 128, 5);
	for (uint64_t i = 0; i < 4; i++) {
		res = hwt_nqap(&t, &r, qn, i, q.req, q.req_len);
		CHECK_EQ(res.cc, 0);
		CHECK_EQ(status_of(&r).f, i == 3);
	}
	res = hwt_nqap(&t, &r, qn, 99, q.req, q.req_len);
	CHECK_EQ(res.cc, 3);
	struct apv_apqsw s = status_of(&r);
	CHECK_EQ(s.rc, APV_RC_Q_FULL);
	CHECK(s.f);
	CHECK(!s.e);
	CHECK_U64(r.gr[3], q.req_len); /* not consumed */
	/* replies still occupy the queue until dequeued */
	hwt_sleep(&t, t.cfg.reply_ns);
	res = hwt_nqap(&t, &r, qn, 99, q.req, q.req_len);
	CHECK_EQ(status_of(&r).rc, APV_RC_Q_FULL);
	CHECK(status_of(&r).r);
	REQUIRE(hwt_dqap(&t, &r, qn, 4096).cc == 0);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 0); /* oldest first */
	CHECK(!status_of(&r).f);
	CHECK_EQ(hwt_nqap(&t, &r, qn, 100, q.req, q.req_len).cc, 0);
	hwt_fini(&t);
}

TEST(message_longer_than_the_ml_limit_answers_rc15)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_adapter_config a;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	/* default ML 0 = 12 KiB */
	res = hwt_nqap(&t, &r, T_APQN, 1, NULL, 12288 + 1);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(status_of(&r).rc, APV_RC_MESSAGE_TOO_BIG);
	CHECK(status_of(&r).e);
	res = hwt_nqap(&t, &r, T_APQN, 1, NULL, 12288);
	CHECK_EQ(res.cc, 0);
	/* ML 1 = 4 KiB */
	apv_adapter_config_default(&a);
	a.ml = 1;
	REQUIRE(apv_hw_add_adapter(t.hw, 31, &a) == 0);
	res = hwt_nqap(&t, &r, apv_apqn(31, T_APQI), 1, NULL, 4097);
	CHECK_EQ(status_of(&r).rc, APV_RC_MESSAGE_TOO_BIG);
	res = hwt_nqap(&t, &r, apv_apqn(31, T_APQI), 1, NULL, 4096);
	CHECK_EQ(res.cc, 0);
	/* huge lengths do not wrap */
	res = hwt_nqap(&t, &r, T_APQN, 1, NULL, (size_t)UINT64_MAX);
	CHECK_EQ(status_of(&r).rc, APV_RC_MESSAGE_TOO_BIG);
	hwt_fini(&t);
}

TEST(nqap_from_unbacked_storage_answers_rc06_and_takes_nothing)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	memset(&r, 0, sizeof(r));
	r.gr[0] = T_APQN;
	r.gr[2] = T_BASE + T_MEM_SIZE - 10;
	r.gr[3] = 100;
	res = apv_hw_nqap(t.hw, &r, 4, 2, &t.st);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(status_of(&r).rc, APV_RC_INVALID_ADDRESS);
	CHECK(status_of(&r).e);
	CHECK_U64(r.gr[3], 100);
	res = apv_hw_nqap(t.hw, &r, 4, 2, NULL);
	CHECK_EQ(status_of(&r).rc, APV_RC_INVALID_ADDRESS);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.requests, 0);
	CHECK_EQ(st.queued, 0);
	hwt_fini(&t);
}

TEST(dqap_into_unbacked_storage_answers_rc06_and_keeps_the_reply)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 6);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 5, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	memset(&r, 0, sizeof(r));
	r.gr[0] = T_APQN | APV_GR0_DQAP_FIRST;
	r.gr[4] = T_BASE + T_MEM_SIZE - 8;
	r.gr[5] = 4096;
	res = apv_hw_dqap(t.hw, &r, 6, 4, &t.st);
	CHECK_EQ(res.cc, 3);
	CHECK_EQ(status_of(&r).rc, APV_RC_INVALID_ADDRESS);
	CHECK(status_of(&r).r);
	CHECK_U64(r.gr[5], 4096);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_EQ(rsa_check(&q, buf(&t), 4096 - r.gr[5]), 0);
	hwt_fini(&t);
}

TEST(dqap_with_nothing_queued_answers_rc10_with_e)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	res = hwt_dqap(&t, &r, T_APQN, 4096);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 3);
	struct apv_apqsw s = status_of(&r);
	CHECK_EQ(s.rc, APV_RC_NO_PENDING_REPLY);
	CHECK(s.e);
	CHECK(!s.r);
	CHECK(!s.f);
	CHECK_U64(r.gr[2], 0);
	CHECK_U64(r.gr[5], 4096);
	hwt_fini(&t);
}

TEST(e_stays_off_while_any_request_is_in_flight)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 7);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns / 2);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns / 2); /* first ready, second in flight */
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 1);
	CHECK(!status_of(&r).e);
	CHECK(!status_of(&r).r);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 4096).cc, 3);
	CHECK_EQ(status_of(&r).rc, APV_RC_NO_PENDING_REPLY);
	CHECK(!status_of(&r).e);
	hwt_sleep(&t, t.cfg.reply_ns);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 2);
	CHECK(status_of(&r).e);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 4096).cc, 3);
	CHECK(status_of(&r).e);
	hwt_fini(&t);
}

TEST(partial_dqap_gives_cc1_residual_and_continues_with_the_returned_gr0)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;
	struct rsa_req q;
	uint8_t whole[APV_CEX_REPLY_MAX];
	size_t total = 0;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 256, 8);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 0xABCDEF, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	res = hwt_dqap(&t, &r, T_APQN, 100);
	CHECK_EQ(res.kind, APV_RES_DONE);
	CHECK_EQ(res.cc, 1);
	CHECK_EQ(status_of(&r).rc, 0);
	CHECK(status_of(&r).r);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 0xABCDEF);
	CHECK_U64(r.gr[4], T_BUF + 100);
	CHECK_U64(r.gr[5], 0);
	uint64_t residual = r.gr[2];
	CHECK(residual > 0);
	CHECK(!(r.gr[0] & APV_GR0_DQAP_FIRST));
	memcpy(whole, buf(&t), 100);
	total = 100;
	/* continue into a fresh 64-byte window each time with the returned GR0 */
	while (res.cc == 1) {
		uint64_t gr0 = r.gr[0];

		memset(&r, 0, sizeof(r));
		r.gr[0] = gr0;
		r.gr[4] = T_BUF;
		r.gr[5] = 64;
		res = apv_hw_dqap(t.hw, &r, 6, 4, &t.st);
		REQUIRE(res.kind == APV_RES_DONE);
		size_t got = 64 - r.gr[5];
		REQUIRE(total + got <= sizeof(whole));
		memcpy(whole + total, buf(&t), got);
		total += got;
		CHECK_U64(apv_psmid_from_pair(&r, 6), 0xABCDEF);
	}
	CHECK_EQ(res.cc, 0);
	CHECK_U64(r.gr[2], 0);
	CHECK_EQ(total, 100 + residual);
	CHECK_EQ(rsa_check(&q, whole, total), 0);
	CHECK(status_of(&r).e);
	hwt_fini(&t);
}

TEST(dqap_with_bit_32_restarts_a_partly_stored_reply)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 10);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 10).cc, 1);
	uint64_t residual = r.gr[2];
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	size_t got = 4096 - r.gr[5];
	CHECK_EQ(got, 10 + residual);
	CHECK_EQ(rsa_check(&q, buf(&t), got), 0);
	hwt_fini(&t);
}

TEST(replies_come_back_oldest_first_with_their_psmids)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q[4];

	hwt_init(&t, NULL, false);
	for (unsigned i = 0; i < 4; i++) {
		rsa_me(&q[i], 64 + 64 * i, 20 + i);
		REQUIRE(hwt_nqap(&t, &r, T_APQN, 1000 + i, q[i].req, q[i].req_len).cc == 0);
		hwt_sleep(&t, 10);
	}
	hwt_sleep(&t, t.cfg.reply_ns);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
		CHECK_U64(apv_psmid_from_pair(&r, 6), 1000 + i);
		CHECK_EQ(rsa_check(&q[i], buf(&t), 4096 - r.gr[5]), 0);
	}
	hwt_fini(&t);
}

TEST(other_register_pairs_are_honoured)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 12);
	memcpy(t.mem + (T_MSG - T_BASE), q.req, q.req_len);
	memset(&r, 0, sizeof(r));
	r.gr[0] = T_APQN | APV_GR0_NQAP_LAST;
	apv_psmid_to_pair(&r, 12, 0xFEEDFACECAFEBEEFull);
	r.gr[8] = T_MSG;
	r.gr[9] = q.req_len;
	REQUIRE(apv_hw_nqap(t.hw, &r, 12, 8, &t.st).cc == 0);
	CHECK_U64(r.gr[9], 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	memset(&r, 0, sizeof(r));
	r.gr[0] = T_APQN | APV_GR0_DQAP_FIRST;
	r.gr[14] = T_BUF;
	r.gr[15] = 4096;
	REQUIRE(apv_hw_dqap(t.hw, &r, 10, 14, &t.st).cc == 0);
	CHECK_U64(apv_psmid_from_pair(&r, 10), 0xFEEDFACECAFEBEEFull);
	CHECK_EQ(rsa_check(&q, buf(&t), 4096 - r.gr[15]), 0);
	hwt_fini(&t);
}

TEST(accepted_requests_and_completed_replies_are_counted)
{
	struct hwt t;
	struct apv_regs r;
	struct rsa_req q;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	rsa_me(&q, 128, 13);
	for (int i = 0; i < 3; i++)
		REQUIRE(hwt_nqap(&t, &r, T_APQN, (uint64_t)i, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK(st.exists);
	CHECK_EQ(st.requests, 3);
	CHECK_EQ(st.replies_done, 1);
	CHECK_EQ(st.queued, 2);
	CHECK_EQ(st.replies, 2);
	CHECK_EQ(st.discarded, 0);
	struct apv_apqsw s = apv_apqsw_decode(st.apqsw);
	CHECK(s.r);
	CHECK(!s.e);
	hwt_fini(&t);
}

TEST_MAIN
