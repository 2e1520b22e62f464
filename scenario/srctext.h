/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading source text, shared by the scenario lexer, the argument parsers,
 * the JSON reader and the mdevctl importer: where a byte moves the cursor,
 * the "FILE:LINE:COL: message" form of every error, and hex digits.
 */
#ifndef APV_SCENARIO_SRCTEXT_H
#define APV_SCENARIO_SRCTEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Move a 1-based line/column cursor past byte c. Columns count characters,
 * not bytes, because that is what an editor shows: UTF-8 continuation
 * bytes do not move it.
 */
static inline void apv_src_advance(unsigned char c, unsigned *line, unsigned *col)
{
	if (c == '\n') {
		(*line)++;
		*col = 1;
	} else if ((c & 0xC0) != 0x80) {
		(*col)++;
	}
}

/*
 * Tokens echoed in messages ('...') longer than APV_SRC_QUOTE_MAX characters
 * are cut to their first APV_SRC_QUOTE_KEEP and "...": a 16 MiB word must
 * not become a 16 MiB message.
 */
#define APV_SRC_QUOTE_MAX 80
#define APV_SRC_QUOTE_KEEP 60
/* Returns whether the message ends inside a quote (cut or not). */
bool apv_src_cut_quoted(char *msg);

/*
 * Write "FILE:LINE:COL: message" into err (truncated to errlen; nothing if
 * there is no room), quoted tokens cut as above.
 */
void apv_src_vfail(char *err, size_t errlen, const char *file, unsigned line, unsigned col,
		   const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Value of a hex digit, or -1 (also for -1, the end of input). */
int apv_src_hexdig(int c);

#endif
