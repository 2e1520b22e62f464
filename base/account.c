/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one accounting record of the stack. Counters only grow, so a reader
 * never sees a balance go through a bogus intermediate value because of a
 * decrement racing an increment; the balance is computed when asked.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "apvirt/base.h"

struct apv_account {
	atomic_long n[APV_ACCT_COUNTERS];
};

struct apv_account *apv_account_new(void)
{
	struct apv_account *a = malloc(sizeof(*a));

	if (!a)
		return NULL;
	for (unsigned i = 0; i < APV_ACCT_COUNTERS; i++)
		atomic_init(&a->n[i], 0);
	return a;
}

void apv_account_free(struct apv_account *a)
{
	free(a);
}

void apv_account_inc(struct apv_account *a, enum apv_account_counter c)
{
	if (a && (unsigned)c < APV_ACCT_COUNTERS)
		atomic_fetch_add(&a->n[c], 1);
}

long apv_account_get(const struct apv_account *a, enum apv_account_counter c)
{
	return a && (unsigned)c < APV_ACCT_COUNTERS ? atomic_load(&a->n[c]) : 0;
}

/*
 * Read the "release" side first: a concurrent pair (increment then
 * decrement) can then only make the balance look higher, never negative.
 */
static long diff(const struct apv_account *a, enum apv_account_counter up,
		 enum apv_account_counter down)
{
	long d = atomic_load(&a->n[down]);
	long u = atomic_load(&a->n[up]);

	return u - d;
}

void apv_account_balance(const struct apv_account *a, struct apv_balance *out)
{
	if (!a || !out)
		return;
	out->pins = diff(a, APV_ACCT_PINS, APV_ACCT_UNPINS);
	out->isc_regs = diff(a, APV_ACCT_ISC_REGS, APV_ACCT_ISC_UNREGS);
	out->vm_refs = diff(a, APV_ACCT_VM_GETS, APV_ACCT_VM_PUTS);
	out->hooks = diff(a, APV_ACCT_HOOK_SETS, APV_ACCT_HOOK_CLEARS);
	out->hook_calls = diff(a, APV_ACCT_HOOK_CALLS, APV_ACCT_HOOK_RETURNS);
}

bool apv_balance_zero(const struct apv_balance *b)
{
	return b && b->pins == 0 && b->isc_regs == 0 && b->vm_refs == 0 && b->hooks == 0 &&
	       b->hook_calls == 0;
}

char *apv_balance_format(const struct apv_balance *b, char *buf, size_t len)
{
	if (!b || !buf || !len)
		return NULL;
	snprintf(buf, len, "pins=%ld isc=%ld vmrefs=%ld hooks=%ld calls=%ld", b->pins, b->isc_regs,
		 b->vm_refs, b->hooks, b->hook_calls);
	return buf;
}
