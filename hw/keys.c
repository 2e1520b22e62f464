/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Coprocessor key registers: the administrator's side of the CCA master
 * keys and EP11 wrapping keys of each queue (card x domain).
 *
 * The registers live in the queue, under its lock; a request takes a copy
 * of them with its message (engine.c), so a change lands between two
 * requests, never inside one.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hw_internal.h"

int apv_hw_master_key(struct apv_hw *hw, apv_apqn_t apqn, enum apv_mk_op op,
		      const uint8_t key[APV_MK_LEN])
{
	struct hw_queue *q;
	int rc;

	if (!hw || (unsigned)op > APV_MK_OP_CLEAR || (op == APV_MK_OP_SET && !key))
		return -EINVAL;
	q = hw_queue_find(hw, apqn);
	if (!q)
		return -ENODEV;
	if (q->ad->cfg.mode == APV_MODE_ACCEL)
		return -EOPNOTSUPP;
	apv_mutex_lock(&q->lock);
	rc = apv_card_keys_apply(&q->keys, q->ad->cfg.mode == APV_MODE_EP11, op, key);
	apv_mutex_unlock(&q->lock);
	if (!rc) {
		static const char *const what[] = {"set the new", "committed the new", "changed the",
						   "cleared the"};
		apv_log_emit(hw->log, APV_LOG_INFO, "ap", NULL, "queue %02x.%04x: %s %s",
			     apv_apqn_apid(apqn), apv_apqn_apqi(apqn), what[op],
			     q->ad->cfg.mode == APV_MODE_EP11 ? "EP11 wrapping key" : "AES master key");
	}
	return rc;
}

int apv_hw_master_key_info(struct apv_hw *hw, apv_apqn_t apqn, struct apv_hw_mk_info *out)
{
	struct apv_card_keys k;
	struct hw_queue *q;

	if (!hw || !out)
		return -EINVAL;
	q = hw_queue_find(hw, apqn);
	if (!q)
		return -ENODEV;
	memset(out, 0, sizeof(*out));
	out->mode = q->ad->cfg.mode;
	memcpy(out->serial, q->ad->cfg.serial, sizeof(out->serial));
	apv_mutex_lock(&q->lock);
	k = q->keys;
	apv_mutex_unlock(&q->lock);
	for (int i = 0; i < 3; i++) {
		out->aes_set[i] = k.aes_set[i];
		if (k.aes_set[i])
			apv_cca_mkvp(k.aes[i], out->aes_mkvp[i]);
	}
	for (int i = 0; i < 2; i++) {
		out->wk_set[i] = k.wk_set[i];
		if (k.wk_set[i])
			apv_ep11_wkvp(k.wk[i], out->wkvp[i]);
	}
	out->wk_committed = k.wk_committed;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

/* The cards wrap protected keys with the host's CPACF wrapping key (cpacf.c). */
static int card_wrap(void *ctx, const uint8_t *clear, size_t len, uint8_t *protkey)
{
	return apv_hw_cpacf_wrap(ctx, clear, len, protkey);
}

void hw_cpacf_get(struct apv_hw *hw, struct apv_card_cpacf *out)
{
	out->wrap = card_wrap;
	out->ctx = hw;
}
