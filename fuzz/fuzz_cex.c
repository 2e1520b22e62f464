/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accelerator engine under fuzzing: any bytes as a type 50 request
 * into apv_cex_process. The reply must always be well formed, as zcrypt
 * reads it:
 *  - a type 82 reply is 8 bytes with a non-zero reply code;
 *  - a type 80 reply is 16 + B bytes (B = 128, 256, 512 by keyblock), its
 *    length field says so, and apv_t80_parse accepts it;
 *  - nothing longer than APV_CEX_REPLY_MAX.
 * For the 128-byte keyblocks (MEB1, CRB1) a type 80 result is also
 * recomputed with plain OpenSSL arithmetic and must match. One engine
 * serves every input, so its Montgomery-context cache sees keys change
 * under it the way a busy adapter does.
 */
#include <openssl/bn.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "fuzz_input.h"

static struct apv_cex *cex;
static BN_CTX *bctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cex = apv_cex_new();
	bctx = BN_CTX_new();
	if (!cex || !bctx)
		FZ_FAIL("engine setup");
	return 0;
}

static BIGNUM *bn(const uint8_t *p, size_t n)
{
	BIGNUM *b = BN_bin2bn(p, (int)n, NULL);

	if (!b)
		FZ_FAIL("BN_bin2bn");
	return b;
}

/* OpenSSL's answer for a MEB1 or CRB1 request (128-byte block). */
static void reference(const uint8_t *req, bool crt, uint8_t out[128])
{
	BIGNUM *r = BN_new();

	if (!crt) {
		BIGNUM *e = bn(req + 0x10, 128), *n = bn(req + 0x90, 128), *m = bn(req + 0x110, 128);

		if (!r || !BN_mod_exp(r, m, e, n, bctx))
			FZ_FAIL("reference ME");
		BN_free(e);
		BN_free(n);
		BN_free(m);
	} else {
		BIGNUM *p = bn(req + 0x10, 64), *q = bn(req + 0x50, 64), *dp = bn(req + 0x90, 64);
		BIGNUM *dq = bn(req + 0xD0, 64), *u = bn(req + 0x110, 64), *c = bn(req + 0x150, 128);
		BIGNUM *m1 = BN_new(), *m2 = BN_new(), *h = BN_new();

		if (!r || !m1 || !m2 || !h || !BN_mod_exp(m1, c, dp, p, bctx) ||
		    !BN_mod_exp(m2, c, dq, q, bctx) || !BN_mod_sub(h, m1, m2, p, bctx) ||
		    !BN_mod_mul(h, h, u, p, bctx) || !BN_mul(r, h, q, bctx) || !BN_add(r, r, m2))
			FZ_FAIL("reference CRT");
		BN_free(p);
		BN_free(q);
		BN_free(dp);
		BN_free(dq);
		BN_free(u);
		BN_free(c);
		BN_free(m1);
		BN_free(m2);
		BN_free(h);
	}
	if (BN_bn2binpad(r, out, 128) != 128)
		FZ_FAIL("a type 80 result does not fit its 128-byte field");
	BN_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t reply[APV_CEX_REPLY_MAX + 64], result[512], ref[128];
	size_t len, block;
	unsigned kb;
	int rc;

	memset(reply, 0xA5, sizeof(reply));
	len = apv_cex_process(cex, data, size, reply);
	for (size_t i = APV_CEX_REPLY_MAX; i < sizeof(reply); i++)
		if (reply[i] != 0xA5)
			FZ_FAIL("the engine wrote beyond APV_CEX_REPLY_MAX");
	if (len < APV_T82_LEN || len > APV_CEX_REPLY_MAX)
		FZ_FAIL("reply length %zu", len);
	if (reply[0] != 0)
		FZ_FAIL("reply byte 0 is %02x", reply[0]);
	if (reply[1] == APV_T82_TYPE) {
		if (len != APV_T82_LEN || reply[4] == 0)
			FZ_FAIL("type 82 reply of %zu bytes with code %02x", len, reply[4]);
		if (apv_t80_parse(reply, len, result, 1) != reply[4])
			FZ_FAIL("apv_t80_parse does not return the type 82 code");
		return 0;
	}
	if (reply[1] != APV_T80_TYPE)
		FZ_FAIL("reply type %02x", reply[1]);
	/* Only a well-framed request earns a type 80: its keyblock gives B. */
	kb = size >= 10 ? ((unsigned)data[8] << 8 | data[9]) : 0;
	block = apv_t50_block(kb);
	if (!block || size != apv_t50_len(kb) || len != APV_T80_HDR + block)
		FZ_FAIL("type 80 of %zu bytes for keyblock %04x and a %zu-byte request", len, kb,
			size);
	if (((unsigned)reply[2] << 8 | reply[3]) != len)
		FZ_FAIL("type 80 length field %u, reply %zu bytes", (unsigned)reply[2] << 8 | reply[3],
			len);
	rc = apv_t80_parse(reply, len, result, block);
	if (rc)
		FZ_FAIL("apv_t80_parse refuses the engine's own type 80 reply: %d", rc);
	if (kb == APV_KB_MEB1 || kb == APV_KB_CRB1) {
		reference(data, kb == APV_KB_CRB1, ref);
		if (memcmp(ref, result, 128))
			FZ_FAIL("keyblock %04x: the result differs from OpenSSL's", kb);
	}
	return 0;
}
