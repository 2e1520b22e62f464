/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIE interpretation of the AP instructions (APIE on): what the machine
 * does for a guest without leaving SIE. The guest's view is checked first
 * (its facilities, its CRYCB format, its APCB), then the instruction goes
 * to the host hardware with the guest's storage.
 *
 * Exception priority follows the architecture: privileged operation, then
 * the specification checks, and only then the APCB, so an APQN outside
 * the guest's masks never hides an exception: it answers RC01 with CC3,
 * the same as a queue that does not exist.
 */
#include <string.h>

#include "kvm_internal.h"

/* An operand the instruction has to store is not in guest storage. */
#define KVM_PGM_ADDRESSING 0x05

/*
 * The APCB stays fixed while an instruction runs against it. A vCPU
 * interrupt handler that runs on this thread in the middle of an
 * instruction (a synchronous hardware interrupt) may execute another
 * instruction: the read side of the same VM is not taken twice, which
 * would deadlock behind a waiting mask update.
 */
static _Thread_local struct apv_vm *sie_vm;

static bool apqn_in_apcb(const struct apv_vm *vm, apv_apqn_t apqn)
{
	return apv_mask_test(&vm->apm, apv_apqn_apid(apqn)) &&
	       apv_mask_test(&vm->aqm, apv_apqn_apqi(apqn));
}

static struct apv_result q_not_avail(struct apv_regs *r)
{
	r->gr[1] = apv_gr1_from_apqsw(apv_apqsw_rc(APV_RC_Q_NOT_AVAIL));
	return apv_done(3);
}

/* Program exception for a PQAP in the guest's view, or 0. */
static unsigned pqap_check(const struct apv_vm *vm, uint64_t gr0)
{
	unsigned fc = apv_gr0_fc(gr0);
	uint64_t reserved = APV_GR0_RESERVED_41_47;

	switch (fc) {
	case APV_FC_TAPQ:
		break;
	case APV_FC_RAPQ:
	case APV_FC_ZAPQ:
		/* Bit 41 is the F bit of the resets. */
		reserved &= ~APV_GR0_F;
		break;
	case APV_FC_QCI:
		if (!apv_vm_has_facility(vm, APV_FAC_QCI))
			return APV_PGM_SPECIFICATION;
		break;
	default:
		/* QACT is not offered (QCI C bit off); BAPQ/AAPQ need Secure Execution. */
		return APV_PGM_SPECIFICATION;
	}
	if (gr0 & reserved)
		return APV_PGM_SPECIFICATION;
	if ((gr0 & APV_GR0_T) && !apv_vm_has_facility(vm, APV_FAC_APFT))
		return APV_PGM_SPECIFICATION;
	if (fc != APV_FC_QCI && vm->crycb_format != 2 && apv_apqn_needs_apxa(apv_gr0_apqn(gr0)))
		return APV_PGM_SPECIFICATION;
	return 0;
}

/* QCI answers with the guest's configuration, not the host's. */
static struct apv_result guest_qci(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;
	uint64_t addr = v->regs.gr[2];
	uint8_t block[APV_QCI_SIZE];
	struct apv_qci host, q;

	if (addr & 7)
		return apv_pgm(APV_PGM_SPECIFICATION);
	apv_hw_qci(vm->kvm->hw, &host);
	memset(&q, 0, sizeof(q));
	q.flags = host.flags & ~(APV_QCI_N | APV_QCI_B);
	if (atomic_load(&vm->pv))
		q.flags |= host.flags & APV_QCI_B;
	if (vm->crycb_format == 2) {
		q.flags |= APV_QCI_N;
		q.na = host.na;
		q.nd = host.nd;
	} else {
		q.na = 63;
		q.nd = 15;
	}
	q.apm = vm->apm;
	q.aqm = vm->aqm;
	q.adm = vm->adm;
	apv_qci_encode(&q, block);
	if (apv_storage_write(&vm->storage, addr, block, sizeof(block)))
		return apv_pgm(KVM_PGM_ADDRESSING);
	return apv_done(0);
}

static struct apv_result interp_pqap(struct apv_vcpu *v)
{
	struct apv_vm *vm = v->vm;
	struct apv_regs *r = &v->regs;
	uint64_t gr0 = r->gr[0];
	unsigned pgm = pqap_check(vm, gr0);

	if (pgm)
		return apv_pgm(pgm);
	if (apv_gr0_fc(gr0) == APV_FC_QCI)
		return guest_qci(v);
	if (!apqn_in_apcb(vm, apv_gr0_apqn(gr0))) {
		if (apv_gr0_fc(gr0) == APV_FC_TAPQ)
			r->gr[2] = 0;
		return q_not_avail(r);
	}
	return apv_hw_pqap(vm->kvm->hw, r, &vm->storage);
}

static bool pair_ok(unsigned reg)
{
	return reg < 15 && !(reg & 1);
}

static struct apv_result interp_nqap_dqap(struct apv_vcpu *v, uint16_t opcode, unsigned r1,
					  unsigned r2)
{
	struct apv_vm *vm = v->vm;
	struct apv_regs *r = &v->regs;
	uint64_t gr0 = r->gr[0];
	uint64_t mbz = opcode == APV_OP_NQAP ? APV_GR0_NQAP_MBZ : APV_GR0_DQAP_MBZ;

	if (!pair_ok(r1) || !pair_ok(r2))
		return apv_pgm(APV_PGM_SPECIFICATION);
	if (gr0 & mbz)
		return apv_pgm(APV_PGM_SPECIFICATION);
	if (vm->crycb_format != 2 && apv_apqn_needs_apxa(apv_gr0_apqn(gr0)))
		return apv_pgm(APV_PGM_SPECIFICATION);
	if (r->gr[r2 + 1] == 0)
		return apv_pgm(APV_PGM_SPECIFICATION);
	if (!apqn_in_apcb(vm, apv_gr0_apqn(gr0))) {
		if (opcode == APV_OP_DQAP)
			r->gr[2] = 0;
		return q_not_avail(r);
	}
	if (opcode == APV_OP_NQAP)
		return apv_hw_nqap(vm->kvm->hw, r, r1, r2, &vm->storage);
	return apv_hw_dqap(vm->kvm->hw, r, r1, r2, &vm->storage);
}

struct apv_result kvm_interpret(struct apv_vcpu *v, uint16_t opcode, unsigned r1, unsigned r2)
{
	struct apv_vm *vm = v->vm, *prev;
	struct apv_result res;

	kvm_vcpu_count(&v->interpreted);
	if (v->psw.problem_state)
		return apv_pgm(APV_PGM_PRIVILEGED_OP);
	prev = sie_vm;
	if (prev != vm) {
		apv_rwlock_rdlock(&vm->sie_lock);
		sie_vm = vm;
	}
	if (opcode == APV_OP_PQAP)
		res = interp_pqap(v);
	else
		res = interp_nqap_dqap(v, opcode, r1, r2);
	if (prev != vm) {
		sie_vm = prev;
		apv_rwlock_unlock(&vm->sie_lock);
	}
	return res;
}
