/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `expect` lines about the last instruction (cc, rc, status, pgm, exit,
 * registers), the last administrator action (error), and the state of
 * the stack (vfio_ap matrices and queues, the VM's masks and hook, pins,
 * ISC registrations, interrupts, the resource balance). Each failure
 * names the line, the expected and the actual value.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- shared helpers ------------------------------------------------------------------- */

const struct apv_insn_record *apv_x_need_insn(struct apv_world *w)
{
	if (!w->last.valid) {
		apv_w_fail(w, "'%s': no instruction has run yet", w->cur->st.src);
		return NULL;
	}
	return &w->last;
}

struct apv_wvm *apv_x_need_vm(struct apv_world *w, const char *name)
{
	struct apv_wvm *vm = apv_world_vm(w, name);
	if (!vm || !vm->vm) {
		apv_w_fail(w, "VM '%s' does not exist (its creation failed, or it was destroyed)",
			   name);
		return NULL;
	}
	return vm;
}

struct apv_wmdev *apv_x_need_mdev(struct apv_world *w, const char *name)
{
	struct apv_wmdev *wm = apv_world_mdev(w, name);
	if (!wm || !wm->mdev) {
		apv_w_fail(w, "mdev '%s' does not exist (its create failed, or it was removed)",
			   name);
		return NULL;
	}
	return wm;
}

struct apv_vcpu *apv_x_need_vcpu(struct apv_world *w, const char *spec, struct apv_wvm **vm,
				 unsigned *id)
{
	struct apv_vcpu *v = apv_world_vcpu(w, spec, vm, id);
	if (!v)
		apv_w_fail(w, "vCPU '%s' does not exist", spec);
	return v;
}

/* Format one field value the way the script wrote its expectation. */
static void fmt_field(const struct apv_opt *o, const struct apv_val *given, uint64_t u,
		      const struct apv_mask *m, char *buf, size_t len)
{
	switch (o->type) {
	case APV_OPT_BOOL: {
		const char *t = given && given->tok ? given->tok->text : "on";
		bool yn = !strcmp(t, "yes") || !strcmp(t, "no");
		snprintf(buf, len, "%s", u ? (yn ? "yes" : "on") : (yn ? "no" : "off"));
		return;
	}
	case APV_OPT_ENUM:
		snprintf(buf, len, "%s", o->choices[u]);
		return;
	case APV_OPT_IDS:
		apv_scn_ids_str(m, buf, len);
		return;
	case APV_OPT_DUR:
		apv_scn_dur_str(u, buf, len);
		return;
	default:
		if (given && given->tok && !strncasecmp(given->tok->text, "0x", 2))
			snprintf(buf, len, "0x%" PRIx64, u);
		else
			snprintf(buf, len, "%" PRIu64, u);
		return;
	}
}

int apv_x_check_fields(struct apv_world *w, const struct apv_step *s, const struct apv_opt *opts,
		       const uint64_t *act, const struct apv_mask *actm)
{
	char exp[1024] = "", got[1024] = "";
	size_t ne = 0, ng = 0;
	bool bad = false;
	for (int i = 0; opts[i].name; i++) {
		const struct apv_opt *o = &opts[i];
		const struct apv_val *v = &s->v[o->idx];
		if (!v->kind)
			continue;
		static const char *const ops[] = {"=", ">=", "<=", "!="};
		bool eq;
		uint64_t x0 = act[o->idx];
		switch (v->cmp) {
		case APV_CMP_GE:
			eq = x0 >= v->u;
			break;
		case APV_CMP_LE:
			eq = x0 <= v->u;
			break;
		case APV_CMP_NE:
			eq = x0 != v->u;
			break;
		default:
			eq = o->type == APV_OPT_IDS ? apv_mask_equal(&v->m, &actm[o->idx])
						    : v->u == x0;
		}
		bad |= !eq;
		char a[320], b[320];
		fmt_field(o, v, v->u, &v->m, a, sizeof(a));
		fmt_field(o, v, act[o->idx], &actm[o->idx], b, sizeof(b));
		int x = snprintf(exp + ne, sizeof(exp) - ne, "%s%s%s%s", ne ? " " : "", o->name,
				 ops[v->cmp], a);
		int y = snprintf(got + ng, sizeof(got) - ng, "%s%s=%s%s", ng ? " " : "", o->name, b,
				 eq ? "" : " (!)");
		if (x > 0 && (size_t)x < sizeof(exp) - ne)
			ne += (size_t)x;
		if (y > 0 && (size_t)y < sizeof(got) - ng)
			ng += (size_t)y;
	}
	return bad ? apv_w_expect_fail(w, exp, got) : 0;
}

int apv_x_parse_fields(struct apv_pcur *c, const struct apv_opt *opts)
{
	if (apv_pc_opts_cmp(c, opts) < 0)
		return -1;
	for (int i = 0; opts[i].name; i++)
		if (c->step->v[opts[i].idx].kind)
			return 0;
	char list[512];
	size_t n = 0;
	for (int i = 0; opts[i].name; i++) {
		int k = snprintf(list + n, sizeof(list) - n, "%s%s=", i ? ", " : "", opts[i].name);
		if (k > 0 && (size_t)k < sizeof(list) - n)
			n += (size_t)k;
	}
	return apv_pc_fail(c, NULL, "'expect %s' needs at least one of: %s", c->step->cmd->sub,
			   list);
}

/* ---- expect error ERRNO --------------------------------------------------------------------- */

static int parse_error(struct apv_pcur *c)
{
	const char *what = "an error code (like -EADDRINUSE, or 0)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	int e;
	if (apv_scn_parse_errno(t->text, &e) < 0)
		return apv_pc_fail(c, t, "expected %s after 'error', got '%s'", what, t->text);
	c->step->v[0] = (struct apv_val){.kind = APV_V_NUM, .u = (uint64_t)(int64_t)e, .tok = t};
	return apv_pc_end(c);
}

static int exec_error(struct apv_world *w, const struct apv_step *s)
{
	if (!w->have_action)
		return apv_w_fail(w, "'%s': no administrator action has run yet", s->st.src);
	int want = (int)(int64_t)s->v[0].u;
	if (w->action_rc == want)
		return 0;
	char a[128], b[400];
	apv_scn_errno_str(want, a, sizeof(a));
	apv_scn_errno_str(w->action_rc, b, sizeof(b));
	if (w->action_why[0]) {
		size_t n = strlen(b);
		snprintf(b + n, sizeof(b) - n, ": %s", w->action_why);
	}
	size_t n = strlen(b);
	snprintf(b + n, sizeof(b) - n, "  [from '%s' at line %u]", w->action_step->st.src,
		 w->action_step->st.line);
	return apv_w_expect_fail(w, a, b);
}

/* ---- expect cc / rc / status / pgm / exit / done
 * ------------------------------------------------- */

static void result_str(const struct apv_insn_record *r, char *buf, size_t len)
{
	char st[64];
	switch (r->res.kind) {
	case APV_RES_DONE:
		snprintf(buf, len, "cc %u, GR1 0x%016" PRIx64 " (%s)", r->res.cc, r->after.gr[1],
			 apv_apqsw_format(apv_apqsw_from_gr1(r->after.gr[1]), st, sizeof(st)));
		return;
	case APV_RES_PGM:
		snprintf(buf, len, "program exception 0x%02x (%s)", r->res.pgm,
			 apv_scn_pgm_name(r->res.pgm));
		return;
	case APV_RES_EXIT:
		snprintf(buf, len, "exit to user space");
		return;
	}
}

/* The instruction must have completed for cc/rc/status to mean anything. */
static const struct apv_insn_record *need_done(struct apv_world *w, const char *expected)
{
	const struct apv_insn_record *r = apv_x_need_insn(w);
	if (!r)
		return NULL;
	if (r->res.kind != APV_RES_DONE) {
		char got[256];
		result_str(r, got, sizeof(got));
		apv_w_expect_fail(w, expected, got);
		return NULL;
	}
	return r;
}

static int parse_cc(struct apv_pcur *c)
{
	if (apv_pc_num(c, 0, "a condition code (0-3)", 3) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_cc(struct apv_world *w, const struct apv_step *s)
{
	char exp[32], got[256];
	snprintf(exp, sizeof(exp), "cc %" PRIu64, s->v[0].u);
	const struct apv_insn_record *r = need_done(w, exp);
	if (!r)
		return -1;
	if (r->res.cc == s->v[0].u)
		return 0;
	result_str(r, got, sizeof(got));
	return apv_w_expect_fail(w, exp, got);
}

static int parse_rc(struct apv_pcur *c)
{
	const char *what = "a response code";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t rc = 256;
	int e = apv_scn_parse_num(t->text, 255, &rc);
	if (e == -ERANGE)
		return apv_pc_fail(c, t, "'%s' is out of range for a response code (at most 0xff)",
				   t->text);
	if (e < 0) {
		rc = 256;
		for (unsigned i = 0; i < 256 && rc == 256; i++) {
			const char *n = apv_rc_name((uint8_t)i);
			if (n && strcasecmp(n, t->text) == 0)
				rc = i;
		}
		if (rc == 256)
			return apv_pc_fail(c, t, "expected %s after 'rc', got '%s'", what, t->text);
	}
	c->step->v[0] = (struct apv_val){.kind = APV_V_NUM, .u = rc, .tok = t};
	return apv_pc_end(c);
}

static void rc_str(unsigned rc, char *buf, size_t len)
{
	const char *n = apv_rc_name((uint8_t)rc);
	snprintf(buf, len, "rc 0x%02x%s%s%s", rc, n ? " (" : "", n ? n : "", n ? ")" : "");
}

static int exec_rc(struct apv_world *w, const struct apv_step *s)
{
	char exp[64], got[256];
	rc_str((unsigned)s->v[0].u, exp, sizeof(exp));
	const struct apv_insn_record *r = need_done(w, exp);
	if (!r)
		return -1;
	unsigned rc = apv_apqsw_get_rc(apv_apqsw_from_gr1(r->after.gr[1]));
	if (rc == s->v[0].u)
		return 0;
	result_str(r, got, sizeof(got));
	return apv_w_expect_fail(w, exp, got);
}

/* Status flags E, R, F, A, I: exactly the ones listed must be set. */
static int parse_status(struct apv_pcur *c)
{
	const char *what = "status flags (E,R,F,A,I or none)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t flags = 0;
	if (strcmp(t->text, "none") != 0) {
		for (const char *p = t->text; *p; p++) {
			if (*p == ',')
				continue;
			char up = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
			const char *fl = strchr("ERFAI", up);
			if (!fl) {
				struct apv_tok at = *t;
				at.col = t->col + (unsigned)(p - t->text);
				return apv_pc_fail(
				    c, &at, "unknown status flag '%c' (flags: E, R, F, A, I)", *p);
			}
			flags |= 1u << (fl - "ERFAI");
		}
	}
	c->step->v[0] = (struct apv_val){.kind = APV_V_NUM, .u = flags, .tok = t};
	return apv_pc_end(c);
}

static void flags_str(uint64_t f, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < 5; i++)
		if (f & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%c", n ? "," : "", "ERFAI"[i]);
	if (!n)
		snprintf(buf, len, "none");
}

static int exec_status(struct apv_world *w, const struct apv_step *s)
{
	char exp[64], got[256];
	flags_str(s->v[0].u, exp, sizeof(exp));
	const struct apv_insn_record *r = need_done(w, exp);
	if (!r)
		return -1;
	struct apv_apqsw q = apv_apqsw_decode(apv_apqsw_from_gr1(r->after.gr[1]));
	uint64_t f =
	    (q.e ? 1u : 0) | (q.r ? 2u : 0) | (q.f ? 4u : 0) | (q.async ? 8u : 0) | (q.i ? 16u : 0);
	if (f == s->v[0].u)
		return 0;
	char fl[32], full[200];
	flags_str(f, fl, sizeof(fl));
	result_str(r, full, sizeof(full));
	snprintf(got, sizeof(got), "%s  [%s]", fl, full);
	return apv_w_expect_fail(w, exp, got);
}

static int parse_pgm(struct apv_pcur *c)
{
	const char *what = "a program exception (operation, privileged, specification or a code)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t code;
	if (!strcmp(t->text, "operation"))
		code = APV_PGM_OPERATION;
	else if (!strcmp(t->text, "privileged") || !strcmp(t->text, "privileged-operation"))
		code = APV_PGM_PRIVILEGED_OP;
	else if (!strcmp(t->text, "specification"))
		code = APV_PGM_SPECIFICATION;
	else if (apv_scn_parse_num(t->text, 0xFFFF, &code) < 0)
		return apv_pc_fail(c, t, "expected %s after 'pgm', got '%s'", what, t->text);
	c->step->v[0] = (struct apv_val){.kind = APV_V_NUM, .u = code, .tok = t};
	return apv_pc_end(c);
}

static int exec_pgm(struct apv_world *w, const struct apv_step *s)
{
	char exp[96], got[256];
	const struct apv_insn_record *r = apv_x_need_insn(w);
	if (!r)
		return -1;
	snprintf(exp, sizeof(exp), "program exception 0x%02" PRIx64 " (%s)", s->v[0].u,
		 apv_scn_pgm_name((unsigned)s->v[0].u));
	if (r->res.kind == APV_RES_PGM && r->res.pgm == s->v[0].u)
		return 0;
	result_str(r, got, sizeof(got));
	return apv_w_expect_fail(w, exp, got);
}

static int exec_exit(struct apv_world *w, const struct apv_step *s)
{
	char got[256];
	(void)s;
	const struct apv_insn_record *r = apv_x_need_insn(w);
	if (!r)
		return -1;
	if (r->res.kind == APV_RES_EXIT)
		return 0;
	result_str(r, got, sizeof(got));
	return apv_w_expect_fail(w, "exit to user space", got);
}

static int exec_done(struct apv_world *w, const struct apv_step *s)
{
	(void)s;
	return need_done(w, "the instruction completes (no exception, no exit)") ? 0 : -1;
}

/* ---- expect grN VALUE ---------------------------------------------------------------------------
 */

static int parse_gr(struct apv_pcur *c)
{
	if (apv_pc_num(c, 0, "a register value", UINT64_MAX) < 0)
		return -1;
	return apv_pc_end(c);
}

static int exec_gr(struct apv_world *w, const struct apv_step *s)
{
	const struct apv_insn_record *r = apv_x_need_insn(w);
	if (!r)
		return -1;
	unsigned n = (unsigned)strtoul(s->cmd->sub + 2, NULL, 10);
	uint64_t v = apv_vcpu_regs(r->vm->vcpu[r->vcpu])->gr[n];
	if (v == s->v[0].u)
		return 0;
	char exp[64], got[64];
	snprintf(exp, sizeof(exp), "GR%u 0x%016" PRIx64, n, s->v[0].u);
	snprintf(got, sizeof(got), "GR%u 0x%016" PRIx64, n, v);
	return apv_w_expect_fail(w, exp, got);
}

#define GR_EXPECT(n)                                                                               \
	{                                                                                          \
		"expect", "gr" #n, "expect grN VALUE",                                             \
		    "a register (GR0-GR15) of the last instruction's vCPU", parse_gr, exec_gr,     \
		    n ? APV_CMD_HIDDEN : 0                                                         \
	}

const struct apv_cmd apv_scn_cmds_expect[] = {
    {"expect", "error", "expect error -EXXX|0", "errno of the last administrator action",
     parse_error, exec_error, 0},
    {"expect", "cc", "expect cc N", "condition code of the last instruction", parse_cc, exec_cc, 0},
    {"expect", "rc", "expect rc N|NAME", "APQSW response code (GR1 bits 40-47)", parse_rc, exec_rc,
     0},
    {"expect", "status", "expect status E,R,F,A,I|none", "exactly these APQSW flags are set",
     parse_status, exec_status, 0},
    {"expect", "pgm", "expect pgm operation|privileged|specification|N", "program exception",
     parse_pgm, exec_pgm, 0},
    {"expect", "exit", "expect exit", "the instruction exited to user space", apv_pc_end, exec_exit,
     0},
    {"expect", "done", "expect done", "the instruction completed (cc set)", apv_pc_end, exec_done,
     0},
    GR_EXPECT(0),
    GR_EXPECT(1),
    GR_EXPECT(2),
    GR_EXPECT(3),
    GR_EXPECT(4),
    GR_EXPECT(5),
    GR_EXPECT(6),
    GR_EXPECT(7),
    GR_EXPECT(8),
    GR_EXPECT(9),
    GR_EXPECT(10),
    GR_EXPECT(11),
    GR_EXPECT(12),
    GR_EXPECT(13),
    GR_EXPECT(14),
    GR_EXPECT(15),
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
