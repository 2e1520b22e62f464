/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parser's error messages, exactly: every kind of mistake names the
 * file, line and column and says what was expected and what was found.
 */
#include "testlib.h"

#include <apvirt/scenario.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[4096];

/* Parse text as "t.apv"; the error message, or "" when it parsed. */
static const char *perr(const char *text)
{
	err[0] = '\0';
	struct apv_scenario *s = apv_scenario_load_string("t.apv", text, NULL, err, sizeof(err));
	if (s) {
		apv_scenario_free(s);
		return "";
	}
	return err;
}

/* A prelude that defines VM g1 (vCPU 0) and mdev m1. */
#define PRE "vm g1\nmdev create 11111111-2222-3333-4444-555555555555 as m1\n"

/* ---- the lexer ----------------------------------------------------------------- */

TEST(lex_unterminated_string_points_at_its_quote)
{
	CHECK_STR(perr("echo \"abc"), "t.apv:1:6: unterminated string");
}

TEST(lex_unknown_escape_is_named)
{
	CHECK_STR(perr("echo \"a\\qb\""),
		  "t.apv:1:8: unknown escape '\\q' in string (use \\n, \\t, \\\\ or \\\")");
}

TEST(lex_quote_inside_a_word)
{
	CHECK_STR(perr("echo ab\"c\""),
		  "t.apv:1:8: unexpected '\"' inside a word (put a space before the string)");
}

TEST(lex_word_glued_to_a_string)
{
	CHECK_STR(perr("echo \"a\"b"), "t.apv:1:9: expected a space after the closing '\"'");
}

TEST(lex_control_character)
{
	CHECK_STR(perr("echo a\x01"), "t.apv:1:7: unexpected control character 0x01");
}

TEST(lex_comments_semicolons_and_continuations_parse)
{
	CHECK_STR(perr("# a comment\nhost apxa=on   # trailing comment\nadapter 5 ; domain 4\n"
		       "adapter 6 \\\n  type=cex8 qd=7\n\n"),
		  "");
}

TEST(lex_error_after_a_continuation_has_the_physical_line)
{
	CHECK_STR(
	    perr("adapter 6 \\\n  type=cex9"),
	    "t.apv:2:8: unknown value 'cex9' for 'type' (expected cex4, cex5, cex6, cex7 or cex8)");
}

TEST(lex_error_in_the_second_statement_of_a_line)
{
	CHECK_STR(perr("rescan ; advance 5"),
		  "t.apv:1:18: duration '5' needs a unit: ns, us, ms or s");
}

/* ---- commands -------------------------------------------------------------------- */

/* A backslash that continues nothing says so, instead of becoming a word. */
TEST(lex_stray_backslash_says_what_is_wrong)
{
	CHECK_STR(perr("host\nadvance 1ms \\"),
		  "t.apv:2:13: the backslash at the end of the file continues the line onto a "
		  "line that does not exist (remove it, or add the next line)");
	CHECK_STR(perr("host\nadvance 1ms\\"),
		  "t.apv:2:12: the backslash at the end of the file continues the line onto a "
		  "line that does not exist (remove it, or add the next line)");
	CHECK_STR(perr("host\nadvance 1ms \\ # more\nadvance 1ms\n"),
		  "t.apv:2:13: a backslash continues a line only as its last character: the "
		  "comment after it stops the continuation (move the comment)");
	/* Glued to the word, it continues the line as well. */
	CHECK_STR(perr("host\nadapter 5-6\\\n type=cex8\n"), "");
}

TEST(backwards_range_says_what_is_wrong)
{
	CHECK_STR(perr("host\nadapter 9-5"),
		  "t.apv:2:9: the range '9-5' runs backwards: a range goes from the lower ID to "
		  "the higher (write '5-9')");
	CHECK_STR(perr("host\nadapter 1,3,0x10-0xc"),
		  "t.apv:2:9: the range '0x10-0xc' runs backwards: a range goes from the lower ID "
		  "to the higher (write '0xc-0x10')");
	CHECK_STR(perr("vm g1\nexpect masks g1 apm=6-5"),
		  "t.apv:2:21: the range '6-5' runs backwards: a range goes from the lower ID to "
		  "the higher (write '5-6')");
}

/* A huge token is cut in the message, which stays short. */
TEST(long_tokens_are_cut_in_messages)
{
	static char text[20000];
	snprintf(text, sizeof(text), "host\nadvance ");
	memset(text + strlen(text), 'x', 10000);
	const char *e = perr(text);
	CHECK_STR(e, "t.apv:2:9: expected a duration (like 20ms) after 'advance', got "
		     "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'");
	memset(text, 'y', 10000);
	text[10000] = '\0';
	e = perr(text);
	CHECK(strlen(e) < 200);
}

TEST(unknown_command_suggests_a_close_one)
{
	CHECK_STR(perr("host\nfualt 05.0004 busy"),
		  "t.apv:2:1: unknown command 'fualt' (did you mean 'fault'?)");
}

TEST(unknown_command_without_a_close_one)
{
	CHECK_STR(perr("xyzzy"), "t.apv:1:1: unknown command 'xyzzy'");
}

TEST(unknown_expectation_suggests_a_close_one)
{
	CHECK_STR(perr("expect ccc 3"),
		  "t.apv:1:8: unknown 'expect' check or subcommand 'ccc' (did you mean 'cc'?)");
}

TEST(unknown_subcommand_lists_the_choices)
{
	CHECK_STR(perr("configure card 5 on"),
		  "t.apv:1:11: unknown 'configure' check or subcommand 'card' (expected one of: "
		  "adapter, domain)");
}

TEST(subcommand_missing)
{
	CHECK_STR(perr("bus"), "t.apv:1:1: 'bus' needs one of: apmask, aqmask");
}

TEST(extra_argument_after_a_command)
{
	CHECK_STR(perr("rescan now"),
		  "t.apv:1:8: unexpected 'now' after the end of 'rescan' (usage: rescan)");
}

/* ---- values ---------------------------------------------------------------------- */

TEST(bad_response_code_names_what_was_expected)
{
	CHECK_STR(perr("expect rc zz"),
		  "t.apv:1:11: expected a response code after 'rc', got 'zz'");
}

TEST(response_code_names_are_accepted)
{
	CHECK_STR(perr("expect rc Q_NOT_AVAIL\nexpect rc otherwise_changed\nexpect rc 0x07"), "");
}

TEST(missing_argument_points_after_the_last_token)
{
	CHECK_STR(perr("expect rc"),
		  "t.apv:1:10: expected a response code after 'rc', got end of line");
}

TEST(number_out_of_range_after_a_word)
{
	CHECK_STR(perr("expect cc 4"), "t.apv:1:11: '4' is out of range after 'cc' (at most 3)");
}

TEST(id_out_of_range)
{
	CHECK_STR(perr("adapter 300"),
		  "t.apv:1:9: '300' is out of range after 'adapter' (at most 255)");
}

TEST(bad_number)
{
	CHECK_STR(perr("expect cc 0x"),
		  "t.apv:1:11: expected a condition code (0-3) after 'cc', got '0x'");
	CHECK_STR(perr("expect cc 1z"),
		  "t.apv:1:11: expected a condition code (0-3) after 'cc', got '1z'");
}

TEST(duration_needs_a_unit)
{
	CHECK_STR(perr("advance 20"), "t.apv:1:9: duration '20' needs a unit: ns, us, ms or s");
	CHECK_STR(perr("advance 20m"),
		  "t.apv:1:9: expected a duration (like 20ms) after 'advance', got '20m'");
	CHECK_STR(perr("advance 1.5ms\nadvance 100ns\nadvance 2s\nadvance 7us"), "");
}

TEST(option_value_errors_point_at_the_value)
{
	CHECK_STR(perr("adapter 5 qd=x"), "t.apv:1:14: expected a queue depth for 'qd', got 'x'");
	CHECK_STR(perr("adapter 5 qd=16"),
		  "t.apv:1:14: '16' is out of range for 'qd' (at most 15)");
	CHECK_STR(perr("host reset=10"), "t.apv:1:12: duration '10' needs a unit: ns, us, ms or s");
	CHECK_STR(perr("host apxa=maybe"),
		  "t.apv:1:11: expected on or off for 'apxa', got 'maybe'");
}

TEST(a_bad_boolean_option_is_an_error_not_an_uninitialized_value)
{
	CHECK_STR(perr(PRE "pqap g1.0 aqic 05.0004 ir=2 isc=6 nib=0x1000"),
		  "t.apv:3:27: expected on or off for 'ir', got '2'");
	CHECK_STR(perr("host qci=2"), "t.apv:1:10: expected on or off for 'qci', got '2'");
}

TEST(unknown_option_lists_the_options)
{
	CHECK_STR(perr("adapter 5 depth=3"), "t.apv:1:11: unknown option 'depth' for 'adapter' "
					     "(options: type, mode, qd, nd, ml, 4k, config, serial)");
}

TEST(option_given_twice)
{
	CHECK_STR(perr("adapter 5 qd=1 qd=2"), "t.apv:1:16: option 'qd' is given twice");
}

TEST(flags_and_valued_options_are_told_apart)
{
	CHECK_STR(perr("vm g1 pv=1"), "t.apv:1:7: option 'pv' takes no value");
	CHECK_STR(perr("vm g1 mem"), "t.apv:1:7: option 'mem' needs a value (mem=...)");
}

TEST(comparison_only_in_expectations_and_for_numbers)
{
	CHECK_STR(perr("adapter 5 qd>=3"),
		  "t.apv:1:11: 'qd' cannot be compared with '>=': use 'qd=VALUE'");
	CHECK_STR(perr(PRE "expect guest g1.0 irq>=1"),
		  "t.apv:3:19: 'irq' cannot be compared with '>=': use 'irq=VALUE'");
	CHECK_STR(perr(PRE "expect guest g1.0 requests>=1 failed<=0 replies!=3"), "");
}

TEST(enum_value_lists_the_choices)
{
	CHECK_STR(perr("adapter 5 mode=coproc"),
		  "t.apv:1:16: unknown value 'coproc' for 'mode' (expected accel, cca or ep11)");
}

TEST(apqn_syntax)
{
	CHECK_STR(perr("fault 5.x busy"), "t.apv:1:7: expected an APQN (card.domain in hex, like "
					  "05.0004) after 'fault', got '5.x'");
	CHECK_STR(perr("fault 05.1ff busy"),
		  "t.apv:1:7: domain in '05.1ff' is out of range (at most 00ff)");
	CHECK_STR(perr("fault 5.4 busy\nfault ff.00ff none"), "");
}

TEST(fault_kinds)
{
	CHECK_STR(
	    perr("fault 05.0004 broken"),
	    "t.apv:1:15: expected a fault (none, busy, reset, deconfigured, checkstop, aqic-rc07, "
	    "aqic-rc=RC or slow=DURATION) after '05.0004', got 'broken'");
	CHECK_STR(perr("fault 05.0004 aqic-rc"),
		  "t.apv:1:15: fault 'aqic-rc' needs a value (aqic-rc=...)");
	CHECK_STR(perr("fault 05.0004 busy=1"), "t.apv:1:15: fault 'busy' takes no value");
	CHECK_STR(perr("fault 05.0004 slow=5"),
		  "t.apv:1:20: duration '5' needs a unit: ns, us, ms or s");
	CHECK_STR(perr("fault 05.0004 aqic-rc=0x1ff"),
		  "t.apv:1:23: expected a response code (0-255) for 'aqic-rc', got '0x1ff'");
	CHECK_STR(
	    perr("fault 05.0004 aqic-rc=0x08 count=2\nfault 05.0004 slow=5ms\nfault 05.0004 none"),
	    "");
}

TEST(status_flags)
{
	CHECK_STR(perr("expect status E,X"),
		  "t.apv:1:17: unknown status flag 'X' (flags: E, R, F, A, I)");
	CHECK_STR(perr("expect status E,I\nexpect status none\nexpect status e,r"), "");
}

TEST(error_codes)
{
	CHECK_STR(perr("expect error EFOO"), "t.apv:1:14: expected an error code (like "
					     "-EADDRINUSE, or 0) after 'error', got 'EFOO'");
	CHECK_STR(
	    perr("expect error -EADDRINUSE\nexpect error EBUSY\nexpect error 0\nexpect error -22"),
	    "");
}

TEST(program_exception_names)
{
	CHECK_STR(perr("expect pgm bogus"), "t.apv:1:12: expected a program exception (operation, "
					    "privileged, specification or a code) after "
					    "'pgm', got 'bogus'");
	CHECK_STR(perr("expect pgm specification\nexpect pgm privileged\nexpect pgm 0x01"), "");
}

TEST(facility_lists)
{
	CHECK_STR(perr("vm g1 facilities=12,15,x"),
		  "t.apv:1:18: expected facility numbers 0-255 (like 12,15,65,76 or default,-65) "
		  "for 'facilities', "
		  "got 'x'");
	CHECK_STR(perr("vm g1 facilities=default,-65\nvm g2 facilities=+9\nvm g3 facilities=12,15"),
		  "");
}

TEST(set_needs_a_field)
{
	CHECK_STR(
	    perr(PRE "set g1.0"),
	    "t.apv:3:1: 'set' needs at least one register or PSW field (like gr0=0x03000504)");
	CHECK_STR(perr(PRE "set g1.0 gr16=1"),
		  "t.apv:3:10: unknown option 'gr16' for 'set' (options: gr0, gr1, gr2, gr3, gr4, "
		  "gr5, gr6, gr7, gr8, "
		  "gr9, gr10, gr11, gr12, gr13, gr14, gr15, psw, cc, io, cr6, running, wait)");
}

TEST(exec_register_pairs)
{
	CHECK_STR(perr(PRE "exec g1.0 nqap 4"),
		  "t.apv:3:16: expected registers R1,R2 (like 4,2) after 'nqap', got '4'");
	CHECK_STR(perr(PRE "exec g1.0 nqap 4,16"),
		  "t.apv:3:16: expected registers R1,R2 (like 4,2) with registers 0-15 after "
		  "'nqap', got '4,16'");
	CHECK_STR(perr(PRE "exec g1.0 dqap"),
		  "t.apv:3:15: expected registers R1,R2 (like 4,2) after 'dqap', got end of line");
	CHECK_STR(perr(PRE "exec g1.0 pqap\nexec g1.0 nqap 4,2\nexec g1.0 dqap 6,4"), "");
}

TEST(pqap_function_codes)
{
	CHECK_STR(perr(PRE "pqap g1.0 aqci 05.0004"),
		  "t.apv:3:11: expected a function code (tapq, rapq, zapq, aqic, qci, qact, bapq, "
		  "aapq or a number) "
		  "after 'g1.0', got 'aqci'");
	CHECK_STR(perr(PRE "pqap g1.0 aqic"), "t.apv:3:15: expected an APQN (card.domain in hex, "
					      "like 05.0004) after 'aqic', got end of line");
	CHECK_STR(perr(PRE "pqap g1.0 qci addr=0x2000\npqap g1.0 42 05.0004\npqap g1.0 aqic "
			   "05.0004 ir=1 isc=6 nib=0x1000"),
		  "");
	CHECK_STR(perr(PRE "pqap g1.0 aqic 05.0004 isc=8"),
		  "t.apv:3:28: '8' is out of range for 'isc' (at most 7)");
}

/* ---- names --------------------------------------------------------------------------- */

TEST(unknown_vm_suggests_a_close_one)
{
	CHECK_STR(perr(PRE "attach m1 g2"), "t.apv:3:11: unknown VM 'g2' (did you mean 'g1'?)");
	CHECK_STR(perr(PRE "attach m1 zebra"), "t.apv:3:11: unknown VM 'zebra'");
}

TEST(unknown_mdev)
{
	CHECK_STR(perr(PRE "attach m2 g1"), "t.apv:3:8: unknown mdev 'm2' (did you mean 'm1'?)");
	CHECK_STR(perr(PRE "detach 99999999-2222-3333-4444-555555555555"),
		  "t.apv:3:8: unknown mdev '99999999-2222-3333-4444-555555555555'");
}

TEST(mdev_by_uuid_or_name)
{
	CHECK_STR(perr(PRE "mdev 11111111-2222-3333-4444-555555555555 assign_adapter 5\nmdev m1 "
			   "assign_domain 4"),
		  "");
}

TEST(removed_mdev_says_where_it_went)
{
	CHECK_STR(perr(PRE "mdev remove m1\nmdev m1 assign_adapter 5"),
		  "t.apv:4:6: mdev 'm1' no longer exists (it was removed at t.apv:3)");
}

TEST(destroyed_vm_says_where_it_went)
{
	CHECK_STR(perr(PRE "vm destroy g1\nattach m1 g1"),
		  "t.apv:4:11: VM 'g1' no longer exists (it was removed at t.apv:3)");
}

TEST(unload_forgets_every_mdev)
{
	CHECK_STR(perr(PRE "unload vfio_ap\ndetach m1"),
		  "t.apv:4:8: mdev 'm1' no longer exists (it was removed at t.apv:3)");
}

TEST(unknown_vcpu)
{
	CHECK_STR(perr(PRE "pqap g1.1 tapq 05.0004"),
		  "t.apv:3:6: VM 'g1' has no vCPU 1 (add 'vcpu g1.1' first)");
	CHECK_STR(perr(PRE "vcpu g1.1\npqap g1.1 tapq 05.0004"), "");
	CHECK_STR(perr(PRE "pqap g1 tapq 05.0004"),
		  "t.apv:3:6: expected a vCPU (VM.N, like g1.0) after 'pqap', got 'g1'");
	CHECK_STR(perr(PRE "vcpu g1.0"), "t.apv:3:6: vCPU 'g1.0' already exists");
	CHECK_STR(perr(PRE "vcpu g1.16"), "t.apv:3:6: vCPU number 16 is out of range (at most 15)");
	CHECK_STR(perr("vm g1 vcpus=3\npqap g1.2 tapq 05.0004"), "");
}

TEST(duplicate_and_invalid_names)
{
	CHECK_STR(perr("vm g1\nvm g1"), "t.apv:2:4: name 'g1' is already defined (t.apv:1)");
	CHECK_STR(perr(PRE "mdev create 22222222-2222-3333-4444-555555555555 as g1"),
		  "t.apv:3:53: name 'g1' is already defined (t.apv:1)");
	CHECK_STR(
	    perr("vm 1g"),
	    "t.apv:1:4: invalid VM name '1g' (a letter or '_', then letters, digits, '_' or '-')");
}

TEST(mdev_attribute_names_are_the_kernels)
{
	CHECK_STR(perr(PRE "mdev m1 assign_adaptor 5"),
		  "t.apv:3:9: unknown mdev attribute 'assign_adaptor' (expected assign_adapter, "
		  "unassign_adapter, "
		  "assign_domain, unassign_domain, assign_control_domain, unassign_control_domain "
		  "or ap_config)");
	CHECK_STR(perr(PRE "mdev m1 assign_adapter"),
		  "t.apv:3:23: expected a value after 'assign_adapter', got end of line");
}

TEST(expect_with_fields_needs_one)
{
	CHECK_STR(perr(PRE "expect guest g1.0"),
		  "t.apv:3:1: 'expect guest' needs at least one of: probed=, irq=, qci=, queues=, "
		  "online=, requests=, "
		  "replies=, interrupts=, resends=, failed=, pgm=, polls=, verified=, mismatches=");
}

TEST(expect_matrix_needs_lines)
{
	CHECK_STR(perr(PRE "expect matrix m1"), "t.apv:3:1: 'expect matrix' needs the expected "
						"lines (like 05.0004 05.0005, or \"\" for none)");
	CHECK_STR(perr(PRE "expect matrix m1 \"\"\nexpect matrix m1 empty\nexpect matrix m1 "
			   "\"05.0004\\n05.0005\""),
		  "");
}

TEST(balance_zero_is_alone)
{
	CHECK_STR(perr("expect balance zero pins=1"),
		  "t.apv:1:21: 'zero' cannot be combined with counts");
}

TEST(guest_rsa_key_sizes)
{
	CHECK_STR(perr(PRE "guest rsa g1.0 me 1000"),
		  "t.apv:3:19: key size 1000 is not supported (512-4096 bits, a multiple of 16)");
	CHECK_STR(perr(PRE "guest rsa g1.0 sign 2048"),
		  "t.apv:3:16: unknown RSA operation 'sign' (expected me or crt)");
	CHECK_STR(perr(PRE "guest rsa g1.0 me 2048 count=0"),
		  "t.apv:3:24: count must be at least 1");
}

/* ---- includes -------------------------------------------------------------------------- */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/apv-scn-XXXXXX");
	REQUIRE(mkdtemp(tmpdir) != NULL);
}

static void rm_tmpdir(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK(system(cmd) == 0);
}

TEST(include_resolves_relative_to_the_including_file)
{
	make_tmpdir();
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/common", tmpdir);
	REQUIRE(mkdir(sub, 0700) == 0);
	write_file("common/host.apv", "host\nadapter 5\ninclude \"more.apv\"\n");
	write_file("common/more.apv", "domain 4\n");
	write_file("main.apv", "include \"common/host.apv\"\nexpect queue 05.0004 exists=yes\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/main.apv", tmpdir);
	struct apv_scenario *s = apv_scenario_load_file(path, err, sizeof(err));
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ(apv_scenario_nsteps(s), 4);
		CHECK_EQ(apv_scenario_run(s, NULL, err, sizeof(err)), 0);
		CHECK_EQ(apv_scenario_finish(s, err, sizeof(err)), 0);
		apv_scenario_free(s);
	}
	rm_tmpdir();
}

TEST(errors_in_an_included_file_name_that_file)
{
	make_tmpdir();
	write_file("inc.apv", "host\n\nadapter 5 qd=99\n");
	write_file("main.apv", "include \"inc.apv\"\n");
	char path[512], want[700];
	snprintf(path, sizeof(path), "%s/main.apv", tmpdir);
	CHECK(apv_scenario_load_file(path, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s/inc.apv:3:14: '99' is out of range for 'qd' (at most 15)",
		 tmpdir);
	CHECK_STR(err, want);
	rm_tmpdir();
}

TEST(include_cycle_is_an_error)
{
	make_tmpdir();
	write_file("a.apv", "include \"b.apv\"\n");
	write_file("b.apv", "include \"a.apv\"\n");
	char path[512], want[700];
	snprintf(path, sizeof(path), "%s/a.apv", tmpdir);
	CHECK(apv_scenario_load_file(path, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s/b.apv:1:9: include cycle: 'a.apv' is already being read",
		 tmpdir);
	CHECK_STR(err, want);
	rm_tmpdir();
}

TEST(include_of_a_missing_file)
{
	make_tmpdir();
	write_file("a.apv", "host\ninclude \"nope.apv\"\n");
	char path[512], want[700];
	snprintf(path, sizeof(path), "%s/a.apv", tmpdir);
	CHECK(apv_scenario_load_file(path, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want),
		 "%s/a.apv:2:9: cannot include '%s/nope.apv': No such file or directory", tmpdir,
		 tmpdir);
	CHECK_STR(err, want);
	CHECK_STR(
	    perr("include nope.apv extra"),
	    "t.apv:1:18: unexpected 'extra' after the end of 'include' (usage: include \"FILE\")");
	CHECK_STR(perr("include"),
		  "t.apv:1:8: expected a file name in quotes after 'include', got end of line");
	rm_tmpdir();
}

TEST(missing_scenario_file)
{
	CHECK(apv_scenario_load_file("/nonexistent/x.apv", err, sizeof(err)) == NULL);
	CHECK_STR(err, "/nonexistent/x.apv: cannot read: No such file or directory");
}

TEST(command_list_names_every_command)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	REQUIRE(f != NULL);
	apv_scenario_print_commands(f);
	fclose(f);
	CHECK(strstr(buf, "pqap VCPU FC") != NULL);
	CHECK(strstr(buf, "expect cc N") != NULL);
	CHECK(strstr(buf, "guest rsa VCPU") != NULL);
	CHECK(strstr(buf, "mdev create UUID") != NULL);
	free(buf);
}

TEST_MAIN
