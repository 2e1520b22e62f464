/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AP queue status word: what every AP instruction hands back in the
 * low half of GR1.
 */
#include <stdio.h>

#include "apvirt/arch.h"

uint32_t apv_apqsw_encode(struct apv_apqsw s)
{
	uint32_t w = apv_apqsw_rc(s.rc);

	if (s.e)
		w |= APV_APQSW_E;
	if (s.r)
		w |= APV_APQSW_R;
	if (s.f)
		w |= APV_APQSW_F;
	if (s.async)
		w |= APV_APQSW_ASYNC;
	if (s.i)
		w |= APV_APQSW_I;
	return w;
}

/* Reserved bits are dropped: a decoded word re-encodes to its defined fields only. */
struct apv_apqsw apv_apqsw_decode(uint32_t w)
{
	struct apv_apqsw s = {
		.e = (w & APV_APQSW_E) != 0,
		.r = (w & APV_APQSW_R) != 0,
		.f = (w & APV_APQSW_F) != 0,
		.async = (w & APV_APQSW_ASYNC) != 0,
		.i = (w & APV_APQSW_I) != 0,
		.rc = apv_apqsw_get_rc(w),
	};
	return s;
}

char *apv_apqsw_format(uint32_t w, char *buf, size_t len)
{
	struct apv_apqsw s = apv_apqsw_decode(w);
	const char *name = apv_rc_name(s.rc);

	if (!buf || len == 0)
		return NULL;
	/* snprintf truncates safely; a short buffer still gets a terminated prefix. */
	snprintf(buf, len, "%s%s%s%s%src=%02X(%s)", s.e ? "E " : "", s.r ? "R " : "",
		 s.f ? "F " : "", s.async ? "A " : "", s.i ? "I " : "", s.rc,
		 name ? name : "?");
	return buf;
}
