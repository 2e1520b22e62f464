/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — the KVM layer: host (the "kvm module": GIB, VM list), VMs
 * (facilities, CRYCB and APCB masks, APIE, GISA, memory, PQAP hook) and
 * vCPUs (registers, PSW, CR6, the instruction boundary).
 *
 * The instruction boundary: apv_vcpu_execute() takes (opcode, R1, R2) and
 * the vCPU's registers, PSW and the VM's guest storage, and returns exactly
 * one of: DONE (registers and CC updated), PGM (program exception code),
 * or EXIT (to user space; nothing changed).
 *
 * With APIE on, TAPQ/RAPQ/ZAPQ/QCI/NQAP/DQAP are interpreted (as SIE would)
 * against the guest's APCB; PQAP(AQIC) is intercepted and handled like
 * Linux's handle_pqap(), in exactly this order:
 *   1 host has no AP instructions  -> EXIT
 *   2 APIE off                     -> EXIT
 *   3 FC != AQIC                   -> EXIT (no warning, no exception)
 *   4 problem state                -> PGM privileged operation
 *   5 GR0 bits 41-47 set           -> PGM specification
 *   6 T bit without facility 15    -> PGM specification
 *   7 APID>63/APQI>15, CRYCB not format 2 -> PGM specification
 *   8 no facility 65               -> PGM specification
 *   9 hook published: call it under the hook read lock; 0 -> CC0 if
 *     RC == 0 else CC3 (always written); -EOPNOTSUPP -> EXIT, CC untouched
 *  10 no hook: CC3, RC01, APQSW in GR1 bits 32-63 (not the kernel's high half)
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_KVM_H
#define APVIRT_KVM_H

#include <apvirt/arch.h>
#include <apvirt/base.h>
#include <apvirt/hw.h>

#ifdef __cplusplus
extern "C" {
#endif

struct apv_kvm;  /* the host side: one per apv_hw */
struct apv_vm;
struct apv_vcpu;

/* ---- facilities (STFLE numbering: bit 0 = MSB of byte 0) --------------- */

struct apv_facilities {
	uint8_t b[32]; /* facilities 0..255 */
};
static inline bool apv_fac_test(const struct apv_facilities *f, unsigned n)
{
	return n < 256 && (f->b[n >> 3] & (0x80u >> (n & 7)));
}
static inline void apv_fac_set(struct apv_facilities *f, unsigned n)
{
	if (n < 256)
		f->b[n >> 3] |= (uint8_t)(0x80u >> (n & 7));
}
static inline void apv_fac_clear(struct apv_facilities *f, unsigned n)
{
	if (n < 256)
		f->b[n >> 3] &= (uint8_t) ~(0x80u >> (n & 7));
}

/* ---- host ------------------------------------------------------------------ */

struct apv_kvm_config {
	bool aiv;      /* host adapter-interruption virtualization (GISA possible) */
	bool use_gisa; /* like the kvm module parameter use_gisa (default true) */
};
void apv_kvm_config_default(struct apv_kvm_config *c);

/*
 * Installs itself as the hardware's interrupt handler. NULL if hw is NULL
 * or already in use (apv_hw_in_use: one KVM per host).
 */
struct apv_kvm *apv_kvm_new(struct apv_hw *hw, const struct apv_kvm_config *cfg);
/*
 * 0 (NULL: nothing to do), or -EBUSY while VMs or the matrix device
 * (apv_matrix_new) still live on it: nothing is freed. Afterwards the
 * hardware is no longer in use.
 */
int apv_kvm_free(struct apv_kvm *k);
struct apv_hw *apv_kvm_hw(const struct apv_kvm *k);
struct apv_clock *apv_kvm_clock(const struct apv_kvm *k);
/* The one accounting record of the stack (pins, ISCs, VM refs, hooks). */
struct apv_account *apv_kvm_account(struct apv_kvm *k);
/*
 * Interrupts without a GISA designation (host drivers, bare-metal guests).
 * On return the previous handler runs nowhere (but up the caller's stack)
 * and is not called again.
 */
void apv_kvm_set_host_irq_handler(struct apv_kvm *k, apv_hw_irq_fn fn, void *ctx);
/* Host memory for pinned pages: addresses returned by apv_vm_pin(). */
const struct apv_storage *apv_kvm_host_storage(struct apv_kvm *k);
/* GIB alert-list interruptions handled (GAL ISC). */
uint64_t apv_kvm_gal_interrupts(const struct apv_kvm *k);

/* ---- VM ------------------------------------------------------------------------ */

struct apv_vm_config {
	struct apv_facilities fac; /* requested (CPU model); 65 kept only with host AIV + AQIC */
	bool pv;                   /* protected virtualization (Secure Execution) */
	const char *name;          /* for messages; copied */
};
/* Facilities 12, 15, 65 and 76 requested, not protected. */
void apv_vm_config_default(struct apv_vm_config *c);

/* Refcounted: apv_vm_new() returns one reference. */
struct apv_vm *apv_vm_new(struct apv_kvm *k, const struct apv_vm_config *cfg);
void apv_vm_get(struct apv_vm *vm);
/* Dropping the last reference frees the VM (all vCPUs must be freed first). */
void apv_vm_put(struct apv_vm *vm);
const char *apv_vm_name(const struct apv_vm *vm);
struct apv_kvm *apv_vm_kvm(const struct apv_vm *vm);
/* Effective facility list (what STFLE shows the guest). */
const struct apv_facilities *apv_vm_facilities(const struct apv_vm *vm);
bool apv_vm_has_facility(const struct apv_vm *vm, unsigned n);

/* kvm->lock. */
void apv_vm_lock(struct apv_vm *vm);
void apv_vm_unlock(struct apv_vm *vm);

/* KVM_S390_VM_CRYPTO_ENABLE/DISABLE_APIE. -EOPNOTSUPP without host AP instructions. */
int apv_vm_set_apie(struct apv_vm *vm, bool on);
bool apv_vm_apie(const struct apv_vm *vm);
/*
 * Model running nested under a hypervisor level that does not interpret AP
 * instructions for us (ECA.28 is an effective control): with it on, every
 * AP instruction is intercepted, so handle_pqap also sees function codes
 * other than AQIC (which it sends to user space). Off by default.
 */
void apv_vm_set_nested_intercept(struct apv_vm *vm, bool on);

/* CRYCB format 0, 1 or 2 (2 = MSAX3 and host APXA, as the host QCI reports it). */
unsigned apv_vm_crycb_format(const struct apv_vm *vm);
/*
 * Program the guest's APCB (APCB1 for format 2, else APCB0 limited to
 * 64 APIDs / 16 domains), atomically with respect to running vCPUs.
 * The caller holds the VM lock. A NULL mask is an empty one.
 */
void apv_vm_set_masks(struct apv_vm *vm, const struct apv_mask *apm, const struct apv_mask *aqm,
		      const struct apv_mask *adm);
void apv_vm_clear_masks(struct apv_vm *vm);
void apv_vm_get_masks(struct apv_vm *vm, struct apv_mask *apm, struct apv_mask *aqm,
		      struct apv_mask *adm);

/*
 * The PQAP hook. Embed it in the owner's structure and recover the owner
 * with container_of, like vfio_ap's matrix_mdev->pqap_hook. fn returns 0
 * (GR1 holds the APQSW) or -EOPNOTSUPP (exit to user space).
 */
struct apv_pqap_hook {
	int (*fn)(struct apv_pqap_hook *self, struct apv_vcpu *vcpu);
};
/*
 * Publish (h) or clear (NULL) under the write side of the hook lock. After
 * a clear returns no call is running and none can start. A VM has one
 * owner: publishing while a different hook is published changes nothing
 * and returns -EPERM (decided under the write lock, so of two racing
 * publishers exactly one wins); publishing the hook already there, or a
 * clear, returns 0. Must not be called with the guests, VM or mdevs lock
 * held.
 */
int apv_vm_set_pqap_hook(struct apv_vm *vm, struct apv_pqap_hook *h);
struct apv_pqap_hook *apv_vm_pqap_hook(struct apv_vm *vm); /* racy peek for checks */

/* ---- GISA / GIB ---------------------------------------------------------------- */

/* GISA origin >> 4 as AQIC wants it (27 bits), 0 when the VM has no GISA. */
uint32_t apv_vm_gisa(const struct apv_vm *vm);
/*
 * Returns the host ISC (GIB nisc = 5), -ENODEV without GISA, -ERANGE for
 * gisc > 7 (a failure can be forced for tests: apvirt/testing.h).
 */
int apv_vm_gisc_register(struct apv_vm *vm, unsigned gisc);
/* 0, -ENODEV, -ERANGE, or -EINVAL when gisc is not registered. */
int apv_vm_gisc_unregister(struct apv_vm *vm, unsigned gisc);
int apv_vm_gisc_refcount(const struct apv_vm *vm, unsigned gisc);
uint8_t apv_vm_gisa_ipm(const struct apv_vm *vm);
uint8_t apv_vm_gisa_iam(const struct apv_vm *vm);
/* True when the GISA sits on the GIB alert list. */
bool apv_vm_gisa_alerted(const struct apv_vm *vm);

/*
 * Interruption routes. Enabling a queue's interrupts for a guest resolves,
 * once, where the NIB byte is stored and whose GISA is raised, so that a
 * reply reaches its VM without searching the host's VMs: take a route
 * with the NIB page pinned and give AQIC apv_irq_route_storage() with the
 * NIB's host address (from apv_vm_pin). Let go of it when the pin goes
 * (after the disable, reset or detach that ends the registration; before
 * the unpin). A route stores only to its page while that page is pinned
 * and reachable by the host (a secure page of a protected guest is not),
 * and raises only for its queue and VM's GISA; once let go of it does
 * neither, so a hardware that kept it after a disable that did not take
 * reaches nothing. A route holds a VM reference while taken.
 * get: 0, -EINVAL, -ENODEV (the VM has no GISA), -EFAULT (nib is not
 * guest memory), -ENOMEM. put(NULL) does nothing, storage(NULL) is NULL.
 */
struct apv_irq_route;
int apv_vm_irq_route_get(struct apv_vm *vm, apv_apqn_t apqn, uint64_t nib,
			 struct apv_irq_route **out);
void apv_irq_route_put(struct apv_irq_route *r);
const struct apv_storage *apv_irq_route_storage(struct apv_irq_route *r);

/* ---- guest memory ---------------------------------------------------------------- */

/*
 * Add a memslot of `size` bytes at guest absolute address `gpa`. host may
 * be NULL (the VM allocates and zeroes it) or memory the caller owns (QEMU
 * RAM). Slots must not overlap. -EINVAL (not 4 KiB aligned, empty, wraps),
 * -EEXIST (overlap), -ENOSPC (all 32 slots used), -ENOMEM.
 */
int apv_vm_add_memslot(struct apv_vm *vm, uint64_t gpa, uint64_t size, void *host);
/* Guest absolute storage of the VM (what interpreted instructions use). */
const struct apv_storage *apv_vm_storage(struct apv_vm *vm);
/* Host address of the guest byte at gpa; NULL outside memory. */
void *apv_vm_hva(struct apv_vm *vm, uint64_t gpa);

/*
 * Pin the page holding gpa; *host_addr gets the host address of gpa in
 * apv_kvm_host_storage(). Per-page counts. -EFAULT outside memory.
 */
int apv_vm_pin(struct apv_vm *vm, uint64_t gpa, uint64_t *host_addr);
/* -EINVAL when the page is not pinned (an unbalanced unpin). */
int apv_vm_unpin(struct apv_vm *vm, uint64_t gpa);
unsigned apv_vm_pinned_pages(const struct apv_vm *vm);
/*
 * Cumulative counts of this VM's pins and guest-ISC registrations (the
 * balances are pinned_pages and gisc_refcount; the host-wide counts are
 * in apv_kvm_account). Only successful calls count.
 */
struct apv_vm_stats {
	uint64_t pins, unpins;
	uint64_t gisc_regs, gisc_unregs;
};
void apv_vm_stats(const struct apv_vm *vm, struct apv_vm_stats *out);
/*
 * Protected guests: pages are secure unless shared. set_shared: -EINVAL for
 * a guest that is not protected, -EFAULT outside memory. is_shared: false
 * outside memory, true for every page of a guest that is not protected.
 * The host storage refuses secure pages even when pinned.
 */
int apv_vm_pv_set_shared(struct apv_vm *vm, uint64_t gpa, bool shared);
bool apv_vm_pv_is_shared(struct apv_vm *vm, uint64_t gpa);
bool apv_vm_is_protected(const struct apv_vm *vm);
/*
 * KVM_PV_ENABLE on a running VM: under the VM lock (kvm->lock), after
 * every PQAP intercept in flight has left (an AQIC is handled wholly
 * before or after) and with interpreted instructions held off. From then
 * on pages are secure unless shared, except pages pinned at that moment
 * (a NIB): the Ultravisor cannot secure a page the host holds, so it
 * stays reachable by the adapter until its last unpin. -EINVAL if the VM
 * is protected already. Must not be called with the guests or mdevs lock
 * held.
 */
int apv_vm_pv_enable(struct apv_vm *vm);
/* Pages left unsecured by apv_vm_pv_enable because they were pinned; 0 once unpinned. */
unsigned apv_vm_pv_pinned_pages(const struct apv_vm *vm);

/* ---- vCPU -------------------------------------------------------------------------- */

struct apv_psw {
	bool problem_state; /* PSW bit 15 */
	bool io_enabled;    /* PSW bit 6 */
	uint8_t cc;         /* condition code */
	bool wait;          /* enabled wait */
};

/* An adapter interruption as it reaches a vCPU. */
typedef void (*apv_vcpu_irq_fn)(void *ctx, struct apv_vcpu *vcpu, uint32_t int_word);

struct apv_vcpu *apv_vcpu_new(struct apv_vm *vm, unsigned id);
void apv_vcpu_free(struct apv_vcpu *v);
struct apv_vm *apv_vcpu_vm(const struct apv_vcpu *v);
unsigned apv_vcpu_id(const struct apv_vcpu *v);
struct apv_regs *apv_vcpu_regs(struct apv_vcpu *v);
struct apv_psw *apv_vcpu_psw(struct apv_vcpu *v);
/*
 * CR6 I/O interruption subclass mask: bit 0x80 >> isc enables isc. A
 * running vCPU takes pending interrupts the new mask enables at once.
 */
void apv_vcpu_set_cr6(struct apv_vcpu *v, uint8_t isc_mask);
uint8_t apv_vcpu_cr6(const struct apv_vcpu *v);
/* In SIE (running) or not; enabling interrupts or starting to run delivers pending ones. */
void apv_vcpu_set_running(struct apv_vcpu *v, bool running);
/*
 * The handler runs on the thread that raised or released the interrupt
 * (hardware worker, clock, or this vCPU's thread in the calls here), like
 * a real interruption: keep it short. It must not free its own vCPU.
 * Interrupts arriving from other threads use the PSW I/O mask as of the
 * last set_running / set_cr6 / deliver_pending call (the SIE entry).
 * Replacing the handler (NULL removes it) waits for deliveries in flight:
 * on return the old one runs nowhere (but up the caller's stack) and is
 * not called again, so its ctx may be freed. Do not call it holding a
 * lock the handler takes.
 */
void apv_vcpu_set_irq_handler(struct apv_vcpu *v, apv_vcpu_irq_fn fn, void *ctx);
/*
 * Deliver pending GISA interrupts now if enabled (what SIE entry or a kick
 * does), lowest ISC first. Returns how many were delivered.
 */
unsigned apv_vcpu_deliver_pending(struct apv_vcpu *v);
uint64_t apv_vcpu_interrupts(const struct apv_vcpu *v);

/* The instruction boundary. opcode is APV_OP_PQAP/NQAP/DQAP. */
struct apv_result apv_vcpu_execute(struct apv_vcpu *v, uint16_t opcode, unsigned r1, unsigned r2);

struct apv_vcpu_stats {
	uint64_t pqap_intercepts;  /* AQIC intercepts handled in the kernel */
	uint64_t exits;            /* exits to user space */
	uint64_t pgm;              /* program exceptions */
	uint64_t interpreted;      /* instructions interpreted by SIE */
	uint64_t interrupts;       /* adapter interruptions delivered */
};
void apv_vcpu_stats(const struct apv_vcpu *v, struct apv_vcpu_stats *out);

/* ---- invariants ---------------------------------------------------------------------- */

/*
 * Check the KVM-side balances: page pin counts vs the account, GISC
 * refcounts vs IAM/alert mask, hook publication. Returns 0 or -EINVAL with
 * a sentence in err.
 */
int apv_kvm_check(struct apv_kvm *k, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
