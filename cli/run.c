/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt run: run scenario files, one after the other, each on a fresh
 * world. A syntax error is reported before the file runs; a failing step
 * stops that file with the line, the expected and the actual value.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char run_help[] =
    "usage: apvirt run [OPTIONS] FILE...\n"
    "\n"
    "Run scenario scripts (docs/scenarios.md). Each file runs on its own virtual\n"
    "host; after every step the invariants are checked, and at the end the\n"
    "world is torn down and the resource balance must be zero.\n"
    "\n"
    "options:\n"
    "  --trace          print every instruction with its registers before and after\n"
    "  --json           write the trace as JSON lines on stdout (messages go to stderr)\n"
    "  -o, --output F   write the trace to file F instead of stdout\n"
    "  --log[=LEVEL]    show the host's log up to LEVEL (err, warn, notice, info,\n"
    "                   debug; default info): in the trace when tracing, else on\n"
    "                   stderr. A trace shows it up to notice without --log.\n"
    "  --check          parse only: report syntax errors, run nothing\n"
    "  -k, --keep-going run every file even after a failure\n"
    "  -q, --quiet      print only failures\n"
    "  --help           this text\n"
    "\n"
    "Exit status: 0 if every file passed, 1 if one failed, 2 on a usage or syntax error.\n";

int apv_cli_run(int argc, char **argv)
{
	enum apv_trace_mode mode = APV_TRACE_OFF;
	bool check = false, keep = false, quiet = false;
	int log_level = 0;
	const char *output = NULL;
	int first = 1;
	for (; first < argc; first++) {
		const char *a = argv[first];
		if (apv_cli_is_help(a)) {
			fputs(run_help, stdout);
			return CLI_OK;
		}
		if (!strcmp(a, "--")) {
			first++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--trace")) {
			mode = APV_TRACE_TEXT;
		} else if (!strcmp(a, "--json")) {
			mode = APV_TRACE_JSON;
		} else if (!strcmp(a, "--log")) {
			log_level = APV_LOG_INFO;
		} else if (!strncmp(a, "--log=", 6)) {
			enum apv_log_level l;

			if (apv_log_level_parse(a + 6, &l) < 0)
				return apv_cli_usage_error(
				    "run",
				    "unknown log level '%s' (err, warn, notice, info, debug)",
				    a + 6);
			log_level = (int)l;
		} else if (!strcmp(a, "--check")) {
			check = true;
		} else if (!strcmp(a, "-k") || !strcmp(a, "--keep-going")) {
			keep = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (first + 1 >= argc)
				return apv_cli_usage_error("run", "'%s' needs a file name", a);
			output = argv[++first];
		} else {
			return apv_cli_usage_error("run", "unknown option '%s'", a);
		}
	}
	if (first >= argc)
		return apv_cli_usage_error("run", "no scenario file given");

	/*
	 * Read and parse every file (with its includes) before the output is
	 * opened: writing a trace over a script that is still to be read
	 * would destroy it.
	 */
	int nfiles = argc - first;
	struct apv_scenario **scn = calloc((size_t)nfiles, sizeof(*scn));
	char **perr = calloc((size_t)nfiles, sizeof(*perr));
	size_t errlen = 1 << 16;
	char *err = malloc(errlen);
	int rc = CLI_OK, passed = 0, failed = 0;
	FILE *trace = stdout;

	if (!scn || !perr || !err) {
		fprintf(stderr, "apvirt run: out of memory\n");
		rc = CLI_FAIL;
		goto out;
	}
	for (int i = 0; i < nfiles; i++) {
		const char *file = argv[first + i];
		char *text = apv_cli_read_input("run", file, NULL);

		if (!text) {
			perr[i] = strdup("");
		} else {
			scn[i] = apv_scenario_load_string(file, text, NULL, err, errlen);
			free(text);
			if (!scn[i])
				perr[i] = strdup(err);
		}
		if (!scn[i] && !perr[i]) {
			fprintf(stderr, "apvirt run: %s: out of memory\n", file);
			rc = CLI_FAIL;
			goto out;
		}
		/* Without -k nothing after the first bad file runs: no need to read on. */
		if (!scn[i] && !keep) {
			nfiles = i + 1;
			break;
		}
	}
	if (output && !check) {
		for (int i = 0; i < nfiles; i++) {
			const char *in = NULL;

			for (size_t k = 0; !in && (k == 0 || apv_scenario_file(scn[i], k)); k++) {
				const char *f = scn[i] ? apv_scenario_file(scn[i], k) : argv[first + i];

				if (f && apv_cli_same_file(output, f))
					in = f;
			}
			if (in) {
				fprintf(stderr,
					"apvirt run: refusing to write the trace to '%s': it is the "
					"input '%s'\n",
					output, in);
				rc = CLI_USAGE;
				goto out;
			}
		}
		trace = fopen(output, "w");
		if (!trace) {
			fprintf(stderr, "apvirt run: cannot write '%s': %s\n", output,
				strerror(errno));
			trace = stdout;
			rc = CLI_FAIL;
			goto out;
		}
	}
	/* With a JSON trace on stdout, everything for people goes to stderr. */
	FILE *msg = (mode == APV_TRACE_JSON && !output) ? stderr : stdout;
	struct apv_scenario_opts opts;
	apv_scenario_opts_default(&opts);
	opts.trace = trace;
	opts.trace_mode = mode;
	opts.out = msg;
	opts.log = stderr;
	opts.log_level = log_level ? log_level : mode != APV_TRACE_OFF ? (int)APV_LOG_NOTICE : 0;

	for (int i = 0; i < nfiles; i++) {
		const char *file = argv[first + i];
		struct apv_scenario *s = scn[i];
		if (!s) {
			if (perr[i][0])
				fprintf(stderr, "%s\n", perr[i]);
			rc = CLI_USAGE;
			failed++;
			if (!keep)
				break;
			continue;
		}
		if (check) {
			if (!quiet)
				fprintf(msg, "ok   %s (%zu steps, syntax only)\n", file,
					apv_scenario_nsteps(s));
			passed++;
			continue;
		}
		int r = apv_scenario_run(s, &opts, err, errlen);
		if (r == 0)
			r = apv_scenario_finish(s, err, errlen);
		if (r == 0) {
			if (!quiet)
				fprintf(msg, "ok   %s (%zu steps)\n", file, apv_scenario_nsteps(s));
			passed++;
		} else {
			fflush(trace);
			fprintf(stderr, "FAIL %s\n%s\n", file, err);
			if (rc == CLI_OK)
				rc = CLI_FAIL;
			failed++;
		}
		/* The world goes as soon as the file is done: one host at a time. */
		apv_scenario_free(s);
		scn[i] = NULL;
		if (r != 0 && !keep)
			break;
	}
	if (argc - first > 1 && !quiet)
		fprintf(msg, "%d passed, %d failed\n", passed, failed);
out:
	for (int i = 0; scn && perr && i < argc - first; i++) {
		apv_scenario_free(scn[i]);
		free(perr[i]);
	}
	free(scn);
	free(perr);
	free(err);
	/* A trace that did not reach its file (disk full) is a failure, not a pass. */
	if (trace != stdout && fclose(trace) != 0) {
		fprintf(stderr, "apvirt run: cannot write '%s': %s\n", output, strerror(errno));
		if (rc == CLI_OK)
			rc = CLI_FAIL;
	}
	return rc;
}
