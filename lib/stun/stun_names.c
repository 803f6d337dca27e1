/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names and properties of STUN methods, classes, attributes and error
 * codes, all generated from the .def tables so that adding an attribute is
 * one line.
 */
#include <stddef.h>

#include "stun.h"
#include "tp_common.h"

struct attr_info {
	uint16_t type;
	uint8_t kind;
	const char *name;
};

static const struct attr_info attr_table[STUN_AIDX__COUNT] = {
#define STUN_ATTR(e, code, nm, knd, lmin, lmax) \
	[STUN_AIDX_##e] = { code, STUN_KIND_##knd, nm },
#include "stun_attrs.def"
#undef STUN_ATTR
};

const char *
stun_method_name(uint16_t method)
{
	switch (method) {
#define STUN_METHOD(e, code, name) case code: return name;
#include "stun_methods.def"
#undef STUN_METHOD
	default:
		return NULL;
	}
}

const char *
stun_class_name(uint8_t cls)
{
	static const char *const names[4] = {
		"request", "indication", "success", "error",
	};
	return names[cls & 3u];
}

uint8_t
stun_attr_index(uint16_t type)
{
	switch (type) {
#define STUN_ATTR(e, code, nm, knd, lmin, lmax) \
	case code: return STUN_AIDX_##e;
#include "stun_attrs.def"
#undef STUN_ATTR
	default:
		return STUN_AIDX_NONE;
	}
}

const char *
stun_attr_name(uint16_t type)
{
	uint8_t i = stun_attr_index(type);

	return i == STUN_AIDX_NONE ? NULL : attr_table[i].name;
}

enum stun_attr_kind
stun_attr_kind(uint16_t type)
{
	uint8_t i = stun_attr_index(type);

	return i == STUN_AIDX_NONE ? STUN_KIND_UNKNOWN :
				     (enum stun_attr_kind)attr_table[i].kind;
}

const char *
stun_error_reason(uint16_t code)
{
	switch (code) {
#define STUN_ERROR(e, c, reason) case c: return reason;
#include "stun_errors.def"
#undef STUN_ERROR
	default:
		return "Unknown Error";
	}
}
