/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PQAP: TAPQ, RAPQ, ZAPQ, AQIC and QCI, one function each, behind the
 * architectural checks every PQAP makes first.
 *
 * Check order (program exceptions before any queue is looked at):
 *   AP instructions not installed        -> operation exception
 *   function code unknown or not offered -> specification (QACT, BAPQ, AAPQ
 *                                           and QCI/AQIC without facility)
 *   GR0 bits 41-47 not zero (bit 41 is F for RAPQ/ZAPQ) -> specification
 *   T bit without APFT                   -> specification
 *   APID > 63 or APQI > 15 without APXA  -> specification
 * then, per queue, the response codes of hw_queue_gate() and the function.
 * The condition code is 0 for RC 00 and 3 for any other RC.
 */
#include <string.h>

#include "hw_internal.h"

static struct apv_result set_apqsw(struct apv_regs *r, uint32_t apqsw)
{
	r->gr[1] = apv_gr1_from_apqsw(apqsw);
	return apv_done(apv_apqsw_get_rc(apqsw) ? 3 : 0);
}

/* True when the function code takes an APQN in GR0. */
static bool fc_has_apqn(unsigned fc)
{
	return fc == APV_FC_TAPQ || fc == APV_FC_RAPQ || fc == APV_FC_ZAPQ || fc == APV_FC_AQIC;
}

static bool fc_offered(const struct apv_hw *hw, unsigned fc)
{
	switch (fc) {
	case APV_FC_TAPQ:
	case APV_FC_RAPQ:
	case APV_FC_ZAPQ:
		return true;
	case APV_FC_AQIC:
		return hw->cfg.aqic;
	case APV_FC_QCI:
		return hw->cfg.qci;
	default:
		/* QACT is not offered (QCI C bit off); BAPQ/AAPQ need Secure Execution. */
		return false;
	}
}

/* Program exception code for GR0, or 0 when the PQAP may proceed. */
static unsigned pqap_check(const struct apv_hw *hw, uint64_t gr0)
{
	unsigned fc = apv_gr0_fc(gr0);
	uint64_t reserved = APV_GR0_RESERVED_41_47;

	if (!fc_offered(hw, fc))
		return APV_PGM_SPECIFICATION;
	if (fc == APV_FC_RAPQ || fc == APV_FC_ZAPQ)
		reserved &= ~APV_GR0_F;
	if (gr0 & reserved)
		return APV_PGM_SPECIFICATION;
	if (apv_gr0_t(gr0) && !hw->cfg.apft)
		return APV_PGM_SPECIFICATION;
	if (fc_has_apqn(fc) && !hw->cfg.apxa && apv_apqn_needs_apxa(apv_gr0_apqn(gr0)))
		return APV_PGM_SPECIFICATION;
	return 0;
}

static uint64_t tapq_hwinfo(const struct apv_hw *hw, const struct hw_adapter *ad)
{
	const struct apv_adapter_config *a = &ad->cfg;
	struct apv_tapq_hwinfo h = {
	    .mex4k = a->mex4k,
	    .crt4k = a->crt4k,
	    .accel = a->mode == APV_MODE_ACCEL,
	    .cca = a->mode == APV_MODE_CCA,
	    .ep11 = a->mode == APV_MODE_EP11,
	    .apsc = a->mode != APV_MODE_ACCEL, /* special commands: coprocessors only */
	    .apxa = hw->cfg.apxa,
	    .class_ = 0x80, /* full function */
	    .at = a->at,
	    .nd = a->nd,
	    .ml = a->ml,
	    .qd = a->qd,
	};
	return apv_tapq_hwinfo_encode(h);
}

/* TAPQ: the queue's status; with T, the adapter's facilities in GR2. */
static struct apv_result tapq(struct apv_hw *hw, struct apv_regs *r, struct hw_queue *q)
{
	bool t = apv_gr0_t(r->gr[0]);
	uint32_t apqsw;
	uint8_t rc;

	apv_mutex_lock(&q->lock);
	rc = hw_queue_gate(q, false);
	apqsw = hw_queue_status(q, rc);
	apv_mutex_unlock(&q->lock);
	/*
	 * Without T, GR2 carries nothing defined here; it is cleared. With T,
	 * an adapter that exists tells its facilities whatever its state:
	 * Linux's AP bus reads the type of a deconfigured or checkstopped
	 * adapter from them, to keep its card device (offline) instead of
	 * dropping it as unusable.
	 */
	r->gr[2] = 0;
	if (t && rc != APV_RC_Q_NOT_AVAIL)
		r->gr[2] = tapq_hwinfo(hw, q->ad);
	return set_apqsw(r, apqsw);
}

/* The common part of RAPQ and ZAPQ: start the asynchronous reset. */
static struct apv_result reset_queue(struct apv_regs *r, struct hw_queue *q)
{
	uint32_t apqsw;
	uint8_t rc;

	apv_mutex_lock(&q->lock);
	rc = hw_queue_gate(q, true);
	if (rc == APV_RC_NORMAL)
		hw_queue_reset(q, true);
	apqsw = hw_queue_status(q, rc);
	apv_mutex_unlock(&q->lock);
	return set_apqsw(r, apqsw);
}

/* RAPQ: reset the queue. The F bit (Secure Execution) has no effect here. */
static struct apv_result rapq(struct apv_regs *r, struct hw_queue *q)
{
	return reset_queue(r, q);
}

/* ZAPQ: reset and zeroize; with no key material in the model, zeroizing adds nothing. */
static struct apv_result zapq(struct apv_regs *r, struct hw_queue *q)
{
	return reset_queue(r, q);
}

/*
 * A NIB must be backed and writable. The probe writes back the byte it
 * read, so it changes nothing unless the owner stores to it in between.
 */
static bool nib_usable(const struct apv_storage *st, uint64_t nib)
{
	uint8_t b;

	if (!nib || !st || !st->read || !st->write)
		return false;
	if (apv_storage_read(st, nib, &b, 1))
		return false;
	return apv_storage_write(st, nib, &b, 1) == 0;
}

/* An injected AQIC answer, consumed; 0 when none is pending. */
static uint8_t aqic_forced_rc(struct hw_queue *q)
{
	if (q->f_aqic_rc07_sticky)
		return APV_RC_OTHERWISE_CHANGED;
	if (q->f_aqic_rc07) {
		q->f_aqic_rc07--;
		return APV_RC_OTHERWISE_CHANGED;
	}
	if (q->f_aqic_rc_sticky)
		return q->f_aqic_rc;
	if (q->f_aqic_rc_count) {
		q->f_aqic_rc_count--;
		return q->f_aqic_rc;
	}
	return 0;
}

/*
 * AQIC: ask for the I bit to be turned on (with a NIB) or off. The change
 * takes effect irq_ns later. RC07 when it conflicts with the current state
 * or with a change still in progress: enabling while enabled or enabling,
 * disabling while disabled or disabling.
 */
static struct apv_result aqic(struct apv_regs *r, struct hw_queue *q, const struct apv_storage *st)
{
	struct apv_aqic_ctrl ctrl = apv_aqic_ctrl_decode(r->gr[1]);
	uint64_t nib = r->gr[2];
	uint32_t apqsw;
	uint8_t rc;

	apv_mutex_lock(&q->lock);
	q->st_aqic++;
	hw_queue_catch_up(q);
	rc = aqic_forced_rc(q);
	if (!rc)
		rc = hw_queue_gate(q, false);
	if (rc == APV_RC_NORMAL && ctrl.ir) {
		if (!nib_usable(st, nib)) {
			rc = APV_RC_INVALID_ADDRESS;
		} else if (q->irq_change != IRQ_STEADY || q->irq_on) {
			rc = APV_RC_OTHERWISE_CHANGED;
		} else {
			q->nib_st = *st;
			q->nib = nib;
			q->isc = ctrl.isc;
			q->gisa_valid = ctrl.gisa != 0;
			q->gisa = ctrl.gisa;
			q->gisc = ctrl.gisc;
			q->gf = ctrl.gf;
			hw_queue_irq_change(q, IRQ_ENABLING);
		}
	} else if (rc == APV_RC_NORMAL) {
		if (q->irq_change != IRQ_STEADY || !q->irq_on)
			rc = APV_RC_OTHERWISE_CHANGED;
		else
			hw_queue_irq_change(q, IRQ_DISABLING);
	}
	apqsw = hw_queue_status(q, rc);
	apv_mutex_unlock(&q->lock);
	return set_apqsw(r, apqsw);
}

/* QCI: store the 128-byte configuration block at GR2. */
static struct apv_result qci(struct apv_hw *hw, struct apv_regs *r, const struct apv_storage *st)
{
	uint8_t block[APV_QCI_SIZE];
	struct apv_qci info;
	uint64_t addr = r->gr[2];

	if (addr & 7)
		return apv_pgm(APV_PGM_SPECIFICATION);
	apv_hw_qci(hw, &info);
	apv_qci_encode(&info, block);
	if (!st || !st->write || apv_storage_write(st, addr, block, sizeof(block)))
		return apv_pgm(HW_PGM_ADDRESSING);
	return apv_done(0);
}

struct apv_result apv_hw_pqap(struct apv_hw *hw, struct apv_regs *r, const struct apv_storage *st)
{
	uint64_t gr0;
	unsigned fc;
	struct hw_queue *q;
	unsigned pgm;

	/* No machine or no registers: as if the instruction were not installed. */
	if (!r || !apv_hw_installed(hw))
		return apv_pgm(APV_PGM_OPERATION);
	gr0 = r->gr[0];
	fc = apv_gr0_fc(gr0);
	pgm = pqap_check(hw, gr0);
	if (pgm)
		return apv_pgm(pgm);
	if (fc == APV_FC_QCI)
		return qci(hw, r, st);

	q = hw_queue_find(hw, apv_gr0_apqn(gr0));
	if (!q) {
		if (fc == APV_FC_TAPQ)
			r->gr[2] = 0;
		return set_apqsw(r, apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	}
	switch (fc) {
	case APV_FC_TAPQ:
		return tapq(hw, r, q);
	case APV_FC_RAPQ:
		return rapq(r, q);
	case APV_FC_ZAPQ:
		return zapq(r, q);
	default: /* APV_FC_AQIC: pqap_check admits nothing else */
		return aqic(r, q, st);
	}
}

/* ---- wrappers for layers that issue PQAP on the host ---------------------- */

/*
 * A program exception has no status word; the wrappers report it as RC01,
 * which is what such a caller does with an unusable APQN anyway.
 */
static uint32_t pqap_status(struct apv_hw *hw, struct apv_regs *r, const struct apv_storage *st)
{
	struct apv_hw_host_insn in = {
		.fc = apv_gr0_fc(r->gr[0]),
		.apqn = apv_gr0_apqn(r->gr[0]),
		.gr1_in = r->gr[1],
		.gr2_in = r->gr[2],
	};
	struct apv_result res = apv_hw_pqap(hw, r, st);

	if (!hw)
		return apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	if (res.kind != APV_RES_DONE) {
		r->gr[2] = 0;
		in.apqsw = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	} else {
		in.apqsw = apv_apqsw_from_gr1(r->gr[1]);
	}
	if (hw->insn_fn) {
		in.gr2_out = in.fc == APV_FC_TAPQ ? r->gr[2] : 0;
		in.time_ns = apv_clock_now(hw->clock);
		hw->insn_fn(hw->insn_ctx, &in);
	}
	return in.apqsw;
}

void apv_hw_set_insn_observer(struct apv_hw *hw, apv_hw_insn_fn fn, void *ctx)
{
	if (!hw)
		return;
	hw->insn_fn = fn;
	hw->insn_ctx = ctx;
}

uint32_t apv_hw_tapq(struct apv_hw *hw, apv_apqn_t apqn, bool t, uint64_t *gr2)
{
	struct apv_regs r = {0};
	uint32_t apqsw;

	r.gr[0] = apv_gr0_pqap(APV_FC_TAPQ, apqn, t, false);
	apqsw = pqap_status(hw, &r, NULL);
	if (gr2)
		*gr2 = r.gr[2];
	return apqsw;
}

uint32_t apv_hw_zapq(struct apv_hw *hw, apv_apqn_t apqn)
{
	struct apv_regs r = {0};

	r.gr[0] = apv_gr0_pqap(APV_FC_ZAPQ, apqn, false, false);
	return pqap_status(hw, &r, NULL);
}

uint32_t apv_hw_rapq(struct apv_hw *hw, apv_apqn_t apqn)
{
	struct apv_regs r = {0};

	r.gr[0] = apv_gr0_pqap(APV_FC_RAPQ, apqn, false, false);
	return pqap_status(hw, &r, NULL);
}

uint32_t apv_hw_aqic(struct apv_hw *hw, apv_apqn_t apqn, struct apv_aqic_ctrl ctrl, uint64_t nib,
		     const struct apv_storage *st)
{
	struct apv_regs r = {0};

	r.gr[0] = apv_gr0_pqap(APV_FC_AQIC, apqn, false, false);
	r.gr[1] = apv_aqic_ctrl_encode(ctrl);
	r.gr[2] = nib;
	return pqap_status(hw, &r, st);
}
