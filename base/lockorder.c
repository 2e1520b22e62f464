/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lock-order checking. The stack's deadlock freedom rests on one rule:
 * guests_lock -> VM lock -> mdevs_lock, and the PQAP hook rw lock is never
 * taken while any of them is held (the hook itself takes mdevs_lock, so a
 * holder of mdevs_lock waiting for the hook's write side would deadlock
 * with a vCPU inside the hook). Classes are numbered so that "only take a
 * class greater than every class you hold" expresses the whole rule.
 *
 * Each thread records the classes it holds in a thread-local bit set. The
 * check costs a few instructions and no lock, so debug builds can keep it
 * on the hot paths.
 */
#include <stdio.h>
#include <stdlib.h>

#include "apvirt/base.h"

static const char *const lock_names[APV_LOCK_CLASSES] = {
	[APV_LOCK_HOOK] = "pqap_hook_lock",
	[APV_LOCK_GUESTS] = "guests_lock",
	[APV_LOCK_VM] = "vm_lock",
	[APV_LOCK_MDEVS] = "mdevs_lock",
};

static const char *lock_name(enum apv_lock_class c)
{
	return (unsigned)c < APV_LOCK_CLASSES ? lock_names[c] : "invalid-lock-class";
}

#ifdef APV_DEBUG_LOCKS

static _Thread_local unsigned held_mask;

static void lockorder_die(const char *what, enum apv_lock_class c, enum apv_lock_class held)
{
	fprintf(stderr, "apvirt: lock order violation: %s %s while holding %s\n", what,
		lock_name(c), lock_name(held));
	fflush(stderr);
	abort();
}

void apv_lockorder_acquire(enum apv_lock_class c)
{
	if ((unsigned)c >= APV_LOCK_CLASSES) {
		fprintf(stderr, "apvirt: lock order: unknown lock class %d\n", (int)c);
		abort();
	}
	/*
	 * The PQAP handler runs under the hook's read side and may take
	 * mdevs_lock only: KVM holds the vCPU mutex there, and kvm->lock or
	 * guests_lock would nest the wrong way with paths that take vCPU
	 * mutexes under kvm->lock (PV conversion) - invariant 8.
	 */
	if ((held_mask & (1u << APV_LOCK_HOOK)) && (c == APV_LOCK_GUESTS || c == APV_LOCK_VM))
		lockorder_die("taking", c, APV_LOCK_HOOK);
	/* The highest held class is the one an out-of-order take conflicts with. */
	for (int h = APV_LOCK_CLASSES - 1; h >= 0; h--) {
		if (!(held_mask & (1u << h)))
			continue;
		if ((int)c <= h)
			lockorder_die("taking", c, (enum apv_lock_class)h);
		break;
	}
	held_mask |= 1u << c;
}

void apv_lockorder_release(enum apv_lock_class c)
{
	if ((unsigned)c >= APV_LOCK_CLASSES || !(held_mask & (1u << c))) {
		fprintf(stderr, "apvirt: lock order: releasing %s, which this thread does not hold\n",
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
	(void)lock_name;
	(void)c;
	return true;
}

#endif

void apv_mutex_init(struct apv_mutex *m, enum apv_lock_class cls)
{
	pthread_mutex_init(&m->m, NULL);
	m->cls = cls;
}

void apv_mutex_destroy(struct apv_mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

void apv_mutex_lock(struct apv_mutex *m)
{
	/* Check before blocking: a violation is reported even when it does not deadlock this time. */
	apv_lockorder_acquire(m->cls);
	pthread_mutex_lock(&m->m);
}

void apv_mutex_unlock(struct apv_mutex *m)
{
	pthread_mutex_unlock(&m->m);
	apv_lockorder_release(m->cls);
}
