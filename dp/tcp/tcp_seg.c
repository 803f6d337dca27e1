/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp/tcp segment headers: parse a header and its options into struct
 * tcp_seg, refusing bad data offsets and option lengths that cannot be
 * walked (under 2, or past the header: RFC 9293 §3.2, MUST-7: such a
 * length must not be trusted); an option we know with a length it cannot
 * have is skipped by its length like one we do not know (MUST-64) and
 * counted in s->bad_opts, the segment kept; and
 * write a header with the options we send (MSS, window scale, SACK
 * permitted, timestamps, SACK blocks; RFC 9293 §3.2, RFC 7323 §2-3,
 * RFC 2018 §2-3). Pure byte-buffer code: no mbufs, no state.
 */
#include <string.h>

#include "tcp.h"
#include "tp_common.h"

static enum tcp_parse_err
parse_opts(const uint8_t *p, size_t n, struct tcp_seg *s)
{
	size_t i = 0;

	while (i < n) {
		uint8_t kind = p[i], olen;

		if (kind == TCP_OPT_EOL)
			break;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return TCP_PARSE_BAD_OPT;
		olen = p[i + 1];
		if (olen < 2 || i + olen > n)
			return TCP_PARSE_BAD_OPT;
		switch (kind) {
		case TCP_OPT_MSS:
			if (olen != 4) {
				s->bad_opts++;
				break;
			}
			s->mss = tp_rd16(p + i + 2);
			s->opts |= TCP_OPT_F_MSS;
			break;
		case TCP_OPT_WS:
			if (olen != 3) {
				s->bad_opts++;
				break;
			}
			/* RFC 7323 §2.3: a shift over 14 is used as 14. */
			s->wscale = p[i + 2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : p[i + 2];
			s->opts |= TCP_OPT_F_WS;
			break;
		case TCP_OPT_SACKOK:
			if (olen != 2) {
				s->bad_opts++;
				break;
			}
			s->opts |= TCP_OPT_F_SACKOK;
			break;
		case TCP_OPT_TS:
			if (olen != 10) {
				s->bad_opts++;
				break;
			}
			s->tsval = tp_rd32(p + i + 2);
			s->tsecr = tp_rd32(p + i + 6);
			s->opts |= TCP_OPT_F_TS;
			break;
		case TCP_OPT_SACK:
			/* RFC 2018 §3: 2 + 8n bytes; 40 bytes of options hold
			 * at most 4 blocks. */
			if (olen < 10 || (olen - 2) % 8 != 0) {
				s->bad_opts++;
				break;
			}
			s->nsack = (uint8_t)((olen - 2) / 8);
			for (unsigned int b = 0; b < s->nsack; b++) {
				s->sack[b].left = tp_rd32(p + i + 2 + 8 * b);
				s->sack[b].right = tp_rd32(p + i + 6 + 8 * b);
			}
			s->opts |= TCP_OPT_F_SACK;
			break;
		default:
			break;           /* unknown, well formed: skipped */
		}
		i += olen;
	}
	return TCP_PARSE_OK;
}

enum tcp_parse_err
tcp_seg_parse(const uint8_t *p, size_t len, struct tcp_seg *s)
{
	size_t off;

	memset(s, 0, offsetof(struct tcp_seg, sack));
	if (len < TCP_HDR_LEN)
		return TCP_PARSE_SHORT;
	off = (size_t)(p[12] >> 4) * 4u;
	if (off < TCP_HDR_LEN || off > len)
		return TCP_PARSE_BAD_OFF;
	s->sport = tp_rd16(p);
	s->dport = tp_rd16(p + 2);
	s->seq = tp_rd32(p + 4);
	s->ack = tp_rd32(p + 8);
	s->flags = p[13] & 0x3fu;
	s->wnd = tp_rd16(p + 14);
	s->hdr_len = (uint8_t)off;
	s->len = (uint32_t)(len - off);
	return parse_opts(p + TCP_HDR_LEN, off - TCP_HDR_LEN, s);
}

size_t
tcp_opts_len(const struct tcp_opts_out *o)
{
	size_t n = 0;

	if (o->opts & TCP_OPT_F_MSS)
		n += 4;
	if (o->opts & TCP_OPT_F_TS)
		n += 12;                 /* (NOP NOP | SACKOK) TS */
	else if (o->opts & TCP_OPT_F_SACKOK)
		n += 4;                  /* NOP NOP SACKOK */
	if (o->opts & TCP_OPT_F_WS)
		n += 4;                  /* NOP WS */
	if ((o->opts & TCP_OPT_F_SACK) && o->nsack > 0)
		n += 4 + 8u * o->nsack;  /* NOP NOP SACK */
	return n;
}

size_t
tcp_seg_build(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq,
	      uint32_t ack, uint8_t flags, uint16_t wnd,
	      const struct tcp_opts_out *o)
{
	uint8_t *q = p + TCP_HDR_LEN;
	size_t hl;

	if (o != NULL) {
		if (o->opts & TCP_OPT_F_MSS) {
			*q++ = TCP_OPT_MSS;
			*q++ = 4;
			tp_wr16(q, o->mss);
			q += 2;
		}
		if (o->opts & TCP_OPT_F_TS) {
			if (o->opts & TCP_OPT_F_SACKOK) {
				*q++ = TCP_OPT_SACKOK;
				*q++ = 2;
			} else {
				*q++ = TCP_OPT_NOP;
				*q++ = TCP_OPT_NOP;
			}
			*q++ = TCP_OPT_TS;
			*q++ = 10;
			tp_wr32(q, o->tsval);
			tp_wr32(q + 4, o->tsecr);
			q += 8;
		} else if (o->opts & TCP_OPT_F_SACKOK) {
			*q++ = TCP_OPT_NOP;
			*q++ = TCP_OPT_NOP;
			*q++ = TCP_OPT_SACKOK;
			*q++ = 2;
		}
		if (o->opts & TCP_OPT_F_WS) {
			*q++ = TCP_OPT_NOP;
			*q++ = TCP_OPT_WS;
			*q++ = 3;
			*q++ = o->wscale;
		}
		if ((o->opts & TCP_OPT_F_SACK) && o->nsack > 0) {
			unsigned int nb = o->nsack > TCP_MAX_SACK ? TCP_MAX_SACK : o->nsack;

			*q++ = TCP_OPT_NOP;
			*q++ = TCP_OPT_NOP;
			*q++ = TCP_OPT_SACK;
			*q++ = (uint8_t)(2 + 8 * nb);
			for (unsigned int b = 0; b < nb; b++) {
				tp_wr32(q, o->sack[b].left);
				tp_wr32(q + 4, o->sack[b].right);
				q += 8;
			}
		}
	}
	hl = (size_t)(q - p);
	tp_wr16(p, sport);
	tp_wr16(p + 2, dport);
	tp_wr32(p + 4, seq);
	tp_wr32(p + 8, ack);
	p[12] = (uint8_t)((hl / 4) << 4);
	p[13] = flags;
	tp_wr16(p + 14, wnd);
	p[16] = p[17] = 0;           /* checksum: the caller's */
	p[18] = p[19] = 0;           /* urgent pointer: never sent */
	return hl;
}
