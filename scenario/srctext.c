/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error positions and hex digits for every reader of source text in this layer. */
#include "srctext.h"

#include <stdio.h>

void apv_src_vfail(char *err, size_t errlen, const char *file, unsigned line, unsigned col,
		   const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u:%u: ", file, line, col);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

int apv_src_hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
