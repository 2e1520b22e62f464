/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Operand sizes and shapes beyond standard RSA keys: every format
 * boundary of L, both exponentiation paths, primes of unequal length, an
 * unreduced u, and the per-engine Montgomery cache across changing keys.
 * The reference is plain BN_mod_exp over n = p * q.
 */
#include "rsa_ref.h"
#include "testlib.h"

static size_t block_for(size_t L)
{
	return L <= 128 ? 128 : L <= 256 ? 256 : 512;
}

/* A random odd number of exactly L bytes. */
static void random_odd(uint8_t *out, size_t L)
{
	BIGNUM *r = BN_new();

	REQUIRE(r && BN_rand(r, (int)(8 * L), BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD));
	REQUIRE(BN_bn2binpad(r, out, (int)L) == (int)L);
	BN_free(r);
}

static size_t run(struct apv_cex *c, const uint8_t *req, size_t len, uint8_t *rep)
{
	memset(rep, 0xEE, APV_CEX_REPLY_MAX);
	return apv_cex_process(c, req, len, rep);
}

TEST(me_at_every_format_boundary_matches_bn_mod_exp)
{
	static const size_t Ls[] = {1, 2, 3, 64, 127, 128, 129, 200, 255, 256, 257, 300, 511, 512};
	struct apv_cex *c = apv_cex_new();
	uint8_t mod[512], exp[512], msg[512], want[512], got[512];
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(Ls) / sizeof(Ls[0]); i++) {
		size_t L = Ls[i];
		for (int round = 0; round < 2; round++) {
			random_odd(mod, L);
			REQUIRE(RAND_bytes(exp, (int)L) == 1);
			exp[0] |= 0x80; /* a full-length, nonzero exponent */
			REQUIRE(random_below(mod, L, msg));
			REQUIRE(rsa_ref_modexp(msg, exp, mod, L, want));
			size_t rl = apv_t50_build_me(req, sizeof(req), exp, mod, msg, L);
			REQUIRE(rl);
			size_t n = run(c, req, rl, rep);
			CHECK_EQ(n, 16 + block_for(L));
			CHECK(n >= 16 + L && n <= APV_T80_MAX_LEN);
			CHECK_EQ(apv_t80_parse(rep, n, got, L), 0);
			if (memcmp(got, want, L) != 0)
				APV_TEST_FAIL("L = %zu round %d: result differs", L, round);
		}
	}
	apv_cex_free(c);
}

/* One-word exponents take the variable-time path, longer ones the constant-time one. */
TEST(me_public_and_private_exponent_paths_agree_with_bn_mod_exp)
{
	struct apv_cex *c = apv_cex_new();
	const size_t L = 128;
	uint8_t mod[128], msg[128], want[128], got[128], exp[128];
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];
	/* Exponents as 9-byte big-endian tails: 1, 2, 3, 65537, 2^64 - 1, 2^64, 2^64 + 1. */
	static const uint8_t tails[][9] = {
	    {0, 0, 0, 0, 0, 0, 0, 0, 1},
	    {0, 0, 0, 0, 0, 0, 0, 0, 2},
	    {0, 0, 0, 0, 0, 0, 0, 0, 3},
	    {0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x01},
	    {0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
	    {1, 0, 0, 0, 0, 0, 0, 0, 0},
	    {1, 0, 0, 0, 0, 0, 0, 0, 1},
	};

	REQUIRE(c);
	random_odd(mod, L);
	REQUIRE(random_below(mod, L, msg));
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		memset(exp, 0, L);
		memcpy(exp + L - 9, tails[i], 9);
		REQUIRE(rsa_ref_modexp(msg, exp, mod, L, want));
		size_t rl = apv_t50_build_me(req, sizeof(req), exp, mod, msg, L);
		size_t n = run(c, req, rl, rep);
		CHECK_EQ(n, 0x90);
		CHECK_EQ(apv_t80_parse(rep, n, got, L), 0);
		if (memcmp(got, want, L) != 0)
			APV_TEST_FAIL("exponent %zu: result differs", i);
		if (i == 0)
			CHECK_MEM(got, msg, L);
	}
	apv_cex_free(c);
}

TEST(me_modulus_one_gives_zero)
{
	struct apv_cex *c = apv_cex_new();
	uint8_t one = 1, zero = 0, three = 3, res = 0xEE;
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(c);
	size_t rl = apv_t50_build_me(req, sizeof(req), &three, &one, &zero, 1);
	size_t n = run(c, req, rl, rep);
	CHECK_EQ(n, 0x90);
	CHECK_EQ(apv_t80_parse(rep, n, &res, 1), 0);
	CHECK_EQ(res, 0);
	apv_cex_free(c);
}

/* CRT parts for primes p, q and private exponent d, S bytes each; n = p q in L bytes. */
struct crt_key {
	size_t L, S;
	uint8_t p[256], q[256], dp[256], dq[256], u[256], d[512], n[512];
};

static void make_crt_key(struct crt_key *k, const BIGNUM *p, const BIGNUM *q, size_t L)
{
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *n = BN_new(), *d = BN_new(), *t = BN_new(), *x = BN_new(), *y = BN_new();

	REQUIRE(bc && n && d && t && x && y);
	k->L = L;
	k->S = (L + 1) / 2;
	REQUIRE(BN_mul(n, p, q, bc));
	/* Any odd d whose residues mod p-1 and q-1 are nonzero gives a valid request. */
	do {
		REQUIRE(BN_rand_range(d, n));
		REQUIRE(BN_set_bit(d, 0));
		REQUIRE(BN_sub(t, p, BN_value_one()) && BN_nnmod(x, d, t, bc));
		REQUIRE(BN_sub(t, q, BN_value_one()) && BN_nnmod(y, d, t, bc));
	} while (BN_is_zero(x) || BN_is_zero(y));
	int S = (int)k->S, Li = (int)L;
	REQUIRE(BN_bn2binpad(p, k->p, S) == S && BN_bn2binpad(q, k->q, S) == S);
	REQUIRE(BN_bn2binpad(x, k->dp, S) == S && BN_bn2binpad(y, k->dq, S) == S);
	REQUIRE(BN_mod_inverse(t, q, p, bc) && BN_bn2binpad(t, k->u, S) == S);
	REQUIRE(BN_bn2binpad(d, k->d, Li) == Li && BN_bn2binpad(n, k->n, Li) == Li);
	BN_free(n);
	BN_free(d);
	BN_free(t);
	BN_free(x);
	BN_free(y);
	BN_CTX_free(bc);
}

static BIGNUM *prime(int bits)
{
	BIGNUM *p = BN_new();

	REQUIRE(p && BN_generate_prime_ex(p, bits, 0, NULL, NULL, NULL));
	return p;
}

/* Build, run and compare one CRT request against m^d mod n. */
static void check_crt(struct apv_cex *c, const struct crt_key *k, int line)
{
	uint8_t msg[512], want[512], got[512];
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(random_below(k->n, k->L, msg));
	REQUIRE(rsa_ref_modexp(msg, k->d, k->n, k->L, want));
	size_t rl = apv_t50_build_crt(req, sizeof(req), k->p, k->q, k->dp, k->dq, k->u, msg, k->L);
	REQUIRE(rl);
	size_t n = run(c, req, rl, rep);
	if (n != 16 + block_for(k->L) || apv_t80_parse(rep, n, got, k->L) != 0 ||
	    memcmp(got, want, k->L) != 0)
		APV_TEST_FAIL("line %d: CRT result wrong (reply len %zu type 0x%02x code 0x%02x)",
			      line, n, rep[1], rep[4]);
}
#define CHECK_CRT(c, k) check_crt((c), (k), __LINE__)

TEST(crt_with_primes_of_unequal_length_both_orders)
{
	struct apv_cex *c = apv_cex_new();
	BIGNUM *small = prime(128), *large = prime(496);
	struct crt_key k;

	REQUIRE(c);
	/* L = 128, S = 64: a 16-byte and a 62-byte prime, n of 78 bytes in a 128-byte block. */
	make_crt_key(&k, small, large, 128);
	CHECK_CRT(c, &k);
	CHECK_CRT(c, &k);
	make_crt_key(&k, large, small, 128);
	CHECK_CRT(c, &k);
	CHECK_CRT(c, &k);
	BN_free(small);
	BN_free(large);
	apv_cex_free(c);
}

TEST(crt_at_format_boundaries_matches_bn_mod_exp)
{
	static const int bits[][2] = {{8, 8},	  {16, 8},    {504, 512},
				      {512, 512}, {516, 516}, {1024, 1024}};
	struct apv_cex *c = apv_cex_new();

	REQUIRE(c);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		BIGNUM *p = prime(bits[i][0]), *q = prime(bits[i][1]);
		struct crt_key k;
		int nbits = bits[i][0] + bits[i][1];

		if (BN_cmp(p, q) == 0) { /* tiny primes can collide */
			BN_free(q);
			q = prime(bits[i][1] + 1);
			nbits++;
		}
		make_crt_key(&k, p, q, (size_t)(nbits + 7) / 8);
		CHECK_CRT(c, &k);
		make_crt_key(&k, q, p, (size_t)(nbits + 7) / 8);
		CHECK_CRT(c, &k);
		BN_free(p);
		BN_free(q);
	}
	apv_cex_free(c);
}

TEST(crt_u_above_p_is_reduced_not_rejected)
{
	struct apv_cex *c = apv_cex_new();
	BIGNUM *p = prime(256), *q = prime(256), *u = BN_new(), *t = BN_new();
	BN_CTX *bc = BN_CTX_new();
	struct crt_key k;
	uint8_t msg[64], want[64], got[64], req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(c && u && t && bc);
	make_crt_key(&k, p, q, 64); /* CRB1: H = 64, S = 32 */
	REQUIRE(random_below(k.n, 64, msg));
	REQUIRE(rsa_ref_modexp(msg, k.d, k.n, 64, want));
	size_t rl = apv_t50_build_crt(req, sizeof(req), k.p, k.q, k.dp, k.dq, k.u, msg, 64);
	REQUIRE(rl == 0x1D0);
	/* u + 3p, written over the whole 64-byte u field at 0x110. */
	REQUIRE(BN_mod_inverse(u, q, p, bc) && BN_set_word(t, 3) && BN_mul(t, t, p, bc) &&
		BN_add(u, u, t));
	REQUIRE(BN_bn2binpad(u, req + 0x110, 64) == 64);
	size_t n = run(c, req, rl, rep);
	CHECK_EQ(n, 0x90);
	CHECK_EQ(apv_t80_parse(rep, n, got, 64), 0);
	CHECK_MEM(got, want, 64);
	BN_free(p);
	BN_free(q);
	BN_free(u);
	BN_free(t);
	BN_CTX_free(bc);
	apv_cex_free(c);
}

TEST(crt_cache_keys_on_both_primes)
{
	struct apv_cex *c = apv_cex_new();
	BIGNUM *p = prime(512), *q1 = prime(512), *q2 = prime(512);
	struct crt_key a, b;

	REQUIRE(c);
	/* Same p, different q: a cache keyed on p alone would reuse q1's context. */
	make_crt_key(&a, p, q1, 128);
	make_crt_key(&b, p, q2, 128);
	for (int i = 0; i < 3; i++) {
		CHECK_CRT(c, &a);
		CHECK_CRT(c, &b);
	}
	/* Same q, different p. */
	make_crt_key(&a, q1, p, 128);
	make_crt_key(&b, q2, p, 128);
	for (int i = 0; i < 3; i++) {
		CHECK_CRT(c, &a);
		CHECK_CRT(c, &a);
		CHECK_CRT(c, &b);
	}
	BN_free(p);
	BN_free(q1);
	BN_free(q2);
	apv_cex_free(c);
}

TEST(me_cache_keys_on_format_and_modulus_and_is_separate_from_crt)
{
	struct apv_cex *c = apv_cex_new();
	BIGNUM *p = prime(512), *q = prime(512);
	struct crt_key k;
	uint8_t mod2[128], msg[256], exp[256], want[256], got[256];
	uint8_t req[APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(c);
	make_crt_key(&k, p, q, 128);
	random_odd(mod2, 128);
	for (int i = 0; i < 3; i++) {
		/* ME with n, ME with another modulus, CRT with n's primes, in turn. */
		REQUIRE(random_below(k.n, 128, msg));
		REQUIRE(rsa_ref_modexp(msg, k.d, k.n, 128, want));
		size_t rl = apv_t50_build_me(req, sizeof(req), k.d, k.n, msg, 128);
		size_t n = run(c, req, rl, rep);
		CHECK_EQ(apv_t80_parse(rep, n, got, 128), 0);
		CHECK_MEM(got, want, 128);

		REQUIRE(random_below(mod2, 128, msg));
		REQUIRE(rsa_ref_modexp(msg, k.d, mod2, 128, want));
		rl = apv_t50_build_me(req, sizeof(req), k.d, mod2, msg, 128);
		n = run(c, req, rl, rep);
		CHECK_EQ(apv_t80_parse(rep, n, got, 128), 0);
		CHECK_MEM(got, want, 128);

		CHECK_CRT(c, &k);
	}
	/* The same modulus carried in an MEB2 (L = 256 with leading zeros) after MEB1. */
	memset(exp, 0, 256);
	memcpy(exp + 128, k.d, 128);
	uint8_t mod256[256] = {0};
	memcpy(mod256 + 128, k.n, 128);
	memset(msg, 0, 128);
	REQUIRE(random_below(k.n, 128, msg + 128));
	REQUIRE(rsa_ref_modexp(msg + 128, k.d, k.n, 128, want));
	size_t rl = apv_t50_build_me(req, sizeof(req), exp, mod256, msg, 256);
	REQUIRE(rl == 0x310);
	size_t n = run(c, req, rl, rep);
	CHECK_EQ(n, 0x110);
	CHECK_EQ(apv_t80_parse(rep, n, got, 256), 0);
	CHECK_MEM(got + 128, want, 128);
	for (int i = 0; i < 128; i++)
		CHECK_EQ(got[i], 0);
	BN_free(p);
	BN_free(q);
	apv_cex_free(c);
}

TEST(engines_are_independent)
{
	struct apv_cex *c1 = apv_cex_new(), *c2 = apv_cex_new();
	BIGNUM *p = prime(256), *q = prime(256), *r = prime(256), *s = prime(256);
	struct crt_key a, b;

	REQUIRE(c1 && c2);
	make_crt_key(&a, p, q, 64);
	make_crt_key(&b, r, s, 64);
	for (int i = 0; i < 2; i++) {
		CHECK_CRT(c1, &a);
		CHECK_CRT(c2, &b);
	}
	BN_free(p);
	BN_free(q);
	BN_free(r);
	BN_free(s);
	apv_cex_free(c1);
	apv_cex_free(c2);
}

TEST_MAIN
