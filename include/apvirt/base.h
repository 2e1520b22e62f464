/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — shared services below every layer: the clock, lock-order
 * checking and resource accounting.
 */
#ifndef APVIRT_BASE_H
#define APVIRT_BASE_H

#include <apvirt/clock.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- lock order ----------------------------------------------------------
 *
 * guests_lock -> VM lock -> mdevs_lock. The PQAP hook rw lock is never
 * taken while any of them is held, and under it only mdevs_lock may be
 * taken (the hook handler's rule). With APV_DEBUG_LOCKS each thread keeps
 * the classes it holds and a violation aborts with both lock names.
 */
enum apv_lock_class {
	APV_LOCK_HOOK = 0,   /* PQAP hook rw lock: nothing of the below may be held */
	APV_LOCK_GUESTS = 1, /* matrix device guests_lock */
	APV_LOCK_VM = 2,     /* kvm->lock */
	APV_LOCK_MDEVS = 3,  /* matrix device mdevs_lock */
	APV_LOCK_CLASSES
};

/* Record that the calling thread is about to take / has dropped a lock. */
void apv_lockorder_acquire(enum apv_lock_class c);
void apv_lockorder_release(enum apv_lock_class c);
/* True if the calling thread holds a lock of class c (debug builds; else true). */
bool apv_lockorder_held(enum apv_lock_class c);

struct apv_mutex {
	pthread_mutex_t m;
	enum apv_lock_class cls;
};
void apv_mutex_init(struct apv_mutex *m, enum apv_lock_class cls);
void apv_mutex_destroy(struct apv_mutex *m);
void apv_mutex_lock(struct apv_mutex *m);
void apv_mutex_unlock(struct apv_mutex *m);

/* ---- accounting ----------------------------------------------------------
 *
 * Every pin, ISC registration, VM reference and hook call is counted here,
 * in one place. Counters only grow; a balance is the difference.
 */
struct apv_account {
	atomic_long pins, unpins;             /* NIB page pins */
	atomic_long isc_regs, isc_unregs;     /* GISA guest-ISC registrations */
	atomic_long vm_gets, vm_puts;         /* VM references taken by mdevs */
	atomic_long hook_sets, hook_clears;   /* PQAP hook publications */
	atomic_long hook_calls, hook_returns; /* calls into the hook */
	atomic_long requests, replies, discarded; /* AP requests through the stack */
};

struct apv_balance {
	long pins;       /* pinned NIB pages still held */
	long isc_regs;   /* guest ISC registrations still held */
	long vm_refs;    /* VM references still held by mdevs */
	long hooks;      /* hooks still published */
	long hook_calls; /* hook calls in flight */
};

void apv_account_init(struct apv_account *a);
void apv_account_balance(const struct apv_account *a, struct apv_balance *out);
bool apv_balance_zero(const struct apv_balance *b);
/* "pins=0 isc=0 vmrefs=0 hooks=0 calls=0". Returns buf. */
char *apv_balance_format(const struct apv_balance *b, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
