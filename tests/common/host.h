/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host under a test (or benchmark): a clock, the AP hardware with
 * adapters and usage domains, and the AP bus masks that hand adapters to
 * vfio_ap. Each fixture picks its own IDs; the steps are the same.
 */
#ifndef APV_TEST_COMMON_HOST_H
#define APV_TEST_COMMON_HOST_H

#include <stdbool.h>
#include <string.h>

#include "apvirt/hw.h"
#include "apvirt/vfio_ap.h"

/*
 * A virtual (or real) clock and hardware per cfg with adapters `apids`
 * (configured as *ad, or CEX8A defaults) and usage domains `apqis`.
 * false on the first failure; what was made is in *clk and *hw to free.
 */
static inline bool test_host_new(struct apv_clock **clk, struct apv_hw **hw, bool real,
				 const struct apv_hw_config *cfg,
				 const struct apv_adapter_config *ad, const unsigned *apids,
				 unsigned na, const unsigned *apqis, unsigned nd)
{
	struct apv_adapter_config a;

	*hw = NULL;
	*clk = real ? apv_clock_new_real() : apv_clock_new_virtual();
	if (!*clk)
		return false;
	*hw = apv_hw_new(cfg, *clk);
	if (!*hw)
		return false;
	if (ad)
		a = *ad;
	else
		apv_adapter_config_default(&a);
	for (unsigned i = 0; i < na; i++) {
		if (apv_hw_add_adapter(*hw, apids[i], &a))
			return false;
	}
	for (unsigned i = 0; i < nd; i++) {
		if (apv_hw_add_domain(*hw, apqis[i]))
			return false;
	}
	return true;
}

/* Clear `apids` in the bus's apmask (every other bit set, aqmask all set): vfio_ap gets them. */
static inline int test_release_to_vfio(struct apv_matrix *m, const unsigned *apids, unsigned na)
{
	struct apv_mask ap, aq;

	memset(&ap, 0xFF, sizeof(ap));
	memset(&aq, 0xFF, sizeof(aq));
	for (unsigned i = 0; i < na; i++)
		apv_mask_clear(&ap, apids[i]);
	return apv_bus_set_masks(m, &ap, &aq, NULL, 0);
}

#endif
