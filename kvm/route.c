/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interruption routes: where a queue's NIB byte goes and whose GISA its
 * interruption raises, resolved once when interrupts are enabled.
 *
 * The machine needs no search: it is given the NIB's host address and the
 * GISA's origin and reaches both directly. The model's host storage
 * (mem.c) has to find which VM a host address belongs to, and a GISA
 * designation names a VM only by its origin, so routing a reply through
 * them walks every VM under vms_lock. A route does that work at AQIC time
 * instead: vfio_ap takes one with the NIB pin, hands the hardware the
 * route's storage, and lets go of it exactly when it lets go of the pin.
 * A delivery then takes the route's own lock, checks the pin (and, for a
 * protected guest, that the page is not secure) as the host storage
 * would, stores the byte and raises the VM's GISA: it touches the queue's
 * route and its VM, nothing else, however many VMs there are.
 *
 * Lifetime. A bound route holds a reference on its VM, so the VM and its
 * memory outlive every use of the route. The hardware may keep the
 * route's storage after its owner has let go (a disable that did not take
 * because the queue stayed busy or in reset): routes are therefore never
 * freed before the kvm, and a route that was let go of (or bound again
 * for another queue or page) refuses stores to any other page and raises
 * nothing for another queue or GISA.
 */
#include <errno.h>
#include <stdlib.h>

#include "kvm_internal.h"
#include "apvirt/testing.h"

static int route_copy(struct apv_irq_route *r, uint64_t addr, uint8_t *to, const uint8_t *from,
		      size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	int rc = -EFAULT;

	apv_mutex_lock(&r->lock);
	if (r->vm && (uint64_t)a == addr && a >= (uintptr_t)r->page &&
	    a - (uintptr_t)r->page < KVM_PAGE_SIZE && len <= KVM_PAGE_SIZE - (a - (uintptr_t)r->page) &&
	    kvm_page_host_ok(r->vm, r->pins, r->flags)) {
		if (from) {
			kvm_shared_copy((uint8_t *)a, from, len);
			atomic_fetch_add_explicit(&r->stores, 1, memory_order_relaxed);
		} else {
			kvm_shared_copy(to, (const uint8_t *)a, len);
		}
		rc = 0;
	}
	apv_mutex_unlock(&r->lock);
	return rc;
}

static int route_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return route_copy(ctx, addr, buf, NULL, len);
}

static int route_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return route_copy(ctx, addr, NULL, buf, len);
}

/* A free route, or a new one when every route made so far is in use (AQIC time, not delivery). */
static struct apv_irq_route *route_take(struct apv_kvm *k)
{
	struct apv_irq_route *r;

	apv_mutex_lock(&k->vms_lock);
	r = k->routes_free;
	if (r)
		k->routes_free = r->next_free;
	apv_mutex_unlock(&k->vms_lock);
	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->kvm = k;
	r->st.read = route_read;
	r->st.write = route_write;
	r->st.ctx = r;
	apv_mutex_init(&r->lock, APV_LOCK_KVM_ROUTE);
	atomic_init(&r->stores, 0);
	atomic_init(&r->raises, 0);
	apv_mutex_lock(&k->vms_lock);
	r->next = k->routes;
	k->routes = r;
	apv_mutex_unlock(&k->vms_lock);
	return r;
}

int apv_vm_irq_route_get(struct apv_vm *vm, apv_apqn_t apqn, uint64_t nib,
			 struct apv_irq_route **out)
{
	struct apv_irq_route *r;
	atomic_uchar *flags;
	atomic_uint *pins;
	uint8_t *page;

	if (!vm || !out)
		return -EINVAL;
	*out = NULL;
	if (!vm->gisa.origin)
		return -ENODEV;
	if (!kvm_mem_page(vm, nib, &page, &pins, &flags))
		return -EFAULT;
	r = route_take(vm->kvm);
	if (!r)
		return -ENOMEM;
	kvm_vm_ref(vm);
	apv_mutex_lock(&r->lock);
	r->vm = vm;
	r->apqn = apqn;
	r->gisa = apv_vm_gisa(vm);
	r->page = page;
	r->pins = pins;
	r->flags = flags;
	apv_mutex_unlock(&r->lock);
	*out = r;
	return 0;
}

void apv_irq_route_put(struct apv_irq_route *r)
{
	struct apv_kvm *k;
	struct apv_vm *vm;

	if (!r)
		return;
	k = r->kvm;
	apv_mutex_lock(&r->lock);
	vm = r->vm;
	r->vm = NULL;
	r->page = NULL;
	r->pins = NULL;
	r->flags = NULL;
	apv_mutex_unlock(&r->lock);
	if (!vm)
		return; /* put twice: the first one freed it */
	apv_mutex_lock(&k->vms_lock);
	r->next_free = k->routes_free;
	k->routes_free = r;
	apv_mutex_unlock(&k->vms_lock);
	/* Last: it may free the VM (with no lock held). */
	kvm_vm_unref(vm);
}

const struct apv_storage *apv_irq_route_storage(struct apv_irq_route *r)
{
	if (!r)
		return NULL;
	return &r->st;
}

bool kvm_route_irq(struct apv_kvm *k, const struct apv_hw_irq *irq)
{
	struct apv_irq_route *r = irq->nib_storage.ctx;
	struct apv_vm *vm = NULL;

	if (irq->nib_storage.write != route_write || !r || r->kvm != k)
		return false;
	if (irq->gisc > APV_MAX_ISC) {
		atomic_fetch_add(&k->stray_irqs, 1);
		return true;
	}
	apv_mutex_lock(&r->lock);
	/* A route let go of, or bound since for another queue or VM, routes nothing of this one. */
	if (r->vm && r->apqn == irq->apqn && r->gisa == irq->gisa) {
		vm = r->vm;
		kvm_vm_ref(vm);
		atomic_fetch_add_explicit(&r->raises, 1, memory_order_relaxed);
	}
	apv_mutex_unlock(&r->lock);
	if (!vm) {
		atomic_fetch_add(&k->stray_irqs, 1);
		return true;
	}
	kvm_gisa_raise(vm, irq->gisc);
	kvm_vm_unref(vm);
	return true;
}

void kvm_routes_free(struct apv_kvm *k)
{
	struct apv_irq_route *r = k->routes;

	while (r) {
		struct apv_irq_route *next = r->next;

		apv_mutex_destroy(&r->lock);
		free(r);
		r = next;
	}
	k->routes = NULL;
	k->routes_free = NULL;
}

/* ---- observation (testing.h) ------------------------------------------------------ */

uint64_t apv_kvm_vm_visits(const struct apv_kvm *k)
{
	if (!k)
		return 0;
	return atomic_load(&((struct apv_kvm *)k)->vm_visits);
}

uint64_t apv_kvm_stray_irqs(const struct apv_kvm *k)
{
	if (!k)
		return 0;
	return atomic_load(&((struct apv_kvm *)k)->stray_irqs);
}

void apv_irq_route_stats(const struct apv_irq_route *r, uint64_t *stores, uint64_t *raises)
{
	struct apv_irq_route *m = (struct apv_irq_route *)r;

	if (!r)
		return;
	if (stores)
		*stores = atomic_load(&m->stores);
	if (raises)
		*raises = atomic_load(&m->raises);
}
