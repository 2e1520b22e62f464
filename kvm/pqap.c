/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PQAP intercept (KVM's handle_pqap). The order of the checks is
 * architecture, not style; docs/intercept.md gives the reason for each.
 */
#include <errno.h>

#include "kvm_internal.h"

/*
 * No hook means no vfio driver set up the CRYCB, so the guest has no
 * queues: answer "queue not available". Unlike the kernel, which copies
 * the status word over the high half of GR1, the APQSW goes into bits
 * 32-63 with bits 0-31 zero, exactly where a hook's answer goes.
 */
static struct apv_result no_hook_answer(struct apv_vcpu *v)
{
	v->regs.gr[1] = apv_gr1_from_apqsw(apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	return apv_done(3);
}

static struct apv_result call_hook(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;
	struct apv_account *a = vm->kvm->account;
	struct apv_pqap_hook *h;
	struct apv_result res;
	int rc;

	/* Taking the hook lock under any other stack lock is the deadlock this order forbids. */
	apv_rwlock_rdlock(&vm->hook_lock);
	h = atomic_load(&vm->hook);
	if (!h) {
		res = no_hook_answer(v);
	} else {
		apv_account_inc(a, APV_ACCT_HOOK_CALLS);
		rc = h->fn(h, v);
		apv_account_inc(a, APV_ACCT_HOOK_RETURNS);
		if (rc == 0) {
			/* Written every time: the guest's old CC must not survive a success. */
			res = apv_done((v->regs.gr[1] & APV_GR1_RC_MASK) ? 3 : 0);
		} else {
			/* -EOPNOTSUPP (no AIV) or any failure of the hook: user space decides. */
			res = apv_exit();
		}
	}
	apv_rwlock_unlock(&vm->hook_lock);
	return res;
}

struct apv_result kvm_handle_pqap(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;
	uint64_t gr0 = v->regs.gr[0];
	struct apv_result res;

	/* 1-3: not ours to answer; no exception, no warning. */
	if (!apv_hw_installed(vm->kvm->hw))
		return apv_exit();
	if (!atomic_load(&vm->apie))
		return apv_exit();
	if (apv_gr0_fc(gr0) != APV_FC_AQIC)
		return apv_exit();
	/* 4: privileged operation outranks every specification exception. */
	if (v->psw.problem_state)
		return apv_pgm(APV_PGM_PRIVILEGED_OP);
	/* 5-7: the specification checks common to PQAP. */
	if (gr0 & APV_GR0_RESERVED_41_47)
		return apv_pgm(APV_PGM_SPECIFICATION);
	if ((gr0 & APV_GR0_T) && !apv_vm_has_facility(vm, APV_FAC_APFT))
		return apv_pgm(APV_PGM_SPECIFICATION);
	if (vm->crycb_format != 2 && apv_apqn_needs_apxa(apv_gr0_apqn(gr0)))
		return apv_pgm(APV_PGM_SPECIFICATION);
	/* 8: the AQIC-specific one, here so that the hook never looks at the CPU model. */
	if (!apv_vm_has_facility(vm, APV_FAC_AQIC))
		return apv_pgm(APV_PGM_SPECIFICATION);
	/* 9-10 */
	res = call_hook(v);
	if (res.kind == APV_RES_DONE)
		kvm_vcpu_count(&v->pqap_intercepts);
	return res;
}
