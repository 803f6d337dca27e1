/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/li's X1 operations (ETSI TS 103 221-1) against its tables and li.db,
 * on a fake clock: each operation done (and its answer), each refusal with
 * its code and nothing changed — in the tables and in the file, read back
 * by a fresh module — (300 a duplicate XID, 301, 302, 303 an unknown DID,
 * 304 a destination in use, 400 a UDP destination, 401 a target turnpike
 * does not match, 402 a delivery type no destination carries, 101 a CIDR
 * with host bits set or of every address, 100 an operation not served and a full table), the
 * identifiers (another admfIdentifier or neIdentifier: a top-level error,
 * nothing applied), a restart (tables written, a fresh module reads them
 * back whole; deleted ones stay deleted), a file that is not ours refused,
 * and cp/li's log lines over the whole run, captured, holding no target,
 * XID or DID. With ETSI's schemas beside the checkout (LI_XSD_DIR, or
 * ../shared/li-xsd), every request is validated by cp/li and every answer
 * by the test; without them that is skipped, saying so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ipc_types.h"
#include "li.h"
#include "tp_log.h"
#include "x1.h"

#define NE   "turnpike-1"
#define ADMF "admf-1"
#define CCTF "pcscf-1"
#define XID1 "12345678-9abc-4def-8123-456789abcdef"
#define XID2 "22345678-9abc-4def-8123-456789abcdef"
#define DID1 "aaaaaaaa-0000-4000-8000-000000000001"
#define DID2 "aaaaaaaa-0000-4000-8000-000000000002"
#define DID3 "aaaaaaaa-0000-4000-8000-000000000003"
#define NAI  "alice.target@example.org"
#define NET4 "198.51.100.0/24"

static char dir[] = "/tmp/tp-test-cp-li-XXXXXX";
static char db[256], logpath[256];
static char body[X1_BODY_MAX];
static char out[256 * 1024];
static struct cp_li *li;
static int64_t now_us = 1796032800000000ll;   /* 2026-11-30T10:00:00Z */
static int saved_out = -1, saved_err = -1;
static struct x1_schema *schema;   /* ETSI's, when beside the checkout */
static bool as_cctf;               /* ask_as() as the CC-TF's door (li.x1.cctf_id) */

static struct cp_li *
open_li(void)
{
	struct cp_li_conf c = {
		.ne_id = NE, .admf_id = ADMF, .cctf_id = CCTF, .store = db, .busy_ms = 100,
		.owner_uid = -1, .owner_gid = -1,
	};
	char err[CP_LI_ERR_MAX];
	struct cp_li *l = cp_li_open(&c, err, sizeof(err));

	if (l == NULL)
		fail_msg("cp_li_open: %s", err);
	cp_li_set_schema(l, schema);
	return l;
}

/* One request of messages `type` (e.g. "ActivateTask") with `inner`
 * after the header, from admf/ne; answered into out; its length. */
static int
ask_as(const char *admf, const char *ne, const char *type, const char *inner)
{
	int n = snprintf(body, sizeof(body),
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<X1Request xmlns=\"http://uri.etsi.org/03221/X1/2017/10\" "
		"xmlns:etsi280=\"http://uri.etsi.org/03280/common/2017/07\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<x1RequestMessage xsi:type=\"%sRequest\"><admfIdentifier>%s</admfIdentifier>"
		"<neIdentifier>%s</neIdentifier>"
		"<messageTimestamp>2026-11-30T10:00:00.000000Z</messageTimestamp>"
		"<version>v1.22.1</version>"
		"<x1TransactionId>11111111-1111-4111-8111-111111111111</x1TransactionId>"
		"%s</x1RequestMessage></X1Request>", type, admf, ne, inner);
	int rc;

	assert_true(n > 0 && (size_t)n < sizeof(body));
	now_us += 1000000;
	rc = cp_li_answer_from(li, as_cctf, body, (size_t)n, now_us, out, sizeof(out));
	if (rc < 0)
		fail_msg("cp_li_answer: %d", rc);
	out[rc] = '\0';
	if (schema != NULL) {
		struct x1_err e;

		if (x1_schema_validate(schema, out, (size_t)rc, &e) != 0)
			fail_msg("the answer is not valid X1 (line %d: %s): %s", e.line, e.text,
				 out);
	}
	return rc;
}

static void
ask(const char *type, const char *inner)
{
	ask_as(as_cctf ? CCTF : ADMF, NE, type, inner);
}

static void
ok(const char *type, const char *inner)
{
	ask(type, inner);
	if (strstr(out, "<oK>AcknowledgedAndCompleted</oK>") == NULL)
		fail_msg("%s not acknowledged: %s", type, out);
}

/* Answered with ErrorResponse `code`. */
static void
refused(int code, const char *type, const char *inner)
{
	char want[64];

	ask(type, inner);
	snprintf(want, sizeof(want), "<errorCode>%d</errorCode>", code);
	if (strstr(out, want) == NULL || strstr(out, "<oK>") != NULL)
		fail_msg("%s: want %d: %s", type, code, out);
}

static char *
dest(const char *did, const char *delivery, const char *addr, const char *proto)
{
	static char b[1024];

	snprintf(b, sizeof(b), "<destinationDetails><dId>%s</dId><deliveryType>%s</deliveryType>"
		 "<deliveryAddress><ipAddressAndPort><etsi280:address><etsi280:IPv4Address>%s"
		 "</etsi280:IPv4Address></etsi280:address><etsi280:port><etsi280:%s>7000"
		 "</etsi280:%s></etsi280:port></ipAddressAndPort></deliveryAddress>"
		 "</destinationDetails>", did, delivery, addr, proto, proto);
	return b;
}

static char *
task(const char *xid, const char *targets, const char *delivery, const char *dids)
{
	static char b[4096];

	snprintf(b, sizeof(b), "<taskDetails><xId>%s</xId><targetIdentifiers>%s"
		 "</targetIdentifiers><deliveryType>%s</deliveryType><listOfDIDs>%s</listOfDIDs>"
		 "</taskDetails>", xid, targets, delivery, dids);
	return b;
}

#define T_NAI "<targetIdentifier><nai>" NAI "</nai></targetIdentifier>"
#define T_NET4 "<targetIdentifier><ipv4Cidr><etsi280:IPv4CIDR>" NET4 \
	"</etsi280:IPv4CIDR></ipv4Cidr></targetIdentifier>"
#define T_V6 "<targetIdentifier><ipv6Address>2001:0db8:0000:0000:0000:0000:0000:0001" \
	"</ipv6Address></targetIdentifier>"
#define D(did) "<dId>" did "</dId>"

static int64_t
db_count(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static uint8_t *
uuid(const char *s)
{
	static uint8_t b[4][16];
	static unsigned int k;
	uint8_t *p = b[k++ % 4];

	assert_int_equal(x1_uuid_parse(s, p), 0);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(db, sizeof(db), "%s/li.db", dir);
	unlink(db);
	as_cctf = false;
	li = open_li();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_li_close(li);
	li = NULL;
	unlink(db);
	return 0;
}

/* The destinations: made, changed, listed, removed; each refusal. */
static void
test_destinations(void **state)
{
	const struct cp_li_dest *d;

	(void)state;
	ok("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"));
	d = cp_li_dest_find(li, uuid(DID1));
	assert_non_null(d);
	assert_int_equal(d->d.port, 7000);
	assert_int_equal(d->d.delivery, X1_DELIVERY_X2_AND_X3);
	refused(302, "CreateDestination", dest(DID1, "X2Only", "192.0.2.11", "TCPPort"));
	assert_int_equal(cp_li_dest_find(li, uuid(DID1))->d.delivery, X1_DELIVERY_X2_AND_X3);
	refused(400, "CreateDestination", dest(DID2, "X2Only", "192.0.2.11", "UDPPort"));
	assert_null(cp_li_dest_find(li, uuid(DID2)));
	ok("ModifyDestination", dest(DID1, "X3Only", "192.0.2.12", "TCPPort"));
	d = cp_li_dest_find(li, uuid(DID1));
	assert_int_equal(d->d.delivery, X1_DELIVERY_X3_ONLY);
	assert_int_equal(d->d.addr[3], 12);
	refused(303, "ModifyDestination", dest(DID2, "X3Only", "192.0.2.12", "TCPPort"));
	assert_null(cp_li_dest_find(li, uuid(DID2)));
	refused(303, "RemoveDestination", "<dId>" DID2 "</dId>");
	ok("RemoveDestination", "<dId>" DID1 "</dId>");
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	assert_int_equal(db_count("SELECT count(*) FROM destination"), 0);
	/* every change and refusal audited: 3 done, 4 refused */
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE result = 0"), 3);
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE result <> 0"), 4);
}

/* A task: activated, read, modified, listed, deactivated. */
static void
test_task_life(void **state)
{
	const struct cp_li_task *t;

	(void)state;
	ok("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"));
	ok("ActivateTask", task(XID1, T_NAI T_NET4, "X2andX3", D(DID1)));
	t = cp_li_task_find(li, uuid(XID1));
	assert_non_null(t);
	assert_int_equal(t->t.n_targets, 2);
	assert_string_equal(t->t.targets[0].nai, NAI);
	assert_int_equal(t->t.targets[1].prefix, 24);
	assert_int_equal(t->nmod, 0);
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_non_null(strstr(out, "GetTaskDetailsResponse"));
	assert_non_null(strstr(out, "<nai>" NAI "</nai>"));
	assert_non_null(strstr(out, NET4));
	assert_non_null(strstr(out, "<numberOfModifications>0</numberOfModifications>"));
	ok("ModifyTask", task(XID1, T_V6, "X3Only", D(DID1)));
	t = cp_li_task_find(li, uuid(XID1));
	assert_int_equal(t->t.n_targets, 1);
	assert_int_equal(t->t.targets[0].kind, X1_T_IPV6);
	assert_int_equal(t->nmod, 1);
	assert_true(t->modified_us == now_us);
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_null(strstr(out, NAI));
	assert_non_null(strstr(out, "<numberOfModifications>1</numberOfModifications>"));
	ok("CreateDestination", dest(DID2, "X2Only", "192.0.2.11", "TCPPort"));
	ok("ActivateTask", task(XID2, T_NAI, "X2Only", D(DID2)));
	ask("GetAllDetails", "");
	assert_non_null(strstr(out, "GetAllDetailsResponse"));
	assert_true(strstr(out, XID1) != NULL && strstr(out, XID2) != NULL);
	assert_true(strstr(out, DID1) != NULL && strstr(out, DID2) != NULL);
	assert_true(strstr(out, XID2) > strstr(out, XID1));
	ok("Keepalive", "");
	ok("DeactivateTask", "<xId>" XID1 "</xId>");
	assert_null(cp_li_task_find(li, uuid(XID1)));
	assert_non_null(cp_li_task_find(li, uuid(XID2)));
	refused(301, "GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_int_equal(db_count("SELECT count(*) FROM task"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM task_target"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM task_did"), 1);
}

/* The part of out from the destination did's details to the end of its
 * response details (GetAllDetails), or fails. */
static const char *
dest_part(const char *did)
{
	static char b[4096];
	const char *p = strstr(out, "<listOfDestinationResponseDetails>");
	const char *e;

	if (p != NULL)
		p = strstr(p, "<dId>");
	while (p != NULL && strncmp(p + 5, did, strlen(did)) != 0)
		p = strstr(p + 5, "<dId>");
	if (p == NULL || (e = strstr(p, "</destinationResponseDetails>")) == NULL ||
	    (size_t)(e - p) >= sizeof(b))
		fail_msg("no destination %s: %s", did, out);
	memcpy(b, p, (size_t)(e - p));
	b[e - p] = '\0';
	return b;
}

/* dp's figures (LI_STATUS) as cp keeps them (added up, a task's kept
 * across a ModifyTask, gone with it) and answers them: TaskStatus'
 * amounts, last intercept and losses; a destination activeAndWorking
 * only while dp's connection is up, else deliveryFault saying why, its
 * drops listed. Valid against ETSI's schemas when they are here. */
static void
test_delivery_figures(void **state)
{
	static struct ipc_li_status x;
	const struct cp_li_task *t;

	(void)state;
	ok("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"));
	ok("CreateDestination", dest(DID2, "X2andX3", "192.0.2.11", "TCPPort"));
	ok("ActivateTask", task(XID1, T_NAI, "X2andX3", D(DID1) D(DID2)));
	/* nothing reported: no destination works, nothing delivered */
	ask("GetAllDetails", "");
	assert_non_null(strstr(dest_part(DID1), "deliveryFault"));
	assert_non_null(strstr(dest_part(DID1), "<errorCode>400</errorCode>"
			       "<errorDescription>not connected"));
	assert_non_null(strstr(out, "<amountOfX3Data>0</amountOfX3Data>"));
	assert_null(strstr(out, "timeOfLastIntercept"));

	memset(&x, 0, sizeof(x));
	x.ndest = 2;
	x.dest[0].addr.family = 4;
	x.dest[0].addr.port = 7000;
	memcpy(x.dest[0].addr.ip, "\xc0\x00\x02\x0a", 4);
	x.dest[0].state = IPC_LI_CONN_UP;
	x.dest[0].delivered = 5;
	x.dest[1].addr.family = 4;
	x.dest[1].addr.port = 7000;
	memcpy(x.dest[1].addr.ip, "\xc0\x00\x02\x0b", 4);
	x.dest[1].state = IPC_LI_CONN_FAILED;
	x.dest[1].fault = IPC_LI_FAULT_CERT;
	x.dest[1].failures = 2;
	x.dest[1].dropped_down = 3;
	x.ntask = 2;
	memcpy(x.task[0].xid, uuid(XID1), 16);
	x.task[0].x2_delivered = 1;
	x.task[0].x3_delivered = 4;
	x.task[0].x3_lost = 3;
	x.task[0].last_us = 1796032800123456ull;
	memcpy(x.task[1].xid, uuid(XID2), 16);     /* no such task: dropped */
	x.task[1].x3_delivered = 99;
	cp_li_status_take(li, &x);
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_non_null(strstr(out, "<amountOfX2Data>1</amountOfX2Data>"));
	assert_non_null(strstr(out, "<amountOfX3Data>4</amountOfX3Data>"));
	assert_non_null(strstr(out, "<timeOfLastIntercept>2026-11-30T10:00:00.123456Z"));
	assert_non_null(strstr(out, "<errorCode>200</errorCode><errorDescription>PDUs lost in "
			       "delivery: 0 X2, 3 X3</errorDescription>"));
	ask("GetAllDetails", "");
	assert_non_null(strstr(dest_part(DID1), "<destinationDeliveryStatus>activeAndWorking"
			       "</destinationDeliveryStatus><listOfFaults></listOfFaults>"));
	assert_non_null(strstr(dest_part(DID2), "<destinationDeliveryStatus>deliveryFault"
			       "</destinationDeliveryStatus>"));
	assert_non_null(strstr(dest_part(DID2), "connection failed: its certificate refused "
			       "(2 failures)"));
	assert_non_null(strstr(dest_part(DID2), "PDUs dropped: 3 not connected, 0 backlog full, "
			       "0 lost in a failed connection; 0 delivered"));

	/* the next report's counts are added; the states are as they are */
	memset(&x, 0, sizeof(x));
	x.ndest = 1;
	x.dest[0].addr.family = 4;
	x.dest[0].addr.port = 7000;
	memcpy(x.dest[0].addr.ip, "\xc0\x00\x02\x0a", 4);
	x.dest[0].state = IPC_LI_CONN_FAILED;
	x.dest[0].fault = IPC_LI_FAULT_KA_LATE;
	x.dest[0].failures = 1;
	x.dest[0].dropped_lost = 2;
	x.ntask = 1;
	memcpy(x.task[0].xid, uuid(XID1), 16);
	x.task[0].x3_delivered = 6;
	x.task[0].last_us = 1796032700000000ull;   /* older: kept the newest */
	cp_li_status_take(li, &x);
	ok("ModifyTask", task(XID1, T_NET4, "X2andX3", D(DID1) D(DID2)));
	t = cp_li_task_find(li, uuid(XID1));
	assert_int_equal(t->fig.x3_delivered, 10);
	assert_int_equal(t->fig.x3_lost, 3);
	assert_true(t->fig.last_us == 1796032800123456ll);
	ask("GetAllDetails", "");
	assert_non_null(strstr(out, "<amountOfX3Data>10</amountOfX3Data>"));
	assert_non_null(strstr(dest_part(DID1), "deliveryFault"));
	assert_non_null(strstr(dest_part(DID1), "a keepalive not acknowledged in time (1 failures)"));
	assert_non_null(strstr(dest_part(DID1), "0 not connected, 0 backlog full, 2 lost in a "
			       "failed connection; 5 delivered"));
	/* deactivated, then reported: the figures go nowhere */
	ok("DeactivateTask", "<xId>" XID1 "</xId>");
	cp_li_status_take(li, &x);
	ok("ActivateTask", task(XID1, T_NAI, "X2andX3", D(DID1)));
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_non_null(strstr(out, "<amountOfX3Data>0</amountOfX3Data>"));
	/* counts as large as lib/ipc lets through, twice: held at INT64_MAX,
	 * never wrapped to a negative amount (left out) or a small one */
	memset(&x, 0, sizeof(x));
	x.ntask = 1;
	memcpy(x.task[0].xid, uuid(XID1), 16);
	x.task[0].x2_delivered = IPC_LI_COUNT_MAX;
	x.task[0].x3_delivered = IPC_LI_COUNT_MAX;
	x.task[0].x3_lost = IPC_LI_COUNT_MAX;
	cp_li_status_take(li, &x);
	cp_li_status_take(li, &x);
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_non_null(strstr(out, "<amountOfX2Data>9223372036854775807</amountOfX2Data>"));
	assert_non_null(strstr(out, "<amountOfX3Data>9223372036854775807</amountOfX3Data>"));
	assert_non_null(strstr(out, "delivery: 0 X2, 9223372036854775807 X3</errorDescription>"));
}

/* Each task refusal, and nothing of it stored. */
static void
test_task_refusals(void **state)
{
	(void)state;
	ok("CreateDestination", dest(DID1, "X2Only", "192.0.2.10", "TCPPort"));
	ok("CreateDestination", dest(DID2, "X3Only", "192.0.2.11", "TCPPort"));
	ok("ActivateTask", task(XID1, T_NAI, "X2Only", D(DID1)));
	/* a duplicate XID: 300, the task as it was, one row */
	refused(300, "ActivateTask", task(XID1, T_V6, "X3Only", D(DID2)));
	assert_int_equal(cp_li_task_find(li, uuid(XID1))->t.targets[0].kind, X1_T_NAI);
	assert_int_equal(db_count("SELECT count(*) FROM task"), 1);
	assert_int_equal(db_count("SELECT count(*) FROM task_target"), 1);
	/* a DID not provisioned: 303 */
	refused(303, "ActivateTask", task(XID2, T_NAI, "X2Only", D(DID3)));
	/* X2 and X3 asked, only X2 carried: 402; then X3 only to the X2 one */
	refused(402, "ActivateTask", task(XID2, T_NAI, "X2andX3", D(DID1)));
	refused(402, "ActivateTask", task(XID2, T_NAI, "X3Only", D(DID1)));
	/* host bits set in a CIDR: refused */
	refused(101, "ActivateTask", task(XID2, "<targetIdentifier><ipv4Cidr><etsi280:IPv4CIDR>"
					  "198.51.100.1/24</etsi280:IPv4CIDR></ipv4Cidr>"
					  "</targetIdentifier>", "X2Only", D(DID1)));
	refused(101, "ActivateTask", task(XID2, "<targetIdentifier><ipv6Cidr>2001:0db8:0001:"
					  "0000:0000:0000:0000:0100/112</ipv6Cidr>"
					  "</targetIdentifier>", "X2Only", D(DID1)));
	/* a CIDR of every address (S14 of slice 4's review): no target, 101;
	 * so is ::ffff:0:0/96, every IPv4 address as the matcher folds
	 * mapped ones */
	refused(101, "ActivateTask", task(XID2, "<targetIdentifier><ipv4Cidr><etsi280:IPv4CIDR>"
					  "0.0.0.0/0</etsi280:IPv4CIDR></ipv4Cidr>"
					  "</targetIdentifier>", "X2Only", D(DID1)));
	refused(101, "ActivateTask", task(XID2, "<targetIdentifier><ipv6Cidr>0000:0000:0000:"
					  "0000:0000:ffff:0000:0000/96</ipv6Cidr>"
					  "</targetIdentifier>", "X2Only", D(DID1)));
	refused(101, "ModifyTask", task(XID1, "<targetIdentifier><ipv4Cidr><etsi280:IPv4CIDR>"
					"0.0.0.0/0</etsi280:IPv4CIDR></ipv4Cidr>"
					"</targetIdentifier>", "X2Only", D(DID1)));
	/* a target kind turnpike does not match: 401 */
	refused(401, "ActivateTask", task(XID2, "<targetIdentifier><e164Number>491701234567"
					  "</e164Number></targetIdentifier>", "X2Only", D(DID1)));
	assert_null(cp_li_task_find(li, uuid(XID2)));
	/* both destinations together carry X2 and X3: taken */
	ok("ActivateTask", task(XID2, "<targetIdentifier><ipv4Cidr><etsi280:IPv4CIDR>"
		"198.51.100.128/25</etsi280:IPv4CIDR></ipv4Cidr></targetIdentifier>", "X2andX3",
		D(DID1) D(DID2)));
	/* modifying: 301 unknown, 303, 402; the task as it was */
	refused(301, "ModifyTask", task("32345678-9abc-4def-8123-456789abcdef", T_NAI, "X2Only",
					D(DID1)));
	refused(303, "ModifyTask", task(XID1, T_NAI, "X2Only", D(DID3)));
	refused(402, "ModifyTask", task(XID1, T_NAI, "X3Only", D(DID1)));
	assert_int_equal(cp_li_task_find(li, uuid(XID1))->nmod, 0);
	/* a destination in use: 304; one whose change would leave a task
	 * without X3: 402 */
	refused(304, "RemoveDestination", "<dId>" DID1 "</dId>");
	refused(304, "RemoveDestination", "<dId>" DID2 "</dId>");
	refused(402, "ModifyDestination", dest(DID2, "X2Only", "192.0.2.11", "TCPPort"));
	assert_int_equal(cp_li_dest_find(li, uuid(DID2))->d.delivery, X1_DELIVERY_X3_ONLY);
	refused(301, "DeactivateTask", "<xId>32345678-9abc-4def-8123-456789abcdef</xId>");
	/* an operation turnpike does not serve: 100 */
	refused(100, "DeactivateAllTasks", "");
	assert_int_equal(db_count("SELECT count(*) FROM task"), 2);
	assert_int_equal(db_count("SELECT count(*) FROM destination"), 2);
}

/* Another ADMF or another NE: a top-level error, nothing applied (and
 * nothing said about what the NE holds). */
static void
test_identifiers(void **state)
{
	(void)state;
	ask_as("admf-2", NE, "CreateDestination", dest(DID1, "X2andX3", "192.0.2.10",
							"TCPPort"));
	assert_non_null(strstr(out, "X1TopLevelErrorResponse"));
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	ask_as(ADMF, "turnpike-2", "CreateDestination", dest(DID1, "X2andX3", "192.0.2.10",
							      "TCPPort"));
	assert_non_null(strstr(out, "X1TopLevelErrorResponse"));
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	ok("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"));
	ask_as("admf-2", NE, "GetAllDetails", "");
	assert_null(strstr(out, DID1));
	assert_non_null(strstr(out, "X1TopLevelErrorResponse"));
	/* not X1 at all */
	assert_true(cp_li_answer(li, "<x/>", 4, now_us, out, sizeof(out)) > 0);
	assert_non_null(strstr(out, "X1TopLevelErrorResponse"));
	assert_int_equal(db_count("SELECT count(*) FROM destination"), 1);
}

/* The tables at their bounds: the next one 100, nothing stored. */
static void
test_tables_bounded(void **state)
{
	char xid[40], did[40], d[16];

	(void)state;
	for (unsigned int i = 0; i < CP_LI_DESTS_MAX; i++) {
		snprintf(did, sizeof(did), "bbbbbbbb-0000-4000-8000-%012x", i);
		snprintf(d, sizeof(d), "192.0.2.%u", i % 250 + 1);
		ok("CreateDestination", dest(did, "X2andX3", d, "TCPPort"));
	}
	refused(100, "CreateDestination", dest(DID1, "X2andX3", "192.0.2.1", "TCPPort"));
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	for (unsigned int i = 0; i < CP_LI_TASKS_MAX; i++) {
		snprintf(xid, sizeof(xid), "cccccccc-0000-4000-8000-%012x", i);
		ok("ActivateTask", task(xid, T_NAI, "X2andX3",
					D("bbbbbbbb-0000-4000-8000-000000000000")));
	}
	refused(100, "ActivateTask", task(XID1, T_NAI, "X2andX3",
					  D("bbbbbbbb-0000-4000-8000-000000000000")));
	assert_null(cp_li_task_find(li, uuid(XID1)));
	assert_int_equal(db_count("SELECT count(*) FROM task"), CP_LI_TASKS_MAX);
}

/* A restart: a fresh module reads back every task and destination as
 * provisioned (targets, DIDs, correlation, history); deactivated and
 * removed ones stay gone. */
/* The CC-TF's LI_T3 triggers (docs/design/li.md §2.7): a trigger names a
 * context by its H248ContextID, resolved at activation (here a fake
 * resolver: 2147483649 and 2147483650 are the Iq association's, any other
 * number is none, as a context of another tenant or door is to cp/iq);
 * each party confined to its own tasks; kept over a restart. */
#define CTX_A 0x0000000100000101ull
#define CTX_B 0x0000000100000202ull
static int
fake_resolve(void *arg, uint32_t h, uint64_t *ctx)
{
	(void)arg;
	*ctx = h == 2147483649u ? CTX_A : h == 2147483650u ? CTX_B : 0;
	/* (3000000000...: as many contexts as a test wants, their own ids) */
	if (h >= 3000000000u && h < 3000001000u)
		*ctx = 0x0000000200000000ull + h;
	return *ctx != 0 ? 0 : -ENOENT;
}

#define T3_EXT(h, more) "<targetIdentifier><targetIdentifierExtension><Owner>3GPP</Owner>" \
	"<t3:IMST3TargetIdentifierExtensions xmlns:t3=\"urn:3GPP:ns:li:3GPPX1Extensions:r19:v2\">" \
	"<t3:IMST3TargetIdentifierExtension><t3:H248ContextID>" h "</t3:H248ContextID>" \
	"</t3:IMST3TargetIdentifierExtension>" more "</t3:IMST3TargetIdentifierExtensions>" \
	"</targetIdentifierExtension></targetIdentifier>"
#define T3(h) T3_EXT(h, "")
#define TRIGGER(xid, targets) "<taskDetails><xId>" xid "</xId><targetIdentifiers>" targets \
	"</targetIdentifiers><deliveryType>X3Only</deliveryType><listOfDIDs>" D(DID1) \
	"</listOfDIDs><correlationID>7777</correlationID></taskDetails>"

static void
cctf(bool on)
{
	as_cctf = on;
}

static void
test_trigger(void **state)
{
	struct x1_schema *saved = schema;
	const struct cp_li_task *t;
	struct ipc_alloc_tap tap;

	(void)state;
	/* (ETSI's schemas alone refuse 3GPP's extension: §2.7) */
	schema = NULL;
	cp_li_set_schema(li, NULL);
	li->t3_resolve = fake_resolve;
	ok("CreateDestination", dest(DID1, "X3Only", "192.0.2.10", "TCPPort"));
	ok("ActivateTask", task(XID2, T_NET4, "X3Only", D(DID1)));
	/* the ADMF's trigger: 401 */
	refused(401, "ActivateTask", TRIGGER(XID1, T3("2147483649")));
	cctf(true);
	/* the CC-TF's: a ContextID naming no context of the association
	 * (none, or another tenant's): 100; another target: 401; two
	 * contexts: 401; Unidirectional: 401; the trigger malformed: 101 */
	refused(100, "ActivateTask", TRIGGER(XID1, T3("2147483651")));
	refused(401, "ActivateTask", TRIGGER(XID1, T_NAI));
	refused(401, "ActivateTask", TRIGGER(XID1, T3("2147483649") T_NAI));
	refused(401, "ActivateTask", TRIGGER(XID1, T3("2147483649") T3("2147483650")));
	refused(401, "ActivateTask", TRIGGER(XID1, T3_EXT("2147483649",
		"<t3:IMST3TargetIdentifierExtension><t3:TriggerScope>Unidirectional"
		"</t3:TriggerScope></t3:IMST3TargetIdentifierExtension>")));
	refused(101, "ActivateTask", TRIGGER(XID1, T3("0")));
	assert_null(cp_li_task_find(li, uuid(XID1)));
	/* an XID the ADMF holds: 300 (XIDs are one space); its tasks are
	 * not the CC-TF's to see, change or end: 301 */
	refused(300, "ActivateTask", TRIGGER(XID2, T3("2147483649")));
	refused(301, "GetTaskDetails", "<xId>" XID2 "</xId>");
	refused(301, "DeactivateTask", "<xId>" XID2 "</xId>");
	refused(301, "ModifyTask", TRIGGER(XID2, T3("2147483649")));
	ok("ActivateTask", TRIGGER(XID1, T3_EXT("2147483649",
		"<t3:IMST3TargetIdentifierExtension><t3:PayloadDirectionAssignment>ToTarget"
		"</t3:PayloadDirectionAssignment></t3:IMST3TargetIdentifierExtension>")));
	t = cp_li_task_find(li, uuid(XID1));
	assert_non_null(t);
	assert_true(cp_li_task_is_trigger(t));
	assert_true(t->t.targets[0].t3_ctx == CTX_A);
	/* matched: the context it names, no other; tapped with its XID and
	 * correlation ID */
	assert_ptr_equal(cp_li_match_trigger(li, CTX_A), t);
	assert_null(cp_li_match_trigger(li, CTX_B));
	assert_true(cp_li_tap_of(li, t, CTX_A, &tap));
	assert_memory_equal(tap.xid, uuid(XID1), 16);
	assert_true(tap.correlation == 7777);
	ask("GetAllDetails", "");
	assert_non_null(strstr(out, XID1));
	assert_null(strstr(out, XID2));
	assert_non_null(strstr(out, "<t3:H248ContextID>2147483649</t3:H248ContextID>"));
	/* a CC-TF's request naming the ADMF, or the other way: top-level */
	ask_as(ADMF, NE, "Keepalive", "");
	assert_non_null(strstr(out, "TopLevelErrorResponse"));
	cctf(false);
	ask_as(CCTF, NE, "Keepalive", "");
	assert_non_null(strstr(out, "TopLevelErrorResponse"));
	refused(301, "GetTaskDetails", "<xId>" XID1 "</xId>");
	refused(301, "DeactivateTask", "<xId>" XID1 "</xId>");
	ask("GetAllDetails", "");
	assert_null(strstr(out, XID1));
	assert_non_null(strstr(out, XID2));
	refused(304, "RemoveDestination", "<dId>" DID1 "</dId>");

	/* kept over a restart, as resolved */
	cp_li_close(li);
	li = open_li();
	cp_li_set_schema(li, NULL);
	li->t3_resolve = fake_resolve;
	t = cp_li_task_find(li, uuid(XID1));
	assert_non_null(t);
	assert_true(t->t.targets[0].t3_ctx == CTX_A);
	assert_true(t->t.targets[0].h248_ctx == 2147483649u);
	assert_int_equal(t->t.targets[0].t3_dir, X1_T3_DIR_TO_TARGET);
	assert_ptr_equal(cp_li_match_trigger(li, CTX_A), t);
	/* moved to another context by ModifyTask, then ended */
	cctf(true);
	ok("ModifyTask", TRIGGER(XID1, T3("2147483650")));
	assert_null(cp_li_match_trigger(li, CTX_A));
	assert_non_null(cp_li_match_trigger(li, CTX_B));
	ok("DeactivateTask", "<xId>" XID1 "</xId>");
	assert_null(cp_li_match_trigger(li, CTX_B));
	cctf(false);
	assert_int_equal(db_count("SELECT count(*) FROM task_target"), 1);
	schema = saved;
}

/* The review of the trigger (docs/design/li.md §8, 2026-11-30): H1 a
 * trigger whose context was released is disarmed, kept so in li.db, its
 * TaskStatus saying so, matching nothing; H2 destinations are the
 * ADMF's to write (the CC-TF's 100, nothing changed), the CC-TF's
 * GetAllDetails lists the destinations its triggers name, their state
 * alone; M2 one trigger a context, CP_LI_TRIGGERS_MAX triggers, the
 * refusal naming no count of the ADMF's; M3 a file holding triggers with
 * no cctf_id refused, naming the file and cctf_id. */
static void
test_trigger_review(void **state)
{
	struct x1_schema *saved = schema;
	struct cp_li_conf c = {
		.ne_id = NE, .admf_id = ADMF, .store = db, .busy_ms = 100,
		.owner_uid = -1, .owner_gid = -1,
	};
	static struct ipc_li_status x;
	char err[CP_LI_ERR_MAX], inner[4096];
	const struct cp_li_task *t;
	struct cp_li *l;

	(void)state;
	schema = NULL;
	cp_li_set_schema(li, NULL);
	li->t3_resolve = fake_resolve;
	ok("CreateDestination", dest(DID1, "X3Only", "192.0.2.10", "TCPPort"));
	ok("CreateDestination", dest(DID2, "X3Only", "192.0.2.11", "TCPPort"));
	ok("CreateDestination", dest(DID3, "X3Only", "192.0.2.12", "TCPPort"));
	ok("ActivateTask", task(XID2, T_NET4, "X3Only", D(DID2)));
	/* dp's figures: DID1's address connected, with drops */
	memset(&x, 0, sizeof(x));
	x.ndest = 1;
	x.dest[0].addr.family = 4;
	x.dest[0].addr.port = 7000;
	memcpy(x.dest[0].addr.ip, "\xc0\x00\x02\x0a", 4);
	x.dest[0].state = IPC_LI_CONN_UP;
	x.dest[0].delivered = 5;
	x.dest[0].dropped_full = 3;
	cp_li_status_take(li, &x);
	cctf(true);
	/* H2: the CC-TF writes no destination, whatever the DID */
	refused(100, "CreateDestination", dest("aaaaaaaa-0000-4000-8000-000000000009", "X3Only",
					       "203.0.113.1", "TCPPort"));
	refused(100, "CreateDestination", dest(DID1, "X3Only", "203.0.113.1", "TCPPort"));
	refused(100, "ModifyDestination", dest(DID1, "X3Only", "203.0.113.1", "TCPPort"));
	refused(100, "ModifyDestination", dest(DID2, "X2Only", "203.0.113.1", "TCPPort"));
	refused(100, "RemoveDestination", "<dId>" DID3 "</dId>");
	refused(100, "RemoveDestination", "<dId>" DID2 "</dId>");
	assert_int_equal(cp_li_dest_find(li, uuid(DID1))->d.addr[3], 10);
	assert_non_null(cp_li_dest_find(li, uuid(DID3)));
	assert_null(cp_li_dest_find(li, uuid("aaaaaaaa-0000-4000-8000-000000000009")));
	ok("ActivateTask", TRIGGER(XID1, T3("2147483649")));
	/* its GetAllDetails: DID1 (its trigger's), up, no figures */
	ask("GetAllDetails", "");
	assert_non_null(strstr(out, DID1));
	assert_null(strstr(out, DID2));
	assert_null(strstr(out, DID3));
	assert_non_null(strstr(dest_part(DID1), "activeAndWorking"));
	assert_null(strstr(out, "dropped"));
	assert_null(strstr(out, "<errorCode>200</errorCode>"));
	/* M2: one trigger a context (activated or moved onto it) */
	refused(100, "ActivateTask", TRIGGER("32345678-9abc-4def-8123-456789abcdef",
					     T3("2147483649")));
	ok("ActivateTask", TRIGGER("32345678-9abc-4def-8123-456789abcdef", T3("2147483650")));
	refused(100, "ModifyTask", TRIGGER("32345678-9abc-4def-8123-456789abcdef",
					   T3("2147483649")));
	ok("ModifyTask", TRIGGER(XID1, T3("2147483649")));   /* its own context: fine */
	ok("DeactivateTask", "<xId>32345678-9abc-4def-8123-456789abcdef</xId>");
	/* ... and CP_LI_TRIGGERS_MAX of them, the refusal naming its own
	 * bound, never the ADMF's tasks */
	for (unsigned int i = 1; i < CP_LI_TRIGGERS_MAX; i++) {
		char xid[40], h[16];

		snprintf(xid, sizeof(xid), "bbbbbbbb-0000-4000-8000-%012u", i);
		snprintf(h, sizeof(h), "%u", 3000000000u + i);
		snprintf(inner, sizeof(inner), "<taskDetails><xId>%s</xId><targetIdentifiers>"
			 T3_EXT("%s", "") "</targetIdentifiers><deliveryType>X3Only"
			 "</deliveryType><listOfDIDs>" D(DID1) "</listOfDIDs></taskDetails>",
			 xid, h);
		ok("ActivateTask", inner);
	}
	snprintf(inner, sizeof(inner), "<taskDetails><xId>cccccccc-0000-4000-8000-000000000001"
		 "</xId><targetIdentifiers>" T3("3000000999") "</targetIdentifiers>"
		 "<deliveryType>X3Only</deliveryType><listOfDIDs>" D(DID1) "</listOfDIDs>"
		 "</taskDetails>");
	refused(100, "ActivateTask", inner);
	assert_non_null(strstr(out, "256 triggers"));
	/* the ADMF's room is its own */
	cctf(false);
	ok("ActivateTask", task("42345678-9abc-4def-8123-456789abcdef", T_NAI, "X3Only",
				D(DID2)));
	cctf(true);

	/* H1: its context released: disarmed, said so, matching nothing,
	 * kept so over a restart, still the CC-TF's to end */
	assert_non_null(cp_li_match_trigger(li, CTX_A));
	assert_int_equal(cp_li_trigger_release(li, CTX_A, now_us), 1);
	assert_null(cp_li_match_trigger(li, CTX_A));
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_non_null(strstr(out, "<provisioningStatus>complete</provisioningStatus>"));
	assert_non_null(strstr(out, "<errorCode>100</errorCode><errorDescription>its context "
			       "was released"));
	cp_li_close(li);
	li = open_li();
	cp_li_set_schema(li, NULL);
	li->t3_resolve = fake_resolve;
	t = cp_li_task_find(li, uuid(XID1));
	assert_non_null(t);
	assert_true(t->t.targets[0].t3_ctx == 0);
	assert_null(cp_li_match_trigger(li, CTX_A));
	assert_int_equal(db_count("SELECT count(*) FROM audit WHERE operation = "
				  "'TriggerDisarmed'"), 1);
	/* (ended, its room is the CC-TF's again; a context made since
	 * with the number is the CC-TF's to name) */
	ok("DeactivateTask", "<xId>" XID1 "</xId>");
	ok("ActivateTask", TRIGGER("52345678-9abc-4def-8123-456789abcdef", T3("2147483649")));
	cctf(false);

	/* M3: triggers in the file, no cctf_id: refused, saying why */
	cp_li_close(li);
	li = NULL;
	errno = 0;
	l = cp_li_open(&c, err, sizeof(err));
	assert_null(l);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, db));
	assert_non_null(strstr(err, "cctf_id"));
	assert_null(strstr(err, "bbbbbbbb"));
	li = open_li();
	schema = saved;
}

static void
test_restart_keeps_tables(void **state)
{
	const struct cp_li_task *t;
	const struct cp_li_dest *d;
	char before[8192];

	(void)state;
	ok("CreateDestination", "<destinationDetails><dId>" DID1 "</dId><friendlyName>MF 1"
	   "</friendlyName><deliveryType>X2andX3</deliveryType><deliveryAddress>"
	   "<ipAddressAndPort><etsi280:address><etsi280:IPv6Address>2001:0db8:0000:0000:0000:"
	   "0000:0000:0010</etsi280:IPv6Address></etsi280:address><etsi280:port>"
	   "<etsi280:TCPPort>7001</etsi280:TCPPort></etsi280:port></ipAddressAndPort>"
	   "</deliveryAddress></destinationDetails>");
	ok("CreateDestination", dest(DID2, "X2andX3", "192.0.2.11", "TCPPort"));
	ok("CreateDestination", dest(DID3, "X2andX3", "192.0.2.12", "TCPPort"));
	ok("ActivateTask", "<taskDetails><xId>" XID1 "</xId><targetIdentifiers>" T_NAI T_NET4
	   T_V6 "</targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs>" D(DID1)
	   D(DID2) "</listOfDIDs><correlationID>18446744073709551615</correlationID>"
	   "<implicitDeactivationAllowed>false</implicitDeactivationAllowed></taskDetails>");
	ok("ModifyTask", "<taskDetails><xId>" XID1 "</xId><targetIdentifiers>" T_NAI T_NET4
	   "</targetIdentifiers><deliveryType>X2andX3</deliveryType><listOfDIDs>" D(DID1)
	   D(DID2) "</listOfDIDs><correlationID>18446744073709551615</correlationID>"
	   "<implicitDeactivationAllowed>false</implicitDeactivationAllowed></taskDetails>");
	ok("ActivateTask", task(XID2, T_V6, "X2Only", D(DID3)));
	ok("DeactivateTask", "<xId>" XID2 "</xId>");
	ok("RemoveDestination", "<dId>" DID3 "</dId>");
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	/* the answer less its messageTimestamp, which moves */
	snprintf(before, sizeof(before), "%s", strstr(out, "<taskDetails>"));

	cp_li_close(li);
	li = open_li();
	t = cp_li_task_find(li, uuid(XID1));
	assert_non_null(t);
	assert_null(cp_li_task_find(li, uuid(XID2)));
	assert_int_equal(t->t.n_targets, 2);
	assert_int_equal(t->t.targets[0].kind, X1_T_NAI);
	assert_string_equal(t->t.targets[0].nai, NAI);
	assert_int_equal(t->t.targets[1].kind, X1_T_IPV4_CIDR);
	assert_int_equal(t->t.targets[1].prefix, 24);
	assert_int_equal(t->t.targets[1].addr[0], 198);
	assert_int_equal(t->t.n_dids, 2);
	assert_memory_equal(t->t.dids[1], uuid(DID2), 16);
	assert_true(t->t.has_corr && t->t.corr == UINT64_MAX);
	assert_int_equal(t->t.implicit_deactivation, 0);
	assert_int_equal(t->t.delivery, X1_DELIVERY_X2_AND_X3);
	assert_int_equal(t->nmod, 1);
	assert_true(t->created_us > 0 && t->modified_us > t->created_us);
	d = cp_li_dest_find(li, uuid(DID1));
	assert_non_null(d);
	assert_true(d->d.has_friendly);
	assert_string_equal(d->d.friendly, "MF 1");
	assert_int_equal(d->d.family, 6);
	assert_int_equal(d->d.addr[15], 0x10);
	assert_int_equal(d->d.port, 7001);
	assert_non_null(cp_li_dest_find(li, uuid(DID2)));
	assert_null(cp_li_dest_find(li, uuid(DID3)));
	ask("GetTaskDetails", "<xId>" XID1 "</xId>");
	assert_string_equal(strstr(out, "<taskDetails>"), before);
	/* and it goes on from there */
	refused(300, "ActivateTask", task(XID1, T_NAI, "X2Only", D(DID2)));
	refused(304, "RemoveDestination", "<dId>" DID1 "</dId>");
}

/* A file that is not cp/li's (the user store's application_id) is
 * refused and left as it was; a store that vanished fails the write
 * with 100 and the tables unchanged. */
static void
test_foreign_file_and_lost_store(void **state)
{
	struct cp_li_conf c = {
		.ne_id = NE, .admf_id = ADMF, .store = db, .owner_uid = -1, .owner_gid = -1,
	};
	char err[CP_LI_ERR_MAX], other[300];
	sqlite3 *h;

	(void)state;
	snprintf(other, sizeof(other), "%s/users.db", dir);
	assert_int_equal(sqlite3_open(other, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x); PRAGMA application_id = "
				      "1414548273;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	c.store = other;
	assert_null(cp_li_open(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a turnpike li store"));
	unlink(other);

	ok("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"));
	assert_int_equal(rename(db, other), 0);
	refused(100, "ActivateTask", task(XID1, T_NAI, "X2Only", D(DID1)));
	assert_null(cp_li_task_find(li, uuid(XID1)));
	refused(100, "RemoveDestination", "<dId>" DID1 "</dId>");
	assert_non_null(cp_li_dest_find(li, uuid(DID1)));
	unlink(other);
}

/* One message of a request, appended at b + off: its length. */
static int
message(char *b, size_t size, const char *type, const char *inner)
{
	return snprintf(b, size,
		"<x1RequestMessage xsi:type=\"%sRequest\"><admfIdentifier>" ADMF
		"</admfIdentifier><neIdentifier>" NE "</neIdentifier>"
		"<messageTimestamp>2026-11-30T10:00:00.000000Z</messageTimestamp>"
		"<version>v1.22.1</version>"
		"<x1TransactionId>11111111-1111-4111-8111-111111111112</x1TransactionId>"
		"%s</x1RequestMessage>", type, inner);
}

/* One request of two messages; answered into out; ms it took. */
static int64_t
ask2(const char *t1, const char *i1, const char *t2, const char *i2)
{
	struct timespec a, z;
	int n = snprintf(body, sizeof(body),
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<X1Request xmlns=\"http://uri.etsi.org/03221/X1/2017/10\" "
		"xmlns:etsi280=\"http://uri.etsi.org/03280/common/2017/07\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
	int rc;

	n += message(body + n, sizeof(body) - (size_t)n, t1, i1);
	n += message(body + n, sizeof(body) - (size_t)n, t2, i2);
	n += snprintf(body + n, sizeof(body) - (size_t)n, "</X1Request>");
	assert_true((size_t)n < sizeof(body));
	now_us += 1000000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = cp_li_answer(li, body, (size_t)n, now_us, out, sizeof(out));
	clock_gettime(CLOCK_MONOTONIC, &z);
	if (rc < 0)
		fail_msg("cp_li_answer: %d", rc);
	out[rc] = '\0';
	return (z.tv_sec - a.tv_sec) * 1000 + (z.tv_nsec - a.tv_nsec) / 1000000;
}

static unsigned int
count_of(const char *what)
{
	unsigned int n = 0;

	for (const char *p = out; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* li.db under contention: another process's lock (the LI authority's
 * sqlite3 reading it, a backup) costs cp's loop at most li's 20 ms busy
 * timeout whatever cp.store_busy_ms says, and the request is answered
 * 100 (store busy) whole, nothing applied; a request whose later message
 * the store refuses (a trigger, as a disk error would) is applied not at
 * all: the earlier message's destination is neither in the tables nor in
 * the file. Then the same request goes through. */
static void
test_store_busy_all_or_nothing(void **state)
{
	struct cp_li_conf c = {
		.ne_id = NE, .admf_id = ADMF, .store = db, .busy_ms = 5000,
		.owner_uid = -1, .owner_gid = -1,
	};
	char err[CP_LI_ERR_MAX], t[4096];
	sqlite3 *h;
	int64_t ms;

	(void)state;
	cp_li_close(li);
	li = cp_li_open(&c, err, sizeof(err));
	assert_non_null(li);
	cp_li_set_schema(li, schema);
	snprintf(t, sizeof(t), "%s", task(XID1, T_NAI, "X2andX3", D(DID1)));

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	ms = ask2("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"),
		  "ActivateTask", t);
	if (ms > 250)
		fail_msg("a locked li.db held cp's loop %lld ms", (long long)ms);
	if (count_of("<errorCode>100</errorCode>") != 2 || strstr(out, "<oK>") != NULL ||
	    strstr(out, "busy") == NULL)
		fail_msg("locked: want both messages 100 (store busy): %s", out);
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	assert_null(cp_li_task_find(li, uuid(XID1)));
	assert_int_equal(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);

	/* the second message's write refused by the file: nothing applied */
	assert_int_equal(sqlite3_exec(h, "CREATE TRIGGER no_task BEFORE INSERT ON task "
				      "BEGIN SELECT RAISE(ABORT, 'refused'); END;", NULL, NULL,
				      NULL), SQLITE_OK);
	ask2("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"),
	     "ActivateTask", t);
	if (count_of("<errorCode>100</errorCode>") != 2 || strstr(out, "<oK>") != NULL)
		fail_msg("half a request applied: %s", out);
	assert_null(cp_li_dest_find(li, uuid(DID1)));
	assert_null(cp_li_task_find(li, uuid(XID1)));
	assert_int_equal(db_count("SELECT count(*) FROM destination"), 0);

	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER no_task", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ask2("CreateDestination", dest(DID1, "X2andX3", "192.0.2.10", "TCPPort"),
	     "ActivateTask", t);
	if (count_of("<oK>AcknowledgedAndCompleted</oK>") != 2)
		fail_msg("free again: want both acknowledged: %s", out);
	assert_non_null(cp_li_dest_find(li, uuid(DID1)));
	assert_non_null(cp_li_task_find(li, uuid(XID1)));
	assert_int_equal(db_count("SELECT count(*) FROM task"), 1);
}

/* With tables of targets open the process is undumpable (R4): no core
 * file, no ptrace or /proc/PID/mem by another process of the same user. */
static void
test_open_makes_undumpable(void **state)
{
	(void)state;
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

/* What cp/li logged over the whole run (stdout and stderr, where
 * lib/log writes): at least the lost store's lines (so the capture
 * works), and no target, XID or DID. */
static void
test_log_names_no_target(void **state)
{
	static const char *const secret[] = {
		NAI, "alice.target", NET4, "198.51.100", "2001:db8", "2001:0db8", XID1, XID2,
		DID1, DID2, DID3, "12345678", "aaaaaaaa", "cccccccc", "192.0.2.1",
	};
	static char text[65536];
	size_t n;
	FILE *f;

	(void)state;
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	f = fopen(logpath, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	fputs(text, stdout);   /* the earlier tests' lines, as cmocka wrote them */
	if (strstr(text, "li: li store") == NULL)
		fail_msg("no log line captured from cp/li: \"%s\"", text);
	for (unsigned int i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (strstr(text, secret[i]) != NULL)
			fail_msg("cp/li's log names \"%s\": %s", secret[i], text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_destinations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_life, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identifiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_review, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_file_and_lost_store, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_busy_all_or_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_makes_undumpable, setup, teardown),
		cmocka_unit_test(test_log_names_no_target),
	};
	int fd, rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	/* ETSI's schemas (never part of the tree): LI_XSD_DIR, else
	 * ../shared/li-xsd beside the checkout; requests and answers are
	 * validated against them when found */
	{
		const char *xsd = getenv("LI_XSD_DIR"), *src = getenv("TP_SRC");
		static char path[1024];

		if (xsd == NULL) {
			snprintf(path, sizeof(path), "%s/../shared/li-xsd", src != NULL ? src : ".");
			xsd = path;
		}
		schema = x1_schema_load(xsd);
		if (schema == NULL)
			printf("ETSI's X1 schemas not found at %s (LI_XSD_DIR names another "
			       "folder): requests and answers are not validated\n", xsd);
	}
	/* lib/log's lines (and cmocka's, which say nothing of a task) go to
	 * a file the last test reads; the last test puts them back. */
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	tp_log_init("tp-test");
	tp_log_set_level(TP_LOG_DEBUG);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved_out = dup(1);
	saved_err = dup(2);
	if (fd < 0 || saved_out < 0 || saved_err < 0)
		return 1;
	fflush(stdout);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(logpath);
	rmdir(dir);
	x1_schema_free(schema);
	return rc;
}
