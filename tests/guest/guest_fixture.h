/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixtures for the guest tests: a host AP hardware with a few adapters and
 * domains, a guest on it (bare platform), and one RSA key per size
 * (common/rsa_ica.h) in the layout struct ica_rsa_modexpo(_crt) carries.
 */
#ifndef APV_TEST_GUEST_FIXTURE_H
#define APV_TEST_GUEST_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "apvirt/crypto.h"
#include "apvirt/guest.h"
#include "apvirt/hw.h"
#include "common/host.h"
#include "common/rsa_ica.h"
#include "testlib.h"

/* ---- RSA keys ------------------------------------------------------------------ */

/* Keys are slow to make under the sanitizers: one per size per executable. */
static inline const struct rsa_ica_key *gkey_get(int bits)
{
	static struct rsa_ica_key k1024, k2048, k4096;
	static bool have1024, have2048, have4096;
	struct rsa_ica_key *k = bits == 1024 ? &k1024 : bits == 2048 ? &k2048 : &k4096;
	bool *have = bits == 1024 ? &have1024 : bits == 2048 ? &have2048 : &have4096;

	if (!*have)
		*have = rsa_ica_key_gen(k, bits);
	return *have ? k : NULL;
}

/* ---- hardware + guest ----------------------------------------------------------- */

struct gfix {
	struct apv_clock *clock;
	struct apv_hw *hw;
	struct apv_guest *g;
	struct apv_guest_platform p; /* a copy: its storage stays valid while g lives */
};

/* Adapters `apids` (CEX8A unless *ad says otherwise) with domains `apqis`. */
static inline bool gfix_hw(struct gfix *f, bool real, const struct apv_hw_config *cfg,
			   const struct apv_adapter_config *ad, const unsigned *apids, unsigned na,
			   const unsigned *apqis, unsigned nd)
{
	memset(f, 0, sizeof(*f));
	return test_host_new(&f->clock, &f->hw, real, cfg, ad, apids, na, apqis, nd);
}

/* A guest on platform *p (kept: its storage stays valid while the guest lives), probed. */
static inline int gfix_start(const struct apv_guest_platform *p, const struct apv_guest_config *gc,
			     struct apv_guest **g)
{
	int rc = apv_guest_new(p, gc, g);

	return rc ? rc : apv_guest_probe(*g);
}

static inline int gfix_guest(struct gfix *f, const struct apv_guest_config *gc)
{
	int rc = apv_guest_platform_hw(f->hw, 0x8000, &f->p);

	return rc ? rc : gfix_start(&f->p, gc, &f->g);
}

/* The usual setup: adapters 3 and 5, domains 6 and 9, defaults everywhere. */
static inline bool gfix_default(struct gfix *f, const struct apv_hw_config *cfg,
				const struct apv_guest_config *gc)
{
	static const unsigned apids[] = {3, 5}, apqis[] = {6, 9};
	struct apv_hw_config c;

	if (!cfg) {
		apv_hw_config_default(&c);
		cfg = &c;
	}
	return gfix_hw(f, false, cfg, NULL, apids, 2, apqis, 2) && gfix_guest(f, gc) == 0;
}

static inline void gfix_free(struct gfix *f)
{
	apv_guest_free(f->g);
	apv_hw_free(f->hw);
	apv_clock_free(f->clock);
	memset(f, 0, sizeof(*f));
}

static inline uint8_t gfix_nib(struct gfix *f)
{
	struct apv_guest_info gi;
	uint8_t b = 0xEE;

	apv_guest_info(f->g, &gi);
	(void)apv_storage_read(&f->p.storage, gi.nib, &b, 1);
	return b;
}

/* ---- submitting threads --------------------------------------------------------- */

/* One thread's requests: how many failed, how many results differ from OpenSSL's. */
struct gworker {
	struct apv_guest *g;
	unsigned id; /* 1, 2: seeds the thread's messages */
	int failures, wrong;
};

/* Two threads run fn (on a struct gworker) against g; none may see a failure or a wrong result. */
static inline void gfix_two_submitters(struct apv_guest *g, void *(*fn)(void *))
{
	struct gworker w[2];
	pthread_t t[2];

	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct gworker){.g = g, .id = i + 1};
		REQUIRE(pthread_create(&t[i], NULL, fn, &w[i]) == 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].failures, 0);
		CHECK_EQ(w[i].wrong, 0);
	}
}

#endif
