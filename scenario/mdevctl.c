/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdevctl JSON for vfio_ap-passthrough devices: import (validate the whole
 * file, then create each device and write its attributes in order, as
 * `mdevctl start` does) and export (`mdevctl list --dumpjson` form).
 *
 * Errors are reported the way an mdevctl user reads them: the file, the
 * JSON position, the device, the attribute, and the kernel's errno.
 */
#include "scenario_internal.h"
#include "json.h"
#include "srctext.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MDEV_TYPE "vfio_ap-passthrough"
#define MAX_DEVS APV_MDEVCTL_MAX_DEVICES

static const char *const known_attrs[] = {
    "assign_adapter",	     "unassign_adapter",	"assign_domain", "unassign_domain",
    "assign_control_domain", "unassign_control_domain", "ap_config",	 NULL};

struct imp {
	const char *fname;
	char *err;
	size_t errlen;
};

struct dev {
	char uuid[40];
	char parent[64];
	bool start_auto;
	const struct apv_json *cfg; /* the definition object */
	const struct apv_json *at;  /* where to point errors about the device */
	bool skipped;
};

static int imp_fail(struct imp *im, const struct apv_json *at, bool at_key, int rc, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
static int imp_fail(struct imp *im, const struct apv_json *at, bool at_key, int rc, const char *fmt,
		    ...)
{
	if (!im->err || !im->errlen)
		return rc;
	unsigned line = at ? (at_key && at->key ? at->key_line : at->line) : 1;
	unsigned col = at ? (at_key && at->key ? at->key_col : at->col) : 1;
	va_list ap;
	va_start(ap, fmt);
	apv_src_vfail(im->err, im->errlen, im->fname, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

static bool uuid_ok(const char *s)
{
	static const int groups[] = {8, 4, 4, 4, 12};
	const char *p = s;
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			      (*p >= 'A' && *p <= 'F')))
				return false;
		if (g < 4 && *p++ != '-')
			return false;
	}
	return *p == '\0';
}

/* The UUID from a file name such as /etc/mdevctl.d/matrix/UUID. */
static const char *uuid_from_fname(const char *fname)
{
	const char *base = strrchr(fname, '/');
	base = base ? base + 1 : fname;
	return uuid_ok(base) ? base : NULL;
}

static int check_def(struct imp *im, struct dev *d, bool in_list)
{
	const struct apv_json *c = d->cfg;
	if (c->type != APV_JSON_OBJECT)
		return imp_fail(im, c, false, -EINVAL,
				"%s: the device definition must be an object, got %s", d->uuid,
				apv_json_type_name(c->type));
	for (const struct apv_json *k = c->child; k; k = k->next) {
		if (strcmp(k->key, "mdev_type") && strcmp(k->key, "start") &&
		    strcmp(k->key, "attrs") && strcmp(k->key, "parent"))
			return imp_fail(im, k, true, -EINVAL,
					"%s: unknown key \"%s\" (expected mdev_type, start, attrs)",
					d->uuid, k->key);
	}
	const struct apv_json *type = apv_json_get(c, "mdev_type");
	if (!type)
		return imp_fail(im, c, false, -EINVAL,
				"%s: missing \"mdev_type\" (it must be \"" MDEV_TYPE "\")",
				d->uuid);
	if (type->type != APV_JSON_STRING)
		return imp_fail(im, type, false, -EINVAL,
				"%s: \"mdev_type\" must be a string, got %s", d->uuid,
				apv_json_type_name(type->type));
	if (strcmp(type->str, MDEV_TYPE) != 0) {
		if (in_list) {
			d->skipped = true;
			return 0;
		}
		return imp_fail(im, type, false, -EINVAL, "%s: mdev_type \"%s\" is not " MDEV_TYPE,
				d->uuid, type->str);
	}
	const struct apv_json *start = apv_json_get(c, "start");
	if (start) {
		if (start->type != APV_JSON_STRING ||
		    (strcmp(start->str, "auto") && strcmp(start->str, "manual")))
			return imp_fail(im, start, false, -EINVAL,
					"%s: \"start\" must be \"auto\" or \"manual\"", d->uuid);
		d->start_auto = strcmp(start->str, "auto") == 0;
	}
	const struct apv_json *parent = apv_json_get(c, "parent");
	if (parent) {
		if (parent->type != APV_JSON_STRING)
			return imp_fail(im, parent, false, -EINVAL,
					"%s: \"parent\" must be a string, got %s", d->uuid,
					apv_json_type_name(parent->type));
		snprintf(d->parent, sizeof(d->parent), "%s", parent->str);
	}
	const struct apv_json *attrs = apv_json_get(c, "attrs");
	if (!attrs)
		return 0;
	if (attrs->type != APV_JSON_ARRAY)
		return imp_fail(im, attrs, false, -EINVAL, "%s: \"attrs\" must be an array, got %s",
				d->uuid, apv_json_type_name(attrs->type));
	unsigned i = 0;
	for (const struct apv_json *a = attrs->child; a; a = a->next, i++) {
		if (a->type != APV_JSON_OBJECT || a->count != 1)
			return imp_fail(
			    im, a, false, -EINVAL,
			    "%s: attrs[%u] must be an object with exactly one attribute, like "
			    "{\"assign_adapter\": \"5\"}",
			    d->uuid, i);
		const struct apv_json *v = a->child;
		bool known = false;
		for (int k = 0; known_attrs[k]; k++)
			known |= strcmp(v->key, known_attrs[k]) == 0;
		if (!known)
			return imp_fail(im, v, true, -EINVAL,
					"%s: attrs[%u]: \"%s\" is not a vfio_ap attribute "
					"(expected assign_adapter, "
					"assign_domain, assign_control_domain, their unassign_ "
					"forms, or ap_config)",
					d->uuid, i, v->key);
		if (v->type != APV_JSON_STRING)
			return imp_fail(
			    im, v, false, -EINVAL,
			    "%s: attrs[%u]: the value of \"%s\" must be a string, got %s", d->uuid,
			    i, v->key, apv_json_type_name(v->type));
	}
	return 0;
}

static int add_dev(struct imp *im, struct dev *devs, size_t *n, const char *uuid,
		   const char *parent, const struct apv_json *cfg, const struct apv_json *at)
{
	if (*n >= MAX_DEVS)
		return imp_fail(im, at, true, -E2BIG, "more than %d devices in one file", MAX_DEVS);
	if (!uuid_ok(uuid))
		return imp_fail(im, at, true, -EINVAL,
				"invalid UUID \"%s\" (expected 8-4-4-4-12 hex digits)", uuid);
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(devs[i].uuid, uuid) == 0)
			return imp_fail(im, at, true, -EEXIST, "device %s is defined twice", uuid);
	struct dev *d = &devs[(*n)++];
	memset(d, 0, sizeof(*d));
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	snprintf(d->parent, sizeof(d->parent), "%s", parent);
	d->cfg = cfg;
	d->at = at;
	return 0;
}

/* Find the devices in any of the three accepted forms. */
static int collect(struct imp *im, const struct apv_json *root, const char *uuid, struct dev *devs,
		   size_t *n)
{
	if (root->type == APV_JSON_OBJECT &&
	    (apv_json_get(root, "mdev_type") || !root->child || apv_json_get(root, "attrs") ||
	     apv_json_get(root, "start"))) {
		if (!uuid)
			uuid = uuid_from_fname(im->fname);
		if (!uuid)
			return imp_fail(im, root, false, -EINVAL,
					"a bare device definition needs a UUID: name the file "
					"after it or give one");
		int rc = add_dev(im, devs, n, uuid, "matrix", root, root);
		return rc ? rc : check_def(im, &devs[0], false);
	}
	if (root->type == APV_JSON_OBJECT) {
		for (const struct apv_json *m = root->child; m; m = m->next) {
			int rc = add_dev(im, devs, n, m->key, "matrix", m, m);
			if (!rc)
				rc = check_def(im, &devs[*n - 1], false);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (root->type != APV_JSON_ARRAY)
		return imp_fail(im, root, false, -EINVAL,
				"expected a device definition object or an `mdevctl list "
				"--dumpjson` array, got %s",
				apv_json_type_name(root->type));
	unsigned pi = 0;
	for (const struct apv_json *pobj = root->child; pobj; pobj = pobj->next, pi++) {
		if (pobj->type != APV_JSON_OBJECT)
			return imp_fail(im, pobj, false, -EINVAL,
					"[%u] must be an object {\"PARENT\": [...]}, got %s", pi,
					apv_json_type_name(pobj->type));
		for (const struct apv_json *par = pobj->child; par; par = par->next) {
			if (par->type != APV_JSON_ARRAY)
				return imp_fail(
				    im, par, false, -EINVAL,
				    "the devices of parent \"%s\" must be an array, got %s",
				    par->key, apv_json_type_name(par->type));
			for (const struct apv_json *e = par->child; e; e = e->next) {
				if (e->type != APV_JSON_OBJECT || e->count != 1)
					return imp_fail(im, e, false, -EINVAL,
							"each device of parent \"%s\" must be an "
							"object {\"UUID\": {...}}",
							par->key);
				int rc = add_dev(im, devs, n, e->child->key, par->key, e->child,
						 e->child);
				if (!rc)
					rc = check_def(im, &devs[*n - 1], true);
				if (rc)
					return rc;
				/* vfio_ap has one parent: the matrix device. */
				if (strcmp(par->key, "matrix") != 0)
					devs[*n - 1].skipped = true;
			}
		}
	}
	return 0;
}

int apv_mdevctl_import(struct apv_matrix *m, const char *json, size_t len, const char *fname,
		       const char *uuid, unsigned flags, struct apv_mdevctl_device *out,
		       size_t nout, char *err, size_t errlen)
{
	if (!m || !json) {
		if (err && errlen)
			snprintf(err, errlen, "%s: no %s to import into", fname ? fname : "<json>",
				 !m ? "matrix device" : "JSON text");
		return -EINVAL;
	}
	struct imp im = {fname ? fname : "<json>", err, errlen};
	if (err && errlen)
		err[0] = '\0';
	struct apv_json *root = apv_json_parse(json, len, im.fname, err, errlen);
	if (!root)
		return -EINVAL;
	struct dev *devs = calloc(MAX_DEVS, sizeof(*devs));
	if (!devs) {
		apv_json_free(root);
		return imp_fail(&im, NULL, false, -ENOMEM, "out of memory");
	}
	size_t n = 0;
	int rc = collect(&im, root, uuid, devs, &n);
	if (rc)
		goto out;
	int created = 0;
	for (size_t i = 0; i < n; i++) {
		struct dev *d = &devs[i];
		struct apv_mdev *mdev = NULL;
		if (i < nout) {
			memset(&out[i], 0, sizeof(out[i]));
			snprintf(out[i].uuid, sizeof(out[i].uuid), "%s", d->uuid);
			snprintf(out[i].parent, sizeof(out[i].parent), "%s", d->parent);
			out[i].start_auto = d->start_auto;
			const struct apv_json *attrs =
			    d->skipped ? NULL : apv_json_get(d->cfg, "attrs");
			out[i].nattrs = attrs ? (unsigned)attrs->count : 0;
			out[i].skipped =
			    d->skipped || ((flags & APV_MDEVCTL_AUTO_ONLY) && !d->start_auto);
		}
		if (d->skipped || ((flags & APV_MDEVCTL_AUTO_ONLY) && !d->start_auto) ||
		    (flags & APV_MDEVCTL_DRY_RUN))
			continue;
		rc = apv_mdev_create(m, d->uuid, &mdev);
		if (rc) {
			char e[96];
			rc = imp_fail(&im, d->at, true, rc, "%s: cannot create the mdev: %s",
				      d->uuid, apv_scn_errno_str(rc, e, sizeof(e)));
			goto out;
		}
		const struct apv_json *attrs = apv_json_get(d->cfg, "attrs");
		unsigned ai = 0;
		for (const struct apv_json *a = attrs ? attrs->child : NULL; a; a = a->next, ai++) {
			const struct apv_json *v = a->child;
			int arc = apv_mdev_store(mdev, v->key, v->str);
			if (arc) {
				char e[96];
				/* mdevctl removes a device whose attributes could not all be
				 * written. */
				apv_mdev_remove(mdev);
				rc = imp_fail(&im, v, false, arc,
					      "%s: attrs[%u]: writing \"%s\" to %s failed: %s",
					      d->uuid, ai, v->str, v->key,
					      apv_scn_errno_str(arc, e, sizeof(e)));
				goto out;
			}
		}
		if (i < nout)
			out[i].mdev = mdev;
		created++;
	}
	rc = created;
out:
	free(devs);
	apv_json_free(root);
	return rc;
}

static void put_attr(FILE *f, bool *first, const char *name, unsigned id)
{
	fprintf(f, "%s\n            {\n              \"%s\": \"%u\"\n            }",
		*first ? "" : ",", name, id);
	*first = false;
}

void apv_mdevctl_export(FILE *f, struct apv_matrix *m)
{
	if (!f || !m)
		return;
	fprintf(f, "[\n  {\n    \"matrix\": [");
	bool firstdev = true;
	for (struct apv_mdev *d = apv_mdev_next(m, NULL); d; d = apv_mdev_next(m, d)) {
		struct apv_mask apm, aqm, adm;
		unsigned id;
		bool first = true;
		apv_mdev_matrix(d, &apm, &aqm, &adm);
		fprintf(f,
			"%s\n      {\n        \"%s\": {\n          \"mdev_type\": \"" MDEV_TYPE
			"\",\n"
			"          \"start\": \"manual\",\n          \"attrs\": [",
			firstdev ? "" : ",", apv_mdev_uuid(d));
		apv_mask_for_each(id, &apm) put_attr(f, &first, "assign_adapter", id);
		apv_mask_for_each(id, &aqm) put_attr(f, &first, "assign_domain", id);
		apv_mask_for_each(id, &adm) put_attr(f, &first, "assign_control_domain", id);
		fprintf(f, "%s]\n        }\n      }", first ? "" : "\n          ");
		firstdev = false;
	}
	fprintf(f, "%s]\n  }\n]\n", firstdev ? "" : "\n    ");
}
