/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAPQ queue information (GR2 when the T bit is set): facility bits in
 * bits 0-31, the "apinfo" word in bits 32-63.
 */
#include "apvirt/arch.h"

#define HW_CLASS_SHIFT 48 /* bits 8-15 */
#define HW_BS_SHIFT 46    /* bits 16-17 */
#define HW_AT_SHIFT 24    /* bits 32-39 */
#define HW_ND_SHIFT 16    /* bits 40-47 */
#define HW_ML_SHIFT 8     /* bits 52-55 */

uint64_t apv_tapq_hwinfo_encode(struct apv_tapq_hwinfo h)
{
	uint64_t v = 0;

	v |= h.apsc ? APV_HW_APSC : 0;
	v |= h.mex4k ? APV_HW_MEX4K : 0;
	v |= h.crt4k ? APV_HW_CRT4K : 0;
	v |= h.cca ? APV_HW_CCA : 0;
	v |= h.accel ? APV_HW_ACCEL : 0;
	v |= h.ep11 ? APV_HW_EP11 : 0;
	v |= h.apxa ? APV_HW_APXA : 0;
	v |= h.slcf ? APV_HW_SLCF : 0;
	v |= (uint64_t)h.class_ << HW_CLASS_SHIFT;
	v |= (uint64_t)(h.bs & 3) << HW_BS_SHIFT;
	v |= (uint64_t)h.at << HW_AT_SHIFT;
	v |= (uint64_t)h.nd << HW_ND_SHIFT;
	v |= (uint64_t)(h.ml & 0xF) << HW_ML_SHIFT;
	v |= (uint64_t)(h.qd & 0xF);
	return v;
}

struct apv_tapq_hwinfo apv_tapq_hwinfo_decode(uint64_t gr2)
{
	struct apv_tapq_hwinfo h = {
		.apsc = (gr2 & APV_HW_APSC) != 0,
		.mex4k = (gr2 & APV_HW_MEX4K) != 0,
		.crt4k = (gr2 & APV_HW_CRT4K) != 0,
		.cca = (gr2 & APV_HW_CCA) != 0,
		.accel = (gr2 & APV_HW_ACCEL) != 0,
		.ep11 = (gr2 & APV_HW_EP11) != 0,
		.apxa = (gr2 & APV_HW_APXA) != 0,
		.slcf = (gr2 & APV_HW_SLCF) != 0,
		.class_ = (uint8_t)(gr2 >> HW_CLASS_SHIFT),
		.bs = (uint8_t)((gr2 >> HW_BS_SHIFT) & 3),
		.at = (uint8_t)(gr2 >> HW_AT_SHIFT),
		.nd = (uint8_t)(gr2 >> HW_ND_SHIFT),
		.ml = (uint8_t)((gr2 >> HW_ML_SHIFT) & 0xF),
		.qd = (uint8_t)(gr2 & 0xF),
	};
	return h;
}
