/* SPDX-License-Identifier: GPL-2.0 */
/* One-line diagnostics on stderr: "scx_errata: <msg>", lowercase, actionable. */
#ifndef SCXE_LOG_H
#define SCXE_LOG_H

#include <stdbool.h>
#include <stdio.h>

extern bool log_verbose_on;	/* -v */
extern bool log_quiet_warn;	/* tests: count warnings without printing */
extern int log_nr_warnings;
/* run --json: log_err also writes {"error": "..."} here (stdout), besides stderr */
extern FILE *log_json_errors;

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
