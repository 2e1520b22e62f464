/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hook lifetime: one thread loops on intercepted AQIC while another
 * publishes and clears the PQAP hook thousands of times. Each publication
 * uses a freshly allocated owner that is poisoned and freed as soon as the
 * clear returns, so a call running on a cleared hook is caught by the
 * poison check here and by ASan/TSan as a use after free. Every AQIC gets
 * either the hook's answer (CC0) or the no-hook answer (CC3/RC01).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdatomic.h>

#include "kvm_fixture.h"

#define CYCLES 2000
#define MIN_AQICS 2000

struct owner {
	struct apv_pqap_hook hook;
	atomic_int poisoned;
	atomic_int inflight;
};

static atomic_long violations;
static atomic_long hook_seen;

static int owner_hook(struct apv_pqap_hook *self, struct apv_vcpu *v)
{
	struct owner *o = (struct owner *)((char *)self - offsetof(struct owner, hook));

	if (atomic_load(&o->poisoned))
		atomic_fetch_add(&violations, 1);
	atomic_fetch_add(&o->inflight, 1);
	apv_vcpu_regs(v)->gr[1] = apv_gr1_from_apqsw(APV_APQSW_I);
	atomic_fetch_add(&hook_seen, 1);
	if (atomic_load(&o->poisoned))
		atomic_fetch_add(&violations, 1);
	atomic_fetch_sub(&o->inflight, 1);
	return 0;
}

struct shared {
	struct fx *f;
	atomic_bool stop;
	atomic_long done; /* AQICs completed */
	long aqics, cc0, cc3, other;
};

static void *vcpu_thread(void *arg)
{
	struct shared *s = arg;
	struct fx *f = s->f;

	while (!atomic_load(&s->stop) || s->aqics < MIN_AQICS) {
		struct apv_result r = fx_aqic(f, 0x0102, 0x1000);

		s->aqics++;
		atomic_fetch_add(&s->done, 1);
		if (r.kind == APV_RES_DONE && r.cc == 0 && f->r->gr[1] == APV_APQSW_I)
			s->cc0++;
		else if (r.kind == APV_RES_DONE && r.cc == 3 && f->r->gr[1] == UINT64_C(0x10000))
			s->cc3++;
		else
			s->other++;
	}
	return NULL;
}

/* Until the vCPU has completed an AQIC that started after this point. */
static void wait_progress(struct shared *s)
{
	long d = atomic_load(&s->done);

	while (atomic_load(&s->done) < d + 2)
		sched_yield();
}

TEST(hook_mt_no_call_runs_on_a_cleared_hook_and_counts_balance)
{
	struct fx f;
	struct shared s;
	pthread_t t;
	struct apv_account *a;
	struct apv_balance b;

	fx_init(&f);
	a = apv_kvm_account(f.kvm);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	atomic_init(&s.stop, false);
	atomic_init(&s.done, 0);
	REQUIRE(pthread_create(&t, NULL, vcpu_thread, &s) == 0);

	for (int i = 0; i < CYCLES; i++) {
		struct owner *o = calloc(1, sizeof(*o));

		REQUIRE(o);
		o->hook.fn = owner_hook;
		apv_vm_set_pqap_hook(f.vm, &o->hook);
		/* Every few cycles, make sure calls do go through this hook and without one. */
		if (i % 16 == 0)
			wait_progress(&s);
		apv_vm_set_pqap_hook(f.vm, NULL);
		/* After the clear returns: nothing runs on o and nothing can start. */
		atomic_store(&o->poisoned, 1);
		if (atomic_load(&o->inflight) != 0)
			atomic_fetch_add(&violations, 1);
		free(o);
		if (i % 16 == 0)
			wait_progress(&s);
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);

	CHECK_EQ(atomic_load(&violations), 0);
	CHECK_EQ(s.other, 0);
	CHECK_EQ(s.cc0 + s.cc3, s.aqics);
	CHECK(s.cc3 >= CYCLES / 16);
	CHECK(s.cc0 >= CYCLES / 16);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CALLS), atomic_load(&hook_seen));
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CALLS), s.cc0);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_RETURNS),
		 apv_account_get(a, APV_ACCT_HOOK_CALLS));
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_SETS), CYCLES);
	CHECK_EQ(apv_account_get(a, APV_ACCT_HOOK_CLEARS), CYCLES);
	apv_account_balance(a, &b);
	CHECK_EQ(b.hooks, 0);
	CHECK_EQ(b.hook_calls, 0);
	fprintf(stderr, "  %ld AQICs: %ld through the hook, %ld without\n", s.aqics, s.cc0, s.cc3);
	fx_fini(&f);
}

TEST_MAIN
