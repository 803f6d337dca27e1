/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may read the secrets a configuration file holds: users' passwords
 * and REST secrets (cp's, the tenants'). The loader notes each file one
 * came from (the file itself, or one it @includes: an operator may keep
 * them apart, in a file of their own that only cp reads); cp asks, at
 * its start and at each reload, whether anyone but the file's owner,
 * root and cp's own group may read one, and warns. A warning and not a
 * refusal: boxes installed before this check copied the example with
 * cp(1) (mode 0644), and the demo runs its file from the source tree; a
 * refusal would stop their TURN service at the next upgrade or restart.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tp_conf.h"
#include "tp_conf_internal.h"

void
tp_conf_note_secret(const config_setting_t *s, struct tp_conf *c)
{
	char buf[sizeof(c->path)];
	const char *f = tp_conf_file_name(config_setting_source_file(s), c, buf, sizeof(buf));

	for (unsigned int i = 0; i < c->nsecret_files; i++)
		if (strcmp(c->secret_files[i], f) == 0)
			return;
	if (c->nsecret_files < TP_CONF_SECRET_FILES)
		snprintf(c->secret_files[c->nsecret_files++], sizeof(c->secret_files[0]), "%s", f);
}

void
tp_conf_note_secret_path(const char *path, struct tp_conf *c)
{
	for (unsigned int i = 0; i < c->nsecret_files; i++)
		if (strcmp(c->secret_files[i], path) == 0)
			return;
	if (c->nsecret_files < TP_CONF_SECRET_FILES)
		snprintf(c->secret_files[c->nsecret_files++], sizeof(c->secret_files[0]), "%s",
			 path);
}

int
tp_conf_secrets_exposed(const struct tp_conf *c, unsigned int group, char *out, size_t outlen)
{
	int n = 0;

	if (outlen > 0)
		out[0] = '\0';
	for (unsigned int i = 0; i < c->nsecret_files; i++) {
		const char *f = c->secret_files[i];
		struct stat st;
		bool others, grp;

		if (stat(f, &st) < 0)
			continue;
		others = (st.st_mode & S_IROTH) != 0;
		grp = (st.st_mode & S_IRGRP) != 0 && st.st_gid != 0 && st.st_gid != group;
		if (!others && !grp)
			continue;
		if (n++ > 0)
			continue;
		if (others)
			snprintf(out, outlen, "%.300s holds users' passwords or REST secrets "
				 "and everyone on this host may read it (mode %04o): chmod "
				 "0640 %.300s, in root's group or turnpike-cp's (install -m "
				 "0640 -g turnpike ...)", f, (unsigned int)(st.st_mode & 07777), f);
		else
			snprintf(out, outlen, "%.300s holds users' passwords or REST secrets "
				 "and group %u may read it (mode %04o), neither root's nor "
				 "turnpike-cp's (gid %u): chgrp or chmod g-r %.300s", f,
				 (unsigned int)st.st_gid, (unsigned int)(st.st_mode & 07777),
				 group, f);
	}
	return n;
}
