/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log: one lock, one handler, and rate-limit bookkeeping on the
 * host's clock.
 *
 * The handler is called with the lock held. That gives the embedder what
 * printk gives a console: messages arrive one at a time and in the order
 * they were made, even from several threads; and replacing the handler
 * needs no reference counting, because taking the lock waits for a call in
 * progress. Messages are rare (error paths, administrator actions), so a
 * plain mutex costs nothing that matters.
 *
 * Formatting uses a buffer on the stack: a message never allocates, so it
 * may be made on any path, including one that already ran out of memory.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apvirt/base.h"

/* Long enough for any message of the catalogue; longer ones are cut. */
#define LOG_LINE_MAX 512

struct apv_log {
	struct apv_clock *clock;
	struct apv_mutex lock;
	apv_log_fn fn;
	void *ctx;
	/* Read without the lock to skip work early; a stale value only costs that. */
	_Atomic int max_level;
};

struct apv_log *apv_log_new(struct apv_clock *clock)
{
	struct apv_log *log = calloc(1, sizeof(*log));

	if (!log)
		return NULL;
	apv_mutex_init(&log->lock, APV_LOCK_LOG);
	log->clock = clock;
	atomic_init(&log->max_level, 0);
	return log;
}

void apv_log_free(struct apv_log *log)
{
	if (!log)
		return;
	apv_mutex_destroy(&log->lock);
	free(log);
}

void apv_log_set_handler(struct apv_log *log, apv_log_fn fn, void *ctx,
			 enum apv_log_level max_level)
{
	if (!log)
		return;
	apv_mutex_lock(&log->lock);
	log->fn = fn;
	log->ctx = ctx;
	atomic_store(&log->max_level, fn ? (int)max_level : 0);
	apv_mutex_unlock(&log->lock);
}

bool apv_log_enabled(struct apv_log *log, enum apv_log_level level)
{
	return log && (int)level <= atomic_load_explicit(&log->max_level, memory_order_relaxed);
}

static const char *const level_names[] = {
    [APV_LOG_ERR] = "err",   [APV_LOG_WARNING] = "warn", [APV_LOG_NOTICE] = "notice",
    [APV_LOG_INFO] = "info", [APV_LOG_DEBUG] = "debug",
};

const char *apv_log_level_name(enum apv_log_level level)
{
	if (level < APV_LOG_ERR || level > APV_LOG_DEBUG)
		return NULL;
	return level_names[level];
}

int apv_log_level_parse(const char *s, enum apv_log_level *out)
{
	if (!s || !out)
		return -EINVAL;
	for (int l = APV_LOG_ERR; l <= APV_LOG_DEBUG; l++) {
		if (!strcasecmp(s, level_names[l]) || (s[0] == '0' + l && !s[1])) {
			*out = (enum apv_log_level)l;
			return 0;
		}
	}
	if (!strcasecmp(s, "warning")) {
		*out = APV_LOG_WARNING;
		return 0;
	}
	if (!strcasecmp(s, "error")) {
		*out = APV_LOG_ERR;
		return 0;
	}
	return -EINVAL;
}

int apv_log_format(const struct apv_log_record *rec, char *buf, size_t len)
{
	if (!rec || !rec->subsystem || !rec->message || (!buf && len))
		return -EINVAL;
	if (rec->device)
		return snprintf(buf, len, "%s %s: %s", rec->subsystem, rec->device, rec->message);
	return snprintf(buf, len, "%s: %s", rec->subsystem, rec->message);
}

void apv_log_to_file(void *ctx, const struct apv_log_record *rec)
{
	FILE *f = ctx;
	char line[LOG_LINE_MAX + 128];

	const char *level;

	if (!f || apv_log_format(rec, line, sizeof(line)) < 0)
		return;
	level = apv_log_level_name(rec->level);
	fprintf(f, "%s: %s\n", level ? level : "?", line);
	fflush(f);
}

static uint64_t log_now(const struct apv_log *log)
{
	return log->clock ? apv_clock_now(log->clock) : 0;
}

/* Lock held. */
static void deliver(struct apv_log *log, enum apv_log_level level, const char *subsys,
		    const char *dev, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	struct apv_log_record rec;

	if (!log->fn || !fmt || (int)level > atomic_load(&log->max_level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	rec = (struct apv_log_record){
	    .level = level,
	    .subsystem = subsys ? subsys : "apvirt",
	    .device = dev,
	    .message = msg,
	    .time_ns = log_now(log),
	};
	log->fn(log->ctx, &rec);
}

static void deliverf(struct apv_log *log, enum apv_log_level level, const char *subsys,
		     const char *dev, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void deliverf(struct apv_log *log, enum apv_log_level level, const char *subsys,
		     const char *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	deliver(log, level, subsys, dev, fmt, ap);
	va_end(ap);
}

void apv_log_vemit(struct apv_log *log, enum apv_log_level level, const char *subsys,
		   const char *dev, const char *fmt, va_list ap)
{
	if (!apv_log_enabled(log, level))
		return;
	apv_mutex_lock(&log->lock);
	deliver(log, level, subsys, dev, fmt, ap);
	apv_mutex_unlock(&log->lock);
}

void apv_log_emit(struct apv_log *log, enum apv_log_level level, const char *subsys,
		  const char *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	apv_log_vemit(log, level, subsys, dev, fmt, ap);
	va_end(ap);
}

void apv_ratelimit_init(struct apv_ratelimit *rl, const char *name, uint64_t interval_ns,
			unsigned burst)
{
	if (!rl)
		return;
	memset(rl, 0, sizeof(*rl));
	rl->name = name ? name : "ratelimit";
	rl->interval_ns = interval_ns;
	rl->burst = burst;
}

/* Lock held. */
static void report_missed(struct apv_log *log, struct apv_ratelimit *rl)
{
	if (!rl->missed)
		return;
	deliverf(log, rl->missed_level, rl->missed_subsys, NULL, "%s: %u messages suppressed",
		 rl->name, rl->missed);
	rl->missed = 0;
}

/*
 * The kernel's ___ratelimit on our clock: an interval starts with the first
 * message and ends when more than interval_ns have passed; then the count
 * of what it suppressed is reported and a new interval starts.
 */
bool apv_log_ratelimited(struct apv_log *log, struct apv_ratelimit *rl, enum apv_log_level level,
			 const char *subsys, const char *dev, const char *fmt, ...)
{
	bool pass;
	uint64_t now;

	if (!log || !rl)
		return false;
	apv_mutex_lock(&log->lock);
	/* The state moves whether anyone listens or not, like the kernel's. */
	now = log_now(log);
	if (!rl->started) {
		rl->started = true;
		rl->begin = now;
	}
	if (rl->interval_ns != APV_RATELIMIT_ONCE && now - rl->begin > rl->interval_ns) {
		report_missed(log, rl);
		rl->begin = now;
		rl->printed = 0;
	}
	pass = rl->burst > rl->printed;
	if (pass) {
		va_list ap;

		rl->printed++;
		va_start(ap, fmt);
		deliver(log, level, subsys, dev, fmt, ap);
		va_end(ap);
	} else {
		if (!rl->missed) {
			rl->missed_level = level;
			rl->missed_subsys = subsys;
		}
		rl->missed++;
	}
	apv_mutex_unlock(&log->lock);
	return pass;
}

void apv_ratelimit_flush(struct apv_log *log, struct apv_ratelimit *rl)
{
	if (!log || !rl)
		return;
	apv_mutex_lock(&log->lock);
	if (rl->interval_ns != APV_RATELIMIT_ONCE)
		report_missed(log, rl);
	rl->missed = 0;
	apv_mutex_unlock(&log->lock);
}
