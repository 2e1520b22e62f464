/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Links (assigned and bound queues) and the shadow APCB: what the guest's
 * CRYCB really gets. The architecture cannot hide a single APQN, so a
 * queue that is missing or unusable takes its whole adapter out of the
 * guest. The shadow is always recomputed from the whole matrix, never
 * patched, so it cannot drift from what the rules say.
 *
 * Every function here runs with mdevs_lock held; the ones that program the
 * guest also need guests_lock and the VM lock (vfio_ap_lock_mdev).
 */
#include "vfio_ap_priv.h"

void vfio_ap_link(struct apv_mdev *mdev, struct vfio_ap_queue *q)
{
	if (q->mdev)
		return; /* linked at most once: a second assign or probe is a no-op */
	q->mdev = mdev;
	q->lprev = NULL;
	q->lnext = mdev->linked;
	if (mdev->linked)
		mdev->linked->lprev = q;
	mdev->linked = q;
	mdev->nlinked++;
}

void vfio_ap_unlink(struct vfio_ap_queue *q)
{
	struct apv_mdev *mdev = q->mdev;

	if (!mdev)
		return;
	/* Resources were freed by the reset that took the queue out of the shadow. */
	vfio_ap_free_irq(q);
	if (q->lprev)
		q->lprev->lnext = q->lnext;
	else
		mdev->linked = q->lnext;
	if (q->lnext)
		q->lnext->lprev = q->lprev;
	q->lnext = q->lprev = NULL;
	q->mdev = NULL;
	mdev->nlinked--;
}

/* Link every bound, unlinked queue of apm x aqm (a part of the mdev's matrix). */
void vfio_ap_link_part(struct apv_mdev *mdev, const struct apv_mask *apm,
		       const struct apv_mask *aqm)
{
	struct apv_matrix *m = mdev->m;
	unsigned apid, apqi;

	apv_mask_for_each(apid, apm)
	{
		apv_mask_for_each(apqi, aqm)
		{
			struct vfio_ap_queue *q = vfio_ap_queue_at(m, apv_apqn(apid, apqi));

			if (q && q->drv == APV_DRV_VFIO_AP && !q->mdev)
				vfio_ap_link(mdev, q);
		}
	}
}

/* Unlink the mdev's queues of apm x aqm, a part that has left its matrix. */
void vfio_ap_unlink_part(struct apv_mdev *mdev, const struct apv_mask *apm,
			 const struct apv_mask *aqm)
{
	struct apv_matrix *m = mdev->m;
	unsigned apid, apqi;

	apv_mask_for_each(apid, apm)
	{
		apv_mask_for_each(apqi, aqm)
		{
			struct vfio_ap_queue *q = vfio_ap_queue_at(m, apv_apqn(apid, apqi));

			if (q && q->mdev == mdev)
				vfio_ap_unlink(q);
		}
	}
}

static void link_new(struct apv_mdev *mdev)
{
	vfio_ap_link_part(mdev, &mdev->apm, &mdev->aqm);
}

static void unlink_stale(struct apv_mdev *mdev)
{
	struct vfio_ap_queue *q = mdev->linked, *next;

	for (; q; q = next) {
		next = q->lnext;
		if (!apv_mask_test(&mdev->apm, apv_apqn_apid(q->apqn)) ||
		    !apv_mask_test(&mdev->aqm, apv_apqn_apqi(q->apqn)))
			vfio_ap_unlink(q);
	}
}

bool vfio_ap_in_shadow(const struct apv_mdev *mdev, apv_apqn_t apqn)
{
	return apv_mask_test(&mdev->sapm, apv_apqn_apid(apqn)) &&
	       apv_mask_test(&mdev->saqm, apv_apqn_apqi(apqn));
}

static bool usable(const struct apv_mdev *mdev, apv_apqn_t apqn)
{
	const struct vfio_ap_queue *q = vfio_ap_queue_at(mdev->m, apqn);

	/* A queue on its way out of vfio_ap (unbind) keeps its link until it is reset. */
	return q && q->mdev == mdev && q->drv == APV_DRV_VFIO_AP && vfio_ap_queue_passable(q);
}

static void reset_part(struct apv_mdev *mdev, const struct apv_mask *apm,
		       const struct apv_mask *aqm, struct vfio_ap_reset *r)
{
	struct apv_matrix *m = mdev->m;
	unsigned apid, apqi;

	apv_mask_for_each(apid, apm)
	{
		apv_mask_for_each(apqi, aqm)
		{
			struct vfio_ap_queue *q = vfio_ap_queue_at(m, apv_apqn(apid, apqi));

			if (!q || q->mdev != mdev)
				continue;
			/* The kernel says nothing here; the guest just lost a queue it had. */
			if (mdev->vm)
				apv_log_emit(m->log, APV_LOG_INFO, VFIO_AP_LOG_MDEV, mdev->uuid,
					     "queue %02x.%04x taken from the running guest", apid,
					     apqi);
			vfio_ap_reset_add(r, q);
		}
	}
}

/* Reset the linked queues that were in the old shadow (oapm x oaqm) and are not in the new one. */
static void reset_gone(struct apv_mdev *mdev, const struct apv_mask *oapm,
		       const struct apv_mask *oaqm, struct vfio_ap_reset *r)
{
	struct apv_mask gone_apm, gone_aqm, kept_apm;

	apv_mask_andnot(&gone_apm, oapm, &mdev->sapm);
	apv_mask_andnot(&gone_aqm, oaqm, &mdev->saqm);
	apv_mask_and(&kept_apm, oapm, &mdev->sapm);
	if (!apv_mask_empty(&gone_apm))
		reset_part(mdev, &gone_apm, oaqm, r);
	if (!apv_mask_empty(&gone_aqm))
		reset_part(mdev, &kept_apm, &gone_aqm, r);
}

bool vfio_ap_filter(struct apv_mdev *mdev, const struct apv_qci *host, struct vfio_ap_reset *r)
{
	struct apv_matrix *m = mdev->m;
	struct apv_mask apm, aqm, adm, oapm = mdev->sapm, oaqm = mdev->saqm;
	unsigned apid, apqi;
	bool changed;

	if (!host)
		host = &m->info;
	apv_mask_and(&apm, &mdev->apm, &host->apm);
	apv_mask_and(&aqm, &mdev->aqm, &host->aqm);
	apv_mask_and(&adm, &mdev->adm, &host->adm);
	apv_mask_for_each(apid, &apm)
	{
		apv_mask_for_each(apqi, &aqm)
		{
			if (!usable(mdev, apv_apqn(apid, apqi))) {
				apv_mask_clear(&apm, apid);
				break;
			}
		}
	}
	changed = !apv_mask_equal(&apm, &mdev->sapm) || !apv_mask_equal(&aqm, &mdev->saqm) ||
		  !apv_mask_equal(&adm, &mdev->sadm);
	if (!changed)
		return false;
	mdev->sapm = apm;
	mdev->saqm = aqm;
	mdev->sadm = adm;
	if (mdev->vm && !mdev->removing) {
		/* Hot plug / unplug: the guest stops seeing a queue before it is reset. */
		apv_vm_set_masks(mdev->vm, &apm, &aqm, &adm);
		if (mdev->cfg_fd >= 0) {
			vfio_ap_notify(mdev->cfg_fd);
			atomic_fetch_add(&m->cfg_notes, 1);
		}
	}
	/*
	 * Every linked queue that left the guest's configuration is reset:
	 * those of the adapters that left (with every old domain) and those of
	 * the domains that left (on the adapters that stayed). Only those
	 * rows and columns are visited, not the whole matrix. Their ZAPQs go
	 * out now; the caller verifies them all together.
	 */
	reset_gone(mdev, &oapm, &oaqm, r);
	return true;
}

bool vfio_ap_update_shadow(struct apv_mdev *mdev, const struct apv_qci *host)
{
	struct vfio_ap_reset r;
	bool changed;

	vfio_ap_reset_init(&r, mdev->m);
	changed = vfio_ap_filter(mdev, host, &r);
	vfio_ap_reset_wait(&r);
	return changed;
}

void vfio_ap_sync(struct apv_mdev *mdev)
{
	link_new(mdev);
	vfio_ap_update_shadow(mdev, NULL);
	unlink_stale(mdev);
}
