/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt — fault injection for tests. UNSTABLE: these calls may change or
 * go in any release, without a change of the major version.
 *
 * They force failures that the model never produces on its own but that
 * the code above must survive, because the kernel it follows can meet
 * them: a guest ISC registration that fails although the GISA is present
 * and the ISC valid, and a guest page that cannot be pinned. The scenario
 * language offers them to scripts, and an embedder's own tests (a QEMU
 * device, a management tool) can use them against libapvirt directly;
 * nothing else in a program should.
 *
 * API contract (docs/api.md): a NULL object or buffer, or a number out of
 * range, gets -EINVAL from functions returning an errno, NULL, false or 0
 * from the others (void ones do nothing), and the architected answer from
 * instructions; a destructor refuses an object still in use with -EBUSY.
 */
#ifndef APVIRT_TESTING_H
#define APVIRT_TESTING_H

#include <apvirt/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * While err (a negative errno) is set, apv_vm_gisc_register() fails with
 * it after its own checks; 0 clears. Callers must handle such a failure
 * (vfio_ap answers RC06). -EINVAL for a positive err.
 */
int apv_vm_set_gisc_register_failure(struct apv_vm *vm, int err);

/*
 * Make pinning of gpa's page fail (-EFAULT), as for a page the host cannot
 * pin; false lets it be pinned again. -EFAULT outside guest memory.
 */
int apv_vm_set_unpinnable(struct apv_vm *vm, uint64_t gpa, bool unpinnable);

/*
 * Observation of the reply path. vm_visits: VMs looked at by searches for
 * a GISA or a host address (routing that did not go through a route:
 * host storage accesses, interruptions raised through another storage);
 * stray_irqs: GISA interruptions that found no VM (any more). Route
 * stats: NIB stores and interruptions that went through the route. A NULL
 * kvm counts 0; stats of a NULL route leave *stores and *raises alone.
 */
uint64_t apv_kvm_vm_visits(const struct apv_kvm *k);
uint64_t apv_kvm_stray_irqs(const struct apv_kvm *k);
void apv_irq_route_stats(const struct apv_irq_route *r, uint64_t *stores, uint64_t *raises);

#ifdef __cplusplus
}
#endif
#endif
