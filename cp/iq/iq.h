/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq: the IMS-ALG's door into the access gateway, H.248 (ITU-T H.248.1
 * version 3, text encoding) as 3GPP TS 29.334 profiles it for the Iq
 * interface. turnpike-cp plays the media gateway: it registers with the
 * controllers of iq.mgc (ServiceChange), answers their transactions over
 * UDP or TCP (iq_net, iq_trans) and carries their commands out on the
 * same contexts as the operator API (cp/agw): one H.248 context is one
 * AGW context, one termination one leg. What dp reports of a context
 * goes back as Notify when the controller asked for it.
 */
#ifndef CP_IQ_H
#define CP_IQ_H

#include <stdint.h>

struct cp_ctx;
struct json_object;

/* The module (iq_module.c): set up when the configuration has an iq
 * group. */
extern const struct cp_module cp_iq_module;

/* status's "iq" member (NULL without an iq group). */
struct json_object *cp_iq_status(const struct cp_ctx *cp);

#endif /* CP_IQ_H */
