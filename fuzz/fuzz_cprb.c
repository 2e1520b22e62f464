/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The coprocessor models under fuzzing: the first input byte picks the
 * card (bit 0: CCA or EP11) and its key registers (bits 1-3: a current,
 * an old, a new key), the rest is a type 6 request into
 * apv_card_process. Invariants, as zcrypt's receive path reads a reply:
 *  - one reply of 8 to APV_CARD_REPLY_MAX bytes, nothing written beyond;
 *  - a type 82 is 8 bytes with a non-zero reply code;
 *  - a type 86 has format 2, reply code 0, the mode's CPRB version at 50,
 *    and apv_t86_parse accepts it; CCA: the reply is offset2 + count2
 *    bytes, the data block follows the parm, count1 stays within the
 *    request's FromCardLen1; EP11: offset1 + count1 bytes and a payload
 *    that Linux's check_reply_pl accepts (return value 0 with a data
 *    string, or a non-zero return value);
 *  - a request that fails framing (type, offsets, agent, lengths, CPRB
 *    length and version) never gets a type 86.
 */
#include <errno.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "fuzz_input.h"

static struct apv_cex *cex;
static uint8_t reply[APV_CARD_REPLY_MAX + 64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int wrap(void *ctx, const uint8_t *clear, size_t len, uint8_t *protkey)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		protkey[i] = clear[i] ^ 0x5C;
	memset(protkey + len, 0xA7, 32);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cex = apv_cex_new();
	if (!cex)
		FZ_FAIL("engine setup");
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t k1[APV_MK_LEN] = {1}, k2[APV_MK_LEN] = {2}, k3[APV_MK_LEN] = {3};
	struct apv_card_ctx card;
	struct apv_t86_view v;
	uint8_t sel = size ? data[0] : 0;
	const uint8_t *req = size ? data + 1 : data;
	size_t len = size ? size - 1 : 0, n;
	bool ep11 = sel & 1;

	memset(&card, 0, sizeof(card));
	card.mode = ep11 ? APV_CARD_EP11 : APV_CARD_CCA;
	card.domain = 6;
	memcpy(card.serial, "93FUZZ0000000001", 16);
	card.cpacf.wrap = (sel & 0x10) ? NULL : wrap;
	/* old (via two changes), current, new */
	if (sel & 4) {
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_SET, k1);
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_COMMIT, NULL);
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_CHANGE, NULL);
	}
	if (sel & 2) {
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_SET, k2);
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_COMMIT, NULL);
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_CHANGE, NULL);
	}
	if (sel & 8)
		apv_card_keys_apply(&card.keys, ep11, APV_MK_OP_SET, k3);

	memset(reply, 0xA5, sizeof(reply));
	n = apv_card_process(cex, &card, req, len, reply, APV_CARD_REPLY_MAX);
	for (size_t i = APV_CARD_REPLY_MAX; i < sizeof(reply); i++)
		if (reply[i] != 0xA5)
			FZ_FAIL("the card wrote beyond APV_CARD_REPLY_MAX");
	if (n < APV_T82_LEN || n > APV_CARD_REPLY_MAX)
		FZ_FAIL("reply length %zu", n);
	if (reply[1] == 0x82) {
		if (n != APV_T82_LEN || reply[4] == 0)
			FZ_FAIL("type 82 reply of %zu bytes with code %02x", n, reply[4]);
		return 0;
	}
	if (reply[1] != APV_T86_TYPE)
		FZ_FAIL("reply type %02x", reply[1]);
	/* A type 86 only for a request that frames: type 6, offset1 0x58, the mode's agent. */
	if (len < APV_T6_HDR + (ep11 ? APV_EP11_CPRB_LEN : APV_CCA_CPRB_LEN) || req[1] != 0x06 ||
	    be32(req + 16) != APV_T6_HDR || req[32] != (ep11 ? 'X' : 'C') ||
	    req[APV_T6_HDR + 2] != (ep11 ? 4 : 2))
		FZ_FAIL("type 86 for a request that does not frame");
	if (reply[2] != 0x02 || reply[4] != 0 || reply[APV_T86_HDR + 2] != (ep11 ? 4 : 2))
		FZ_FAIL("type 86 header: format %02x code %02x version %02x", reply[2], reply[4],
			reply[APV_T86_HDR + 2]);
	if (apv_t86_parse(reply, n, ep11, &v) != 0)
		FZ_FAIL("apv_t86_parse refuses the card's own reply");
	if (be32(reply + 16) > be32(req + 72))
		FZ_FAIL("count1 %u beyond FromCardLen1 %u", be32(reply + 16), be32(req + 72));
	if (ep11) {
		uint32_t rv = 0;
		const uint8_t *d;
		size_t dl;
		int rc;

		if (n != APV_T86_HDR + be32(reply + 16))
			FZ_FAIL("EP11 reply %zu bytes, count1 %u", n, be32(reply + 16));
		rc = apv_ep11_reply_data(&v, &rv, &d, &dl);
		if (!(rc == 0 && rv == 0) && !(rc == -EIO && rv != 0))
			FZ_FAIL("EP11 payload not as Linux reads it: rc %d rv %08x", rc, rv);
	} else {
		if (n != (size_t)be32(reply + 28) + be32(reply + 24))
			FZ_FAIL("CCA reply %zu bytes, offset2 + count2 %u", n,
				be32(reply + 28) + be32(reply + 24));
		if (v.data_len > 4096)
			FZ_FAIL("CCA data block of %zu bytes", v.data_len);
		if (v.data_len && v.data_len > be32(req + 76))
			FZ_FAIL("CCA data block beyond FromCardLen2");
	}
	return 0;
}
