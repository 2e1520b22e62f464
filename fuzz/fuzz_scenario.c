/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenario language under fuzzing: any text is parsed
 * (apv_scenario_load_string); a parse error must be a "NAME:LINE:COL:"
 * message. A script that parses is also run and torn down, the guest
 * driver, RSA requests, timed and sticky faults included: an expectation
 * may fail (that is the script's business), but the runner's invariant
 * checker and the final zero balance must never complain.
 *
 * A script runs if its cost is bounded (affordable(), read from the parsed
 * steps): at most 64 steps; RSA keys of at most 1024 bits (a 4096-bit key
 * takes seconds to generate) and at most 64 requests in all; at most
 * 120 s of virtual time asked for by `advance`, `guest run` and request
 * timeouts together (the guest model polls); at most 4 busy or reset
 * faults that do not end by themselves (each can hold a step until the
 * runner's 600 s watchdog clears it).
 *
 * Includes resolve in an empty directory (the script is named DIR/fuzz.apv);
 * scripts that include and contain a slash are skipped, so that the fuzzer
 * never reads the machine's files.
 */
#include <stdlib.h>
#include <string.h>

#include "apvirt/scenario.h"
#include "fuzz_input.h"
#include "scenario_internal.h"

#define MAX_TEXT 8192
#define MAX_STEPS 64
#define MAX_RSA_BITS 1024
#define MAX_RSA_REQUESTS 64
#define MAX_VIRTUAL_NS (120 * APV_NSEC_PER_SEC)
#define MAX_STICKY_FAULTS 4

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

static bool is(const struct apv_step *st, const char *name, const char *sub)
{
	return strcmp(st->cmd->name, name) == 0 &&
	       (sub ? st->cmd->sub && strcmp(st->cmd->sub, sub) == 0 : !st->cmd->sub);
}

/*
 * The argument slots read here are the commands' own (cmd_guest.c:
 * vcpu, op, bits, count, parallel, queue, timeout; cmd_host.c: apqn, kind,
 * value, count, for; cmd_misc.c: advance's duration).
 */
static bool affordable(const struct apv_scenario *s)
{
	uint64_t ns = 0, requests = 0;
	unsigned sticky = 0;

	if (s->nsteps > MAX_STEPS)
		return false;
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct apv_step *st = &s->steps[i];
		const struct apv_val *v = st->v;

		if (is(st, "guest", "rsa")) {
			if (v[2].u > MAX_RSA_BITS)
				return false;
			requests += v[3].kind ? v[3].u : 1;
			ns += v[6].kind ? v[6].u : 60 * APV_NSEC_PER_SEC;
		} else if (is(st, "guest", "run")) {
			ns += v[1].u;
		} else if (is(st, "advance", NULL)) {
			ns += v[0].u;
		} else if (is(st, "fault", NULL)) {
			if ((v[1].u == APV_FAULT_BUSY || v[1].u == APV_FAULT_RESET) && !v[4].kind)
				sticky++;
		}
		if (ns > MAX_VIRTUAL_NS || requests > MAX_RSA_REQUESTS || sticky > MAX_STICKY_FAULTS)
			return false;
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
	} else if (affordable(s)) {
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
