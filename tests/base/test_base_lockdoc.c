/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docs/locking.md and the code cannot drift apart: the table under
 * "## Every lock" has exactly one row per lock class of enum
 * apv_lock_class, with the name, rank and leaf flag the checker uses, and
 * no row for a class the code does not have. The document's path comes
 * from the build, or from APV_LOCKING_MD in the environment.
 */
#include <stdbool.h>

#include "apvirt/base.h"
#include "testlib.h"

#ifndef APV_LOCKING_MD
#error "APV_LOCKING_MD must name docs/locking.md"
#endif

#define MAX_ROWS 64

struct row {
	char name[64];
	long rank;
	bool leaf;
	int line;
};

/* The i-th cell (0-based) of a table line "| a | b | ... |", trimmed, into out. */
static bool cell(const char *line, int i, char *out, size_t len)
{
	const char *p = line;

	for (int k = 0; k <= i; k++) {
		p = strchr(p, '|');
		if (!p)
			return false;
		p++;
	}
	const char *end = strchr(p, '|');

	if (!end)
		return false;
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if ((size_t)(end - p) >= len)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return true;
}

/*
 * Rows of the table in the "## Every lock" section: those whose first cell
 * is a `name`. Returns the row count, or -1 if the document or the section
 * is missing or a row is malformed (reported).
 */
static int read_table(const char *path, struct row *rows, int max)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	bool in_section = false;
	int n = 0, lineno = 0;

	if (!f) {
		APV_TEST_FAIL("cannot open %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char c0[80], c1[32], c2[32], *endp;
		size_t l0;

		lineno++;
		if (!strncmp(line, "## ", 3)) {
			in_section = !strncmp(line, "## Every lock", 13);
			continue;
		}
		if (!in_section || line[0] != '|' || !cell(line, 0, c0, sizeof(c0)))
			continue;
		l0 = strlen(c0);
		if (l0 < 3 || c0[0] != '`' || c0[l0 - 1] != '`')
			continue; /* the header and the separator */
		if (n == max || l0 - 2 >= sizeof(rows[n].name) || !cell(line, 1, c1, sizeof(c1)) ||
		    !cell(line, 2, c2, sizeof(c2))) {
			APV_TEST_FAIL("%s:%d: malformed lock row", path, lineno);
			fclose(f);
			return -1;
		}
		memcpy(rows[n].name, c0 + 1, l0 - 2);
		rows[n].name[l0 - 2] = 0;
		rows[n].rank = strtol(c1, &endp, 10);
		if (endp == c1 || *endp || (strcmp(c2, "yes") && strcmp(c2, "no"))) {
			APV_TEST_FAIL("%s:%d: rank '%s' or leaf '%s' unreadable", path, lineno, c1,
				      c2);
			fclose(f);
			return -1;
		}
		rows[n].leaf = !strcmp(c2, "yes");
		rows[n].line = lineno;
		n++;
	}
	fclose(f);
	if (!n)
		APV_TEST_FAIL("%s: no lock rows under '## Every lock'", path);
	return n ? n : -1;
}

static const char *doc_path_get(void)
{
	/* APV_LOCKING_MD in the environment checks another copy (how a drift is tried out). */
	const char *e = getenv("APV_LOCKING_MD");

	return e && *e ? e : APV_LOCKING_MD;
}

TEST(locking_md_lists_every_class_with_its_rank_and_leaf_flag)
{
	const char *doc_path = doc_path_get();
	struct row rows[MAX_ROWS];
	int n = read_table(doc_path, rows, MAX_ROWS);

	REQUIRE(n > 0);
	for (int c = 0; c < APV_LOCK_CLASSES; c++) {
		const char *name = apv_lock_class_name((enum apv_lock_class)c);
		int found = 0;

		REQUIRE(name != NULL);
		for (int i = 0; i < n; i++) {
			if (strcmp(rows[i].name, name))
				continue;
			found++;
			if (rows[i].rank != c)
				APV_TEST_FAIL("%s:%d: %s has rank %ld in the table, %d in the code",
					      doc_path, rows[i].line, name, rows[i].rank, c);
			if (rows[i].leaf != apv_lock_class_leaf((enum apv_lock_class)c))
				APV_TEST_FAIL(
				    "%s:%d: %s is %sa leaf in the table but %sin the code",
				    doc_path, rows[i].line, name, rows[i].leaf ? "" : "not ",
				    rows[i].leaf ? "not " : "");
		}
		if (found != 1)
			APV_TEST_FAIL("%s: lock class %s (rank %d) has %d rows in the table, not 1",
				      doc_path, name, c, found);
	}
}

TEST(locking_md_has_no_row_for_a_class_the_code_lacks)
{
	const char *doc_path = doc_path_get();
	struct row rows[MAX_ROWS];
	int n = read_table(doc_path, rows, MAX_ROWS);

	REQUIRE(n > 0);
	for (int i = 0; i < n; i++) {
		bool known = false;

		for (int c = 0; c < APV_LOCK_CLASSES && !known; c++)
			known = !strcmp(rows[i].name, apv_lock_class_name((enum apv_lock_class)c));
		if (!known)
			APV_TEST_FAIL("%s:%d: '%s' is no lock class of the code", doc_path,
				      rows[i].line, rows[i].name);
	}
	CHECK_EQ(n, APV_LOCK_CLASSES);
}

TEST_MAIN
