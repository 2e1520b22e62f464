/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — KVM layer internals shared by the files of kvm/.
 *
 * Locks of this layer and what they protect (besides the VM lock and the
 * hook lock, which are part of the stack-wide order in base.h):
 *  - kvm->vms_lock: the VM list and GISA-origin lookups; host-storage
 *    accesses run under it so a VM's memory cannot be freed under them.
 *  - vm->irq_lock: the VM's GISA (IPM, IAM, alert mask, refcounts), its
 *    vCPU list and each vCPU's interrupt state. Only kvm->gib_lock (the
 *    GIB alert list, a leaf) is taken under it, and no callback runs
 *    under it.
 *  - route->lock (a leaf): one queue's interruption route (route.c): what
 *    the hardware stores the NIB through and whose GISA it raises.
 *  - vm->sie_lock (read side): held while an instruction is interpreted
 *    against the APCB, so a mask update (write side) waits for in-flight
 *    instructions, like KVM blocking every vCPU out of SIE.
 *  - vm->mem_lock: memslot additions.
 * Order: vms_lock -> irq_lock -> gib_lock. The hardware calls the host storage (and so
 * takes vms_lock) under its queue locks; this layer never calls the
 * hardware, a hook or a handler while holding either of them.
 */
#ifndef APV_KVM_INTERNAL_H
#define APV_KVM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "apvirt/kvm.h"

#define KVM_PAGE_SHIFT 12
#define KVM_PAGE_SIZE (UINT64_C(1) << KVM_PAGE_SHIFT)
#define KVM_MAX_MEMSLOTS 32
/* s390's KVM_MAX_VCPUS: vCPU ids run from 0 to 254. */
#define KVM_MAX_VCPUS 255

/* Per-page flags in a memslot. */
#define KVM_PAGE_SHARED 0x01	 /* PV: shared with the host */
#define KVM_PAGE_UNPINNABLE 0x02 /* test hook: pinning fails */
/* PV: pinned when the VM became protected, so the Ultravisor could not make it secure */
#define KVM_PAGE_PV_PINNED 0x04

/* GISA origins handed out: 32-byte GISAs from 16 MiB up, all below 2 GiB. */
#define KVM_GISA_BASE UINT32_C(0x01000000)
#define KVM_GISA_STRIDE UINT32_C(0x20)
#define KVM_GISA_LIMIT UINT32_C(0x80000000)

/* The interruption word of an adapter interruption for a guest ISC. */
static inline uint32_t kvm_adapter_int_word(unsigned gisc)
{
	return UINT32_C(0x80000000) | ((uint32_t)gisc << 27);
}

/* The bit of ISC n in the IPM, IAM, alert mask and CR6. */
static inline uint8_t kvm_isc_bit(unsigned isc)
{
	return (uint8_t)(0x80u >> isc);
}

struct kvm_memslot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	bool owned;	     /* allocated by the VM, freed with it */
	atomic_uint *pins;   /* per page pin count */
	atomic_uchar *flags; /* per page KVM_PAGE_* */
};

struct kvm_gisa {
	uint32_t origin; /* physical address; 0 = the VM has no GISA */
	atomic_uchar ipm;
	atomic_uchar iam;
	uint8_t alert_mask;
	int refcount[APV_MAX_ISC + 1];
	atomic_bool alerted;	     /* on the GIB alert list */
	atomic_int register_failure; /* test hook: errno gisc_register returns, 0 = none */
	struct apv_vm *next_alert;   /* alert list link */
};

struct apv_kvm {
	struct apv_hw *hw;
	struct apv_kvm_config cfg;
	struct apv_account *account;

	struct apv_mutex vms_lock;
	struct apv_vm *vms;
	uint32_t next_gisa;
	bool matrix_claimed; /* the host's vfio_ap exists (under vms_lock) */

	/* Interruption routes (route.c): every one made, and the free ones; under vms_lock. */
	struct apv_irq_route *routes, *routes_free;
	atomic_ullong vm_visits; /* VMs looked at by searches for a GISA or a host address */

	struct apv_mutex gib_lock;
	struct apv_vm *alert_list;
	atomic_ullong gal_interrupts;
	atomic_ullong stray_irqs; /* GISA interrupts for no (more) existing VM */

	struct apv_mutex host_irq_lock;
	pthread_cond_t host_irq_idle; /* host_irq_calls dropped */
	apv_hw_irq_fn host_irq_fn;
	void *host_irq_ctx;
	unsigned host_irq_calls; /* host handler calls in flight */

	struct apv_storage host_storage;
};

struct apv_vm {
	struct apv_kvm *kvm;
	struct apv_vm *next;   /* kvm->vms */
	atomic_int refs;       /* every reference, vCPUs and interrupt delivery included */
	atomic_long user_refs; /* references taken with apv_vm_new/apv_vm_get (accounted) */
	char *name;

	struct apv_facilities fac;
	atomic_bool pv; /* set once, by apv_vm_pv_enable (or at creation) */
	/* Conversion to protected: intercepts in flight, and the wait for them. */
	atomic_uint icpt_active;
	atomic_bool pv_converting;
	struct apv_mutex pv_lock;
	pthread_cond_t pv_cond;
	atomic_uint pv_pinned_pages; /* pages with KVM_PAGE_PV_PINNED */
	unsigned crycb_format;
	struct apv_mutex lock; /* kvm->lock */
	atomic_bool apie;
	atomic_bool nested_intercept;

	/* The active APCB (APCB1 for format 2, APCB0 otherwise, already truncated). */
	struct apv_rwlock sie_lock;
	struct apv_mask apm, aqm, adm;

	struct apv_rwlock hook_lock;
	_Atomic(struct apv_pqap_hook *) hook;

	struct apv_mutex irq_lock;
	pthread_cond_t irq_cond; /* a vCPU's in-flight deliveries dropped */
	struct kvm_gisa gisa;
	struct apv_vcpu *vcpus; /* under irq_lock */
	unsigned nvcpus;

	/* Cumulative counts of this VM's share of the account (apv_vm_stats). */
	atomic_ullong st_pins, st_unpins, st_gisc_regs, st_gisc_unregs;

	struct apv_mutex mem_lock;
	struct kvm_memslot slots[KVM_MAX_MEMSLOTS];
	atomic_uint nslots; /* slots below it are immutable once published */
	struct apv_storage storage;
};

struct apv_vcpu {
	struct apv_vm *vm;
	struct apv_vcpu *next; /* vm->vcpus */
	unsigned id;
	struct apv_regs regs;
	struct apv_psw psw;
	atomic_uchar cr6;

	/* Interrupt state, under vm->irq_lock. */
	bool running;
	bool io_enabled;     /* PSW I/O mask as of the last SIE entry or kick */
	bool dead;	     /* being freed: no new deliveries */
	unsigned delivering; /* handler calls in flight */
	apv_vcpu_irq_fn irq_fn;
	void *irq_ctx;

	/* Written by the thread running the vCPU only (kvm_vcpu_count): no locked RMW. */
	atomic_ullong pqap_intercepts;
	atomic_ullong exits;
	atomic_ullong pgm;
	atomic_ullong interpreted;
	atomic_ullong interrupts; /* under vm->irq_lock */
};

/*
 * One AP queue's interruption route (route.c): the NIB page resolved to
 * its host address and the VM whose GISA the queue raises, fixed when
 * interrupts are enabled. Routes live as long as the kvm (the hardware
 * may hold one after its owner let go, when a disable did not take).
 */
struct apv_irq_route {
	struct apv_kvm *kvm;
	struct apv_irq_route *next;	 /* kvm->routes */
	struct apv_irq_route *next_free; /* kvm->routes_free */
	struct apv_storage st;		 /* ctx: the route */

	struct apv_mutex lock;
	/* Under lock; vm is NULL while the route is free. */
	struct apv_vm *vm; /* holds a reference while bound */
	apv_apqn_t apqn;
	uint32_t gisa;
	uint8_t *page;	     /* host address of the NIB page */
	atomic_uint *pins;   /* its pin count */
	atomic_uchar *flags; /* its KVM_PAGE_* flags */
	atomic_ullong stores, raises; /* NIB stores and interruptions through this route */
};

/* Internal functions stay out of libapvirt's exported symbols. */
#pragma GCC visibility push(hidden)

/*
 * kvm.c, for vfio_ap (declared again in vfio_ap_priv.h): the host has one
 * vfio_ap, so one matrix device per KVM. 0, or -EBUSY if one exists.
 */
int kvm_matrix_claim(struct apv_kvm *k);
void kvm_matrix_release(struct apv_kvm *k);

/* pv.c: the intercept path's side of the conversion (like holding vcpu->mutex). */
void kvm_pv_init(struct apv_vm *vm, bool pv);
void kvm_pv_destroy(struct apv_vm *vm);
void kvm_pv_intercept_enter(struct apv_vm *vm);
void kvm_pv_intercept_leave(struct apv_vm *vm);
/* A page lost its last pin: if the conversion left it unsecured, it may become secure now. */
void kvm_pv_page_unpinned(struct apv_vm *vm, atomic_uchar *flags);

/*
 * Count an event of the vCPU on the thread that runs it. One vCPU runs on
 * one thread at a time, so a plain load and store suffice; readers on
 * other threads see a consistent value. This keeps locked instructions
 * off the instruction path.
 */
static inline void kvm_vcpu_count(atomic_ullong *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* vm.c */
/* Take a reference unless the VM is already on its way out (kvm->vms_lock held). */
bool kvm_vm_tryget_locked(struct apv_vm *vm);
void kvm_vm_ref(struct apv_vm *vm);
void kvm_vm_unref(struct apv_vm *vm);

/* mem.c */
/* Copy bytes of guest memory that the hardware may touch at the same time (relaxed atomics). */
void kvm_shared_copy(uint8_t *dst, const uint8_t *src, size_t n);
int kvm_mem_init(struct apv_vm *vm);
void kvm_mem_free(struct apv_vm *vm);
/* Host storage over the pinned pages of every VM. */
void kvm_host_storage_init(struct apv_kvm *k);
/* Sum of the per-page pin counts of the VM. */
uint64_t kvm_mem_pinned_total(struct apv_vm *vm);

/* gisa.c */
void kvm_gisa_init(struct apv_vm *vm, uint32_t origin);
/* Takes the VM off the alert list; called before the VM is freed. */
void kvm_gisa_destroy(struct apv_vm *vm);
/* The hardware raised an interrupt with a GISA designation. */
void kvm_gisa_irq(struct apv_kvm *k, const struct apv_hw_irq *irq);
/* Set the guest ISC pending in the VM's GISA and deliver or alert. No lock held. */
void kvm_gisa_raise(struct apv_vm *vm, unsigned gisc);

/* route.c */
/* The interruption came with a route's storage: raise its VM's GISA. True if it was a route. */
bool kvm_route_irq(struct apv_kvm *k, const struct apv_hw_irq *irq);
void kvm_routes_free(struct apv_kvm *k);
/* The memslot page holding gpa: its host address, pin count and flags; false outside memory. */
bool kvm_mem_page(struct apv_vm *vm, uint64_t gpa, uint8_t **host, atomic_uint **pins,
		  atomic_uchar **flags);
/* The host may reach the page: pinned, and not secure (the same rule as the host storage). */
bool kvm_page_host_ok(struct apv_vm *vm, atomic_uint *pins, atomic_uchar *flags);
int kvm_vcpu_irq_attach(struct apv_vcpu *v);
void kvm_vcpu_irq_detach(struct apv_vcpu *v);
int kvm_gisa_check(struct apv_vm *vm, long *isc_refs, char *err, size_t errlen);

/* interp.c: SIE interpretation of an AP instruction against the APCB. */
struct apv_result kvm_interpret(struct apv_vcpu *v, uint16_t opcode, unsigned r1, unsigned r2);

/* pqap.c: the PQAP intercept (handle_pqap). */
struct apv_result kvm_handle_pqap(struct apv_vcpu *v);

#pragma GCC visibility pop

#endif
