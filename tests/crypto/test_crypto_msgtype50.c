/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver side: type 50 sizes, the builders' byte layout (format by L,
 * right-aligned fields, zeroed reserved bytes) and the type 80/82/88
 * reply checks zcrypt applies.
 */
#include <errno.h>

#include "apvirt/crypto.h"
#include "testlib.h"

TEST(keyblock_sizes_and_block_sizes)
{
	CHECK_EQ(apv_t50_len(APV_KB_MEB1), 0x190);
	CHECK_EQ(apv_t50_len(APV_KB_MEB2), 0x310);
	CHECK_EQ(apv_t50_len(APV_KB_MEB3), 0x610);
	CHECK_EQ(apv_t50_len(APV_KB_CRB1), 0x1D0);
	CHECK_EQ(apv_t50_len(APV_KB_CRB2), 0x390);
	CHECK_EQ(apv_t50_len(APV_KB_CRB3), 0x710);
	CHECK_EQ(apv_t50_len(APV_KB_CRB3), APV_T50_MAX_LEN);
	CHECK_EQ(apv_t50_block(APV_KB_MEB1), 128);
	CHECK_EQ(apv_t50_block(APV_KB_MEB2), 256);
	CHECK_EQ(apv_t50_block(APV_KB_MEB3), 512);
	CHECK_EQ(apv_t50_block(APV_KB_CRB1), 128);
	CHECK_EQ(apv_t50_block(APV_KB_CRB2), 256);
	CHECK_EQ(apv_t50_block(APV_KB_CRB3), 512);
	static const unsigned unknown[] = {0, 4, 0x10, 0x14, 0x100, 0xFFFF, 0x10001};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CHECK_EQ(apv_t50_len(unknown[i]), 0);
		CHECK_EQ(apv_t50_block(unknown[i]), 0);
	}
	/* The largest reply is a header plus the largest block. */
	CHECK_EQ(APV_T80_HDR + 512, APV_T80_MAX_LEN);
}

static unsigned kb_of(const uint8_t *m) { return ((unsigned)m[8] << 8) | m[9]; }
static size_t msg_len_of(const uint8_t *m) { return ((size_t)m[2] << 8) | m[3]; }

static void fill(uint8_t *b, size_t n, uint8_t base)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(base + i * 7 + 1) | 1; /* nonzero bytes */
}

TEST(build_me_picks_format_by_length_like_zcrypt)
{
	static const struct { size_t L; unsigned kb; } cases[] = {
		{1, 1}, {64, 1}, {128, 1}, {129, 2}, {200, 2}, {256, 2}, {257, 3}, {511, 3}, {512, 3},
	};
	uint8_t exp[512], mod[512], msg[512], out[APV_T50_MAX_LEN];

	fill(exp, sizeof(exp), 1);
	fill(mod, sizeof(mod), 2);
	fill(msg, sizeof(msg), 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t L = cases[i].L, len = apv_t50_build_me(out, sizeof(out), exp, mod, msg, L);
		CHECK_EQ(len, apv_t50_len(cases[i].kb));
		CHECK_EQ(kb_of(out), cases[i].kb);
		CHECK_EQ(msg_len_of(out), len);
	}
	CHECK_EQ(apv_t50_build_me(out, sizeof(out), exp, mod, msg, 0), 0);
	CHECK_EQ(apv_t50_build_me(out, sizeof(out), exp, mod, msg, 513), 0);
}

TEST(build_me_layout_is_exact)
{
	uint8_t exp[200], mod[200], msg[200], out[APV_T50_MAX_LEN], want[APV_T50_MAX_LEN];
	const size_t L = 200, B = 256;

	fill(exp, L, 10);
	fill(mod, L, 20);
	fill(msg, L, 30);
	memset(out, 0xEE, sizeof(out));
	REQUIRE(apv_t50_build_me(out, sizeof(out), exp, mod, msg, L) == 0x310);
	memset(want, 0, sizeof(want));
	want[1] = 0x50;
	want[2] = 0x03;
	want[3] = 0x10;
	want[9] = 0x02;
	memcpy(want + 0x10 + B - L, exp, L);
	memcpy(want + 0x110 + B - L, mod, L);
	memcpy(want + 0x210 + B - L, msg, L);
	CHECK_MEM(out, want, 0x310);
	/* Nothing past the message is written. */
	CHECK_EQ(out[0x310], 0xEE);
}

TEST(build_me_respects_capacity_and_null_operands)
{
	uint8_t v[128], out[APV_T50_MAX_LEN];

	fill(v, sizeof(v), 0);
	memset(out, 0xEE, sizeof(out));
	CHECK_EQ(apv_t50_build_me(out, 0x18F, v, v, v, 128), 0);
	CHECK_EQ(out[0], 0xEE);
	CHECK_EQ(apv_t50_build_me(out, 0x190, v, v, v, 128), 0x190);
	CHECK_EQ(apv_t50_build_me(NULL, 0x190, v, v, v, 128), 0);
	CHECK_EQ(apv_t50_build_me(out, 0x190, NULL, v, v, 128), 0);
	CHECK_EQ(apv_t50_build_me(out, 0x190, v, NULL, v, 128), 0);
	CHECK_EQ(apv_t50_build_me(out, 0x190, v, v, NULL, 128), 0);
}

TEST(build_crt_layout_is_exact_with_s_half_of_l_rounded_up)
{
	static const size_t Ls[] = {1, 3, 127, 128, 129, 255, 256, 257, 511, 512};
	uint8_t p[256], q[256], dp[256], dq[256], u[256], msg[512];
	uint8_t out[APV_T50_MAX_LEN], want[APV_T50_MAX_LEN];

	fill(p, sizeof(p), 1);
	fill(q, sizeof(q), 2);
	fill(dp, sizeof(dp), 3);
	fill(dq, sizeof(dq), 4);
	fill(u, sizeof(u), 5);
	fill(msg, sizeof(msg), 6);
	for (size_t i = 0; i < sizeof(Ls) / sizeof(Ls[0]); i++) {
		size_t L = Ls[i], S = (L + 1) / 2;
		size_t B = L <= 128 ? 128 : L <= 256 ? 256 : 512, H = B / 2;
		unsigned kb = B == 128 ? 0x11 : B == 256 ? 0x12 : 0x13;
		size_t total = 16 + 5 * H + B;

		memset(out, 0xEE, sizeof(out));
		size_t len = apv_t50_build_crt(out, sizeof(out), p, q, dp, dq, u, msg, L);
		REQUIRE(len == total);
		CHECK_EQ(len, apv_t50_len(kb));
		memset(want, 0, sizeof(want));
		want[1] = 0x50;
		want[2] = (uint8_t)(total >> 8);
		want[3] = (uint8_t)total;
		want[9] = (uint8_t)kb;
		memcpy(want + 16 + 0 * H + H - S, p, S);
		memcpy(want + 16 + 1 * H + H - S, q, S);
		memcpy(want + 16 + 2 * H + H - S, dp, S);
		memcpy(want + 16 + 3 * H + H - S, dq, S);
		memcpy(want + 16 + 4 * H + H - S, u, S);
		memcpy(want + 16 + 5 * H + B - L, msg, L);
		if (memcmp(out, want, total) != 0)
			APV_TEST_FAIL("L = %zu: layout differs", L);
		if (total < sizeof(out))
			CHECK_EQ(out[total], 0xEE);
	}
}

TEST(build_crt_rejects_bad_length_capacity_and_null)
{
	uint8_t v[256], out[APV_T50_MAX_LEN];

	fill(v, sizeof(v), 0);
	CHECK_EQ(apv_t50_build_crt(out, sizeof(out), v, v, v, v, v, v, 0), 0);
	CHECK_EQ(apv_t50_build_crt(out, sizeof(out), v, v, v, v, v, v, 513), 0);
	CHECK_EQ(apv_t50_build_crt(out, 0x1CF, v, v, v, v, v, v, 128), 0);
	CHECK_EQ(apv_t50_build_crt(out, 0x1D0, v, v, v, v, v, v, 128), 0x1D0);
	CHECK_EQ(apv_t50_build_crt(out, sizeof(out), NULL, v, v, v, v, v, 64), 0);
	CHECK_EQ(apv_t50_build_crt(out, sizeof(out), v, v, v, v, NULL, v, 64), 0);
	CHECK_EQ(apv_t50_build_crt(out, sizeof(out), v, v, v, v, v, NULL, 64), 0);
}

/* ---- reply parsing ---- */

static size_t make_t80(uint8_t *rep, size_t len_field, size_t given, uint8_t fillbyte)
{
	memset(rep, 0, APV_T80_HDR);
	rep[1] = 0x80;
	rep[2] = (uint8_t)(len_field >> 8);
	rep[3] = (uint8_t)len_field;
	for (size_t i = APV_T80_HDR; i < given; i++)
		rep[i] = (uint8_t)(fillbyte + i);
	return given;
}

TEST(t80_result_is_the_last_l_bytes)
{
	uint8_t rep[0x400], res[512];

	make_t80(rep, 0x110, 0x110, 0);
	memset(res, 0xEE, sizeof(res));
	CHECK_EQ(apv_t80_parse(rep, 0x110, res, 200), 0);
	CHECK_MEM(res, rep + 0x110 - 200, 200);
	CHECK_EQ(res[200], 0xEE);
	/* Exactly 16 + L is the shortest acceptable reply. */
	make_t80(rep, 16 + 200, 16 + 200, 3);
	CHECK_EQ(apv_t80_parse(rep, 16 + 200, res, 200), 0);
	CHECK_MEM(res, rep + 16, 200);
	/* And 0x210 the longest. */
	make_t80(rep, 0x210, 0x210, 5);
	CHECK_EQ(apv_t80_parse(rep, 0x210, res, 512), 0);
	CHECK_MEM(res, rep + 16, 512);
}

TEST(t80_length_field_must_equal_bytes_received)
{
	uint8_t rep[0x400], res[512];

	make_t80(rep, 0x110, 0x110, 0);
	CHECK_EQ(apv_t80_parse(rep, 0x10F, res, 128), -EMSGSIZE);
	CHECK_EQ(apv_t80_parse(rep, 0x111, res, 128), -EMSGSIZE);
	make_t80(rep, 0x90, 0x110, 0);
	CHECK_EQ(apv_t80_parse(rep, 0x110, res, 128), -EMSGSIZE);
}

TEST(t80_shorter_than_16_plus_l_or_longer_than_0x210_is_emsgsize)
{
	uint8_t rep[0x400], res[512];

	make_t80(rep, 16 + 199, 16 + 199, 0);
	CHECK_EQ(apv_t80_parse(rep, 16 + 199, res, 200), -EMSGSIZE);
	make_t80(rep, 0x211, 0x211, 0);
	CHECK_EQ(apv_t80_parse(rep, 0x211, res, 128), -EMSGSIZE);
	make_t80(rep, 0x400, 0x400, 0);
	CHECK_EQ(apv_t80_parse(rep, 0x400, res, 128), -EMSGSIZE);
	/* Too short to hold its own header. */
	make_t80(rep, 4, 4, 0);
	CHECK_EQ(apv_t80_parse(rep, 4, res, 0), -EMSGSIZE);
	CHECK_EQ(apv_t80_parse(rep, 1, res, 0), -EMSGSIZE);
	CHECK_EQ(apv_t80_parse(rep, 0, res, 0), -EMSGSIZE);
	CHECK_EQ(apv_t80_parse(NULL, 0x90, res, 128), -EINVAL);
	/* L beyond any block can never fit. */
	make_t80(rep, 0x210, 0x210, 0);
	CHECK_EQ(apv_t80_parse(rep, 0x210, res, 513), -EMSGSIZE);
}

TEST(t82_and_t88_return_the_reply_code)
{
	uint8_t rep[8] = {0, 0x82, 0, 0, 0x85, 0, 0, 0}, res[4];

	CHECK_EQ(apv_t80_parse(rep, 8, res, 4), 0x85);
	rep[4] = 0x22;
	CHECK_EQ(apv_t80_parse(rep, 8, res, 4), 0x22);
	rep[1] = 0x88;
	rep[4] = 0x10;
	CHECK_EQ(apv_t80_parse(rep, 8, res, 4), 0x10);
	rep[4] = 0xFF;
	CHECK_EQ(apv_t80_parse(rep, 8, res, 4), 0xFF);
	/* Fewer than the 8 bytes zcrypt copies. */
	CHECK_EQ(apv_t80_parse(rep, 7, res, 4), -EMSGSIZE);
	/* Code 0 cannot be told from success: zcrypt has no class for it. */
	rep[4] = 0;
	CHECK_EQ(apv_t80_parse(rep, 8, res, 4), -EIO);
}

TEST(unknown_reply_types_are_eio)
{
	static const uint8_t types[] = {0x00, 0x50, 0x81, 0x86, 0x87, 0xFF};
	uint8_t rep[0x90] = {0}, res[128];

	for (size_t i = 0; i < sizeof(types); i++) {
		rep[1] = types[i];
		rep[2] = 0;
		rep[3] = 0x90;
		CHECK_EQ(apv_t80_parse(rep, sizeof(rep), res, 128), -EIO);
	}
}

TEST_MAIN
