/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * X1 validation against ETSI's schemas from a folder the operator names
 * (li.x1.schemas): TS 103 221-1 and its HashedID module import each other,
 * and both import TS 103 280, all without schemaLocation; a wrapper schema
 * made in memory imports the three in the order 280, HashedID, X1 with
 * locations in the folder, which resolves them (docs/design/li.md §2.3). The
 * schemas are ETSI's data and never part of this tree. 3GPP's X1 extensions
 * module (TS 33.128's urn_3GPP_ns_li_3GPPX1Extensions.xsd), when the folder
 * holds it, is imported after them with the namespace its file declares (it
 * changes every release): without it the strict wildcard of TS 103 221-1's
 * Extension refuses an LI_T3 trigger (§2.7).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "x1.h"
#include "x1_internal.h"

struct x1_schema {
	xmlSchemaPtr schema;
	char versions[192];
};

static const char *const files[3] = {
	"TS_103_280.xsd", "TS_103_221_01_HashedID.xsd", "TS_103_221_01.xsd",
};
static const char *const namespaces[3] = {
	X1_NS_280, "http://uri.etsi.org/03221/X1/2017/10/HashedID", X1_NS,
};
#define X1_3GPP_FILE "urn_3GPP_ns_li_3GPPX1Extensions.xsd"

/* Swallows libxml2's messages (they would go to stderr, and may quote a
 * request's values). */
static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* The targetNamespace of a schema file's root into out: 3GPP's X1
 * extensions' (X1_NS_3GPP_PREFIX, then what an attribute can carry). */
static int
read_3gpp_ns(const char *path, char *out, size_t size)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlNodePtr root;
	xmlChar *v;
	int rc = -EINVAL;

	if (doc == NULL)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	v = root != NULL ? xmlGetProp(root, BAD_CAST "targetNamespace") : NULL;
	if (v != NULL && strncmp((const char *)v, X1_NS_3GPP_PREFIX,
				 sizeof(X1_NS_3GPP_PREFIX) - 1) == 0 &&
	    strlen((const char *)v) < size && strpbrk((const char *)v, "\"<>&'") == NULL) {
		snprintf(out, size, "%s", (const char *)v);
		rc = 0;
	}
	xmlFree(v);
	xmlFreeDoc(doc);
	return rc;
}

/* The version attribute of a schema file's root, into out (or "?"). */
static int
read_version(const char *path, char *out, size_t size)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlNodePtr root;
	xmlChar *v;

	if (doc == NULL)
		return -EINVAL;
	root = xmlDocGetRootElement(doc);
	v = root != NULL ? xmlGetProp(root, BAD_CAST "version") : NULL;
	snprintf(out, size, "%s", v != NULL ? (const char *)v : "?");
	xmlFree(v);
	xmlFreeDoc(doc);
	return 0;
}

struct x1_schema *
x1_schema_load(const char *dir)
{
	char real[PATH_MAX], path[PATH_MAX + 64], ver[3][20], ns3[96] = "";
	char wrapper[4 * PATH_MAX];
	xmlSchemaParserCtxtPtr pctx;
	struct x1_schema *s;
	size_t off;
	int i, n;

	if (dir == NULL || realpath(dir, real) == NULL)
		return NULL;	/* errno from realpath() */
	/* the wrapper carries the path inside an attribute, as a URI path */
	if (strpbrk(real, "\"<>&%' \t\n\r#?") != NULL) {
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", real, files[i]);
		if (access(path, R_OK) != 0)
			return NULL;
		if (read_version(path, ver[i], sizeof(ver[i])) != 0) {
			errno = EINVAL;
			return NULL;
		}
	}
	off = (size_t)snprintf(wrapper, sizeof(wrapper),
			       "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
			       "targetNamespace=\"urn:turnpike:x1-wrapper\">");
	for (i = 0; i < 3; i++) {
		n = snprintf(wrapper + off, sizeof(wrapper) - off,
			     "<xs:import namespace=\"%s\" schemaLocation=\"file://%s/%s\"/>",
			     namespaces[i], real, files[i]);
		if (n < 0 || (size_t)n >= sizeof(wrapper) - off) {
			errno = EINVAL;
			return NULL;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "%s/%s", real, X1_3GPP_FILE);
	if (access(path, R_OK) == 0) {
		if (read_3gpp_ns(path, ns3, sizeof(ns3)) != 0) {
			errno = EINVAL;
			return NULL;
		}
		n = snprintf(wrapper + off, sizeof(wrapper) - off,
			     "<xs:import namespace=\"%s\" schemaLocation=\"file://%s/%s\"/>",
			     ns3, real, X1_3GPP_FILE);
		if (n < 0 || (size_t)n >= sizeof(wrapper) - off) {
			errno = EINVAL;
			return NULL;
		}
		off += (size_t)n;
	}
	n = snprintf(wrapper + off, sizeof(wrapper) - off, "</xs:schema>");
	if (n < 0 || (size_t)n >= sizeof(wrapper) - off) {
		errno = EINVAL;
		return NULL;
	}
	off += (size_t)n;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	snprintf(s->versions, sizeof(s->versions), "%s/%s/%s%s%s", ver[2], ver[1], ver[0],
		 ns3[0] != '\0' ? " 3GPP " : "",
		 ns3[0] != '\0' ? ns3 + sizeof(X1_NS_3GPP_PREFIX) - 1 : "");
	pctx = xmlSchemaNewMemParserCtxt(wrapper, (int)off);
	if (pctx == NULL) {
		errno = ENOMEM;
		goto out_free_s;
	}
	xmlSchemaSetParserStructuredErrors(pctx, quiet, NULL);
	s->schema = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	if (s->schema == NULL) {
		errno = EINVAL;
		goto out_free_s;
	}
	return s;

out_free_s:
	free(s);
	return NULL;
}

void
x1_schema_free(struct x1_schema *s)
{
	if (s == NULL)
		return;
	xmlSchemaFree(s->schema);
	free(s);
}

const char *
x1_schema_versions(const struct x1_schema *s)
{
	return s != NULL ? s->versions : NULL;
}

/* The first validity error: its line and element, not its message (which
 * may quote a value, and a value may be a target). */
static void
first_error(void *ctx, xmlErrorPtr e)
{
	struct x1_err *err = ctx;
	const xmlNode *node = e != NULL ? e->node : NULL;

	if (err == NULL || err->code != 0 || e == NULL)
		return;
	x1_set_err(err, X1_E_SYNTAX, e->line,
		   "does not validate against TS 103 221-1 (element %s)",
		   node != NULL && node->type == XML_ELEMENT_NODE && node->name != NULL
			   ? (const char *)node->name : "?");
}

int
x1_schema_check_doc(const struct x1_schema *s, xmlDocPtr doc, struct x1_err *err)
{
	struct x1_err first = { 0 };
	xmlSchemaValidCtxtPtr vctx;
	int rc;

	vctx = xmlSchemaNewValidCtxt(s->schema);
	if (vctx == NULL)
		return -ENOMEM;
	xmlSchemaSetValidStructuredErrors(vctx, first_error, &first);
	rc = xmlSchemaValidateDoc(vctx, doc);
	xmlSchemaFreeValidCtxt(vctx);
	if (rc == 0)
		return 0;
	if (first.code == 0)
		x1_set_err(&first, X1_E_SYNTAX, 0, "does not validate against TS 103 221-1");
	if (err != NULL)
		*err = first;
	return rc < 0 ? -ENOMEM : -EBADMSG;
}

int
x1_schema_validate(const struct x1_schema *s, const char *body, size_t len,
		   struct x1_err *err)
{
	xmlDocPtr doc;
	int rc;

	if (s == NULL || body == NULL)
		return -EINVAL;
	rc = x1_parse_doc(body, len, &doc, err);
	if (rc < 0)
		return rc;
	rc = x1_schema_check_doc(s, doc, err);
	xmlFreeDoc(doc);
	return rc;
}
