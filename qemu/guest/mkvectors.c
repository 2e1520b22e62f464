/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host side of the guest RSA test: make one RSA key per modulus size and
 * the expected results, computed here with OpenSSL, so the guest can check
 * what the emulated accelerator returns against an independent answer.
 *
 * Output, one line per key, lower-case hex without prefixes:
 *   bits n e d p q dp dq u msg msg^e msg^d
 * with p > q and u = q^-1 mod p (the adapters' convention). With -m COUNT,
 * each key line is followed by COUNT lines of further distinct messages
 * for the same key, "m msg msg^e msg^d", so that a load generator can give
 * every request its own input and expected result.
 *
 * Usage: mkvectors [-m COUNT] BITS... > vectors.txt
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
	fprintf(stderr, "mkvectors: %s failed\n", what);
	exit(1);
}

static BIGNUM *param(EVP_PKEY *k, const char *name)
{
	BIGNUM *b = NULL;

	if (!EVP_PKEY_get_bn_param(k, name, &b))
		die(name);
	return b;
}

static void put(const BIGNUM *b)
{
	char *h = BN_bn2hex(b);

	if (!h)
		die("BN_bn2hex");
	/* BN_bn2hex prints "0" for zero and upper case otherwise; the guest reads either. */
	printf(" %s", h);
	OPENSSL_free(h);
}

/* A message with the top bit clear is always below n. */
static void message(BIGNUM *m, BIGNUM *me, BIGNUM *md, int bits, const BIGNUM *e,
		    const BIGNUM *d, const BIGNUM *n, BN_CTX *ctx)
{
	if (!BN_rand(m, bits - 1, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
		die("BN_rand");
	if (!BN_mod_exp(me, m, e, n, ctx) || !BN_mod_exp(md, m, d, n, ctx))
		die("BN_mod_exp");
}

static void one_key(int bits, int extra, BN_CTX *ctx)
{
	EVP_PKEY *k = EVP_RSA_gen((unsigned)bits);
	BIGNUM *n, *e, *d, *p, *q, *dp, *dq, *u, *m, *me, *md, *t;

	if (!k)
		die("EVP_RSA_gen");
	n = param(k, OSSL_PKEY_PARAM_RSA_N);
	e = param(k, OSSL_PKEY_PARAM_RSA_E);
	d = param(k, OSSL_PKEY_PARAM_RSA_D);
	p = param(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
	q = param(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
	dp = BN_new();
	dq = BN_new();
	u = BN_new();
	m = BN_new();
	me = BN_new();
	md = BN_new();
	t = BN_new();
	if (!dp || !dq || !u || !m || !me || !md || !t)
		die("BN_new");
	/* libica hands the adapter p > q; keep that order so CRT inputs look like the real thing. */
	if (BN_cmp(p, q) < 0)
		BN_swap(p, q);
	if (!BN_sub(t, p, BN_value_one()) || !BN_mod(dp, d, t, ctx))
		die("dp");
	if (!BN_sub(t, q, BN_value_one()) || !BN_mod(dq, d, t, ctx))
		die("dq");
	if (!BN_mod_inverse(u, q, p, ctx))
		die("u");
	message(m, me, md, bits, e, d, n, ctx);
	printf("%d", bits);
	put(n);
	put(e);
	put(d);
	put(p);
	put(q);
	put(dp);
	put(dq);
	put(u);
	put(m);
	put(me);
	put(md);
	printf("\n");
	for (int i = 0; i < extra; i++) {
		message(m, me, md, bits, e, d, n, ctx);
		printf("m");
		put(m);
		put(me);
		put(md);
		printf("\n");
	}
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(u);
	BN_free(m);
	BN_free(me);
	BN_free(md);
	BN_free(t);
	EVP_PKEY_free(k);
}

int main(int argc, char **argv)
{
	BN_CTX *ctx = BN_CTX_new();
	int first = 1, extra = 0;

	if (argc >= 3 && !strcmp(argv[1], "-m")) {
		char *end;
		long v = strtol(argv[2], &end, 10);

		if (*end || v < 1 || v > 65536) {
			fprintf(stderr, "mkvectors: bad message count %s\n", argv[2]);
			return 2;
		}
		extra = (int)v;
		first = 3;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: mkvectors [-m COUNT] BITS...\n");
		return 2;
	}
	if (!ctx)
		die("BN_CTX_new");
	for (int i = first; i < argc; i++) {
		int bits = atoi(argv[i]);

		if (bits < 512 || bits > 4096 || bits % 16) {
			fprintf(stderr, "mkvectors: unsupported size %s\n", argv[i]);
			return 2;
		}
		one_key(bits, extra, ctx);
	}
	BN_CTX_free(ctx);
	return fflush(stdout) == 0 ? 0 : 1;
}
