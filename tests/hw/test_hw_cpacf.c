/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CPACF wrapping key: protected keys made and opened with it, their
 * format checked against an independent computation with OpenSSL (AES-256
 * CBC, ciphertext stealing for a partial last block, SHA-256 WKVP), the
 * refusal of a key made under another wrapping key, lengths out of range,
 * and a random key per host unless one is set.
 */
#include "testlib.h"

#include <errno.h>
#include <pthread.h>

#include <openssl/evp.h>

#include <apvirt/hw.h>

static const char label[] = "apvirt CPACF wrapping key verification pattern";

struct host {
	struct apv_clock *clk;
	struct apv_hw *hw;
};

static void host_new(struct host *h)
{
	h->clk = apv_clock_new_virtual();
	h->hw = h->clk ? apv_hw_new(NULL, h->clk) : NULL;
	REQUIRE(h->hw);
}

static void host_free(struct host *h)
{
	apv_hw_free(h->hw);
	apv_clock_free(h->clk);
}

static void pattern(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

/* AES-256-CBC, zero IV, of n bytes (a multiple of 16), by OpenSSL. */
static void cbc(const uint8_t *key, const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint8_t iv[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;

	REQUIRE(c);
	REQUIRE(EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	REQUIRE(EVP_EncryptUpdate(c, out, &l1, in, (int)n) == 1);
	REQUIRE(EVP_EncryptFinal_ex(c, out + l1, &l2) == 1);
	CHECK_EQ(l1 + l2, n);
	EVP_CIPHER_CTX_free(c);
}

static void expected_wkvp(const uint8_t *wk, uint8_t *vp)
{
	uint8_t buf[sizeof(label) - 1 + APV_CPACF_WK_LEN];
	unsigned n = 0;

	memcpy(buf, label, sizeof(label) - 1);
	memcpy(buf + sizeof(label) - 1, wk, APV_CPACF_WK_LEN);
	REQUIRE(EVP_Digest(buf, sizeof(buf), vp, &n, EVP_sha256(), NULL) == 1);
	CHECK_EQ(n, APV_CPACF_WKVP_LEN);
}

/*
 * The expected protected key: CBC over the zero-padded key; with a partial
 * last block of d bytes the last full cipher block comes first and the one
 * before it is cut to d bytes.
 */
static void expected_protkey(const uint8_t *wk, const uint8_t *clear, size_t len, uint8_t *out)
{
	uint8_t padded[APV_CPACF_KEY_MAX + 16] = {0}, c[APV_CPACF_KEY_MAX + 16];
	size_t full = len / 16, d = len % 16;

	memcpy(padded, clear, len);
	cbc(wk, padded, (len + 15) / 16 * 16, c);
	if (!d) {
		memcpy(out, c, len);
	} else {
		memcpy(out, c, (full - 1) * 16);
		memcpy(out + (full - 1) * 16, c + full * 16, 16);
		memcpy(out + full * 16, c + (full - 1) * 16, d);
	}
	expected_wkvp(wk, out + len);
}

static const size_t lengths[] = {16, 24, 32, 48, 64, 80, 128, 17, 31, 33, 127};

TEST(protected_keys_match_an_independent_computation_and_unwrap)
{
	struct host h;
	uint8_t wk[APV_CPACF_WK_LEN], vp[APV_CPACF_WKVP_LEN], want_vp[APV_CPACF_WKVP_LEN];

	host_new(&h);
	pattern(wk, sizeof(wk), 0x40);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(h.hw, wk) == 0);
	apv_hw_cpacf_wkvp(h.hw, vp);
	expected_wkvp(wk, want_vp);
	CHECK(!memcmp(vp, want_vp, sizeof(vp)));

	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];
		uint8_t clear[APV_CPACF_KEY_MAX], back[APV_CPACF_KEY_MAX];
		uint8_t pk[APV_CPACF_KEY_MAX + APV_CPACF_WKVP_LEN];
		uint8_t want[APV_CPACF_KEY_MAX + APV_CPACF_WKVP_LEN];

		pattern(clear, len, (uint8_t)len);
		CHECK_EQ(apv_hw_cpacf_wrap(h.hw, clear, len, pk), 0);
		expected_protkey(wk, clear, len, want);
		if (memcmp(pk, want, len + APV_CPACF_WKVP_LEN))
			APV_TEST_FAIL("protected key of %zu bytes differs from the reference", len);
		CHECK(memcmp(pk, clear, len));
		CHECK(!memcmp(pk + len, vp, APV_CPACF_WKVP_LEN));
		memset(back, 0, sizeof(back));
		CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, pk, len, back), 0);
		if (memcmp(back, clear, len))
			APV_TEST_FAIL("unwrapped key of %zu bytes differs from the clear key", len);
	}
	host_free(&h);
}

/* One known answer written out, so a change of method cannot pass unseen. */
TEST(aes128_known_answer)
{
	struct host h;
	uint8_t wk[APV_CPACF_WK_LEN] = {0}, clear[16] = {0}, pk[48];
	/* AES-256 of the zero block under the zero key (FIPS-197 style vector). */
	static const uint8_t want[16] = {0xdc, 0x95, 0xc0, 0x78, 0xa2, 0x40, 0x89, 0x89,
					 0xad, 0x48, 0xa2, 0x14, 0x92, 0x84, 0x20, 0x87};

	host_new(&h);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(h.hw, wk) == 0);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, clear, sizeof(clear), pk), 0);
	CHECK(!memcmp(pk, want, sizeof(want)));
	host_free(&h);
}

TEST(a_key_from_another_wrapping_key_is_rejected_and_output_untouched)
{
	struct host h;
	uint8_t wk1[APV_CPACF_WK_LEN], wk2[APV_CPACF_WK_LEN];
	uint8_t clear[32], pk[64], out[32];

	host_new(&h);
	pattern(wk1, sizeof(wk1), 1);
	pattern(wk2, sizeof(wk2), 2);
	pattern(clear, sizeof(clear), 3);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(h.hw, wk1) == 0);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, clear, 32, pk), 0);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(h.hw, wk2) == 0);
	memset(out, 0xa5, sizeof(out));
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, pk, 32, out), -EKEYREJECTED);
	for (size_t i = 0; i < sizeof(out); i++)
		CHECK_EQ(out[i], 0xa5);
	/* Back to the first key: the same protected key works again. */
	REQUIRE(apv_hw_cpacf_set_wrapping_key(h.hw, wk1) == 0);
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, pk, 32, out), 0);
	CHECK(!memcmp(out, clear, 32));
	/* One flipped WKVP bit, or the key read with the wrong length. */
	pk[32 + 31] ^= 0x01;
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, pk, 32, out), -EKEYREJECTED);
	pk[32 + 31] ^= 0x01;
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, pk, 24, out), -EKEYREJECTED);
	host_free(&h);
}

TEST(lengths_out_of_range_are_einval)
{
	struct host h;
	uint8_t buf[APV_CPACF_KEY_MAX + 1 + APV_CPACF_WKVP_LEN] = {0}, out[APV_CPACF_KEY_MAX + 1];

	host_new(&h);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, buf, 0, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, buf, APV_CPACF_KEY_MIN - 1, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, buf, APV_CPACF_KEY_MAX + 1, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, buf, APV_CPACF_KEY_MIN - 1, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, buf, APV_CPACF_KEY_MAX + 1, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_wrap(h.hw, NULL, 16, out), -EINVAL);
	CHECK_EQ(apv_hw_cpacf_unwrap(h.hw, buf, 16, NULL), -EINVAL);
	host_free(&h);
}

TEST(each_host_draws_its_own_key_unless_one_is_set)
{
	struct host a, b;
	uint8_t va[APV_CPACF_WKVP_LEN], vb[APV_CPACF_WKVP_LEN], v2[APV_CPACF_WKVP_LEN];
	uint8_t wk[APV_CPACF_WK_LEN], clear[16], pa[48], pb[48];

	host_new(&a);
	host_new(&b);
	apv_hw_cpacf_wkvp(a.hw, va);
	apv_hw_cpacf_wkvp(b.hw, vb);
	CHECK(memcmp(va, vb, sizeof(va)));
	/* A new random key replaces the old one. */
	REQUIRE(apv_hw_cpacf_set_wrapping_key(a.hw, NULL) == 0);
	apv_hw_cpacf_wkvp(a.hw, v2);
	CHECK(memcmp(va, v2, sizeof(va)));
	/* The same key set on both: the same protected keys, usable on either. */
	pattern(wk, sizeof(wk), 9);
	pattern(clear, sizeof(clear), 10);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(a.hw, wk) == 0);
	REQUIRE(apv_hw_cpacf_set_wrapping_key(b.hw, wk) == 0);
	CHECK_EQ(apv_hw_cpacf_wrap(a.hw, clear, 16, pa), 0);
	CHECK_EQ(apv_hw_cpacf_wrap(b.hw, clear, 16, pb), 0);
	CHECK(!memcmp(pa, pb, sizeof(pa)));
	host_free(&a);
	host_free(&b);
}

TEST_MAIN
