/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mdev's sysfs attributes by name, with the kernel's input syntax and
 * output formats, so that scripts written for /sys/devices/vfio_ap/matrix
 * work against apvirt unchanged.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vfio_ap_priv.h"

/*
 * kstrtoul(buf, 0): optional '+', "0x" hex (only when a hex digit
 * follows), leading "0" octal, else decimal; one trailing newline.
 * -EINVAL for anything else, -ERANGE on overflow.
 */
int vfio_ap_parse_ulong(const char *buf, unsigned long *out)
{
	const char *s = buf;
	unsigned long v = 0;
	unsigned base = 10;
	bool any = false, over = false;

	if (!s)
		return -EINVAL;
	if (*s == '+')
		s++;
	if (s[0] == '0') {
		base = 8;
		if ((s[1] == 'x' || s[1] == 'X') && strchr("0123456789abcdefABCDEF", s[2]) &&
		    s[2]) {
			base = 16;
			s += 2;
		}
	}
	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (d >= base)
			break;
		if (v > (ULONG_MAX - d) / base)
			over = true;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return -EINVAL;
	if (over)
		return -ERANGE;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---- show ----------------------------------------------------------------------- */

struct out {
	char *buf;
	size_t len, pos;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->full = true;
		return;
	}
	o->pos += (size_t)n;
}

/* matrix / guest_matrix: "aa.dddd", "aa." or ".dddd" lines, within the limits. */
static void show_matrix(struct out *o, const struct apv_mask *apm, const struct apv_mask *aqm,
			unsigned apm_max, unsigned aqm_max)
{
	unsigned apid = apv_mask_next(apm, 0), apqi = apv_mask_next(aqm, 0);
	bool have_ap = apid <= apm_max, have_aq = apqi <= aqm_max;

	if (have_ap && have_aq) {
		for (; apid <= apm_max; apid = apv_mask_next(apm, apid + 1))
			for (apqi = apv_mask_next(aqm, 0); apqi <= aqm_max;
			     apqi = apv_mask_next(aqm, apqi + 1))
				put(o, "%02x.%04x\n", apid, apqi);
	} else if (have_ap) {
		for (; apid <= apm_max; apid = apv_mask_next(apm, apid + 1))
			put(o, "%02x.\n", apid);
	} else if (have_aq) {
		for (; apqi <= aqm_max; apqi = apv_mask_next(aqm, apqi + 1))
			put(o, ".%04x\n", apqi);
	}
}

int apv_mdev_show(struct apv_mdev *mdev, const char *attr, char *buf, size_t len)
{
	struct out o = {buf, len, 0, false};
	struct apv_matrix *m;
	int rc = 0;

	if (!mdev || !attr || !buf || !len)
		return -EINVAL;
	m = mdev->m;
	buf[0] = '\0';
	apv_mutex_lock(&m->mdevs_lock);
	unsigned apm_max = vfio_ap_apm_max(m), aqm_max = vfio_ap_aqm_max(m);

	if (!strcmp(attr, "matrix")) {
		show_matrix(&o, &mdev->apm, &mdev->aqm, apm_max, aqm_max);
	} else if (!strcmp(attr, "guest_matrix")) {
		show_matrix(&o, &mdev->sapm, &mdev->saqm, apm_max, aqm_max);
	} else if (!strcmp(attr, "control_domains")) {
		unsigned id;

		apv_mask_for_each(id, &mdev->adm)
		{
			if (id > aqm_max)
				break;
			put(&o, "%04x\n", id);
		}
	} else if (!strcmp(attr, "ap_config")) {
		char a[67], q[67], d[67];

		put(&o, "%s,%s,%s\n", apv_mask_format(&mdev->apm, a, sizeof(a)),
		    apv_mask_format(&mdev->aqm, q, sizeof(q)),
		    apv_mask_format(&mdev->adm, d, sizeof(d)));
	} else if (vfio_ap_attr_is_store(attr)) {
		rc = -EACCES; /* write-only */
	} else {
		rc = -ENOENT;
	}
	apv_mutex_unlock(&m->mdevs_lock);
	if (rc)
		return rc;
	if (o.full) {
		buf[0] = '\0';
		return -ERANGE; /* the caller's buffer is too small for the whole value */
	}
	return (int)o.pos;
}

/* ---- store ------------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(struct apv_mdev *, unsigned long);
} id_attrs[] = {
    {"assign_adapter", apv_mdev_assign_adapter},
    {"unassign_adapter", apv_mdev_unassign_adapter},
    {"assign_domain", apv_mdev_assign_domain},
    {"unassign_domain", apv_mdev_unassign_domain},
    {"assign_control_domain", apv_mdev_assign_control_domain},
    {"unassign_control_domain", apv_mdev_unassign_control_domain},
};

bool vfio_ap_attr_is_store(const char *attr)
{
	for (size_t i = 0; i < sizeof(id_attrs) / sizeof(id_attrs[0]); i++)
		if (!strcmp(attr, id_attrs[i].name))
			return true;
	return false;
}

int apv_mdev_store(struct apv_mdev *mdev, const char *attr, const char *buf)
{
	if (!mdev || !attr || !buf)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(id_attrs) / sizeof(id_attrs[0]); i++) {
		unsigned long id;
		int rc;

		if (strcmp(attr, id_attrs[i].name))
			continue;
		rc = vfio_ap_parse_ulong(buf, &id);
		return rc ? rc : id_attrs[i].fn(mdev, id);
	}
	if (!strcmp(attr, "ap_config"))
		return vfio_ap_store_ap_config(mdev, buf);
	if (!strcmp(attr, "matrix") || !strcmp(attr, "guest_matrix") ||
	    !strcmp(attr, "control_domains"))
		return -EACCES; /* read-only */
	return -ENOENT;
}
