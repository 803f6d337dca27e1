/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A medium's codecs as an offer/answer compares them: a payload type's
 * a=rtpmap read from the codec lines sdp_parse() kept (RFC 8866 section
 * 6.6), a key that an offer's and an answer's payload types share when
 * they name one codec (RFC 3264 section 6.1; a static payload type's
 * codec RFC 3551's table), and which codecs carry no
 * medium of their own (DTMF events, comfort noise, redundancy). See
 * sdp.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp_internal.h"

/* (sdp_rtpmap_of()'s %31[ reads what name[] holds) */
_Static_assert(SDP_ENC_NAME_MAX == 32u, "the encoding name's sscanf width");

int
sdp_rtpmap_of(const struct sdp_media *md, unsigned int pt, struct sdp_rtpmap *out)
{
	const char *s = md->codec;

	memset(out, 0, sizeof(*out));
	out->pt = (uint8_t)pt;
	out->channels = 1;
	if (pt > 127)
		return -EINVAL;
	while (*s != '\0') {
		unsigned int p, rate, ch = 1;
		char name[SDP_ENC_NAME_MAX];
		int n = sscanf(s, "a=rtpmap:%u %31[^/ \r\n]/%u/%u", &p, name, &rate, &ch);

		if (n >= 3 && p == pt) {
			if (rate == 0 || ch == 0 || ch > 255)
				return -EINVAL;
			snprintf(out->name, sizeof(out->name), "%s", name);
			out->rate = rate;
			out->channels = (uint8_t)ch;
			return 0;
		}
		s = strstr(s, "\r\n");
		if (s == NULL)
			break;
		s += 2;
	}
	return -ENOENT;
}

/* RFC 3551 section 6, tables 4 and 5: the static payload types' encodings
 * (name, clock rate, channels; 1 where the table gives none). */
static const struct {
	const char *name;
	uint32_t rate;
	uint8_t channels;
} static_pt[] = {
	[0] = { "PCMU", 8000, 1 },   [3] = { "GSM", 8000, 1 },     [4] = { "G723", 8000, 1 },
	[5] = { "DVI4", 8000, 1 },   [6] = { "DVI4", 16000, 1 },   [7] = { "LPC", 8000, 1 },
	[8] = { "PCMA", 8000, 1 },   [9] = { "G722", 8000, 1 },    [10] = { "L16", 44100, 2 },
	[11] = { "L16", 44100, 1 },  [12] = { "QCELP", 8000, 1 },  [13] = { "CN", 8000, 1 },
	[14] = { "MPA", 90000, 1 },  [15] = { "G728", 8000, 1 },   [16] = { "DVI4", 11025, 1 },
	[17] = { "DVI4", 22050, 1 }, [18] = { "G729", 8000, 1 },   [25] = { "CelB", 90000, 1 },
	[26] = { "JPEG", 90000, 1 }, [28] = { "nv", 90000, 1 },    [31] = { "H261", 90000, 1 },
	[32] = { "MPV", 90000, 1 },  [33] = { "MP2T", 90000, 1 },  [34] = { "H263", 90000, 1 },
};

uint32_t
sdp_codec_key(const struct sdp_rtpmap *c)
{
	/* FNV-1a (32 bits) of the name folded to lower case, the rate and
	 * the channels, kept off the numbers' keys (0..127) by the top bit */
	uint32_t h = 2166136261u;
	const char *name = c->name;
	uint32_t rate = c->rate;
	uint8_t channels = c->channels;

	/* a static payload type RFC 3551 assigns is its encoding whatever
	 * its a=rtpmap says (one writes G722/16000 for 9, and 9 answered to
	 * 9 is one codec), so 0 and a dynamic PCMU/8000 are one codec; a
	 * dynamic one (or one RFC 3551 leaves unassigned) is its a=rtpmap's,
	 * without one its number alone (RFC 8866 wants one) */
	if (c->pt < sizeof(static_pt) / sizeof(static_pt[0]) && static_pt[c->pt].name != NULL) {
		name = static_pt[c->pt].name;
		rate = static_pt[c->pt].rate;
		channels = static_pt[c->pt].channels;
	} else if (name[0] == '\0') {
		return c->pt;
	}

	uint8_t tail[5] = { (uint8_t)(rate >> 24), (uint8_t)(rate >> 16), (uint8_t)(rate >> 8),
			    (uint8_t)rate, channels };

	for (const char *p = name; *p != '\0'; p++) {
		char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		h = (h ^ (uint8_t)ch) * 16777619u;
	}
	h = (h ^ '/') * 16777619u;
	for (unsigned int i = 0; i < sizeof(tail); i++)
		h = (h ^ tail[i]) * 16777619u;
	return h | 0x80000000u;
}

bool
sdp_codec_supplemental(const struct sdp_rtpmap *c)
{
	/* RFC 4733's events, RFC 3389's comfort noise (static 13), RFC
	 * 2198's redundancy (another codec's payloads) */
	if (c->name[0] == '\0')
		return c->pt == 13;
	return strcasecmp(c->name, "telephone-event") == 0 || strcasecmp(c->name, "CN") == 0 ||
	       strcasecmp(c->name, "red") == 0;
}

void
sdp_rtpmap_put(struct sdp_wbuf *w, const struct sdp_rtpmap *c)
{
	sdp_put(w, "%u", c->pt);
	if (c->name[0] == '\0')
		return;
	sdp_put(w, " %s/%u", c->name, c->rate);
	if (c->channels != 1)
		sdp_put(w, "/%u", c->channels);
}
