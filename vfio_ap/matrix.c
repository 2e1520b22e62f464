/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The matrix device: the one parent of every vfio_ap mdev, holding the
 * host configuration as the AP bus last saw it, the bus masks, the queue
 * devices and the stack-wide locks of this layer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfio_ap_priv.h"

struct apv_matrix *apv_matrix_new(struct apv_kvm *k)
{
	struct apv_matrix *m;

	if (!k || kvm_matrix_claim(k) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		kvm_matrix_release(k);
		return NULL;
	}
	m->kvm = k;
	m->hw = apv_kvm_hw(k);
	m->clock = apv_kvm_clock(k);
	m->log = apv_hw_log(m->hw);
	apv_ratelimit_init(&m->rl_reset_wait, "reset wait", APV_RATELIMIT_INTERVAL_NS,
			   APV_RATELIMIT_BURST);
	apv_ratelimit_init(&m->once_aqic_off, "AQIC off", APV_RATELIMIT_ONCE, 1);
	apv_ratelimit_init(&m->once_tapq, "TAPQ for interrupts off", APV_RATELIMIT_ONCE, 1);
	apv_ratelimit_init(&m->once_irq_on, "interrupts stay on", APV_RATELIMIT_ONCE, 1);
	apv_mutex_init(&m->bus_lock, APV_LOCK_BUS);
	apv_mutex_init(&m->guests_lock, APV_LOCK_GUESTS);
	apv_mutex_init(&m->mdevs_lock, APV_LOCK_MDEVS);
	/* Like the kernel's default apmask/aqmask: everything belongs to the host drivers. */
	memset(&m->apmask, 0xFF, sizeof(m->apmask));
	memset(&m->aqmask, 0xFF, sizeof(m->aqmask));
	atomic_init(&m->aqic_enable, 0);
	atomic_init(&m->aqic_disable, 0);
	atomic_init(&m->resets, 0);
	atomic_init(&m->req_notes, 0);
	atomic_init(&m->cfg_notes, 0);

	apv_mutex_lock(&m->bus_lock);
	vfio_ap_bus_scan(m);
	apv_mutex_unlock(&m->bus_lock);
	return m;
}

void apv_matrix_free(struct apv_matrix *m)
{
	if (!m)
		return;
	/* Module unload: nothing else may run; remove tears down attached mdevs. */
	while (m->mdevs)
		apv_mdev_remove(m->mdevs);
	apv_mutex_lock(&m->bus_lock);
	vfio_ap_bus_free(m);
	apv_mutex_unlock(&m->bus_lock);
	apv_ratelimit_flush(m->log, &m->rl_reset_wait);
	free(m->check_owner);
	apv_mutex_destroy(&m->mdevs_lock);
	apv_mutex_destroy(&m->guests_lock);
	apv_mutex_destroy(&m->bus_lock);
	kvm_matrix_release(m->kvm);
	free(m);
}

const char *apv_matrix_features(void)
{
	/* What vfio_ap_drv.c emits (the rst's "dyn" is out of date). */
	return "guest_matrix hotplug ap_config";
}

void apv_matrix_stats(struct apv_matrix *m, struct apv_matrix_stats *out)
{
	if (!m || !out)
		return;
	out->aqic_enable = atomic_load(&m->aqic_enable);
	out->aqic_disable = atomic_load(&m->aqic_disable);
	out->resets = atomic_load(&m->resets);
	out->req_notifications = atomic_load(&m->req_notes);
	out->cfg_notifications = atomic_load(&m->cfg_notes);
}

/* ---- locks ------------------------------------------------------------------ */

struct apv_vm *vfio_ap_lock_mdev_vm(struct apv_mdev *mdev)
{
	/* mdev->vm only changes with guests_lock held, which the caller has. */
	struct apv_vm *vm = mdev->vm;

	if (vm)
		apv_vm_lock(vm);
	apv_mutex_lock(&mdev->m->mdevs_lock);
	return vm;
}

void vfio_ap_unlock_mdev_vm(struct apv_mdev *mdev, struct apv_vm *vm)
{
	apv_mutex_unlock(&mdev->m->mdevs_lock);
	if (vm)
		apv_vm_unlock(vm);
}

struct apv_vm *vfio_ap_lock_mdev(struct apv_mdev *mdev)
{
	apv_mutex_lock(&mdev->m->guests_lock);
	return vfio_ap_lock_mdev_vm(mdev);
}

void vfio_ap_unlock_mdev(struct apv_mdev *mdev, struct apv_vm *vm)
{
	vfio_ap_unlock_mdev_vm(mdev, vm);
	apv_mutex_unlock(&mdev->m->guests_lock);
}

/* ---- limits and host configuration ---------------------------------------- */

static bool host_apxa(const struct apv_matrix *m)
{
	return m->have_qci && (m->info.flags & APV_QCI_N);
}

unsigned vfio_ap_apm_max(const struct apv_matrix *m)
{
	return host_apxa(m) ? m->info.na : 63;
}

unsigned vfio_ap_aqm_max(const struct apv_matrix *m)
{
	return host_apxa(m) ? m->info.nd : 15;
}

bool vfio_ap_in_host_config(const struct apv_matrix *m, apv_apqn_t apqn)
{
	return apv_mask_test(&m->info.apm, apv_apqn_apid(apqn)) &&
	       apv_mask_test(&m->info.aqm, apv_apqn_apqi(apqn));
}

void vfio_ap_notify(int fd)
{
	uint64_t one = 1;

	if (fd < 0)
		return;
	/* An eventfd only refuses when its counter would overflow; nothing to do then. */
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n;
}
