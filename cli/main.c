/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt: run scenarios, the demo, an lszcrypt-style listing, and mdev
 * administration (including mdevctl JSON import) on the user-space AP
 * virtualization stack.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char apv_cli_default_host[] =
    "# the built-in default host: two CEX8A accelerators, usage domains 4-6\n"
    "host apxa=on na=255 nd=255\n"
    "adapter 5-6 type=cex8 mode=accel qd=7\n"
    "domain 4-6\n"
    "control_domain 4-6\n"
    "# hand adapters 5 and 6 to vfio_ap\n"
    "bus apmask -5,-6\n";

static const char main_help[] =
    "usage: apvirt COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "User-space s390 AP (Crypto Express) virtualization: KVM's PQAP(AQIC)\n"
    "intercept, vfio_ap, the AP hardware and a guest driver, on a virtual clock.\n"
    "\n"
    "commands:\n"
    "  run FILE...          run scenario scripts (--trace, --json)\n"
    "  demo                 the main job on a built-in host, verified against OpenSSL\n"
    "  ls                   lszcrypt-style listing of a host\n"
    "  mdev                 show, define and import (mdevctl JSON) vfio_ap mdevs\n"
    "  commands             the scenario language's commands, one line each\n"
    "  help [COMMAND]       this text, or a command's help\n"
    "\n"
    "Every command takes --help. Exit status: 0 success, 1 failure, 2 usage error.\n"
    "See docs/cli.md and docs/scenarios.md.\n";

bool apv_cli_is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int apv_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "apvirt %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'apvirt %s --help')\n", cmd);
	return CLI_USAGE;
}

struct apv_scenario *apv_cli_host(const char *cmd, const char *path, int *status)
{
	char err[4096];
	char *file = NULL;

	*status = CLI_FAIL;
	if (path) {
		file = apv_cli_read_input(cmd, path, NULL);
		if (!file) {
			*status = CLI_USAGE;
			return NULL;
		}
	}
	/* vfio_ap is loaded after the file's own lines, which may already have loaded it. */
	const char *body = file ? file : apv_cli_default_host;
	size_t tlen = strlen(body) + 32;
	char *text = malloc(tlen);
	if (!text) {
		fprintf(stderr, "apvirt %s: %s: out of memory\n", cmd,
			path ? path : "<default host>");
		free(file);
		return NULL;
	}
	snprintf(text, tlen, "%s\n\nload vfio_ap\n", body);
	free(file);
	struct apv_scenario *s =
	    apv_scenario_load_string(path ? path : "<default host>", text, NULL, err, sizeof(err));
	free(text);
	if (!s) {
		fprintf(stderr, "apvirt: %s\n", err);
		return NULL;
	}
	/* The world keeps a pointer to its options for as long as it lives. */
	static struct apv_scenario_opts o;
	apv_scenario_opts_default(&o);
	o.out = stderr;
	if (apv_scenario_run(s, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "apvirt: %s\n", err);
		apv_scenario_free(s);
		return NULL;
	}
	if (!apv_scenario_hw(s)) {
		fprintf(stderr, "apvirt: %s describes no host (add 'host' and 'adapter' lines)\n",
			path ? path : "<default host>");
		apv_scenario_free(s);
		return NULL;
	}
	return s;
}

int apv_cli_host_done(struct apv_scenario *s)
{
	char err[1024];
	int rc = apv_scenario_finish(s, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "apvirt: %s\n", err);
	apv_scenario_free(s);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}

static int cmd_commands(int argc, char **argv)
{
	if (argc > 1 && apv_cli_is_help(argv[1])) {
		printf("usage: apvirt commands\n\nList the scenario language's commands with their "
		       "syntax.\n");
		return CLI_OK;
	}
	if (argc > 1)
		return apv_cli_usage_error("commands", "unexpected argument '%s'", argv[1]);
	printf("scenario commands (docs/scenarios.md):\n");
	apv_scenario_print_commands(stdout);
	return CLI_OK;
}

struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcmd subcmds[] = {
    {"run", apv_cli_run},   {"demo", apv_cli_demo},	{"ls", apv_cli_ls},
    {"mdev", apv_cli_mdev}, {"commands", cmd_commands}, {NULL, NULL},
};

/* A listing or trace lost to a full disk or a closed pipe must not exit 0. */
static int output_checked(int rc)
{
	int bad = fflush(stdout) != 0 ? errno : ferror(stdout) ? EIO : 0;

	if (!bad)
		return rc;
	fprintf(stderr, "apvirt: cannot write the output: %s\n", strerror(bad));
	return rc == CLI_OK ? CLI_FAIL : rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(main_help, stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[1];
	if (apv_cli_is_help(cmd)) {
		fputs(main_help, stdout);
		return CLI_OK;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3 || apv_cli_is_help(argv[2]) || !strcmp(argv[2], "help")) {
			fputs(main_help, stdout);
			return CLI_OK;
		}
		cmd = argv[2];
		for (const struct subcmd *s = subcmds; s->name; s++) {
			if (!strcmp(s->name, cmd)) {
				char *args[] = {argv[2], (char *)"--help", NULL};
				return s->fn(2, args);
			}
		}
		fprintf(stderr, "apvirt: unknown command '%s' (see 'apvirt --help')\n", cmd);
		return CLI_USAGE;
	}
	if (!strcmp(cmd, "--version")) {
		printf("apvirt %s\n", apv_version());
		return CLI_OK;
	}
	for (const struct subcmd *s = subcmds; s->name; s++)
		if (!strcmp(s->name, cmd))
			return output_checked(s->fn(argc - 1, argv + 1));
	fprintf(stderr, "apvirt: unknown command '%s' (see 'apvirt --help')\n", cmd);
	return CLI_USAGE;
}
