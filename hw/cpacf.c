/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host CPU's CPACF wrapping key and the protected keys made with it.
 *
 * The architecture leaves the wrapping method to the machine: a protected
 * key only has to be the key's own length of encrypted bytes followed by a
 * 32-byte verification pattern (WKVP) that identifies the wrapping key.
 * Here the key bytes are encrypted with AES-256 in CBC mode, zero IV, and
 * the last partial block (the 24 bytes of an AES-192 key) handled by
 * ciphertext stealing, so the length never grows. The WKVP is
 * SHA-256(label || wrapping key). Two contexts keyed once (encrypt and
 * decrypt, ECB, no padding) serve every call under one leaf lock, so a
 * wrap or unwrap allocates nothing.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hw_internal.h"

#define BLK 16

static const char wkvp_label[] = "apvirt CPACF wrapping key verification pattern";

int hw_cpacf_init(struct apv_hw *hw)
{
	struct hw_cpacf *c = &hw->cpacf;

	apv_mutex_init(&c->lock, APV_LOCK_HW_CPACF);
	c->enc = EVP_CIPHER_CTX_new();
	c->dec = EVP_CIPHER_CTX_new();
	if (!c->enc || !c->dec || apv_hw_cpacf_set_wrapping_key(hw, NULL)) {
		hw_cpacf_fini(hw);
		return -1;
	}
	return 0;
}

void hw_cpacf_fini(struct apv_hw *hw)
{
	struct hw_cpacf *c = &hw->cpacf;

	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	c->enc = c->dec = NULL;
	OPENSSL_cleanse(c->wk, sizeof(c->wk));
	apv_mutex_destroy(&c->lock);
}

int apv_hw_cpacf_set_wrapping_key(struct apv_hw *hw, const uint8_t *wk)
{
	if (!hw)
		return -EINVAL;
	struct hw_cpacf *c = &hw->cpacf;
	uint8_t key[APV_CPACF_WK_LEN], vp[APV_CPACF_WKVP_LEN];
	unsigned vp_len = 0;
	EVP_MD_CTX *md;
	int ret = -EIO;

	if (wk)
		memcpy(key, wk, sizeof(key));
	else if (RAND_bytes(key, sizeof(key)) != 1)
		return -EIO;
	/* Everything that can fail happens before the key is replaced. */
	md = EVP_MD_CTX_new();
	if (!md)
		goto out;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, wkvp_label, sizeof(wkvp_label) - 1) != 1 ||
	    EVP_DigestUpdate(md, key, sizeof(key)) != 1 ||
	    EVP_DigestFinal_ex(md, vp, &vp_len) != 1 || vp_len != sizeof(vp))
		goto out_md;

	apv_mutex_lock(&c->lock);
	if (EVP_EncryptInit_ex(c->enc, EVP_aes_256_ecb(), NULL, key, NULL) == 1 &&
	    EVP_DecryptInit_ex(c->dec, EVP_aes_256_ecb(), NULL, key, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(c->enc, 0) == 1 &&
	    EVP_CIPHER_CTX_set_padding(c->dec, 0) == 1) {
		memcpy(c->wk, key, sizeof(key));
		memcpy(c->wkvp, vp, sizeof(vp));
		c->ready = true;
		ret = 0;
	} else {
		/* The contexts are half keyed: refuse every use until a set works. */
		c->ready = false;
	}
	apv_mutex_unlock(&c->lock);
out_md:
	EVP_MD_CTX_free(md);
out:
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

void apv_hw_cpacf_wkvp(struct apv_hw *hw, uint8_t wkvp[APV_CPACF_WKVP_LEN])
{
	if (!hw || !wkvp)
		return;
	apv_mutex_lock(&hw->cpacf.lock);
	memcpy(wkvp, hw->cpacf.wkvp, APV_CPACF_WKVP_LEN);
	apv_mutex_unlock(&hw->cpacf.lock);
}

/* One AES block through a keyed ECB context. */
static bool block(EVP_CIPHER_CTX *ctx, const uint8_t in[BLK], uint8_t out[BLK])
{
	int n = 0;

	return EVP_CipherUpdate(ctx, out, &n, in, BLK) == 1 && n == BLK;
}

static void xor_into(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

/*
 * CBC with ciphertext stealing: the full blocks chain as usual; a partial
 * last block of d bytes is zero-padded, chained and encrypted into a full
 * block written where the previous block was, and the previous block's
 * first d bytes go last.
 */
static bool cts_encrypt(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t chain[BLK] = {0}, x[BLK];
	size_t full = len / BLK, d = len % BLK;

	for (size_t i = 0; i < full; i++) {
		xor_into(x, in + i * BLK, chain, BLK);
		if (!block(ctx, x, chain))
			return false;
		memcpy(out + i * BLK, chain, BLK);
	}
	if (d) {
		/* chain = C[full-1], already at out + (full-1)*BLK */
		memset(x, 0, sizeof(x));
		memcpy(x, in + full * BLK, d);
		xor_into(x, x, chain, BLK);
		if (!block(ctx, x, out + (full - 1) * BLK))
			return false;
		memcpy(out + full * BLK, chain, d);
	}
	OPENSSL_cleanse(x, sizeof(x));
	return true;
}

static bool cts_decrypt(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t prev[BLK] = {0}, x[BLK], last[BLK];
	size_t full = len / BLK, d = len % BLK;
	size_t plain = d ? full - 1 : full; /* blocks decrypted in plain CBC */

	for (size_t i = 0; i < plain; i++) {
		if (!block(ctx, in + i * BLK, x))
			return false;
		xor_into(out + i * BLK, x, prev, BLK);
		memcpy(prev, in + i * BLK, BLK);
	}
	if (d) {
		/* x = (P_last || 0) ^ C[full-1]; C[full-1] = stolen d bytes || x's tail. */
		if (!block(ctx, in + plain * BLK, x))
			return false;
		memcpy(last, in + full * BLK, d);
		memcpy(last + d, x + d, BLK - d);
		xor_into(out + full * BLK, x, last, d);
		if (!block(ctx, last, x))
			return false;
		xor_into(out + plain * BLK, x, prev, BLK);
	}
	OPENSSL_cleanse(x, sizeof(x));
	OPENSSL_cleanse(last, sizeof(last));
	return true;
}

static bool len_ok(size_t len)
{
	return len >= APV_CPACF_KEY_MIN && len <= APV_CPACF_KEY_MAX;
}

int apv_hw_cpacf_wrap(struct apv_hw *hw, const uint8_t *clear, size_t len, uint8_t *protkey)
{
	if (!hw)
		return -EINVAL;
	struct hw_cpacf *c = &hw->cpacf;
	bool ok;

	if (!len_ok(len) || !clear || !protkey)
		return -EINVAL;
	apv_mutex_lock(&c->lock);
	ok = c->ready && cts_encrypt(c->enc, clear, len, protkey);
	if (ok)
		memcpy(protkey + len, c->wkvp, APV_CPACF_WKVP_LEN);
	apv_mutex_unlock(&c->lock);
	return ok ? 0 : -EIO;
}

int apv_hw_cpacf_unwrap(struct apv_hw *hw, const uint8_t *protkey, size_t len, uint8_t *clear)
{
	if (!hw)
		return -EINVAL;
	struct hw_cpacf *c = &hw->cpacf;
	uint8_t tmp[APV_CPACF_KEY_MAX];
	int ret = 0;

	if (!len_ok(len) || !clear || !protkey)
		return -EINVAL;
	apv_mutex_lock(&c->lock);
	if (!c->ready)
		ret = -EIO;
	else if (CRYPTO_memcmp(protkey + len, c->wkvp, APV_CPACF_WKVP_LEN))
		ret = -EKEYREJECTED;
	else if (!cts_decrypt(c->dec, protkey, len, tmp))
		ret = -EIO;
	apv_mutex_unlock(&c->lock);
	if (!ret)
		memcpy(clear, tmp, len);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return ret;
}
