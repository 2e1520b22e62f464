/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The same guest driver over KVM + vfio_ap: instructions interpreted
 * against the guest's APCB, AQIC intercepted and handled by vfio_ap's hook
 * (NIB pinned, GISC registered), replies signalled through the GISA. The
 * account must balance to zero once the mdev is detached.
 */
#include <errno.h>

#include "guest_kvm_fixture.h"

static void rsa_round(struct kfix *f, int bits, unsigned seed)
{
	const struct rsa_ica_key *k = gkey_get(bits);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_ica_rsa_modexpo_crt c;

	REQUIRE(k);
	rsa_test_msg(msg, k->L, seed);
	m = rsa_ica_me(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f->g, &m), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
	c = rsa_ica_crt(k, msg, out);
	CHECK_EQ(apv_guest_rsa_crt(f->g, &c), 0);
	REQUIRE(rsa_ref_modexp(msg, k->d, k->n, k->L, ref));
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

	kfix_init(&f, NULL, true, false);
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

	kfix_init(&f, NULL, true, false);
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
	kfix_init(&f, &vc, true, false);
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

	kfix_init(&f, NULL, false, false);
	CHECK_EQ(kfix_guest(&f, NULL), -ENODEV);
	apv_guest_info(f.g, &gi);
	CHECK(!gi.ap_instructions);
	kfix_fini(&f);
}

TEST(detach_under_a_running_guest_takes_its_queues_and_balances_zero)
{
	struct kfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_info gi;

	REQUIRE(k);
	kfix_init(&f, NULL, true, false);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	apv_mdev_detach(f.mdev);
	check_zero_balance(&f, 1);
	/* The guest's APCB is empty now: its queues answer RC01 and go offline. */
	rsa_test_msg(msg, k->L, 5);
	m = rsa_ica_me(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -ENODEV);
	apv_guest_info(f.g, &gi);
	CHECK_EQ(gi.online, 0);
	kfix_fini(&f);
}

TEST_MAIN
