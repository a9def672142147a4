// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON writer; see json.h. */
#include <string.h>
#include "json.h"
#include "parse.h"

void json_init(struct json *j, FILE *f)
{
	*j = (struct json){ .f = f };
}

void json_write_string(FILE *f, const char *s)
{
	const unsigned char *end = (const unsigned char *)s + strlen(s);

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t l = utf8_seq_len(p, end - p);

		/* JSON text is UTF-8: a byte that is not (a path, a file's garbage) becomes U+FFFD */
		if (!l) {
			fputs("\\ufffd", f);
			continue;
		}
		if (l > 1) {
			fwrite(p, 1, l, f);
			p += l - 1;
			continue;
		}
		switch (*p) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			/* other control bytes have no short form */
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Comma and key before any value at the current level. */
static void begin_value(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (j->is_obj[j->depth]) {
		json_write_string(j->f, key ? key : "");
		fputc(':', j->f);
	}
}

static void open_level(struct json *j, const char *key, bool obj)
{
	begin_value(j, key);
	fputc(obj ? '{' : '[', j->f);
	if (j->depth < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
	j->is_obj[j->depth] = obj;
}

void json_obj(struct json *j, const char *key) { open_level(j, key, true); }
void json_arr(struct json *j, const char *key) { open_level(j, key, false); }

void json_end(struct json *j)
{
	if (!j->depth)
		return;
	fputc(j->is_obj[j->depth] ? '}' : ']', j->f);
	j->depth--;
}

void json_str(struct json *j, const char *key, const char *s)
{
	begin_value(j, key);
	json_write_string(j->f, s ? s : "");
}

void json_int(struct json *j, const char *key, long long v)
{
	begin_value(j, key);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	begin_value(j, key);
	fprintf(j->f, "%llu", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	begin_value(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->f);
}

void json_finish(struct json *j)
{
	while (j->depth)
		json_end(j);
	fputc('\n', j->f);
	fflush(j->f);
}

void json_error(FILE *f, const char *msg)
{
	struct json j;

	json_init(&j, f);
	json_obj(&j, NULL);
	json_str(&j, "error", msg);
	json_finish(&j);
}
