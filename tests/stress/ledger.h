/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stress test's ledger: every request by its id, and every condition
 * the test injected, with when it held. ledger_check() then demands, per
 * request (not only in total):
 *  - it was answered exactly once (never lost, never answered twice);
 *  - when it succeeded, its result was the right one;
 *  - when it failed, an injected condition on its mdev overlapped its
 *    life (from submission to the answer, plus a grace period for the
 *    driver's retries to run out): a fault on one of its queues, a
 *    detach, reset or removal of its mdev, an unassignment, the host
 *    losing an adapter;
 * and that requests ran and succeeded on every mdev.
 * Threads record into it under its own mutex; it is checked once they
 * have stopped. test_stress_ledger plants a double answer, a lost
 * request, a wrong result and an unexplained failure to show that the
 * check catches each.
 */
#ifndef APV_STRESS_LEDGER_H
#define APV_STRESS_LEDGER_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEDGER_MDEVS 8
#define LEDGER_OPEN UINT64_MAX
/* A failure may be reported this long after the condition that caused it ended. */
#define LEDGER_GRACE_NS (250u * 1000u * 1000u)

struct ledger_req {
	unsigned mdev;
	uint64_t submitted, answered;
	unsigned answers;
	int result;
	bool correct;
};

struct ledger_cond {
	unsigned mdev;
	uint64_t from, to; /* LEDGER_OPEN while it holds */
	const char *what;
};

struct ledger {
	pthread_mutex_t lock;
	struct ledger_req *r;
	size_t nr, capr;
	struct ledger_cond *c;
	size_t nc, capc;
	unsigned nmdevs;
	bool oom;
	uint64_t answered_ok[LEDGER_MDEVS]; /* right answers so far, per mdev (live) */
};

static inline void ledger_init(struct ledger *l, unsigned nmdevs)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->nmdevs = nmdevs;
}

static inline void ledger_fini(struct ledger *l)
{
	free(l->r);
	free(l->c);
	pthread_mutex_destroy(&l->lock);
}

static inline bool ledger_grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;

	if (n < *cap)
		return true;
	q = realloc(*p, (*cap ? *cap * 2 : 256) * size);
	if (!q)
		return false;
	*p = q;
	*cap = *cap ? *cap * 2 : 256;
	return true;
}

/* A request accepted on mdev at time now: its id. */
static inline size_t ledger_submit(struct ledger *l, unsigned mdev, uint64_t now)
{
	size_t id;

	pthread_mutex_lock(&l->lock);
	id = l->nr;
	if (!ledger_grow((void **)&l->r, &l->capr, l->nr, sizeof(*l->r))) {
		l->oom = true;
		pthread_mutex_unlock(&l->lock);
		return SIZE_MAX;
	}
	l->r[l->nr++] = (struct ledger_req){.mdev = mdev, .submitted = now};
	pthread_mutex_unlock(&l->lock);
	return id;
}

/* An answer to request id: its result and, if it succeeded, whether the output was right. */
static inline void ledger_answer(struct ledger *l, size_t id, int result, bool correct,
				 uint64_t now)
{
	pthread_mutex_lock(&l->lock);
	if (id < l->nr) {
		struct ledger_req *r = &l->r[id];

		r->answers++;
		r->answered = now;
		r->result = result;
		r->correct = correct;
		if (result == 0 && correct && r->mdev < LEDGER_MDEVS)
			l->answered_ok[r->mdev]++;
	}
	pthread_mutex_unlock(&l->lock);
}

/* Right answers on mdev so far (while the run goes on). */
static inline uint64_t ledger_ok_so_far(struct ledger *l, unsigned mdev)
{
	uint64_t n = 0;

	pthread_mutex_lock(&l->lock);
	if (mdev < LEDGER_MDEVS)
		n = l->answered_ok[mdev];
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* An injected condition on mdev starts now; returns its handle for ledger_cond_end(). */
static inline size_t ledger_cond_begin(struct ledger *l, unsigned mdev, const char *what,
				       uint64_t now)
{
	size_t h;

	pthread_mutex_lock(&l->lock);
	h = l->nc;
	if (!ledger_grow((void **)&l->c, &l->capc, l->nc, sizeof(*l->c))) {
		l->oom = true;
		pthread_mutex_unlock(&l->lock);
		return SIZE_MAX;
	}
	l->c[l->nc++] = (struct ledger_cond){.mdev = mdev, .from = now, .to = LEDGER_OPEN,
					     .what = what};
	pthread_mutex_unlock(&l->lock);
	return h;
}

static inline void ledger_cond_end(struct ledger *l, size_t h, uint64_t now)
{
	pthread_mutex_lock(&l->lock);
	if (h < l->nc)
		l->c[h].to = now;
	pthread_mutex_unlock(&l->lock);
}

static inline bool ledger_explained(const struct ledger *l, const struct ledger_req *r)
{
	for (size_t i = 0; i < l->nc; i++) {
		const struct ledger_cond *c = &l->c[i];
		uint64_t end = c->to == LEDGER_OPEN ? LEDGER_OPEN : c->to + LEDGER_GRACE_NS;

		if (c->mdev == r->mdev && c->from <= r->answered && end >= r->submitted)
			return true;
	}
	return false;
}

/*
 * Number of violations (0: the ledger balances); the first `show` of them
 * are printed to stderr. ok_per_mdev (may be NULL) gets the successes per mdev.
 */
static inline unsigned ledger_check(struct ledger *l, unsigned show, uint64_t *ok_per_mdev)
{
	uint64_t ok[LEDGER_MDEVS] = {0};
	unsigned bad = 0;

#define LEDGER_BAD(...)                                                                            \
	do {                                                                                       \
		if (bad++ < show)                                                                  \
			fprintf(stderr, "  ledger: " __VA_ARGS__);                                 \
	} while (0)

	pthread_mutex_lock(&l->lock);
	if (l->oom)
		LEDGER_BAD("ran out of memory: entries are missing\n");
	for (size_t id = 0; id < l->nr; id++) {
		const struct ledger_req *r = &l->r[id];

		if (r->answers == 0)
			LEDGER_BAD("request %zu on mdev %u was never answered (lost)\n", id, r->mdev);
		else if (r->answers > 1)
			LEDGER_BAD("request %zu on mdev %u was answered %u times\n", id, r->mdev,
				   r->answers);
		else if (r->result == 0 && !r->correct)
			LEDGER_BAD("request %zu on mdev %u succeeded with a wrong result\n", id,
				   r->mdev);
		else if (r->result == 0 && r->mdev < LEDGER_MDEVS)
			ok[r->mdev]++;
		else if (r->result != 0 && r->result != -ENODEV && r->result != -EIO)
			LEDGER_BAD("request %zu on mdev %u failed with %d, not a failure an "
				   "injected condition causes\n",
				   id, r->mdev, r->result);
		else if (r->result != 0 && !ledger_explained(l, r))
			LEDGER_BAD("request %zu on mdev %u failed (%d) with no injected condition "
				   "on its mdev during its life (%.3f s to %.3f s)\n",
				   id, r->mdev, r->result, r->submitted / 1e9, r->answered / 1e9);
	}
	for (unsigned m = 0; m < l->nmdevs && m < LEDGER_MDEVS; m++) {
		if (!ok[m])
			LEDGER_BAD("no request succeeded on mdev %u\n", m);
		if (ok_per_mdev)
			ok_per_mdev[m] = ok[m];
	}
	pthread_mutex_unlock(&l->lock);
#undef LEDGER_BAD
	return bad;
}

#endif
