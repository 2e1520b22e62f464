/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict JSON reader with positions in every error.
 *
 * Recursive descent with an explicit depth bound; the first error stops
 * the parse and everything built so far is freed. Columns count
 * characters, not bytes, because that is what an editor shows.
 */
#include "json.h"
#include "srctext.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *s;
	size_t len, pos;
	unsigned line, col;
	const char *fname;
	char *err;
	size_t errlen;
	bool failed;
};

static void jp_fail_at(struct jp *p, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void jp_fail_at(struct jp *p, unsigned line, unsigned col, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	va_list ap;
	va_start(ap, fmt);
	apv_src_vfail(p->err, p->errlen, p->fname, line, col, fmt, ap);
	va_end(ap);
}

#define jp_fail(p, ...) jp_fail_at((p), (p)->line, (p)->col, __VA_ARGS__)

static int jp_peek(const struct jp *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* Advance one byte, keeping line and character column. */
static void jp_advance(struct jp *p)
{
	apv_src_advance((unsigned char)p->s[p->pos++], &p->line, &p->col);
}

/* Describe the character at the cursor for "got ..." messages. */
static const char *jp_what(const struct jp *p, char *buf, size_t len)
{
	int c = jp_peek(p);
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

static void jp_skip_ws(struct jp *p)
{
	for (;;) {
		int c = jp_peek(p);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			jp_advance(p);
			continue;
		}
		if (c == '/' && p->pos + 1 < p->len &&
		    (p->s[p->pos + 1] == '/' || p->s[p->pos + 1] == '*')) {
			jp_fail(p, "comments are not allowed in JSON");
		}
		return;
	}
}

static struct apv_json *jp_node(struct jp *p, enum apv_json_type t)
{
	struct apv_json *j = calloc(1, sizeof(*j));
	if (!j) {
		jp_fail(p, "out of memory");
		return NULL;
	}
	j->type = t;
	j->line = p->line;
	j->col = p->col;
	return j;
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

/* Read 4 hex digits after "\u"; -1 on error (reported). */
static long jp_u4(struct jp *p, unsigned line, unsigned col)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = apv_src_hexdig(jp_peek(p));
		if (h < 0) {
			jp_fail_at(p, line, col, "invalid \\u escape: expected 4 hex digits");
			return -1;
		}
		v = v * 16 + h;
		jp_advance(p);
	}
	return v;
}

struct sbuf {
	char *b;
	size_t n, cap;
};

static bool sb_put(struct sbuf *s, const char *src, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		while (cap < s->n + n + 1)
			cap *= 2;
		char *nb = realloc(s->b, cap);
		if (!nb)
			return false;
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->n, src, n);
	s->n += n;
	s->b[s->n] = '\0';
	return true;
}

static bool sb_utf8(struct sbuf *s, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return sb_put(s, u, n);
}

/* Length of a valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		cp = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		cp = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* Cursor at the opening quote. Returns the decoded string (malloc'd) or NULL. */
static char *jp_string(struct jp *p, size_t *outlen)
{
	unsigned sline = p->line, scol = p->col;
	struct sbuf sb = {0};
	jp_advance(p); /* opening quote */
	if (!sb_put(&sb, "", 0))
		goto oom;
	for (;;) {
		int c = jp_peek(p);
		if (c < 0) {
			jp_fail_at(p, sline, scol, "unterminated string");
			goto fail;
		}
		if (c == '"') {
			jp_advance(p);
			break;
		}
		if (c < 0x20) {
			if (c == '\n')
				jp_fail(p, "unterminated string (a newline inside a string must be "
					   "written \\n)");
			else
				jp_fail(p, "control character 0x%02X in string must be escaped",
					(unsigned)c);
			goto fail;
		}
		if (c == '\\') {
			unsigned eline = p->line, ecol = p->col;
			jp_advance(p);
			int e = jp_peek(p);
			char ch;
			switch (e) {
			case '"':
				ch = '"';
				break;
			case '\\':
				ch = '\\';
				break;
			case '/':
				ch = '/';
				break;
			case 'b':
				ch = '\b';
				break;
			case 'f':
				ch = '\f';
				break;
			case 'n':
				ch = '\n';
				break;
			case 'r':
				ch = '\r';
				break;
			case 't':
				ch = '\t';
				break;
			case 'u': {
				jp_advance(p);
				long cp = jp_u4(p, eline, ecol);
				if (cp < 0)
					goto fail;
				if (cp >= 0xDC00 && cp <= 0xDFFF) {
					jp_fail_at(p, eline, ecol,
						   "unpaired surrogate \\u%04lX in string", cp);
					goto fail;
				}
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (jp_peek(p) != '\\' || p->pos + 1 >= p->len ||
					    p->s[p->pos + 1] != 'u') {
						jp_fail_at(p, eline, ecol,
							   "unpaired surrogate \\u%04lX in string",
							   cp);
						goto fail;
					}
					jp_advance(p);
					jp_advance(p);
					long lo = jp_u4(p, eline, ecol);
					if (lo < 0)
						goto fail;
					if (lo < 0xDC00 || lo > 0xDFFF) {
						jp_fail_at(p, eline, ecol,
							   "unpaired surrogate \\u%04lX in string",
							   cp);
						goto fail;
					}
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				if (cp == 0) {
					jp_fail_at(p, eline, ecol,
						   "\\u0000 is not allowed in a string here");
					goto fail;
				}
				if (!sb_utf8(&sb, (uint32_t)cp))
					goto oom;
				continue;
			}
			default: {
				char what[32];
				if (e < 0)
					jp_fail_at(p, sline, scol, "unterminated string");
				else if (e >= 0x21 && e < 0x7F)
					jp_fail_at(p, eline, ecol,
						   "invalid escape '\\%c' in string", e);
				else
					jp_fail_at(p, eline, ecol,
						   "invalid escape in string: got %s after '\\'",
						   jp_what(p, what, sizeof(what)));
				goto fail;
			}
			}
			jp_advance(p);
			if (!sb_put(&sb, &ch, 1))
				goto oom;
			continue;
		}
		size_t n = utf8_seq((const unsigned char *)p->s + p->pos, p->len - p->pos);
		if (n == 0) {
			jp_fail(p, "invalid UTF-8 in string (byte 0x%02X)", (unsigned)c);
			goto fail;
		}
		if (!sb_put(&sb, p->s + p->pos, n))
			goto oom;
		for (size_t i = 0; i < n; i++)
			jp_advance(p);
	}
	*outlen = sb.n;
	return sb.b;
oom:
	jp_fail(p, "out of memory");
fail:
	free(sb.b);
	return NULL;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static struct apv_json *jp_number(struct jp *p)
{
	size_t start = p->pos;
	unsigned line = p->line, col = p->col;
	if (jp_peek(p) == '-')
		jp_advance(p);
	if (!is_digit(jp_peek(p))) {
		char what[32];
		jp_fail(p, "invalid number: expected a digit after '-', got %s",
			jp_what(p, what, sizeof(what)));
		return NULL;
	}
	if (jp_peek(p) == '0') {
		jp_advance(p);
		if (is_digit(jp_peek(p))) {
			jp_fail_at(p, line, col, "invalid number: leading zeros are not allowed");
			return NULL;
		}
	} else {
		while (is_digit(jp_peek(p)))
			jp_advance(p);
	}
	if (jp_peek(p) == '.') {
		jp_advance(p);
		if (!is_digit(jp_peek(p))) {
			char what[32];
			jp_fail(p, "invalid number: expected a digit after '.', got %s",
				jp_what(p, what, sizeof(what)));
			return NULL;
		}
		while (is_digit(jp_peek(p)))
			jp_advance(p);
	}
	if (jp_peek(p) == 'e' || jp_peek(p) == 'E') {
		jp_advance(p);
		if (jp_peek(p) == '+' || jp_peek(p) == '-')
			jp_advance(p);
		if (!is_digit(jp_peek(p))) {
			char what[32];
			jp_fail(p, "invalid number: expected a digit in the exponent, got %s",
				jp_what(p, what, sizeof(what)));
			return NULL;
		}
		while (is_digit(jp_peek(p)))
			jp_advance(p);
	}
	struct apv_json *j = jp_node(p, APV_JSON_NUMBER);
	if (!j)
		return NULL;
	j->line = line;
	j->col = col;
	j->len = p->pos - start;
	j->str = malloc(j->len + 1);
	if (!j->str) {
		free(j);
		jp_fail(p, "out of memory");
		return NULL;
	}
	memcpy(j->str, p->s + start, j->len);
	j->str[j->len] = '\0';
	return j;
}

static struct apv_json *jp_literal(struct jp *p)
{
	static const struct {
		const char *word;
		enum apv_json_type t;
		bool b;
	} lits[] = {{"true", APV_JSON_BOOL, true},
		    {"false", APV_JSON_BOOL, false},
		    {"null", APV_JSON_NULL, false}};
	size_t end = p->pos;
	while (end < p->len &&
	       ((p->s[end] >= 'a' && p->s[end] <= 'z') || (p->s[end] >= 'A' && p->s[end] <= 'Z') ||
		is_digit(p->s[end]) || p->s[end] == '_'))
		end++;
	size_t n = end - p->pos;
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		if (strlen(lits[i].word) == n && memcmp(p->s + p->pos, lits[i].word, n) == 0) {
			struct apv_json *j = jp_node(p, lits[i].t);
			if (!j)
				return NULL;
			j->b = lits[i].b;
			for (size_t k = 0; k < n; k++)
				jp_advance(p);
			return j;
		}
	}
	if (n > 24)
		n = 24;
	jp_fail(p, "invalid literal '%.*s', expected true, false or null", (int)n, p->s + p->pos);
	return NULL;
}

static struct apv_json *jp_value(struct jp *p, unsigned depth);

static struct apv_json *jp_array(struct jp *p, unsigned depth)
{
	struct apv_json *arr = jp_node(p, APV_JSON_ARRAY);
	if (!arr)
		return NULL;
	struct apv_json **tail = &arr->child;
	jp_advance(p);
	jp_skip_ws(p);
	if (p->failed)
		goto fail;
	if (jp_peek(p) == ']') {
		jp_advance(p);
		return arr;
	}
	for (;;) {
		jp_skip_ws(p);
		if (p->failed)
			goto fail;
		if (jp_peek(p) == ']') {
			jp_fail(p, "trailing comma before ']' is not allowed in JSON");
			goto fail;
		}
		struct apv_json *v = jp_value(p, depth + 1);
		if (!v)
			goto fail;
		*tail = v;
		tail = &v->next;
		arr->count++;
		jp_skip_ws(p);
		if (p->failed)
			goto fail;
		int c = jp_peek(p);
		if (c == ',') {
			jp_advance(p);
			continue;
		}
		if (c == ']') {
			jp_advance(p);
			return arr;
		}
		char what[32];
		jp_fail(p, "expected ',' or ']' after an array element, got %s",
			jp_what(p, what, sizeof(what)));
		goto fail;
	}
fail:
	apv_json_free(arr);
	return NULL;
}

static struct apv_json *jp_object(struct jp *p, unsigned depth)
{
	struct apv_json *obj = jp_node(p, APV_JSON_OBJECT);
	if (!obj)
		return NULL;
	struct apv_json **tail = &obj->child;
	bool after_comma = false;
	jp_advance(p);
	for (;;) {
		char what[32];
		jp_skip_ws(p);
		if (p->failed)
			goto fail;
		int c = jp_peek(p);
		if (c == '}') {
			if (after_comma) {
				jp_fail(p, "trailing comma before '}' is not allowed in JSON");
				goto fail;
			}
			jp_advance(p);
			return obj;
		}
		if (c != '"') {
			if (after_comma)
				jp_fail(p, "expected a string key after ',', got %s",
					jp_what(p, what, sizeof(what)));
			else
				jp_fail(p, "expected a string key or '}', got %s",
					jp_what(p, what, sizeof(what)));
			goto fail;
		}
		unsigned kline = p->line, kcol = p->col;
		size_t klen;
		char *key = jp_string(p, &klen);
		if (!key)
			goto fail;
		for (struct apv_json *m = obj->child; m; m = m->next) {
			if (strcmp(m->key, key) == 0) {
				jp_fail_at(p, kline, kcol,
					   "duplicate key \"%s\" (first at line %u, column %u)",
					   key, m->key_line, m->key_col);
				free(key);
				goto fail;
			}
		}
		jp_skip_ws(p);
		if (p->failed || jp_peek(p) != ':') {
			jp_fail(p, "expected ':' after the key \"%s\", got %s", key,
				jp_what(p, what, sizeof(what)));
			free(key);
			goto fail;
		}
		jp_advance(p);
		jp_skip_ws(p);
		struct apv_json *v = p->failed ? NULL : jp_value(p, depth + 1);
		if (!v) {
			free(key);
			goto fail;
		}
		v->key = key;
		v->key_line = kline;
		v->key_col = kcol;
		*tail = v;
		tail = &v->next;
		obj->count++;
		jp_skip_ws(p);
		if (p->failed)
			goto fail;
		c = jp_peek(p);
		if (c == ',') {
			jp_advance(p);
			after_comma = true;
			continue;
		}
		if (c == '}') {
			jp_advance(p);
			return obj;
		}
		jp_fail(p, "expected ',' or '}' after a member of the object, got %s",
			jp_what(p, what, sizeof(what)));
		goto fail;
	}
fail:
	apv_json_free(obj);
	return NULL;
}

static struct apv_json *jp_value(struct jp *p, unsigned depth)
{
	char what[32];
	int c = jp_peek(p);
	if ((c == '[' || c == '{') && depth >= APV_JSON_MAX_DEPTH) {
		jp_fail(p, "nesting deeper than %d levels", APV_JSON_MAX_DEPTH);
		return NULL;
	}
	switch (c) {
	case '{':
		return jp_object(p, depth);
	case '[':
		return jp_array(p, depth);
	case '"': {
		struct apv_json *j = jp_node(p, APV_JSON_STRING);
		if (!j)
			return NULL;
		j->str = jp_string(p, &j->len);
		if (!j->str) {
			free(j);
			return NULL;
		}
		return j;
	}
	case '-':
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case '8':
	case '9':
		return jp_number(p);
	case -1:
		jp_fail(p, "unexpected end of input, expected a value");
		return NULL;
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return jp_literal(p);
		if (c == '\'')
			jp_fail(p, "strings must use double quotes, got '''");
		else
			jp_fail(p, "expected a value, got %s", jp_what(p, what, sizeof(what)));
		return NULL;
	}
}

struct apv_json *apv_json_parse(const char *text, size_t len, const char *fname, char *err,
				size_t errlen)
{
	struct jp p = {text, len, 0, 1, 1, fname ? fname : "<json>", err, errlen, false};
	if (err && errlen)
		err[0] = '\0';
	/* A UTF-8 byte-order mark is tolerated, as most JSON tools do. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		p.pos = 3;
	jp_skip_ws(&p);
	if (p.failed)
		return NULL;
	if (p.pos == p.len) {
		jp_fail(&p, "empty input, expected a JSON value");
		return NULL;
	}
	struct apv_json *root = jp_value(&p, 0);
	if (!root)
		return NULL;
	jp_skip_ws(&p);
	if (!p.failed && p.pos < p.len) {
		char what[32];
		jp_fail(&p, "unexpected %s after the JSON value", jp_what(&p, what, sizeof(what)));
	}
	if (p.failed) {
		apv_json_free(root);
		return NULL;
	}
	return root;
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
