/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdevctl JSON import under fuzzing, against a host with a few adapters
 * and domains given to vfio_ap. The first input byte picks the flags
 * (auto-only, dry run) and whether a file-name UUID is supplied; the rest
 * is the JSON. The import either creates devices or fails with
 * "FILE:LINE:COL: ..."; afterwards the matrix checker must pass, and
 * everything created is removed again so that every input starts from
 * the same host. The export of what was created must not crash either.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apvirt/mdevctl.h"
#include "fuzz_input.h"

#define MAX_JSON 16384

static struct apv_clock *clk;
static struct apv_hw *hw;
static struct apv_kvm *kvm;
static struct apv_matrix *m;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct apv_hw_config hc;
	struct apv_adapter_config ac;
	struct apv_kvm_config kc;
	struct apv_mask apm, aqm;
	static const unsigned ads[] = {0x01, 0x05, 0x0a, 0x80};

	(void)argc;
	(void)argv;
	clk = apv_clock_new_virtual();
	apv_hw_config_default(&hc);
	hc.reset_ns = 10 * APV_NSEC_PER_USEC;
	hw = apv_hw_new(&hc, clk);
	apv_adapter_config_default(&ac);
	for (unsigned i = 0; hw && i < 4; i++)
		(void)apv_hw_add_adapter(hw, ads[i], &ac);
	for (unsigned d = 4; hw && d < 8; d++)
		(void)apv_hw_add_domain(hw, d);
	if (hw)
		(void)apv_hw_add_control_domain(hw, 0x0b);
	apv_kvm_config_default(&kc);
	kvm = hw ? apv_kvm_new(hw, &kc) : NULL;
	m = kvm ? apv_matrix_new(kvm) : NULL;
	if (!m)
		FZ_FAIL("host setup");
	/* Adapters 01, 05 and 80 for vfio_ap; 0a stays with the host drivers. */
	memset(&apm, 0xFF, sizeof(apm));
	memset(&aqm, 0xFF, sizeof(aqm));
	apv_mask_clear(&apm, 0x01);
	apv_mask_clear(&apm, 0x05);
	apv_mask_clear(&apm, 0x80);
	if (apv_bus_set_masks(m, &apm, &aqm, NULL, 0))
		FZ_FAIL("bus masks");
	devnull = fopen("/dev/null", "w");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {NULL, "9a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3",
					    "not-a-uuid", ""};
	struct apv_mdevctl_device devs[8];
	char err[1024];
	unsigned flags;
	const char *uuid;
	int n;

	if (!size || size > MAX_JSON)
		return 0;
	flags = data[0] & 3;
	uuid = uuids[(data[0] >> 2) & 3];
	err[0] = '\0';
	n = apv_mdevctl_import(m, (const char *)data + 1, size - 1, "fuzz.json", uuid, flags, devs,
			       8, err, sizeof(err));
	if (n < 0) {
		if (strncmp(err, "fuzz.json:", 10))
			FZ_FAIL("import error %d without a position: '%s'", n, err);
	} else if ((flags & APV_MDEVCTL_DRY_RUN) && apv_mdev_next(m, NULL)) {
		FZ_FAIL("a dry run created an mdev");
	}
	if (apv_matrix_check(m, err, sizeof(err)))
		FZ_FAIL("apv_matrix_check after import: %s", err);
	if (devnull)
		apv_mdevctl_export(devnull, m);
	while (apv_mdev_next(m, NULL))
		if (apv_mdev_remove(apv_mdev_next(m, NULL)))
			FZ_FAIL("removing an imported mdev failed");
	return 0;
}
