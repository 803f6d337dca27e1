/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/li's X1 (ETSI TS 103 221-1): the requests x1_read() gives as plain C
 * (no libxml2 type outside x1_read.c and x1_schema.c), the codes of
 * x1_errors.def, and what the writer needs to answer. Types only; the
 * functions are in x1.h.
 */
#ifndef TP_X1_TYPES_H
#define TP_X1_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X1_NS		"http://uri.etsi.org/03221/X1/2017/10"
#define X1_NS_280	"http://uri.etsi.org/03280/common/2017/07"
#define X1_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"
/* 3GPP's X1 extensions (TS 33.128's urn_3GPP_ns_li_3GPPX1Extensions.xsd):
 * the namespace is versioned by release ("...:r18:v6", "...:r19:v2"), so
 * its prefix is what is matched (docs/design/li.md §2.7, [impl]). */
#define X1_NS_3GPP_PREFIX	"urn:3GPP:ns:li:3GPPX1Extensions:"
#define X1_NS_3GPP		X1_NS_3GPP_PREFIX "r19:v2"	/* what we write [impl] */
/* H248ContextID's bounds (the extension's simple type). */
#define X1_T3_CTX_MIN	1u
#define X1_T3_CTX_MAX	4294967293u
/* What turnpike writes in a response's <version> (the schema it was
 * written against; the pattern is v1.N.N). */
#define X1_VERSION	"v1.22.1"

/* Bounds of what x1_read() accepts (docs/design/li.md §2.2-§2.3). */
#define X1_BODY_MAX	(256u * 1024u)	/* bytes of a request */
#define X1_DEPTH_MAX	32u		/* element nesting */
#define X1_MSG_MAX	16u		/* x1RequestMessage in one X1Request */
#define X1_TARGETS_MAX	16u		/* targetIdentifier in one task */
#define X1_DIDS_MAX	8u		/* dId in one listOfDIDs */
#define X1_ID_MAX	128u		/* admf/ne identifier, NUL included */
#define X1_TEXT_MAX	256u		/* a NAI, a friendly name, NUL included */
#define X1_ERRTEXT_MAX	160u		/* a refusal's sentence */

enum x1_err_code {
	X1_E_NONE = 0,
#define X1_ERR(name, code, text) X1_E_##name = code,
#include "x1_errors.def"
#undef X1_ERR
};

enum x1_op {
	X1_OP_NONE = 0,
#define X1_OP(name, text, served) X1_OP_##name,
#include "x1_ops.def"
#undef X1_OP
	X1_OP_COUNT
};

enum x1_target_kind {
	X1_T_OTHER = 0,		/* a TargetIdentifier turnpike does not serve */
	X1_T_NAI,
	X1_T_IPV4,
	X1_T_IPV6,
	X1_T_IPV4_CIDR,
	X1_T_IPV6_CIDR,
	/* a targetIdentifierExtension of Owner "3GPP" holding
	 * IMST3TargetIdentifierExtensions: TS 33.128's LI_T3 trigger naming
	 * an IMS-AGW's context (docs/design/li.md §2.7) */
	X1_T_IMS_T3,
};

/* IMST3TargetIdentifierExtension's PayloadDirectionAssignment and
 * TriggerScope (0: absent). */
enum x1_t3_dir {
	X1_T3_DIR_NONE = 0,
	X1_T3_DIR_TO_TARGET,
	X1_T3_DIR_FROM_TARGET,
	X1_T3_DIR_NOT_DETERMINED,
};
enum x1_t3_scope {
	X1_T3_SCOPE_NONE = 0,
	X1_T3_SCOPE_UNI,
	X1_T3_SCOPE_BI,
};

/* DeliveryType (the schema's enumeration) */
enum x1_delivery {
	X1_DELIVERY_NONE = 0,
	X1_DELIVERY_X2_ONLY,
	X1_DELIVERY_X3_ONLY,
	X1_DELIVERY_X2_AND_X3,
};

/* TS 103 221-1 §6.1: what every request message starts with. */
struct x1_hdr {
	char admf[X1_ID_MAX];		/* admfIdentifier */
	char ne[X1_ID_MAX];		/* neIdentifier */
	int64_t timestamp_us;		/* messageTimestamp, µs since 1970 UTC */
	char version[16];		/* version, e.g. "v1.22.1" */
	uint8_t txid[16];		/* x1TransactionId */
};

struct x1_target {
	enum x1_target_kind kind;
	uint8_t family;			/* 4 or 6 for the address kinds */
	uint8_t prefix;			/* CIDR prefix length; 32/128 for an address */
	uint8_t addr[16];		/* network order; 4 bytes used for IPv4 */
	char nai[X1_TEXT_MAX];		/* X1_T_NAI: the NAI as written */
	char element[40];		/* the choice's element name (for OTHER) */
	/* X1_T_IMS_T3 */
	uint32_t h248_ctx;		/* H248ContextID (1..4294967293) */
	uint8_t t3_dir;			/* enum x1_t3_dir */
	uint8_t t3_scope;		/* enum x1_t3_scope */
	uint64_t t3_ctx;		/* not lib/li's: cp's gateway context the
					 * ContextID named at activation (x1_read()
					 * leaves 0) */
};

/* §6.2.1.2 TaskDetails, what turnpike reads of it. */
struct x1_task {
	uint8_t xid[16];
	uint8_t n_targets;
	struct x1_target targets[X1_TARGETS_MAX];
	enum x1_delivery delivery;
	uint8_t n_dids;
	uint8_t dids[X1_DIDS_MAX][16];
	bool has_corr;
	uint64_t corr;			/* correlationID */
	int8_t implicit_deactivation;	/* -1 absent, 0 false, 1 true */
	bool has_product;
	uint8_t product[16];		/* productID */
	bool extras;			/* mediation details, service types,
					 * extensions or traffic policies present
					 * (not interpreted) */
};

/* §6.3.1.2 DestinationDetails. */
struct x1_dest {
	uint8_t did[16];
	bool has_friendly;
	char friendly[X1_TEXT_MAX];	/* friendlyName */
	enum x1_delivery delivery;
	bool ip_port;			/* deliveryAddress is ipAddressAndPort */
	bool tcp;			/* its port is a TCPPort */
	uint8_t family;			/* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	bool extras;			/* destinationDetailsExtensions present */
};

/*
 * One x1RequestMessage. `code` is 0 when the message was read whole, or the
 * TS 103 221-1 code to answer it with (X1_E_SYNTAX for a malformed body,
 * X1_E_TARGET_NOT_SUPPORTED for a target turnpike does not serve,
 * X1_E_DELIVERY_NOT_POSSIBLE for a destination other than an IP address
 * and TCP port, X1_E_GENERIC for a request turnpike does not serve), with
 * `text` a sentence for errorDescription. The header is always read.
 */
struct x1_msg {
	enum x1_op op;
	int code;
	char text[X1_ERRTEXT_MAX];
	struct x1_hdr hdr;
	union {
		struct x1_task task;	/* ActivateTask, ModifyTask */
		uint8_t xid[16];	/* DeactivateTask, GetTaskDetails */
		uint8_t did[16];	/* RemoveDestination */
		struct x1_dest dest;	/* Create/ModifyDestination */
	} u;
};

/* A whole X1Request: msgs[0..n) in the document's order. */
struct x1_req {
	unsigned int n;
	struct x1_msg msgs[X1_MSG_MAX];
};

/* Why a request could not be read at all (x1_read() < 0). */
struct x1_err {
	int code;			/* X1_E_SYNTAX */
	int line;			/* where, when known (0 otherwise) */
	char text[X1_ERRTEXT_MAX];
};

/* What a response message starts with (§6.1). */
struct x1_resp_hdr {
	const char *admf;
	const char *ne;
	int64_t now_us;			/* messageTimestamp, µs since 1970 UTC */
	const uint8_t *txid;		/* the request's x1TransactionId */
};

/* TaskStatus (§6.4.2.2) as turnpike fills it; negative counts are left out. */
struct x1_task_status {
	const char *provisioning;	/* "complete", "failed", "awaitingProvisioning" */
	unsigned int n_faults;
	const int *fault_codes;		/* unresolvedFault codes ... */
	const char *const *fault_texts;	/* ... and their descriptions */
	int64_t last_intercept_us;	/* 0: left out */
	int64_t x2_pdus;		/* amountOfX2Data, -1: left out */
	int64_t x3_pdus;		/* amountOfX3Data, -1: left out */
	int64_t last_modified_us;	/* 0: left out */
	int64_t n_modifications;	/* -1: left out */
};

/* A bounded writer of one X1Response (x1_w_*() in x1.h). */
struct x1_w {
	char *buf;
	size_t size;
	size_t len;
	int err;			/* 0, or -ENOSPC once anything did not fit */
	int state;			/* where GetAllDetails' lists are */
};

struct x1_schema;

#endif /* TP_X1_TYPES_H */
