/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PQAP(AQIC) hook: KVM calls it, under the read side of the VM's hook
 * lock, for every AQIC a guest issues. It takes mdevs_lock and what ranks
 * after it; it allocates nothing, except that the KVM layer makes one
 * more interruption route when every route it made is in use.
 *
 * Which queues a guest may touch is defined here: the APQN must be linked
 * to the mdev (assigned and bound to vfio_ap) AND be in the mdev's shadow
 * APCB, i.e. in the guest's own configuration. The kernel only asks for
 * the link, so a queue filtered out of the guest could still get
 * interrupts; here it answers RC01 like any queue the guest does not have.
 *
 * Resource rules (aqic-design-history invariants 1, 2, 6, 7): a queue
 * holds at most one pinned NIB page and one guest ISC registration; every
 * error after the pin releases what this call took; the old registration
 * is released only when a new one replaces it or interrupts go off.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include "vfio_ap_priv.h"

void vfio_ap_free_irq(struct vfio_ap_queue *q)
{
	/* ISC first, then the page, both while the VM reference is still held. */
	if (q->saved_isc >= 0) {
		apv_vm_gisc_unregister(q->irq_vm, (unsigned)q->saved_isc);
		q->saved_isc = -1;
	}
	/* The route before the pin: nothing can store through it to an unpinned page. */
	apv_irq_route_put(q->route);
	q->route = NULL;
	if (q->saved_nib) {
		apv_vm_unpin(q->irq_vm, q->saved_nib);
		q->saved_nib = 0;
	}
	q->irq_vm = NULL;
}

/*
 * The waits of a disable. The kernel sleeps 20 ms between looks; here the
 * looks start 5 us apart and spread out (vfio_ap_poll_gap), within the
 * same budget, so that a change the hardware makes in microseconds is
 * seen in microseconds and mdevs_lock, which every guest's AQIC needs, is
 * held no longer than the hardware takes.
 *
 * poll_wait: sleep until the next look of a wait that began at `start`
 * and may last `budget` ns; the last look falls on the end of the budget.
 * False once the budget is used up.
 */
static bool poll_wait(struct apv_matrix *m, uint64_t start, uint64_t budget)
{
	uint64_t waited = apv_clock_now(m->clock) - start, gap;

	if (waited >= budget)
		return false;
	gap = vfio_ap_poll_gap(waited);
	apv_clock_sleep(m->clock, gap < budget - waited ? gap : budget - waited);
	return true;
}

static bool not_operational(uint8_t rc)
{
	return rc != APV_RC_NORMAL && rc != APV_RC_RESET_IN_PROGRESS && rc != APV_RC_BUSY;
}

/* Until the I bit is off, for as long as the kernel's 5 TAPQs 20 ms apart. */
static void wait_for_irqclear(struct apv_matrix *m, apv_apqn_t apqn)
{
	uint64_t start = apv_clock_now(m->clock);
	uint8_t rc = 0;

	do {
		uint64_t gr2 = 0;
		uint32_t w = apv_hw_tapq(m->hw, apqn, false, &gr2);

		rc = apv_apqsw_get_rc(w);
		if ((rc == APV_RC_NORMAL || rc == APV_RC_RESET_IN_PROGRESS) && !(w & APV_APQSW_I))
			return;
		if (not_operational(rc)) {
			/* Nothing will change. */
			apv_log_ratelimited(m->log, &m->once_tapq, APV_LOG_WARNING, VFIO_AP_LOG,
					    NULL,
					    "queue %02x.%04x answered TAPQ with rc=0x%02x while "
					    "interrupts were being switched off",
					    VFIO_AP_QID(apqn), rc);
			return;
		}
	} while (poll_wait(m, start, VFIO_AP_IRQCLEAR_BUDGET_NS));
	apv_log_ratelimited(m->log, &m->once_irq_on, APV_LOG_WARNING, VFIO_AP_LOG, NULL,
			    "interrupts of queue %02x.%04x still on after %u ms (rc=0x%02x)",
			    VFIO_AP_QID(apqn),
			    (unsigned)(VFIO_AP_IRQCLEAR_BUDGET_NS / APV_NSEC_PER_MSEC), rc);
}

/*
 * RC07 with the I bit off means "already disabled" or "an enable is still
 * taking effect": the I bit then comes on by itself, with the NIB we are
 * about to unpin. Watching the I bit for one wait interval tells the two
 * apart. Without a saved NIB no enable of ours can be on its way (an
 * enable is saved as soon as the hardware accepts it), so there is
 * nothing to wait for.
 */
static bool enable_landed(struct apv_matrix *m, const struct vfio_ap_queue *q)
{
	uint64_t start = apv_clock_now(m->clock);

	if (!q->saved_nib)
		return false;
	while (poll_wait(m, start, VFIO_AP_WAIT_NS)) {
		uint64_t gr2 = 0;
		uint32_t w = apv_hw_tapq(m->hw, q->apqn, false, &gr2);

		if (w & APV_APQSW_I)
			return true;
		if (not_operational(apv_apqsw_get_rc(w)))
			return false;
	}
	return false;
}

/* Before repeating an AQIC that found the queue resetting or busy: until TAPQ says it is not. */
static void wait_quiet(struct apv_matrix *m, apv_apqn_t apqn)
{
	uint64_t start = apv_clock_now(m->clock);

	while (poll_wait(m, start, VFIO_AP_WAIT_NS)) {
		uint64_t gr2 = 0;
		uint8_t rc = apv_apqsw_get_rc(apv_hw_tapq(m->hw, apqn, false, &gr2));

		if (rc != APV_RC_RESET_IN_PROGRESS && rc != APV_RC_BUSY)
			return;
	}
}

uint32_t vfio_ap_irq_disable(struct apv_matrix *m, struct vfio_ap_queue *q)
{
	struct apv_aqic_ctrl off = {0};
	uint32_t w = 0;

	for (unsigned i = 0; i < VFIO_AP_AQIC_TRIES; i++) {
		uint8_t rc;

		w = apv_hw_aqic(m->hw, q->apqn, off, 0, apv_kvm_host_storage(m->kvm));
		rc = apv_apqsw_get_rc(w);
		if (rc == APV_RC_NORMAL || rc == APV_RC_OTHERWISE_CHANGED) {
			bool maybe_enabling = rc == APV_RC_OTHERWISE_CHANGED && !(w & APV_APQSW_I);

			wait_for_irqclear(m, q->apqn);
			if (maybe_enabling && i + 1 < VFIO_AP_AQIC_TRIES && enable_landed(m, q))
				continue; /* the enable landed after all: disable it now */
			break;
		}
		if (rc != APV_RC_RESET_IN_PROGRESS && rc != APV_RC_BUSY)
			break; /* not operational: the interrupt state is gone with it */
		if (i + 1 < VFIO_AP_AQIC_TRIES)
			wait_quiet(m, q->apqn);
	}
	if (apv_apqsw_get_rc(w) != APV_RC_NORMAL && apv_apqsw_get_rc(w) != APV_RC_OTHERWISE_CHANGED)
		apv_log_ratelimited(m->log, &m->once_aqic_off, APV_LOG_WARNING, VFIO_AP_LOG, NULL,
				    "AQIC switching interrupts of queue %02x.%04x off answered "
				    "rc=0x%02x",
				    VFIO_AP_QID(q->apqn), apv_apqsw_get_rc(w));
	vfio_ap_free_irq(q);
	return w;
}

/* Undo what one enable attempt took: ISC before route before page (RC07 order). */
static void release_new(struct apv_vm *vm, uint64_t nib, unsigned isc, struct apv_irq_route *route)
{
	apv_vm_gisc_unregister(vm, isc);
	apv_irq_route_put(route);
	apv_vm_unpin(vm, nib);
}

static uint32_t irq_enable(struct apv_matrix *m, struct vfio_ap_queue *q, struct apv_vm *vm,
			   unsigned isc, uint64_t nib)
{
	struct apv_aqic_ctrl ctrl = {0};
	struct apv_irq_route *route = NULL;
	uint64_t h_nib = 0;
	uint32_t w;
	int nisc, rc;

	if (!nib || !apv_vm_hva(vm, nib)) {
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: NIB 0x%" PRIx64 " is not guest memory",
			     VFIO_AP_QID(q->apqn), nib);
		return apv_apqsw_rc(APV_RC_INVALID_ADDRESS);
	}
	rc = apv_vm_pin(vm, nib, &h_nib);
	if (rc) {
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: pinning the NIB page at 0x%" PRIx64 " failed (%d)",
			     VFIO_AP_QID(q->apqn), nib, rc);
		return apv_apqsw_rc(APV_RC_INVALID_ADDRESS);
	}
	if (apv_vm_is_protected(vm) && !apv_vm_pv_is_shared(vm, nib)) {
		/* The adapter cannot write a secure page. */
		apv_vm_unpin(vm, nib);
		return apv_apqsw_rc(APV_RC_INVALID_ADDRESS);
	}
	nisc = apv_vm_gisc_register(vm, isc);
	if (nisc < 0) {
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: registering guest ISC %u failed (%d)",
			     VFIO_AP_QID(q->apqn), isc, nisc);
		/* The newest kernel's answer; older ones said RC08 (invalid GISA). */
		apv_vm_unpin(vm, nib);
		return apv_apqsw_rc(APV_RC_INVALID_ADDRESS);
	}
	/*
	 * Resolve the NIB page and the GISA now, once: every reply then
	 * reaches this VM through the route without a search of the host's VMs.
	 */
	rc = apv_vm_irq_route_get(vm, q->apqn, nib, &route);
	if (rc) {
		apv_log_emit(m->log, APV_LOG_WARNING, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: no interruption route (%d)", VFIO_AP_QID(q->apqn),
			     rc);
		apv_vm_gisc_unregister(vm, isc);
		apv_vm_unpin(vm, nib);
		return apv_apqsw_rc(APV_RC_INVALID_ADDRESS);
	}
	ctrl.ir = true;
	ctrl.isc = (uint8_t)nisc;
	ctrl.gisc = (uint8_t)isc;
	ctrl.gisa = apv_vm_gisa(vm);
	w = apv_hw_aqic(m->hw, q->apqn, ctrl, h_nib, apv_irq_route_storage(route));
	switch (apv_apqsw_get_rc(w)) {
	case APV_RC_NORMAL:
		vfio_ap_free_irq(q);
		q->saved_nib = nib;
		q->saved_isc = (int)isc;
		q->irq_vm = vm;
		q->route = route;
		break;
	case APV_RC_OTHERWISE_CHANGED:
		/* Nothing was done: the old configuration stays. */
		release_new(vm, nib, isc, route);
		break;
	default:
		apv_log_emit(m->log, APV_LOG_WARNING, VFIO_AP_LOG, NULL,
			     "AQIC switching interrupts of queue %02x.%04x on answered rc=0x%02x",
			     VFIO_AP_QID(q->apqn), apv_apqsw_get_rc(w));
		/*
		 * The kernel only frees the old registration here and leaks the
		 * new pin and ISC; both go, then interrupts are switched off.
		 */
		release_new(vm, nib, isc, route);
		vfio_ap_irq_disable(m, q);
		break;
	}
	if (apv_apqsw_get_rc(w) != APV_RC_NORMAL)
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: AQIC failed with rc=0x%02x (ir=1 gisc=%u isc=%u "
			     "gisa=0x%x)",
			     VFIO_AP_QID(q->apqn), apv_apqsw_get_rc(w), ctrl.gisc, ctrl.isc,
			     (unsigned)ctrl.gisa);
	return w;
}

/* A matrix counter written only under mdevs_lock: no locked RMW needed. */
static void count_locked(atomic_ullong *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

int vfio_ap_handle_pqap(struct apv_pqap_hook *hook, struct apv_vcpu *vcpu)
{
	struct apv_mdev *mdev = (struct apv_mdev *)((char *)hook - offsetof(struct apv_mdev, hook));
	struct apv_matrix *m = mdev->m;
	struct apv_vm *vm = apv_vcpu_vm(vcpu);
	struct apv_regs *r = apv_vcpu_regs(vcpu);
	apv_apqn_t apqn = apv_gr0_apqn(r->gr[0]);
	uint32_t w = apv_apqsw_rc(APV_RC_Q_NOT_AVAIL);
	struct vfio_ap_queue *q;

	/* No GISA means no adapter-interruption virtualization: user space decides. */
	if (!apv_vm_gisa(vm)) {
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG, NULL,
			     "queue %02x.%04x: AQIC left to user space: the VM has no GISA",
			     VFIO_AP_QID(apqn));
		return -EOPNOTSUPP;
	}

	apv_mutex_lock(&m->mdevs_lock);
	if (mdev->vm != vm) {
		/* Not (or no longer, or not yet) attached to this guest. */
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG_MDEV, mdev->uuid,
			     "AQIC for queue %02x.%04x: mdev not attached to the VM",
			     VFIO_AP_QID(apqn));
		goto out;
	}
	q = vfio_ap_queue_at(m, apqn);
	if (!q || q->mdev != mdev || !vfio_ap_in_shadow(mdev, apqn)) {
		apv_log_emit(m->log, APV_LOG_DEBUG, VFIO_AP_LOG_MDEV, mdev->uuid,
			     "AQIC for queue %02x.%04x: not a queue of the guest",
			     VFIO_AP_QID(apqn));
		goto out;
	}
	if (r->gr[1] & APV_AQIC_IR) {
		count_locked(&m->aqic_enable);
		w = irq_enable(m, q, vm, (unsigned)(r->gr[1] & 0x7), r->gr[2]);
	} else {
		count_locked(&m->aqic_disable);
		w = vfio_ap_irq_disable(m, q);
	}
out:
	/* APQSW in bits 32-63, bits 0-31 zero, on every path. */
	r->gr[1] = apv_gr1_from_apqsw(w);
	apv_mutex_unlock(&m->mdevs_lock);
	return 0;
}
