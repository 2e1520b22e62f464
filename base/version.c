/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The version compiled into the library, so that a program can tell which
 * libapvirt it was linked with at run time, not only which headers it saw.
 */
#include "apvirt/version.h"

const char *apv_version(void)
{
	return APV_VERSION_STRING;
}
