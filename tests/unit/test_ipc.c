/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ipc: the segment is created once and re-attached (by a "restarted"
 * process) with its rings intact; a version or geometry mismatch is
 * refused; rings keep order, refuse when full without blocking, and carry
 * a million messages between two threads without loss or reordering.
 *
 * Trust: a segment is used only when it is its
 * expected owner's, mode 0600, one name; one we create is made so; the
 * rings' geometry never comes from the segment, a corrupt index or length
 * is counted and refused without reading outside the ring; ipc_msg_check()
 * takes what dp and cp send and refuses everything the contract does not
 * allow. The ownership tests need root (fchown); they skip without it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc.h"

static char seg_name[64];
static uid_t me;

static int
setup(void **state)
{
	(void)state;
	me = geteuid();
	snprintf(seg_name, sizeof(seg_name), "/tp-test-ipc-%d", (int)getpid());
	ipc_seg_unlink(seg_name);
	return 0;
}

static int
teardown(void **state)
{
	char other[80];

	(void)state;
	ipc_seg_unlink(seg_name);
	snprintf(other, sizeof(other), "%s-2", seg_name);
	ipc_seg_unlink(other);
	return 0;
}

/* /dev/shm/<name> of the test's segment. */
static const char *
seg_path(void)
{
	static char p[96];

	snprintf(p, sizeof(p), "/dev/shm%s", seg_name);
	return p;
}

static void
need_root(void)
{
	if (geteuid() != 0) {
		print_message("not root: cannot make segments of another owner\n");
		skip();
	}
}

/* A valid segment of nworkers made by us, then closed. */
static void
make_segment(unsigned int nworkers)
{
	struct ipc_seg a;
	bool created;

	assert_int_equal(ipc_seg_open(&a, seg_name, nworkers, me, &created), 0);
	assert_true(created);
	ipc_seg_close(&a);
}

static void
msg_fill(struct ipc_msg *m, uint16_t kind, uint32_t seq, uint16_t len)
{
	memset(&m->h, 0, sizeof(m->h));
	m->h.kind = kind;
	m->h.seq = seq;
	m->h.body_len = len;
	for (uint16_t i = 0; i < len; i++)
		m->body[i] = (uint8_t)(seq + i);
}

static void
test_ipc_create_then_attach_keeps_messages(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a, b;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, me, &created), 0);
	assert_true(created);
	msg_fill(&m, IPC_REQUEST, 7, 100);
	assert_int_equal(ipc_ring_enqueue(&ipc_worker(&a, 1)->to_cp, &m), 0);
	ipc_seg_close(&a);  /* the producer "dies" */

	assert_int_equal(ipc_seg_open(&b, seg_name, 0, me, &created), 0);
	assert_false(created);
	assert_int_equal(b.shm->nworkers, 2);
	assert_int_equal(ipc_ring_count(&ipc_worker(&b, 1)->to_cp), 1);
	assert_int_equal(ipc_ring_count(&ipc_worker(&b, 0)->to_cp), 0);
	assert_int_equal(ipc_ring_dequeue(&ipc_worker(&b, 1)->to_cp, &out), 1);
	assert_int_equal(out.h.kind, IPC_REQUEST);
	assert_int_equal(out.h.seq, 7);
	assert_int_equal(out.h.body_len, 100);
	assert_memory_equal(out.body, m.body, 100);
	assert_int_equal(ipc_ring_dequeue(&ipc_worker(&b, 1)->to_cp, &out), 0);
	ipc_seg_close(&b);
}

/* A consumer killed between peek and release (cp SIGKILLed while it
 * journals dp's ALLOC_END) leaves the message to the next consumer, which
 * attaches anew; release consumes exactly one; a corrupt ring is emptied by
 * the peek and a release after it consumes nothing more. */
static void
test_ipc_peek_leaves_message_until_released(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a, b;
	struct ipc_ring *r;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_cp;
	msg_fill(&m, IPC_ALLOC_END, 1, 40);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	msg_fill(&m, IPC_STATS_FINAL, 2, 24);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	assert_int_equal(ipc_ring_peek(r, &out), 1);
	assert_int_equal(out.h.seq, 1);
	assert_int_equal(ipc_ring_count(r), 2);
	ipc_seg_close(&a);  /* the consumer "dies" before its release */

	assert_int_equal(ipc_seg_open(&b, seg_name, 0, me, &created), 0);
	r = &ipc_worker(&b, 0)->to_cp;
	memset(&out, 0, sizeof(out));
	assert_int_equal(ipc_ring_peek(r, &out), 1);
	assert_int_equal(out.h.kind, IPC_ALLOC_END);
	assert_int_equal(out.h.seq, 1);
	assert_int_equal(out.h.body_len, 40);
	ipc_ring_release(r);
	assert_int_equal(ipc_ring_count(r), 1);
	assert_int_equal(ipc_ring_peek(r, &out), 1);
	assert_int_equal(out.h.seq, 2);
	ipc_ring_release(r);
	assert_int_equal(ipc_ring_peek(r, &out), 0);
	ipc_ring_release(r);            /* (empty: nothing to consume) */
	assert_int_equal(ipc_ring_count(r), 0);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	assert_int_equal(ipc_ring_count(r), 1);
	/* a head far past the tail: the peek empties it, the release after
	 * it takes nothing */
	atomic_store(&r->head, atomic_load(&r->tail) + IPC_RING_SLOTS + 5);
	assert_int_equal(ipc_ring_peek(r, &out), -EPROTO);
	ipc_ring_release(r);
	assert_int_equal(ipc_ring_count(r), 0);
	ipc_seg_close(&b);
}

static void
test_ipc_refuses_other_geometry_and_version(void **state)
{
	struct ipc_seg a, b;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, me, &created), 0);
	assert_int_equal(ipc_seg_open(&b, seg_name, 3, me, &created), -EINVAL);
	a.shm->version = IPC_VERSION + 1;
	assert_int_equal(ipc_seg_open(&b, seg_name, 0, me, &created), -EPROTO);
	assert_int_equal(ipc_seg_open(&b, seg_name, 2, me, &created), -EPROTO);
	ipc_seg_close(&a);
}

static void
test_ipc_attach_without_segment_fails(void **state)
{
	struct ipc_seg a;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 0, me, &created), -ENOENT);
}

static void
test_ipc_ring_full_refuses_without_blocking(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a;
	struct ipc_ring *r;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_dp;
	for (uint32_t i = 0; i < IPC_RING_SLOTS; i++) {
		msg_fill(&m, IPC_RESPONSE, i, 8);
		assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	}
	msg_fill(&m, IPC_RESPONSE, 99999, 8);
	assert_int_equal(ipc_ring_enqueue(r, &m), -ENOBUFS);
	assert_int_equal(r->full, 1);
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 0);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	for (uint32_t i = 1; i < IPC_RING_SLOTS; i++) {
		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
		assert_int_equal(out.h.seq, i);
	}
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 99999);
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	msg_fill(&m, IPC_RESPONSE, 1, 8);
	m.h.body_len = (uint16_t)(sizeof(m.body) + 1);
	assert_int_equal(ipc_ring_enqueue(r, &m), -EMSGSIZE);
	ipc_seg_close(&a);
}

#define STRESS_N 1000000u

static void *
producer(void *arg)
{
	struct ipc_ring *r = arg;
	static struct ipc_msg m;

	for (uint32_t i = 0; i < STRESS_N;) {
		msg_fill(&m, IPC_REQUEST, i, (uint16_t)(i % 64));
		if (ipc_ring_enqueue(r, &m) == 0)
			i++;
	}
	return NULL;
}

static void
test_ipc_spsc_threads_keep_order(void **state)
{
	static struct ipc_msg out;
	struct ipc_seg a;
	pthread_t t;
	bool created;
	struct ipc_ring *r;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_cp;
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
	for (uint32_t want = 0; want < STRESS_N;) {
		if (ipc_ring_dequeue(r, &out) == 0)
			continue;
		assert_int_equal(out.h.seq, want);
		assert_int_equal(out.h.body_len, want % 64);
		for (uint16_t i = 0; i < out.h.body_len; i++)
			if (out.body[i] != (uint8_t)(want + i))
				fail_msg("message %u byte %u corrupt", want, i);
		want++;
	}
	pthread_join(t, NULL);
	assert_int_equal(ipc_ring_count(r), 0);
	ipc_seg_close(&a);
}

static void
test_ipc_kind_names(void **state)
{
	(void)state;
	assert_string_equal(ipc_kind_name(IPC_REQUEST), "request");
	assert_string_equal(ipc_kind_name(IPC_ALLOC_ADD), "alloc_add");
	assert_string_equal(ipc_kind_name(999), "?");
}

/* Readiness: cp serves only when the cp that published ready is
 * the newest one and its heartbeat is fresh; a heartbeat from the future
 * is not fresh; withdrawing readiness is seen at once. */
static void
test_ipc_readiness_rule(void **state)
{
	struct ipc_seg s;
	bool created;
	uint64_t now;

	(void)state;
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, me, &created), 0);
	now = ipc_monotonic_ms();
	assert_false(ipc_cp_serving(s.shm, now));           /* never ready */
	s.shm->cp_epoch = 1;
	ipc_cp_set_ready(s.shm, true);
	now = ipc_monotonic_ms();
	assert_true(ipc_cp_serving(s.shm, now));
	assert_false(ipc_cp_serving(s.shm, now + IPC_ALIVE_MS));  /* stale */
	s.shm->cp_heartbeat_ms = now + 5000;                 /* from the future */
	assert_false(ipc_cp_serving(s.shm, now));
	/* a beat a few ms newer than the reader's now (dp's now is its last
	 * millisecond tick) is fresh: taking it for stale made dp hold back
	 * every request now and then */
	s.shm->cp_heartbeat_ms = now + 3;
	assert_true(ipc_cp_serving(s.shm, now));
	s.shm->cp_heartbeat_ms = now;
	s.shm->cp_epoch = 2;                                 /* a new cp starts */
	assert_false(ipc_cp_serving(s.shm, now));
	ipc_cp_set_ready(s.shm, true);
	assert_true(ipc_cp_serving(s.shm, ipc_monotonic_ms()));
	ipc_cp_set_ready(s.shm, false);
	assert_false(ipc_cp_serving(s.shm, ipc_monotonic_ms()));
	assert_false(ipc_dp_running(s.shm, ipc_monotonic_ms()));
	s.shm->dp_epoch = 4;
	ipc_dp_set_ready(s.shm, true);
	assert_true(ipc_dp_running(s.shm, ipc_monotonic_ms()));
	ipc_seg_close(&s);
}

/* The pair's role (struct ipc_ha): a fresh segment is passive; ACTIVE
 * holds only before its deadline; a FENCED or STANDBY role is passive
 * whatever the deadline; the block survives a re-attach (a restarted dp
 * finds the role cp gave). */
static void
test_ipc_ha_block_role_and_deadline(void **state)
{
	struct ipc_seg s;
	bool created;
	uint64_t now;

	(void)state;
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, me, &created), 0);
	assert_true(created);
	now = ipc_monotonic_ms();
	assert_false(ipc_ha_active(&s.shm->ha, now));        /* fresh: passive */
	assert_int_equal(s.shm->ha.role, IPC_HA_STANDBY);
	ipc_ha_set(&s.shm->ha, IPC_HA_ACTIVE, 7, now + 1000);
	assert_true(ipc_ha_active(&s.shm->ha, now));
	assert_true(ipc_ha_active(&s.shm->ha, now + 999));
	assert_false(ipc_ha_active(&s.shm->ha, now + 1000));  /* the deadline */
	assert_int_equal(s.shm->ha.token, 7);
	ipc_seg_close(&s);
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, me, &created), 0);
	assert_false(created);
	assert_true(ipc_ha_active(&s.shm->ha, now));          /* kept */
	assert_int_equal(s.shm->ha.announce_gen, 0);
	ipc_ha_announce(&s.shm->ha);
	assert_int_equal(s.shm->ha.announce_gen, 1);
	ipc_ha_set(&s.shm->ha, IPC_HA_FENCED, 7, now + 1000);
	assert_false(ipc_ha_active(&s.shm->ha, now));
	ipc_ha_set(&s.shm->ha, IPC_HA_STANDBY, 8, now + 1000);
	assert_false(ipc_ha_active(&s.shm->ha, now));
	s.shm->ha.role = 5;                                   /* no such role */
	assert_false(ipc_ha_active(&s.shm->ha, now));
	ipc_seg_close(&s);
}

/* ---- whose segment ------------------------------------------------------ */

/* One we create is 0600 whatever the umask, and the owner's we name (dp,
 * root, gives it to cp.user). */
static void
test_ipc_created_segment_is_0600_and_the_owners(void **state)
{
	struct ipc_seg a;
	struct stat st;
	bool created;
	mode_t old;

	(void)state;
	need_root();
	old = umask(0);
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, 65534, &created), 0);
	umask(old);
	assert_true(created);
	assert_int_equal(stat(seg_path(), &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_mode & 07777, 0600);
	ipc_seg_close(&a);
	/* cp.user's to use; not ours any more. */
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, 65534, &created), 0);
	assert_false(created);
	ipc_seg_close(&a);
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), -EPERM);
}

/* Made by someone else (a local user, before turnpike started): refused,
 * by dp (which would otherwise create it) and cp alike, with a message
 * that names the file, who owns it and what to do. */
static void
test_ipc_refuses_segment_of_another_owner(void **state)
{
	struct ipc_seg a;
	bool created;
	char want[160];

	(void)state;
	need_root();
	make_segment(2);
	assert_int_equal(chown(seg_path(), 65534, 65534), 0);
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, me, &created), -EPERM);
	assert_false(created);
	assert_null(a.shm);
	assert_non_null(strstr(a.err, seg_path()));
	assert_non_null(strstr(a.err, "owned by uid 65534"));
	snprintf(want, sizeof(want), "rm %s", seg_path());
	assert_non_null(strstr(a.err, want));
	assert_int_equal(ipc_seg_open(&a, seg_name, 0, me, &created), -EPERM);
	/* Its owner's it is. */
	assert_int_equal(ipc_seg_open(&a, seg_name, 2, 65534, &created), 0);
	ipc_seg_close(&a);
}

/* Ours, but others may read or write it: refused, whatever bit. */
static void
test_ipc_refuses_segment_group_or_others_may_use(void **state)
{
	static const mode_t modes[] = { 0666, 0660, 0640, 0604, 0602, 0610, 0601 };
	struct ipc_seg a;
	bool created;
	char want[32];

	(void)state;
	make_segment(1);
	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(seg_path(), modes[i]), 0);
		if (ipc_seg_open(&a, seg_name, 1, me, &created) != -EPERM)
			fail_msg("mode %04o accepted", (unsigned int)modes[i]);
		snprintf(want, sizeof(want), "mode %04o", (unsigned int)modes[i]);
		assert_non_null(strstr(a.err, want));
		assert_non_null(strstr(a.err, seg_path()));
	}
	assert_int_equal(chmod(seg_path(), 0600), 0);
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	ipc_seg_close(&a);
}

/* A second name for a segment (a hard link, one of them someone else's
 * choice): refused under either name. */
static void
test_ipc_refuses_hard_linked_segment(void **state)
{
	struct ipc_seg a;
	bool created;
	char other[80], other_path[96];

	(void)state;
	make_segment(1);
	snprintf(other, sizeof(other), "%s-2", seg_name);
	snprintf(other_path, sizeof(other_path), "/dev/shm%s", other);
	assert_int_equal(link(seg_path(), other_path), 0);
	assert_int_equal(ipc_seg_open(&a, other, 1, me, &created), -EPERM);
	assert_non_null(strstr(a.err, "hard link"));
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), -EPERM);
}

/* A symbolic link in its place is not followed (shm_open's O_NOFOLLOW;
 * the test guards against a libc without it). */
static void
test_ipc_refuses_symbolic_link(void **state)
{
	struct ipc_seg a;
	bool created;
	char other[80], other_path[96];

	(void)state;
	snprintf(other, sizeof(other), "%s-2", seg_name);
	snprintf(other_path, sizeof(other_path), "/dev/shm%s", other);
	assert_int_equal(ipc_seg_open(&a, other, 1, me, &created), 0);
	ipc_seg_close(&a);
	assert_int_equal(symlink(other_path, seg_path()), 0);
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), -ELOOP);
	assert_false(created);
	assert_non_null(strstr(a.err, seg_path()));
	assert_int_equal(ipc_seg_open(&a, seg_name, 0, me, &created), -ELOOP);
}

/* A header that claims more workers than there can be (and a file sized
 * to match, so nothing else gives it away) is refused: nworkers bounds
 * every loop over the rings. */
static void
test_ipc_refuses_too_many_workers(void **state)
{
	uint64_t size = sizeof(struct ipc_shm) +
			(uint64_t)(IPC_MAX_WORKERS + 1) * sizeof(struct ipc_worker_rings);
	struct ipc_shm *shm;
	struct ipc_seg a;
	bool created;
	int fd;

	(void)state;
	fd = shm_open(seg_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);   /* sparse */
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(shm != MAP_FAILED);
	shm->magic = IPC_MAGIC;
	shm->version = IPC_VERSION;
	shm->msg_size = IPC_MSG_SIZE;
	shm->size = size;
	shm->nworkers = IPC_MAX_WORKERS + 1;
	munmap(shm, sizeof(*shm));
	close(fd);
	assert_int_equal(ipc_seg_open(&a, seg_name, 0, me, &created), -EPROTO);
	assert_null(a.shm);
	assert_non_null(strstr(a.err, "corrupt"));
}

/* ---- corrupt rings ------------------------------------------------------ */

/* Whatever the ring header holds besides head and tail (version 2 kept
 * the ring's slot count and mask there), the ring has IPC_RING_SLOTS
 * slots: an index wraps inside it, the SLOTS+1st message is refused, and
 * the next ring in the segment is never written. */
static void
test_ipc_ring_ignores_geometry_in_the_segment(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a;
	struct ipc_ring *r, *next;
	unsigned char *p;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_cp;
	next = &ipc_worker(&a, 0)->to_dp;
	p = (unsigned char *)r;
	for (size_t off = 0; off < offsetof(struct ipc_ring, msg); off++)
		if (off - offsetof(struct ipc_ring, head) >= 4 &&   /* unsigned */
		    off - offsetof(struct ipc_ring, tail) >= 4)
			p[off] = 0xff;
	atomic_store(&r->head, 2000u);
	atomic_store(&r->tail, 2000u);
	for (uint32_t i = 0; i < IPC_RING_SLOTS; i++) {
		msg_fill(&m, IPC_REQUEST, 1 + i, 16);
		assert_int_equal(ipc_ring_enqueue(r, &m), 0);
		if (i == 0)   /* the slot it wraps to, not 976 slots past the end */
			assert_int_equal(r->msg[2000u & (IPC_RING_SLOTS - 1)].h.seq, 1);
	}
	msg_fill(&m, IPC_REQUEST, 99999, 16);
	assert_int_equal(ipc_ring_enqueue(r, &m), -ENOBUFS);
	/* The ring after it is untouched (all zero, as made). */
	for (const unsigned char *q = (const unsigned char *)next;
	     q < (const unsigned char *)(next + 1); q++)
		if (*q != 0)
			fail_msg("byte %td of the next ring written",
				 q - (const unsigned char *)next);
	for (uint32_t i = 0; i < IPC_RING_SLOTS; i++) {
		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
		assert_int_equal(out.h.seq, 1 + i);
	}
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	ipc_seg_close(&a);
}

/* A head far ahead of tail (or behind it) is no producer's doing: the
 * consumer reads nothing, counts it once, empties the ring and carries
 * on; the producer refuses meanwhile; the fill level reads as full. */
static void
test_ipc_ring_corrupt_head_is_counted_and_refused(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a;
	struct ipc_ring *r;
	bool created;
	uint32_t tail;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_dp;
	for (uint32_t i = 0; i < 3; i++) {
		msg_fill(&m, IPC_RESPONSE, i, 8);
		assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	}
	tail = atomic_load(&r->tail);
	atomic_store(&r->head, tail + 5000u);
	assert_int_equal(ipc_ring_count(r), IPC_RING_SLOTS);
	msg_fill(&m, IPC_RESPONSE, 7, 8);
	assert_int_equal(ipc_ring_enqueue(r, &m), -EPROTO);
	assert_int_equal(ipc_ring_dequeue(r, &out), -EPROTO);
	assert_int_equal(r->corrupt, 1);
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	assert_int_equal(ipc_ring_count(r), 0);
	/* The ring works again from there. */
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 7);
	/* Tail ahead of head: the same. */
	atomic_store(&r->tail, atomic_load(&r->head) + 1u);
	assert_int_equal(ipc_ring_dequeue(r, &out), -EPROTO);
	assert_int_equal(r->corrupt, 2);
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	ipc_seg_close(&a);
}

/* A slot whose body_len is more than a message holds is consumed unread
 * and counted; the message after it comes through. */
static void
test_ipc_ring_oversized_body_is_refused(void **state)
{
	static struct ipc_msg m, out;
	struct ipc_seg a;
	struct ipc_ring *r;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&a, 0)->to_cp;
	msg_fill(&m, IPC_REQUEST, 1, 32);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	msg_fill(&m, IPC_REQUEST, 2, 32);
	assert_int_equal(ipc_ring_enqueue(r, &m), 0);
	r->msg[atomic_load(&r->tail) & (IPC_RING_SLOTS - 1)].h.body_len = 60000;
	assert_int_equal(ipc_ring_dequeue(r, &out), -EBADMSG);
	assert_int_equal(r->corrupt, 1);
	assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(out.h.seq, 2);
	assert_int_equal(out.h.body_len, 32);
	ipc_seg_close(&a);
}

/* ---- ipc_msg_check ------------------------------------------------------ */

static void
tuple_fill(struct ipc_tuple *t, uint8_t family)
{
	memset(t, 0, sizeof(*t));
	t->transport = 17;
	t->in_port = 0;
	t->client.family = family;
	t->client.port = 40000;
	t->client.ip[0] = 10;
	t->client.ip[3] = 2;
	t->server.family = family;
	t->server.port = 3478;
	t->server.ip[0] = 10;
	t->server.ip[3] = 1;
}

/* A STUN message of type, with 4 bytes of attribute (RFC 8489 §5). */
static uint16_t
stun_fill(uint8_t *b, uint16_t type)
{
	static const uint8_t hdr[20] = {
		0, 0, 0, 4, 0x21, 0x12, 0xa4, 0x42,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	};

	memcpy(b, hdr, sizeof(hdr));
	b[0] = (uint8_t)(type >> 8);
	b[1] = (uint8_t)type;
	memcpy(b + 20, "\x80\x22\x00\x00", 4);   /* SOFTWARE, empty */
	return 24;
}

static void
alloc_fill(struct ipc_alloc *ia, unsigned int nrelayed)
{
	memset(ia, 0, sizeof(*ia));
	ia->nrelayed = (uint8_t)nrelayed;
	ia->key_len = 16;
	ia->pwalg = 1;
	ia->user_len = 5;
	memcpy(ia->username, "alice", 5);
	ia->relayed[0].family = 4;
	ia->relayed[0].port = 50000;
	ia->relayed[1].family = 6;
	ia->relayed[1].port = 50000;
	ia->expires_ms = 123456789;
}

static void
binding_fill(struct ipc_binding *b, uint8_t family, uint16_t channel)
{
	memset(b, 0, sizeof(*b));
	b->peer.family = family;
	b->peer.port = 3480;
	b->channel = channel;
	b->expires_ms = 1000;
}

/* A message of kind as dp or cp builds it. */
/* An RTP termination as cp sends one: family's local address, a pair or
 * rtcp-mux, a signalled remote, gm on its address, policing. */
static void
rtp_term_fill(struct ipc_rtp_term *t, uint8_t family, bool mux)
{
	memset(t, 0, sizeof(*t));
	t->profile = IPC_RTP_AVP;
	t->mode = IPC_RTP_MODE_SEND | IPC_RTP_MODE_RECV;
	t->flags = mux ? IPC_RTP_F_MUX : 0;
	t->latch = IPC_RTP_LATCH_STRICT | IPC_RTP_LATCH_SIGNALLED;
	t->dscp = 46;
	t->serial = 1;
	t->local.family = family;
	t->local.port = 30000;
	t->rtcp_port = mux ? 0 : 30001;
	t->remote.family = family;
	t->remote.port = 5004;
	t->gm_addr.family = family;
	t->gm_plen = family == 4 ? 24 : 64;
	t->pol_rate = 16000;
	t->pol_burst = 4000;
	t->inact_ms = 10000;
}

/* A fingerprint of alg (1 sha-1 .. 4 sha-512) as cp or dp fills one. */
static void
dtls_fp_fill(struct ipc_agw_fp *f, uint8_t alg)
{
	static const uint8_t len[5] = { 0, 20, 32, 48, 64 };

	memset(f, 0, sizeof(*f));
	f->alg = alg;
	f->len = len[alg];
	for (unsigned int i = 0; i < f->len; i++)
		f->md[i] = (uint8_t)(0xa0 + i);
}

/* A DTLS-SRTP key as a handshake exports one (RFC 5764 §4.2: suite 1,
 * 16 + 14 octets). */
static void
dtls_key_fill(struct ipc_srtp_key *k, uint8_t seed)
{
	memset(k, 0, sizeof(*k));
	k->suite = 1;
	k->key_len = 30;
	for (unsigned int i = 0; i < 30; i++)
		k->key[i] = (uint8_t)(seed + i);
}

static void
msg_make(struct ipc_msg *m, uint16_t kind)
{
	memset(m, 0, sizeof(*m));
	m->h.kind = kind;
	m->h.worker = 1;
	m->h.seq = 9;
	switch (kind) {
	case IPC_REQUEST:
		tuple_fill(&m->h.tuple, 4);
		m->h.body_len = stun_fill(m->body, 0x0003);   /* Allocate request */
		break;
	case IPC_RESPONSE:
		tuple_fill(&m->h.tuple, 6);
		m->h.body_len = stun_fill(m->body, 0x0113);   /* Allocate error */
		break;
	case IPC_STATE_ALLOC:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		alloc_fill((struct ipc_alloc *)(void *)m->body, 2);
		binding_fill((struct ipc_binding *)(void *)(m->body + sizeof(struct ipc_alloc)),
			     4, 0);
		binding_fill((struct ipc_binding *)(void *)(m->body + sizeof(struct ipc_alloc) +
							    sizeof(struct ipc_binding)),
			     6, 0x4001);
		m->h.body_len = sizeof(struct ipc_alloc) + 2 * sizeof(struct ipc_binding);
		break;
	case IPC_STATS:
		m->h.body_len = 3 * sizeof(struct ipc_alloc_stats);
		break;
	case IPC_STATS_FINAL:
		m->h.alloc_id = 5;
		m->h.body_len = sizeof(struct ipc_alloc_stats);
		break;
	case IPC_ALLOC_END: {
		struct ipc_alloc_end *e = (struct ipc_alloc_end *)(void *)m->body;

		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		e->nrelayed = 1;
		e->relayed[0].family = 4;
		e->reason = IPC_END_EXPIRED;
		e->user_len = 5;
		memcpy(e->username, "alice", 5);
		m->h.body_len = sizeof(*e);
		break;
	}
	case IPC_ALLOC_ADD:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		alloc_fill((struct ipc_alloc *)(void *)m->body, 1);
		m->h.body_len = sizeof(struct ipc_alloc);
		break;
	case IPC_ALLOC_DEL:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		break;
	case IPC_ALLOC_LIFE:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		m->h.body_len = 8;
		break;
	case IPC_LI_X2: {
		struct ipc_li_x2 *x = (struct ipc_li_x2 *)(void *)m->body;

		m->h.alloc_id = 5;
		memset(x, 0, offsetof(struct ipc_li_x2, payload));
		x->xid[0] = 0x12;
		x->correlation = 5;
		x->seq = 1;
		x->dir = 3;
		x->ndest = 1;
		x->len = 8;
		x->dest[0].family = 4;
		x->dest[0].port = 7000;
		memcpy(x->payload, "TPX2\1\1\0\0", 8);
		m->h.body_len = (uint16_t)(offsetof(struct ipc_li_x2, payload) + 8);
		break;
	}
	case IPC_ALLOC_TAP: {
		struct ipc_alloc_tap tp = { .on = 1, .ndest = 1, .correlation = 7 };

		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		tp.xid[0] = 0x12;
		tp.dest[0].family = 4;
		tp.dest[0].port = 7000;
		memcpy(m->body, &tp, sizeof(tp));
		m->h.body_len = sizeof(tp);
		break;
	}
	case IPC_ALLOC_MOVE: {
		struct ipc_tuple to;

		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		tuple_fill(&to, 4);
		to.client.port = 40001;
		memcpy(m->body, &to, sizeof(to));
		m->h.body_len = sizeof(to);
		break;
	}
	case IPC_FWD_ADD: {
		struct ipc_fwd f = { .owner = 0 };

		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		memcpy(m->body, &f, sizeof(f));
		m->h.body_len = sizeof(f);
		break;
	}
	case IPC_FWD_DEL:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 6);
		break;
	case IPC_PERM_ADD:
	case IPC_PERM_DEL:
	case IPC_CHAN_ADD:
	case IPC_CHAN_DEL:
		m->h.alloc_id = 5;
		tuple_fill(&m->h.tuple, 4);
		binding_fill((struct ipc_binding *)(void *)m->body, 4,
			     kind == IPC_CHAN_ADD || kind == IPC_CHAN_DEL ? 0x7FFE : 0);
		m->h.body_len = sizeof(struct ipc_binding);
		break;
	case IPC_SYNC:
	case IPC_STATE_DONE:
		m->h.alloc_id = 3;   /* cp's epoch */
		break;
	case IPC_TLS_TICKETS: {
		struct ipc_tls_tickets t = { .generation = 1, .nkeys = 2 };

		memcpy(m->body, &t, sizeof(t));
		m->h.body_len = sizeof(t);
		break;
	}
	case IPC_TLS_PSK_ADD:
	case IPC_TLS_PSK_DEL: {
		struct ipc_tls_psk p = { .id_len = IPC_TLS_PSK_ID_MAX };

		if (kind == IPC_TLS_PSK_ADD) {
			p.key_len = IPC_TLS_PSK_KEY_MIN;
			p.cipher = 0x1303;
		}
		memcpy(m->body, &p, sizeof(p));
		m->h.body_len = sizeof(p);
		break;
	}
	case IPC_TLS_PSK_SYNC: {
		struct ipc_tls_psk_sync ps = { .phase = IPC_TLS_PSK_END };

		memcpy(m->body, &ps, sizeof(ps));
		m->h.body_len = sizeof(ps);
		break;
	}
	case IPC_AGW_ADD: {
		struct ipc_agw_ctx x;

		memset(&x, 0, sizeof(x));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 12, 7);
		x.term[0].tcp_role = IPC_AGW_TCP_SERVER;
		x.term[0].tls_role = IPC_AGW_TLS_SERVER;
		x.term[0].nfp = 2;
		x.term[0].fp[0].alg = 2;
		x.term[0].fp[0].len = 32;
		x.term[0].fp[1].alg = 4;
		x.term[0].fp[1].len = 64;
		x.term[0].local.family = 4;
		x.term[0].local.port = 20001;
		x.term[1].tcp_role = IPC_AGW_TCP_CLIENT;
		x.term[1].local.family = 6;
		x.term[1].remote.family = 6;
		x.term[1].remote.port = 5000;
		x.setup_ms = 30000;
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_AGW_DEL:
		m->h.alloc_id = ipc_conn_make(m->h.worker, 12, 7);
		break;
	case IPC_AGW_MOD: {
		struct ipc_agw_mod x;
		struct ipc_agw_ctx c;

		msg_make(m, IPC_AGW_ADD);
		memcpy(&c, m->body, sizeof(c));
		memset(&x, 0, sizeof(x));
		x.op = IPC_AGW_ADD_LEG;
		x.leg = 1;
		x.setup_ms = 30000;
		x.term = c.term[0];
		x.term.serial = 3;
		m->h.kind = IPC_AGW_MOD;
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_AGW_STATE: {
		struct ipc_agw_state st;

		memset(&st, 0, sizeof(st));
		msg_make(m, IPC_AGW_ADD);
		memcpy(&st.ctx, m->body, sizeof(st.ctx));
		st.leg[0].state = 1;
		st.leg[1].state = 2;
		m->h.kind = IPC_AGW_STATE;
		memcpy(m->body, &st, sizeof(st));
		m->h.body_len = sizeof(st);
		break;
	}
	case IPC_AGW_EVENT: {
		struct ipc_agw_event e;

		memset(&e, 0, sizeof(e));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 12, 7);
		e.type = IPC_AGW_EV_RELEASED;
		e.leg = IPC_AGW_LEG_NONE;
		e.cause = IPC_AGW_CONTROLLER;
		e.detail_len = 3;
		memcpy(e.detail, "bye", 3);
		memcpy(m->body, &e, sizeof(e));
		m->h.body_len = sizeof(e);
		break;
	}
	case IPC_RTP_ADD: {
		struct ipc_rtp_ctx x;

		memset(&x, 0, sizeof(x));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		rtp_term_fill(&x.term[0], 4, false);
		rtp_term_fill(&x.term[1], 6, true);
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_RTP_MOD: {
		struct ipc_rtp_mod x;

		memset(&x, 0, sizeof(x));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		x.op = IPC_RTP_MOD_TERM;
		x.term = 1;
		rtp_term_fill(&x.t, 6, true);
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_RTP_DEL:
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		break;
	case IPC_RTP_TAP: {
		struct ipc_rtp_tap tp = { .tap = { .on = 1, .ndest = 1, .correlation = 7 },
					  .term = 1 };

		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		tp.tap.xid[0] = 0x13;
		tp.tap.dest[0].family = 6;
		tp.tap.dest[0].port = 7001;
		memcpy(m->body, &tp, sizeof(tp));
		m->h.body_len = sizeof(tp);
		break;
	}
	case IPC_AGW_TAP: {
		struct ipc_agw_tap tp = { .tap = { .on = 1, .ndest = 1, .correlation = 7 },
					  .leg = 1 };

		m->h.alloc_id = ipc_conn_make(m->h.worker, 14, 9);
		tp.tap.xid[0] = 0x14;
		tp.tap.dest[0].family = 4;
		tp.tap.dest[0].port = 7002;
		memcpy(m->body, &tp, sizeof(tp));
		m->h.body_len = sizeof(tp);
		break;
	}
	case IPC_RTP_STATS_REQ: {
		struct ipc_rtp_stats_req r = { .req = 77 };

		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		memcpy(m->body, &r, sizeof(r));
		m->h.body_len = sizeof(r);
		break;
	}
	case IPC_RTP_STATS: {
		struct ipc_rtp_stats_msg x;

		memset(&x, 0, sizeof(x));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		x.req = 77;
		x.found = 1;
		x.st[0].rtp_in = 500;
		x.st[0].latched = IPC_RTP_LATCHED_RTP;
		x.st[0].rtp_src.family = 4;
		x.st[0].rtp_src.port = 40000;
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_RTP_STATE: {
		struct ipc_rtp_state x;

		memset(&x, 0, sizeof(x));
		msg_make(m, IPC_RTP_ADD);
		memcpy(&x.ctx, m->body, sizeof(x.ctx));
		x.st[1].latched = IPC_RTP_LATCHED_RTP | IPC_RTP_LATCHED_RTCP;
		x.st[1].rtp_src.family = 6;
		x.st[1].rtcp_src.family = 6;
		m->h.kind = IPC_RTP_STATE;
		memcpy(m->body, &x, sizeof(x));
		m->h.body_len = sizeof(x);
		break;
	}
	case IPC_RTP_EVENT: {
		struct ipc_rtp_event e;

		memset(&e, 0, sizeof(e));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		e.type = IPC_RTP_EV_LATCHED;
		e.term = 0;
		e.rtcp = 1;
		e.serial = 2;
		e.addr.family = 4;
		e.addr.port = 40001;
		memcpy(m->body, &e, sizeof(e));
		m->h.body_len = sizeof(e);
		break;
	}
	case IPC_RTP_DTLS: {
		struct ipc_rtp_dtls_ev e;

		memset(&e, 0, sizeof(e));
		m->h.alloc_id = ipc_conn_make(m->h.worker, 13, 8);
		e.term = 1;
		e.state = IPC_RTP_DTLS_UP;
		e.role = IPC_RTP_DTLS_SERVER;
		e.matched = 0;
		e.attempts = 1;
		e.serial = 3;
		e.version = 0xfefd;
		e.profile = 1;
		e.assoc = 7;
		e.at_ms = 123456;
		e.peer.family = 4;
		e.peer.port = 50312;
		dtls_fp_fill(&e.seen, 2);
		dtls_key_fill(&e.rx, 0x10);
		dtls_key_fill(&e.tx, 0x40);
		strcpy(e.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
		e.detail_len = 2;
		strcpy(e.detail, "up");
		memcpy(m->body, &e, sizeof(e));
		m->h.body_len = sizeof(e);
		break;
	}
	case IPC_LI_STATUS: {
		struct ipc_li_status *x = (struct ipc_li_status *)(void *)m->body;

		m->h.worker = 0;
		x->ndest = 1;
		x->ntask = 1;
		x->dest[0].addr.family = 4;
		x->dest[0].addr.port = 7000;
		x->dest[0].state = IPC_LI_CONN_UP;
		x->dest[0].delivered = 3;
		x->task[0].xid[0] = 0x12;
		x->task[0].x3_delivered = 3;
		m->h.body_len = sizeof(*x);
		break;
	}
	case IPC_DTLS_CERT: {
		struct ipc_dtls_cert c;

		memset(&c, 0, sizeof(c));
		m->h.worker = 0;
		c.gen = 1;
		c.nfp = 2;
		c.not_after = 1900000000u;
		dtls_fp_fill(&c.fp[0], 2);
		dtls_fp_fill(&c.fp[1], 1);
		memcpy(m->body, &c, sizeof(c));
		m->h.body_len = sizeof(c);
		break;
	}
	case IPC_TCP_CONNECT:
	case IPC_TCP_BIND:
	case IPC_TCP_CLOSE:
	case IPC_TCP_NAME: {
		struct ipc_tcp_conn c;

		memset(&c, 0, sizeof(c));
		m->h.alloc_id = 42;
		c.cid = 0x1234;
		c.addr.family = 4;
		c.addr.port = 5000;
		c.addr.ip[0] = 192;
		if (kind == IPC_TCP_CONNECT) {
			tuple_fill(&m->h.tuple, 4);
			m->h.tuple.transport = 6;
			m->h.tuple.conn_id = ipc_conn_make(m->h.worker, 77, 3);
		} else {
			c.peer = ipc_conn_make(m->h.worker, 78, 4);
		}
		memcpy(m->body, &c, sizeof(c));
		m->h.body_len = sizeof(c);
		if (kind == IPC_TCP_BIND) {
			/* the data connection: another worker's may be named */
			tuple_fill(&m->h.tuple, 4);
			m->h.tuple.transport = 6;
			m->h.tuple.conn_id = ipc_conn_make(2, 79, 5);
			c.ok = 1;
			c.resp_len = (uint16_t)stun_fill(m->body + sizeof(c), 0x010b);
			memcpy(m->body, &c, sizeof(c));
			m->h.body_len = (uint16_t)(sizeof(c) + c.resp_len);
		}
		break;
	}
	case IPC_TCP_EVENT:
	case IPC_TCP_STATE: {
		struct ipc_tcp_event e;

		memset(&e, 0, sizeof(e));
		m->h.alloc_id = 42;
		e.type = IPC_TCP_EV_BOUND;
		e.cid = 0x1234;
		e.peer = ipc_conn_make(m->h.worker, 78, 4);
		e.data = ipc_conn_make(m->h.worker, 79, 5);
		e.addr.family = 6;
		e.addr.port = 5000;
		memcpy(m->body, &e, sizeof(e));
		m->h.body_len = sizeof(e);
		break;
	}
	case IPC_CONN_DOWN: {
		struct ipc_conn_event ev = { .reason = IPC_CONN_RESET };

		tuple_fill(&m->h.tuple, 4);
		m->h.tuple.transport = 6;
		m->h.tuple.conn_id = ipc_conn_make(m->h.worker, 77, 3);
		memcpy(m->body, &ev, sizeof(ev));
		m->h.body_len = sizeof(ev);
		break;
	}
	default:
		break;
	}
}

static const uint16_t all_kinds[] = {
#define IPC_KIND(e, v, name, dir) v,
#include "ipc_kinds.def"
#undef IPC_KIND
};

static void
expect_bad(const struct ipc_msg *m, const char *what)
{
	if (ipc_msg_check(m, ipc_kind_dir(m->h.kind)) != -EBADMSG)
		fail_msg("%s %s accepted", ipc_kind_name(m->h.kind), what);
}

/* ALLOC_TAP: on with 1..IPC_LI_DESTS whole destinations and nothing
 * past them, or off with every field 0; padding 0. */
static void
test_ipc_msg_check_refuses_bad_tap(void **state)
{
	static struct ipc_msg m;
	struct ipc_alloc_tap *tp = (struct ipc_alloc_tap *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_ALLOC_TAP);
	tp->ndest = IPC_LI_DESTS;
	for (unsigned int i = 0; i < IPC_LI_DESTS; i++) {
		tp->dest[i].family = i & 1 ? 6 : 4;
		tp->dest[i].port = (uint16_t)(7000 + i);
	}
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->ndest = IPC_LI_DESTS + 1;
	expect_bad(&m, "five destinations");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->ndest = 0;
	expect_bad(&m, "on without a destination");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->dest[1].port = 1;
	expect_bad(&m, "a byte past its destinations");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->dest[0].port = 0;
	expect_bad(&m, "a destination without a port");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->dest[0].family = 5;
	expect_bad(&m, "a destination of family 5");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->on = 2;
	expect_bad(&m, "on 2");
	msg_make(&m, IPC_ALLOC_TAP);
	tp->pad2 = 1;
	expect_bad(&m, "padding");
	msg_make(&m, IPC_ALLOC_TAP);
	memset(tp, 0, sizeof(*tp));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->xid[15] = 1;
	expect_bad(&m, "off with an XID");
	tp->xid[15] = 0;
	tp->correlation = 1;
	expect_bad(&m, "off with a correlation ID");
	tp->correlation = 0;
	m.h.alloc_id = 0;
	expect_bad(&m, "no allocation");
}

/* LI_X2: len what body_len leaves (8..IPC_LI_X2_MAX), 1..IPC_LI_DESTS
 * whole destinations and nothing past them, a direction 1..5, nanoseconds
 * under a second, an alloc_id. */
static void
test_ipc_msg_check_refuses_bad_x2(void **state)
{
	static struct ipc_msg m;
	struct ipc_li_x2 *x = (struct ipc_li_x2 *)(void *)m.body;
	const size_t fix = offsetof(struct ipc_li_x2, payload);

	(void)state;
	msg_make(&m, IPC_LI_X2);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), -EBADMSG);
	x->len = IPC_LI_X2_MAX;
	m.h.body_len = (uint16_t)(fix + IPC_LI_X2_MAX);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->len = IPC_LI_X2_MAX + 1;
	m.h.body_len = (uint16_t)(fix + IPC_LI_X2_MAX + 1);
	expect_bad(&m, "a payload past IPC_LI_X2_MAX");
	msg_make(&m, IPC_LI_X2);
	x->len = 9;
	expect_bad(&m, "len past body_len");
	msg_make(&m, IPC_LI_X2);
	x->len = 7;
	m.h.body_len = (uint16_t)(fix + 7);
	expect_bad(&m, "a payload of 7 bytes");
	msg_make(&m, IPC_LI_X2);
	m.h.body_len = (uint16_t)(fix - 1);
	expect_bad(&m, "short of its fixed part");
	msg_make(&m, IPC_LI_X2);
	x->ndest = 0;
	expect_bad(&m, "no destination");
	msg_make(&m, IPC_LI_X2);
	x->ndest = IPC_LI_DESTS + 1;
	expect_bad(&m, "five destinations");
	msg_make(&m, IPC_LI_X2);
	x->dest[1].port = 1;
	expect_bad(&m, "a byte past its destinations");
	msg_make(&m, IPC_LI_X2);
	x->dest[0].port = 0;
	expect_bad(&m, "a destination without a port");
	msg_make(&m, IPC_LI_X2);
	x->dest[0].pad = 1;
	expect_bad(&m, "a destination's padding");
	msg_make(&m, IPC_LI_X2);
	x->dir = 0;
	expect_bad(&m, "direction 0");
	x->dir = 6;
	expect_bad(&m, "direction 6");
	msg_make(&m, IPC_LI_X2);
	x->ts_nsec = 1000000000u;
	expect_bad(&m, "a second of nanoseconds");
	msg_make(&m, IPC_LI_X2);
	m.h.alloc_id = 0;
	expect_bad(&m, "no session");
}

/* RTP_TAP: ALLOC_TAP's body rules, a termination 0 or 1 (0 when off),
 * padding 0, an RTP context's id (not an allocation's tuple). */
/* LI_STATUS: worker 0's, no allocation; 0..IPC_LI_ST_DESTS whole
 * destinations of a known state and fault, 0..IPC_LI_ST_TASKS tasks, one
 * of either at least; nothing past the counts, padding 0. */
static void
test_ipc_msg_check_refuses_bad_li_status(void **state)
{
	static struct ipc_msg m;
	struct ipc_li_status *x = (struct ipc_li_status *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_LI_STATUS);
	x->ndest = IPC_LI_ST_DESTS;
	x->ntask = IPC_LI_ST_TASKS;
	for (unsigned int i = 0; i < IPC_LI_ST_DESTS; i++) {
		x->dest[i].addr.family = 6;
		x->dest[i].addr.port = (uint16_t)(1 + i);
		x->dest[i].state = IPC_LI_CONN_FAILED;
		x->dest[i].fault = IPC_LI_FAULT_MAX;
		x->dest[i].delivered = IPC_LI_COUNT_MAX;
		x->dest[i].failures = IPC_LI_COUNT_MAX;
	}
	for (unsigned int i = 0; i < IPC_LI_ST_TASKS; i++) {
		x->task[i].xid[15] = (uint8_t)i;    /* task 0's: 0x12, 0, ... */
		x->task[i].x2_delivered = IPC_LI_COUNT_MAX;
		x->task[i].last_us = IPC_LI_LAST_US_MAX;
	}
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	/* dp's counts (since its last report) stay far below 2^63, its
	 * copies' times below 2^32 s, a task's entry one a report */
	x->task[5].x3_lost = IPC_LI_COUNT_MAX + 1;
	expect_bad(&m, "a task's count of 2^63");
	x->task[5].x3_lost = 0;
	x->task[IPC_LI_ST_TASKS - 1].x2_delivered = UINT64_MAX;
	expect_bad(&m, "a task's count that cp would show negative");
	x->task[IPC_LI_ST_TASKS - 1].x2_delivered = 1;
	x->task[7].last_us = IPC_LI_LAST_US_MAX + 1;
	expect_bad(&m, "a copy's time past 2^32 s");
	x->task[7].last_us = 0;
	x->task[9].xid[15] = 3;
	expect_bad(&m, "a task's XID twice");
	x->task[9].xid[15] = 9;
	x->dest[2].dropped_lost = IPC_LI_COUNT_MAX + 1;
	expect_bad(&m, "a destination's count of 2^63");
	x->dest[2].dropped_lost = 0;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	x->ndest = IPC_LI_ST_DESTS + 1;
	expect_bad(&m, "a destination past IPC_LI_ST_DESTS");
	x->ndest = IPC_LI_ST_DESTS;
	x->ntask = IPC_LI_ST_TASKS + 1;
	expect_bad(&m, "a task past IPC_LI_ST_TASKS");
	msg_make(&m, IPC_LI_STATUS);
	x->ndest = 0;
	expect_bad(&m, "a destination past ndest");
	x->ntask = 0;
	memset(&x->dest[0], 0, sizeof(x->dest[0]));
	memset(&x->task[0], 0, sizeof(x->task[0]));
	expect_bad(&m, "nothing at all");
	msg_make(&m, IPC_LI_STATUS);
	x->ntask = 0;
	expect_bad(&m, "a task past ntask");
	msg_make(&m, IPC_LI_STATUS);
	x->dest[0].addr.family = 5;
	expect_bad(&m, "a destination of family 5");
	msg_make(&m, IPC_LI_STATUS);
	x->dest[0].addr.port = 0;
	expect_bad(&m, "a destination of port 0");
	msg_make(&m, IPC_LI_STATUS);
	x->dest[0].state = IPC_LI_CONN_STATE_MAX + 1;
	expect_bad(&m, "an unknown state");
	msg_make(&m, IPC_LI_STATUS);
	x->dest[0].fault = IPC_LI_FAULT_MAX + 1;
	expect_bad(&m, "an unknown fault");
	msg_make(&m, IPC_LI_STATUS);
	x->dest[0].pad = 1;
	expect_bad(&m, "padding set");
	msg_make(&m, IPC_LI_STATUS);
	x->pad[5] = 1;
	expect_bad(&m, "the header's padding set");
	msg_make(&m, IPC_LI_STATUS);
	m.h.worker = 1;
	expect_bad(&m, "from worker 1");
	msg_make(&m, IPC_LI_STATUS);
	m.h.alloc_id = 5;
	expect_bad(&m, "naming an allocation");
}

static void
test_ipc_msg_check_refuses_bad_rtp_tap(void **state)
{
	static struct ipc_msg m;
	struct ipc_rtp_tap *tp = (struct ipc_rtp_tap *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_RTP_TAP);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->term = 2;
	expect_bad(&m, "termination 2");
	msg_make(&m, IPC_RTP_TAP);
	tp->pad[6] = 1;
	expect_bad(&m, "padding");
	msg_make(&m, IPC_RTP_TAP);
	tp->tap.ndest = 0;
	expect_bad(&m, "on without a destination");
	msg_make(&m, IPC_RTP_TAP);
	tp->tap.dest[0].family = 5;
	expect_bad(&m, "a destination of family 5");
	msg_make(&m, IPC_RTP_TAP);
	memset(tp, 0, sizeof(*tp));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->term = 1;
	expect_bad(&m, "off with a termination");
	tp->term = 0;
	m.h.body_len--;
	expect_bad(&m, "short");
	msg_make(&m, IPC_RTP_TAP);
	m.h.alloc_id = 0;
	expect_bad(&m, "no context");
}

/* AGW_TAP: ALLOC_TAP's body rules, a leg 0 or 1 (0 when off), padding
 * 0, an AGW context's id (not an allocation's tuple). */
static void
test_ipc_msg_check_refuses_bad_agw_tap(void **state)
{
	static struct ipc_msg m;
	struct ipc_agw_tap *tp = (struct ipc_agw_tap *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_AGW_TAP);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->leg = 2;
	expect_bad(&m, "leg 2");
	msg_make(&m, IPC_AGW_TAP);
	tp->pad[0] = 1;
	expect_bad(&m, "padding");
	msg_make(&m, IPC_AGW_TAP);
	tp->tap.ndest = 0;
	expect_bad(&m, "on without a destination");
	msg_make(&m, IPC_AGW_TAP);
	tp->tap.dest[1].port = 9;
	expect_bad(&m, "a byte past its destinations");
	msg_make(&m, IPC_AGW_TAP);
	tp->tap.pad = 1;
	expect_bad(&m, "the tap's padding");
	msg_make(&m, IPC_AGW_TAP);
	memset(tp, 0, sizeof(*tp));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	tp->leg = 1;
	expect_bad(&m, "off with a leg");
	tp->leg = 0;
	tp->tap.xid[3] = 1;
	expect_bad(&m, "off with an XID");
	tp->tap.xid[3] = 0;
	m.h.body_len++;
	expect_bad(&m, "long");
	msg_make(&m, IPC_AGW_TAP);
	m.h.alloc_id = 0;
	expect_bad(&m, "no context");
	msg_make(&m, IPC_AGW_TAP);
	m.h.alloc_id = ipc_conn_make((uint16_t)(m.h.worker + 1), 14, 9);
	expect_bad(&m, "another worker's context");
}

/* Every kind, as its sender builds it, passes in its direction only. */
static void
test_ipc_msg_check_takes_what_dp_and_cp_send(void **state)
{
	static struct ipc_msg m;

	(void)state;
	for (unsigned int i = 0; i < sizeof(all_kinds) / sizeof(all_kinds[0]); i++) {
		enum ipc_dir d = ipc_kind_dir(all_kinds[i]);

		msg_make(&m, all_kinds[i]);
		assert_true(d == IPC_DP2CP || d == IPC_CP2DP);
		if (ipc_msg_check(&m, d) != 0)
			fail_msg("%s refused", ipc_kind_name(all_kinds[i]));
		if (ipc_msg_check(&m, d == IPC_DP2CP ? IPC_CP2DP : IPC_DP2CP) != -EBADMSG)
			fail_msg("%s taken the wrong way", ipc_kind_name(all_kinds[i]));
	}
	/* Bounds that are still in: IPv6 relayed alone, the longest key and
	 * name, a success response, STATS and STATE_ALLOC as long as fits. */
	msg_make(&m, IPC_ALLOC_ADD);
	((struct ipc_alloc *)(void *)m.body)->relayed[0].family = 6;
	((struct ipc_alloc *)(void *)m.body)->key_len = IPC_KEY_MAX;
	((struct ipc_alloc *)(void *)m.body)->user_len = IPC_USER_MAX;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RESPONSE);
	stun_fill(m.body, 0x0103);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_STATS);
	m.h.body_len = (uint16_t)(sizeof(m.body) / sizeof(struct ipc_alloc_stats) *
				  sizeof(struct ipc_alloc_stats));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	assert_int_equal(ipc_msg_nstats(&m), sizeof(m.body) / sizeof(struct ipc_alloc_stats));
	msg_make(&m, IPC_STATE_ALLOC);
	m.h.body_len = (uint16_t)(sizeof(struct ipc_alloc) +
		(sizeof(m.body) - sizeof(struct ipc_alloc)) / sizeof(struct ipc_binding) *
		sizeof(struct ipc_binding));
	for (unsigned int i = 2; i < ipc_msg_nbindings(&m); i++)
		binding_fill((struct ipc_binding *)(void *)(m.body + sizeof(struct ipc_alloc) +
							    i * sizeof(struct ipc_binding)),
			     6, 0);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
}

/* Each length a kind does not carry. */
static void
test_ipc_msg_check_refuses_wrong_lengths(void **state)
{
	static struct ipc_msg m;
	static const struct { uint16_t kind; int delta; } cases[] = {
		{ IPC_ALLOC_ADD, -1 }, { IPC_ALLOC_ADD, 1 }, { IPC_ALLOC_ADD, 40 },
		{ IPC_STATE_ALLOC, -1 }, { IPC_STATE_ALLOC, 1 },
		{ IPC_STATE_ALLOC, -(int)(2 * sizeof(struct ipc_binding)) - 8 },
		{ IPC_ALLOC_LIFE, -1 }, { IPC_ALLOC_LIFE, 8 },
		{ IPC_ALLOC_TAP, -1 }, { IPC_ALLOC_TAP, 8 },
		{ IPC_ALLOC_MOVE, -1 }, { IPC_ALLOC_MOVE, 8 },
		{ IPC_FWD_ADD, -1 }, { IPC_FWD_ADD, 8 }, { IPC_FWD_DEL, 8 },
		{ IPC_PERM_ADD, -1 }, { IPC_PERM_DEL, 1 }, { IPC_CHAN_ADD, -8 },
		{ IPC_CHAN_DEL, 40 }, { IPC_STATS, 1 }, { IPC_STATS, -8 },
		{ IPC_STATS_FINAL, 1 }, { IPC_STATS_FINAL, -8 },
		{ IPC_STATS_FINAL, (int)sizeof(struct ipc_alloc_stats) },
		{ IPC_ALLOC_END, -1 }, { IPC_ALLOC_END, 8 },
		{ IPC_ALLOC_DEL, 1 }, { IPC_STATE_DONE, 1 }, { IPC_SYNC, 8 },
		{ IPC_STATS_REQ, 4 }, { IPC_TLS_RELOAD, 1 },
		{ IPC_REQUEST, 4 }, { IPC_REQUEST, -4 }, { IPC_RESPONSE, -24 },
		{ IPC_CONN_DOWN, -1 }, { IPC_CONN_DOWN, 8 }, { IPC_CONN_DOWN, -8 },
		{ IPC_TLS_TICKETS, -1 }, { IPC_TLS_TICKETS, 8 }, { IPC_TLS_PSK_ADD, -8 },
		{ IPC_TLS_PSK_DEL, 8 }, { IPC_TLS_PSK_SYNC, -8 }, { IPC_TLS_PSK_SYNC, 8 },
		{ IPC_AGW_ADD, -8 }, { IPC_AGW_ADD, 8 }, { IPC_AGW_DEL, 8 },
		{ IPC_AGW_EVENT, -1 }, { IPC_AGW_EVENT, 8 }, { IPC_AGW_STATE, -8 },
		{ IPC_AGW_MOD, -8 }, { IPC_AGW_MOD, 8 },
		{ IPC_RTP_ADD, -8 }, { IPC_RTP_ADD, 8 }, { IPC_RTP_MOD, -8 }, { IPC_RTP_MOD, 8 },
		{ IPC_RTP_DEL, 8 }, { IPC_RTP_STATS_REQ, -8 }, { IPC_RTP_STATS_REQ, 8 },
		{ IPC_RTP_STATS, -8 }, { IPC_RTP_STATS, 8 }, { IPC_RTP_STATE, -8 },
		{ IPC_RTP_STATE, 8 }, { IPC_RTP_EVENT, -8 }, { IPC_RTP_EVENT, 8 },
		{ IPC_FENCE, 1 }, { IPC_FENCE_DONE, 8 },
		{ IPC_RTP_DTLS, -8 }, { IPC_RTP_DTLS, 8 }, { IPC_DTLS_CERT, -8 },
		{ IPC_DTLS_CERT, 8 }, { IPC_LI_STATUS, -8 }, { IPC_LI_STATUS, 8 },
	};
	char what[32];

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msg_make(&m, cases[i].kind);
		m.h.body_len = (uint16_t)(m.h.body_len + cases[i].delta);
		snprintf(what, sizeof(what), "body_len %u", m.h.body_len);
		expect_bad(&m, what);
	}
	/* Longer than a body: refused before anything is read. */
	msg_make(&m, IPC_STATS);
	m.h.body_len = (uint16_t)(sizeof(m.body) + sizeof(struct ipc_alloc_stats) -
				  (sizeof(m.body) % sizeof(struct ipc_alloc_stats)));
	expect_bad(&m, "past the body");
	m.h.body_len = 0xffff;
	expect_bad(&m, "0xffff");
	/* an allocation's last counters name it */
	msg_make(&m, IPC_STATS_FINAL);
	m.h.alloc_id = 0;
	expect_bad(&m, "STATS_FINAL of allocation 0");
	/* an allocation's end report: named, whole, bounded */
	msg_make(&m, IPC_ALLOC_END);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	m.h.alloc_id = 0;
	expect_bad(&m, "ALLOC_END of allocation 0");
	msg_make(&m, IPC_ALLOC_END);
	((struct ipc_alloc_end *)(void *)m.body)->reason = IPC_END_REASON_MAX + 1;
	expect_bad(&m, "ALLOC_END of an unknown reason");
	msg_make(&m, IPC_ALLOC_END);
	((struct ipc_alloc_end *)(void *)m.body)->user_len = IPC_USER_MAX + 1;
	expect_bad(&m, "ALLOC_END's username past its field");
	msg_make(&m, IPC_ALLOC_END);
	((struct ipc_alloc_end *)(void *)m.body)->nrelayed = 3;
	expect_bad(&m, "ALLOC_END of three relayed addresses");
}

/* The access gateway's messages: each field the contract bounds. */
/* An RTP termination of RTP_ADD changed by fn: refused as what. */
static void
rtp_add_bad(void (*fn)(struct ipc_rtp_term *t), const char *what)
{
	static struct ipc_msg m;

	msg_make(&m, IPC_RTP_ADD);
	fn(&((struct ipc_rtp_ctx *)(void *)m.body)->term[1]);
	expect_bad(&m, what);
	/* and the same termination in RTP_MOD and RTP_STATE */
	msg_make(&m, IPC_RTP_MOD);
	fn(&((struct ipc_rtp_mod *)(void *)m.body)->t);
	expect_bad(&m, what);
	msg_make(&m, IPC_RTP_STATE);
	fn(&((struct ipc_rtp_state *)(void *)m.body)->ctx.term[1]);
	expect_bad(&m, what);
}

static void rtp_profile5(struct ipc_rtp_term *t) { t->profile = IPC_RTP_PROFILE_MAX + 1; }
static void rtp_mode4(struct ipc_rtp_term *t) { t->mode = IPC_RTP_MODE_MAX + 1; }
static void rtp_flag8(struct ipc_rtp_term *t) { t->flags |= 0x8; }
static void rtp_flag_was_latch(struct ipc_rtp_term *t) { t->flags |= 0x2; }
static void rtp_latch4(struct ipc_rtp_term *t) { t->latch = IPC_RTP_LATCH_MAX + 1; }
static void rtp_latch_bit(struct ipc_rtp_term *t) { t->latch |= 0x20; }
static void rtp_dscp64(struct ipc_rtp_term *t) { t->dscp = 64; }
static void rtp_local5(struct ipc_rtp_term *t) { t->local.family = 5; }
static void rtp_lport0(struct ipc_rtp_term *t) { t->local.port = 0; }
static void rtp_mux_rtcp(struct ipc_rtp_term *t) { t->rtcp_port = 30001; }
static void rtp_pair_no_rtcp(struct ipc_rtp_term *t) { t->flags &= (uint8_t)~IPC_RTP_F_MUX; }
static void rtp_pair_same(struct ipc_rtp_term *t)
{
	t->flags &= (uint8_t)~IPC_RTP_F_MUX;
	t->rtcp_port = t->local.port;
}
static void rtp_remote_family(struct ipc_rtp_term *t) { t->remote.family = 4; }
static void rtp_remote_port_alone(struct ipc_rtp_term *t) { t->remote.family = 0; }
static void rtp_gm_family(struct ipc_rtp_term *t) { t->gm_addr.family = 4; }
static void rtp_gm_plen(struct ipc_rtp_term *t) { t->gm_plen = 129; }
static void rtp_gm_plen_alone(struct ipc_rtp_term *t) { t->gm_addr.family = 0; }
static void rtp_gm_ports(struct ipc_rtp_term *t)
{
	t->gm_port_lo = 5006;
	t->gm_port_hi = 5004;
}
static void rtp_pol_no_burst(struct ipc_rtp_term *t) { t->pol_burst = 0; }

/* An SRTP key of suite (lib/sdp's value) as cp sends one. */
static void
srtp_key_fill(struct ipc_srtp_key *k, uint8_t suite)
{
	memset(k, 0, sizeof(*k));
	k->suite = suite;
	k->key_len = (uint8_t)ipc_srtp_key_len(suite);
	for (unsigned int i = 0; i < k->key_len; i++)
		k->key[i] = (uint8_t)(0x40 + i);
}

/* SAVP with a valid key both ways, then fn's change to it */
static void
rtp_savp(struct ipc_rtp_term *t)
{
	t->profile = IPC_RTP_SAVP;
	srtp_key_fill(&t->srtp_rx, 1);
	srtp_key_fill(&t->srtp_tx, 2);
}
static void rtp_savp_no_key(struct ipc_rtp_term *t) { t->profile = IPC_RTP_SAVPF; }
static void rtp_savp_no_tx(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	memset(&t->srtp_tx, 0, sizeof(t->srtp_tx));
}
static void rtp_savp_suite9(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.suite = 9;
}
static void rtp_savp_key_short(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.key_len = 29;
}
static void rtp_savp_key_256_short(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_tx.suite = 5;                /* AES_256_CM: 46, not 30 */
}
static void rtp_savp_mki5(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.mki_len = 5;
}
static void rtp_savp_mki_wide(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.mki_len = 1;
	t->srtp_rx.mki = 0x100;
}
static void rtp_savp_window(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.window = 63;
}
static void rtp_savp_index(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_tx.srtcp_index = 0x80000000u;
}
static void rtp_savp_past_key(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.key[30] = 1;
}
static void rtp_savp_streams3(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_tx.nstreams = IPC_SRTP_SSRCS + 1;
}
static void rtp_savp_ssrc_twice(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.nstreams = 2;
	t->srtp_rx.stream[0].ssrc = 9;
	t->srtp_rx.stream[1].ssrc = 9;
	t->srtp_rx.stream[1].seq = 4;
}
static void rtp_savp_stream_past(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_tx.nstreams = 1;
	t->srtp_tx.stream[0].ssrc = 9;
	t->srtp_tx.stream[1].roc = 1;
}
static void rtp_savp_stream_pad(struct ipc_rtp_term *t)
{
	rtp_savp(t);
	t->srtp_rx.nstreams = 1;
	t->srtp_rx.stream[0].pad = 1;
}
/* ICE as a lite agent with credentials as browsers send them, then fn's
 * change to it */
static void
rtp_ice(struct ipc_rtp_term *t)
{
	t->ice.mode = IPC_RTP_ICE_LITE;
	t->ice.ufrag_len = 4;
	memcpy(t->ice.ufrag, "a+/9", 4);
	t->ice.pwd_len = 24;
	memcpy(t->ice.pwd, "abcdefghijklmnopqrstuvwx", 24);
	t->ice.peer_ufrag_len = 8;
	memcpy(t->ice.peer_ufrag, "0a1b2c3d", 8);
}
static void rtp_ice_mode2(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.mode = IPC_RTP_ICE_MAX + 1;
}
static void rtp_ice_off_ufrag(struct ipc_rtp_term *t) { t->ice.ufrag[0] = 'a'; }
static void rtp_ice_ufrag3(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.ufrag_len = 3;
	t->ice.ufrag[3] = 0;
}
static void rtp_ice_ufrag33(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.ufrag_len = IPC_ICE_UFRAG_MAX + 1;
}
static void rtp_ice_pwd21(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pwd_len = 21;
	t->ice.pwd[21] = t->ice.pwd[22] = t->ice.pwd[23] = 0;
}
static void rtp_ice_pwd65(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pwd_len = IPC_ICE_PWD_MAX + 1;
}
static void rtp_ice_peer3(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.peer_ufrag_len = 3;
	memset(t->ice.peer_ufrag + 3, 0, 5);
}
static void rtp_ice_colon(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.ufrag[1] = ':';
}
static void rtp_ice_past_pwd(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pwd[24] = 'y';
}
static void rtp_ice_past_peer(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.peer_ufrag[IPC_ICE_UFRAG_MAX - 1] = 'z';
}
static void rtp_ice_nul(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pwd[3] = 0;
}
static void rtp_ice_pad(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pad[2] = 1;
}
static void rtp_ice_pad2(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.pad2[3] = 1;
}
static void rtp_ice_nominated_family(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.nominated.family = t->local.family == 4 ? 6 : 4;
	t->ice.nominated.port = 5000;
}
static void rtp_ice_nominated_port0(struct ipc_rtp_term *t)
{
	rtp_ice(t);
	t->ice.nominated.family = t->local.family;
}
static void rtp_ice_nominated_off(struct ipc_rtp_term *t)
{
	t->ice.nominated.family = t->local.family;
	t->ice.nominated.port = 5000;
}
/* DTLS-SRTP as cp gives a WebRTC termination (SAVPF, rtcp-mux: term[1]
 * and RTP_MOD's have it), keys to come, then fn's change to it */
static void
rtp_dtls(struct ipc_rtp_term *t)
{
	t->profile = IPC_RTP_SAVPF;
	t->dtls.role = IPC_RTP_DTLS_SERVER;
	t->dtls.nfp = 1;
	t->dtls.profiles = IPC_RTP_DTLS_P_AES128_CM_80 | IPC_RTP_DTLS_P_AES128_CM_32;
	t->dtls.cert_gen = 1;
	t->dtls.assoc = 1;
	dtls_fp_fill(&t->dtls.fp[0], 2);
}
static void rtp_dtls_role4(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.role = IPC_RTP_DTLS_ROLE_MAX + 1;
}
static void rtp_dtls_nfp3(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.nfp = IPC_RTP_DTLS_FP_MAX + 1;
}
static void rtp_dtls_nfp0(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.nfp = 0;
	memset(&t->dtls.fp[0], 0, sizeof(t->dtls.fp[0]));
}
static void rtp_dtls_either_fp(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.role = IPC_RTP_DTLS_EITHER;
}
static void rtp_dtls_profiles0(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.profiles = 0;
}
static void rtp_dtls_profile16(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.profiles |= 0x10;
}
static void rtp_dtls_flag8(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.flags = 0x8;
}
static void rtp_dtls_pad(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.pad = 1;
}
static void rtp_dtls_pad2(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.pad2 = 1;
}
static void rtp_dtls_fp_past(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.fp[1].md[0] = 1;
}
static void rtp_dtls_fp_md_past(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.fp[0].md[32] = 1;
}
static void rtp_dtls_fp_pad(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.fp[0].pad[5] = 1;
}
static void rtp_dtls_fp_alg5(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.fp[0].alg = 5;
}
static void rtp_dtls_fp_len(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.fp[0].len = 20;
}
static void rtp_dtls_avp(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->profile = IPC_RTP_AVPF;
}
static void rtp_dtls_pair(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->flags &= (uint8_t)~IPC_RTP_F_MUX;
	t->rtcp_port = (uint16_t)(t->local.port + 1);
}
static void rtp_dtls_keys_unflagged(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	dtls_key_fill(&t->srtp_rx, 1);
	dtls_key_fill(&t->srtp_tx, 2);
}
static void rtp_dtls_flagged_no_keys(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.flags = IPC_RTP_DTLS_F_KEYS;
}
static void rtp_dtls_flagged_one_key(struct ipc_rtp_term *t)
{
	rtp_dtls(t);
	t->dtls.flags = IPC_RTP_DTLS_F_KEYS;
	dtls_key_fill(&t->srtp_rx, 1);
}
static void rtp_dtls_off_gen(struct ipc_rtp_term *t) { t->dtls.cert_gen = 1; }
static void rtp_dtls_off_fp(struct ipc_rtp_term *t) { t->dtls.fp[1].alg = 2; }
static void rtp_avp_key(struct ipc_rtp_term *t) { srtp_key_fill(&t->srtp_rx, 1); }
static void rtp_avp_key_byte(struct ipc_rtp_term *t) { t->srtp_tx.key[45] = 1; }

/* BUNDLE as cp gives it (term[1] and RTP_MOD's: v6, rtcp-mux): the
 * group's owner, its MID extension id 1, mid "0", an SSRC, PCMU and opus */
static void
rtp_owner(struct ipc_rtp_term *t)
{
	t->bundle.role = IPC_RTP_BUNDLE_OWNER;
	t->bundle.mid_ext = 1;
	t->bundle.mid_len = 1;
	t->bundle.mid[0] = '0';
	t->bundle.nssrc = 1;
	t->bundle.ssrc[0] = 0x1234;
	t->bundle.pt[0] = 0x01;
	t->bundle.pt[111 / 8] = (uint8_t)(1u << (111 % 8));
}
/* a member: another context's (slot 12) termination 1 carries its
 * transport; none of the transport's own fields; mid "video", VP8 */
static void
rtp_member(struct ipc_rtp_term *t)
{
	memset(&t->local, 0, sizeof(t->local));
	memset(&t->remote, 0, sizeof(t->remote));
	memset(&t->gm_addr, 0, sizeof(t->gm_addr));
	t->gm_plen = 0;
	t->latch = 0;
	t->bundle.role = IPC_RTP_BUNDLE_MEMBER;
	t->bundle.owner = ipc_conn_make(1, 12, 3);
	t->bundle.owner_term = 1;
	t->bundle.mid_len = 5;
	memcpy(t->bundle.mid, "video", 5);
	t->bundle.nssrc = 2;
	t->bundle.ssrc[0] = 0x5678;
	t->bundle.ssrc[1] = 0;          /* (SSRC 0 is one) */
	t->bundle.pt[96 / 8] = (uint8_t)(1u << (96 % 8));
}
/* a member of an SRTP group: the suite and positions, no key octet */
static void
rtp_member_savpf(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->profile = IPC_RTP_SAVPF;
	t->srtp_rx.suite = t->srtp_tx.suite = 1;
	t->srtp_rx.key_len = t->srtp_tx.key_len = 30;
	t->srtp_rx.nstreams = 1;
	t->srtp_rx.stream[0].ssrc = 0x5678;
	t->srtp_rx.stream[0].roc = 2;
	t->srtp_tx.srtcp_index = 9;
}
static void rtp_bundle_role3(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.role = IPC_RTP_BUNDLE_ROLE_MAX + 1;
}
static void rtp_bundle_off_mid(struct ipc_rtp_term *t) { t->bundle.mid[3] = 'a'; }
static void rtp_bundle_off_pt(struct ipc_rtp_term *t) { t->bundle.pt[0] = 1; }
static void rtp_bundle_off_owner(struct ipc_rtp_term *t)
{
	t->bundle.owner = ipc_conn_make(1, 12, 3);
}
static void rtp_owner_pair(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->flags &= (uint8_t)~IPC_RTP_F_MUX;
	t->rtcp_port = (uint16_t)(t->local.port + 1);
}
static void rtp_member_pair(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->flags &= (uint8_t)~IPC_RTP_F_MUX;
}
static void rtp_member_rtcp_port(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->rtcp_port = 30001;
}
static void rtp_owner_mid0(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.mid_len = 0;
	t->bundle.mid[0] = 0;
}
static void rtp_owner_mid17(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.mid_len = IPC_RTP_MID_MAX + 1;
	memset(t->bundle.mid, 'm', IPC_RTP_MID_MAX);
}
static void rtp_owner_mid_colon(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.mid[0] = ':';
}
static void rtp_member_mid_space(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.mid[2] = ' ';
}
static void rtp_member_mid_nul(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.mid[4] = 0;
}
static void rtp_owner_mid_past(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.mid[IPC_RTP_MID_MAX - 1] = 'x';
}
static void rtp_owner_ssrc3(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.nssrc = IPC_RTP_BUNDLE_SSRCS + 1;
}
static void rtp_member_ssrc_twice(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.ssrc[1] = t->bundle.ssrc[0];
}
static void rtp_owner_ssrc_past(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.ssrc[1] = 7;
}
static void rtp_owner_pad(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.pad[1] = 1;
}
static void rtp_owner_owned(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.owner = ipc_conn_make(1, 12, 3);
}
static void rtp_owner_owner_term(struct ipc_rtp_term *t)
{
	rtp_owner(t);
	t->bundle.owner_term = 1;
}
static void rtp_member_no_owner(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.owner = 0;
}
static void rtp_member_owner_gen0(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.owner = ipc_conn_make(1, 12, 0);
}
static void rtp_member_owner_worker(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.owner = ipc_conn_make(2, 12, 3);
}
static void rtp_member_owner_self(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.owner = ipc_conn_make(1, 13, 8);
}
static void rtp_member_owner_term2(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.owner_term = 2;
}
static void rtp_member_mid_ext(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->bundle.mid_ext = 1;
}
static void rtp_member_port(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->local.port = 30000;
}
static void rtp_member_local(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->local.family = 6;
}
static void rtp_member_remote(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->remote.family = 6;
	t->remote.port = 5004;
}
static void rtp_member_remote_rtcp(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->remote_rtcp = 5005;
}
static void rtp_member_ice(struct ipc_rtp_term *t)
{
	rtp_member(t);
	rtp_ice(t);
}
static void rtp_member_dtls(struct ipc_rtp_term *t)
{
	rtp_member(t);
	rtp_dtls(t);
}
static void rtp_member_latch(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->latch = IPC_RTP_LATCH_RELATCH;
}
static void rtp_member_gm(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->gm_port_lo = 1;
	t->gm_port_hi = 2;
}
static void rtp_member_key_octet(struct ipc_rtp_term *t)
{
	rtp_member_savpf(t);
	t->srtp_tx.key[29] = 1;
}
static void rtp_member_key_short(struct ipc_rtp_term *t)
{
	rtp_member_savpf(t);
	t->srtp_rx.key_len = 29;
}
static void rtp_member_avp_key(struct ipc_rtp_term *t)
{
	rtp_member_savpf(t);
	t->profile = IPC_RTP_AVPF;
}
static void rtp_member_mode4(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->mode = IPC_RTP_MODE_MAX + 1;
}
static void rtp_member_no_burst(struct ipc_rtp_term *t)
{
	rtp_member(t);
	t->pol_burst = 0;
}

/* RTP_DTLS's body changed by fn: refused as what. */
static void
dtls_ev_bad(void (*fn)(struct ipc_rtp_dtls_ev *e), const char *what)
{
	static struct ipc_msg m;

	msg_make(&m, IPC_RTP_DTLS);
	fn((struct ipc_rtp_dtls_ev *)(void *)m.body);
	expect_bad(&m, what);
}
static void dtls_ev_term2(struct ipc_rtp_dtls_ev *e) { e->term = 2; }
static void dtls_ev_state0(struct ipc_rtp_dtls_ev *e) { e->state = 0; }
static void dtls_ev_state4(struct ipc_rtp_dtls_ev *e) { e->state = IPC_RTP_DTLS_STATE_MAX + 1; }
static void dtls_ev_up_why(struct ipc_rtp_dtls_ev *e) { e->why = 1; }
static void dtls_ev_role3(struct ipc_rtp_dtls_ev *e) { e->role = IPC_RTP_DTLS_EITHER; }
static void dtls_ev_up_no_role(struct ipc_rtp_dtls_ev *e) { e->role = 0; }
static void dtls_ev_matched2(struct ipc_rtp_dtls_ev *e) { e->matched = IPC_RTP_DTLS_FP_MAX; }
static void dtls_ev_matched_neg2(struct ipc_rtp_dtls_ev *e) { e->matched = -2; }
static void dtls_ev_up_no_keys(struct ipc_rtp_dtls_ev *e) { memset(&e->tx, 0, sizeof(e->tx)); }
static void dtls_ev_key_bad(struct ipc_rtp_dtls_ev *e) { e->rx.key_len = 29; }
static void
dtls_ev_failed(struct ipc_rtp_dtls_ev *e)
{
	e->state = IPC_RTP_DTLS_FAILED;
	e->why = 1;
	e->matched = -1;
	memset(&e->rx, 0, sizeof(e->rx));
	memset(&e->tx, 0, sizeof(e->tx));
}
static void dtls_ev_failed_no_why(struct ipc_rtp_dtls_ev *e)
{
	dtls_ev_failed(e);
	e->why = 0;
}
static void dtls_ev_failed_why32(struct ipc_rtp_dtls_ev *e)
{
	dtls_ev_failed(e);
	e->why = IPC_RTP_DTLS_WHY_MAX + 1;
}
static void dtls_ev_failed_keys(struct ipc_rtp_dtls_ev *e)
{
	dtls_ev_failed(e);
	dtls_key_fill(&e->rx, 3);
}
static void dtls_ev_peer5(struct ipc_rtp_dtls_ev *e) { e->peer.family = 5; }
static void dtls_ev_peer_pad(struct ipc_rtp_dtls_ev *e) { e->peer.pad = 1; }
static void dtls_ev_peer_none_port(struct ipc_rtp_dtls_ev *e) { e->peer.family = 0; }
static void dtls_ev_seen_alg5(struct ipc_rtp_dtls_ev *e) { e->seen.alg = 5; }
static void dtls_ev_seen_past(struct ipc_rtp_dtls_ev *e) { e->seen.md[40] = 1; }
static void dtls_ev_cipher_long(struct ipc_rtp_dtls_ev *e) { memset(e->cipher, 'A', sizeof(e->cipher)); }
static void dtls_ev_cipher_past(struct ipc_rtp_dtls_ev *e) { e->cipher[47] = 'x'; }
static void dtls_ev_detail_len(struct ipc_rtp_dtls_ev *e) { e->detail_len = IPC_RTP_DETAIL_MAX; }
static void dtls_ev_detail_nul(struct ipc_rtp_dtls_ev *e) { e->detail_len = 1; }
static void dtls_ev_detail_past(struct ipc_rtp_dtls_ev *e) { e->detail[90] = 'x'; }
static void dtls_ev_pad(struct ipc_rtp_dtls_ev *e) { e->pad = 1; }

/* DTLS-SRTP's kinds (dp -> cp): each field the contract bounds. */
static void
test_ipc_msg_check_refuses_bad_dtls_fields(void **state)
{
	static struct ipc_msg m;
	struct ipc_rtp_dtls_ev *e = (struct ipc_rtp_dtls_ev *)(void *)m.body;
	struct ipc_dtls_cert *c = (struct ipc_dtls_cert *)(void *)m.body;

	(void)state;
	dtls_ev_bad(dtls_ev_term2, "of termination 2");
	dtls_ev_bad(dtls_ev_state0, "of state 0");
	dtls_ev_bad(dtls_ev_state4, "of an unknown state");
	dtls_ev_bad(dtls_ev_up_why, "up with a reason");
	dtls_ev_bad(dtls_ev_role3, "of role EITHER (a handshake takes one)");
	dtls_ev_bad(dtls_ev_up_no_role, "up without a role");
	dtls_ev_bad(dtls_ev_matched2, "matching fingerprint 2");
	dtls_ev_bad(dtls_ev_matched_neg2, "matching fingerprint -2");
	dtls_ev_bad(dtls_ev_up_no_keys, "up without a key to send with");
	dtls_ev_bad(dtls_ev_key_bad, "up with a key one octet short");
	dtls_ev_bad(dtls_ev_failed_no_why, "failed without a reason");
	dtls_ev_bad(dtls_ev_failed_why32, "failed for an unknown reason");
	dtls_ev_bad(dtls_ev_failed_keys, "failed with keys");
	dtls_ev_bad(dtls_ev_peer5, "from a peer of family 5");
	dtls_ev_bad(dtls_ev_peer_pad, "from a peer with its pad set");
	dtls_ev_bad(dtls_ev_peer_none_port, "from no peer with a port");
	dtls_ev_bad(dtls_ev_seen_alg5, "having seen a digest of hash 5");
	dtls_ev_bad(dtls_ev_seen_past, "having seen an octet past sha-256's");
	dtls_ev_bad(dtls_ev_cipher_long, "with a cipher name without its NUL");
	dtls_ev_bad(dtls_ev_cipher_past, "with an octet past the cipher's NUL");
	dtls_ev_bad(dtls_ev_detail_len, "with a sentence past its field");
	dtls_ev_bad(dtls_ev_detail_nul, "with a sentence not ending at its length");
	dtls_ev_bad(dtls_ev_detail_past, "with an octet past the sentence");
	dtls_ev_bad(dtls_ev_pad, "with its pad set");
	/* a failure as dp reports one passes: no role, no peer, no digest */
	msg_make(&m, IPC_RTP_DTLS);
	dtls_ev_failed(e);
	e->role = 0;
	memset(&e->peer, 0, sizeof(e->peer));
	memset(&e->seen, 0, sizeof(e->seen));
	memset(e->cipher, 0, sizeof(e->cipher));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	e->state = IPC_RTP_DTLS_VERIFY_WAIT;
	e->why = 0;
	e->role = IPC_RTP_DTLS_SERVER;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	msg_make(&m, IPC_RTP_DTLS);
	m.h.alloc_id = ipc_conn_make(2, 13, 8);
	expect_bad(&m, "for another worker's context");
	/* DTLS_CERT */
	msg_make(&m, IPC_DTLS_CERT);
	c->nfp = 0;
	expect_bad(&m, "without a fingerprint");
	msg_make(&m, IPC_DTLS_CERT);
	c->nfp = IPC_AGW_FP_MAX + 1;
	expect_bad(&m, "with 5 fingerprints");
	msg_make(&m, IPC_DTLS_CERT);
	c->fp[2].alg = 2;
	expect_bad(&m, "with a fingerprint octet past nfp");
	msg_make(&m, IPC_DTLS_CERT);
	c->fp[0].len = 64;
	expect_bad(&m, "with a sha-256 fingerprint of 64 octets");
	msg_make(&m, IPC_DTLS_CERT);
	c->pad[4] = 1;
	expect_bad(&m, "with its pad set");
	msg_make(&m, IPC_DTLS_CERT);
	m.h.worker = 1;
	expect_bad(&m, "from worker 1");
	msg_make(&m, IPC_DTLS_CERT);
	c->nfp = IPC_AGW_FP_MAX;
	dtls_fp_fill(&c->fp[2], 3);
	dtls_fp_fill(&c->fp[3], 4);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
}

/* The RTP terminations' messages: each field the contract bounds. */
static void
test_ipc_msg_check_refuses_bad_rtp_fields(void **state)
{
	static struct ipc_msg m;
	struct ipc_rtp_ctx *x = (struct ipc_rtp_ctx *)(void *)m.body;
	struct ipc_rtp_mod *mo = (struct ipc_rtp_mod *)(void *)m.body;
	struct ipc_rtp_event *e = (struct ipc_rtp_event *)(void *)m.body;
	struct ipc_rtp_stats_msg *sm = (struct ipc_rtp_stats_msg *)(void *)m.body;

	(void)state;
	rtp_add_bad(rtp_profile5, "of profile 5");
	rtp_add_bad(rtp_mode4, "of mode 4");
	rtp_add_bad(rtp_flag8, "with an unknown flag");
	rtp_add_bad(rtp_flag_was_latch, "with the flag latching was (its policy is latch)");
	rtp_add_bad(rtp_latch4, "with an unknown latch policy");
	rtp_add_bad(rtp_latch_bit, "with an unknown latch bit");
	rtp_add_bad(rtp_dscp64, "of DSCP 64");
	rtp_add_bad(rtp_local5, "on family 5");
	rtp_add_bad(rtp_lport0, "on port 0");
	rtp_add_bad(rtp_mux_rtcp, "with rtcp-mux and an RTCP port");
	rtp_add_bad(rtp_pair_no_rtcp, "of a pair without an RTCP port");
	rtp_add_bad(rtp_pair_same, "of a pair with RTCP on the RTP port");
	rtp_add_bad(rtp_remote_family, "to a remote of another family");
	rtp_add_bad(rtp_remote_port_alone, "to a port without an address");
	rtp_add_bad(rtp_gm_family, "filtering on another family");
	rtp_add_bad(rtp_gm_plen, "filtering on a 129-bit prefix");
	rtp_add_bad(rtp_gm_plen_alone, "with a prefix and no address");
	rtp_add_bad(rtp_gm_ports, "filtering on ports backwards");
	rtp_add_bad(rtp_pol_no_burst, "policed without a burst");
	rtp_add_bad(rtp_savp_no_key, "SRTP without keys");
	rtp_add_bad(rtp_savp_no_tx, "SRTP without a key to send with");
	rtp_add_bad(rtp_savp_suite9, "SRTP of an unknown suite");
	rtp_add_bad(rtp_savp_key_short, "SRTP with a key one octet short");
	rtp_add_bad(rtp_savp_key_256_short, "SRTP AES-256 with AES-128's key length");
	rtp_add_bad(rtp_savp_mki5, "SRTP with a 5-octet MKI");
	rtp_add_bad(rtp_savp_mki_wide, "SRTP with an MKI wider than its length");
	rtp_add_bad(rtp_savp_window, "SRTP with a replay window under 64");
	rtp_add_bad(rtp_savp_index, "SRTP with a 32-bit SRTCP index");
	rtp_add_bad(rtp_savp_past_key, "SRTP with octets past its key");
	rtp_add_bad(rtp_savp_streams3, "SRTP following three SSRCs");
	rtp_add_bad(rtp_savp_ssrc_twice, "SRTP with one SSRC's position twice");
	rtp_add_bad(rtp_savp_stream_past, "SRTP with a stream past its count");
	rtp_add_bad(rtp_savp_stream_pad, "SRTP with a stream's pad set");
	rtp_add_bad(rtp_avp_key, "RTP with an SRTP key");
	rtp_add_bad(rtp_avp_key_byte, "RTP with one key octet");
	rtp_add_bad(rtp_ice_mode2, "with an unknown ICE mode");
	rtp_add_bad(rtp_ice_off_ufrag, "without ICE, with a ufrag octet");
	rtp_add_bad(rtp_ice_ufrag3, "with a 3-character ufrag");
	rtp_add_bad(rtp_ice_ufrag33, "with a ufrag past IPC_ICE_UFRAG_MAX");
	rtp_add_bad(rtp_ice_pwd21, "with a 21-character ICE pwd");
	rtp_add_bad(rtp_ice_pwd65, "with an ICE pwd past IPC_ICE_PWD_MAX");
	rtp_add_bad(rtp_ice_peer3, "with a 3-character peer ufrag");
	rtp_add_bad(rtp_ice_colon, "with a ufrag of a ':' (no ice-char)");
	rtp_add_bad(rtp_ice_past_pwd, "with an octet past the ICE pwd");
	rtp_add_bad(rtp_ice_past_peer, "with an octet past the peer ufrag");
	rtp_add_bad(rtp_ice_nul, "with a NUL inside the ICE pwd");
	rtp_add_bad(rtp_ice_pad, "with ICE's pad set");
	rtp_add_bad(rtp_ice_pad2, "with ICE's second pad set");
	rtp_add_bad(rtp_ice_nominated_family, "nominated on another family");
	rtp_add_bad(rtp_ice_nominated_port0, "nominated on port 0");
	rtp_add_bad(rtp_ice_nominated_off, "nominated without ICE");
	rtp_add_bad(rtp_dtls_role4, "with an unknown DTLS role");
	rtp_add_bad(rtp_dtls_nfp3, "with 3 fingerprints (past IPC_RTP_DTLS_FP_MAX)");
	rtp_add_bad(rtp_dtls_nfp0, "as DTLS server without a fingerprint");
	rtp_add_bad(rtp_dtls_either_fp, "as DTLS EITHER with a fingerprint");
	rtp_add_bad(rtp_dtls_profiles0, "with DTLS and no SRTP profile");
	rtp_add_bad(rtp_dtls_profile16, "with an unknown DTLS-SRTP profile");
	rtp_add_bad(rtp_dtls_flag8, "with an unknown DTLS flag");
	rtp_add_bad(rtp_dtls_pad, "with DTLS's pad set");
	rtp_add_bad(rtp_dtls_pad2, "with DTLS's second pad set");
	rtp_add_bad(rtp_dtls_fp_past, "with a fingerprint octet past nfp");
	rtp_add_bad(rtp_dtls_fp_md_past, "with an octet past a sha-256 digest");
	rtp_add_bad(rtp_dtls_fp_pad, "with a fingerprint's pad set");
	rtp_add_bad(rtp_dtls_fp_alg5, "with a fingerprint of hash 5");
	rtp_add_bad(rtp_dtls_fp_len, "with a sha-256 fingerprint of 20 octets");
	rtp_add_bad(rtp_dtls_avp, "with DTLS on RTP/AVPF");
	rtp_add_bad(rtp_dtls_pair, "with DTLS without rtcp-mux");
	rtp_add_bad(rtp_dtls_keys_unflagged, "with DTLS and keys not flagged as its");
	rtp_add_bad(rtp_dtls_flagged_no_keys, "with DTLS keys flagged and none");
	rtp_add_bad(rtp_dtls_flagged_one_key, "with DTLS keys flagged and one way only");
	rtp_add_bad(rtp_dtls_off_gen, "without DTLS, with a certificate generation");
	rtp_add_bad(rtp_dtls_off_fp, "without DTLS, with a fingerprint octet");
	rtp_add_bad(rtp_bundle_role3, "with an unknown BUNDLE role");
	rtp_add_bad(rtp_bundle_off_mid, "without BUNDLE, with a mid octet");
	rtp_add_bad(rtp_bundle_off_pt, "without BUNDLE, with a payload type");
	rtp_add_bad(rtp_bundle_off_owner, "without BUNDLE, naming an owner");
	rtp_add_bad(rtp_owner_pair, "owning a BUNDLE transport without rtcp-mux");
	rtp_add_bad(rtp_member_pair, "a BUNDLE member without rtcp-mux");
	rtp_add_bad(rtp_member_rtcp_port, "a BUNDLE member with an RTCP port");
	rtp_add_bad(rtp_owner_mid0, "bundled without a mid");
	rtp_add_bad(rtp_owner_mid17, "bundled with a 17-octet mid");
	rtp_add_bad(rtp_owner_mid_colon, "bundled with a mid of ':' (no token char)");
	rtp_add_bad(rtp_member_mid_space, "bundled with a mid of a space");
	rtp_add_bad(rtp_member_mid_nul, "bundled with a NUL inside its mid");
	rtp_add_bad(rtp_owner_mid_past, "bundled with an octet past its mid");
	rtp_add_bad(rtp_owner_ssrc3, "bundled with 3 SSRCs");
	rtp_add_bad(rtp_member_ssrc_twice, "bundled with one SSRC twice");
	rtp_add_bad(rtp_owner_ssrc_past, "bundled with an SSRC past its count");
	rtp_add_bad(rtp_owner_pad, "bundled with BUNDLE's pad set");
	rtp_add_bad(rtp_owner_owned, "an owner naming an owner");
	rtp_add_bad(rtp_owner_owner_term, "an owner naming an owner's termination");
	rtp_add_bad(rtp_member_no_owner, "a member of no owner");
	rtp_add_bad(rtp_member_owner_gen0, "a member of an owner of generation 0");
	rtp_add_bad(rtp_member_owner_worker, "a member of another worker's owner");
	rtp_add_bad(rtp_member_owner_self, "a member of its own context");
	rtp_add_bad(rtp_member_owner_term2, "a member of an owner's termination 2");
	rtp_add_bad(rtp_member_mid_ext, "a member with a MID extension id (the owner's)");
	rtp_add_bad(rtp_member_port, "a member with a port");
	rtp_add_bad(rtp_member_local, "a member with a local address");
	rtp_add_bad(rtp_member_remote, "a member with a remote");
	rtp_add_bad(rtp_member_remote_rtcp, "a member with a remote RTCP port");
	rtp_add_bad(rtp_member_ice, "a member with ICE");
	rtp_add_bad(rtp_member_dtls, "a member with DTLS-SRTP");
	rtp_add_bad(rtp_member_latch, "a member that latches");
	rtp_add_bad(rtp_member_gm, "a member with gm's ports");
	rtp_add_bad(rtp_member_key_octet, "a member with a key octet");
	rtp_add_bad(rtp_member_key_short, "a member with a key length not its suite's");
	rtp_add_bad(rtp_member_avp_key, "a plain RTP member with a suite");
	rtp_add_bad(rtp_member_mode4, "a member of mode 4");
	rtp_add_bad(rtp_member_no_burst, "a member policed without a burst");
	/* BUNDLE as cp sends it passes: an owner plain and as a WebRTC one
	 * (SAVPF, DTLS, ICE); a member plain, of SRTP with no key at all (a
	 * DTLS owner's to come) or its suite and positions, a mid of 16
	 * token chars, in RTP_MOD and RTP_STATE too */
	msg_make(&m, IPC_RTP_ADD);
	rtp_owner(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	rtp_dtls(&x->term[1]);
	rtp_ice(&x->term[1]);
	x->term[1].bundle.mid_ext = 255;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_ADD);
	rtp_member(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].bundle.owner_term = 0;
	x->term[1].bundle.mid_len = IPC_RTP_MID_MAX;
	memcpy(x->term[1].bundle.mid, "!#$%&'*+-.^_`|~z", IPC_RTP_MID_MAX);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].profile = IPC_RTP_SAVPF;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_ADD);
	rtp_member_savpf(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_MOD);
	rtp_member_savpf(&mo->t);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_STATE);
	rtp_member(&((struct ipc_rtp_state *)(void *)m.body)->ctx.term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	msg_make(&m, IPC_RTP_STATE);
	rtp_owner(&((struct ipc_rtp_state *)(void *)m.body)->ctx.term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	/* (what the messages weigh now: RTP_STATE keeps 16 spare, what
	 * DTLS-SRTP's tls-ids left of BUNDLE's 64) */
	assert_int_equal(sizeof(struct ipc_rtp_bundle), 56);
	assert_int_equal(sizeof(struct ipc_rtp_dtls), 184);
	assert_true(sizeof(struct ipc_rtp_state) + 16 <= sizeof(m.body));
	/* DTLS-SRTP as cp sends it passes: a server, a client, EITHER
	 * waiting for the answer, two fingerprints, beside ICE, with the
	 * association's keys (a restarted dp's) */
	msg_make(&m, IPC_RTP_ADD);
	rtp_dtls(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].dtls.role = IPC_RTP_DTLS_CLIENT;
	x->term[1].dtls.nfp = 2;
	dtls_fp_fill(&x->term[1].dtls.fp[1], 4);
	x->term[1].dtls.profiles = IPC_RTP_DTLS_P_ALL;
	x->term[1].dtls.flags = IPC_RTP_DTLS_F_ALLOW_SHA1 | IPC_RTP_DTLS_F_COOKIE;
	rtp_ice(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].dtls.flags |= IPC_RTP_DTLS_F_KEYS;
	dtls_key_fill(&x->term[1].srtp_rx, 1);
	dtls_key_fill(&x->term[1].srtp_tx, 2);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_MOD);
	rtp_dtls_nfp0(&mo->t);
	mo->t.dtls.role = IPC_RTP_DTLS_EITHER;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_STATE);
	rtp_dtls(&((struct ipc_rtp_state *)(void *)m.body)->ctx.term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	/* ICE as browsers send it passes (a peer ufrag not known yet too), at
	 * lib/ipc's bounds; a nominated pair in RTP_ADD, not RTP_MOD */
	msg_make(&m, IPC_RTP_ADD);
	rtp_ice(&x->term[1]);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].ice.peer_ufrag_len = 0;
	memset(x->term[1].ice.peer_ufrag, 0, sizeof(x->term[1].ice.peer_ufrag));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].ice.ufrag_len = IPC_ICE_UFRAG_MAX;
	memset(x->term[1].ice.ufrag, 'u', IPC_ICE_UFRAG_MAX);
	x->term[1].ice.pwd_len = IPC_ICE_PWD_MAX;
	memset(x->term[1].ice.pwd, 'P', IPC_ICE_PWD_MAX);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[1].ice.nominated = x->term[1].remote;
	x->term[1].ice.nominated.port = 5006;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_MOD);
	rtp_ice(&mo->t);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	mo->t.ice.nominated = mo->t.remote;
	expect_bad(&m, "modifying a termination with a nominated pair");
	/* and SRTP with valid keys passes, every suite, MKI and position */
	for (uint8_t suite = 1; suite <= IPC_SRTP_SUITE_MAX; suite++) {
		msg_make(&m, IPC_RTP_ADD);
		rtp_savp(&x->term[1]);
		srtp_key_fill(&x->term[1].srtp_rx, suite);
		x->term[1].srtp_rx.mki_len = 4;
		x->term[1].srtp_rx.mki = 0xffffffffu;
		x->term[1].srtp_rx.window = 32767;
		x->term[1].srtp_rx.nstreams = IPC_SRTP_SSRCS;
		x->term[1].srtp_rx.stream[0].roc = 0xffffffffu;
		x->term[1].srtp_rx.stream[0].ssrc = 1;
		x->term[1].srtp_rx.stream[0].seq = 65535;
		x->term[1].srtp_rx.stream[1].ssrc = 0;     /* (SSRC 0 is one) */
		x->term[1].srtp_rx.stream[1].roc = 7;
		x->term[1].srtp_rx.srtcp_index = 0x7fffffffu;
		assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	}
	assert_int_equal(ipc_srtp_key_len(0), 0);
	assert_int_equal(ipc_srtp_key_len(1), 30);
	assert_int_equal(ipc_srtp_key_len(5), 46);
	assert_int_equal(ipc_srtp_key_len(7), 28);
	assert_int_equal(ipc_srtp_key_len(8), 44);
	assert_int_equal(ipc_srtp_key_len(9), 0);

	/* an empty slot is all zero */
	msg_make(&m, IPC_RTP_ADD);
	memset(&x->term[0], 0, sizeof(x->term[0]));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	x->term[0].dscp = 1;
	expect_bad(&m, "with an empty slot that says something");
	/* ids: of the ring's worker, with a generation */
	msg_make(&m, IPC_RTP_ADD);
	m.h.alloc_id = ipc_conn_make(2, 13, 8);
	expect_bad(&m, "for another worker's context");
	msg_make(&m, IPC_RTP_DEL);
	m.h.alloc_id = ipc_conn_make(1, 13, 0);
	expect_bad(&m, "of generation 0");
	msg_make(&m, IPC_RTP_STATS_REQ);
	m.h.alloc_id = 0;
	expect_bad(&m, "of context 0");
	/* RTP_MOD */
	msg_make(&m, IPC_RTP_MOD);
	mo->term = 2;
	expect_bad(&m, "of termination 2");
	msg_make(&m, IPC_RTP_MOD);
	mo->op = IPC_RTP_MOD_OP_MAX + 1;
	expect_bad(&m, "of an unknown op");
	msg_make(&m, IPC_RTP_MOD);
	mo->op = IPC_RTP_SUB_TERM;
	expect_bad(&m, "subtracting with a termination");
	memset(&mo->t, 0, sizeof(mo->t));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_RTP_MOD);
	mo->op = IPC_RTP_ADD_TERM;
	memset(&mo->t, 0, sizeof(mo->t));
	expect_bad(&m, "adding an empty termination");
	/* RTP_EVENT */
	msg_make(&m, IPC_RTP_EVENT);
	e->type = IPC_RTP_EV_MAX + 1;
	expect_bad(&m, "of an unknown type");
	msg_make(&m, IPC_RTP_EVENT);
	e->addr.port = 0;
	expect_bad(&m, "latching port 0");
	msg_make(&m, IPC_RTP_EVENT);
	e->rtcp = 2;
	expect_bad(&m, "latching flow 2");
	msg_make(&m, IPC_RTP_EVENT);
	e->term = 2;
	expect_bad(&m, "of termination 2");
	msg_make(&m, IPC_RTP_EVENT);
	e->type = IPC_RTP_EV_RELEASED;
	expect_bad(&m, "released naming a termination");
	e->term = IPC_RTP_TERM_NONE;
	e->cause = IPC_AGW_CONTROLLER;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	e->cause = IPC_AGW_CAUSE_MAX + 1;
	expect_bad(&m, "of an unknown cause");
	msg_make(&m, IPC_RTP_EVENT);
	e->detail_len = IPC_RTP_DETAIL_MAX;
	expect_bad(&m, "whose detail fills its field");
	msg_make(&m, IPC_RTP_EVENT);
	e->detail_len = 2;
	memcpy(e->detail, "abc", 3);
	expect_bad(&m, "whose detail is not terminated");
	msg_make(&m, IPC_RTP_EVENT);
	e->st[1].latched = 4;
	expect_bad(&m, "with an unknown latch bit");
	msg_make(&m, IPC_RTP_EVENT);
	e->st[0].ice = 4;
	expect_bad(&m, "with an unknown ICE bit");
	msg_make(&m, IPC_RTP_EVENT);
	e->st[0].pad[1] = 1;
	expect_bad(&m, "with its figures' pad set");
	/* ICE's events: the pair's remote, of family 4 or 6 with a port */
	for (uint8_t type = IPC_RTP_EV_NOMINATED; type <= IPC_RTP_EV_CONSENT_REGAINED; type++) {
		msg_make(&m, IPC_RTP_EVENT);
		e->type = type;
		e->st[0].ice = IPC_RTP_ICE_ON | IPC_RTP_ICE_LOST;
		assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
		e->addr.port = 0;
		expect_bad(&m, "of ICE naming port 0");
		e->addr.port = 40001;
		e->addr.family = 5;
		expect_bad(&m, "of ICE naming family 5");
		e->addr.family = 4;
		e->rtcp = 2;
		expect_bad(&m, "of ICE naming flow 2");
	}
	/* BUNDLE's SSRC_CLASH: an SSRC and a count of one or more; no other
	 * event with either */
	msg_make(&m, IPC_RTP_EVENT);
	e->type = IPC_RTP_EV_SSRC_CLASH;
	e->ssrc = 0x11223344u;
	e->count = 1;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	e->count = 0;
	expect_bad(&m, "an SSRC clash of no packet");
	msg_make(&m, IPC_RTP_EVENT);
	e->count = 1;
	expect_bad(&m, "a latch with a clash count");
	msg_make(&m, IPC_RTP_EVENT);
	e->ssrc = 5;
	expect_bad(&m, "a latch with a clash SSRC");
	/* RTP_STATS */
	msg_make(&m, IPC_RTP_STATS);
	sm->found = 2;
	expect_bad(&m, "found 2");
	msg_make(&m, IPC_RTP_STATS);
	sm->st[0].rtp_src.family = 5;
	expect_bad(&m, "latched on family 5");
	/* SRTP's positions: what cp gives back in a key, a key's rules */
	msg_make(&m, IPC_RTP_STATS);
	sm->st[1].srtp_tx.nstreams = 2;
	sm->st[1].srtp_tx.stream[0].ssrc = 5;
	sm->st[1].srtp_tx.stream[1].ssrc = 0;
	sm->st[1].srtp_tx.srtcp_index = 0x7fffffffu;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	sm->st[1].srtp_tx.stream[1].ssrc = 5;
	expect_bad(&m, "with one SSRC's position twice");
	msg_make(&m, IPC_RTP_STATS);
	sm->st[0].srtp_rx.nstreams = IPC_SRTP_SSRCS + 1;
	expect_bad(&m, "with three SSRCs' positions");
	msg_make(&m, IPC_RTP_STATS);
	sm->st[0].srtp_rx.stream[1].seq = 3;
	expect_bad(&m, "with a position past its count");
	msg_make(&m, IPC_RTP_STATS);
	sm->st[0].srtp_rx.srtcp_index = 0x80000000u;
	expect_bad(&m, "with a 32-bit SRTCP index");
	msg_make(&m, IPC_RTP_STATS);
	sm->st[0].srtp_rx.pad[2] = 1;
	expect_bad(&m, "with a position's pad set");
	msg_make(&m, IPC_RTP_EVENT);
	e->st[0].srtp_tx.nstreams = 3;
	expect_bad(&m, "an event with three SSRCs' positions");
}

/* RFC 6062's messages: each field a receiver acts on. */
static void
test_ipc_msg_check_refuses_bad_tcp_fields(void **state)
{
	static struct ipc_msg m;
	struct ipc_tcp_conn *c = (struct ipc_tcp_conn *)(void *)m.body;
	struct ipc_tcp_event *e = (struct ipc_tcp_event *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_TCP_CONNECT);
	c->cid = 0;
	expect_bad(&m, "CONNECTION-ID 0");
	msg_make(&m, IPC_TCP_CONNECT);
	c->peer = ipc_conn_make(1, 2, 3);
	expect_bad(&m, "with a peer connection");
	msg_make(&m, IPC_TCP_CONNECT);
	c->addr.port = 0;
	expect_bad(&m, "to port 0");
	msg_make(&m, IPC_TCP_CONNECT);
	c->addr.family = 5;
	expect_bad(&m, "to family 5");
	msg_make(&m, IPC_TCP_CONNECT);
	m.h.tuple.conn_id = ipc_conn_make(2, 77, 3);
	expect_bad(&m, "for another worker's control connection");
	msg_make(&m, IPC_TCP_CONNECT);
	m.h.alloc_id = 0;
	expect_bad(&m, "of allocation 0");
	msg_make(&m, IPC_TCP_BIND);
	c->peer = ipc_conn_make(2, 78, 4);
	expect_bad(&m, "for another worker's peer connection");
	msg_make(&m, IPC_TCP_BIND);
	c->resp_len = (uint16_t)(c->resp_len + 4);
	expect_bad(&m, "whose answer is longer than the body");
	msg_make(&m, IPC_TCP_BIND);
	c->ok = 2;
	expect_bad(&m, "ok 2");
	msg_make(&m, IPC_TCP_BIND);
	stun_fill(m.body + sizeof(*c), 0x000b);
	expect_bad(&m, "whose answer is a request");
	msg_make(&m, IPC_TCP_BIND);
	m.h.tuple.conn_id = ipc_conn_make(2, 79, 0);
	expect_bad(&m, "for a data connection of generation 0");
	msg_make(&m, IPC_TCP_CLOSE);
	c->peer = 0;
	expect_bad(&m, "of no connection");
	msg_make(&m, IPC_TCP_EVENT);
	e->type = 0;
	expect_bad(&m, "type 0");
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_MAX + 1;
	expect_bad(&m, "an unknown type");
	msg_make(&m, IPC_TCP_EVENT);
	e->data = 0;
	expect_bad(&m, "BOUND without a data connection");
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_INCOMING;
	expect_bad(&m, "INCOMING with a CONNECTION-ID");
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_FAILED;
	e->peer = 0;
	e->reason = 0;
	expect_bad(&m, "FAILED without a reason");
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_GONE;
	e->reason = IPC_CONN_REASON_MAX + 1;
	expect_bad(&m, "GONE with an unknown reason");
	msg_make(&m, IPC_TCP_EVENT);
	e->addr.family = 0;
	expect_bad(&m, "of no family");
	msg_make(&m, IPC_TCP_STATE);
	e->type = IPC_TCP_EV_GONE;
	e->reason = IPC_CONN_CLOSED;
	expect_bad(&m, "of a connection that is gone");
	msg_make(&m, IPC_TCP_NAME);
	c->cid = 0;
	expect_bad(&m, "naming CONNECTION-ID 0");
	/* and the ones that are fine */
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_GONE;
	e->cid = 0;
	e->reason = IPC_CONN_CLOSED;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	msg_make(&m, IPC_TCP_EVENT);
	e->type = IPC_TCP_EV_FAILED;
	e->peer = 0;
	e->reason = IPC_CONN_TIMEOUT;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
}

static void
test_ipc_msg_check_refuses_bad_agw_fields(void **state)
{
	static struct ipc_msg m;
	struct ipc_agw_ctx *x = (struct ipc_agw_ctx *)(void *)m.body;
	struct ipc_agw_event *e = (struct ipc_agw_event *)(void *)m.body;

	(void)state;
	msg_make(&m, IPC_AGW_ADD);
	m.h.alloc_id = ipc_conn_make(2, 12, 7);        /* another worker's */
	expect_bad(&m, "id of worker 2");
	msg_make(&m, IPC_AGW_ADD);
	m.h.alloc_id = ipc_conn_make(1, 12, 0);
	expect_bad(&m, "generation 0");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].tcp_role = 3;
	expect_bad(&m, "tcp role 3");
	msg_make(&m, IPC_AGW_ADD);
	x->term[1].tls_role = 3;
	expect_bad(&m, "tls role 3");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].nfp = 0;
	expect_bad(&m, "TLS without a fingerprint");
	msg_make(&m, IPC_AGW_ADD);
	x->term[1].nfp = 1;
	x->term[1].fp[0].alg = 2;
	x->term[1].fp[0].len = 32;
	expect_bad(&m, "a fingerprint without TLS");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].nfp = 5;
	expect_bad(&m, "5 fingerprints");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].fp[1].len = 32;
	expect_bad(&m, "sha-512 of 32 bytes");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].fp[0].alg = 5;
	expect_bad(&m, "hash 5");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].local.port = 0;
	expect_bad(&m, "a server without a port");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].remote.family = 6;
	expect_bad(&m, "a server's peer of another family");
	msg_make(&m, IPC_AGW_ADD);
	x->term[1].remote.port = 0;
	expect_bad(&m, "a client without a remote port");
	msg_make(&m, IPC_AGW_ADD);
	x->term[1].remote.family = 4;
	expect_bad(&m, "a client's remote of another family");
	msg_make(&m, IPC_AGW_ADD);
	x->term[1].local.family = 0;
	expect_bad(&m, "local family 0");
	msg_make(&m, IPC_AGW_ADD);
	x->term[0].remote.family = 4;                   /* a server that takes one peer */
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	/* an empty slot: tcp_role 0 and nothing else said of it */
	msg_make(&m, IPC_AGW_ADD);
	memset(&x->term[1], 0, sizeof(x->term[1]));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	memset(&x->term[0], 0, sizeof(x->term[0]));
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);    /* (no leg yet at all) */
	x->term[0].local.family = 4;
	expect_bad(&m, "an empty slot with a local address");
	msg_make(&m, IPC_AGW_ADD);
	memset(&x->term[1], 0, sizeof(x->term[1]));
	x->term[1].nfp = 1;
	x->term[1].fp[0].alg = 2;
	x->term[1].fp[0].len = 32;
	expect_bad(&m, "an empty slot with a fingerprint");
	msg_make(&m, IPC_AGW_STATE);
	memset(&((struct ipc_agw_state *)(void *)m.body)->ctx.term[1], 0, sizeof(x->term[1]));
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);    /* a context of one leg */

	{
		struct ipc_agw_mod *md = (struct ipc_agw_mod *)(void *)m.body;

		msg_make(&m, IPC_AGW_MOD);
		md->op = 0;
		expect_bad(&m, "op 0");
		msg_make(&m, IPC_AGW_MOD);
		md->op = IPC_AGW_MOD_OP_MAX + 1;
		expect_bad(&m, "an op past the list");
		msg_make(&m, IPC_AGW_MOD);
		md->leg = 2;
		expect_bad(&m, "leg 2");
		msg_make(&m, IPC_AGW_MOD);
		md->term.tcp_role = IPC_AGW_TCP_NONE;
		expect_bad(&m, "ADD_LEG of no termination");
		msg_make(&m, IPC_AGW_MOD);
		md->term.nfp = 0;
		expect_bad(&m, "ADD_LEG of TLS without a fingerprint");
		msg_make(&m, IPC_AGW_MOD);
		md->op = IPC_AGW_MOD_LEG;
		md->term.local.port = 0;
		expect_bad(&m, "MOD_LEG of a server without a port");
		msg_make(&m, IPC_AGW_MOD);
		md->op = IPC_AGW_SUB_LEG;
		expect_bad(&m, "SUB_LEG with a termination");
		memset(&md->term, 0, sizeof(md->term));
		assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
		msg_make(&m, IPC_AGW_MOD);
		m.h.alloc_id = ipc_conn_make(2, 12, 7);
		expect_bad(&m, "of another worker's context");
		msg_make(&m, IPC_AGW_MOD);
		md->op = IPC_AGW_MOD_LEG;
		assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	}

	msg_make(&m, IPC_AGW_STATE);
	((struct ipc_agw_state *)(void *)m.body)->leg[1].state = 3;
	expect_bad(&m, "leg state 3");

	msg_make(&m, IPC_AGW_EVENT);
	e->type = 0;
	expect_bad(&m, "event type 0");
	msg_make(&m, IPC_AGW_EVENT);
	e->type = 4;
	expect_bad(&m, "event type 4");          /* (SUBTRACTED: of no leg) */
	msg_make(&m, IPC_AGW_EVENT);
	e->type = IPC_AGW_EV_MAX + 1;
	expect_bad(&m, "event type past the list");
	msg_make(&m, IPC_AGW_EVENT);
	e->type = IPC_AGW_EV_SUBTRACTED;
	expect_bad(&m, "SUBTRACTED of no leg");
	e->leg = 0;
	e->serial = 2;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	msg_make(&m, IPC_AGW_EVENT);
	e->cause = IPC_AGW_CAUSE_MAX + 1;
	expect_bad(&m, "cause past the list");
	msg_make(&m, IPC_AGW_EVENT);
	e->type = IPC_AGW_EV_LEG_DOWN;
	expect_bad(&m, "a leg event of no leg");
	msg_make(&m, IPC_AGW_EVENT);
	e->leg = 2;
	expect_bad(&m, "leg 2");
	msg_make(&m, IPC_AGW_EVENT);
	e->detail_len = IPC_AGW_DETAIL_MAX;
	expect_bad(&m, "detail as long as its field");
	msg_make(&m, IPC_AGW_EVENT);
	memset(e->detail, 'x', IPC_AGW_DETAIL_MAX);
	expect_bad(&m, "detail without its NUL");
	msg_make(&m, IPC_AGW_EVENT);
	e->type = IPC_AGW_EV_LEG_UP;
	e->leg = 1;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	assert_string_equal(ipc_agw_cause_name(IPC_AGW_CLOSE_NOTIFY), "close_notify");
	assert_string_equal(ipc_agw_cause_name(IPC_AGW_CAUSE_MAX), "dp_restart");
	assert_string_equal(ipc_agw_cause_name(IPC_AGW_CAUSE_MAX + 1), "?");
}

/* Each field the contract bounds, one at a time. */
static void
test_ipc_msg_check_refuses_bad_fields(void **state)
{
	static struct ipc_msg m;
	struct ipc_alloc *ia = (struct ipc_alloc *)(void *)m.body;
	struct ipc_binding *b = (struct ipc_binding *)(void *)m.body;
	struct ipc_binding *sb;

	(void)state;
	msg_make(&m, IPC_REQUEST);
	m.h.kind = 0;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), -EBADMSG);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), -EBADMSG);
	m.h.kind = 999;
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), -EBADMSG);
	msg_make(&m, IPC_REQUEST);
	assert_int_equal(ipc_msg_check(&m, (enum ipc_dir)0), -EBADMSG);
	m.h.worker = IPC_MAX_WORKERS;
	expect_bad(&m, "worker 64");

	/* tuples */
	msg_make(&m, IPC_REQUEST);
	m.h.tuple.client.family = 0;
	m.h.tuple.server.family = 0;
	expect_bad(&m, "family 0");
	msg_make(&m, IPC_RESPONSE);
	m.h.tuple.client.family = 5;
	m.h.tuple.server.family = 5;
	expect_bad(&m, "family 5");
	msg_make(&m, IPC_PERM_ADD);
	m.h.tuple.server.family = 6;
	expect_bad(&m, "client 4, server 6");
	msg_make(&m, IPC_ALLOC_DEL);
	m.h.tuple.transport = 0;
	expect_bad(&m, "transport 0");
	msg_make(&m, IPC_STATE_ALLOC);
	m.h.tuple.client.family = 41;
	expect_bad(&m, "family 41");

	/* connection ids: none on UDP; on a stream, one of the ring's worker
	 * with a generation */
	msg_make(&m, IPC_REQUEST);
	m.h.tuple.conn_id = ipc_conn_make(1, 2, 3);
	expect_bad(&m, "UDP with a connection id");
	msg_make(&m, IPC_REQUEST);
	m.h.tuple.transport = 6;
	expect_bad(&m, "TCP without a connection id");
	m.h.tuple.conn_id = ipc_conn_make(1, 2, 3);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	m.h.tuple.conn_id = ipc_conn_make(2, 2, 3);
	expect_bad(&m, "TCP connection of another worker");
	m.h.tuple.conn_id = ipc_conn_make(1, 2, 0);
	expect_bad(&m, "TCP connection of generation 0");
	msg_make(&m, IPC_ALLOC_ADD);
	m.h.tuple.transport = 6;
	m.h.tuple.conn_id = ipc_conn_make(1, IPC_CONN_SLOT_MAX, 0xffffffffu);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	m.h.worker = 0;
	expect_bad(&m, "on worker 0's ring, connection of worker 1");
	msg_make(&m, IPC_CONN_DOWN);
	m.h.tuple.transport = 17;
	m.h.tuple.conn_id = 0;
	expect_bad(&m, "UDP");
	/* a DTLS session (RFC 7350): UDP with a session id of the ring's
	 * worker (slot bit IPC_CONN_SLOT_DTLS) and a generation */
	msg_make(&m, IPC_REQUEST);
	m.h.tuple.conn_id = ipc_conn_make(1, 2 | IPC_CONN_SLOT_DTLS, 3);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	m.h.tuple.conn_id = ipc_conn_make(2, 2 | IPC_CONN_SLOT_DTLS, 3);
	expect_bad(&m, "DTLS session of another worker");
	m.h.tuple.conn_id = ipc_conn_make(1, 2 | IPC_CONN_SLOT_DTLS, 0);
	expect_bad(&m, "DTLS session of generation 0");
	msg_make(&m, IPC_CONN_DOWN);
	m.h.tuple.transport = 17;
	m.h.tuple.conn_id = ipc_conn_make(m.h.worker, 5 | IPC_CONN_SLOT_DTLS, 9);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	msg_make(&m, IPC_CONN_DOWN);
	((struct ipc_conn_event *)(void *)m.body)->reason = 0;
	expect_bad(&m, "reason 0");
	((struct ipc_conn_event *)(void *)m.body)->reason = IPC_CONN_REASON_MAX + 1;
	expect_bad(&m, "reason past the last");

	/* STUN framing (RFC 8489 §5) and class */
	msg_make(&m, IPC_REQUEST);
	m.body[4] ^= 1;
	expect_bad(&m, "without the magic cookie");
	msg_make(&m, IPC_REQUEST);
	m.body[0] |= 0x40;
	expect_bad(&m, "with a top bit set");
	msg_make(&m, IPC_REQUEST);
	m.body[3] = 2;
	m.h.body_len = 22;
	expect_bad(&m, "with a length not a multiple of 4");
	msg_make(&m, IPC_REQUEST);
	stun_fill(m.body, 0x0103);
	expect_bad(&m, "that is a response");
	msg_make(&m, IPC_REQUEST);
	stun_fill(m.body, 0x0016);
	expect_bad(&m, "that is an indication");
	msg_make(&m, IPC_RESPONSE);
	stun_fill(m.body, 0x0003);
	expect_bad(&m, "that is a request");
	/* (an indication goes as a RESPONSE: RFC 6062's ConnectionAttempt) */
	msg_make(&m, IPC_RESPONSE);
	stun_fill(m.body, 0x001c);
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);

	/* allocations */
	msg_make(&m, IPC_ALLOC_ADD);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");
	msg_make(&m, IPC_ALLOC_ADD);
	ia->nrelayed = 0;
	expect_bad(&m, "nrelayed 0");
	ia->nrelayed = 3;
	expect_bad(&m, "nrelayed 3");
	msg_make(&m, IPC_ALLOC_ADD);
	ia->key_len = IPC_KEY_MAX + 1;
	expect_bad(&m, "key_len 33");
	msg_make(&m, IPC_ALLOC_ADD);
	ia->user_len = IPC_USER_MAX + 1;
	expect_bad(&m, "user_len 257");
	msg_make(&m, IPC_ALLOC_ADD);
	ia->relayed[0].family = 0;
	expect_bad(&m, "relayed family 0");
	msg_make(&m, IPC_STATE_ALLOC);
	ia->relayed[1].family = 4;
	expect_bad(&m, "dual with two IPv4");
	msg_make(&m, IPC_STATE_ALLOC);
	ia->relayed[1].family = 0;
	expect_bad(&m, "dual with family 0");
	msg_make(&m, IPC_STATE_ALLOC);
	ia->user_len = 0xffff;
	expect_bad(&m, "user_len 0xffff");
	/* a bandwidth limit's burst without its rate (a burst 0 with a rate
	 * is a second's: fine) */
	msg_make(&m, IPC_ALLOC_ADD);
	ia->max_bps_burst = 4000;
	expect_bad(&m, "max_bps_burst without max_bps");
	msg_make(&m, IPC_STATE_ALLOC);
	ia->max_bps_burst = 1;
	expect_bad(&m, "max_bps_burst without max_bps");
	msg_make(&m, IPC_ALLOC_ADD);
	ia->max_bps = 40000;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	ia->max_bps_burst = 4000;
	assert_int_equal(ipc_msg_check(&m, IPC_CP2DP), 0);
	msg_make(&m, IPC_STATE_ALLOC);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");
	msg_make(&m, IPC_ALLOC_LIFE);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");
	/* RFC 8016's move: UDP to UDP, of an allocation, families alike */
	msg_make(&m, IPC_ALLOC_MOVE);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");
	msg_make(&m, IPC_ALLOC_MOVE);
	((struct ipc_tuple *)m.body)->transport = 6;
	expect_bad(&m, "to a TCP tuple");
	msg_make(&m, IPC_ALLOC_MOVE);
	m.h.tuple.transport = 6;
	m.h.tuple.conn_id = ipc_conn_make(m.h.worker, 77, 3);
	expect_bad(&m, "from a TCP tuple");
	msg_make(&m, IPC_ALLOC_MOVE);
	((struct ipc_tuple *)m.body)->server.family = 6;
	expect_bad(&m, "to a tuple of two families");
	msg_make(&m, IPC_ALLOC_MOVE);
	((struct ipc_tuple *)m.body)->client.family = 0;
	expect_bad(&m, "to family 0");

	/* RFC 8016 across workers: a plain UDP client's tuple, of an
	 * allocation, on another worker than the ring's */
	msg_make(&m, IPC_FWD_ADD);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");
	msg_make(&m, IPC_FWD_ADD);
	((struct ipc_fwd *)(void *)m.body)->owner = 1;
	expect_bad(&m, "to the ring's own worker");
	msg_make(&m, IPC_FWD_ADD);
	((struct ipc_fwd *)(void *)m.body)->owner = IPC_MAX_WORKERS;
	expect_bad(&m, "to a worker past the last");
	msg_make(&m, IPC_FWD_ADD);
	((struct ipc_fwd *)(void *)m.body)->pad[1] = 1;
	expect_bad(&m, "with padding set");
	msg_make(&m, IPC_FWD_ADD);
	m.h.tuple.conn_id = ipc_conn_make(m.h.worker, 77 | IPC_CONN_SLOT_DTLS, 3);
	expect_bad(&m, "of a DTLS session");
	msg_make(&m, IPC_FWD_DEL);
	m.h.tuple.transport = 6;
	m.h.tuple.conn_id = ipc_conn_make(m.h.worker, 77, 3);
	expect_bad(&m, "of a TCP tuple");
	msg_make(&m, IPC_FWD_DEL);
	m.h.alloc_id = 0;
	expect_bad(&m, "alloc_id 0");

	/* bindings */
	msg_make(&m, IPC_PERM_ADD);
	b->channel = 0x4000;
	expect_bad(&m, "with a channel");
	msg_make(&m, IPC_PERM_DEL);
	b->peer.family = 0;
	expect_bad(&m, "peer family 0");
	msg_make(&m, IPC_CHAN_ADD);
	b->channel = 0;
	expect_bad(&m, "channel 0");
	b->channel = 0x3FFF;
	expect_bad(&m, "channel 0x3FFF");
	b->channel = 0x7FFF;
	expect_bad(&m, "channel 0x7FFF");
	msg_make(&m, IPC_CHAN_DEL);
	b->peer.family = 16;
	expect_bad(&m, "peer family 16");
	msg_make(&m, IPC_STATE_ALLOC);
	sb = (struct ipc_binding *)(void *)(m.body + sizeof(struct ipc_alloc) +
					    sizeof(struct ipc_binding));
	sb->channel = 0x8000;
	expect_bad(&m, "binding channel 0x8000");
	msg_make(&m, IPC_STATE_ALLOC);
	sb->peer.family = 0;
	expect_bad(&m, "binding family 0");
}

/* The accessors a receiver walks a message with. */
static void
test_ipc_msg_accessors(void **state)
{
	static struct ipc_msg m;

	(void)state;
	msg_make(&m, IPC_STATE_ALLOC);
	assert_int_equal(ipc_msg_check(&m, IPC_DP2CP), 0);
	assert_ptr_equal(ipc_msg_alloc(&m), (const void *)m.body);
	assert_int_equal(ipc_msg_alloc(&m)->nrelayed, 2);
	assert_int_equal(ipc_msg_nbindings(&m), 2);
	assert_ptr_equal(ipc_msg_binding(&m, 1),
			 (const void *)(m.body + sizeof(struct ipc_alloc) +
					sizeof(struct ipc_binding)));
	assert_int_equal(ipc_msg_binding(&m, 1)->channel, 0x4001);
	assert_int_equal(ipc_msg_binding(&m, 0)->peer.family, 4);
	assert_int_equal(ipc_msg_nstats(&m), 0);
	msg_make(&m, IPC_CHAN_ADD);
	assert_int_equal(ipc_msg_nbindings(&m), 1);
	assert_int_equal(ipc_msg_binding(&m, 0)->channel, 0x7FFE);
	msg_make(&m, IPC_STATS);
	assert_int_equal(ipc_msg_nstats(&m), 3);
	assert_ptr_equal(ipc_msg_stats(&m, 2),
			 (const void *)(m.body + 2 * sizeof(struct ipc_alloc_stats)));
	assert_int_equal(ipc_msg_nbindings(&m), 0);
	msg_make(&m, IPC_ALLOC_ADD);
	assert_int_equal(ipc_msg_nbindings(&m), 0);
	assert_int_equal(ipc_kind_dir(IPC_REQUEST), IPC_DP2CP);
	assert_int_equal(ipc_kind_dir(IPC_ALLOC_ADD), IPC_CP2DP);
	assert_int_equal(ipc_kind_dir(999), 0);
}

/* cp's nonce block: taken for the epoch it was published for
 * only, never while it is being written, never with lengths or a lifetime
 * out of range (the segment is untrusted), NUL terminated in the copy. */
/* ---- connection ids, sides, backlog ------------------------------------ */

static void
test_ipc_conn_id_round_trips(void **state)
{
	static const struct { unsigned int w; uint32_t slot, gen; } v[] = {
		{ 0, 0, 1 }, { 1, 2, 3 }, { 63, IPC_CONN_SLOT_MAX, 0xffffffffu },
		{ 255, 0x123456, 0x80000000u },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t id = ipc_conn_make(v[i].w, v[i].slot, v[i].gen);

		assert_int_equal(ipc_conn_worker(id), v[i].w);
		assert_int_equal(ipc_conn_slot(id), v[i].slot);
		assert_int_equal(ipc_conn_gen(id), v[i].gen);
	}
	/* a slot past 24 bits does not spill into the worker */
	assert_int_equal(ipc_conn_worker(ipc_conn_make(5, 0xffffffffu, 1)), 5);
	assert_int_equal(sizeof(struct ipc_tuple), 56);
}

/* Capabilities are read only from a side that runs; the relayed-port
 * range and the worker count must agree once both sides published. */
static void
test_ipc_sides_caps_and_agreement(void **state)
{
	struct ipc_seg s;
	bool created;
	char err[256] = "";

	(void)state;
	assert_int_equal(ipc_seg_open(&s, seg_name, 2, me, &created), 0);
	assert_int_equal(ipc_peer_caps(s.shm, true, ipc_monotonic_ms()), 0);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_CONN_DOWN, 50000, 50999, 2);
	/* published but not serving: nothing to rely on yet */
	assert_int_equal(ipc_peer_caps(s.shm, true, ipc_monotonic_ms()), 0);
	s.shm->cp_epoch = 1;
	ipc_cp_set_ready(s.shm, true);
	assert_int_equal(ipc_peer_caps(s.shm, true, ipc_monotonic_ms()), IPC_CAP_CONN_DOWN);
	/* only one side: nothing to compare */
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_publish(&s.shm->dp_side, 0, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_publish(&s.shm->dp_side, 0, 50000, 59999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "50000-59999"));
	assert_non_null(strstr(err, "50000-50999"));
	ipc_side_publish(&s.shm->dp_side, 0, 50000, 50999, 1);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dp.workers"));
	/* agw.ports: compared when both have an agw group */
	ipc_side_set_agw(&s.shm->dp_side, 20000, 29999);
	ipc_side_publish(&s.shm->dp_side, IPC_CAP_AGW, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_set_agw(&s.shm->cp_side, 20000, 29999);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_CONN_DOWN, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_set_agw(&s.shm->cp_side, 20000, 20999);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_CONN_DOWN, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "agw.ports differ: dp accepts on 20000-29999, cp "
				   "allocates 20000-20999"));
	ipc_side_set_agw(&s.shm->cp_side, 0, 0);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_CONN_DOWN, 50000, 50999, 2);
	/* agw.media_ports: compared when both have RTP terminations */
	ipc_side_set_media(&s.shm->dp_side, 30000, 39999);
	ipc_side_publish(&s.shm->dp_side, IPC_CAP_AGW | IPC_CAP_RTP, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_set_media(&s.shm->cp_side, 30000, 39999);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_RTP, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_set_media(&s.shm->cp_side, 30000, 30999);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_RTP, 50000, 50999, 2);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "agw.media_ports differ: dp relays media on 30000-39999, "
				   "cp allocates 30000-30999"));
	ipc_side_set_media(&s.shm->cp_side, 0, 0);
	ipc_side_publish(&s.shm->cp_side, IPC_CAP_CONN_DOWN, 50000, 50999, 2);
	/* a side that stopped is not compared, and offers nothing */
	ipc_side_clear(&s.shm->dp_side);
	assert_int_equal(ipc_sides_agree(s.shm, err, sizeof(err)), 0);
	ipc_side_clear(&s.shm->cp_side);
	assert_int_equal(ipc_peer_caps(s.shm, true, ipc_monotonic_ms()), 0);
	ipc_seg_close(&s);
}

/* A backlog of large bodies and no tuples (the gateway's events), filled
 * in place: entries keep their own bodies, in order, with no tuple; a full
 * one refuses and counts; drop forgets what waits; setup refuses a cap
 * that is not a power of two and a body no message can carry. */
static void
test_ipc_backlog_bodies_in_place(void **state)
{
	static struct ipc_msg out;
	static uint8_t mem[4 * 512];
	struct ipc_backlog b;
	struct ipc_seg s;
	struct ipc_ring *r;
	struct ipc_tuple tu;
	uint32_t seq = 7;
	bool created;
	uint16_t len = (uint16_t)sizeof(struct ipc_agw_event);

	(void)state;
	assert_true(ipc_backlog_size(4, len, false) <= sizeof(mem));
	assert_int_equal(ipc_backlog_size(4, len, false) % 8, 0);
	assert_int_equal(ipc_backlog_setup(&b, mem, 3, len, false), -EINVAL);
	assert_int_equal(ipc_backlog_setup(&b, mem, 0, len, false), -EINVAL);
	assert_int_equal(ipc_backlog_setup(&b, mem, 4, (uint16_t)(sizeof(out.body) + 1), false),
			 -EINVAL);
	assert_int_equal(ipc_backlog_setup(&b, mem, 4, len, false), 0);
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&s, 0)->to_cp;
	tuple_fill(&tu, 9);          /* offered, and not kept */
	memset(mem, 0xa5, sizeof(mem));
	for (uint32_t i = 0; i < 4; i++) {
		struct ipc_agw_event *e = ipc_backlog_reserve(&b, IPC_AGW_EVENT, 1000 + i, &tu,
							      len);

		assert_non_null(e);
		/* zeroed, whatever the slot held */
		assert_int_equal(e->detail[IPC_AGW_DETAIL_MAX - 1], 0);
		e->type = IPC_AGW_EV_LEG_DOWN;
		e->bytes_in[1] = 5000u + i;
		e->detail_len = 3;
		memcpy(e->detail, "abc", 4);
		ipc_backlog_commit(&b);
	}
	assert_null(ipc_backlog_reserve(&b, IPC_AGW_EVENT, 1, NULL, len));
	assert_int_equal(b.lost, 1);
	assert_null(ipc_backlog_reserve(&b, IPC_AGW_EVENT, 1, NULL, (uint16_t)(len + 1)));
	assert_int_equal(b.lost, 1);
	assert_int_equal(b.queued, 4);
	assert_int_equal(ipc_backlog_flush(&b, r, 0, 3, &seq), 4);
	for (uint32_t i = 0; i < 4; i++) {
		const struct ipc_agw_event *e = (const struct ipc_agw_event *)out.body;
		static const struct ipc_tuple none;

		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
		assert_int_equal(out.h.kind, IPC_AGW_EVENT);
		assert_int_equal(out.h.worker, 3);
		assert_int_equal(out.h.seq, 7 + i);
		assert_int_equal(out.h.alloc_id, 1000 + i);
		assert_int_equal(out.h.body_len, len);
		assert_memory_equal(&out.h.tuple, &none, sizeof(none));
		assert_int_equal(e->type, IPC_AGW_EV_LEG_DOWN);
		assert_int_equal(e->bytes_in[1], 5000u + i);
		assert_string_equal(e->detail, "abc");
	}
	/* what waits for a cp that cannot take it is forgotten, counted by
	 * the caller */
	for (uint32_t i = 0; i < 3; i++) {
		assert_non_null(ipc_backlog_reserve(&b, IPC_AGW_EVENT, i, NULL, len));
		ipc_backlog_commit(&b);
	}
	assert_int_equal(ipc_backlog_drop(&b), 3);
	assert_int_equal(ipc_backlog_count(&b), 0);
	assert_int_equal(ipc_backlog_flush(&b, r, 0, 3, &seq), 0);
	assert_int_equal(seq, 11);
	ipc_seg_close(&s);
}

/* Events wait in order for room beyond the headroom, none lost while the
 * backlog has room; a full backlog refuses and counts. */
static void
test_ipc_backlog_waits_for_room_in_order(void **state)
{
	static struct ipc_msg out;
	static struct ipc_event ev[8];
	struct ipc_backlog b;
	struct ipc_seg s;
	struct ipc_ring *r;
	struct ipc_tuple tu;
	struct ipc_conn_event ce = { .reason = IPC_CONN_CLOSED };
	uint32_t seq = 100;
	bool created;

	(void)state;
	assert_int_equal(ipc_seg_open(&s, seg_name, 1, me, &created), 0);
	r = &ipc_worker(&s, 0)->to_cp;
	ipc_backlog_init(&b, ev, 8);
	tuple_fill(&tu, 4);
	tu.transport = 6;
	for (uint32_t i = 0; i < 8; i++) {
		tu.conn_id = ipc_conn_make(0, i, 1);
		assert_int_equal(ipc_backlog_push(&b, IPC_CONN_DOWN, 0, &tu, &ce, sizeof(ce)), 0);
	}
	assert_int_equal(ipc_backlog_push(&b, IPC_CONN_DOWN, 0, &tu, &ce, sizeof(ce)),
			 -ENOBUFS);
	assert_int_equal(b.lost, 1);
	assert_int_equal(ipc_backlog_push(&b, IPC_CONN_DOWN, 0, &tu, &ce, 17), -EMSGSIZE);
	/* the ring holds all but 4 slots' worth: with 2 of headroom, two go */
	for (uint32_t i = 0; i < IPC_RING_SLOTS - 4; i++) {
		msg_fill(&out, IPC_STATS, i, 0);
		assert_int_equal(ipc_ring_enqueue(r, &out), 0);
	}
	assert_int_equal(ipc_backlog_flush(&b, r, 2, 0, &seq), 2);
	assert_int_equal(ipc_backlog_count(&b), 6);
	assert_int_equal(b.deferred, 1);
	assert_int_equal(ipc_backlog_flush(&b, r, 2, 0, &seq), 0);
	/* the consumer drains: the rest follows, in order, each checked */
	for (uint32_t i = 0; i < IPC_RING_SLOTS - 4; i++)
		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
	assert_int_equal(ipc_backlog_flush(&b, r, 2, 0, &seq), 6);
	assert_int_equal(ipc_backlog_count(&b), 0);
	for (uint32_t i = 0; i < 8; i++) {
		assert_int_equal(ipc_ring_dequeue(r, &out), 1);
		assert_int_equal(ipc_msg_check(&out, IPC_DP2CP), 0);
		assert_int_equal(out.h.kind, IPC_CONN_DOWN);
		assert_int_equal(out.h.seq, 100 + i);
		assert_int_equal(ipc_conn_slot(out.h.tuple.conn_id), i);
	}
	assert_int_equal(ipc_ring_dequeue(r, &out), 0);
	assert_int_equal(b.sent, 8);
	assert_int_equal(b.queued, 8);
	ipc_seg_close(&s);
}

static void
test_ipc_nonce_block_copied_for_its_epoch_only(void **state)
{
	static struct ipc_nonce n, out;
	struct ipc_seg a;
	bool created;
	uint64_t e;

	(void)state;
	assert_int_equal(ipc_seg_open(&a, seg_name, 1, me, &created), 0);
	e = __atomic_add_fetch(&a.shm->cp_epoch, 1, __ATOMIC_RELEASE);
	/* nothing published yet */
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EAGAIN);
	memset(&n, 0, sizeof(n));
	memset(n.key, 0x42, sizeof(n.key));
	n.features = 1;
	n.lifetime_s = 600;
	n.realm_len = 3;
	memcpy(n.realm, "abc", 3);
	n.has_software = 1;
	n.software_len = 2;
	memcpy(n.software, "sw", 2);
	n.oauth_name_len = 4;                  /* RFC 7635's server name */
	memcpy(n.oauth_name, "turn", 4);
	ipc_nonce_publish(a.shm, &n, e);
	assert_int_equal(a.shm->nonce.epoch, e);
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), 0);
	assert_memory_equal(out.key, n.key, sizeof(n.key));
	assert_int_equal(out.epoch, e);
	assert_int_equal(out.lifetime_s, 600);
	assert_string_equal(out.realm, "abc");
	assert_string_equal(out.software, "sw");
	assert_int_equal(out.oauth_name_len, 4);
	assert_string_equal(out.oauth_name, "turn");
	assert_int_equal(ipc_nonce_copy(a.shm, e + 1, &out), -EAGAIN);
	assert_int_equal(ipc_nonce_copy(a.shm, 0, &out), -EAGAIN);
	/* a writer under way (epoch cleared first) */
	a.shm->nonce.epoch = 0;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EAGAIN);
	a.shm->nonce.epoch = e;
	/* what a corrupt segment may hold */
	a.shm->nonce.realm[3] = 'x';           /* no NUL: the copy ends it */
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), 0);
	assert_string_equal(out.realm, "abc");
	a.shm->nonce.realm_len = IPC_NONCE_STR_MAX;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.realm_len = 0;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.realm_len = 3;
	a.shm->nonce.software_len = 0xffff;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.software_len = 2;
	a.shm->nonce.oauth_name_len = IPC_OAUTH_NAME_MAX;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.oauth_name_len = 4;
	a.shm->nonce.lifetime_s = 0;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.lifetime_s = 3601;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), -EPROTO);
	a.shm->nonce.lifetime_s = 600;
	assert_int_equal(ipc_nonce_copy(a.shm, e, &out), 0);
	ipc_seg_close(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipc_create_then_attach_keeps_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_peek_leaves_message_until_released, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_other_geometry_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_attach_without_segment_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ring_full_refuses_without_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_spsc_threads_keep_order, setup, teardown),
		cmocka_unit_test(test_ipc_kind_names),
		cmocka_unit_test_setup_teardown(test_ipc_readiness_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ha_block_role_and_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_created_segment_is_0600_and_the_owners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_segment_of_another_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_segment_group_or_others_may_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_hard_linked_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_symbolic_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_refuses_too_many_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ring_ignores_geometry_in_the_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ring_corrupt_head_is_counted_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_ring_oversized_body_is_refused, setup, teardown),
		cmocka_unit_test(test_ipc_msg_check_takes_what_dp_and_cp_send),
		cmocka_unit_test(test_ipc_msg_check_refuses_wrong_lengths),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_fields),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_tap),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_x2),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_rtp_tap),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_li_status),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_agw_tap),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_agw_fields),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_tcp_fields),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_rtp_fields),
		cmocka_unit_test(test_ipc_msg_check_refuses_bad_dtls_fields),
		cmocka_unit_test(test_ipc_msg_accessors),
		cmocka_unit_test(test_ipc_conn_id_round_trips),
		cmocka_unit_test_setup_teardown(test_ipc_sides_caps_and_agreement,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_backlog_waits_for_room_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_backlog_bodies_in_place,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipc_nonce_block_copied_for_its_epoch_only,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
