/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue reset (ZAPQ) when a queue leaves a guest: detach, device reset,
 * unassign, unbind, filtering, host configuration change.
 *
 * A reset is only done when TAPQ says so: the interrupt resources (NIB pin,
 * guest ISC) stay until the queue reports a normal state after the ZAPQ,
 * because until then the adapter may still write the NIB. There is no
 * upper time bound, like the kernel's work item. To keep a permanently
 * busy queue from hanging us for good, the wait also ends when the queue
 * leaves the host configuration (RC01/03/04), which is what an
 * administrator does with a broken adapter. Every wait goes through the
 * clock, so on the virtual clock the hardware's own reset completion runs
 * instead of a sleep.
 *
 * Runs with mdevs_lock held, like the kernel's flush of the reset work
 * under the update locks.
 */
#include <errno.h>

#include "vfio_ap_priv.h"

bool vfio_ap_queue_passable(const struct vfio_ap_queue *q)
{
	uint8_t rc = apv_apqsw_get_rc(q->reset_status);

	return rc == APV_RC_NORMAL || rc == APV_RC_DECONFIGURED || rc == APV_RC_CHECKSTOPPED;
}

static uint8_t zapq(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	atomic_fetch_add(&m->resets, 1);
	q->reset_status = apv_hw_zapq(m->hw, q->apqn);
	return apv_apqsw_get_rc(q->reset_status);
}

/* RCs after which the ZAPQ must be repeated once the queue is quiet again. */
static bool zapq_again(uint8_t rc)
{
	return rc == APV_RC_RESET_IN_PROGRESS || rc == APV_RC_BUSY ||
	       rc == APV_RC_STATE_CHANGE_IN_PROGRESS;
}

static bool gone(uint8_t rc)
{
	return rc == APV_RC_Q_NOT_AVAIL || rc == APV_RC_DECONFIGURED || rc == APV_RC_CHECKSTOPPED;
}

/* 1 = keep waiting, 0 = done, -EIO = unexpected answer. */
static int zapq_outcome(uint8_t rc)
{
	if (rc == APV_RC_NORMAL || zapq_again(rc))
		return 1;
	if (gone(rc))
		return 0;
	return -EIO;
}

int vfio_ap_reset_queue(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	uint8_t zrc;
	int st;

	if (!vfio_ap_in_host_config(m, q->apqn)) {
		/* Gone from the host configuration: nothing left to zeroize. */
		vfio_ap_free_irq(q);
		return 0;
	}
	zrc = zapq(m, q);
	st = zapq_outcome(zrc);
	while (st == 1) {
		uint64_t gr2 = 0;
		uint32_t w;
		uint8_t rc;

		apv_clock_sleep(m->clock, VFIO_AP_WAIT_NS);
		w = apv_hw_tapq(m->hw, q->apqn, false, &gr2);
		rc = apv_apqsw_get_rc(w);
		if (rc == APV_RC_RESET_IN_PROGRESS || rc == APV_RC_BUSY)
			continue;
		if (rc == APV_RC_NORMAL && !zapq_again(zrc)) {
			q->reset_status = w;
			st = 0;
		} else if (rc == APV_RC_NORMAL || rc == APV_RC_ASSOC_SECRET_NOT_UNIQUE ||
			   rc == APV_RC_ASSOC_FAILED) {
			/* The first ZAPQ did not take (or SE association failed): zeroize again. */
			zrc = zapq(m, q);
			st = zapq_outcome(zrc);
		} else if (gone(rc)) {
			q->reset_status = w;
			st = 0;
		} else {
			q->reset_status = w;
			st = -EIO;
		}
	}
	/*
	 * On -EIO the state is unknown; the queue is no longer passable, so it
	 * stays out of every guest, and the resources go now so that nothing
	 * leaks.
	 */
	vfio_ap_free_irq(q);
	return st;
}

int vfio_ap_reset_linked(struct apv_mdev *mdev)
{
	int rc = 0;

	for (struct vfio_ap_queue *q = mdev->linked; q; q = q->lnext)
		if (vfio_ap_reset_queue(mdev->m, q) ||
		    apv_apqsw_get_rc(q->reset_status) != APV_RC_NORMAL)
			rc = -EIO;
	return rc;
}
