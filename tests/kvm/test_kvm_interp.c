/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIE interpretation (APIE on): TAPQ/RAPQ/ZAPQ/QCI/NQAP/DQAP against the
 * guest's APCB, the guest's view of QCI, the architectural program
 * exceptions, and APIE off / no host AP instructions exiting everything.
 */
#include "kvm_fixture.h"

static const apv_apqn_t Q = 0x0102;  /* in the guest's APCB */
static const apv_apqn_t Q2 = 0x0506; /* in the guest's APCB */

static struct apv_result tapq(struct fx *f, apv_apqn_t q, bool t)
{
	return fx_pqap(f, apv_gr0_pqap(APV_FC_TAPQ, q, t, false), 0, 0);
}

static struct apv_result qci(struct fx *f, uint64_t addr)
{
	return fx_pqap(f, apv_gr0_pqap(APV_FC_QCI, 0, false, false), 0, addr);
}

static struct apv_result nqap(struct fx *f, apv_apqn_t q, uint64_t addr, uint64_t len)
{
	f->r->gr[0] = APV_GR0_NQAP_LAST | q;
	f->r->gr[4] = 0;
	f->r->gr[5] = 0x1234;
	f->r->gr[6] = addr;
	f->r->gr[7] = len;
	return apv_vcpu_execute(f->v, APV_OP_NQAP, 4, 6);
}

static struct apv_result dqap(struct fx *f, apv_apqn_t q, uint64_t addr, uint64_t len)
{
	f->r->gr[0] = APV_GR0_DQAP_FIRST | q;
	f->r->gr[8] = addr;
	f->r->gr[9] = len;
	return apv_vcpu_execute(f->v, APV_OP_DQAP, 4, 8);
}

static uint8_t rc_of(const struct fx *f)
{
	return apv_apqsw_get_rc(apv_apqsw_from_gr1(f->r->gr[1]));
}

/* Only adapter 1 and domain 2 in the guest's APCB. */
static void narrow_masks(struct fx *f)
{
	struct apv_mask apm = {{0}}, aqm = {{0}}, adm = {{0}};

	apv_mask_set(&apm, FX_AP1);
	apv_mask_set(&aqm, FX_DOM1);
	fx_set_masks(f, &apm, &aqm, &adm);
}

/* ---- masks -------------------------------------------------------------------------- */

TEST(interp_tapq_in_apcb_answered_by_hardware)
{
	struct fx f;
	struct apv_tapq_hwinfo hi;
	struct apv_vcpu_stats st;

	fx_init(&f);
	CHECK_DONE(tapq(&f, Q, true), 0);
	CHECK_EQ(rc_of(&f), APV_RC_NORMAL);
	CHECK_U64(f.r->gr[1] >> 32, 0);
	hi = apv_tapq_hwinfo_decode(f.r->gr[2]);
	CHECK_EQ(hi.at, APV_AT_CEX8);
	CHECK(hi.accel);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.interpreted, 1);
	CHECK_EQ(st.pqap_intercepts, 0);
	fx_fini(&f);
}

TEST(interp_apqn_outside_apcb_rc01_cc3)
{
	struct fx f;

	fx_init(&f);
	narrow_masks(&f);
	/* Queues that exist on the host but are not the guest's. */
	f.psw->cc = 0;
	f.r->gr[2] = 0x55;
	CHECK_DONE(tapq(&f, Q2, true), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	CHECK_U64(f.r->gr[2], 0);
	CHECK_EQ(f.psw->cc, 3);
	CHECK_DONE(tapq(&f, apv_apqn(FX_AP1, FX_DOM2), false), 3); /* domain not in AQM */
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	CHECK_DONE(tapq(&f, apv_apqn(FX_AP2, FX_DOM1), false), 3); /* adapter not in APM */
	CHECK_DONE(fx_pqap(&f, apv_gr0_pqap(APV_FC_RAPQ, Q2, false, false), 0, 0), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	CHECK_DONE(fx_pqap(&f, apv_gr0_pqap(APV_FC_ZAPQ, Q2, false, false), 0, 0), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	/* The guest's own queue still answers. */
	CHECK_DONE(tapq(&f, Q, false), 0);
	fx_fini(&f);
}

TEST(interp_empty_apcb_every_apqn_rc01)
{
	struct fx f;

	fx_init(&f);
	apv_vm_lock(f.vm);
	apv_vm_clear_masks(f.vm);
	apv_vm_unlock(f.vm);
	CHECK_DONE(tapq(&f, Q, false), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	fx_fini(&f);
}

TEST(interp_apqn_in_apcb_but_not_on_host_rc01_from_hardware)
{
	struct fx f;
	struct apv_mask apm = {{0}}, aqm = {{0}};

	fx_init(&f);
	apv_mask_set(&apm, 9);
	apv_mask_set(&aqm, 9);
	fx_set_masks(&f, &apm, &aqm, NULL);
	CHECK_DONE(tapq(&f, apv_apqn(9, 9), false), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	fx_fini(&f);
}

TEST(interp_mask_update_applies_to_next_instruction)
{
	struct fx f;
	struct apv_mask apm, aqm, adm;

	fx_init(&f);
	CHECK_DONE(tapq(&f, Q2, false), 0);
	narrow_masks(&f);
	CHECK_DONE(tapq(&f, Q2, false), 3);
	fx_masks(&apm, &aqm, &adm);
	fx_set_masks(&f, &apm, &aqm, &adm);
	CHECK_DONE(tapq(&f, Q2, false), 0);
	fx_fini(&f);
}

TEST(interp_format0_apcb0_holds_64_apids_16_domains)
{
	struct fx f;
	struct fx_opts o;
	struct apv_mask apm = {{0}}, aqm = {{0}}, adm = {{0}}, p, q, d;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3);
	fx_init_opts(&f, &o);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 0);
	apv_mask_set(&apm, FX_AP1);
	apv_mask_set(&apm, 63);
	apv_mask_set(&apm, 64);
	apv_mask_set(&apm, 255);
	apv_mask_set(&aqm, FX_DOM1);
	apv_mask_set(&aqm, 15);
	apv_mask_set(&aqm, 16);
	apv_mask_set(&adm, 15);
	apv_mask_set(&adm, 16);
	fx_set_masks(&f, &apm, &aqm, &adm);
	apv_vm_get_masks(f.vm, &p, &q, &d);
	CHECK(apv_mask_test(&p, 63));
	CHECK(!apv_mask_test(&p, 64));
	CHECK(!apv_mask_test(&p, 255));
	CHECK(apv_mask_test(&q, 15));
	CHECK(!apv_mask_test(&q, 16));
	CHECK(apv_mask_test(&d, 15));
	CHECK(!apv_mask_test(&d, 16));
	CHECK_EQ(apv_mask_weight(&p), 2);
	/* An APQN beyond the non-APXA range is a specification exception, not RC01. */
	CHECK_PGM(tapq(&f, apv_apqn(64, FX_DOM1), false), APV_PGM_SPECIFICATION);
	CHECK_PGM(tapq(&f, apv_apqn(FX_AP1, 16), false), APV_PGM_SPECIFICATION);
	CHECK_DONE(tapq(&f, Q, false), 0);
	fx_fini(&f);
}

TEST(interp_format2_apcb1_holds_256_ids)
{
	struct fx f;
	struct apv_mask apm = {{0}}, aqm = {{0}}, adm = {{0}}, p, q, d;

	fx_init(&f);
	CHECK_EQ(apv_vm_crycb_format(f.vm), 2);
	apv_mask_set(&apm, 255);
	apv_mask_set(&aqm, 200);
	apv_mask_set(&adm, 100);
	fx_set_masks(&f, &apm, &aqm, &adm);
	apv_vm_get_masks(f.vm, &p, &q, &d);
	CHECK(apv_mask_equal(&p, &apm));
	CHECK(apv_mask_equal(&q, &aqm));
	CHECK(apv_mask_equal(&d, &adm));
	/* In range for APXA; in the APCB but not on the host: the hardware's RC01. */
	CHECK_DONE(tapq(&f, apv_apqn(255, 200), false), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	fx_fini(&f);
}

/* ---- program exceptions ---------------------------------------------------------- */

TEST(interp_problem_state_privileged_operation_for_every_ap_instruction)
{
	struct fx f;

	fx_init(&f);
	f.psw->problem_state = true;
	CHECK_PGM(tapq(&f, Q, false), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(qci(&f, 0x2000), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(0x2A, 0, false, false), 0, 0), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(nqap(&f, Q, 0x3000, 64), APV_PGM_PRIVILEGED_OP);
	CHECK_PGM(dqap(&f, Q, 0x4000, 4096), APV_PGM_PRIVILEGED_OP);
	/* Privilege outranks the odd-register specification exception. */
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_NQAP, 3, 5), APV_PGM_PRIVILEGED_OP);
	fx_fini(&f);
}

TEST(interp_invalid_function_code_specification)
{
	struct fx f;
	const unsigned fcs[] = {APV_FC_QACT, 0x06, APV_FC_BAPQ, APV_FC_AAPQ, 0x09, 0x2A, 0xFF};

	fx_init(&f);
	for (unsigned i = 0; i < sizeof(fcs) / sizeof(fcs[0]); i++)
		CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(fcs[i], Q, false, false), 0, 0),
			  APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_gr0_reserved_bits_specification)
{
	struct fx f;

	fx_init(&f);
	for (unsigned bit = 41; bit <= 47; bit++)
		CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_TAPQ, Q, false, false) | APV_BIT64(bit),
				  0, 0),
			  APV_PGM_SPECIFICATION);
	for (unsigned bit = 42; bit <= 47; bit++)
		CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_RAPQ, Q, false, false) | APV_BIT64(bit),
				  0, 0),
			  APV_PGM_SPECIFICATION);
	/* Bit 41 is the F bit of RAPQ/ZAPQ. */
	CHECK_DONE(fx_pqap(&f, apv_gr0_pqap(APV_FC_ZAPQ, Q, false, true), 0, 0), 0);
	/* Reserved bits outrank the APCB: outside it is still a specification exception. */
	narrow_masks(&f);
	CHECK_PGM(fx_pqap(&f, apv_gr0_pqap(APV_FC_TAPQ, Q2, false, false) | APV_BIT64(44), 0, 0),
		  APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_t_bit_without_facility_15_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_APFT);
	fx_init_opts(&f, &o);
	CHECK_PGM(tapq(&f, Q, true), APV_PGM_SPECIFICATION);
	CHECK_DONE(tapq(&f, Q, false), 0);
	fx_fini(&f);
}

TEST(interp_qci_without_facility_12_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_QCI);
	fx_init_opts(&f, &o);
	CHECK(!apv_vm_has_facility(f.vm, APV_FAC_QCI));
	CHECK_PGM(qci(&f, 0x2000), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_qci_misaligned_block_specification)
{
	struct fx f;

	fx_init(&f);
	for (unsigned off = 1; off < 8; off++)
		CHECK_PGM(qci(&f, 0x2000 + off), APV_PGM_SPECIFICATION);
	CHECK_DONE(qci(&f, 0x2008), 0);
	fx_fini(&f);
}

TEST(interp_qci_block_outside_guest_memory_addressing)
{
	struct fx f;

	fx_init(&f);
	CHECK_PGM(qci(&f, FX_MEM), 0x05);
	CHECK_PGM(qci(&f, FX_MEM - 64), 0x05);
	fx_fini(&f);
}

TEST(interp_nqap_dqap_odd_registers_specification)
{
	struct fx f;

	fx_init(&f);
	f.r->gr[0] = Q;
	f.r->gr[7] = 64;
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_NQAP, 5, 6), APV_PGM_SPECIFICATION);
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_NQAP, 4, 7), APV_PGM_SPECIFICATION);
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_DQAP, 15, 6), APV_PGM_SPECIFICATION);
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_DQAP, 4, 16), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_nqap_dqap_zero_length_specification)
{
	struct fx f;

	fx_init(&f);
	CHECK_PGM(nqap(&f, Q, 0x3000, 0), APV_PGM_SPECIFICATION);
	CHECK_PGM(dqap(&f, Q, 0x4000, 0), APV_PGM_SPECIFICATION);
	/* Outside the APCB too: the exception comes before the APCB check. */
	narrow_masks(&f);
	CHECK_PGM(nqap(&f, Q2, 0x3000, 0), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_nqap_dqap_gr0_must_be_zero_bits_specification)
{
	struct fx f;

	fx_init(&f);
	f.r->gr[0] = APV_GR0_NQAP_LAST | APV_GR0_T | Q;
	f.r->gr[7] = 64;
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_NQAP, 4, 6), APV_PGM_SPECIFICATION);
	f.r->gr[0] = APV_GR0_DQAP_FIRST | APV_GR0_F | Q;
	f.r->gr[7] = 64;
	CHECK_PGM(apv_vcpu_execute(f.v, APV_OP_DQAP, 4, 6), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_nqap_dqap_apqn_beyond_63_15_without_apxa_specification)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3);
	fx_init_opts(&f, &o);
	CHECK_PGM(nqap(&f, apv_apqn(64, 2), 0x3000, 64), APV_PGM_SPECIFICATION);
	CHECK_PGM(dqap(&f, apv_apqn(1, 16), 0x4000, 64), APV_PGM_SPECIFICATION);
	fx_fini(&f);
}

TEST(interp_unknown_opcode_operation_exception)
{
	struct fx f;

	fx_init(&f);
	CHECK_PGM(apv_vcpu_execute(f.v, 0xB2AC, 0, 0), APV_PGM_OPERATION);
	fx_fini(&f);
}

/* ---- QCI guest view ---------------------------------------------------------------- */

TEST(interp_qci_format2_reports_guest_masks_host_na_nd_and_apxa)
{
	struct fx f;
	struct apv_qci q;
	struct apv_mask apm, aqm, adm;
	uint8_t block[APV_QCI_SIZE];

	fx_init(&f);
	narrow_masks(&f);
	f.psw->cc = 2;
	CHECK_DONE(qci(&f, 0x2000), 0);
	CHECK_EQ(f.psw->cc, 0);
	CHECK_EQ(apv_storage_read(apv_vm_storage(f.vm), 0x2000, block, sizeof(block)), 0);
	apv_qci_decode(block, &q);
	apv_vm_get_masks(f.vm, &apm, &aqm, &adm);
	CHECK(apv_mask_equal(&q.apm, &apm));
	CHECK(apv_mask_equal(&q.aqm, &aqm));
	CHECK(apv_mask_equal(&q.adm, &adm));
	/* The host has adapter 5; the guest's view does not. */
	CHECK(!apv_mask_test(&q.apm, FX_AP2));
	CHECK(q.flags & APV_QCI_N);
	CHECK_EQ(q.na, 255);
	CHECK_EQ(q.nd, 255);
	fx_fini(&f);
}

TEST(interp_qci_format0_and_1_na63_nd15_no_apxa_flag)
{
	for (int fmt = 0; fmt <= 1; fmt++) {
		struct fx f;
		struct fx_opts o;
		struct apv_qci q;
		uint8_t block[APV_QCI_SIZE];

		fx_opts_default(&o);
		if (fmt == 0) {
			apv_fac_clear(&o.vm.fac, APV_FAC_MSAX3);
		} else {
			o.hw.apxa = false;
			o.hw.na = 63;
			o.hw.nd = 15;
		}
		fx_init_opts(&f, &o);
		CHECK_EQ(apv_vm_crycb_format(f.vm), (unsigned)fmt);
		CHECK_DONE(qci(&f, 0x2000), 0);
		CHECK_EQ(apv_storage_read(apv_vm_storage(f.vm), 0x2000, block, sizeof(block)), 0);
		apv_qci_decode(block, &q);
		CHECK(!(q.flags & APV_QCI_N));
		CHECK_EQ(q.na, 63);
		CHECK_EQ(q.nd, 15);
		CHECK(apv_mask_test(&q.apm, FX_AP1));
		CHECK(apv_mask_test(&q.aqm, FX_DOM2));
		fx_fini(&f);
	}
}

/* ---- NQAP / DQAP through the hardware ---------------------------------------------- */

TEST(interp_nqap_dqap_roundtrip_uses_guest_storage)
{
	struct fx f;
	uint8_t *msg, *buf;
	struct apv_vcpu_stats st;

	fx_init(&f);
	msg = apv_vm_hva(f.vm, 0x3000);
	buf = apv_vm_hva(f.vm, 0x4000);
	REQUIRE(msg && buf);
	memset(msg, 0x5A, 64); /* not a valid request: the adapter answers with an error reply */
	CHECK_DONE(nqap(&f, Q, 0x3000, 64), 0);
	CHECK_EQ(rc_of(&f), APV_RC_NORMAL);
	/* No reply yet, then one after the adapter's time. */
	CHECK_DONE(dqap(&f, Q, 0x4000, 4096), 3);
	CHECK_EQ(rc_of(&f), APV_RC_NO_PENDING_REPLY);
	apv_clock_sleep(f.clk, APV_NSEC_PER_MSEC);
	CHECK_DONE(dqap(&f, Q, 0x4000, 4096), 0);
	CHECK_EQ(rc_of(&f), APV_RC_NORMAL);
	CHECK_U64(apv_psmid_from_pair(f.r, 4), 0x1234);
	CHECK_EQ(buf[1], 0x82); /* the error reply's type landed in guest memory */
	CHECK(f.r->gr[8] > 0x4000);
	apv_vcpu_stats(f.v, &st);
	CHECK_EQ(st.interpreted, 3);
	fx_fini(&f);
}

TEST(interp_nqap_dqap_outside_apcb_rc01_cc3)
{
	struct fx f;

	fx_init(&f);
	narrow_masks(&f);
	CHECK_DONE(nqap(&f, Q2, 0x3000, 64), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	CHECK_DONE(dqap(&f, Q2, 0x4000, 4096), 3);
	CHECK_EQ(rc_of(&f), APV_RC_Q_NOT_AVAIL);
	fx_fini(&f);
}

/* ---- no interpretation: exits ------------------------------------------------------ */

static void check_everything_exits(struct fx *f)
{
	struct apv_vcpu_stats st;

	f->psw->cc = 1;
	CHECK_EXIT(tapq(f, Q, false));
	CHECK_EXIT(fx_pqap(f, apv_gr0_pqap(APV_FC_RAPQ, Q, false, false), 0, 0));
	CHECK_EXIT(fx_pqap(f, apv_gr0_pqap(APV_FC_ZAPQ, Q, false, false), 0, 0));
	CHECK_EXIT(qci(f, 0x2001));
	CHECK_EXIT(fx_aqic(f, Q, 0x1000));
	CHECK_EXIT(fx_pqap(f, apv_gr0_pqap(0x2A, Q, false, false), 0, 0));
	CHECK_EXIT(nqap(f, Q, 0x3000, 0));
	CHECK_EXIT(dqap(f, Q, 0x4000, 64));
	f->psw->problem_state = true;
	CHECK_EXIT(tapq(f, Q, false));
	CHECK_EXIT(fx_aqic(f, Q, 0x1000));
	CHECK_EXIT(nqap(f, Q, 0x3000, 64));
	f->psw->problem_state = false;
	CHECK_EQ(f->psw->cc, 1);
	apv_vcpu_stats(f->v, &st);
	CHECK_EQ(st.exits, 11);
	CHECK_EQ(st.interpreted, 0);
	CHECK_EQ(st.pgm, 0);
}

TEST(interp_apie_off_every_ap_instruction_exits)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.apie = false;
	fx_init_opts(&f, &o);
	check_everything_exits(&f);
	fx_fini(&f);
}

TEST(interp_apie_disabled_again_every_ap_instruction_exits)
{
	struct fx f;

	fx_init(&f);
	CHECK(apv_vm_apie(f.vm));
	CHECK_EQ(apv_vm_set_apie(f.vm, false), 0);
	CHECK(!apv_vm_apie(f.vm));
	check_everything_exits(&f);
	fx_fini(&f);
}

TEST(interp_no_host_ap_instructions_every_ap_instruction_exits)
{
	struct fx f;

	fx_init(&f);
	apv_hw_set_installed(f.hw, false);
	check_everything_exits(&f);
	apv_hw_set_installed(f.hw, true);
	fx_fini(&f);
}

TEST(interp_apie_attribute_refused_without_host_ap_instructions)
{
	struct fx f;
	struct fx_opts o;

	fx_opts_default(&o);
	o.apie = false;
	fx_init_opts(&f, &o);
	apv_hw_set_installed(f.hw, false);
	CHECK_EQ(apv_vm_set_apie(f.vm, true), -EOPNOTSUPP);
	CHECK_EQ(apv_vm_set_apie(f.vm, false), -EOPNOTSUPP);
	CHECK(!apv_vm_apie(f.vm));
	apv_hw_set_installed(f.hw, true);
	CHECK_EQ(apv_vm_set_apie(f.vm, true), 0);
	CHECK(apv_vm_apie(f.vm));
	fx_fini(&f);
}

TEST_MAIN
