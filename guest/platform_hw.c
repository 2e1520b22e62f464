/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest platform directly on the host AP hardware, as a Linux in an
 * LPAR sees it: instructions go to apv_hw_*, memory is a flat buffer the
 * platform owns, facilities come from the hardware configuration and
 * interruptions are the hardware's own (no GISA).
 *
 * The hardware writes the NIB from its own threads while the driver reads
 * and clears it, so every storage access takes a small leaf lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "apvirt/guest.h"
#include "apvirt/hw.h"
#include "platform_airq.h"

/* Where the flat memory starts: anywhere but 0, which the hardware reads as "no NIB". */
#define HW_MEM_BASE UINT64_C(0x10000)

struct plat_hw {
	struct apv_hw *hw;
	struct apv_mutex mem_mu;
	uint8_t *mem;
	uint64_t size;
	struct apv_storage st;
	struct plat_airq airq;
};

static bool range_ok(const struct plat_hw *p, uint64_t addr, size_t len, size_t *off)
{
	if (addr < HW_MEM_BASE)
		return false;
	addr -= HW_MEM_BASE;
	if (addr > p->size || len > p->size - addr)
		return false;
	*off = (size_t)addr;
	return true;
}

/* Copy between buf and the flat memory: into it when `from` is given. */
static int mem_copy(struct plat_hw *p, uint64_t addr, void *to, const void *from, size_t len)
{
	size_t off;

	if (!range_ok(p, addr, len, &off))
		return -EFAULT;
	apv_mutex_lock(&p->mem_mu);
	if (from)
		memcpy(p->mem + off, from, len);
	else if (to) /* never NULL here; said so for the compiler's inlined view */
		memcpy(to, p->mem + off, len);
	apv_mutex_unlock(&p->mem_mu);
	return 0;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return mem_copy(ctx, addr, buf, NULL, len);
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return mem_copy(ctx, addr, NULL, buf, len);
}

static struct apv_result hw_execute(void *ctx, struct apv_regs *r, uint16_t op, unsigned r1,
				    unsigned r2)
{
	struct plat_hw *p = ctx;

	switch (op) {
	case APV_OP_PQAP:
		return apv_hw_pqap(p->hw, r, &p->st);
	case APV_OP_NQAP:
		return apv_hw_nqap(p->hw, r, r1, r2, &p->st);
	case APV_OP_DQAP:
		return apv_hw_dqap(p->hw, r, r1, r2, &p->st);
	default:
		return apv_pgm(APV_PGM_OPERATION);
	}
}

static bool hw_has_facility(void *ctx, unsigned nr)
{
	const struct apv_hw_config *cfg = apv_hw_config(((struct plat_hw *)ctx)->hw);

	switch (nr) {
	case APV_FAC_QCI:
		return cfg->qci;
	case APV_FAC_APFT:
		return cfg->apft;
	case APV_FAC_AQIC:
		return cfg->aqic;
	default:
		return false;
	}
}

static void hw_irq(void *ctx, const struct apv_hw_irq *irq)
{
	struct plat_hw *p = ctx;

	/* A GISA-directed interruption belongs to some hypervisor's guest. */
	if (irq->gisa_valid)
		return;
	plat_airq_deliver(&p->airq, irq->isc);
}

static int hw_enable_isc(void *ctx, unsigned isc, apv_guest_airq_fn fn, void *arg)
{
	struct plat_hw *p = ctx;

	if (isc > APV_MAX_ISC)
		return -EINVAL;
	plat_airq_set(&p->airq, isc, fn, arg);
	return 0;
}

static void hw_release(void *ctx)
{
	struct plat_hw *p = ctx;

	apv_hw_set_irq_handler(p->hw, NULL, NULL);
	plat_airq_set(&p->airq, 0, NULL, NULL);
	plat_airq_destroy(&p->airq);
	apv_mutex_destroy(&p->mem_mu);
	free(p->mem);
	free(p);
}

int apv_guest_platform_hw(struct apv_hw *hw, uint64_t size, struct apv_guest_platform *out)
{
	struct plat_hw *p;

	if (!hw || !out || size < APV_GUEST_MEM_MIN || size > (UINT64_C(1) << 32))
		return -EINVAL;
	/* Its interrupts belong to a KVM (or to another platform) already. */
	if (apv_hw_in_use(hw))
		return -EBUSY;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->mem = calloc(1, (size_t)size);
	if (!p->mem) {
		free(p);
		return -ENOMEM;
	}
	p->hw = hw;
	p->size = size;
	p->st = (struct apv_storage){.read = mem_read, .write = mem_write, .ctx = p};
	apv_mutex_init(&p->mem_mu, APV_LOCK_GUEST_MEM);
	plat_airq_init(&p->airq);
	apv_hw_set_irq_handler(hw, hw_irq, p);

	memset(out, 0, sizeof(*out));
	out->execute = hw_execute;
	out->has_facility = hw_has_facility;
	out->enable_isc = hw_enable_isc;
	out->release = hw_release;
	out->storage = p->st;
	out->mem_base = HW_MEM_BASE;
	out->mem_size = size;
	out->clock = apv_hw_clock(hw);
	out->ctx = p;
	return 0;
}
