/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lock order guests_lock -> VM lock -> mdevs_lock, with the PQAP hook
 * rw lock never taken under any of them: debug builds abort with both
 * lock names on a violation. Each violation runs in a child process.
 */

#include "common/child.h"
#include "kvm_fixture.h"
#include "kvm_hook.h"

#ifdef APV_DEBUG_LOCKS

static void vm_then_mdevs_then_guests(void *arg)
{
	struct apv_mutex g, m;

	(void)arg;
	apv_mutex_init(&g, APV_LOCK_GUESTS);
	apv_mutex_init(&m, APV_LOCK_MDEVS);
	apv_mutex_lock(&m);
	apv_mutex_lock(&g);
}

TEST(lockorder_guests_after_mdevs_aborts_naming_both)
{
	char msg[512];

	CHECK(child_aborts(vm_then_mdevs_then_guests, NULL, msg, sizeof(msg)));
	CHECK(strstr(msg, "guests_lock") != NULL);
	CHECK(strstr(msg, "mdevs_lock") != NULL);
}

static void two_vm_locks(void *arg)
{
	struct fx *f = arg;
	struct apv_vm *vm2 = apv_vm_new(f->kvm, NULL);

	apv_vm_lock(f->vm);
	apv_vm_lock(vm2);
}

TEST(lockorder_vm_lock_under_vm_lock_aborts)
{
	struct fx f;
	char msg[512];

	fx_init(&f);
	CHECK(child_aborts(two_vm_locks, &f, msg, sizeof(msg)));
	CHECK(strstr(msg, "vm_lock while holding vm_lock") != NULL);
	fx_fini(&f);
}

static void publish_hook_under_vm_lock(void *arg)
{
	struct fx *f = arg;
	static struct test_hook h;

	test_hook_init(&h, 0, 0);
	apv_vm_lock(f->vm);
	apv_vm_set_pqap_hook(f->vm, &h.hook);
}

TEST(lockorder_hook_published_under_vm_lock_aborts)
{
	struct fx f;
	char msg[512];

	fx_init(&f);
	CHECK(child_aborts(publish_hook_under_vm_lock, &f, msg, sizeof(msg)));
	CHECK(strstr(msg, "pqap_hook_lock") != NULL);
	CHECK(strstr(msg, "vm_lock") != NULL);
	fx_fini(&f);
}

static void intercept_under_mdevs_lock(void *arg)
{
	struct fx *f = arg;
	struct apv_mutex m;

	apv_mutex_init(&m, APV_LOCK_MDEVS);
	apv_mutex_lock(&m);
	fx_aqic(f, 0x0102, 0x1000);
}

TEST(lockorder_intercept_under_mdevs_lock_aborts)
{
	struct fx f;
	char msg[512];

	fx_init(&f);
	CHECK(child_aborts(intercept_under_mdevs_lock, &f, msg, sizeof(msg)));
	CHECK(strstr(msg, "pqap_hook_lock while holding mdevs_lock") != NULL);
	fx_fini(&f);
}

/* A hook that takes the VM lock: what invariant 8 forbids the handler. */
static struct apv_vm *hook_vm;
static int hook_taking_vm_lock(struct apv_pqap_hook *self, struct apv_vcpu *v)
{
	(void)self;
	(void)v;
	apv_vm_lock(hook_vm);
	apv_vm_unlock(hook_vm);
	return 0;
}

static void intercept_hook_takes_vm_lock(void *arg)
{
	struct fx *f = arg;
	static struct apv_pqap_hook h = {hook_taking_vm_lock};

	hook_vm = f->vm;
	apv_vm_set_pqap_hook(f->vm, &h);
	fx_aqic(f, 0x0102, 0x1000);
}

TEST(lockorder_handler_taking_vm_lock_inside_the_hook_aborts)
{
	struct fx f;
	char msg[512];

	fx_init(&f);
	CHECK(child_aborts(intercept_hook_takes_vm_lock, &f, msg, sizeof(msg)));
	CHECK(strstr(msg, "taking vm_lock while holding pqap_hook_lock") != NULL);
	fx_fini(&f);
}

static void guests_lock_inside_the_hook(void *arg)
{
	struct apv_mutex g;

	(void)arg;
	apv_mutex_init(&g, APV_LOCK_GUESTS);
	apv_lockorder_acquire(APV_LOCK_HOOK);
	apv_mutex_lock(&g);
}

TEST(lockorder_guests_lock_inside_the_hook_aborts)
{
	char msg[512];

	CHECK(child_aborts(guests_lock_inside_the_hook, NULL, msg, sizeof(msg)));
	CHECK(strstr(msg, "taking guests_lock while holding pqap_hook_lock") != NULL);
}

static void set_masks_without_vm_lock(void *arg)
{
	struct fx *f = arg;

	apv_vm_clear_masks(f->vm);
}

TEST(lockorder_set_masks_requires_vm_lock)
{
	struct fx f;
	char msg[512];

	fx_init(&f);
	CHECK(child_aborts(set_masks_without_vm_lock, &f, msg, sizeof(msg)));
	CHECK(strstr(msg, "VM lock") != NULL);
	fx_fini(&f);
}

static void release_unheld(void *arg)
{
	(void)arg;
	apv_lockorder_release(APV_LOCK_MDEVS);
}

TEST(lockorder_release_of_unheld_lock_aborts)
{
	char msg[512];

	CHECK(child_aborts(release_unheld, NULL, msg, sizeof(msg)));
	CHECK(strstr(msg, "mdevs_lock") != NULL);
}

/* A hook that takes mdevs_lock, as vfio_ap's does. */
static struct apv_mutex hook_mdevs;
static int hook_taking_mdevs(struct apv_pqap_hook *self, struct apv_vcpu *v)
{
	(void)self;
	CHECK(apv_lockorder_held(APV_LOCK_HOOK));
	apv_mutex_lock(&hook_mdevs);
	CHECK(apv_lockorder_held(APV_LOCK_MDEVS));
	apv_vcpu_regs(v)->gr[1] = 0;
	apv_mutex_unlock(&hook_mdevs);
	return 0;
}

TEST(lockorder_guests_vm_mdevs_in_order_and_hook_then_mdevs_allowed)
{
	struct fx f;
	struct apv_mutex g, m;
	struct apv_pqap_hook h = {hook_taking_mdevs};

	fx_init(&f);
	apv_mutex_init(&g, APV_LOCK_GUESTS);
	apv_mutex_init(&m, APV_LOCK_MDEVS);
	apv_mutex_init(&hook_mdevs, APV_LOCK_MDEVS);
	apv_mutex_lock(&g);
	apv_vm_lock(f.vm);
	apv_mutex_lock(&m);
	CHECK(apv_lockorder_held(APV_LOCK_GUESTS));
	CHECK(apv_lockorder_held(APV_LOCK_VM));
	CHECK(apv_lockorder_held(APV_LOCK_MDEVS));
	apv_mutex_unlock(&m);
	apv_vm_clear_masks(f.vm);
	apv_vm_unlock(f.vm);
	apv_mutex_unlock(&g);
	CHECK(!apv_lockorder_held(APV_LOCK_GUESTS));
	CHECK(!apv_lockorder_held(APV_LOCK_VM));
	/* The intercept: hook read lock, then mdevs_lock inside the hook. */
	apv_vm_set_pqap_hook(f.vm, &h);
	CHECK_DONE(fx_aqic(&f, 0x0102, 0x1000), 0);
	CHECK(!apv_lockorder_held(APV_LOCK_HOOK));
	apv_vm_set_pqap_hook(f.vm, NULL);
	apv_mutex_destroy(&hook_mdevs);
	apv_mutex_destroy(&m);
	apv_mutex_destroy(&g);
	fx_fini(&f);
}

#else

TEST(lockorder_checks_compiled_out_held_reports_true)
{
	CHECK(apv_lockorder_held(APV_LOCK_VM));
	apv_lockorder_acquire(APV_LOCK_MDEVS);
	apv_lockorder_acquire(APV_LOCK_GUESTS);
	apv_lockorder_release(APV_LOCK_GUESTS);
	apv_lockorder_release(APV_LOCK_MDEVS);
}

#endif

TEST_MAIN
