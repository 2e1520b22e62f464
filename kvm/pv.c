/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Turning a running VM into a protected (Secure Execution) one: KVM's
 * KVM_PV_ENABLE, and what it means for the AP path.
 *
 * The kernel runs the command under kvm->lock and converts every vCPU
 * under its vcpu->mutex, which KVM_RUN holds for as long as the vCPU is
 * in the kernel, a PQAP intercept and vfio_ap's hook included. So an AQIC
 * is handled entirely before or entirely after the conversion, never
 * across it. Here the VM lock stands for kvm->lock; instead of a mutex per
 * vCPU on every instruction, the conversion waits for the intercepts in
 * flight to leave and holds new ones at the door, and takes the SIE lock
 * for writing to get interpreted instructions out, as a mask update does.
 *
 * Pages of a protected guest are secure unless the guest shares them. The
 * Ultravisor cannot make a page secure while the host holds extra
 * references on it, and a NIB pinned by vfio_ap is exactly that: such a
 * page stays reachable by the adapter (and the guest's own access to it
 * would fail to import in the kernel) until its last pin goes. QEMU avoids
 * it by resetting the AP queues before it protects the guest; a developer
 * who wants to see what happens without that reset can count those pages
 * with apv_vm_pv_pinned_pages().
 */
#include <errno.h>

#include "kvm_internal.h"

void kvm_pv_init(struct apv_vm *vm, bool pv)
{
	atomic_init(&vm->pv, pv);
	atomic_init(&vm->icpt_active, 0);
	atomic_init(&vm->pv_converting, false);
	atomic_init(&vm->pv_pinned_pages, 0);
	apv_mutex_init(&vm->pv_lock, APV_LOCK_VM_PV);
	pthread_cond_init(&vm->pv_cond, NULL);
}

void kvm_pv_destroy(struct apv_vm *vm)
{
	pthread_cond_destroy(&vm->pv_cond);
	apv_mutex_destroy(&vm->pv_lock);
}

/*
 * Announce first, then look: with sequentially consistent atomics either
 * the conversion sees this intercept or the intercept sees the conversion.
 */
void kvm_pv_intercept_enter(struct apv_vm *vm)
{
	for (;;) {
		atomic_fetch_add(&vm->icpt_active, 1);
		if (!atomic_load(&vm->pv_converting))
			return;
		kvm_pv_intercept_leave(vm);
		apv_mutex_lock(&vm->pv_lock);
		while (atomic_load(&vm->pv_converting))
			apv_cond_wait(&vm->pv_cond, &vm->pv_lock);
		apv_mutex_unlock(&vm->pv_lock);
	}
}

void kvm_pv_intercept_leave(struct apv_vm *vm)
{
	if (atomic_fetch_sub(&vm->icpt_active, 1) == 1 && atomic_load(&vm->pv_converting)) {
		apv_mutex_lock(&vm->pv_lock);
		pthread_cond_broadcast(&vm->pv_cond);
		apv_mutex_unlock(&vm->pv_lock);
	}
}

void kvm_pv_page_unpinned(struct apv_vm *vm, atomic_uchar *flags)
{
	if (atomic_fetch_and(flags, (unsigned char)~KVM_PAGE_PV_PINNED) & KVM_PAGE_PV_PINNED)
		atomic_fetch_sub(&vm->pv_pinned_pages, 1);
}

/* Pages pinned now cannot be made secure: mark them. */
static void mark_pinned_pages(struct apv_vm *vm)
{
	unsigned n = atomic_load_explicit(&vm->nslots, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		const struct kvm_memslot *s = &vm->slots[i];

		for (uint64_t p = 0; p < s->size >> KVM_PAGE_SHIFT; p++) {
			if (!atomic_load(&s->pins[p]) ||
			    (atomic_load(&s->flags[p]) & KVM_PAGE_SHARED))
				continue;
			atomic_fetch_or(&s->flags[p], KVM_PAGE_PV_PINNED);
			atomic_fetch_add(&vm->pv_pinned_pages, 1);
		}
	}
}

int apv_vm_pv_enable(struct apv_vm *vm)
{
	if (!vm)
		return -EINVAL;
	int rc = 0;

	if (!vm)
		return -EINVAL;
	apv_vm_lock(vm);
	if (atomic_load(&vm->pv)) {
		rc = -EINVAL; /* the kernel's answer for a VM that is protected already */
		goto out;
	}
	/* Hold new intercepts at the door, then wait for those inside to leave. */
	atomic_store(&vm->pv_converting, true);
	apv_mutex_lock(&vm->pv_lock);
	while (atomic_load(&vm->icpt_active))
		apv_cond_wait(&vm->pv_cond, &vm->pv_lock);
	apv_mutex_unlock(&vm->pv_lock);
	apv_rwlock_wrlock(&vm->sie_lock);
	mark_pinned_pages(vm);
	atomic_store(&vm->pv, true);
	apv_rwlock_unlock(&vm->sie_lock);
	apv_mutex_lock(&vm->pv_lock);
	atomic_store(&vm->pv_converting, false);
	pthread_cond_broadcast(&vm->pv_cond);
	apv_mutex_unlock(&vm->pv_lock);
out:
	apv_vm_unlock(vm);
	return rc;
}

unsigned apv_vm_pv_pinned_pages(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return atomic_load(&((struct apv_vm *)vm)->pv_pinned_pages);
}
