/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's X1 door (li_http.c): HTTPS with mutual TLS, served from cp's
 * loop. Only a client whose certificate chains to client_ca, carries
 * clientAuth and names admf_id (or cctf_id: the CC-TF's triggers,
 * docs/design/li.md §2.7) gets past the TLS handshake.
 */
#ifndef CP_LI_HTTP_H
#define CP_LI_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "li_types.h"

struct cp_li_http_conf {
	const char *listen;           /* "IP:PORT" or "[v6]:PORT" */
	const char *cert, *key;       /* PEM files: ours */
	const char *client_ca;        /* PEM: what the ADMF's certificate chains to */
	const char *admf_id;          /* li.x1.admf_id: the name its certificate carries */
	const char *cctf_id;          /* li.x1.cctf_id: the CC-TF's (NULL, "": none) */
};

struct cp_li_http;

/* The listener open, answering with li (which outlives it). NULL with
 * errno (EINVAL, EACCES a file, EADDRNOTAVAIL, ENOMEM) and err. */
struct cp_li_http *cp_li_http_open(struct cp_li *li, const struct cp_li_http_conf *conf,
				   char *err, size_t errlen);
void cp_li_http_close(struct cp_li_http *h);
/* The descriptor cp polls (readable: call serve). */
int cp_li_http_fd(const struct cp_li_http *h);
/* What is ready served, never waiting; ms until it wants to be called
 * again (at most 1000). */
uint64_t cp_li_http_serve(struct cp_li_http *h);

#endif /* CP_LI_HTTP_H */
