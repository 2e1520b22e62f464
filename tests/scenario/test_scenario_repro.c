/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands a kernel developer needs to reproduce a bug: per-queue
 * unbind/bind, faults that end on their own, the VFIO notifications,
 * cumulative counters and vfio_ap's own instructions, a time window, and
 * turning a running VM into a protected one. Each is run end to end and
 * its parse errors are checked with file, line and column.
 */
#include "testlib.h"

#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

static char err[8192];
static char *out_buf;
static size_t out_len;

/* Run text as "t.apv": 0 on success, -1 with err set, -2 when it did not parse. */
static int run(const char *text)
{
	err[0] = '\0';
	free(out_buf);
	out_buf = NULL;
	struct apv_scenario *s = apv_scenario_load_string("t.apv", text, NULL, err, sizeof(err));
	if (!s)
		return -2;
	FILE *out = open_memstream(&out_buf, &out_len);
	struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.out = out;
	int rc = apv_scenario_run(s, &o, err, sizeof(err));
	if (rc == 0)
		rc = apv_scenario_finish(s, err, sizeof(err));
	apv_scenario_free(s);
	fclose(out);
	return rc;
}

/* The parse error of text, or "" when it parsed. */
static const char *perr(const char *text)
{
	return run(text) == -2 ? err : "";
}

#define HOST "host\nadapter 5-6\ndomain 4-5\nbus apmask -5,-6\n"
#define GUEST                                                                                      \
	HOST "mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_adapter 5\n"  \
	     "mdev m1 assign_adapter 6\nmdev m1 assign_domain 4\nvm g1\nattach m1 g1\n"

/* ---- unbind / bind ------------------------------------------------------------------ */

TEST(unbind_takes_the_adapter_out_of_the_guest_and_bind_brings_it_back)
{
	CHECK_EQ(run(GUEST "expect masks g1 apm=5-6\n"
			   "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect cc 0\n"
			   "unbind 05.0004 vfio_ap\n"
			   "expect masks g1 apm=6\nexpect driver 05.0004 none\nexpect pins 0\n"
			   "bind 05.0004 vfio_ap\n"
			   "expect masks g1 apm=5-6\nexpect driver 05.0004 vfio_ap\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(unbind_without_a_driver_and_bind_on_the_wrong_side_fail_with_enodev)
{
	CHECK_EQ(run(GUEST "unbind 05.0004\nexpect error 0\nunbind 05.0004\n"), -1);
	CHECK_STR(err, "t.apv:13: 'unbind 05.0004' failed: -ENODEV (No such device)\n"
		       "  (if this is intended, write 'expect error -ENODEV' after it)");
	CHECK_EQ(run(GUEST "unbind 05.0004\nbind 05.0004 host\nexpect error -ENODEV\n"
			   "bind 05.0005 vfio_ap\nexpect error -EBUSY\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(bind_and_unbind_parse_errors)
{
	CHECK_STR(perr("bind 05.0004"),
		  "t.apv:1:13: expected driver after '05.0004', got end of line");
	CHECK_STR(perr("host\nbind 05.0004 zcrypt"),
		  "t.apv:2:14: unknown driver 'zcrypt' (expected host or vfio_ap)");
	CHECK_STR(perr("unbind 5.4 vfio_ap extra"),
		  "t.apv:1:20: unexpected 'extra' after the end of 'unbind' (usage: unbind APQN "
		  "[vfio_ap|host])");
	CHECK_STR(perr("unbind zz"), "t.apv:1:8: expected an APQN (card.domain in hex, like "
				     "05.0004) after 'unbind', got 'zz'");
	CHECK_STR(perr("unbind 5.4 none"),
		  "t.apv:1:12: unknown driver 'none' (expected host or vfio_ap)");
}

/* ---- faults that end on their own --------------------------------------------------------- */

TEST(a_timed_fault_ends_exactly_at_its_time)
{
	CHECK_EQ(run(HOST "fault 05.0004 busy for=50ms\nexpect queue 05.0004 rc=5\n"
			  "advance 49999us\nexpect queue 05.0004 rc=5\n"
			  "advance 1us\nexpect queue 05.0004 rc=0\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(a_reset_meeting_a_transient_busy_queue_zeroizes_again_when_it_clears)
{
	CHECK_EQ(run(GUEST "fault 05.0004 busy for=50ms\nvfio reset m1\nexpect time 80ms\n"
			   "expect saved m1 05.0004 reset_rc=0\n"),
		 0);
	CHECK_STR(err, "");
	/* Without the end the same reset would still be polling when the fault is cleared. */
	CHECK_EQ(run(GUEST "fault 05.0004 busy for=50ms\nfault 05.0004 busy\nvfio reset m1\n"), -1);
}

TEST(timed_fault_parse_errors)
{
	CHECK_STR(perr("fault 05.0004 none for=1ms"),
		  "t.apv:1:20: 'fault ... none' clears every fault: it takes no 'for'");
	CHECK_STR(
	    perr("fault 05.0004 busy for=0ms"),
	    "t.apv:1:24: 'for' needs a duration above 0 (leave it out for a fault that lasts)");
	CHECK_STR(perr("fault 05.0004 busy for=20"),
		  "t.apv:1:24: duration '20' needs a unit: ns, us, ms or s");
}

TEST_MAIN
