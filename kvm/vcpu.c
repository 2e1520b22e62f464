/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A vCPU and the instruction boundary: apv_vcpu_execute() decides, as SIE
 * would, whether an AP instruction is interpreted against the APCB or
 * intercepted, and turns the outcome into exactly one result kind.
 */
#include <errno.h>
#include <stdlib.h>

#include "kvm_internal.h"

struct apv_vcpu *apv_vcpu_new(struct apv_vm *vm, unsigned id)
{
	struct apv_vcpu *v;

	/* KVM_CREATE_VCPU refuses an id of KVM_MAX_VCPUS or more with -EINVAL. */
	if (!vm || id >= KVM_MAX_VCPUS)
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->vm = vm;
	v->id = id;
	atomic_init(&v->cr6, 0);
	atomic_init(&v->pqap_intercepts, 0);
	atomic_init(&v->exits, 0);
	atomic_init(&v->pgm, 0);
	atomic_init(&v->interpreted, 0);
	atomic_init(&v->interrupts, 0);
	/* Like a vCPU fd, a vCPU keeps its VM alive. */
	kvm_vm_ref(vm);
	if (kvm_vcpu_irq_attach(v)) {
		kvm_vm_unref(vm);
		free(v);
		return NULL;
	}
	return v;
}

void apv_vcpu_free(struct apv_vcpu *v)
{
	if (!v)
		return;
	struct apv_vm *vm;

	if (!v)
		return;
	vm = v->vm;
	kvm_vcpu_irq_detach(v);
	free(v);
	kvm_vm_unref(vm);
}

struct apv_vm *apv_vcpu_vm(const struct apv_vcpu *v)
{
	if (!v)
		return NULL;
	return v->vm;
}

unsigned apv_vcpu_id(const struct apv_vcpu *v)
{
	if (!v)
		return 0;
	return v->id;
}

struct apv_regs *apv_vcpu_regs(struct apv_vcpu *v)
{
	if (!v)
		return NULL;
	return &v->regs;
}

struct apv_psw *apv_vcpu_psw(struct apv_vcpu *v)
{
	if (!v)
		return NULL;
	return &v->psw;
}

uint64_t apv_vcpu_interrupts(const struct apv_vcpu *v)
{
	if (!v)
		return 0;
	return atomic_load(&v->interrupts);
}

void apv_vcpu_stats(const struct apv_vcpu *v, struct apv_vcpu_stats *out)
{
	if (!v || !out)
		return;
	out->pqap_intercepts = atomic_load(&v->pqap_intercepts);
	out->exits = atomic_load(&v->exits);
	out->pgm = atomic_load(&v->pgm);
	out->interpreted = atomic_load(&v->interpreted);
	out->interrupts = atomic_load(&v->interrupts);
}

/*
 * SIE interprets only when the host has the AP instructions, KVM enabled
 * APIE and no lower hypervisor level takes interpretation away; AQIC is
 * always intercepted because its GISA and NIB belong to the host. KVM
 * handles only PQAP in the kernel; an intercepted NQAP or DQAP goes to
 * user space.
 */
static bool sie_interprets(struct apv_vcpu *v, uint16_t opcode)
{
	struct apv_vm *vm = v->vm;

	if (!apv_hw_installed(vm->kvm->hw) || !atomic_load(&vm->apie) ||
	    atomic_load(&vm->nested_intercept))
		return false;
	return !(opcode == APV_OP_PQAP && apv_gr0_fc(v->regs.gr[0]) == APV_FC_AQIC);
}

struct apv_result apv_vcpu_execute(struct apv_vcpu *v, uint16_t opcode, unsigned r1, unsigned r2)
{
	struct apv_result res;

	/* No vCPU: as if the instruction were not installed. */
	if (!v)
		return apv_pgm(APV_PGM_OPERATION);
	/* R fields are four bits wide: anything else cannot be encoded. */
	if (r1 > 15 || r2 > 15)
		res = apv_pgm(APV_PGM_SPECIFICATION);
	else if (opcode != APV_OP_PQAP && opcode != APV_OP_NQAP && opcode != APV_OP_DQAP) {
		res = apv_pgm(APV_PGM_OPERATION);
	} else if (sie_interprets(v, opcode)) {
		res = kvm_interpret(v, opcode, r1, r2);
	} else if (opcode == APV_OP_PQAP) {
		/* The intercept runs whole before or after a conversion to protected. */
		kvm_pv_intercept_enter(v->vm);
		res = kvm_handle_pqap(v);
		kvm_pv_intercept_leave(v->vm);
	} else {
		res = apv_exit();
	}

	switch (res.kind) {
	case APV_RES_DONE:
		v->psw.cc = res.cc;
		break;
	case APV_RES_PGM:
		kvm_vcpu_count(&v->pgm);
		break;
	case APV_RES_EXIT:
		kvm_vcpu_count(&v->exits);
		break;
	}
	return res;
}
