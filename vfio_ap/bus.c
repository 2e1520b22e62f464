/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AP bus as vfio_ap sees it: queue devices for every APQN of the host
 * configuration, bound to the default (host) drivers or to vfio_ap by the
 * bus masks, probe and remove, host configuration changes and the end of a
 * scan.
 *
 * A queue is reserved for the default drivers when its APID is set in
 * apmask AND its APQI is set in aqmask; otherwise vfio_ap takes it, if it
 * is a CEX4..CEX8 (types 10-14).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_ap_priv.h"

bool vfio_ap_owned_by_host(const struct apv_matrix *m, const struct apv_mask *apm,
			   const struct apv_mask *aqm)
{
	return apv_mask_intersects(apm, &m->apmask) && apv_mask_intersects(aqm, &m->aqmask);
}

static void read_config(struct apv_matrix *m, struct apv_qci *out)
{
	memset(out, 0, sizeof(*out));
	/* Without QCI (facility 12) the kernel's info stays zero: nothing is usable. */
	if (m->have_qci)
		apv_hw_qci(m->hw, out);
}

static uint8_t queue_type(struct apv_matrix *m, apv_apqn_t apqn)
{
	struct apv_adapter_config a;
	uint64_t gr2 = 0;
	uint32_t w = apv_hw_tapq(m->hw, apqn, true, &gr2);
	uint8_t rc = apv_apqsw_get_rc(w);

	if (rc == APV_RC_NORMAL || rc == APV_RC_RESET_IN_PROGRESS || rc == APV_RC_BUSY) {
		struct apv_tapq_hwinfo h = apv_tapq_hwinfo_decode(gr2);

		if (h.at)
			return h.at;
	}
	/* The bus learnt the type when the card appeared. */
	if (apv_hw_adapter_info(m->hw, apv_apqn_apid(apqn), &a) == 0)
		return a.at;
	return 0;
}

enum apv_queue_driver vfio_ap_driver_for(const struct apv_matrix *m, const struct vfio_ap_queue *q)
{
	if (apv_mask_test(&m->apmask, apv_apqn_apid(q->apqn)) &&
	    apv_mask_test(&m->aqmask, apv_apqn_apqi(q->apqn)))
		return APV_DRV_HOST;
	if (q->type >= APV_AT_CEX4 && q->type <= APV_AT_CEX8)
		return APV_DRV_VFIO_AP;
	return APV_DRV_NONE; /* vfio_ap does not drive it and the host may not */
}

/* The mdev whose matrix holds apqn (at most one: sharing is refused). */
static struct apv_mdev *owner(struct apv_matrix *m, apv_apqn_t apqn)
{
	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		if (apv_mask_test(&d->apm, apv_apqn_apid(apqn)) &&
		    apv_mask_test(&d->aqm, apv_apqn_apqi(apqn)))
			return d;
	return NULL;
}

/*
 * Probe: bind q to vfio_ap and link it to the mdev that has it assigned.
 * The filter runs once at the end of the scan (sync_all), like the
 * kernel's on_scan_complete: filtering after each probe would briefly see
 * the rest of a new domain as missing and unplug whole adapters.
 */
static void bind_vfio(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	struct apv_mdev *d = owner(m, q->apqn);

	apv_mutex_lock(&m->mdevs_lock);
	q->drv = APV_DRV_VFIO_AP;
	if (d)
		vfio_ap_link(d, q);
	apv_mutex_unlock(&m->mdevs_lock);
}

/* on_scan_complete: re-evaluate every matrix. bus_lock and guests_lock held. */
static void sync_all(struct apv_matrix *m)
{
	for (struct apv_mdev *d = m->mdevs; d; d = d->next) {
		struct apv_vm *vm = vfio_ap_lock_mdev_vm(d);

		vfio_ap_sync(d);
		vfio_ap_unlock_mdev_vm(d, vm);
	}
}

/*
 * Remove: take q away from vfio_ap. If it was in a guest, its whole
 * adapter leaves the shadow first (the guest APCB is updated, the
 * adapter's queues reset); else it is zeroized if the host still has it.
 */
static void unbind_vfio(struct apv_matrix *m, struct vfio_ap_queue *q, enum apv_queue_driver to)
{
	struct apv_mdev *d = q->mdev;
	struct apv_vm *vm = NULL;

	if (d)
		vm = vfio_ap_lock_mdev_vm(d);
	else
		apv_mutex_lock(&m->mdevs_lock);
	q->drv = to; /* no longer usable: the filter drops its adapter */
	if (d && vfio_ap_in_shadow(d, q->apqn))
		vfio_ap_update_shadow(d, NULL); /* resets q with the rest of its adapter */
	else
		vfio_ap_reset_queue(m, q);
	vfio_ap_unlink(q);
	if (d)
		vfio_ap_unlock_mdev_vm(d, vm);
	else
		apv_mutex_unlock(&m->mdevs_lock);
}

/* ---- the queue table ------------------------------------------------------------ */

atomic_ullong vfio_ap_walked;

struct vfio_ap_queue *vfio_ap_next_queue(const struct apv_matrix *m, unsigned *pos)
{
	unsigned apid, apqi, seen = 0;
	struct vfio_ap_queue *q = NULL;

	if (*pos >= APV_MASK_BITS * APV_MASK_BITS)
		return NULL;
	apid = apv_mask_next(&m->qapm, *pos >> 8);
	apqi = apid == *pos >> 8 ? *pos & 0xFF : 0;
	while (apid < APV_MASK_BITS) {
		apqi = apv_mask_next(&m->qaqm, apqi);
		if (apqi >= APV_MASK_BITS) {
			apid = apv_mask_next(&m->qapm, apid + 1);
			apqi = 0;
			continue;
		}
		seen++;
		q = vfio_ap_queue_at(m, apv_apqn(apid, apqi));
		if (q)
			break;
		apqi++;
	}
	atomic_fetch_add_explicit(&vfio_ap_walked, seen, memory_order_relaxed);
	*pos = q ? (unsigned)q->apqn + 1 : APV_MASK_BITS * APV_MASK_BITS;
	return q;
}

/* bus_lock and mdevs_lock held; q's row exists. */
static void table_add(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	unsigned apid = apv_apqn_apid(q->apqn), apqi = apv_apqn_apqi(q->apqn);

	m->rows[apid][apqi] = q;
	if (m->nq_apid[apid]++ == 0)
		apv_mask_set(&m->qapm, apid);
	if (m->nq_apqi[apqi]++ == 0)
		apv_mask_set(&m->qaqm, apqi);
}

static void table_del(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	unsigned apid = apv_apqn_apid(q->apqn), apqi = apv_apqn_apqi(q->apqn);

	m->rows[apid][apqi] = NULL;
	if (--m->nq_apid[apid] == 0)
		apv_mask_clear(&m->qapm, apid);
	if (--m->nq_apqi[apqi] == 0)
		apv_mask_clear(&m->qaqm, apqi);
}

/* ---- probe and remove ------------------------------------------------------------- */

static void probe_queue(struct apv_matrix *m, apv_apqn_t apqn)
{
	struct vfio_ap_queue *q = calloc(1, sizeof(*q)), **row = NULL;
	unsigned apid = apv_apqn_apid(apqn);

	if (q && !m->rows[apid])
		row = calloc(APV_MASK_BITS, sizeof(*row));
	if (!q || (!m->rows[apid] && !row)) {
		free(q);
		return; /* the queue simply does not appear, as after a failed probe */
	}
	q->apqn = apqn;
	q->saved_isc = -1;
	q->type = queue_type(m, apqn);
	q->drv = APV_DRV_NONE;
	apv_mutex_lock(&m->mdevs_lock);
	if (row) {
		m->rows[apid] = row;
		apv_mask_set(&m->rows_made, apid);
	}
	table_add(m, q);
	apv_mutex_unlock(&m->mdevs_lock);
	if (vfio_ap_driver_for(m, q) == APV_DRV_VFIO_AP) {
		bind_vfio(m, q);
	} else {
		apv_mutex_lock(&m->mdevs_lock);
		q->drv = vfio_ap_driver_for(m, q);
		apv_mutex_unlock(&m->mdevs_lock);
	}
}

static void destroy_queue(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	if (q->drv == APV_DRV_VFIO_AP)
		unbind_vfio(m, q, APV_DRV_NONE);
	apv_mutex_lock(&m->mdevs_lock);
	table_del(m, q);
	apv_mutex_unlock(&m->mdevs_lock);
	free(q);
}

void vfio_ap_bus_scan(struct apv_matrix *m)
{
	unsigned apid, apqi;

	m->have_qci = apv_hw_config(m->hw)->qci;
	apv_mutex_lock(&m->guests_lock);
	apv_mutex_lock(&m->mdevs_lock);
	read_config(m, &m->info);
	apv_mutex_unlock(&m->mdevs_lock);
	apv_mask_for_each(apid, &m->info.apm)
	{
		apv_mask_for_each(apqi, &m->info.aqm)
		{
			probe_queue(m, apv_apqn(apid, apqi));
		}
	}
	apv_mutex_unlock(&m->guests_lock);
}

/*
 * vfio_ap lets go of the queues no mdev holds that go to another driver
 * (on unload: every one): they are zeroized as one batch, not one after
 * another as the AP bus would unbind them.
 */
static void release_unheld(struct apv_matrix *m, bool unload)
{
	struct vfio_ap_reset r;
	struct vfio_ap_queue *q;
	unsigned pos;

	apv_mutex_lock(&m->mdevs_lock);
	vfio_ap_reset_init(&r, m);
	vfio_ap_for_each_queue(m, pos, q)
	{
		enum apv_queue_driver to;

		if (q->mdev || q->drv != APV_DRV_VFIO_AP)
			continue;
		to = unload ? APV_DRV_NONE : vfio_ap_driver_for(m, q);
		if (to == APV_DRV_VFIO_AP)
			continue;
		q->drv = to;
		vfio_ap_reset_add(&r, q);
	}
	vfio_ap_reset_wait(&r);
	apv_mutex_unlock(&m->mdevs_lock);
}

void vfio_ap_bus_free(struct apv_matrix *m)
{
	struct vfio_ap_queue *q;
	unsigned pos, apid;

	apv_mutex_lock(&m->guests_lock);
	/* Every mdev is gone by now, so this is all of vfio_ap's queues. */
	release_unheld(m, true);
	vfio_ap_for_each_queue(m, pos, q)
		destroy_queue(m, q);
	apv_mutex_unlock(&m->guests_lock);
	apv_mask_for_each(apid, &m->rows_made)
	{
		free(m->rows[apid]);
		m->rows[apid] = NULL;
	}
	memset(&m->rows_made, 0, sizeof(m->rows_made));
}

void apv_bus_rescan(struct apv_matrix *m)
{
	struct apv_qci cur, both;
	struct vfio_ap_queue *q;
	unsigned apid, apqi, pos;

	if (!m)
		return;
	apv_mutex_lock(&m->bus_lock);
	apv_mutex_lock(&m->guests_lock);
	read_config(m, &cur);
	both = cur;
	apv_mask_and(&both.apm, &cur.apm, &m->info.apm);
	apv_mask_and(&both.aqm, &cur.aqm, &m->info.aqm);
	apv_mask_and(&both.adm, &cur.adm, &m->info.adm);
	apv_mutex_lock(&m->mdevs_lock);
	m->info = cur; /* resets from here on skip the ZAPQ for what is gone */
	apv_mutex_unlock(&m->mdevs_lock);

	/* on_config_changed: unplug what the host lost, attached or not. */
	for (struct apv_mdev *d = m->mdevs; d; d = d->next) {
		struct apv_vm *vm = vfio_ap_lock_mdev_vm(d);

		vfio_ap_update_shadow(d, &both);
		vfio_ap_unlock_mdev_vm(d, vm);
	}
	/* Queue devices: remove the vanished, probe the new. */
	vfio_ap_for_each_queue(m, pos, q)
	{
		if (!vfio_ap_in_host_config(m, q->apqn))
			destroy_queue(m, q);
	}
	apv_mask_for_each(apid, &cur.apm)
	{
		apv_mask_for_each(apqi, &cur.aqm)
		{
			if (!vfio_ap_queue_at(m, apv_apqn(apid, apqi)))
				probe_queue(m, apv_apqn(apid, apqi));
		}
	}
	/* on_scan_complete: plug what the host gained. */
	sync_all(m);
	apv_mutex_unlock(&m->guests_lock);
	apv_mutex_unlock(&m->bus_lock);
}

/* ---- apmask / aqmask ------------------------------------------------------------ */

/*
 * The bus's in_use callback: would the new masks reserve an mdev's queue?
 * The first mdev concerned ends the check; each of its queues that the
 * masks would take is logged on it, like the kernel's dev_warn per queue.
 */
static int in_use(struct apv_matrix *m, const struct apv_mask *apmask,
		  const struct apv_mask *aqmask, char *why, size_t whylen)
{
	for (struct apv_mdev *d = m->mdevs; d; d = d->next) {
		unsigned apid, apqi;
		int rc = 0;

		apv_mask_for_each(apid, &d->apm)
		{
			if (!apv_mask_test(apmask, apid))
				continue;
			apv_mask_for_each(apqi, &d->aqm)
			{
				if (!apv_mask_test(aqmask, apqi))
					continue;
				if (!rc && why && whylen)
					snprintf(why, whylen,
						 "queue %02x.%04x cannot be reserved for the host "
						 "drivers: mdev %s has it",
						 apid, apqi, d->uuid);
				rc = -EADDRINUSE;
				apv_log_emit(m->log, APV_LOG_WARNING, VFIO_AP_LOG_MDEV, d->uuid,
					     "queue %02x.%04x not reserved for the host drivers: "
					     "this mdev has it",
					     apid, apqi);
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

static bool reserved(const struct apv_mask *apmask, const struct apv_mask *aqmask, apv_apqn_t apqn)
{
	return apv_mask_test(apmask, apv_apqn_apid(apqn)) &&
	       apv_mask_test(aqmask, apv_apqn_apqi(apqn));
}

int apv_bus_set_masks(struct apv_matrix *m, const struct apv_mask *apmask,
		      const struct apv_mask *aqmask, char *why, size_t whylen)
{
	struct apv_mask old_ap, old_aq;
	struct vfio_ap_queue *q;
	unsigned pos;
	int rc;

	if (!m || !apmask || !aqmask)
		return -EINVAL;
	if (why && whylen)
		why[0] = '\0';
	apv_mutex_lock(&m->bus_lock);
	apv_mutex_lock(&m->guests_lock);
	apv_mutex_lock(&m->mdevs_lock);
	rc = in_use(m, apmask, aqmask, why, whylen);
	if (rc) {
		apv_mutex_unlock(&m->mdevs_lock);
		apv_mutex_unlock(&m->guests_lock);
		apv_mutex_unlock(&m->bus_lock);
		return -EBUSY; /* what the bus tells the administrator */
	}
	old_ap = m->apmask;
	old_aq = m->aqmask;
	m->apmask = *apmask;
	m->aqmask = *aqmask;
	/*
	 * A queue the administrator unbound stays without a driver, unless
	 * this change moves it to the other side of the reservation: then
	 * the bus reprobes it like every queue that changes sides.
	 */
	vfio_ap_for_each_queue(m, pos, q)
	{
		if (q->unbound &&
		    reserved(&old_ap, &old_aq, q->apqn) != reserved(apmask, aqmask, q->apqn))
			q->unbound = false;
	}
	apv_mutex_unlock(&m->mdevs_lock);

	/*
	 * Rebind every queue whose owner changed: unbinds first, then probes.
	 * The in_use check above keeps every queue an mdev holds with vfio_ap,
	 * so the release takes them all; the loop is for completeness.
	 */
	release_unheld(m, false);
	vfio_ap_for_each_queue(m, pos, q)
	{
		if (q->drv == APV_DRV_VFIO_AP && vfio_ap_driver_for(m, q) != APV_DRV_VFIO_AP)
			unbind_vfio(m, q, vfio_ap_driver_for(m, q));
	}
	vfio_ap_for_each_queue(m, pos, q)
	{
		if (q->unbound || q->drv == vfio_ap_driver_for(m, q))
			continue;
		if (vfio_ap_driver_for(m, q) == APV_DRV_VFIO_AP) {
			bind_vfio(m, q);
		} else {
			apv_mutex_lock(&m->mdevs_lock);
			q->drv = vfio_ap_driver_for(m, q);
			apv_mutex_unlock(&m->mdevs_lock);
		}
	}
	sync_all(m);
	apv_mutex_unlock(&m->guests_lock);
	apv_mutex_unlock(&m->bus_lock);
	return 0;
}

void apv_bus_get_masks(struct apv_matrix *m, struct apv_mask *apmask, struct apv_mask *aqmask)
{
	if (!m)
		return;
	apv_mutex_lock(&m->mdevs_lock);
	if (apmask)
		*apmask = m->apmask;
	if (aqmask)
		*aqmask = m->aqmask;
	apv_mutex_unlock(&m->mdevs_lock);
}

/* ---- one queue device: the driver core's bind and unbind ----------------------- */

int apv_bus_unbind(struct apv_matrix *m, apv_apqn_t apqn, enum apv_queue_driver drv)
{
	struct vfio_ap_queue *q;
	int rc = 0;

	if (!m || drv > APV_DRV_VFIO_AP)
		return -EINVAL;
	apv_mutex_lock(&m->bus_lock);
	apv_mutex_lock(&m->guests_lock);
	q = vfio_ap_queue_at(m, apqn);
	/* Writing a device to a driver's unbind file that does not have it: -ENODEV. */
	if (!q || q->drv == APV_DRV_NONE || (drv != APV_DRV_NONE && q->drv != drv)) {
		rc = -ENODEV;
	} else if (q->drv == APV_DRV_VFIO_AP) {
		unbind_vfio(m, q, APV_DRV_NONE);
	} else {
		/* The host drivers are not modelled beyond their claim on the queue. */
		apv_mutex_lock(&m->mdevs_lock);
		q->drv = APV_DRV_NONE;
		apv_mutex_unlock(&m->mdevs_lock);
	}
	if (!rc) {
		apv_mutex_lock(&m->mdevs_lock);
		q->unbound = true;
		apv_mutex_unlock(&m->mdevs_lock);
	}
	apv_mutex_unlock(&m->guests_lock);
	apv_mutex_unlock(&m->bus_lock);
	return rc;
}

/*
 * The AP bus's probe refuses a driver on the wrong side of the
 * reservation (apmask/aqmask), and vfio_ap matches only CEX4..CEX8
 * queues; both are -ENODEV, a queue that already has a driver -EBUSY.
 */
int apv_bus_bind(struct apv_matrix *m, apv_apqn_t apqn, enum apv_queue_driver drv)
{
	struct vfio_ap_queue *q;
	int rc = 0;

	if (!m || (drv != APV_DRV_HOST && drv != APV_DRV_VFIO_AP))
		return -EINVAL;
	apv_mutex_lock(&m->bus_lock);
	apv_mutex_lock(&m->guests_lock);
	q = vfio_ap_queue_at(m, apqn);
	if (!q)
		rc = -ENODEV;
	else if (q->drv != APV_DRV_NONE)
		rc = -EBUSY;
	else if (vfio_ap_driver_for(m, q) != drv)
		rc = -ENODEV;
	if (!rc) {
		apv_mutex_lock(&m->mdevs_lock);
		q->unbound = false;
		apv_mutex_unlock(&m->mdevs_lock);
		if (drv == APV_DRV_VFIO_AP) {
			/* Probe: link to the mdev that has it, then plug what the filter now
			 * allows. */
			bind_vfio(m, q);
			if (q->mdev) {
				struct apv_mdev *d = q->mdev;
				struct apv_vm *vm = vfio_ap_lock_mdev_vm(d);

				vfio_ap_sync(d);
				vfio_ap_unlock_mdev_vm(d, vm);
			}
		} else {
			apv_mutex_lock(&m->mdevs_lock);
			q->drv = APV_DRV_HOST;
			apv_mutex_unlock(&m->mdevs_lock);
		}
	}
	apv_mutex_unlock(&m->guests_lock);
	apv_mutex_unlock(&m->bus_lock);
	return rc;
}

enum apv_queue_driver apv_bus_queue_driver(struct apv_matrix *m, apv_apqn_t apqn)
{
	const struct vfio_ap_queue *q;
	enum apv_queue_driver d;

	if (!m)
		return APV_DRV_NONE;
	apv_mutex_lock(&m->mdevs_lock);
	q = vfio_ap_queue_at(m, apqn);
	d = q ? q->drv : APV_DRV_NONE;
	apv_mutex_unlock(&m->mdevs_lock);
	return d;
}

const char *apv_matrix_queue_status(struct apv_matrix *m, apv_apqn_t apqn)
{
	const char *s = NULL;
	struct vfio_ap_queue *q;

	if (!m)
		return NULL;
	apv_mutex_lock(&m->mdevs_lock);
	q = vfio_ap_queue_at(m, apqn);
	if (q && q->drv == APV_DRV_VFIO_AP) {
		if (!q->mdev)
			s = "unassigned";
		else if (q->mdev->vm && vfio_ap_in_shadow(q->mdev, apqn))
			s = "in use";
		else
			s = "assigned";
	}
	apv_mutex_unlock(&m->mdevs_lock);
	return s;
}

/*
 * The kernel's apmask/aqmask syntax: either a whole bitmap ("0x..." or
 * plain hex digits, ID 0 first), or a list of edits "+N", "-N", "+N-M"
 * separated by commas, numbers in C notation (decimal, 0x, 0 octal).
 */
static int edit_mask(const char *s, struct apv_mask *mask)
{
	while (*s) {
		char sign = *s++, *end;
		unsigned long a, z;

		if (sign != '+' && sign != '-')
			return -EINVAL;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		a = z = strtoul(s, &end, 0);
		if (end == s || a >= APV_MASK_BITS)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return -EINVAL;
			z = strtoul(s, &end, 0);
			if (end == s || z < a || z >= APV_MASK_BITS)
				return -EINVAL;
			s = end;
		}
		for (unsigned long i = a; i <= z; i++) {
			if (sign == '+')
				apv_mask_set(mask, (unsigned)i);
			else
				apv_mask_clear(mask, (unsigned)i);
		}
		while (*s == ',' || *s == '\n')
			s++;
	}
	return 0;
}

int apv_bus_store_mask(struct apv_matrix *m, bool adapters, const char *buf, char *why,
		       size_t whylen)
{
	struct apv_mask ap, aq, *target;
	size_t n;
	int rc;

	if (!m || !buf)
		return -EINVAL;
	apv_bus_get_masks(m, &ap, &aq);
	target = adapters ? &ap : &aq;
	if (buf[0] == '+' || buf[0] == '-') {
		rc = edit_mask(buf, target);
	} else {
		n = strlen(buf);
		if (n && buf[n - 1] == '\n')
			n--;
		rc = apv_mask_parse(buf, n, target);
	}
	if (rc)
		return -EINVAL;
	/* A concurrent store may slip in between; the last one wins, as in sysfs. */
	return apv_bus_set_masks(m, &ap, &aq, why, whylen);
}
