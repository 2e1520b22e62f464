/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runner: a failed expectation stops the run and names the line, the
 * expected and the actual value; a failed administrator action stops it
 * unless an `expect error` follows; the invariants are checked after each
 * step and the balance at teardown.
 */
#include "testlib.h"

#include "scenario_run.h"

#include <stdlib.h>
#include <string.h>

#define HOST "host\nadapter 5-7\ndomain 4-5\nbus apmask -5,-6\n"
#define GUEST                                                                                      \
	HOST "mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_adapter 5\n"  \
	     "mdev m1 assign_domain 4\nvm g1\nattach m1 g1\n"

TEST(passing_scenario_returns_zero)
{
	CHECK_EQ(
	    run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect cc 0\nexpect rc 0\n"),
	    0);
	CHECK_STR(err, "");
}

TEST(failed_cc_names_line_expected_and_actual)
{
	CHECK_EQ(
	    run(GUEST "pqap g1.0 aqic 06.0004 ir=1 isc=6 nib=0x1000\nexpect cc 0\nexpect rc 1\n"),
	    -1);
	CHECK_STR(err, "t.apv:11: expect cc 0\n"
		       "  expected: cc 0\n"
		       "  actual:   cc 3, GR1 0x0000000000010000 (rc=01(Q_NOT_AVAIL))");
}

TEST(failed_rc_and_status)
{
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 06.0004 ir=1 isc=6 nib=0x1000\nexpect rc 0x06\n"), -1);
	CHECK_STR(err, "t.apv:11: expect rc 0x06\n"
		       "  expected: rc 0x06 (INVALID_ADDRESS)\n"
		       "  actual:   cc 3, GR1 0x0000000000010000 (rc=01(Q_NOT_AVAIL))");
	CHECK_EQ(run(GUEST "pqap g1.0 tapq 05.0004\nexpect status E,I\n"), -1);
	CHECK_STR(err, "t.apv:11: expect status E,I\n"
		       "  expected: E,I\n"
		       "  actual:   E  [cc 0, GR1 0x0000000080000000 (E rc=00(NORMAL))]");
}

TEST(expecting_cc_after_an_exception_shows_the_exception)
{
	CHECK_EQ(run(GUEST "set g1.0 psw=problem\npqap g1.0 aqic 05.0004 ir=1 isc=6 "
			   "nib=0x1000\nexpect cc 0\n"),
		 -1);
	CHECK_STR(err, "t.apv:12: expect cc 0\n"
		       "  expected: cc 0\n"
		       "  actual:   program exception 0x02 (privileged-operation)");
	CHECK_EQ(
	    run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect pgm specification\n"),
	    -1);
	CHECK_STR(err, "t.apv:11: expect pgm specification\n"
		       "  expected: program exception 0x06 (specification)\n"
		       "  actual:   cc 0, GR1 0x0000000080000000 (E rc=00(NORMAL))");
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect exit\n"), -1);
	CHECK_STR(err, "t.apv:11: expect exit\n"
		       "  expected: exit to user space\n"
		       "  actual:   cc 0, GR1 0x0000000080000000 (E rc=00(NORMAL))");
}

TEST(failed_register_expectation)
{
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 06.0004 ir=1 isc=6 nib=0x1000\nexpect gr1 "
			   "0x10000\nexpect gr1 0x1\n"),
		 -1);
	CHECK_STR(err, "t.apv:12: expect gr1 0x1\n"
		       "  expected: GR1 0x0000000000000001\n"
		       "  actual:   GR1 0x0000000000010000");
}

TEST(expectation_before_any_instruction)
{
	CHECK_EQ(run("expect cc 0\n"), -1);
	CHECK_STR(err, "t.apv:1: 'expect cc 0': no instruction has run yet");
	CHECK_EQ(run("expect error -EINVAL\n"), -1);
	CHECK_STR(err, "t.apv:1: 'expect error -EINVAL': no administrator action has run yet");
}

TEST(failed_action_without_expect_error_stops_the_run)
{
	CHECK_EQ(
	    run(HOST
		"mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_domain 4\n"
		"mdev m1 assign_adapter 7\necho not reached\n"),
	    -1);
	CHECK_STR(err, "t.apv:7: 'mdev m1 assign_adapter 7' failed: -EADDRNOTAVAIL (Cannot assign "
		       "requested address)\n"
		       "  (if this is intended, write 'expect error -EADDRNOTAVAIL' after it)");
	CHECK(!out_buf || !strstr(out_buf, "not reached"));
}

TEST(failed_action_reports_why)
{
	CHECK_EQ(run(HOST "bus apmask +5\nmdev create 11111111-2222-3333-4444-555555555555 as m1\n"
			  "mdev m1 assign_adapter 6\nmdev m1 assign_domain 4\nbus apmask +6\n"),
		 -1);
	CHECK_STR(err, "t.apv:9: 'bus apmask +6' failed: -EBUSY (Device or resource busy): queue "
		       "06.0004 cannot be reserved for the host drivers: mdev "
		       "11111111-2222-3333-4444-555555555555 has it\n"
		       "  (if this is intended, write 'expect error -EBUSY' after it)");
}

TEST(expected_error_passes_and_may_follow_other_expectations)
{
	CHECK_EQ(
	    run(HOST
		"mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_domain 4\n"
		"mdev m1 assign_adapter 7\nexpect matrix m1 .0004\nexpect error "
		"-EADDRNOTAVAIL\nmdev m1 assign_adapter 5\nexpect error 0\n"),
	    0);
	CHECK_STR(err, "");
}

TEST(wrong_expected_error)
{
	CHECK_EQ(run(HOST "mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 "
			  "assign_adapter 999\n"
			  "expect error -EINVAL\n"),
		 -1);
	CHECK_STR(
	    err,
	    "t.apv:7: expect error -EINVAL\n"
	    "  expected: -EINVAL (Invalid argument)\n"
	    "  actual:   -ENODEV (No such device)  [from 'mdev m1 assign_adapter 999' at line 6]");
	CHECK_EQ(
	    run(HOST
		"mdev create 11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_adapter 5\n"
		"expect error -EINVAL\n"),
	    -1);
	CHECK_STR(err, "t.apv:7: expect error -EINVAL\n"
		       "  expected: -EINVAL (Invalid argument)\n"
		       "  actual:   0 (success)  [from 'mdev m1 assign_adapter 5' at line 6]");
}

TEST(failed_matrix_expectation_lists_lines)
{
	CHECK_EQ(run(GUEST "expect matrix m1 05.0004 05.0005\n"), -1);
	CHECK_STR(err, "t.apv:10: expect matrix m1 05.0004 05.0005\n"
		       "  expected: 05.0004 05.0005\n"
		       "  actual:   05.0004");
	CHECK_EQ(run(GUEST "expect control_domains m1 0004\n"), -1);
	CHECK_STR(err, "t.apv:10: expect control_domains m1 0004\n"
		       "  expected: 0004\n"
		       "  actual:   (empty)");
}

TEST(failed_field_expectation_marks_the_wrong_fields)
{
	CHECK_EQ(run(GUEST "expect queue 05.0004 exists=yes irq=on requests=0\n"), -1);
	CHECK_STR(err, "t.apv:10: expect queue 05.0004 exists=yes irq=on requests=0\n"
		       "  expected: exists=yes irq=on requests=0\n"
		       "  actual:   exists=yes irq=off (!) requests=0");
	CHECK_EQ(run(GUEST "expect balance pins>=1 hooks=1\n"), -1);
	CHECK_STR(err, "t.apv:10: expect balance pins>=1 hooks=1\n"
		       "  expected: pins>=1 hooks=1\n"
		       "  actual:   pins=0 (!) hooks=1");
	CHECK_EQ(run(GUEST "expect balance zero\n"), -1);
	CHECK_STR(err, "t.apv:10: expect balance zero\n"
		       "  expected: pins=0 isc=0 vmrefs=0 hooks=0 calls=0\n"
		       "  actual:   pins=0 isc=0 vmrefs=2 hooks=1 calls=0");
}

TEST(runtime_use_of_an_mdev_whose_create_failed)
{
	CHECK_EQ(
	    run(HOST
		"mdev create not-a-uuid as m1\nexpect error -EINVAL\nmdev m1 assign_adapter 5\n"),
	    -1);
	CHECK_STR(err, "t.apv:7: mdev 'm1' does not exist (its create failed, or it was removed)");
}

TEST(host_must_come_first)
{
	CHECK_EQ(run("adapter 5\nhost apxa=off\n"), -1);
	CHECK_STR(err, "t.apv:2: 'host' must come before every command that uses the host (the "
		       "host is already running)");
}

TEST(echo_and_show_write_to_the_output)
{
	CHECK_EQ(run(GUEST "echo hello \"big world\" k=v\nshow balance\nshow time\nadvance "
			   "1.5ms\nshow time\n"),
		 0);
	CHECK_STR(out_buf, "hello big world k=v\nbalance: pins=0 isc=0 vmrefs=2 hooks=1 "
			   "calls=0\ntime: 0ns\ntime: 1.5ms\n");
}

TEST(show_ls_and_mdevs)
{
	CHECK_EQ(run(GUEST "show ls\nshow mdevs\n"), 0);
	CHECK(strstr(out_buf, "CARD.DOM TYPE  MODE        STATUS   REQUESTS  DRIVER\n") != NULL);
	CHECK(strstr(out_buf,
		     "05.0004  CEX8A Accelerator online           0  vfio_ap (in use)\n") != NULL);
	CHECK(strstr(out_buf,
		     "06.0005  CEX8A Accelerator online           0  vfio_ap (unassigned)\n") !=
	      NULL);
	CHECK(
	    strstr(
		out_buf,
		"11111111-2222-3333-4444-555555555555  vfio_ap-passthrough  attached to VM g1\n") !=
	    NULL);
	CHECK(strstr(out_buf, "  matrix:          05.0004\n") != NULL);
}

TEST(virtual_time_is_deterministic)
{
	CHECK_EQ(run(HOST "expect time 0ns\nadvance 20ms\nadvance 500us\nexpect time 20.5ms\n"), 0);
	CHECK_EQ(run(HOST "advance 1s\nexpect time 999ms\n"), -1);
	CHECK_STR(err, "t.apv:6: expect time 999ms\n  expected: 999ms\n  actual:   1s");
}

TEST(finished_scenario_cannot_run_again)
{
	struct apv_scenario *s =
	    apv_scenario_load_string("t.apv", "host\n", NULL, err, sizeof(err));
	REQUIRE(s != NULL);
	CHECK_EQ(apv_scenario_run(s, NULL, err, sizeof(err)), 0);
	CHECK_EQ(apv_scenario_finish(s, err, sizeof(err)), 0);
	CHECK_EQ(apv_scenario_run(s, NULL, err, sizeof(err)), -1);
	CHECK_STR(err, "t.apv: the scenario has already been run and finished");
	apv_scenario_free(s);
}

TEST(teardown_requires_a_zero_balance)
{
	struct apv_scenario *s = apv_scenario_load_string("t.apv", GUEST, NULL, err, sizeof(err));
	REQUIRE(s != NULL);
	CHECK_EQ(apv_scenario_run(s, NULL, err, sizeof(err)), 0);
	/* A pin nobody releases: what a leak in a layer would look like. */
	apv_account_inc(apv_kvm_account(apv_scenario_kvm(s)), APV_ACCT_PINS);
	CHECK_EQ(apv_scenario_finish(s, err, sizeof(err)), -1);
	CHECK_STR(err,
		  "t.apv: resources left over at teardown: pins=1 isc=0 vmrefs=0 hooks=0 calls=0");
	apv_scenario_free(s);
}

TEST(invariant_checker_reports_a_negative_balance_after_a_step)
{
	struct apv_scenario *s = apv_scenario_load_string("t.apv", GUEST, NULL, err, sizeof(err));
	REQUIRE(s != NULL);
	CHECK_EQ(apv_scenario_run(s, NULL, err, sizeof(err)), 0);
	struct apv_world *w = s->world;
	apv_account_inc(apv_kvm_account(w->kvm), APV_ACCT_UNPINS);
	CHECK_EQ(apv_world_check(w), -1);
	CHECK(strncmp(err, "t.apv:9: invariant violated after 'attach m1 g1': ", 50) == 0);
	apv_account_inc(apv_kvm_account(w->kvm), APV_ACCT_PINS);
	CHECK_EQ(apv_world_check(w), 0);
	apv_scenario_free(s);
}

TEST(teardown_survives_a_fault_left_in_place)
{
	/* A queue left busy forever must not keep the teardown's resets waiting. */
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nfault 05.0004 busy\n"),
		 0);
}

TEST(a_step_that_never_ends_is_stopped_by_the_watchdog)
{
	/* The teardown's reset polls a queue that a fault keeps busy: forever, by design. */
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nfault 05.0004 "
			   "busy\ndetach m1\necho after\n"),
		 -1);
	CHECK_STR(err, "t.apv:12: 'detach m1' kept running for more than 600 s of virtual time (a "
		       "queue that stays busy "
		       "or resetting?); the injected faults were cleared to end it");
	CHECK(!out_buf || !strstr(out_buf, "after"));
	/* A long advance is not a runaway step. */
	CHECK_EQ(run(HOST "advance 2000s\nexpect time 2000s\n"), 0);
}

TEST(runs_share_nothing)
{
	CHECK_EQ(run(GUEST "pqap g1.0 aqic 05.0004 ir=1 isc=6 nib=0x1000\nexpect pins 1\n"), 0);
	CHECK_EQ(run(GUEST "expect pins 0\nexpect time 0ns\n"), 0);
}

TEST_MAIN
