/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest over KVM + vfio_ap for the guest tests: a host with CEX8A
 * adapters 01, 05 and 0a and domains 4 and 6, all released to vfio_ap; a
 * VM with 1 MiB at 0, APIE on, one vCPU; an mdev with adapters 01 and 05,
 * domains 4 and 6, attached. kfix_fini() frees the guest, detaches and
 * checks that pins, ISC registrations, hooks and mdev VM references
 * balance to zero.
 */
#ifndef APV_TEST_GUEST_KVM_FIXTURE_H
#define APV_TEST_GUEST_KVM_FIXTURE_H

#include <errno.h>

#include "apvirt/kvm.h"
#include "apvirt/vfio_ap.h"
#include "guest_fixture.h"
#include "testlib.h"

#define GUEST_MEM (1024u * 1024u)
#define DRV_GPA UINT64_C(0x10000)
#define UUID "0b1d2c3e-4f50-6172-8394-a5b6c7d8e9f0"

struct kfix {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
	struct apv_vm *vm;
	struct apv_vcpu *v;
	struct apv_mdev *mdev;
	struct apv_guest *g;
	struct apv_guest_platform p;
};

/* Host: CEX8A adapters 01, 05, 0a with domains 4 and 6, all given to vfio_ap.
 * The mdev gets adapters 01 and 05, domains 4 and 6. */
static inline void kfix_init(struct kfix *f, const struct apv_vm_config *vmc, bool apie, bool real)
{
	static const unsigned apids[] = {0x01, 0x05, 0x0a}, apqis[] = {4, 6};
	struct apv_hw_config hc;
	struct apv_kvm_config kc;
	struct apv_vm_config dflt;

	memset(f, 0, sizeof(*f));
	apv_hw_config_default(&hc);
	hc.workers = 2;
	REQUIRE(test_host_new(&f->clk, &f->hw, real, &hc, NULL, apids, 3, apqis, 2));
	apv_kvm_config_default(&kc);
	f->kvm = apv_kvm_new(f->hw, &kc);
	REQUIRE(f->kvm);
	f->m = apv_matrix_new(f->kvm);
	REQUIRE(f->m);
	REQUIRE(test_release_to_vfio(f->m, apids, 3) == 0);
	if (!vmc) {
		apv_vm_config_default(&dflt);
		vmc = &dflt;
	}
	f->vm = apv_vm_new(f->kvm, vmc);
	REQUIRE(f->vm);
	REQUIRE(apv_vm_add_memslot(f->vm, 0, GUEST_MEM, NULL) == 0);
	if (apie)
		REQUIRE(apv_vm_set_apie(f->vm, true) == 0);
	f->v = apv_vcpu_new(f->vm, 0);
	REQUIRE(f->v);
	REQUIRE(apv_mdev_create(f->m, UUID, &f->mdev) == 0);
	REQUIRE(apv_mdev_assign_adapter(f->mdev, 0x01) == 0);
	REQUIRE(apv_mdev_assign_adapter(f->mdev, 0x05) == 0);
	REQUIRE(apv_mdev_assign_domain(f->mdev, 4) == 0);
	REQUIRE(apv_mdev_assign_domain(f->mdev, 6) == 0);
	REQUIRE(apv_mdev_attach(f->mdev, f->vm) == 0);
}

static inline int kfix_guest(struct kfix *f, const struct apv_guest_config *gc)
{
	int rc = apv_guest_platform_kvm(f->v, DRV_GPA, 0x8000, &f->p);

	return rc ? rc : gfix_start(&f->p, gc, &f->g);
}

static inline void check_invariants(struct kfix *f)
{
	char e[256] = "";

	CHECK_EQ(apv_matrix_check(f->m, e, sizeof(e)), 0);
	CHECK_EQ(apv_kvm_check(f->kvm, e, sizeof(e)), 0);
	if (e[0])
		fprintf(stderr, "  check: %s\n", e);
}

/* vm_refs counts the creator's reference too: `own` is 1 while the VM exists. */
static inline void check_zero_balance(struct kfix *f, long own)
{
	struct apv_balance b;
	char s[128];

	apv_account_balance(apv_kvm_account(f->kvm), &b);
	CHECK_EQ(b.pins, 0);
	CHECK_EQ(b.isc_regs, 0);
	CHECK_EQ(b.hooks, 0);
	CHECK_EQ(b.hook_calls, 0);
	CHECK_EQ(b.vm_refs, own);
	if (b.pins || b.isc_regs || b.hooks || b.hook_calls || b.vm_refs != own)
		fprintf(stderr, "  balance: %s\n", apv_balance_format(&b, s, sizeof(s)));
}

/* Detach, check the balance, tear everything down. */
static inline void kfix_fini(struct kfix *f)
{
	apv_guest_free(f->g);
	f->g = NULL;
	check_invariants(f);
	apv_mdev_detach(f->mdev);
	check_zero_balance(f, 1);
	check_invariants(f);
	apv_matrix_free(f->m);
	apv_vcpu_free(f->v);
	apv_vm_put(f->vm);
	check_zero_balance(f, 0);
	apv_kvm_free(f->kvm);
	apv_hw_free(f->hw);
	apv_clock_free(f->clk);
}

#endif
