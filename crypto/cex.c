/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CEXnA accelerator engine: one type 50 request in, one type 80 or
 * type 82 reply out.
 *
 * Hot-path shape: every BIGNUM is allocated once in apv_cex_new and the
 * BN_CTX pool warms up on the first request, so a steady stream of
 * requests does no allocation of its own. Montgomery contexts cost about
 * as much as a few modular multiplications to build, and a queue usually
 * sees one key over and over, so the last ME modulus and the last CRT
 * prime pair keep theirs.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"
#include "msgtype6.h"

/*
 * What the coprocessor verbs need besides the numbers: room to run a
 * clear-key RSA request through the accelerator path, and one AES context
 * with its cipher fetched once, so that a verb allocates nothing.
 */
struct apv_card_scratch {
	uint8_t t50[APV_T50_MAX_LEN];
	uint8_t t80[APV_T80_MAX_LEN];
	EVP_CIPHER *aes_cbc;
	EVP_CIPHER_CTX *evp;
};

/* The Montgomery context(s) of the last key, keyed by the raw key field bytes. */
struct mont_cache {
	bool valid;
	uint16_t kb;
	size_t keylen;
	uint8_t key[512];  /* ME: modulus field; CRT: p field then q field */
	BN_MONT_CTX *m1;   /* ME: modulus; CRT: p */
	BN_MONT_CTX *m2;   /* CRT: q */
	BIGNUM *a, *b, *n; /* ME: a = modulus; CRT: a = p, b = q, n = p * q */
};

struct apv_cex {
	BN_CTX *ctx;
	/* Per-request operands and intermediates. */
	BIGNUM *msg, *exp, *res;
	BIGNUM *pub_exp; /* a one-word exponent, without BN_FLG_CONSTTIME */
	BIGNUM *dp, *dq, *u, *cp, *cq, *m1, *m2, *h;
	struct mont_cache me, crt;
	struct apv_card_scratch card;
};

struct apv_card_scratch *apv_cex_scratch(struct apv_cex *c)
{
	return &c->card;
}

uint8_t *apv_scratch_t50(struct apv_card_scratch *s)
{
	return s->t50;
}

uint8_t *apv_scratch_t80(struct apv_card_scratch *s)
{
	return s->t80;
}

bool apv_aes_cbc(struct apv_cex *c, bool enc, const uint8_t key[32], const uint8_t iv[16],
		 const uint8_t *in, uint8_t *out, size_t n)
{
	EVP_CIPHER_CTX *x = c->card.evp;
	int l1 = 0, l2 = 0;
	bool ok;

	if (n % 16 || n > (size_t)1 << 20)
		return false;
	ok = EVP_CipherInit_ex2(x, c->card.aes_cbc, key, iv, enc ? 1 : 0, NULL) &&
	     EVP_CIPHER_CTX_set_padding(x, 0) && EVP_CipherUpdate(x, out, &l1, in, (int)n) &&
	     EVP_CipherFinal_ex(x, out + l1, &l2) && (size_t)(l1 + l2) == n;
	return ok;
}

/* Numbers that can be secret: OpenSSL then picks its constant-time paths. */
static void set_consttime(BIGNUM *a, BIGNUM *b, BIGNUM *c, BIGNUM *d)
{
	BN_set_flags(a, BN_FLG_CONSTTIME);
	BN_set_flags(b, BN_FLG_CONSTTIME);
	BN_set_flags(c, BN_FLG_CONSTTIME);
	BN_set_flags(d, BN_FLG_CONSTTIME);
}

static void cache_free(struct mont_cache *mc)
{
	BN_MONT_CTX_free(mc->m1);
	BN_MONT_CTX_free(mc->m2);
	BN_clear_free(mc->a);
	BN_clear_free(mc->b);
	BN_clear_free(mc->n);
	OPENSSL_cleanse(mc->key, sizeof(mc->key));
}

static bool cache_init(struct mont_cache *mc, bool crt)
{
	memset(mc, 0, sizeof(*mc));
	mc->m1 = BN_MONT_CTX_new();
	mc->a = BN_new();
	if (crt) {
		mc->m2 = BN_MONT_CTX_new();
		mc->b = BN_new();
		mc->n = BN_new();
		if (!mc->m2 || !mc->b || !mc->n)
			return false;
		BN_set_flags(mc->a, BN_FLG_CONSTTIME);
		BN_set_flags(mc->b, BN_FLG_CONSTTIME);
	}
	return mc->m1 && mc->a;
}

/*
 * The comparison runs in constant time: the cached CRT key is another
 * requester's primes, and an early-exit compare would tell a caller how
 * many leading bytes its own guess shares with them.
 */
static bool cache_hit(const struct mont_cache *mc, unsigned kb, const uint8_t *key, size_t len)
{
	return mc->valid && mc->kb == kb && mc->keylen == len &&
	       CRYPTO_memcmp(mc->key, key, len) == 0;
}

static void cache_store_key(struct mont_cache *mc, unsigned kb, const uint8_t *key, size_t len)
{
	mc->kb = (uint16_t)kb;
	mc->keylen = len;
	memcpy(mc->key, key, len);
	mc->valid = true;
}

struct apv_cex *apv_cex_new(void)
{
	struct apv_cex *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ctx = BN_CTX_new();
	c->msg = BN_new();
	c->exp = BN_new();
	c->res = BN_new();
	c->pub_exp = BN_new();
	c->dp = BN_new();
	c->dq = BN_new();
	c->u = BN_new();
	c->cp = BN_new();
	c->cq = BN_new();
	c->m1 = BN_new();
	c->m2 = BN_new();
	c->h = BN_new();
	c->card.aes_cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	c->card.evp = EVP_CIPHER_CTX_new();
	bool me_ok = cache_init(&c->me, false);
	bool crt_ok = cache_init(&c->crt, true);
	if (!me_ok || !crt_ok || !c->ctx || !c->msg || !c->exp || !c->res || !c->pub_exp ||
	    !c->dp || !c->dq || !c->u || !c->cp || !c->cq || !c->m1 || !c->m2 || !c->h ||
	    !c->card.aes_cbc || !c->card.evp) {
		apv_cex_free(c);
		return NULL;
	}
	set_consttime(c->exp, c->dp, c->dq, c->u);
	set_consttime(c->cp, c->cq, c->m1, c->m2);
	BN_set_flags(c->h, BN_FLG_CONSTTIME);
	return c;
}

void apv_cex_free(struct apv_cex *c)
{
	if (!c)
		return;
	cache_free(&c->me);
	cache_free(&c->crt);
	BN_free(c->msg);
	BN_clear_free(c->exp);
	BN_clear_free(c->res);
	BN_free(c->pub_exp);
	BN_clear_free(c->dp);
	BN_clear_free(c->dq);
	BN_clear_free(c->u);
	BN_clear_free(c->cp);
	BN_clear_free(c->cq);
	BN_clear_free(c->m1);
	BN_clear_free(c->m2);
	BN_clear_free(c->h);
	BN_CTX_free(c->ctx);
	EVP_CIPHER_CTX_free(c->card.evp);
	EVP_CIPHER_free(c->card.aes_cbc);
	OPENSSL_cleanse(&c->card, sizeof(c->card));
	free(c);
}

static const uint8_t *field(const uint8_t *req, const struct apv_t50_layout *l, unsigned op)
{
	return req + l->off[op];
}

/* A BN call failed (only allocation can make it fail once the operands are valid). */
#define ENGINE_FAILURE APV_T82_MACHINE_FAILURE

/*
 * Modulus checks shared by ME and CRT. Zero is tested before evenness so
 * that a zero modulus reads as a missing operand rather than an even one.
 */
static unsigned check_modulus(const BIGNUM *m)
{
	if (BN_is_zero(m))
		return APV_T82_OPERAND_INVALID;
	if (!BN_is_odd(m))
		return APV_T82_EVEN_MODULUS;
	return 0;
}

/*
 * Load the ME modulus and its Montgomery context, reusing the last one
 * when the modulus field is byte-identical. Returns 0 or a reply code.
 */
static unsigned me_modulus(struct apv_cex *c, const uint8_t *req, const struct apv_t50_layout *l)
{
	struct mont_cache *mc = &c->me;
	const uint8_t *mod = field(req, l, T50_ME_MOD);
	unsigned code;

	if (cache_hit(mc, l->kb, mod, l->block))
		return 0;
	mc->valid = false;
	if (!BN_bin2bn(mod, (int)l->block, mc->a))
		return ENGINE_FAILURE;
	code = check_modulus(mc->a);
	if (code)
		return code;
	if (!BN_MONT_CTX_set(mc->m1, mc->a, c->ctx))
		return ENGINE_FAILURE;
	cache_store_key(mc, l->kb, mod, l->block);
	return 0;
}

/*
 * An exponent that fits in one 64-bit word is a public exponent (65537,
 * 3, ...): a private exponent that short belongs to a modulus that can be
 * factored at once, so there is nothing left to protect.
 * It takes OpenSSL's sliding-window path, as RSA public operations do,
 * which is several times faster than the fixed-window constant-time
 * ladder. The choice depends only on the exponent's word count, which
 * the constant-time routine reveals anyway (its window size follows it).
 */
#define PUBLIC_EXP_MAX_BITS 64

static unsigned do_me(struct apv_cex *c, const uint8_t *req, const struct apv_t50_layout *l)
{
	const BIGNUM *n;
	unsigned code = me_modulus(c, req, l);
	int ok = 1;

	if (code)
		return code;
	n = c->me.a;
	if (!BN_bin2bn(field(req, l, T50_ME_EXP), (int)l->block, c->exp) ||
	    !BN_bin2bn(field(req, l, T50_ME_MSG), (int)l->block, c->msg))
		return ENGINE_FAILURE;
	BN_set_flags(c->exp, BN_FLG_CONSTTIME);
	if (BN_is_zero(c->exp) || BN_ucmp(c->msg, n) >= 0)
		code = APV_T82_OPERAND_INVALID;
	else if (BN_num_bits(c->exp) <= PUBLIC_EXP_MAX_BITS)
		ok = BN_copy(c->pub_exp, c->exp) &&
		     BN_mod_exp_mont(c->res, c->msg, c->pub_exp, n, c->ctx, c->me.m1);
	else
		ok = BN_mod_exp_mont_consttime(c->res, c->msg, c->exp, n, c->ctx, c->me.m1);
	if (!code && !ok)
		code = ENGINE_FAILURE;
	BN_clear(c->exp);
	return code;
}

/* Load p and q with their Montgomery contexts and n = p*q, cached by the p|q field bytes. */
static unsigned crt_primes(struct apv_cex *c, const uint8_t *req, const struct apv_t50_layout *l)
{
	struct mont_cache *mc = &c->crt;
	/* p and q are adjacent fields, so one range is the whole key. */
	const uint8_t *key = field(req, l, T50_CRT_P);
	size_t half = l->block / 2u;
	unsigned code;

	if (cache_hit(mc, l->kb, key, 2 * half))
		return 0;
	mc->valid = false;
	if (!BN_bin2bn(key, (int)half, mc->a) || !BN_bin2bn(key + half, (int)half, mc->b))
		return ENGINE_FAILURE;
	BN_set_flags(mc->a, BN_FLG_CONSTTIME);
	BN_set_flags(mc->b, BN_FLG_CONSTTIME);
	code = check_modulus(mc->a);
	if (!code)
		code = check_modulus(mc->b);
	if (code)
		return code;
	if (!BN_MONT_CTX_set(mc->m1, mc->a, c->ctx) || !BN_MONT_CTX_set(mc->m2, mc->b, c->ctx) ||
	    !BN_mul(mc->n, mc->a, mc->b, c->ctx))
		return ENGINE_FAILURE;
	cache_store_key(mc, l->kb, key, 2 * half);
	return 0;
}

/*
 * Garner's recombination with u = q^-1 mod p:
 *   m1 = c^dp mod p, m2 = c^dq mod q, h = u (m1 - m2) mod p, m = m2 + h q.
 * It needs no ordering of p and q: m2 < q and h < p give m < p q either way.
 */
static unsigned do_crt(struct apv_cex *c, const uint8_t *req, const struct apv_t50_layout *l)
{
	struct mont_cache *mc = &c->crt;
	size_t half = l->block / 2u;
	unsigned code = crt_primes(c, req, l);
	const BIGNUM *p = mc->a, *q = mc->b;
	int ok;

	if (code)
		return code;
	if (!BN_bin2bn(field(req, l, T50_CRT_DP), (int)half, c->dp) ||
	    !BN_bin2bn(field(req, l, T50_CRT_DQ), (int)half, c->dq) ||
	    !BN_bin2bn(field(req, l, T50_CRT_U), (int)half, c->u) ||
	    !BN_bin2bn(field(req, l, T50_CRT_MSG), (int)l->block, c->msg))
		return ENGINE_FAILURE;
	set_consttime(c->dp, c->dq, c->u, c->h);
	if (BN_is_zero(c->dp) || BN_is_zero(c->dq) || BN_is_zero(c->u) ||
	    BN_ucmp(c->msg, mc->n) >= 0) {
		code = APV_T82_OPERAND_INVALID;
		goto out;
	}
	/*
	 * Reduce first: the paired exponentiation (AVX-512 IFMA when OpenSSL
	 * has it) wants each base below its modulus. A u at or above p is
	 * reduced too; the field is wide enough to carry one.
	 */
	ok = BN_nnmod(c->cp, c->msg, p, c->ctx) && BN_nnmod(c->cq, c->msg, q, c->ctx) &&
	     (BN_ucmp(c->u, p) < 0 || BN_nnmod(c->u, c->u, p, c->ctx)) &&
	     BN_mod_exp_mont_consttime_x2(c->m1, c->cp, c->dp, p, mc->m1, c->m2, c->cq, c->dq, q,
					  mc->m2, c->ctx) &&
	     BN_mod_sub(c->h, c->m1, c->m2, p, c->ctx) && BN_mod_mul(c->h, c->h, c->u, p, c->ctx) &&
	     BN_mul(c->res, c->h, q, c->ctx) && BN_add(c->res, c->res, c->m2);
	code = ok ? 0 : ENGINE_FAILURE;
out:
	BN_clear(c->dp);
	BN_clear(c->dq);
	BN_clear(c->u);
	BN_clear(c->m1);
	BN_clear(c->h);
	return code;
}

size_t apv_cex_process(struct apv_cex *c, const uint8_t *req, size_t req_len, uint8_t *reply)
{
	const struct apv_t50_layout *l;
	unsigned code;
	size_t len;

	if (!reply)
		return 0;
	if (!c)
		return apv_t82_reply(reply, ENGINE_FAILURE);
	code = apv_t50_check(req, req_len, &l);
	if (code)
		return apv_t82_reply(reply, code);
	code = l->crt ? do_crt(c, req, l) : do_me(c, req, l);
	if (code)
		return apv_t82_reply(reply, code);
	/*
	 * The result field is as wide as the request's block (16 + B is at
	 * most 0x210), right-aligned, so zcrypt finds its L bytes at the end
	 * whatever L was.
	 */
	len = APV_T80_HDR + l->block;
	apv_t80_header(reply, len);
	if (BN_bn2binpad(c->res, reply + APV_T80_HDR, (int)l->block) < 0)
		return apv_t82_reply(reply, ENGINE_FAILURE);
	BN_clear(c->res);
	return len;
}
