/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attaching an mdev to a VM (VFIO open_device) and the one teardown every
 * way out converges on (close_device, the VM going away, mdev remove),
 * plus the other VFIO device operations: info, IRQ info, SET_IRQS, reset,
 * DMA unmap and the request notification.
 *
 * The hook lock may not be taken while guests_lock, the VM lock or
 * mdevs_lock is held, yet "one mdev per VM" has to be decided under them
 * for the mdevs of this matrix device. So attach decides under the locks
 * and records its decision as a claim on the VM (mdev->claim), drops the
 * locks and publishes the hook, which the KVM layer refuses (-EPERM) when
 * another hook owns the VM: that covers owners outside this matrix device,
 * which share none of its locks, in the same write-locked step as the
 * store. A refused publication gives the claim back. Only then are the
 * locks taken again to program the guest. So a second attach to the same
 * VM fails with -EPERM before its hook could ever be seen, which the
 * kernel (publishing first, checking second) cannot promise. open_lock
 * keeps attach and detach of one mdev from overlapping, as VFIO's
 * device-set lock does.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "vfio_ap_priv.h"

static int claim_vm(struct apv_mdev *mdev, struct apv_vm *vm)
{
	struct apv_matrix *m = mdev->m;
	int rc = 0;

	apv_mutex_lock(&m->guests_lock);
	apv_vm_lock(vm);
	apv_mutex_lock(&m->mdevs_lock);
	if (mdev->removing) {
		rc = -ENODEV;
	} else if (mdev->claim) {
		rc = -EBUSY;
	} else {
		for (struct apv_mdev *d = m->mdevs; d; d = d->next)
			if (d->claim == vm)
				rc = -EPERM;
	}
	if (!rc) {
		apv_vm_get(vm); /* held until every interrupt resource is gone */
		mdev->claim = vm;
	} else if (rc == -EPERM) {
		/* The kernel refuses silently; the administrator only sees EPERM. */
		apv_log_emit(m->log, APV_LOG_INFO, VFIO_AP_LOG_MDEV, mdev->uuid,
			     "not attached: the VM already uses another mdev");
	}
	apv_mutex_unlock(&m->mdevs_lock);
	apv_vm_unlock(vm);
	apv_mutex_unlock(&m->guests_lock);
	return rc;
}

/* Give back a claim whose hook could not be published: as if it never was. */
static void unclaim_vm(struct apv_mdev *mdev, struct apv_vm *vm)
{
	struct apv_matrix *m = mdev->m;

	apv_mutex_lock(&m->guests_lock);
	apv_vm_lock(vm);
	apv_mutex_lock(&m->mdevs_lock);
	mdev->claim = NULL;
	apv_mutex_unlock(&m->mdevs_lock);
	apv_vm_unlock(vm);
	apv_mutex_unlock(&m->guests_lock);
	apv_vm_put(vm);
}

int apv_mdev_attach(struct apv_mdev *mdev, struct apv_vm *vm)
{
	struct apv_matrix *m;
	int rc;

	if (!mdev || !vm)
		return -EINVAL;
	m = mdev->m;
	if (apv_vm_kvm(vm) != m->kvm)
		return -EINVAL;
	apv_mutex_lock(&mdev->open_lock);
	rc = claim_vm(mdev, vm);
	if (rc) {
		apv_mutex_unlock(&mdev->open_lock);
		return rc;
	}
	rc = apv_vm_set_pqap_hook(vm, &mdev->hook);
	if (rc) {
		unclaim_vm(mdev, vm);
		apv_mutex_unlock(&mdev->open_lock);
		return rc;
	}

	apv_mutex_lock(&m->guests_lock);
	apv_vm_lock(vm);
	apv_mutex_lock(&m->mdevs_lock);
	mdev->vm = vm;
	apv_vm_set_masks(vm, &mdev->sapm, &mdev->saqm, &mdev->sadm);
	if (mdev->cfg_fd >= 0) {
		vfio_ap_notify(mdev->cfg_fd);
		atomic_fetch_add(&m->cfg_notes, 1);
	}
	apv_mutex_unlock(&m->mdevs_lock);
	apv_vm_unlock(vm);
	apv_mutex_unlock(&m->guests_lock);
	apv_mutex_unlock(&mdev->open_lock);
	return 0;
}

void apv_mdev_detach(struct apv_mdev *mdev)
{
	struct apv_matrix *m;
	struct apv_vm *vm;

	if (!mdev)
		return;
	m = mdev->m;
	apv_mutex_lock(&mdev->open_lock);
	vm = mdev->claim; /* stable: only changed under open_lock */
	if (!vm) {
		apv_mutex_unlock(&mdev->open_lock);
		return; /* never attached, or already torn down */
	}
	/* Hook first: when this returns no AQIC is inside the handler and none can enter. */
	apv_vm_set_pqap_hook(vm, NULL);

	apv_mutex_lock(&m->guests_lock);
	apv_vm_lock(vm);
	apv_mutex_lock(&m->mdevs_lock);
	apv_vm_clear_masks(vm);
	vfio_ap_reset_linked(mdev); /* frees each queue's NIB pin and ISC */
	mdev->vm = NULL;
	mdev->claim = NULL;
	/* A queue whose reset failed is no longer passable: out of the shadow, like VFIO reset. */
	vfio_ap_update_shadow(mdev, NULL);
	apv_mutex_unlock(&m->mdevs_lock);
	apv_vm_unlock(vm);
	apv_mutex_unlock(&m->guests_lock);

	/* Last: nothing of this VM is used any more. */
	apv_vm_put(vm);
	apv_mutex_unlock(&mdev->open_lock);
}

/* ---- VFIO device operations -------------------------------------------------------- */

void apv_mdev_get_info(struct apv_mdev *mdev, struct apv_vfio_device_info *out)
{
	(void)mdev;
	if (!out)
		return;
	out->flags = APV_VFIO_DEVICE_FLAGS_AP | APV_VFIO_DEVICE_FLAGS_RESET;
	out->num_regions = 0;
	out->num_irqs = APV_VFIO_AP_NUM_IRQS;
}

int apv_mdev_get_irq_info(struct apv_mdev *mdev, unsigned index, struct apv_vfio_irq_info *out)
{
	if (!mdev)
		return -EINVAL;
	(void)mdev;
	if (!out || index >= APV_VFIO_AP_NUM_IRQS)
		return -EINVAL;
	out->index = index;
	out->flags = APV_VFIO_IRQ_INFO_EVENTFD;
	out->count = 1;
	return 0;
}

int apv_mdev_set_irqs(struct apv_mdev *mdev, unsigned index, int fd)
{
	int mine = -1, old, *slot;

	if (!mdev || index >= APV_VFIO_AP_NUM_IRQS || fd < -1)
		return -EINVAL;
	if (fd >= 0) {
		/* Keep our own descriptor, as the kernel keeps a reference on the eventfd. */
		mine = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (mine < 0)
			return -EINVAL;
	}
	apv_mutex_lock(&mdev->m->mdevs_lock);
	slot = index == APV_VFIO_AP_REQ_IRQ_INDEX ? &mdev->req_fd : &mdev->cfg_fd;
	old = *slot;
	*slot = mine;
	apv_mutex_unlock(&mdev->m->mdevs_lock);
	if (old >= 0)
		close(old);
	return 0;
}

void apv_mdev_set_request_handler(struct apv_mdev *mdev, void (*fn)(void *ctx, struct apv_mdev *),
				  void *ctx)
{
	if (!mdev)
		return;
	apv_mutex_lock(&mdev->m->mdevs_lock);
	mdev->req_fn = fn;
	mdev->req_ctx = ctx;
	apv_mutex_unlock(&mdev->m->mdevs_lock);
}

void vfio_ap_request(struct apv_mdev *mdev)
{
	struct apv_matrix *m = mdev->m;
	void (*fn)(void *, struct apv_mdev *);
	struct apv_vm *vm;
	void *ctx;

	/* The guest loses its queues now, whatever user space does with the request. */
	vm = vfio_ap_lock_mdev(mdev);
	if (mdev->vm) {
		apv_vm_clear_masks(mdev->vm);
		if (mdev->cfg_fd >= 0) {
			vfio_ap_notify(mdev->cfg_fd);
			atomic_fetch_add(&m->cfg_notes, 1);
		}
	}
	/* The kernel's request(count) with count 0: remove asks once, then proceeds. */
	if (mdev->req_fd >= 0 || mdev->req_fn)
		apv_log_emit(m->log, APV_LOG_NOTICE, VFIO_AP_LOG_MDEV, mdev->uuid,
			     "device request passed on to user space (#0)");
	else
		apv_log_emit(m->log, APV_LOG_NOTICE, VFIO_AP_LOG_MDEV, mdev->uuid,
			     "no device request notification registered: user space is not "
			     "asked before the device goes");
	vfio_ap_notify(mdev->req_fd);
	atomic_fetch_add(&m->req_notes, 1);
	fn = mdev->req_fn;
	ctx = mdev->req_ctx;
	vfio_ap_unlock_mdev(mdev, vm);
	/* Without locks: the handler typically detaches. */
	if (fn)
		fn(ctx, mdev);
}

int apv_mdev_reset(struct apv_mdev *mdev)
{
	struct apv_vm *vm;
	int rc;

	if (!mdev)
		return -EINVAL;
	vm = vfio_ap_lock_mdev(mdev);
	rc = vfio_ap_reset_linked(mdev);
	/*
	 * A queue whose reset failed (the host lost it before the bus noticed,
	 * or an unexpected answer) is no longer passable: its adapter leaves
	 * the guest now, not at the next filtering.
	 */
	vfio_ap_update_shadow(mdev, NULL);
	vfio_ap_unlock_mdev(mdev, vm);
	return rc;
}

void apv_mdev_dma_unmap(struct apv_mdev *mdev, uint64_t iova, uint64_t len)
{
	/* Inclusive ends: an exclusive one is 2^64 (0) for the top page of the address space. */
	uint64_t last = iova + len - 1;

	if (!mdev || !len)
		return;
	if (last < iova)
		last = UINT64_MAX; /* the range runs off the top of the address space */
	apv_mutex_lock(&mdev->m->mdevs_lock);
	for (struct vfio_ap_queue *q = mdev->linked; q; q = q->lnext) {
		uint64_t page = q->saved_nib & ~(VFIO_AP_PAGE_SIZE - 1);
		uint64_t page_last = page + (VFIO_AP_PAGE_SIZE - 1);

		/* The pin is a page pin: any overlap with the NIB's page counts. */
		if (q->saved_nib && page <= last && iova <= page_last)
			vfio_ap_irq_disable(mdev->m, q);
	}
	apv_mutex_unlock(&mdev->m->mdevs_lock);
}
