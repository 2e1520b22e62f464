/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Type 50 request framing and type 80/82 reply framing: everything about
 * CEXnA messages that is bytes and lengths rather than arithmetic.
 */
#include <string.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"

/*
 * Fields follow each other without gaps right after the 16-byte header:
 * ME is exponent, modulus, message (B bytes each); CRT is p, q, dp, dq, u
 * (B/2 each) and the message (B).
 */
static const struct apv_t50_layout layouts[] = {
	{APV_KB_MEB1, 0x190, 128, false, 3, {0x010, 0x090, 0x110}},
	{APV_KB_MEB2, 0x310, 256, false, 3, {0x010, 0x110, 0x210}},
	{APV_KB_MEB3, 0x610, 512, false, 3, {0x010, 0x210, 0x410}},
	{APV_KB_CRB1, 0x1D0, 128, true, 6, {0x010, 0x050, 0x090, 0x0D0, 0x110, 0x150}},
	{APV_KB_CRB2, 0x390, 256, true, 6, {0x010, 0x090, 0x110, 0x190, 0x210, 0x290}},
	{APV_KB_CRB3, 0x710, 512, true, 6, {0x010, 0x110, 0x210, 0x310, 0x410, 0x510}},
};

const struct apv_t50_layout *apv_t50_layout(unsigned kb)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].kb == kb)
			return &layouts[i];
	return NULL;
}

size_t apv_t50_len(unsigned kb)
{
	const struct apv_t50_layout *l = apv_t50_layout(kb);

	return l ? l->len : 0;
}

size_t apv_t50_block(unsigned kb)
{
	const struct apv_t50_layout *l = apv_t50_layout(kb);

	return l ? l->block : 0;
}

unsigned apv_t50_kb_for(size_t L, bool crt)
{
	unsigned base = crt ? APV_KB_CRB1 : APV_KB_MEB1;

	if (L == 0 || L > 512)
		return 0;
	if (L <= 128)
		return base;
	if (L <= 256)
		return base + 1;
	return base + 2;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/*
 * Check order: a message too short to carry a type byte is a length
 * error; a wrong type byte outranks everything else (the adapter would
 * not know how to read the rest); then the header must be complete and
 * msg_len must equal the bytes enqueued; then the keyblock must be known
 * and its fixed size must match; reserved header bytes come last.
 * Byte 5 is documented as "ignored", so it is not checked.
 */
unsigned apv_t50_check(const uint8_t *req, size_t len, const struct apv_t50_layout **lay)
{
	const struct apv_t50_layout *l;

	*lay = NULL;
	if (!req || len < 2)
		return APV_T82_BAD_LENGTH;
	if (req[T50_OFF_TYPE] != APV_T50_TYPE)
		return APV_T82_WRONG_MSG_TYPE;
	if (len < APV_T50_HDR || len > APV_T50_MAX_LEN)
		return APV_T82_BAD_LENGTH;
	if (apv_be16(req + T50_OFF_MSG_LEN) != len)
		return APV_T82_BAD_LENGTH;
	l = apv_t50_layout(apv_be16(req + T50_OFF_KEYBLOCK));
	if (!l)
		return APV_T82_BAD_KEYBLOCK;
	if (l->len != len)
		return APV_T82_BAD_LENGTH;
	if (req[0] != 0 || req[4] != 0 || req[6] != 0 || req[7] != 0 || !all_zero(req + 10, 6))
		return APV_T82_MALFORMED;
	*lay = l;
	return 0;
}

size_t apv_t82_reply(uint8_t *reply, unsigned code)
{
	memset(reply, 0, APV_T82_LEN);
	reply[T8X_OFF_TYPE] = APV_T82_TYPE;
	reply[T8X_OFF_CODE] = (uint8_t)code;
	return APV_T82_LEN;
}

void apv_t80_header(uint8_t *reply, size_t len)
{
	memset(reply, 0, APV_T80_HDR);
	reply[T8X_OFF_TYPE] = APV_T80_TYPE;
	apv_put_be16(reply + T8X_OFF_LEN, (unsigned)len);
}
