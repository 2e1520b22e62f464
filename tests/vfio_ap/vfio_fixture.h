/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host with three CEX8A adapters (01, 05, 0a), usage domains 4 and 6 and
 * control domain 0b, on the virtual clock; KVM; the matrix device with the
 * three adapters released from the host drivers (apmask bits cleared); one
 * VM with 1 MiB of memory at 0, APIE on, one vCPU; one mdev.
 *
 * fx_fini() runs both invariant checkers, removes everything and asserts
 * that the account balances (pins, ISC registrations, VM references, hooks)
 * are zero: every test that uses the fixture checks resource balance.
 */
#ifndef APV_VFIO_FIXTURE_H
#define APV_VFIO_FIXTURE_H

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apvirt/vfio_ap.h"
#include "common/host.h"
#include "testlib.h"

#define FX_A1 0x01u
#define FX_A2 0x05u
#define FX_A3 0x0au
#define FX_D1 0x04u
#define FX_D2 0x06u
#define FX_CD 0x0bu
#define FX_MEM (1024u * 1024u)
#define FX_NIB UINT64_C(0x2000)
#define FX_NIB2 UINT64_C(0x5008)
#define FX_UUID1 "11111111-2222-3333-4444-555555555555"
#define FX_UUID2 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

struct fx_opts {
	struct apv_hw_config hw;
	struct apv_kvm_config kvm;
	struct apv_vm_config vm;
	bool keep_host;	 /* leave every queue with the host drivers */
	bool real_clock; /* CLOCK_MONOTONIC and a timer thread instead of virtual time */
};

struct fx {
	struct apv_clock *clk;
	struct apv_hw *hw;
	struct apv_kvm *kvm;
	struct apv_matrix *m;
	struct apv_vm *vm;
	struct apv_vcpu *v;
	struct apv_regs *r;
	struct apv_mdev *mdev;
};

static inline void fx_opts_default(struct fx_opts *o)
{
	memset(o, 0, sizeof(*o));
	apv_hw_config_default(&o->hw);
	apv_kvm_config_default(&o->kvm);
	apv_vm_config_default(&o->vm);
	o->vm.name = "guest";
}

static inline struct apv_mask fx_mask(unsigned a, unsigned b, unsigned c)
{
	struct apv_mask x;

	memset(&x, 0, sizeof(x));
	if (a < 256)
		apv_mask_set(&x, a);
	if (b < 256)
		apv_mask_set(&x, b);
	if (c < 256)
		apv_mask_set(&x, c);
	return x;
}

#define FX_NONE 256u

static const unsigned fx_apids[] = {FX_A1, FX_A2, FX_A3};

/* apmask with the fixture's adapters cleared: their queues go to vfio_ap. */
static inline void fx_release(struct fx *f)
{
	REQUIRE(test_release_to_vfio(f->m, fx_apids, 3) == 0);
}

static inline void fx_init_opts(struct fx *f, const struct fx_opts *o)
{
	static const unsigned apqis[] = {FX_D1, FX_D2};

	memset(f, 0, sizeof(*f));
	REQUIRE(test_host_new(&f->clk, &f->hw, o->real_clock, &o->hw, NULL, fx_apids, 3, apqis, 2));
	REQUIRE(apv_hw_add_control_domain(f->hw, FX_CD) == 0);
	f->kvm = apv_kvm_new(f->hw, &o->kvm);
	REQUIRE(f->kvm);
	f->m = apv_matrix_new(f->kvm);
	REQUIRE(f->m);
	if (!o->keep_host)
		fx_release(f);
	f->vm = apv_vm_new(f->kvm, &o->vm);
	REQUIRE(f->vm);
	REQUIRE(apv_vm_add_memslot(f->vm, 0, FX_MEM, NULL) == 0);
	REQUIRE(apv_vm_set_apie(f->vm, true) == 0);
	f->v = apv_vcpu_new(f->vm, 0);
	REQUIRE(f->v);
	f->r = apv_vcpu_regs(f->v);
	REQUIRE(apv_mdev_create(f->m, FX_UUID1, &f->mdev) == 0);
}

static inline void fx_init(struct fx *f)
{
	struct fx_opts o;

	fx_opts_default(&o);
	fx_init_opts(f, &o);
}

/* Adapters 01 and 05, domains 4 and 6, control domain 0b. */
static inline void fx_assign(struct fx *f, struct apv_mdev *d)
{
	REQUIRE(apv_mdev_assign_adapter(d, FX_A1) == 0);
	REQUIRE(apv_mdev_assign_adapter(d, FX_A2) == 0);
	REQUIRE(apv_mdev_assign_domain(d, FX_D1) == 0);
	REQUIRE(apv_mdev_assign_domain(d, FX_D2) == 0);
	REQUIRE(apv_mdev_assign_control_domain(d, FX_CD) == 0);
	(void)f;
}

static inline void fx_attach(struct fx *f)
{
	REQUIRE(apv_mdev_attach(f->mdev, f->vm) == 0);
}

/* The usual start: the fixture with its mdev assigned (fx_assign) and attached to the VM. */
static inline void fx_init_attached(struct fx *f)
{
	fx_init(f);
	fx_assign(f, f->mdev);
	fx_attach(f);
}

static inline void fx_balance(struct fx *f, struct apv_balance *b)
{
	apv_account_balance(apv_kvm_account(f->kvm), b);
}

/* Both invariant checkers agree with the account. */
#define FX_CHECK(f)                                                                                \
	do {                                                                                       \
		char e_[256] = "";                                                                 \
		int rc_ = apv_matrix_check((f)->m, e_, sizeof(e_));                                \
		CHECK_EQ(rc_, 0);                                                                  \
		if (rc_)                                                                           \
			fprintf(stderr, "  matrix check: %s\n", e_);                               \
		rc_ = apv_kvm_check((f)->kvm, e_, sizeof(e_));                                     \
		CHECK_EQ(rc_, 0);                                                                  \
		if (rc_)                                                                           \
			fprintf(stderr, "  kvm check: %s\n", e_);                                  \
	} while (0)

#define FX_BALANCE(f, p, i, v)                                                                     \
	do {                                                                                       \
		struct apv_balance b_;                                                             \
		fx_balance((f), &b_);                                                              \
		CHECK_EQ(b_.pins, (p));                                                            \
		CHECK_EQ(b_.isc_regs, (i));                                                        \
		CHECK_EQ(b_.vm_refs, (v));                                                         \
	} while (0)

static inline void fx_fini(struct fx *f)
{
	struct apv_balance b;

	FX_CHECK(f);
	apv_matrix_free(f->m);
	apv_vcpu_free(f->v);
	apv_vm_put(f->vm);
	fx_balance(f, &b);
	CHECK(apv_balance_zero(&b));
	if (!apv_balance_zero(&b)) {
		char s[128];

		fprintf(stderr, "  balance: %s\n", apv_balance_format(&b, s, sizeof(s)));
	}
	CHECK_EQ(apv_kvm_check(f->kvm, NULL, 0), 0);
	apv_kvm_free(f->kvm);
	apv_hw_free(f->hw);
	apv_clock_free(f->clk);
}

/* One PQAP(AQIC) through the instruction boundary. */
static inline struct apv_result fx_pqap(struct fx *f, apv_apqn_t apqn, uint64_t gr1, uint64_t nib)
{
	f->r->gr[0] = apv_gr0_pqap(APV_FC_AQIC, apqn, false, false);
	f->r->gr[1] = gr1;
	f->r->gr[2] = nib;
	return apv_vcpu_execute(f->v, APV_OP_PQAP, 0, 0);
}

static inline struct apv_result fx_enable(struct fx *f, apv_apqn_t apqn, uint64_t nib, unsigned isc)
{
	struct apv_aqic_ctrl c = {.ir = true, .isc = (uint8_t)isc};

	return fx_pqap(f, apqn, apv_aqic_ctrl_encode(c), nib);
}

static inline struct apv_result fx_disable(struct fx *f, apv_apqn_t apqn)
{
	return fx_pqap(f, apqn, 0, 0);
}

/* The RC the guest sees, after checking the APQSW sits in GR1 bits 32-63 only. */
static inline int fx_rc(struct fx *f)
{
	CHECK_U64(f->r->gr[1] >> 32, 0);
	return apv_apqsw_get_rc(apv_apqsw_from_gr1(f->r->gr[1]));
}

#define CHECK_AQIC(f, res, rc)                                                                     \
	do {                                                                                       \
		struct apv_result r_ = (res);                                                      \
		CHECK_EQ(r_.kind, APV_RES_DONE);                                                   \
		CHECK_EQ(r_.cc, (rc) ? 3 : 0);                                                     \
		CHECK_EQ(fx_rc(f), (rc));                                                          \
	} while (0)

/* Let the hardware's delayed effects (I bit, reset completion) happen. */
static inline void fx_settle(struct fx *f)
{
	apv_clock_sleep(f->clk, 5 * APV_NSEC_PER_MSEC);
}

static inline uint64_t fx_resets(struct fx *f)
{
	struct apv_matrix_stats s;

	apv_matrix_stats(f->m, &s);
	return s.resets;
}

static inline bool fx_hw_irq(struct fx *f, apv_apqn_t apqn)
{
	struct apv_hw_queue_stats s;

	if (apv_hw_queue_stats(f->hw, apqn, &s))
		return false;
	return s.irq_enabled;
}

static inline struct apv_mdev_queue_info fx_qinfo(struct fx *f, struct apv_mdev *d, apv_apqn_t q)
{
	struct apv_mdev_queue_info i;

	apv_mdev_queue_info(d, q, &i);
	return i;
}

/* Value of an eventfd counter (0 if nothing was signalled); resets it. */
static inline uint64_t fx_eventfd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

static inline bool fx_mask_is(const struct apv_mask *m, unsigned a, unsigned b, unsigned c)
{
	struct apv_mask x = fx_mask(a, b, c);

	return apv_mask_equal(m, &x);
}

#endif
