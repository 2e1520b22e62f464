/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The full path under load: one guest driver thread keeps a window of
 * asynchronous requests outstanding (apv_guest_submit_*), waits for the
 * oldest, checks it and sends it again. Requests travel guest model ->
 * NQAP (SIE interpretation) -> hardware queue -> worker pool -> reply ->
 * NIB + GISA interruption -> vCPU -> driver -> DQAP.
 */
#ifndef APV_BENCH_PATH_H
#define APV_BENCH_PATH_H

#include "bench.h"

struct bench_path {
	const struct bench_key *k;
	bool crt;
	const uint8_t *exp; /* ME: exponent, L bytes */
	unsigned window;
	uint8_t (*in)[512];
	uint8_t (*out)[512];
	uint8_t (*ref)[512]; /* expected outputs */
	struct apv_guest_req *req;
};

static inline int bench_path_submit(struct apv_guest *g, struct bench_path *p, unsigned i)
{
	if (p->crt) {
		struct apv_ica_rsa_modexpo_crt c = bench_crt(p->k, p->in[i], p->out[i]);

		return apv_guest_submit_crt(g, &p->req[i], &c, APV_GUEST_ANY_QUEUE);
	}
	struct apv_ica_rsa_modexpo m = bench_me(p->k, p->in[i], p->exp, p->out[i]);

	return apv_guest_submit_me(g, &p->req[i], &m, APV_GUEST_ANY_QUEUE);
}

/* OpenSSL's answer for message i, to check that the path really computed. */
static inline void bench_path_reference(struct bench_path *p, unsigned i)
{
	const struct bench_key *k = p->k;
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *m = BN_bin2bn(p->in[i], (int)k->L, NULL), *r = BN_new();
	BIGNUM *x = p->crt ? k->d : BN_bin2bn(p->exp, (int)k->L, NULL);

	if (!bc || !m || !r || !x || !BN_mod_exp(r, m, x, k->n, bc) ||
	    BN_bn2binpad(r, p->ref[i], (int)k->L) != (int)k->L)
		bench_die("reference computation failed");
	if (!p->crt)
		BN_free(x);
	BN_free(m);
	BN_free(r);
	BN_CTX_free(bc);
}

static inline void bench_path_init(struct bench_path *p, const struct bench_key *k, bool crt,
				   const uint8_t *exp, unsigned window)
{
	memset(p, 0, sizeof(*p));
	p->k = k;
	p->crt = crt;
	p->exp = exp;
	p->window = window;
	p->in = calloc(window, sizeof(*p->in));
	p->out = calloc(window, sizeof(*p->out));
	p->ref = calloc(window, sizeof(*p->ref));
	p->req = calloc(window, sizeof(*p->req));
	if (!p->in || !p->out || !p->ref || !p->req)
		bench_die("out of memory");
	for (unsigned i = 0; i < window; i++) {
		bench_msg(p->in[i], k->L, 1000 + i);
		bench_path_reference(p, i);
	}
}

static inline void bench_path_fini(struct bench_path *p)
{
	free(p->in);
	free(p->out);
	free(p->ref);
	free(p->req);
}

static inline void bench_path_finish_one(struct apv_guest *g, struct bench_path *p, unsigned i)
{
	if (apv_guest_wait(g, &p->req[i], 60 * APV_NSEC_PER_SEC))
		bench_die("request through the stack failed");
	if (memcmp(p->out[i], p->ref[i], p->k->L))
		bench_die("wrong result through the stack");
}

/*
 * Requests per second through the stack for `seconds`; every result is
 * checked. *cpu_ns (may be NULL) gets the process CPU time per request.
 */
static inline double bench_path_run_cpu(struct apv_guest *g, struct bench_path *p, double seconds,
					double *cpu_ns)
{
	uint64_t t0 = bench_now(), end = t0 + (uint64_t)(seconds * 1e9), done = 0, t1;
	uint64_t c0 = bench_cpu_now(), c1;
	unsigned i = 0;

	for (unsigned j = 0; j < p->window; j++)
		if (bench_path_submit(g, p, j))
			bench_die("submit failed");
	for (;;) {
		bench_path_finish_one(g, p, i);
		done++;
		if (bench_now() >= end)
			break;
		memset(p->out[i], 0, p->k->L);
		if (bench_path_submit(g, p, i))
			bench_die("submit failed");
		i = (i + 1) % p->window;
	}
	t1 = bench_now();
	c1 = bench_cpu_now();
	/* The rest of the window is still out: collect it, it does not count. */
	for (unsigned j = 1; j < p->window; j++)
		bench_path_finish_one(g, p, (i + j) % p->window);
	if (cpu_ns)
		*cpu_ns = (double)(c1 - c0) / (double)done;
	return (double)done * 1e9 / (double)(t1 - t0);
}

static inline double bench_path_run(struct apv_guest *g, struct bench_path *p, double seconds)
{
	return bench_path_run_cpu(g, p, seconds, NULL);
}

/* Queues for a window of requests: 7 in flight each (CEX8A QD 7). */
static inline unsigned bench_queues_for(unsigned window)
{
	return (window + 6) / 7;
}

#endif
