/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An RSA key (rsa_key.h) in the layout the guest driver's requests carry
 * it (struct ica_rsa_modexpo and ica_rsa_modexpo_crt), and those requests.
 */
#ifndef APV_TEST_COMMON_RSA_ICA_H
#define APV_TEST_COMMON_RSA_ICA_H

#include "apvirt/guest.h"
#include "common/rsa_key.h"

/* n, e, d in L bytes; p, dp and u with 8 leading pad bytes, q and dq in S bytes. */
struct rsa_ica_key {
	int bits;
	size_t L, S;
	uint8_t n[512], e[512], d[512];
	uint8_t np[8 + 256], nq[256], bp[8 + 256], bq[256], u[8 + 256];
};

/* From a key in libica's order (rsa_key_p_above_q). */
static inline bool rsa_ica_key_from(struct rsa_ica_key *k, const struct rsa_key *r)
{
	int L = (int)r->L, S = (int)r->S;

	memset(k, 0, sizeof(*k));
	k->bits = r->bits;
	k->L = r->L;
	k->S = r->S;
	return BN_bn2binpad(r->n, k->n, L) == L && BN_bn2binpad(r->e, k->e, L) == L &&
	       BN_bn2binpad(r->d, k->d, L) == L && BN_bn2binpad(r->p, k->np + 8, S) == S &&
	       BN_bn2binpad(r->q, k->nq, S) == S && BN_bn2binpad(r->dp, k->bp + 8, S) == S &&
	       BN_bn2binpad(r->dq, k->bq, S) == S && BN_bn2binpad(r->u, k->u + 8, S) == S;
}

/* A fresh key in that layout; the BIGNUMs are not kept. */
static inline bool rsa_ica_key_gen(struct rsa_ica_key *k, int bits)
{
	struct rsa_key r;
	bool ok = rsa_key_gen(&r, bits) && rsa_key_p_above_q(&r) && rsa_ica_key_from(k, &r);

	rsa_key_free(&r);
	return ok;
}

static inline struct apv_ica_rsa_modexpo rsa_ica_me(const struct rsa_ica_key *k, const uint8_t *msg,
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

static inline struct apv_ica_rsa_modexpo_crt rsa_ica_crt(const struct rsa_ica_key *k,
							 const uint8_t *msg, uint8_t *out)
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

#endif
