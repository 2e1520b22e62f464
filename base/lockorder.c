/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lock-order checking. The stack's deadlock freedom rests on one ranking
 * of every lock class of the library (enum apv_lock_class, outermost
 * first): a thread only takes a class ranked above every class it holds.
 * Two rules sit on top of the ranking. A leaf class is taken with nothing
 * nested in it, whatever the rank says, so a lock that protects a few
 * fields cannot grow a dependency unnoticed. And under the PQAP hook rw
 * lock only mdevs_lock and what ranks below it may be taken: KVM holds
 * the vCPU mutex around the handler, and guests_lock, kvm->lock or the
 * bus lock would nest the wrong way with paths that take vCPU mutexes
 * under kvm->lock (PV conversion) - invariant 8.
 *
 * Each thread records the classes it holds in a thread-local bit set. The
 * check costs a few instructions and no lock, so debug builds can keep it
 * on the hot paths.
 */
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>

#include "apvirt/base.h"

struct lock_class_info {
	const char *name;
	bool leaf;
};

static const struct lock_class_info classes[APV_LOCK_CLASSES] = {
    [APV_LOCK_GUEST] = {"guest_lock", false},
    [APV_LOCK_MDEV_OPEN] = {"open_lock", false},
    [APV_LOCK_HOOK] = {"pqap_hook_lock", false},
    [APV_LOCK_BUS] = {"bus_lock", false},
    [APV_LOCK_GUESTS] = {"guests_lock", false},
    [APV_LOCK_VM] = {"vm_lock", false},
    [APV_LOCK_MDEVS] = {"mdevs_lock", false},
    [APV_LOCK_SIE] = {"sie_lock", false},
    [APV_LOCK_HW_CONFIG] = {"hw_config_lock", false},
    [APV_LOCK_HW_VENGINE] = {"hw_vengine_lock", false},
    [APV_LOCK_HW_QUEUE] = {"hw_queue_lock", false},
    [APV_LOCK_KVM_VMS] = {"vms_lock", false},
    [APV_LOCK_KVM_ROUTE] = {"route_lock", true},
    [APV_LOCK_VM_MEM] = {"mem_lock", true},
    [APV_LOCK_KVM_IRQ] = {"irq_lock", false},
    [APV_LOCK_KVM_GIB] = {"gib_lock", true},
    [APV_LOCK_KVM_HOST_IRQ] = {"host_irq_lock", true},
    [APV_LOCK_HW_IRQ_FN] = {"hw_irq_fn_lock", true},
    [APV_LOCK_HW_ENGINE] = {"hw_engine_lock", true},
    [APV_LOCK_GUEST_MEM] = {"guest_mem_lock", true},
    [APV_LOCK_GUEST_AIRQ] = {"guest_airq_lock", true},
    [APV_LOCK_GUEST_WAIT] = {"guest_wait_lock", true},
    [APV_LOCK_LOG] = {"log_lock", false},
    [APV_LOCK_CLOCK] = {"clock_lock", true},
    [APV_LOCK_VM_PV] = {"pv_lock", true},
    [APV_LOCK_HW_CPACF] = {"hw_cpacf_lock", true},
};

_Static_assert(APV_LOCK_CLASSES <= 32, "held classes are a 32-bit set");

const char *apv_lock_class_name(enum apv_lock_class c)
{
	return (unsigned)c < APV_LOCK_CLASSES ? classes[c].name : NULL;
}

bool apv_lock_class_leaf(enum apv_lock_class c)
{
	return (unsigned)c < APV_LOCK_CLASSES && classes[c].leaf;
}

#ifdef APV_DEBUG_LOCKS

static const char *lock_name(enum apv_lock_class c)
{
	const char *n = apv_lock_class_name(c);

	return n ? n : "invalid-lock-class";
}

static _Thread_local uint32_t held_mask;

static void lockorder_die(const char *what, enum apv_lock_class c, const char *rule,
			  enum apv_lock_class held)
{
	fprintf(stderr, "apvirt: lock order violation: %s %s while holding %s%s\n", what,
		lock_name(c), rule, lock_name(held));
	/* The taker's call chain: the report names the path to fix, not just the pair. */
	void *frames[32];
	int n = backtrace(frames, 32);

	backtrace_symbols_fd(frames, n, 2);
	fflush(stderr);
	abort();
}

void apv_lockorder_acquire(enum apv_lock_class c)
{
	/* Not a class: nothing to order (the API contract: out of range is ignored). */
	if ((unsigned)c >= APV_LOCK_CLASSES)
		return;
	for (unsigned h = 0; h < APV_LOCK_CLASSES; h++) {
		if ((held_mask & (1u << h)) && classes[h].leaf)
			lockorder_die("taking", c, "the leaf ", (enum apv_lock_class)h);
	}
	if ((held_mask & (1u << APV_LOCK_HOOK)) && c < APV_LOCK_MDEVS)
		lockorder_die("taking", c, "", APV_LOCK_HOOK);
	/* The highest held class is the one an out-of-order take conflicts with. */
	for (int h = APV_LOCK_CLASSES - 1; h >= 0; h--) {
		if (!(held_mask & (1u << h)))
			continue;
		if ((int)c <= h)
			lockorder_die("taking", c, "", (enum apv_lock_class)h);
		break;
	}
	held_mask |= 1u << c;
}

void apv_lockorder_release(enum apv_lock_class c)
{
	if ((unsigned)c >= APV_LOCK_CLASSES)
		return;
	if (!(held_mask & (1u << c))) {
		fprintf(stderr,
			"apvirt: lock order: releasing %s, which this thread does not hold\n",
			lock_name(c));
		fflush(stderr);
		abort();
	}
	held_mask &= ~(1u << c);
}

bool apv_lockorder_held(enum apv_lock_class c)
{
	return (unsigned)c < APV_LOCK_CLASSES && (held_mask & (1u << c));
}

#else

void apv_lockorder_acquire(enum apv_lock_class c)
{
	(void)c;
}

void apv_lockorder_release(enum apv_lock_class c)
{
	(void)c;
}

bool apv_lockorder_held(enum apv_lock_class c)
{
	/* Not tracked: every class counts as held, so assertions built on it hold. */
	return (unsigned)c < APV_LOCK_CLASSES;
}

#endif

void apv_mutex_init(struct apv_mutex *m, enum apv_lock_class cls)
{
	if (!m)
		return;
	pthread_mutex_init(&m->m, NULL);
	m->cls = cls;
}

void apv_mutex_destroy(struct apv_mutex *m)
{
	if (m)
		pthread_mutex_destroy(&m->m);
}

void apv_mutex_lock(struct apv_mutex *m)
{
	/* Check before blocking: a violation is reported even when it does not deadlock this time.
	 */
	if (!m)
		return;
	apv_lockorder_acquire(m->cls);
	pthread_mutex_lock(&m->m);
}

void apv_mutex_unlock(struct apv_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_unlock(&m->m);
	apv_lockorder_release(m->cls);
}

void apv_cond_wait(pthread_cond_t *cv, struct apv_mutex *m)
{
	if (cv && m)
		pthread_cond_wait(cv, &m->m);
}

int apv_cond_timedwait(pthread_cond_t *cv, struct apv_mutex *m, const struct timespec *abstime)
{
	if (!cv || !m || !abstime)
		return -EINVAL;
	return pthread_cond_timedwait(cv, &m->m, abstime) == ETIMEDOUT ? ETIMEDOUT : 0;
}

_Static_assert(sizeof(pthread_rwlock_t) <= sizeof(((struct apv_rwlock *)0)->storage),
	       "pthread_rwlock_t fits the storage of struct apv_rwlock");
_Static_assert(_Alignof(pthread_rwlock_t) <= _Alignof(long long),
	       "struct apv_rwlock's storage is aligned for a pthread_rwlock_t");

static pthread_rwlock_t *rw(struct apv_rwlock *l)
{
	return (pthread_rwlock_t *)(void *)l->storage.bytes;
}

void apv_rwlock_init(struct apv_rwlock *l, enum apv_lock_class cls)
{
	pthread_rwlockattr_t a;

	if (!l)
		return;
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(rw(l), &a);
	pthread_rwlockattr_destroy(&a);
	l->cls = cls;
}

void apv_rwlock_destroy(struct apv_rwlock *l)
{
	if (l)
		pthread_rwlock_destroy(rw(l));
}

void apv_rwlock_rdlock(struct apv_rwlock *l)
{
	if (!l)
		return;
	apv_lockorder_acquire(l->cls);
	pthread_rwlock_rdlock(rw(l));
}

void apv_rwlock_wrlock(struct apv_rwlock *l)
{
	if (!l)
		return;
	apv_lockorder_acquire(l->cls);
	pthread_rwlock_wrlock(rw(l));
}

void apv_rwlock_unlock(struct apv_rwlock *l)
{
	if (!l)
		return;
	pthread_rwlock_unlock(rw(l));
	apv_lockorder_release(l->cls);
}
