/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 256-bit APM/AQM/ADM masks. Bit n is ID n counted from the most
 * significant bit of byte 0, the way QCI, the CRYCB and sysfs show them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apvirt/arch.h"

#define MASK_BYTES (APV_MASK_BITS / 8)

bool apv_mask_empty(const struct apv_mask *m)
{
	uint8_t acc = 0;

	if (!m)
		return false;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		acc |= m->b[i];
	return acc == 0;
}

bool apv_mask_equal(const struct apv_mask *a, const struct apv_mask *b)
{
	return a && b && memcmp(a->b, b->b, MASK_BYTES) == 0;
}

unsigned apv_mask_weight(const struct apv_mask *m)
{
	unsigned n = 0;

	if (!m)
		return 0;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		n += (unsigned)__builtin_popcount(m->b[i]);
	return n;
}

/* dst may alias a or b in the three combinators: each byte is read before it is written. */
void apv_mask_and(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b)
{
	if (!dst || !a || !b)
		return;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		dst->b[i] = a->b[i] & b->b[i];
}

void apv_mask_or(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b)
{
	if (!dst || !a || !b)
		return;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		dst->b[i] = a->b[i] | b->b[i];
}

void apv_mask_andnot(struct apv_mask *dst, const struct apv_mask *a, const struct apv_mask *b)
{
	if (!dst || !a || !b)
		return;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		dst->b[i] = (uint8_t)(a->b[i] & ~b->b[i]);
}

bool apv_mask_intersects(const struct apv_mask *a, const struct apv_mask *b)
{
	if (!a || !b)
		return false;
	for (unsigned i = 0; i < MASK_BYTES; i++)
		if (a->b[i] & b->b[i])
			return true;
	return false;
}

unsigned apv_mask_next(const struct apv_mask *m, unsigned n)
{
	if (!m || n >= APV_MASK_BITS)
		return APV_MASK_BITS;
	unsigned i = n >> 3;
	/* Drop the bits of the first byte that lie before n (they are more significant). */
	uint8_t cur = (uint8_t)(m->b[i] & (0xFFu >> (n & 7)));

	for (;;) {
		if (cur)
			return i * 8 + (unsigned)(__builtin_clz(cur) - 24);
		if (++i >= MASK_BYTES)
			return APV_MASK_BITS;
		cur = m->b[i];
	}
}

bool apv_mask_overflows(const struct apv_mask *m, unsigned max)
{
	if (!m || max >= APV_MASK_BITS - 1)
		return false;
	return apv_mask_next(m, max + 1) < APV_MASK_BITS;
}

char *apv_mask_format(const struct apv_mask *m, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2 + 2 * MASK_BYTES + 1];

	if (!m || !buf || len == 0)
		return NULL;
	tmp[0] = '0';
	tmp[1] = 'x';
	for (unsigned i = 0; i < MASK_BYTES; i++) {
		tmp[2 + 2 * i] = hex[m->b[i] >> 4];
		tmp[3 + 2 * i] = hex[m->b[i] & 0xF];
	}
	tmp[sizeof(tmp) - 1] = '\0';
	snprintf(buf, len, "%s", tmp);
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The string ends at n or at the first NUL, whichever comes first. Fewer
 * than 64 digits fill the mask from ID 0 on (the first digit is IDs 0-3),
 * which is how the kernel reads its apmask/aqmask attributes. The output
 * is only written on success.
 */
int apv_mask_parse(const char *s, size_t n, struct apv_mask *m)
{
	struct apv_mask tmp;
	size_t len, i, digits;

	if (!s || !m)
		return -EINVAL;
	len = strnlen(s, n);
	i = 0;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	digits = len - i;
	if (digits == 0 || digits > 2 * MASK_BYTES)
		return -EINVAL;
	memset(&tmp, 0, sizeof(tmp));
	for (size_t d = 0; d < digits; d++) {
		int v = hex_value(s[i + d]);

		if (v < 0)
			return -EINVAL;
		tmp.b[d / 2] |= (uint8_t)((d & 1) ? v : v << 4);
	}
	*m = tmp;
	return 0;
}
