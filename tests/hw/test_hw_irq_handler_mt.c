/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing the hardware's interrupt handler: once apv_hw_set_irq_handler()
 * returns, the old handler is running nowhere and is never called again,
 * so its context may be freed (what synchronize_irq() gives the kernel).
 * Outcomes only: a handler still running after the replacement returned
 * is recorded by the handler itself; every wait is bounded.
 */
#include "testlib.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "hwtest.h"

#define SPIN_LIMIT 200000

struct blocking {
	atomic_int entered;  /* the handler is running */
	atomic_int release;  /* let it return */
	atomic_int replaced; /* set_irq_handler(NULL) has returned */
	atomic_int late;     /* the handler saw `replaced` while it still ran */
	atomic_int calls;
};

static void blocking_handler(void *ctx, const struct apv_hw_irq *irq)
{
	struct blocking *b = ctx;

	(void)irq;
	atomic_fetch_add(&b->calls, 1);
	atomic_store(&b->entered, 1);
	for (int i = 0; i < SPIN_LIMIT && !atomic_load(&b->release); i++)
		usleep(50);
	if (atomic_load(&b->replaced))
		atomic_fetch_add(&b->late, 1);
	atomic_store(&b->entered, 0);
}

struct advance {
	struct hwt *t;
	uint64_t ns;
};

static void *advance_clock(void *arg)
{
	struct advance *a = arg;

	hwt_sleep(a->t, a->ns);
	return NULL;
}

struct remover {
	struct hwt *t;
	struct blocking *b;
	atomic_int still_running; /* the handler was running when the removal returned */
};

static void *remove_handler(void *arg)
{
	struct remover *r = arg;

	apv_hw_set_irq_handler(r->t->hw, NULL, NULL);
	atomic_store(&r->b->replaced, 1);
	if (atomic_load(&r->b->entered))
		atomic_store(&r->still_running, 1);
	return NULL;
}

static void enable_irqs(struct hwt *t)
{
	struct apv_aqic_ctrl c = {.ir = true, .isc = 3};

	REQUIRE(hwt_rc(apv_hw_aqic(t->hw, T_APQN, c, T_NIB, &t->st)) == 0);
	hwt_sleep(t, t->cfg.irq_ns);
	REQUIRE(apv_apqsw_decode(hwt_tapq(t, T_APQN)).i);
}

TEST(removing_the_handler_waits_for_a_call_in_flight_to_return)
{
	static struct blocking b;
	static struct remover rm;
	struct hwt t;
	struct rsa_req q;
	struct apv_regs r;
	struct advance adv;
	pthread_t clk_th, rm_th;

	memset(&b, 0, sizeof(b));
	hwt_init(&t, NULL, false);
	apv_hw_set_irq_handler(t.hw, blocking_handler, &b);
	enable_irqs(&t);
	rsa_me(&q, 64, 1);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	/* The reply becomes ready, and the handler runs, on the thread that moves the clock. */
	adv = (struct advance){.t = &t, .ns = t.cfg.reply_ns};
	REQUIRE(pthread_create(&clk_th, NULL, advance_clock, &adv) == 0);
	for (int i = 0; i < SPIN_LIMIT && !atomic_load(&b.entered); i++)
		usleep(50);
	REQUIRE(atomic_load(&b.entered));
	rm = (struct remover){.t = &t, .b = &b};
	REQUIRE(pthread_create(&rm_th, NULL, remove_handler, &rm) == 0);
	/* Give the removal every chance to return early (it must not). */
	for (int i = 0; i < 20; i++)
		usleep(1000);
	atomic_store(&b.release, 1);
	pthread_join(rm_th, NULL);
	pthread_join(clk_th, NULL);
	CHECK_EQ(atomic_load(&b.late), 0);
	CHECK_EQ(atomic_load(&rm.still_running), 0);
	CHECK_EQ(atomic_load(&b.calls), 1);
	/* Later replies raise interrupts that no handler sees. */
	REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, t.cfg.reply_ns);
	CHECK_EQ(atomic_load(&b.calls), 1);
	hwt_fini(&t);
}

static void self_removing_handler(void *ctx, const struct apv_hw_irq *irq)
{
	struct hwt *t = ctx;

	(void)irq;
	/* Must not wait for its own return. */
	apv_hw_set_irq_handler(t->hw, NULL, NULL);
	pthread_mutex_lock(&t->irq_lock);
	t->nirq++;
	pthread_mutex_unlock(&t->irq_lock);
}

TEST(a_handler_may_remove_itself_without_waiting_for_its_own_return)
{
	struct hwt t;
	struct rsa_req q;
	struct apv_regs r;

	hwt_init(&t, NULL, false);
	apv_hw_set_irq_handler(t.hw, self_removing_handler, &t);
	enable_irqs(&t);
	rsa_me(&q, 64, 2);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 1, q.req, q.req_len).cc == 0);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 2, q.req, q.req_len).cc == 0);
	hwt_sleep(&t, 4 * t.cfg.reply_ns);
	CHECK_EQ(hwt_nirq(&t), 1);
	hwt_fini(&t);
}

/* ---- real clock: handlers replaced while worker threads raise interrupts ---- */

#define ROUNDS 300
#define NREQ_INFLIGHT 4

struct counting {
	uint64_t magic;
	atomic_int calls;
};
#define COUNTING_MAGIC UINT64_C(0x68616e646c657221)

static void counting_handler(void *ctx, const struct apv_hw_irq *irq)
{
	struct counting *c = ctx;

	(void)irq;
	/* On freed memory ASan reports this; a wrong magic marks a reused block. */
	if (c->magic == COUNTING_MAGIC)
		atomic_fetch_add(&c->calls, 1);
}

struct traffic {
	struct hwt *t;
	struct rsa_req q;
	atomic_int stop;
	atomic_int replies;
};

/* Keep requests flowing so that replies (and interrupts) keep coming. */
static void *traffic(void *arg)
{
	struct traffic *tr = arg;
	struct hwt *t = tr->t;
	uint64_t psmid = 0;

	while (!atomic_load(&tr->stop)) {
		struct apv_regs r;
		struct apv_result res;

		memcpy(t->mem + (T_MSG - T_BASE), tr->q.req, tr->q.req_len);
		for (int i = 0; i < NREQ_INFLIGHT; i++) {
			memset(&r, 0, sizeof(r));
			r.gr[0] = T_APQN | APV_GR0_NQAP_LAST;
			apv_psmid_to_pair(&r, 4, psmid++);
			r.gr[2] = T_MSG;
			r.gr[3] = tr->q.req_len;
			(void)apv_hw_nqap(t->hw, &r, 4, 2, &t->st);
		}
		do {
			memset(&r, 0, sizeof(r));
			r.gr[0] = T_APQN | APV_GR0_DQAP_FIRST;
			r.gr[4] = T_BUF;
			r.gr[5] = 4096;
			res = apv_hw_dqap(t->hw, &r, 6, 4, &t->st);
			if (res.kind == APV_RES_DONE && res.cc == 0)
				atomic_fetch_add(&tr->replies, 1);
		} while (res.kind == APV_RES_DONE && res.cc == 0);
		sched_yield();
	}
	return NULL;
}

TEST(handler_contexts_freed_right_after_removal_are_never_touched_again)
{
	static struct traffic tr;
	struct apv_hw_config cfg;
	struct hwt t;
	pthread_t th;
	long total_calls = 0;

	apv_hw_config_default(&cfg);
	cfg.workers = 2;
	cfg.irq_ns = 0;
	cfg.reply_ns = 0;
	hwt_init(&t, &cfg, true);
	enable_irqs(&t);
	memset(&tr, 0, sizeof(tr));
	tr.t = &t;
	rsa_me(&tr.q, 64, 3);
	REQUIRE(pthread_create(&th, NULL, traffic, &tr) == 0);
	for (int round = 0; round < ROUNDS; round++) {
		struct counting *c = calloc(1, sizeof(*c));

		REQUIRE(c);
		c->magic = COUNTING_MAGIC;
		apv_hw_set_irq_handler(t.hw, counting_handler, c);
		for (int i = 0; i < 1000 && atomic_load(&c->calls) == 0; i++)
			sched_yield();
		apv_hw_set_irq_handler(t.hw, NULL, NULL);
		total_calls += atomic_load(&c->calls);
		c->magic = 0;
		free(c);
	}
	atomic_store(&tr.stop, 1);
	pthread_join(th, NULL);
	CHECK(atomic_load(&tr.replies) > 0);
	CHECK(total_calls > 0);
	hwt_fini(&t);
}

TEST_MAIN
