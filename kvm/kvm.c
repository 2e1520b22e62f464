/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host side of the KVM layer (what the kvm module is for every VM):
 * the VM list, the hardware interrupt entry point that splits GISA
 * interruptions from host ones, and the invariant checker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_internal.h"

void apv_kvm_config_default(struct apv_kvm_config *c)
{
	if (!c)
		return;
	c->aiv = true;
	c->use_gisa = true;
}

/* The host handler calls running on this thread, so that a handler replacing itself does not wait.
 */
struct host_irq_frame {
	const struct apv_kvm *k;
	struct host_irq_frame *up;
};
static _Thread_local struct host_irq_frame *host_irq_frames;

/*
 * Interrupt delivery is a hot path: no allocation. The host handler is
 * copied out under its lock and its call counted, so that it can be
 * replaced at any time and the replacement can wait for the old one.
 */
static void kvm_hw_irq(void *ctx, const struct apv_hw_irq *irq)
{
	struct apv_kvm *k = ctx;
	struct host_irq_frame frame;
	apv_hw_irq_fn fn;
	void *fn_ctx;

	if (irq->gisa_valid) {
		/* Through the route the AQIC set up; a search only for other storages. */
		if (!kvm_route_irq(k, irq))
			kvm_gisa_irq(k, irq);
		return;
	}
	apv_mutex_lock(&k->host_irq_lock);
	fn = k->host_irq_fn;
	fn_ctx = k->host_irq_ctx;
	if (fn)
		k->host_irq_calls++;
	apv_mutex_unlock(&k->host_irq_lock);
	if (!fn)
		return;
	frame = (struct host_irq_frame){.k = k, .up = host_irq_frames};
	host_irq_frames = &frame;
	fn(fn_ctx, irq);
	host_irq_frames = frame.up;
	apv_mutex_lock(&k->host_irq_lock);
	k->host_irq_calls--;
	pthread_cond_broadcast(&k->host_irq_idle);
	apv_mutex_unlock(&k->host_irq_lock);
}

struct apv_kvm *apv_kvm_new(struct apv_hw *hw, const struct apv_kvm_config *cfg)
{
	struct apv_kvm *k;

	/* One KVM per host: a second would take over the first's interrupts. */
	if (!hw || apv_hw_in_use(hw))
		return NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->hw = hw;
	if (cfg)
		k->cfg = *cfg;
	else
		apv_kvm_config_default(&k->cfg);
	k->account = apv_account_new();
	if (!k->account) {
		free(k);
		return NULL;
	}
	apv_mutex_init(&k->vms_lock, APV_LOCK_KVM_VMS);
	apv_mutex_init(&k->gib_lock, APV_LOCK_KVM_GIB);
	atomic_init(&k->vm_visits, 0);
	apv_mutex_init(&k->host_irq_lock, APV_LOCK_KVM_HOST_IRQ);
	pthread_cond_init(&k->host_irq_idle, NULL);
	atomic_init(&k->gal_interrupts, 0);
	atomic_init(&k->stray_irqs, 0);
	kvm_host_storage_init(k);
	apv_hw_set_irq_handler(hw, kvm_hw_irq, k);
	return k;
}

int kvm_matrix_claim(struct apv_kvm *k)
{
	int rc = 0;

	apv_mutex_lock(&k->vms_lock);
	if (k->matrix_claimed)
		rc = -EBUSY;
	k->matrix_claimed = true;
	apv_mutex_unlock(&k->vms_lock);
	return rc;
}

void kvm_matrix_release(struct apv_kvm *k)
{
	apv_mutex_lock(&k->vms_lock);
	k->matrix_claimed = false;
	apv_mutex_unlock(&k->vms_lock);
}

int apv_kvm_free(struct apv_kvm *k)
{
	bool busy;

	if (!k)
		return 0;
	/* Live VMs or a matrix device would be left pointing at freed host state. */
	apv_mutex_lock(&k->vms_lock);
	busy = k->vms || k->matrix_claimed;
	apv_mutex_unlock(&k->vms_lock);
	if (busy)
		return -EBUSY;
	/* Returns once no call of kvm_hw_irq is running: k may go. */
	apv_hw_set_irq_handler(k->hw, NULL, NULL);
	pthread_cond_destroy(&k->host_irq_idle);
	apv_mutex_destroy(&k->host_irq_lock);
	kvm_routes_free(k);
	apv_mutex_destroy(&k->gib_lock);
	apv_mutex_destroy(&k->vms_lock);
	apv_account_free(k->account);
	free(k);
	return 0;
}

struct apv_hw *apv_kvm_hw(const struct apv_kvm *k)
{
	if (!k)
		return NULL;
	return k->hw;
}

struct apv_clock *apv_kvm_clock(const struct apv_kvm *k)
{
	if (!k)
		return NULL;
	return apv_hw_clock(k->hw);
}

struct apv_account *apv_kvm_account(struct apv_kvm *k)
{
	if (!k)
		return NULL;
	return k->account;
}

/* On return the old handler runs nowhere (but up this thread's stack) and is not called again. */
void apv_kvm_set_host_irq_handler(struct apv_kvm *k, apv_hw_irq_fn fn, void *ctx)
{
	if (!k)
		return;
	unsigned own = 0;

	for (const struct host_irq_frame *f = host_irq_frames; f; f = f->up)
		own += f->k == k;
	apv_mutex_lock(&k->host_irq_lock);
	k->host_irq_fn = fn;
	k->host_irq_ctx = ctx;
	while (k->host_irq_calls > own)
		apv_cond_wait(&k->host_irq_idle, &k->host_irq_lock);
	apv_mutex_unlock(&k->host_irq_lock);
}

const struct apv_storage *apv_kvm_host_storage(struct apv_kvm *k)
{
	if (!k)
		return NULL;
	return &k->host_storage;
}

uint64_t apv_kvm_gal_interrupts(const struct apv_kvm *k)
{
	if (!k)
		return 0;
	return atomic_load(&k->gal_interrupts);
}

/* ---- invariants ------------------------------------------------------------ */

/*
 * Meant for quiescent points (between scenario steps, at teardown): an
 * operation running concurrently can make a balance look off by one.
 */
int apv_kvm_check(struct apv_kvm *k, char *err, size_t errlen)
{
	struct apv_balance bal;
	uint64_t pinned = 0;
	long isc_refs = 0, user_refs = 0, hooks = 0;
	char dummy[8];
	int rc = 0;

	if (!k)
		return -EINVAL;
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';

	apv_mutex_lock(&k->vms_lock);
	for (struct apv_vm *vm = k->vms; vm && !rc; vm = vm->next) {
		long r = atomic_load(&vm->user_refs);

		if (r < 0) {
			snprintf(err, errlen, "VM '%s' holds a negative reference count (%ld)",
				 vm->name, r);
			rc = -EINVAL;
			break;
		}
		user_refs += r;
		pinned += kvm_mem_pinned_total(vm);
		if (atomic_load(&vm->hook))
			hooks++;
		rc = kvm_gisa_check(vm, &isc_refs, err, errlen);
	}
	apv_mutex_unlock(&k->vms_lock);
	if (rc)
		return rc;

	apv_account_balance(k->account, &bal);
	if (bal.pins < 0 || bal.isc_regs < 0 || bal.vm_refs < 0 || bal.hooks < 0 ||
	    bal.hook_calls < 0) {
		char b[128];

		snprintf(err, errlen, "negative balance in the account: %s",
			 apv_balance_format(&bal, b, sizeof(b)));
		return -EINVAL;
	}
	if ((uint64_t)bal.pins != pinned) {
		snprintf(err, errlen,
			 "account says %ld NIB pages pinned, the VMs' page pin counts sum to %llu",
			 bal.pins, (unsigned long long)pinned);
		return -EINVAL;
	}
	if (bal.isc_regs != isc_refs) {
		snprintf(err, errlen,
			 "account says %ld guest ISC registrations, the GISA refcounts sum to %ld",
			 bal.isc_regs, isc_refs);
		return -EINVAL;
	}
	if (bal.vm_refs != user_refs) {
		snprintf(err, errlen, "account says %ld VM references, the VMs hold %ld",
			 bal.vm_refs, user_refs);
		return -EINVAL;
	}
	if (bal.hooks != hooks) {
		snprintf(err, errlen, "account says %ld PQAP hooks published, the VMs hold %ld",
			 bal.hooks, hooks);
		return -EINVAL;
	}
	return 0;
}
