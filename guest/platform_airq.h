/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one adapter-interruption handler a guest platform holds, shared by
 * both platforms. Interruptions arrive on other threads (hardware workers,
 * the vCPU's delivery) and may race with the driver replacing or removing
 * its handler, so a call is counted while it runs and removing the handler
 * waits until no call is left: after that, the driver may free what the
 * handler's argument points to.
 */
#ifndef APV_GUEST_PLATFORM_AIRQ_H
#define APV_GUEST_PLATFORM_AIRQ_H

#include <pthread.h>

#include "apvirt/base.h"
#include "apvirt/guest.h"

struct plat_airq {
	struct apv_mutex mu;
	pthread_cond_t cv;
	apv_guest_airq_fn fn;
	void *arg;
	unsigned isc;
	unsigned inflight;
};

static inline void plat_airq_init(struct plat_airq *a)
{
	apv_mutex_init(&a->mu, APV_LOCK_GUEST_AIRQ);
	pthread_cond_init(&a->cv, NULL);
}

static inline void plat_airq_destroy(struct plat_airq *a)
{
	pthread_cond_destroy(&a->cv);
	apv_mutex_destroy(&a->mu);
}

/* Install fn for isc; fn NULL removes the handler and returns once no call is running. */
static inline void plat_airq_set(struct plat_airq *a, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	apv_mutex_lock(&a->mu);
	a->fn = fn;
	a->arg = arg;
	a->isc = isc;
	while (!fn && a->inflight)
		apv_cond_wait(&a->cv, &a->mu);
	apv_mutex_unlock(&a->mu);
}

/* An interruption for isc: call the handler (outside the lock) if it is for that ISC. */
static inline void plat_airq_deliver(struct plat_airq *a, unsigned isc)
{
	apv_guest_airq_fn fn = NULL;
	void *arg = NULL;

	apv_mutex_lock(&a->mu);
	if (a->fn && isc == a->isc) {
		fn = a->fn;
		arg = a->arg;
		a->inflight++;
	}
	apv_mutex_unlock(&a->mu);
	if (!fn)
		return;
	fn(arg);
	apv_mutex_lock(&a->mu);
	if (--a->inflight == 0)
		pthread_cond_broadcast(&a->cv);
	apv_mutex_unlock(&a->mu);
}

#endif
