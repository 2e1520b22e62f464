/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory: memslots, the guest absolute storage that interpreted
 * instructions use, NIB page pinning with per-page counts, the host
 * storage through which the hardware reaches pinned pages, and the
 * secure/shared state of a protected guest's pages.
 *
 * Slots are only ever added, and a published slot never changes, so the
 * instruction paths look them up without a lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kvm_internal.h"
#include "apvirt/testing.h"

/*
 * Guest memory is shared with the hardware, which writes NIB bytes and
 * replies from its own threads while the guest runs: copies use relaxed
 * atomic accesses so that such sharing is well defined (and TSan-clean),
 * as it is on the real machine.
 */
void kvm_shared_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n && (((uintptr_t)dst | (uintptr_t)src) & 7)) {
		__atomic_store_n(dst++, __atomic_load_n(src++, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
		n--;
	}
	for (; n >= 8; n -= 8, dst += 8, src += 8)
		__atomic_store_n(
		    (uint64_t *)(void *)dst,
		    __atomic_load_n((const uint64_t *)(const void *)src, __ATOMIC_RELAXED),
		    __ATOMIC_RELAXED);
	while (n--)
		__atomic_store_n(dst++, __atomic_load_n(src++, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

static const struct kvm_memslot *slot_find(struct apv_vm *vm, uint64_t gpa)
{
	unsigned n = atomic_load_explicit(&vm->nslots, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		const struct kvm_memslot *s = &vm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static uint64_t page_index(const struct kvm_memslot *s, uint64_t gpa)
{
	return (gpa - s->gpa) >> KVM_PAGE_SHIFT;
}

/*
 * A guest range may span adjacent slots. The whole range is checked
 * before anything is copied, so a fault never leaves a partial write.
 */
static int guest_range_ok(struct apv_vm *vm, uint64_t addr, size_t len)
{
	if (len && addr + len - 1 < addr)
		return -EFAULT;
	do {
		const struct kvm_memslot *s = slot_find(vm, addr);
		uint64_t room;

		if (!s)
			return -EFAULT;
		room = s->size - (addr - s->gpa);
		if (len <= room)
			return 0;
		addr += room;
		len -= room;
	} while (len);
	return 0;
}

/*
 * Copy between buf and guest storage at addr: into guest storage when `from`
 * is given, out of it into `to` otherwise.
 */
static int guest_copy(struct apv_vm *vm, uint64_t addr, uint8_t *to, const uint8_t *from,
		      size_t len)
{
	int rc = guest_range_ok(vm, addr, len);

	while (!rc && len) {
		const struct kvm_memslot *s = slot_find(vm, addr);
		uint64_t off = addr - s->gpa;
		size_t n = len < s->size - off ? len : (size_t)(s->size - off);

		if (from) {
			kvm_shared_copy(s->host + off, from, n);
			from += n;
		} else {
			kvm_shared_copy(to, s->host + off, n);
			to += n;
		}
		addr += n;
		len -= n;
	}
	return rc;
}

static int guest_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return guest_copy(ctx, addr, buf, NULL, len);
}

static int guest_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return guest_copy(ctx, addr, NULL, buf, len);
}

int kvm_mem_init(struct apv_vm *vm)
{
	apv_mutex_init(&vm->mem_lock, APV_LOCK_VM_MEM);
	atomic_init(&vm->nslots, 0);
	vm->storage.read = guest_read;
	vm->storage.write = guest_write;
	vm->storage.ctx = vm;
	return 0;
}

void kvm_mem_free(struct apv_vm *vm)
{
	unsigned n = atomic_load(&vm->nslots);

	for (unsigned i = 0; i < n; i++) {
		struct kvm_memslot *s = &vm->slots[i];

		if (s->owned)
			munmap(s->host, s->size);
		free(s->pins);
		free(s->flags);
	}
	apv_mutex_destroy(&vm->mem_lock);
}

int apv_vm_add_memslot(struct apv_vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	if (!vm)
		return -EINVAL;
	struct kvm_memslot *s;
	uint64_t npages;
	unsigned n;
	int rc = 0;

	if (!size || (gpa | size) & (KVM_PAGE_SIZE - 1) || gpa + size - 1 < gpa ||
	    size > SIZE_MAX / 2)
		return -EINVAL;
	npages = size >> KVM_PAGE_SHIFT;

	apv_mutex_lock(&vm->mem_lock);
	n = atomic_load(&vm->nslots);
	for (unsigned i = 0; i < n; i++) {
		const struct kvm_memslot *o = &vm->slots[i];

		/* Last bytes, not ends: a slot may end at 2^64, where an end wraps to 0. */
		if (gpa <= o->gpa + (o->size - 1) && o->gpa <= gpa + (size - 1)) {
			rc = -EEXIST;
			goto out;
		}
	}
	if (n == KVM_MAX_MEMSLOTS) {
		rc = -ENOSPC;
		goto out;
	}
	s = &vm->slots[n];
	memset(s, 0, sizeof(*s));
	s->gpa = gpa;
	s->size = size;
	s->pins = calloc(npages, sizeof(*s->pins));
	s->flags = calloc(npages, sizeof(*s->flags));
	if (host) {
		s->host = host;
	} else {
		/* Anonymous memory comes zeroed, page aligned and lazily backed. */
		void *m =
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		s->host = m == MAP_FAILED ? NULL : m;
		s->owned = true;
	}
	if (!s->pins || !s->flags || !s->host) {
		if (s->owned && s->host)
			munmap(s->host, size);
		free(s->pins);
		free(s->flags);
		memset(s, 0, sizeof(*s));
		rc = -ENOMEM;
		goto out;
	}
	atomic_store_explicit(&vm->nslots, n + 1, memory_order_release);
out:
	apv_mutex_unlock(&vm->mem_lock);
	return rc;
}

const struct apv_storage *apv_vm_storage(struct apv_vm *vm)
{
	if (!vm)
		return NULL;
	return &vm->storage;
}

void *apv_vm_hva(struct apv_vm *vm, uint64_t gpa)
{
	if (!vm)
		return NULL;
	const struct kvm_memslot *s = slot_find(vm, gpa);

	return s ? s->host + (gpa - s->gpa) : NULL;
}

/* ---- pinning ------------------------------------------------------------------ */

int apv_vm_pin(struct apv_vm *vm, uint64_t gpa, uint64_t *host_addr)
{
	if (!vm)
		return -EINVAL;
	const struct kvm_memslot *s = slot_find(vm, gpa);
	atomic_uint *cnt;
	unsigned c;

	if (!s)
		return -EFAULT;
	if (atomic_load(&s->flags[page_index(s, gpa)]) & KVM_PAGE_UNPINNABLE)
		return -EFAULT;
	cnt = &s->pins[page_index(s, gpa)];
	c = atomic_load(cnt);
	do {
		if (c == UINT32_MAX)
			return -EOVERFLOW;
	} while (!atomic_compare_exchange_weak(cnt, &c, c + 1));
	apv_account_inc(vm->kvm->account, APV_ACCT_PINS);
	atomic_fetch_add(&vm->st_pins, 1);
	if (host_addr)
		*host_addr = (uint64_t)(uintptr_t)(s->host + (gpa - s->gpa));
	return 0;
}

int apv_vm_unpin(struct apv_vm *vm, uint64_t gpa)
{
	if (!vm)
		return -EINVAL;
	const struct kvm_memslot *s = slot_find(vm, gpa);
	atomic_uint *cnt;
	unsigned c;

	if (!s)
		return -EINVAL;
	cnt = &s->pins[page_index(s, gpa)];
	c = atomic_load(cnt);
	do {
		/* An unbalanced unpin is refused, not allowed to wrap the count. */
		if (c == 0)
			return -EINVAL;
	} while (!atomic_compare_exchange_weak(cnt, &c, c - 1));
	if (c == 1)
		kvm_pv_page_unpinned(vm, &s->flags[page_index(s, gpa)]);
	apv_account_inc(vm->kvm->account, APV_ACCT_UNPINS);
	atomic_fetch_add(&vm->st_unpins, 1);
	return 0;
}

/* Pins over every page: the sum of the counts, or the number of pages with one. */
static uint64_t pins_sum(const struct apv_vm *vm, bool pages)
{
	unsigned n = atomic_load_explicit(&vm->nslots, memory_order_acquire);
	uint64_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct kvm_memslot *s = &vm->slots[i];

		for (uint64_t p = 0; p < s->size >> KVM_PAGE_SHIFT; p++) {
			unsigned c = atomic_load(&s->pins[p]);

			total += pages ? c != 0 : c;
		}
	}
	return total;
}

unsigned apv_vm_pinned_pages(const struct apv_vm *vm)
{
	if (!vm)
		return 0;
	return (unsigned)pins_sum(vm, true);
}

uint64_t kvm_mem_pinned_total(struct apv_vm *vm)
{
	return pins_sum(vm, false);
}

/* Set or clear a flag bit of the page holding gpa; -EFAULT if no slot backs it. */
static int page_flag(struct apv_vm *vm, uint64_t gpa, unsigned char bit, bool on)
{
	const struct kvm_memslot *s = slot_find(vm, gpa);
	atomic_uchar *f;

	if (!s)
		return -EFAULT;
	f = &s->flags[page_index(s, gpa)];
	if (on)
		atomic_fetch_or(f, bit);
	else
		atomic_fetch_and(f, (unsigned char)~bit);
	return 0;
}

int apv_vm_set_unpinnable(struct apv_vm *vm, uint64_t gpa, bool unpinnable)
{
	if (!vm)
		return -EINVAL;
	return page_flag(vm, gpa, KVM_PAGE_UNPINNABLE, unpinnable);
}

/* ---- protected virtualization --------------------------------------------------- */

bool apv_vm_is_protected(const struct apv_vm *vm)
{
	if (!vm)
		return false;
	return atomic_load(&((struct apv_vm *)vm)->pv);
}

int apv_vm_pv_set_shared(struct apv_vm *vm, uint64_t gpa, bool shared)
{
	if (!vm)
		return -EINVAL;
	if (!atomic_load(&vm->pv))
		return -EINVAL;
	return page_flag(vm, gpa, KVM_PAGE_SHARED, shared);
}

bool apv_vm_pv_is_shared(struct apv_vm *vm, uint64_t gpa)
{
	if (!vm)
		return false;
	const struct kvm_memslot *s = slot_find(vm, gpa);

	if (!s)
		return false;
	if (!atomic_load(&vm->pv))
		return true;
	return atomic_load(&s->flags[page_index(s, gpa)]) & KVM_PAGE_SHARED;
}

/* ---- host storage ---------------------------------------------------------------- */

bool kvm_mem_page(struct apv_vm *vm, uint64_t gpa, uint8_t **host, atomic_uint **pins,
		  atomic_uchar **flags)
{
	const struct kvm_memslot *s = slot_find(vm, gpa);
	uint64_t p;

	if (!s)
		return false;
	p = page_index(s, gpa);
	*host = s->host + (p << KVM_PAGE_SHIFT);
	*pins = &s->pins[p];
	*flags = &s->flags[p];
	return true;
}

bool kvm_page_host_ok(struct apv_vm *vm, atomic_uint *pins, atomic_uchar *flags)
{
	if (!atomic_load(pins))
		return false;
	/* Secure unless shared, or pinned since before the conversion. */
	return !atomic_load(&vm->pv) || (atomic_load(flags) & (KVM_PAGE_SHARED | KVM_PAGE_PV_PINNED));
}

/*
 * The hardware holds on to a host NIB address for as long as interrupts
 * are enabled, so every access is checked against the pins of that moment:
 * a page that was unpinned (or a secure page of a protected guest, which
 * the host cannot touch) answers -EFAULT instead of being written.
 * Called with kvm->vms_lock held, which keeps the memory alive.
 */
static uint8_t *host_range_locked(struct apv_kvm *k, uint64_t addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;
	size_t span = len ? len : 1;

	if ((uint64_t)a != addr || a + span - 1 < a)
		return NULL;
	for (struct apv_vm *vm = k->vms; vm; vm = vm->next) {
		unsigned n = atomic_load_explicit(&vm->nslots, memory_order_acquire);

		atomic_fetch_add_explicit(&k->vm_visits, 1, memory_order_relaxed);

		for (unsigned i = 0; i < n; i++) {
			const struct kvm_memslot *s = &vm->slots[i];
			uintptr_t base = (uintptr_t)s->host;
			uint64_t first, last;

			if (a < base || a - base >= s->size)
				continue;
			if (span > s->size - (a - base))
				return NULL;
			first = (a - base) >> KVM_PAGE_SHIFT;
			last = (a - base + span - 1) >> KVM_PAGE_SHIFT;
			for (uint64_t p = first; p <= last; p++) {
				if (!kvm_page_host_ok(vm, &s->pins[p], &s->flags[p]))
					return NULL;
			}
			return (uint8_t *)a;
		}
	}
	return NULL;
}

/* Copy between buf and a pinned host range: into it when `from` is given. */
static int host_copy(struct apv_kvm *k, uint64_t addr, uint8_t *to, const uint8_t *from, size_t len)
{
	uint8_t *p;
	int rc = -EFAULT;

	apv_mutex_lock(&k->vms_lock);
	p = host_range_locked(k, addr, len);
	if (p) {
		if (from)
			kvm_shared_copy(p, from, len);
		else
			kvm_shared_copy(to, p, len);
		rc = 0;
	}
	apv_mutex_unlock(&k->vms_lock);
	return rc;
}

static int host_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return host_copy(ctx, addr, buf, NULL, len);
}

static int host_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return host_copy(ctx, addr, NULL, buf, len);
}

void kvm_host_storage_init(struct apv_kvm *k)
{
	k->host_storage.read = host_read;
	k->host_storage.write = host_write;
	k->host_storage.ctx = k;
}
