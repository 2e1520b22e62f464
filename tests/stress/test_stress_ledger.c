/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conservation stress test's checker (ledger.h) on planted records:
 * a clean run balances; a double answer, a lost request, a wrong result,
 * a failure no injected condition explains, a failure explained only by
 * a condition on another mdev, and an mdev on which nothing succeeded
 * each make it fail.
 */
#include "ledger.h"
#include "testlib.h"

#define MS (1000u * 1000u)

/* Two mdevs, three requests each, all answered right; a fault on mdev 1 explains one failure. */
static void clean(struct ledger *l)
{
	size_t c;

	ledger_init(l, 2);
	for (unsigned m = 0; m < 2; m++)
		for (unsigned i = 0; i < 3; i++) {
			size_t id = ledger_submit(l, m, (m * 3 + i) * MS);

			ledger_answer(l, id, 0, true, (m * 3 + i + 1) * MS);
		}
	c = ledger_cond_begin(l, 1, "busy", 100 * MS);
	ledger_cond_end(l, c, 101 * MS);
	ledger_answer(l, ledger_submit(l, 1, 99 * MS), -EIO, false, 102 * MS);
}

TEST(clean_ledger_balances)
{
	struct ledger l;
	uint64_t ok[LEDGER_MDEVS];

	clean(&l);
	CHECK_EQ(ledger_check(&l, 10, ok), 0);
	CHECK_U64(ok[0], 3);
	CHECK_U64(ok[1], 3);
	ledger_fini(&l);
}

TEST(double_answer_fails)
{
	struct ledger l;

	clean(&l);
	ledger_answer(&l, 2, 0, true, 50 * MS);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(lost_request_fails)
{
	struct ledger l;

	clean(&l);
	(void)ledger_submit(&l, 0, 60 * MS);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(wrong_result_fails)
{
	struct ledger l;

	clean(&l);
	ledger_answer(&l, ledger_submit(&l, 1, 60 * MS), 0, false, 61 * MS);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(unexplained_failure_fails)
{
	struct ledger l;

	clean(&l);
	/* Long after the fault on mdev 1 and its grace period. */
	ledger_answer(&l, ledger_submit(&l, 1, 2000 * MS), -ENODEV, false, 2001 * MS);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(failure_explained_only_by_another_mdev_fails)
{
	struct ledger l;

	clean(&l);
	ledger_answer(&l, ledger_submit(&l, 0, 100 * MS), -EIO, false, 100 * MS + 5);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(failure_with_an_error_no_condition_causes_fails)
{
	struct ledger l;

	clean(&l);
	ledger_answer(&l, ledger_submit(&l, 1, 100 * MS), -EINVAL, false, 100 * MS + 5);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST(condition_still_open_explains_and_grace_period_counts)
{
	struct ledger l;

	clean(&l);
	/* Within the grace period after the fault on mdev 1 ended: explained. */
	ledger_answer(&l, ledger_submit(&l, 1, 101 * MS + LEDGER_GRACE_NS - 1), -EIO, false,
		      101 * MS + LEDGER_GRACE_NS);
	(void)ledger_cond_begin(&l, 0, "removed", 500 * MS);
	ledger_answer(&l, ledger_submit(&l, 0, 900 * MS), -ENODEV, false, 901 * MS);
	CHECK_EQ(ledger_check(&l, 10, NULL), 0);
	ledger_fini(&l);
}

TEST(mdev_without_a_success_fails)
{
	struct ledger l;

	ledger_init(&l, 2);
	ledger_answer(&l, ledger_submit(&l, 0, 0), 0, true, 1);
	CHECK_EQ(ledger_check(&l, 10, NULL), 1);
	ledger_fini(&l);
}

TEST_MAIN
