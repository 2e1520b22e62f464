/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AQIC interruption controls (GR1 input of PQAP(AQIC)). Field positions
 * follow IBM bit numbering; a shift is 63 minus the field's last bit.
 */
#include "apvirt/arch.h"

#define AQIC_ZONE_SHIFT 48 /* bits 8-15 */
#define AQIC_GISC_SHIFT 40 /* bits 21-23 */
#define AQIC_GF_SHIFT 32   /* bits 30-31 */
#define AQIC_GISA_SHIFT 4  /* bits 33-59 */
#define AQIC_GISA_MASK UINT32_C(0x07FFFFFF)

uint64_t apv_aqic_ctrl_encode(struct apv_aqic_ctrl c)
{
	/* Every field is masked to its width so an out-of-range value cannot
	 * spill into a neighbouring (often reserved) field. */
	return ((uint64_t)c.zone << AQIC_ZONE_SHIFT) | (c.ir ? APV_AQIC_IR : 0) |
	       ((uint64_t)(c.gisc & 7) << AQIC_GISC_SHIFT) |
	       ((uint64_t)(c.gf & 3) << AQIC_GF_SHIFT) |
	       ((uint64_t)(c.gisa & AQIC_GISA_MASK) << AQIC_GISA_SHIFT) | (uint64_t)(c.isc & 7);
}

struct apv_aqic_ctrl apv_aqic_ctrl_decode(uint64_t gr1)
{
	struct apv_aqic_ctrl c = {
		.zone = (uint8_t)(gr1 >> AQIC_ZONE_SHIFT),
		.ir = (gr1 & APV_AQIC_IR) != 0,
		.gisc = (uint8_t)((gr1 >> AQIC_GISC_SHIFT) & 7),
		.gf = (uint8_t)((gr1 >> AQIC_GF_SHIFT) & 3),
		.gisa = (uint32_t)(gr1 >> AQIC_GISA_SHIFT) & AQIC_GISA_MASK,
		.isc = (uint8_t)(gr1 & 7),
	};
	return c;
}
