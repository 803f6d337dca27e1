/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The X1 writer (x1.h): an X1Response, or an X1TopLevelErrorResponse, as
 * text into the caller's buffer, each response message whole or the
 * writer's error set (-ENOSPC), never past the buffer's size. One layout:
 * the X1 namespace as default, TS 103 280's as "etsi280", XSI for the
 * messages' xsi:type. Text is escaped; a byte XML 1.0 cannot carry (a
 * control character) sets -EINVAL rather than being written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "x1.h"

enum { W_MSGS, W_ALL_TASKS, W_ALL_DESTS };

static const char *const delivery_names[] = {
	[X1_DELIVERY_X2_ONLY] = "X2Only",
	[X1_DELIVERY_X3_ONLY] = "X3Only",
	[X1_DELIVERY_X2_AND_X3] = "X2andX3",
};

/* Appends raw text (a format); the first overflow sets -ENOSPC and leaves
 * len where it was, so nothing half-written follows a good part. */
static void
put(struct x1_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
put(struct x1_w *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->err != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->size - w->len) {
		w->err = -ENOSPC;
		return;
	}
	w->len += (size_t)n;
}

/* Appends s escaped as element text. */
static void
put_text(struct x1_w *w, const char *s)
{
	for (; *s != '\0' && w->err == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			put(w, "&amp;");
		else if (c == '<')
			put(w, "&lt;");
		else if (c == '>')
			put(w, "&gt;");
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			w->err = -EINVAL;
		else
			put(w, "%c", c);
	}
}

static void
put_el(struct x1_w *w, const char *name, const char *text)
{
	put(w, "<%s>", name);
	put_text(w, text);
	put(w, "</%s>", name);
}

void
x1_uuid_format(const uint8_t in[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 15];
	}
	out[o] = '\0';
}

static void
put_uuid(struct x1_w *w, const char *name, const uint8_t id[16])
{
	char s[37];

	x1_uuid_format(id, s);
	put(w, "<%s>%s</%s>", name, s, name);
}

/* QualifiedMicrosecondDateTime in UTC: 2026-11-30T10:00:00.000000Z */
static void
put_time(struct x1_w *w, const char *name, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	int64_t frac = us % 1000000;
	struct tm tm;

	if (frac < 0) {
		frac += 1000000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL) {
		w->err = -EINVAL;
		return;
	}
	put(w, "<%s>%04d-%02d-%02dT%02d:%02d:%02d.%06dZ</%s>", name, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac, name);
}

static void
put_addr(struct x1_w *w, int family, const uint8_t *a)
{
	int i;

	if (family == 4) {
		put(w, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	for (i = 0; i < 8; i++)
		put(w, "%s%02x%02x", i > 0 ? ":" : "", a[2 * i], a[2 * i + 1]);
}

static void
put_delivery(struct x1_w *w, enum x1_delivery d)
{
	if (d < X1_DELIVERY_X2_ONLY || d > X1_DELIVERY_X2_AND_X3) {
		w->err = -EINVAL;
		return;
	}
	put(w, "<deliveryType>%s</deliveryType>", delivery_names[d]);
}

/* §6.1: a response message's header; x1TransactionId when h->txid. */
static void
open_msg(struct x1_w *w, const struct x1_resp_hdr *h, const char *type)
{
	put(w, "<x1ResponseMessage xsi:type=\"%s\">", type);
	put_el(w, "admfIdentifier", h->admf);
	put_el(w, "neIdentifier", h->ne);
	put_time(w, "messageTimestamp", h->now_us);
	put(w, "<version>%s</version>", X1_VERSION);
	if (h->txid != NULL)
		put_uuid(w, "x1TransactionId", h->txid);
}

void
x1_w_init(struct x1_w *w, char *buf, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->size = size;
	if (buf == NULL || size == 0) {
		w->err = -ENOSPC;
		return;
	}
	buf[0] = '\0';
	put(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<X1Response xmlns=\"%s\" xmlns:etsi280=\"%s\" xmlns:xsi=\"%s\">",
	    X1_NS, X1_NS_280, X1_NS_XSI);
}

void
x1_w_ok(struct x1_w *w, const struct x1_resp_hdr *h, enum x1_op op)
{
	char type[64];

	if (x1_op_name(op) == NULL || w->state != W_MSGS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	snprintf(type, sizeof(type), "%sResponse", x1_op_name(op));
	open_msg(w, h, type);
	put(w, "<oK>AcknowledgedAndCompleted</oK></x1ResponseMessage>");
}

void
x1_w_error(struct x1_w *w, const struct x1_resp_hdr *h, enum x1_op op, int code,
	   const char *text)
{
	if (x1_op_name(op) == NULL || w->state != W_MSGS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	if (text == NULL)
		text = x1_err_text(code) != NULL ? x1_err_text(code) : "";
	open_msg(w, h, "ErrorResponse");
	put(w, "<requestMessageType>%s</requestMessageType>", x1_op_name(op));
	put(w, "<errorInformation><errorCode>%d</errorCode>", code);
	put_el(w, "errorDescription", text);
	put(w, "</errorInformation></x1ResponseMessage>");
}

/* One targetIdentifier, in the form x1_read() reads it. */
static void
put_target(struct x1_w *w, const struct x1_target *t)
{
	put(w, "<targetIdentifier>");
	switch (t->kind) {
	case X1_T_NAI:
		put_el(w, "nai", t->nai);
		break;
	case X1_T_IPV4:
		put(w, "<ipv4Address>");
		put_addr(w, 4, t->addr);
		put(w, "</ipv4Address>");
		break;
	case X1_T_IPV6:
		put(w, "<ipv6Address>");
		put_addr(w, 6, t->addr);
		put(w, "</ipv6Address>");
		break;
	case X1_T_IPV4_CIDR:
		put(w, "<ipv4Cidr><etsi280:IPv4CIDR>");
		put_addr(w, 4, t->addr);
		put(w, "/%u</etsi280:IPv4CIDR></ipv4Cidr>", t->prefix);
		break;
	case X1_T_IPV6_CIDR:
		put(w, "<ipv6Cidr>");
		put_addr(w, 6, t->addr);
		put(w, "/%u</ipv6Cidr>", t->prefix);
		break;
	case X1_T_IMS_T3:
		/* 3GPP's LI_T3 trigger (docs/design/li.md §2.7), in the
		 * namespace of the release turnpike was written against */
		put(w, "<targetIdentifierExtension><Owner>3GPP</Owner>"
		    "<t3:IMST3TargetIdentifierExtensions xmlns:t3=\"%s\">"
		    "<t3:IMST3TargetIdentifierExtension><t3:H248ContextID>%u</t3:H248ContextID>"
		    "</t3:IMST3TargetIdentifierExtension>", X1_NS_3GPP, t->h248_ctx);
		if (t->t3_dir != X1_T3_DIR_NONE)
			put(w, "<t3:IMST3TargetIdentifierExtension><t3:PayloadDirectionAssignment>"
			    "%s</t3:PayloadDirectionAssignment></t3:IMST3TargetIdentifierExtension>",
			    t->t3_dir == X1_T3_DIR_TO_TARGET ? "ToTarget" :
			    t->t3_dir == X1_T3_DIR_FROM_TARGET ? "FromTarget" : "NotDetermined");
		if (t->t3_scope != X1_T3_SCOPE_NONE)
			put(w, "<t3:IMST3TargetIdentifierExtension><t3:TriggerScope>%s"
			    "</t3:TriggerScope></t3:IMST3TargetIdentifierExtension>",
			    t->t3_scope == X1_T3_SCOPE_UNI ? "Unidirectional" : "Bidirectional");
		put(w, "</t3:IMST3TargetIdentifierExtensions></targetIdentifierExtension>");
		break;
	default:
		w->err = -EINVAL;	/* never stored, never written */
		break;
	}
	put(w, "</targetIdentifier>");
}

/* §6.2.1.2 TaskDetails, in the schema's order. */
static void
put_task(struct x1_w *w, const struct x1_task *t)
{
	unsigned int i;

	put(w, "<taskDetails>");
	put_uuid(w, "xId", t->xid);
	put(w, "<targetIdentifiers>");
	for (i = 0; i < t->n_targets && i < X1_TARGETS_MAX; i++)
		put_target(w, &t->targets[i]);
	put(w, "</targetIdentifiers>");
	put_delivery(w, t->delivery);
	put(w, "<listOfDIDs>");
	for (i = 0; i < t->n_dids && i < X1_DIDS_MAX; i++)
		put_uuid(w, "dId", t->dids[i]);
	put(w, "</listOfDIDs>");
	if (t->has_corr)
		put(w, "<correlationID>%llu</correlationID>", (unsigned long long)t->corr);
	if (t->implicit_deactivation >= 0)
		put(w, "<implicitDeactivationAllowed>%s</implicitDeactivationAllowed>",
		    t->implicit_deactivation ? "true" : "false");
	if (t->has_product)
		put_uuid(w, "productID", t->product);
	put(w, "</taskDetails>");
}

static void
put_faults(struct x1_w *w, unsigned int n, const int *codes, const char *const *texts)
{
	unsigned int i;

	put(w, "<listOfFaults>");
	for (i = 0; i < n; i++) {
		put(w, "<unresolvedFault><errorCode>%d</errorCode>", codes[i]);
		put_el(w, "errorDescription", texts[i] != NULL ? texts[i] : "");
		put(w, "</unresolvedFault>");
	}
	put(w, "</listOfFaults>");
}

/* §6.4.2.2 TaskStatus. */
static void
put_status(struct x1_w *w, const struct x1_task_status *st)
{
	put(w, "<taskStatus>");
	put_el(w, "provisioningStatus", st->provisioning != NULL ? st->provisioning : "complete");
	put_faults(w, st->n_faults, st->fault_codes, st->fault_texts);
	if (st->last_intercept_us != 0)
		put_time(w, "timeOfLastIntercept", st->last_intercept_us);
	if (st->x2_pdus >= 0)
		put(w, "<amountOfX2Data>%lld</amountOfX2Data>", (long long)st->x2_pdus);
	if (st->x3_pdus >= 0)
		put(w, "<amountOfX3Data>%lld</amountOfX3Data>", (long long)st->x3_pdus);
	if (st->last_modified_us != 0)
		put_time(w, "timeOfLastModification", st->last_modified_us);
	if (st->n_modifications >= 0)
		put(w, "<numberOfModifications>%lld</numberOfModifications>",
		    (long long)st->n_modifications);
	put(w, "</taskStatus>");
}

static void
put_task_response(struct x1_w *w, const struct x1_task *t, const struct x1_task_status *st)
{
	put(w, "<taskResponseDetails>");
	put_task(w, t);
	put_status(w, st);
	put(w, "</taskResponseDetails>");
}

void
x1_w_task(struct x1_w *w, const struct x1_resp_hdr *h, const struct x1_task *t,
	  const struct x1_task_status *st)
{
	if (w->state != W_MSGS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	open_msg(w, h, "GetTaskDetailsResponse");
	put_task_response(w, t, st);
	put(w, "</x1ResponseMessage>");
}

void
x1_w_all_begin(struct x1_w *w, const struct x1_resp_hdr *h, bool ne_ok)
{
	if (w->state != W_MSGS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	open_msg(w, h, "GetAllDetailsResponse");
	put(w, "<neStatusDetails><neStatus>%s</neStatus><listOfFaults/></neStatusDetails>",
	    ne_ok ? "OK" : "Faults");
	put(w, "<listOfTaskResponseDetails>");
	w->state = W_ALL_TASKS;
}

void
x1_w_all_task(struct x1_w *w, const struct x1_task *t, const struct x1_task_status *st)
{
	if (w->state != W_ALL_TASKS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	put_task_response(w, t, st);
}

/* §6.3.1.2 DestinationDetails and §6.4.3.2 DestinationStatus. */
void
x1_w_all_dest(struct x1_w *w, const struct x1_dest *d, bool working, unsigned int n_faults,
	      const int *fault_codes, const char *const *fault_texts)
{
	if (w->state == W_ALL_TASKS) {
		put(w, "</listOfTaskResponseDetails><listOfDestinationResponseDetails>");
		w->state = W_ALL_DESTS;
	}
	if (w->state != W_ALL_DESTS || !d->ip_port) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	put(w, "<destinationResponseDetails><destinationDetails>");
	put_uuid(w, "dId", d->did);
	if (d->has_friendly)
		put_el(w, "friendlyName", d->friendly);
	put_delivery(w, d->delivery);
	put(w, "<deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:%s>",
	    d->family == 4 ? "IPv4Address" : "IPv6Address");
	put_addr(w, d->family, d->addr);
	put(w, "</etsi280:%s></etsi280:address><etsi280:port><etsi280:%s>%u</etsi280:%s>"
	    "</etsi280:port></ipAddressAndPort></deliveryAddress></destinationDetails>",
	    d->family == 4 ? "IPv4Address" : "IPv6Address", d->tcp ? "TCPPort" : "UDPPort",
	    d->port, d->tcp ? "TCPPort" : "UDPPort");
	put(w, "<destinationStatus><destinationDeliveryStatus>%s</destinationDeliveryStatus>",
	    working ? "activeAndWorking" : "deliveryFault");
	put_faults(w, n_faults, fault_codes, fault_texts);
	put(w, "</destinationStatus></destinationResponseDetails>");
}

void
x1_w_all_end(struct x1_w *w)
{
	if (w->state == W_ALL_TASKS) {
		put(w, "</listOfTaskResponseDetails><listOfDestinationResponseDetails>");
		w->state = W_ALL_DESTS;
	}
	if (w->state != W_ALL_DESTS) {
		w->err = w->err != 0 ? w->err : -EINVAL;
		return;
	}
	put(w, "</listOfDestinationResponseDetails></x1ResponseMessage>");
	w->state = W_MSGS;
}

int
x1_w_end(struct x1_w *w)
{
	if (w->state != W_MSGS && w->err == 0)
		w->err = -EINVAL;
	put(w, "</X1Response>\n");
	if (w->err != 0)
		return w->err;
	return (int)w->len;
}

int
x1_w_top_error(char *buf, size_t size, const struct x1_resp_hdr *h)
{
	struct x1_w w;

	memset(&w, 0, sizeof(w));
	w.buf = buf;
	w.size = size;
	if (buf == NULL || size == 0)
		return -ENOSPC;
	put(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<X1TopLevelErrorResponse xmlns=\"%s\">", X1_NS);
	put_el(&w, "admfIdentifier", h->admf);
	put_el(&w, "neIdentifier", h->ne);
	put_time(&w, "messageTimestamp", h->now_us);
	put(&w, "<version>%s</version></X1TopLevelErrorResponse>\n", X1_VERSION);
	return w.err != 0 ? w.err : (int)w.len;
}
