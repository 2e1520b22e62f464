/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apvirt demo: the main job of the stack, end to end, as a scenario on the
 * built-in default host. The administrator defines a vfio_ap mdev, a VM
 * attaches it, the guest model boots and enables interruptions through
 * the intercepted PQAP(AQIC), RSA-2048 ME and CRT requests run through
 * NQAP/DQAP with interrupt-driven completion and every result is checked
 * against OpenSSL; then the guest lets go, the VM detaches, and the
 * listing, counters and resource balance are printed.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char demo_job[] =
    "echo == administrator: define a vfio_ap mdev with adapters 05-06, domains 4-6\n"
    "mdev create 11111111-2222-3333-4444-555555555555 as demo\n"
    "mdev demo assign_adapter 5\n"
    "mdev demo assign_adapter 0x6\n"
    "mdev demo assign_domain 4\n"
    "mdev demo assign_domain 5\n"
    "mdev demo assign_domain 6\n"
    "mdev demo assign_control_domain 4\n"
    "expect matrix demo 05.0004 05.0005 05.0006 06.0004 06.0005 06.0006\n"
    "\n"
    "echo == QEMU: start VM guest1 (facilities 12, 15, 65, 76) with the mdev\n"
    "vm guest1 facilities=12,15,65,76\n"
    "attach demo guest1\n"
    "expect hook guest1 set\n"
    "expect masks guest1 apm=5-6 aqm=4-6 adm=4\n"
    "\n"
    "echo == guest: AP bus probe, queue resets, PQAP(AQIC) intercepted by KVM, handled by vfio_ap\n"
    "guest boot guest1.0\n"
    "expect guest guest1.0 probed=on irq=on queues=6 online=6\n"
    "expect counters guest1.0 intercepts>=6\n"
    "expect pins guest1 1\n"
    "expect isc guest1 6 refs>=1\n"
    "\n"
    "echo == guest: RSA-2048 ME and CRT through NQAP/DQAP, completion by adapter interruption\n"
    "guest rsa guest1.0 me 2048 count=24 parallel=12\n"
    "guest rsa guest1.0 crt 2048 count=24 parallel=12\n"
    "expect guest guest1.0 verified=48 mismatches=0 failed=0 interrupts>=1\n"
    "expect gqueue guest1.0 05.0004 irq=on irq_replies>=1\n";

/*
 * The job above, its listing and its teardown; separate so that the
 * expectations can be adjusted without touching the output part.
 */
static const char demo_report[] =
    "echo\n"
    "echo == the guest's view (lszcrypt in guest1)\n"
    "show guest guest1.0\n"
    "echo\n"
    "echo == counters\n"
    "show stats guest1.0\n"
    "\n"
    "echo\n"
    "echo == guest removes its queues, QEMU exits (detach)\n"
    "guest remove guest1.0\n"
    "detach demo\n"
    "expect hook guest1 none\n"
    "expect masks guest1 apm=none aqm=none adm=none\n"
    "# the only reference left is the VM's own (QEMU still has the VM fd)\n"
    "expect balance pins=0 isc=0 hooks=0 vmrefs=1\n"
    "vm destroy guest1\n"
    "expect balance zero\n"
    "echo\n"
    "echo == the host after detach\n"
    "show ls\n"
    "show mdevs\n"
    "show balance\n";

static const char demo_help[] =
    "usage: apvirt demo [--trace|--json] [-q]\n"
    "\n"
    "Run the main job on the built-in default host (two CEX8A adapters 05 and 06,\n"
    "usage domains 4-6): define a vfio_ap mdev, attach it to a VM, boot the guest\n"
    "model (PQAP(AQIC) intercepted and handled by vfio_ap), run RSA-2048 ME and CRT\n"
    "requests through NQAP/DQAP with interrupt-driven completion, verify every\n"
    "result against OpenSSL, detach, and print the listing, the counters and the\n"
    "resource balance.\n"
    "\n"
    "options:\n"
    "  --trace   print every instruction with its registers before and after\n"
    "  --json    the trace as JSON lines on stdout (the report goes to stderr)\n"
    "  -q        print only the final verdict\n"
    "  --help    this text\n"
    "\n"
    "Exit status 0 only if every result verified and the balance is zero.\n";

int apv_cli_demo(int argc, char **argv)
{
	struct apv_scenario_opts opts;
	bool quiet = false;
	apv_scenario_opts_default(&opts);
	for (int i = 1; i < argc; i++) {
		if (apv_cli_is_help(argv[i])) {
			fputs(demo_help, stdout);
			return CLI_OK;
		} else if (!strcmp(argv[i], "--trace")) {
			opts.trace_mode = APV_TRACE_TEXT;
		} else if (!strcmp(argv[i], "--json")) {
			opts.trace_mode = APV_TRACE_JSON;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else {
			return apv_cli_usage_error("demo", "unknown argument '%s'", argv[i]);
		}
	}
	FILE *null = NULL;
	opts.trace = stdout;
	opts.out = opts.trace_mode == APV_TRACE_JSON ? stderr : stdout;
	if (quiet) {
		null = fopen("/dev/null", "w");
		if (null)
			opts.out = null;
	}
	size_t len = strlen(apv_cli_default_host) + strlen(demo_job) + strlen(demo_report) + 1;
	char *text = malloc(len);
	char err[8192];
	if (!text)
		return CLI_FAIL;
	snprintf(text, len, "%s%s%s", apv_cli_default_host, demo_job, demo_report);
	struct apv_scenario *s = apv_scenario_load_string("<demo>", text, NULL, err, sizeof(err));
	free(text);
	int rc = CLI_FAIL;
	if (!s) {
		fprintf(stderr, "apvirt demo: %s\n", err);
	} else if (apv_scenario_run(s, &opts, err, sizeof(err)) < 0) {
		fprintf(stderr, "apvirt demo: FAILED\n%s\n", err);
	} else if (apv_scenario_finish(s, err, sizeof(err)) < 0) {
		fprintf(stderr, "apvirt demo: FAILED at teardown\n%s\n", err);
	} else {
		fprintf(opts.trace_mode == APV_TRACE_JSON ? stderr : stdout,
			"\napvirt demo: OK - 48 RSA-2048 results (24 ME, 24 CRT) verified against "
			"OpenSSL, "
			"interrupt-driven, resource balance zero\n");
		rc = CLI_OK;
	}
	apv_scenario_free(s);
	if (null)
		fclose(null);
	return rc;
}
