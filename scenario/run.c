/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running a parsed scenario: one step after the other on the virtual
 * clock, the invariant checker after each, and a stop at the first
 * failure with the file, the line, the expected and the actual value.
 *
 * An administrator action that fails stops the run unless one of the
 * `expect` lines right after it is an `expect error`: a typo in a setup
 * line must not silently turn the rest of a scenario into a test of
 * something else.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void apv_scenario_opts_default(struct apv_scenario_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->check_every_step = true;
}

static bool is_expect_error(const struct apv_step *s)
{
	return strcmp(s->cmd->name, "expect") == 0 && s->cmd->sub &&
	       strcmp(s->cmd->sub, "error") == 0;
}

/*
 * A step may wait without end in virtual time: a reset of a queue that a
 * `fault busy` keeps busy is polled forever, by design. Virtual time is
 * free, so such a step would spin. The watchdog lets the hardware recover
 * (clears the faults) once a step ran this long past its own duration,
 * and the step fails.
 */
#define WATCHDOG_NS (600 * APV_NSEC_PER_SEC)

static void watchdog_fire(void *arg)
{
	struct apv_world *w = arg;
	w->watchdog_fired = true;
	apv_world_clear_faults(w);
}

/* How much virtual time the step itself asks for. */
static uint64_t step_duration(const struct apv_step *s)
{
	if (!strcmp(s->cmd->name, "advance"))
		return s->v[0].u;
	if (!strcmp(s->cmd->name, "guest") && s->cmd->sub && !strcmp(s->cmd->sub, "run"))
		return s->v[1].u;
	return 0;
}

/* Is an `expect error` among the expectations that follow step i? */
static bool error_expected(const struct apv_scenario *s, size_t i)
{
	for (size_t k = i + 1; k < s->nsteps; k++) {
		if (strcmp(s->steps[k].cmd->name, "expect") != 0)
			return false;
		if (is_expect_error(&s->steps[k]))
			return true;
	}
	return false;
}

int apv_scenario_run(struct apv_scenario *s, const struct apv_scenario_opts *opts, char *err,
		     size_t errlen)
{
	if (!s)
		return -EINVAL;
	static char dummy[4];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (s->finished) {
		snprintf(err, errlen, "%s: the scenario has already been run and finished",
			 s->name);
		return -1;
	}
	if (!s->world) {
		s->world = apv_world_new(opts);
		if (!s->world) {
			snprintf(err, errlen, "%s: out of memory", s->name);
			return -1;
		}
	} else if (opts) {
		s->world->opts = opts;
	}
	struct apv_world *w = s->world;
	apv_timer_init(&w->watchdog, watchdog_fire, w);
	w->err = err;
	w->errlen = errlen;
	struct apv_val full_v[APV_SCN_MAXARGS];
	struct apv_step full = {.v = full_v};
	for (size_t i = 0; i < s->nsteps; i++) {
		const struct apv_step *st = &s->steps[i];
		/* exec sees every value slot; w->cur stays the scenario's own step. */
		apv_step_expand(st, &full);
		if (apv_world_log_step(w, st) < 0)
			return -1;
		w->cur = st;
		apv_trace_step(w, st);
		if (st->cmd->flags & APV_CMD_ACTION)
			apv_w_action(w, 0, NULL);
		struct apv_clock *clock = w->clock;
		if (clock) {
			uint64_t now = apv_clock_now(clock), d = step_duration(&full);
			w->watchdog_fired = false;
			apv_clock_arm(clock, &w->watchdog,
				      now + (d > UINT64_MAX / 2 ? d : d + WATCHDOG_NS));
		}
		int rc = st->cmd->exec(w, &full);
		if (clock)
			apv_clock_cancel(clock, &w->watchdog);
		if (w->watchdog_fired)
			return apv_w_fail(
			    w,
			    "'%s' kept running for more than %llu s of virtual time (a queue that "
			    "stays busy or resetting?); the injected faults were cleared to end it",
			    st->st.src, (unsigned long long)(WATCHDOG_NS / APV_NSEC_PER_SEC));
		if (rc < 0)
			return -1;
		if ((st->cmd->flags & APV_CMD_ACTION) && w->action_rc != 0 &&
		    !error_expected(s, i)) {
			char e[96], hint[32];
			apv_scn_errno_str(w->action_rc, e, sizeof(e));
			const char *name = apv_scn_errno_name(w->action_rc);
			if (name)
				snprintf(hint, sizeof(hint), "-%s", name);
			else
				snprintf(hint, sizeof(hint), "%d", w->action_rc);
			snprintf(err, errlen,
				 "%s:%u: '%s' failed: %s%s%s\n  (if this is intended, write "
				 "'expect error %s' after it)",
				 st->st.file, st->st.line, st->st.src, e,
				 w->action_why[0] ? ": " : "", w->action_why, hint);
			return -1;
		}
		if (w->opts->check_every_step && apv_world_check(w) < 0)
			return -1;
	}
	w->cur = s->nsteps ? &s->steps[s->nsteps - 1] : NULL;
	return apv_world_log_step(w, NULL);
}

int apv_scenario_finish(struct apv_scenario *s, char *err, size_t errlen)
{
	if (!s)
		return -EINVAL;
	if (s->finished || !s->world) {
		s->finished = true;
		return 0;
	}
	s->finished = true;
	char why[512];
	int rc = apv_world_teardown(s->world, why, sizeof(why));
	if (rc < 0 && err && errlen)
		snprintf(err, errlen, "%s: %s", s->name, why);
	return rc;
}

void apv_scenario_free(struct apv_scenario *s)
{
	if (!s)
		return;
	apv_world_free(s->world);
	for (size_t i = 0; i < s->nsteps; i++)
		apv_step_free(&s->steps[i]);
	free(s->steps);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->name);
	free(s);
}

struct apv_hw *apv_scenario_hw(struct apv_scenario *s)
{
	if (!s)
		return NULL;
	return s->world ? s->world->hw : NULL;
}

struct apv_kvm *apv_scenario_kvm(struct apv_scenario *s)
{
	if (!s)
		return NULL;
	return s->world ? s->world->kvm : NULL;
}

struct apv_matrix *apv_scenario_matrix(struct apv_scenario *s)
{
	if (!s)
		return NULL;
	return s->world ? s->world->matrix : NULL;
}
