// SPDX-License-Identifier: GPL-2.0
/* Diagnostics: every message is one line on stderr, so --json keeps stdout clean. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

bool log_verbose_on;
bool log_quiet_warn;
int log_nr_warnings;

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "scx_errata: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
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
