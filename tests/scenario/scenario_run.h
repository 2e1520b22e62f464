/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run a scenario text as "t.apv" for the runner tests: the error text in
 * err, the output of show/echo/trace in out_buf.
 */
#ifndef APV_TESTS_SCENARIO_RUN_H
#define APV_TESTS_SCENARIO_RUN_H

#include <stdio.h>
#include <stdlib.h>

#include "scenario_internal.h"

static char err[8192];
static char *out_buf;
static size_t out_len;

/* 0 on success, -1 with err set, -2 when the text did not parse. */
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

#endif
