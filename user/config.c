// SPDX-License-Identifier: GPL-2.0
/*
 * The config file parser (format in config.h). The whole file is read into memory first and
 * parsed into a scratch copy, so a bad file on SIGHUP leaves the running settings as they
 * were. Every rule is strict on purpose: an unknown key is most likely a typo of a known one,
 * and silently ignoring it would run the fence with a setting the admin did not choose.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "parse.h"
#include "scx_errata_abi.h"

/* Global keys, in CONFIG_SET_* bit order. */
enum { G_MODE, G_HOLD, G_SLICE, G_ENFORCE, G_PATTERN, G_CPU_TYPES, G_DB, G_STATS, G_QMP, G_BUDGET,
       NR_G };
static const char *const global_keys[NR_G] = {
	[G_MODE] = "mode", [G_HOLD] = "max-hold-ms", [G_SLICE] = "slice-us",
	[G_ENFORCE] = "enforce", [G_PATTERN] = "shm-pattern", [G_CPU_TYPES] = "cpu-types",
	[G_DB] = "errata-db", [G_STATS] = "stats", [G_QMP] = "qmp", [G_BUDGET] = "hold-budget-pct",
};

/* Keys of a [vm NAME] section. */
enum { V_ENFORCE, V_HOLD, V_PATH, V_QMP, NR_V };
static const char *const vm_keys[NR_V] = {
	[V_ENFORCE] = "enforce", [V_HOLD] = "max-hold-ms", [V_PATH] = "path", [V_QMP] = "qmp",
};

#define HOLD_MAX	3600000ull	/* one hour, as --max-hold-ms */
#define SLICE_MIN	100ull
#define SLICE_MAX	1000000ull
#define STATS_MAX	3600ull
#define QUOTE_MAX	48		/* bytes of a bad value quoted back in an error */

struct parser {
	const char *file;
	int line;
	char *err;
	size_t errlen;
	struct config *c;
	struct config_vm *vm;		/* the section being read, NULL before the first */
	int g_line[NR_G];		/* line that set each global key, 0 = not yet */
	int v_line[CONFIG_MAX_VMS][NR_V];
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "FILE:LINE: message"; always returns -1 */
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A value quoted back in a message, cut to QUOTE_MAX bytes on a character boundary so that
 * the one-line error stays short and valid UTF-8 (lines were validated before this).
 */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), cut = 0;

	if (n < QUOTE_MAX && n < len) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	while (cut < n && cut < QUOTE_MAX && cut + 4 < len) {
		size_t l = utf8_seq_len((const unsigned char *)s + cut, n - cut);

		if (!l || cut + l > QUOTE_MAX)
			break;
		cut += l;
	}
	snprintf(buf, len, "%.*s...", (int)cut, s);
	return buf;
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = SCXE_MODE_SAME_TYPE;
	c->max_hold_ms = 50;
	c->hold_budget_pct = 50;
	c->slice_us = 5000;
	c->stats = 1;
	c->enforce = true;
	snprintf(c->shm_pattern, sizeof(c->shm_pattern), "%s*", CONFIG_VM_PATH_PREFIX);
}

const struct config_vm *config_vm_by_name(const struct config *c, const char *name)
{
	for (int i = 0; i < c->nr_vms; i++)
		if (!strcmp(c->vm[i].name, name))
			return &c->vm[i];
	return NULL;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim blanks at both ends in place. */
static char *trim(char *s)
{
	char *e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Bytes a text file can hold: UTF-8 without control characters other than tab. Checked
 * before anything else so that later messages can quote the line safely.
 */
static int check_bytes(struct parser *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; ) {
		unsigned char ch = s[i];
		size_t l;

		if (ch == '\0')
			return fail(p, "NUL byte at column %zu; this is not a text file", i + 1);
		if (ch == '\r')
			return fail(p, "carriage return at column %zu; save the file with Unix line endings (e.g. dos2unix)",
				    i + 1);
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail(p, "control character 0x%02x at column %zu; remove it", ch, i + 1);
		l = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!l)
			return fail(p, "invalid UTF-8 at column %zu; save the file as UTF-8", i + 1);
		i += l;
	}
	return 0;
}

static bool valid_vm_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > CONFIG_VM_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* "[vm NAME]" (blanks allowed inside the brackets and between the words) */
static int section(struct parser *p, char *s)
{
	struct config *c = p->c;
	char q[QUOTE_MAX + 8], *inner, *name;
	size_t n = strlen(s);
	struct config_vm *vm;

	if (s[n - 1] != ']' && strchr(s, ']'))
		return fail(p, "unexpected text after ']' in '%s'; comments go on their own line",
			    quote(s, q, sizeof(q)));
	if (s[n - 1] != ']')
		return fail(p, "section header '%s' has no closing ']'; write [vm NAME]", quote(s, q, sizeof(q)));
	s[n - 1] = '\0';
	inner = trim(s + 1);
	name = inner + strcspn(inner, " \t");
	if (*name)
		*name++ = '\0';
	name = trim(name);
	if (strcmp(inner, "vm"))
		return fail(p, "unknown section '[%s]'; the only section is [vm NAME]", quote(inner, q, sizeof(q)));
	if (!*name)
		return fail(p, "[vm] has no name; write [vm NAME], e.g. [vm web1]");
	if (!valid_vm_name(name))
		return fail(p, "vm name '%s' is not 1 to %d of A-Z a-z 0-9 _ . -; rename the section",
			    quote(name, q, sizeof(q)), CONFIG_VM_NAME_MAX);
	for (int i = 0; i < c->nr_vms; i++)
		if (!strcmp(c->vm[i].name, name))
			return fail(p, "duplicate section [vm %s] (first on line %d); merge the two",
				    name, c->vm[i].line);
	if (c->nr_vms == CONFIG_MAX_VMS)
		return fail(p, "[vm %s] is VM number %d, more than the %d one daemon pairs; remove some sections",
			    name, CONFIG_MAX_VMS + 1, CONFIG_MAX_VMS);
	vm = &c->vm[c->nr_vms++];
	memset(vm, 0, sizeof(*vm));
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->enforce = -1;
	vm->max_hold_ms = -1;
	vm->line = p->line;
	p->vm = vm;
	return 0;
}

static int get_bool(struct parser *p, const char *key, const char *val, bool *out)
{
	char q[QUOTE_MAX + 8];

	if (!strcmp(val, "yes"))
		*out = true;
	else if (!strcmp(val, "no"))
		*out = false;
	else
		return fail(p, "%s '%s' is not yes or no", key, quote(val, q, sizeof(q)));
	return 0;
}

static int get_num(struct parser *p, const char *key, const char *val, unsigned long long min,
		   unsigned long long max, const char *unit, unsigned long long *out)
{
	char q[QUOTE_MAX + 8];
	int ret = parse_u64(val, min, max, out);

	if (ret == -ERANGE)
		return fail(p, "%s %s is out of range; use %llu to %llu (%s)", key,
			    quote(val, q, sizeof(q)), min, max, unit);
	if (ret)
		return fail(p, "%s '%s' is not a whole number; use digits only, %llu to %llu (%s)",
			    key, quote(val, q, sizeof(q)), min, max, unit);
	return 0;
}

static int get_str(struct parser *p, const char *key, const char *val, char *dst, size_t size)
{
	size_t n = strlen(val);

	if (n >= size)
		return fail(p, "%s is %zu bytes long, more than the %zu allowed; shorten it", key, n,
			    size - 1);
	memcpy(dst, val, n + 1);
	return 0;
}

/* An absolute path (or glob); what it names is checked by whoever uses it. */
static int get_abs(struct parser *p, const char *key, const char *val, char *dst, size_t size)
{
	char q[QUOTE_MAX + 8];

	if (val[0] != '/')
		return fail(p, "%s '%s' is not an absolute path; start it with '/'", key,
			    quote(val, q, sizeof(q)));
	return get_str(p, key, val, dst, size);
}

static int global_key(struct parser *p, int k, const char *val)
{
	struct config *c = p->c;
	const char *key = global_keys[k];
	char q[QUOTE_MAX + 8];

	switch (k) {
	case G_MODE:
		if (!strcmp(val, "same-type"))
			c->mode = SCXE_MODE_SAME_TYPE;
		else if (!strcmp(val, "same-cpu"))
			c->mode = SCXE_MODE_SAME_CPU;
		else
			return fail(p, "mode '%s' is not same-type or same-cpu", quote(val, q, sizeof(q)));
		return 0;
	case G_HOLD:
		return get_num(p, key, val, 0, HOLD_MAX, "milliseconds, 0 = never", &c->max_hold_ms);
	case G_SLICE:
		return get_num(p, key, val, SLICE_MIN, SLICE_MAX, "microseconds", &c->slice_us);
	case G_ENFORCE:
		return get_bool(p, key, val, &c->enforce);
	case G_PATTERN:
		return get_abs(p, key, val, c->shm_pattern, sizeof(c->shm_pattern));
	case G_CPU_TYPES:
		/* the --cpu-types parser checks it against the host later */
		return get_str(p, key, val, c->cpu_types, sizeof(c->cpu_types));
	case G_DB:
		return get_abs(p, key, val, c->errata_db, sizeof(c->errata_db));
	case G_STATS:
		return get_num(p, key, val, 0, STATS_MAX, "seconds, 0 = off", &c->stats);
	case G_QMP:
		return get_abs(p, key, val, c->qmp, sizeof(c->qmp));
	case G_BUDGET:
		return get_num(p, key, val, 1, 100, "percent of wall time, 100 = only max-hold-ms",
			       &c->hold_budget_pct);
	}
	return -1;
}

static int vm_key(struct parser *p, int k, const char *val)
{
	struct config_vm *vm = p->vm;
	unsigned long long v;
	bool b;

	switch (k) {
	case V_ENFORCE:
		if (get_bool(p, vm_keys[k], val, &b))
			return -1;
		vm->enforce = b;
		return 0;
	case V_HOLD:
		if (get_num(p, vm_keys[k], val, 0, HOLD_MAX, "milliseconds, 0 = never", &v))
			return -1;
		vm->max_hold_ms = v;
		return 0;
	case V_PATH:
		return get_abs(p, vm_keys[k], val, vm->path, sizeof(vm->path));
	case V_QMP:
		return get_abs(p, vm_keys[k], val, vm->qmp, sizeof(vm->qmp));
	}
	return -1;
}

static int find_key(const char *const *keys, int nr, const char *key)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(keys[i], key))
			return i;
	return -1;
}

/* "key = value" */
static int assignment(struct parser *p, char *s)
{
	char q[QUOTE_MAX + 8], *eq = strchr(s, '='), *key, *val;
	int k, *seen;

	if (!eq)
		return fail(p, "'%s' is not 'key = value', '[vm NAME]' or a '#' comment",
			    quote(s, q, sizeof(q)));
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return fail(p, "no key before '='; write 'key = value'");
	if (p->vm) {
		k = find_key(vm_keys, NR_V, key);
		if (k < 0 && find_key(global_keys, NR_G, key) >= 0)
			return fail(p, "'%s' is a global key and cannot be set in [vm %s]; move it above the first [vm] section",
				    key, p->vm->name);
		if (k < 0)
			return fail(p, "unknown key '%s' in [vm %s]; a VM takes enforce, max-hold-ms, path, qmp",
				    quote(key, q, sizeof(q)), p->vm->name);
		seen = &p->v_line[p->vm - p->c->vm][k];
	} else {
		k = find_key(global_keys, NR_G, key);
		if (k < 0 && find_key(vm_keys, NR_V, key) >= 0)
			return fail(p, "'%s' is only valid in a [vm NAME] section; move it under the VM's section", key);
		if (k < 0)
			return fail(p, "unknown key '%s'; see the FILES section of scx_errata(8) for the keys",
				    quote(key, q, sizeof(q)));
		seen = &p->g_line[k];
	}
	if (*seen) {
		if (p->vm)
			return fail(p, "duplicate key '%s' in [vm %s] (first on line %d); keep one",
				    key, p->vm->name, *seen);
		return fail(p, "duplicate key '%s' (first on line %d); keep one", key, *seen);
	}
	if (!*val)
		return fail(p, "%s has no value; give one or remove the line for the default", key);
	if (val[strcspn(val, " \t")])
		return fail(p, "unexpected text after the value of %s: '%s'; values have no spaces, comments go on their own line",
			    key, quote(trim(val + strcspn(val, " \t")), q, sizeof(q)));
	if (p->vm ? vm_key(p, k, val) : global_key(p, k, val))
		return -1;
	*seen = p->line;
	if (!p->vm)
		p->c->set |= 1u << k;
	return 0;
}

static int parse_line(struct parser *p, char *s, size_t n)
{
	if (n > CONFIG_MAX_LINE)
		return fail(p, "line is %zu bytes long, more than %d; split or shorten it", n,
			    CONFIG_MAX_LINE);
	if (check_bytes(p, s, n))
		return -1;
	s[n] = '\0';
	s = trim(s);
	if (!*s || *s == '#')
		return 0;
	if (*s == '[')
		return section(p, s);
	return assignment(p, s);
}

/* Defaults the sections left out, and paths two VMs would share. */
static int finish(struct parser *p)
{
	struct config *c = p->c;

	for (int i = 0; i < c->nr_vms; i++) {
		struct config_vm *vm = &c->vm[i];

		if (!p->v_line[i][V_PATH]) {
			/* fits: the prefix plus at most CONFIG_VM_NAME_MAX bytes */
			size_t pre = strlen(CONFIG_VM_PATH_PREFIX);

			memcpy(vm->path, CONFIG_VM_PATH_PREFIX, pre);
			memcpy(vm->path + pre, vm->name, strlen(vm->name) + 1);
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(c->vm[j].path, vm->path))
				continue;
			p->line = p->v_line[i][V_PATH] ? p->v_line[i][V_PATH] : vm->line;
			return fail(p, "[vm %s] uses the shared file %s of [vm %s] (line %d); give each VM its own path",
				    vm->name, vm->path, c->vm[j].name, c->vm[j].line);
		}
	}
	return 0;
}

static int parse_buf(struct parser *p, char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		p->line++;
		if (parse_line(p, buf + off, n))
			return -1;
		off += n + 1;
	}
	return finish(p);
}

/* The whole file, after checking who may have written it. */
static char *read_file(const char *path, bool missing_ok, bool *missing, size_t *len,
		       char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd;

	*missing = false;
	/* O_NONBLOCK: a FIFO at the path must not hang the daemon; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok) {
			*missing = true;
			return NULL;
		}
		snprintf(err, errlen, "%s: cannot open: %s; check the path and its permissions", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; point the daemon at a config file", path);
		goto out;
	}
	/* the file decides how guests are fenced: only root (or whoever runs us) may write it */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not root; chown root %s", path,
			 (unsigned int)st.st_uid, path);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: writable by group or others (mode %04o); chmod go-w %s", path,
			 (unsigned int)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		snprintf(err, errlen, "%s: %lld bytes, more than a config file's %d; is it the right file?",
			 path, (long long)st.st_size, CONFIG_MAX_SIZE);
		goto out;
	}
	/* one byte more than allowed, to notice a file that grew since fstat */
	buf = malloc(CONFIG_MAX_SIZE + 2);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (n <= CONFIG_MAX_SIZE) {
		ssize_t r = read(fd, buf + n, CONFIG_MAX_SIZE + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	if (n > CONFIG_MAX_SIZE) {
		snprintf(err, errlen, "%s: more than a config file's %d bytes; is it the right file?",
			 path, CONFIG_MAX_SIZE);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = n;
out:
	close(fd);
	return buf;
}

int config_load(const char *path, bool missing_ok, struct config *c, char *err, size_t errlen)
{
	struct parser *p;
	bool missing;
	size_t len;
	char *buf;
	int ret = -1;

	buf = read_file(path, missing_ok, &missing, &len, err, errlen);
	if (missing) {
		config_defaults(c);
		return 0;
	}
	if (!buf)
		return -1;
	/* a scratch copy (about 0.5 MiB with 64 VMs): *c changes only when the file is good */
	p = calloc(1, sizeof(*p));
	if (p)
		p->c = malloc(sizeof(*p->c));
	if (!p || !p->c) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	p->file = path;
	p->err = err;
	p->errlen = errlen;
	config_defaults(p->c);
	if (parse_buf(p, buf, len))
		goto out;
	memcpy(c, p->c, sizeof(*c));
	ret = 0;
out:
	if (p)
		free(p->c);
	free(p);
	free(buf);
	return ret;
}
