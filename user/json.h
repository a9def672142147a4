/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer: the caller opens and closes objects and arrays, the writer
 * places commas, quotes keys and escapes strings. Output is compact except for a newline
 * after the top-level value.
 *
 *   struct json j; json_init(&j, stdout);
 *   json_obj(&j, NULL); json_str(&j, "name", "a\"b"); json_end(&j); json_finish(&j);
 */
#ifndef SCXE_JSON_H
#define SCXE_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE	*f;
	int	depth;
	bool	need_comma[JSON_MAX_DEPTH + 1];
	bool	is_obj[JSON_MAX_DEPTH + 1];
};

void json_init(struct json *j, FILE *f);
/* key is required inside an object and must be NULL inside an array or at the top. */
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_end(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* closes whatever is still open and ends the line */
void json_finish(struct json *j);
/* {"error": msg} as the whole output: how a --json command reports a failure on stdout */
void json_error(FILE *f, const char *msg);
/* write s as a JSON string literal, quotes included */
void json_write_string(FILE *f, const char *s);

#endif
