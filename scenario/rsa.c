/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSA keys and the reference computation for `guest rsa`: every result
 * the accelerator returns through the stack is compared with OpenSSL.
 * Keys are generated once per size and run (key generation is slow).
 */
#include "scenario_internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdlib.h>
#include <string.h>

struct apv_rsa_key {
	unsigned bits;
	size_t L, H; /* modulus bytes, half */
	BIGNUM *n, *e, *d;
	uint8_t *nb, *eb;		 /* L bytes */
	uint8_t *p8, *q, *dp8, *dq, *u8; /* p, dp, u with 8 pad bytes (libica); q, dq plain */
	struct apv_rsa_key *next;
};

static void key_free(struct apv_rsa_key *k)
{
	BN_free(k->n);
	BN_free(k->e);
	BN_clear_free(k->d);
	free(k->nb);
	free(k->eb);
	free(k->p8);
	free(k->q);
	free(k->dp8);
	free(k->dq);
	free(k->u8);
	free(k);
}

void apv_rsa_keys_free(struct apv_rsa_key *list)
{
	while (list) {
		struct apv_rsa_key *next = list->next;
		key_free(list);
		list = next;
	}
}

static uint8_t *bn_bytes(const BIGNUM *b, size_t len, size_t pad)
{
	uint8_t *out = calloc(1, len + pad);
	if (out && BN_bn2binpad(b, out + pad, (int)len) < 0) {
		free(out);
		return NULL;
	}
	return out;
}

struct apv_rsa_key *apv_rsa_key_new(unsigned bits)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (!pk)
		return NULL;
	struct apv_rsa_key *k = calloc(1, sizeof(*k));
	BIGNUM *p = NULL, *q = NULL, *dp = BN_new(), *dq = BN_new(), *u = BN_new(), *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	bool ok = k && dp && dq && u && t && ctx;
	if (ok) {
		k->bits = bits;
		k->L = bits / 8;
		k->H = k->L / 2;
		ok = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &k->n) &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &k->e) &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_D, &k->d) &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) &&
		     EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, &q);
	}
	if (ok && BN_cmp(p, q) < 0)
		BN_swap(p, q); /* libica's convention: p > q */
	ok = ok && BN_sub(t, p, BN_value_one()) && BN_mod(dp, k->d, t, ctx) &&
	     BN_sub(t, q, BN_value_one()) && BN_mod(dq, k->d, t, ctx) &&
	     BN_mod_inverse(u, q, p, ctx);
	if (ok) {
		k->nb = bn_bytes(k->n, k->L, 0);
		k->eb = bn_bytes(k->e, k->L, 0);
		k->p8 = bn_bytes(p, k->H, 8);
		k->q = bn_bytes(q, k->H, 0);
		k->dp8 = bn_bytes(dp, k->H, 8);
		k->dq = bn_bytes(dq, k->H, 0);
		k->u8 = bn_bytes(u, k->H, 8);
		ok = k->nb && k->eb && k->p8 && k->q && k->dp8 && k->dq && k->u8;
	}
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(u);
	BN_free(t);
	BN_CTX_free(ctx);
	EVP_PKEY_free(pk);
	if (!ok && k) {
		key_free(k);
		k = NULL;
	}
	return k;
}

/* Cached per size in the list. */
struct apv_rsa_key *apv_rsa_key_get(struct apv_rsa_key **list, unsigned bits)
{
	for (struct apv_rsa_key *k = *list; k; k = k->next)
		if (k->bits == bits)
			return k;
	struct apv_rsa_key *k = apv_rsa_key_new(bits);
	if (k) {
		k->next = *list;
		*list = k;
	}
	return k;
}

size_t apv_rsa_len(const struct apv_rsa_key *k)
{
	return k->L;
}

/* A random message below the modulus. */
int apv_rsa_random_msg(const struct apv_rsa_key *k, uint8_t *out)
{
	BIGNUM *m = BN_new();
	int ok = m && BN_rand_range(m, k->n) && BN_bn2binpad(m, out, (int)k->L) >= 0;
	BN_free(m);
	return ok ? 0 : -1;
}

void apv_rsa_fill_me(const struct apv_rsa_key *k, struct apv_ica_rsa_modexpo *me,
		     const uint8_t *msg, uint8_t *out)
{
	me->inputdata = msg;
	me->inputdatalength = (uint32_t)k->L;
	me->outputdata = out;
	me->outputdatalength = (uint32_t)k->L;
	me->b_key = k->eb;
	me->n_modulus = k->nb;
}

void apv_rsa_fill_crt(const struct apv_rsa_key *k, struct apv_ica_rsa_modexpo_crt *crt,
		      const uint8_t *msg, uint8_t *out)
{
	crt->inputdata = msg;
	crt->inputdatalength = (uint32_t)k->L;
	crt->outputdata = out;
	crt->outputdatalength = (uint32_t)k->L;
	crt->bp_key = k->dp8;
	crt->bq_key = k->dq;
	crt->np_prime = k->p8;
	crt->nq_prime = k->q;
	crt->u_mult_inv = k->u8;
}

/* ME computes msg^e mod n, CRT msg^d mod n: compare with OpenSSL. */
bool apv_rsa_verify(const struct apv_rsa_key *k, bool crt, const uint8_t *msg, const uint8_t *res)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *m = BN_bin2bn(msg, (int)k->L, NULL), *r = BN_new();
	uint8_t *want = malloc(k->L);
	bool ok = ctx && m && r && want;
	if (ok) {
		if (crt) {
			BN_set_flags(m, BN_FLG_CONSTTIME);
			ok = BN_mod_exp_mont_consttime(r, m, k->d, k->n, ctx, NULL);
		} else {
			ok = BN_mod_exp(r, m, k->e, k->n, ctx);
		}
	}
	ok = ok && BN_bn2binpad(r, want, (int)k->L) >= 0 && memcmp(want, res, k->L) == 0;
	free(want);
	BN_free(m);
	BN_free(r);
	BN_CTX_free(ctx);
	return ok;
}
