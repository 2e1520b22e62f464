/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdev life cycle (create, remove), lookup, and the read-only views of an
 * mdev: its matrix, its shadow APCB, one queue's state.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vfio_ap_priv.h"

static bool uuid_valid(const char *u)
{
	if (!u || strlen(u) != VFIO_AP_UUID_LEN)
		return false;
	for (unsigned i = 0; i < VFIO_AP_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !isxdigit((unsigned char)u[i]))
			return false;
	}
	return true;
}

static struct apv_mdev *find_locked(struct apv_matrix *m, const char *uuid)
{
	for (struct apv_mdev *d = m->mdevs; d; d = d->next)
		if (!strcasecmp(d->uuid, uuid))
			return d;
	return NULL;
}

int apv_mdev_create(struct apv_matrix *m, const char *uuid, struct apv_mdev **out)
{
	struct apv_mdev *d, **tail;

	if (out)
		*out = NULL;
	if (!m || !uuid_valid(uuid))
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->m = m;
	d->hook.fn = vfio_ap_handle_pqap;
	for (unsigned i = 0; i < VFIO_AP_UUID_LEN; i++)
		d->uuid[i] = (char)tolower((unsigned char)uuid[i]);
	d->req_fd = d->cfg_fd = -1;
	apv_mutex_init(&d->open_lock, APV_LOCK_MDEV_OPEN);

	apv_mutex_lock(&m->guests_lock);
	apv_mutex_lock(&m->mdevs_lock);
	if (find_locked(m, uuid)) {
		apv_mutex_unlock(&m->mdevs_lock);
		apv_mutex_unlock(&m->guests_lock);
		apv_mutex_destroy(&d->open_lock);
		free(d);
		return -EEXIST;
	}
	for (tail = &m->mdevs; *tail; tail = &(*tail)->next)
		;
	*tail = d;
	apv_mutex_unlock(&m->mdevs_lock);
	apv_mutex_unlock(&m->guests_lock);
	if (out)
		*out = d;
	return 0;
}

int apv_mdev_remove(struct apv_mdev *mdev)
{
	struct apv_matrix *m;
	struct apv_mdev **pp;
	struct apv_vm *vm;
	bool attached;

	if (!mdev)
		return -EINVAL;
	m = mdev->m;
	vm = vfio_ap_lock_mdev(mdev);
	if (mdev->removing) {
		vfio_ap_unlock_mdev(mdev, vm);
		return -ENODEV;
	}
	/* From here on no attach and no assignment touches this mdev. */
	mdev->removing = true;
	attached = mdev->vm != NULL;
	vfio_ap_unlock_mdev(mdev, vm);

	/* Ask user space to let go; whatever it does, the teardown follows. */
	if (attached)
		vfio_ap_request(mdev);
	apv_mdev_detach(mdev);

	apv_mutex_lock(&m->guests_lock);
	apv_mutex_lock(&m->mdevs_lock);
	vfio_ap_reset_linked(mdev);
	while (mdev->linked)
		vfio_ap_unlink(mdev->linked);
	for (pp = &m->mdevs; *pp && *pp != mdev; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = mdev->next;
	apv_mutex_unlock(&m->mdevs_lock);
	apv_mutex_unlock(&m->guests_lock);

	if (mdev->req_fd >= 0)
		close(mdev->req_fd);
	if (mdev->cfg_fd >= 0)
		close(mdev->cfg_fd);
	apv_mutex_destroy(&mdev->open_lock);
	free(mdev);
	return 0;
}

struct apv_mdev *apv_mdev_find(struct apv_matrix *m, const char *uuid)
{
	struct apv_mdev *d;

	if (!m || !uuid)
		return NULL;
	apv_mutex_lock(&m->mdevs_lock);
	d = find_locked(m, uuid);
	apv_mutex_unlock(&m->mdevs_lock);
	return d;
}

const char *apv_mdev_uuid(const struct apv_mdev *mdev)
{
	return mdev ? mdev->uuid : NULL;
}

struct apv_mdev *apv_mdev_next(struct apv_matrix *m, struct apv_mdev *prev)
{
	struct apv_mdev *d;

	if (!m)
		return NULL;
	apv_mutex_lock(&m->mdevs_lock);
	d = prev ? prev->next : m->mdevs;
	apv_mutex_unlock(&m->mdevs_lock);
	return d;
}

void apv_mdev_matrix(struct apv_mdev *mdev, struct apv_mask *apm, struct apv_mask *aqm,
		     struct apv_mask *adm)
{
	if (!mdev)
		return;
	apv_mutex_lock(&mdev->m->mdevs_lock);
	if (apm)
		*apm = mdev->apm;
	if (aqm)
		*aqm = mdev->aqm;
	if (adm)
		*adm = mdev->adm;
	apv_mutex_unlock(&mdev->m->mdevs_lock);
}

void apv_mdev_shadow(struct apv_mdev *mdev, struct apv_mask *apm, struct apv_mask *aqm,
		     struct apv_mask *adm)
{
	if (!mdev)
		return;
	apv_mutex_lock(&mdev->m->mdevs_lock);
	if (apm)
		*apm = mdev->sapm;
	if (aqm)
		*aqm = mdev->saqm;
	if (adm)
		*adm = mdev->sadm;
	apv_mutex_unlock(&mdev->m->mdevs_lock);
}

struct apv_vm *apv_mdev_vm(const struct apv_mdev *mdev)
{
	struct apv_vm *vm;

	if (!mdev)
		return NULL;
	apv_mutex_lock(&mdev->m->mdevs_lock);
	vm = mdev->vm;
	apv_mutex_unlock(&mdev->m->mdevs_lock);
	return vm;
}

int apv_mdev_queue_info(struct apv_mdev *mdev, apv_apqn_t apqn, struct apv_mdev_queue_info *out)
{
	struct vfio_ap_queue *q;

	if (!mdev || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->saved_isc = -1;
	apv_mutex_lock(&mdev->m->mdevs_lock);
	q = vfio_ap_queue_at(mdev->m, apqn);
	if (q) {
		out->linked = q->mdev == mdev;
		out->in_shadow = vfio_ap_in_shadow(mdev, apqn);
		if (out->linked) {
			out->saved_nib = q->saved_nib;
			out->saved_isc = q->saved_isc;
		}
		out->reset_status = q->reset_status;
	}
	apv_mutex_unlock(&mdev->m->mdevs_lock);
	return q ? 0 : -ENODEV;
}
