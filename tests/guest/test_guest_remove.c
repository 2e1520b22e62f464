/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Removal on bare hardware: ZAPQ on every driven queue (which also ends
 * its interruption registration), outstanding requests fail with -ENODEV,
 * the adapter interruption is disabled, nothing is sent afterwards.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

TEST(remove_zaps_every_driven_queue_and_disables_interrupts)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;
	struct apv_hw_queue_stats hs;
	struct apv_guest_stats st;
	uint64_t nqap;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 1);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_rsa_me(f.g, &m) == 0);
	CHECK_EQ(apv_guest_remove(f.g), 0);

	apv_guest_info(f.g, &gi);
	CHECK(gi.removed);
	CHECK(!gi.irq);
	CHECK_EQ(gi.online, 0);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.state, APV_GQ_REMOVED);
		CHECK_STR(qi.status, "offline");
		CHECK_EQ(qi.stats.resets, 2); /* RAPQ at bring-up, ZAPQ at removal */
		REQUIRE(apv_hw_queue_stats(f.hw, qi.apqn, &hs) == 0);
		CHECK(!hs.irq_enabled);
		CHECK_U64(hs.nib, 0);
		CHECK_EQ(hs.queued, 0);
		/* The reset is over: removal waited for it. */
		CHECK_EQ(apv_apqsw_get_rc(hs.apqsw), 0);
	}
	apv_guest_stats(f.g, &st);
	nqap = st.nqap;
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), -ENODEV);
	CHECK_EQ(apv_guest_remove(f.g), 0);
	CHECK_EQ(apv_guest_probe(f.g), -EINVAL);
	CHECK_EQ(apv_guest_rescan(f.g), -ENODEV);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.nqap, nqap);
	gfix_free(&f);
}

TEST(remove_fails_outstanding_requests_with_enodev)
{
	struct gfix f;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[2][512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r[2];
	struct apv_hw_queue_stats hs;
	struct apv_hw_fault_spec slow = {.kind = APV_FAULT_SLOW, .ns = 50 * APV_NSEC_PER_MSEC};

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_inject(f.hw, 0x0306, &slow) == 0);
	rsa_test_msg(msg, k->L, 2);
	for (unsigned i = 0; i < 2; i++) {
		m = rsa_ica_me(k, msg, k->e, out[i]);
		REQUIRE(apv_guest_submit_me(f.g, &r[i], &m, 0x0306) == 0);
	}
	CHECK_EQ(apv_guest_remove(f.g), 0);
	for (unsigned i = 0; i < 2; i++) {
		CHECK(apv_guest_req_done(f.g, &r[i]));
		CHECK_EQ(r[i].result, -ENODEV);
		CHECK_EQ(apv_guest_wait(f.g, &r[i], 0), -ENODEV);
	}
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0306, &hs) == 0);
	CHECK_EQ(hs.discarded, 2);
	CHECK_EQ(hs.queued, 0);
	gfix_free(&f);
}

TEST(free_without_remove_zaps_the_queues_too)
{
	struct gfix f;
	struct apv_hw_queue_stats hs;

	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0509, &hs) == 0);
	CHECK(hs.irq_enabled);
	apv_guest_free(f.g);
	f.g = NULL;
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0509, &hs) == 0);
	CHECK(!hs.irq_enabled);
	CHECK_U64(hs.nib, 0);
	gfix_free(&f);
}

TEST(queues_not_driven_are_not_zapped)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_adapter_config a;
	struct apv_guest_queue_info qi;
	static const unsigned ap[] = {2}, dom[] = {4};

	apv_hw_config_default(&c);
	apv_adapter_config_default(&a);
	a.mode = APV_MODE_CCA;
	REQUIRE(gfix_hw(&f, false, &c, &a, ap, 1, dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	CHECK_EQ(apv_guest_remove(f.g), 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0204, &qi) == 0);
	CHECK_EQ(qi.state, APV_GQ_UNINITIATED);
	CHECK_EQ(qi.stats.resets, 0);
	gfix_free(&f);
}

TEST_MAIN
