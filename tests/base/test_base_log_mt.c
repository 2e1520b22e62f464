/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log under threads: messages from several threads reach the handler
 * one at a time and none is lost; a rate limit shared by threads lets
 * through exactly its burst; replacing the handler while others log never
 * calls the old one afterwards (and TSan sees no race in any of it).
 */
#include "testlib.h"

#include <apvirt/base.h>

#include <pthread.h>
#include <stdatomic.h>

#define THREADS 4
#define PER_THREAD 2000

struct counter {
	atomic_int inside; /* handlers running right now */
	atomic_int overlap;
	long calls; /* written by the handler only: serialised by the log */
	atomic_bool retired;
	atomic_int after_retire;
};

static void count(void *ctx, const struct apv_log_record *rec)
{
	struct counter *c = ctx;

	if (atomic_fetch_add(&c->inside, 1) != 0)
		atomic_fetch_add(&c->overlap, 1);
	if (atomic_load(&c->retired))
		atomic_fetch_add(&c->after_retire, 1);
	c->calls++;
	(void)rec;
	atomic_fetch_sub(&c->inside, 1);
}

struct arg {
	struct apv_log *log;
	struct apv_ratelimit *rl;
	atomic_int *passed;
};

static void *emit_many(void *p)
{
	struct arg *a = p;

	for (int i = 0; i < PER_THREAD; i++) {
		apv_log_emit(a->log, APV_LOG_WARNING, "vfio_ap", NULL, "message %d", i);
		if (a->rl && apv_log_ratelimited(a->log, a->rl, APV_LOG_NOTICE, "vfio_ap", NULL,
						 "limited %d", i))
			atomic_fetch_add(a->passed, 1);
	}
	return NULL;
}

TEST(every_message_arrives_and_calls_never_overlap)
{
	struct apv_clock *clk = apv_clock_new_real();
	struct apv_log *log = apv_log_new(clk);
	struct counter c = {0};
	struct apv_ratelimit rl;
	atomic_int passed = 0;
	pthread_t t[THREADS];
	struct arg a = {0};

	REQUIRE(clk && log);
	/* An interval no run of this test reaches: the burst is all that passes. */
	apv_ratelimit_init(&rl, "limited", 3600 * APV_NSEC_PER_SEC, 7);
	a = (struct arg){log, &rl, &passed};
	apv_log_set_handler(log, count, &c, APV_LOG_DEBUG);
	for (int i = 0; i < THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, emit_many, &a) == 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(atomic_load(&c.overlap), 0);
	CHECK_EQ(c.calls, THREADS * PER_THREAD + 7);
	CHECK_EQ(atomic_load(&passed), 7);
	apv_log_free(log);
	apv_clock_free(clk);
}

TEST(replaced_handler_is_not_called_after_set_returns)
{
	struct apv_clock *clk = apv_clock_new_real();
	struct apv_log *log = apv_log_new(clk);
	struct counter old = {0}, new = {0};
	pthread_t t[THREADS];
	struct arg a = {0};

	REQUIRE(clk && log);
	a.log = log;
	apv_log_set_handler(log, count, &old, APV_LOG_DEBUG);
	for (int i = 0; i < THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, emit_many, &a) == 0);
	apv_log_set_handler(log, count, &new, APV_LOG_DEBUG);
	atomic_store(&old.retired, true);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(atomic_load(&old.after_retire), 0);
	CHECK_EQ(old.calls + new.calls, THREADS * PER_THREAD);
	apv_log_free(log);
	apv_clock_free(clk);
}

TEST_MAIN
