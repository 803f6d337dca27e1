/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: an ng request as cp/ng reads it after the cookie: the
 * bencode (lib/bencode), the request (cp/ng/ng_req.c), its SDP
 * (cp/ng/ng_sdp.c over lib/sdp), and the SDP rewritten as an offer's
 * would be, from a heap copy of exactly the input's size.
 *
 * Besides memory errors and undefined behaviour, it aborts on a broken
 * promise: a refusal is -EINVAL or -ENOTSUP with a sentence; a request
 * read has a command, NUL-terminated names, an SDP inside the input; a
 * description read and rewritten (every relayed section given our
 * address, ports and, for SDES, one key, for DTLS-SRTP our fingerprint,
 * setup and tls-id) reads back with as many sections, ours in each
 * relayed one and none of the sender's ICE or DTLS lines; a section may
 * go on unanchored only without
 * media or when it is not RTP (ng_sdp_may_pass()); BUNDLE as read holds
 * to its rules (each section's group names its mid, a mid names one
 * section), and a group turnpike would bundle (ng_sdp_bundle_check()
 * taking it, bundle=accept's rule) has mids that fit the MID extension's
 * one-byte form, a refusal of it being SDP_E_BUNDLE with a sentence; a
 * rewrite given no group of ours that relays a section carries none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bencode.h"
#include "fuzz_check.h"
#include "ng_req.h"
#include "ng_sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char acc[2][32] = { "access", "internal" };
static const char core[2][32] = { "core", "external" };
static const struct ng_names names = { 2, 2, acc, core };

static struct bc_node nodes[NG_NODES_MAX];
static struct ng_sdp in, back;
static char out[NG_SDP_SIZE_MAX * 2];

static void
rewrite(void)
{
	struct ng_sdp_rewrite rw;
	struct sdp_crypto cl;
	struct sdp_candidate cand[NG_SDP_MEDIA_MAX][2];
	struct sdp_webrtc_ours ice[NG_SDP_MEDIA_MAX];
	static const struct certfp fp = { .alg = CERTFP_SHA256, .len = 32, .md = { 0x5a } };
	bool relayed;
	int n, rc;

	memset(&rw, 0, sizeof(rw));
	memset(&cl, 0, sizeof(cl));
	cl.tag = 1;
	cl.suite = SDP_SUITE_AES_CM_128_HMAC_SHA1_80;
	cl.key_len = 30;
	memset(cl.key, 0xa5, 30);
	rw.flags = NG_SDP_ICE_REMOVE | NG_SDP_REPLACE_ORIGIN | NG_SDP_REPLACE_SESS_C;
	rw.nmedia = in.nmedia;
	for (unsigned int i = 0; i < in.nmedia; i++) {
		struct ng_sdp_out_media *o = &rw.media[i];
		static const char pass[][NG_SDP_NAME_MAX] = { "TCP/MSRP", "UDP/DTLS/SCTP" };
		char err[256];

		/* what may go on as it came: no media, or not RTP and named; an
		 * RTP section never (a refusal says why) */
		rc = ng_sdp_may_pass(&in, i, pass, 2, err, sizeof(err));
		CHECK(rc == 0 || (rc == -EPROTONOSUPPORT && err[0] != '\0'));
		CHECK(rc != 0 || in.media[i].off || !in.media[i].rtp);
		CHECK(!in.media[i].off || rc == 0);
		if (!in.media[i].relay || in.media[i].m.port == 0) {
			o->keep = true;
			continue;
		}
		o->family = AF_INET;
		o->ip[0] = 192;
		o->ip[1] = 0;
		o->ip[2] = 2;
		o->ip[3] = 1;
		o->port = (uint16_t)(30000 + 2 * i);
		o->rtcp_port = (uint16_t)(30001 + 2 * i);
		o->rtcp_mux = in.media[i].m.rtcp_mux;
		if (in.media[i].m.proto == SDP_PROTO_RTP_SAVP ||
		    in.media[i].m.proto == SDP_PROTO_RTP_SAVPF) {
			o->crypto = &cl;
			o->ncrypto = 1;
		}
		/* ours (ICE-lite) where the sender had ICE, as ng_ice.c's
		 * default writes them; our DTLS lines on a DTLS-SRTP section,
		 * as ng_dtls.c's */
		memset(&ice[i], 0, sizeof(ice[i]));
		if (sdp_proto_dtls((enum sdp_proto)in.media[i].m.proto)) {
			ice[i].fp = &fp;
			ice[i].nfp = 1;
			ice[i].setup = SDP_SETUP_ACTPASS;
			ice[i].tls_id = "0123456789abcdef0123456789abcdef";
			o->webrtc = &ice[i];
		}
		if (in.media[i].m.ice.ufrag[0] != '\0') {
			rc = sdp_host_candidates(AF_INET, o->ip, o->port,
						 o->rtcp_mux ? 0 : o->rtcp_port, 65535, cand[i]);
			CHECK(rc == 1 || rc == 2);
			ice[i].ufrag = "OurUfrag";
			ice[i].pwd = "0123456789ABCDEFghijklmn";
			ice[i].cand = cand[i];
			ice[i].ncand = (unsigned int)rc;
			ice[i].end_of_candidates = true;
			o->webrtc = &ice[i];
		}
	}
	n = ng_sdp_rewrite(&in, &rw, out, sizeof(out));
	CHECK(n >= 0 || n == -ENOSPC || n == -EINVAL);
	if (n < 0) {
		CHECK(n != -ENOSPC || out[0] == '\0');
		return;
	}
	CHECK((size_t)n < sizeof(out) && out[n] == '\0');
	if ((size_t)n > NG_SDP_SIZE_MAX)
		return;
	rc = ng_sdp_read(out, (size_t)n, &back, NULL);
	CHECK(rc == 0 || rc == -E2BIG);
	if (rc < 0)
		return;
	CHECK(back.nmedia == in.nmedia);
	/* no group of ours given: a group goes with a relayed section */
	relayed = false;
	for (unsigned int i = 0; i < in.nmedia; i++)
		relayed = relayed || !rw.media[i].keep;
	CHECK(!relayed || back.ngroup == 0);
	for (unsigned int i = 0; i < in.nmedia; i++) {
		if (rw.media[i].keep)
			continue;
		CHECK(back.media[i].relay);
		CHECK(back.media[i].m.port == rw.media[i].port);
		/* ours read back as ours, none of the sender's left */
		CHECK(ice[i].ufrag == NULL ||
		      (strcmp(back.media[i].m.ice.ufrag, "OurUfrag") == 0 &&
		       strcmp(back.media[i].m.ice.pwd, ice[i].pwd) == 0 &&
		       back.media[i].ice_lite && back.media[i].m.ice.end_of_candidates));
		CHECK(ice[i].ufrag != NULL || back.media[i].m.ice.ufrag[0] == '\0');
		CHECK(ice[i].nfp == 0 ||
		      (back.media[i].m.nfp == 1 && certfp_equal(&back.media[i].m.fp[0], &fp) &&
		       back.media[i].m.setup == SDP_SETUP_ACTPASS &&
		       strcmp(back.media[i].m.tls_id, ice[i].tls_id) == 0));
		/* (the session's fingerprint and setup went with ours) */
		CHECK(ice[i].nfp != 0 ||
		      (back.media[i].m.nfp == 0 && back.media[i].m.setup == SDP_SETUP_NONE &&
		       back.media[i].m.tls_id[0] == '\0'));
		CHECK(back.media[i].m.addr.family == AF_INET);
		CHECK(memcmp(back.media[i].m.addr.ip, rw.media[i].ip, 4) == 0);
	}
}

/* BUNDLE as read: each section's group names its mid, a mid names one
 * section; a group turnpike's rules take (bundle=accept's) has bundled
 * mids of at most NG_SDP_BUNDLE_MID_MAX octets, a refusal says why. */
static void
bundled(void)
{
	struct sdp_error se;
	int rc = ng_sdp_bundle_check(&in, &se);

	CHECK(rc == 0 || ((rc == -EINVAL || rc == -E2BIG) && se.code == SDP_E_BUNDLE &&
			  se.msg[0] != '\0'));
	CHECK(in.ngroup <= SDP_GROUP_MAX);
	for (unsigned int i = 0; i < in.nmedia; i++) {
		const struct ng_sdp_media *md = &in.media[i];
		bool named = false;

		CHECK(md->bundle <= in.ngroup);
		CHECK(md->bundle == 0 || rc < 0 || strlen(md->mid) <= NG_SDP_BUNDLE_MID_MAX);
		for (unsigned int t = 0; md->bundle != 0 && t < in.group[md->bundle - 1].ntag; t++)
			named = named || strcmp(in.group[md->bundle - 1].tag[t], md->mid) == 0;
		CHECK(md->bundle == 0 || named);
		for (unsigned int j = 0; j < i && md->mid[0] != '\0'; j++)
			CHECK(strcmp(in.media[j].mid, md->mid) != 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct ng_req r;
	struct sdp_error se;
	char err[256];
	int n, rc;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	n = bc_parse(buf, size, nodes, NG_NODES_MAX, NG_DEPTH_MAX, NULL, NULL);
	if (n <= 0)
		goto out;
	err[0] = '\0';
	rc = ng_req_read(nodes, &nodes[0], &names, &r, err, sizeof(err));
	if (rc < 0) {
		CHECK(rc == -EINVAL || rc == -ENOTSUP);
		CHECK(err[0] != '\0');
		goto out;
	}
	CHECK(r.cmd > NG_CMD_NONE && r.cmd < NG_CMD__COUNT);
	CHECK(memchr(r.call_id, '\0', sizeof(r.call_id)) != NULL);
	CHECK(memchr(r.from_tag, '\0', sizeof(r.from_tag)) != NULL);
	CHECK(memchr(r.to_tag, '\0', sizeof(r.to_tag)) != NULL);
	if (r.sdp == NULL)
		goto out;
	CHECK(r.sdp >= buf && r.sdp + r.sdp_len <= buf + size);
	rc = ng_sdp_read(r.sdp, r.sdp_len, &in, &se);
	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	CHECK(rc == 0 || se.msg[0] != '\0');
	if (rc == 0)
		bundled();
	if (rc == 0)
		rewrite();
out:
	free(buf);
	return 0;
}
