/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario language under fuzzing: any text is parsed
 * (apv_scenario_load_string); a parse error must be a "NAME:LINE:COL:"
 * message. A script that parses and stays away from long-running guest
 * work is also run and torn down: an expectation may fail (that is the
 * script's business), but the runner's invariant checker and the final
 * zero balance must never complain.
 *
 * Includes resolve in an empty directory (the script is named DIR/fuzz.apv);
 * scripts that include and contain a slash are skipped, so that the fuzzer
 * never reads the machine's files.
 */
#include <stdlib.h>
#include <string.h>

#include "apvirt/scenario.h"
#include "fuzz_input.h"

#define MAX_TEXT 8192

static char dir[] = "/tmp/apv-fuzz-scn-XXXXXX";
static char fname[64]; /* the script's name in messages: DIR/fuzz.apv */
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		FZ_FAIL("cannot make an empty directory for includes");
	snprintf(fname, sizeof(fname), "%s/fuzz.apv", dir);
	devnull = fopen("/dev/null", "w");
	return 0;
}

/*
 * Work that may legitimately take long: the guest driver and RSA keys, and
 * a queue kept busy or resetting by a fault while something waits for its
 * reset to end (a wait that, like the kernel's, has no time limit).
 */
static bool runnable(const char *text)
{
	const char *line = text;

	if (strstr(text, "guest") || strstr(text, "rsa") || strstr(text, "slow"))
		return false;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[256];

		snprintf(buf, sizeof(buf), "%.*s", (int)(n < 255 ? n : 255), line);
		if (strstr(buf, "fault") && (strstr(buf, "busy") || strstr(buf, "reset")))
			return false;
		line = end ? end + 1 : NULL;
	}
	return true;
}

static bool has_line_col(const char *err)
{
	const char *c1 = strchr(err, ':');
	char *end;

	if (!c1 || c1 == err)
		return false;
	(void)strtoul(c1 + 1, &end, 10);
	if (end == c1 + 1 || *end != ':')
		return false;
	(void)strtoul(end + 1, &end, 10);
	return *end == ':';
}

/*
 * The runner's checker speaks as "FILE:LINE: invariant violated ..."; an
 * expectation that failed quotes the script line instead, which is the
 * fuzzer's own text and may say anything.
 */
static bool invariant_failure(const char *err)
{
	const char *p = strchr(err, ':');

	if (!p)
		return false;
	p = strchr(p + 1, ':');
	return p && strncmp(p + 1, " invariant violated", 19) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, err[1024];
	struct apv_scenario *s;

	if (size > MAX_TEXT || (memchr(data, '/', size) && memmem(data, size, "include", 7)))
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	s = apv_scenario_load_string("fuzz.apv", text, dir, err, sizeof(err));
	if (!s) {
		size_t n = strlen(fname);

		if (strncmp(err, fname, n) || !has_line_col(err + n - 8))
			FZ_FAIL("parse error without FILE:LINE:COL: '%s'", err);
	} else if (runnable(text) && apv_scenario_nsteps(s) <= 64) {
		struct apv_scenario_opts o;

		apv_scenario_opts_default(&o);
		o.out = devnull;
		o.trace = devnull;
		if (apv_scenario_run(s, &o, err, sizeof(err)) && invariant_failure(err))
			FZ_FAIL("%s", err);
		if (apv_scenario_finish(s, err, sizeof(err)))
			FZ_FAIL("teardown: %s", err);
	}
	apv_scenario_free(s);
	free(text);
	return 0;
}
