/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/iq: the events an Events descriptor may ask (iq_events.def), where
 * each is detected (ROOT, a TCP termination, an RTP one), and the H.248.8
 * code for one that is not: 440 a package the gateway does not know, 451
 * an event its package does not have, 512 an event the termination
 * cannot detect. Nothing here touches cp/agw (tests/unit/test_iq_events.c).
 */
#ifndef CP_IQ_EVENTS_H
#define CP_IQ_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* Where an event is detected. */
#define IQ_ON_ROOT 0x1u
#define IQ_ON_TCP  0x2u
#define IQ_ON_RTP  0x4u

enum iq_event {
	IQ_EV_NONE = 0,
#define IQ_EVENT(e, name, on) IQ_EV_##e,
#include "iq_events.def"
#undef IQ_EVENT
	IQ_EV__COUNT
};
_Static_assert(IQ_EV__COUNT <= 32, "the events asked are a 32-bit set");

/* The bit of event e in a set of events asked. */
#define IQ_EV_BIT(e) (1u << (e))

/*
 * The event name[0..len) names (pkg/event, in any case, as megaco lowers
 * it), or IQ_EV_NONE with *code: 442 (not pkg/event), 440 (its package
 * is none the gateway knows) or 451 (a package the gateway knows, an
 * event it does not have).
 */
enum iq_event iq_event_of(const char *name, size_t len, unsigned int *code);

/* Event e's name ("g/cause"), and where it is detected (IQ_ON_*). */
const char *iq_event_name(enum iq_event e);
unsigned int iq_event_on(enum iq_event e);

/* The first event of the set asked that a termination of where cannot
 * detect (its 512), or IQ_EV_NONE. */
enum iq_event iq_events_refused(uint32_t asked, unsigned int where);

#endif /* CP_IQ_EVENTS_H */
