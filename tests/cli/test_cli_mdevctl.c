/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdevctl JSON import and export: the three accepted forms, attributes
 * applied in order with the kernel's syntax, and an exact message (file,
 * JSON position, device, attribute, errno) for every kind of bad input.
 */
#include "testlib.h"

#include <apvirt/mdevctl.h>
#include <apvirt/scenario.h>

#include "clirun.h"

#include <errno.h>

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define UUID2 "22222222-2222-3333-4444-555555555555"

static char err[1024];

/* A running host (two CEX8A, domains 4-6, given to vfio_ap) to import into. */
static struct apv_scenario *host(void)
{
	static const char text[] =
	    "host\nadapter 5-6\ndomain 4-6\ncontrol_domain 4\nbus apmask -5,-6\n"
	    "adapter 7\n";
	struct apv_scenario *s = apv_scenario_load_string("h.apv", text, NULL, err, sizeof(err));
	if (!s || apv_scenario_run(s, NULL, err, sizeof(err)) < 0) {
		apv_scenario_free(s);
		return NULL;
	}
	return s;
}

static int import(struct apv_matrix *m, const char *json, const char *fname, const char *uuid,
		  unsigned flags, struct apv_mdevctl_device *devs, size_t n)
{
	err[0] = '\0';
	return apv_mdevctl_import(m, json, strlen(json), fname, uuid, flags, devs, n, err,
				  sizeof(err));
}

static const char *show(struct apv_matrix *m, const char *uuid, const char *attr)
{
	static char buf[4096];
	struct apv_mdev *d = apv_mdev_find(m, uuid);
	if (!d)
		return "(no such mdev)";
	if (apv_mdev_show(d, attr, buf, sizeof(buf)) < 0)
		return "(error)";
	return buf;
}

static const char bare[] = "{\n"
			   "  \"mdev_type\": \"vfio_ap-passthrough\",\n"
			   "  \"start\": \"auto\",\n"
			   "  \"attrs\": [\n"
			   "    {\"assign_adapter\": \"5\"},\n"
			   "    {\"assign_domain\": \"0x4\"},\n"
			   "    {\"assign_domain\": \"5\"},\n"
			   "    {\"assign_control_domain\": \"4\"}\n"
			   "  ]\n"
			   "}\n";

TEST(bare_definition_with_a_uuid)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	struct apv_mdevctl_device d[2];
	CHECK_EQ(import(m, bare, "def.json", UUID1, 0, d, 2), 1);
	CHECK_STR(err, "");
	CHECK_STR(d[0].uuid, UUID1);
	CHECK_STR(d[0].parent, "matrix");
	CHECK(d[0].start_auto);
	CHECK_EQ(d[0].nattrs, 4);
	CHECK(d[0].mdev == apv_mdev_find(m, UUID1));
	CHECK_STR(show(m, UUID1, "matrix"), "05.0004\n05.0005\n");
	CHECK_STR(show(m, UUID1, "control_domains"), "0004\n");
	apv_scenario_finish(s, err, sizeof(err));
	apv_scenario_free(s);
}

TEST(bare_definition_takes_the_uuid_from_the_file_name)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	CHECK_EQ(import(m, bare, "/etc/mdevctl.d/matrix/" UUID2, NULL, 0, NULL, 0), 1);
	CHECK_STR(show(m, UUID2, "matrix"), "05.0004\n05.0005\n");
	CHECK_EQ(import(m, bare, "def.json", NULL, 0, NULL, 0), -EINVAL);
	CHECK_STR(err, "def.json:1:1: a bare device definition needs a UUID: name the file after "
		       "it or give one");
	apv_scenario_free(s);
}

TEST(uuid_keyed_object_form)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	const char *j =
	    "{\"" UUID1 "\": {\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"manual\", "
	    "\"attrs\": [{\"assign_adapter\": \"6\"}, {\"assign_domain\": \"6\"}]},\n"
	    " \"" UUID2 "\": {\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"manual\"}}";
	CHECK_EQ(import(m, j, "two.json", NULL, 0, NULL, 0), 2);
	CHECK_STR(show(m, UUID1, "matrix"), "06.0006\n");
	CHECK_STR(show(m, UUID2, "matrix"), "");
	apv_scenario_free(s);
}

static const char dumpjson[] =
    "[\n"
    "  {\n"
    "    \"0000:00:02.0\": [\n"
    "      {\n"
    "        \"4a0a190f-dcf3-4def-9342-c48768f0c940\": {\n"
    "          \"mdev_type\": \"i915-GVTg_V5_8\",\n"
    "          \"start\": \"auto\",\n"
    "          \"attrs\": []\n"
    "        }\n"
    "      }\n"
    "    ],\n"
    "    \"matrix\": [\n"
    "      {\n"
    "        \"" UUID1 "\": {\n"
    "          \"mdev_type\": \"vfio_ap-passthrough\",\n"
    "          \"start\": \"auto\",\n"
    "          \"attrs\": [{\"assign_adapter\": \"5\"}, {\"assign_domain\": \"4\"}]\n"
    "        }\n"
    "      },\n"
    "      {\n"
    "        \"" UUID2 "\": {\n"
    "          \"mdev_type\": \"vfio_ap-passthrough\",\n"
    "          \"start\": \"manual\",\n"
    "          \"attrs\": [{\"assign_adapter\": \"6\"}, {\"assign_domain\": \"4\"}]\n"
    "        }\n"
    "      }\n"
    "    ]\n"
    "  }\n"
    "]\n";

TEST(dumpjson_form_skips_other_devices)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	struct apv_mdevctl_device d[4];
	memset(d, 0, sizeof(d));
	CHECK_EQ(import(m, dumpjson, "list.json", NULL, 0, d, 4), 2);
	CHECK_STR(d[0].parent, "0000:00:02.0");
	CHECK(d[0].skipped);
	CHECK(!d[1].skipped);
	CHECK(d[1].start_auto);
	CHECK(!d[2].start_auto);
	CHECK_STR(show(m, UUID1, "matrix"), "05.0004\n");
	CHECK_STR(show(m, UUID2, "matrix"), "06.0004\n");
	apv_scenario_free(s);
}

TEST(auto_only_starts_the_auto_devices)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	struct apv_mdevctl_device d[4];
	memset(d, 0, sizeof(d));
	CHECK_EQ(import(m, dumpjson, "list.json", NULL, APV_MDEVCTL_AUTO_ONLY, d, 4), 1);
	CHECK(apv_mdev_find(m, UUID1) != NULL);
	CHECK(apv_mdev_find(m, UUID2) == NULL);
	CHECK(d[2].skipped);
	apv_scenario_free(s);
}

TEST(dry_run_creates_nothing)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	CHECK_EQ(import(m, dumpjson, "list.json", NULL, APV_MDEVCTL_DRY_RUN, NULL, 0), 0);
	CHECK(apv_mdev_next(m, NULL) == NULL);
	apv_scenario_free(s);
}

/* Schema errors: (json, expected message). */
static const char *const schema_errors[][2] = {
    {"{\"mdev_type\": 5}", "b.json:1:15: " UUID1 ": \"mdev_type\" must be a string, got a number"},
    {"{\"mdev_type\": \"i915-GVTg_V5_8\"}",
     "b.json:1:15: " UUID1 ": mdev_type \"i915-GVTg_V5_8\" is not vfio_ap-passthrough"},
    {"{\"start\": \"auto\"}",
     "b.json:1:1: " UUID1 ": missing \"mdev_type\" (it must be \"vfio_ap-passthrough\")"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"now\"}",
     "b.json:1:47: " UUID1 ": \"start\" must be \"auto\" or \"manual\""},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"colour\": \"red\"}",
     "b.json:1:38: " UUID1 ": unknown key \"colour\" (expected mdev_type, start, attrs)"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": {}}",
     "b.json:1:47: " UUID1 ": \"attrs\" must be an array, got an object"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": [{\"assign_adapter\": \"5\", "
     "\"assign_domain\": \"4\"}]}",
     "b.json:1:48: " UUID1
     ": attrs[0] must be an object with exactly one attribute, like {\"assign_adapter\": \"5\"}"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": [{\"assign_adaptor\": \"5\"}]}",
     "b.json:1:49: " UUID1
     ": attrs[0]: \"assign_adaptor\" is not a vfio_ap attribute (expected assign_adapter, "
     "assign_domain, assign_control_domain, their unassign_ forms, or ap_config)"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": [{\"assign_adapter\": 5}]}",
     "b.json:1:67: " UUID1
     ": attrs[0]: the value of \"assign_adapter\" must be a string, got a number"},
    {"[\"matrix\"]", "b.json:1:2: [0] must be an object {\"PARENT\": [...]}, got a string"},
    {"[{\"matrix\": {}}]",
     "b.json:1:13: the devices of parent \"matrix\" must be an array, got an object"},
    {"[{\"matrix\": [{\"a\": {}, \"b\": {}}]}]",
     "b.json:1:14: each device of parent \"matrix\" must be an object {\"UUID\": {...}}"},
    {"{\"not-a-uuid\": {\"mdev_type\": \"vfio_ap-passthrough\"}}",
     "b.json:1:2: invalid UUID \"not-a-uuid\" (expected 8-4-4-4-12 hex digits)"},
    {"[{\"matrix\": [{\"" UUID2 "\": {\"mdev_type\": \"vfio_ap-passthrough\"}}, {\"" UUID2
     "\": {\"mdev_type\": \"vfio_ap-passthrough\"}}]}]",
     "b.json:1:95: device " UUID2 " is defined twice"},
    {"5", "b.json:1:1: expected a device definition object or an `mdevctl list --dumpjson` array, "
	  "got a number"},
    {"{\"mdev_type\": \"vfio_ap-passthrough\",}",
     "b.json:1:37: trailing comma before '}' is not allowed in JSON"},
    {"", "b.json:1:1: empty input, expected a JSON value"},
};

TEST(schema_errors_have_exact_messages_and_create_nothing)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	for (size_t i = 0; i < sizeof(schema_errors) / sizeof(schema_errors[0]); i++) {
		int rc = import(m, schema_errors[i][0], "b.json", UUID1, 0, NULL, 0);
		CHECK(rc < 0);
		CHECK_STR(err, schema_errors[i][1]);
		CHECK(apv_mdev_next(m, NULL) == NULL);
	}
	apv_scenario_free(s);
}

TEST(failing_attribute_names_device_attribute_and_errno)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	const char *j = "{\n \"mdev_type\": \"vfio_ap-passthrough\",\n \"attrs\": [\n  "
			"{\"assign_domain\": \"4\"},\n"
			"  {\"assign_adapter\": \"7\"}\n ]\n}";
	CHECK_EQ(import(m, j, "d.json", UUID1, 0, NULL, 0), -EADDRNOTAVAIL);
	CHECK_STR(err, "d.json:5:22: " UUID1
		       ": attrs[1]: writing \"7\" to assign_adapter failed: -EADDRNOTAVAIL "
		       "(Cannot assign requested address)");
	/* the half-configured device is removed again, as mdevctl does */
	CHECK(apv_mdev_find(m, UUID1) == NULL);
	j = "{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": [{\"assign_domain\": \"0x100\"}]}";
	CHECK_EQ(import(m, j, "d.json", UUID1, 0, NULL, 0), -ENODEV);
	CHECK_STR(
	    err, "d.json:1:66: " UUID1
		 ": attrs[0]: writing \"0x100\" to assign_domain failed: -ENODEV (No such device)");
	j = "{\"mdev_type\": \"vfio_ap-passthrough\", \"attrs\": [{\"assign_domain\": \"four\"}]}";
	CHECK_EQ(import(m, j, "d.json", UUID1, 0, NULL, 0), -EINVAL);
	CHECK_STR(
	    err,
	    "d.json:1:66: " UUID1
	    ": attrs[0]: writing \"four\" to assign_domain failed: -EINVAL (Invalid argument)");
	apv_scenario_free(s);
}

TEST(conflicts_with_existing_mdevs)
{
	struct apv_scenario *s = host();
	REQUIRE(s != NULL);
	struct apv_matrix *m = apv_scenario_matrix(s);
	CHECK_EQ(import(m, bare, "a.json", UUID1, 0, NULL, 0), 1);
	CHECK_EQ(import(m, bare, "a.json", UUID1, 0, NULL, 0), -EEXIST);
	CHECK_STR(err, "a.json:1:1: " UUID1 ": cannot create the mdev: -EEXIST (File exists)");
	CHECK_EQ(import(m, bare, "b.json", UUID2, 0, NULL, 0), -EADDRINUSE);
	CHECK_STR(err, "b.json:6:23: " UUID2
		       ": attrs[1]: writing \"0x4\" to assign_domain failed: -EADDRINUSE "
		       "(Address already in use)");
	CHECK(apv_mdev_find(m, UUID2) == NULL);
	apv_scenario_free(s);
}

TEST(export_then_import_round_trips)
{
	struct apv_scenario *a = host(), *b = host();
	REQUIRE(a && b);
	struct apv_matrix *ma = apv_scenario_matrix(a), *mb = apv_scenario_matrix(b);
	CHECK_EQ(import(ma, dumpjson, "list.json", NULL, 0, NULL, 0), 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	apv_mdevctl_export(f, ma);
	fclose(f);
	CHECK_EQ(import(mb, buf, "export.json", NULL, 0, NULL, 0), 2);
	CHECK_STR(err, "");
	CHECK_STR(show(mb, UUID1, "matrix"), "05.0004\n");
	CHECK_STR(show(mb, UUID2, "matrix"), "06.0004\n");
	free(buf);
	apv_scenario_free(a);
	apv_scenario_free(b);
}

TEST(cli_import_reports_like_mdevctl)
{
	char path[] = "/tmp/apv-mdevctl-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, dumpjson, strlen(dumpjson)) == (ssize_t)strlen(dumpjson));
	close(fd);
	struct cli_result r = CLI("mdev", "import", path);
	CHECK_EQ(r.status, 0);
	char want[2048];
	snprintf(want, sizeof(want),
		 "%s: skipped 4a0a190f-dcf3-4def-9342-c48768f0c940 (not a vfio_ap device)\n"
		 "%s: created " UUID1 " (2 attributes, start auto)\n"
		 "%s: created " UUID2 " (2 attributes, start manual)\n",
		 path, path, path);
	CHECK_STR(r.err, want);
	CHECK(strstr(r.out, UUID1
		     "  vfio_ap-passthrough  not attached\n  matrix:          05.0004\n") != NULL);
	cli_free(&r);
	r = CLI("mdev", "import", "--auto", "--json", path);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.out, UUID1) != NULL);
	CHECK(strstr(r.out, UUID2) == NULL);
	cli_free(&r);
	r = CLI("mdev", "import", "--dry-run", path);
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.err, "valid " UUID1) != NULL);
	CHECK_STR(r.out, "no mdevs\n");
	cli_free(&r);
	unlink(path);
	r = CLI("mdev", "import", path);
	CHECK_EQ(r.status, 2);
	snprintf(want, sizeof(want),
		 "apvirt mdev import: cannot read '%s': No such file or directory\n", path);
	CHECK_STR(r.err, want);
	cli_free(&r);
}

TEST(cli_import_of_bad_json)
{
	char path[] = "/tmp/apv-mdevctl-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	const char *bad = "{\n  \"mdev_type\": \"vfio_ap-passthrough\"\n  \"start\": \"auto\"\n}\n";
	REQUIRE(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
	close(fd);
	struct cli_result r = CLI("mdev", "import", "--uuid", UUID1, path);
	CHECK_EQ(r.status, 1);
	char want[2048];
	snprintf(want, sizeof(want),
		 "apvirt mdev import: %s:3:3: expected ',' or '}' after a member of the object, "
		 "got '\"'\n",
		 path);
	CHECK_STR(r.err, want);
	cli_free(&r);
	unlink(path);
}

/* A scratch file with this text; the path in path[]. */
static void write_tmp(char *path, const char *text)
{
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		path[0] = '\0';
	close(fd);
}

/* Options count wherever they stand: after the file as well as before it. */
TEST(cli_import_options_after_the_file)
{
	char path[] = "/tmp/apv-mdevctl-XXXXXX", want[1024];
	write_tmp(path, bare);
	REQUIRE(path[0]);
	struct cli_result r = CLI("mdev", "import", path, "--dry-run", "--uuid", UUID1);
	CHECK_EQ(r.status, 0);
	snprintf(want, sizeof(want), "%s: valid " UUID1 " (4 attributes, start auto)\n", path);
	CHECK_STR(r.err, want);
	CHECK_STR(r.out, "no mdevs\n");
	cli_free(&r);
	r = CLI("mdev", "import", path, "--uuid", UUID1, "--auto", "--json");
	CHECK_EQ(r.status, 0);
	snprintf(want, sizeof(want), "%s: created " UUID1 " (4 attributes, start auto)\n", path);
	CHECK_STR(r.err, want);
	CHECK(strstr(r.out, "\"" UUID1 "\"") != NULL);
	cli_free(&r);
	/* After "--" everything is a file name. */
	r = CLI("mdev", "import", "--uuid", UUID1, "--", path, "--dry-run");
	CHECK_EQ(r.status, 2);
	CHECK(strstr(r.err, "apvirt mdev import: cannot read '--dry-run': No such file or "
			    "directory\n") != NULL);
	cli_free(&r);
	unlink(path);
}

/* --dry-run refuses exactly what the import refuses: here a queue in two devices. */
TEST(cli_dry_run_detects_overlapping_devices)
{
	static const char two[] =
	    "{\"" UUID1 "\": {\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"auto\",\n"
	    "  \"attrs\": [{\"assign_adapter\": \"5\"}, {\"assign_domain\": \"4\"}]},\n"
	    " \"" UUID2 "\": {\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"auto\",\n"
	    "  \"attrs\": [{\"assign_adapter\": \"5\"}, {\"assign_domain\": \"4\"}]}}\n";
	char path[] = "/tmp/apv-mdevctl-XXXXXX", want[1024];
	write_tmp(path, two);
	REQUIRE(path[0]);
	snprintf(want, sizeof(want),
		 "apvirt mdev import: %s:4:56: " UUID2 ": attrs[1]: writing \"4\" to assign_domain "
		 "failed: -EADDRINUSE (Address already in use)\n",
		 path);
	struct cli_result real = CLI("mdev", "import", path);
	CHECK_EQ(real.status, 1);
	CHECK_STR(real.err, want);
	struct cli_result dry = CLI("mdev", "import", "--dry-run", path);
	CHECK_EQ(dry.status, 1);
	CHECK_STR(dry.err, want);
	CHECK_STR(dry.out, "no mdevs\n");
	cli_free(&real);
	cli_free(&dry);
	unlink(path);
}

/* Every device created is reported, however many (the importer takes up to 256 a file). */
TEST(cli_import_reports_every_device)
{
	static char json[70 * 200];
	size_t n = 0;
	n += (size_t)snprintf(json + n, sizeof(json) - n, "{");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s\"%08x-2222-3333-4444-555555555555\": {\"mdev_type\": "
				      "\"vfio_ap-passthrough\", \"start\": \"manual\", \"attrs\": []}\n",
				      i ? "," : "", 0x10000000u + (unsigned)i);
	snprintf(json + n, sizeof(json) - n, "}\n");
	char path[] = "/tmp/apv-mdevctl-XXXXXX";
	write_tmp(path, json);
	REQUIRE(path[0]);
	struct cli_result r = CLI("mdev", "import", path);
	CHECK_EQ(r.status, 0);
	unsigned lines = 0;
	for (const char *p = r.err; (p = strstr(p, ": created ")) != NULL; p++)
		lines++;
	CHECK_EQ(lines, 70);
	CHECK(strstr(r.err, "10000045-2222-3333-4444-555555555555 (0 attributes, start manual)") !=
	      NULL);
	cli_free(&r);
	unlink(path);
}

TEST_MAIN
