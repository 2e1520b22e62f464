/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The baselines: OpenSSL doing the same RSA arithmetic on its own, on as
 * many threads as the stack has hardware workers.
 *
 *  - "same math": what the accelerator engine computes, written directly
 *    against libcrypto with everything cacheable cached (Montgomery
 *    contexts of p, q and n built once per thread): Garner CRT over
 *    BN_mod_exp_mont_consttime_x2, and BN_mod_exp_mont for a public
 *    exponent. This is the strict baseline: no message framing, no copies.
 *  - "RSA_NO_PADDING": OpenSSL's own raw RSA operation with blinding off
 *    (RSA_private_decrypt / RSA_public_encrypt), what `openssl speed` would
 *    show without padding. Its private operation also verifies the result
 *    with e, which the engine cannot do (a CRT request carries no e).
 */
#ifndef APV_BENCH_BASELINE_H
#define APV_BENCH_BASELINE_H

#include <openssl/rsa.h>
#include <pthread.h>
#include <stdatomic.h>

#include "bench.h"

/* ---- running an operation on n threads for a while ------------------------------- */

typedef bool (*bench_op_fn)(void *state);

struct bench_thread {
	bench_op_fn op;
	void *state;
	atomic_bool *stop;
	uint64_t ops;
	bool failed;
	pthread_t t;
};

static void *bench_thread_main(void *arg)
{
	struct bench_thread *b = arg;

	while (!atomic_load_explicit(b->stop, memory_order_relaxed)) {
		if (!b->op(b->state)) {
			b->failed = true;
			break;
		}
		b->ops++;
	}
	return NULL;
}

static inline void bench_sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts))
		;
}

/*
 * Operations per second of op over n threads (states[i] per thread);
 * *cpu_ns (may be NULL) gets the process CPU time per operation.
 */
static inline double bench_run_threads_cpu(unsigned n, double seconds, bench_op_fn op,
					   void **states, double *cpu_ns)
{
	struct bench_thread *b = calloc(n, sizeof(*b));
	atomic_bool stop = false;
	uint64_t t0, t1, c0 = bench_cpu_now(), ops = 0;

	if (!b)
		bench_die("out of memory");
	t0 = bench_now();
	for (unsigned i = 0; i < n; i++) {
		b[i] = (struct bench_thread){.op = op, .state = states[i], .stop = &stop};
		if (pthread_create(&b[i].t, NULL, bench_thread_main, &b[i]))
			bench_die("pthread_create failed");
	}
	bench_sleep_s(seconds);
	atomic_store(&stop, true);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(b[i].t, NULL);
		if (b[i].failed)
			bench_die("baseline operation failed");
		ops += b[i].ops;
	}
	t1 = bench_now();
	if (cpu_ns)
		*cpu_ns = (double)(bench_cpu_now() - c0) / (double)ops;
	free(b);
	return (double)ops * 1e9 / (double)(t1 - t0);
}

static inline double bench_run_threads(unsigned n, double seconds, bench_op_fn op, void **states)
{
	return bench_run_threads_cpu(n, seconds, op, states, NULL);
}

/* ---- same math ----------------------------------------------------------------------- */

struct bench_bn {
	const struct bench_key *k;
	bool crt; /* false: msg^e mod n */
	BN_CTX *ctx;
	BN_MONT_CTX *mp, *mq, *mn;
	BIGNUM *c, *cp, *cq, *m1, *m2, *h, *r;
	uint8_t in[512], out[512];
};

static inline struct bench_bn *bench_bn_new(const struct bench_key *k, bool crt, unsigned seed)
{
	struct bench_bn *s = calloc(1, sizeof(*s));

	if (!s)
		bench_die("out of memory");
	s->k = k;
	s->crt = crt;
	s->ctx = BN_CTX_new();
	s->mp = BN_MONT_CTX_new();
	s->mq = BN_MONT_CTX_new();
	s->mn = BN_MONT_CTX_new();
	s->c = BN_new();
	s->cp = BN_new();
	s->cq = BN_new();
	s->m1 = BN_new();
	s->m2 = BN_new();
	s->h = BN_new();
	s->r = BN_new();
	if (!s->ctx || !s->mp || !s->mq || !s->mn || !s->c || !s->cp || !s->cq || !s->m1 ||
	    !s->m2 || !s->h || !s->r || !BN_MONT_CTX_set(s->mp, k->p, s->ctx) ||
	    !BN_MONT_CTX_set(s->mq, k->q, s->ctx) || !BN_MONT_CTX_set(s->mn, k->n, s->ctx))
		bench_die("OpenSSL setup failed");
	bench_msg(s->in, k->L, seed);
	return s;
}

static inline void bench_bn_free(struct bench_bn *s)
{
	BN_CTX_free(s->ctx);
	BN_MONT_CTX_free(s->mp);
	BN_MONT_CTX_free(s->mq);
	BN_MONT_CTX_free(s->mn);
	BN_free(s->c);
	BN_clear_free(s->cp);
	BN_clear_free(s->cq);
	BN_clear_free(s->m1);
	BN_clear_free(s->m2);
	BN_clear_free(s->h);
	BN_clear_free(s->r);
	free(s);
}

/* One operation, bytes in and bytes out like a request. */
static bool bench_bn_op(void *arg)
{
	struct bench_bn *s = arg;
	const struct bench_key *k = s->k;
	int L = (int)k->L;

	if (!BN_bin2bn(s->in, L, s->c))
		return false;
	if (!s->crt) {
		if (!BN_mod_exp_mont(s->r, s->c, k->e, k->n, s->ctx, s->mn))
			return false;
	} else {
		BN_set_flags(s->h, BN_FLG_CONSTTIME);
		if (!BN_nnmod(s->cp, s->c, k->p, s->ctx) || !BN_nnmod(s->cq, s->c, k->q, s->ctx) ||
		    !BN_mod_exp_mont_consttime_x2(s->m1, s->cp, k->dp, k->p, s->mp, s->m2, s->cq,
						  k->dq, k->q, s->mq, s->ctx) ||
		    !BN_mod_sub(s->h, s->m1, s->m2, k->p, s->ctx) ||
		    !BN_mod_mul(s->h, s->h, k->u, k->p, s->ctx) ||
		    !BN_mul(s->r, s->h, k->q, s->ctx) || !BN_add(s->r, s->r, s->m2))
			return false;
	}
	return BN_bn2binpad(s->r, s->out, L) == L;
}

/* ---- RSA_NO_PADDING ------------------------------------------------------------------- */

struct bench_rsa {
	const struct bench_key *k;
	bool priv;
	RSA *rsa;
	uint8_t in[512], out[512];
};

static inline struct bench_rsa *bench_rsa_new(const struct bench_key *k, bool priv, unsigned seed)
{
	struct bench_rsa *s = calloc(1, sizeof(*s));

	if (!s)
		bench_die("out of memory");
	s->k = k;
	s->priv = priv;
	s->rsa = RSA_new();
	if (!s->rsa ||
	    !RSA_set0_key(s->rsa, BN_dup(k->n), BN_dup(k->e), BN_dup(k->d)) ||
	    !RSA_set0_factors(s->rsa, BN_dup(k->p), BN_dup(k->q)) ||
	    !RSA_set0_crt_params(s->rsa, BN_dup(k->dp), BN_dup(k->dq), BN_dup(k->u)))
		bench_die("RSA setup failed");
	RSA_blinding_off(s->rsa);
	bench_msg(s->in, k->L, seed);
	return s;
}

static inline void bench_rsa_free(struct bench_rsa *s)
{
	RSA_free(s->rsa);
	free(s);
}

static bool bench_rsa_op(void *arg)
{
	struct bench_rsa *s = arg;
	int L = (int)s->k->L;

	if (s->priv)
		return RSA_private_decrypt(L, s->in, s->out, s->rsa, RSA_NO_PADDING) == L;
	return RSA_public_encrypt(L, s->in, s->out, s->rsa, RSA_NO_PADDING) == L;
}

#endif
