/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EP11 coprocessor functions: module and domain info as zcrypt reads
 * them, AES key generation and import as pkey does them, the conversion
 * to a protected key (which must equal the CCA card's for the same clear
 * key: one CPACF wrapping key), random numbers, wrapping-key changes and
 * the return values of unsupported functions and bad parameters.
 */
#include "card_util.h"

static uint8_t req[8192];

/* Run an EP11 request: return value, and the data string. */
static uint32_t run(struct apv_cex *c, const struct apv_card_ctx *card, size_t len,
		    const uint8_t **d, size_t *dl)
{
	struct apv_t86_view v;
	uint32_t rv = 0xDEAD;
	int rc;

	REQUIRE(len);
	card_run(c, card, req, len, &v);
	REQUIRE(v.type == APV_T86_TYPE);
	CHECK_EQ(v.ep11_rc, 0);
	rc = apv_ep11_reply_data(&v, &rv, d, dl);
	CHECK(rc == 0 || (rc == -EIO && rv != 0));
	return rv;
}

TEST(module_info_has_api_ordinal_firmware_serial_and_op_mode)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	const uint8_t *d;
	size_t dl;

	REQUIRE(c);
	card_init(&card, APV_CARD_EP11);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), 0xFFFF, 1), &d, &dl) == 0);
	CHECK_EQ(dl, 196);
	CHECK(be32(d) > 0);
	CHECK(d[8] != 0 || d[9] != 0);
	CHECK_MEM(d + 108, "93APVX0000000011", 16);
	uint64_t mode = 0;
	for (int i = 0; i < 8; i++)
		mode = mode << 8 | d[140 + i];
	CHECK(mode != 0);
	CHECK_EQ(mode >> 9, 0); /* bits Linux knows (0-8) only */
	apv_cex_free(c);
}

TEST(domain_info_follows_the_wrapping_key_registers)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	uint8_t vp1[32], vp2[32];
	static const uint8_t zero[32];
	const uint8_t *d;
	size_t dl;

	REQUIRE(c);
	card_init(&card, APV_CARD_EP11);
	apv_ep11_wkvp(MK1, vp1);
	apv_ep11_wkvp(MK2, vp2);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 3), &d, &dl) == 0);
	CHECK_EQ(dl, 80);
	CHECK_EQ(be32(d), DOM);
	CHECK_EQ(be32(d + 68), 0x10);
	CHECK_MEM(d + 4, zero, 32);
	REQUIRE(apv_card_keys_apply(&card.keys, true, APV_MK_OP_SET, MK1) == 0);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 3), &d, &dl) == 0);
	CHECK_EQ(be32(d + 68), 0x14);
	CHECK_MEM(d + 36, vp1, 32);
	REQUIRE(apv_card_keys_apply(&card.keys, true, APV_MK_OP_COMMIT, NULL) == 0);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 3), &d, &dl) == 0);
	CHECK_EQ(be32(d + 68), 0x1C);
	REQUIRE(apv_card_keys_apply(&card.keys, true, APV_MK_OP_CHANGE, NULL) == 0);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 3), &d, &dl) == 0);
	CHECK_EQ(be32(d + 68), 0x12);
	CHECK_MEM(d + 4, vp1, 32);
	CHECK_MEM(d + 36, zero, 32);
	card_set_current(&card, MK2);
	REQUIRE(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 3), &d, &dl) == 0);
	CHECK_MEM(d + 4, vp2, 32);
	/* query types other than 1 and 3 */
	CHECK_EQ(run(c, &card, apv_ep11_build_info(req, sizeof(req), DOM, 2), &d, &dl), 0x07);
	apv_cex_free(c);
}

TEST(genkey_makes_blobs_with_magic_wkvp_and_attributes_and_wrap_converts_them)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	uint8_t vp[32], blob[256], pk[128];
	const uint8_t *d;
	size_t dl;

	REQUIRE(c);
	card_init(&card, APV_CARD_EP11);
	CHECK_EQ(run(c, &card, apv_ep11_build_genkey(req, sizeof(req), DOM, 32, 0), &d, &dl),
		 0x80010009u); /* no wrapping key yet */
	card_set_current(&card, MK1);
	apv_ep11_wkvp(MK1, vp);
	static const unsigned sizes[] = {16, 24, 32};
	for (int i = 0; i < 3; i++) {
		unsigned n = sizes[i];

		REQUIRE(run(c, &card, apv_ep11_build_genkey(req, sizeof(req), DOM, n, 0), &d, &dl) == 0);
		REQUIRE(dl == 256);
		CHECK_MEM(d + 32, vp, 16);
		CHECK_EQ(be16(d + 64), 0x1234);
		CHECK_EQ(be32(d + 52), 0x00200C00u);
		memcpy(blob, d, 256);
		/* Linux writes its header over the first bytes: the blob must still work */
		memset(blob, 0xAB, 16);
		REQUIRE(run(c, &card, apv_ep11_build_wrap(req, sizeof(req), DOM, blob, 256), &d, &dl) == 0);
		REQUIRE(dl == 42 + n + 32);
		CHECK_EQ(be16(d), 1);
		CHECK_EQ(be32(d + 18), 1);
		CHECK_EQ(be32(d + 22), 8 * n);
		CHECK_EQ(be32(d + 30), n + 32);
		memcpy(pk, d + 42, n + 32);
		CHECK_MEM(pk + n, test_wkvp, 32);
	}
	/* not protected-key extractable: CKR_ATTRIBUTE_VALUE_INVALID */
	REQUIRE(run(c, &card, apv_ep11_build_genkey(req, sizeof(req), DOM, 16, 0x00000C00u), &d, &dl) == 0);
	memcpy(blob, d, 256);
	CHECK_EQ(run(c, &card, apv_ep11_build_wrap(req, sizeof(req), DOM, blob, 256), &d, &dl), 0x13);
	/* after a wrapping-key change the old blob names another key: WKID mismatch */
	REQUIRE(run(c, &card, apv_ep11_build_genkey(req, sizeof(req), DOM, 16, 0), &d, &dl) == 0);
	memcpy(blob, d, 256);
	card_set_current(&card, MK2);
	CHECK_EQ(run(c, &card, apv_ep11_build_wrap(req, sizeof(req), DOM, blob, 256), &d, &dl),
		 0x80010001u);
	/* an altered blob: blob error */
	REQUIRE(run(c, &card, apv_ep11_build_genkey(req, sizeof(req), DOM, 16, 0), &d, &dl) == 0);
	memcpy(blob, d, 256);
	blob[100] ^= 1;
	CHECK_EQ(run(c, &card, apv_ep11_build_wrap(req, sizeof(req), DOM, blob, 256), &d, &dl),
		 0x80010004u);
	/* bad key size (attribute CKA_VALUE_LEN 20), bad mechanism */
	size_t len = apv_ep11_build_genkey(req, sizeof(req), DOM, 16, 0);
	put32(req + 0x58 + 32 + 52, 20);
	CHECK_EQ(run(c, &card, len, &d, &dl), 0x62);
	len = apv_ep11_build_genkey(req, sizeof(req), DOM, 16, 0);
	put32(req + 0x58 + 32 + 30, 0x1081);
	CHECK_EQ(run(c, &card, len, &d, &dl), 0x70);
	apv_cex_free(c);
}

/* The import path pkey uses for a clear key: KEK, EncryptSingle, UnwrapKey. */
static size_t build_import(uint8_t *out, size_t cap, const uint8_t *kek, const uint8_t *enc,
			   size_t encn, unsigned keyn)
{
	uint8_t pl[600];
	size_t n = 0;
	uint8_t attr[28], mech[20];

	pl[n++] = 0x30;
	pl[n++] = 0x82;
	n += 2;
	const uint32_t head[2] = {(1u << 16) | 34, DOM};
	for (int i = 0; i < 2; i++) {
		pl[n++] = 0x04;
		pl[n++] = 0x04;
		put32(pl + n, head[i]);
		n += 4;
	}
	put32(attr, 0x10020000u);
	put32(attr + 4, 0x00200C00u);
	put32(attr + 8, 0x00200C00u);
	put32(attr + 12, 0x100);
	put32(attr + 16, 0x1F);
	put32(attr + 20, 0x161);
	put32(attr + 24, keyn);
	pl[n++] = 0x04;
	pl[n++] = 28;
	memcpy(pl + n, attr, 28);
	n += 28;
	put32(mech, 0x1085);
	for (int i = 0; i < 16; i++)
		mech[4 + i] = (uint8_t)(0x11 * i);
	pl[n++] = 0x04;
	pl[n++] = 20;
	memcpy(pl + n, mech, 20);
	n += 20;
	pl[n++] = 0x04;
	pl[n++] = 0x82;
	put16(pl + n, 256);
	n += 2;
	memcpy(pl + n, kek, 256);
	n += 256;
	pl[n++] = 0x04;
	pl[n++] = 0;
	pl[n++] = 0x04;
	pl[n++] = 0;
	pl[n++] = 0x04;
	pl[n++] = (uint8_t)encn;
	memcpy(pl + n, enc, encn);
	n += encn;
	put16(pl + 2, (unsigned)(n - 4));
	return apv_t6_build_ep11(out, cap, DOM, 0, pl, n, 4096);
}

static size_t build_encrypt(uint8_t *out, size_t cap, const uint8_t *kek, const uint8_t *data,
			    size_t dn)
{
	uint8_t pl[600];
	size_t n = 0;

	pl[n++] = 0x30;
	pl[n++] = 0x82;
	n += 2;
	const uint32_t head[3] = {(1u << 16) | 19, DOM, 0};
	for (int i = 0; i < 3; i++) {
		pl[n++] = 0x04;
		pl[n++] = 0x04;
		put32(pl + n, head[i]);
		n += 4;
	}
	pl[n++] = 0x04;
	pl[n++] = 20;
	put32(pl + n, 0x1085);
	for (int i = 0; i < 16; i++)
		pl[n + 4 + i] = (uint8_t)(0x11 * i);
	n += 20;
	pl[n++] = 0x04;
	pl[n++] = 0x82;
	put16(pl + n, 256);
	n += 2;
	memcpy(pl + n, kek, 256);
	n += 256;
	pl[n++] = 0x04;
	pl[n++] = (uint8_t)dn;
	memcpy(pl + n, data, dn);
	n += dn;
	put16(pl + 2, (unsigned)(n - 4));
	return apv_t6_build_ep11(out, cap, DOM, 0, pl, n, 4096);
}

TEST(clear_key_import_then_wrap_equals_the_cca_cards_protected_key)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx ep, cca;
	uint8_t clear[32], kek[256], enc[64], blob[256], pk_ep[64], tok[64];
	const uint8_t *d;
	size_t dl, encn;
	struct apv_t86_view v;

	REQUIRE(c);
	card_init(&ep, APV_CARD_EP11);
	card_init(&cca, APV_CARD_CCA);
	card_set_current(&ep, MK1);
	card_set_current(&cca, MK2);
	for (int i = 0; i < 32; i++)
		clear[i] = (uint8_t)(0x80 + i);
	REQUIRE(run(c, &ep, apv_ep11_build_genkey(req, sizeof(req), DOM, 32, 0x00006C00u), &d, &dl) == 0);
	memcpy(kek, d, 256);
	REQUIRE(run(c, &ep, build_encrypt(req, sizeof(req), kek, clear, 32), &d, &dl) == 0);
	REQUIRE(dl == 48);
	encn = dl;
	memcpy(enc, d, encn);
	CHECK(memcmp(enc, clear, 32) != 0);
	REQUIRE(run(c, &ep, build_import(req, sizeof(req), kek, enc, encn, 32), &d, &dl) == 0);
	REQUIRE(dl == 256);
	memcpy(blob, d, 256);
	REQUIRE(run(c, &ep, apv_ep11_build_wrap(req, sizeof(req), DOM, blob, 256), &d, &dl) == 0);
	memcpy(pk_ep, d + 42, 64);
	/* the same clear key through the CCA card */
	card_run(c, &cca, req, apv_cca_build_cm(req, sizeof(req), DOM, clear, 32), &v);
	REQUIRE(v.type == APV_T86_TYPE && v.rtcode == 0);
	memcpy(tok, v.parm + 12, 64);
	card_run(c, &cca, req, apv_cca_build_us(req, sizeof(req), DOM, tok), &v);
	REQUIRE(v.type == APV_T86_TYPE && v.rtcode == 0);
	CHECK_EQ(be16(v.parm + 10 + 8), 64);
	CHECK_MEM(v.parm + 10 + 10, pk_ep, 64);
	/* a wrong key length in the import template: wrapped key invalid */
	CHECK_EQ(run(c, &ep, build_import(req, sizeof(req), kek, enc, encn, 16), &d, &dl), 0x110);
	apv_cex_free(c);
}

TEST(random_unsupported_functions_and_bad_payloads)
{
	struct apv_cex *c = apv_cex_new();
	struct apv_card_ctx card;
	const uint8_t *d;
	size_t dl;
	uint8_t first[64];

	REQUIRE(c);
	card_init(&card, APV_CARD_EP11);
	REQUIRE(run(c, &card, apv_ep11_build_random(req, sizeof(req), DOM, 64), &d, &dl) == 0);
	CHECK_EQ(dl, 64);
	memcpy(first, d, 64);
	REQUIRE(run(c, &card, apv_ep11_build_random(req, sizeof(req), DOM, 64), &d, &dl) == 0);
	CHECK(memcmp(first, d, 64) != 0);
	CHECK_EQ(run(c, &card, apv_ep11_build_random(req, sizeof(req), DOM, 5000), &d, &dl), 0x21);
	CHECK_EQ(run(c, &card, apv_ep11_build_random(req, sizeof(req), DOM, 0), &d, &dl), 0x07);
	/* function 26 (Sign) is not offered */
	apv_ep11_build_info(req, sizeof(req), DOM, 1);
	put32(req + 0x58 + 32 + 6, (1u << 16) | 26);
	CHECK_EQ(run(c, &card, 0x58 + 32 + 28, &d, &dl), 0x54);
	/* a payload that is not a sequence: arguments bad */
	apv_ep11_build_info(req, sizeof(req), DOM, 1);
	req[0x58 + 32] = 0x31;
	CHECK_EQ(run(c, &card, 0x58 + 32 + 28, &d, &dl), 0x07);
	/* an inner length beyond the payload */
	apv_ep11_build_info(req, sizeof(req), DOM, 1);
	req[0x58 + 32 + 5] = 0x7F;
	CHECK_EQ(run(c, &card, 0x58 + 32 + 28, &d, &dl), 0x07);
	apv_cex_free(c);
}

TEST_MAIN
