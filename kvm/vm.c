/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM: its lifetime, facility list, CRYCB (format and APCB masks), the
 * APIE attribute and the PQAP hook publication.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_internal.h"

void apv_vm_config_default(struct apv_vm_config *c)
{
	if (!c)
		return;
	memset(c, 0, sizeof(*c));
	apv_fac_set(&c->fac, APV_FAC_QCI);
	apv_fac_set(&c->fac, APV_FAC_APFT);
	apv_fac_set(&c->fac, APV_FAC_AQIC);
	apv_fac_set(&c->fac, APV_FAC_MSAX3);
}

/*
 * A guest cannot be offered an AP facility the machine lacks. Facility 65
 * needs more: without AIV there is no GISA to route the queue interrupts
 * through, and a guest-2 offering 65 to its own guests would promise what
 * it cannot keep, so it stays off unless the host has AIV as well.
 */
static void effective_facilities(const struct apv_kvm *k, const struct apv_facilities *req,
				 struct apv_facilities *out)
{
	const struct apv_hw_config *hc = apv_hw_config(k->hw);

	*out = *req;
	if (!hc->qci)
		apv_fac_clear(out, APV_FAC_QCI);
	if (!hc->apft)
		apv_fac_clear(out, APV_FAC_APFT);
	if (!(hc->aqic && k->cfg.aiv))
		apv_fac_clear(out, APV_FAC_AQIC);
}

/*
 * Format 2 needs both MSAX3 in the guest and APXA on the host. KVM learns
 * APXA from the QCI block's N bit: a host without PQAP(QCI) (facility 12)
 * counts as one without APXA, whatever its queues could address.
 */
static unsigned crycb_format(const struct apv_kvm *k, const struct apv_facilities *fac)
{
	const struct apv_hw_config *hc = apv_hw_config(k->hw);

	if (!apv_fac_test(fac, APV_FAC_MSAX3))
		return 0;
	if (apv_hw_installed(k->hw) && hc->qci && hc->apxa)
		return 2;
	return 1;
}

struct apv_vm *apv_vm_new(struct apv_kvm *k, const struct apv_vm_config *cfg)
{
	struct apv_vm_config def;
	struct apv_vm *vm;
	uint32_t origin = 0;
	char buf[32];

	if (!k)
		return NULL;
	if (!cfg) {
		apv_vm_config_default(&def);
		cfg = &def;
	}
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->kvm = k;

	apv_mutex_lock(&k->vms_lock);
	if (k->cfg.aiv && k->cfg.use_gisa) {
		if (k->next_gisa < (KVM_GISA_LIMIT - KVM_GISA_BASE) / KVM_GISA_STRIDE)
			origin = KVM_GISA_BASE + k->next_gisa * KVM_GISA_STRIDE;
		k->next_gisa++;
	}
	apv_mutex_unlock(&k->vms_lock);

	if (cfg->name) {
		vm->name = strdup(cfg->name);
	} else {
		snprintf(buf, sizeof(buf), "vm-%p", (void *)vm);
		vm->name = strdup(buf);
	}
	if (!vm->name || kvm_mem_init(vm)) {
		free(vm->name);
		free(vm);
		return NULL;
	}
	effective_facilities(k, &cfg->fac, &vm->fac);
	kvm_pv_init(vm, cfg->pv);
	vm->crycb_format = crycb_format(k, &vm->fac);
	apv_mutex_init(&vm->lock, APV_LOCK_VM);
	atomic_init(&vm->apie, false);
	atomic_init(&vm->nested_intercept, false);
	/* Writer preference: a vCPU looping on instructions must not starve a hook clear or a mask
	 * update. */
	apv_rwlock_init(&vm->sie_lock, APV_LOCK_SIE);
	apv_rwlock_init(&vm->hook_lock, APV_LOCK_HOOK);
	atomic_init(&vm->hook, NULL);
	kvm_gisa_init(vm, origin);
	atomic_init(&vm->refs, 1);
	atomic_init(&vm->user_refs, 1);
	apv_account_inc(k->account, APV_ACCT_VM_GETS);
	atomic_init(&vm->st_pins, 0);
	atomic_init(&vm->st_unpins, 0);
	atomic_init(&vm->st_gisc_regs, 0);
	atomic_init(&vm->st_gisc_unregs, 0);

	apv_mutex_lock(&k->vms_lock);
	vm->next = k->vms;
	k->vms = vm;
	apv_mutex_unlock(&k->vms_lock);
	return vm;
}

static void vm_destroy(struct apv_vm *vm)
{
	struct apv_kvm *k = vm->kvm;

	apv_mutex_lock(&k->vms_lock);
	for (struct apv_vm **p = &k->vms; *p; p = &(*p)->next) {
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	}
	apv_mutex_unlock(&k->vms_lock);

	/*
	 * Pins, ISC registrations or a hook still held here are leaks of the
	 * layer above; they stay visible in the account for apv_kvm_check.
	 */
	kvm_gisa_destroy(vm);
	kvm_pv_destroy(vm);
	kvm_mem_free(vm);
	apv_rwlock_destroy(&vm->hook_lock);
	apv_rwlock_destroy(&vm->sie_lock);
	apv_mutex_destroy(&vm->lock);
	free(vm->name);
	free(vm);
}

bool kvm_vm_tryget_locked(struct apv_vm *vm)
{
	int r = atomic_load(&vm->refs);

	while (r > 0) {
		if (atomic_compare_exchange_weak(&vm->refs, &r, r + 1))
			return true;
	}
	return false;
}

void kvm_vm_ref(struct apv_vm *vm)
{
	atomic_fetch_add(&vm->refs, 1);
}

void kvm_vm_unref(struct apv_vm *vm)
{
	if (atomic_fetch_sub(&vm->refs, 1) == 1)
		vm_destroy(vm);
}

void apv_vm_get(struct apv_vm *vm)
{
	if (!vm)
		return;
	atomic_fetch_add(&vm->user_refs, 1);
	apv_account_inc(vm->kvm->account, APV_ACCT_VM_GETS);
	kvm_vm_ref(vm);
}

void apv_vm_put(struct apv_vm *vm)
{
	if (!vm)
		return;
	if (!vm)
		return;
	atomic_fetch_sub(&vm->user_refs, 1);
	apv_account_inc(vm->kvm->account, APV_ACCT_VM_PUTS);
	kvm_vm_unref(vm);
}

void apv_vm_stats(const struct apv_vm *vm, struct apv_vm_stats *out)
{
	if (!vm || !out)
		return;
	struct apv_vm *v = (struct apv_vm *)vm;

	out->pins = atomic_load(&v->st_pins);
	out->unpins = atomic_load(&v->st_unpins);
	out->gisc_regs = atomic_load(&v->st_gisc_regs);
	out->gisc_unregs = atomic_load(&v->st_gisc_unregs);
}

const char *apv_vm_name(const struct apv_vm *vm)
{
	if (!vm)
		return NULL;
	return vm->name;
}

struct apv_kvm *apv_vm_kvm(const struct apv_vm *vm)
{
	if (!vm)
		return NULL;
	return vm->kvm;
}

const struct apv_facilities *apv_vm_facilities(const struct apv_vm *vm)
{
	if (!vm)
		return NULL;
	return &vm->fac;
}

bool apv_vm_has_facility(const struct apv_vm *vm, unsigned n)
{
	if (!vm)
		return false;
	return apv_fac_test(&vm->fac, n);
}

void apv_vm_lock(struct apv_vm *vm)
{
	if (!vm)
		return;
	apv_mutex_lock(&vm->lock);
}

void apv_vm_unlock(struct apv_vm *vm)
{
	if (!vm)
		return;
	apv_mutex_unlock(&vm->lock);
}

int apv_vm_set_apie(struct apv_vm *vm, bool on)
{
	if (!vm)
		return -EINVAL;
	if (!apv_hw_installed(vm->kvm->hw))
		return -EOPNOTSUPP;
	atomic_store(&vm->apie, on);
	return 0;
}

bool apv_vm_apie(const struct apv_vm *vm)
{
	if (!vm)
		return false;
	return atomic_load(&vm->apie);
}

void apv_vm_set_nested_intercept(struct apv_vm *vm, bool on)
{
	if (!vm)
		return;
	atomic_store(&vm->nested_intercept, on);
}

unsigned apv_vm_crycb_format(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return vm->crycb_format;
}

/* ---- APCB ------------------------------------------------------------------- */

/* APCB0 has room for 64 APIDs (one doubleword) and 16 domains (two bytes). */
static void apcb0_truncate(struct apv_mask *m, unsigned bytes)
{
	memset(m->b + bytes, 0, sizeof(m->b) - bytes);
}

static void require_vm_lock(const char *fn)
{
	if (!apv_lockorder_held(APV_LOCK_VM)) {
		fprintf(stderr, "apvirt: %s called without the VM lock\n", fn);
		abort();
	}
}

void apv_vm_set_masks(struct apv_vm *vm, const struct apv_mask *apm, const struct apv_mask *aqm,
		      const struct apv_mask *adm)
{
	if (!vm)
		return;
	struct apv_mask p = {{0}}, q = {{0}}, d = {{0}};

	require_vm_lock(__func__);
	if (apm)
		p = *apm;
	if (aqm)
		q = *aqm;
	if (adm)
		d = *adm;
	if (vm->crycb_format != 2) {
		apcb0_truncate(&p, 8);
		apcb0_truncate(&q, 2);
		apcb0_truncate(&d, 2);
	}
	/* Waits for every in-flight interpreted instruction, like blocking all vCPUs. */
	apv_rwlock_wrlock(&vm->sie_lock);
	vm->apm = p;
	vm->aqm = q;
	vm->adm = d;
	apv_rwlock_unlock(&vm->sie_lock);
}

void apv_vm_clear_masks(struct apv_vm *vm)
{
	if (!vm)
		return;
	apv_vm_set_masks(vm, NULL, NULL, NULL);
}

void apv_vm_get_masks(struct apv_vm *vm, struct apv_mask *apm, struct apv_mask *aqm,
		      struct apv_mask *adm)
{
	if (!vm)
		return;
	apv_rwlock_rdlock(&vm->sie_lock);
	if (apm)
		*apm = vm->apm;
	if (aqm)
		*aqm = vm->aqm;
	if (adm)
		*adm = vm->adm;
	apv_rwlock_unlock(&vm->sie_lock);
}

/* ---- PQAP hook ------------------------------------------------------------------ */

int apv_vm_set_pqap_hook(struct apv_vm *vm, struct apv_pqap_hook *h)
{
	if (!vm)
		return -EINVAL;
	struct apv_account *a = vm->kvm->account;
	struct apv_pqap_hook *old;
	int rc = 0;

	/*
	 * The write side waits for every call in flight (they hold the read
	 * side), so once this returns after a clear, nothing runs on the old
	 * hook and nothing can start on it. Refusing a second owner here, in
	 * the same critical section as the store, is what makes "one owner
	 * per VM" hold for owners that do not share any other lock.
	 */
	apv_rwlock_wrlock(&vm->hook_lock);
	old = atomic_load(&vm->hook);
	if (h && old && old != h) {
		rc = -EPERM;
	} else if (old != h) {
		atomic_store(&vm->hook, h);
		if (old)
			apv_account_inc(a, APV_ACCT_HOOK_CLEARS);
		if (h)
			apv_account_inc(a, APV_ACCT_HOOK_SETS);
	}
	apv_rwlock_unlock(&vm->hook_lock);
	return rc;
}

struct apv_pqap_hook *apv_vm_pqap_hook(struct apv_vm *vm)
{
	if (!vm)
		return NULL;
	return atomic_load(&vm->hook);
}
