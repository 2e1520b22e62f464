/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AP instructions as the driver issues them, through the platform's
 * register set. Register pairs follow the old fixed encodings
 * (NQAP 4,2 and DQAP 6,4) so that a trace reads like the kernel's.
 * Callers hold g->lock.
 */
#include "guest_internal.h"

enum {
	NQAP_R1 = 4, /* PSMID pair */
	NQAP_R2 = 2, /* message address / length */
	DQAP_R1 = 6, /* PSMID pair (out) */
	DQAP_R2 = 4, /* buffer address / length */
	/* Partial completions are re-driven; a platform that never finishes is cut off. */
	MAX_PARTIAL = 64,
};

static struct insn_out run(struct apv_guest *g, uint16_t op, unsigned r1, unsigned r2)
{
	struct insn_out o = {0};
	struct apv_result res = g->p.execute(g->p.ctx, &g->regs, op, r1, r2);

	switch (op) {
	case APV_OP_PQAP:
		g->st.pqap++;
		break;
	case APV_OP_NQAP:
		g->st.nqap++;
		break;
	default:
		g->st.dqap++;
		break;
	}
	if (res.kind != APV_RES_DONE) {
		/* An exit nobody handles looks like a missing instruction to the guest. */
		o.pgm = true;
		o.pgm_code = res.kind == APV_RES_PGM ? res.pgm : APV_PGM_OPERATION;
		g->st.pgm++;
		return o;
	}
	o.cc = res.cc;
	o.apqsw = apv_apqsw_from_gr1(g->regs.gr[1]);
	o.s = apv_apqsw_decode(o.apqsw);
	return o;
}

struct insn_out gi_pqap(struct apv_guest *g, unsigned fc, apv_apqn_t apqn, bool t, uint64_t gr1,
			uint64_t gr2, uint64_t *gr2_out)
{
	struct insn_out o;

	g->regs.gr[0] = apv_gr0_pqap(fc, apqn, t, false);
	g->regs.gr[1] = gr1;
	g->regs.gr[2] = gr2;
	o = run(g, APV_OP_PQAP, 0, 0);
	if (gr2_out)
		*gr2_out = o.pgm ? 0 : g->regs.gr[2];
	return o;
}

struct insn_out gi_tapq(struct apv_guest *g, apv_apqn_t apqn, uint64_t *hwinfo)
{
	return gi_pqap(g, APV_FC_TAPQ, apqn, g->fac_apft, 0, 0, hwinfo);
}

struct insn_out gi_nqap(struct apv_guest *g, apv_apqn_t apqn, uint64_t psmid, uint64_t addr,
			uint32_t len)
{
	struct insn_out o;
	struct apv_regs *r = &g->regs;

	r->gr[0] = APV_GR0_NQAP_LAST | apqn;
	r->gr[1] = 0;
	apv_psmid_to_pair(r, NQAP_R1, psmid);
	r->gr[NQAP_R2] = addr;
	r->gr[NQAP_R2 + 1] = len;
	for (int i = 0;; i++) {
		o = run(g, APV_OP_NQAP, NQAP_R1, NQAP_R2);
		/* CC 2: a segment boundary; the R2 pair has been advanced. */
		if (o.pgm || o.cc != 2 || i == MAX_PARTIAL)
			break;
	}
	return o;
}

struct insn_out gi_dqap(struct apv_guest *g, apv_apqn_t apqn, bool cont, uint32_t buflen,
			uint64_t *psmid, uint32_t *len, uint64_t *residual)
{
	struct insn_out o;
	struct apv_regs *r = &g->regs;

	/* Continuing a reply that did not fit: GR0 as the last DQAP left it. */
	if (!cont)
		r->gr[0] = APV_GR0_DQAP_FIRST | apqn;
	r->gr[1] = 0;
	r->gr[2] = 0;
	apv_psmid_to_pair(r, DQAP_R1, 0);
	r->gr[DQAP_R2] = g->rep_addr;
	r->gr[DQAP_R2 + 1] = buflen;
	for (int i = 0;; i++) {
		o = run(g, APV_OP_DQAP, DQAP_R1, DQAP_R2);
		/* CC 1/2: stored in part; GR0 and the R2 pair say where to go on. */
		if (o.pgm || (o.cc != 1 && o.cc != 2) || !(r->gr[DQAP_R2 + 1] & 0xFFFFFFFFu) ||
		    i == MAX_PARTIAL)
			break;
	}
	if (o.pgm) {
		*psmid = 0;
		*len = 0;
		*residual = 0;
		return o;
	}
	*psmid = apv_psmid_from_pair(r, DQAP_R1);
	uint64_t left = r->gr[DQAP_R2 + 1] & 0xFFFFFFFFu;
	*len = left <= buflen ? buflen - (uint32_t)left : 0;
	*residual = r->gr[2];
	return o;
}
