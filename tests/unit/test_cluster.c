/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp/cluster's checks of what it reads from Redis (cluster_parse.c): a
 * user's keys, a box's load and addresses, numbers; and the choice of the
 * box new clients are sent to; the keys and events of the default tenant
 * and of a tenant. Redis is shared with other boxes: what is
 * not well formed is refused whole, never half believed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cluster/cluster.h"
#include "store_types.h"

static const char MD5[] = "0123456789abcdef0123456789abcdef";
static const char SHA[] =
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void
test_cluster_u32_digits_only(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(cl_parse_u32("4294967295", 10, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(cl_parse_u32("4294967296", 10, &v), -EINVAL);
	assert_int_equal(cl_parse_u32("12a", 3, &v), -EINVAL);
	assert_int_equal(cl_parse_u32("-1", 2, &v), -EINVAL);
	assert_int_equal(cl_parse_u32("", 0, &v), -EINVAL);
	assert_int_equal(cl_parse_u32("00000000001", 11, &v), -EINVAL);
	/* the length given is what counts: no reading past it */
	assert_int_equal(cl_parse_u32("12 junk", 2, &v), 0);
	assert_int_equal(v, 12);
}

static void
test_cluster_user_keys_exact_form(void **state)
{
	uint8_t md5[16], sha[32];
	char val[128];
	int has = -1;

	(void)state;
	assert_int_equal(cl_parse_user("alice", 5, MD5, 32, md5, sha, &has), 0);
	assert_int_equal(has, 0);
	assert_int_equal(md5[0], 0x01);
	assert_int_equal(md5[15], 0xef);
	snprintf(val, sizeof(val), "%s:%s", MD5, SHA);
	assert_int_equal(cl_parse_user("alice", 5, val, strlen(val), md5, sha, &has), 0);
	assert_int_equal(has, 1);
	assert_int_equal(sha[31], 0xff);
	/* wrong separator, short, long, not hex */
	val[32] = ';';
	assert_int_equal(cl_parse_user("alice", 5, val, strlen(val), md5, sha, &has), -EINVAL);
	assert_int_equal(cl_parse_user("alice", 5, MD5, 31, md5, sha, &has), -EINVAL);
	snprintf(val, sizeof(val), "%s:%s0", MD5, SHA);
	assert_int_equal(cl_parse_user("alice", 5, val, strlen(val), md5, sha, &has), -EINVAL);
	snprintf(val, sizeof(val), "%.31sg", MD5);
	assert_int_equal(cl_parse_user("alice", 5, val, 32, md5, sha, &has), -EINVAL);
	/* names: empty, a NUL inside, longer than a USERNAME may be */
	assert_int_equal(cl_parse_user("", 0, MD5, 32, md5, sha, &has), -EINVAL);
	assert_int_equal(cl_parse_user("al\0ce", 5, MD5, 32, md5, sha, &has), -EINVAL);
	{
		static char big[CP_STORE_NAME_MAX + 2];

		memset(big, 'x', sizeof(big) - 1);
		assert_int_equal(cl_parse_user(big, CP_STORE_NAME_MAX, MD5, 32, md5, sha, &has), 0);
		assert_int_equal(cl_parse_user(big, CP_STORE_NAME_MAX + 1, MD5, 32, md5, sha,
					       &has), -EINVAL);
	}
}

/* HGETALL's flat list of a box, as hiredis gives it */
static int
box(const char *name, struct cl_box *b, const char *const *kv, size_t n)
{
	size_t len[32];

	for (size_t i = 0; i < n; i++)
		len[i] = strlen(kv[i]);
	return cl_parse_box(name, strlen(name), kv, len, n, b);
}

static void
test_cluster_box_fields_checked(void **state)
{
	const char *ok[] = { "owner", "h:/x", "allocs", "5", "capacity", "100", "draining", "0",
			     "v4", "10.220.0.1:3478", "v6", "[fd00::1]:3478", "future", "x" };
	const char *v4_as_v6[] = { "allocs", "1", "capacity", "2", "v6", "10.0.0.1:3478" };
	const char *port0[] = { "allocs", "1", "capacity", "2", "v4", "10.0.0.1:0" };
	const char *cap0[] = { "allocs", "1", "capacity", "0" };
	const char *no_cap[] = { "allocs", "1" };
	const char *drain2[] = { "allocs", "1", "capacity", "2", "draining", "2" };
	const char *host[] = { "allocs", "1", "capacity", "2", "v4", "evil.example:3478" };
	struct cl_box b;

	(void)state;
	assert_int_equal(box("box-2", &b, ok, 14), 0);
	assert_string_equal(b.name, "box-2");
	assert_int_equal(b.allocs, 5);
	assert_int_equal(b.capacity, 100);
	assert_false(b.draining);
	assert_true(b.has_v4 && b.has_v6);
	assert_int_equal(b.v4.port, 3478);
	assert_int_equal(b.v4.ip[0], 10);
	assert_int_equal(b.v6.ip[0], 0xfd);
	assert_int_equal(box("box-2", &b, v4_as_v6, 6), -EINVAL);
	assert_int_equal(box("box-2", &b, port0, 6), -EINVAL);
	assert_int_equal(box("box-2", &b, cap0, 4), -EINVAL);
	assert_int_equal(box("box-2", &b, no_cap, 2), -EINVAL);
	assert_int_equal(box("box-2", &b, drain2, 6), -EINVAL);
	assert_int_equal(box("box-2", &b, host, 6), -EINVAL);
	assert_int_equal(box("box-2", &b, ok, 13), -EINVAL);      /* odd */
	/* a name that is not a box name (it goes into logs and keys) */
	assert_int_equal(box("box 2", &b, ok, 14), -EINVAL);
	assert_int_equal(box("box\n2", &b, ok, 14), -EINVAL);
	assert_int_equal(box("", &b, ok, 14), -EINVAL);
	assert_int_equal(cl_parse_box("b\0x", 3, ok, (size_t[14]){ 0 }, 0, &b), -EINVAL);
}

static struct cl_box
mk(const char *name, uint32_t allocs, uint32_t cap, bool draining, bool v4)
{
	struct cl_box b;

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", name);
	b.allocs = allocs;
	b.capacity = cap;
	b.draining = draining;
	b.has_v4 = v4;
	b.has_v6 = !v4;
	return b;
}

static void
test_cluster_pick_least_loaded_live_box(void **state)
{
	struct cl_box bs[5];

	(void)state;
	bs[0] = mk("self", 0, 100, false, true);        /* never ourselves */
	bs[1] = mk("big", 50, 1000, false, true);       /* 5% */
	bs[2] = mk("small", 1, 10, false, true);        /* 10% */
	bs[3] = mk("empty-draining", 0, 100, true, true);
	bs[4] = mk("v6only", 0, 100, false, false);
	assert_string_equal(cl_pick_box(bs, 5, "self", 4)->name, "big");
	assert_string_equal(cl_pick_box(bs, 5, "self", 6)->name, "v6only");
	bs[1].allocs = 1000;                            /* full */
	assert_string_equal(cl_pick_box(bs, 5, "self", 4)->name, "small");
	bs[2].draining = true;
	assert_null(cl_pick_box(bs, 5, "self", 4));
	/* ties: by name, so that every box sends to the same one */
	bs[1] = mk("b", 1, 10, false, true);
	bs[2] = mk("a", 2, 20, false, true);
	assert_string_equal(cl_pick_box(bs, 3, "self", 4)->name, "a");
	assert_null(cl_pick_box(bs, 0, "self", 4));
}

/* write a secret's file: content, mode, owner */
static void
put(const char *path, const char *content, size_t n, mode_t mode, uid_t uid)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, n, f), n);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	if (uid != geteuid())
		assert_int_equal(chown(path, uid, (gid_t)-1), 0);
}

/* cluster.password_file: read as a key file, or refused with the rule */
static void
test_cluster_secret_file_checked(void **state)
{
	char dir[] = "/tmp/tp-secret-XXXXXX", path[64], link[64], big[CL_SECRET_MAX + 2];
	char out[CL_SECRET_MAX], err[256];
	size_t len = 99;
	uid_t me = geteuid(), other = me == 0 ? 4242 : me;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pass", dir);
	snprintf(link, sizeof(link), "%s/link", dir);

	put(path, "s3cret\n", 7, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "s3cret", 6);
	put(path, "s3cret\r\n", 8, 0400, me);   /* CR LF, read-only */
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 6);
	put(path, "with space:and\x01" "bytes", 20, 0600, me);   /* bytes as they are */
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 20);

	/* group or others may read it: refused, saying what to do */
	put(path, "s3cret\n", 7, 0640, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "its group"));
	assert_non_null(strstr(err, "chmod 600"));
	put(path, "s3cret\n", 7, 0604, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "everyone"));
	assert_int_equal(len, 0);
	/* through a symbolic link: refused (it could point anywhere) */
	put(path, "s3cret\n", 7, 0600, me);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cl_read_secret(link, other, out, &len, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	/* not a file */
	assert_int_equal(cl_read_secret(dir, other, out, &len, err, sizeof(err)), -EINVAL);
	/* empty, two lines, a NUL, too long */
	put(path, "\n", 1, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nothing"));
	put(path, "a\nb\n", 4, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EINVAL);
	put(path, "a\0b", 3, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EINVAL);
	memset(big, 'x', sizeof(big));
	put(path, big, CL_SECRET_MAX, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), 0);
	assert_int_equal(len, CL_SECRET_MAX);
	put(path, big, CL_SECRET_MAX + 1, 0600, me);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more"));
	/* another user's (as root only: chown) */
	if (me == 0) {
		put(path, "s3cret\n", 7, 0600, 4243);
		assert_int_equal(cl_read_secret(path, 4242, out, &len, err, sizeof(err)),
				 -EPERM);
		assert_non_null(strstr(err, "uid 4243"));
		assert_int_equal(cl_read_secret(path, 4243, out, &len, err, sizeof(err)), 0);
	}
	/* missing */
	unlink(path);
	assert_int_equal(cl_read_secret(path, other, out, &len, err, sizeof(err)), -ENOENT);
	unlink(link);
	rmdir(dir);
}

/* NS:psks values: "CCCC:HEX", the suite 1301..1303, 16..64 key bytes */
static void
test_cluster_psk_exact_form(void **state)
{
	char key[2 * 66 + 6];
	struct cp_store_psk p;

	(void)state;
	snprintf(key, sizeof(key), "1301:%s", "00112233445566778899aabbccddeeff");
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), 0);
	assert_string_equal(p.id, "ue-1");
	assert_int_equal(p.cipher, 0x1301);
	assert_int_equal(p.key_len, 16);
	assert_int_equal(p.key[15], 0xff);
	key[3] = '3';
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), 0);
	assert_int_equal(p.cipher, 0x1303);
	key[3] = '4';                                  /* no such suite */
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), -EINVAL);
	key[3] = '1';
	key[4] = '-';
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), -EINVAL);
	key[4] = ':';
	/* 15 bytes, an odd digit count, a bad digit, 65 bytes */
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key) - 2, &p), -EINVAL);
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key) - 1, &p), -EINVAL);
	key[7] = 'g';
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), -EINVAL);
	memset(key + 5, 'a', 2 * 64);
	key[5 + 2 * 64] = '\0';
	assert_int_equal(cl_parse_psk("ue-1", 4, key, strlen(key), &p), 0);
	assert_int_equal(p.key_len, 64);
	key[5 + 2 * 64] = 'a';
	key[5 + 2 * 64 + 1] = 'a';
	assert_int_equal(cl_parse_psk("ue-1", 4, key, 5 + 2 * 65, &p), -EINVAL);
	key[5 + 2 * 64] = '\0';
	/* identities: printable, no space, 1..128 */
	assert_int_equal(cl_parse_psk("ue 1", 4, key, strlen(key), &p), -EINVAL);
	assert_int_equal(cl_parse_psk("ue\x01", 3, key, strlen(key), &p), -EINVAL);
	assert_int_equal(cl_parse_psk("", 0, key, strlen(key), &p), -EINVAL);
	assert_int_equal(cl_parse_psk("ue-1\0x", 6, key, strlen(key), &p), -EINVAL);
}

/* The default tenant's keys are as they were before tenants (a cluster's
 * data keeps working); a tenant's carry its name after "t:". */
static void
test_cluster_tenant_keys(void **state)
{
	char k[64];

	(void)state;
	assert_int_equal(cl_tkey(k, sizeof(k), "r.test", NULL, "users", "", 0), 12);
	assert_string_equal(k, "r.test:users");
	assert_int_equal(cl_tkey(k, sizeof(k), "r.test", NULL, "quota:", "al\0ce", 5), 18);
	assert_memory_equal(k, "r.test:quota:al\0ce", 19);
	assert_int_equal(cl_tkey(k, sizeof(k), "r.test", "mvno-a", "users", "", 0), 21);
	assert_string_equal(k, "r.test:t:mvno-a:users");
	assert_int_equal(cl_tkey(k, sizeof(k), "r.test", "mvno-a", "quota:", "alice", 5), 27);
	assert_string_equal(k, "r.test:t:mvno-a:quota:alice");
	/* too long for out: refused, never cut into another key */
	assert_int_equal(cl_tkey(k, 27, "r.test", "mvno-a", "quota:", "alice", 5),
			 -ENAMETOOLONG);
	assert_int_equal(cl_tkey(k, 28, "r.test", "mvno-a", "quota:", "alice", 5), 27);
}

static int
ev(const char *m, struct cl_event *e)
{
	return cl_parse_event(m, strlen(m), e);
}

static void
test_cluster_events_parsed(void **state)
{
	struct cl_event e;
	char big[CP_STORE_NAME_MAX + 16];

	(void)state;
	/* the default tenant's, as before tenants */
	assert_int_equal(ev("s", &e), 0);
	assert_int_equal(e.kind, CL_EV_SECRETS);
	assert_string_equal(e.tenant, "");
	assert_int_equal(ev("u alice", &e), 0);
	assert_int_equal(e.kind, CL_EV_USER);
	assert_string_equal(e.tenant, "");
	assert_int_equal(e.nlen, 5);
	assert_memory_equal(e.name, "alice", 5);
	assert_int_equal(ev("u a b", &e), 0);          /* a name may hold a space */
	assert_int_equal(e.nlen, 3);
	assert_int_equal(ev("p ue-1", &e), 0);
	assert_int_equal(e.kind, CL_EV_PSK);
	assert_int_equal(e.nlen, 4);
	/* a tenant's */
	assert_int_equal(ev("S mvno-a", &e), 0);
	assert_int_equal(e.kind, CL_EV_SECRETS);
	assert_string_equal(e.tenant, "mvno-a");
	assert_int_equal(ev("U mvno-a alice smith", &e), 0);
	assert_int_equal(e.kind, CL_EV_USER);
	assert_string_equal(e.tenant, "mvno-a");
	assert_int_equal(e.nlen, 11);
	assert_memory_equal(e.name, "alice smith", 11);
	/* not well formed */
	assert_int_equal(ev("", &e), -EINVAL);
	assert_int_equal(ev("u", &e), -EINVAL);
	assert_int_equal(ev("u ", &e), -EINVAL);
	assert_int_equal(ev("ss", &e), -EINVAL);
	assert_int_equal(ev("x y", &e), -EINVAL);
	assert_int_equal(ev("S", &e), -EINVAL);
	assert_int_equal(ev("S ", &e), -EINVAL);
	assert_int_equal(ev("S mvno a", &e), -EINVAL);      /* no space in a tenant */
	assert_int_equal(ev("S default", &e), -EINVAL);     /* never named */
	assert_int_equal(ev("S a:b", &e), -EINVAL);         /* it goes into keys */
	assert_int_equal(ev("S a*", &e), -EINVAL);
	assert_int_equal(ev("U mvno-a", &e), -EINVAL);      /* no user */
	assert_int_equal(ev("U mvno-a ", &e), -EINVAL);
	assert_int_equal(ev("U  alice", &e), -EINVAL);      /* no tenant */
	assert_int_equal(ev("U default alice", &e), -EINVAL);
	assert_int_equal(ev("U 0123456789012345678901234567890123 alice", &e), -EINVAL);
	assert_int_equal(cl_parse_event("u al\0ce", 7, &e), -EINVAL);
	assert_int_equal(cl_parse_event("U t al\0ce", 9, &e), -EINVAL);
	assert_int_equal(cl_parse_event("S t\0", 4, &e), -EINVAL);
	/* a name of the longest length, and one longer */
	memset(big, 'n', sizeof(big));
	memcpy(big, "U t ", 4);
	assert_int_equal(cl_parse_event(big, 4 + CP_STORE_NAME_MAX, &e), 0);
	assert_int_equal(cl_parse_event(big, 5 + CP_STORE_NAME_MAX, &e), -EINVAL);
	memcpy(big, "u ", 2);
	assert_int_equal(cl_parse_event(big, 2 + CP_STORE_NAME_MAX, &e), 0);
	assert_int_equal(cl_parse_event(big, 3 + CP_STORE_NAME_MAX, &e), -EINVAL);
	assert_true(cl_tenant_name_ok("a.b_c-9", 7));
	assert_false(cl_tenant_name_ok("", 0));
	assert_false(cl_tenant_name_ok("a/b", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cluster_u32_digits_only),
		cmocka_unit_test(test_cluster_user_keys_exact_form),
		cmocka_unit_test(test_cluster_box_fields_checked),
		cmocka_unit_test(test_cluster_pick_least_loaded_live_box),
		cmocka_unit_test(test_cluster_secret_file_checked),
		cmocka_unit_test(test_cluster_psk_exact_form),
		cmocka_unit_test(test_cluster_tenant_keys),
		cmocka_unit_test(test_cluster_events_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
