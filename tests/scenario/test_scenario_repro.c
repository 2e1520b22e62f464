/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands a kernel developer needs to reproduce a bug: per-queue
 * unbind/bind, faults that end on their own, the VFIO notifications,
 * cumulative counters and vfio_ap's own instructions, a time window, and
 * turning a running VM into a protected one. Each is run end to end and
 * its parse errors are checked with file, line and column.
 */
#include "testlib.h"

#include "scenario_run.h"

#include <stdlib.h>
#include <string.h>

/* The parse error of text, or "" when it parsed. */
static const char *perr(const char *text)
{
	return run(text) == -2 ? err : "";
}

#define PRE_M "mdev create 11111111-2222-3333-4444-555555555555 as m1\n"
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
	/* The first TAPQ after the end (52.51 ms), the ZAPQ again, its 1 ms reset verified. */
	CHECK_EQ(run(GUEST "fault 05.0004 busy for=50ms\nvfio reset m1\nexpect time 53532267ns\n"
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

/* ---- SET_IRQS and the signals -------------------------------------------------------------- */

TEST(config_change_and_request_eventfds_count_their_signals)
{
	CHECK_EQ(run(HOST "mdev create 11111111-2222-3333-4444-555555555555 as m1\n"
			  "vfio irq m1 cfg on\nvfio irq m1 req on\n"
			  "mdev m1 assign_adapter 5\nmdev m1 assign_domain 4\nvm g1\n"
			  "expect signal m1 cfg count=0\n"
			  "attach m1 g1\nexpect signal m1 cfg count=1\n"
			  "mdev m1 assign_adapter 6\nexpect signal m1 cfg count=2\n"
			  "vfio irq m1 cfg off\nmdev m1 unassign_adapter 6\n"
			  "expect signal m1 cfg count=2\n"
			  "mdev remove m1\nexpect signal m1 req count=1\nexpect requests m1 1\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(a_wrong_signal_count_names_both)
{
	CHECK_EQ(run(GUEST "vfio irq m1 cfg on\nmdev m1 unassign_adapter 6\n"
			   "expect signal m1 cfg count=2\n"),
		 -1);
	CHECK_STR(err, "t.apv:13: expect signal m1 cfg count=2\n"
		       "  expected: count=2\n"
		       "  actual:   count=1 (!)");
}

TEST(signal_parse_errors)
{
	CHECK_STR(perr(PRE_M "vfio irq m1 err on\n"),
		  "t.apv:2:13: unknown notification 'err' (expected req or cfg)");
	CHECK_STR(perr(PRE_M "vfio irq m1 cfg\n"),
		  "t.apv:2:16: expected state after 'cfg', got end of line");
	CHECK_STR(perr(PRE_M "expect signal m1 cfg\n"),
		  "t.apv:2:1: 'expect signal' needs at least one of: count=");
	CHECK_STR(perr(PRE_M "expect signal m2 cfg count=1\n"),
		  "t.apv:2:15: unknown mdev 'm2' (did you mean 'm1'?)");
}

/* ---- cumulative counters and vfio_ap's own instructions ----------------------------------- */

TEST(account_counts_every_pin_and_unpin_and_issued_counts_vfio_ap_instructions)
{
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nadvance 1ms\n"
			   "pqap g1.0 aqic 05.0004 ir=0\n"
			   "expect account pins=1 unpins=1 isc_regs=1 isc_unregs=1\n"
			   "expect account g1 pins=1 unpins=1\n"
			   "expect account hook_sets=1 hook_calls=2 vm_gets>=2\n"
			   "expect balance pins=0\n"
			   "expect issued aqic=2\nexpect issued 05.0004 aqic=2 zapq=0\n"
			   "expect issued 06.0004 aqic=0\n"
			   "vfio reset m1\nexpect issued zapq=2 tapq>=2\n"
			   "expect issued 05.0004 zapq=1\n"),
		 0);
	CHECK_STR(err, "");
}

TEST(account_parse_errors)
{
	CHECK_STR(perr(PRE_M "vm g1\nexpect account g1 hook_sets=1\n"),
		  "t.apv:3:19: 'hook_sets' is counted for the host, not per VM (leave out the VM)");
	CHECK_STR(perr("expect account pinz=1\n"),
		  "t.apv:1:16: unknown option 'pinz' for 'account' (options: pins, unpins, "
		  "isc_regs, isc_unregs, vm_gets, vm_puts, hook_sets, hook_clears, hook_calls)");
	CHECK_STR(perr("expect issued 5.4\n"),
		  "t.apv:1:1: 'expect issued' needs at least one of: tapq=, rapq=, zapq=, aqic=");
}

TEST(trace_shows_vfio_ap_instructions_under_the_guest_instruction_that_caused_them)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct apv_scenario *s = apv_scenario_load_string(
	    "t.apv", GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nvfio reset m1\n", NULL,
	    err, sizeof(err));
	REQUIRE(s);
	struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.trace = f;
	o.out = f;
	o.trace_mode = APV_TRACE_TEXT;
	CHECK_EQ(apv_scenario_run(s, &o, err, sizeof(err)), 0);
	CHECK_EQ(apv_scenario_finish(s, err, sizeof(err)), 0);
	apv_scenario_free(s);
	fclose(f);
	REQUIRE(buf);
	/* The guest's AQIC first, then what vfio_ap issued while handling it, indented. */
	CHECK(strstr(buf, "rc=00(NORMAL)\n"
			  "    [0ns] vfio_ap PQAP(AQIC) 05.0004 GR1=0000860001000005 -> APQSW E "
			  "rc=00(NORMAL)\n") != NULL);
	/* Both ZAPQs first, then the verification TAPQs of both (the reset takes 1 ms). */
	CHECK(strstr(buf, "t.apv:12: vfio reset m1\n"
			  "[0ns] vfio_ap PQAP(ZAPQ) 06.0004 -> APQSW E rc=00(NORMAL)   (t.apv:12)\n"
			  "[0ns] vfio_ap PQAP(ZAPQ) 05.0004 -> APQSW E rc=00(NORMAL)   (t.apv:12)\n"
			  "[5us] vfio_ap PQAP(TAPQ) 05.0004 -> APQSW E rc=02(RESET_IN_PROGRESS)   "
			  "(t.apv:12)\n"
			  "[5us] vfio_ap PQAP(TAPQ) 06.0004 -> APQSW E rc=02(RESET_IN_PROGRESS)   "
			  "(t.apv:12)\n") != NULL);
	CHECK(strstr(buf, "   (teardown)\n") != NULL);
	free(buf);
}

/* ---- expect time LO..HI ------------------------------------------------------------------------
 */

TEST(a_time_window_includes_both_ends)
{
	CHECK_EQ(run("host\nadvance 20ms\nexpect time 20ms..40ms\nadvance 20ms\n"
		     "expect time 20ms..40ms\nexpect time 40ms\nexpect time 0ns..1s\n"),
		 0);
	CHECK_STR(err, "");
	CHECK_EQ(run("host\nadvance 41ms\nexpect time 20ms..40ms\n"), -1);
	CHECK_STR(err, "t.apv:3: expect time 20ms..40ms\n"
		       "  expected: 20ms..40ms\n"
		       "  actual:   41ms");
}

TEST(time_window_parse_errors)
{
	CHECK_STR(perr("expect time 40ms..20ms"),
		  "t.apv:1:13: the window '40ms..20ms' ends before it starts");
	CHECK_STR(perr("expect time 20..40ms"),
		  "t.apv:1:13: duration '20' needs a unit: ns, us, ms or s");
	CHECK_STR(
	    perr("expect time 20ms..4x"),
	    "t.apv:1:19: expected a duration (like 20ms) for the end of the window, got '4x'");
	CHECK_STR(perr("expect time 20ms.."),
		  "t.apv:1:19: expected a duration (like 20ms) for the end of the window, got ''");
}

/* ---- a running VM becomes protected ------------------------------------------------------- */

TEST(pv_enable_leaves_a_pinned_nib_page_unsecured_until_the_reset)
{
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect cc 0\n"
			   "expect pv g1 protected=no\npv enable g1\n"
			   "expect pv g1 protected=yes pinned=1\nvfio reset m1\n"
			   "expect pv g1 pinned=0\n"
			   "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect rc 6\n"
			   "pv enable g1\nexpect error -EINVAL\n"),
		 0);
	CHECK_STR(err, "");
	CHECK_EQ(run(GUEST "pv enable g1\nexpect pv g1 pinned=1\n"), -1);
	CHECK_STR(err, "t.apv:12: expect pv g1 pinned=1\n"
		       "  expected: pinned=1\n"
		       "  actual:   pinned=0 (!)");
}

TEST(pv_parse_errors)
{
	CHECK_STR(perr("pv enable g1\n"), "t.apv:1:11: unknown VM 'g1'");
	CHECK_STR(
	    perr("vm g1\npv disable g1\n"),
	    "t.apv:2:4: unknown 'pv' check or subcommand 'disable' (expected one of: enable)");
	CHECK_STR(perr("vm g1\nexpect pv g1\n"),
		  "t.apv:2:1: 'expect pv' needs at least one of: protected=, pinned=");
	CHECK_STR(perr("vm g1\nexpect pv g1 protected=maybe\n"),
		  "t.apv:2:24: expected on or off for 'protected', got 'maybe'");
}

TEST_MAIN
