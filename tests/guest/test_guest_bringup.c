/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest bring-up on bare hardware: the probe for AP instructions, QCI or
 * the blind scan, which queues get driven, RAPQ/TAPQ/AQIC per queue and
 * the response-code handling of AQIC, and the lszcrypt view.
 */
#include <errno.h>

#include "guest_fixture.h"
#include "testlib.h"

static const unsigned apids[] = {3, 5}, apqis[] = {6, 9};

TEST(probe_finds_the_qci_configuration_and_brings_every_queue_online)
{
	struct gfix f;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;
	static const apv_apqn_t want[] = {0x0306, 0x0309, 0x0506, 0x0509};

	REQUIRE(gfix_default(&f, NULL, NULL));
	apv_guest_info(f.g, &gi);
	CHECK(gi.probed);
	CHECK(gi.ap_instructions);
	CHECK(gi.qci && gi.apft && gi.aqic);
	CHECK(gi.qci_used);
	CHECK(gi.apxa);
	CHECK(gi.irq);
	CHECK_EQ(gi.max_apid, 255);
	CHECK_EQ(gi.queues, 4);
	CHECK_EQ(gi.cards, 2);
	CHECK_EQ(gi.online, 4);
	CHECK_EQ(apv_guest_queue_count(f.g), 4);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.apqn, want[i]);
		CHECK(qi.driven);
		CHECK(qi.online);
		CHECK_STR(qi.type, "CEX8A");
		CHECK_STR(qi.mode, "Accelerator");
		CHECK_STR(qi.status, "online");
		CHECK_EQ(qi.state, APV_GQ_IDLE);
		CHECK_EQ(qi.qd, 7);
	}
	CHECK_EQ(apv_guest_queue_at(f.g, 4, &qi), -ENOENT);
	CHECK_EQ(apv_guest_queue_find(f.g, 0x0307, &qi), -ENOENT);
	gfix_free(&f);
}

TEST(bringup_resets_then_enables_interrupts_with_the_nib_on_isc6)
{
	struct gfix f;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;
	struct apv_hw_queue_stats hs;

	REQUIRE(gfix_default(&f, NULL, NULL));
	apv_guest_info(f.g, &gi);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.stats.resets, 1);
		CHECK_EQ(qi.stats.aqic, 1);
		CHECK(qi.irq);
		REQUIRE(apv_hw_queue_stats(f.hw, qi.apqn, &hs) == 0);
		CHECK(hs.irq_enabled);
		CHECK_U64(hs.nib, gi.nib);
		CHECK_EQ(hs.aqic, 1);
	}
	/* Bring-up waited for the reset (1 ms) and for the I bit, in virtual time. */
	CHECK(apv_clock_now(f.clock) >= APV_NSEC_PER_MSEC);
	CHECK_EQ(gfix_nib(&f), 0);
	gfix_free(&f);
}

TEST(no_ap_instructions_is_reported_as_enodev_without_a_scan)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_guest_info gi;
	struct apv_guest_stats st;

	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, apids, 2, apqis, 2));
	apv_hw_set_installed(f.hw, false);
	CHECK_EQ(gfix_guest(&f, NULL), -ENODEV);
	apv_guest_info(f.g, &gi);
	CHECK(!gi.ap_instructions);
	CHECK(!gi.probed);
	CHECK_EQ(gi.queues, 0);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.pqap, 1);
	CHECK_EQ(st.pgm, 1);
	CHECK_EQ(apv_guest_remove(f.g), -ENODEV);
	gfix_free(&f);
}

TEST(without_qci_the_bus_scans_64_by_16_blindly)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_guest_info gi;
	struct apv_guest_stats st;

	apv_hw_config_default(&c);
	c.qci = false;
	REQUIRE(gfix_hw(&f, false, &c, NULL, apids, 2, apqis, 2));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	apv_guest_info(f.g, &gi);
	CHECK(!gi.qci);
	CHECK(!gi.qci_used);
	CHECK(!gi.apxa);
	CHECK_EQ(gi.max_apid, 63);
	CHECK_EQ(gi.max_apqi, 15);
	CHECK_EQ(gi.queues, 4);
	CHECK_EQ(gi.online, 4);
	apv_guest_stats(f.g, &st);
	/* The probe TAPQ plus one TAPQ per possible APQN, then the bring-up. */
	CHECK(st.pqap >= 1 + 64 * 16);
	CHECK_EQ(st.pgm, 0);
	gfix_free(&f);
}

TEST(blind_scan_does_not_see_apqns_beyond_63_and_15)
{
	struct gfix f;
	struct apv_hw_config c;
	static const unsigned hi_apid[] = {3, 70}, hi_apqi[] = {6, 20};

	apv_hw_config_default(&c);
	c.qci = false;
	REQUIRE(gfix_hw(&f, false, &c, NULL, hi_apid, 2, hi_apqi, 2));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	CHECK_EQ(apv_guest_queue_count(f.g), 1);
	gfix_free(&f);
}

TEST(only_accelerator_mode_types_10_to_14_are_driven_others_are_recorded)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_adapter_config a;
	struct apv_guest_queue_info qi;
	struct apv_hw_queue_stats hs;
	static const unsigned one[] = {6};

	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, apids, 1, one, 1));
	apv_adapter_config_default(&a);
	a.mode = APV_MODE_CCA;
	a.at = APV_AT_CEX7;
	REQUIRE(apv_hw_add_adapter(f.hw, 4, &a) == 0);
	a.mode = APV_MODE_EP11;
	REQUIRE(apv_hw_add_adapter(f.hw, 7, &a) == 0);
	REQUIRE(gfix_guest(&f, NULL) == 0);
	REQUIRE(apv_guest_queue_count(f.g) == 3);

	REQUIRE(apv_guest_queue_find(f.g, 0x0406, &qi) == 0);
	CHECK(!qi.driven);
	CHECK(!qi.online);
	CHECK_STR(qi.type, "CEX7C");
	CHECK_STR(qi.mode, "CCA-Coproc");
	CHECK_EQ(qi.state, APV_GQ_UNINITIATED);
	CHECK_EQ(qi.stats.resets, 0);
	REQUIRE(apv_hw_queue_stats(f.hw, 0x0406, &hs) == 0);
	CHECK_EQ(hs.aqic, 0);

	REQUIRE(apv_guest_queue_find(f.g, 0x0706, &qi) == 0);
	CHECK(!qi.driven);
	CHECK_STR(qi.type, "CEX7P");
	CHECK_STR(qi.mode, "EP11-Coproc");

	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(qi.driven);
	CHECK(qi.online);
	gfix_free(&f);
}

TEST(without_facility_65_no_aqic_is_issued_and_queues_poll)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;

	apv_hw_config_default(&c);
	c.aqic = false;
	REQUIRE(gfix_default(&f, &c, NULL));
	apv_guest_info(f.g, &gi);
	CHECK(!gi.aqic);
	CHECK(!gi.irq);
	CHECK_EQ(gi.online, 4);
	for (unsigned i = 0; i < 4; i++) {
		REQUIRE(apv_guest_queue_at(f.g, i, &qi) == 0);
		CHECK_EQ(qi.stats.aqic, 0);
		CHECK(!qi.irq);
		CHECK_EQ(qi.state, APV_GQ_IDLE);
	}
	gfix_free(&f);
}

TEST(useirq_off_keeps_the_driver_polling_despite_facility_65)
{
	struct gfix f;
	struct apv_guest_config gc;
	struct apv_guest_info gi;
	struct apv_guest_queue_info qi;

	apv_guest_config_default(&gc);
	gc.useirq = false;
	REQUIRE(gfix_default(&f, NULL, &gc));
	apv_guest_info(f.g, &gi);
	CHECK(gi.aqic);
	CHECK(!gi.irq);
	REQUIRE(apv_guest_queue_at(f.g, 0, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 0);
	gfix_free(&f);
}

/* Bring up one queue (03.0006) with an AQIC fault armed before the probe. */
static void one_queue_with_aqic_fault(struct gfix *f, uint8_t rc, unsigned count)
{
	struct apv_hw_config c;
	struct apv_guest_platform p;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_AQIC_RC, .count = count, .rc = rc};
	static const unsigned a[] = {3}, d[] = {6};

	if (rc == APV_RC_OTHERWISE_CHANGED)
		fs.kind = APV_FAULT_AQIC_RC07;
	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(f, false, &c, NULL, a, 1, d, 1));
	REQUIRE(apv_hw_inject(f->hw, 0x0306, &fs) == 0);
	REQUIRE(apv_guest_platform_hw(f->hw, 0x8000, &p) == 0);
	f->p = p;
	REQUIRE(apv_guest_new(&p, NULL, &f->g) == 0);
	REQUIRE(apv_guest_probe(f->g) == 0);
}

TEST(aqic_rc06_means_no_interrupts_for_the_queue_it_polls_instead)
{
	struct gfix f;
	struct apv_guest_queue_info qi;

	one_queue_with_aqic_fault(&f, APV_RC_INVALID_ADDRESS, 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 1);
	CHECK(!qi.irq);
	CHECK(qi.online);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	CHECK_EQ(qi.last_rc, APV_RC_INVALID_ADDRESS);
	/* Not retried while the queue stays up. */
	apv_guest_run(f.g, 100 * APV_NSEC_PER_MSEC);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 1);
	gfix_free(&f);
}

TEST(aqic_rc05_is_retried_later_and_then_interrupts_work)
{
	struct gfix f;
	struct apv_guest_queue_info qi;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];
	struct apv_ica_rsa_modexpo m;

	REQUIRE(k);
	one_queue_with_aqic_fault(&f, APV_RC_BUSY, 1);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 1);
	CHECK(!qi.irq);
	CHECK(qi.online);
	/* The next read that finds the queue empty without the I bit tries again. */
	rsa_test_msg(msg, k->L, 1);
	m = rsa_ica_me(k, msg, k->e, out);
	CHECK_EQ(apv_guest_rsa_me(f.g, &m), 0);
	REQUIRE(rsa_ref_modexp(msg, k->e, k->n, k->L, ref));
	CHECK_MEM(out, ref, k->L);
	apv_guest_run(f.g, 100 * APV_NSEC_PER_MSEC);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 2);
	CHECK(qi.irq);
	gfix_free(&f);
}

TEST(aqic_rc07_counts_as_success_but_without_the_i_bit_the_queue_polls)
{
	struct gfix f;
	struct apv_guest_queue_info qi;
	struct apv_guest_config gc;

	apv_guest_config_default(&gc);
	one_queue_with_aqic_fault(&f, APV_RC_OTHERWISE_CHANGED, 1);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK_EQ(qi.stats.aqic, 1);
	CHECK(!qi.irq);
	CHECK(qi.online);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	/* It waited for the I bit until the reset timeout. */
	CHECK(apv_clock_now(f.clock) >= gc.reset_timeout_ns);
	gfix_free(&f);
}

TEST(a_queue_stuck_in_reset_goes_offline_after_the_reset_timeout)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_guest_platform p;
	struct apv_guest_queue_info qi;
	struct apv_hw_fault_spec fs = {.kind = APV_FAULT_RESET};

	apv_hw_config_default(&c);
	REQUIRE(gfix_hw(&f, false, &c, NULL, apids, 1, apqis, 2));
	REQUIRE(apv_hw_inject(f.hw, 0x0309, &fs) == 0);
	REQUIRE(apv_guest_platform_hw(f.hw, 0x8000, &p) == 0);
	f.p = p;
	REQUIRE(apv_guest_new(&p, NULL, &f.g) == 0);
	REQUIRE(apv_guest_probe(f.g) == 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0309, &qi) == 0);
	CHECK(!qi.online);
	CHECK_EQ(qi.state, APV_GQ_ERROR);
	CHECK_STR(qi.status, "offline");
	CHECK_EQ(qi.last_rc, APV_RC_RESET_IN_PROGRESS);
	REQUIRE(apv_guest_queue_find(f.g, 0x0306, &qi) == 0);
	CHECK(qi.online);

	/* The periodic rescan resets it again once the hardware recovers. */
	fs.kind = APV_FAULT_NONE;
	REQUIRE(apv_hw_inject(f.hw, 0x0309, &fs) == 0);
	CHECK_EQ(apv_guest_rescan(f.g), 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0309, &qi) == 0);
	CHECK(qi.online);
	CHECK_EQ(qi.state, APV_GQ_IDLE);
	gfix_free(&f);
}

TEST(rescan_drops_a_deconfigured_adapter_and_picks_up_a_new_one)
{
	struct gfix f;
	struct apv_guest_queue_info qi;
	struct apv_adapter_config a;
	struct apv_guest_info gi;

	REQUIRE(gfix_default(&f, NULL, NULL));
	REQUIRE(apv_hw_configure_adapter(f.hw, 5, false) == 0);
	apv_adapter_config_default(&a);
	a.at = APV_AT_CEX6;
	REQUIRE(apv_hw_add_adapter(f.hw, 8, &a) == 0);
	CHECK_EQ(apv_guest_rescan(f.g), 0);
	REQUIRE(apv_guest_queue_find(f.g, 0x0506, &qi) == 0);
	CHECK(!qi.online);
	CHECK_STR(qi.status, "deconfig");
	REQUIRE(apv_guest_queue_find(f.g, 0x0809, &qi) == 0);
	CHECK(qi.online);
	CHECK_STR(qi.type, "CEX6A");
	apv_guest_info(f.g, &gi);
	CHECK_EQ(gi.queues, 6);
	CHECK_EQ(gi.online, 4);
	gfix_free(&f);
}

TEST(lszcrypt_lists_cards_then_their_queues_with_request_counts)
{
	struct gfix f;
	char buf[1024];
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512];
	struct apv_ica_rsa_modexpo m;
	struct apv_guest_req r;
	struct apv_guest_card_info ci;
	int n;

	REQUIRE(k);
	REQUIRE(gfix_default(&f, NULL, NULL));
	rsa_test_msg(msg, k->L, 2);
	m = rsa_ica_me(k, msg, k->e, out);
	REQUIRE(apv_guest_submit_me(f.g, &r, &m, 0x0509) == 0);
	CHECK_EQ(apv_guest_wait(f.g, &r, APV_NSEC_PER_SEC), 0);
	n = apv_guest_lszcrypt(f.g, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n < sizeof(buf));
	CHECK(strstr(buf, "CARD.DOM TYPE  MODE        STATUS   REQUESTS\n") == buf);
	CHECK(strstr(buf, "03       CEX8A Accelerator online          0\n") != NULL);
	CHECK(strstr(buf, "03.0006  CEX8A Accelerator online          0\n") != NULL);
	CHECK(strstr(buf, "05       CEX8A Accelerator online          1\n") != NULL);
	CHECK(strstr(buf, "05.0009  CEX8A Accelerator online          1\n") != NULL);
	/* Cards come before their queues, in APQN order. */
	CHECK(strstr(buf, "03.0009") < strstr(buf, "05       "));
	/* Like snprintf: the needed length even when the buffer is short. */
	CHECK_EQ(apv_guest_lszcrypt(f.g, buf, 10), n);
	CHECK_EQ(strlen(buf), 9);
	CHECK_EQ(apv_guest_lszcrypt(f.g, NULL, 0), n);

	CHECK_EQ(apv_guest_card_count(f.g), 2);
	REQUIRE(apv_guest_card_at(f.g, 1, &ci) == 0);
	CHECK_EQ(ci.apid, 5);
	CHECK_EQ(ci.queues, 2);
	CHECK_EQ(ci.requests, 1);
	CHECK(ci.online);
	CHECK_EQ(apv_guest_card_at(f.g, 2, &ci), -ENOENT);
	gfix_free(&f);
}

TEST(probe_twice_is_ebusy_and_bad_platforms_are_einval)
{
	struct gfix f;
	struct apv_guest_platform p;
	struct apv_guest *g = (struct apv_guest *)&p;

	REQUIRE(gfix_default(&f, NULL, NULL));
	CHECK_EQ(apv_guest_probe(f.g), -EBUSY);
	CHECK_EQ(apv_guest_platform_hw(f.hw, 0x100, &p), -EINVAL);
	CHECK_EQ(apv_guest_platform_hw(NULL, 0x8000, &p), -EINVAL);
	/* The hardware's interrupts belong to f.g's platform: a second one is refused. */
	CHECK_EQ(apv_guest_platform_hw(f.hw, 0x8000, &p), -EBUSY);
	apv_guest_free(f.g);
	f.g = NULL;
	REQUIRE(apv_guest_platform_hw(f.hw, 0x8000, &p) == 0);
	p.mem_size = 0x1000; /* too small: the platform is released by apv_guest_new */
	CHECK_EQ(apv_guest_new(&p, NULL, &g), -EINVAL);
	CHECK(g == NULL);
	CHECK_EQ(apv_guest_new(NULL, NULL, &g), -EINVAL);
	/* The released platform gave the hardware's interrupts back. */
	CHECK(!apv_hw_in_use(f.hw));
	gfix_free(&f);
}

TEST_MAIN
