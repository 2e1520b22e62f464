/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPACF wrapping key under concurrency: threads wrap and unwrap (as
 * vCPUs and card workers do) while another replaces the key. Each unwrap
 * either gives the clear key back or refuses with -EKEYREJECTED; a key
 * wrapped and unwrapped between two replacements always round-trips.
 */
#include "testlib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <apvirt/hw.h>

#define WORKERS 4
#define ROUNDS 2000

static struct apv_hw *hw;
static atomic_bool stop;
static atomic_int bad, rejected, ok;

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	uint8_t clear[32], pk[32 + APV_CPACF_WKVP_LEN], back[32];

	for (int r = 0; r < ROUNDS; r++) {
		size_t len = 16 + 8 * (r % 3);
		int rc;

		for (size_t i = 0; i < len; i++)
			clear[i] = (uint8_t)(seed * 31 + r + i);
		if (apv_hw_cpacf_wrap(hw, clear, len, pk)) {
			atomic_fetch_add(&bad, 1);
			continue;
		}
		rc = apv_hw_cpacf_unwrap(hw, pk, len, back);
		if (rc == -EKEYREJECTED)
			atomic_fetch_add(&rejected, 1);
		else if (rc || memcmp(back, clear, len))
			atomic_fetch_add(&bad, 1);
		else
			atomic_fetch_add(&ok, 1);
	}
	return NULL;
}

static void *rekey(void *arg)
{
	uint8_t wk[APV_CPACF_WK_LEN];
	unsigned n = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		memset(wk, (int)(n++ & 0xff), sizeof(wk));
		if (apv_hw_cpacf_set_wrapping_key(hw, n & 1 ? wk : NULL))
			atomic_fetch_add(&bad, 1);
	}
	return NULL;
}

TEST(wrap_and_unwrap_race_with_key_changes)
{
	struct apv_clock *clk = apv_clock_new_real();
	pthread_t w[WORKERS], k;

	REQUIRE(clk);
	hw = apv_hw_new(NULL, clk);
	REQUIRE(hw);
	REQUIRE(pthread_create(&k, NULL, rekey, NULL) == 0);
	for (uintptr_t i = 0; i < WORKERS; i++)
		REQUIRE(pthread_create(&w[i], NULL, worker, (void *)(i + 1)) == 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, true);
	pthread_join(k, NULL);
	CHECK_EQ(atomic_load(&bad), 0);
	CHECK_EQ(atomic_load(&ok) + atomic_load(&rejected), WORKERS * ROUNDS);
	/* With the key fixed again, every round trip works. */
	atomic_store(&ok, 0);
	atomic_store(&rejected, 0);
	worker((void *)(uintptr_t)9);
	CHECK_EQ(atomic_load(&ok), ROUNDS);
	CHECK_EQ(atomic_load(&rejected), 0);
	apv_hw_free(hw);
	apv_clock_free(clk);
}

TEST_MAIN
