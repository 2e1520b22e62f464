/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's RSA against OpenSSL's own raw RSA: mod-exp with d and with
 * e, and CRT with p > q and p < q, for random keys of 512 to 4096 bits.
 */
#include "rsa_ref.h"
#include "testlib.h"

/* Every reply byte that is not the result is fixed: check them all. */
static void check_t80(const uint8_t *rep, size_t len, size_t B, size_t L)
{
	CHECK_EQ(len, APV_T80_HDR + B);
	CHECK(len <= APV_T80_MAX_LEN);
	CHECK(len >= APV_T80_HDR + L);
	CHECK_EQ(rep[0], 0);
	CHECK_EQ(rep[1], APV_T80_TYPE);
	CHECK_EQ(((size_t)rep[2] << 8) | rep[3], len);
	for (size_t i = 4; i < APV_T80_HDR; i++)
		CHECK_EQ(rep[i], 0);
	/* Right alignment: the result's leading padding is zero. */
	for (size_t i = APV_T80_HDR; i < len - L; i++)
		CHECK_EQ(rep[i], 0);
}

static bool engine_me(struct apv_cex *c, const uint8_t *exp, const uint8_t *mod, const uint8_t *msg,
		      size_t L, uint8_t *out)
{
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];
	size_t rl = apv_t50_build_me(req, sizeof(req), exp, mod, msg, L);
	size_t n;

	if (!rl)
		return false;
	n = apv_cex_process(c, req, rl, rep);
	check_t80(rep, n, apv_t50_block(((unsigned)req[8] << 8) | req[9]), L);
	return apv_t80_parse(rep, n, out, L) == 0;
}

static bool engine_crt(struct apv_cex *c, const struct test_key *k, bool swapped,
		       const uint8_t *msg, uint8_t *out)
{
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];
	size_t rl = swapped ? apv_t50_build_crt(req, sizeof(req), k->sp, k->sq, k->sdp, k->sdq,
						k->su, msg, k->L)
			    : apv_t50_build_crt(req, sizeof(req), k->bp, k->bq, k->bdp, k->bdq,
						k->bu, msg, k->L);
	size_t n;

	if (!rl)
		return false;
	n = apv_cex_process(c, req, rl, rep);
	check_t80(rep, n, apv_t50_block(((unsigned)req[8] << 8) | req[9]), k->L);
	return apv_t80_parse(rep, n, out, k->L) == 0;
}

/*
 * For one key: random messages plus 0, 1 and n-1. Each goes through ME
 * with d, ME with e, CRT as generated and CRT with p and q exchanged.
 */
static void check_key(struct apv_cex *c, int bits, int nrandom, bool independent)
{
	struct test_key k;
	uint8_t msg[512], want[512], got[512], back[512];

	REQUIRE(key_gen(&k, bits));
	/* Both prime orders get tested: the swapped fields compare the other way round. */
	CHECK((memcmp(k.bp, k.bq, k.S) > 0) == (BN_cmp(k.bn.p, k.bn.q) > 0));
	CHECK((memcmp(k.sp, k.sq, k.S) > 0) != (memcmp(k.bp, k.bq, k.S) > 0));
	for (int i = 0; i < nrandom + 3; i++) {
		if (i < nrandom) {
			REQUIRE(random_below(k.bn_n, k.L, msg));
		} else {
			memset(msg, 0, k.L);
			if (i == nrandom + 1)
				msg[k.L - 1] = 1;
			if (i == nrandom + 2) {
				memcpy(msg, k.bn_n, k.L);
				msg[k.L - 1]--; /* n is odd: n - 1 only touches the last byte */
			}
		}
		REQUIRE(ossl_raw(&k, true, msg, want));

		memset(got, 0xEE, sizeof(got));
		CHECK(engine_me(c, k.bn_d, k.bn_n, msg, k.L, got));
		CHECK_MEM(got, want, k.L);

		memset(got, 0xEE, sizeof(got));
		CHECK(engine_crt(c, &k, false, msg, got));
		CHECK_MEM(got, want, k.L);

		memset(got, 0xEE, sizeof(got));
		CHECK(engine_crt(c, &k, true, msg, got));
		CHECK_MEM(got, want, k.L);

		if (independent) {
			REQUIRE(rsa_ref_modexp(msg, k.bn_d, k.bn_n, k.L, back));
			CHECK_MEM(back, want, k.L);
		}

		/* Public direction, and back to the message. */
		REQUIRE(ossl_raw(&k, false, msg, want));
		memset(got, 0xEE, sizeof(got));
		CHECK(engine_me(c, k.bn_e, k.bn_n, msg, k.L, got));
		CHECK_MEM(got, want, k.L);
		CHECK(engine_crt(c, &k, i & 1, got, back));
		CHECK_MEM(back, msg, k.L);
	}
	key_free(&k);
}

TEST(rsa_512_me_d_me_e_crt_both_orders_match_openssl)
{
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	for (int i = 0; i < 4; i++)
		check_key(c, 512, 4, true);
	apv_cex_free(c);
}

TEST(rsa_1024_me_d_me_e_crt_both_orders_match_openssl)
{
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	for (int i = 0; i < 3; i++)
		check_key(c, 1024, 4, true);
	apv_cex_free(c);
}

TEST(rsa_2048_me_d_me_e_crt_both_orders_match_openssl)
{
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	for (int i = 0; i < 2; i++)
		check_key(c, 2048, 3, true);
	apv_cex_free(c);
}

TEST(rsa_4096_me_d_me_e_crt_both_orders_match_openssl)
{
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	for (int i = 0; i < 2; i++)
		check_key(c, 4096, 2, false);
	apv_cex_free(c);
}

/* Key sizes that are not a multiple of 16 bits give odd L and S = (L+1)/2 prime fields. */
TEST(rsa_odd_length_keys_1000_and_1032_bits_match_openssl)
{
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	check_key(c, 1000, 3, true);
	check_key(c, 1032, 3, true); /* L = 129: the smallest MEB2/CRB2 key */
	apv_cex_free(c);
}

TEST_MAIN
