/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 128-byte QCI configuration block (struct ap_config_info in Linux).
 * Encoded byte by byte so the layout is big-endian on any host.
 */
#include <string.h>

#include "apvirt/arch.h"

enum {
	QCI_OFF_FLAGS = 0,
	QCI_OFF_NA = 4,
	QCI_OFF_ND = 5,
	QCI_OFF_APM = 16,
	QCI_OFF_AQM = 48,
	QCI_OFF_ADM = 80,
};

void apv_qci_encode(const struct apv_qci *q, uint8_t out[APV_QCI_SIZE])
{
	if (!q || !out)
		return;
	/* Reserved bytes must read as zero to the guest. */
	memset(out, 0, APV_QCI_SIZE);
	out[QCI_OFF_FLAGS + 0] = (uint8_t)(q->flags >> 24);
	out[QCI_OFF_FLAGS + 1] = (uint8_t)(q->flags >> 16);
	out[QCI_OFF_FLAGS + 2] = (uint8_t)(q->flags >> 8);
	out[QCI_OFF_FLAGS + 3] = (uint8_t)q->flags;
	out[QCI_OFF_NA] = q->na;
	out[QCI_OFF_ND] = q->nd;
	memcpy(out + QCI_OFF_APM, q->apm.b, sizeof(q->apm.b));
	memcpy(out + QCI_OFF_AQM, q->aqm.b, sizeof(q->aqm.b));
	memcpy(out + QCI_OFF_ADM, q->adm.b, sizeof(q->adm.b));
}

void apv_qci_decode(const uint8_t in[APV_QCI_SIZE], struct apv_qci *q)
{
	if (!in || !q)
		return;
	memset(q, 0, sizeof(*q));
	q->flags = ((uint32_t)in[QCI_OFF_FLAGS] << 24) | ((uint32_t)in[QCI_OFF_FLAGS + 1] << 16) |
		   ((uint32_t)in[QCI_OFF_FLAGS + 2] << 8) | in[QCI_OFF_FLAGS + 3];
	q->na = in[QCI_OFF_NA];
	q->nd = in[QCI_OFF_ND];
	memcpy(q->apm.b, in + QCI_OFF_APM, sizeof(q->apm.b));
	memcpy(q->aqm.b, in + QCI_OFF_AQM, sizeof(q->aqm.b));
	memcpy(q->adm.b, in + QCI_OFF_ADM, sizeof(q->adm.b));
}
