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
#include <stdatomic.h>

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

/*
 * Torn reads: the masks switch between A (adapter 1, domain 2, control 2)
 * and B (adapter 5, domain 6, control 6). A vCPU seeing the APM of one and
 * the AQM or ADM of the other would get 01.0006 or 05.0002, which neither
 * grants, or a QCI block that mixes them.
 */
#define QCI_GPA UINT64_C(0x3000)

struct torn {
	struct fx *f;
	atomic_bool stop;
	atomic_long done;
	long granted_mixed, qci_mixed, odd;
};

static bool is_only(const struct apv_mask *m, unsigned id)
{
	struct apv_mask one = {{0}};

	apv_mask_set(&one, id);
	return !memcmp(m, &one, sizeof(one));
}

static void *torn_vcpu(void *arg)
{
	struct torn *s = arg;
	struct fx *f = s->f;
	static const apv_apqn_t mixed[] = {0x0106, 0x0502};

	for (unsigned n = 0; !atomic_load(&s->stop); n++) {
		struct apv_result r;

		if (n % 3 < 2) {
			r = fx_pqap(f, apv_gr0_pqap(APV_FC_TAPQ, mixed[n % 3], false, false), 0, 0);
			if (r.kind != APV_RES_DONE)
				s->odd++;
			else if (r.cc == 0)
				s->granted_mixed++;
		} else {
			struct apv_qci q;
			bool a, b;

			r = fx_pqap(f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, QCI_GPA);
			if (r.kind != APV_RES_DONE || r.cc != 0) {
				s->odd++;
			} else {
				apv_qci_decode(apv_vm_hva(f->vm, QCI_GPA), &q);
				a = is_only(&q.apm, FX_AP1) && is_only(&q.aqm, FX_DOM1) &&
				    is_only(&q.adm, FX_DOM1);
				b = is_only(&q.apm, FX_AP2) && is_only(&q.aqm, FX_DOM2) &&
				    is_only(&q.adm, FX_DOM2);
				if (!a && !b)
					s->qci_mixed++;
			}
		}
		atomic_fetch_add(&s->done, 1);
	}
	return NULL;
}

TEST(masks_mt_apm_aqm_adm_change_together_no_vcpu_sees_a_mix)
{
	struct fx f;
	struct torn s;
	pthread_t t;
	struct apv_mask am = {{0}}, qm = {{0}}, bm = {{0}}, rm = {{0}};

	fx_init(&f);
	apv_mask_set(&am, FX_AP1);
	apv_mask_set(&qm, FX_DOM1);
	apv_mask_set(&bm, FX_AP2);
	apv_mask_set(&rm, FX_DOM2);
	fx_set_masks(&f, &am, &qm, &qm);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	atomic_init(&s.stop, false);
	atomic_init(&s.done, 0);
	REQUIRE(pthread_create(&t, NULL, torn_vcpu, &s) == 0);
	for (int i = 0; i < TOGGLES; i++) {
		long d = atomic_load(&s.done);

		if (i & 1)
			fx_set_masks(&f, &am, &qm, &qm);
		else
			fx_set_masks(&f, &bm, &rm, &rm);
		while (atomic_load(&s.done) < d + 1)
			sched_yield();
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);
	CHECK_EQ(s.granted_mixed, 0);
	CHECK_EQ(s.qci_mixed, 0);
	CHECK_EQ(s.odd, 0);
	CHECK(atomic_load(&s.done) >= TOGGLES);
	fx_fini(&f);
}

TEST_MAIN
