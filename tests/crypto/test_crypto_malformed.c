/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every malformed request and every bad operand gets an 8-byte type 82
 * reply with the documented code (docs/crypto.md), byte for byte, and
 * nothing else in the reply buffer is touched.
 */
#include "apvirt/crypto.h"
#include "testlib.h"

/* A tiny valid key: n = 77 = 11 * 7, e = 7, d = 43; 5^43 mod 77 = 26. */
static const uint8_t N = 77, E = 7, D = 43, P = 11, Q = 7, DP = 3, DQ = 1, U = 8;
static const uint8_t MSG = 5, RESULT = 26;

enum { OFF_MEB1_EXP = 0x10 + 127, OFF_MEB1_MOD = 0x90 + 127, OFF_MEB1_MSG = 0x110 + 127 };
enum {
	OFF_CRB1_P = 0x10 + 63, OFF_CRB1_Q = 0x50 + 63, OFF_CRB1_DP = 0x90 + 63,
	OFF_CRB1_DQ = 0xD0 + 63, OFF_CRB1_U = 0x110 + 63, OFF_CRB1_MSG = 0x150 + 127,
};

static size_t good_me(uint8_t *req)
{
	uint8_t exp = D, mod = N, msg = MSG;

	return apv_t50_build_me(req, APV_T50_MAX_LEN, &exp, &mod, &msg, 1);
}

static size_t good_crt(uint8_t *req)
{
	uint8_t p = P, q = Q, dp = DP, dq = DQ, u = U, msg = MSG;

	return apv_t50_build_crt(req, APV_T50_MAX_LEN, &p, &q, &dp, &dq, &u, &msg, 1);
}

/*
 * Run one request and check the reply is exactly 00 82 00 00 <code> 00 00 00
 * with the rest of the buffer left as it was.
 */
static void expect_t82(struct apv_cex *c, const uint8_t *req, size_t len, unsigned code,
		       int line)
{
	uint8_t rep[APV_CEX_REPLY_MAX];
	const uint8_t want[8] = {0, 0x82, 0, 0, (uint8_t)code, 0, 0, 0};

	memset(rep, 0xEE, sizeof(rep));
	size_t n = apv_cex_process(c, req, len, rep);
	if (n != APV_T82_LEN || memcmp(rep, want, sizeof(want)) != 0)
		APV_TEST_FAIL("line %d: want code 0x%02x, got len %zu type 0x%02x code 0x%02x", line,
			      code, n, rep[1], rep[4]);
	for (size_t i = APV_T82_LEN; i < sizeof(rep); i++)
		if (rep[i] != 0xEE) {
			APV_TEST_FAIL("line %d: reply byte %zu written", line, i);
			break;
		}
}
#define EXPECT_T82(c, req, len, code) expect_t82((c), (req), (len), (code), __LINE__)

static void expect_ok(struct apv_cex *c, const uint8_t *req, size_t len, int line)
{
	uint8_t rep[APV_CEX_REPLY_MAX], res = 0;
	size_t n = apv_cex_process(c, req, len, rep);

	if (n != 0x90 || rep[1] != 0x80 || apv_t80_parse(rep, n, &res, 1) != 0 || res != RESULT)
		APV_TEST_FAIL("line %d: want a type 80 with %u, got len %zu type 0x%02x res %u", line,
			      RESULT, n, rep[1], res);
}
#define EXPECT_OK(c, req, len) expect_ok((c), (req), (len), __LINE__)

TEST(tiny_key_baseline_me_and_crt_succeed)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	CHECK_EQ(good_me(req), 0x190);
	EXPECT_OK(c, req, 0x190);
	CHECK_EQ(good_crt(req), 0x1D0);
	EXPECT_OK(c, req, 0x1D0);
	apv_cex_free(c);
}

TEST(truncated_requests_0_1_15_bytes_are_bad_length_0x23)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	EXPECT_T82(c, req, 0, 0x23);
	EXPECT_T82(c, req, 1, 0x23);
	EXPECT_T82(c, req, 15, 0x23);
	EXPECT_T82(c, req, 16, 0x23);
	EXPECT_T82(c, req, 0x18F, 0x23);
	EXPECT_T82(c, NULL, 0, 0x23);
	EXPECT_T82(c, NULL, 0x190, 0x23);
	apv_cex_free(c);
}

TEST(wrong_type_byte_is_0x20_even_when_truncated)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];
	static const uint8_t types[] = {0x00, 0x06, 0x4F, 0x51, 0x80, 0x82, 0xFF};

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(types); i++) {
		good_me(req);
		req[1] = types[i];
		EXPECT_T82(c, req, 0x190, 0x20);
		EXPECT_T82(c, req, 2, 0x20);
		EXPECT_T82(c, req, 15, 0x20);
	}
	apv_cex_free(c);
}

TEST(msg_len_field_must_equal_length_given_0x23)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	req[3] = 0x8F; /* msg_len 0x18F, 0x190 bytes given */
	EXPECT_T82(c, req, 0x190, 0x23);
	req[3] = 0x91;
	EXPECT_T82(c, req, 0x190, 0x23);
	req[2] = 0;
	req[3] = 0;
	EXPECT_T82(c, req, 0x190, 0x23);
	/* msg_len right, but a different number of bytes given. */
	good_me(req);
	EXPECT_T82(c, req, 0x18F, 0x23);
	EXPECT_T82(c, req, 0x191, 0x23);
	apv_cex_free(c);
}

TEST(length_must_match_the_keyblock_fixed_size_0x23)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	/* Consistent msg_len and length, but MEB1 is 0x190 bytes, not 0x1A0. */
	good_me(req);
	req[2] = 0x01;
	req[3] = 0xA0;
	EXPECT_T82(c, req, 0x1A0, 0x23);
	/* An MEB1-sized message that claims to be MEB2 or CRB1. */
	good_me(req);
	req[9] = 0x02;
	EXPECT_T82(c, req, 0x190, 0x23);
	req[9] = 0x11;
	EXPECT_T82(c, req, 0x190, 0x23);
	apv_cex_free(c);
}

TEST(unknown_keyblock_is_0x24)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];
	static const uint16_t kbs[] = {0x0000, 0x0004, 0x0010, 0x0014, 0x0101, 0x1100, 0xFFFF};

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(kbs) / sizeof(kbs[0]); i++) {
		good_me(req);
		req[8] = (uint8_t)(kbs[i] >> 8);
		req[9] = (uint8_t)kbs[i];
		EXPECT_T82(c, req, 0x190, 0x24);
	}
	apv_cex_free(c);
}

TEST(nonzero_reserved_header_bytes_are_0x22_byte_5_is_ignored)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];
	static const unsigned reserved[] = {0, 4, 6, 7, 10, 11, 12, 13, 14, 15};

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		good_me(req);
		req[reserved[i]] = 0x01;
		EXPECT_T82(c, req, 0x190, 0x22);
		good_crt(req);
		req[reserved[i]] = 0x80;
		EXPECT_T82(c, req, 0x1D0, 0x22);
	}
	good_me(req);
	req[5] = 0xFF;
	EXPECT_OK(c, req, 0x190);
	apv_cex_free(c);
}

TEST(oversize_requests_are_0x23)
{
	struct apv_cex *c = apv_cex_new();
	static uint8_t req[0x10190 + 16];

	REQUIRE(c);
	good_me(req);
	EXPECT_T82(c, req, APV_T50_MAX_LEN + 1, 0x23);
	EXPECT_T82(c, req, 0x1000, 0x23);
	/* msg_len is 16 bits: 0x10190 bytes must not pass as 0x190. */
	EXPECT_T82(c, req, 0x10190, 0x23);
	/* One byte over the largest message, with a msg_len that agrees. */
	req[2] = 0x07;
	req[3] = 0x11;
	EXPECT_T82(c, req, 0x711, 0x23);
	apv_cex_free(c);
}

TEST(me_even_modulus_is_0x85)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	req[OFF_MEB1_MOD] = 78;
	EXPECT_T82(c, req, 0x190, 0x85);
	req[OFF_MEB1_MSG] = 0; /* even with a zero message */
	EXPECT_T82(c, req, 0x190, 0x85);
	/* A large even modulus: only its last bit matters. */
	good_me(req);
	memset(req + 0x90, 0xFF, 128);
	req[0x90 + 127] = 0xFE;
	EXPECT_T82(c, req, 0x190, 0x85);
	apv_cex_free(c);
}

TEST(me_zero_modulus_and_zero_exponent_are_0x82)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	req[OFF_MEB1_MOD] = 0;
	EXPECT_T82(c, req, 0x190, 0x82);
	req[OFF_MEB1_MSG] = 0;
	EXPECT_T82(c, req, 0x190, 0x82);
	good_me(req);
	req[OFF_MEB1_EXP] = 0;
	EXPECT_T82(c, req, 0x190, 0x82);
	apv_cex_free(c);
}

TEST(me_input_at_or_above_modulus_is_0x82)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	req[OFF_MEB1_MSG] = N;
	EXPECT_T82(c, req, 0x190, 0x82);
	req[OFF_MEB1_MSG] = N + 1;
	EXPECT_T82(c, req, 0x190, 0x82);
	/* A large message in the leading bytes of the field. */
	good_me(req);
	req[0x110] = 0x01;
	EXPECT_T82(c, req, 0x190, 0x82);
	memset(req + 0x110, 0xFF, 128);
	EXPECT_T82(c, req, 0x190, 0x82);
	/* n - 1 is fine. */
	good_me(req);
	req[OFF_MEB1_MSG] = N - 1;
	uint8_t rep[APV_CEX_REPLY_MAX];
	CHECK_EQ(apv_cex_process(c, req, 0x190, rep), 0x90);
	CHECK_EQ(rep[1], 0x80);
	apv_cex_free(c);
}

TEST(crt_even_prime_is_0x85)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_crt(req);
	req[OFF_CRB1_P] = 12;
	EXPECT_T82(c, req, 0x1D0, 0x85);
	good_crt(req);
	req[OFF_CRB1_Q] = 8;
	EXPECT_T82(c, req, 0x1D0, 0x85);
	apv_cex_free(c);
}

TEST(crt_zero_operands_are_0x82)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];
	static const unsigned offs[] = {OFF_CRB1_P, OFF_CRB1_Q, OFF_CRB1_DP, OFF_CRB1_DQ, OFF_CRB1_U};

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		good_crt(req);
		req[offs[i]] = 0;
		EXPECT_T82(c, req, 0x1D0, 0x82);
	}
	apv_cex_free(c);
}

TEST(crt_input_at_or_above_p_times_q_is_0x82)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_crt(req);
	req[OFF_CRB1_MSG] = N;
	EXPECT_T82(c, req, 0x1D0, 0x82);
	req[OFF_CRB1_MSG] = 0xFF;
	EXPECT_T82(c, req, 0x1D0, 0x82);
	good_crt(req);
	req[0x150] = 0x80;
	EXPECT_T82(c, req, 0x1D0, 0x82);
	/* Between max(p, q) and n it is accepted. */
	good_crt(req);
	req[OFF_CRB1_MSG] = N - 1;
	uint8_t rep[APV_CEX_REPLY_MAX], res;
	REQUIRE(apv_cex_process(c, req, 0x1D0, rep) == 0x90);
	CHECK_EQ(apv_t80_parse(rep, 0x90, &res, 1), 0);
	CHECK_EQ(res, 76); /* (-1)^43 = -1 mod 77 */
	apv_cex_free(c);
}

TEST(errors_do_not_poison_the_key_cache)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN];

	REQUIRE(c);
	good_me(req);
	EXPECT_OK(c, req, 0x190);
	req[OFF_MEB1_MOD] = 78;
	EXPECT_T82(c, req, 0x190, 0x85);
	good_me(req);
	EXPECT_OK(c, req, 0x190);
	req[OFF_MEB1_MOD] = 0;
	EXPECT_T82(c, req, 0x190, 0x82);
	good_me(req);
	EXPECT_OK(c, req, 0x190);

	good_crt(req);
	EXPECT_OK(c, req, 0x1D0);
	req[OFF_CRB1_Q] = 8;
	EXPECT_T82(c, req, 0x1D0, 0x85);
	good_crt(req);
	EXPECT_OK(c, req, 0x1D0);
	apv_cex_free(c);
}

TEST(no_engine_is_machine_failure_0x10_and_no_reply_buffer_writes_nothing)
{
	uint8_t req[APV_T50_MAX_LEN];

	good_me(req);
	EXPECT_T82(NULL, req, 0x190, 0x10);
	struct apv_cex *c = apv_cex_new();
	REQUIRE(c);
	CHECK_EQ(apv_cex_process(c, req, 0x190, NULL), 0);
	apv_cex_free(c);
	apv_cex_free(NULL);
}

TEST(public_exponent_on_tiny_key_round_trips)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX], res = 0;
	uint8_t exp = E, mod = N, msg = RESULT;

	REQUIRE(c);
	size_t n = apv_t50_build_me(req, sizeof(req), &exp, &mod, &msg, 1);
	REQUIRE(n == 0x190);
	CHECK_EQ(apv_cex_process(c, req, n, rep), 0x90);
	CHECK_EQ(apv_t80_parse(rep, 0x90, &res, 1), 0);
	CHECK_EQ(res, MSG);
	apv_cex_free(c);
}

TEST_MAIN
