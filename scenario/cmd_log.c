/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's log in a scenario: every message is recorded with the step
 * that made it, shown in the trace (or on its own) in order with the
 * instructions, and checked.
 *
 * `expect log "TEXT"` looks at a window of messages: everything made since
 * the previous group of `expect log` lines (consecutive expect lines form a
 * group, so several `expect log` after one step all look at its messages).
 * A warning (warn or worse) must be claimed by an `expect log` among the
 * expect lines right after the step that made it; the next step, or the
 * end of the run, fails on one that was not. docs/scenarios.md has the
 * rules.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

/* Records kept at most; a window that lost some cannot be counted exactly. */
#define WLOG_MAX 65536

static FILE *log_out(struct apv_world *w)
{
	if (w->opts->trace_mode != APV_TRACE_OFF)
		return w->opts->trace ? w->opts->trace : stderr;
	return w->opts->log ? w->opts->log : stderr;
}

static void show(struct apv_world *w, const struct apv_log_record *rec, const char *line)
{
	FILE *f;

	if (!w->opts->log_level || (int)rec->level > w->opts->log_level)
		return;
	f = log_out(w);
	switch (w->opts->trace_mode) {
	case APV_TRACE_OFF:
		fprintf(f, "%s: %s\n", apv_log_level_name(rec->level), line);
		return;
	case APV_TRACE_TEXT: {
		char dur[32];

		apv_scn_dur_str(rec->time_ns, dur, sizeof(dur));
		fprintf(f, "[%s] log %s: %s", dur, apv_log_level_name(rec->level), line);
		if (w->cur)
			fprintf(f, "   (%s:%u)", w->cur->st.file, w->cur->st.line);
		fputc('\n', f);
		return;
	}
	case APV_TRACE_JSON:
		fprintf(f, "{\"type\":\"log\",\"time_ns\":%llu,", (unsigned long long)rec->time_ns);
		if (w->cur) {
			fputs("\"file\":", f);
			apv_json_write_str(f, w->cur->st.file);
			fprintf(f, ",\"line\":%u,", w->cur->st.line);
		}
		fprintf(f, "\"level\":\"%s\",\"subsystem\":", apv_log_level_name(rec->level));
		apv_json_write_str(f, rec->subsystem);
		if (rec->device) {
			fputs(",\"device\":", f);
			apv_json_write_str(f, rec->device);
		}
		fputs(",\"message\":", f);
		apv_json_write_str(f, rec->message);
		fputs("}\n", f);
		return;
	}
}

/* Drop what no window and no check can see any more. */
static void compact(struct apv_world *w)
{
	size_t keep = w->log_win_start < w->log_checked ? w->log_win_start : w->log_checked;

	if (!keep)
		return;
	for (size_t i = 0; i < keep; i++)
		free(w->logs[i].line);
	memmove(w->logs, w->logs + keep, (w->nlogs - keep) * sizeof(*w->logs));
	w->nlogs -= keep;
	w->log_win_start -= keep;
	w->log_win_end -= keep;
	w->log_checked -= keep;
}

void apv_world_log_record(void *ctx, const struct apv_log_record *rec)
{
	struct apv_world *w = ctx;
	char line[768];
	struct apv_wlog *l;

	apv_log_format(rec, line, sizeof(line));
	show(w, rec, line);
	if (w->nlogs == w->caplogs) {
		size_t cap = w->caplogs ? 2 * w->caplogs : 64;
		struct apv_wlog *n;

		if (w->nlogs >= WLOG_MAX || !(n = realloc(w->logs, cap * sizeof(*n)))) {
			w->logs_lost++;
			return;
		}
		w->logs = n;
		w->caplogs = cap;
	}
	l = &w->logs[w->nlogs];
	*l = (struct apv_wlog){.level = rec->level, .line = strdup(line), .step = w->cur};
	if (!l->line) {
		w->logs_lost++;
		return;
	}
	w->nlogs++;
}

void apv_world_log_free(struct apv_world *w)
{
	for (size_t i = 0; i < w->nlogs; i++)
		free(w->logs[i].line);
	free(w->logs);
	w->logs = NULL;
	w->nlogs = w->caplogs = 0;
}

static bool is_expect(const struct apv_step *s)
{
	return s && !strcmp(s->cmd->name, "expect");
}

int apv_world_log_step(struct apv_world *w, const struct apv_step *next)
{
	if (is_expect(next))
		return 0;
	/* A step that is no expectation ends the expect lines after the previous one. */
	if (w->log_group_open) {
		w->log_win_start = w->log_win_end;
		w->log_group_open = false;
	}
	for (size_t i = w->log_checked; i < w->nlogs; i++) {
		const struct apv_wlog *l = &w->logs[i];

		if (l->level > APV_LOG_WARNING || l->matched)
			continue;
		const struct apv_step *s = l->step;

		if (s)
			snprintf(w->err, w->errlen,
				 "%s:%u: '%s' logged a message nobody expected:\n  %s: %s\n  (if "
				 "this is intended, write 'expect log \"...\"' after it)",
				 s->st.file, s->st.line, s->st.src, apv_log_level_name(l->level),
				 l->line);
		else
			snprintf(w->err, w->errlen, "a message nobody expected: %s: %s",
				 apv_log_level_name(l->level), l->line);
		return -1;
	}
	w->log_checked = w->nlogs;
	compact(w);
	return 0;
}

/* ---- expect log "TEXT" [count=N] [exact] [level=LEVEL] ----------------------------------- */

enum { LV_TEXT = 0, LV_COUNT, LV_EXACT, LV_LEVEL };

static const char *const level_names[] = {"err", "warn", "notice", "info", "debug", NULL};

static const struct apv_opt log_opts[] = {
    {"count", APV_OPT_NUM, LV_COUNT, WLOG_MAX, NULL, NULL},
    {"exact", APV_OPT_FLAG, LV_EXACT, 0, NULL, NULL},
    {"level", APV_OPT_ENUM, LV_LEVEL, 0, level_names, "a level (err, warn, notice, info, debug)"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static int parse_log(struct apv_pcur *c)
{
	const struct apv_tok *t = apv_pc_need(c, "the text of a message in quotes");

	if (!t)
		return -1;
	if (!t->quoted)
		return apv_pc_fail(c, t, "expected the text of a message in quotes, got '%s'",
				   t->text);
	if (!t->text[0])
		return apv_pc_fail(c, t, "the text to look for is empty");
	c->step->v[LV_TEXT] = (struct apv_val){.kind = APV_V_STR, .s = t->text, .tok = t};
	return apv_pc_opts_cmp(c, log_opts);
}

static bool matches(const struct apv_step *s, const struct apv_wlog *l)
{
	if (s->v[LV_LEVEL].kind && (int)l->level != APV_LOG_ERR + (int)s->v[LV_LEVEL].u)
		return false;
	if (s->v[LV_EXACT].kind)
		return !strcmp(l->line, s->v[LV_TEXT].s);
	return strstr(l->line, s->v[LV_TEXT].s) != NULL;
}

static bool count_ok(const struct apv_val *v, uint64_t n)
{
	if (!v->kind)
		return n >= 1;
	switch (v->cmp) {
	case APV_CMP_GE:
		return n >= v->u;
	case APV_CMP_LE:
		return n <= v->u;
	case APV_CMP_NE:
		return n != v->u;
	default:
		return n == v->u;
	}
}

static int exec_log(struct apv_world *w, const struct apv_step *s)
{
	static const char *const ops[] = {"", ">=", "<=", "!="};
	const struct apv_val *cnt = &s->v[LV_COUNT];
	char exp[512], act[2048];
	uint64_t n = 0;
	size_t k = 0;

	if (!w->log_group_open) {
		w->log_group_open = true;
		w->log_win_end = w->nlogs;
	}
	for (size_t i = w->log_win_start; i < w->log_win_end; i++) {
		if (!matches(s, &w->logs[i]))
			continue;
		w->logs[i].matched = true;
		n++;
	}
	if (w->logs_lost)
		return apv_w_fail(w,
				  "'%s': %llu messages were lost (more than %u kept), so they "
				  "cannot be counted",
				  s->st.src, (unsigned long long)w->logs_lost, WLOG_MAX);
	if (count_ok(cnt, n))
		return 0;
	if (cnt->kind)
		snprintf(exp, sizeof(exp), "count%s%llu messages %s \"%s\"",
			 cnt->cmp ? ops[cnt->cmp] : "=", (unsigned long long)cnt->u,
			 s->v[LV_EXACT].kind ? "equal to" : "containing", s->v[LV_TEXT].s);
	else
		snprintf(exp, sizeof(exp), "a message %s \"%s\"",
			 s->v[LV_EXACT].kind ? "equal to" : "containing", s->v[LV_TEXT].s);
	k = (size_t)snprintf(act, sizeof(act), "%llu such messages among %zu",
			     (unsigned long long)n, w->log_win_end - w->log_win_start);
	for (size_t i = w->log_win_start; i < w->log_win_end && k < sizeof(act); i++) {
		const struct apv_wlog *l = &w->logs[i];
		int x = snprintf(act + k, sizeof(act) - k, "\n    %s: %s",
				 apv_log_level_name(l->level), l->line);

		if (x < 0)
			break;
		k += (size_t)x;
	}
	return apv_w_expect_fail(w, exp, act);
}

const struct apv_cmd apv_scn_cmds_log[] = {
    {"expect", "log", "expect log \"TEXT\" [count=N] [exact] [level=LEVEL]",
     "messages of the host's log since the previous expect log lines", parse_log, exec_log, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0},
};
