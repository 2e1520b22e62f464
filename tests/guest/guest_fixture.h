/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixtures for the guest tests: a host AP hardware with a few adapters and
 * domains, a guest on it (bare platform), RSA keys from OpenSSL with their
 * parts laid out as struct ica_rsa_modexpo(_crt) carries them, and
 * OpenSSL's own modular exponentiation as the reference result.
 */
#ifndef APV_TEST_GUEST_FIXTURE_H
#define APV_TEST_GUEST_FIXTURE_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "apvirt/guest.h"
#include "apvirt/hw.h"

/* ---- RSA keys ------------------------------------------------------------------ */

struct gkey {
	int bits;
	size_t L, S;
	uint8_t n[512], e[512], d[512];
	/* ica layout: p, dp and u with 8 leading pad bytes */
	uint8_t np[8 + 256], nq[256], bp[8 + 256], bq[256], u[8 + 256];
};

static inline BIGNUM *gkey_param(EVP_PKEY *pk, const char *name)
{
	BIGNUM *b = NULL;

	return EVP_PKEY_get_bn_param(pk, name, &b) ? b : NULL;
}

/* libica wants p > q; u = q^-1 mod p. */
static inline bool gkey_gen(struct gkey *k, int bits)
{
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL, *dp = NULL, *dq = NULL;
	BIGNUM *u = BN_new();
	bool ok;

	memset(k, 0, sizeof(*k));
	k->bits = bits;
	k->L = ((size_t)bits + 7) / 8;
	k->S = (k->L + 1) / 2;
	ok = kc && bc && u && EVP_PKEY_keygen_init(kc) > 0 &&
	     EVP_PKEY_CTX_set_rsa_keygen_bits(kc, bits) > 0 && EVP_PKEY_generate(kc, &pk) > 0;
	if (ok) {
		n = gkey_param(pk, OSSL_PKEY_PARAM_RSA_N);
		e = gkey_param(pk, OSSL_PKEY_PARAM_RSA_E);
		d = gkey_param(pk, OSSL_PKEY_PARAM_RSA_D);
		p = gkey_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR1);
		q = gkey_param(pk, OSSL_PKEY_PARAM_RSA_FACTOR2);
		dp = gkey_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1);
		dq = gkey_param(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2);
		ok = n && e && d && p && q && dp && dq;
	}
	if (ok && BN_cmp(p, q) < 0) {
		BIGNUM *t = p;
		p = q;
		q = t;
		t = dp;
		dp = dq;
		dq = t;
	}
	ok = ok && BN_mod_inverse(u, q, p, bc);
	if (ok) {
		int L = (int)k->L, S = (int)k->S;

		ok = BN_bn2binpad(n, k->n, L) == L && BN_bn2binpad(e, k->e, L) == L &&
		     BN_bn2binpad(d, k->d, L) == L && BN_bn2binpad(p, k->np + 8, S) == S &&
		     BN_bn2binpad(q, k->nq, S) == S && BN_bn2binpad(dp, k->bp + 8, S) == S &&
		     BN_bn2binpad(dq, k->bq, S) == S && BN_bn2binpad(u, k->u + 8, S) == S;
	}
	BN_free(n);
	BN_free(e);
	BN_free(d);
	BN_free(p);
	BN_free(q);
	BN_free(dp);
	BN_free(dq);
	BN_free(u);
	BN_CTX_free(bc);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(kc);
	return ok;
}

/* Keys are slow to make under the sanitizers: one per size per executable. */
static inline const struct gkey *gkey_get(int bits)
{
	static struct gkey k1024, k2048, k4096;
	static bool have1024, have2048, have4096;
	struct gkey *k = bits == 1024 ? &k1024 : bits == 2048 ? &k2048 : &k4096;
	bool *have = bits == 1024 ? &have1024 : bits == 2048 ? &have2048 : &have4096;

	if (!*have)
		*have = gkey_gen(k, bits);
	return *have ? k : NULL;
}

/* A message below the modulus (top byte cleared). */
static inline void gmsg(uint8_t *m, size_t L, unsigned seed)
{
	for (size_t i = 0; i < L; i++)
		m[i] = (uint8_t)(seed * 131u + i * 7u + 1u);
	m[0] = 0;
}

/* OpenSSL's msg^exp mod n, L bytes big-endian. */
static inline bool gref_modexp(const uint8_t *msg, const uint8_t *exp, const uint8_t *mod, size_t L,
			       uint8_t *out)
{
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *m = BN_bin2bn(msg, (int)L, NULL), *x = BN_bin2bn(exp, (int)L, NULL);
	BIGNUM *n = BN_bin2bn(mod, (int)L, NULL), *r = BN_new();
	bool ok = bc && m && x && n && r && BN_mod_exp(r, m, x, n, bc) &&
		  BN_bn2binpad(r, out, (int)L) == (int)L;

	BN_free(m);
	BN_free(x);
	BN_free(n);
	BN_free(r);
	BN_CTX_free(bc);
	return ok;
}

static inline struct apv_ica_rsa_modexpo gme(const struct gkey *k, const uint8_t *msg,
					     const uint8_t *exp, uint8_t *out)
{
	struct apv_ica_rsa_modexpo m = {
		.inputdata = msg,
		.inputdatalength = (uint32_t)k->L,
		.outputdata = out,
		.outputdatalength = (uint32_t)k->L,
		.b_key = exp,
		.n_modulus = k->n,
	};
	return m;
}

static inline struct apv_ica_rsa_modexpo_crt gcrt(const struct gkey *k, const uint8_t *msg,
						  uint8_t *out)
{
	struct apv_ica_rsa_modexpo_crt c = {
		.inputdata = msg,
		.inputdatalength = (uint32_t)k->L,
		.outputdata = out,
		.outputdatalength = (uint32_t)k->L,
		.bp_key = k->bp,
		.bq_key = k->bq,
		.np_prime = k->np,
		.nq_prime = k->nq,
		.u_mult_inv = k->u,
	};
	return c;
}

/* ---- hardware + guest ----------------------------------------------------------- */

struct gfix {
	struct apv_clock *clock;
	struct apv_hw *hw;
	struct apv_guest *g;
	struct apv_guest_platform p; /* a copy: its storage stays valid while g lives */
};

/* Adapters `apids` (CEX8A unless *ad says otherwise) with domains `apqis`. */
static inline bool gfix_hw(struct gfix *f, bool real, const struct apv_hw_config *cfg,
			   const struct apv_adapter_config *ad, const unsigned *apids, unsigned na,
			   const unsigned *apqis, unsigned nd)
{
	struct apv_adapter_config a;

	memset(f, 0, sizeof(*f));
	f->clock = real ? apv_clock_new_real() : apv_clock_new_virtual();
	if (!f->clock)
		return false;
	f->hw = apv_hw_new(cfg, f->clock);
	if (!f->hw)
		return false;
	if (ad)
		a = *ad;
	else
		apv_adapter_config_default(&a);
	for (unsigned i = 0; i < na; i++) {
		if (apv_hw_add_adapter(f->hw, apids[i], &a))
			return false;
	}
	for (unsigned i = 0; i < nd; i++) {
		if (apv_hw_add_domain(f->hw, apqis[i]))
			return false;
	}
	return true;
}

static inline int gfix_guest(struct gfix *f, const struct apv_guest_config *gc)
{
	int rc = apv_guest_platform_hw(f->hw, 0x8000, &f->p);

	if (rc)
		return rc;
	rc = apv_guest_new(&f->p, gc, &f->g);
	if (rc)
		return rc;
	return apv_guest_probe(f->g);
}

/* The usual setup: adapters 3 and 5, domains 6 and 9, defaults everywhere. */
static inline bool gfix_default(struct gfix *f, const struct apv_hw_config *cfg,
				const struct apv_guest_config *gc)
{
	static const unsigned apids[] = {3, 5}, apqis[] = {6, 9};
	struct apv_hw_config c;

	if (!cfg) {
		apv_hw_config_default(&c);
		cfg = &c;
	}
	return gfix_hw(f, false, cfg, NULL, apids, 2, apqis, 2) && gfix_guest(f, gc) == 0;
}

static inline void gfix_free(struct gfix *f)
{
	apv_guest_free(f->g);
	apv_hw_free(f->hw);
	apv_clock_free(f->clock);
	memset(f, 0, sizeof(*f));
}

static inline uint8_t gfix_nib(struct gfix *f)
{
	struct apv_guest_info gi;
	uint8_t b = 0xEE;

	apv_guest_info(f->g, &gi);
	(void)apv_storage_read(&f->p.storage, gi.nib, &b, 1);
	return b;
}

#endif
