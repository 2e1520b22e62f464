/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turning a running VM into a protected one (KVM_PV_ENABLE): pages become
 * secure unless shared, a page pinned at that moment stays reachable by
 * the adapter until its last unpin, a second enable is -EINVAL, and an
 * AQIC intercept in flight is finished before the conversion happens
 * (threads; also run under TSan).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kvm_fixture.h"
#include "kvm_hook.h"

TEST(enable_makes_pages_secure_unless_shared_and_only_once)
{
	struct fx f;

	fx_init(&f);
	CHECK(!apv_vm_is_protected(f.vm));
	CHECK(apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, 0x1000, true), -EINVAL); /* not protected yet */
	CHECK_EQ(apv_vm_pv_enable(f.vm), 0);
	CHECK(apv_vm_is_protected(f.vm));
	CHECK(!apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK_EQ(apv_vm_pv_set_shared(f.vm, 0x1000, true), 0);
	CHECK(apv_vm_pv_is_shared(f.vm, 0x1000));
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 0);
	CHECK_EQ(apv_vm_pv_enable(f.vm), -EINVAL);
	CHECK_EQ(apv_vm_pv_enable(NULL), -EINVAL);
	fx_fini(&f);
}

TEST(a_page_pinned_at_the_conversion_stays_reachable_until_its_last_unpin)
{
	struct fx f;
	uint64_t h1, h2;
	uint8_t one = 1;
	const struct apv_storage *host;

	fx_init(&f);
	host = apv_kvm_host_storage(f.kvm);
	REQUIRE(apv_vm_pin(f.vm, 0x1000, &h1) == 0);
	REQUIRE(apv_vm_pin(f.vm, 0x1000, &h1) == 0); /* two pins on one page */
	REQUIRE(apv_vm_pin(f.vm, 0x2000, &h2) == 0);
	CHECK_EQ(apv_vm_pv_enable(f.vm), 0);
	/* The Ultravisor could not secure them: the adapter can still store the NIB. */
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 2);
	CHECK_EQ(apv_storage_write(host, h1, &one, 1), 0);
	CHECK(!apv_vm_pv_is_shared(f.vm, 0x1000)); /* ... though the guest never shared it */
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 2); /* one pin left */
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 1);
	/* Unpinned, the page is an ordinary secure page: pinned again, the host cannot write it. */
	REQUIRE(apv_vm_pin(f.vm, 0x1000, &h1) == 0);
	CHECK_EQ(apv_storage_write(host, h1, &one, 1), -EFAULT);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x1000), 0);
	CHECK_EQ(apv_vm_unpin(f.vm, 0x2000), 0);
	CHECK_EQ(apv_vm_pv_pinned_pages(f.vm), 0);
	fx_fini(&f);
}

/* A hook that stays inside until told to return. */
struct slow_hook {
	struct apv_pqap_hook hook;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool inside, release;
	bool saw_protected; /* what the VM looked like from inside the hook */
	struct apv_vm *vm;
};

static int slow_fn(struct apv_pqap_hook *self, struct apv_vcpu *vcpu)
{
	struct slow_hook *s = (struct slow_hook *)self;

	pthread_mutex_lock(&s->mu);
	s->inside = true;
	pthread_cond_broadcast(&s->cv);
	while (!s->release)
		pthread_cond_wait(&s->cv, &s->mu);
	s->saw_protected = apv_vm_is_protected(s->vm);
	pthread_mutex_unlock(&s->mu);
	apv_vcpu_regs(vcpu)->gr[1] = 0;
	return 0;
}

struct conv {
	struct apv_vm *vm;
	atomic_bool done;
	int rc;
};

static void *convert(void *arg)
{
	struct conv *c = arg;

	c->rc = apv_vm_pv_enable(c->vm);
	atomic_store(&c->done, true);
	return NULL;
}

static void *run_aqic(void *arg)
{
	struct fx *f = arg;

	fx_aqic(f, (FX_AP1 << 8) | FX_DOM1, 0x1000);
	return NULL;
}

TEST(an_aqic_in_flight_is_finished_before_the_conversion)
{
	struct fx f;
	struct slow_hook h = {.hook = {.fn = slow_fn}};
	struct conv c = {.rc = -1};
	pthread_t tv, tc;
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};

	fx_init(&f);
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	h.vm = f.vm;
	c.vm = f.vm;
	atomic_init(&c.done, false);
	apv_vm_set_pqap_hook(f.vm, &h.hook);
	REQUIRE(pthread_create(&tv, NULL, run_aqic, &f) == 0);
	pthread_mutex_lock(&h.mu);
	while (!h.inside)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	REQUIRE(pthread_create(&tc, NULL, convert, &c) == 0);
	/* The conversion must wait for the vCPU to leave the intercept. */
	nanosleep(&pause, NULL);
	CHECK(!atomic_load(&c.done));
	CHECK(!apv_vm_is_protected(f.vm));
	pthread_mutex_lock(&h.mu);
	h.release = true;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(tv, NULL);
	pthread_join(tc, NULL);
	CHECK_EQ(c.rc, 0);
	CHECK(!h.saw_protected); /* the whole AQIC ran before */
	CHECK(apv_vm_is_protected(f.vm));
	apv_vm_set_pqap_hook(f.vm, NULL);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	fx_fini(&f);
}

TEST_MAIN
