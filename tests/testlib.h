/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small test harness: TEST(name) defines a case, CHECK* macros record a
 * failure with file, line and both values and let the case go on, REQUIRE*
 * end the case. main() (from TEST_MAIN) runs every case, or the ones whose
 * names contain argv[1], and ends with "N passed, N failed".
 */
#ifndef APV_TESTLIB_H
#define APV_TESTLIB_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct apv_test_case {
	const char *name;
	void (*fn)(void);
};

#define APV_TEST_MAX 1024
extern struct apv_test_case apv_test_cases[APV_TEST_MAX];
extern int apv_test_ncases;
extern int apv_test_failed_checks;
extern jmp_buf apv_test_abort;

#define TEST(name)                                                              \
	static void test_##name(void);                                          \
	__attribute__((constructor)) static void register_##name(void)          \
	{                                                                       \
		if (apv_test_ncases < APV_TEST_MAX)                             \
			apv_test_cases[apv_test_ncases++] =                     \
				(struct apv_test_case){#name, test_##name};     \
	}                                                                       \
	static void test_##name(void)

#define APV_TEST_FAIL(...)                                                      \
	do {                                                                    \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);               \
		fprintf(stderr, __VA_ARGS__);                                   \
		fprintf(stderr, "\n");                                          \
		apv_test_failed_checks++;                                       \
	} while (0)

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			APV_TEST_FAIL("CHECK(%s) failed", #cond);               \
	} while (0)

#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		long long apv_a_ = (long long)(a), apv_b_ = (long long)(b);    \
		if (apv_a_ != apv_b_)                                           \
			APV_TEST_FAIL("%s == %s: got %lld (0x%llx), expected %lld (0x%llx)", \
				      #a, #b, apv_a_, (unsigned long long)apv_a_,  \
				      apv_b_, (unsigned long long)apv_b_);      \
	} while (0)

#define CHECK_U64(a, b)                                                         \
	do {                                                                    \
		uint64_t apv_a_ = (uint64_t)(a), apv_b_ = (uint64_t)(b);        \
		if (apv_a_ != apv_b_)                                           \
			APV_TEST_FAIL("%s == %s: got 0x%016" PRIx64 ", expected 0x%016" PRIx64, \
				      #a, #b, apv_a_, apv_b_);                  \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *apv_a_ = (a), *apv_b_ = (b);                        \
		if (!apv_a_ || !apv_b_ || strcmp(apv_a_, apv_b_) != 0)          \
			APV_TEST_FAIL("%s == %s: got \"%s\", expected \"%s\"", #a, #b, \
				      apv_a_ ? apv_a_ : "(null)", apv_b_ ? apv_b_ : "(null)"); \
	} while (0)

#define CHECK_MEM(a, b, n)                                                      \
	do {                                                                    \
		if (memcmp((a), (b), (n)) != 0)                                 \
			APV_TEST_FAIL("memcmp(%s, %s, %s) differs", #a, #b, #n); \
	} while (0)

#define REQUIRE(cond)                                                           \
	do {                                                                    \
		if (!(cond)) {                                                  \
			APV_TEST_FAIL("REQUIRE(%s) failed", #cond);             \
			longjmp(apv_test_abort, 1);                             \
		}                                                               \
	} while (0)

#define TEST_MAIN                                                               \
	struct apv_test_case apv_test_cases[APV_TEST_MAX];                      \
	int apv_test_ncases;                                                    \
	int apv_test_failed_checks;                                             \
	jmp_buf apv_test_abort;                                                 \
	int main(int argc, char **argv)                                         \
	{                                                                       \
		volatile int passed = 0, failed = 0; /* live across longjmp */ \
		setvbuf(stdout, NULL, _IOLBF, 0);                               \
		for (volatile int i = 0; i < apv_test_ncases; i++) {            \
			struct apv_test_case *tc = &apv_test_cases[i];          \
			if (argc > 1 && !strstr(tc->name, argv[1]))             \
				continue;                                       \
			int before = apv_test_failed_checks;                    \
			if (setjmp(apv_test_abort) == 0)                        \
				tc->fn();                                       \
			fflush(stderr);                                         \
			if (apv_test_failed_checks == before) {                 \
				passed++;                                       \
				printf("PASS %s\n", tc->name);                  \
			} else {                                                \
				failed++;                                       \
				printf("FAIL %s\n", tc->name);                  \
			}                                                       \
		}                                                               \
		printf("%d passed, %d failed\n", passed, failed);               \
		return failed ? 1 : 0;                                          \
	}

#endif
