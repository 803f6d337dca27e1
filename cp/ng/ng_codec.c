/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The codecs of a call's RTP sections (FEATURE.md "Codecs"): what an
 * offer gave its receiver, kept with the stream, and an answer's section
 * held to it. turnpike relays payloads as they come (no transcoding), so
 * an answer whose payload types name none of the codecs offered
 * (RFC 3264 section 6.1: one codec by its name, rate and channels
 * whatever its number, RFC 3551's for a static payload type, a=rtpmap's
 * for a dynamic one: lib/sdp's sdp_codec_key()) would
 * give each side media it cannot decode: it is refused before anything
 * changes. DTMF events, comfort noise and redundancy alone in common
 * count as none: no voice would flow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ng_internal.h"

/* md's payload types, each "<pt>[ <name>/<rate>]", ", " between, into w. */
static void
list_put(struct sdp_wbuf *w, const struct sdp_media *md)
{
	for (unsigned int i = 0; i < md->npt; i++) {
		struct sdp_rtpmap c;

		(void)sdp_rtpmap_of(md, md->pt[i], &c);
		if (i > 0)
			sdp_put(w, ", ");
		sdp_rtpmap_put(w, &c);
	}
}

/* w's text, "..." at its end when it did not fit. */
static void
list_end(struct sdp_wbuf *w)
{
	if (w->over && w->size >= 4)
		memcpy(w->p + w->size - 4, "...", 4);
}

void
ng_codecs_offered(struct ng_codecs *oc, const struct sdp_media *md)
{
	struct sdp_wbuf w;

	memset(oc, 0, sizeof(*oc));
	for (unsigned int i = 0; i < md->npt && i < SDP_PT_MAX; i++) {
		struct sdp_rtpmap c;

		(void)sdp_rtpmap_of(md, md->pt[i], &c);
		oc->key[i] = sdp_codec_key(&c);
		oc->supp |= sdp_codec_supplemental(&c) ? 1u << i : 0;
	}
	oc->n = md->npt;
	sdp_wbuf_init(&w, oc->text, sizeof(oc->text));
	list_put(&w, md);
	list_end(&w);
}

int
ng_codecs_answer(const struct ng_codecs *oc, unsigned int i, const struct sdp_media *md,
		 char *err, size_t errlen)
{
	char ans[NG_CODECS_TEXT_MAX];
	struct sdp_wbuf w;

	/* (a section offered without payload types: nothing to hold it to) */
	if (oc->n == 0)
		return 0;
	for (unsigned int a = 0; a < md->npt; a++) {
		struct sdp_rtpmap c;
		uint32_t key;

		(void)sdp_rtpmap_of(md, md->pt[a], &c);
		if (sdp_codec_supplemental(&c))
			continue;
		key = sdp_codec_key(&c);
		for (unsigned int k = 0; k < oc->n; k++)
			if (oc->key[k] == key && !(oc->supp & (1u << k)))
				return 0;
	}
	sdp_wbuf_init(&w, ans, sizeof(ans));
	list_put(&w, md);
	list_end(&w);
	snprintf(err, errlen, "No codec in common: the answer's m=%s (section %u) has %s, the "
		 "offer had %s (turnpike does not transcode; RFC 3264 section 6.1)",
		 md->media_str, i + 1, ans, oc->text);
	return -EINVAL;
}
