/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Register encodings: GR0, APQSW/GR1, AQIC controls, TAPQ hwinfo, names. */
#include "apvirt/arch.h"
#include "testlib.h"

/* ---- GR0 / APQN ---- */

TEST(apqn_packs_apid_high_apqi_low)
{
	CHECK_EQ(apv_apqn(0x12, 0x34), 0x1234);
	CHECK_EQ(apv_apqn_apid(0x1234), 0x12);
	CHECK_EQ(apv_apqn_apqi(0x1234), 0x34);
	CHECK_EQ(apv_apqn(255, 255), 0xFFFF);
	/* Only 8 bits of each part survive. */
	CHECK_EQ(apv_apqn(0x1FF, 0x100), 0xFF00);
}

TEST(apxa_range_boundary_apid_63_64_apqi_15_16)
{
	CHECK(!apv_apqn_needs_apxa(apv_apqn(63, 15)));
	CHECK(apv_apqn_needs_apxa(apv_apqn(64, 0)));
	CHECK(apv_apqn_needs_apxa(apv_apqn(0, 16)));
	CHECK(apv_apqn_needs_apxa(apv_apqn(128, 0)));
	CHECK(!apv_apqn_needs_apxa(apv_apqn(0, 0)));
	CHECK_U64(APV_GR0_NON_APXA_RANGE, 0xC0F0);
	/* The mask covers exactly the APID bits above 63 and the APQI bits above 15. */
	for (unsigned apid = 0; apid < 256; apid++)
		for (unsigned apqi = 0; apqi < 256; apqi++)
			if (apv_apqn_needs_apxa(apv_apqn(apid, apqi)) != (apid > 63 || apqi > 15))
				APV_TEST_FAIL("apid %u apqi %u", apid, apqi);
}

TEST(gr0_pqap_fields_round_trip)
{
	uint64_t gr0 = apv_gr0_pqap(APV_FC_AQIC, apv_apqn(5, 7), false, false);

	CHECK_U64(gr0, 0x03000507);
	CHECK_EQ(apv_gr0_fc(gr0), APV_FC_AQIC);
	CHECK_EQ(apv_gr0_apqn(gr0), 0x0507);
	CHECK(!apv_gr0_t(gr0));
	CHECK(!apv_gr0_f(gr0));

	gr0 = apv_gr0_pqap(APV_FC_TAPQ, apv_apqn(255, 255), true, false);
	CHECK_U64(gr0, 0x0080FFFF);
	CHECK(apv_gr0_t(gr0));
	gr0 = apv_gr0_pqap(APV_FC_ZAPQ, 0, false, true);
	CHECK_U64(gr0, 0x02400000);
	CHECK(apv_gr0_f(gr0));
	CHECK_EQ(apv_gr0_fc(UINT64_C(0xFFFFFFFFFF000000)), 0xFF);
}

TEST(gr0_masks_are_the_ibm_bits)
{
	CHECK_U64(APV_GR0_T, APV_BIT64(40));
	CHECK_U64(APV_GR0_F, APV_BIT64(41));
	CHECK_U64(APV_GR0_NQAP_LAST, APV_BIT64(33));
	CHECK_U64(APV_GR0_DQAP_FIRST, APV_BIT64(32));
	CHECK_U64(APV_GR0_NQAP_MBZ, APV_BIT64(32) | APV_BIT64(34) | APV_BIT64(35) | APV_BIT64(40));
	CHECK_U64(APV_GR0_DQAP_MBZ, APV_BIT64(33) | APV_BIT64(34) | APV_BIT64(35) | APV_BIT64(40) |
					    APV_BIT64(41));
	uint64_t r = 0;
	for (unsigned b = 41; b <= 47; b++)
		r |= APV_BIT64(b);
	CHECK_U64(APV_GR0_RESERVED_41_47, r);
}

/* ---- APQSW / GR1 ---- */

TEST(apqsw_bits_at_ibm_positions)
{
	struct apv_apqsw s = {0};

	s.e = true;
	CHECK_U64(apv_apqsw_encode(s), 0x80000000);
	s = (struct apv_apqsw){.r = true};
	CHECK_U64(apv_apqsw_encode(s), 0x40000000);
	s = (struct apv_apqsw){.f = true};
	CHECK_U64(apv_apqsw_encode(s), 0x20000000);
	s = (struct apv_apqsw){.async = true};
	CHECK_U64(apv_apqsw_encode(s), 0x02000000);
	s = (struct apv_apqsw){.i = true};
	CHECK_U64(apv_apqsw_encode(s), 0x01000000);
	s = (struct apv_apqsw){.rc = 0xFF};
	CHECK_U64(apv_apqsw_encode(s), 0x00FF0000);
}

TEST(apqsw_round_trip_all_flag_and_rc_combinations)
{
	for (unsigned flags = 0; flags < 32; flags++) {
		for (unsigned rc = 0; rc < 256; rc++) {
			struct apv_apqsw s = {
				.e = flags & 1, .r = flags & 2, .f = flags & 4,
				.async = flags & 8, .i = flags & 16, .rc = (uint8_t)rc,
			};
			struct apv_apqsw d = apv_apqsw_decode(apv_apqsw_encode(s));
			if (d.e != s.e || d.r != s.r || d.f != s.f || d.async != s.async ||
			    d.i != s.i || d.rc != s.rc)
				APV_TEST_FAIL("flags %u rc %u", flags, rc);
		}
	}
}

TEST(apqsw_decode_ignores_reserved_bits)
{
	/* Bits 3-5 and 16-31 of the word are reserved. */
	struct apv_apqsw d = apv_apqsw_decode(0x1C00FFFF);

	CHECK(!d.e && !d.r && !d.f && !d.async && !d.i);
	CHECK_EQ(d.rc, 0);
	CHECK_U64(apv_apqsw_encode(apv_apqsw_decode(0xFFFFFFFF)), 0xE3FF0000);
}

TEST(apqsw_rc_helpers)
{
	CHECK_U64(apv_apqsw_rc(APV_RC_Q_NOT_AVAIL), 0x00010000);
	CHECK_EQ(apv_apqsw_get_rc(0x81070000), 0x07);
	CHECK_EQ(apv_apqsw_get_rc(apv_apqsw_rc(0xFF)), 0xFF);
	CHECK_U64(APV_APQSW_RC_MASK, 0x00FF0000);
}

TEST(gr1_holds_apqsw_in_bits_32_63_upper_half_zero)
{
	uint32_t w = APV_APQSW_E | APV_APQSW_I | apv_apqsw_rc(APV_RC_OTHERWISE_CHANGED);
	uint64_t gr1 = apv_gr1_from_apqsw(w);

	CHECK_U64(gr1, 0x0000000081070000);
	CHECK_U64(gr1 >> 32, 0);
	CHECK_U64(gr1 & APV_GR1_RC_MASK, 0x00070000);
	CHECK_U64(apv_gr1_from_apqsw(0xFFFFFFFF) >> 32, 0);
	/* Reading it back ignores whatever was in the upper half. */
	CHECK_U64(apv_apqsw_from_gr1(UINT64_C(0xDEADBEEF00000000) | w), w);
	CHECK_U64(APV_APQSW_E, (uint32_t)APV_BIT64(32));
	CHECK_U64(APV_APQSW_I, (uint32_t)APV_BIT64(39));
}

TEST(apqsw_format_names_flags_and_rc)
{
	char buf[64];

	CHECK_STR(apv_apqsw_format(APV_APQSW_E | APV_APQSW_I, buf, sizeof(buf)),
		  "E I rc=00(NORMAL)");
	CHECK_STR(apv_apqsw_format(apv_apqsw_rc(0x01), buf, sizeof(buf)), "rc=01(Q_NOT_AVAIL)");
	CHECK_STR(apv_apqsw_format(0xE3FF0000, buf, sizeof(buf)), "E R F A I rc=FF(?)");
	CHECK_STR(apv_apqsw_format(APV_APQSW_R | apv_apqsw_rc(0x10), buf, sizeof(buf)),
		  "R rc=10(Q_FULL)");
}

TEST(apqsw_format_truncates_safely)
{
	char buf[6];

	memset(buf, 'x', sizeof(buf));
	CHECK(apv_apqsw_format(APV_APQSW_E, buf, sizeof(buf)) == buf);
	CHECK_STR(buf, "E rc=");
	char one[1] = {'x'};
	apv_apqsw_format(0, one, 1);
	CHECK_EQ(one[0], '\0');
	CHECK(apv_apqsw_format(0, NULL, 0) == NULL);
}

TEST(rc_names_match_linux)
{
	CHECK_STR(apv_rc_name(0x00), "NORMAL");
	CHECK_STR(apv_rc_name(0x01), "Q_NOT_AVAIL");
	CHECK_STR(apv_rc_name(0x02), "RESET_IN_PROGRESS");
	CHECK_STR(apv_rc_name(0x03), "DECONFIGURED");
	CHECK_STR(apv_rc_name(0x04), "CHECKSTOPPED");
	CHECK_STR(apv_rc_name(0x05), "BUSY");
	CHECK_STR(apv_rc_name(0x06), "INVALID_ADDRESS");
	CHECK_STR(apv_rc_name(0x07), "OTHERWISE_CHANGED");
	CHECK_STR(apv_rc_name(0x08), "INVALID_GISA");
	CHECK_STR(apv_rc_name(0x09), "Q_BOUND_TO_ANOTHER");
	CHECK_STR(apv_rc_name(0x0A), "STATE_CHANGE_IN_PROGRESS");
	CHECK_STR(apv_rc_name(0x0B), "Q_NOT_BOUND");
	CHECK_STR(apv_rc_name(0x10), "Q_FULL");
	CHECK_STR(apv_rc_name(0x11), "INDEX_TOO_BIG");
	CHECK_STR(apv_rc_name(0x13), "NO_FIRST_PART");
	CHECK_STR(apv_rc_name(0x15), "MESSAGE_TOO_BIG");
	CHECK_STR(apv_rc_name(0x16), "REQ_FAC_NOT_INST");
	CHECK_STR(apv_rc_name(0x30), "Q_BIND_ERROR");
	CHECK_STR(apv_rc_name(0x31), "Q_NOT_AVAIL_FOR_ASSOC");
	CHECK_STR(apv_rc_name(0x32), "Q_NOT_EMPTY");
	CHECK_STR(apv_rc_name(0x33), "BIND_LIMIT_EXCEEDED");
	CHECK_STR(apv_rc_name(0x34), "INVALID_ASSOC_SECRET");
	CHECK_STR(apv_rc_name(0x35), "ASSOC_SECRET_NOT_UNIQUE");
	CHECK_STR(apv_rc_name(0x36), "ASSOC_FAILED");
	CHECK_STR(apv_rc_name(0x42), "INVALID_DOMAIN");
}

TEST(rc_names_null_for_unnamed_codes_including_ff)
{
	static const uint8_t unnamed[] = {0x0C, 0x0F, 0x12, 0x14, 0x17, 0x2F, 0x37, 0x41, 0x43, 0xFF};

	for (size_t i = 0; i < sizeof(unnamed); i++)
		CHECK(apv_rc_name(unnamed[i]) == NULL);
	unsigned named = 0;
	for (unsigned rc = 0; rc < 256; rc++)
		named += apv_rc_name((uint8_t)rc) != NULL;
	CHECK_EQ(named, 25);
}

/* ---- AQIC controls ---- */

TEST(aqic_fields_at_ibm_positions)
{
	struct apv_aqic_ctrl c = {0};

	c.zone = 0xFF;
	CHECK_U64(apv_aqic_ctrl_encode(c), 0x00FF000000000000);
	c = (struct apv_aqic_ctrl){.ir = true};
	CHECK_U64(apv_aqic_ctrl_encode(c), 0x0000800000000000);
	CHECK_U64(APV_AQIC_IR, 0x0000800000000000);
	c = (struct apv_aqic_ctrl){.gisc = 7};
	CHECK_U64(apv_aqic_ctrl_encode(c), APV_BIT64(21) | APV_BIT64(22) | APV_BIT64(23));
	c = (struct apv_aqic_ctrl){.gf = 3};
	CHECK_U64(apv_aqic_ctrl_encode(c), APV_BIT64(30) | APV_BIT64(31));
	c = (struct apv_aqic_ctrl){.isc = 7};
	CHECK_U64(apv_aqic_ctrl_encode(c), 7);
	c = (struct apv_aqic_ctrl){.isc = APV_AP_ISC, .ir = true};
	CHECK_U64(apv_aqic_ctrl_encode(c), 0x0000800000000006);
}

TEST(aqic_gisa_origin_is_27_bits_33_to_59)
{
	struct apv_aqic_ctrl c = {.gisa = 0x07FFFFFF};
	uint64_t v = apv_aqic_ctrl_encode(c);
	uint64_t want = 0;

	for (unsigned b = 33; b <= 59; b++)
		want |= APV_BIT64(b);
	CHECK_U64(v, want);
	CHECK_U64(v, 0x000000007FFFFFF0);
	CHECK_EQ(apv_aqic_ctrl_decode(v).gisa, 0x07FFFFFF);
	/* A GISA origin of 0x7FFFFFF0 (the highest 16-byte aligned below 2 GiB). */
	c.gisa = 0x7FFFFFF0u >> 4;
	CHECK_U64(apv_aqic_ctrl_encode(c), 0x7FFFFFF0);
	/* An out-of-range GISA does not leak into bit 32 or above. */
	c.gisa = 0xFFFFFFFF;
	CHECK_U64(apv_aqic_ctrl_encode(c) & ~UINT64_C(0x7FFFFFF0), 0);
}

TEST(aqic_encode_masks_overwide_fields)
{
	struct apv_aqic_ctrl c = {.gisc = 0xFF, .gf = 0xFF, .isc = 0xFF};
	uint64_t v = apv_aqic_ctrl_encode(c);

	CHECK_U64(v & APV_AQIC_RESERVED, 0);
	struct apv_aqic_ctrl d = apv_aqic_ctrl_decode(v);
	CHECK_EQ(d.gisc, 7);
	CHECK_EQ(d.gf, 3);
	CHECK_EQ(d.isc, 7);
}

TEST(aqic_all_ones_decodes_every_field_and_reserved_mask_is_complement)
{
	struct apv_aqic_ctrl d = apv_aqic_ctrl_decode(~UINT64_C(0));

	CHECK_EQ(d.zone, 0xFF);
	CHECK(d.ir);
	CHECK_EQ(d.gisc, 7);
	CHECK_EQ(d.gf, 3);
	CHECK_EQ(d.gisa, 0x07FFFFFF);
	CHECK_EQ(d.isc, 7);
	/* Encoding the maximal fields gives exactly the non-reserved bits. */
	CHECK_U64(apv_aqic_ctrl_encode(d), ~APV_AQIC_RESERVED);
	/* Reserved bits alone decode to nothing. */
	d = apv_aqic_ctrl_decode(APV_AQIC_RESERVED);
	CHECK(!d.ir && !d.zone && !d.gisc && !d.gf && !d.gisa && !d.isc);
}

/* Field by field: the structs have padding, so memcmp would read indeterminate bytes. */
static bool aqic_equal(const struct apv_aqic_ctrl *a, const struct apv_aqic_ctrl *b)
{
	return a->zone == b->zone && a->ir == b->ir && a->gisc == b->gisc && a->gf == b->gf &&
	       a->gisa == b->gisa && a->isc == b->isc;
}

TEST(aqic_round_trip_boundaries)
{
	static const uint32_t gisas[] = {0, 1, 0x0400000, 0x07FFFFFE, 0x07FFFFFF};

	for (unsigned isc = 0; isc <= APV_MAX_ISC; isc++)
		for (unsigned gf = 0; gf < 4; gf++)
			for (size_t g = 0; g < sizeof(gisas) / sizeof(gisas[0]); g++) {
				struct apv_aqic_ctrl c = {
					.zone = (uint8_t)(isc * 31), .ir = isc & 1,
					.gisc = (uint8_t)(7 - isc), .gf = (uint8_t)gf,
					.gisa = gisas[g], .isc = (uint8_t)isc,
				};
				struct apv_aqic_ctrl d = apv_aqic_ctrl_decode(apv_aqic_ctrl_encode(c));
				if (!aqic_equal(&c, &d))
					APV_TEST_FAIL("isc %u gf %u gisa %x", isc, gf, gisas[g]);
			}
}

/* ---- TAPQ hwinfo ---- */

TEST(hwinfo_reference_example_is_cex8a_4k_16_domains_qd7)
{
	struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(UINT64_C(0x6A8000000E100007));

	CHECK(!h.apsc);
	CHECK(h.mex4k);
	CHECK(h.crt4k);
	CHECK(!h.cca);
	CHECK(h.accel);
	CHECK(!h.ep11);
	CHECK(h.apxa);
	CHECK(!h.slcf);
	CHECK_EQ(h.class_, 0x80);
	CHECK_EQ(h.bs, 0);
	CHECK_EQ(h.at, APV_AT_CEX8);
	CHECK_STR(apv_ap_type_name(h.at), "CEX8");
	CHECK_EQ(h.nd, 16);
	CHECK_EQ(h.ml, 0);
	CHECK_EQ(h.qd, 7);
	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x6A8000000E100007);
}

TEST(hwinfo_flag_bits_0_to_7)
{
	struct apv_tapq_hwinfo h = {0};

	h.apsc = true;
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(0));
	h = (struct apv_tapq_hwinfo){.mex4k = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(1));
	h = (struct apv_tapq_hwinfo){.crt4k = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(2));
	h = (struct apv_tapq_hwinfo){.cca = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(3));
	h = (struct apv_tapq_hwinfo){.accel = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(4));
	h = (struct apv_tapq_hwinfo){.ep11 = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(5));
	h = (struct apv_tapq_hwinfo){.apxa = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(6));
	h = (struct apv_tapq_hwinfo){.slcf = true};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(7));
}

TEST(hwinfo_field_positions_and_widths)
{
	struct apv_tapq_hwinfo h = {.class_ = 0xFF};

	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x00FF000000000000);
	h = (struct apv_tapq_hwinfo){.bs = 3};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(16) | APV_BIT64(17));
	h = (struct apv_tapq_hwinfo){.at = 0xFF};
	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x00000000FF000000);
	h = (struct apv_tapq_hwinfo){.nd = 0xFF};
	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x0000000000FF0000);
	h = (struct apv_tapq_hwinfo){.ml = 0xF};
	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x0000000000000F00);
	h = (struct apv_tapq_hwinfo){.qd = 15};
	CHECK_U64(apv_tapq_hwinfo_encode(h), 0x000000000000000F);
	/* Over-wide values are cut to the field, never spilling into reserved bits. */
	h = (struct apv_tapq_hwinfo){.bs = 0xFF, .ml = 0xFF, .qd = 0xFF};
	CHECK_U64(apv_tapq_hwinfo_encode(h), APV_BIT64(16) | APV_BIT64(17) | 0xF0F);
}

TEST(hwinfo_all_fields_max_set_only_defined_bits)
{
	struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(~UINT64_C(0));

	CHECK_EQ(h.qd, 15);
	CHECK_EQ(h.ml, 15);
	CHECK_EQ(h.bs, 3);
	CHECK_EQ(h.at, 0xFF);
	CHECK_EQ(h.nd, 0xFF);
	CHECK_EQ(h.class_, 0xFF);
	uint64_t v = apv_tapq_hwinfo_encode(h);
	/* Reserved bits 18-31, 48-51 and 56-59 never appear. */
	CHECK_U64(v, 0xFFFFC000FFFF0F0F);
	/* The card mask drops only BS, which is per queue, not per card. */
	CHECK_U64(v & ~APV_HW_CARD_MASK, APV_BIT64(16) | APV_BIT64(17));
}

static bool hwinfo_equal(const struct apv_tapq_hwinfo *a, const struct apv_tapq_hwinfo *b)
{
	return a->apsc == b->apsc && a->mex4k == b->mex4k && a->crt4k == b->crt4k &&
	       a->cca == b->cca && a->accel == b->accel && a->ep11 == b->ep11 &&
	       a->apxa == b->apxa && a->slcf == b->slcf && a->class_ == b->class_ &&
	       a->bs == b->bs && a->at == b->at && a->nd == b->nd && a->ml == b->ml &&
	       a->qd == b->qd;
}

TEST(hwinfo_round_trip_every_type_and_depth)
{
	for (unsigned at = APV_AT_CEX4; at <= APV_AT_CEX8; at++)
		for (unsigned qd = 0; qd < 16; qd++) {
			struct apv_tapq_hwinfo h = {
				.accel = true, .mex4k = qd & 1, .crt4k = qd & 2, .apxa = qd & 4,
				.class_ = 0x80, .bs = (uint8_t)(qd & 3), .at = (uint8_t)at,
				.nd = (uint8_t)(qd * 16), .ml = (uint8_t)(15 - qd), .qd = (uint8_t)qd,
			};
			struct apv_tapq_hwinfo d = apv_tapq_hwinfo_decode(apv_tapq_hwinfo_encode(h));
			if (!hwinfo_equal(&h, &d))
				APV_TEST_FAIL("at %u qd %u", at, qd);
		}
}

TEST(ap_type_names_cex4_to_cex8_only)
{
	CHECK_STR(apv_ap_type_name(10), "CEX4");
	CHECK_STR(apv_ap_type_name(11), "CEX5");
	CHECK_STR(apv_ap_type_name(12), "CEX6");
	CHECK_STR(apv_ap_type_name(13), "CEX7");
	CHECK_STR(apv_ap_type_name(14), "CEX8");
	CHECK(apv_ap_type_name(0) == NULL);
	CHECK(apv_ap_type_name(9) == NULL);
	CHECK(apv_ap_type_name(15) == NULL);
	CHECK(apv_ap_type_name(0x10A) == NULL);
}

/* ---- names ---- */

TEST(fc_names_and_unknown_fc_is_null)
{
	CHECK_STR(apv_fc_name(APV_FC_TAPQ), "TAPQ");
	CHECK_STR(apv_fc_name(APV_FC_RAPQ), "RAPQ");
	CHECK_STR(apv_fc_name(APV_FC_ZAPQ), "ZAPQ");
	CHECK_STR(apv_fc_name(APV_FC_AQIC), "AQIC");
	CHECK_STR(apv_fc_name(APV_FC_QCI), "QCI");
	CHECK_STR(apv_fc_name(APV_FC_QACT), "QACT");
	CHECK_STR(apv_fc_name(APV_FC_QBAP), "QBAP");
	CHECK_STR(apv_fc_name(APV_FC_BAPQ), "BAPQ");
	CHECK_STR(apv_fc_name(APV_FC_AAPQ), "AAPQ");
	CHECK(apv_fc_name(9) == NULL);
	CHECK(apv_fc_name(42) == NULL);
	CHECK(apv_fc_name(0xFFFFFFFFu) == NULL);
}

TEST(pgm_names)
{
	CHECK_STR(apv_pgm_name(APV_PGM_OPERATION), "operation");
	CHECK_STR(apv_pgm_name(APV_PGM_PRIVILEGED_OP), "privileged-operation");
	CHECK_STR(apv_pgm_name(APV_PGM_SPECIFICATION), "specification");
	CHECK_STR(apv_pgm_name(0x05), "addressing");
	CHECK(apv_pgm_name(0x1234) == NULL);
}

TEST_MAIN
