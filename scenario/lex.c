/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario lexer: source text in, statements of tokens out, every
 * token with its line and column so that any later error can point at it.
 *
 * Lines are statements; ';' separates statements on one line; a trailing
 * backslash continues a line; '#' starts a comment outside quotes. A token
 * is a bare word, a "quoted string", or key=value where the value may be
 * quoted.
 */
#include "scenario_internal.h"
#include "srctext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lx {
	const char *s;
	size_t len, pos;
	unsigned line, col;
	const char *file;
	char *err;
	size_t errlen;
};

static int lx_peek(const struct lx *l, size_t ahead)
{
	return l->pos + ahead < l->len ? (unsigned char)l->s[l->pos + ahead] : -1;
}

static void lx_adv(struct lx *l)
{
	apv_src_advance((unsigned char)l->s[l->pos++], &l->line, &l->col);
}

static int lx_fail(struct lx *l, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int lx_fail(struct lx *l, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	apv_src_vfail(l->err, l->errlen, l->file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* Backslash, optional blanks, then a newline (or CRLF): a continuation. */
static bool lx_continuation(const struct lx *l)
{
	if (lx_peek(l, 0) != '\\')
		return false;
	size_t k = 1;
	while (lx_peek(l, k) == ' ' || lx_peek(l, k) == '\t' || lx_peek(l, k) == '\r')
		k++;
	return lx_peek(l, k) == '\n';
}

/*
 * A backslash that continues nothing: at the end of the file, or with a
 * comment after it. 0 if the backslash at the cursor is not one of them.
 */
static int lx_stray_backslash(struct lx *l)
{
	size_t k = 1;

	if (lx_peek(l, 0) != '\\')
		return 0;
	while (lx_peek(l, k) == ' ' || lx_peek(l, k) == '\t' || lx_peek(l, k) == '\r')
		k++;
	if (lx_peek(l, k) < 0)
		return lx_fail(l, l->line, l->col,
			       "the backslash at the end of the file continues the line onto a line "
			       "that does not exist (remove it, or add the next line)");
	if (lx_peek(l, k) == '#')
		return lx_fail(l, l->line, l->col,
			       "a backslash continues a line only as its last character: the "
			       "comment after it stops the continuation (move the comment)");
	return 0;
}

static bool lx_word_char(int c)
{
	return c > ' ' && c != '"' && c != ';' && c != '#' && c != 0x7F;
}

/* Append one character to a growing string. */
static int sb_add(char **b, size_t *n, size_t *cap, char c)
{
	if (*n + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char *nb = realloc(*b, nc);
		if (!nb)
			return -1;
		*b = nb;
		*cap = nc;
	}
	(*b)[(*n)++] = c;
	(*b)[*n] = '\0';
	return 0;
}

/* Read a quoted string at the cursor into *out. */
static int lx_quoted(struct lx *l, char **out)
{
	unsigned line = l->line, col = l->col;
	char *b = NULL;
	size_t n = 0, cap = 0;
	lx_adv(l);
	if (sb_add(&b, &n, &cap, 'x') < 0)
		goto oom;
	n = 0;
	b[0] = '\0';
	for (;;) {
		int c = lx_peek(l, 0);
		if (c < 0 || c == '\n') {
			free(b);
			return lx_fail(l, line, col, "unterminated string");
		}
		if (c == '"') {
			lx_adv(l);
			break;
		}
		if (c == '\\') {
			unsigned ecol = l->col;
			int e = lx_peek(l, 1);
			char ch;
			switch (e) {
			case 'n':
				ch = '\n';
				break;
			case 't':
				ch = '\t';
				break;
			case '\\':
				ch = '\\';
				break;
			case '"':
				ch = '"';
				break;
			default:
				free(b);
				if (e > ' ' && e < 0x7F)
					return lx_fail(l, l->line, ecol,
						       "unknown escape '\\%c' in string (use \\n, "
						       "\\t, \\\\ or \\\")",
						       e);
				return lx_fail(
				    l, l->line, ecol,
				    "unknown escape in string (use \\n, \\t, \\\\ or \\\")");
			}
			lx_adv(l);
			lx_adv(l);
			if (sb_add(&b, &n, &cap, ch) < 0)
				goto oom;
			continue;
		}
		if (sb_add(&b, &n, &cap, (char)c) < 0)
			goto oom;
		lx_adv(l);
	}
	*out = b;
	return 0;
oom:
	free(b);
	return lx_fail(l, line, col, "out of memory");
}

static void tok_free(struct apv_tok *t)
{
	free(t->text);
	free(t->key);
}

void apv_scn_stmt_free(struct apv_stmt *s)
{
	for (int i = 0; i < s->ntok; i++)
		tok_free(&s->tok[i]);
	free(s->tok);
	free(s->src);
	memset(s, 0, sizeof(*s));
}

static int stmt_push_tok(struct apv_stmt *s, struct apv_tok *t)
{
	if (s->ntok == s->cap) {
		int nc = s->cap ? s->cap * 2 : 8;
		struct apv_tok *nt = realloc(s->tok, (size_t)nc * sizeof(*nt));
		if (!nt)
			return -1;
		s->tok = nt;
		s->cap = nc;
	}
	s->tok[s->ntok++] = *t;
	return 0;
}

/*
 * The statement's text as written, blanks and continuations folded to one
 * space, for messages and the trace: at most SRC_MAX characters, then "...",
 * so that neither a step's memory nor a message grows with a huge line.
 */
#define SRC_MAX 160
static char *fold_source(const char *s, size_t a, size_t b)
{
	size_t cap = b - a < SRC_MAX ? b - a : SRC_MAX;
	char *out = malloc(cap + 8); /* a blank, a character and "..." past cap */
	if (!out)
		return NULL;
	size_t n = 0;
	bool blank = false;
	for (size_t i = a; i < b; i++) {
		if (n >= cap) {
			/* Cut at a character boundary: drop a partly copied UTF-8 character. */
			if (((unsigned char)s[i] & 0xC0) == 0x80) {
				while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
					n--;
				if (n > 0)
					n--;
			}
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		char c = s[i];
		if (c == '\\' && i + 1 < b) {
			size_t k = i + 1;
			while (k < b && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
				k++;
			if (k < b && s[k] == '\n') {
				i = k;
				blank = true;
				continue;
			}
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = true;
			continue;
		}
		if (blank && n)
			out[n++] = ' ';
		blank = false;
		out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

int apv_scn_lex(const char *text, size_t len, const char *file, apv_stmt_fn fn, void *ctx,
		char *err, size_t errlen)
{
	struct lx l = {text, len, 0, 1, 1, file, err, errlen};
	struct apv_stmt st = {0};
	size_t st_start = 0, st_end = 0;

	for (;;) {
		int c = lx_peek(&l, 0);
		bool end_stmt = c < 0 || c == '\n' || c == ';';
		if (c == '#') {
			while (lx_peek(&l, 0) >= 0 && lx_peek(&l, 0) != '\n')
				lx_adv(&l);
			continue;
		}
		if (end_stmt) {
			if (st.ntok) {
				st.file = file;
				st.src = fold_source(text, st_start, st_end);
				if (!st.src) {
					apv_scn_stmt_free(&st);
					return lx_fail(&l, l.line, l.col, "out of memory");
				}
				int rc = fn(ctx, &st);
				memset(&st, 0, sizeof(st));
				if (rc < 0)
					return rc;
			}
			if (c < 0)
				return 0;
			lx_adv(&l);
			continue;
		}
		if (lx_continuation(&l)) {
			while (lx_peek(&l, 0) != '\n')
				lx_adv(&l);
			lx_adv(&l);
			continue;
		}
		if (lx_stray_backslash(&l) < 0) {
			apv_scn_stmt_free(&st);
			return -1;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx_adv(&l);
			continue;
		}
		if (c < ' ' || c == 0x7F) {
			apv_scn_stmt_free(&st);
			return lx_fail(&l, l.line, l.col, "unexpected control character 0x%02X",
				       (unsigned)c);
		}

		struct apv_tok t = {0};
		t.line = l.line;
		t.col = l.col;
		t.vcol = l.col;
		if (!st.ntok) {
			st.line = l.line;
			st.col = l.col;
			st_start = l.pos;
		}
		if (c == '"') {
			if (lx_quoted(&l, &t.text) < 0) {
				apv_scn_stmt_free(&st);
				return -1;
			}
			t.quoted = true;
		} else {
			char *b = NULL;
			size_t n = 0, cap = 0;
			bool has_eq = false;
			/* A word ends where a continuation starts ("5-6\" then a newline). */
			while (lx_word_char(lx_peek(&l, 0)) && !lx_continuation(&l) &&
			       !(lx_peek(&l, 0) == '\\' && n > 0 && lx_stray_backslash(&l))) {
				if (lx_peek(&l, 0) == '=' && !has_eq && n > 0) {
					has_eq = true;
					t.key = b;
					b = NULL;
					n = cap = 0;
					lx_adv(&l);
					t.vcol = l.col;
					if (lx_peek(&l, 0) == '"') {
						if (lx_quoted(&l, &t.text) < 0) {
							free(t.key);
							apv_scn_stmt_free(&st);
							return -1;
						}
						t.quoted = true;
						break;
					}
					continue;
				}
				if (sb_add(&b, &n, &cap, (char)lx_peek(&l, 0)) < 0) {
					free(b);
					free(t.key);
					apv_scn_stmt_free(&st);
					return lx_fail(&l, l.line, l.col, "out of memory");
				}
				lx_adv(&l);
			}
			if (!t.quoted)
				t.text = b ? b : strdup("");
			if (!t.text) {
				free(t.key);
				apv_scn_stmt_free(&st);
				return lx_fail(&l, l.line, l.col, "out of memory");
			}
			if (lx_peek(&l, 0) == '"') {
				unsigned qcol = l.col;
				tok_free(&t);
				apv_scn_stmt_free(&st);
				return lx_fail(&l, l.line, qcol,
					       "unexpected '\"' inside a word (put a space before "
					       "the string)");
			}
		}
		if (t.quoted && lx_word_char(lx_peek(&l, 0))) {
			unsigned wcol = l.col;
			tok_free(&t);
			apv_scn_stmt_free(&st);
			return lx_fail(&l, l.line, wcol, "expected a space after the closing '\"'");
		}
		st_end = l.pos;
		if (stmt_push_tok(&st, &t) < 0) {
			tok_free(&t);
			apv_scn_stmt_free(&st);
			return lx_fail(&l, l.line, l.col, "out of memory");
		}
	}
}
