/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest over KVM + vfio_ap on a real clock, two threads submitting:
 * the GISA interruption reaches the vCPU on a hardware worker thread and
 * is handed to a waiting driver thread. Results against OpenSSL; the
 * account balances to zero after detach.
 */
#include "guest_kvm_fixture.h"

enum { PER_THREAD = 16 };

static void *submitter(void *arg)
{
	struct gworker *w = arg;
	const struct rsa_ica_key *k = gkey_get(1024);
	uint8_t msg[512], out[512], ref[512];

	for (unsigned i = 0; i < PER_THREAD; i++) {
		struct apv_ica_rsa_modexpo m;

		rsa_test_msg(msg, k->L, w->id * 100 + i);
		m = rsa_ica_me(k, msg, i % 2 ? k->d : k->e, out);
		if (apv_guest_rsa_me(w->g, &m)) {
			w->failures++;
			continue;
		}
		if (!rsa_ref_modexp(msg, i % 2 ? k->d : k->e, k->n, k->L, ref) ||
		    memcmp(out, ref, k->L))
			w->wrong++;
	}
	return NULL;
}

TEST(kvm_guest_on_a_real_clock_serves_two_threads_by_gisa_interrupts)
{
	struct kfix f;
	struct apv_guest_info gi;
	struct apv_guest_stats st;

	REQUIRE(gkey_get(1024));
	kfix_init(&f, NULL, true, true);
	REQUIRE(kfix_guest(&f, NULL) == 0);
	apv_guest_info(f.g, &gi);
	CHECK(gi.irq);
	CHECK_EQ(gi.online, 4);
	gfix_two_submitters(f.g, submitter);
	apv_guest_stats(f.g, &st);
	CHECK_EQ(st.replies, 2 * PER_THREAD);
	CHECK(st.interrupts > 0);
	CHECK(apv_vcpu_interrupts(f.v) > 0);
	kfix_fini(&f);
}

TEST_MAIN
