/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — vfio_ap mediation: the AP bus view of the host hardware, the
 * single matrix device, its mdevs (assignment, filtering into the shadow
 * APCB, hot plug), attaching an mdev to a VM (the VFIO device's open and
 * close), the PQAP(AQIC) hook, queue reset, and notifications.
 *
 * Administrator errors are negative errno values, as the kernel's sysfs
 * attributes return them: -EINVAL (unparsable), -ENODEV (ID out of range),
 * -EADDRNOTAVAIL (queue reserved for host drivers), -EADDRINUSE (another
 * mdev has it), -EPERM (second mdev for one VM), -EBUSY (bus mask change
 * would take queues from an mdev).
 *
 * Locks: guests_lock -> VM lock -> mdevs_lock; the hook handler takes only
 * mdevs_lock; the hook rw lock is never taken while holding any of them.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_VFIO_AP_H
#define APVIRT_VFIO_AP_H

#include <apvirt/arch.h>
#include <apvirt/base.h>
#include <apvirt/hw.h>
#include <apvirt/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct apv_matrix; /* the matrix device and the AP bus view */
struct apv_mdev;

/* ---- matrix device and AP bus ---------------------------------------------- */

/*
 * Scans the host (QCI + TAPQ), binds queues per the bus masks. The host
 * has one vfio_ap: NULL if k is NULL or already has a matrix device (two
 * would hand one queue to two VMs). apv_kvm_free refuses while it lives.
 */
struct apv_matrix *apv_matrix_new(struct apv_kvm *k);
/* Module unload: removes every mdev (tearing down attached ones) and frees. */
void apv_matrix_free(struct apv_matrix *m);

/*
 * /sys/bus/ap/apmask and aqmask: a queue whose APID bit AND APQI bit are
 * both set stays with the host's default drivers; clearing either bit
 * gives it to vfio_ap (types 10-14 only). Changing them in a way that would
 * take queues away from an mdev is refused with -EBUSY (the in_use check);
 * *why may receive a message naming the queue and mdev.
 */
int apv_bus_set_masks(struct apv_matrix *m, const struct apv_mask *apmask,
		      const struct apv_mask *aqmask, char *why, size_t whylen);
void apv_bus_get_masks(struct apv_matrix *m, struct apv_mask *apmask, struct apv_mask *aqmask);
/* The kernel's apmask/aqmask syntax: "0x..." bitmap, or "+N,-M" edits. */
int apv_bus_store_mask(struct apv_matrix *m, bool adapters, const char *buf, char *why,
		       size_t whylen);
/*
 * Re-read the host configuration (QCI) after adapters/domains were
 * configured or deconfigured in the hardware: remove queues that are gone,
 * probe new ones, run on_config_changed and on_scan_complete.
 */
void apv_bus_rescan(struct apv_matrix *m);

enum apv_queue_driver {
	APV_DRV_NONE = 0, /* no such queue on the bus, or no driver bound to it */
	APV_DRV_HOST,     /* bound to the default (zcrypt) driver */
	APV_DRV_VFIO_AP,  /* bound to vfio_ap */
};
enum apv_queue_driver apv_bus_queue_driver(struct apv_matrix *m, apv_apqn_t apqn);
/*
 * One queue device's sysfs bind/unbind (/sys/bus/ap/drivers/DRIVER/bind).
 * unbind: -ENODEV unless the queue is bound to drv (APV_DRV_NONE: to any
 * driver). Unbinding from vfio_ap a queue that is in a guest takes its
 * whole adapter out of the guest (the APCB cannot hide one APQN) and
 * resets that adapter's queues, which frees their interrupt resources;
 * then the queue is unlinked. It stays without a driver until bind, or
 * until a bus mask change moves it across the reservation.
 * bind: -EBUSY if the queue has a driver, -ENODEV if the bus masks reserve
 * it for the other side (or vfio_ap cannot drive its type); binding to
 * vfio_ap links it to the mdev that has it assigned and plugs what the
 * filter allows into an attached guest.
 */
int apv_bus_unbind(struct apv_matrix *m, apv_apqn_t apqn, enum apv_queue_driver drv);
int apv_bus_bind(struct apv_matrix *m, apv_apqn_t apqn, enum apv_queue_driver drv);
/* vfio_ap queue sysfs status: "in use", "assigned", "unassigned", or NULL if not bound. */
const char *apv_matrix_queue_status(struct apv_matrix *m, apv_apqn_t apqn);
/* matrix device "features" attribute. */
const char *apv_matrix_features(void);

/* ---- mdevs ------------------------------------------------------------------- */

/* uuid in the 8-4-4-4-12 hex form. -EINVAL bad uuid, -EEXIST duplicate. */
int apv_mdev_create(struct apv_matrix *m, const char *uuid, struct apv_mdev **out);
/*
 * Remove. An attached mdev first gets a request notification (eventfd /
 * callback); if user space does not release it, the teardown is forced.
 */
int apv_mdev_remove(struct apv_mdev *mdev);
struct apv_mdev *apv_mdev_find(struct apv_matrix *m, const char *uuid);
const char *apv_mdev_uuid(const struct apv_mdev *mdev);
/* Iterate: first with NULL; NULL at the end. Not safe against concurrent removal. */
struct apv_mdev *apv_mdev_next(struct apv_matrix *m, struct apv_mdev *prev);

/*
 * sysfs-style attributes, with the kernel's names, input syntax (decimal or
 * 0x-hex) and output formats: assign_adapter, unassign_adapter,
 * assign_domain, unassign_domain, assign_control_domain,
 * unassign_control_domain, ap_config (store), and for show: matrix,
 * guest_matrix, control_domains, ap_config.
 * store returns 0 or -errno; show returns the length written or -errno
 * (-ERANGE: buf too small for the whole value). An unknown attribute is
 * -ENOENT, a store to a read-only one (or show of a write-only one) -EACCES.
 */
int apv_mdev_store(struct apv_mdev *mdev, const char *attr, const char *buf);
int apv_mdev_show(struct apv_mdev *mdev, const char *attr, char *buf, size_t len);

/* Typed forms of the same operations. */
int apv_mdev_assign_adapter(struct apv_mdev *mdev, unsigned long apid);
int apv_mdev_unassign_adapter(struct apv_mdev *mdev, unsigned long apid);
int apv_mdev_assign_domain(struct apv_mdev *mdev, unsigned long apqi);
int apv_mdev_unassign_domain(struct apv_mdev *mdev, unsigned long apqi);
int apv_mdev_assign_control_domain(struct apv_mdev *mdev, unsigned long id);
int apv_mdev_unassign_control_domain(struct apv_mdev *mdev, unsigned long id);

/* What the administrator assigned, and what the guest gets (shadow APCB). */
void apv_mdev_matrix(struct apv_mdev *mdev, struct apv_mask *apm, struct apv_mask *aqm,
		     struct apv_mask *adm);
void apv_mdev_shadow(struct apv_mdev *mdev, struct apv_mask *apm, struct apv_mask *aqm,
		     struct apv_mask *adm);

/* ---- attach / detach (VFIO open_device / close_device) ------------------------- */

/*
 * -EPERM if another mdev (or any other PQAP hook) already has vm; -EBUSY if
 * this one is attached; -ENODEV while it is being removed; -EINVAL for a
 * VM of another host.
 */
int apv_mdev_attach(struct apv_mdev *mdev, struct apv_vm *vm);
/* Idempotent teardown: hook, masks, queue resets, IRQ resources, VM reference. */
void apv_mdev_detach(struct apv_mdev *mdev);
struct apv_vm *apv_mdev_vm(const struct apv_mdev *mdev);

/* VFIO device ioctls. */
#define APV_VFIO_DEVICE_FLAGS_AP (1u << 5)
#define APV_VFIO_DEVICE_FLAGS_RESET (1u << 0)
#define APV_VFIO_IRQ_INFO_EVENTFD (1u << 0)
enum { APV_VFIO_AP_REQ_IRQ_INDEX = 0, APV_VFIO_AP_CFG_CHG_IRQ_INDEX = 1, APV_VFIO_AP_NUM_IRQS = 2 };
struct apv_vfio_device_info {
	uint32_t flags, num_regions, num_irqs;
};
struct apv_vfio_irq_info {
	uint32_t index, flags, count;
};
void apv_mdev_get_info(struct apv_mdev *mdev, struct apv_vfio_device_info *out);
int apv_mdev_get_irq_info(struct apv_mdev *mdev, unsigned index, struct apv_vfio_irq_info *out);
/*
 * SET_IRQS (DATA_EVENTFD | ACTION_TRIGGER): fd >= 0 installs the trigger
 * (an eventfd that gets +1 per notification), fd == -1 clears it.
 * -EINVAL for another index or a bad fd.
 */
int apv_mdev_set_irqs(struct apv_mdev *mdev, unsigned index, int fd);
/* In-process user space (QEMU, scenarios): called on a request notification. */
void apv_mdev_set_request_handler(struct apv_mdev *mdev, void (*fn)(void *ctx, struct apv_mdev *),
				  void *ctx);
/*
 * VFIO_DEVICE_RESET: reset every queue of the mdev (which frees their
 * interrupt resources); the mdev stays attached. 0 or -EIO.
 */
int apv_mdev_reset(struct apv_mdev *mdev);
/* DMA unmap of [iova, iova+len): queues whose saved NIB lies inside get their IRQs disabled. */
void apv_mdev_dma_unmap(struct apv_mdev *mdev, uint64_t iova, uint64_t len);

/* ---- observation -------------------------------------------------------------- */

struct apv_mdev_queue_info {
	bool linked;      /* assigned and bound to vfio_ap */
	bool in_shadow;   /* visible to the guest */
	uint64_t saved_nib; /* guest NIB address, 0 if none */
	int saved_isc;      /* guest ISC, -1 if none */
	uint32_t reset_status;
};
int apv_mdev_queue_info(struct apv_mdev *mdev, apv_apqn_t apqn, struct apv_mdev_queue_info *out);

struct apv_matrix_stats {
	uint64_t aqic_enable, aqic_disable; /* hook calls by kind */
	uint64_t resets;                    /* ZAPQs issued */
	uint64_t req_notifications, cfg_notifications;
};
void apv_matrix_stats(struct apv_matrix *m, struct apv_matrix_stats *out);

/*
 * Invariants (aqic-design-history section 3): every saved NIB is one pin,
 * every saved ISC one registration, one VM reference per attached mdev,
 * hook published iff attached, each queue linked at most once, shadow
 * within matrix and host configuration. 0 or -EINVAL with a sentence.
 */
int apv_matrix_check(struct apv_matrix *m, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
