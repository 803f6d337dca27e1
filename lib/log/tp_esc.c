/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log's escapes (tp_esc.h): a log line's, a Prometheus label value's,
 * JSON text's UTF-8, and the UTF-8 test they and turnpikectl's
 * terminal-safe text share.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tp_esc.h"

size_t
tp_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (n < 2)
		return 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range shuts out overlong forms, surrogates and
	 * code points above U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (i >= n || p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* The well-formed character of len bytes at p is one a terminal or a log
 * viewer acts on (tp_esc.h's list). */
static bool
acts(const unsigned char *p, size_t len)
{
	if (len == 2)
		return p[0] == 0xc2 && p[1] <= 0x9f;             /* C1 */
	if (len != 3 || p[0] != 0xe2)
		return false;
	if (p[1] == 0x80)                                          /* U+2000-U+203F */
		return p[2] == 0x8e || p[2] == 0x8f ||            /* LRM, RLM */
		       (p[2] >= 0xa8 && p[2] <= 0xae);            /* LS, PS, LRE-RLO */
	return p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;     /* LRI-PDI */
}

size_t
tp_esc_log(char *out, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0;

	if (size == 0)
		return 0;
	while (i < len) {
		size_t n = 1;
		bool esc;

		if (p[i] < 0x80) {
			esc = p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\';
		} else {
			n = tp_utf8_len(p + i, len - i);
			esc = n == 0 || acts(p + i, n);
			if (n == 0)
				n = 1;
		}
		if (!esc) {
			if (o + n >= size)
				break;
			memcpy(out + o, p + i, n);
			o += n;
		} else {
			if (o + 4 * n >= size)
				break;
			for (size_t k = 0; k < n; k++) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[p[i + k] >> 4];
				out[o++] = hex[p[i + k] & 0xf];
			}
		}
		i += n;
	}
	out[o] = '\0';
	return o;
}

const char *
tp_esc_logs(const char *s, char *out, size_t size)
{
	if (s == NULL)
		s = "";
	tp_esc_log(out, size, s, strlen(s));
	return size > 0 ? out : "";
}

void
tp_esc_prom_label(FILE *f, const char *v)
{
	const unsigned char *p = (const unsigned char *)(v != NULL ? v : "");
	size_t left = strlen((const char *)p);

	while (left > 0) {
		size_t n = 1;

		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x80)
			fputc(*p, f);
		else if ((n = tp_utf8_len(p, left)) > 0)
			fwrite(p, 1, n, f);
		else
			fputs("\xef\xbf\xbd", f);      /* U+FFFD */
		if (n == 0)
			n = 1;
		p += n;
		left -= n;
	}
}

size_t
tp_esc_json_utf8_extra(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t extra = 0, i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
		} else if ((n = tp_utf8_len(p + i, len - i)) > 0) {
			i += n;
		} else {
			extra += 5;
			i++;
		}
	}
	return extra;
}

void
tp_esc_json_utf8(char *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)text;
	size_t o = 0, i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			out[o++] = (char)p[i++];
		} else if ((n = tp_utf8_len(p + i, len - i)) > 0) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[p[i] >> 4];
			out[o + 5] = hex[p[i] & 0xf];
			o += 6;
			i++;
		}
	}
}
