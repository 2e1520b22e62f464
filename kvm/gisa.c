/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GISA and GIB: guest ISC registration, the interruption-pending and
 * -alert masks, the GIB alert list, and the delivery of adapter
 * interruptions to vCPUs.
 *
 * The model of the machine: an interrupt with a GISA designation sets the
 * guest ISC's IPM bit. A vCPU in SIE that has the ISC enabled in CR6 and
 * I/O enabled in its PSW takes it at once (clearing the bit). Otherwise,
 * if the IAM has the bit, the GISA goes on the GIB alert list, the IAM is
 * cleared so that it alerts only once, and the host gets a GAL
 * interruption; the bit then waits in the IPM until a vCPU of the VM runs
 * or enables the ISC. When nothing enabled by the alert mask is pending
 * any more, the GISA leaves the list and its IAM is restored.
 *
 * Everything here runs under the VM's irq_lock (the GIB alert list,
 * shared by all VMs, under gib_lock inside it) and allocates nothing; a
 * delivery touches no other VM. The vCPU's handler is called after the
 * lock is dropped, with the vCPU pinned by its in-flight delivery count.
 */
#include <errno.h>
#include <stdio.h>

#include "kvm_internal.h"
#include "apvirt/testing.h"

void kvm_gisa_init(struct apv_vm *vm, uint32_t origin)
{
	struct kvm_gisa *g = &vm->gisa;

	g->origin = origin;
	atomic_init(&g->ipm, 0);
	atomic_init(&g->iam, 0);
	atomic_init(&g->alerted, false);
	atomic_init(&g->register_failure, 0);
	apv_mutex_init(&vm->irq_lock, APV_LOCK_KVM_IRQ);
	pthread_cond_init(&vm->irq_cond, NULL);
}

uint32_t apv_vm_gisa(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return vm->gisa.origin >> 4;
}

/* ---- alert list -------------------------------------------------------------- */

/* The GIB's list is shared by every VM: its own leaf lock, under the VM's irq_lock. */
static void alert_list_remove_locked(struct apv_vm *vm)
{
	struct apv_kvm *k = vm->kvm;

	apv_mutex_lock(&k->gib_lock);
	for (struct apv_vm **p = &k->alert_list; *p; p = &(*p)->gisa.next_alert) {
		if (*p == vm) {
			*p = vm->gisa.next_alert;
			break;
		}
	}
	vm->gisa.next_alert = NULL;
	apv_mutex_unlock(&k->gib_lock);
	atomic_store(&vm->gisa.alerted, false);
}

static void alert_list_add_locked(struct apv_vm *vm)
{
	struct apv_kvm *k = vm->kvm;

	apv_mutex_lock(&k->gib_lock);
	vm->gisa.next_alert = k->alert_list;
	k->alert_list = vm;
	apv_mutex_unlock(&k->gib_lock);
	atomic_fetch_add(&k->gal_interrupts, 1);
}

/* Off the list and IAM restored once nothing the alert mask cares about is pending. */
static void gisa_settle_locked(struct apv_vm *vm)
{
	struct kvm_gisa *g = &vm->gisa;

	if (!atomic_load(&g->alerted))
		return;
	if (atomic_load(&g->ipm) & g->alert_mask)
		return;
	alert_list_remove_locked(vm);
	atomic_store(&g->iam, g->alert_mask);
}

void kvm_gisa_destroy(struct apv_vm *vm)
{
	apv_mutex_lock(&vm->irq_lock);
	if (atomic_load(&vm->gisa.alerted))
		alert_list_remove_locked(vm);
	apv_mutex_unlock(&vm->irq_lock);
	pthread_cond_destroy(&vm->irq_cond);
	apv_mutex_destroy(&vm->irq_lock);
}

bool apv_vm_gisa_alerted(const struct apv_vm *vm)
{
	if (!vm)
		return false;
	return atomic_load(&vm->gisa.alerted);
}

uint8_t apv_vm_gisa_ipm(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return atomic_load(&vm->gisa.ipm);
}

uint8_t apv_vm_gisa_iam(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return atomic_load(&vm->gisa.iam);
}

/* ---- guest ISC registration ------------------------------------------------------ */

int apv_vm_gisc_register(struct apv_vm *vm, unsigned gisc)
{
	if (!vm)
		return -EINVAL;
	struct kvm_gisa *g = &vm->gisa;

	if (!g->origin)
		return -ENODEV;
	if (gisc > APV_MAX_ISC)
		return -EINVAL;
	if (atomic_load_explicit(&g->register_failure, memory_order_relaxed))
		return atomic_load(&g->register_failure);
	apv_mutex_lock(&vm->irq_lock);
	if (g->refcount[gisc]++ == 0) {
		g->alert_mask |= kvm_isc_bit(gisc);
		/* While alerted the IAM stays clear; it is restored when the GISA leaves the list.
		 */
		if (!atomic_load(&g->alerted))
			atomic_store(&g->iam, g->alert_mask);
	}
	apv_mutex_unlock(&vm->irq_lock);
	apv_account_inc(vm->kvm->account, APV_ACCT_ISC_REGS);
	atomic_fetch_add(&vm->st_gisc_regs, 1);
	return APV_GAL_ISC;
}

int apv_vm_set_gisc_register_failure(struct apv_vm *vm, int err)
{
	if (!vm)
		return -EINVAL;
	if (err > 0)
		return -EINVAL;
	atomic_store(&vm->gisa.register_failure, err);
	return 0;
}

int apv_vm_gisc_unregister(struct apv_vm *vm, unsigned gisc)
{
	if (!vm)
		return -EINVAL;
	struct kvm_gisa *g = &vm->gisa;

	if (!g->origin)
		return -ENODEV;
	if (gisc > APV_MAX_ISC)
		return -EINVAL;
	apv_mutex_lock(&vm->irq_lock);
	if (g->refcount[gisc] == 0) {
		apv_mutex_unlock(&vm->irq_lock);
		return -EINVAL;
	}
	if (--g->refcount[gisc] == 0) {
		g->alert_mask &= (uint8_t)~kvm_isc_bit(gisc);
		if (!atomic_load(&g->alerted))
			atomic_store(&g->iam, g->alert_mask);
		else
			gisa_settle_locked(vm);
	}
	apv_mutex_unlock(&vm->irq_lock);
	apv_account_inc(vm->kvm->account, APV_ACCT_ISC_UNREGS);
	atomic_fetch_add(&vm->st_gisc_unregs, 1);
	return 0;
}

int apv_vm_gisc_refcount(const struct apv_vm *vm, unsigned gisc)
{
	if (!vm)
		return -EINVAL;
	struct apv_vm *v = (struct apv_vm *)vm; /* the lock, not the VM, changes */
	int r;

	if (gisc > APV_MAX_ISC)
		return -EINVAL;
	apv_mutex_lock(&v->irq_lock);
	r = v->gisa.refcount[gisc];
	apv_mutex_unlock(&v->irq_lock);
	return r;
}

int kvm_gisa_check(struct apv_vm *vm, long *isc_refs, char *err, size_t errlen)
{
	struct kvm_gisa *g = &vm->gisa;
	int rc = 0;

	apv_mutex_lock(&vm->irq_lock);
	for (unsigned isc = 0; isc <= APV_MAX_ISC && !rc; isc++) {
		bool in_mask = g->alert_mask & kvm_isc_bit(isc);

		if (g->refcount[isc] < 0) {
			snprintf(err, errlen, "VM '%s': guest ISC %u has a negative refcount (%d)",
				 vm->name, isc, g->refcount[isc]);
			rc = -EINVAL;
		} else if ((g->refcount[isc] > 0) != in_mask) {
			snprintf(
			    err, errlen,
			    "VM '%s': guest ISC %u has refcount %d but its alert-mask bit is %s",
			    vm->name, isc, g->refcount[isc], in_mask ? "set" : "clear");
			rc = -EINVAL;
		}
		*isc_refs += g->refcount[isc];
	}
	if (!rc && (atomic_load(&g->iam) & ~g->alert_mask)) {
		snprintf(err, errlen, "VM '%s': IAM 0x%02x has bits outside the alert mask 0x%02x",
			 vm->name, atomic_load(&g->iam), g->alert_mask);
		rc = -EINVAL;
	}
	if (!rc && !atomic_load(&g->alerted) && atomic_load(&g->iam) != g->alert_mask) {
		snprintf(
		    err, errlen,
		    "VM '%s': GISA not alerted but IAM 0x%02x differs from the alert mask 0x%02x",
		    vm->name, atomic_load(&g->iam), g->alert_mask);
		rc = -EINVAL;
	}
	apv_mutex_unlock(&vm->irq_lock);
	return rc;
}

/* ---- delivery ------------------------------------------------------------------------ */

struct delivery {
	struct apv_vcpu *vcpu;
	apv_vcpu_irq_fn fn;
	void *ctx;
	uint32_t int_word;
	struct delivery *up; /* the delivery this thread was already running */
};

/*
 * The deliveries whose handler runs on this thread, innermost first: a
 * handler that replaces its vCPU's handler must not wait for itself.
 */
static _Thread_local struct delivery *running_deliveries;

static bool vcpu_enabled_locked(const struct apv_vcpu *v, uint8_t bit)
{
	return !v->dead && v->io_enabled && (atomic_load(&v->cr6) & bit);
}

/* Take the IPM bit for the vCPU and pin the vCPU until the handler has returned. */
static void delivery_prepare_locked(struct apv_vcpu *v, unsigned gisc, struct delivery *d)
{
	atomic_fetch_and(&v->vm->gisa.ipm, (unsigned char)~kvm_isc_bit(gisc));
	v->delivering++;
	d->vcpu = v;
	d->fn = v->irq_fn;
	d->ctx = v->irq_ctx;
	d->int_word = kvm_adapter_int_word(gisc);
	atomic_fetch_add(&v->interrupts, 1);
	gisa_settle_locked(v->vm);
}

static void delivery_run(struct apv_vm *vm, struct delivery *d)
{
	if (d->fn) {
		d->up = running_deliveries;
		running_deliveries = d;
		d->fn(d->ctx, d->vcpu, d->int_word);
		running_deliveries = d->up;
	}
	apv_mutex_lock(&vm->irq_lock);
	/* Handler replacement waits for the count to drop to its own deliveries, not to 0. */
	d->vcpu->delivering--;
	pthread_cond_broadcast(&vm->irq_cond);
	apv_mutex_unlock(&vm->irq_lock);
}

void kvm_gisa_raise(struct apv_vm *vm, unsigned gisc)
{
	struct kvm_gisa *g = &vm->gisa;
	uint8_t bit = kvm_isc_bit(gisc);
	struct delivery d = {0};

	apv_mutex_lock(&vm->irq_lock);
	atomic_fetch_or(&g->ipm, bit);
	for (struct apv_vcpu *v = vm->vcpus; v; v = v->next) {
		if (v->running && vcpu_enabled_locked(v, bit)) {
			delivery_prepare_locked(v, gisc, &d);
			break;
		}
	}
	if (!d.vcpu && (atomic_load(&g->iam) & bit) && !atomic_load(&g->alerted)) {
		atomic_store(&g->iam, 0);
		atomic_store(&g->alerted, true);
		alert_list_add_locked(vm);
	}
	apv_mutex_unlock(&vm->irq_lock);
	if (d.vcpu)
		delivery_run(vm, &d);
}

void kvm_gisa_irq(struct apv_kvm *k, const struct apv_hw_irq *irq)
{
	struct apv_vm *vm = NULL;

	if (irq->gisc > APV_MAX_ISC) {
		atomic_fetch_add(&k->stray_irqs, 1);
		return;
	}
	apv_mutex_lock(&k->vms_lock);
	for (struct apv_vm *v = k->vms; v; v = v->next) {
		atomic_fetch_add_explicit(&k->vm_visits, 1, memory_order_relaxed);
		if (v->gisa.origin && apv_vm_gisa(v) == irq->gisa) {
			if (kvm_vm_tryget_locked(v))
				vm = v;
			break;
		}
	}
	apv_mutex_unlock(&k->vms_lock);
	if (!vm) {
		/* A VM torn down while its queue's interrupt was in flight. */
		atomic_fetch_add(&k->stray_irqs, 1);
		return;
	}
	kvm_gisa_raise(vm, irq->gisc);
	kvm_vm_unref(vm);
}

/* Lowest ISC number first: it has the highest priority. */
static int first_isc(uint8_t mask)
{
	for (unsigned isc = 0; isc <= APV_MAX_ISC; isc++) {
		if (mask & kvm_isc_bit(isc))
			return (int)isc;
	}
	return -1;
}

unsigned apv_vcpu_deliver_pending(struct apv_vcpu *v)
{
	if (!v)
		return 0;
	struct apv_vm *vm = v->vm;
	unsigned n = 0;

	for (;;) {
		struct delivery d = {0};
		int isc = -1;

		apv_mutex_lock(&vm->irq_lock);
		v->io_enabled = v->psw.io_enabled;
		if (!v->dead && v->io_enabled)
			isc = first_isc(atomic_load(&vm->gisa.ipm) & atomic_load(&v->cr6));
		if (isc >= 0)
			delivery_prepare_locked(v, (unsigned)isc, &d);
		apv_mutex_unlock(&vm->irq_lock);
		if (!d.vcpu)
			return n;
		delivery_run(vm, &d);
		n++;
	}
}

void apv_vcpu_set_running(struct apv_vcpu *v, bool running)
{
	if (!v)
		return;
	struct apv_vm *vm = v->vm;

	apv_mutex_lock(&vm->irq_lock);
	v->running = running;
	v->io_enabled = v->psw.io_enabled;
	apv_mutex_unlock(&vm->irq_lock);
	if (running)
		apv_vcpu_deliver_pending(v);
}

void apv_vcpu_set_cr6(struct apv_vcpu *v, uint8_t isc_mask)
{
	if (!v)
		return;
	struct apv_vm *vm = v->vm;
	bool running;

	apv_mutex_lock(&vm->irq_lock);
	atomic_store(&v->cr6, isc_mask);
	v->io_enabled = v->psw.io_enabled;
	running = v->running;
	apv_mutex_unlock(&vm->irq_lock);
	/* A vCPU out of SIE picks the change up at its next entry. */
	if (running)
		apv_vcpu_deliver_pending(v);
}

uint8_t apv_vcpu_cr6(const struct apv_vcpu *v)
{
	if (!v)
		return 0;
	return atomic_load(&v->cr6);
}

/*
 * A delivery copies the handler when it takes the IPM bit and calls it
 * after irq_lock is dropped; waiting for the vCPU's deliveries in flight
 * (except those up this thread's stack) means that on return the old
 * handler runs nowhere else and is never called again.
 */
void apv_vcpu_set_irq_handler(struct apv_vcpu *v, apv_vcpu_irq_fn fn, void *ctx)
{
	if (!v)
		return;
	struct apv_vm *vm = v->vm;
	unsigned own = 0;

	for (const struct delivery *d = running_deliveries; d; d = d->up)
		own += d->vcpu == v;
	apv_mutex_lock(&vm->irq_lock);
	v->irq_fn = fn;
	v->irq_ctx = ctx;
	while (v->delivering > own)
		apv_cond_wait(&vm->irq_cond, &vm->irq_lock);
	apv_mutex_unlock(&vm->irq_lock);
}

int kvm_vcpu_irq_attach(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;
	int rc = 0;

	apv_mutex_lock(&vm->irq_lock);
	for (struct apv_vcpu *o = vm->vcpus; o; o = o->next) {
		if (o->id == v->id)
			rc = -EEXIST;
	}
	if (!rc) {
		v->next = vm->vcpus;
		vm->vcpus = v;
		vm->nvcpus++;
	}
	apv_mutex_unlock(&vm->irq_lock);
	return rc;
}

/* No delivery can pick the vCPU after this, and none is still running its handler. */
void kvm_vcpu_irq_detach(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;

	apv_mutex_lock(&vm->irq_lock);
	v->dead = true;
	v->running = false;
	for (struct apv_vcpu **p = &vm->vcpus; *p; p = &(*p)->next) {
		if (*p == v) {
			*p = v->next;
			vm->nvcpus--;
			break;
		}
	}
	while (v->delivering)
		apv_cond_wait(&vm->irq_cond, &vm->irq_lock);
	apv_mutex_unlock(&vm->irq_lock);
}
