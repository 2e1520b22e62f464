/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue reset (ZAPQ) when queues leave a guest: detach, device reset,
 * mdev remove, unassign, unbind, filtering, host configuration change,
 * module unload.
 *
 * Every queue of a batch gets its ZAPQ first; then one loop verifies them
 * all with TAPQ, each on its own schedule counted from its latest ZAPQ
 * (vfio_ap_poll_gap), so a busy or slow queue delays nobody else and the
 * batch takes as long as its slowest queue. This is the kernel's reset
 * work per queue and the flush of all of them afterwards, in one thread.
 *
 * A reset is only done when TAPQ says so: the interrupt resources (NIB
 * pin, guest ISC) stay until the queue reports a normal state after the
 * ZAPQ, because until then the adapter may still write the NIB. There is
 * no upper time bound, like the kernel's work item. To keep a permanently
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
static int zapq(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	uint8_t rc;

	atomic_fetch_add(&m->resets, 1);
	q->reset_status = apv_hw_zapq(m->hw, q->apqn);
	q->zapq_at = apv_clock_now(m->clock);
	q->poll_at = q->zapq_at + vfio_ap_poll_gap(0);
	rc = apv_apqsw_get_rc(q->reset_status);
	q->zapq_rc = rc;
	if (rc == APV_RC_NORMAL || zapq_again(rc))
		return 1;
	return gone(rc) ? 0 : -EIO;
}

/* One verification TAPQ: 1 = keep waiting, 0 = done, -EIO = unexpected answer. */
static int verify(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	uint64_t gr2 = 0, now;
	uint32_t w = apv_hw_tapq(m->hw, q->apqn, false, &gr2);
	uint8_t rc = apv_apqsw_get_rc(w);

	if (rc == APV_RC_RESET_IN_PROGRESS || rc == APV_RC_BUSY) {
		now = apv_clock_now(m->clock);
		q->poll_at = now + vfio_ap_poll_gap(now - q->zapq_at);
		/* At the kernel's pace (one look per 20 ms), however often we look. */
		if (now >= q->report_at) {
			q->report_at = now + VFIO_AP_WAIT_NS;
			apv_log_ratelimited(
			    m->log, &m->rl_reset_wait, APV_LOG_NOTICE, VFIO_AP_LOG, NULL,
			    "reset of queue %02x.%04x not complete after %llu ms "
			    "(rc=0x%02x E=%u I=%u)",
			    VFIO_AP_QID(q->apqn),
			    (unsigned long long)((now - q->reset_began) / APV_NSEC_PER_MSEC), rc,
			    !!(w & APV_APQSW_E), !!(w & APV_APQSW_I));
		}
		return 1;
	}
	if (rc == APV_RC_NORMAL && !zapq_again(q->zapq_rc)) {
		q->reset_status = w;
		return 0;
	}
	/* The first ZAPQ did not take (or SE association failed): zeroize again. */
	if (rc == APV_RC_NORMAL || rc == APV_RC_ASSOC_SECRET_NOT_UNIQUE ||
	    rc == APV_RC_ASSOC_FAILED)
		return zapq(m, q);
	q->reset_status = w;
	return gone(rc) ? 0 : -EIO;
}

void vfio_ap_reset_init(struct vfio_ap_reset *r, struct apv_matrix *m)
{
	r->m = m;
	r->pending = NULL;
	r->done = NULL;
	r->rc = 0;
}

/*
 * On -EIO the state is unknown; the queue is no longer passable, so it
 * stays out of every guest, and the resources go now so that nothing
 * leaks.
 */
static void finish(struct vfio_ap_reset *r, struct vfio_ap_queue *q, int st)
{
	vfio_ap_free_irq(q);
	if (st || apv_apqsw_get_rc(q->reset_status) != APV_RC_NORMAL)
		r->rc = -EIO;
	q->rnext = r->done;
	r->done = q;
}

void vfio_ap_reset_add(struct vfio_ap_reset *r, struct vfio_ap_queue *q)
{
	int st;

	if (q->resetting)
		return;
	q->resetting = true;
	q->reset_began = apv_clock_now(r->m->clock);
	q->report_at = q->reset_began + VFIO_AP_WAIT_NS;
	if (!vfio_ap_in_host_config(r->m, q->apqn)) {
		/* Gone from the host configuration: nothing left to zeroize. */
		finish(r, q, 0);
		return;
	}
	st = zapq(r->m, q);
	if (st != 1) {
		finish(r, q, st);
		return;
	}
	q->rnext = r->pending;
	r->pending = q;
}

int vfio_ap_reset_wait(struct vfio_ap_reset *r)
{
	struct apv_matrix *m = r->m;

	while (r->pending) {
		struct vfio_ap_queue **pp = &r->pending, *q;
		uint64_t now = apv_clock_now(m->clock), next = UINT64_MAX;

		while ((q = *pp) != NULL) {
			int st = q->poll_at <= now ? verify(m, q) : 1;

			if (st != 1) {
				*pp = q->rnext;
				finish(r, q, st);
				continue;
			}
			/* Still resetting or busy (verify reported it, rate-limited). */
			if (q->poll_at < next)
				next = q->poll_at;
			pp = &q->rnext;
		}
		if (!r->pending)
			break;
		now = apv_clock_now(m->clock);
		if (next > now)
			apv_clock_sleep(m->clock, next - now);
	}
	for (struct vfio_ap_queue *q = r->done; q; q = q->rnext)
		q->resetting = false;
	r->done = NULL;
	return r->rc;
}

int vfio_ap_reset_queue(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	struct vfio_ap_reset r;

	vfio_ap_reset_init(&r, m);
	vfio_ap_reset_add(&r, q);
	return vfio_ap_reset_wait(&r);
}

int vfio_ap_reset_linked(struct apv_mdev *mdev)
{
	struct vfio_ap_reset r;

	vfio_ap_reset_init(&r, mdev->m);
	for (struct vfio_ap_queue *q = mdev->linked; q; q = q->lnext)
		vfio_ap_reset_add(&r, q);
	return vfio_ap_reset_wait(&r);
}
