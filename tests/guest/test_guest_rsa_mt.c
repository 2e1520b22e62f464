/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest driver on a real clock with two submitting threads: replies
 * computed by the hardware's worker threads, the adapter interruption
 * taken on a worker thread and handed to whichever driver thread waits.
 * Every result is checked against OpenSSL; no timing is asserted.
 */
#include <errno.h>
#include <pthread.h>

#include "guest_fixture.h"
#include "testlib.h"

enum { PER_THREAD = 24 };

static void *submitter(void *arg)
{
	struct gworker *w = arg;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];

	for (unsigned i = 0; i < PER_THREAD; i++) {
		rsa_test_msg(msg, k->L, w->id * 1000 + i);
		if (i % 2) {
			struct apv_ica_rsa_modexpo_crt c = rsa_ica_crt(k, msg, out);

			if (apv_guest_rsa_crt(w->g, &c)) {
				w->failures++;
				continue;
			}
			if (!rsa_ref_modexp(msg, k->d, k->n, k->L, ref) || memcmp(out, ref, k->L))
				w->wrong++;
		} else {
			struct apv_ica_rsa_modexpo m = rsa_ica_me(k, msg, k->e, out);

			if (apv_guest_rsa_me(w->g, &m)) {
				w->failures++;
				continue;
			}
			if (!rsa_ref_modexp(msg, k->e, k->n, k->L, ref) || memcmp(out, ref, k->L))
				w->wrong++;
		}
	}
	return NULL;
}

static void run_two_threads(bool aqic)
{
	struct gfix f;
	struct apv_hw_config c;
	struct apv_guest_info gi;
	struct apv_guest_stats st;
	static const unsigned ap[] = {3, 5}, dom[] = {6};

	REQUIRE(gkey_get(1024));
	apv_hw_config_default(&c);
	c.aqic = aqic;
	c.workers = 2;
	REQUIRE(gfix_hw(&f, true, &c, NULL, ap, 2, dom, 1));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	apv_guest_info(f.g, &gi);
	CHECK_EQ(gi.irq, aqic);
	CHECK_EQ(gi.online, 2);
	gfix_two_submitters(f.g, submitter);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.requests, 2 * PER_THREAD);
	CHECK_EQ(st.replies, 2 * PER_THREAD);
	CHECK_EQ(st.failed, 0);
	if (aqic) {
		CHECK(st.interrupts > 0);
		CHECK(st.nib_set > 0);
	} else {
		CHECK_EQ(st.interrupts, 0);
		CHECK(st.polls > 0);
	}
	CHECK_EQ(apv_guest_remove(f.g), 0);
	gfix_free(&f);
}

TEST(two_threads_on_a_real_clock_with_interrupts_get_correct_results)
{
	run_two_threads(true);
}

TEST(two_threads_on_a_real_clock_polling_get_correct_results)
{
	run_two_threads(false);
}

/* Async submissions from two threads, one wait for everything from a third. */
struct async_worker {
	struct apv_guest *g;
	struct apv_guest_req r[8];
	uint8_t msg[8][512], out[8][512];
	int rc;
};

static void *async_submitter(void *arg)
{
	struct async_worker *w = arg;
	const struct rsa_ica_key *k = gkey_get(1024);

	for (unsigned i = 0; i < 8; i++) {
		struct apv_ica_rsa_modexpo m;

		rsa_test_msg(w->msg[i], k->L, 500 + i);
		m = rsa_ica_me(k, w->msg[i], k->e, w->out[i]);
		if (apv_guest_submit_me(w->g, &w->r[i], &m, APV_GUEST_ANY_QUEUE))
			w->rc = -1;
	}
	return NULL;
}

TEST(async_submitters_and_a_separate_waiter_see_every_request_complete)
{
	struct gfix f;
	struct apv_hw_config c;
	static struct async_worker w[2];
	pthread_t t[2];
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t ref[512];
	static const unsigned ap[] = {3}, dom[] = {6, 9};

	REQUIRE(k);
	apv_hw_config_default(&c);
	c.workers = 2;
	REQUIRE(gfix_hw(&f, true, &c, NULL, ap, 1, dom, 2));
	REQUIRE(gfix_guest(&f, NULL) == 0);
	for (unsigned i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].g = f.g;
		REQUIRE(pthread_create(&t[i], NULL, async_submitter, &w[i]) == 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(apv_guest_wait(f.g, NULL, 60 * APV_NSEC_PER_SEC), 0);
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(w[i].rc, 0);
		for (unsigned j = 0; j < 8; j++) {
			CHECK(apv_guest_req_done(f.g, &w[i].r[j]));
			CHECK_EQ(w[i].r[j].result, 0);
			REQUIRE(rsa_ref_modexp(w[i].msg[j], k->e, k->n, k->L, ref));
			CHECK_MEM(w[i].out[j], ref, k->L);
		}
	}
	gfix_free(&f);
}

TEST_MAIN
