/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a fuzzer's input as a stream of small decisions. Running out of
 * input reads zeros, so every prefix of an input is itself a valid input
 * and the fuzzer's mutations stay meaningful.
 */
#ifndef APV_FUZZ_INPUT_H
#define APV_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_more(const struct fz *f)
{
	return f->n > 0;
}

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t hi = fz_u8(f);

	return (uint16_t)((hi << 8) | fz_u8(f));
}

static inline uint64_t fz_u64(struct fz *f)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | fz_u8(f);
	return v;
}

/* Up to n bytes of the input itself; *got says how many there were. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t n, size_t *got)
{
	const uint8_t *p = f->p;

	*got = n < f->n ? n : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

/* A finding: say what broke and stop, so libFuzzer keeps the input. */
#define FZ_FAIL(...)                                                                        \
	do {                                                                                \
		fprintf(stderr, "fuzz invariant: " __VA_ARGS__);                            \
		fprintf(stderr, "\n");                                                      \
		abort();                                                                    \
	} while (0)

#endif
