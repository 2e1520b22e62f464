/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — vfio_ap internals shared by the files of vfio_ap/.
 *
 * Locks (docs/locking.md has the full story):
 *  - mdev->open_lock: serialises attach and detach of one mdev, the way
 *    VFIO serialises open_device/close_device. Outermost; the hook write
 *    lock is taken under it.
 *  - m->bus_lock: the kernel's ap_perms_mutex plus the bus scan lock.
 *    Taken before guests_lock by everything that changes assignments, the
 *    bus masks or the queue devices. Never taken by attach/detach or the
 *    PQAP handler.
 *  - m->guests_lock -> vm lock -> m->mdevs_lock: the stack-wide order.
 *
 * Who may read what:
 *  - the mdev list: written with guests_lock and mdevs_lock held, read
 *    under either;
 *  - mdev->vm: written with guests_lock, the VM lock and mdevs_lock held,
 *    read under guests_lock (to plug) or mdevs_lock (handler);
 *  - mdev->claim: written under the same three plus open_lock;
 *  - everything else of an mdev and every queue: mdevs_lock;
 *  - the queue table (m->rows, qapm/qaqm and their counts), m->info,
 *    the bus masks: written with bus_lock and
 *    mdevs_lock held, read under either.
 */
#ifndef APV_VFIO_AP_PRIV_H
#define APV_VFIO_AP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "apvirt/vfio_ap.h"

#define VFIO_AP_UUID_LEN 36
/*
 * The kernel's AP_RESET_INTERVAL and AQIC retry spacing (msleep(20)): here
 * the longest gap between two looks at a queue, and the unit of the
 * AQIC waits' budgets. The looks start VFIO_AP_POLL_MIN_NS apart and the
 * gap grows with the time already waited (vfio_ap_poll_gap).
 */
#define VFIO_AP_WAIT_NS (20 * APV_NSEC_PER_MSEC)
#define VFIO_AP_POLL_MIN_NS (5 * APV_NSEC_PER_USEC)
#define VFIO_AP_POLL_GROWTH_SHIFT 4
#define VFIO_AP_AQIC_TRIES 6
#define VFIO_AP_IRQCLEAR_TRIES 5
/* The I-bit wait lasts until the kernel's last of its 5 looks 20 ms apart. */
#define VFIO_AP_IRQCLEAR_BUDGET_NS ((VFIO_AP_IRQCLEAR_TRIES - 1) * VFIO_AP_WAIT_NS)
#define VFIO_AP_PAGE_SIZE UINT64_C(4096)

/* Log subsystems: the driver's own messages, and those about one mdev (dev_*). */
#define VFIO_AP_LOG "vfio_ap"
#define VFIO_AP_LOG_MDEV "vfio_ap_mdev"
/* An APQN as the kernel prints it: printf("%02x.%04x", VFIO_AP_QID(apqn)). */
#define VFIO_AP_QID(apqn) apv_apqn_apid(apqn), apv_apqn_apqi(apqn)

/* A queue device on the AP bus (the kernel's ap_queue + vfio_ap_queue). */
struct vfio_ap_queue {
	apv_apqn_t apqn;
	uint8_t type;		   /* AP type from TAPQ (or the adapter info) */
	enum apv_queue_driver drv; /* HOST, VFIO_AP, or NONE (no driver takes it) */
	/* The administrator unbound it: no driver until a bind or a mask change. */
	bool unbound;
	struct apv_mdev *mdev;		     /* linked to this mdev (assigned and bound) */
	struct vfio_ap_queue *lnext, *lprev; /* mdev->linked */
	/* Interrupt resources; exist only while linked and in the shadow APCB. */
	uint64_t saved_nib;    /* guest NIB address, 0 = none */
	int saved_isc;	       /* guest ISC, -1 = none */
	struct apv_vm *irq_vm; /* VM the pin and ISC were taken on */
	struct apv_irq_route *route; /* NIB and GISA as resolved at enable; goes with the pin */
	uint32_t reset_status; /* APQSW of the last ZAPQ / verification TAPQ */
	/* While in a vfio_ap_reset batch (between _add and the end of _wait). */
	struct vfio_ap_queue *rnext;
	bool resetting;
	uint8_t zapq_rc;  /* answer of the latest ZAPQ */
	uint64_t zapq_at; /* when it was issued: the queue's polls are timed from here */
	uint64_t poll_at; /* next verification TAPQ */
	uint64_t
	    reset_began; /* first ZAPQ of this reset: "not complete after N ms" counts from here */
	uint64_t report_at; /* earliest time of the next "not complete" report */
};

struct apv_mdev {
	struct apv_pqap_hook hook; /* container_of target for the handler */
	struct apv_matrix *m;
	struct apv_mdev *next; /* m->mdevs */
	char uuid[VFIO_AP_UUID_LEN + 1];

	struct apv_mask apm, aqm, adm;	  /* what the administrator assigned */
	struct apv_mask sapm, saqm, sadm; /* shadow APCB: what the guest gets */

	struct apv_vm *vm;    /* attached: masks programmed, handler serves */
	struct apv_vm *claim; /* VM this mdev owns, from the check until detach ends */
	bool removing;

	struct vfio_ap_queue *linked;
	unsigned nlinked;

	int req_fd, cfg_fd; /* eventfds (dup'ed), -1 = none */
	void (*req_fn)(void *ctx, struct apv_mdev *mdev);
	void *req_ctx;

	struct apv_mutex open_lock;
};

struct apv_matrix {
	struct apv_kvm *kvm;
	struct apv_hw *hw;
	struct apv_clock *clock;

	struct apv_mutex bus_lock;
	struct apv_mutex guests_lock;
	struct apv_mutex mdevs_lock;

	bool have_qci;
	struct apv_qci info;		/* host configuration as last scanned */
	struct apv_mask apmask, aqmask; /* bus: reserved for the default drivers */
	/*
	 * The queue devices by APQN: one row of 256 per adapter, allocated
	 * with the adapter's first queue device and kept until the matrix is
	 * freed (rows_made). qapm/qaqm hold the APIDs and APQIs that have at
	 * least one queue device (nq_apid/nq_apqi count them), so a walk over
	 * every queue device examines qapm x qaqm slots, not 65536.
	 */
	struct vfio_ap_queue **rows[APV_MASK_BITS];
	struct apv_mask rows_made;
	struct apv_mask qapm, qaqm;
	uint16_t nq_apid[APV_MASK_BITS], nq_apqi[APV_MASK_BITS];
	/* apv_matrix_check's owner map (APQN -> mdev), made at its first run, all NULL between runs */
	struct apv_mdev **check_owner;

	struct apv_mdev *mdevs;

	struct apv_log *log;					    /* the host's (docs/log.md) */
	struct apv_ratelimit rl_reset_wait;			    /* "reset not complete" */
	struct apv_ratelimit once_aqic_off, once_tapq, once_irq_on; /* the kernel's WARN_ONCEs */

	atomic_ullong aqic_enable, aqic_disable, resets, req_notes, cfg_notes;
};

/* Internal functions stay out of libapvirt's exported symbols. */
#pragma GCC visibility push(hidden)

/*
 * kvm/kvm.c (as the kernel's vfio_ap calls into kvm_s390): the host has
 * one vfio_ap, so one matrix device per KVM. 0, or -EBUSY if one exists.
 */
int kvm_matrix_claim(struct apv_kvm *k);
void kvm_matrix_release(struct apv_kvm *k);

/* ---- matrix.c: lock helpers, limits ------------------------------------------ */

/* The kernel's get_update_locks_for_mdev: guests_lock, mdev's VM lock, mdevs_lock. */
struct apv_vm *vfio_ap_lock_mdev(struct apv_mdev *mdev);
void vfio_ap_unlock_mdev(struct apv_mdev *mdev, struct apv_vm *vm);
/* VM lock + mdevs_lock for one mdev while guests_lock is already held. */
struct apv_vm *vfio_ap_lock_mdev_vm(struct apv_mdev *mdev);
void vfio_ap_unlock_mdev_vm(struct apv_mdev *mdev, struct apv_vm *vm);
unsigned vfio_ap_apm_max(const struct apv_matrix *m);
unsigned vfio_ap_aqm_max(const struct apv_matrix *m);
bool vfio_ap_in_host_config(const struct apv_matrix *m, apv_apqn_t apqn);
void vfio_ap_notify(int fd);

/* ---- shadow.c: links and the shadow APCB ----------------------------------------- */

struct vfio_ap_reset;

void vfio_ap_link(struct apv_mdev *mdev, struct vfio_ap_queue *q);
void vfio_ap_unlink(struct vfio_ap_queue *q);
/* The same for a part of the matrix only: what an assign added, an unassign removed. */
void vfio_ap_link_part(struct apv_mdev *mdev, const struct apv_mask *apm,
		       const struct apv_mask *aqm);
void vfio_ap_unlink_part(struct apv_mdev *mdev, const struct apv_mask *apm,
			 const struct apv_mask *aqm);
/*
 * Recompute the shadow APCB from the whole matrix against `host` (NULL =
 * m->info), program the guest if attached (caller holds the VM lock),
 * signal the configuration change, and reset every linked queue that left
 * the shadow. Returns true if the shadow changed.
 */
bool vfio_ap_update_shadow(struct apv_mdev *mdev, const struct apv_qci *host);
/* The same, but the resets join the caller's batch; the caller waits. */
bool vfio_ap_filter(struct apv_mdev *mdev, const struct apv_qci *host, struct vfio_ap_reset *r);
bool vfio_ap_in_shadow(const struct apv_mdev *mdev, apv_apqn_t apqn);
/* relink + update_shadow(NULL) + relink (unlinks after the resets). */
void vfio_ap_sync(struct apv_mdev *mdev);

/* ---- reset.c ------------------------------------------------------------------------ */

/*
 * A batch of queue resets: _add issues the ZAPQ at once, _wait verifies
 * every added queue in one loop and frees each one's interrupt resources
 * as soon as it is verified (or gone). The whole batch takes as long as
 * its slowest queue. mdevs_lock held from _init to the end of _wait.
 */
struct vfio_ap_reset {
	struct apv_matrix *m;
	struct vfio_ap_queue *pending; /* ZAPQ issued, not verified yet */
	struct vfio_ap_queue *done;    /* finished; still marked until _wait ends */
	int rc;			       /* -EIO once a queue did not end with RC00 */
};
void vfio_ap_reset_init(struct vfio_ap_reset *r, struct apv_matrix *m);
/* A queue already in the batch is not zeroized twice. */
void vfio_ap_reset_add(struct vfio_ap_reset *r, struct vfio_ap_queue *q);
/* 0, or -EIO if any queue's reset failed or did not end with RC00. */
int vfio_ap_reset_wait(struct vfio_ap_reset *r);

/* A batch of one. */
int vfio_ap_reset_queue(struct apv_matrix *m, struct vfio_ap_queue *q);
/* Every linked queue of the mdev, as one batch. */
int vfio_ap_reset_linked(struct apv_mdev *mdev);
bool vfio_ap_queue_passable(const struct vfio_ap_queue *q);

/*
 * The gap before the next look at something that has been waited on for
 * `waited` ns: 1/16 of that, at least VFIO_AP_POLL_MIN_NS and at most
 * VFIO_AP_WAIT_NS. So an event is seen at most 5 us or 6.25 % after it
 * happened (up to 320 ms, then 20 ms), with about a hundred looks for a
 * 100 ms wait.
 */
static inline uint64_t vfio_ap_poll_gap(uint64_t waited)
{
	uint64_t gap = waited >> VFIO_AP_POLL_GROWTH_SHIFT;

	if (gap < VFIO_AP_POLL_MIN_NS)
		return VFIO_AP_POLL_MIN_NS;
	return gap > VFIO_AP_WAIT_NS ? VFIO_AP_WAIT_NS : gap;
}

/* ---- pqap.c -------------------------------------------------------------------------- */

int vfio_ap_handle_pqap(struct apv_pqap_hook *hook, struct apv_vcpu *vcpu);
/* AQIC(IR=0) with retries, wait for I to clear, free. Returns the AQIC status. */
uint32_t vfio_ap_irq_disable(struct apv_matrix *m, struct vfio_ap_queue *q);
void vfio_ap_free_irq(struct vfio_ap_queue *q);

/* ---- bus.c ----------------------------------------------------------------------------- */

/* The queue device of apqn, or NULL. Under bus_lock or mdevs_lock. */
static inline struct vfio_ap_queue *vfio_ap_queue_at(const struct apv_matrix *m, apv_apqn_t apqn)
{
	struct vfio_ap_queue *const *row = m->rows[apv_apqn_apid(apqn)];

	return row ? row[apv_apqn_apqi(apqn)] : NULL;
}

/*
 * The first queue device at or after APQN *pos, in APQN order, or NULL;
 * *pos moves past it. The one way to visit every queue device:
 *	vfio_ap_for_each_queue(m, pos, q) { ... }
 * The body may remove q, but not add queue devices. Under bus_lock or
 * mdevs_lock.
 */
struct vfio_ap_queue *vfio_ap_next_queue(const struct apv_matrix *m, unsigned *pos);
#define vfio_ap_for_each_queue(m, pos, q)                                                          \
	for ((pos) = 0; ((q) = vfio_ap_next_queue((m), &(pos))) != NULL;)

/*
 * Slots of the queue table examined by the walks over every queue device
 * (bus masks, rescan, release, freeing, the checker): the tests' measure
 * of the work those walks do. Relaxed; only ever added to.
 */
extern atomic_ullong vfio_ap_walked;

bool vfio_ap_owned_by_host(const struct apv_matrix *m, const struct apv_mask *apm,
			   const struct apv_mask *aqm);
/* The driver the bus masks and the queue type call for. */
enum apv_queue_driver vfio_ap_driver_for(const struct apv_matrix *m, const struct vfio_ap_queue *q);
void vfio_ap_bus_scan(struct apv_matrix *m);
void vfio_ap_bus_free(struct apv_matrix *m);

/* ---- assign.c ---------------------------------------------------------------------------- */

/* -EADDRNOTAVAIL / -EADDRINUSE for a would-be matrix of mdev (NULL: the host asks). */
int vfio_ap_validate(struct apv_matrix *m, const struct apv_mdev *mdev, const struct apv_mask *apm,
		     const struct apv_mask *aqm, char *why, size_t whylen);

int vfio_ap_store_ap_config(struct apv_mdev *mdev, const char *buf);

/* ---- attr.c ------------------------------------------------------------------------------ */

int vfio_ap_parse_ulong(const char *buf, unsigned long *out);
bool vfio_ap_attr_is_store(const char *attr);

/* ---- attach.c ---------------------------------------------------------------------------- */

/* Signal the request notification of an attached mdev (mdev remove). */
void vfio_ap_request(struct apv_mdev *mdev);

#pragma GCC visibility pop

#endif
