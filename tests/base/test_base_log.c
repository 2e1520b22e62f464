/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The log: levels and the handler's threshold, the record a handler gets,
 * the formatted line, level names, and rate limiting on the virtual clock
 * (burst, interval, the suppressed count and where it is reported).
 */
#include "testlib.h"

#include <apvirt/base.h>

#include <errno.h>

#define MAXREC 64

struct rec {
	enum apv_log_level level;
	char subsys[32], dev[48], msg[256], line[384];
	uint64_t time_ns;
};

struct sink {
	struct rec r[MAXREC];
	int n;
};

static void collect(void *ctx, const struct apv_log_record *rec)
{
	struct sink *s = ctx;

	if (s->n >= MAXREC)
		return;
	struct rec *r = &s->r[s->n++];
	r->level = rec->level;
	snprintf(r->subsys, sizeof(r->subsys), "%s", rec->subsystem);
	snprintf(r->dev, sizeof(r->dev), "%s", rec->device ? rec->device : "");
	snprintf(r->msg, sizeof(r->msg), "%s", rec->message);
	apv_log_format(rec, r->line, sizeof(r->line));
	r->time_ns = rec->time_ns;
}

TEST(nothing_is_reported_without_a_handler)
{
	struct apv_log *log = apv_log_new(NULL);
	struct sink s = {0};

	REQUIRE(log);
	CHECK(!apv_log_enabled(log, APV_LOG_ERR));
	apv_log_emit(log, APV_LOG_ERR, "vfio_ap", NULL, "lost %d", 1);
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	CHECK_EQ(s.n, 0);
	apv_log_emit(log, APV_LOG_ERR, "vfio_ap", NULL, "kept %d", 2);
	CHECK_EQ(s.n, 1);
	CHECK_STR(s.r[0].msg, "kept 2");
	apv_log_set_handler(log, NULL, NULL, APV_LOG_DEBUG);
	apv_log_emit(log, APV_LOG_ERR, "vfio_ap", NULL, "lost again");
	CHECK_EQ(s.n, 1);
	apv_log_free(log);
}

TEST(handler_threshold_filters_by_level)
{
	struct apv_log *log = apv_log_new(NULL);
	struct sink s = {0};

	REQUIRE(log);
	apv_log_set_handler(log, collect, &s, APV_LOG_NOTICE);
	CHECK(apv_log_enabled(log, APV_LOG_ERR));
	CHECK(apv_log_enabled(log, APV_LOG_NOTICE));
	CHECK(!apv_log_enabled(log, APV_LOG_INFO));
	apv_log_emit(log, APV_LOG_DEBUG, "kvm", NULL, "debug");
	apv_log_emit(log, APV_LOG_INFO, "kvm", NULL, "info");
	apv_log_emit(log, APV_LOG_NOTICE, "kvm", NULL, "notice");
	apv_log_emit(log, APV_LOG_WARNING, "kvm", NULL, "warn");
	apv_log_emit(log, APV_LOG_ERR, "kvm", NULL, "err");
	REQUIRE(s.n == 3);
	CHECK_STR(s.r[0].msg, "notice");
	CHECK_EQ(s.r[0].level, APV_LOG_NOTICE);
	CHECK_STR(s.r[1].msg, "warn");
	CHECK_EQ(s.r[1].level, APV_LOG_WARNING);
	CHECK_STR(s.r[2].msg, "err");
	CHECK_EQ(s.r[2].level, APV_LOG_ERR);
	apv_log_free(log);
}

TEST(record_carries_subsystem_device_and_clock_time)
{
	struct apv_clock *c = apv_clock_new_virtual();
	struct apv_log *log = apv_log_new(c);
	struct sink s = {0};

	REQUIRE(c && log);
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	apv_clock_sleep(c, 3 * APV_NSEC_PER_MSEC);
	apv_log_emit(log, APV_LOG_WARNING, "vfio_ap_mdev", "62177883-f1bb-47f0-914d-32a22e3a8804",
		     "queue %02x.%04x", 5, 4);
	apv_log_emit(log, APV_LOG_NOTICE, "vfio_ap", NULL, "plain");
	REQUIRE(s.n == 2);
	CHECK_STR(s.r[0].subsys, "vfio_ap_mdev");
	CHECK_STR(s.r[0].dev, "62177883-f1bb-47f0-914d-32a22e3a8804");
	CHECK_STR(s.r[0].line, "vfio_ap_mdev 62177883-f1bb-47f0-914d-32a22e3a8804: queue 05.0004");
	CHECK_U64(s.r[0].time_ns, 3 * APV_NSEC_PER_MSEC);
	CHECK_STR(s.r[1].line, "vfio_ap: plain");
	apv_log_free(log);
	apv_clock_free(c);
}

TEST(long_messages_are_cut_not_overrun)
{
	struct apv_log *log = apv_log_new(NULL);
	struct sink s = {0};
	char big[2000];

	REQUIRE(log);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	apv_log_emit(log, APV_LOG_ERR, "ap", NULL, "%s", big);
	REQUIRE(s.n == 1);
	CHECK(strlen(s.r[0].msg) > 200);
	CHECK(strspn(s.r[0].msg, "x") == strlen(s.r[0].msg));
	apv_log_free(log);
}

TEST(level_names_and_parsing)
{
	enum apv_log_level l;

	CHECK_STR(apv_log_level_name(APV_LOG_ERR), "err");
	CHECK_STR(apv_log_level_name(APV_LOG_WARNING), "warn");
	CHECK_STR(apv_log_level_name(APV_LOG_NOTICE), "notice");
	CHECK_STR(apv_log_level_name(APV_LOG_INFO), "info");
	CHECK_STR(apv_log_level_name(APV_LOG_DEBUG), "debug");
	CHECK(apv_log_level_name((enum apv_log_level)9) == NULL);
	CHECK_EQ(apv_log_level_parse("warn", &l), 0);
	CHECK_EQ(l, APV_LOG_WARNING);
	CHECK_EQ(apv_log_level_parse("WARNING", &l), 0);
	CHECK_EQ(l, APV_LOG_WARNING);
	CHECK_EQ(apv_log_level_parse("error", &l), 0);
	CHECK_EQ(l, APV_LOG_ERR);
	CHECK_EQ(apv_log_level_parse("7", &l), 0);
	CHECK_EQ(l, APV_LOG_DEBUG);
	CHECK_EQ(apv_log_level_parse("info", &l), 0);
	CHECK_EQ(l, APV_LOG_INFO);
	CHECK_EQ(apv_log_level_parse("2", &l), -EINVAL);
	CHECK_EQ(apv_log_level_parse("", &l), -EINVAL);
	CHECK_EQ(apv_log_level_parse("verbose", &l), -EINVAL);
	CHECK_EQ(apv_log_level_parse(NULL, &l), -EINVAL);
}

TEST(file_handler_writes_level_and_line)
{
	struct apv_log *log = apv_log_new(NULL);
	char buf[256] = {0};
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	REQUIRE(log && f);
	apv_log_set_handler(log, apv_log_to_file, f, APV_LOG_INFO);
	apv_log_emit(log, APV_LOG_WARNING, "vfio_ap", NULL, "one");
	apv_log_emit(log, APV_LOG_INFO, "vfio_ap_mdev", "u-u-i-d", "two");
	apv_log_emit(log, APV_LOG_DEBUG, "vfio_ap", NULL, "three");
	fclose(f);
	CHECK_STR(buf, "warn: vfio_ap: one\ninfo: vfio_ap_mdev u-u-i-d: two\n");
	apv_log_free(log);
}

/* Ten per five seconds by default; the count of the rest comes with the next interval. */
TEST(ratelimit_burst_interval_and_suppressed_count)
{
	struct apv_clock *c = apv_clock_new_virtual();
	struct apv_log *log = apv_log_new(c);
	struct apv_ratelimit rl;
	struct sink s = {0};
	int passed = 0;

	REQUIRE(c && log);
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	apv_ratelimit_init(&rl, "reset wait", APV_RATELIMIT_INTERVAL_NS, APV_RATELIMIT_BURST);
	/* 50 messages 20 ms apart: 1 s, well inside one interval. */
	for (int i = 0; i < 50; i++) {
		passed += apv_log_ratelimited(log, &rl, APV_LOG_NOTICE, "vfio_ap", NULL, "m%d", i);
		apv_clock_sleep(c, 20 * APV_NSEC_PER_MSEC);
	}
	CHECK_EQ(passed, 10);
	REQUIRE(s.n == 10);
	CHECK_STR(s.r[0].msg, "m0");
	CHECK_STR(s.r[9].msg, "m9");
	/* Exactly at the end of the interval the old one still holds (the kernel's "after"). */
	apv_clock_sleep(c, 4 * APV_NSEC_PER_SEC);
	CHECK_U64(apv_clock_now(c), 5 * APV_NSEC_PER_SEC);
	CHECK(!apv_log_ratelimited(log, &rl, APV_LOG_NOTICE, "vfio_ap", NULL, "late"));
	CHECK_EQ(s.n, 10);
	apv_clock_sleep(c, 1);
	CHECK(apv_log_ratelimited(log, &rl, APV_LOG_NOTICE, "vfio_ap", NULL, "next"));
	REQUIRE(s.n == 12);
	CHECK_STR(s.r[10].line, "vfio_ap: reset wait: 41 messages suppressed");
	CHECK_EQ(s.r[10].level, APV_LOG_NOTICE);
	CHECK_STR(s.r[11].msg, "next");
	/* Nothing suppressed since: a flush reports nothing. */
	apv_ratelimit_flush(log, &rl);
	CHECK_EQ(s.n, 12);
	apv_log_free(log);
	apv_clock_free(c);
}

TEST(ratelimit_flush_reports_what_is_pending_once)
{
	struct apv_clock *c = apv_clock_new_virtual();
	struct apv_log *log = apv_log_new(c);
	struct apv_ratelimit rl;
	struct sink s = {0};

	REQUIRE(c && log);
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	apv_ratelimit_init(&rl, "irq", APV_RATELIMIT_INTERVAL_NS, 2);
	for (int i = 0; i < 5; i++)
		apv_log_ratelimited(log, &rl, APV_LOG_WARNING, "ap", NULL, "m%d", i);
	CHECK_EQ(s.n, 2);
	apv_ratelimit_flush(log, &rl);
	REQUIRE(s.n == 3);
	CHECK_STR(s.r[2].line, "ap: irq: 3 messages suppressed");
	CHECK_EQ(s.r[2].level, APV_LOG_WARNING);
	apv_ratelimit_flush(log, &rl);
	CHECK_EQ(s.n, 3);
	apv_log_free(log);
	apv_clock_free(c);
}

/* The state moves without a handler, so what is suppressed does not depend on who listens. */
TEST(ratelimit_counts_without_a_handler)
{
	struct apv_clock *c = apv_clock_new_virtual();
	struct apv_log *log = apv_log_new(c);
	struct apv_ratelimit rl;
	struct sink s = {0};

	REQUIRE(c && log);
	apv_ratelimit_init(&rl, "x", APV_RATELIMIT_INTERVAL_NS, 3);
	for (int i = 0; i < 4; i++)
		apv_log_ratelimited(log, &rl, APV_LOG_NOTICE, "vfio_ap", NULL, "unheard");
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	CHECK(!apv_log_ratelimited(log, &rl, APV_LOG_NOTICE, "vfio_ap", NULL, "still limited"));
	CHECK_EQ(s.n, 0);
	apv_ratelimit_flush(log, &rl);
	REQUIRE(s.n == 1);
	CHECK_STR(s.r[0].msg, "x: 2 messages suppressed");
	apv_log_free(log);
	apv_clock_free(c);
}

TEST(ratelimit_once_never_reports_and_never_reopens)
{
	struct apv_clock *c = apv_clock_new_virtual();
	struct apv_log *log = apv_log_new(c);
	struct apv_ratelimit rl;
	struct sink s = {0};

	REQUIRE(c && log);
	apv_log_set_handler(log, collect, &s, APV_LOG_DEBUG);
	apv_ratelimit_init(&rl, "once", APV_RATELIMIT_ONCE, 1);
	CHECK(apv_log_ratelimited(log, &rl, APV_LOG_WARNING, "vfio_ap", NULL, "first"));
	CHECK(!apv_log_ratelimited(log, &rl, APV_LOG_WARNING, "vfio_ap", NULL, "second"));
	apv_clock_sleep(c, 3600 * APV_NSEC_PER_SEC);
	CHECK(!apv_log_ratelimited(log, &rl, APV_LOG_WARNING, "vfio_ap", NULL, "third"));
	apv_ratelimit_flush(log, &rl);
	REQUIRE(s.n == 1);
	CHECK_STR(s.r[0].msg, "first");
	apv_log_free(log);
	apv_clock_free(c);
}

TEST(null_log_is_harmless)
{
	struct apv_ratelimit rl;

	apv_ratelimit_init(&rl, NULL, 1, 1);
	apv_log_emit(NULL, APV_LOG_ERR, "x", NULL, "nothing");
	CHECK(!apv_log_ratelimited(NULL, &rl, APV_LOG_ERR, "x", NULL, "nothing"));
	apv_ratelimit_flush(NULL, &rl);
	apv_log_set_handler(NULL, collect, NULL, APV_LOG_DEBUG);
	CHECK(!apv_log_enabled(NULL, APV_LOG_ERR));
	apv_log_free(NULL);
}

TEST_MAIN
