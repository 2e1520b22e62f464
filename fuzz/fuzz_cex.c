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
 * recomputed with plain OpenSSL arithmetic and must match, and every
 * request that earns a type 80 is rebuilt from its operands by the
 * driver's builders (apv_t50_build_me/crt), which must give the same bytes.
 * One engine serves every input, so its Montgomery-context cache sees keys
 * change under it the way a busy adapter does.
 *
 * The same bytes are also a reply for the driver's parser, apv_t80_parse,
 * with the result lengths a driver asks for: it accepts only a type 80
 * whose length field is the length dequeued and leaves room for L bytes,
 * then hands out exactly the last L bytes; it never writes the result
 * otherwise and never reads beyond the reply.
 *
 * Structure: a request is only worth the arithmetic when its framing is
 * exact (type, msg_len = the bytes, a keyblock and its fixed size, zero
 * reserved bytes), which byte-level mutations rarely keep. The custom
 * mutator therefore reframes half of its outputs as a request of one of
 * the six keyblocks, keeping the mutated operand bytes, so the modulus,
 * exponent and CRT checks and the cache see a stream of new operands; the
 * other half stay as mutated, for the framing checks (fuzz/cex.dict holds
 * the header values).
 */
#include <errno.h>
#include <openssl/bn.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "fuzz_input.h"

static struct apv_cex *cex;
static BN_CTX *bctx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static const uint16_t keyblocks[] = {APV_KB_MEB1, APV_KB_MEB2, APV_KB_MEB3,
				     APV_KB_CRB1, APV_KB_CRB2, APV_KB_CRB3};

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

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The bytes as a reply to a request that wants L result bytes. */
static void parse_as_reply(const uint8_t *data, size_t size, size_t L)
{
	uint8_t result[APV_T80_MAX_LEN];
	bool fits;
	int rc;

	memset(result, 0x5A, sizeof(result));
	rc = apv_t80_parse(data, size, result, L);
	fits = size >= APV_T80_HDR && data[1] == APV_T80_TYPE && be16(data + 2) == size &&
	       size >= APV_T80_HDR + L && size <= APV_T80_MAX_LEN;
	if (rc == 0) {
		if (!fits)
			FZ_FAIL("apv_t80_parse accepts a %zu-byte reply of type %02x for L %zu", size,
				size > 1 ? data[1] : 0, L);
		if (memcmp(result, data + size - L, L))
			FZ_FAIL("apv_t80_parse hands out other bytes than the last %zu", L);
	} else {
		if (fits)
			FZ_FAIL("apv_t80_parse refuses a well-formed type 80 of %zu bytes for L %zu: %d",
				size, L, rc);
		for (size_t i = 0; i < sizeof(result); i++)
			if (result[i] != 0x5A)
				FZ_FAIL("apv_t80_parse wrote the result of a reply it refused (%d)", rc);
		if (size >= APV_T82_LEN && (data[1] == APV_T82_TYPE || data[1] == APV_T88_TYPE) &&
		    rc != (data[4] ? data[4] : -EIO))
			FZ_FAIL("apv_t80_parse gives %d for a type %02x with code %02x", rc, data[1],
				data[4]);
	}
	if (fits && L && apv_t80_parse(data, size, NULL, L) != -EINVAL)
		FZ_FAIL("apv_t80_parse without a result buffer does not refuse");
}

/* A request the engine answered with a type 80, rebuilt by the driver's builders. */
static void rebuild(const uint8_t *req, size_t size, unsigned kb, size_t B)
{
	uint8_t out[APV_T50_MAX_LEN + 16];
	size_t n, h = B / 2;

	memset(out, 0xA5, sizeof(out));
	if (kb == APV_KB_MEB1 || kb == APV_KB_MEB2 || kb == APV_KB_MEB3)
		n = apv_t50_build_me(out, sizeof(out), req + 0x10, req + 0x10 + B, req + 0x10 + 2 * B,
				     B);
	else
		n = apv_t50_build_crt(out, sizeof(out), req + 0x10, req + 0x10 + h, req + 0x10 + 2 * h,
				      req + 0x10 + 3 * h, req + 0x10 + 4 * h, req + 0x10 + 5 * h, B);
	/* Byte 5 is ignored by the adapter, so a request may carry anything there. */
	if (n == size)
		out[5] = req[5];
	if (n != size || memcmp(out, req, size))
		FZ_FAIL("keyblock %04x: the driver's builder does not give back the request (%zu "
			"bytes, %zu built)",
			kb, size, n);
	if (out[size] != 0xA5)
		FZ_FAIL("the builder wrote past the request");
	if ((kb == APV_KB_MEB1 ? apv_t50_build_me(out, size - 1, req + 0x10, req + 0x90,
						   req + 0x110, B)
			       : 0) != 0)
		FZ_FAIL("the builder wrote a request into a buffer too small for it");
}

/*
 * Half of the mutations reframe the bytes as a request of one of the six
 * keyblocks (chosen by the seed), keeping what the mutation did to the
 * operands; the reserved bytes are zeroed except now and then, so that the
 * malformed check is still met.
 */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	uint16_t kb;
	size_t len;

	size = LLVMFuzzerMutate(data, size, max_size);
	if (seed & 1)
		return size;
	kb = keyblocks[(seed >> 1) % 6];
	len = apv_t50_len(kb);
	if (len > max_size)
		return size;
	if (size < len)
		memset(data + size, (seed >> 4) & 1 ? 0xFF : 0, len - size);
	data[0] = 0;
	data[1] = APV_T50_TYPE;
	data[2] = (uint8_t)(len >> 8);
	data[3] = (uint8_t)len;
	data[8] = (uint8_t)(kb >> 8);
	data[9] = (uint8_t)kb;
	if ((seed >> 5) % 8) {
		data[4] = data[6] = data[7] = 0;
		memset(data + 10, 0, 6);
	}
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t reply[APV_CEX_REPLY_MAX + 64], result[512], ref[128];
	size_t len, block;
	unsigned kb;
	int rc;

	parse_as_reply(data, size, 0);
	parse_as_reply(data, size, 128);
	parse_as_reply(data, size, 256);
	parse_as_reply(data, size, 512);
	if (size > APV_T80_HDR)
		parse_as_reply(data, size, size - APV_T80_HDR);

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
	rebuild(data, size, kb, block);
	if (kb == APV_KB_MEB1 || kb == APV_KB_CRB1) {
		reference(data, kb == APV_KB_CRB1, ref);
		if (memcmp(ref, result, 128))
			FZ_FAIL("keyblock %04x: the result differs from OpenSSL's", kb);
	}
	return 0;
}
