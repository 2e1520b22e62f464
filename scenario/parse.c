/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario parser: reads files and includes, finds each statement's
 * command in the command tables, and lets the command parse its
 * arguments into a step. Names (VMs, vCPUs, mdevs) are tracked in script
 * order, so a misspelt name is an error before anything runs.
 */
#include "scenario_internal.h"
#include "srctext.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct apv_cmd *const cmd_tables[] = {
    apv_scn_cmds_host,	apv_scn_cmds_mdev,   apv_scn_cmds_vm,
    apv_scn_cmds_guest, apv_scn_cmds_expect, apv_scn_cmds_log,
    apv_scn_cmds_state, apv_scn_cmds_misc,   apv_scn_cmds_observe,
    apv_scn_cmds_pv,	apv_scn_cmds_card,
};
#define NTABLES (sizeof(cmd_tables) / sizeof(cmd_tables[0]))

/* ---- messages ------------------------------------------------------------------ */

int apv_pc_vfail(struct apv_pcur *c, const struct apv_tok *tok, const char *fmt, va_list ap)
{
	unsigned line = tok ? tok->line : c->step->st.line;
	unsigned col = tok ? tok->col : c->step->st.col;
	apv_src_vfail(c->pc->err, c->pc->errlen, c->step->st.file, line, col, fmt, ap);
	return -1;
}

int apv_pc_fail(struct apv_pcur *c, const struct apv_tok *tok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	apv_pc_vfail(c, tok, fmt, ap);
	va_end(ap);
	return -1;
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
		apv_pc_fail(c, t, "expected %s after '%s', got '%s'", what,
			    apv_pc_prev(c, prev, sizeof(prev)), apv_tok_show(t, got, sizeof(got)));
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
			   apv_tok_show(t, got, sizeof(got)),
			   c->step->cmd->sub ? c->step->cmd->sub : c->step->cmd->name,
			   c->step->cmd->usage);
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
				int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
						 cmd->sub);
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
			return apv_pc_fail(
			    c, t1, "unknown '%s' check or subcommand '%s' (did you mean '%s'?)",
			    t0->text, t1->text, best);
		return apv_pc_fail(c, t1,
				   "unknown '%s' check or subcommand '%s' (expected one of: %s)",
				   t0->text, t1->text, list);
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
		return apv_pc_fail(c, t0, "unknown command '%s' (did you mean '%s'?)", t0->text,
				   best);
	return apv_pc_fail(c, t0, "unknown command '%s'", t0->text);
}

static const struct apv_cmd *lookup(const struct apv_stmt *st)
{
	const struct apv_tok *t0 = &st->tok[0];
	const struct apv_tok *t1 =
	    st->ntok > 1 && !st->tok[1].key && !st->tok[1].quoted ? &st->tok[1] : NULL;
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
	if (!f)
		return;
	fprintf(f, "  %-58s %s\n", "include \"FILE\"", "read FILE (relative to this file) here");
	for (size_t k = 0; k < NTABLES; k++)
		for (const struct apv_cmd *cmd = cmd_tables[k]; cmd->name; cmd++)
			if (!(cmd->flags & APV_CMD_HIDDEN))
				fprintf(f, "  %-58s %s\n", cmd->usage, cmd->summary);
}

/* ---- files and includes ----------------------------------------------------------------- */

/*
 * A scenario is text a person wrote: anything larger is a mistake (or
 * /dev/zero), and is refused before it eats the memory.
 */
#define SCN_FILE_MAX (16u << 20)

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
		/* Stop at the first NUL or past the limit, not at the end of an endless file. */
		int bad = memchr(buf + n, '\0', r) ? EILSEQ : n + r > SCN_FILE_MAX ? EFBIG : 0;
		n += r;
		if (bad) {
			free(buf);
			fclose(f);
			*err = bad;
			return NULL;
		}
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
	return buf;
}

static const char *read_error(int e)
{
	if (e == EILSEQ)
		return "the file contains a NUL byte";
	if (e == EFBIG)
		return "the file is larger than 16 MiB";
	return strerror(e);
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
				return apv_pc_fail(
				    &c, t, "include cycle: '%s' is already being read", t->text);
	}
	size_t len;
	int e;
	char *text = read_file(path, &len, &e);
	if (!text)
		return apv_pc_fail(&c, t, "cannot include '%s': %s", path, read_error(e));
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

/* ---- compact steps ---------------------------------------------------------------- */

static bool is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Where old pointer p (into one of the old tokens' strings) lands in the new block. */
static const char *remap_str(const struct apv_stmt *old, const struct apv_tok *nt, const char *p)
{
	for (int i = 0; i < old->ntok; i++) {
		const struct apv_tok *t = &old->tok[i];

		if (p >= t->text && p <= t->text + strlen(t->text))
			return nt[i].text + (p - t->text);
		if (t->key && p >= t->key && p <= t->key + strlen(t->key))
			return nt[i].key + (p - t->key);
	}
	return p; /* a constant (a choice's name): not the step's */
}

/*
 * Move a parsed step into one block: its nv values, its tokens (exactly
 * ntok), their strings and the source text. The statement's own
 * allocations are freed.
 */
static int step_compact(struct apv_step *step)
{
	struct apv_stmt *st = &step->st;
	const struct apv_val *sv = step->v;
	unsigned nv = 0;
	size_t strs = strlen(st->src) + 1;

	for (unsigned i = 0; i < APV_SCN_MAXARGS; i++)
		if (!is_zero(&sv[i], sizeof(sv[i])))
			nv = i + 1;
	for (int i = 0; i < st->ntok; i++)
		strs += strlen(st->tok[i].text) + 1 + (st->tok[i].key ? strlen(st->tok[i].key) + 1 : 0);
	size_t vbytes = nv * sizeof(struct apv_val), tbytes = (size_t)st->ntok * sizeof(struct apv_tok);
	char *mem = malloc(vbytes + tbytes + strs);
	if (!mem)
		return -1;
	struct apv_val *nvv = (struct apv_val *)(void *)mem;
	struct apv_tok *nt = (struct apv_tok *)(void *)(mem + vbytes);
	char *p = mem + vbytes + tbytes;

	for (int i = 0; i < st->ntok; i++) {
		size_t n;

		nt[i] = st->tok[i];
		n = strlen(st->tok[i].text) + 1;
		nt[i].text = memcpy(p, st->tok[i].text, n);
		p += n;
		if (st->tok[i].key) {
			n = strlen(st->tok[i].key) + 1;
			nt[i].key = memcpy(p, st->tok[i].key, n);
			p += n;
		}
	}
	char *src = memcpy(p, st->src, strlen(st->src) + 1);
	for (unsigned i = 0; i < nv; i++) {
		nvv[i] = sv[i];
		if (sv[i].tok)
			nvv[i].tok = &nt[sv[i].tok - st->tok];
		if (sv[i].s)
			nvv[i].s = remap_str(st, nt, sv[i].s);
	}
	struct apv_stmt keep = *st;

	apv_scn_stmt_free(st); /* clears *st */
	*st = keep;
	st->tok = nt;
	st->src = src;
	st->ntok = st->cap = keep.ntok;
	step->v = nv ? nvv : NULL;
	step->nv = nv;
	step->mem = mem;
	return 0;
}

void apv_step_expand(const struct apv_step *s, struct apv_step *full)
{
	struct apv_val *v = full->v;

	*full = *s;
	full->v = v;
	memset(v, 0, APV_SCN_MAXARGS * sizeof(*v));
	if (s->nv)
		memcpy(v, s->v, s->nv * sizeof(*v));
	full->nv = APV_SCN_MAXARGS;
}

void apv_step_free(struct apv_step *s)
{
	if (s->mem) {
		free(s->mem);
		memset(s, 0, sizeof(*s));
	} else {
		apv_scn_stmt_free(&s->st);
	}
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
	memset(pc->vscratch, 0, sizeof(pc->vscratch));
	step->st = *st;
	step->v = pc->vscratch;
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
	if (step_compact(step) < 0) {
		apv_scn_stmt_free(&step->st);
		snprintf(pc->err, pc->errlen, "%s:%u: out of memory", st->file, st->line);
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

static struct apv_scenario *load(const char *name, const char *text, size_t len, char *err,
				 size_t errlen)
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
	if (!path) {
		if (err && errlen)
			snprintf(err, errlen, "no scenario file named");
		return NULL;
	}
	size_t len;
	int e;
	char *text = read_file(path, &len, &e);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read: %s", path, read_error(e));
		return NULL;
	}
	struct apv_scenario *s = load(path, text, len, err, errlen);
	free(text);
	return s;
}

struct apv_scenario *apv_scenario_load_string(const char *name, const char *text, const char *dir,
					      char *err, size_t errlen)
{
	if (!name || !text) {
		if (err && errlen)
			snprintf(err, errlen, "%s: no scenario text", name ? name : "<string>");
		return NULL;
	}
	/* Includes resolve against the directory of the file name, so give the text one in dir. */
	char fname[PATH_MAX];
	if (dir && *dir && !strchr(name, '/'))
		snprintf(fname, sizeof(fname), "%s/%s", dir, name);
	else
		snprintf(fname, sizeof(fname), "%s", name);
	return load(fname, text, strlen(text), err, errlen);
}

const char *apv_scenario_file(const struct apv_scenario *s, size_t i)
{
	return s && i < s->nfiles ? s->files[i] : NULL;
}

size_t apv_scenario_nsteps(const struct apv_scenario *s)
{
	if (!s)
		return 0;
	return s->nsteps;
}
