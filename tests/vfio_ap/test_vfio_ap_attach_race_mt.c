/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One mdev per VM under racing attaches: two threads attach two different
 * mdevs to the same VM at the same moment, many times over. Every round
 * exactly one attach succeeds and the other gets -EPERM; the winner's hook
 * is the VM's hook and its shadow APCB the guest's masks; the loser keeps
 * no claim, no VM reference and no hook publication. Both mdevs come from
 * one matrix device (decided by the claim under the matrix locks) or from
 * two matrix devices on the same KVM (decided by the KVM layer under the
 * hook's write lock, since the two share no other lock). Run under TSan too.
 */
#include <pthread.h>

#include "vfio_ap_priv.h"
#include "vfio_fixture.h"

#define ROUNDS 300

struct race {
	pthread_barrier_t start, done;
	struct apv_vm *vm;
	struct apv_mdev *mdev[2];
	int rc[2];
	unsigned rounds;
};

struct racer {
	struct race *race;
	unsigned idx;
};

static void *racer_main(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->race;

	for (unsigned i = 0; i < r->rounds; i++) {
		pthread_barrier_wait(&r->start);
		r->rc[me->idx] = apv_mdev_attach(r->mdev[me->idx], r->vm);
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

struct expect {
	struct apv_mask apm, aqm, adm;
};

static bool masks_are(struct apv_vm *vm, const struct expect *e)
{
	struct apv_mask apm, aqm, adm;

	apv_vm_get_masks(vm, &apm, &aqm, &adm);
	return apv_mask_equal(&apm, &e->apm) && apv_mask_equal(&aqm, &e->aqm) &&
	       apv_mask_equal(&adm, &e->adm);
}

struct tally {
	long wins[2];
	long not_one_winner; /* both won, or neither */
	long wrong_errno;    /* the loser got something other than -EPERM */
	long wrong_owner;    /* hook, mdev->vm or claims not the winner's alone */
	long wrong_masks;    /* the guest's APCB is not the winner's shadow */
	long unbalanced;     /* publications, VM references, pins or ISCs off */
	long check_failed;   /* an invariant checker disagreed */
	long left_behind;    /* detach of the winner did not restore the start */
};

/*
 * Race two attaches ROUNDS times; after each round check the outcome, then
 * detach the winner and check that nothing of either attach is left.
 * `matrices` are the matrix devices whose invariant checker applies (the
 * checker assumes it is the only vfio_ap on its KVM, so only one is given
 * when the mdevs come from two).
 */
static void race_attaches(struct fx *f, struct apv_mdev *m0, struct apv_mdev *m1,
			  const struct expect exp[2], struct apv_matrix *checked, struct tally *t)
{
	struct race r = {.vm = f->vm, .mdev = {m0, m1}, .rounds = ROUNDS};
	struct racer rs[2] = {{&r, 0}, {&r, 1}};
	struct apv_account *a = apv_kvm_account(f->kvm);
	struct apv_balance base, b;
	struct expect none;
	pthread_t th[2];

	memset(&none, 0, sizeof(none));
	fx_balance(f, &base);
	REQUIRE(base.hooks == 0);
	REQUIRE(pthread_barrier_init(&r.start, NULL, 3) == 0);
	REQUIRE(pthread_barrier_init(&r.done, NULL, 3) == 0);
	for (unsigned i = 0; i < 2; i++)
		REQUIRE(pthread_create(&th[i], NULL, racer_main, &rs[i]) == 0);

	for (unsigned round = 0; round < ROUNDS; round++) {
		long sets = apv_account_get(a, APV_ACCT_HOOK_SETS);
		long clears = apv_account_get(a, APV_ACCT_HOOK_CLEARS);
		int w, l;

		pthread_barrier_wait(&r.start);
		pthread_barrier_wait(&r.done);
		if ((r.rc[0] == 0) == (r.rc[1] == 0)) {
			t->not_one_winner++;
			/* Put the VM back to no owner before the next round. */
			apv_mdev_detach(m0);
			apv_mdev_detach(m1);
			continue;
		}
		w = r.rc[0] == 0 ? 0 : 1;
		l = 1 - w;
		t->wins[w]++;
		if (r.rc[l] != -EPERM)
			t->wrong_errno++;
		if (apv_vm_pqap_hook(f->vm) != &r.mdev[w]->hook ||
		    apv_mdev_vm(r.mdev[w]) != f->vm || apv_mdev_vm(r.mdev[l]) != NULL ||
		    r.mdev[l]->claim != NULL)
			t->wrong_owner++;
		if (!masks_are(f->vm, &exp[w]))
			t->wrong_masks++;
		fx_balance(f, &b);
		if (b.hooks != 1 || b.vm_refs != base.vm_refs + 1 || b.pins != 0 ||
		    b.isc_regs != 0 || apv_account_get(a, APV_ACCT_HOOK_SETS) != sets + 1 ||
		    apv_account_get(a, APV_ACCT_HOOK_CLEARS) != clears)
			t->unbalanced++;
		if (apv_kvm_check(f->kvm, NULL, 0) ||
		    (checked && apv_matrix_check(checked, NULL, 0)))
			t->check_failed++;

		apv_mdev_detach(r.mdev[w]);
		fx_balance(f, &b);
		if (apv_vm_pqap_hook(f->vm) || !masks_are(f->vm, &none) || b.hooks != 0 ||
		    b.vm_refs != base.vm_refs || apv_mdev_vm(r.mdev[w]) || r.mdev[w]->claim)
			t->left_behind++;
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.done);
}

static void check_tally(const struct tally *t)
{
	CHECK_EQ(t->not_one_winner, 0);
	CHECK_EQ(t->wins[0] + t->wins[1], ROUNDS);
	CHECK_EQ(t->wrong_errno, 0);
	CHECK_EQ(t->wrong_owner, 0);
	CHECK_EQ(t->wrong_masks, 0);
	CHECK_EQ(t->unbalanced, 0);
	CHECK_EQ(t->check_failed, 0);
	CHECK_EQ(t->left_behind, 0);
	printf("  wins %ld / %ld\n", t->wins[0], t->wins[1]);
}

/* mdev 1 (the fixture's): adapters 01, 05, domains 4, 6, control domain 0b. */
static void expect_fixture(struct expect *e)
{
	e->apm = fx_mask(FX_A1, FX_A2, FX_NONE);
	e->aqm = fx_mask(FX_D1, FX_D2, FX_NONE);
	e->adm = fx_mask(FX_CD, FX_NONE, FX_NONE);
}

/* mdev 2: adapter 0a, domain 6, no control domain; shares no queue with mdev 1. */
static void assign_second(struct apv_mdev *d, struct expect *e)
{
	REQUIRE(apv_mdev_assign_adapter(d, FX_A3) == 0);
	REQUIRE(apv_mdev_assign_domain(d, FX_D2) == 0);
	e->apm = fx_mask(FX_A3, FX_NONE, FX_NONE);
	e->aqm = fx_mask(FX_D2, FX_NONE, FX_NONE);
	e->adm = fx_mask(FX_NONE, FX_NONE, FX_NONE);
}

TEST(attach_race_two_mdevs_of_one_matrix_exactly_one_wins)
{
	struct fx f;
	struct apv_mdev *d2;
	struct expect exp[2];
	struct tally t = {0};

	fx_init(&f);
	fx_assign(&f, f.mdev);
	expect_fixture(&exp[0]);
	REQUIRE(apv_mdev_create(f.m, FX_UUID2, &d2) == 0);
	assign_second(d2, &exp[1]);
	race_attaches(&f, f.mdev, d2, exp, f.m, &t);
	check_tally(&t);
	fx_fini(&f);
}

/*
 * Two matrix devices on one KVM would share no lock and could hand one
 * queue to two VMs: the second is refused (docs/api.md), so there is no
 * race to run; the first keeps working.
 */
TEST(a_second_matrix_on_one_kvm_is_refused)
{
	struct fx f;

	fx_init(&f);
	CHECK(apv_matrix_new(f.kvm) == NULL);
	fx_assign(&f, f.mdev);
	CHECK_EQ(apv_matrix_check(f.m, NULL, 0), 0);
	CHECK_EQ(apv_kvm_free(f.kvm), -EBUSY);
	fx_fini(&f);
}

TEST_MAIN
