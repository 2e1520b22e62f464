/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flat storage: in-range access works, anything outside is -EFAULT, no wrap-around. */
#include <errno.h>

#include "apvirt/arch.h"
#include "testlib.h"

TEST(flat_storage_reads_and_writes_in_range)
{
	uint8_t mem[64] = {0};
	struct apv_flat_storage f = {mem, 0x1000, sizeof(mem)};
	struct apv_storage s = apv_flat_storage(&f);
	uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8];

	CHECK_EQ(apv_storage_write(&s, 0x1000, buf, 8), 0);
	CHECK_EQ(mem[0], 1);
	CHECK_EQ(apv_storage_write(&s, 0x1038, buf, 8), 0);
	CHECK_EQ(mem[63], 8);
	CHECK_EQ(apv_storage_read(&s, 0x1038, out, 8), 0);
	CHECK_MEM(out, buf, 8);
	CHECK_EQ(apv_storage_read(&s, 0x1000, out, 0), 0);
	CHECK_EQ(apv_storage_read(&s, 0x1040, out, 0), 0);
}

TEST(flat_storage_rejects_out_of_range_with_efault)
{
	uint8_t mem[64] = {0};
	struct apv_flat_storage f = {mem, 0x1000, sizeof(mem)};
	struct apv_storage s = apv_flat_storage(&f);
	uint8_t buf[16];

	memset(buf, 0xAA, sizeof(buf));
	CHECK_EQ(apv_storage_read(&s, 0xFFF, buf, 1), -EFAULT);
	CHECK_EQ(apv_storage_read(&s, 0x1039, buf, 8), -EFAULT);
	CHECK_EQ(apv_storage_read(&s, 0x1040, buf, 1), -EFAULT);
	CHECK_EQ(apv_storage_read(&s, 0x1041, buf, 0), -EFAULT);
	CHECK_EQ(apv_storage_write(&s, 0x1039, buf, 8), -EFAULT);
	CHECK_EQ(apv_storage_write(&s, 0, buf, 1), -EFAULT);
	/* A failed write leaves memory untouched. */
	for (unsigned i = 0; i < sizeof(mem); i++)
		CHECK_EQ(mem[i], 0);
}

TEST(flat_storage_is_overflow_safe)
{
	uint8_t mem[64] = {0};
	struct apv_flat_storage f = {mem, 0x1000, sizeof(mem)};
	struct apv_storage s = apv_flat_storage(&f);
	uint8_t buf[4];

	/* addr + len wraps to a small value that looks in range. */
	CHECK_EQ(apv_storage_read(&s, UINT64_MAX, buf, 2), -EFAULT);
	CHECK_EQ(apv_storage_read(&s, 0x1001, buf, SIZE_MAX), -EFAULT);
	CHECK_EQ(apv_storage_write(&s, 0x1001, buf, SIZE_MAX - 0x1000), -EFAULT);

	/* A buffer at the very top of the address space. */
	struct apv_flat_storage top = {mem, UINT64_MAX - 63, sizeof(mem)};
	struct apv_storage t = apv_flat_storage(&top);
	CHECK_EQ(apv_storage_write(&t, UINT64_MAX, buf, 1), 0);
	CHECK_EQ(apv_storage_write(&t, UINT64_MAX, buf, 2), -EFAULT);
	CHECK_EQ(apv_storage_read(&t, UINT64_MAX - 63, buf, 4), 0);
}

TEST(flat_storage_without_memory_is_efault)
{
	struct apv_flat_storage f = {NULL, 0, 0};
	struct apv_storage s = apv_flat_storage(&f);
	uint8_t b;

	CHECK_EQ(apv_storage_read(&s, 0, &b, 1), -EFAULT);
	CHECK_EQ(apv_storage_write(&s, 0, &b, 0), -EFAULT);
}

TEST_MAIN
