/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest model commands: boot the AP bus + accelerator driver model on a
 * vCPU, drive it, run RSA requests verified against OpenSSL, remove it;
 * and the expectations about what the guest saw.
 *
 * The guest's instructions go through a thin wrapper around its platform
 * so that `--trace` shows them like the scenario's own instructions.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tracing platform wrapper ------------------------------------------------------- */

struct gwrap {
	struct apv_guest_platform inner;
	struct apv_world *w;
	struct apv_wvm *vm;
	unsigned id;
};

static struct apv_result gw_execute(void *ctx, struct apv_regs *r, uint16_t op, unsigned r1,
				    unsigned r2)
{
	struct gwrap *g = ctx;
	if (g->w->opts->trace_mode == APV_TRACE_OFF)
		return g->inner.execute(g->inner.ctx, r, op, r1, r2);
	struct apv_insn_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.vm = g->vm;
	rec.vcpu = g->id;
	rec.opcode = op;
	rec.r1 = r1;
	rec.r2 = r2;
	rec.before = *r;
	if (g->vm->vcpu[g->id])
		rec.psw_before = *apv_vcpu_psw(g->vm->vcpu[g->id]);
	apv_trace_hold(g->w);
	rec.res = g->inner.execute(g->inner.ctx, r, op, r1, r2);
	rec.after = *r;
	if (g->vm->vcpu[g->id])
		rec.psw_after = *apv_vcpu_psw(g->vm->vcpu[g->id]);
	rec.valid = true;
	apv_trace_insn(g->w, &rec);
	return rec.res;
}

static bool gw_has_facility(void *ctx, unsigned nr)
{
	struct gwrap *g = ctx;
	return g->inner.has_facility(g->inner.ctx, nr);
}

static int gw_enable_isc(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	struct gwrap *g = ctx;
	return g->inner.enable_isc(g->inner.ctx, isc, fn, arg);
}

static void gw_release(void *ctx)
{
	struct gwrap *g = ctx;
	if (g->inner.release)
		g->inner.release(g->inner.ctx);
	free(g);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static struct apv_guest *need_guest(struct apv_world *w, const char *spec, struct apv_wvm **vmp,
				    unsigned *idp)
{
	struct apv_wvm *vm;
	unsigned id;
	if (!apv_x_need_vcpu(w, spec, &vm, &id))
		return NULL;
	if (!vm->guest[id]) {
		apv_w_fail(w, "vCPU '%s' runs no guest model (use 'guest boot %s' first)", spec,
			   spec);
		return NULL;
	}
	if (vmp)
		*vmp = vm;
	if (idp)
		*idp = id;
	return vm->guest[id];
}

/* ---- guest boot VCPU [at=A] [size=S] [useirq=on|off]
 * ---------------------------------------------- */

enum { GB_VCPU = 0, GB_AT, GB_SIZE, GB_IRQ };
static const struct apv_opt boot_opts[] = {
    {"at", APV_OPT_NUM, GB_AT, UINT64_MAX, NULL, "a guest address"},
    {"size", APV_OPT_SIZE, GB_SIZE, 0, NULL, NULL},
    {"useirq", APV_OPT_BOOL, GB_IRQ, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_boot(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, GB_VCPU) < 0)
		return -1;
	return apv_pc_opts(c, boot_opts);
}

static int exec_boot(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_wvm *vm;
	unsigned id;
	struct apv_vcpu *vc = apv_x_need_vcpu(w, v[GB_VCPU].s, &vm, &id);
	if (!vc)
		return -1;
	if (vm->guest[id])
		return apv_w_fail(w, "vCPU '%s' already runs a guest model", v[GB_VCPU].s);
	uint64_t at = v[GB_AT].kind ? v[GB_AT].u : 0x100000;
	uint64_t size = v[GB_SIZE].kind ? v[GB_SIZE].u : 0x10000;
	struct gwrap *g = calloc(1, sizeof(*g));
	if (!g)
		return apv_w_fail(w, "out of memory");
	int rc = apv_guest_platform_kvm(vc, at, size, &g->inner);
	if (rc) {
		free(g);
		apv_w_action(w, rc, "the guest platform (memory range)");
		return 0;
	}
	g->w = w;
	g->vm = vm;
	g->id = id;
	struct apv_guest_platform p = g->inner;
	p.execute = gw_execute;
	p.has_facility = gw_has_facility;
	p.enable_isc = gw_enable_isc;
	p.release = gw_release;
	p.ctx = g;
	struct apv_guest_config cfg;
	apv_guest_config_default(&cfg);
	if (v[GB_IRQ].kind)
		cfg.useirq = v[GB_IRQ].u;
	rc = apv_guest_new(&p, &cfg, &vm->guest[id]);
	if (rc) {
		vm->guest[id] = NULL;
		apv_w_action(w, rc, "the guest model");
		return 0;
	}
	apv_w_action(w, apv_guest_probe(vm->guest[id]), "probe");
	return 0;
}

/* ---- guest remove|rescan|poll VCPU ; guest run VCPU DUR
 * ------------------------------------------ */

static int exec_remove(struct apv_world *w, const struct apv_step *s)
{
	struct apv_guest *g = need_guest(w, s->v[0].s, NULL, NULL);
	if (!g)
		return -1;
	apv_w_action(w, apv_guest_remove(g), NULL);
	return 0;
}

static int exec_rescan(struct apv_world *w, const struct apv_step *s)
{
	struct apv_guest *g = need_guest(w, s->v[0].s, NULL, NULL);
	if (!g)
		return -1;
	apv_w_action(w, apv_guest_rescan(g), NULL);
	return 0;
}

static int exec_poll(struct apv_world *w, const struct apv_step *s)
{
	struct apv_guest *g = need_guest(w, s->v[0].s, NULL, NULL);
	if (!g)
		return -1;
	apv_guest_poll(g);
	return 0;
}

static int parse_run(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, 0) < 0 || apv_pc_dur(c, 1) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_run(struct apv_world *w, const struct apv_step *s)
{
	struct apv_guest *g = need_guest(w, s->v[0].s, NULL, NULL);
	if (!g)
		return -1;
	apv_guest_run(g, s->v[1].u);
	return 0;
}

/* ---- guest rsa VCPU me|crt BITS [count=N] [parallel=N] [queue=APQN] [timeout=DUR]
 * ---------------- */

enum { GR_VCPU = 0, GR_OP, GR_BITS, GR_COUNT, GR_PAR, GR_QUEUE, GR_TIMEOUT };
static const char *const rsa_ops[] = {"me", "crt", NULL};
static const struct apv_opt rsa_opts[] = {
    {"count", APV_OPT_NUM, GR_COUNT, 4096, NULL, "a number of requests"},
    {"parallel", APV_OPT_NUM, GR_PAR, 4096, NULL, "a number of requests in flight"},
    {"queue", APV_OPT_APQN, GR_QUEUE, 0, NULL, NULL},
    {"timeout", APV_OPT_DUR, GR_TIMEOUT, 0, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_rsa(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, GR_VCPU) < 0 || apv_pc_word(c, GR_OP, "RSA operation", rsa_ops) < 0 ||
	    apv_pc_num(c, GR_BITS, "a key size in bits (512-4096, a multiple of 16)", 4096) < 0)
		return -1;
	uint64_t bits = c->step->v[GR_BITS].u;
	if (bits < 512 || bits % 16)
		return apv_pc_fail(c, c->step->v[GR_BITS].tok,
				   "key size %" PRIu64
				   " is not supported (512-4096 bits, a multiple of 16)",
				   bits);
	if (apv_pc_opts(c, rsa_opts) < 0)
		return -1;
	if (c->step->v[GR_COUNT].kind && c->step->v[GR_COUNT].u == 0)
		return apv_pc_fail(c, c->step->v[GR_COUNT].tok, "count must be at least 1");
	return 0;
}

struct rsa_slot {
	struct apv_guest_req req;
	struct apv_ica_rsa_modexpo me;
	struct apv_ica_rsa_modexpo_crt crt;
	uint8_t *msg, *out;
	int submit_rc;
};

static int exec_rsa(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_val *v = s->v;
	struct apv_wvm *vm;
	unsigned id;
	struct apv_guest *g = need_guest(w, v[GR_VCPU].s, &vm, &id);
	if (!g)
		return -1;
	bool crt = v[GR_OP].u == 1;
	unsigned count = v[GR_COUNT].kind ? (unsigned)v[GR_COUNT].u : 1;
	unsigned par = v[GR_PAR].kind && v[GR_PAR].u ? (unsigned)v[GR_PAR].u : count;
	int target = v[GR_QUEUE].kind ? (int)v[GR_QUEUE].u : APV_GUEST_ANY_QUEUE;
	uint64_t timeout = v[GR_TIMEOUT].kind ? v[GR_TIMEOUT].u : 60 * APV_NSEC_PER_SEC;
	struct apv_rsa_key *k = apv_rsa_key_get(&w->keys, (unsigned)v[GR_BITS].u);
	if (!k)
		return apv_w_fail(w, "OpenSSL could not generate an RSA-%" PRIu64 " key",
				  v[GR_BITS].u);
	size_t L = apv_rsa_len(k);
	struct rsa_slot *sl = calloc(par, sizeof(*sl));
	uint8_t *bufs = calloc(par, 2 * L);
	if (!sl || !bufs) {
		free(sl);
		free(bufs);
		return apv_w_fail(w, "out of memory");
	}
	struct apv_wguest_stats *gs = &vm->gstats[id];
	int first_rc = 0;
	char why[200] = "";
	for (unsigned done = 0; done < count;) {
		unsigned n = count - done < par ? count - done : par;
		for (unsigned i = 0; i < n; i++) {
			struct rsa_slot *r = &sl[i];
			memset(&r->req, 0, sizeof(r->req));
			r->msg = bufs + 2 * L * i;
			r->out = r->msg + L;
			apv_rsa_random_msg(k, r->msg);
			memset(r->out, 0, L);
			if (crt) {
				apv_rsa_fill_crt(k, &r->crt, r->msg, r->out);
				r->submit_rc = apv_guest_submit_crt(g, &r->req, &r->crt, target);
			} else {
				apv_rsa_fill_me(k, &r->me, r->msg, r->out);
				r->submit_rc = apv_guest_submit_me(g, &r->req, &r->me, target);
			}
		}
		int wrc = apv_guest_wait(g, NULL, timeout);
		for (unsigned i = 0; i < n; i++) {
			struct rsa_slot *r = &sl[i];
			int rc = r->submit_rc;
			if (rc == 0)
				rc = apv_guest_req_done(g, &r->req) ? r->req.result : -ETIMEDOUT;
			if (rc == -ETIMEDOUT && apv_guest_req_done(g, &r->req) == false)
				apv_guest_cancel(g, &r->req);
			char q[16];
			if (rc) {
				gs->failed++;
				if (!first_rc) {
					first_rc = rc;
					snprintf(why, sizeof(why), "request %u%s%s", done + i + 1,
						 r->submit_rc ? " (submit)" : " on ",
						 r->submit_rc
						     ? ""
						     : apv_scn_apqn_str(r->req.apqn, q, sizeof(q)));
				}
			} else if (apv_rsa_verify(k, crt, r->msg, r->out)) {
				gs->verified++;
			} else {
				gs->mismatches++;
				if (!first_rc) {
					first_rc = -EIO;
					snprintf(
					    why, sizeof(why),
					    "request %u on %s: the result differs from OpenSSL's",
					    done + i + 1,
					    apv_scn_apqn_str(r->req.apqn, q, sizeof(q)));
				}
			}
		}
		(void)wrc;
		done += n;
	}
	free(sl);
	free(bufs);
	apv_w_action(w, first_rc, why);
	return 0;
}

/* ---- expect guest VCPU ... ; expect gqueue VCPU APQN ...
 * ------------------------------------------- */

enum {
	EG_VCPU = 0,
	EG_PROBED,
	EG_IRQ,
	EG_QCI,
	EG_QUEUES,
	EG_ONLINE,
	EG_REQS,
	EG_REPLIES,
	EG_INTS,
	EG_RESENDS,
	EG_FAILED,
	EG_PGM,
	EG_POLLS,
	EG_VERIFIED,
	EG_MISMATCH
};
static const struct apv_opt eg_opts[] = {
    {"probed", APV_OPT_BOOL, EG_PROBED, 0, NULL, NULL},
    {"irq", APV_OPT_BOOL, EG_IRQ, 0, NULL, NULL},
    {"qci", APV_OPT_BOOL, EG_QCI, 0, NULL, NULL},
    {"queues", APV_OPT_NUM, EG_QUEUES, UINT64_MAX, NULL, NULL},
    {"online", APV_OPT_NUM, EG_ONLINE, UINT64_MAX, NULL, NULL},
    {"requests", APV_OPT_NUM, EG_REQS, UINT64_MAX, NULL, NULL},
    {"replies", APV_OPT_NUM, EG_REPLIES, UINT64_MAX, NULL, NULL},
    {"interrupts", APV_OPT_NUM, EG_INTS, UINT64_MAX, NULL, NULL},
    {"resends", APV_OPT_NUM, EG_RESENDS, UINT64_MAX, NULL, NULL},
    {"failed", APV_OPT_NUM, EG_FAILED, UINT64_MAX, NULL, NULL},
    {"pgm", APV_OPT_NUM, EG_PGM, UINT64_MAX, NULL, NULL},
    {"polls", APV_OPT_NUM, EG_POLLS, UINT64_MAX, NULL, NULL},
    {"verified", APV_OPT_NUM, EG_VERIFIED, UINT64_MAX, NULL, NULL},
    {"mismatches", APV_OPT_NUM, EG_MISMATCH, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_eguest(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, EG_VCPU) < 0)
		return -1;
	return apv_x_parse_fields(c, eg_opts);
}

static int exec_eguest(struct apv_world *w, const struct apv_step *s)
{
	struct apv_wvm *vm;
	unsigned id;
	struct apv_guest *g = need_guest(w, s->v[EG_VCPU].s, &vm, &id);
	if (!g)
		return -1;
	struct apv_guest_info in;
	struct apv_guest_stats st;
	apv_guest_info(g, &in);
	apv_guest_stats(g, &st);
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[EG_PROBED] = in.probed;
	act[EG_IRQ] = in.irq;
	act[EG_QCI] = in.qci_used;
	act[EG_QUEUES] = in.queues;
	act[EG_ONLINE] = in.online;
	act[EG_REQS] = st.requests;
	act[EG_REPLIES] = st.replies;
	act[EG_INTS] = st.interrupts;
	act[EG_RESENDS] = st.resends;
	act[EG_FAILED] = st.failed;
	act[EG_PGM] = st.pgm;
	act[EG_POLLS] = st.polls;
	act[EG_VERIFIED] = vm->gstats[id].verified;
	act[EG_MISMATCH] = vm->gstats[id].mismatches;
	return apv_x_check_fields(w, s, eg_opts, act, m);
}

enum {
	EQ_VCPU = 0,
	EQ_APQN,
	EQ_STATE,
	EQ_IRQ,
	EQ_ONLINE,
	EQ_DRIVEN,
	EQ_REQS,
	EQ_REPLIES,
	EQ_IRQREPL,
	EQ_RESETS,
	EQ_AQIC,
	EQ_OUTST,
	EQ_RC,
	EQ_RESENDS
};
static const char *const qstates[] = {"uninitiated", "reset_start", "reset_wait", "setirq_wait",
				      "idle",	     "working",	    "queue_full", "error",
				      "removed",     NULL};
static const struct apv_opt eq_opts[] = {
    {"state", APV_OPT_ENUM, EQ_STATE, 0, qstates, NULL},
    {"irq", APV_OPT_BOOL, EQ_IRQ, 0, NULL, NULL},
    {"online", APV_OPT_BOOL, EQ_ONLINE, 0, NULL, NULL},
    {"driven", APV_OPT_BOOL, EQ_DRIVEN, 0, NULL, NULL},
    {"requests", APV_OPT_NUM, EQ_REQS, UINT64_MAX, NULL, NULL},
    {"replies", APV_OPT_NUM, EQ_REPLIES, UINT64_MAX, NULL, NULL},
    {"irq_replies", APV_OPT_NUM, EQ_IRQREPL, UINT64_MAX, NULL, NULL},
    {"resets", APV_OPT_NUM, EQ_RESETS, UINT64_MAX, NULL, NULL},
    {"aqic", APV_OPT_NUM, EQ_AQIC, UINT64_MAX, NULL, NULL},
    {"outstanding", APV_OPT_NUM, EQ_OUTST, UINT64_MAX, NULL, NULL},
    {"rc", APV_OPT_NUM, EQ_RC, 255, NULL, "a response code"},
    {"resends", APV_OPT_NUM, EQ_RESENDS, UINT64_MAX, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_gqueue(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, EQ_VCPU) < 0 || apv_pc_apqn(c, EQ_APQN) < 0)
		return -1;
	return apv_x_parse_fields(c, eq_opts);
}

static int exec_gqueue(struct apv_world *w, const struct apv_step *s)
{
	struct apv_guest *g = need_guest(w, s->v[EQ_VCPU].s, NULL, NULL);
	if (!g)
		return -1;
	struct apv_guest_queue_info q;
	if (apv_guest_queue_find(g, (apv_apqn_t)s->v[EQ_APQN].u, &q) < 0) {
		char a[16];
		return apv_w_fail(w, "the guest on %s has no queue %s", s->v[EQ_VCPU].s,
				  apv_scn_apqn_str((apv_apqn_t)s->v[EQ_APQN].u, a, sizeof(a)));
	}
	uint64_t act[APV_SCN_MAXARGS] = {0};
	struct apv_mask m[APV_SCN_MAXARGS];
	act[EQ_STATE] = q.state;
	act[EQ_IRQ] = q.irq;
	act[EQ_ONLINE] = q.online;
	act[EQ_DRIVEN] = q.driven;
	act[EQ_REQS] = q.stats.requests;
	act[EQ_REPLIES] = q.stats.replies;
	act[EQ_IRQREPL] = q.stats.irq_replies;
	act[EQ_RESETS] = q.stats.resets;
	act[EQ_AQIC] = q.stats.aqic;
	act[EQ_OUTST] = q.outstanding;
	act[EQ_RC] = q.last_rc;
	act[EQ_RESENDS] = q.stats.resends;
	return apv_x_check_fields(w, s, eq_opts, act, m);
}

const struct apv_cmd apv_scn_cmds_guest[] = {
    {"guest", "boot", "guest boot VCPU [at=ADDR] [size=SIZE] [useirq=on|off]",
     "start the guest AP bus + driver model on a vCPU and probe", parse_boot, exec_boot,
     APV_CMD_ACTION},
    {"guest", "remove", "guest remove VCPU", "the guest removes its queues (ZAPQ)",
     apv_pc_args_vcpu, exec_remove, APV_CMD_ACTION},
    {"guest", "rescan", "guest rescan VCPU", "the guest's AP bus rescans", apv_pc_args_vcpu,
     exec_rescan, APV_CMD_ACTION},
    {"guest", "poll", "guest poll VCPU", "one driver pass without waiting", apv_pc_args_vcpu,
     exec_poll, 0},
    {"guest", "run", "guest run VCPU DURATION", "let time pass while the guest drives", parse_run,
     exec_run, 0},
    {"guest", "rsa", "guest rsa VCPU me|crt BITS [count=N] [parallel=N] [queue=APQN] [timeout=DUR]",
     "RSA requests through NQAP/DQAP, each result checked against OpenSSL", parse_rsa, exec_rsa,
     APV_CMD_ACTION},
    {"expect", "guest",
     "expect guest VCPU [probed|irq|qci=on|off] "
     "[queues|online|requests|replies|interrupts|resends|failed|pgm|polls|verified|mismatches=N]",
     "what the guest model saw", parse_eguest, exec_eguest, 0},
    {"expect", "gqueue",
     "expect gqueue VCPU APQN [state=S] [irq|online|driven=on|off] "
     "[requests|replies|irq_replies|resets|aqic|outstanding|resends|rc=N]",
     "one queue as the guest model sees it", parse_gqueue, exec_gqueue, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
