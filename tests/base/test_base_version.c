/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The version: the generated macros agree with meson's project version
 * (passed in by the build), with each other, and with what the library
 * reports at run time.
 */
#include "testlib.h"

#include <apvirt/version.h>

#ifndef APV_PROJECT_VERSION
#error "APV_PROJECT_VERSION must be meson's project version"
#endif

TEST(version_string_is_the_project_version)
{
	CHECK_STR(APV_VERSION_STRING, APV_PROJECT_VERSION);
	CHECK_STR(apv_version(), APV_PROJECT_VERSION);
}

TEST(version_macros_spell_the_string)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d.%d.%d", APV_VERSION_MAJOR, APV_VERSION_MINOR,
		 APV_VERSION_PATCH);
	CHECK_STR(buf, APV_VERSION_STRING);
}

TEST(version_number_orders_like_the_release)
{
	CHECK_EQ(APV_VERSION_NUMBER,
		 (APV_VERSION_MAJOR << 16) | (APV_VERSION_MINOR << 8) | APV_VERSION_PATCH);
	CHECK(APV_VERSION_AT_LEAST(APV_VERSION_MAJOR, APV_VERSION_MINOR, APV_VERSION_PATCH));
	CHECK(APV_VERSION_AT_LEAST(0, 0, 0));
	CHECK(!APV_VERSION_AT_LEAST(APV_VERSION_MAJOR, APV_VERSION_MINOR, APV_VERSION_PATCH + 1));
	CHECK(!APV_VERSION_AT_LEAST(APV_VERSION_MAJOR + 1, 0, 0));
	/* A minor release sorts above every patch of the one before it. */
	CHECK(APV_VERSION_NUMBER < (((APV_VERSION_MAJOR) << 16) | ((APV_VERSION_MINOR + 1) << 8)));
}

TEST_MAIN
