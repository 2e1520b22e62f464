/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers for the crypto tests: RSA keys (common/rsa_key.h) with their
 * parts as big-endian byte strings, and OpenSSL's own raw RSA operations
 * as the reference the engine is compared against.
 */
#ifndef APV_TEST_RSA_REF_H
#define APV_TEST_RSA_REF_H

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "common/rsa_key.h"

/*
 * A key in the engine's plain layout (every CRT part in S bytes, no padding),
 * as generated and with p and q exchanged.
 */
struct test_key {
	int bits;
	size_t L, S;
	struct rsa_key bn; /* p, q and u as OpenSSL keeps them */
	uint8_t bn_n[512], bn_e[512], bn_d[512];
	uint8_t bp[256], bq[256], bdp[256], bdq[256], bu[256];
	/* The same key with p and q exchanged: u' = p^-1 mod q. */
	uint8_t sp[256], sq[256], sdp[256], sdq[256], su[256];
};

static inline bool key_gen(struct test_key *k, int bits)
{
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *su = BN_new();
	const struct rsa_key *r = &k->bn;
	bool ok;

	memset(k, 0, sizeof(*k));
	ok = rsa_key_gen(&k->bn, bits);
	k->bits = bits;
	k->L = r->L;
	k->S = r->S;
	ok = ok && bc && su && BN_mod_inverse(su, r->p, r->q, bc);
	if (ok) {
		int L = (int)k->L, S = (int)k->S;
		ok = BN_bn2binpad(r->n, k->bn_n, L) == L && BN_bn2binpad(r->e, k->bn_e, L) == L &&
		     BN_bn2binpad(r->d, k->bn_d, L) == L && BN_bn2binpad(r->p, k->bp, S) == S &&
		     BN_bn2binpad(r->q, k->bq, S) == S && BN_bn2binpad(r->dp, k->bdp, S) == S &&
		     BN_bn2binpad(r->dq, k->bdq, S) == S && BN_bn2binpad(r->u, k->bu, S) == S &&
		     BN_bn2binpad(su, k->su, S) == S;
		memcpy(k->sp, k->bq, k->S);
		memcpy(k->sq, k->bp, k->S);
		memcpy(k->sdp, k->bdq, k->S);
		memcpy(k->sdq, k->bdp, k->S);
	}
	BN_free(su);
	BN_CTX_free(bc);
	return ok;
}

static inline void key_free(struct test_key *k)
{
	rsa_key_free(&k->bn);
	memset(k, 0, sizeof(*k));
}

/* OpenSSL's raw RSA (no padding): private (CRT inside OpenSSL) or public. */
static inline bool ossl_raw(const struct test_key *k, bool private_op, const uint8_t *in,
			    uint8_t *out)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->bn.pk, NULL);
	size_t outlen = k->L;
	bool ok = c != NULL;

	if (ok)
		ok = (private_op ? EVP_PKEY_decrypt_init(c) : EVP_PKEY_encrypt_init(c)) > 0 &&
		     EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0;
	if (ok)
		ok = (private_op ? EVP_PKEY_decrypt(c, out, &outlen, in, k->L)
				 : EVP_PKEY_encrypt(c, out, &outlen, in, k->L)) > 0 &&
		     outlen == k->L;
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* A random number below the modulus (L bytes, big-endian). */
static inline bool random_below(const uint8_t *mod, size_t L, uint8_t *out)
{
	BIGNUM *m = BN_bin2bn(mod, (int)L, NULL), *r = BN_new();
	bool ok = m && r && BN_rand_range(r, m) && BN_bn2binpad(r, out, (int)L) == (int)L;

	BN_free(m);
	BN_free(r);
	return ok;
}

#endif
