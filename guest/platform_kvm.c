/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest platform over a vCPU: instructions go through
 * apv_vcpu_execute() (SIE interpretation, the PQAP intercept, vfio_ap's
 * hook), memory is the VM's guest storage, facilities are what STFLE
 * shows the VM, and adapter interruptions arrive through the GISA to the
 * vCPU once CR6 enables the ISC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apvirt/guest.h"
#include "apvirt/kvm.h"
#include "platform_airq.h"

#define PAGE UINT64_C(4096)

struct plat_kvm {
	struct apv_vcpu *vcpu;
	struct apv_vm *vm;
	struct plat_airq airq;
};

static struct apv_result kvm_execute(void *ctx, struct apv_regs *r, uint16_t op, unsigned r1,
				     unsigned r2)
{
	struct plat_kvm *p = ctx;
	struct apv_regs *vr = apv_vcpu_regs(p->vcpu);
	struct apv_result res;

	*vr = *r;
	res = apv_vcpu_execute(p->vcpu, op, r1, r2);
	/* User space (QEMU) has no handler for AP instructions: operation exception. */
	if (res.kind == APV_RES_EXIT)
		return apv_pgm(APV_PGM_OPERATION);
	*r = *vr;
	return res;
}

static bool kvm_has_facility(void *ctx, unsigned nr)
{
	return apv_vm_has_facility(((struct plat_kvm *)ctx)->vm, nr);
}

static void kvm_irq(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word)
{
	struct plat_kvm *p = ctx;

	(void)vcpu;
	plat_airq_deliver(&p->airq, (int_word >> 27) & 7);
}

static int kvm_enable_isc(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	struct plat_kvm *p = ctx;
	uint8_t bit;

	if (isc > APV_MAX_ISC)
		return -EINVAL;
	bit = (uint8_t)(0x80u >> isc);
	if (fn) {
		plat_airq_set(&p->airq, isc, fn, arg);
		/* An enabled-wait guest: I/O interruptions on, ISC in CR6, in SIE. */
		apv_vcpu_psw(p->vcpu)->io_enabled = true;
		apv_vcpu_set_irq_handler(p->vcpu, kvm_irq, p);
		apv_vcpu_set_cr6(p->vcpu, apv_vcpu_cr6(p->vcpu) | bit);
		apv_vcpu_set_running(p->vcpu, true);
		return 0;
	}
	apv_vcpu_set_cr6(p->vcpu, apv_vcpu_cr6(p->vcpu) & (uint8_t)~bit);
	plat_airq_set(&p->airq, isc, NULL, NULL);
	return 0;
}

static void kvm_release(void *ctx)
{
	struct plat_kvm *p = ctx;

	(void)kvm_enable_isc(p, 0, NULL, NULL);
	apv_vcpu_set_irq_handler(p->vcpu, NULL, NULL);
	plat_airq_destroy(&p->airq);
	free(p);
}

int apv_guest_platform_kvm(struct apv_vcpu *vcpu, uint64_t gpa, uint64_t size,
			   struct apv_guest_platform *out)
{
	struct apv_vm *vm;
	struct plat_kvm *p;

	if (!vcpu || !out || size < APV_GUEST_MEM_MIN || (gpa & 7) || gpa > UINT64_MAX - size)
		return -EINVAL;
	vm = apv_vcpu_vm(vcpu);
	/* Every page of the driver's memory must be backed. */
	for (uint64_t a = gpa & ~(PAGE - 1); a < gpa + size; a += PAGE) {
		if (!apv_vm_hva(vm, a < gpa ? gpa : a))
			return -EFAULT;
	}
	if (!apv_vm_hva(vm, gpa + size - 1))
		return -EFAULT;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vcpu = vcpu;
	p->vm = vm;
	plat_airq_init(&p->airq);

	memset(out, 0, sizeof(*out));
	out->execute = kvm_execute;
	out->has_facility = kvm_has_facility;
	out->enable_isc = kvm_enable_isc;
	out->release = kvm_release;
	out->storage = *apv_vm_storage(vm);
	out->mem_base = gpa;
	out->mem_size = size;
	out->clock = apv_kvm_clock(apv_vm_kvm(vm));
	out->ctx = p;
	return 0;
}
