/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/h248's own helpers shared by its files (not for users of the
 * library): Annex B.2's character classes.
 */
#ifndef TP_H248_INTERNAL_H
#define TP_H248_INTERNAL_H

#include <stdbool.h>

/* Annex B.2 SafeChar (what a token or an unquoted value is made of). */
bool h248_safe_char(unsigned char c);
/* Annex B.2 RestChar (the punctuation). */
bool h248_rest_char(unsigned char c);

#endif /* TP_H248_INTERNAL_H */
