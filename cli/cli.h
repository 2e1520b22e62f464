/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The apvirt command: one function per subcommand, sharing the option
 * conventions (--help everywhere, exit 0 success, 1 failure, 2 usage).
 */
#ifndef APV_CLI_H
#define APV_CLI_H

#include <apvirt/mdevctl.h>
#include <apvirt/version.h>
#include <apvirt/scenario.h>

#include <stdbool.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int apv_cli_run(int argc, char **argv);
int apv_cli_demo(int argc, char **argv);
int apv_cli_ls(int argc, char **argv);
int apv_cli_mdev(int argc, char **argv);

/* The built-in default host as scenario text (two CEX8A adapters, domains 4-6). */
extern const char apv_cli_default_host[];

/*
 * Bring up a host from a configuration file in the scenario language
 * (NULL: the default host), with vfio_ap loaded. On failure prints the
 * error and returns NULL with *status the exit status (CLI_USAGE for a
 * file that cannot be read, else CLI_FAIL).
 */
struct apv_scenario *apv_cli_host(const char *cmd, const char *path, int *status);
/* Finish and free; prints a teardown error and returns CLI_FAIL if there is one. */
int apv_cli_host_done(struct apv_scenario *s);

/* "unknown option '--x' for 'apvirt run' (see 'apvirt run --help')" on stderr; CLI_USAGE. */
int apv_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool apv_cli_is_help(const char *arg);
/*
 * Read an input file whole (NUL-terminated). On failure prints
 * "apvirt CMD: cannot read 'PATH': REASON" (a directory, a NUL byte, more
 * than 16 MiB, or the system's reason) and returns NULL; the caller exits
 * with CLI_USAGE. Every command reads its files through this.
 */
char *apv_cli_read_input(const char *cmd, const char *path, size_t *len);
/* Do the two paths name one file (same device and inode, links followed)? */
bool apv_cli_same_file(const char *a, const char *b);

#endif
