/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flat buffer presented through the storage interface. Addresses come
 * from guest registers, so every range is checked without trusting
 * addr + len not to wrap.
 */
#include <errno.h>
#include <string.h>

#include "apvirt/arch.h"

/* Offset of [addr, addr + len) inside the buffer, or -EFAULT. */
static int flat_range(const struct apv_flat_storage *f, uint64_t addr, size_t len, size_t *off)
{
	uint64_t rel;

	if (!f || !f->mem || addr < f->base)
		return -EFAULT;
	rel = addr - f->base;
	if (rel > f->size || len > f->size - rel)
		return -EFAULT;
	*off = (size_t)rel;
	return 0;
}

static int flat_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct apv_flat_storage *f = ctx;
	size_t off;
	int rc = flat_range(f, addr, len, &off);

	if (rc)
		return rc;
	if (len)
		memcpy(buf, f->mem + off, len);
	return 0;
}

static int flat_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct apv_flat_storage *f = ctx;
	size_t off;
	int rc = flat_range(f, addr, len, &off);

	if (rc)
		return rc;
	if (len)
		memcpy(f->mem + off, buf, len);
	return 0;
}

struct apv_storage apv_flat_storage(struct apv_flat_storage *f)
{
	struct apv_storage s = {.read = flat_read, .write = flat_write, .ctx = f};
	return s;
}
