/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's log in scenarios: `expect log` (substring, exact, level,
 * count), its window (the messages since the previous group of expect
 * log lines), warnings nobody claimed failing the run with the message
 * and the step, info messages never failing it, and the log lines in the
 * trace and on their own.
 */
#include "testlib.h"

#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

static char err[8192];
static char *log_buf;
static size_t log_len;

/* Run text as "t.apv" with the log shown at `level` (0: not shown) into log_buf. */
static int run_opts(const char *text, int level, enum apv_trace_mode mode)
{
	err[0] = '\0';
	free(log_buf);
	log_buf = NULL;
	struct apv_scenario *s = apv_scenario_load_string("t.apv", text, NULL, err, sizeof(err));
	if (!s)
		return -2;
	FILE *f = open_memstream(&log_buf, &log_len);
	FILE *out = fopen("/dev/null", "w");
	struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.out = out;
	o.log = f;
	o.trace = f;
	o.trace_mode = mode;
	o.log_level = level;
	int rc = apv_scenario_run(s, &o, err, sizeof(err));
	if (rc == 0)
		rc = apv_scenario_finish(s, err, sizeof(err));
	apv_scenario_free(s);
	fclose(f);
	fclose(out);
	return rc;
}

static int run(const char *text)
{
	return run_opts(text, 0, APV_TRACE_OFF);
}

#define U1 "11111111-2222-3333-4444-555555555555"
#define U2 "22222222-2222-3333-4444-555555555555"
#define HOST "host\nadapter 5-7\ndomain 4-5\nbus apmask -5,-6\n"
#define GUEST                                                                                      \
	HOST "mdev create " U1 " as m1\nmdev m1 assign_adapter 5\n"                                \
	     "mdev m1 assign_domain 4\nvm g1\nattach m1 g1\n"
/* m2 wants 05.0004, which m1 has: one warning, on line 12. */
#define SHARE GUEST "mdev create " U2 " as m2\nmdev m2 assign_domain 4\nmdev m2 assign_adapter 5\n"
#define SHARE_WARN                                                                                 \
	"vfio_ap_mdev " U2 ": queue 05.0004 not assigned: mdev " U1 " has it already"

TEST(declared_warning_passes_by_substring_exact_text_and_level)
{
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"05.0004 not assigned\"\n"), 0);
	CHECK_STR(err, "");
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"" SHARE_WARN "\" exact "
			   "level=warn count=1\n"),
		 0);
	CHECK_STR(err, "");
	/* The expect lines after a step may come in any order. */
	CHECK_EQ(run(SHARE "expect log \"not assigned\"\nexpect error -EADDRINUSE\n"), 0);
	CHECK_STR(err, "");
}

TEST(expect_log_that_finds_nothing_fails_with_the_window)
{
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\" level=notice\n"),
		 -1);
	CHECK_STR(err, "t.apv:14: expect log \"not assigned\" level=notice\n"
		       "  expected: a message containing \"not assigned\"\n"
		       "  actual:   0 such messages among 1\n"
		       "    warn: " SHARE_WARN);
	/* exact compares the whole line, subsystem and device included. */
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"queue 05.0004 not assigned: "
			   "mdev " U1 " has it already\" exact\n"),
		 -1);
	CHECK(strstr(err, "expected: a message equal to \"queue 05.0004") != NULL);
}

TEST(count_mismatch_fails_naming_expected_and_actual_count)
{
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\" count=2\n"), -1);
	CHECK_STR(err, "t.apv:14: expect log \"not assigned\" count=2\n"
		       "  expected: count=2 messages containing \"not assigned\"\n"
		       "  actual:   1 such messages among 1\n"
		       "    warn: " SHARE_WARN);
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\" count>=1\n"
			   "expect log \"not assigned\" count<=1\n"),
		 0);
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\" count!=1\n"), -1);
	CHECK(strstr(err, "expected: count!=1 messages") != NULL);
}

TEST(unexpected_warning_fails_the_run_naming_message_and_step)
{
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\necho not reached\n"), -1);
	CHECK_STR(err, "t.apv:12: 'mdev m2 assign_adapter 5' logged a message nobody expected:\n"
		       "  warn: " SHARE_WARN "\n"
		       "  (if this is intended, write 'expect log \"...\"' after it)");
	/* Also when it is the last step. */
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\n"), -1);
	CHECK(strstr(err, "t.apv:12: 'mdev m2 assign_adapter 5' logged a message nobody") == err);
	/* An expect log for something else does not claim it. */
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\nexpect log \"nothing like it\" count=0\n"),
		 -1);
	CHECK(strstr(err, "logged a message nobody expected") != NULL);
}

TEST(a_warning_must_be_claimed_right_after_its_step)
{
	CHECK_EQ(run(SHARE "expect error -EADDRINUSE\necho in between\nexpect log \"not "
			   "assigned\"\n"),
		 -1);
	CHECK(strstr(err, "t.apv:12: 'mdev m2 assign_adapter 5' logged a message nobody") == err);
}

TEST(info_and_notice_messages_never_fail_the_run)
{
	/* Two queues taken from the running guest (info), and a removal (notice). */
	CHECK_EQ(run(GUEST "mdev m1 assign_adapter 6\nmdev m1 unassign_adapter 5\n"
			   "mdev m1 unassign_adapter 6\nmdev remove m1\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(window_is_every_message_since_the_previous_group_of_expect_log)
{
	const char *base = GUEST "mdev m1 assign_adapter 6\nmdev m1 unassign_adapter 5\n"
				"mdev m1 unassign_adapter 6\n";
	char text[2048];

	/* Both steps count; every expect log of one group sees the same window. */
	snprintf(text, sizeof(text),
		 "%sexpect log \"taken from the running guest\" count=2 level=info\n"
		 "expect log \"queue 05.0004 taken\" count=1\nexpect log \"queue 06.0004 taken\"\n"
		 "echo next\nexpect log \"taken from\" count=0\n",
		 base);
	CHECK_EQ(run(text), 0);
	CHECK_STR(err, "");
	/* A later group starts after the earlier one. */
	snprintf(text, sizeof(text),
		 "%sexpect log \"taken from\" count=2\necho next\nexpect log \"taken from\"\n", base);
	CHECK_EQ(run(text), -1);
	CHECK(strstr(err, "actual:   0 such messages among 0") != NULL);
}

TEST(expect_log_syntax_errors)
{
	CHECK_EQ(run(HOST "expect log warning\n"), -2);
	CHECK_STR(err, "t.apv:5:12: expected the text of a message in quotes, got 'warning'");
	CHECK_EQ(run(HOST "expect log \"\"\n"), -2);
	CHECK_STR(err, "t.apv:5:12: the text to look for is empty");
	CHECK_EQ(run(HOST "expect log\n"), -2);
	CHECK(strstr(err, "expected the text of a message in quotes after 'log'") != NULL);
	CHECK_EQ(run(HOST "expect log \"x\" level=loud\n"), -2);
	CHECK(strstr(err, "unknown value 'loud' for 'level'") != NULL);
	CHECK_EQ(run(HOST "expect log \"x\" count=x\n"), -2);
	CHECK(strstr(err, "for 'count'") != NULL);
	CHECK_EQ(run(HOST "expect log \"x\" often\n"), -2);
	CHECK(strstr(err, "unknown option 'often'") != NULL);
}

TEST(log_lines_on_their_own_up_to_the_level_asked)
{
	CHECK_EQ(run_opts(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\"\n",
			  APV_LOG_WARNING, APV_TRACE_OFF),
		 0);
	REQUIRE(log_buf);
	CHECK_STR(log_buf, "warn: " SHARE_WARN "\n");
	/* At err nothing of it shows; at 0 nothing at all. */
	CHECK_EQ(run_opts(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\"\n",
			  APV_LOG_ERR, APV_TRACE_OFF),
		 0);
	CHECK_STR(log_buf, "");
}

TEST(log_lines_in_the_trace_in_order)
{
	CHECK_EQ(run_opts(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\"\n",
			  APV_LOG_NOTICE, APV_TRACE_TEXT),
		 0);
	REQUIRE(log_buf);
	const char *step = strstr(log_buf, "t.apv:12: mdev m2 assign_adapter 5\n");
	const char *line = strstr(log_buf, "[0ns] log warn: " SHARE_WARN "   (t.apv:12)\n");
	const char *next = strstr(log_buf, "t.apv:13: expect error -EADDRINUSE\n");
	CHECK(step && line && next);
	CHECK(step < line && line < next);

	CHECK_EQ(run_opts(SHARE "expect error -EADDRINUSE\nexpect log \"not assigned\"\n",
			  APV_LOG_NOTICE, APV_TRACE_JSON),
		 0);
	REQUIRE(log_buf);
	CHECK(strstr(log_buf, "{\"type\":\"log\",\"time_ns\":0,\"file\":\"t.apv\",\"line\":12,"
			      "\"level\":\"warn\",\"subsystem\":\"vfio_ap_mdev\",\"device\":\"" U2
			      "\",\"message\":\"queue 05.0004 not assigned: mdev " U1
			      " has it already\"}\n") != NULL);
}

TEST_MAIN
