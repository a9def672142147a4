// SPDX-License-Identifier: GPL-2.0
/* Diagnostics: every message is one line on stderr, so --json keeps stdout clean. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "json.h"
#include "log.h"
#include "parse.h"

bool log_verbose_on;
bool log_quiet_warn;
int log_nr_warnings;
FILE *log_json_errors;

/*
 * Messages quote what they were given (file contents, arguments, paths), which may hold
 * any byte: a control character or a byte that is not UTF-8 is printed as '?', so that a
 * message is always one line of text, whatever it quotes.
 */
static void put_line(FILE *f, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; ) {
		size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);

		if (!l || (unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			fputc('?', f);
			i++;
		} else {
			fwrite(s + i, 1, l, f);
			i += l;
		}
	}
	fputc('\n', f);
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char msg[8192];	/* a PATH_MAX path and its hint */
	int n = snprintf(msg, sizeof(msg), "scx_errata: %s", prefix);

	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	put_line(stderr, msg);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (log_json_errors) {
		char msg[8192];	/* a PATH_MAX path and its hint */
		va_list aq;

		va_copy(aq, ap);
		vsnprintf(msg, sizeof(msg), fmt, aq);
		va_end(aq);
		json_error(log_json_errors, msg);
	}
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	log_nr_warnings++;
	if (log_quiet_warn)
		return;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose_on)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}
