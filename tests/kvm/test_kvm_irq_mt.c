/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupt delivery racing vCPU state changes: one thread raises GISA
 * interrupts (as the hardware's completion path does) while the vCPU
 * thread enters and leaves SIE, changes CR6, and creates and frees vCPUs.
 * Nothing is lost for good (a final SIE entry drains the IPM), every
 * delivery is counted once, the alert state ends consistent, and a vCPU
 * is never freed under a running handler (its handler reads the vCPU).
 */
#include <pthread.h>
#include <sched.h>

#include "../../kvm/kvm_internal.h"
#include "kvm_fixture.h"

#define RAISES 2000
#define ROUNDS 3000

static atomic_long handled;

static void vcpu_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	(void)ctx;
	/* Reads the vCPU: a use after free if apv_vcpu_free did not wait for us. */
	if (apv_vcpu_vm(vcpu) && int_word == 0xB0000000u)
		atomic_fetch_add(&handled, 1);
}

struct shared {
	struct fx *f;
	atomic_bool stop;
};

static void *raiser(void *arg)
{
	struct shared *s = arg;
	struct apv_hw_irq irq = {.apqn = 0x0102, .isc = APV_GAL_ISC, .gisa_valid = true, .gisc = 6};

	irq.gisa = apv_vm_gisa(s->f->vm);
	for (int i = 0; i < RAISES || !atomic_load(&s->stop); i++) {
		kvm_gisa_irq(s->f->kvm, &irq);
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

TEST(irq_mt_delivery_races_sie_entry_cr6_and_vcpu_free)
{
	struct fx f;
	struct shared s;
	pthread_t t;
	uint64_t delivered = 0;
	char err[256];

	fx_init(&f);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	atomic_init(&s.stop, false);
	REQUIRE(apv_vm_gisc_register(f.vm, 6) == APV_GAL_ISC);
	apv_vcpu_set_irq_handler(f.v, vcpu_irq, NULL);
	f.psw->io_enabled = true;
	REQUIRE(pthread_create(&t, NULL, raiser, &s) == 0);

	for (int i = 0; i < ROUNDS; i++) {
		/* Ids stay below KVM_MAX_VCPUS (255); the previous round's is free again. */
		struct apv_vcpu *extra = apv_vcpu_new(f.vm, 100 + (unsigned)i % 100);

		REQUIRE(extra);
		apv_vcpu_set_irq_handler(extra, vcpu_irq, NULL);
		apv_vcpu_psw(extra)->io_enabled = true;
		apv_vcpu_set_cr6(extra, 0x02);
		/* Every third round nobody takes it directly: the alert list is used. */
		apv_vcpu_set_running(extra, i % 3 != 0);
		sched_yield();

		apv_vcpu_set_running(f.v, (i & 1) != 0);
		apv_vcpu_set_cr6(f.v, (i & 2) ? 0x02 : 0x00);
		apv_vcpu_deliver_pending(f.v);
		/* Out of SIE first: nothing new can pick it, so its count is final. */
		apv_vcpu_set_running(extra, false);
		delivered += apv_vcpu_interrupts(extra);
		apv_vcpu_free(extra);
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);

	/* The last word: a vCPU enters SIE with the ISC enabled and takes what is left. */
	apv_vcpu_set_cr6(f.v, 0x02);
	apv_vcpu_set_running(f.v, true);
	delivered += apv_vcpu_interrupts(f.v);
	CHECK_EQ(apv_vm_gisa_ipm(f.vm), 0);
	CHECK(!apv_vm_gisa_alerted(f.vm));
	CHECK_EQ(apv_vm_gisa_iam(f.vm), 0x02);
	CHECK(delivered >= 1);
	CHECK_EQ((uint64_t)atomic_load(&handled), delivered);
	CHECK_EQ(apv_kvm_check(f.kvm, err, sizeof(err)), 0);
	fprintf(stderr, "  %llu interrupts delivered, %llu GAL interruptions\n",
		(unsigned long long)delivered, (unsigned long long)apv_kvm_gal_interrupts(f.kvm));
	apv_vcpu_set_running(f.v, false);
	CHECK_EQ(apv_vm_gisc_unregister(f.vm, 6), 0);
	fx_fini(&f);
}

TEST_MAIN
