/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 256-bit masks: bit order, set algebra, iteration, format and parse, QCI block. */
#include <errno.h>

#include "apvirt/arch.h"
#include "testlib.h"

static struct apv_mask mask_of(const unsigned *ids, size_t n)
{
	struct apv_mask m;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < n; i++)
		apv_mask_set(&m, ids[i]);
	return m;
}

TEST(mask_bit_0_is_msb_of_byte_0_and_bit_255_is_lsb_of_byte_31)
{
	struct apv_mask m = {{0}};

	apv_mask_set(&m, 0);
	CHECK_EQ(m.b[0], 0x80);
	apv_mask_set(&m, 255);
	CHECK_EQ(m.b[31], 0x01);
	apv_mask_set(&m, 9);
	CHECK_EQ(m.b[1], 0x40);
	CHECK(apv_mask_test(&m, 0));
	CHECK(apv_mask_test(&m, 255));
	CHECK(apv_mask_test(&m, 9));
	CHECK(!apv_mask_test(&m, 1));
	CHECK_EQ(apv_mask_weight(&m), 3);
	apv_mask_clear(&m, 0);
	apv_mask_clear(&m, 255);
	CHECK_EQ(m.b[0], 0);
	CHECK_EQ(m.b[31], 0);
}

TEST(mask_out_of_range_ids_are_ignored)
{
	struct apv_mask m = {{0}};

	apv_mask_set(&m, 256);
	apv_mask_set(&m, 100000);
	CHECK(apv_mask_empty(&m));
	CHECK(!apv_mask_test(&m, 256));
	memset(&m, 0xFF, sizeof(m));
	CHECK(!apv_mask_test(&m, 256));
	apv_mask_clear(&m, 256);
	CHECK_EQ(apv_mask_weight(&m), 256);
}

TEST(mask_algebra)
{
	static const unsigned ia[] = {0, 5, 64, 200, 255}, ib[] = {5, 6, 200};
	struct apv_mask a = mask_of(ia, 5), b = mask_of(ib, 3), d;

	apv_mask_and(&d, &a, &b);
	CHECK_EQ(apv_mask_weight(&d), 2);
	CHECK(apv_mask_test(&d, 5) && apv_mask_test(&d, 200));
	apv_mask_or(&d, &a, &b);
	CHECK_EQ(apv_mask_weight(&d), 6);
	apv_mask_andnot(&d, &a, &b);
	CHECK_EQ(apv_mask_weight(&d), 3);
	CHECK(apv_mask_test(&d, 0) && apv_mask_test(&d, 64) && apv_mask_test(&d, 255));
	CHECK(apv_mask_intersects(&a, &b));
	CHECK(!apv_mask_intersects(&d, &b));
	CHECK(!apv_mask_equal(&a, &b));
	struct apv_mask c = a;
	CHECK(apv_mask_equal(&a, &c));
	/* dst may be one of the sources. */
	apv_mask_and(&c, &c, &b);
	CHECK_EQ(apv_mask_weight(&c), 2);
	apv_mask_andnot(&c, &c, &c);
	CHECK(apv_mask_empty(&c));
	CHECK(!apv_mask_empty(&a));
}

TEST(mask_next_and_for_each_visit_every_set_bit_in_order)
{
	static const unsigned ids[] = {0, 7, 8, 63, 64, 127, 128, 254, 255};
	struct apv_mask m = mask_of(ids, sizeof(ids) / sizeof(ids[0]));
	unsigned bit, k = 0;

	apv_mask_for_each(bit, &m) {
		REQUIRE(k < sizeof(ids) / sizeof(ids[0]));
		CHECK_EQ(bit, ids[k]);
		k++;
	}
	CHECK_EQ(k, sizeof(ids) / sizeof(ids[0]));
	CHECK_EQ(apv_mask_next(&m, 1), 7);
	CHECK_EQ(apv_mask_next(&m, 9), 63);
	CHECK_EQ(apv_mask_next(&m, 256), APV_MASK_BITS);
	CHECK_EQ(apv_mask_next(&m, 1000), APV_MASK_BITS);
	struct apv_mask z = {{0}};
	CHECK_EQ(apv_mask_next(&z, 0), APV_MASK_BITS);
	k = 0;
	apv_mask_for_each(bit, &z) k++;
	CHECK_EQ(k, 0);
}

TEST(mask_next_exhaustive_single_bit)
{
	for (unsigned b = 0; b < APV_MASK_BITS; b++) {
		struct apv_mask m = {{0}};
		apv_mask_set(&m, b);
		if (apv_mask_next(&m, 0) != b || apv_mask_next(&m, b) != b ||
		    apv_mask_next(&m, b + 1) != APV_MASK_BITS)
			APV_TEST_FAIL("bit %u", b);
	}
}

TEST(mask_overflows_detects_bits_above_max)
{
	struct apv_mask m = {{0}};

	apv_mask_set(&m, 63);
	CHECK(!apv_mask_overflows(&m, 63));
	CHECK(apv_mask_overflows(&m, 62));
	apv_mask_set(&m, 64);
	CHECK(apv_mask_overflows(&m, 63));
	CHECK(!apv_mask_overflows(&m, 255));
	apv_mask_set(&m, 255);
	CHECK(apv_mask_overflows(&m, 254));
	CHECK(!apv_mask_overflows(&m, 255));
	CHECK(!apv_mask_overflows(&m, 1000));
	struct apv_mask z = {{0}};
	CHECK(!apv_mask_overflows(&z, 0));
}

TEST(mask_format_is_0x_and_64_hex_digits)
{
	struct apv_mask m = {{0}};
	char buf[67];

	apv_mask_set(&m, 0);
	apv_mask_set(&m, 255);
	CHECK_STR(apv_mask_format(&m, buf, sizeof(buf)),
		  "0x8000000000000000000000000000000000000000000000000000000000000001");
	CHECK_EQ(strlen(buf), 66);
	memset(&m, 0xAB, sizeof(m));
	apv_mask_format(&m, buf, sizeof(buf));
	CHECK_STR(buf, "0xabababababababababababababababababababababababababababababababab");
	char small[5];
	CHECK_STR(apv_mask_format(&m, small, sizeof(small)), "0xab");
}

TEST(mask_parse_full_and_short_strings_msb_first)
{
	struct apv_mask m;
	const char *s = "0x8000000000000000000000000000000000000000000000000000000000000001";

	CHECK_EQ(apv_mask_parse(s, strlen(s), &m), 0);
	CHECK(apv_mask_test(&m, 0) && apv_mask_test(&m, 255));
	CHECK_EQ(apv_mask_weight(&m), 2);
	/* Short strings fill from ID 0: "8" is ID 0, "01" is ID 7. */
	CHECK_EQ(apv_mask_parse("8", 1, &m), 0);
	CHECK(apv_mask_test(&m, 0));
	CHECK_EQ(apv_mask_weight(&m), 1);
	CHECK_EQ(apv_mask_parse("0x01", 4, &m), 0);
	CHECK(apv_mask_test(&m, 7));
	CHECK_EQ(apv_mask_weight(&m), 1);
	CHECK_EQ(apv_mask_parse("0XfF", 4, &m), 0);
	CHECK_EQ(m.b[0], 0xFF);
	CHECK_EQ(apv_mask_weight(&m), 8);
	/* 64 digits without the prefix. */
	CHECK_EQ(apv_mask_parse(s + 2, 64, &m), 0);
	CHECK(apv_mask_test(&m, 255));
	/* n shorter than the string: only n characters count. */
	CHECK_EQ(apv_mask_parse("0x8fff", 3, &m), 0);
	CHECK_EQ(apv_mask_weight(&m), 1);
	/* An embedded NUL ends the string. */
	CHECK_EQ(apv_mask_parse("0x4\0zz", 6, &m), 0);
	CHECK(apv_mask_test(&m, 1));
}

TEST(mask_parse_rejects_bad_input_and_leaves_mask_unchanged)
{
	static const char *const bad[] = {
		"", "0x", "0X", "x1", "0xg", "12 ", " 12", "0x-1", "+1", "0x0x1", "1\n",
		"00000000000000000000000000000000000000000000000000000000000000001",
		"0x00000000000000000000000000000000000000000000000000000000000000001",
	};
	struct apv_mask m, before;

	memset(&m, 0x5A, sizeof(m));
	before = m;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (apv_mask_parse(bad[i], strlen(bad[i]), &m) != -EINVAL)
			APV_TEST_FAIL("accepted \"%s\"", bad[i]);
	}
	CHECK(apv_mask_equal(&m, &before));
	CHECK_EQ(apv_mask_parse("1", 0, &m), -EINVAL);
	CHECK_EQ(apv_mask_parse(NULL, 5, &m), -EINVAL);
	CHECK_EQ(apv_mask_parse("1", 1, NULL), -EINVAL);
}

TEST(mask_format_parse_round_trip)
{
	char buf[67];
	struct apv_mask m = {{0}}, back;

	for (unsigned i = 0; i < 32; i++)
		m.b[i] = (uint8_t)(i * 37 + 11);
	apv_mask_format(&m, buf, sizeof(buf));
	CHECK_EQ(apv_mask_parse(buf, sizeof(buf), &back), 0);
	CHECK(apv_mask_equal(&m, &back));
}

/* ---- QCI block ---- */

TEST(qci_block_layout_offsets)
{
	struct apv_qci q;
	uint8_t blk[APV_QCI_SIZE];

	memset(&q, 0, sizeof(q));
	q.flags = APV_QCI_S | APV_QCI_N | APV_QCI_B;
	q.na = 255;
	q.nd = 84;
	apv_mask_set(&q.apm, 0);
	apv_mask_set(&q.aqm, 255);
	apv_mask_set(&q.adm, 9);
	memset(blk, 0xEE, sizeof(blk));
	apv_qci_encode(&q, blk);
	CHECK_EQ(blk[0], 0xC0);
	CHECK_EQ(blk[1], 0x80);
	CHECK_EQ(blk[2], 0);
	CHECK_EQ(blk[3], 0);
	CHECK_EQ(blk[4], 255);
	CHECK_EQ(blk[5], 84);
	for (unsigned i = 6; i < 16; i++)
		CHECK_EQ(blk[i], 0);
	CHECK_EQ(blk[16], 0x80);
	CHECK_EQ(blk[48 + 31], 0x01);
	CHECK_EQ(blk[80 + 1], 0x40);
	for (unsigned i = 112; i < 128; i++)
		CHECK_EQ(blk[i], 0);
	unsigned set = 0;
	for (unsigned i = 0; i < APV_QCI_SIZE; i++)
		set += (unsigned)__builtin_popcount(blk[i]);
	CHECK_EQ(set, 3 + 8 + 3 + 3);
}

TEST(qci_flag_bits)
{
	CHECK_U64(APV_QCI_S, 0x80000000);
	CHECK_U64(APV_QCI_N, 0x40000000);
	CHECK_U64(APV_QCI_C, 0x20000000);
	CHECK_U64(APV_QCI_R, 0x10000000);
	CHECK_U64(APV_QCI_B, 0x00800000);
}

TEST(qci_round_trip)
{
	struct apv_qci q, back;
	uint8_t blk[APV_QCI_SIZE];

	memset(&q, 0, sizeof(q));
	q.flags = 0xDEADBEEF;
	q.na = 63;
	q.nd = 15;
	for (unsigned i = 0; i < 32; i++) {
		q.apm.b[i] = (uint8_t)i;
		q.aqm.b[i] = (uint8_t)(255 - i);
		q.adm.b[i] = (uint8_t)(i * 3);
	}
	apv_qci_encode(&q, blk);
	memset(&back, 0x77, sizeof(back));
	apv_qci_decode(blk, &back);
	CHECK_U64(back.flags, 0xDEADBEEF);
	CHECK_EQ(back.na, 63);
	CHECK_EQ(back.nd, 15);
	CHECK(apv_mask_equal(&back.apm, &q.apm));
	CHECK(apv_mask_equal(&back.aqm, &q.aqm));
	CHECK(apv_mask_equal(&back.adm, &q.adm));
}

TEST(qci_decode_ignores_reserved_bytes)
{
	uint8_t blk[APV_QCI_SIZE];
	struct apv_qci q;

	memset(blk, 0, sizeof(blk));
	memset(blk + 6, 0xFF, 10);
	memset(blk + 112, 0xFF, 16);
	apv_qci_decode(blk, &q);
	CHECK_U64(q.flags, 0);
	CHECK(apv_mask_empty(&q.apm) && apv_mask_empty(&q.aqm) && apv_mask_empty(&q.adm));
}

TEST_MAIN
