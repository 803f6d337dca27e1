/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: dp/tls/dtls_hello.c, what TURN over DTLS reads of a
 * datagram from a 5-tuple without a session (any sender can make one,
 * from any forged source): the ClientHello's cookie, its check, and the
 * HelloVerifyRequest built from what was read; and DTLS-SRTP's walk of
 * the rest of the ClientHello to use_srtp (dtls_hello_srtp()).
 *
 * The input is the datagram, from a heap copy of exactly its size (a read
 * past it is caught). Besides memory errors and undefined behaviour, the
 * target aborts on a broken promise of dtls_hello.h: an accepted
 * ClientHello's cookie lies inside the datagram, after the record and
 * handshake headers and within the record's length; a refusal has a
 * name; the HelloVerifyRequest is exactly DTLS_HVR_LEN long and is itself
 * no ClientHello; a cookie we did not make for this 5-tuple is refused;
 * the ClientHello's body lies inside the record; use_srtp's verdict has a
 * name, says OK only with a profile in common and no MKI, and with one
 * profile offered says OK exactly when the client offers that one. Every
 * input is also read as a datagram into a handshake under way
 * (dtls_hs_msg_longest()), and as a ClientHello cut into records
 * (dtls_hello_reassemble()): its verdict is the parse's but for a
 * FRAGMENT, which it may make whole (or find a whole message the parse
 * refuses: never one that is no ClientHello); a whole one lies in its
 * buffer, the message's length within it, and reads as the parse reads
 * it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls_hello.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dtls_cookie_key key;
static bool key_ok;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t a[16] = { 192, 0, 2, 1 }, b[16] = { 198, 51, 100, 7 };
	uint8_t *p = malloc(size > 0 ? size : 1), peer[DTLS_PEER_LEN];
	uint8_t cookie[DTLS_COOKIE_LEN], hvr[DTLS_HVR_LEN];
	struct dtls_hello h, h2;
	enum dtls_hello_rc rc;

	CHECK(p != NULL);
	if (!key_ok) {
		CHECK(dtls_cookie_key_init(&key, NULL, 1000) == 0);
		key_ok = true;
	}
	memcpy(p, data, size);
	/* any datagram into a handshake under way: its messages' lengths */
	CHECK(dtls_hs_msg_longest(p, size) <= 0xffffffu &&
	      (size >= DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN || dtls_hs_msg_longest(p, size) == 0));
	rc = dtls_hello_parse(p, size, &h);
	CHECK(dtls_hello_rc_str(rc)[0] != '?');
	{
		static uint8_t whole[DTLS_HELLO_WHOLE_MAX];
		enum dtls_hello_rc rw = dtls_hello_reassemble(p, size, whole, sizeof(whole), &h2);

		CHECK(dtls_hello_rc_str(rw)[0] != '?');
		CHECK(rw == rc || (rc == DTLS_HELLO_FRAGMENT && rw != DTLS_HELLO_NOT_HANDSHAKE &&
				   rw != DTLS_HELLO_NOT_CH));
		if (rc == DTLS_HELLO_FRAGMENT && rw == DTLS_HELLO_OK) {
			size_t wlen = DTLS_REC_HDR_LEN + ((size_t)whole[11] << 8 | whole[12]);
			struct dtls_hello h3;

			CHECK(wlen <= sizeof(whole));
			CHECK(h2.body == whole + DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN);
			CHECK(h2.body + h2.body_len == whole + wlen);
			CHECK(dtls_hello_parse(whole, wlen, &h3) == DTLS_HELLO_OK);
			CHECK(dtls_hello_srtp(&h2, DTLS_SRTP_ALL) == dtls_hello_srtp(&h3, DTLS_SRTP_ALL));
		}
	}
	if (rc == DTLS_HELLO_OK) {
		size_t rec_end = DTLS_REC_HDR_LEN + ((size_t)p[11] << 8 | p[12]);

		CHECK(rec_end <= size);
		CHECK(h.cookie >= p + DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN + 35);
		CHECK(h.cookie + h.cookie_len <= p + rec_end);
		dtls_cookie_peer(peer, 4, a, 40000, b, 5349);
		/* (the input cannot know the key's secret) */
		CHECK(!dtls_cookie_ok(&key, peer, h.cookie, h.cookie_len));
		CHECK(dtls_cookie_make(&key, peer, cookie) == 0);
		CHECK(dtls_cookie_ok(&key, peer, cookie, sizeof(cookie)));
		CHECK(dtls_hvr_build(hvr, sizeof(hvr), &h, cookie, sizeof(cookie)) ==
		      DTLS_HVR_LEN);
		CHECK(dtls_hello_parse(hvr, sizeof(hvr), &h2) == DTLS_HELLO_NOT_CH);
		CHECK(hvr[5] == (uint8_t)(h.rec_seq >> 40) && hvr[10] == (uint8_t)h.rec_seq);
		CHECK(h.body == p + DTLS_REC_HDR_LEN + DTLS_HS_HDR_LEN);
		CHECK(h.body + h.body_len <= p + rec_end);
		rc = dtls_hello_srtp(&h, DTLS_SRTP_ALL);
		CHECK(dtls_hello_rc_str(rc)[0] != '?');
		if (rc == DTLS_HELLO_OK) {
			unsigned int all = h.srtp;

			CHECK(all != 0 && (all & ~DTLS_SRTP_ALL) == 0 && h.srtp_mki_len == 0);
			CHECK(h.client_version <= 0xfefd);
			for (unsigned int bit = 1; bit <= DTLS_SRTP_ALL; bit <<= 1) {
				enum dtls_hello_rc r1 = dtls_hello_srtp(&h, bit);

				CHECK((r1 == DTLS_HELLO_OK) == ((all & bit) != 0));
				CHECK(r1 == DTLS_HELLO_OK || r1 == DTLS_HELLO_NO_PROFILE);
			}
		} else {
			CHECK(rc != DTLS_HELLO_NOT_HANDSHAKE && rc != DTLS_HELLO_NOT_CH &&
			      rc != DTLS_HELLO_FRAGMENT && rc != DTLS_HELLO_VERSION);
		}
	}
	free(p);
	return 0;
}
