// SPDX-License-Identifier: GPL-2.0-or-later
//
// Every public header compiles as C++17 with -Wall -Wextra -Werror
// -pedantic, and the library links and works from C++: a few calls from
// each layer. The C test harness uses compound literals, which C++ lacks,
// so this file counts its own checks and prints the same closing line.
#include <apvirt/arch.h>
#include <apvirt/base.h>
#include <apvirt/clock.h>
#include <apvirt/crypto.h>
#include <apvirt/guest.h>
#include <apvirt/hw.h>
#include <apvirt/kvm.h>
#include <apvirt/mdevctl.h>
#include <apvirt/scenario.h>
#include <apvirt/testing.h>
#include <apvirt/version.h>
#include <apvirt/vfio_ap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

static int passed, failed;

static void check(bool ok, const char *what, int line)
{
	if (ok) {
		passed++;
		std::printf("PASS %s\n", what);
	} else {
		failed++;
		std::printf("FAIL %s (line %d)\n", what, line);
	}
}
#define CHECK(cond) check((cond), #cond, __LINE__)

static void arch_inline_helpers()
{
	apv_mask m{};
	apv_mask_set(&m, 5);
	apv_mask_set(&m, 200);
	CHECK(apv_mask_test(&m, 5) && apv_mask_test(&m, 200) && apv_mask_weight(&m) == 2);
	unsigned bit, n = 0;
	apv_mask_for_each(bit, &m) n++;
	CHECK(n == 2);
	CHECK(apv_apqn_apid(apv_apqn(5, 9)) == 5 && apv_apqn_apqi(apv_apqn(5, 9)) == 9);
	apv_result r = apv_pgm(APV_PGM_SPECIFICATION);
	CHECK(r.kind == APV_RES_PGM && r.pgm == APV_PGM_SPECIFICATION);
	CHECK(apv_apqsw_get_rc(apv_apqsw_rc(APV_RC_BUSY)) == APV_RC_BUSY);
	CHECK(std::string(apv_rc_name(APV_RC_DECONFIGURED)) == "DECONFIGURED");
}

static void version_and_account()
{
	CHECK(std::string(apv_version()) == APV_VERSION_STRING);
	apv_account *a = apv_account_new();
	CHECK(a != nullptr);
	if (!a)
		return;
	apv_account_inc(a, APV_ACCT_PINS);
	apv_balance b;
	apv_account_balance(a, &b);
	CHECK(b.pins == 1 && !apv_balance_zero(&b));
	apv_account_free(a);
}

// A host with one adapter and one domain, an mdev imported from mdevctl
// JSON, attached to a VM; checked through the vfio_ap invariants.
static void stack_from_cxx()
{
	apv_clock *clk = apv_clock_new_virtual();
	// A struct and a function share this name (as in C), so C++ needs the
	// elaborated "struct" to name the type.
	struct apv_hw_config hc;
	apv_hw_config_default(&hc);
	apv_hw *hw = apv_hw_new(&hc, clk);
	apv_adapter_config ac;
	apv_adapter_config_default(&ac);
	CHECK(apv_hw_add_adapter(hw, 5, &ac) == 0 && apv_hw_add_domain(hw, 4) == 0);
	apv_kvm *k = apv_kvm_new(hw, nullptr);
	apv_matrix *m = apv_matrix_new(k);
	apv_mask apmask{}, aqmask{};
	CHECK(apv_bus_set_masks(m, &apmask, &aqmask, nullptr, 0) == 0);

	const char json[] = R"({"mdev_type": "vfio_ap-passthrough", "start": "auto",
		"attrs": [{"assign_adapter": "5"}, {"assign_domain": "4"}]})";
	char err[256] = "";
	apv_mdevctl_device dev;
	int n = apv_mdevctl_import(m, json, std::strlen(json), "x.json",
				   "11111111-2222-3333-4444-555555555555", 0, &dev, 1, err,
				   sizeof(err));
	CHECK(n == 1 && dev.mdev != nullptr && dev.start_auto);

	apv_vm_config vc;
	apv_vm_config_default(&vc);
	vc.name = "cxx";
	apv_vm *vm = apv_vm_new(k, &vc);
	CHECK(apv_vm_set_gisc_register_failure(vm, 5) == -EINVAL);
	if (dev.mdev) {
		CHECK(apv_mdev_attach(dev.mdev, vm) == 0);
		CHECK(apv_matrix_check(m, err, sizeof(err)) == 0);
		apv_mdev_detach(dev.mdev);
	}
	apv_vm_put(vm);
	apv_matrix_free(m);
	apv_kvm_free(k);
	apv_hw_free(hw);
	apv_clock_free(clk);
}

int main()
{
	arch_inline_helpers();
	version_and_account();
	stack_from_cxx();
	std::printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
