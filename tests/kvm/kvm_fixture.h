/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host with two CEX8A adapters (1 and 5) and usage domains 2 and 6, a
 * KVM on top, one VM with 1 MiB of memory at guest address 0 and one vCPU
 * in supervisor state. Options change the host and the VM before they are
 * created. fx_fini() checks the KVM invariants before tearing down.
 */
#ifndef APV_KVM_FIXTURE_H
#define APV_KVM_FIXTURE_H

#include <errno.h>

#include "apvirt/kvm.h"
#include "common/host.h"
#include "testlib.h"

#define FX_MEM (1024u * 1024u)
#define FX_AP1 1
#define FX_AP2 5
#define FX_DOM1 2
#define FX_DOM2 6

struct fx_opts {
	struct apv_hw_config hw;
	struct apv_kvm_config kvm;
	struct apv_vm_config vm;
	bool apie;     /* enable APIE on the VM */
	bool no_masks; /* leave the APCB empty */
};

struct fx {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_vm *vm;
	struct apv_vcpu *v;
	struct apv_regs *r;
	struct apv_psw *psw;
};

static inline void fx_opts_default(struct fx_opts *o)
{
	memset(o, 0, sizeof(*o));
	apv_hw_config_default(&o->hw);
	apv_kvm_config_default(&o->kvm);
	apv_vm_config_default(&o->vm);
	o->vm.name = "guest";
	o->apie = true;
}

/* Guest APCB: adapters 1 and 5, domains 2 and 6, control domain 2. */
static inline void fx_masks(struct apv_mask *apm, struct apv_mask *aqm, struct apv_mask *adm)
{
	memset(apm, 0, sizeof(*apm));
	memset(aqm, 0, sizeof(*aqm));
	memset(adm, 0, sizeof(*adm));
	apv_mask_set(apm, FX_AP1);
	apv_mask_set(apm, FX_AP2);
	apv_mask_set(aqm, FX_DOM1);
	apv_mask_set(aqm, FX_DOM2);
	apv_mask_set(adm, FX_DOM1);
}

static inline void fx_set_masks(struct fx *f, const struct apv_mask *apm,
				const struct apv_mask *aqm, const struct apv_mask *adm)
{
	apv_vm_lock(f->vm);
	apv_vm_set_masks(f->vm, apm, aqm, adm);
	apv_vm_unlock(f->vm);
}

static inline void fx_init_opts(struct fx *f, const struct fx_opts *o)
{
	static const unsigned apids[] = {FX_AP1, FX_AP2}, apqis[] = {FX_DOM1, FX_DOM2};

	memset(f, 0, sizeof(*f));
	REQUIRE(test_host_new(&f->clk, &f->hw, false, &o->hw, NULL, apids, 2, apqis, 2));
	f->kvm = apv_kvm_new(f->hw, &o->kvm);
	REQUIRE(f->kvm);
	f->vm = apv_vm_new(f->kvm, &o->vm);
	REQUIRE(f->vm);
	REQUIRE(apv_vm_add_memslot(f->vm, 0, FX_MEM, NULL) == 0);
	if (o->apie)
		REQUIRE(apv_vm_set_apie(f->vm, true) == 0);
	if (!o->no_masks) {
		struct apv_mask apm, aqm, adm;

		fx_masks(&apm, &aqm, &adm);
		fx_set_masks(f, &apm, &aqm, &adm);
	}
	f->v = apv_vcpu_new(f->vm, 0);
	REQUIRE(f->v);
	f->r = apv_vcpu_regs(f->v);
	f->psw = apv_vcpu_psw(f->v);
}

static inline void fx_init(struct fx *f)
{
	struct fx_opts o;

	fx_opts_default(&o);
	fx_init_opts(f, &o);
}

/* Invariants hold, then everything is released and the account is zero. */
static inline void fx_fini(struct fx *f)
{
	char err[256];
	struct apv_balance b;

	CHECK_EQ(apv_kvm_check(f->kvm, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  kvm check: %s\n", err);
	apv_vcpu_free(f->v);
	apv_vm_put(f->vm);
	apv_account_balance(apv_kvm_account(f->kvm), &b);
	CHECK(apv_balance_zero(&b));
	CHECK_EQ(apv_kvm_check(f->kvm, err, sizeof(err)), 0);
	apv_kvm_free(f->kvm);
	apv_hw_free(f->hw);
	apv_clock_free(f->clk);
}

/* PQAP with the given GR0; GR1/GR2 as given. */
static inline struct apv_result fx_pqap(struct fx *f, uint64_t gr0, uint64_t gr1, uint64_t gr2)
{
	f->r->gr[0] = gr0;
	f->r->gr[1] = gr1;
	f->r->gr[2] = gr2;
	return apv_vcpu_execute(f->v, APV_OP_PQAP, 0, 0);
}

/* An AQIC enable as a Linux guest issues it: IR = 1, ISC 6, NIB in GR2. */
static inline struct apv_result fx_aqic(struct fx *f, apv_apqn_t apqn, uint64_t nib)
{
	struct apv_aqic_ctrl c = {.ir = true, .isc = APV_AP_ISC};

	return fx_pqap(f, apv_gr0_pqap(APV_FC_AQIC, apqn, false, false), apv_aqic_ctrl_encode(c),
		       nib);
}

#define CHECK_EXIT(res) CHECK_EQ((res).kind, APV_RES_EXIT)
#define CHECK_PGM(res, code)                                                                       \
	do {                                                                                       \
		struct apv_result r_ = (res);                                                      \
		CHECK_EQ(r_.kind, APV_RES_PGM);                                                    \
		CHECK_EQ(r_.pgm, (code));                                                          \
	} while (0)
#define CHECK_DONE(res, c)                                                                         \
	do {                                                                                       \
		struct apv_result r_ = (res);                                                      \
		CHECK_EQ(r_.kind, APV_RES_DONE);                                                   \
		CHECK_EQ(r_.cc, (c));                                                              \
	} while (0)

#endif
