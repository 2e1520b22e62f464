/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — scenarios and administrator tools on top of the stack.
 *
 * A scenario is a plain-text script (docs/scenarios.md) that sets up a
 * host, VMs and mdevs, runs guest instructions and the guest driver model
 * on the virtual clock, and checks results with `expect` lines. Loading
 * parses the whole script (and its includes) first, so that syntax errors
 * are reported before anything runs; every error is
 * "FILE:LINE:COL: message".
 *
 * After every step the run checks the invariants (apv_kvm_check,
 * apv_matrix_check, no negative balance); apv_scenario_finish() tears the
 * world down and requires the resource balance to be zero.
 *
 * The administrator's tools that need no scenario (mdevctl JSON, the
 * lszcrypt and mdev listings) are declared in apvirt/mdevctl.h, which
 * this header includes.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_SCENARIO_H
#define APVIRT_SCENARIO_H

#include <apvirt/mdevctl.h>
#include <apvirt/vfio_ap.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- scenarios -------------------------------------------------------------- */

struct apv_scenario;

enum apv_trace_mode {
	APV_TRACE_OFF = 0,
	APV_TRACE_TEXT, /* every instruction with its registers before and after */
	APV_TRACE_JSON, /* the same, one JSON object per line */
};

struct apv_scenario_opts {
	FILE *out;   /* output of `show`/`echo` (default stdout) */
	FILE *trace; /* trace destination (default stderr) */
	enum apv_trace_mode trace_mode;
	bool check_every_step; /* run the invariant checker after each step (default true) */
	/*
	 * Show the host's log up to this level (an apv_log_level; 0 = none): in
	 * the trace when tracing, else on `log` (default stderr) as "LEVEL: LINE".
	 */
	int log_level;
	FILE *log;
};
void apv_scenario_opts_default(struct apv_scenario_opts *o);

/* Parse a file (includes resolve relative to it). NULL and err on failure. */
struct apv_scenario *apv_scenario_load_file(const char *path, char *err, size_t errlen);
/*
 * Parse text; `name` is used in messages and `dir` resolves includes
 * (NULL = current directory).
 */
struct apv_scenario *apv_scenario_load_string(const char *name, const char *text, const char *dir,
					      char *err, size_t errlen);
size_t apv_scenario_nsteps(const struct apv_scenario *s);
/*
 * The files a scenario was read from, in the order they were opened: 0 is
 * the script itself (the name given to load_string), then every include.
 * NULL past the last, or for a NULL scenario.
 */
const char *apv_scenario_file(const struct apv_scenario *s, size_t i);

/*
 * Run every step. 0 when every step and expectation passed; -1 with the
 * failure (file, line, expected and actual) in err. The world stays up
 * for inspection until apv_scenario_finish() or apv_scenario_free().
 */
int apv_scenario_run(struct apv_scenario *s, const struct apv_scenario_opts *opts, char *err,
		     size_t errlen);
/* Tear down (detach, remove mdevs, destroy VMs) and verify a zero balance. 0 or -1. */
int apv_scenario_finish(struct apv_scenario *s, char *err, size_t errlen);
void apv_scenario_free(struct apv_scenario *s);

/* The world a run built (NULL before the layer came up). */
struct apv_hw *apv_scenario_hw(struct apv_scenario *s);
struct apv_kvm *apv_scenario_kvm(struct apv_scenario *s);
struct apv_matrix *apv_scenario_matrix(struct apv_scenario *s);

/* One line per command: "usage — summary". */
void apv_scenario_print_commands(FILE *f);

/* An administrator error as people read it: "-EADDRINUSE (Address already in use)". */
const char *apv_errno_str(int err, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
