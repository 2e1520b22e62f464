/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Real-clock mode: the worker pool computes replies while several threads
 * issue instructions. Assertions are about outcomes only (every request
 * answered exactly once and correctly, nothing after a reset); every wait
 * is bounded by an iteration limit.
 */
#include "testlib.h"

#include <stdatomic.h>

#include "hwtest.h"

#define NREQ 6  /* per thread */
#define NTHR 2
#define SPIN_LIMIT 20000 /* x 0.5 ms: 10 s */

static struct apv_hw_config real_cfg(void)
{
	struct apv_hw_config cfg;

	apv_hw_config_default(&cfg);
	cfg.workers = 2;
	cfg.irq_ns = 10 * APV_NSEC_PER_USEC;
	cfg.reset_ns = 200 * APV_NSEC_PER_USEC;
	return cfg;
}

static void nap(struct hwt *t)
{
	apv_clock_sleep(t->clk, 500 * APV_NSEC_PER_USEC);
}

struct shared {
	struct hwt *t;
	struct rsa_req req[NTHR * NREQ];
	atomic_int answered[NTHR * NREQ];
	atomic_int wrong[NTHR * NREQ];
	atomic_int total;
	atomic_int unknown;
	atomic_int timeouts;
};

struct job {
	struct shared *sh;
	unsigned id;
};

/* Each thread sends its own requests and drains whatever replies come. */
static void *client(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;
	struct hwt *t = sh->t;
	uint64_t msg = T_MSG + j->id * 0x2000;
	uint64_t out = T_BUF + j->id * 0x4000;
	unsigned sent = 0;

	for (int spin = 0; spin < SPIN_LIMIT; spin++) {
		struct apv_regs r;
		struct apv_result res;

		if (sent < NREQ) {
			unsigned k = j->id * NREQ + sent;

			memcpy(t->mem + (msg - T_BASE), sh->req[k].req, sh->req[k].req_len);
			memset(&r, 0, sizeof(r));
			r.gr[0] = T_APQN | APV_GR0_NQAP_LAST;
			apv_psmid_to_pair(&r, 4, k);
			r.gr[2] = msg;
			r.gr[3] = sh->req[k].req_len;
			res = apv_hw_nqap(t->hw, &r, 4, 2, &t->st);
			if (res.kind == APV_RES_DONE && res.cc == 0)
				sent++;
		}
		memset(&r, 0, sizeof(r));
		r.gr[0] = T_APQN | APV_GR0_DQAP_FIRST;
		r.gr[4] = out;
		r.gr[5] = 4096;
		res = apv_hw_dqap(t->hw, &r, 6, 4, &t->st);
		if (res.kind == APV_RES_DONE && res.cc == 0) {
			uint64_t psmid = apv_psmid_from_pair(&r, 6);

			if (psmid >= NTHR * NREQ) {
				atomic_fetch_add(&sh->unknown, 1);
			} else {
				if (rsa_check(&sh->req[psmid], t->mem + (out - T_BASE), 4096 - r.gr[5]))
					atomic_fetch_add(&sh->wrong[psmid], 1);
				atomic_fetch_add(&sh->answered[psmid], 1);
				atomic_fetch_add(&sh->total, 1);
			}
		}
		if (atomic_load(&sh->total) == NTHR * NREQ && sent == NREQ)
			return NULL;
		if (res.cc != 0)
			nap(t);
	}
	atomic_fetch_add(&sh->timeouts, 1);
	return NULL;
}

TEST(workers_answer_every_request_from_two_threads_exactly_once)
{
	static struct shared sh;
	struct apv_hw_config cfg = real_cfg();
	struct hwt t;
	struct job jobs[NTHR];
	pthread_t th[NTHR];
	struct apv_hw_queue_stats st;

	memset(&sh, 0, sizeof(sh));
	for (unsigned i = 0; i < NTHR * NREQ; i++) {
		if (i % 3 == 2)
			rsa_crt(&sh.req[i], 128, i);
		else
			rsa_me(&sh.req[i], i % 2 ? 256 : 128, i);
	}
	hwt_init(&t, &cfg, true);
	CHECK(!apv_clock_is_virtual(apv_hw_clock(t.hw)));
	sh.t = &t;
	for (unsigned i = 0; i < NTHR; i++) {
		jobs[i] = (struct job){.sh = &sh, .id = i};
		REQUIRE(pthread_create(&th[i], NULL, client, &jobs[i]) == 0);
	}
	for (unsigned i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(atomic_load(&sh.timeouts), 0);
	CHECK_EQ(atomic_load(&sh.unknown), 0);
	CHECK_EQ(atomic_load(&sh.total), NTHR * NREQ);
	for (unsigned i = 0; i < NTHR * NREQ; i++) {
		CHECK_EQ(atomic_load(&sh.answered[i]), 1);
		CHECK_EQ(atomic_load(&sh.wrong[i]), 0);
	}
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.requests, NTHR * NREQ);
	CHECK_EQ(st.replies_done, NTHR * NREQ);
	CHECK_EQ(st.queued, 0);
	CHECK(apv_apqsw_decode(st.apqsw).e);
	hwt_fini(&t);
}

TEST(real_mode_replies_raise_interrupts_and_set_the_nib)
{
	struct apv_hw_config cfg = real_cfg();
	struct hwt t;
	struct apv_aqic_ctrl c = {.ir = true, .isc = 6};
	struct rsa_req q;
	struct apv_regs r;
	int spin;

	hwt_init(&t, &cfg, true);
	REQUIRE(hwt_rc(apv_hw_aqic(t.hw, T_APQN, c, T_NIB, &t.st)) == 0);
	for (spin = 0; spin < SPIN_LIMIT && !apv_apqsw_decode(hwt_tapq(&t, T_APQN)).i; spin++)
		nap(&t);
	REQUIRE(apv_apqsw_decode(hwt_tapq(&t, T_APQN)).i);
	rsa_me(&q, 128, 1);
	for (uint64_t i = 0; i < 4; i++)
		REQUIRE(hwt_nqap(&t, &r, T_APQN, i, q.req, q.req_len).cc == 0);
	for (spin = 0; spin < SPIN_LIMIT && hwt_nirq(&t) < 4; spin++)
		nap(&t);
	CHECK_EQ(hwt_nirq(&t), 4);
	CHECK(t.mem[T_NIB - T_BASE] != 0);
	for (int i = 0; i < 4; i++) {
		REQUIRE(hwt_dqap(&t, &r, T_APQN, 4096).cc == 0);
		CHECK_EQ(rsa_check(&q, t.mem + (T_BUF - T_BASE), 4096 - r.gr[5]), 0);
	}
	pthread_mutex_lock(&t.irq_lock);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(t.irqs[i].apqn, T_APQN);
		CHECK_EQ(t.irqs[i].isc, 6);
	}
	pthread_mutex_unlock(&t.irq_lock);
	hwt_fini(&t);
}

TEST(a_reset_while_workers_compute_drops_their_results)
{
	struct apv_hw_config cfg = real_cfg();
	struct hwt t;
	struct rsa_req q;
	struct apv_regs r;
	struct apv_hw_queue_stats st;
	int spin;

	hwt_init(&t, &cfg, true);
	rsa_crt(&q, 512, 1); /* slow enough to be caught in flight */
	for (uint64_t i = 0; i < 8; i++)
		REQUIRE(hwt_nqap(&t, &r, T_APQN, i, q.req, q.req_len).cc == 0);
	REQUIRE(hwt_rc(apv_hw_zapq(t.hw, T_APQN)) == 0);
	REQUIRE(apv_hw_queue_stats(t.hw, T_APQN, &st) == 0);
	CHECK_EQ(st.discarded, 8);
	for (spin = 0; spin < SPIN_LIMIT && hwt_rc(hwt_tapq(&t, T_APQN)) != 0; spin++)
		nap(&t);
	/* give any computation that was running time to finish and be dropped */
	for (int i = 0; i < 20; i++)
		nap(&t);
	struct apv_apqsw s = apv_apqsw_decode(hwt_tapq(&t, T_APQN));
	CHECK_EQ(s.rc, 0);
	CHECK(s.e);
	CHECK(!s.r);
	CHECK_EQ(hwt_dqap(&t, &r, T_APQN, 4096).cc, 3);
	/* the queue works normally afterwards */
	rsa_me(&q, 128, 2);
	REQUIRE(hwt_nqap(&t, &r, T_APQN, 42, q.req, q.req_len).cc == 0);
	struct apv_result res = {0};
	for (spin = 0; spin < SPIN_LIMIT; spin++) {
		res = hwt_dqap(&t, &r, T_APQN, 4096);
		if (res.cc == 0)
			break;
		nap(&t);
	}
	REQUIRE(res.cc == 0);
	CHECK_U64(apv_psmid_from_pair(&r, 6), 42);
	CHECK_EQ(rsa_check(&q, t.mem + (T_BUF - T_BASE), 4096 - r.gr[5]), 0);
	hwt_fini(&t);
}

struct churn {
	struct hwt *t;
	atomic_int stop;
	atomic_int bad;
};

static void *config_churn(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < 200 && !atomic_load(&c->stop); i++) {
		apv_hw_configure_adapter(c->t->hw, T_APID, i % 2);
		apv_hw_configure_domain(c->t->hw, T_APQI, i % 3 != 0);
	}
	apv_hw_configure_adapter(c->t->hw, T_APID, true);
	apv_hw_configure_domain(c->t->hw, T_APQI, true);
	return NULL;
}

static void *instr_churn(void *arg)
{
	struct churn *c = arg;
	struct apv_aqic_ctrl ctl = {.ir = true, .isc = 6};
	struct rsa_req q;

	rsa_me(&q, 64, 3);
	for (int i = 0; i < 400; i++) {
		struct apv_regs r;
		uint8_t rc = hwt_rc(hwt_tapq(c->t, T_APQN));

		if (rc != 0 && rc != APV_RC_Q_NOT_AVAIL && rc != APV_RC_DECONFIGURED)
			atomic_fetch_add(&c->bad, 1);
		apv_hw_aqic(c->t->hw, T_APQN, ctl, T_NIB, &c->t->st);
		hwt_nqap(c->t, &r, T_APQN, (uint64_t)i, q.req, q.req_len);
		hwt_dqap(c->t, &r, T_APQN, 4096);
	}
	return NULL;
}

TEST(configuration_changes_race_safely_with_instructions)
{
	struct apv_hw_config cfg = real_cfg();
	struct hwt t;
	struct churn c = {0};
	pthread_t a, b;

	cfg.reset_ns = 0;
	hwt_init(&t, &cfg, true);
	c.t = &t;
	REQUIRE(pthread_create(&a, NULL, config_churn, &c) == 0);
	REQUIRE(pthread_create(&b, NULL, instr_churn, &c) == 0);
	pthread_join(b, NULL);
	atomic_store(&c.stop, 1);
	pthread_join(a, NULL);
	CHECK_EQ(atomic_load(&c.bad), 0);
	CHECK_EQ(hwt_rc(hwt_tapq(&t, T_APQN)), 0);
	hwt_fini(&t);
}

TEST_MAIN
