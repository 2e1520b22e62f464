/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The apvirt command line: exit status 0/1/2, --help on every command, and
 * the exact message for each kind of argument error.
 */
#include "testlib.h"

#include "clirun.h"
#include "json.h"

#include <apvirt/version.h>

#include <dirent.h>
#include <sys/stat.h>

static char dir[64];

static const char *tmpfile_with(const char *name, const char *text)
{
	static char path[256];
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/apv-cli-XXXXXX");
		if (!mkdtemp(dir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

TEST(no_arguments_is_a_usage_error)
{
	const char *none[] = {NULL};
	struct cli_result r = cli_run(none);
	CHECK_EQ(r.status, 2);
	CHECK(strncmp(r.err, "usage: apvirt COMMAND", 21) == 0);
	cli_free(&r);
}

TEST(version_is_the_library_version)
{
	const char *args[] = {"--version", NULL};
	char want[64];
	struct cli_result r = cli_run(args);

	snprintf(want, sizeof(want), "apvirt %s\n", APV_VERSION_STRING);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, want);
	CHECK_STR(apv_version(), APV_VERSION_STRING);
	cli_free(&r);
}

TEST(unknown_command)
{
	CHECK_CLI_ERR(2, "apvirt: unknown command 'frob' (see 'apvirt --help')\n", "frob");
}

TEST(every_command_has_help)
{
	const char *cmds[] = {"run", "demo", "ls", "mdev", "commands"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct cli_result r = CLI(cmds[i], "--help");
		char want[64];
		snprintf(want, sizeof(want), "usage: apvirt %s", cmds[i]);
		CHECK_EQ(r.status, 0);
		CHECK(strncmp(r.out, want, strlen(want)) == 0);
		CHECK_STR(r.err, "");
		struct cli_result h = CLI("help", cmds[i]);
		CHECK_EQ(h.status, 0);
		CHECK_STR(h.out, r.out);
		cli_free(&h);
		cli_free(&r);
	}
	struct cli_result r = CLI("--help");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "Every command takes --help.") != NULL);
	/* mdev's subcommands share its help text */
	const char *subs[] = {"show", "define", "import"};
	for (size_t i = 0; i < 3; i++) {
		struct cli_result m = CLI("mdev", subs[i], "--help");
		CHECK_EQ(m.status, 0);
		CHECK(strncmp(m.out, "usage: apvirt mdev", 18) == 0);
		CHECK(strstr(m.out, subs[i]) != NULL);
		CHECK_STR(m.err, "");
		cli_free(&m);
	}
	/* help is a command too */
	struct cli_result h = CLI("help", "--help");
	CHECK_EQ(h.status, 0);
	CHECK_STR(h.out, r.out);
	CHECK_STR(h.err, "");
	cli_free(&h);
	h = CLI("help", "help");
	CHECK_EQ(h.status, 0);
	CHECK_STR(h.out, r.out);
	cli_free(&h);
	cli_free(&r);
	CHECK_CLI_ERR(2, "apvirt: unknown command 'frob' (see 'apvirt --help')\n", "help", "frob");
}

TEST(run_argument_errors)
{
	CHECK_CLI_ERR(2, "apvirt run: no scenario file given (see 'apvirt run --help')\n", "run");
	CHECK_CLI_ERR(2, "apvirt run: unknown option '--bogus' (see 'apvirt run --help')\n", "run",
		      "--bogus", "x.apv");
	CHECK_CLI_ERR(2, "apvirt run: '-o' needs a file name (see 'apvirt run --help')\n", "run",
		      "-o");
	CHECK_CLI_ERR(2, "apvirt run: cannot read '/nonexistent/x.apv': No such file or directory\n",
		      "run", "/nonexistent/x.apv");
}

/*
 * Every command reads its files through one function: a file that cannot
 * be used gets the same words and exit status 2 whichever command meets it,
 * at once (no hang, no memory exhaustion on an endless file).
 */
TEST(bad_input_files_get_the_same_words_and_status_from_every_command)
{
	char big[256], want[2048];
	snprintf(big, sizeof(big), "%s/big.apv", dir);
	FILE *f = fopen(big, "w");
	REQUIRE(f != NULL);
	static char line[4096];
	memset(line, ' ', sizeof(line) - 1);
	line[sizeof(line) - 2] = '\n';
	for (int i = 0; i < (17 << 20) / 4095; i++)
		fputs(line, f);
	fclose(f);
	char *nul = strdup(tmpfile_with("nul.apv", "host\n\n"));
	REQUIRE(nul != NULL);
	f = fopen(nul, "r+");
	REQUIRE(f != NULL);
	fseek(f, 5, SEEK_SET);
	fputc('\0', f); /* "host\n\0": a NUL byte in an otherwise good file */
	fclose(f);
	const struct {
		const char *path, *reason;
	} bad[] = {
	    {"/nonexistent/x", "No such file or directory"},
	    {"/etc/passwd/x", "Not a directory"}, /* unreadable even for root */
	    {"/tmp", "it is a directory"},
	    {nul, "the file contains a NUL byte"},
	    {"/dev/zero", "the file contains a NUL byte"},
	    {big, "the file is larger than 16 MiB"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *p = bad[k].path;
		const char *cmds[][5] = {
		    {"run", p, NULL},
		    {"run", "-k", p, NULL},
		    {"ls", "--host", p, NULL},
		    {"mdev", "--host", p, NULL},
		    {"mdev", "import", p, NULL},
		};
		const char *who[] = {"run", "run", "ls", "mdev", "mdev import"};
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			struct cli_result r = cli_run(cmds[c]);
			snprintf(want, sizeof(want), "apvirt %s: cannot read '%s': %s\n", who[c], p,
				 bad[k].reason);
			CHECK_EQ(r.status, 2);
			CHECK_STR(r.err, want);
			cli_free(&r);
		}
	}
	/* Where a script includes one, the include names the file and line. */
	const char *inc = tmpfile_with("inczero.apv", "include \"/dev/zero\"\n");
	REQUIRE(inc != NULL);
	snprintf(want, sizeof(want),
		 "%s:1:9: cannot include '/dev/zero': the file contains a NUL byte\n", inc);
	CHECK_CLI_ERR(2, want, "run", inc);
	/* Unreadable by permission, where the test is not root (root reads anything). */
	if (geteuid() != 0) {
		const char *np = tmpfile_with("noperm.apv", "host\n");
		REQUIRE(np != NULL);
		chmod(np, 0);
		snprintf(want, sizeof(want), "apvirt ls: cannot read '%s': Permission denied\n", np);
		CHECK_CLI_ERR(2, want, "ls", "--host", np);
		unlink(np);
	}
	unlink(big);
	unlink(nul);
	free(nul);
}

/* A trace file that is also an input (any name for the same file) would be emptied first. */
TEST(run_refuses_to_write_the_trace_over_an_input)
{
	static const char script[] = "include \"inc.apv\"\nadvance 1ms\n";
	char *main_apv = strdup(tmpfile_with("main.apv", script));
	char *inc = strdup(tmpfile_with("inc.apv", "advance 1ns\n"));
	char lnk[256], hard[256], dot[256], want[1024];
	REQUIRE(main_apv && inc);
	snprintf(lnk, sizeof(lnk), "%s/link.apv", dir);
	snprintf(hard, sizeof(hard), "%s/hard.apv", dir);
	snprintf(dot, sizeof(dot), "%s/./main.apv", dir);
	REQUIRE(symlink(main_apv, lnk) == 0);
	REQUIRE(link(main_apv, hard) == 0);
	const char *outs[] = {main_apv, lnk, hard, dot, inc};
	const char *ins[] = {main_apv, main_apv, main_apv, main_apv, inc};
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		snprintf(want, sizeof(want),
			 "apvirt run: refusing to write the trace to '%s': it is the input '%s'\n",
			 outs[i], ins[i]);
		CHECK_CLI_ERR(2, want, "run", "--trace", "-o", outs[i], main_apv);
		char *now = cli_read_all(main_apv);
		CHECK_STR(now, script);
		free(now);
		now = cli_read_all(inc);
		CHECK_STR(now, "advance 1ns\n");
		free(now);
	}
	/* Another file is fine. */
	char out[256];
	snprintf(out, sizeof(out), "%s/trace.txt", dir);
	struct cli_result r = CLI("run", "--trace", "-o", out, main_apv);
	CHECK_EQ(r.status, 0);
	char *t = cli_read_all(out);
	CHECK(strstr(t, "advance 1ms") != NULL);
	free(t);
	cli_free(&r);
	unlink(out);
	unlink(lnk);
	unlink(hard);
	unlink(main_apv);
	unlink(inc);
	free(main_apv);
	free(inc);
}

/* Run apvirt with stdout on /dev/full; exit status, stderr in err. */
static int run_to_full_disk(const char *const *args, char *err, size_t errlen)
{
	char errp[] = "/tmp/apv-cli-err-XXXXXX";
	int fe = mkstemp(errp), fo = open("/dev/full", O_WRONLY);
	const char *argv[16] = {APVIRT_BIN};
	int n = 1, st = 0;
	pid_t pid;
	posix_spawn_file_actions_t fa;

	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fo, 1);
	posix_spawn_file_actions_adddup2(&fa, fe, 2);
	if (posix_spawn(&pid, APVIRT_BIN, &fa, NULL, (char *const *)argv, environ) == 0)
		waitpid(pid, &st, 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fo);
	close(fe);
	char *e = cli_read_all(errp);
	snprintf(err, errlen, "%s", e ? e : "");
	free(e);
	unlink(errp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Output lost to a full disk is a failure with a message, never exit 0. */
TEST(output_that_cannot_be_written_fails_with_status_1)
{
	char err[512];
	const char *ls[] = {"ls", NULL};
	const char *demo[] = {"demo", "-q", NULL};

	CHECK_EQ(run_to_full_disk(ls, err, sizeof(err)), 1);
	CHECK_STR(err, "apvirt: cannot write the output: No space left on device\n");
	CHECK_EQ(run_to_full_disk(demo, err, sizeof(err)), 1);
	CHECK_STR(err, "apvirt: cannot write the output: No space left on device\n");
	const char *p = tmpfile_with("full.apv", "host\nadvance 1ms\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("run", "-q", "--json", "-o", "/dev/full", p);
	CHECK_EQ(r.status, 1);
	CHECK_STR(r.err, "apvirt run: cannot write '/dev/full': No space left on device\n");
	cli_free(&r);
}

TEST(run_reports_syntax_errors_with_status_2)
{
	const char *p = tmpfile_with("syntax.apv", "host\nadapter 5 qd=99\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("run", p);
	CHECK_EQ(r.status, 2);
	char want[2048];
	snprintf(want, sizeof(want), "%s:2:14: '99' is out of range for 'qd' (at most 15)\n", p);
	CHECK_STR(r.err, want);
	cli_free(&r);
}

TEST(run_reports_failures_with_status_1)
{
	const char *p = tmpfile_with("fail.apv", "host\nadvance 1ms\nexpect time 2ms\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("run", p);
	CHECK_EQ(r.status, 1);
	char want[2048];
	snprintf(want, sizeof(want),
		 "FAIL %s\n%s:3: expect time 2ms\n  expected: 2ms\n  actual:   1ms\n", p, p);
	CHECK_STR(r.err, want);
	cli_free(&r);
}

TEST(run_passes_and_counts)
{
	char ok1[256], ok2[256];
	snprintf(ok1, sizeof(ok1), "%s",
		 tmpfile_with("ok1.apv", "host\nadvance 1ms\nexpect time 1ms\n"));
	snprintf(ok2, sizeof(ok2), "%s", tmpfile_with("ok2.apv", "host\n"));
	struct cli_result r = CLI("run", ok1, ok2);
	CHECK_EQ(r.status, 0);
	char want[2048];
	snprintf(want, sizeof(want), "ok   %s (3 steps)\nok   %s (1 steps)\n2 passed, 0 failed\n",
		 ok1, ok2);
	CHECK_STR(r.out, want);
	cli_free(&r);
	r = CLI("run", "-q", ok1);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "");
	cli_free(&r);
	r = CLI("run", "--check", ok1);
	CHECK_EQ(r.status, 0);
	snprintf(want, sizeof(want), "ok   %s (3 steps, syntax only)\n", ok1);
	CHECK_STR(r.out, want);
	cli_free(&r);
}

TEST(run_keep_going_runs_every_file)
{
	char bad[256], ok[256];
	snprintf(bad, sizeof(bad), "%s", tmpfile_with("bad.apv", "host\nexpect time 1ms\n"));
	snprintf(ok, sizeof(ok), "%s", tmpfile_with("ok.apv", "host\n"));
	struct cli_result r = CLI("run", bad, ok);
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.out, "ok.apv") == NULL);
	cli_free(&r);
	r = CLI("run", "-k", bad, ok);
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.out, "ok.apv (1 steps)") != NULL);
	CHECK(strstr(r.out, "1 passed, 1 failed") != NULL);
	cli_free(&r);
}

TEST(run_json_trace_is_json_on_stdout)
{
	const char *p = tmpfile_with("trace.apv", "host\nadapter 5\ndomain 4\nvm g1\npqap g1.0 "
						  "tapq 05.0004\npqap g1.0 aqic 05.0004 ir=1\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("run", "--json", p);
	CHECK_EQ(r.status, 0);
	int lines = 0;
	char err[256];
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		struct apv_json *j = apv_json_parse(line, strlen(line), "stdout", err, sizeof(err));
		CHECK(j != NULL);
		apv_json_free(j);
		lines++;
	}
	CHECK_EQ(lines, 8); /* 6 steps, 2 instructions */
	CHECK(strstr(r.err, "ok   ") != NULL);
	cli_free(&r);
	r = CLI("run", "--trace", p);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "g1.0 PQAP(TAPQ) 05.0004") != NULL);
	CHECK(strstr(r.out, "    before: GR0=0000000000000504") != NULL);
	cli_free(&r);
}

TEST(run_trace_to_a_file)
{
	char p[256], out[300];
	snprintf(
	    p, sizeof(p), "%s",
	    tmpfile_with("t2.apv", "host\nadapter 5\ndomain 4\nvm g1\npqap g1.0 tapq 05.0004\n"));
	snprintf(out, sizeof(out), "%s/trace.txt", dir);
	struct cli_result r = CLI("run", "--trace", "-o", out, p);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "PQAP") == NULL);
	char *t = cli_read_all(out);
	CHECK(strstr(t, "g1.0 PQAP(TAPQ) 05.0004") != NULL);
	free(t);
	cli_free(&r);
	CHECK_CLI_ERR(1,
		      "apvirt run: cannot write '/nonexistent/dir/t': No such file or directory\n",
		      "run", "--trace", "-o", "/nonexistent/dir/t", p);
}

TEST(run_log_option_shows_the_host_log)
{
	const char *p = tmpfile_with(
	    "log.apv", "host\nadapter 5\ndomain 4\nbus apmask -5\nmdev create "
		       "11111111-2222-3333-4444-555555555555 as m1\nmdev m1 assign_adapter 5\n"
		       "mdev m1 assign_domain 4\nbus apmask +5\nexpect error -EBUSY\n"
		       "expect log \"not reserved\"\n");
	const char *line = "warn: vfio_ap_mdev 11111111-2222-3333-4444-555555555555: queue "
			   "05.0004 not reserved for the host drivers: this mdev has it\n";
	char path[256];

	REQUIRE(p != NULL);
	snprintf(path, sizeof(path), "%s", p);
	struct cli_result r = CLI("run", "-q", path);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, ""); /* nothing unless asked */
	cli_free(&r);
	r = CLI("run", "-q", "--log", path);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, line);
	cli_free(&r);
	r = CLI("run", "-q", "--log=err", path);
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.err, "");
	cli_free(&r);
	r = CLI("run", "--trace", path);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "log warn: vfio_ap_mdev 11111111-2222-3333-4444-555555555555: queue "
			    "05.0004 not reserved") != NULL);
	cli_free(&r);
	CHECK_CLI_ERR(2,
		      "apvirt run: unknown log level 'loud' (err, warn, notice, info, debug) (see "
		      "'apvirt run --help')\n",
		      "run", "--log=loud", path);
}

/* Every *.apv under examples/, at any depth; returns how many were added. */
static int collect_examples(const char *d, char **paths, int n, int max)
{
	DIR *dp = opendir(d);
	struct dirent *e;

	if (!dp)
		return n;
	while ((e = readdir(dp)) && n < max) {
		char p[1024];
		struct stat st;
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			n = collect_examples(p, paths, n, max);
		else if (l > 4 && strcmp(e->d_name + l - 4, ".apv") == 0)
			paths[n++] = strdup(p);
	}
	closedir(dp);
	return n;
}

TEST(run_every_example_through_the_cli)
{
	char *paths[512];
	int n = collect_examples(APV_EXAMPLES_DIR, paths, 0, 512);

	CHECK(n >= 30);
	/* In batches: the runner takes at most 60 arguments. */
	for (int i = 0; i < n; i += 50) {
		const char *args[64] = {"run", "-q", "-k"};
		int k = 3;

		for (int j = i; j < n && j < i + 50; j++)
			args[k++] = paths[j];
		args[k] = NULL;
		struct cli_result r = cli_run(args);
		CHECK_EQ(r.status, 0);
		CHECK_STR(r.err, "");
		if (r.status != 0)
			fprintf(stderr, "%s%s", r.out, r.err);
		cli_free(&r);
	}
	for (int i = 0; i < n; i++)
		free(paths[i]);
}

TEST(demo_verifies_and_balances)
{
	struct cli_result r = CLI("demo");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "CARD.DOM TYPE  MODE        STATUS   REQUESTS") != NULL);
	CHECK(strstr(r.out, "05.0004  CEX8A Accelerator online ") != NULL);
	CHECK(strstr(r.out, "verified against OpenSSL 48, mismatches 0") != NULL);
	CHECK(strstr(r.out, "balance: pins=0 isc=0 vmrefs=0 hooks=0 calls=0\n") != NULL);
	CHECK(strstr(r.out, "apvirt demo: OK") != NULL);
	cli_free(&r);
	r = CLI("demo", "-q");
	CHECK_EQ(r.status, 0);
	CHECK(strncmp(r.out, "\napvirt demo: OK", 16) == 0);
	cli_free(&r);
	CHECK_CLI_ERR(2, "apvirt demo: unknown argument '--bogus' (see 'apvirt demo --help')\n",
		      "demo", "--bogus");
}

TEST(ls_lists_the_default_host)
{
	struct cli_result r = CLI("ls");
	CHECK_EQ(r.status, 0);
	CHECK(strncmp(r.out, "CARD.DOM TYPE  MODE        STATUS   REQUESTS  DRIVER\n", 53) == 0);
	CHECK(strstr(r.out,
		     "06.0006  CEX8A Accelerator online           0  vfio_ap (unassigned)\n") !=
	      NULL);
	cli_free(&r);
}

TEST(ls_with_a_host_file)
{
	const char *p = tmpfile_with("host.apv", "host\nadapter 3 type=cex7 mode=cca\ndomain 1\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("ls", "--host", p);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "03       CEX7C CCA-Coproc  online           0  cex4card\n") != NULL);
	CHECK(strstr(r.out, "03.0001  CEX7C CCA-Coproc  online           0  cex4queue\n") != NULL);
	cli_free(&r);
}

TEST(ls_serial_and_mkvps_of_coprocessor_cards)
{
	const char *p = tmpfile_with(
	    "host.apv", "host\nadapter 3 type=cex7 mode=cca serial=93AABEET\n"
			"adapter 4 type=cex8 mode=ep11\ndomain 1\n"
			"masterkey set 03.0001 "
			"0101010101010101010101010101010101010101010101010101010101010101\n"
			"masterkey change 03.0001\n");
	REQUIRE(p != NULL);
	struct cli_result r = CLI("ls", "--host", p, "--serial");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "03       CEX7C CCA-Coproc  online   93AABEET\n") != NULL);
	CHECK(strstr(r.out, "04       CEX8P EP11-Coproc online   93APVX00\n") != NULL);
	cli_free(&r);
	r = CLI("ls", "--host", p, "-k");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "03.0001:\n  AES NEW: empty 0x0000000000000000\n"
			    "  AES CUR: valid 0x72cd6e8422c407fb\n"
			    "  AES OLD: invalid 0x0000000000000000\n") != NULL);
	CHECK(strstr(r.out, "04.0001:\n  WK CUR: invalid -\n  WK NEW: empty -\n") != NULL);
	cli_free(&r);
	CHECK_CLI_ERR(2, "apvirt ls: --serial and --mkvps exclude each other (see 'apvirt ls --help')\n",
		      "ls", "-s", "--mkvps");
}

TEST(ls_argument_errors)
{
	CHECK_CLI_ERR(2, "apvirt ls: '--host' needs a file name (see 'apvirt ls --help')\n", "ls",
		      "--host");
	CHECK_CLI_ERR(2, "apvirt ls: unexpected argument 'extra' (see 'apvirt ls --help')\n", "ls",
		      "extra");
	CHECK_CLI_ERR(2, "apvirt ls: cannot read '/nonexistent/h.apv': No such file or directory\n",
		      "ls", "--host", "/nonexistent/h.apv");
	const char *p = tmpfile_with("badhost.apv", "host\nadaptor 5\n");
	struct cli_result r = CLI("ls", "--host", p);
	CHECK_EQ(r.status, 1);
	char want[2048];
	snprintf(want, sizeof(want),
		 "apvirt: %s:2:1: unknown command 'adaptor' (did you mean 'adapter'?)\n", p);
	CHECK_STR(r.err, want);
	cli_free(&r);
}

TEST(mdev_argument_errors)
{
	CHECK_CLI_ERR(2,
		      "apvirt mdev: unknown subcommand 'frob' (expected show, define or import) "
		      "(see 'apvirt mdev --help')\n",
		      "mdev", "frob");
	CHECK_CLI_ERR(
	    2, "apvirt mdev: 'import' needs at least one JSON file (see 'apvirt mdev --help')\n",
	    "mdev", "import");
	CHECK_CLI_ERR(2, "apvirt mdev: 'define' needs a UUID (see 'apvirt mdev --help')\n", "mdev",
		      "define");
	CHECK_CLI_ERR(2, "apvirt mdev: unknown option '--frob' (see 'apvirt mdev --help')\n",
		      "mdev", "show", "--frob");
	CHECK_CLI_ERR(2, "apvirt mdev: '--uuid' needs a UUID (see 'apvirt mdev --help')\n", "mdev",
		      "import", "--uuid");
}

TEST(mdev_define_writes_attributes_in_order)
{
	struct cli_result r =
	    CLI("mdev", "define", "11111111-2222-3333-4444-555555555555", "assign_adapter=5",
		"assign_domain=0x4", "assign_domain=5", "assign_control_domain=4");
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "11111111-2222-3333-4444-555555555555  vfio_ap-passthrough  not attached\n"
			 "  matrix:          05.0004 05.0005\n"
			 "  guest_matrix:    05.0004 05.0005\n"
			 "  control_domains: 0004\n");
	cli_free(&r);
	CHECK_CLI_ERR(1,
		      "apvirt mdev define: 11111111-2222-3333-4444-555555555555: writing "
		      "'0x100' to assign_domain "
		      "failed: -ENODEV (No such device)\n",
		      "mdev", "define", "11111111-2222-3333-4444-555555555555", "assign_adapter=5",
		      "assign_domain=0x100");
	CHECK_CLI_ERR(1, "apvirt mdev define: cannot create nonsense: -EINVAL (Invalid argument)\n",
		      "mdev", "define", "nonsense", "assign_adapter=5");
	CHECK_CLI_ERR(2,
		      "apvirt mdev: expected ATTRIBUTE=VALUE, got 'assign_adapter' (see 'apvirt "
		      "mdev --help')\n",
		      "mdev", "define", "11111111-2222-3333-4444-555555555555", "assign_adapter");
}

TEST(mdev_show_json_is_mdevctl_format)
{
	const char *p = tmpfile_with(
	    "hostm.apv", "host\nadapter 5\ndomain 4\nbus apmask -5\n"
			 "mdev create 11111111-2222-3333-4444-555555555555\n"
			 "mdev 11111111-2222-3333-4444-555555555555 assign_adapter 5\n");
	struct cli_result r = CLI("mdev", "--host", p, "--json");
	CHECK_EQ(r.status, 0);
	CHECK_STR(
	    r.out,
	    "[\n  {\n    \"matrix\": [\n      {\n        \"11111111-2222-3333-4444-555555555555\": "
	    "{\n"
	    "          \"mdev_type\": \"vfio_ap-passthrough\",\n          \"start\": \"manual\",\n"
	    "          \"attrs\": [\n            {\n              \"assign_adapter\": \"5\"\n      "
	    "      }\n"
	    "          ]\n        }\n      }\n    ]\n  }\n]\n");
	cli_free(&r);
	r = CLI("mdev");
	CHECK_EQ(r.status, 0);
	CHECK_STR(r.out, "no mdevs\n");
	cli_free(&r);
}

TEST(commands_lists_the_language)
{
	struct cli_result r = CLI("commands");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, "expect rc N|NAME") != NULL);
	cli_free(&r);
	CHECK_CLI_ERR(2,
		      "apvirt commands: unexpected argument 'x' (see 'apvirt commands --help')\n",
		      "commands", "x");
}

TEST(cleanup_temp_files)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(!dir[0] || system(cmd) == 0);
}

TEST_MAIN
