/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one accounting record of the stack. Counters only grow, so a reader
 * never sees a balance go through a bogus intermediate value because of a
 * decrement racing an increment; the balance is computed when asked.
 */
#include <stdio.h>

#include "apvirt/base.h"

void apv_account_init(struct apv_account *a)
{
	atomic_init(&a->pins, 0);
	atomic_init(&a->unpins, 0);
	atomic_init(&a->isc_regs, 0);
	atomic_init(&a->isc_unregs, 0);
	atomic_init(&a->vm_gets, 0);
	atomic_init(&a->vm_puts, 0);
	atomic_init(&a->hook_sets, 0);
	atomic_init(&a->hook_clears, 0);
	atomic_init(&a->hook_calls, 0);
	atomic_init(&a->hook_returns, 0);
	atomic_init(&a->requests, 0);
	atomic_init(&a->replies, 0);
	atomic_init(&a->discarded, 0);
}

/*
 * Read the "release" side first: a concurrent pair (increment then
 * decrement) can then only make the balance look higher, never negative.
 */
static long diff(const atomic_long *up, const atomic_long *down)
{
	long d = atomic_load(down);
	long u = atomic_load(up);

	return u - d;
}

void apv_account_balance(const struct apv_account *a, struct apv_balance *out)
{
	out->pins = diff(&a->pins, &a->unpins);
	out->isc_regs = diff(&a->isc_regs, &a->isc_unregs);
	out->vm_refs = diff(&a->vm_gets, &a->vm_puts);
	out->hooks = diff(&a->hook_sets, &a->hook_clears);
	out->hook_calls = diff(&a->hook_calls, &a->hook_returns);
}

bool apv_balance_zero(const struct apv_balance *b)
{
	return b->pins == 0 && b->isc_regs == 0 && b->vm_refs == 0 && b->hooks == 0 &&
	       b->hook_calls == 0;
}

char *apv_balance_format(const struct apv_balance *b, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	snprintf(buf, len, "pins=%ld isc=%ld vmrefs=%ld hooks=%ld calls=%ld", b->pins,
		 b->isc_regs, b->vm_refs, b->hooks, b->hook_calls);
	return buf;
}
