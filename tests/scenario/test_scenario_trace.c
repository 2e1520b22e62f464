/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instruction trace: the text form shows each instruction with the
 * registers it uses before and after; the JSON form is one valid object
 * per line with the same content, strings properly escaped, and the guest
 * model's own instructions are traced too.
 */
#include "testlib.h"

#include <apvirt/scenario.h>

#include "json.h"

#include <stdlib.h>
#include <string.h>

static char err[8192];

/* Run text with the given trace mode; returns the trace (malloc'd). */
static char *trace(const char *name, const char *text, enum apv_trace_mode mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct apv_scenario *s = apv_scenario_load_string(name, text, NULL, err, sizeof(err));
	if (!s) {
		fclose(f);
		free(buf);
		return NULL;
	}
	struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.trace = f;
	o.trace_mode = mode;
	o.out = f;
	int rc = apv_scenario_run(s, &o, err, sizeof(err));
	if (rc == 0)
		rc = apv_scenario_finish(s, err, sizeof(err));
	apv_scenario_free(s);
	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

#define GUEST                                                                                      \
	"host\nadapter 5\ndomain 4\nbus apmask -5\nmdev create "                                   \
	"11111111-2222-3333-4444-555555555555 as m1\n"                                             \
	"mdev m1 assign_adapter 5\nmdev m1 assign_domain 4\nvm g1\nattach m1 g1\n"

TEST(text_trace_shows_registers_before_and_after)
{
	char *t =
	    trace("t.apv", GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\n", APV_TRACE_TEXT);
	REQUIRE(t != NULL);
	CHECK(strstr(t, "t.apv:10: pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\n"
			"[0ns] g1.0 PQAP(AQIC) 05.0004   (t.apv:10)\n"
			"    before: GR0=0000000003000504 GR1=0000800000000006 "
			"GR2=0000000000001000 supervisor cc=0\n"
			"    after:  GR0=0000000003000504 GR1=0000000080000000 "
			"GR2=0000000000001000 -> cc 0, APQSW E "
			"rc=00(NORMAL)\n") != NULL);
	free(t);
}

TEST(text_trace_of_exceptions_and_exits)
{
	char *t = trace("t.apv",
			GUEST "set g1.0 psw=problem\npqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\n"
			      "apie g1 off\nset g1.0 psw=supervisor\npqap g1.0 tapq 05.0004\n",
			APV_TRACE_TEXT);
	REQUIRE(t != NULL);
	CHECK(strstr(t, "    before: GR0=0000000003000504 GR1=0000800000000006 "
			"GR2=0000000000001000 problem cc=0\n") != NULL);
	CHECK(strstr(t, " -> program exception 0x02 (privileged-operation)\n") != NULL);
	CHECK(strstr(t, "[0ns] g1.0 PQAP(TAPQ) 05.0004   (t.apv:14)\n") != NULL);
	CHECK(strstr(t, " -> exit to user space\n") != NULL);
	free(t);
}

TEST(text_trace_of_nqap_shows_both_register_pairs)
{
	char *t = trace("t.apv",
			GUEST "mem write g1 0x3000 00000000000000000000000000000000\n"
			      "nqap g1.0 05.0004 addr=0x3000 len=16 psmid=0x1234\n",
			APV_TRACE_TEXT);
	REQUIRE(t != NULL);
	CHECK(strstr(t, "[0ns] g1.0 NQAP 4,2 05.0004   (t.apv:11)\n"
			"    before: GR0=0000000040000504 GR1=0000000000000000 "
			"GR4=0000000000000000 GR5=0000000000001234 "
			"GR2=0000000000003000 GR3=0000000000000010 supervisor cc=0\n") != NULL);
	free(t);
}

/* Every line must be one JSON object; returns how many had "type":"insn". */
static int check_json_lines(char *t, const char *want_file)
{
	int insns = 0, lineno = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		lineno++;
		struct apv_json *j = apv_json_parse(line, strlen(line), "trace", err, sizeof(err));
		if (!j) {
			APV_TEST_FAIL("line %d is not JSON: %s\n  %s", lineno, err, line);
			continue;
		}
		CHECK_EQ(j->type, APV_JSON_OBJECT);
		const struct apv_json *type = apv_json_get(j, "type");
		REQUIRE(type && type->type == APV_JSON_STRING);
		const struct apv_json *file = apv_json_get(j, "file");
		if (file && want_file)
			CHECK_STR(file->str, want_file);
		if (!strcmp(type->str, "insn")) {
			insns++;
			CHECK(apv_json_get(j, "before") != NULL);
			CHECK(apv_json_get(j, "after") != NULL);
			CHECK(apv_json_get(j, "result") != NULL);
		}
		apv_json_free(j);
	}
	return insns;
}

TEST(json_trace_is_one_object_per_line)
{
	char *t = trace("t.apv",
			GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\npqap g1.0 aqic "
			      "05.0004 gr0bits=0x10000\n",
			APV_TRACE_JSON);
	REQUIRE(t != NULL);
	CHECK(
	    strstr(
		t,
		"{\"type\":\"insn\",\"time_ns\":0,\"file\":\"t.apv\",\"line\":10,\"vcpu\":\"g1.0\","
		"\"insn\":\"PQAP\","
		"\"fc\":3,\"fc_name\":\"AQIC\",\"apqn\":\"05.0004\",\"before\":{\"gr0\":"
		"\"0x0000000003000504\","
		"\"gr1\":\"0x0000800000000006\",\"gr2\":\"0x0000000000001000\",\"psw\":"
		"\"supervisor\",\"cc\":0},"
		"\"after\":{\"gr0\":\"0x0000000003000504\",\"gr1\":\"0x0000000080000000\",\"gr2\":"
		"\"0x0000000000001000\",\"psw\":\"supervisor\",\"cc\":0},\"result\":\"done\","
		"\"cc\":0,\"apqsw\":"
		"{\"e\":true,\"r\":false,\"f\":false,\"a\":false,\"i\":false,\"rc\":0,\"rc_name\":"
		"\"NORMAL\"}}\n") != NULL);
	CHECK(strstr(t, "\"result\":\"pgm\",\"pgm\":6,\"pgm_name\":\"specification\"}\n") != NULL);
	CHECK_EQ(check_json_lines(t, "t.apv"), 2);
	free(t);
}

TEST(json_trace_escapes_strings)
{
	const char *name = "we\"ird\\name\t.apv";
	char *t = trace(name, GUEST "pqap g1.0 tapq 05.0004\n", APV_TRACE_JSON);
	REQUIRE(t != NULL);
	CHECK(strstr(t, "\"file\":\"we\\\"ird\\\\name\\t.apv\"") != NULL);
	CHECK_EQ(check_json_lines(t, name), 1);
	free(t);
}

TEST(guest_model_instructions_are_traced)
{
	char *t = trace("t.apv", GUEST "guest boot g1.0\n", APV_TRACE_JSON);
	REQUIRE(t != NULL);
	CHECK(strstr(t, "\"fc_name\":\"QCI\"") != NULL);
	CHECK(strstr(t, "\"fc_name\":\"RAPQ\"") != NULL);
	CHECK(strstr(t, "\"fc_name\":\"AQIC\"") != NULL);
	CHECK(check_json_lines(t, "t.apv") >= 4);
	free(t);
}

TEST(no_trace_when_off)
{
	char *t = trace("t.apv", GUEST "pqap g1.0 tapq 05.0004\n", APV_TRACE_OFF);
	REQUIRE(t != NULL);
	CHECK_STR(t, "");
	free(t);
}

TEST_MAIN
