/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver side of the CEXnA protocol, as zcrypt's msgtype50 does it:
 * building type 50 requests from ioctl-style operands and checking the
 * reply before taking the result out of it.
 */
#include <errno.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "msgtype50.h"

/* Start a request: zeroed message of the keyblock's size with the header filled in. */
static const struct apv_t50_layout *start_request(uint8_t *out, size_t cap, size_t L, bool crt)
{
	const struct apv_t50_layout *l = apv_t50_layout(apv_t50_kb_for(L, crt));

	if (!out || !l || cap < l->len)
		return NULL;
	memset(out, 0, l->len);
	out[T50_OFF_TYPE] = APV_T50_TYPE;
	apv_put_be16(out + T50_OFF_MSG_LEN, l->len);
	apv_put_be16(out + T50_OFF_KEYBLOCK, l->kb);
	return l;
}

/* Numbers are right-justified in their field; the zero padding is already there. */
static void put_field(uint8_t *out, const struct apv_t50_layout *l, unsigned op,
		      const uint8_t *src, size_t n)
{
	size_t size = apv_t50_op_size(l, op);

	memcpy(out + l->off[op] + size - n, src, n);
}

size_t apv_t50_build_me(uint8_t *out, size_t cap, const uint8_t *exp, const uint8_t *mod,
			const uint8_t *msg, size_t L)
{
	const struct apv_t50_layout *l;

	if (!exp || !mod || !msg)
		return 0;
	l = start_request(out, cap, L, false);
	if (!l)
		return 0;
	put_field(out, l, T50_ME_EXP, exp, L);
	put_field(out, l, T50_ME_MOD, mod, L);
	put_field(out, l, T50_ME_MSG, msg, L);
	return l->len;
}

size_t apv_t50_build_crt(uint8_t *out, size_t cap, const uint8_t *p, const uint8_t *q,
			 const uint8_t *dp, const uint8_t *dq, const uint8_t *u, const uint8_t *msg,
			 size_t L)
{
	const struct apv_t50_layout *l;
	/* S never exceeds B/2 because the format was chosen so that L <= B. */
	size_t S = (L + 1) / 2;

	if (!p || !q || !dp || !dq || !u || !msg)
		return 0;
	l = start_request(out, cap, L, true);
	if (!l)
		return 0;
	put_field(out, l, T50_CRT_P, p, S);
	put_field(out, l, T50_CRT_Q, q, S);
	put_field(out, l, T50_CRT_DP, dp, S);
	put_field(out, l, T50_CRT_DQ, dq, S);
	put_field(out, l, T50_CRT_U, u, S);
	put_field(out, l, T50_CRT_MSG, msg, L);
	return l->len;
}

/*
 * zcrypt trusts a type 80 reply only if its length field matches what was
 * dequeued and leaves room for L result bytes without exceeding the
 * largest type 80 reply; the result is the last L bytes. Error replies
 * carry their reason in byte 4. A type 82/88 with code 0 would read as
 * success here, so it is reported as -EIO like any reply zcrypt cannot
 * classify.
 */
int apv_t80_parse(const uint8_t *reply, size_t len, uint8_t *result, size_t L)
{
	size_t rlen;

	if (!reply || (L && !result))
		return -EINVAL;
	if (len < 2)
		return -EMSGSIZE;
	switch (reply[T8X_OFF_TYPE]) {
	case APV_T80_TYPE:
		if (len < APV_T80_HDR)
			return -EMSGSIZE;
		rlen = apv_be16(reply + T8X_OFF_LEN);
		if (rlen != len || rlen < APV_T80_HDR + L || rlen > APV_T80_MAX_LEN)
			return -EMSGSIZE;
		if (L) {
			if (!result)
				return -EINVAL;
			memcpy(result, reply + rlen - L, L);
		}
		return 0;
	case APV_T82_TYPE:
	case APV_T88_TYPE:
		if (len < APV_T82_LEN)
			return -EMSGSIZE;
		return reply[T8X_OFF_CODE] ? reply[T8X_OFF_CODE] : -EIO;
	default:
		return -EIO;
	}
}
