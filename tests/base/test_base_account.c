/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounting record: each counter through its getter, the balances
 * computed from the pairs, the zero test and the formatting.
 */
#include "testlib.h"

#include <apvirt/base.h>

TEST(account_starts_at_zero_and_counts_each_counter_apart)
{
	struct apv_account *a = apv_account_new();

	REQUIRE(a != NULL);
	for (int c = 0; c < APV_ACCT_COUNTERS; c++)
		CHECK_EQ(apv_account_get(a, (enum apv_account_counter)c), 0);
	/* Counter c is bumped c + 1 times, so a mixed-up index shows. */
	for (int c = 0; c < APV_ACCT_COUNTERS; c++)
		for (int i = 0; i <= c; i++)
			apv_account_inc(a, (enum apv_account_counter)c);
	for (int c = 0; c < APV_ACCT_COUNTERS; c++)
		CHECK_EQ(apv_account_get(a, (enum apv_account_counter)c), c + 1);
	apv_account_free(a);
}

TEST(account_ignores_unknown_counters)
{
	struct apv_account *a = apv_account_new();

	REQUIRE(a != NULL);
	apv_account_inc(a, APV_ACCT_COUNTERS);
	apv_account_inc(a, (enum apv_account_counter)UINT32_MAX);
	CHECK_EQ(apv_account_get(a, APV_ACCT_COUNTERS), 0);
	CHECK_EQ(apv_account_get(a, (enum apv_account_counter)UINT32_MAX), 0);
	for (int c = 0; c < APV_ACCT_COUNTERS; c++)
		CHECK_EQ(apv_account_get(a, (enum apv_account_counter)c), 0);
	apv_account_free(a);
	apv_account_free(NULL);
}

TEST(account_balance_pairs_each_counter_with_its_release)
{
	struct apv_account *a = apv_account_new();
	struct apv_balance b;
	char buf[128];

	REQUIRE(a != NULL);
	apv_account_balance(a, &b);
	CHECK(apv_balance_zero(&b));
	CHECK_STR(apv_balance_format(&b, buf, sizeof(buf)),
		  "pins=0 isc=0 vmrefs=0 hooks=0 calls=0");
	for (int i = 0; i < 3; i++)
		apv_account_inc(a, APV_ACCT_PINS);
	apv_account_inc(a, APV_ACCT_UNPINS);
	for (int i = 0; i < 4; i++)
		apv_account_inc(a, APV_ACCT_ISC_REGS);
	apv_account_inc(a, APV_ACCT_ISC_UNREGS);
	apv_account_inc(a, APV_ACCT_VM_GETS);
	apv_account_inc(a, APV_ACCT_VM_PUTS);
	apv_account_inc(a, APV_ACCT_VM_PUTS);
	apv_account_inc(a, APV_ACCT_HOOK_SETS);
	apv_account_inc(a, APV_ACCT_HOOK_CALLS);
	apv_account_inc(a, APV_ACCT_HOOK_CALLS);
	apv_account_inc(a, APV_ACCT_HOOK_RETURNS);
	apv_account_balance(a, &b);
	CHECK(!apv_balance_zero(&b));
	CHECK_EQ(b.pins, 2);
	CHECK_EQ(b.isc_regs, 3);
	CHECK_EQ(b.vm_refs, -1);
	CHECK_EQ(b.hooks, 1);
	CHECK_EQ(b.hook_calls, 1);
	CHECK_STR(apv_balance_format(&b, buf, sizeof(buf)),
		  "pins=2 isc=3 vmrefs=-1 hooks=1 calls=1");
	CHECK(apv_balance_format(&b, NULL, 0) == NULL);
	apv_balance_format(&b, buf, 5);
	CHECK_STR(buf, "pins");
	apv_account_free(a);
}

TEST(balance_zero_looks_at_every_field)
{
	struct apv_balance z = {0, 0, 0, 0, 0};

	CHECK(apv_balance_zero(&z));
	for (int f = 0; f < 5; f++) {
		struct apv_balance b = z;
		long *fields[] = {&b.pins, &b.isc_regs, &b.vm_refs, &b.hooks, &b.hook_calls};

		*fields[f] = 1;
		CHECK(!apv_balance_zero(&b));
	}
}

TEST_MAIN
