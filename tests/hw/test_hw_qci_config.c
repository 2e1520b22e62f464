/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration: defining adapters and domains, QCI, run-time (de)configuration. */
#include "testlib.h"

#include <errno.h>

#include "hwtest.h"

static void qci_via_pqap(struct hwt *t, struct apv_qci *out)
{
	struct apv_regs r;
	struct apv_result res = hwt_pqap(t, &r, APV_FC_QCI, 0, false, 0, T_QCI);

	REQUIRE(res.kind == APV_RES_DONE);
	CHECK_EQ(res.cc, 0);
	apv_qci_decode(t->mem + (T_QCI - T_BASE), out);
}

TEST(defaults_are_a_cex8a_and_an_apxa_machine_with_all_facilities)
{
	struct apv_hw_config cfg;
	struct apv_adapter_config a;

	apv_hw_config_default(&cfg);
	CHECK(cfg.apxa && cfg.qci && cfg.apft && cfg.aqic);
	CHECK_EQ(cfg.na, 255);
	CHECK_EQ(cfg.nd, 255);
	CHECK_U64(cfg.reset_ns, APV_NSEC_PER_MSEC);
	apv_adapter_config_default(&a);
	CHECK_EQ(a.at, APV_AT_CEX8);
	CHECK_EQ(a.mode, APV_MODE_ACCEL);
	CHECK(a.mex4k && a.crt4k);
	CHECK_EQ(a.nd, 85);
	CHECK_EQ(a.qd, 7);
	CHECK_EQ(a.ml, 0);
}

static void count_msgs(void *ctx, const struct apv_log_record *rec)
{
	(*(int *)ctx)++;
	CHECK_U64(rec->time_ns, 7 * APV_NSEC_PER_MSEC);
}

/* Each host has its own log, on its own clock. */
TEST(each_host_owns_a_log_on_its_clock)
{
	struct apv_clock *c1 = apv_clock_new_virtual(), *c2 = apv_clock_new_virtual();
	struct apv_hw *h1 = apv_hw_new(NULL, c1), *h2 = apv_hw_new(NULL, c2);
	int n1 = 0, n2 = 0;

	REQUIRE(c1 && c2 && h1 && h2);
	REQUIRE(apv_hw_log(h1) && apv_hw_log(h2));
	CHECK(apv_hw_log(h1) != apv_hw_log(h2));
	CHECK(apv_hw_log(NULL) == NULL);
	apv_log_set_handler(apv_hw_log(h1), count_msgs, &n1, APV_LOG_DEBUG);
	apv_log_set_handler(apv_hw_log(h2), count_msgs, &n2, APV_LOG_DEBUG);
	apv_clock_sleep(c1, 7 * APV_NSEC_PER_MSEC);
	apv_log_emit(apv_hw_log(h1), APV_LOG_NOTICE, "ap", NULL, "one");
	CHECK_EQ(n1, 1);
	CHECK_EQ(n2, 0);
	apv_hw_free(h1);
	apv_hw_free(h2);
	apv_clock_free(c1);
	apv_clock_free(c2);
}

TEST(add_adapter_rejects_bad_parameters_range_and_duplicates)
{
	struct hwt t;
	struct apv_adapter_config a, got;

	hwt_init_bare(&t, NULL, false);
	apv_adapter_config_default(&a);
	a.at = 9;
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EINVAL);
	a.at = 15;
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EINVAL);
	apv_adapter_config_default(&a);
	a.qd = 16;
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EINVAL);
	apv_adapter_config_default(&a);
	a.ml = 16;
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EINVAL);
	apv_adapter_config_default(&a);
	a.mode = (enum apv_ap_mode)7;
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EINVAL);
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, NULL), -EINVAL);
	apv_adapter_config_default(&a);
	CHECK_EQ(apv_hw_add_adapter(t.hw, 256, &a), -EINVAL);
	CHECK(!apv_hw_adapter_exists(t.hw, 1));
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), 0);
	CHECK_EQ(apv_hw_add_adapter(t.hw, 1, &a), -EEXIST);
	CHECK(apv_hw_adapter_exists(t.hw, 1));
	CHECK(!apv_hw_adapter_exists(t.hw, 2));
	CHECK(!apv_hw_adapter_exists(t.hw, 9999));
	CHECK_EQ(apv_hw_adapter_info(t.hw, 1, &got), 0);
	CHECK_EQ(got.at, a.at);
	CHECK_EQ(got.qd, a.qd);
	CHECK_EQ(apv_hw_adapter_info(t.hw, 2, &got), -ENODEV);
	CHECK_EQ(apv_hw_adapter_info(t.hw, 300, &got), -EINVAL);
	hwt_fini(&t);
}

TEST(without_apxa_na_and_nd_are_limited_to_63_and_15)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_adapter_config a;
	struct apv_qci q;

	apv_hw_config_default(&cfg);
	cfg.apxa = false;
	hwt_init_bare(&t, &cfg, false);
	CHECK_EQ(apv_hw_config(t.hw)->na, 63);
	CHECK_EQ(apv_hw_config(t.hw)->nd, 15);
	apv_adapter_config_default(&a);
	CHECK_EQ(apv_hw_add_adapter(t.hw, 64, &a), -ENODEV);
	CHECK_EQ(apv_hw_add_adapter(t.hw, 63, &a), 0);
	CHECK_EQ(apv_hw_add_domain(t.hw, 16), -ENODEV);
	CHECK_EQ(apv_hw_add_domain(t.hw, 15), 0);
	CHECK_EQ(apv_hw_add_control_domain(t.hw, 16), -ENODEV);
	qci_via_pqap(&t, &q);
	CHECK(!(q.flags & APV_QCI_N));
	CHECK_EQ(q.na, 63);
	CHECK_EQ(q.nd, 15);
	CHECK(apv_mask_test(&q.apm, 63));
	CHECK(apv_mask_test(&q.aqm, 15));
	CHECK_EQ(apv_mask_weight(&q.apm), 1);
	CHECK_EQ(apv_mask_weight(&q.aqm), 1);
	hwt_fini(&t);
}

TEST(qci_with_apxa_reports_n_na_nd_and_the_three_masks)
{
	struct hwt t;
	struct apv_adapter_config a;
	struct apv_qci q, direct;

	hwt_init(&t, NULL, false);
	apv_adapter_config_default(&a);
	REQUIRE(apv_hw_add_adapter(t.hw, 200, &a) == 0);
	REQUIRE(apv_hw_add_domain(t.hw, 170) == 0);
	REQUIRE(apv_hw_add_control_domain(t.hw, 6) == 0);
	REQUIRE(apv_hw_add_control_domain(t.hw, 12) == 0);
	CHECK_EQ(apv_hw_add_domain(t.hw, 170), -EEXIST);
	CHECK_EQ(apv_hw_add_control_domain(t.hw, 12), -EEXIST);
	qci_via_pqap(&t, &q);
	CHECK(q.flags & APV_QCI_N);
	CHECK(!(q.flags & APV_QCI_C)); /* no QACT */
	CHECK_EQ(q.na, 255);
	CHECK_EQ(q.nd, 255);
	CHECK(apv_mask_test(&q.apm, T_APID));
	CHECK(apv_mask_test(&q.apm, 200));
	CHECK_EQ(apv_mask_weight(&q.apm), 2);
	CHECK(apv_mask_test(&q.aqm, T_APQI));
	CHECK(apv_mask_test(&q.aqm, 170));
	CHECK_EQ(apv_mask_weight(&q.aqm), 2);
	CHECK(apv_mask_test(&q.adm, 6));
	CHECK(apv_mask_test(&q.adm, 12));
	CHECK_EQ(apv_mask_weight(&q.adm), 2);
	apv_hw_qci(t.hw, &direct);
	CHECK(apv_mask_equal(&q.apm, &direct.apm));
	CHECK(apv_mask_equal(&q.aqm, &direct.aqm));
	CHECK(apv_mask_equal(&q.adm, &direct.adm));
	CHECK_EQ(q.flags, direct.flags);
	/* a queue exists for every adapter x usage domain */
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(200, 170))), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(200, T_APQI))), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(T_APID, 170))), 0);
	/* control-only domain: no queue */
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(T_APID, 12))), APV_RC_Q_NOT_AVAIL);
	hwt_fini(&t);
}

TEST(qci_needs_a_doubleword_aligned_block_and_facility_12)
{
	struct apv_hw_config cfg;
	struct hwt t;
	struct apv_regs r;
	struct apv_result res;

	hwt_init(&t, NULL, false);
	for (unsigned off = 1; off < 8; off++) {
		res = hwt_pqap(&t, &r, APV_FC_QCI, 0, false, 0, T_QCI + off);
		CHECK_EQ(res.kind, APV_RES_PGM);
		CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	}
	/* a block outside storage: addressing exception (nothing stored) */
	res = hwt_pqap(&t, &r, APV_FC_QCI, 0, false, 0, T_BASE + T_MEM_SIZE - 64);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, 0x05);
	hwt_fini(&t);

	apv_hw_config_default(&cfg);
	cfg.qci = false;
	hwt_init(&t, &cfg, false);
	res = hwt_pqap(&t, &r, APV_FC_QCI, 0, false, 0, T_QCI);
	CHECK_EQ(res.kind, APV_RES_PGM);
	CHECK_EQ(res.pgm, APV_PGM_SPECIFICATION);
	hwt_fini(&t);
}

TEST(deconfigured_adapter_answers_rc03_and_leaves_qci)
{
	struct hwt t;
	struct apv_regs r;
	struct apv_qci q;
	struct rsa_req req;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	rsa_me(&req, 128, 1);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, req.req, req.req_len).cc == 0);
	CHECK_EQ(apv_hw_configure_adapter(t.hw, T_APID, false), 0);
	qci_via_pqap(&t, &q);
	CHECK(!apv_mask_test(&q.apm, T_APID));
	CHECK(apv_mask_test(&q.aqm, T_APQI));
	CHECK(apv_hw_adapter_exists(t.hw, T_APID)); /* defined, not configured */
	uint64_t gr2 = 1;
	uint32_t w = apv_hw_tapq(t.hw, T_APQN, true, &gr2);
	CHECK_EQ(hwt_rc(w), APV_RC_DECONFIGURED);
	CHECK_U64(w, apv_apqsw_rc(APV_RC_DECONFIGURED)); /* no state bits */
	/* the adapter still tells its type, as Linux expects of RC03 */
	struct apv_adapter_config ad;
	REQUIRE(apv_hw_adapter_info(t.hw, T_APID, &ad) == 0);
	CHECK_EQ(apv_tapq_hwinfo_decode(gr2).at, ad.at);
	CHECK_EQ(hwt_nqap(&t, &r, T_APQN, 2, req.req, req.req_len).cc, 3);
	CHECK_EQ(hwt_rc(apv_apqsw_from_gr1(r.gr[1])), APV_RC_DECONFIGURED);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 4096).cc, 3);
	CHECK_EQ(hwt_rc(apv_hw_rapq(t.hw, T_APQN)), APV_RC_DECONFIGURED);
	/* leaving the configuration lost the request */
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.discarded, 1);
	CHECK_EQ(st.queued, 0);
	hwt_sleep(&t, APV_NSEC_PER_MSEC);
	CHECK_EQ(apv_hw_configure_adapter(t.hw, T_APID, true), 0);
	qci_via_pqap(&t, &q);
	CHECK(apv_mask_test(&q.apm, T_APID));
	struct apv_apqsw s = apv_apqsw_decode(hwt_tapq(&t, T_APQN));
	CHECK_EQ(s.rc, 0);
	CHECK(s.e);
	CHECK_EQ(apv_hw_configure_adapter(t.hw, 77, true), -ENODEV);
	CHECK_EQ(apv_hw_configure_adapter(t.hw, 700, true), -EINVAL);
	hwt_fini(&t);
}

TEST(deconfigured_domain_answers_rc01_and_leaves_aqm_and_adm)
{
	struct hwt t;
	struct apv_qci q;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 6};

	hwt_init(&t, NULL, false);
	REQUIRE(apv_hw_add_control_domain(t.hw, T_APQI) == 0);
	CHECK_EQ(hwt_rc(apv_hw_aqic(t.hw, T_APQN, c, T_NIB, &t.st)), 0);
	hwt_sleep(&t, t.cfg.irq_ns);
	CHECK_EQ(apv_hw_configure_domain(t.hw, T_APQI, false), 0);
	qci_via_pqap(&t, &q);
	CHECK(!apv_mask_test(&q.aqm, T_APQI));
	CHECK(!apv_mask_test(&q.adm, T_APQI));
	CHECK(apv_mask_test(&q.apm, T_APID));
	CHECK_U64(hwt_tapq(&t, T_APQN), apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	CHECK_EQ(apv_hw_configure_domain(t.hw, T_APQI, true), 0);
	qci_via_pqap(&t, &q);
	CHECK(apv_mask_test(&q.aqm, T_APQI));
	CHECK(apv_mask_test(&q.adm, T_APQI));
	/* the interruption registration did not survive */
	struct apv_apqsw s = apv_apqsw_decode(hwt_tapq(&t, T_APQN));
	CHECK_EQ(s.rc, 0);
	CHECK(!s.i);
	CHECK_EQ(apv_hw_configure_domain(t.hw, 99, false), -ENODEV);
	CHECK_EQ(apv_hw_configure_domain(t.hw, 999, false), -EINVAL);
	hwt_fini(&t);
}

TEST(a_domain_added_later_creates_queues_on_every_adapter)
{
	struct hwt t;
	struct apv_adapter_config a;
	struct apv_hw_queue_stats st;

	hwt_init(&t, NULL, false);
	apv_adapter_config_default(&a);
	a.qd = 1;
	REQUIRE(apv_hw_add_adapter(t.hw, 7, &a) == 0);
	CHECK_EQ(apv_hw_queue_stats(t.hw, apv_apqn(7, 9), &st), -ENODEV);
	CHECK(!st.exists);
	REQUIRE(apv_hw_add_domain(t.hw, 9) == 0);
	CHECK_EQ(apv_hw_queue_stats(t.hw, apv_apqn(7, 9), &st), 0);
	CHECK(st.exists);
	CHECK_EQ(apv_hw_queue_stats(t.hw, apv_apqn(T_APID, 9), &st), 0);
	CHECK_EQ(apv_hw_queue_stats(t.hw, apv_apqn(7, T_APQI), &st), 0);
	CHECK_EQ(apv_hw_add_domain(t.hw, 256), -EINVAL);
	hwt_fini(&t);
}

TEST(configuring_a_deconfigured_domain_before_adding_an_adapter_keeps_it_off)
{
	struct hwt t;
	struct apv_adapter_config a;

	hwt_init(&t, NULL, false);
	REQUIRE(apv_hw_configure_domain(t.hw, T_APQI, false) == 0);
	apv_adapter_config_default(&a);
	REQUIRE(apv_hw_add_adapter(t.hw, 8, &a) == 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(8, T_APQI))), APV_RC_Q_NOT_AVAIL);
	REQUIRE(apv_hw_configure_domain(t.hw, T_APQI, true) == 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, apv_apqn(8, T_APQI))), APV_RC_NORMAL);
	hwt_fini(&t);
}

TEST_MAIN
