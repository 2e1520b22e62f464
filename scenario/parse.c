/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario parser: reads files and includes, finds each statement's
 * command in the command tables, and lets the command parse its
 * arguments into a step. Names (VMs, vCPUs, mdevs) are tracked in script
 * order, so a misspelt name is an error before anything runs.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct apv_cmd *const cmd_tables[] = {
	apv_scn_cmds_host, apv_scn_cmds_mdev,   apv_scn_cmds_vm,
	apv_scn_cmds_guest, apv_scn_cmds_expect, apv_scn_cmds_state, apv_scn_cmds_misc,
};
#define NTABLES (sizeof(cmd_tables) / sizeof(cmd_tables[0]))

/* ---- messages ------------------------------------------------------------------ */

int apv_pc_fail(struct apv_pcur *c, const struct apv_tok *tok, const char *fmt, ...)
{
	struct apv_pctx *pc = c->pc;
	unsigned line = tok ? tok->line : c->step->st.line;
	unsigned col = tok ? tok->col : c->step->st.col;
	int n = snprintf(pc->err, pc->errlen, "%s:%u:%u: ", c->step->st.file, line, col);
	if (n >= 0 && (size_t)n < pc->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(pc->err + n, pc->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Error at the value of a key=value token. */
static int pc_fail_val(struct apv_pcur *c, const struct apv_tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pc_fail_val(struct apv_pcur *c, const struct apv_tok *t, const char *fmt, ...)
{
	struct apv_tok at = *t;
	at.col = t->vcol;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return apv_pc_fail(c, &at, "%s", msg);
}

const char *apv_tok_show(const struct apv_tok *t, char *buf, size_t len)
{
	if (t->key)
		snprintf(buf, len, "%s=%s", t->key, t->text);
	else
		snprintf(buf, len, "%s", t->text);
	return buf;
}

const char *apv_pc_prev(struct apv_pcur *c, char *buf, size_t len)
{
	if (c->i <= 0)
		return "";
	return apv_tok_show(&c->step->st.tok[c->i - 1], buf, len);
}

bool apv_pc_more(struct apv_pcur *c)
{
	return c->i < c->step->st.ntok;
}

const struct apv_tok *apv_pc_peek(struct apv_pcur *c)
{
	if (!apv_pc_more(c))
		return NULL;
	const struct apv_tok *t = &c->step->st.tok[c->i];
	return t->key ? NULL : t;
}

const struct apv_tok *apv_pc_need(struct apv_pcur *c, const char *what)
{
	char prev[128], got[128];
	if (!apv_pc_more(c)) {
		const struct apv_tok *last = &c->step->st.tok[c->step->st.ntok - 1];
		struct apv_tok at = *last;
		at.col = last->col + (unsigned)strlen(apv_tok_show(last, got, sizeof(got)));
		if (last->quoted)
			at.col += 2;
		apv_pc_fail(c, &at, "expected %s after '%s', got end of line", what,
			    apv_pc_prev(c, prev, sizeof(prev)));
		return NULL;
	}
	const struct apv_tok *t = &c->step->st.tok[c->i];
	if (t->key) {
		apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what, apv_pc_prev(c, prev, sizeof(prev)),
			    apv_tok_show(t, got, sizeof(got)));
		return NULL;
	}
	c->i++;
	return t;
}

int apv_pc_end(struct apv_pcur *c)
{
	if (!apv_pc_more(c))
		return 0;
	char got[128];
	const struct apv_tok *t = &c->step->st.tok[c->i];
	return apv_pc_fail(c, t, "unexpected '%s' after the end of '%s' (usage: %s)",
			   apv_tok_show(t, got, sizeof(got)), c->step->cmd->sub ? c->step->cmd->sub : c->step->cmd->name,
			   c->step->cmd->usage);
}

/* ---- positional values ------------------------------------------------------------- */

/* The token was just consumed: "after" names the one before it. */
static int range_fail(struct apv_pcur *c, const struct apv_tok *t, uint64_t max)
{
	char prev[128];
	c->i--;
	apv_pc_prev(c, prev, sizeof(prev));
	c->i++;
	return apv_pc_fail(c, t, "'%s' is out of range after '%s' (at most %llu)", t->text, prev,
			   (unsigned long long)max);
}

static int bad_fail(struct apv_pcur *c, const struct apv_tok *t, const char *what)
{
	char prev[128];
	c->i--;
	apv_pc_prev(c, prev, sizeof(prev));
	c->i++;
	return apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what, prev, t->text);
}

int apv_pc_num(struct apv_pcur *c, int idx, const char *what, uint64_t max)
{
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t v;
	int rc = apv_scn_parse_num(t->text, max, &v);
	if (rc == -ERANGE)
		return range_fail(c, t, max);
	if (rc < 0)
		return bad_fail(c, t, what);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_NUM, .u = v, .tok = t};
	return 0;
}

int apv_pc_apqn(struct apv_pcur *c, int idx)
{
	const char *what = "an APQN (card.domain in hex, like 05.0004)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	apv_apqn_t q;
	int rc = apv_scn_parse_apqn(t->text, &q);
	if (rc == -ERANGE)
		return apv_pc_fail(c, t, "domain in '%s' is out of range (at most 00ff)", t->text);
	if (rc < 0)
		return bad_fail(c, t, what);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_NUM, .u = q, .tok = t};
	return 0;
}

int apv_pc_ids(struct apv_pcur *c, int idx, const char *what, unsigned max)
{
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	struct apv_mask m;
	int rc = apv_scn_parse_ids(t->text, max, &m);
	if (rc == -ERANGE)
		return range_fail(c, t, max);
	if (rc < 0)
		return bad_fail(c, t, what);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_MASK, .m = m, .tok = t};
	return 0;
}

static void choices_str(const char *const *choices, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; choices[i]; i++) {
		const char *sep = !choices[i + 1] && i ? " or " : (i ? ", " : "");
		int w = snprintf(buf + n, len - n, "%s%s", sep, choices[i]);
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

int apv_pc_word(struct apv_pcur *c, int idx, const char *what, const char *const *choices)
{
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	for (int i = 0; choices[i]; i++) {
		if (strcmp(t->text, choices[i]) == 0) {
			c->step->v[idx] = (struct apv_val){.kind = APV_V_NUM, .u = (uint64_t)i, .s = t->text, .tok = t};
			return 0;
		}
	}
	char list[512];
	choices_str(choices, list, sizeof(list));
	return apv_pc_fail(c, t, "unknown %s '%s' (expected %s)", what, t->text, list);
}

int apv_pc_str(struct apv_pcur *c, int idx, const char *what)
{
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	c->step->v[idx] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	return 0;
}

static int dur_check(struct apv_pcur *c, const struct apv_tok *t, const char *text, uint64_t *ns, bool opt)
{
	int rc = apv_scn_parse_dur(text, ns);
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		return opt ? pc_fail_val(c, t, "duration '%s' needs a unit: ns, us, ms or s", text)
			   : apv_pc_fail(c, t, "duration '%s' needs a unit: ns, us, ms or s", text);
	if (rc == -ERANGE)
		return opt ? pc_fail_val(c, t, "duration '%s' is too long", text)
			   : apv_pc_fail(c, t, "duration '%s' is too long", text);
	return -2;
}

int apv_pc_dur(struct apv_pcur *c, int idx)
{
	const char *what = "a duration (like 20ms)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	uint64_t ns;
	int rc = dur_check(c, t, t->text, &ns, false);
	if (rc == -2)
		return bad_fail(c, t, what);
	if (rc < 0)
		return -1;
	c->step->v[idx] = (struct apv_val){.kind = APV_V_NUM, .u = ns, .tok = t};
	return 0;
}

/* ---- names ------------------------------------------------------------------------- */

static bool name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return false;
	return strlen(s) < 64;
}

static struct apv_pname *pname_find(struct apv_pname *tab, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(tab[i].name, name) == 0 || (tab[i].uuid && strcasecmp(tab[i].uuid, name) == 0))
			return &tab[i];
	return NULL;
}

static struct apv_pname *pname_add(struct apv_pname **tab, size_t *n, const char *name, const struct apv_stmt *st)
{
	struct apv_pname *nt = realloc(*tab, (*n + 1) * sizeof(**tab));
	if (!nt)
		return NULL;
	*tab = nt;
	struct apv_pname *p = &nt[(*n)++];
	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	p->line = st->line;
	p->file = st->file;
	return p->name ? p : NULL;
}

int apv_pc_newname(struct apv_pcur *c, const struct apv_tok *t, const char *kind)
{
	if (!name_ok(t->text))
		return apv_pc_fail(c, t,
				   "invalid %s name '%s' (a letter or '_', then letters, digits, '_' or '-')", kind,
				   t->text);
	struct apv_pctx *pc = c->pc;
	struct apv_pname *p = pname_find(pc->vms, pc->nvms, t->text);
	if (!p)
		p = pname_find(pc->mdevs, pc->nmdevs, t->text);
	if (p && !p->gone)
		return apv_pc_fail(c, t, "name '%s' is already defined (%s:%u)", t->text, p->file, p->line);
	return 0;
}

/* Suggest a known name close to `name`. */
static const char *pname_suggest(struct apv_pname *tab, size_t n, const char *name)
{
	const char *best = NULL;
	unsigned bd = 3;
	for (size_t i = 0; i < n; i++) {
		if (tab[i].gone)
			continue;
		unsigned d = apv_scn_distance(name, tab[i].name);
		if (d < bd) {
			bd = d;
			best = tab[i].name;
		}
	}
	return best;
}

static int unknown_name(struct apv_pcur *c, const struct apv_tok *t, const char *kind, struct apv_pname *tab,
			size_t n, const char *text)
{
	struct apv_pname *p = pname_find(tab, n, text);
	if (p && p->gone)
		return apv_pc_fail(c, t, "%s '%s' no longer exists (it was removed at %s:%u)", kind, text, p->file,
				   p->line);
	const char *sug = pname_suggest(tab, n, text);
	if (sug)
		return apv_pc_fail(c, t, "unknown %s '%s' (did you mean '%s'?)", kind, text, sug);
	return apv_pc_fail(c, t, "unknown %s '%s'", kind, text);
}

int apv_pc_vm(struct apv_pcur *c, int idx)
{
	const struct apv_tok *t = apv_pc_need(c, "a VM name");
	if (!t)
		return -1;
	struct apv_pname *p = pname_find(c->pc->vms, c->pc->nvms, t->text);
	if (!p || p->gone)
		return unknown_name(c, t, "VM", c->pc->vms, c->pc->nvms, t->text);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	return 0;
}

static int pc_mdev(struct apv_pcur *c, int idx, bool removed_ok)
{
	const struct apv_tok *t = apv_pc_need(c, "an mdev name or UUID");
	if (!t)
		return -1;
	struct apv_pname *p = pname_find(c->pc->mdevs, c->pc->nmdevs, t->text);
	if (!p || (p->gone && !removed_ok))
		return unknown_name(c, t, "mdev", c->pc->mdevs, c->pc->nmdevs, t->text);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	return 0;
}

int apv_pc_mdev(struct apv_pcur *c, int idx)
{
	return pc_mdev(c, idx, false);
}

int apv_pc_mdev_ever(struct apv_pcur *c, int idx)
{
	return pc_mdev(c, idx, true);
}

/* Split "vm.N"; false on syntax error. */
static bool split_vcpu(const char *s, char *vm, size_t vmlen, uint64_t *id)
{
	const char *dot = strrchr(s, '.');
	if (!dot || dot == s || (size_t)(dot - s) >= vmlen)
		return false;
	memcpy(vm, s, (size_t)(dot - s));
	vm[dot - s] = '\0';
	return apv_scn_parse_num(dot + 1, UINT64_MAX, id) == 0;
}

int apv_pc_vcpu(struct apv_pcur *c, int idx)
{
	const char *what = "a vCPU (VM.N, like g1.0)";
	const struct apv_tok *t = apv_pc_need(c, what);
	if (!t)
		return -1;
	char vm[64];
	uint64_t id;
	if (!split_vcpu(t->text, vm, sizeof(vm), &id))
		return bad_fail(c, t, what);
	struct apv_pname *p = pname_find(c->pc->vms, c->pc->nvms, vm);
	if (!p || p->gone)
		return unknown_name(c, t, "VM", c->pc->vms, c->pc->nvms, vm);
	if (id >= APV_SCN_MAX_VCPUS || !(p->vcpus & (1u << id)))
		return apv_pc_fail(c, t, "VM '%s' has no vCPU %llu (add 'vcpu %s.%llu' first)", vm,
				   (unsigned long long)id, vm, (unsigned long long)id);
	c->step->v[idx] = (struct apv_val){.kind = APV_V_STR, .u = id, .s = t->text, .tok = t};
	return 0;
}

/* Name bookkeeping for the commands that define and remove things. */
int apv_pc_define_vm(struct apv_pcur *c, const struct apv_tok *t, unsigned vcpus_mask)
{
	struct apv_pname *p = pname_add(&c->pc->vms, &c->pc->nvms, t->text, &c->step->st);
	if (!p)
		return apv_pc_fail(c, t, "out of memory");
	p->vcpus = vcpus_mask;
	return 0;
}

int apv_pc_define_vcpu(struct apv_pcur *c, const struct apv_tok *t)
{
	const char *what = "a vCPU (VM.N, like g1.1)";
	char vm[64];
	uint64_t id;
	if (!split_vcpu(t->text, vm, sizeof(vm), &id))
		return apv_pc_fail(c, t, "expected %s after 'vcpu', got '%s'", what, t->text);
	struct apv_pname *p = pname_find(c->pc->vms, c->pc->nvms, vm);
	if (!p || p->gone)
		return unknown_name(c, t, "VM", c->pc->vms, c->pc->nvms, vm);
	if (id >= APV_SCN_MAX_VCPUS)
		return apv_pc_fail(c, t, "vCPU number %llu is out of range (at most %d)", (unsigned long long)id,
				   APV_SCN_MAX_VCPUS - 1);
	if (p->vcpus & (1u << id))
		return apv_pc_fail(c, t, "vCPU '%s' already exists", t->text);
	p->vcpus |= 1u << id;
	return 0;
}

int apv_pc_define_mdev(struct apv_pcur *c, const char *alias, const char *uuid)
{
	struct apv_pname *p = pname_add(&c->pc->mdevs, &c->pc->nmdevs, alias ? alias : uuid, &c->step->st);
	if (!p)
		return apv_pc_fail(c, NULL, "out of memory");
	p->uuid = strdup(uuid);
	return p->uuid ? 0 : apv_pc_fail(c, NULL, "out of memory");
}

/* Mark a VM or mdev gone from here on (script order). */
void apv_pc_forget(struct apv_pcur *c, const char *name, bool vm)
{
	struct apv_pname *p = vm ? pname_find(c->pc->vms, c->pc->nvms, name)
				 : pname_find(c->pc->mdevs, c->pc->nmdevs, name);
	if (p) {
		p->gone = true;
		p->line = c->step->st.line;
		p->file = c->step->st.file;
	}
}

/* Forget every mdev (module unload). */
void apv_pc_forget_all_mdevs(struct apv_pcur *c)
{
	for (size_t i = 0; i < c->pc->nmdevs; i++) {
		if (!c->pc->mdevs[i].gone) {
			c->pc->mdevs[i].gone = true;
			c->pc->mdevs[i].line = c->step->st.line;
			c->pc->mdevs[i].file = c->step->st.file;
		}
	}
}

/* ---- options ----------------------------------------------------------------------- */

static void opt_names(const struct apv_opt *opts, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; opts[i].name; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? ", " : "", opts[i].name);
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

static const char *opt_what(const struct apv_opt *o)
{
	if (o->what)
		return o->what;
	switch (o->type) {
	case APV_OPT_NUM: return "a number";
	case APV_OPT_DUR: return "a duration (like 20ms)";
	case APV_OPT_SIZE: return "a size (like 16M)";
	case APV_OPT_BOOL: return "on or off";
	case APV_OPT_ENUM: return "a choice";
	case APV_OPT_IDS: return "a list of IDs (like 4-6,9)";
	case APV_OPT_FLAG: return "nothing";
	case APV_OPT_STR: return "a string";
	case APV_OPT_APQN: return "an APQN (like 05.0004)";
	}
	return "a value";
}

static int opt_value(struct apv_pcur *c, const struct apv_opt *o, const struct apv_tok *t)
{
	struct apv_val *v = &c->step->v[o->idx];
	const char *s = t->text;
	*v = (struct apv_val){.kind = APV_V_NUM, .tok = t, .s = s};
	int rc = 0;
	switch (o->type) {
	case APV_OPT_NUM:
		rc = apv_scn_parse_num(s, o->max, &v->u);
		if (rc == -ERANGE)
			return pc_fail_val(c, t, "'%s' is out of range for '%s' (at most %llu)", s, o->name,
					   (unsigned long long)o->max);
		break;
	case APV_OPT_DUR: {
		rc = dur_check(c, t, s, &v->u, true);
		if (rc == -1)
			return -1;
		break;
	}
	case APV_OPT_SIZE:
		rc = apv_scn_parse_size(s, &v->u);
		break;
	case APV_OPT_BOOL: {
		bool b = false; /* not set when the word is no boolean */
		rc = apv_scn_parse_bool(s, &b);
		v->u = b;
		break;
	}
	case APV_OPT_ENUM:
		rc = -EINVAL;
		for (int i = 0; o->choices[i]; i++) {
			if (strcmp(s, o->choices[i]) == 0) {
				v->u = (uint64_t)i;
				rc = 0;
				break;
			}
		}
		if (rc) {
			char list[512];
			choices_str(o->choices, list, sizeof(list));
			return pc_fail_val(c, t, "unknown value '%s' for '%s' (expected %s)", s, o->name, list);
		}
		break;
	case APV_OPT_IDS:
		v->kind = APV_V_MASK;
		rc = apv_scn_parse_ids(s, (unsigned)o->max, &v->m);
		if (rc == -ERANGE)
			return pc_fail_val(c, t, "'%s' is out of range for '%s' (at most %llu)", s, o->name,
					   (unsigned long long)o->max);
		break;
	case APV_OPT_FLAG:
		return apv_pc_fail(c, t, "option '%s' takes no value", o->name);
	case APV_OPT_STR:
		v->kind = APV_V_STR;
		break;
	case APV_OPT_APQN: {
		apv_apqn_t q;
		rc = apv_scn_parse_apqn(s, &q);
		v->u = q;
		break;
	}
	}
	if (rc < 0)
		return pc_fail_val(c, t, "expected %s for '%s', got '%s'", opt_what(o), o->name, s);
	return 0;
}

static int pc_opts(struct apv_pcur *c, const struct apv_opt *opts, bool allow_cmp);

int apv_pc_opts(struct apv_pcur *c, const struct apv_opt *opts)
{
	return pc_opts(c, opts, false);
}

int apv_pc_opts_cmp(struct apv_pcur *c, const struct apv_opt *opts)
{
	return pc_opts(c, opts, true);
}

static int pc_opts(struct apv_pcur *c, const struct apv_opt *opts, bool allow_cmp)
{
	char list[512], got[128];
	const char *cmd = c->step->cmd->sub ? c->step->cmd->sub : c->step->cmd->name;
	while (apv_pc_more(c)) {
		const struct apv_tok *t = &c->step->st.tok[c->i];
		if (!opts[0].name)
			return apv_pc_end(c);
		opt_names(opts, list, sizeof(list));
		if (!t->key && t->quoted)
			return apv_pc_fail(c, t, "unexpected string \"%s\" (options of '%s': %s)", t->text, cmd,
					   list);
		char name[64];
		enum apv_cmp cmp = APV_CMP_EQ;
		snprintf(name, sizeof(name), "%s", t->key ? t->key : t->text);
		size_t nl = strlen(name);
		if (t->key && nl > 1 && strchr("><!", name[nl - 1])) {
			cmp = name[nl - 1] == '>' ? APV_CMP_GE : name[nl - 1] == '<' ? APV_CMP_LE : APV_CMP_NE;
			name[nl - 1] = '\0';
		}
		const struct apv_opt *o = NULL;
		for (int i = 0; opts[i].name; i++)
			if (strcmp(opts[i].name, name) == 0)
				o = &opts[i];
		if (o && cmp != APV_CMP_EQ && (!allow_cmp || o->type != APV_OPT_NUM))
			return apv_pc_fail(c, t, "'%s' cannot be compared with '%s=': use '%s=VALUE'", name,
					   cmp == APV_CMP_GE ? ">" : cmp == APV_CMP_LE ? "<" : "!", name);
		if (!o)
			return apv_pc_fail(c, t, "unknown option '%s' for '%s' (options: %s)",
					   t->key ? name : apv_tok_show(t, got, sizeof(got)), cmd, list);
		if (c->step->v[o->idx].kind != APV_V_NONE)
			return apv_pc_fail(c, t, "option '%s' is given twice", o->name);
		if (!t->key) {
			if (o->type != APV_OPT_FLAG)
				return apv_pc_fail(c, t, "option '%s' needs a value (%s=...)", o->name, o->name);
			c->step->v[o->idx] = (struct apv_val){.kind = APV_V_NUM, .u = 1, .tok = t};
		} else if (opt_value(c, o, t) < 0) {
			return -1;
		}
		c->step->v[o->idx].cmp = cmp;
		c->i++;
	}
	return 0;
}

/* ---- commands ------------------------------------------------------------------------ */

static int lookup_fail(struct apv_pcur *c, const struct apv_tok *t0, const struct apv_tok *t1)
{
	/* Second word wrong? Collect the subcommands of this first word. */
	char list[512];
	size_t n = 0;
	const char *best = NULL;
	unsigned bd = 3;
	bool first_known = false;
	list[0] = '\0';
	for (size_t k = 0; k < NTABLES; k++) {
		for (const struct apv_cmd *cmd = cmd_tables[k]; cmd->name; cmd++) {
			if (strcmp(cmd->name, t0->text) == 0 && cmd->sub) {
				first_known = true;
				int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", cmd->sub);
				if (w > 0 && (size_t)w < sizeof(list) - n)
					n += (size_t)w;
				if (t1) {
					unsigned d = apv_scn_distance(t1->text, cmd->sub);
					if (d < bd) {
						bd = d;
						best = cmd->sub;
					}
				}
			}
		}
	}
	if (first_known) {
		if (!t1)
			return apv_pc_fail(c, t0, "'%s' needs one of: %s", t0->text, list);
		if (best)
			return apv_pc_fail(c, t1, "unknown '%s' check or subcommand '%s' (did you mean '%s'?)", t0->text,
					   t1->text, best);
		return apv_pc_fail(c, t1, "unknown '%s' check or subcommand '%s' (expected one of: %s)", t0->text,
				   t1->text, list);
	}
	for (size_t k = 0; k < NTABLES; k++) {
		for (const struct apv_cmd *cmd = cmd_tables[k]; cmd->name; cmd++) {
			unsigned d = apv_scn_distance(t0->text, cmd->name);
			if (d < bd) {
				bd = d;
				best = cmd->name;
			}
		}
	}
	if (best)
		return apv_pc_fail(c, t0, "unknown command '%s' (did you mean '%s'?)", t0->text, best);
	return apv_pc_fail(c, t0, "unknown command '%s'", t0->text);
}

static const struct apv_cmd *lookup(const struct apv_stmt *st)
{
	const struct apv_tok *t0 = &st->tok[0];
	const struct apv_tok *t1 = st->ntok > 1 && !st->tok[1].key && !st->tok[1].quoted ? &st->tok[1] : NULL;
	const struct apv_cmd *fallback = NULL;
	if (t0->key || t0->quoted)
		return NULL;
	for (size_t k = 0; k < NTABLES; k++) {
		for (const struct apv_cmd *cmd = cmd_tables[k]; cmd->name; cmd++) {
			if (strcmp(cmd->name, t0->text) != 0)
				continue;
			if (!cmd->sub)
				fallback = cmd;
			else if (t1 && strcmp(cmd->sub, t1->text) == 0)
				return cmd;
		}
	}
	return fallback;
}

void apv_scenario_print_commands(FILE *f)
{
	fprintf(f, "  %-58s %s\n", "include \"FILE\"", "read FILE (relative to this file) here");
	for (size_t k = 0; k < NTABLES; k++)
		for (const struct apv_cmd *cmd = cmd_tables[k]; cmd->name; cmd++)
			if (!(cmd->flags & APV_CMD_HIDDEN))
				fprintf(f, "  %-58s %s\n", cmd->usage, cmd->summary);
}

/* ---- files and includes ----------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = errno;
		return NULL;
	}
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				*err = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		*err = errno ? errno : EIO;
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	if (memchr(buf, '\0', n)) {
		free(buf);
		*err = EILSEQ;
		return NULL;
	}
	return buf;
}

static const char *add_file(struct apv_scenario *s, const char *name)
{
	char **nf = realloc(s->files, (s->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	s->files = nf;
	nf[s->nfiles] = strdup(name);
	return nf[s->nfiles] ? nf[s->nfiles++] : NULL;
}

static int lex_text(struct apv_pctx *pc, const char *file, const char *text, size_t len);

static int do_include(struct apv_pctx *pc, struct apv_stmt *st)
{
	struct apv_step tmp = {.st = *st};
	struct apv_pcur c = {pc, &tmp, 1};
	static const struct apv_cmd inc = {"include", NULL, "include \"FILE\"", "", NULL, NULL, 0};
	tmp.cmd = &inc;
	const struct apv_tok *t = apv_pc_need(&c, "a file name in quotes");
	if (!t || apv_pc_end(&c) < 0)
		return -1;
	if (pc->depth >= 16)
		return apv_pc_fail(&c, t, "includes nested more than 16 deep");
	/* Relative to the including file's directory. */
	char path[PATH_MAX];
	const char *slash = strrchr(st->file, '/');
	if (t->text[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", t->text);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - st->file), st->file, t->text);
	char real[PATH_MAX];
	if (realpath(path, real)) {
		for (unsigned i = 0; i < pc->depth; i++)
			if (pc->incstack[i] && strcmp(pc->incstack[i], real) == 0)
				return apv_pc_fail(&c, t, "include cycle: '%s' is already being read", t->text);
	}
	size_t len;
	int e;
	char *text = read_file(path, &len, &e);
	if (!text)
		return apv_pc_fail(&c, t, "cannot include '%s': %s", path,
				   e == EILSEQ ? "the file contains a NUL byte" : strerror(e));
	const char *fname = add_file(pc->s, path);
	char *realcopy = strdup(real);
	if (!fname || !realcopy) {
		free(realcopy);
		free(text);
		return apv_pc_fail(&c, t, "out of memory");
	}
	pc->incstack[pc->depth++] = realcopy;
	int rc = lex_text(pc, fname, text, len);
	pc->depth--;
	free(realcopy);
	pc->incstack[pc->depth] = NULL;
	free(text);
	return rc;
}

static int on_stmt(void *ctx, struct apv_stmt *st)
{
	struct apv_pctx *pc = ctx;
	if (strcmp(st->tok[0].text, "include") == 0 && !st->tok[0].key && !st->tok[0].quoted) {
		int rc = do_include(pc, st);
		apv_scn_stmt_free(st);
		return rc;
	}
	struct apv_scenario *s = pc->s;
	if (s->nsteps == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct apv_step *ns = realloc(s->steps, nc * sizeof(*ns));
		if (!ns) {
			apv_scn_stmt_free(st);
			snprintf(pc->err, pc->errlen, "%s:%u: out of memory", st->file, st->line);
			return -1;
		}
		s->steps = ns;
		s->cap = nc;
	}
	struct apv_step *step = &s->steps[s->nsteps];
	memset(step, 0, sizeof(*step));
	step->st = *st;
	struct apv_pcur c = {pc, step, 1};
	const struct apv_cmd *cmd = lookup(st);
	if (!cmd) {
		lookup_fail(&c, &st->tok[0], st->ntok > 1 ? &st->tok[1] : NULL);
		apv_scn_stmt_free(&step->st);
		return -1;
	}
	step->cmd = cmd;
	if (cmd->sub)
		c.i = 2;
	if (cmd->parse(&c) < 0) {
		apv_scn_stmt_free(&step->st);
		return -1;
	}
	s->nsteps++;
	return 0;
}

static int lex_text(struct apv_pctx *pc, const char *file, const char *text, size_t len)
{
	return apv_scn_lex(text, len, file, on_stmt, pc, pc->err, pc->errlen);
}

static void pctx_free(struct apv_pctx *pc)
{
	for (size_t i = 0; i < pc->nvms; i++) {
		free(pc->vms[i].name);
		free(pc->vms[i].uuid);
	}
	for (size_t i = 0; i < pc->nmdevs; i++) {
		free(pc->mdevs[i].name);
		free(pc->mdevs[i].uuid);
	}
	free(pc->vms);
	free(pc->mdevs);
}

static struct apv_scenario *load(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct apv_scenario *s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(name))) {
		free(s);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	struct apv_pctx pc = {.s = s, .err = err, .errlen = errlen};
	const char *fname = add_file(s, name);
	char real[PATH_MAX];
	if (fname && realpath(name, real))
		pc.incstack[pc.depth++] = real;
	int rc = fname ? lex_text(&pc, fname, text, len) : -1;
	if (!fname)
		snprintf(err, errlen, "%s: out of memory", name);
	pctx_free(&pc);
	if (rc < 0) {
		apv_scenario_free(s);
		return NULL;
	}
	return s;
}

struct apv_scenario *apv_scenario_load_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	int e;
	char *text = read_file(path, &len, &e);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 e == EILSEQ ? "the file contains a NUL byte" : strerror(e));
		return NULL;
	}
	struct apv_scenario *s = load(path, text, len, err, errlen);
	free(text);
	return s;
}

struct apv_scenario *apv_scenario_load_string(const char *name, const char *text, const char *dir, char *err,
					      size_t errlen)
{
	/* Includes resolve against the directory of the file name, so give the text one in dir. */
	char fname[PATH_MAX];
	if (dir && *dir && !strchr(name, '/'))
		snprintf(fname, sizeof(fname), "%s/%s", dir, name);
	else
		snprintf(fname, sizeof(fname), "%s", name);
	return load(fname, text, strlen(text), err, errlen);
}

size_t apv_scenario_nsteps(const struct apv_scenario *s)
{
	return s->nsteps;
}
