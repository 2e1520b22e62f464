/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The invariant checker of this layer (aqic-design-history section 3):
 * run it whenever no administrator operation is in flight, e.g. after
 * every scenario step and at teardown. It reports the first broken rule
 * as a sentence.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "vfio_ap_priv.h"

struct ck {
	char *err;
	size_t len;
	int rc;
};

__attribute__((format(printf, 2, 3))) static void fail(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	if (c->rc)
		return;
	c->rc = -EINVAL;
	if (!c->err || !c->len)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->len, fmt, ap);
	va_end(ap);
}

static bool in_matrix(const struct apv_mdev *d, apv_apqn_t apqn)
{
	return apv_mask_test(&d->apm, apv_apqn_apid(apqn)) &&
	       apv_mask_test(&d->aqm, apv_apqn_apqi(apqn));
}

static bool subset(const struct apv_mask *a, const struct apv_mask *b)
{
	struct apv_mask x;

	apv_mask_andnot(&x, a, b);
	return apv_mask_empty(&x);
}

/*
 * Every check below is linear: in the queues (65536 slots), the mdevs and
 * the cells of their matrices. No pair of mdevs is compared: the owner map
 * m->check_owner (APQN -> mdev) finds a queue in two matrices, and sorted
 * claims find a VM owned twice.
 */

static void check_queue(struct ck *c, struct apv_matrix *m, struct vfio_ap_queue *q, long *nibs,
			long *iscs)
{
	unsigned apid = apv_apqn_apid(q->apqn), apqi = apv_apqn_apqi(q->apqn);
	struct apv_mdev *d = q->mdev, *o = m->check_owner[q->apqn];

	if (q->drv != (q->unbound ? APV_DRV_NONE : vfio_ap_driver_for(m, q)))
		fail(c, "queue %02x.%04x is bound to the wrong driver for the bus masks", apid,
		     apqi);
	if (!vfio_ap_in_host_config(m, q->apqn))
		fail(c, "queue device %02x.%04x exists outside the host configuration", apid, apqi);
	if (d && (q->drv != APV_DRV_VFIO_AP || !in_matrix(d, q->apqn)))
		fail(c, "queue %02x.%04x is linked to mdev %s without being bound and assigned",
		     apid, apqi, d->uuid);
	if (!d && o && q->drv == APV_DRV_VFIO_AP)
		fail(c, "queue %02x.%04x is bound and assigned to %s but not linked", apid, apqi,
		     o->uuid);
	if (q->saved_nib) {
		++*nibs;
		if (!d || !d->vm || q->irq_vm != d->vm || !vfio_ap_in_shadow(d, q->apqn))
			fail(c, "queue %02x.%04x holds a NIB pin outside an attached guest", apid,
			     apqi);
	}
	if (q->saved_isc >= 0) {
		++*iscs;
		if (q->saved_isc > APV_MAX_ISC || !q->saved_nib)
			fail(c, "queue %02x.%04x holds guest ISC %d without a NIB", apid, apqi,
			     q->saved_isc);
	}
}

/* Enter d's cells in the owner map; a cell already taken is a queue in two matrices. */
static void map_mdev(struct ck *c, struct apv_matrix *m, struct apv_mdev *d)
{
	unsigned apid, apqi;

	apv_mask_for_each(apid, &d->apm)
	{
		apv_mask_for_each(apqi, &d->aqm)
		{
			apv_apqn_t q = apv_apqn(apid, apqi);
			struct apv_mdev *o = m->check_owner[q];

			if (o && o != d) {
				fail(c, "mdevs %s and %s share a queue", o->uuid, d->uuid);
				return;
			}
			m->check_owner[q] = d;
		}
	}
}

/* Leave the map empty for the next check: clear exactly the cells map_mdev set. */
static void unmap_mdev(struct apv_matrix *m, struct apv_mdev *d)
{
	unsigned apid, apqi;

	apv_mask_for_each(apid, &d->apm)
	{
		apv_mask_for_each(apqi, &d->aqm)
			m->check_owner[apv_apqn(apid, apqi)] = NULL;
	}
}

static void check_mdev(struct ck *c, struct apv_matrix *m, struct apv_mdev *d, long *claims)
{
	unsigned n = 0, apid, apqi;

	for (struct vfio_ap_queue *q = d->linked; q; q = q->lnext, n++)
		if (q->mdev != d || vfio_ap_queue_at(m, q->apqn) != q)
			fail(c, "mdev %s lists a queue it is not linked to", d->uuid);
	if (n != d->nlinked)
		fail(c, "mdev %s counts %u links but lists %u", d->uuid, d->nlinked, n);
	if (!subset(&d->sapm, &d->apm) || !subset(&d->sapm, &m->info.apm) ||
	    !subset(&d->saqm, &d->aqm) || !subset(&d->saqm, &m->info.aqm) ||
	    !subset(&d->sadm, &d->adm) || !subset(&d->sadm, &m->info.adm))
		fail(c, "mdev %s: the shadow APCB is not within matrix and host configuration",
		     d->uuid);
	apv_mask_for_each(apid, &d->sapm)
	{
		apv_mask_for_each(apqi, &d->saqm)
		{
			struct vfio_ap_queue *q = vfio_ap_queue_at(m, apv_apqn(apid, apqi));

			if (!q || q->mdev != d || !vfio_ap_queue_passable(q))
				fail(c, "mdev %s gives the guest %02x.%04x, which is not usable",
				     d->uuid, apid, apqi);
		}
	}
	if (vfio_ap_owned_by_host(m, &d->apm, &d->aqm))
		fail(c, "mdev %s has a queue reserved for the host drivers", d->uuid);
	if (d->vm && d->vm != d->claim)
		fail(c, "mdev %s is attached to a VM it does not own", d->uuid);
	if (d->claim) {
		++*claims;
		if (apv_vm_pqap_hook(d->claim) != &d->hook)
			fail(c, "mdev %s owns a VM whose PQAP hook is not its own", d->uuid);
	}
}

static int by_claim(const void *a, const void *b)
{
	const struct apv_mdev *x = *(const struct apv_mdev *const *)a;
	const struct apv_mdev *y = *(const struct apv_mdev *const *)b;
	uintptr_t p = (uintptr_t)x->claim, q = (uintptr_t)y->claim;

	return p < q ? -1 : p > q;
}

/* Two mdevs owning one VM: the claims sorted, neighbours compared. */
static void check_claims(struct ck *c, struct apv_matrix *m)
{
	struct apv_mdev **v;
	long n = 0, nclaims = 0;

	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		nclaims += d->claim != NULL;
	if (nclaims < 2)
		return;
	v = malloc((size_t)nclaims * sizeof(*v));
	if (!v) {
		fail(c, "out of memory while checking the VM owners");
		return;
	}
	for (struct apv_mdev *d = m->mdevs; d && n < nclaims; d = d->next)
		if (d->claim)
			v[n++] = d;
	qsort(v, (size_t)n, sizeof(*v), by_claim);
	for (long i = 1; i < n; i++)
		if (v[i]->claim == v[i - 1]->claim)
			fail(c, "mdevs %s and %s both own one VM", v[i - 1]->uuid, v[i]->uuid);
	free(v);
}

int apv_matrix_check(struct apv_matrix *m, char *err, size_t errlen)
{
	struct ck c = {err, errlen, 0};
	long nibs = 0, iscs = 0, claims = 0;
	struct vfio_ap_queue *q;
	struct apv_balance b;
	unsigned pos;

	if (err && errlen)
		err[0] = '\0';
	if (!m)
		return -EINVAL;
	apv_mutex_lock(&m->guests_lock);
	apv_mutex_lock(&m->mdevs_lock);
	/* The owner map is made once, at the first check, and left all NULL after each. */
	if (!m->check_owner)
		m->check_owner = calloc((size_t)APV_MASK_BITS * APV_MASK_BITS, sizeof(*m->check_owner));
	if (!m->check_owner) {
		apv_mutex_unlock(&m->mdevs_lock);
		apv_mutex_unlock(&m->guests_lock);
		fail(&c, "out of memory for the owner map of the check");
		return -ENOMEM;
	}
	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		map_mdev(&c, m, d);
	vfio_ap_for_each_queue(m, pos, q)
		check_queue(&c, m, q, &nibs, &iscs);
	check_claims(&c, m);
	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		check_mdev(&c, m, d, &claims);
	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		unmap_mdev(m, d);
	/*
	 * vfio_ap is the only user of NIB pins, guest ISCs and PQAP hooks, and
	 * pins and ISCs change only under mdevs_lock, so the count is exact here.
	 */
	apv_account_balance(apv_kvm_account(m->kvm), &b);
	apv_mutex_unlock(&m->mdevs_lock);
	apv_mutex_unlock(&m->guests_lock);
	if (b.pins != nibs)
		fail(&c, "the account holds %ld NIB pins, the queues %ld", b.pins, nibs);
	if (b.isc_regs != iscs)
		fail(&c, "the account holds %ld guest ISC registrations, the queues %ld",
		     b.isc_regs, iscs);
	if (b.hooks != claims)
		fail(&c, "the account holds %ld published hooks, %ld mdevs own a VM", b.hooks,
		     claims);
	if (b.vm_refs < claims)
		fail(&c, "the account holds %ld VM references, %ld mdevs own a VM", b.vm_refs,
		     claims);
	return c.rc;
}
