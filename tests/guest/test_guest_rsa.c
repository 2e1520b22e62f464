/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSA through the guest driver on bare hardware: ME and CRT for 1024,
 * 2048 and 4096 bits against OpenSSL, the zcrypt argument checks, queue
 * choice and size limits, PSMIDs, asynchronous submission, cancel.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

static void check_me(int bits, const uint8_t *(*exp)(const struct rsa_ica_key *k))
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(bits);
	uint8_t msg[512], out[520], ref[512];
	struct apv_ica_rsa_modexpo m;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	for (unsigned i = 0; i < 3; i++) {
		rsa_test_msg(msg, k->L, i + 10);
		memset(out, 0xAA, sizeof(out));
		m = rsa_ica_me(k, msg, exp(k), out);
		m.outputdatalength = 512;
		CHECK_EQ(apv_guest_rsa_me(f.g, &m), 0);
		CHECK_EQ(m.outputdatalength, k->L);
		REQUIRE(rsa_ref_modexp(msg, exp(k), k->n, k->L, ref));
		CHECK_MEM(out, ref, k->L);
		/* Nothing beyond L is written. */
		CHECK_EQ(out[k->L], 0xAA);
	}
	gfix_free(&f);
}

static const uint8_t *pub(const struct rsa_ica_key *k)
{
	return k->e;
}

static const uint8_t *priv(const struct rsa_ica_key *k)
{
	return k->d;
}

TEST(me_1024_public_and_private_match_openssl)
{
	check_me(1024, pub);
	check_me(1024, priv);
}

TEST(me_2048_public_and_private_match_openssl)
{
	check_me(2048, pub);
	check_me(2048, priv);
}

TEST(me_4096_matches_openssl_on_a_4k_card)
{
	check_me(4096, pub);
}

static void check_crt(int bits)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(bits);
	uint8_t msg[512], out[512], ref[512], back[512];
	struct apv_ica_rsa_modexpo_crt c;
	struct apv_ica_rsa_modexpo m;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	for (unsigned i = 0; i < 3; i++) {
		rsa_test_msg(msg, k->L, i + 20);
		c = rsa_ica_crt(k, msg, out);
		CHECK_EQ(apv_guest_rsa_crt(f.g, &c), 0);
		CHECK_EQ(c.outputdatalength, k->L);
		/* CRT with the private key equals msg^d mod n ... */
		REQUIRE(rsa_ref_modexp(msg, k->d, k->n, k->L, ref));
		CHECK_MEM(out, ref, k->L);
		/* ... and the public operation through the guest gives msg back. */
		m = rsa_ica_me(k, out, k->e, back);
		CHECK_EQ(apv_guest_rsa_me(f.g, &m), 0);
		CHECK_MEM(back, msg, k->L);
	}
	gfix_free(&f);
}

TEST(crt_1024_matches_openssl_private_operation)
{
	check_crt(1024);
}

TEST(crt_2048_matches_openssl_private_operation)
{
	check_crt(2048);
}

TEST(crt_4096_matches_openssl_private_operation)
{
	check_crt(4096);
}

TEST(requests_are_checked_like_zcrypt_before_anything_is_sent)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_ica_rsa_modexpo_crt c;
	struct apv_guest_req r;
	struct apv_guest_stats st;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 3);
	m = rsa_ica_me(k, msg, k->e, out);
	m.inputdatalength = 0;
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -EINVAL);
	m.inputdatalength = 513;
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -EINVAL);
	m = rsa_ica_me(k, msg, k->e, out);
	m.outputdatalength = (uint32_t)k->L - 1;
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -EINVAL);
	m = rsa_ica_me(k, msg, k->e, out);
	m.n_modulus = NULL;
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -EFAULT);
	m = rsa_ica_me(k, msg, k->e, NULL);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -EFAULT);
	CHECK_EQ(apv_guest_rsa_me(f.g, NULL), -EINVAL);
	CHECK_EQ(apv_guest_rsa_me(NULL, &m), -EINVAL);

	c = rsa_ica_crt(k, msg, out);
	c.inputdatalength = 127;
	c.outputdatalength = 127;
	CHECK_EQ(apv_guest_rsa_crt(f.g, &c), -EINVAL);
	c = rsa_ica_crt(k, msg, out);
	c.u_mult_inv = NULL;
	CHECK_EQ(apv_guest_rsa_crt(f.g, &c), -EFAULT);

	m = rsa_ica_me(k, msg, k->e, out);
	CHECK_EQ(apv_guest_submit_me(f.g, &r, &m, 0x10000), -EINVAL);
	CHECK_EQ(apv_guest_submit_me(f.g, &r, &m, -2), -EINVAL);
	/* A queue that is not there. */
	CHECK_EQ(apv_guest_submit_me(f.g, &r, &m, 0x0307), -ENODEV);
	CHECK_EQ(apv_guest_wait(f.g, &r, 1000), -EINVAL);

	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.nqap, 0);
	CHECK_EQ(st.requests, 0);
	gfix_free(&f);
}

TEST(operands_the_card_rejects_end_with_einval_from_a_type82_reply)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], even[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_queue_info qi;
	struct apv_guest_req r;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	/* input >= modulus */
	memset(msg, 0xFF, k->L);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), -EINVAL);
	/* even modulus */
	memcpy(even, k->n, k->L);
	even[k->L - 1] &= 0xFE;
	rsa_test_msg(msg, k->L, 4);
	m = rsa_ica_me(k, msg, k->e, out);
	m.n_modulus = even;
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), -EINVAL);

	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.error_replies, 2);
	CHECK_EQ(qi.stats.replies, 2);
	/* An operand error is the caller's, not the card's: it stays online. */
	CHECK(qi.online);
	gfix_free(&f);
}

TEST(moduli_over_2048_bits_need_a_card_with_4k_me_and_crt)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_adapter_config a;
	const struct rsa_ica_key *k = gkey_get(4096);
	const struct rsa_ica_key *k2 = gkey_get(2048);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	static const unsigned ap[] = {1}, dom[] = {2};

	REQUIRE(k && k2);
	apv_hw_config_default(&c);
	apv_adapter_config_default(&a);
	a.crt4k = false;
	REQUIRE(gfix_hw(&f, false, &c, &a, ap, 1, dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	rsa_test_msg(msg, k->L, 5);
	m = rsa_ica_me(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -ENODEV);
	rsa_test_msg(msg, k2->L, 5);
	m = rsa_ica_me(k2, msg, k2->e, out);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), 0);
	gfix_free(&f);
}

TEST(psmids_are_id_high_word_plus_a_counter_and_come_back_matched)
{
	struct gfix f;
	struct apv_guest_config gc;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[4][512], out[4][512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r[4];

	REQUIRE(k);
	apv_guest_config_default(&gc);
	gc.id = 0x1234;
	REQUIRE(gfix_default(&f, NULL, &gc));
	for (unsigned i = 0; i < 4; i++) {
		rsa_test_msg(msg[i], k->L, 30 + i);
		m = rsa_ica_me(k, msg[i], k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, 0x0506) == 0);
		CHECK_U64(r[i].psmid, (UINT64_C(0x1234) << 32) + i);
	}
	CHECK_EQ(apv_guest_wait(f.g, NULL, APV_NSEC_PER_SEC), 0);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(apv_guest_req_done(f.g, &r[i]));
		CHECK_EQ(r[i].result, 0);
		CHECK_EQ(r[i].apqn, 0x0506);
		CHECK_EQ(r[i].sends, 1);
		REQUIRE(rsa_ref_modexp(msg[i], k->e, k->n, k->L, ref));
		CHECK_MEM(out[i], ref, k->L);
	}
	gfix_free(&f);
}

TEST(requests_spread_over_the_least_loaded_queues)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[8][512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r[8];
	struct apv_guest_queue_info qi;
	struct apv_guest_stats st;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 6);
	for (unsigned i = 0; i < 8; i++) {
		m = rsa_ica_me(k, msg, k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, APV_GUEST_ANY_QUEUE) == 0);
	}
	CHECK_EQ(apv_guest_wait(f.g, NULL, APV_NSEC_PER_SEC), 0);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.stats.requests, 2);
		CHECK_EQ(qi.stats.replies, 2);
		CHECK_EQ(qi.outstanding, 0);
	}
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.requests, 8);
	CHECK_EQ(st.replies, 8);
	CHECK_EQ(st.nqap, 8);
	CHECK_EQ(st.failed, 0);
	gfix_free(&f);
}

TEST(a_cancelled_request_ends_ecanceled_and_its_reply_is_dropped_as_unassociated)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_guest_queue_info qi;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 7);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0309) == 0);
	CHECK_EQ(apv_guest_cancel(f.g, &r), 0);
	CHECK_EQ(r.result, -ECANCELED);
	CHECK_EQ(apv_guest_cancel(f.g, &r), -ENOENT);
	apv_guest_run(f.g, 10 * APV_NSEC_PER_MSEC);
	REQUIRE(apv_guest_queue_find(f.g, 0x0309, &qi) == 0);
	CHECK_EQ(qi.stats.unassociated, 1);
	CHECK_EQ(qi.stats.replies, 0);
	CHECK_EQ(qi.outstanding, 0);
	gfix_free(&f);
}

TEST(a_wait_that_times_out_leaves_the_request_submitted)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW, .ns = 50 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &slow) == 0);
	rsa_test_msg(msg, k->L, 8);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_MSEC), -ETIMEDOUT);
	CHECK(!apv_guest_req_done(f.g, &r));
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), 0);
	gfix_free(&f);
}

TEST(poll_without_waiting_completes_what_is_ready)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 9);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0306) == 0);
	CHECK_EQ(apv_guest_poll(f.g), 0);
	apv_clock_sleep(f.clock, APV_NSEC_PER_MSEC);
	CHECK_EQ(apv_guest_poll(f.g), 1);
	CHECK(apv_guest_req_done(f.g, &r));
	CHECK_EQ(r.result, 0);
	gfix_free(&f);
}

TEST_MAIN
