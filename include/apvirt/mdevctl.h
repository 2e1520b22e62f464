/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the administrator's tools over vfio_ap, for programs that embed
 * the stack without running scenarios (a QEMU device, a management tool):
 *
 * - the mdevctl importer reads the JSON that `mdevctl define --jsonfile`
 *   takes and that `mdevctl list --dumpjson` prints, for
 *   vfio_ap-passthrough devices, and applies the attributes in order
 *   through the kernel-style sysfs interface of vfio_ap; the exporter
 *   writes the `--dumpjson` form;
 * - the listings an administrator reads: lszcrypt for the host, and one
 *   block per mdev as `mdevctl list` shows them.
 *
 * Built into libapvirt with the scenario layer; this header needs nothing
 * of it.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_MDEVCTL_H
#define APVIRT_MDEVCTL_H

#include <apvirt/hw.h>
#include <apvirt/vfio_ap.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- listings ------------------------------------------------------------------- */

/*
 * lszcrypt-style listing of the host: CARD.DOM TYPE MODE STATUS REQUESTS,
 * one line per adapter then per queue; the driver column says which
 * queues vfio_ap holds. m may be NULL (no vfio_ap loaded).
 */
void apv_lszcrypt(FILE *f, struct apv_hw *hw, struct apv_matrix *m);
/* lszcrypt -s: one line per coprocessor card with its serial number. NULL f or hw: nothing. */
void apv_lszcrypt_serial(FILE *f, struct apv_hw *hw);
/*
 * The key registers of every coprocessor queue, as the queue's sysfs
 * `mkvps` shows them (CCA: "AES NEW: empty 0x0000000000000000", ...;
 * EP11: "WK CUR: valid 0x<64 hex>", "WK NEW: empty -"). NULL f or hw: nothing.
 */
void apv_lszcrypt_mkvps(FILE *f, struct apv_hw *hw);
/* One block per mdev: UUID, VM, matrix, guest_matrix, control domains. */
void apv_mdev_list(FILE *f, struct apv_matrix *m);

/* ---- mdevctl JSON ------------------------------------------------------------------ */

enum {
	APV_MDEVCTL_AUTO_ONLY = 1u << 0, /* start only "start": "auto" devices (host boot) */
	APV_MDEVCTL_DRY_RUN = 1u << 1,	 /* validate only: no mdev is created */
};

/* Devices in one file at most (more is an -E2BIG error): size devs[] for all. */
#define APV_MDEVCTL_MAX_DEVICES 256

struct apv_mdevctl_device {
	char uuid[40];
	char parent[64]; /* "matrix" unless the JSON names another parent */
	bool start_auto;
	unsigned nattrs;
	struct apv_mdev *mdev; /* created mdev, NULL for dry runs and skipped devices */
	bool skipped;	       /* manual device with APV_MDEVCTL_AUTO_ONLY */
};

/*
 * Read mdevctl JSON (`len` bytes of `json`, named `fname` in messages).
 * Accepted forms:
 *   {"mdev_type":"vfio_ap-passthrough","start":"auto","attrs":[{"assign_adapter":"5"},...]}
 *     (uuid from `uuid`, e.g. the file name of /etc/mdevctl.d/matrix/UUID)
 *   {"UUID": {...}}
 *   [{"matrix": [{"UUID": {...}}, ...]}, ...]   (mdevctl list --dumpjson)
 * Everything is validated before anything is created. Each device is then
 * created and its attributes written in order; on the first failing
 * attribute that device is removed again (as mdevctl does) and the import
 * stops. Returns the number of devices created, or a negative errno with
 * "FILE:LINE:COL: ..." in err (JSON errors, schema errors, and the
 * kernel-style error of a failing attribute with the device and attribute
 * named). devs (may be NULL) receives up to ndevs device descriptions.
 */
int apv_mdevctl_import(struct apv_matrix *m, const char *json, size_t len, const char *fname,
		       const char *uuid, unsigned flags, struct apv_mdevctl_device *devs,
		       size_t ndevs, char *err, size_t errlen);

/* Write the mdevs of m in `mdevctl list --dumpjson` form. */
void apv_mdevctl_export(FILE *f, struct apv_matrix *m);

#ifdef __cplusplus
}
#endif
#endif
