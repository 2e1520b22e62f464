/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The strict JSON reader: what it accepts, and the exact message with
 * line and column for each kind of bad input.
 */
#include "testlib.h"

#include "json.h"

#include <string.h>

static char err[512];

static const char *jerr(const char *text)
{
	err[0] = '\0';
	struct apv_json *j = apv_json_parse(text, strlen(text), "d.json", err, sizeof(err));
	if (j) {
		apv_json_free(j);
		return "";
	}
	return err;
}

TEST(json_accepts_every_value_kind)
{
	const char *t =
	    "{\"a\": [1, -2.5e3, 0, true, false, null, \"x\\u00e9\\n\"], \"b\": {}, \"c\": []}";
	struct apv_json *j = apv_json_parse(t, strlen(t), "d.json", err, sizeof(err));
	REQUIRE(j != NULL);
	CHECK_EQ(j->type, APV_JSON_OBJECT);
	CHECK_EQ(j->count, 3);
	const struct apv_json *a = apv_json_get(j, "a");
	REQUIRE(a && a->type == APV_JSON_ARRAY);
	CHECK_EQ(a->count, 7);
	CHECK_STR(a->child->next->str, "-2.5e3");
	const struct apv_json *s = a->child;
	for (int i = 0; i < 6; i++)
		s = s->next;
	CHECK_STR(s->str, "x\xc3\xa9\n");
	CHECK_EQ(s->line, 1);
	CHECK_EQ(s->col, 41);
	CHECK(apv_json_get(j, "zz") == NULL);
	apv_json_free(j);
}

TEST(json_positions_count_characters_and_lines)
{
	const char *t = "{\n  \"k\": \"\xc3\xa9t\xc3\xa9\",\n  \"n\": 5\n}";
	struct apv_json *j = apv_json_parse(t, strlen(t), "d.json", err, sizeof(err));
	REQUIRE(j != NULL);
	const struct apv_json *n = apv_json_get(j, "n");
	REQUIRE(n != NULL);
	CHECK_EQ(n->key_line, 3);
	CHECK_EQ(n->key_col, 3);
	CHECK_EQ(n->line, 3);
	CHECK_EQ(n->col, 8);
	apv_json_free(j);
	CHECK_STR(jerr("{\"k\": \"\xc3\xa9t\xc3\xa9\", x}"),
		  "d.json:1:14: expected a string key after ',', got 'x'");
}

TEST(json_surrogate_pairs_decode)
{
	struct apv_json *j = apv_json_parse("\"\\ud83d\\ude00\"", 14, "d.json", err, sizeof(err));
	REQUIRE(j != NULL);
	CHECK_STR(j->str, "\xf0\x9f\x98\x80");
	apv_json_free(j);
}

TEST(json_empty_input)
{
	CHECK_STR(jerr(""), "d.json:1:1: empty input, expected a JSON value");
	CHECK_STR(jerr("  \n "), "d.json:2:2: empty input, expected a JSON value");
}

TEST(json_trailing_commas)
{
	CHECK_STR(jerr("[1, 2,]"), "d.json:1:7: trailing comma before ']' is not allowed in JSON");
	CHECK_STR(jerr("{\"a\": 1,}"),
		  "d.json:1:9: trailing comma before '}' is not allowed in JSON");
}

TEST(json_missing_separators)
{
	CHECK_STR(jerr("[1 2]"), "d.json:1:4: expected ',' or ']' after an array element, got '2'");
	CHECK_STR(jerr("{\"a\" 1}"), "d.json:1:6: expected ':' after the key \"a\", got '1'");
	CHECK_STR(jerr("{\"a\": 1 \"b\": 2}"),
		  "d.json:1:9: expected ',' or '}' after a member of the object, got '\"'");
	CHECK_STR(jerr("{a: 1}"), "d.json:1:2: expected a string key or '}', got 'a'");
}

TEST(json_unterminated_containers)
{
	CHECK_STR(jerr("[1, 2"),
		  "d.json:1:6: expected ',' or ']' after an array element, got end of input");
	CHECK_STR(jerr("{\"a\": "), "d.json:1:7: unexpected end of input, expected a value");
	CHECK_STR(jerr("[1,"), "d.json:1:4: unexpected end of input, expected a value");
	CHECK_STR(jerr("{\"a\": 1"),
		  "d.json:1:8: expected ',' or '}' after a member of the object, got end of input");
}

TEST(json_strings)
{
	CHECK_STR(jerr("\"abc"), "d.json:1:1: unterminated string");
	CHECK_STR(
	    jerr("\"a\nb\""),
	    "d.json:1:3: unterminated string (a newline inside a string must be written \\n)");
	CHECK_STR(jerr("\"a\tb\""), "d.json:1:3: control character 0x09 in string must be escaped");
	CHECK_STR(jerr("\"a\\qb\""), "d.json:1:3: invalid escape '\\q' in string");
	CHECK_STR(jerr("\"\\u12g4\""), "d.json:1:2: invalid \\u escape: expected 4 hex digits");
	CHECK_STR(jerr("\"\\ud800\""), "d.json:1:2: unpaired surrogate \\uD800 in string");
	CHECK_STR(jerr("\"\\udc00\""), "d.json:1:2: unpaired surrogate \\uDC00 in string");
	CHECK_STR(jerr("\"\\u0000\""), "d.json:1:2: \\u0000 is not allowed in a string here");
	CHECK_STR(jerr("\"\xff\""), "d.json:1:2: invalid UTF-8 in string (byte 0xFF)");
	CHECK_STR(jerr("\"\xc0\xaf\""), "d.json:1:2: invalid UTF-8 in string (byte 0xC0)");
	CHECK_STR(jerr("'a'"), "d.json:1:1: strings must use double quotes, got '''");
}

TEST(json_numbers)
{
	CHECK_STR(jerr("01"), "d.json:1:1: invalid number: leading zeros are not allowed");
	CHECK_STR(jerr("1."),
		  "d.json:1:3: invalid number: expected a digit after '.', got end of input");
	CHECK_STR(jerr("-"),
		  "d.json:1:2: invalid number: expected a digit after '-', got end of input");
	CHECK_STR(jerr("1e+"),
		  "d.json:1:4: invalid number: expected a digit in the exponent, got end of input");
	CHECK_STR(jerr("[0x10]"),
		  "d.json:1:3: expected ',' or ']' after an array element, got 'x'");
	CHECK_STR(jerr("-0.5E-7"), "");
}

TEST(json_literals)
{
	CHECK_STR(jerr("tru"), "d.json:1:1: invalid literal 'tru', expected true, false or null");
	CHECK_STR(jerr("[True]"),
		  "d.json:1:2: invalid literal 'True', expected true, false or null");
	CHECK_STR(jerr("nullx"),
		  "d.json:1:1: invalid literal 'nullx', expected true, false or null");
}

TEST(json_rejects_what_tools_tolerate)
{
	CHECK_STR(jerr("{} // done"), "d.json:1:4: comments are not allowed in JSON");
	CHECK_STR(jerr("/* x */ {}"), "d.json:1:1: comments are not allowed in JSON");
	CHECK_STR(jerr("{} {}"), "d.json:1:4: unexpected '{' after the JSON value");
	CHECK_STR(jerr("{\"a\": 1,\n \"a\": 2}"),
		  "d.json:2:2: duplicate key \"a\" (first at line 1, column 2)");
	CHECK_STR(jerr("\xef\xbb\xbf{}"), "");
	CHECK_STR(jerr("[\x01]"), "d.json:1:2: expected a value, got byte 0x01");
}

TEST(json_depth_is_bounded)
{
	char deep[APV_JSON_MAX_DEPTH + 2];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	CHECK_STR(jerr(deep), "d.json:1:65: nesting deeper than 64 levels");
	char ok[2 * APV_JSON_MAX_DEPTH + 1];
	memset(ok, '[', APV_JSON_MAX_DEPTH);
	memset(ok + APV_JSON_MAX_DEPTH, ']', APV_JSON_MAX_DEPTH);
	ok[2 * APV_JSON_MAX_DEPTH] = '\0';
	CHECK_STR(jerr(ok), "");
}

TEST(json_embedded_nul_is_rejected)
{
	struct apv_json *j = apv_json_parse("{}\0{}", 5, "d.json", err, sizeof(err));
	CHECK(j == NULL);
	CHECK_STR(err, "d.json:1:3: unexpected byte 0x00 after the JSON value");
}

TEST(json_duplicate_keys_compare_decoded_names)
{
	/* The same key spelt with an escape is still the same key. */
	CHECK_STR(jerr("{\"ab\": 1, \"x\": {\"ab\": 2}, \"a\\u0062\": 3}"),
		  "d.json:1:27: duplicate key \"ab\" (first at line 1, column 2)");
	/* Keys of a nested object are apart from the outer ones. */
	CHECK_STR(jerr("{\"a\": {\"a\": {\"a\": 1}}}"), "");
	CHECK_STR(jerr("[{\"k\": 1}, {\"k\": [1, {\"k\": 2, \"k\": 3}]}]"),
		  "d.json:1:31: duplicate key \"k\" (first at line 1, column 23)");
}

TEST(json_nul_bytes_are_named_where_they_are)
{
	struct apv_json *j;

	j = apv_json_parse("[\"a\0b\"]", 7, "d.json", err, sizeof(err));
	CHECK(j == NULL);
	CHECK_STR(err, "d.json:1:4: control character 0x00 in string must be escaped");
	j = apv_json_parse("{\"k\0\": 1}", 9, "d.json", err, sizeof(err));
	CHECK(j == NULL);
	CHECK_STR(err, "d.json:1:4: control character 0x00 in string must be escaped");
	j = apv_json_parse("[1,\0 2]", 7, "d.json", err, sizeof(err));
	CHECK(j == NULL);
	CHECK_STR(err, "d.json:1:4: expected a value, got byte 0x00");
	j = apv_json_parse("\0", 1, "d.json", err, sizeof(err));
	CHECK(j == NULL);
	CHECK_STR(err, "d.json:1:1: expected a value, got byte 0x00");
	CHECK_STR(jerr("\"a\\u0000b\""), "d.json:1:3: \\u0000 is not allowed in a string here");
}

TEST(json_numbers_out_of_range)
{
	CHECK_STR(jerr("[1, 123456789012345678901234567890]"),
		  "d.json:1:5: number 123456789012345678901234567890 is out of range (integers "
		  "must fit in 64 bits)");
	CHECK_STR(jerr("{\"n\": -99999999999999999999}"),
		  "d.json:1:7: number -99999999999999999999 is out of range (integers must fit in "
		  "64 bits)");
	CHECK_STR(jerr("[1.5e308,\n 2e308]"),
		  "d.json:2:2: number 2e308 is out of range (beyond the largest double)");
	/* The limits themselves are numbers; the tree keeps their text. */
	const char *t = "[9223372036854775807, -9223372036854775808, 1.7976931348623157e308]";
	struct apv_json *j = apv_json_parse(t, strlen(t), "d.json", err, sizeof(err));
	REQUIRE(j != NULL);
	CHECK_STR(j->child->str, "9223372036854775807");
	CHECK_STR(j->child->next->str, "-9223372036854775808");
	CHECK_EQ(j->child->next->next->col, 45);
	apv_json_free(j);
}

TEST(json_nesting_beyond_the_bound_is_refused_where_it_starts)
{
	/* Deeper than jansson's own bound too: still our bound, at the 65th level. */
	static char deep[4000];
	memset(deep, '[', 3000);
	memset(deep + 3000, ']', sizeof(deep) - 3001);
	deep[sizeof(deep) - 1] = '\0';
	CHECK_STR(jerr(deep), "d.json:1:65: nesting deeper than 64 levels");
	/* Closed, and mixed with objects, over several lines. */
	char mixed[1024];
	size_t n = 0;
	for (int i = 0; i < 40; i++) {
		memcpy(mixed + n, "{\"a\":\n[", 7);
		n += 7;
	}
	mixed[n] = '\0';
	CHECK_STR(jerr(mixed), "d.json:33:2: nesting deeper than 64 levels");
	for (int i = 0; i < 40; i++) {
		memcpy(mixed + n, "]}", 2);
		n += 2;
	}
	mixed[n] = '\0';
	CHECK_STR(jerr(mixed), "d.json:33:2: nesting deeper than 64 levels");
}

TEST(json_invalid_utf8_anywhere)
{
	CHECK_STR(jerr("{\"\xff\": 1}"), "d.json:1:3: invalid UTF-8 in string (byte 0xFF)");
	CHECK_STR(jerr("[1, \xfe]"), "d.json:1:5: invalid UTF-8 (byte 0xFE)");
	/* A UTF-8-encoded surrogate and a code point above U+10FFFF. */
	CHECK_STR(jerr("[\"\xed\xa0\x80\"]"), "d.json:1:3: invalid UTF-8 in string (byte 0xED)");
	CHECK_STR(jerr("[\"ok \xc3\xa9\", \"\xf4\x90\x80\x80\"]"),
		  "d.json:1:11: invalid UTF-8 in string (byte 0xF4)");
	/* Truncated at the end of input. */
	CHECK_STR(jerr("\"\xc3"), "d.json:1:2: invalid UTF-8 in string (byte 0xC3)");
}

TEST(json_errors_in_long_tokens_keep_their_position)
{
	/* jansson quotes only short tokens; longer ones are found by position. */
	CHECK_STR(jerr("{\"k\": \"a string of more than twenty bytes"),
		  "d.json:1:7: unterminated string");
	CHECK_STR(jerr("[\"a string of more than twenty\tbytes\"]"),
		  "d.json:1:31: control character 0x09 in string must be escaped");
	CHECK_STR(jerr("[truetruetruetruetruetrue]"),
		  "d.json:1:2: invalid literal 'truetruetruetruetruetrue', expected true, false or "
		  "null");
}

TEST_MAIN
