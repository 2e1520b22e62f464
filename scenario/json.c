/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdevctl JSON through jansson, with a position on every value and every
 * error.
 *
 * jansson does the reading: RFC 8259 syntax, UTF-8, escapes, duplicate
 * keys, number range, its depth bound. Two things it does not give, and
 * that this file adds:
 *
 *  - Positions of values. The importer's schema errors point at the value
 *    or key they are about, and jansson's tree has no positions. They are
 *    recovered by walking the text alongside the tree. The walk only runs
 *    over text jansson has just accepted, so it steps token by token and
 *    needs no error handling of its own.
 *  - The project's wording. jansson says where it stopped and a terse
 *    reason ("']' expected near '2'"); the message here names the token
 *    where the problem starts and what was expected there, in the same
 *    words as the scenario parser ("expected ',' or ']' after an array
 *    element, got '2'").
 *
 * Columns count characters, not bytes, because that is what an editor
 * shows (jansson counts them the same way).
 */
#include "json.h"
#include "srctext.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct src {
	const char *s;
	size_t len;  /* what jansson reads: up to the first NUL byte */
	size_t full; /* the whole input, for describing what comes after */
	const char *fname;
	char *err;
	size_t errlen;
};

static int fail_at(const struct src *x, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report at byte offset off. Returns 0, so that a reporter can end with it. */
static int fail_at(const struct src *x, size_t off, const char *fmt, ...)
{
	unsigned line = 1, col = 1;
	va_list ap;

	for (size_t i = 0; i < off && i < x->full; i++)
		apv_src_advance((unsigned char)x->s[i], &line, &col);
	va_start(ap, fmt);
	apv_src_vfail(x->err, x->errlen, x->fname, line, col, fmt, ap);
	va_end(ap);
	return 0;
}

/* The byte at off, for "got ..." messages. */
static const char *what(const struct src *x, size_t off, char *buf, size_t len)
{
	int c = off < x->full ? (unsigned char)x->s[off] : -1;

	if (c < 0)
		snprintf(buf, len, "end of input");
	else if (c >= 0x21 && c < 0x7F)
		snprintf(buf, len, "'%c'", c);
	else if (c == ' ')
		snprintf(buf, len, "a space");
	else if (c == '\n')
		snprintf(buf, len, "end of line");
	else
		snprintf(buf, len, "byte 0x%02X", (unsigned)c);
	return buf;
}

/* ---- tokens ------------------------------------------------------------- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_punct(char c)
{
	return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',' || c == '"';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_ws(const struct src *x, size_t i)
{
	while (i < x->len && is_ws(x->s[i]))
		i++;
	return i;
}

/*
 * End of the token that starts at i: one byte of punctuation, a string up
 * to and with its closing quote (or the end of input), or a run of other
 * bytes (a number, a literal, or whatever jansson refused).
 */
static size_t tok_end(const struct src *x, size_t i)
{
	if (i >= x->len)
		return i;
	if (x->s[i] == '"') {
		for (i++; i < x->len && x->s[i] != '"'; i++)
			if (x->s[i] == '\\')
				i++;
		return i < x->len ? i + 1 : x->len;
	}
	if (is_punct(x->s[i]))
		return i + 1;
	while (i < x->len && !is_ws(x->s[i]) && !is_punct(x->s[i]))
		i++;
	return i;
}

/* Decode the JSON string token [i, end) with jansson; NULL if it is not one. */
static json_t *decode_string(const struct src *x, size_t i, size_t end)
{
	json_error_t e;
	json_t *v = json_loadb(x->s + i, end - i, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	if (v && !json_is_string(v)) {
		json_decref(v);
		v = NULL;
	}
	return v;
}

/*
 * What lies before the point where jansson stopped: the token it stopped
 * on, the one before it, and the containers open there. Nesting beyond
 * the bound is reported first, as a reader going left to right meets it
 * first.
 */
struct scan {
	size_t tok;		 /* start of the token jansson stopped on */
	size_t prev, prev_end;	 /* the token before it; prev == SIZE_MAX if none */
	size_t too_deep;	 /* the container past the bound, or SIZE_MAX */
	unsigned depth;		 /* containers open at tok */
	size_t open[APV_JSON_MAX_DEPTH];
};

static void scan_to(const struct src *x, size_t stop, bool at_eof, struct scan *sc)
{
	size_t i = 0;

	sc->prev = SIZE_MAX;
	sc->prev_end = 0;
	sc->too_deep = SIZE_MAX;
	sc->depth = 0;
	for (;;) {
		i = skip_ws(x, i);
		size_t e = tok_end(x, i);
		if (i >= x->len || (!at_eof && e >= stop)) {
			sc->tok = i;
			return;
		}
		char c = x->s[i];
		if (c == '{' || c == '[') {
			if (sc->depth == APV_JSON_MAX_DEPTH) {
				sc->too_deep = i;
				return;
			}
			sc->open[sc->depth++] = i;
		} else if ((c == '}' || c == ']') && sc->depth) {
			sc->depth--;
		}
		sc->prev = i;
		sc->prev_end = e;
		i = e;
	}
}

/* ---- jansson's errors in our words -------------------------------------- */

/* An invalid token starting with '-' or a digit: say which part of the number is wrong. */
static int bad_number(const struct src *x, size_t i)
{
	size_t start = i;
	char w[32];

	if (x->s[i] == '-')
		i++;
	if (i >= x->len || !is_digit(x->s[i]))
		return fail_at(x, i, "invalid number: expected a digit after '-', got %s",
			       what(x, i, w, sizeof(w)));
	if (x->s[i] == '0') {
		if (++i < x->len && is_digit(x->s[i]))
			return fail_at(x, start, "invalid number: leading zeros are not allowed");
	}
	while (i < x->len && is_digit(x->s[i]))
		i++;
	if (i < x->len && x->s[i] == '.') {
		if (++i >= x->len || !is_digit(x->s[i]))
			return fail_at(x, i, "invalid number: expected a digit after '.', got %s",
				       what(x, i, w, sizeof(w)));
		while (i < x->len && is_digit(x->s[i]))
			i++;
	}
	if (i < x->len && (x->s[i] == 'e' || x->s[i] == 'E')) {
		if (++i < x->len && (x->s[i] == '+' || x->s[i] == '-'))
			i++;
		if (i >= x->len || !is_digit(x->s[i]))
			return fail_at(x, i,
				       "invalid number: expected a digit in the exponent, got %s",
				       what(x, i, w, sizeof(w)));
		while (i < x->len && is_digit(x->s[i]))
			i++;
	}
	return fail_at(x, i, "invalid number: unexpected %s after its last digit",
		       what(x, i, w, sizeof(w)));
}

static long hex4(const struct src *x, size_t i, size_t end)
{
	long v = 0;

	for (size_t k = 0; k < 4; k++) {
		int h = i + k < end ? apv_src_hexdig((unsigned char)x->s[i + k]) : -1;
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * The string token [i, end) was refused while decoding: find the escape
 * at fault, \u0000 (nul) or an unpaired surrogate, and report it there.
 */
static int bad_escape(const struct src *x, size_t i, size_t end, bool nul)
{
	for (size_t k = i + 1; k + 1 < end; k++) {
		if (x->s[k] != '\\')
			continue;
		if (x->s[k + 1] != 'u') {
			k++;
			continue;
		}
		long cp = hex4(x, k + 2, end);
		if (nul && cp == 0)
			return fail_at(x, k, "\\u0000 is not allowed in a string here");
		if (!nul && cp >= 0xDC00 && cp <= 0xDFFF)
			return fail_at(x, k, "unpaired surrogate \\u%04lX in string", cp);
		if (!nul && cp >= 0xD800 && cp <= 0xDBFF) {
			long lo = k + 7 < end && x->s[k + 6] == '\\' && x->s[k + 7] == 'u'
				      ? hex4(x, k + 8, end)
				      : -1;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail_at(x, k, "unpaired surrogate \\u%04lX in string", cp);
			k += 6;
		}
		k += 5;
	}
	return fail_at(x, i, nul ? "\\u0000 is not allowed in a string here"
				 : "invalid \\u escape in string");
}

/* The offset of the first duplicate's earlier twin in the object that opens at ob. */
static size_t first_key(const struct src *x, size_t ob, size_t dup, const json_t *key)
{
	unsigned depth = 0;
	size_t i = ob;

	for (;;) {
		i = skip_ws(x, i);
		if (i >= dup)
			return dup;
		size_t e = tok_end(x, i);
		size_t after = skip_ws(x, e);
		char c = x->s[i];
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == '"' && depth == 1 && after < x->len && x->s[after] == ':') {
			json_t *k = decode_string(x, i, e);
			bool same = k && json_equal(k, key);
			json_decref(k);
			if (same)
				return i;
		}
		i = e;
	}
}

static int translate(const struct src *x, const json_error_t *e)
{
	enum json_error_code code = json_error_code(e);
	size_t end = (size_t)e->position < x->len ? (size_t)e->position : x->len;
	bool at_eof = strstr(e->text, "near end of file") != NULL;
	struct scan sc;
	char w[32], p[32];

	scan_to(x, end, at_eof, &sc);
	if (sc.too_deep != SIZE_MAX)
		return fail_at(x, sc.too_deep, "nesting deeper than %d levels",
			       APV_JSON_MAX_DEPTH);

	/*
	 * jansson quotes the token it stopped on when it is short ("... near
	 * 'x'"); that fixes where the token starts better than the scan, which
	 * does not split "0x10" the way jansson's number reader does.
	 */
	size_t t = sc.tok;
	const char *near = strstr(e->text, " near '");
	size_t tl = near ? strlen(near + 7) : 0;
	if (!at_eof && tl > 1 && near[7 + tl - 1] == '\'' && tl - 1 <= end)
		t = end - (tl - 1);
	char c = t < x->len ? x->s[t] : '\0';
	bool after_comma = sc.prev != SIZE_MAX && x->s[sc.prev] == ',';
	bool in_string = c == '"' && t < x->len;

	switch (code) {
	case json_error_invalid_utf8:
		return fail_at(x, end, "invalid UTF-8%s (byte 0x%02X)", in_string ? " in string" : "",
			       end < x->len ? (unsigned)(unsigned char)x->s[end] : 0u);
	case json_error_stack_overflow:
		/* jansson's own bound is above ours: the scan found it first. */
		return fail_at(x, t, "nesting deeper than %d levels", APV_JSON_MAX_DEPTH);
	case json_error_numeric_overflow: {
		size_t ne = tok_end(x, t);
		bool integer = strstr(e->text, "integer") != NULL;
		return fail_at(x, t, "number %.*s is out of range (%s)",
			       (int)(ne - t > 40 ? 40 : ne - t), x->s + t,
			       integer ? "integers must fit in 64 bits"
				       : "beyond the largest double");
	}
	case json_error_duplicate_key: {
		json_t *k = decode_string(x, t, tok_end(x, t));
		size_t first = sc.depth ? first_key(x, sc.open[sc.depth - 1], t, k) : t;
		unsigned fl = 1, fc = 1;
		for (size_t i = 0; i < first; i++)
			apv_src_advance((unsigned char)x->s[i], &fl, &fc);
		fail_at(x, t, "duplicate key \"%s\" (first at line %u, column %u)",
			k ? json_string_value(k) : "", fl, fc);
		json_decref(k);
		return 0;
	}
	case json_error_null_character:
		return bad_escape(x, t, tok_end(x, t), true);
	default:
		break;
	}

	const char *m = e->text;
	if (!strncmp(m, "invalid Unicode", 15))
		return bad_escape(x, t, tok_end(x, t), false);
	if (!strncmp(m, "premature end of input", 22) || (in_string && at_eof)) {
		if (x->len < x->full) /* the string runs into a NUL byte */
			return fail_at(x, x->len, "control character 0x00 in string must be escaped");
		return fail_at(x, t, "unterminated string");
	}
	if (!strncmp(m, "unexpected newline", 18))
		return fail_at(x, end, "unterminated string (a newline inside a string must be "
				       "written \\n)");
	if (!strncmp(m, "control character", 17))
		return fail_at(x, end, "control character 0x%02X in string must be escaped",
			       end < x->len ? (unsigned)(unsigned char)x->s[end] : 0u);
	if (!strncmp(m, "invalid escape", 14)) {
		size_t b = end;
		while (b > t && x->s[b - 1] != '\\')
			b--;
		b = b > t ? b - 1 : t;
		int n = b + 1 < x->len ? (unsigned char)x->s[b + 1] : -1;
		if (n == 'u')
			return fail_at(x, b, "invalid \\u escape: expected 4 hex digits");
		if (n < 0)
			return fail_at(x, t, "unterminated string");
		if (n >= 0x21 && n < 0x7F)
			return fail_at(x, b, "invalid escape '\\%c' in string", n);
		return fail_at(x, b, "invalid escape in string: got %s after '\\'",
			       what(x, b + 1, w, sizeof(w)));
	}
	if (!strncmp(m, "']' expected", 12) && after_comma)
		return t >= x->len && x->len == x->full
			   ? fail_at(x, t, "unexpected end of input, expected a value")
			   : fail_at(x, t, "expected a value, got %s", what(x, t, w, sizeof(w)));
	if (!strncmp(m, "']' expected", 12))
		return fail_at(x, t, "expected ',' or ']' after an array element, got %s",
			       what(x, t, w, sizeof(w)));
	if (!strncmp(m, "'}' expected", 12))
		return fail_at(x, t, "expected ',' or '}' after a member of the object, got %s",
			       what(x, t, w, sizeof(w)));
	if (!strncmp(m, "string or '}' expected", 22)) {
		if (c == '}' && after_comma)
			return fail_at(x, t, "trailing comma before '}' is not allowed in JSON");
		return fail_at(x, t, "expected a string key %s, got %s",
			       after_comma ? "after ','" : "or '}'", what(x, t, w, sizeof(w)));
	}
	if (!strncmp(m, "':' expected", 12)) {
		json_t *k = sc.prev != SIZE_MAX ? decode_string(x, sc.prev, sc.prev_end) : NULL;
		fail_at(x, t, "expected ':' after the key \"%s\", got %s",
			k ? json_string_value(k) : "", what(x, t, w, sizeof(w)));
		json_decref(k);
		return 0;
	}
	if (t < x->len && c == '/' && t + 1 < x->len &&
	    (x->s[t + 1] == '/' || x->s[t + 1] == '*'))
		return fail_at(x, t, "comments are not allowed in JSON");
	if (!strncmp(m, "end of file expected", 20))
		return fail_at(x, t, "unexpected %s after the JSON value", what(x, t, w, sizeof(w)));
	if (!strncmp(m, "invalid token", 13)) {
		if (c == '-' || is_digit(c))
			return bad_number(x, t);
		if (c == '\'')
			return fail_at(x, t, "strings must use double quotes, got '''");
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t n = 0;
			while (t + n < x->len && n < 24 &&
			       (is_digit(x->s[t + n]) || x->s[t + n] == '_' ||
				((x->s[t + n] | 0x20) >= 'a' && (x->s[t + n] | 0x20) <= 'z')))
				n++;
			return fail_at(x, t, "invalid literal '%.*s', expected true, false or null",
				       (int)n, x->s + t);
		}
		return fail_at(x, t, "expected a value, got %s", what(x, t, w, sizeof(w)));
	}
	if (!strncmp(m, "unexpected token", 16)) {
		if (t >= x->full && sc.prev == SIZE_MAX)
			return fail_at(x, t, "empty input, expected a JSON value");
		if (c == ']' && after_comma)
			return fail_at(x, t, "trailing comma before ']' is not allowed in JSON");
		if (t >= x->len && x->len == x->full)
			return fail_at(x, t, "unexpected end of input, expected a value");
		return fail_at(x, t, "expected a value, got %s", what(x, t, w, sizeof(w)));
	}
	/* Anything else (out of memory): jansson's own words, at its position. */
	return fail_at(x, end, "%s (%s)", m, what(x, end, p, sizeof(p)));
}

/* ---- the tree ------------------------------------------------------------ */

/* A cursor over text jansson accepted, keeping line and column. */
struct walk {
	const struct src *x;
	size_t pos;
	unsigned line, col;
	bool failed;
};

static void w_to(struct walk *w, size_t to)
{
	while (w->pos < to)
		apv_src_advance((unsigned char)w->x->s[w->pos++], &w->line, &w->col);
}

static void w_ws(struct walk *w)
{
	w_to(w, skip_ws(w->x, w->pos));
}

/* Past the next token, and the ',' or ':' after it if there is one. */
static void w_skip(struct walk *w, char sep)
{
	w_ws(w);
	w_to(w, tok_end(w->x, w->pos));
	w_ws(w);
	if (w->pos < w->x->len && w->x->s[w->pos] == sep)
		w_to(w, w->pos + 1);
}

static struct apv_json *w_fail(struct walk *w, struct apv_json *j, const char *msg)
{
	if (!w->failed)
		fail_at(w->x, w->pos, "%s", msg);
	w->failed = true;
	apv_json_free(j);
	return NULL;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static struct apv_json *build(struct walk *w, json_t *v, unsigned depth)
{
	struct apv_json *j, **tail;
	char msg[48];

	w_ws(w);
	if ((json_is_object(v) || json_is_array(v)) && depth >= APV_JSON_MAX_DEPTH) {
		snprintf(msg, sizeof(msg), "nesting deeper than %d levels", APV_JSON_MAX_DEPTH);
		return w_fail(w, NULL, msg);
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return w_fail(w, NULL, "out of memory");
	j->line = w->line;
	j->col = w->col;
	tail = &j->child;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		j->type = APV_JSON_OBJECT;
		w_to(w, w->pos + 1);
		json_object_foreach(v, key, m)
		{
			w_ws(w);
			unsigned kl = w->line, kc = w->col;
			w_skip(w, ':');
			struct apv_json *c = build(w, m, depth + 1);
			if (!c)
				return w_fail(w, j, "");
			c->key = strdup(key);
			c->key_line = kl;
			c->key_col = kc;
			*tail = c;
			tail = &c->next;
			j->count++;
			if (!c->key)
				return w_fail(w, j, "out of memory");
			w_ws(w);
			if (w->pos < w->x->len && w->x->s[w->pos] == ',')
				w_to(w, w->pos + 1);
		}
		w_skip(w, '\0');
		return j;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *m;
		j->type = APV_JSON_ARRAY;
		w_to(w, w->pos + 1);
		json_array_foreach(v, i, m)
		{
			struct apv_json *c = build(w, m, depth + 1);
			if (!c)
				return w_fail(w, j, "");
			*tail = c;
			tail = &c->next;
			j->count++;
			w_ws(w);
			if (w->pos < w->x->len && w->x->s[w->pos] == ',')
				w_to(w, w->pos + 1);
		}
		w_skip(w, '\0');
		return j;
	}
	case JSON_STRING:
		j->type = APV_JSON_STRING;
		j->len = json_string_length(v);
		j->str = dup_bytes(json_string_value(v), j->len);
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		j->type = APV_JSON_NUMBER;
		j->len = tok_end(w->x, w->pos) - w->pos;
		j->str = dup_bytes(w->x->s + w->pos, j->len);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		j->type = APV_JSON_BOOL;
		j->b = json_is_true(v);
		break;
	case JSON_NULL:
		j->type = APV_JSON_NULL;
		break;
	}
	if ((j->type == APV_JSON_STRING || j->type == APV_JSON_NUMBER) && !j->str)
		return w_fail(w, j, "out of memory");
	w_to(w, tok_end(w->x, w->pos));
	return j;
}

struct apv_json *apv_json_parse(const char *text, size_t len, const char *fname, char *err,
				size_t errlen)
{
	struct src x = {text, len, len, fname ? fname : "<json>", err, errlen};
	const char *nul;
	json_error_t e;
	json_t *root;

	if (err && errlen)
		err[0] = '\0';
	/* A UTF-8 byte-order mark is tolerated, as most JSON tools do; it is no column. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		x.s += 3;
		x.len = x.full = len - 3;
	}
	/*
	 * jansson would read a NUL byte as the end of the input. Let it read
	 * up to the first one, and name the byte where the text breaks.
	 */
	nul = memchr(x.s, '\0', x.len);
	if (nul)
		x.len = (size_t)(nul - x.s);
	root = json_loadb(x.s, x.len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	if (!root) {
		translate(&x, &e);
		return NULL;
	}
	if (nul) {
		json_decref(root);
		fail_at(&x, x.len, "unexpected byte 0x00 after the JSON value");
		return NULL;
	}
	struct walk w = {&x, 0, 1, 1, false};
	struct apv_json *tree = build(&w, root, 0);
	json_decref(root);
	return tree;
}

void apv_json_free(struct apv_json *j)
{
	while (j) {
		struct apv_json *next = j->next;
		apv_json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

const struct apv_json *apv_json_get(const struct apv_json *obj, const char *key)
{
	if (!obj || obj->type != APV_JSON_OBJECT)
		return NULL;
	for (const struct apv_json *m = obj->child; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *apv_json_type_name(enum apv_json_type t)
{
	switch (t) {
	case APV_JSON_NULL:
		return "null";
	case APV_JSON_BOOL:
		return "a boolean";
	case APV_JSON_NUMBER:
		return "a number";
	case APV_JSON_STRING:
		return "a string";
	case APV_JSON_ARRAY:
		return "an array";
	case APV_JSON_OBJECT:
		return "an object";
	}
	return "a value";
}
