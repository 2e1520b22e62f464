/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt ls and apvirt mdev: the administrator's view of a host described
 * by a configuration file in the scenario language (host, adapter, domain,
 * bus and mdev lines), or of the built-in default host.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char ls_help[] =
    "usage: apvirt ls [--host FILE] [--serial | --mkvps]\n"
    "\n"
    "lszcrypt-style listing of a host: one line per adapter and per queue with\n"
    "CARD.DOM, TYPE, MODE, STATUS, REQUESTS and the driver that holds the queue\n"
    "(cex4queue for the host, vfio_ap with its queue status).\n"
    "\n"
    "options:\n"
    "  --serial, -s  the coprocessor cards with their serial numbers (lszcrypt -s)\n"
    "  --mkvps, -k   the master-key (CCA) and wrapping-key (EP11) registers of every\n"
    "                coprocessor queue, as each queue's sysfs mkvps shows them; the\n"
    "                host file sets them with masterkey lines\n"
    "  --host FILE   the host, as scenario lines (host, adapter, domain, bus, mdev ...);\n"
    "                default: two CEX8A adapters 05-06, domains 4-6, given to vfio_ap\n"
    "  --help        this text\n";

/* Parse "--host FILE" (or --host=FILE) at argv[*i]; 1 if consumed, 0 if not, -1 on error. */
static int host_opt(const char *cmd, int argc, char **argv, int *i, const char **host)
{
	const char *a = argv[*i];
	if (!strncmp(a, "--host=", 7)) {
		*host = a + 7;
		return 1;
	}
	if (strcmp(a, "--host") != 0)
		return 0;
	if (*i + 1 >= argc) {
		apv_cli_usage_error(cmd, "'--host' needs a file name");
		return -1;
	}
	*host = argv[++*i];
	return 1;
}

int apv_cli_ls(int argc, char **argv)
{
	const char *host = NULL;
	int view = 0; /* 0 queues, 1 serial numbers, 2 key registers */
	for (int i = 1; i < argc; i++) {
		if (apv_cli_is_help(argv[i])) {
			fputs(ls_help, stdout);
			return CLI_OK;
		}
		if (!strcmp(argv[i], "--serial") || !strcmp(argv[i], "-s") ||
		    !strcmp(argv[i], "--mkvps") || !strcmp(argv[i], "-k")) {
			int v = argv[i][1] == 's' || argv[i][2] == 's' ? 1 : 2;
			if (view && view != v)
				return apv_cli_usage_error("ls", "--serial and --mkvps exclude each other");
			view = v;
			continue;
		}
		int h = host_opt("ls", argc, argv, &i, &host);
		if (h < 0)
			return CLI_USAGE;
		if (h == 0)
			return apv_cli_usage_error("ls", "unexpected argument '%s'", argv[i]);
	}
	int status;
	struct apv_scenario *s = apv_cli_host("ls", host, &status);
	if (!s)
		return status;
	if (view == 1)
		apv_lszcrypt_serial(stdout, apv_scenario_hw(s));
	else if (view == 2)
		apv_lszcrypt_mkvps(stdout, apv_scenario_hw(s));
	else
		apv_lszcrypt(stdout, apv_scenario_hw(s), apv_scenario_matrix(s));
	return apv_cli_host_done(s);
}

/* ---- apvirt mdev ------------------------------------------------------------------------- */

static const char mdev_help[] =
    "usage: apvirt mdev [show] [--host FILE] [--json]\n"
    "       apvirt mdev define [--host FILE] [--json] UUID ATTRIBUTE=VALUE...\n"
    "       apvirt mdev import [--host FILE] [--json] [--auto] [--dry-run] [--uuid UUID] "
    "FILE.json...\n"
    "\n"
    "show     list the mdevs of the host (--json: as `mdevctl list --dumpjson`)\n"
    "define   create an mdev and write its attributes in order, with the kernel's\n"
    "         names and syntax (assign_adapter=5 assign_domain=0x4 ...); each\n"
    "         failing write is reported with its errno, as sysfs would\n"
    "import   read mdevctl JSON definitions of vfio_ap-passthrough devices: a bare\n"
    "         definition {\"mdev_type\": ..., \"start\": ..., \"attrs\": [...]} (UUID from\n"
    "         --uuid or the file name), {\"UUID\": {...}}, or the `mdevctl list\n"
    "         --dumpjson` form; everything is validated first, then each device is\n"
    "         created and its attributes written in order\n"
    "\n"
    "options:\n"
    "  --host FILE   the host, as scenario lines (see 'apvirt ls --help')\n"
    "  --json        print the result as mdevctl JSON\n"
    "  --auto        import: start only devices with \"start\": \"auto\" (host boot)\n"
    "  --dry-run     import: validate only, create nothing\n"
    "  --uuid UUID   import: the UUID of a bare definition\n"
    "  --help        this text\n";

/*
 * Import every file into m. dry: m is a scratch copy of the host, and the
 * devices are reported as "valid" instead of "created".
 */
static int do_import(struct apv_matrix *m, int nfiles, char **files, const char *uuid,
		     unsigned flags, bool dry)
{
	struct apv_mdevctl_device *devs = calloc(APV_MDEVCTL_MAX_DEVICES, sizeof(*devs));
	int rc = CLI_OK;

	if (!devs) {
		fprintf(stderr, "apvirt mdev import: out of memory\n");
		return CLI_FAIL;
	}
	for (int i = 0; i < nfiles; i++) {
		size_t len;
		char *text = apv_cli_read_input("mdev import", files[i], &len);
		if (!text) {
			rc = CLI_USAGE;
			break;
		}
		char err[1024];
		memset(devs, 0, APV_MDEVCTL_MAX_DEVICES * sizeof(*devs));
		int n = apv_mdevctl_import(m, text, len, files[i], uuid, flags, devs,
					   APV_MDEVCTL_MAX_DEVICES, err, sizeof(err));
		free(text);
		if (n < 0) {
			fprintf(stderr, "apvirt mdev import: %s\n", err);
			rc = CLI_FAIL;
			continue;
		}
		for (size_t k = 0; k < APV_MDEVCTL_MAX_DEVICES && devs[k].uuid[0]; k++) {
			const struct apv_mdevctl_device *d = &devs[k];
			if (d->skipped)
				fprintf(stderr, "%s: skipped %s (%s)\n", files[i], d->uuid,
					strcmp(d->parent, "matrix") ? "not a vfio_ap device"
								    : "start is manual");
			else
				fprintf(stderr, "%s: %s %s (%u attribute%s, start %s)\n", files[i],
					dry ? "valid" : "created", d->uuid, d->nattrs,
					d->nattrs == 1 ? "" : "s", d->start_auto ? "auto" : "manual");
		}
	}
	free(devs);
	return rc;
}

static int do_define(struct apv_matrix *m, int argc, char **argv)
{
	if (argc < 1)
		return apv_cli_usage_error("mdev", "'define' needs a UUID");
	struct apv_mdev *mdev = NULL;
	char e[128];
	int rc = apv_mdev_create(m, argv[0], &mdev);
	if (rc) {
		fprintf(stderr, "apvirt mdev define: cannot create %s: %s\n", argv[0],
			apv_errno_str(rc, e, sizeof(e)));
		return CLI_FAIL;
	}
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			apv_mdev_remove(mdev);
			return apv_cli_usage_error("mdev", "expected ATTRIBUTE=VALUE, got '%s'",
						   argv[i]);
		}
		*eq = '\0';
		rc = apv_mdev_store(mdev, argv[i], eq + 1);
		if (rc) {
			fprintf(stderr, "apvirt mdev define: %s: writing '%s' to %s failed: %s\n",
				argv[0], eq + 1, argv[i], apv_errno_str(rc, e, sizeof(e)));
			apv_mdev_remove(mdev);
			return CLI_FAIL;
		}
	}
	return CLI_OK;
}

int apv_cli_mdev(int argc, char **argv)
{
	const char *host = NULL, *uuid = NULL;
	bool json = false, dry = false, opts_done = false;
	unsigned flags = 0;
	enum { SHOW, DEFINE, IMPORT } verb = SHOW;
	int i = 1, npos = 0, rc = CLI_OK, status;
	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	else if (i < argc && !strcmp(argv[i], "define"))
		verb = DEFINE, i++;
	else if (i < argc && !strcmp(argv[i], "import"))
		verb = IMPORT, i++;
	else if (i < argc && argv[i][0] != '-')
		return apv_cli_usage_error(
		    "mdev", "unknown subcommand '%s' (expected show, define or import)", argv[i]);
	/* Options may stand anywhere, before or after the operands; "--" ends them. */
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	if (!pos) {
		fprintf(stderr, "apvirt mdev: out of memory\n");
		return CLI_FAIL;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (opts_done || a[0] != '-' || !a[1]) {
			pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
			continue;
		}
		if (apv_cli_is_help(a)) {
			free(pos);
			fputs(mdev_help, stdout);
			return CLI_OK;
		}
		int h = host_opt("mdev", argc, argv, &i, &host);
		if (h < 0) {
			free(pos);
			return CLI_USAGE;
		}
		if (h)
			continue;
		if (!strcmp(a, "--json")) {
			json = true;
		} else if (verb == IMPORT && !strcmp(a, "--auto")) {
			flags |= APV_MDEVCTL_AUTO_ONLY;
		} else if (verb == IMPORT && !strcmp(a, "--dry-run")) {
			dry = true;
		} else if (verb == IMPORT && !strcmp(a, "--uuid")) {
			if (i + 1 >= argc) {
				free(pos);
				return apv_cli_usage_error("mdev", "'--uuid' needs a UUID");
			}
			uuid = argv[++i];
		} else {
			free(pos);
			return apv_cli_usage_error("mdev", "unknown option '%s'", a);
		}
	}
	if (verb == SHOW && npos) {
		rc = apv_cli_usage_error("mdev", "unexpected argument '%s'", pos[0]);
		free(pos);
		return rc;
	}
	if (verb == IMPORT && !npos) {
		free(pos);
		return apv_cli_usage_error("mdev", "'import' needs at least one JSON file");
	}
	struct apv_scenario *s = apv_cli_host("mdev", host, &status);
	if (!s) {
		free(pos);
		return status;
	}
	struct apv_matrix *m = apv_scenario_matrix(s);
	if (verb == IMPORT && dry) {
		/*
		 * A dry run is the real import on a scratch copy of the host, so it
		 * refuses exactly what the real one would (overlaps included); the
		 * host itself stays as it was.
		 */
		struct apv_scenario *scratch = apv_cli_host("mdev", host, &status);
		if (!scratch) {
			rc = status;
		} else {
			rc = do_import(apv_scenario_matrix(scratch), npos, pos, uuid, flags, true);
			int done = apv_cli_host_done(scratch);
			if (rc == CLI_OK)
				rc = done;
		}
	} else if (verb == IMPORT) {
		rc = do_import(m, npos, pos, uuid, flags, false);
	} else if (verb == DEFINE) {
		rc = do_define(m, npos, pos);
	}
	if (rc != CLI_USAGE && (rc == CLI_OK || verb == IMPORT)) {
		if (json)
			apv_mdevctl_export(stdout, m);
		else
			apv_mdev_list(stdout, m);
	}
	free(pos);
	int done = apv_cli_host_done(s);
	return rc != CLI_OK ? rc : done;
}
