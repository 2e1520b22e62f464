/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict JSON (RFC 8259) for mdevctl definitions, read by jansson and
 * handed to the importer as a small read-only tree with positions.
 *
 * Strict on purpose: a definition that mdevctl or the kernel would read
 * differently must not be guessed at. No comments, no trailing commas, no
 * duplicate keys, no NUL bytes or \u0000, no control characters or invalid
 * UTF-8, no numbers beyond 64-bit integers and doubles, no nesting deeper
 * than APV_JSON_MAX_DEPTH; every error names the line and column (in
 * characters, 1-based) where the problem starts and what was expected.
 */
#ifndef APV_SCENARIO_JSON_H
#define APV_SCENARIO_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum apv_json_type {
	APV_JSON_NULL,
	APV_JSON_BOOL,
	APV_JSON_NUMBER,
	APV_JSON_STRING,
	APV_JSON_ARRAY,
	APV_JSON_OBJECT,
};

/* Arrays and objects deeper than this are refused (no unbounded recursion). */
#define APV_JSON_MAX_DEPTH 64

struct apv_json {
	enum apv_json_type type;
	unsigned line, col; /* where the value starts */
	char *key;	    /* member name when the parent is an object */
	unsigned key_line, key_col;
	char *str;		/* STRING: decoded UTF-8; NUMBER: its text */
	size_t len;		/* length of str */
	bool b;			/* BOOL */
	size_t count;		/* ARRAY/OBJECT: number of children */
	struct apv_json *child; /* first element / member */
	struct apv_json *next;	/* next sibling */
};

/*
 * Parse `len` bytes. On error returns NULL and writes
 * "FNAME:LINE:COL: message" into err.
 */
struct apv_json *apv_json_parse(const char *text, size_t len, const char *fname, char *err,
				size_t errlen);
void apv_json_free(struct apv_json *j);

/* Member `key` of an object, or NULL. */
const struct apv_json *apv_json_get(const struct apv_json *obj, const char *key);
/* "a string", "an object", ... for messages. */
const char *apv_json_type_name(enum apv_json_type t);

#endif
