/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A PQAP hook for tests: answers a fixed APQSW or return code and counts its calls. */
#ifndef APV_KVM_TEST_HOOK_H
#define APV_KVM_TEST_HOOK_H

#include <stddef.h>

#include "apvirt/kvm.h"

struct test_hook {
	struct apv_pqap_hook hook;
	int rc;         /* what fn returns */
	uint32_t apqsw; /* stored in GR1 bits 32-63 when rc == 0 */
	int calls;
	struct apv_vcpu *last_vcpu;
	uint64_t last_gr0;
};

#define test_hook_of(h) ((struct test_hook *)((char *)(h) - offsetof(struct test_hook, hook)))

static int test_hook_fn(struct apv_pqap_hook *self, struct apv_vcpu *vcpu)
{
	struct test_hook *t = test_hook_of(self);
	struct apv_regs *r = apv_vcpu_regs(vcpu);

	t->calls++;
	t->last_vcpu = vcpu;
	t->last_gr0 = r->gr[0];
	if (t->rc == 0)
		r->gr[1] = apv_gr1_from_apqsw(t->apqsw);
	return t->rc;
}

static inline void test_hook_init(struct test_hook *t, int rc, uint32_t apqsw)
{
	memset(t, 0, sizeof(*t));
	t->hook.fn = test_hook_fn;
	t->rc = rc;
	t->apqsw = apqsw;
}

#endif
