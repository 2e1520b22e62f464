/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The same guest driver over KVM + vfio_ap: instructions interpreted
 * against the guest's APCB, AQIC intercepted and handled by vfio_ap's hook
 * (NIB pinned, GISC registered), replies signalled through the GISA. The
 * account must balance to zero once the mdev is detached.
 */
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
static void kfix_init(struct kfix *f, const struct apv_vm_config *vmc, bool apie)
{
	struct apv_adapter_config ac;
	struct apv_kvm_config kc;
	struct apv_vm_config dflt;
	struct apv_mask apm, aqm;

	memset(f, 0, sizeof(*f));
	f->clk = apv_clock_new_virtual();
	REQUIRE(f->clk);
	f->hw = apv_hw_new(NULL, f->clk);
	REQUIRE(f->hw);
	apv_adapter_config_default(&ac);
	REQUIRE(apv_hw_add_adapter(f->hw, 0x01, &ac) == 0);
	REQUIRE(apv_hw_add_adapter(f->hw, 0x05, &ac) == 0);
	REQUIRE(apv_hw_add_adapter(f->hw, 0x0a, &ac) == 0);
	REQUIRE(apv_hw_add_domain(f->hw, 4) == 0);
	REQUIRE(apv_hw_add_domain(f->hw, 6) == 0);
	apv_kvm_config_default(&kc);
	f->kvm = apv_kvm_new(f->hw, &kc);
	REQUIRE(f->kvm);
	f->m = apv_matrix_new(f->kvm);
	REQUIRE(f->m);
	memset(&apm, 0xFF, sizeof(apm));
	memset(&aqm, 0xFF, sizeof(aqm));
	apv_mask_clear(&apm, 0x01);
	apv_mask_clear(&apm, 0x05);
	apv_mask_clear(&apm, 0x0a);
	REQUIRE(apv_bus_set_masks(f->m, &apm, &aqm, NULL, 0) == 0);
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

static int kfix_guest(struct kfix *f, const struct apv_guest_config *gc)
{
	int rc = apv_guest_platform_kvm(f->v, DRV_GPA, 0x8000, &f->p);

	if (rc)
		return rc;
	rc = apv_guest_new(&f->p, gc, &f->g);
	if (rc)
		return rc;
	return apv_guest_probe(f->g);
}

static void check_invariants(struct kfix *f)
{
	char e[256] = "";

	CHECK_EQ(apv_matrix_check(f->m, e, sizeof(e)), 0);
	CHECK_EQ(apv_kvm_check(f->kvm, e, sizeof(e)), 0);
	if (e[0])
		fprintf(stderr, "  check: %s\n", e);
}

/* vm_refs counts the creator's reference too: `own` is 1 while the VM exists. */
static void check_zero_balance(struct kfix *f, long own)
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
static void kfix_fini(struct kfix *f)
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

static void rsa_round(struct kfix *f, int bits, unsigned seed)
{
	const struct gkey *k = gkey_get(bits);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_ica_rsa_modexpo_crt c;

	REQUIRE(k);
	gmsg(msg, k->L, seed);
	m = gme(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f->g, &m), 0);
	REQUIRE(gref_modexp(msg, k->e, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
	c = gcrt(k, msg, out);
	CHECK_EQ(apv_guest_rsa_crt(f->g, &c), 0);
	REQUIRE(gref_modexp(msg, k->d, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
}

TEST(kvm_guest_sees_the_mdev_matrix_and_gets_interrupts_through_the_gisa)
{
	struct kfix f;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;
	struct apv_mdev_queue_info mq;
	struct apv_vcpu_stats vs;
	struct apv_guest_stats st;
	static const apv_apqn_t want[] = {0x0104, 0x0106, 0x0504, 0x0506};

	kfix_init(&f, NULL, true);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	apv_guest_info(f.g, &gi);
	CHECK(gi.qci_used);
	CHECK(gi.irq);
	CHECK_EQ(gi.queues, 4);
	CHECK_EQ(gi.online, 4);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.apqn, want[i]);
		CHECK(qi.irq);
		CHECK_STR(qi.type, "CEX8A");
		/* vfio_ap pinned the guest's NIB and registered GISC 6. */
		REQUIRE(apv_mdev_queue_info(f.mdev, qi.apqn, &mq) == 0);
		CHECK_U64(mq.saved_nib, gi.nib);
		CHECK_EQ(mq.saved_isc, APV_AP_ISC);
	}
	CHECK_EQ(apv_guest_queue_find(f.g, 0x0a04, &qi), -ENOENT);
	CHECK_EQ(apv_vm_gisc_refcount(f.vm, APV_AP_ISC), 4);
	CHECK_EQ(apv_vcpu_cr6(f.v) & (0x80 >> APV_AP_ISC), 0x80 >> APV_AP_ISC);

	rsa_round(&f, 1024, 1);
	rsa_round(&f, 2048, 2);
	apv_vcpu_stats(f.v, &vs);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(vs.pqap_intercepts, 4); /* one AQIC per queue; the rest is interpreted */
	CHECK_EQ(vs.pgm, 0);
	CHECK(vs.interrupts >= 4);
	CHECK_EQ(st.interrupts, vs.interrupts);
	CHECK_EQ(st.replies, 4);
	check_invariants(&f);
	kfix_fini(&f);
}

TEST(kvm_guest_removal_zaps_and_detach_leaves_zero_balance)
{
	struct kfix f;
	struct apv_guest_queue_info qi;
	struct apv_balance b;

	kfix_init(&f, NULL, true);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	rsa_round(&f, 1024, 3);
	apv_account_balance(apv_kvm_account(f.kvm), &b);
	/* vfio_ap pins the NIB page and registers the GISC once per queue. */
	CHECK_EQ(b.pins, 4);
	CHECK_EQ(b.isc_regs, 4);
	CHECK_EQ(b.vm_refs, 2); /* ours and the mdev's */
	CHECK_EQ(apv_guest_remove(f.g), 0);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.state, APV_GQ_REMOVED);
		CHECK(!qi.irq);
	}
	check_invariants(&f);
	kfix_fini(&f);
}

TEST(kvm_guest_without_facility_65_polls_and_never_intercepts)
{
	struct kfix f;
	struct apv_vm_config vc;
	struct apv_guest_info gi;
	struct apv_vcpu_stats vs;
	struct apv_guest_stats st;

	apv_vm_config_default(&vc);
	apv_fac_clear(&vc.fac, APV_FAC_AQIC);
	kfix_init(&f, &vc, true);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	apv_guest_info(f.g, &gi);
	CHECK(!gi.aqic);
	CHECK(!gi.irq);
	CHECK_EQ(gi.online, 4);
	rsa_round(&f, 1024, 4);
	apv_vcpu_stats(f.v, &vs);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(vs.pqap_intercepts, 0);
	CHECK_EQ(vs.interrupts, 0);
	CHECK_EQ(st.interrupts, 0);
	CHECK(st.polls >= 2);
	kfix_fini(&f);
}

TEST(kvm_guest_with_apie_off_finds_no_ap_instructions)
{
	struct kfix f;
	struct apv_guest_info gi;

	kfix_init(&f, NULL, false);
	CHECK_EQ(kfix_guest(&f, NULL), -ENODEV);
	apv_guest_info(f.g, &gi);
	CHECK(!gi.ap_instructions);
	kfix_fini(&f);
}

TEST(detach_under_a_running_guest_takes_its_queues_and_balances_zero)
{
	struct kfix f;
	const struct gkey *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_info gi;

	REQUIRE(k);
	kfix_init(&f, NULL, true);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	apv_mdev_detach(f.mdev);
	check_zero_balance(&f, 1);
	/* The guest's APCB is empty now: its queues answer RC01 and go offline. */
	gmsg(msg, k->L, 5);
	m = gme(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -ENODEV);
	apv_guest_info(f.g, &gi);
	CHECK_EQ(gi.online, 0);
	kfix_fini(&f);
}

TEST_MAIN
