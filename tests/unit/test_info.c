// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata info`: option handling, exit codes, the table, and JSON that is valid and
 * carries the fields VMMs rely on. stdout is captured through a temporary file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "info.h"
#include "json.h"
#include "log.h"
#include "unit.h"

static char out[65536], errout[4096];

/* Run info with args (NULL-terminated, after "info"); stdout lands in out. */
static int run_info(const char *first, ...)
{
	char *argv[16] = { "info" };
	int argc = 1, rc, saved;
	const char *a;
	FILE *tmp = tmpfile(), *etmp = tmpfile();
	int saved_err;
	size_t n;
	va_list ap;

	va_start(ap, first);
	for (a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	saved = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	dup2(fileno(etmp), STDERR_FILENO);
	log_quiet_warn = true;
	rc = info_main(argc, argv);
	log_quiet_warn = false;
	log_verbose_on = false;
	fflush(stdout);
	fflush(stderr);
	dup2(saved, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved);
	close(saved_err);
	rewind(etmp);
	n = fread(errout, 1, sizeof(errout) - 1, etmp);
	errout[n] = '\0';
	fclose(etmp);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return rc;
}

/*
 * A strict enough JSON check for our writer's output: balanced brackets outside strings,
 * only valid escapes, no control bytes in strings, no ",]" or ",}" or "[," forms.
 */
static bool json_valid(const char *s)
{
	char stack[64];
	int depth = 0;
	bool in_str = false;
	char prev = 0;

	for (; *s; s++) {
		char c = *s;

		if (in_str) {
			if ((unsigned char)c < 0x20)
				return false;
			if (c == '\\') {
				s++;
				if (!*s || !strchr("\"\\/bfnrtu", *s))
					return false;
			} else if (c == '"') {
				in_str = false;
			}
			prev = '"';
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (depth == 64)
				return false;
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (!depth || stack[--depth] != c || prev == ',')
				return false;
		} else if (c == ',' && (prev == ',' || prev == '[' || prev == '{')) {
			return false;
		}
		if (c != ' ' && c != '\n')
			prev = c;
	}
	return !depth && !in_str;
}

static char root[512];

static const char *fixture(const char *name)
{
	snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), name);
	return root;
}

UNIT_TEST(info_help_to_stdout)
{
	EXPECT_EQ(run_info("-h", NULL), 0);
	EXPECT(!strncmp(out, "usage: scx_errata info", 22));
	EXPECT_EQ(run_info("--help", "--bogus", NULL), 0);
}

UNIT_TEST(info_bad_usage)
{
	EXPECT_EQ(run_info("--bogus", NULL), 1);
	EXPECT_STR(out, "");	/* the error went to stderr, one line with its hint */
	EXPECT_STR(errout, "scx_errata: unknown option '--bogus'; see 'scx_errata info -h'\n");
	EXPECT_EQ(run_info("stray", NULL), 1);
	EXPECT_EQ(run_info("--host-root", NULL), 1);
	EXPECT_EQ(run_info("--json", "--bogus", NULL), 1);
	EXPECT_STR(out, "{\"error\":\"unknown option '--bogus'\"}\n");
	EXPECT_STR(errout, "");
	EXPECT_EQ(run_info("--bogus", "--json", NULL), 1);
	EXPECT(json_valid(out) && strstr(out, "\"error\""));
	EXPECT_EQ(run_info("--json", "--errata-db", NULL), 1);
	EXPECT_STR(out, "{\"error\":\"option '--errata-db' needs a value\"}\n");
}

UNIT_TEST(info_errors_as_json)
{
	char want[1024];

	EXPECT_EQ(run_info("--json", "--host-root", "/nonexistent/scxe", NULL), 1);
	EXPECT_STR(out, "{\"error\":\"no cpus found in /nonexistent/scxe/sys/devices/system/cpu/possible; is that a sysfs tree?\"}\n");
	EXPECT_EQ(run_info("--json", "--host-root", fixture("rk3399"), "--cpu-types", "0-3:a", NULL), 1);
	EXPECT(json_valid(out) && strstr(out, "leaves cpu 4 without a type"));
	snprintf(want, sizeof(want), "%s/db/bad-range.db", unit_fixtures());
	EXPECT_EQ(run_info("--json", "--host-root", fixture("rk3399"), "--errata-db", want, NULL), 1);
	EXPECT(json_valid(out) && strstr(out, "bad-range.db:15: field 3: range ends before it starts"));
}

UNIT_TEST(info_table)
{
	EXPECT_EQ(run_info("--host-root", fixture("ls1043a"), NULL), 0);
	EXPECT(strstr(out, "host: arm64, 4 possible cpus (online 0-3), 1 types") != NULL);
	EXPECT(strstr(out, "0    Cortex-A53             arm       uniform  0-3") != NULL);
	EXPECT(strstr(out, "  0 Cortex-A53: 843419, 845719\n") != NULL);
	EXPECT(strstr(out, "  a008585         source devicetree types 0:Cortex-A53") != NULL);
}

UNIT_TEST(info_json_fields)
{
	EXPECT_EQ(run_info("--json", "--host-root", fixture("sm8450"), NULL), 0);
	EXPECT(json_valid(out));
	EXPECT(strstr(out, "{\"cpu\":7,\"online\":true,\"type\":2,\"capacity\":1024,\"package\":0,"
			   "\"die\":0,\"cluster\":2,\"core\":0,\"llc\":0,\"midr\":\"0x412fd480\","
			   "\"revidr\":\"0x0\"}") != NULL);
	EXPECT(strstr(out, "{\"index\":1,\"name\":\"Cortex-A710\",\"vendor\":\"arm\",\"arch\":\"arm64\","
			   "\"core_kind\":\"mid\",\"cpus\":\"4-6\",\"nr_cpus\":3,\"capacity\":870,"
			   "\"midr\":\"0x412fd470\",\"revidr\":\"0x0\",\"implementer\":\"0x41\","
			   "\"part\":\"0xd47\",\"variant\":2,\"revision\":0}") != NULL);
	EXPECT(strstr(out, "{\"id\":\"2119858\",\"vendor\":\"arm\",\"class\":\"cpu\",\"management\":"
			   "\"static\",\"types\":[{\"index\":1,\"name\":\"Cortex-A710\"},{\"index\":2,"
			   "\"name\":\"Cortex-X2\"}],\"sources\":[\"cpu-type\"]") != NULL);
	EXPECT(strstr(out, "\"timer_errata\":[]") != NULL);

	EXPECT_EQ(run_info("--json", "--host-root", fixture("d05"), NULL), 0);
	EXPECT(json_valid(out));
	EXPECT(strstr(out, "\"timer_errata\":[{\"id\":\"161010101\",\"source\":\"acpi\",\"types\":"
			   "[{\"index\":0,\"name\":\"Cortex-A72\"}],\"oem_id\":\"HISI  \","
			   "\"oem_table_id\":\"HIP07   \",\"oem_revision\":0}]") != NULL);

	EXPECT_EQ(run_info("--json", "--host-root", fixture("alderlake"), NULL), 0);
	EXPECT(json_valid(out));
	EXPECT(strstr(out, "\"family\":6,\"model\":151,\"stepping\":2") != NULL);
	EXPECT(strstr(out, "\"id\":\"CVE-2023-28746\"") != NULL);
}

UNIT_TEST(info_json_with_cpu_types_and_db)
{
	char db[512];

	snprintf(db, sizeof(db), "%s/db/small.db", unit_fixtures());
	EXPECT_EQ(run_info("--json", "--host-root", fixture("rk3399"), "--cpu-types",
			   "0-1:little,2-5:big", "--errata-db", db, NULL), 0);
	EXPECT(json_valid(out));
	/* big holds A53s 2-3 too, so A53's 843419 applies to both hand-made types */
	EXPECT(strstr(out, "\"id\":\"843419\",\"vendor\":\"arm\",\"class\":\"cpu\",\"management\":"
			   "\"static\",\"types\":[{\"index\":0,\"name\":\"little\"},{\"index\":1,"
			   "\"name\":\"big\"}]") != NULL);
	EXPECT(strstr(out, "\"errata_db_entries\":4") != NULL);
}

UNIT_TEST(json_writer_escapes)
{
	FILE *tmp = tmpfile();
	struct json j;
	size_t n;

	json_init(&j, tmp);
	json_obj(&j, NULL);
	json_str(&j, "s", "q\"b\\n\n\t\x01é");
	json_arr(&j, "a");
	json_int(&j, NULL, -3);
	json_uint(&j, NULL, 18446744073709551615ull);
	json_bool(&j, NULL, false);
	json_null(&j, NULL);
	json_obj(&j, NULL);
	json_end(&j);
	json_end(&j);
	json_finish(&j);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	EXPECT_STR(out, "{\"s\":\"q\\\"b\\\\n\\n\\t\\u0001é\",\"a\":[-3,18446744073709551615,false,null,{}]}\n");
	EXPECT(json_valid(out));
}
