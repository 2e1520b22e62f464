/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hot-path rule: once an engine has seen a key, further requests with that
 * key allocate nothing. OpenSSL's allocator is routed through counters
 * before the library allocates anything. A 512-bit key keeps OpenSSL's
 * constant-time power table on its stack (from 1024-bit exponents on,
 * OpenSSL puts that table on the heap itself, one allocation per request
 * that the engine cannot avoid), so every allocation counted here would be
 * the engine's.
 */
#include <stdlib.h>

#include "rsa_ref.h"
#include "testlib.h"

static long n_alloc;
static int mem_hooked;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

__attribute__((constructor)) static void hook_openssl_allocator(void)
{
	mem_hooked = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free);
}

/* Allocations made by `reps` requests after one warming request. */
static long warm_allocs(struct apv_cex *c, const uint8_t *req, size_t len, int reps)
{
	uint8_t rep[APV_CEX_REPLY_MAX];
	long before;

	CHECK_EQ(apv_cex_process(c, req, len, rep), 0x90);
	CHECK_EQ(rep[1], 0x80);
	before = n_alloc;
	for (int i = 0; i < reps; i++)
		apv_cex_process(c, req, len, rep);
	CHECK_EQ(rep[1], 0x80);
	return n_alloc - before;
}

TEST(warm_requests_do_not_allocate)
{
	struct test_key k;
	struct apv_cex *c;
	uint8_t msg[64], req[APV_T50_MAX_LEN];

	REQUIRE(mem_hooked);
	long at_start = n_alloc;
	REQUIRE(key_gen(&k, 512));
	CHECK(n_alloc > at_start); /* the counters do see OpenSSL's allocations */
	REQUIRE(random_below(k.bn_n, k.L, msg));
	c = apv_cex_new();
	REQUIRE(c);

	size_t rl = apv_t50_build_crt(req, sizeof(req), k.bp, k.bq, k.bdp, k.bdq, k.bu, msg, k.L);
	CHECK_EQ(warm_allocs(c, req, rl, 20), 0);
	rl = apv_t50_build_me(req, sizeof(req), k.bn_d, k.bn_n, msg, k.L);
	CHECK_EQ(warm_allocs(c, req, rl, 20), 0);
	rl = apv_t50_build_me(req, sizeof(req), k.bn_e, k.bn_n, msg, k.L);
	CHECK_EQ(warm_allocs(c, req, rl, 20), 0);
	/* Error replies allocate nothing either. */
	req[1] = 0x51;
	long before = n_alloc;
	uint8_t rep[APV_CEX_REPLY_MAX];
	CHECK_EQ(apv_cex_process(c, req, rl, rep), APV_T82_LEN);
	CHECK_EQ(n_alloc - before, 0);

	apv_cex_free(c);
	key_free(&k);
}

TEST(a_new_key_costs_no_new_engine_memory_after_the_first_of_its_size)
{
	struct test_key a, b;
	struct apv_cex *c;
	uint8_t msg[2][64], req[2][APV_T50_MAX_LEN], rep[APV_CEX_REPLY_MAX];

	REQUIRE(key_gen(&a, 512) && key_gen(&b, 512));
	/* One message per key: a value below b's modulus may exceed a's. */
	REQUIRE(random_below(a.bn_n, a.L, msg[0]) && random_below(b.bn_n, b.L, msg[1]));
	c = apv_cex_new();
	REQUIRE(c);
	size_t la = apv_t50_build_crt(req[0], sizeof(req[0]), a.bp, a.bq, a.bdp, a.bdq, a.bu,
				      msg[0], a.L);
	size_t lb = apv_t50_build_crt(req[1], sizeof(req[1]), b.bp, b.bq, b.bdp, b.bdq, b.bu,
				      msg[1], b.L);
	apv_cex_process(c, req[0], la, rep);
	apv_cex_process(c, req[1], lb, rep);
	/* Switching keys rebuilds the Montgomery contexts in place. */
	long before = n_alloc;
	for (int i = 0; i < 5; i++) {
		apv_cex_process(c, req[0], la, rep);
		CHECK_EQ(rep[1], 0x80);
		apv_cex_process(c, req[1], lb, rep);
		CHECK_EQ(rep[1], 0x80);
	}
	CHECK_EQ(n_alloc - before, 0);
	apv_cex_free(c);
	key_free(&a);
	key_free(&b);
}

TEST_MAIN
