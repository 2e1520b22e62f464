/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error positions and hex digits for every reader of source text in this layer. */
#include "srctext.h"

#include <stdio.h>
#include <string.h>

bool apv_src_cut_quoted(char *msg)
{
	char *p = msg;

	while ((p = strchr(p, '\'')) != NULL) {
		char *open = p + 1, *close = strchr(open, '\'');
		size_t len = close ? (size_t)(close - open) : strlen(open);

		if (len > APV_SRC_QUOTE_MAX) {
			char *keep = open + APV_SRC_QUOTE_KEEP;

			/* Back up to the start of a UTF-8 character, then mark the cut. */
			while (keep > open && ((unsigned char)*keep & 0xC0) == 0x80)
				keep--;
			memcpy(keep, "...", 3);
			memmove(keep + 3, open + len, strlen(open + len) + 1);
			close = close ? keep + 3 : NULL;
		}
		if (!close)
			return true;
		p = close + 1;
	}
	return false;
}

void apv_src_vfail(char *err, size_t errlen, const char *file, unsigned line, unsigned col,
		   const char *fmt, va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u:%u: ", file, line, col);
	if (n >= 0 && (size_t)n < errlen) {
		int m = vsnprintf(err + n, errlen - (size_t)n, fmt, ap);

		/* A message cut short by errlen inside a token: close the quote after the cut. */
		if (apv_src_cut_quoted(err) && m >= 0 && (size_t)m >= errlen - (size_t)n &&
		    strlen(err) + 2 <= errlen)
			strcat(err, "'");
	}
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
