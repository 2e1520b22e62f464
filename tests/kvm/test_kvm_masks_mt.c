/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * APCB updates are atomic with respect to running vCPUs: a vCPU thread
 * loops on interpreted TAPQ while the main thread switches the guest's
 * masks back and forth under the VM lock. An instruction that ran entirely
 * while one set of masks was in force must answer by that set; none may
 * answer anything else.
 */
#include <pthread.h>
#include <sched.h>

#include "kvm_fixture.h"

#define TOGGLES 500

static const apv_apqn_t Q2 = 0x0506; /* in the full masks only */

struct shared {
	struct fx *f;
	atomic_ulong gen; /* even: stable; gen / 2 odd: narrow masks in force */
	atomic_bool stop;
	atomic_long done; /* instructions completed */
	long checked, bad, odd_answer;
};

static void *vcpu_thread(void *arg)
{
	struct shared *s = arg;
	struct fx *f = s->f;

	while (!atomic_load(&s->stop)) {
		unsigned long g1 = atomic_load(&s->gen), g2;
		struct apv_result r =
			fx_pqap(f, apv_gr0_pqap(APV_FC_TAPQ, Q2, false, false), 0, 0);
		uint8_t rc = apv_apqsw_get_rc(apv_apqsw_from_gr1(f->r->gr[1]));

		g2 = atomic_load(&s->gen);
		atomic_fetch_add(&s->done, 1);
		if (r.kind != APV_RES_DONE || !((r.cc == 0 && rc == 0) || (r.cc == 3 && rc == 1)))
			s->odd_answer++;
		if (g1 != g2 || (g1 & 1))
			continue;
		s->checked++;
		if ((g1 / 2) & 1) {
			if (!(r.cc == 3 && rc == APV_RC_Q_NOT_AVAIL))
				s->bad++;
		} else if (!(r.cc == 0 && rc == APV_RC_NORMAL)) {
			s->bad++;
		}
	}
	return NULL;
}

TEST(masks_mt_update_atomic_for_running_vcpu)
{
	struct fx f;
	struct shared s;
	pthread_t t;
	struct apv_mask apm, aqm, adm, napm = {{0}}, naqm = {{0}};

	fx_init(&f);
	fx_masks(&apm, &aqm, &adm);
	apv_mask_set(&napm, FX_AP1);
	apv_mask_set(&naqm, FX_DOM1);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	atomic_init(&s.gen, 0);
	atomic_init(&s.stop, false);
	atomic_init(&s.done, 0);
	REQUIRE(pthread_create(&t, NULL, vcpu_thread, &s) == 0);
	for (int i = 0; i < TOGGLES; i++) {
		atomic_fetch_add(&s.gen, 1); /* odd: changing */
		apv_vm_lock(f.vm);
		if (i & 1)
			apv_vm_set_masks(f.vm, &apm, &aqm, &adm);
		else
			apv_vm_set_masks(f.vm, &napm, &naqm, NULL);
		apv_vm_unlock(f.vm);
		atomic_fetch_add(&s.gen, 1); /* even: the new masks are in force */
		/* Let the vCPU run at least one whole instruction under these masks. */
		long d = atomic_load(&s.done);

		while (atomic_load(&s.done) < d + 2)
			sched_yield();
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);
	CHECK_EQ(s.bad, 0);
	CHECK_EQ(s.odd_answer, 0);
	CHECK(s.checked >= TOGGLES);
	fprintf(stderr, "  %ld TAPQs checked against a stable APCB\n", s.checked);
	fx_fini(&f);
}

TEST_MAIN
