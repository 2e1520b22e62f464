/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Argument parsers for the commands: positional values, names in script
 * order, and key=value options, each failing with a message that names
 * what was expected and what was found, at the right column.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int apv_pc_fail_val(struct apv_pcur *c, const struct apv_tok *t, const char *fmt, ...)
{
	struct apv_tok at = *t;
	at.col = t->vcol;
	va_list ap;
	va_start(ap, fmt);
	apv_pc_vfail(c, &at, fmt, ap);
	va_end(ap);
	return -1;
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

/* "9-5": say which range and how to write it. */
static int backwards_fail(struct apv_pcur *c, const struct apv_tok *t, const char *ids, bool val)
{
	char r[64], lo[32] = "", hi[32] = "";
	const char *dash;

	apv_scn_ids_backwards(ids, r, sizeof(r));
	dash = strchr(r, '-');
	if (dash) {
		snprintf(hi, sizeof(hi), "%.*s", (int)(dash - r), r);
		snprintf(lo, sizeof(lo), "%s", dash + 1);
	}
	if (val)
		return apv_pc_fail_val(c, t,
				       "the range '%s' runs backwards: a range goes from the lower "
				       "ID to the higher (write '%s-%s')",
				       r, lo, hi);
	return apv_pc_fail(c, t,
			   "the range '%s' runs backwards: a range goes from the lower ID to the "
			   "higher (write '%s-%s')",
			   r, lo, hi);
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
	if (rc == -EDOM)
		return backwards_fail(c, t, t->text, false);
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
			c->step->v[idx] = (struct apv_val){
			    .kind = APV_V_NUM, .u = (uint64_t)i, .s = t->text, .tok = t};
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

int apv_pc_hex(struct apv_pcur *c, int idx, const char *what, size_t max_bytes)
{
	if (apv_pc_str(c, idx, what) < 0)
		return -1;
	const struct apv_tok *t = c->step->v[idx].tok;
	size_t n = strlen(t->text);
	if (n == 0 || n % 2 || n > 2 * max_bytes || strspn(t->text, "0123456789abcdefABCDEF") != n)
		return apv_pc_fail(
		    c, t, "expected an even number of hex digits (at most %zu bytes), got '%s'",
		    max_bytes, t->text);
	return 0;
}

static int dur_check(struct apv_pcur *c, const struct apv_tok *t, const char *text, uint64_t *ns,
		     bool opt)
{
	int rc = apv_scn_parse_dur(text, ns);
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		return opt ? apv_pc_fail_val(c, t, "duration '%s' needs a unit: ns, us, ms or s",
					     text)
			   : apv_pc_fail(c, t, "duration '%s' needs a unit: ns, us, ms or s", text);
	if (rc == -ERANGE)
		return opt ? apv_pc_fail_val(c, t, "duration '%s' is too long", text)
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

/* ---- whole argument lists ------------------------------------------------------------ */

const char *const apv_scn_onoff[] = {"on", "off", NULL};

int apv_pc_args_vcpu(struct apv_pcur *c)
{
	if (apv_pc_vcpu(c, 0) < 0)
		return -1;
	return apv_pc_end(c);
}

int apv_pc_args_dur(struct apv_pcur *c)
{
	if (apv_pc_dur(c, 0) < 0)
		return -1;
	return apv_pc_end(c);
}

int apv_pc_args_vm_onoff(struct apv_pcur *c)
{
	if (apv_pc_vm(c, 0) < 0 || apv_pc_word(c, 1, "state", apv_scn_onoff) < 0)
		return -1;
	return apv_pc_end(c);
}

/* ---- names ------------------------------------------------------------------------- */

static bool name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return strlen(s) < 64;
}

static struct apv_pname *pname_find(struct apv_pname *tab, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(tab[i].name, name) == 0 ||
		    (tab[i].uuid && strcasecmp(tab[i].uuid, name) == 0))
			return &tab[i];
	return NULL;
}

static struct apv_pname *pname_add(struct apv_pname **tab, size_t *n, const char *name,
				   const struct apv_stmt *st)
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
		return apv_pc_fail(
		    c, t,
		    "invalid %s name '%s' (a letter or '_', then letters, digits, '_' or '-')",
		    kind, t->text);
	struct apv_pctx *pc = c->pc;
	struct apv_pname *p = pname_find(pc->vms, pc->nvms, t->text);
	if (!p)
		p = pname_find(pc->mdevs, pc->nmdevs, t->text);
	if (p && !p->gone)
		return apv_pc_fail(c, t, "name '%s' is already defined (%s:%u)", t->text, p->file,
				   p->line);
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

static int unknown_name(struct apv_pcur *c, const struct apv_tok *t, const char *kind,
			struct apv_pname *tab, size_t n, const char *text)
{
	struct apv_pname *p = pname_find(tab, n, text);
	if (p && p->gone)
		return apv_pc_fail(c, t, "%s '%s' no longer exists (it was removed at %s:%u)", kind,
				   text, p->file, p->line);
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
		return apv_pc_fail(c, t, "vCPU number %llu is out of range (at most %d)",
				   (unsigned long long)id, APV_SCN_MAX_VCPUS - 1);
	if (p->vcpus & (1u << id))
		return apv_pc_fail(c, t, "vCPU '%s' already exists", t->text);
	p->vcpus |= 1u << id;
	return 0;
}

int apv_pc_define_mdev(struct apv_pcur *c, const char *alias, const char *uuid)
{
	struct apv_pname *p =
	    pname_add(&c->pc->mdevs, &c->pc->nmdevs, alias ? alias : uuid, &c->step->st);
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
	case APV_OPT_NUM:
		return "a number";
	case APV_OPT_DUR:
		return "a duration (like 20ms)";
	case APV_OPT_SIZE:
		return "a size (like 16M)";
	case APV_OPT_BOOL:
		return "on or off";
	case APV_OPT_ENUM:
		return "a choice";
	case APV_OPT_IDS:
		return "a list of IDs (like 4-6,9)";
	case APV_OPT_FLAG:
		return "nothing";
	case APV_OPT_STR:
		return "a string";
	case APV_OPT_APQN:
		return "an APQN (like 05.0004)";
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
			return apv_pc_fail_val(c, t, "'%s' is out of range for '%s' (at most %llu)",
					       s, o->name, (unsigned long long)o->max);
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
			return apv_pc_fail_val(c, t, "unknown value '%s' for '%s' (expected %s)", s,
					       o->name, list);
		}
		break;
	case APV_OPT_IDS:
		v->kind = APV_V_MASK;
		rc = apv_scn_parse_ids(s, (unsigned)o->max, &v->m);
		if (rc == -ERANGE)
			return apv_pc_fail_val(c, t, "'%s' is out of range for '%s' (at most %llu)",
					       s, o->name, (unsigned long long)o->max);
		if (rc == -EDOM)
			return backwards_fail(c, t, s, true);
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
		return apv_pc_fail_val(c, t, "expected %s for '%s', got '%s'", opt_what(o), o->name,
				       s);
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
			return apv_pc_fail(c, t, "unexpected string \"%s\" (options of '%s': %s)",
					   t->text, cmd, list);
		char name[64];
		enum apv_cmp cmp = APV_CMP_EQ;
		snprintf(name, sizeof(name), "%s", t->key ? t->key : t->text);
		size_t nl = strlen(name);
		if (t->key && nl > 1 && strchr("><!", name[nl - 1])) {
			cmp = name[nl - 1] == '>'   ? APV_CMP_GE
			      : name[nl - 1] == '<' ? APV_CMP_LE
						    : APV_CMP_NE;
			name[nl - 1] = '\0';
		}
		const struct apv_opt *o = NULL;
		for (int i = 0; opts[i].name; i++)
			if (strcmp(opts[i].name, name) == 0)
				o = &opts[i];
		if (o && cmp != APV_CMP_EQ && (!allow_cmp || o->type != APV_OPT_NUM))
			return apv_pc_fail(
			    c, t, "'%s' cannot be compared with '%s=': use '%s=VALUE'", name,
			    cmp == APV_CMP_GE	? ">"
			    : cmp == APV_CMP_LE ? "<"
						: "!",
			    name);
		if (!o)
			return apv_pc_fail(c, t, "unknown option '%s' for '%s' (options: %s)",
					   t->key ? name : apv_tok_show(t, got, sizeof(got)), cmd,
					   list);
		if (c->step->v[o->idx].kind != APV_V_NONE)
			return apv_pc_fail(c, t, "option '%s' is given twice", o->name);
		if (!t->key) {
			if (o->type != APV_OPT_FLAG)
				return apv_pc_fail(c, t, "option '%s' needs a value (%s=...)",
						   o->name, o->name);
			c->step->v[o->idx] = (struct apv_val){.kind = APV_V_NUM, .u = 1, .tok = t};
		} else if (opt_value(c, o, t) < 0) {
			return -1;
		}
		c->step->v[o->idx].cmp = cmp;
		c->i++;
	}
	return 0;
}
