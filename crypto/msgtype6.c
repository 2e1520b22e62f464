/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Type 6 request framing and type 86 replies, and the one entry that
 * hands a request to the model of the queue's card mode: the accelerator
 * (type 50), CCA (cca.c) or EP11 (ep11.c).
 *
 * What is checked here is what every coprocessor request shares: the
 * message type, the header's offsets and lengths against the message, the
 * agent ("CA" for CCA, "XC" for EP11), the room the driver leaves for the
 * reply CPRB, and the CPRB's length and version. A request that fails one
 * of these cannot be answered with a CPRB and gets an 8-byte type 82
 * error reply, which zcrypt turns into EINVAL without taking the queue
 * offline. Everything inside the CPRB is the card model's: it answers
 * with a type 86 and the mode's own return codes.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"
#include "msgtype6.h"

size_t t86_finish(uint8_t *reply, size_t count1, size_t offset2, size_t count2)
{
	memset(reply, 0, APV_T86_HDR);
	reply[T86_OFF_TYPE] = APV_T86_TYPE;
	reply[T86_OFF_FORMAT] = T86_FORMAT_NORMAL;
	t6_put_be32(reply + T86_OFF_COUNT1, (uint32_t)count1);
	t6_put_be32(reply + T86_OFF_OFFSET1, APV_T86_HDR);
	t6_put_be32(reply + T86_OFF_COUNT2, (uint32_t)count2);
	t6_put_be32(reply + T86_OFF_OFFSET2, (uint32_t)offset2);
	return offset2 ? offset2 + count2 : APV_T86_HDR + count1;
}

/*
 * Frame a type 6 request for a card of mode `mode`. Returns 0 and fills
 * *r, or the type 82 reply code for the first problem.
 */
static unsigned t6_frame(enum apv_card_mode mode, const uint8_t *req, size_t len,
			 struct t6_req *r)
{
	static const uint8_t agent_cca[16] = {'C', 'A'};
	static const uint8_t agent_ep11[16] = {'X', 'C'};
	bool ep11 = mode == APV_CARD_EP11;
	size_t cprb_len = ep11 ? APV_EP11_CPRB_LEN : APV_CCA_CPRB_LEN;
	uint64_t tc1, tc2, off1, off2;

	if (!req || len < 2)
		return APV_T82_BAD_LENGTH;
	if (req[T6_OFF_TYPE] != APV_T6_TYPE)
		return APV_T82_WRONG_MSG_TYPE;
	if (len < APV_T6_HDR)
		return APV_T82_BAD_LENGTH;
	off1 = t6_be32(req + T6_OFF_OFFSET1);
	off2 = t6_be32(req + T6_OFF_OFFSET2);
	tc1 = t6_be32(req + T6_OFF_TOCARD1);
	tc2 = t6_be32(req + T6_OFF_TOCARD2);
	if (off1 != APV_T6_HDR)
		return APV_T82_MALFORMED;
	if (memcmp(req + T6_OFF_AGENT, ep11 ? agent_ep11 : agent_cca, 16) != 0)
		return APV_T82_MALFORMED;
	if (tc1 < cprb_len || APV_T6_HDR + tc1 > len)
		return APV_T82_BAD_LENGTH;
	if (tc2 && (off2 < APV_T6_HDR + tc1 || off2 + tc2 > len))
		return APV_T82_BAD_LENGTH;
	r->msg = req;
	r->len = len;
	r->cprb = req + APV_T6_HDR;
	r->cprb_room = (size_t)tc1;
	r->data = tc2 ? req + off2 : NULL;
	r->data_len = (size_t)tc2;
	r->from1 = t6_be32(req + T6_OFF_FROMCARD1);
	r->from2 = t6_be32(req + T6_OFF_FROMCARD2);
	/*
	 * The driver's reply buffer must hold the shortest reply the card can
	 * give: a CCA CPRB; an EP11 CPRB with function, domain and return value.
	 */
	if (r->from1 < cprb_len + (ep11 ? EP11_MIN_REPLY_PAYLOAD : 0))
		return APV_T82_BAD_LENGTH;
	if (t6_be16(r->cprb + CPRB_OFF_LEN) != cprb_len)
		return APV_T82_MALFORMED;
	if (r->cprb[CPRB_OFF_VER] != (ep11 ? EP11_CPRB_VERSION : CCA_CPRB_VERSION))
		return APV_T82_MALFORMED;
	return 0;
}

size_t apv_card_process(struct apv_cex *c, const struct apv_card_ctx *card, const uint8_t *req,
			size_t req_len, uint8_t *reply, size_t cap)
{
	struct t6_req r;
	struct t6_out o = {reply, cap};
	unsigned code;

	if (!reply || cap < APV_T82_LEN)
		return 0;
	if (!card || card->mode == APV_CARD_ACCEL) {
		if (cap < APV_CEX_REPLY_MAX)
			return apv_t82_reply(reply, APV_T82_MACHINE_FAILURE);
		return apv_cex_process(c, req, req_len, reply);
	}
	if (!c || cap < APV_CARD_REPLY_MAX ||
	    (card->mode != APV_CARD_CCA && card->mode != APV_CARD_EP11))
		return apv_t82_reply(reply, APV_T82_MACHINE_FAILURE);
	memset(&r, 0, sizeof(r));
	code = t6_frame(card->mode, req, req_len, &r);
	if (code)
		return apv_t82_reply(reply, code);
	if (card->mode == APV_CARD_CCA)
		return apv_cca_process(c, card, &r, &o);
	return apv_ep11_process(c, card, &r, &o);
}

/* ---- key registers ------------------------------------------------------- */

static void sha256(const uint8_t *in, size_t n, uint8_t out[32])
{
	unsigned int len = 32;

	if (!EVP_Digest(in, n, out, &len, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

void apv_cca_mkvp(const uint8_t key[APV_MK_LEN], uint8_t mkvp[APV_CCA_MKVP_LEN])
{
	uint8_t h[32];

	if (!key || !mkvp)
		return;
	sha256(key, APV_MK_LEN, h);
	memcpy(mkvp, h, APV_CCA_MKVP_LEN);
}

void apv_ep11_wkvp(const uint8_t key[APV_MK_LEN], uint8_t wkvp[APV_EP11_WKVP_LEN])
{
	if (!key || !wkvp)
		return;
	sha256(key, APV_MK_LEN, wkvp);
}

static int cca_apply(struct apv_card_keys *k, enum apv_mk_op op, const uint8_t *key)
{
	switch (op) {
	case APV_MK_OP_SET:
		if (!key)
			return -EINVAL;
		memcpy(k->aes[APV_MK_NEW], key, APV_MK_LEN);
		k->aes_set[APV_MK_NEW] = true;
		return 0;
	case APV_MK_OP_COMMIT:
		return -EINVAL;
	case APV_MK_OP_CHANGE:
		if (!k->aes_set[APV_MK_NEW])
			return -ENOENT;
		memcpy(k->aes[APV_MK_OLD], k->aes[APV_MK_CUR], APV_MK_LEN);
		k->aes_set[APV_MK_OLD] = k->aes_set[APV_MK_CUR];
		memcpy(k->aes[APV_MK_CUR], k->aes[APV_MK_NEW], APV_MK_LEN);
		k->aes_set[APV_MK_CUR] = true;
		memset(k->aes[APV_MK_NEW], 0, APV_MK_LEN);
		k->aes_set[APV_MK_NEW] = false;
		return 0;
	case APV_MK_OP_CLEAR:
		memset(k->aes, 0, sizeof(k->aes));
		memset(k->aes_set, 0, sizeof(k->aes_set));
		return 0;
	}
	return -EINVAL;
}

static int ep11_apply(struct apv_card_keys *k, enum apv_mk_op op, const uint8_t *key)
{
	switch (op) {
	case APV_MK_OP_SET:
		if (!key)
			return -EINVAL;
		memcpy(k->wk[1], key, APV_MK_LEN);
		k->wk_set[1] = true;
		k->wk_committed = false;
		return 0;
	case APV_MK_OP_COMMIT:
		if (!k->wk_set[1])
			return -ENOENT;
		k->wk_committed = true;
		return 0;
	case APV_MK_OP_CHANGE:
		if (!k->wk_set[1])
			return -ENOENT;
		if (!k->wk_committed)
			return -EPERM;
		memcpy(k->wk[0], k->wk[1], APV_MK_LEN);
		k->wk_set[0] = true;
		memset(k->wk[1], 0, APV_MK_LEN);
		k->wk_set[1] = false;
		k->wk_committed = false;
		return 0;
	case APV_MK_OP_CLEAR:
		memset(k->wk, 0, sizeof(k->wk));
		memset(k->wk_set, 0, sizeof(k->wk_set));
		k->wk_committed = false;
		return 0;
	}
	return -EINVAL;
}

int apv_card_keys_apply(struct apv_card_keys *k, bool ep11, enum apv_mk_op op,
			const uint8_t key[APV_MK_LEN])
{
	if (!k || (unsigned)op > APV_MK_OP_CLEAR)
		return -EINVAL;
	return ep11 ? ep11_apply(k, op, key) : cca_apply(k, op, key);
}
