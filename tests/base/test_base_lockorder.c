/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lock-order checker over every lock class of the library. The
 * nestings below are the ones the stack's paths take (docs/locking.md,
 * "Paths and the locks they take"): each is allowed in its order and
 * aborts, naming both locks, in the reverse order. Every leaf class
 * aborts when anything at all is taken under it, even a class ranked
 * after it, and under the PQAP hook lock only mdevs_lock and what ranks
 * after it may be taken. Each violation runs in a child process.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apvirt/base.h"
#include "common/child.h"
#include "testlib.h"

#ifdef APV_DEBUG_LOCKS

struct pair {
	enum apv_lock_class outer, inner;
};

static void take_pair(void *arg)
{
	const struct pair *p = arg;

	apv_lockorder_acquire(p->outer);
	apv_lockorder_acquire(p->inner);
}

/* Run "hold a, then take b" in a child; true if it aborted. Its stderr goes to msg. */
static bool take_dies(enum apv_lock_class a, enum apv_lock_class b, char *msg, size_t len)
{
	struct pair p = {a, b};

	return child_aborts(take_pair, &p, msg, len);
}

/* "taking <b> while holding <a>" (or "... holding the leaf <a>") is in msg. */
static bool names_both(const char *msg, enum apv_lock_class a, enum apv_lock_class b, bool leaf)
{
	char want[160];

	snprintf(want, sizeof(want), "taking %s while holding %s%s", apv_lock_class_name(b),
		 leaf ? "the leaf " : "", apv_lock_class_name(a));
	return strstr(msg, want) != NULL;
}

/* Taken in this order by the stack's paths. */
static const struct pair nestings[] = {
    {APV_LOCK_GUEST, APV_LOCK_HOOK},	      /* guest PQAP(AQIC) -> intercept */
    {APV_LOCK_GUEST, APV_LOCK_SIE},	      /* guest NQAP/DQAP -> interpretation */
    {APV_LOCK_GUEST, APV_LOCK_HW_QUEUE},      /* guest on the bare hardware */
    {APV_LOCK_GUEST, APV_LOCK_GUEST_MEM},     /* its storage */
    {APV_LOCK_MDEV_OPEN, APV_LOCK_HOOK},      /* attach/detach: publish or clear the hook */
    {APV_LOCK_MDEV_OPEN, APV_LOCK_GUESTS},    /* attach/detach: program the APCB */
    {APV_LOCK_HOOK, APV_LOCK_MDEVS},	      /* the PQAP handler */
    {APV_LOCK_BUS, APV_LOCK_GUESTS},	      /* assign, masks, rescan */
    {APV_LOCK_GUESTS, APV_LOCK_VM},	      /* plug/unplug */
    {APV_LOCK_GUESTS, APV_LOCK_MDEVS},	      /* create, remove, checks */
    {APV_LOCK_VM, APV_LOCK_MDEVS},	      /* plug/unplug */
    {APV_LOCK_VM, APV_LOCK_SIE},	      /* apv_vm_set_masks */
    {APV_LOCK_MDEVS, APV_LOCK_SIE},	      /* shadow APCB into the CRYCB */
    {APV_LOCK_MDEVS, APV_LOCK_HW_QUEUE},      /* AQIC, TAPQ, resets from vfio_ap */
    {APV_LOCK_MDEVS, APV_LOCK_HW_VENGINE},    /* a reset wait runs due events */
    {APV_LOCK_MDEVS, APV_LOCK_KVM_IRQ},	      /* guest ISC registration */
    {APV_LOCK_SIE, APV_LOCK_HW_QUEUE},	      /* interpreted NQAP/DQAP/TAPQ */
    {APV_LOCK_HW_CONFIG, APV_LOCK_HW_QUEUE},  /* configuration change mirrored per queue */
    {APV_LOCK_HW_VENGINE, APV_LOCK_HW_QUEUE}, /* virtual clock: a request completes */
    {APV_LOCK_HW_QUEUE, APV_LOCK_KVM_VMS},    /* NIB store through host storage */
    {APV_LOCK_HW_QUEUE, APV_LOCK_HW_ENGINE},  /* real clock: a request to the workers */
    {APV_LOCK_HW_QUEUE, APV_LOCK_GUEST_MEM},  /* NIB store into the bare platform's memory */
    {APV_LOCK_HW_QUEUE, APV_LOCK_CLOCK},      /* reset / I-bit / reply timers */
    {APV_LOCK_KVM_VMS, APV_LOCK_KVM_IRQ},     /* apv_kvm_check over the GISAs */
};

TEST(lockorder_every_class_has_a_name_and_names_are_unique)
{
	for (int a = 0; a < APV_LOCK_CLASSES; a++) {
		REQUIRE(apv_lock_class_name((enum apv_lock_class)a) != NULL);
		for (int b = 0; b < a; b++)
			CHECK(strcmp(apv_lock_class_name((enum apv_lock_class)a),
				     apv_lock_class_name((enum apv_lock_class)b)) != 0);
	}
	CHECK(apv_lock_class_name(APV_LOCK_CLASSES) == NULL);
	CHECK(!apv_lock_class_leaf(APV_LOCK_CLASSES));
}

TEST(lockorder_stack_nestings_allowed_in_order)
{
	for (size_t i = 0; i < sizeof(nestings) / sizeof(nestings[0]); i++) {
		const struct pair *p = &nestings[i];

		apv_lockorder_acquire(p->outer);
		apv_lockorder_acquire(p->inner);
		CHECK(apv_lockorder_held(p->outer) && apv_lockorder_held(p->inner));
		apv_lockorder_release(p->inner);
		apv_lockorder_release(p->outer);
		CHECK(!apv_lockorder_held(p->outer) && !apv_lockorder_held(p->inner));
	}
}

TEST(lockorder_stack_nestings_reversed_abort_naming_both)
{
	char msg[512];

	for (size_t i = 0; i < sizeof(nestings) / sizeof(nestings[0]); i++) {
		const struct pair *p = &nestings[i];
		bool leaf = apv_lock_class_leaf(p->inner);

		if (!take_dies(p->inner, p->outer, msg, sizeof(msg)) ||
		    !names_both(msg, p->inner, p->outer, leaf))
			APV_TEST_FAIL("holding %s, taking %s did not abort as expected: %.200s",
				      apv_lock_class_name(p->inner), apv_lock_class_name(p->outer),
				      msg);
	}
}

TEST(lockorder_same_class_twice_aborts)
{
	char msg[512];

	for (int c = 0; c < APV_LOCK_CLASSES; c++) {
		enum apv_lock_class k = (enum apv_lock_class)c;

		if (!take_dies(k, k, msg, sizeof(msg)) ||
		    !names_both(msg, k, k, apv_lock_class_leaf(k)))
			APV_TEST_FAIL("%s under itself did not abort: %.200s",
				      apv_lock_class_name(k), msg);
	}
}

/* A leaf aborts even for a class ranked after it: the rank alone would allow that. */
TEST(lockorder_anything_under_a_leaf_aborts)
{
	char msg[512];
	unsigned leaves = 0;

	for (int c = 0; c < APV_LOCK_CLASSES; c++) {
		enum apv_lock_class k = (enum apv_lock_class)c;

		if (!apv_lock_class_leaf(k))
			continue;
		leaves++;
		for (int d = c + 1; d < APV_LOCK_CLASSES; d++) {
			enum apv_lock_class after = (enum apv_lock_class)d;

			if (!take_dies(k, after, msg, sizeof(msg)) ||
			    !names_both(msg, k, after, true))
				APV_TEST_FAIL("%s under the leaf %s did not abort: %.200s",
					      apv_lock_class_name(after), apv_lock_class_name(k),
					      msg);
		}
	}
	CHECK(leaves >= 8);
	/* The leaves the stack relies on. */
	CHECK(apv_lock_class_leaf(APV_LOCK_KVM_GIB));
	CHECK(apv_lock_class_leaf(APV_LOCK_KVM_ROUTE));
	CHECK(apv_lock_class_leaf(APV_LOCK_GUEST_WAIT));
	CHECK(apv_lock_class_leaf(APV_LOCK_CLOCK));
	CHECK(apv_lock_class_leaf(APV_LOCK_HW_ENGINE));
}

TEST(lockorder_hook_allows_only_mdevs_and_below)
{
	char msg[512];
	const enum apv_lock_class forbidden[] = {APV_LOCK_BUS, APV_LOCK_GUESTS, APV_LOCK_VM};

	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (!take_dies(APV_LOCK_HOOK, forbidden[i], msg, sizeof(msg)) ||
		    !names_both(msg, APV_LOCK_HOOK, forbidden[i], false))
			APV_TEST_FAIL("%s under the hook lock did not abort: %.200s",
				      apv_lock_class_name(forbidden[i]), msg);
	for (int c = APV_LOCK_MDEVS; c < APV_LOCK_CLASSES; c++) {
		apv_lockorder_acquire(APV_LOCK_HOOK);
		apv_lockorder_acquire((enum apv_lock_class)c);
		apv_lockorder_release((enum apv_lock_class)c);
		apv_lockorder_release(APV_LOCK_HOOK);
	}
	CHECK(!apv_lockorder_held(APV_LOCK_HOOK));
}

/* The wrappers carry the class: a real rw lock and mutex taken the wrong way round. */
static void rwlock_under_mutex(void)
{
	struct apv_mutex m;
	struct apv_rwlock l;

	apv_mutex_init(&m, APV_LOCK_MDEVS);
	apv_rwlock_init(&l, APV_LOCK_HOOK);
	apv_mutex_lock(&m);
	apv_rwlock_rdlock(&l);
}

TEST(lockorder_rwlock_read_side_under_mdevs_lock_aborts)
{
	int p[2], status = 0;
	char msg[512] = {0};
	ssize_t got = 0, n;
	pid_t pid;

	REQUIRE(pipe(p) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		rwlock_under_mutex();
		_exit(0);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof(msg) - 1 &&
	       (n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
		got += n;
	for (char sink[256]; read(p[0], sink, sizeof(sink)) > 0;)
		;
	close(p[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(msg, "taking pqap_hook_lock while holding mdevs_lock") != NULL);
}

TEST(lockorder_cond_wait_keeps_the_class_held)
{
	struct apv_mutex m;
	pthread_cond_t cv;
	struct timespec ts;

	apv_mutex_init(&m, APV_LOCK_GUEST_WAIT);
	pthread_cond_init(&cv, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	apv_mutex_lock(&m);
	CHECK_EQ(apv_cond_timedwait(&cv, &m, &ts), ETIMEDOUT);
	CHECK(apv_lockorder_held(APV_LOCK_GUEST_WAIT));
	apv_mutex_unlock(&m);
	CHECK(!apv_lockorder_held(APV_LOCK_GUEST_WAIT));
	pthread_cond_destroy(&cv);
	apv_mutex_destroy(&m);
}

#else

TEST(lockorder_checks_compiled_out_held_reports_true)
{
	CHECK(apv_lockorder_held(APV_LOCK_MDEVS));
	CHECK(apv_lock_class_name(APV_LOCK_MDEVS) != NULL);
}

#endif

TEST_MAIN
