/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Assignment: what the administrator puts into an mdev's matrix, with the
 * kernel's checks in the kernel's order (range, no-op, ownership by the
 * host drivers, sharing with another mdev), and the hot plug that follows.
 *
 * All of it runs under bus_lock (the kernel's ap_perms_mutex) and the
 * update locks of the mdev, so the bus masks and every other mdev's
 * matrix hold still while a change is validated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vfio_ap_priv.h"

/* The first APQN in both a and b, as an APQN; false if none. */
static bool first_common(const struct apv_mask *apm_a, const struct apv_mask *aqm_a,
			 const struct apv_mask *apm_b, const struct apv_mask *aqm_b,
			 apv_apqn_t *out)
{
	struct apv_mask apm, aqm;

	apv_mask_and(&apm, apm_a, apm_b);
	apv_mask_and(&aqm, aqm_a, aqm_b);
	if (apv_mask_empty(&apm) || apv_mask_empty(&aqm))
		return false;
	*out = apv_apqn(apv_mask_next(&apm, 0), apv_mask_next(&aqm, 0));
	return true;
}

/*
 * One warning per APQN that d already holds, on the mdev that asked (the
 * kernel's dev_warn per queue). A refused host reservation (mdev NULL) is
 * logged by the bus instead.
 */
static void log_sharing(struct apv_matrix *m, const struct apv_mdev *mdev, const struct apv_mdev *d,
			const struct apv_mask *apm, const struct apv_mask *aqm)
{
	struct apv_mask capm, caqm;
	unsigned apid, apqi;

	if (!mdev || !apv_log_enabled(m->log, APV_LOG_WARNING))
		return;
	apv_mask_and(&capm, apm, &d->apm);
	apv_mask_and(&caqm, aqm, &d->aqm);
	apv_mask_for_each(apid, &capm)
	{
		apv_mask_for_each(apqi, &caqm)
		{
			apv_log_emit(m->log, APV_LOG_WARNING, VFIO_AP_LOG_MDEV, mdev->uuid,
				     "queue %02x.%04x not assigned: mdev %s has it already", apid,
				     apqi, d->uuid);
		}
	}
}

int vfio_ap_validate(struct apv_matrix *m, const struct apv_mdev *mdev, const struct apv_mask *apm,
		     const struct apv_mask *aqm, char *why, size_t whylen)
{
	apv_apqn_t q;

	if (vfio_ap_owned_by_host(m, apm, aqm)) {
		if (first_common(apm, aqm, &m->apmask, &m->aqmask, &q) && why && whylen)
			snprintf(why, whylen, "queue %02x.%04x is reserved for the host drivers",
				 apv_apqn_apid(q), apv_apqn_apqi(q));
		return -EADDRNOTAVAIL;
	}
	/* Like the kernel, the first mdev that shares a queue ends the check. */
	for (const struct apv_mdev *d = m->mdevs; d; d = d->next) {
		if (d == mdev || !first_common(apm, aqm, &d->apm, &d->aqm, &q))
			continue;
		if (why && whylen)
			snprintf(why, whylen, "queue %02x.%04x is already assigned to mdev %s",
				 apv_apqn_apid(q), apv_apqn_apqi(q), d->uuid);
		log_sharing(m, mdev, d, apm, aqm);
		return -EADDRINUSE;
	}
	return 0;
}

enum which { APM, AQM, ADM };

/*
 * vfio_ap_sync for a change of one ID: the same links and the same shadow,
 * but only the row or column that changed is linked or unlinked, so an
 * assign on a 256 x 256 matrix walks the 65536 APQNs once (the filter),
 * not three times. The shadow is still recomputed from the whole matrix.
 */
static void sync_one(struct apv_mdev *mdev, enum which w, unsigned id, bool assign)
{
	struct apv_mask one, all;

	memset(&one, 0, sizeof(one));
	apv_mask_set(&one, id);
	memset(&all, 0xFF, sizeof(all));
	if (w != ADM && assign)
		vfio_ap_link_part(mdev, w == APM ? &one : &mdev->apm, w == AQM ? &one : &mdev->aqm);
	vfio_ap_update_shadow(mdev, NULL);
	/* After the filter, which resets what left the guest while still linked. */
	if (w != ADM && !assign)
		vfio_ap_unlink_part(mdev, w == APM ? &one : &all, w == AQM ? &one : &all);
}

static int change_id(struct apv_mdev *mdev, enum which w, unsigned long id, bool assign)
{
	struct apv_matrix *m;
	struct apv_mask *mask, next;
	struct apv_vm *vm;
	unsigned long max;
	int rc = 0;

	if (!mdev)
		return -EINVAL;
	m = mdev->m;
	apv_mutex_lock(&m->bus_lock);
	vm = vfio_ap_lock_mdev(mdev);
	max = w == APM ? vfio_ap_apm_max(m) : vfio_ap_aqm_max(m);
	mask = w == APM ? &mdev->apm : w == AQM ? &mdev->aqm : &mdev->adm;
	if (mdev->removing)
		rc = -ENODEV;
	else if (id > max)
		rc = -ENODEV;
	else if (apv_mask_test(mask, (unsigned)id) == assign)
		goto out; /* already so: nothing to do */
	if (rc)
		goto out;
	next = *mask;
	if (assign) {
		apv_mask_set(&next, (unsigned)id);
		/* Control domains are not checked for ownership or sharing. */
		if (w != ADM)
			rc = vfio_ap_validate(m, mdev, w == APM ? &next : &mdev->apm,
					      w == AQM ? &next : &mdev->aqm, NULL, 0);
		if (rc)
			goto out;
	} else {
		apv_mask_clear(&next, (unsigned)id);
	}
	*mask = next;
	sync_one(mdev, w, (unsigned)id, assign);
out:
	vfio_ap_unlock_mdev(mdev, vm);
	apv_mutex_unlock(&m->bus_lock);
	return rc;
}

int apv_mdev_assign_adapter(struct apv_mdev *mdev, unsigned long apid)
{
	return change_id(mdev, APM, apid, true);
}

int apv_mdev_unassign_adapter(struct apv_mdev *mdev, unsigned long apid)
{
	return change_id(mdev, APM, apid, false);
}

int apv_mdev_assign_domain(struct apv_mdev *mdev, unsigned long apqi)
{
	return change_id(mdev, AQM, apqi, true);
}

int apv_mdev_unassign_domain(struct apv_mdev *mdev, unsigned long apqi)
{
	return change_id(mdev, AQM, apqi, false);
}

int apv_mdev_assign_control_domain(struct apv_mdev *mdev, unsigned long id)
{
	return change_id(mdev, ADM, id, true);
}

int apv_mdev_unassign_control_domain(struct apv_mdev *mdev, unsigned long id)
{
	return change_id(mdev, ADM, id, false);
}

/* ---- ap_config ------------------------------------------------------------------ */

/* AP_CONFIG_STRLEN: three 256-bit masks as "0x" + 64 digits and a separator. */
#define AP_CONFIG_STRLEN (3 * (APV_MASK_BITS / 4 + 3))

static int next_mask(char **rest, struct apv_mask *out)
{
	char *tok = strsep(rest, ",\n");

	if (!tok)
		return -EINVAL;
	/* Like ap_hex2bitmap, an empty mask ("" or "0x") is all zeros. */
	if (!strcmp(tok, "") || !strcasecmp(tok, "0x")) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return apv_mask_parse(tok, strlen(tok), out);
}

int vfio_ap_store_ap_config(struct apv_mdev *mdev, const char *buf)
{
	struct apv_mask apm, aqm, adm;
	struct apv_matrix *m = mdev->m;
	char *copy, *rest;
	struct apv_vm *vm;
	int rc;

	/* Longer input is cut, like kstrndup in the kernel. */
	copy = strndup(buf, AP_CONFIG_STRLEN);
	if (!copy)
		return -ENOMEM;
	rest = copy;
	rc = next_mask(&rest, &apm);
	if (!rc)
		rc = next_mask(&rest, &aqm);
	if (!rc)
		rc = next_mask(&rest, &adm);
	free(copy);
	if (rc)
		return -EINVAL; /* the old masks stay */

	apv_mutex_lock(&m->bus_lock);
	vm = vfio_ap_lock_mdev(mdev);
	if (mdev->removing)
		rc = -ENODEV;
	if (!rc)
		rc = vfio_ap_validate(m, mdev, &apm, &aqm, NULL, 0);
	if (!rc && (apv_mask_overflows(&apm, vfio_ap_apm_max(m)) ||
		    apv_mask_overflows(&aqm, vfio_ap_aqm_max(m)) ||
		    apv_mask_overflows(&adm, vfio_ap_aqm_max(m))))
		rc = -ENODEV;
	if (!rc) {
		mdev->apm = apm;
		mdev->aqm = aqm;
		mdev->adm = adm;
		vfio_ap_sync(mdev);
	}
	vfio_ap_unlock_mdev(mdev, vm);
	apv_mutex_unlock(&m->bus_lock);
	return rc;
}
