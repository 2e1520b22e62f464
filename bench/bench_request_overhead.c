/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figure 2: what the stack adds to each request. RSA-1024 with the public
 * exponent 65537 is cheap arithmetic, so the path's own cost shows: the
 * guest driver (message build, NQAP, DQAP, reply check), SIE
 * interpretation, the hardware queue, the worker hand-off, the NIB and
 * the GISA interruption.
 *
 * Both sides run with every core busy (the stack with one worker per core
 * and a window of requests, OpenSSL on one thread per core), so the
 * difference of the per-request times, multiplied by the number of cores,
 * is the CPU time the stack adds to one request:
 *   added = ncpu * (1 / stack rate - 1 / OpenSSL rate).
 * Target: at most 2 us.
 */
#include "baseline.h"
#include "path.h"

int main(void)
{
	unsigned ncpu = bench_ncpu();
	double secs = bench_seconds(2.0), path = 0, bn = 0, rsa = 0, added, added_rsa;
	unsigned window = 8 * ncpu;
	struct bench_key k;
	struct bench_stack s;
	struct bench_stack_opts o;
	struct bench_path p;
	void **bns = calloc(ncpu, sizeof(*bns)), **rsas = calloc(ncpu, sizeof(*rsas));
	struct apv_guest_stats gs0, gs1;
	struct apv_vcpu_stats vs;

	if (!bns || !rsas)
		bench_die("out of memory");
	bench_print_machine();
	bench_key_gen(&k, 1024);
	for (unsigned i = 0; i < ncpu; i++) {
		bns[i] = bench_bn_new(&k, false, i);
		rsas[i] = bench_rsa_new(&k, false, i);
	}
	bench_stack_opts_default(&o);
	o.workers = ncpu;
	o.adapters = (window + 13) / 14;
	bench_stack_init(&s, &o);
	bench_path_init(&p, &k, false, k.be, window);

	(void)bench_path_run(s.g, &p, secs / 4);
	apv_guest_stats(s.g, &gs0);
	for (int round = 0; round < 3; round++) {
		double v;

		v = bench_run_threads(ncpu, secs, bench_bn_op, bns);
		bn = v > bn ? v : bn;
		v = bench_run_threads(ncpu, secs, bench_rsa_op, rsas);
		rsa = v > rsa ? v : rsa;
		v = bench_path_run(s.g, &p, secs);
		path = v > path ? v : path;
	}
	apv_guest_stats(s.g, &gs1);
	apv_vcpu_stats(s.v, &vs);
	added = 1e6 * ncpu * (1.0 / path - 1.0 / bn);
	added_rsa = 1e6 * ncpu * (1.0 / path - 1.0 / rsa);
	printf("RSA-1024 e=65537, %u threads: stack %.0f/s (%.2f us per request), OpenSSL same "
	       "math %.0f/s (%.2f us), RSA_NO_PADDING %.0f/s (%.2f us)\n",
	       ncpu, path, 1e6 * ncpu / path, bn, 1e6 * ncpu / bn, rsa, 1e6 * ncpu / rsa);
	{
		double n = (double)(gs1.replies - gs0.replies);

		if (n > 0)
			printf("per request: %.2f NQAP, %.2f DQAP, %.2f interruptions, %.3f polls\n",
			       (double)(gs1.nqap - gs0.nqap) / n, (double)(gs1.dqap - gs0.dqap) / n,
			       (double)(gs1.interrupts - gs0.interrupts) / n,
			       (double)(gs1.polls - gs0.polls) / n);
	}
	printf("added vs RSA_NO_PADDING: %.2f us per request\n", added_rsa);
	printf("figure 2, per-request overhead, RSA-1024 public (target <= 2 us): %.2f us added "
	       "per request %s\n",
	       added, added <= 2.0 ? "met" : "NOT met");

	bench_path_fini(&p);
	bench_stack_fini(&s);
	for (unsigned i = 0; i < ncpu; i++) {
		bench_bn_free(bns[i]);
		bench_rsa_free(rsas[i]);
	}
	free(bns);
	free(rsas);
	bench_key_free(&k);
	return 0;
}
