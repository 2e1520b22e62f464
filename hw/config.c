/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The machine configuration: which adapters and domains are defined, which
 * of them are configured, and the QCI view of it.
 *
 * A queue exists for every defined adapter x defined usage domain. Its
 * state (slots, message buffers) is allocated here, when the second half
 * of the pair is defined, so that no instruction ever allocates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw_internal.h"

void apv_adapter_config_default(struct apv_adapter_config *a)
{
	if (!a)
		return;
	*a = (struct apv_adapter_config){
	    .at = APV_AT_CEX8,
	    .mode = APV_MODE_ACCEL,
	    .mex4k = true,
	    .crt4k = true,
	    .nd = 85,
	    .ml = 0,
	    .qd = 7,
	};
}

static bool serial_valid(const struct apv_adapter_config *a)
{
	size_t n = strnlen(a->serial, sizeof(a->serial));
	size_t max = a->mode == APV_MODE_EP11 ? APV_EP11_SERIAL_LEN : APV_CCA_SERIAL_LEN;

	if (n == sizeof(a->serial) || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (a->serial[i] < 0x21 || a->serial[i] > 0x7E)
			return false;
	return true;
}

static bool adapter_config_valid(const struct apv_adapter_config *a)
{
	return a->at >= APV_AT_CEX4 && a->at <= APV_AT_CEX8 &&
	       (a->mode == APV_MODE_ACCEL || a->mode == APV_MODE_CCA || a->mode == APV_MODE_EP11) &&
	       a->qd <= 15 && a->ml <= 15 && serial_valid(a);
}

/* The serial a card reports: the configured one space-padded, or one from the APID. */
static void serial_complete(char *s, enum apv_ap_mode mode, unsigned apid)
{
	size_t want = mode == APV_MODE_EP11 ? APV_EP11_SERIAL_LEN : APV_CCA_SERIAL_LEN;
	size_t n = strlen(s);

	if (mode == APV_MODE_ACCEL) {
		memset(s, 0, APV_EP11_SERIAL_LEN + 1);
		return;
	}
	if (n == 0) {
		if (mode == APV_MODE_EP11)
			snprintf(s, APV_EP11_SERIAL_LEN + 1, "93APVX%010u", apid);
		else
			snprintf(s, APV_EP11_SERIAL_LEN + 1, "93APV%03u", apid);
		return;
	}
	memset(s + n, ' ', want - n);
	s[want] = '\0';
}

/*
 * Create the queues of adapter ad for every defined usage domain. On
 * failure the queues created so far stay (they are valid queues); the
 * caller unpublishes nothing because the adapter is published last.
 */
static int adapter_create_queues(struct apv_hw *hw, struct hw_adapter *ad)
{
	unsigned apqi;

	apv_mask_for_each(apqi, &hw->aqm_defined)
	{
		struct hw_queue *q = hw_queue_new(hw, ad, apqi);

		if (!q)
			return -ENOMEM;
		atomic_store(&ad->queues[apqi], q);
	}
	return 0;
}

static void adapter_destroy(struct hw_adapter *ad)
{
	for (unsigned i = 0; i < HW_MAX_ID; i++) {
		struct hw_queue *q = atomic_load(&ad->queues[i]);

		if (q)
			hw_queue_free(q);
	}
	free(ad);
}

int apv_hw_add_adapter(struct apv_hw *hw, unsigned apid, const struct apv_adapter_config *a)
{
	struct hw_adapter *ad;
	int rc;

	if (!hw || !a || !adapter_config_valid(a) || apid >= HW_MAX_ID)
		return -EINVAL;
	if (apid > hw->cfg.na)
		return -ENODEV;
	ad = calloc(1, sizeof(*ad));
	if (!ad)
		return -ENOMEM;
	ad->apid = apid;
	ad->cfg = *a;
	serial_complete(ad->cfg.serial, a->mode, apid);
	ad->configured = true;
	ad->msg_limit = apv_ap_max_msg_size(a->ml);
	for (unsigned i = 0; i < HW_MAX_ID; i++)
		atomic_init(&ad->queues[i], NULL);

	apv_mutex_lock(&hw->config_lock);
	if (atomic_load(&hw->adapters[apid])) {
		rc = -EEXIST;
		goto out_free;
	}
	rc = adapter_create_queues(hw, ad);
	if (rc)
		goto out_free;
	/* Publish last: once visible, every queue of the adapter is complete. */
	atomic_store_explicit(&hw->adapters[apid], ad, memory_order_release);
	apv_mask_set(&hw->apm_defined, apid);
	apv_mask_set(&hw->apm_configured, apid);
	apv_mutex_unlock(&hw->config_lock);
	return 0;

out_free:
	apv_mutex_unlock(&hw->config_lock);
	adapter_destroy(ad);
	return rc;
}

int apv_hw_add_domain(struct apv_hw *hw, unsigned apqi)
{
	struct hw_queue *created[HW_MAX_ID] = {0};
	unsigned apid;
	int rc = 0;

	if (!hw || apqi >= HW_MAX_ID)
		return -EINVAL;
	if (apqi > hw->cfg.nd)
		return -ENODEV;
	apv_mutex_lock(&hw->config_lock);
	if (apv_mask_test(&hw->aqm_defined, apqi)) {
		rc = -EEXIST;
		goto out;
	}
	/* Build every queue first, so a failure leaves nothing half defined. */
	apv_mask_for_each(apid, &hw->apm_defined)
	{
		struct hw_adapter *ad = atomic_load(&hw->adapters[apid]);

		created[apid] = hw_queue_new(hw, ad, apqi);
		if (!created[apid]) {
			rc = -ENOMEM;
			break;
		}
	}
	if (rc) {
		for (unsigned i = 0; i < HW_MAX_ID; i++)
			if (created[i])
				hw_queue_free(created[i]);
		goto out;
	}
	apv_mask_for_each(apid, &hw->apm_defined)
	{
		struct hw_adapter *ad = atomic_load(&hw->adapters[apid]);

		atomic_store_explicit(&ad->queues[apqi], created[apid], memory_order_release);
	}
	apv_mask_set(&hw->aqm_defined, apqi);
	apv_mask_set(&hw->aqm_configured, apqi);
out:
	apv_mutex_unlock(&hw->config_lock);
	return rc;
}

int apv_hw_add_control_domain(struct apv_hw *hw, unsigned apqi)
{
	int rc = 0;

	if (!hw || apqi >= HW_MAX_ID)
		return -EINVAL;
	if (apqi > hw->cfg.nd)
		return -ENODEV;
	apv_mutex_lock(&hw->config_lock);
	if (apv_mask_test(&hw->adm_defined, apqi)) {
		rc = -EEXIST;
	} else {
		apv_mask_set(&hw->adm_defined, apqi);
		/* A domain deconfigured as usage domain is deconfigured as control domain too. */
		if (!apv_mask_test(&hw->aqm_defined, apqi) ||
		    apv_mask_test(&hw->aqm_configured, apqi))
			apv_mask_set(&hw->adm_configured, apqi);
	}
	apv_mutex_unlock(&hw->config_lock);
	return rc;
}

/*
 * A queue leaving the configuration loses its contents and its interrupt
 * registration, as after a reset; it then answers RC03 or RC01.
 */
static void queue_set_configured(struct hw_queue *q, bool ad_on, bool dom_on)
{
	apv_mutex_lock(&q->lock);
	bool was = q->ad_configured && q->dom_configured;

	q->ad_configured = ad_on;
	q->dom_configured = dom_on;
	if (was && !(ad_on && dom_on))
		hw_queue_reset(q, false);
	apv_mutex_unlock(&q->lock);
}

int apv_hw_configure_adapter(struct apv_hw *hw, unsigned apid, bool on)
{
	struct hw_adapter *ad;

	if (!hw || apid >= HW_MAX_ID)
		return -EINVAL;
	apv_mutex_lock(&hw->config_lock);
	ad = atomic_load(&hw->adapters[apid]);
	if (!ad) {
		apv_mutex_unlock(&hw->config_lock);
		return -ENODEV;
	}
	ad->configured = on;
	if (on)
		apv_mask_set(&hw->apm_configured, apid);
	else
		apv_mask_clear(&hw->apm_configured, apid);
	for (unsigned apqi = 0; apqi < HW_MAX_ID; apqi++) {
		struct hw_queue *q = atomic_load(&ad->queues[apqi]);

		if (q)
			queue_set_configured(q, on, apv_mask_test(&hw->aqm_configured, apqi));
	}
	apv_mutex_unlock(&hw->config_lock);
	return 0;
}

int apv_hw_configure_domain(struct apv_hw *hw, unsigned apqi, bool on)
{
	unsigned apid;

	if (!hw || apqi >= HW_MAX_ID)
		return -EINVAL;
	apv_mutex_lock(&hw->config_lock);
	if (!apv_mask_test(&hw->aqm_defined, apqi) && !apv_mask_test(&hw->adm_defined, apqi)) {
		apv_mutex_unlock(&hw->config_lock);
		return -ENODEV;
	}
	if (apv_mask_test(&hw->aqm_defined, apqi)) {
		if (on)
			apv_mask_set(&hw->aqm_configured, apqi);
		else
			apv_mask_clear(&hw->aqm_configured, apqi);
	}
	if (apv_mask_test(&hw->adm_defined, apqi)) {
		if (on)
			apv_mask_set(&hw->adm_configured, apqi);
		else
			apv_mask_clear(&hw->adm_configured, apqi);
	}
	apv_mask_for_each(apid, &hw->apm_defined)
	{
		struct hw_adapter *ad = atomic_load(&hw->adapters[apid]);
		struct hw_queue *q = atomic_load(&ad->queues[apqi]);

		if (q)
			queue_set_configured(q, ad->configured, on);
	}
	apv_mutex_unlock(&hw->config_lock);
	return 0;
}

void apv_hw_qci(struct apv_hw *hw, struct apv_qci *out)
{
	if (!hw || !out)
		return;
	memset(out, 0, sizeof(*out));
	apv_mutex_lock(&hw->config_lock);
	out->flags = hw->cfg.apxa ? APV_QCI_N : 0;
	out->na = hw->cfg.na;
	out->nd = hw->cfg.nd;
	out->apm = hw->apm_configured;
	out->aqm = hw->aqm_configured;
	out->adm = hw->adm_configured;
	apv_mutex_unlock(&hw->config_lock);
}

bool apv_hw_adapter_exists(struct apv_hw *hw, unsigned apid)
{
	return hw && apid < HW_MAX_ID && atomic_load(&hw->adapters[apid]) != NULL;
}

int apv_hw_adapter_info(struct apv_hw *hw, unsigned apid, struct apv_adapter_config *out)
{
	struct hw_adapter *ad;

	if (!hw || !out || apid >= HW_MAX_ID)
		return -EINVAL;
	ad = atomic_load(&hw->adapters[apid]);
	if (!ad)
		return -ENODEV;
	/* The adapter's parameters never change after definition. */
	*out = ad->cfg;
	return 0;
}
