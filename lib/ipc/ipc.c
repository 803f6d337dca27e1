/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp <-> cp segment (POSIX shared memory) and its SPSC rings. The
 * segment is sized at creation for a worker count and never resized; the
 * ring indices are free-running 32-bit counters (head - tail is the fill
 * level), published with release stores and read with acquire loads, so
 * a message's bytes are visible before its slot is.
 *
 * Nothing read from the segment is trusted to be sane: a segment is used
 * only when it belongs to the expected user with mode 0600 (whoever else
 * made it could read relay keys and forge messages), ring geometry is
 * compile-time, indices and lengths are bounded where they are read.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

_Static_assert(sizeof(struct ipc_msg) == IPC_MSG_SIZE, "ipc_msg size");
_Static_assert((IPC_RING_SLOTS & (IPC_RING_SLOTS - 1)) == 0, "ring slots");
_Static_assert(IPC_MAX_WORKERS <= 64, "worker bitmaps are 64 bits");

/* Where glibc keeps shm_open() names (messages only). */
#define IPC_SHM_DIR "/dev/shm"

static uint64_t
seg_size(unsigned int nworkers)
{
	return sizeof(struct ipc_shm) +
	       (uint64_t)nworkers * sizeof(struct ipc_worker_rings);
}

static void
ring_init(struct ipc_ring *r)
{
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->full = 0;
	r->corrupt = 0;
}

/* "uid 999 (turnpike)", or "uid 1234" for a uid without a name. */
static const char *
uid_str(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		snprintf(buf, len, "uid %u (%s)", (unsigned int)uid, res->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
	return buf;
}

/* Set s->err and return rc. */
__attribute__((format(printf, 3, 4)))
static int
seg_fail(struct ipc_seg *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * Is the open segment fd ours? Looked at through the descriptor we are
 * about to map, so that what is checked is what is used (the name may be
 * replaced meanwhile; the descriptor keeps the object it opened).
 */
static int
seg_check_owner(struct ipc_seg *s, int fd, uid_t owner, struct stat *st)
{
	char want[128], have[128];

	if (fstat(fd, st) < 0)
		return seg_fail(s, -errno, IPC_SHM_DIR "%s: %s", s->name, strerror(errno));
	if (S_ISREG(st->st_mode) && st->st_nlink == 1 && st->st_uid == owner &&
	    (st->st_mode & 077) == 0)
		return 0;
	return seg_fail(s, -EPERM,
		IPC_SHM_DIR "%s is not turnpike's: %s%sowned by %s, mode %04o%s; "
		"turnpike uses only a segment owned by %s with mode 0600 "
		"(someone else who made it could read the relay keys in it and "
		"forge what dp and cp say). Stop turnpike-dp and turnpike-cp, "
		"see who made it (ls -l " IPC_SHM_DIR "%s), remove it (rm "
		IPC_SHM_DIR "%s) and start them again",
		s->name, S_ISREG(st->st_mode) ? "" : "not a regular file, ",
		st->st_nlink != 1 ? "more than one name (a hard link), " : "",
		uid_str(st->st_uid, have, sizeof(have)),
		(unsigned int)(st->st_mode & 07777),
		(st->st_mode & 077) != 0 ? " (group or others may use it)" : "",
		uid_str(owner, want, sizeof(want)), s->name, s->name);
}

/* We made it (O_EXCL): 0600 whatever the umask, then the owner's. */
static int
seg_create(struct ipc_seg *s, int fd, unsigned int nworkers, uid_t owner)
{
	uint64_t size = seg_size(nworkers);
	char who[128];
	void *p;
	int rc;

	if (fchmod(fd, 0600) < 0) {
		rc = seg_fail(s, -errno, "cannot set mode 0600 on " IPC_SHM_DIR "%s: %s",
			      s->name, strerror(errno));
		goto out_unlink;
	}
	if (owner != geteuid() && fchown(fd, owner, (gid_t)-1) < 0) {
		rc = seg_fail(s, -errno, "cannot give " IPC_SHM_DIR "%s to %s: %s "
			      "(only root can give it to another user)", s->name,
			      uid_str(owner, who, sizeof(who)), strerror(errno));
		goto out_unlink;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		rc = seg_fail(s, -errno, "cannot size " IPC_SHM_DIR "%s to %llu bytes: %s",
			      s->name, (unsigned long long)size, strerror(errno));
		goto out_unlink;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = seg_fail(s, -errno, "cannot map " IPC_SHM_DIR "%s: %s", s->name,
			      strerror(errno));
		goto out_unlink;
	}
	s->shm = p;
	s->size = size;
	s->fd = fd;
	s->nworkers = nworkers;
	s->shm->nworkers = nworkers;
	s->shm->msg_size = IPC_MSG_SIZE;
	s->shm->size = size;
	for (unsigned int i = 0; i < nworkers; i++) {
		ring_init(&s->shm->w[i].to_cp);
		ring_init(&s->shm->w[i].to_dp);
	}
	s->shm->version = IPC_VERSION;
	/* The magic goes last: a reader that sees it sees the rest. */
	atomic_thread_fence(memory_order_release);
	s->shm->magic = IPC_MAGIC;
	return 0;

out_unlink:
	close(fd);
	shm_unlink(s->name);
	return rc;
}

int
ipc_seg_open(struct ipc_seg *s, const char *name, unsigned int nworkers,
	     uid_t owner, bool *created)
{
	struct stat st;
	uint64_t size;
	unsigned int n;
	int fd, rc;
	void *p;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	*created = false;
	if (nworkers > IPC_MAX_WORKERS || strlen(name) >= IPC_NAME_MAX)
		return seg_fail(s, -EINVAL, "shared memory '%s': a name under %u bytes "
				"and at most %u workers", name, IPC_NAME_MAX,
				IPC_MAX_WORKERS);
	snprintf(s->name, sizeof(s->name), "%s", name);

	/* glibc's shm_open() opens with O_NOFOLLOW | O_CLOEXEC: a symbolic
	 * link in its place is refused (ELOOP), never followed. */
	fd = nworkers ? shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) : -1;
	if (fd >= 0) {
		rc = seg_create(s, fd, nworkers, owner);
		*created = rc == 0;
		return rc;
	}
	if (nworkers && errno != EEXIST)
		return seg_fail(s, -errno, "cannot create " IPC_SHM_DIR "%s: %s", name,
				strerror(errno));

	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0)
		return seg_fail(s, -errno, "cannot open " IPC_SHM_DIR "%s: %s%s", name,
				strerror(errno), errno == ELOOP ?
				" (a symbolic link: remove it)" : "");
	rc = seg_check_owner(s, fd, owner, &st);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	if ((uint64_t)st.st_size < sizeof(struct ipc_shm)) {
		close(fd);
		return seg_fail(s, -EPROTO, IPC_SHM_DIR "%s is too small (%lld bytes) to "
				"be a turnpike segment: stop dp and cp and remove it",
				name, (long long)st.st_size);
	}
	size = (uint64_t)st.st_size;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return seg_fail(s, rc, "cannot map " IPC_SHM_DIR "%s: %s", name,
				strerror(-rc));
	}
	s->shm = p;
	s->size = size;
	s->fd = fd;
	atomic_thread_fence(memory_order_acquire);
	n = s->shm->nworkers;
	if (s->shm->magic != IPC_MAGIC || s->shm->version != IPC_VERSION ||
	    s->shm->msg_size != IPC_MSG_SIZE) {
		rc = seg_fail(s, -EPROTO, IPC_SHM_DIR "%s is of another version or "
			      "layout (magic %08x version %u, this build speaks %08x "
			      "version %u): stop the dp and cp of the other build and "
			      "remove it", name, s->shm->magic, s->shm->version,
			      IPC_MAGIC, IPC_VERSION);
		goto out_close;
	}
	if (n == 0 || n > IPC_MAX_WORKERS || s->shm->size != size ||
	    seg_size(n) != size) {
		rc = seg_fail(s, -EPROTO, IPC_SHM_DIR "%s is corrupt (%u workers, %llu "
			      "bytes, the header says %llu): stop dp and cp and remove it",
			      name, n, (unsigned long long)size,
			      (unsigned long long)s->shm->size);
		goto out_close;
	}
	if (nworkers && n != nworkers) {
		rc = seg_fail(s, -EINVAL, IPC_SHM_DIR "%s was made for %u worker(s), "
			      "not %u: stop dp and cp and remove it", name, n, nworkers);
		goto out_close;
	}
	s->nworkers = n;
	return 0;

out_close:
	ipc_seg_close(s);
	return rc;
}

void
ipc_seg_close(struct ipc_seg *s)
{
	if (s->shm != NULL)
		munmap(s->shm, s->size);
	if (s->fd >= 0)
		close(s->fd);
	s->shm = NULL;
	s->fd = -1;
}

int
ipc_seg_unlink(const char *name)
{
	return shm_unlink(name) < 0 ? -errno : 0;
}

int
ipc_ring_enqueue(struct ipc_ring *r, const struct ipc_msg *msg)
{
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_acquire);
	uint32_t used = head - tail;
	struct ipc_msg *slot;
	size_t n = msg->h.body_len;

	if (used > IPC_RING_SLOTS)
		return -EPROTO;   /* the consumer counts and resets it */
	if (used == IPC_RING_SLOTS) {
		r->full++;
		return -ENOBUFS;
	}
	if (n > sizeof(msg->body))
		return -EMSGSIZE;
	slot = &r->msg[head & IPC_RING_MASK];
	memcpy(&slot->h, &msg->h, sizeof(slot->h));
	memcpy(slot->body, msg->body, n);
	atomic_store_explicit(&r->head, head + 1,
			      memory_order_release);
	return 0;
}

int
ipc_ring_peek(struct ipc_ring *r, struct ipc_msg *msg)
{
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_acquire);
	uint32_t used = head - tail;
	const struct ipc_msg *slot;
	size_t n;

	if (used == 0)
		return 0;
	if (used > IPC_RING_SLOTS) {
		/* No producer gets this far ahead (nor behind): corrupt. */
		r->corrupt++;
		atomic_store_explicit(&r->tail, head, memory_order_release);
		return -EPROTO;
	}
	slot = &r->msg[tail & IPC_RING_MASK];
	/* One copy of the header, then only that copy is read: the slot
	 * may change under us. */
	memcpy(&msg->h, &slot->h, sizeof(msg->h));
	n = msg->h.body_len;
	if (n > sizeof(msg->body)) {
		r->corrupt++;
		msg->h.body_len = 0;
		atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
		return -EBADMSG;
	}
	memcpy(msg->body, slot->body, n);
	return 1;
}

void
ipc_ring_release(struct ipc_ring *r)
{
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_acquire);

	/* (an empty ring, or one the peek found corrupt and emptied,
	 * releases nothing) */
	if (head - tail == 0 || head - tail > IPC_RING_SLOTS)
		return;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

int
ipc_ring_dequeue(struct ipc_ring *r, struct ipc_msg *msg)
{
	int rc = ipc_ring_peek(r, msg);

	if (rc == 1)
		ipc_ring_release(r);
	return rc;
}

unsigned int
ipc_ring_count(const struct ipc_ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_acquire);
	uint32_t used = head - tail;

	return used > IPC_RING_SLOTS ? IPC_RING_SLOTS : used;
}

const char *
ipc_kind_name(uint16_t kind)
{
	switch (kind) {
#define IPC_KIND(e, v, name, dir) case v: return name;
#include "ipc_kinds.def"
#undef IPC_KIND
	default:
		return "?";
	}
}

const char *
ipc_agw_cause_name(unsigned int cause)
{
	switch (cause) {
#define IPC_AGW_CAUSE(e, v, name, help) case v: return name;
#include "ipc_agw_causes.def"
#undef IPC_AGW_CAUSE
	default:
		return "?";
	}
}

static bool
beat_fresh(uint64_t beat_ms, uint64_t now_ms)
{
	/* Fresh: within IPC_ALIVE_MS of now either way. A beat a little ahead
	 * is normal (dp's now is its last millisecond tick, the beat may be
	 * newer); one far ahead (another clock, a corrupt value) is not. */
	return beat_ms != 0 && beat_ms < now_ms + IPC_ALIVE_MS &&
	       now_ms < beat_ms + IPC_ALIVE_MS;
}

bool
ipc_cp_serving(const struct ipc_shm *shm, uint64_t now_ms)
{
	uint64_t ready = atomic_load_explicit(&shm->cp_ready, memory_order_acquire);

	return ready != 0 && ready == __atomic_load_n(&shm->cp_epoch, __ATOMIC_ACQUIRE) &&
	       beat_fresh(__atomic_load_n(&shm->cp_heartbeat_ms, __ATOMIC_RELAXED), now_ms);
}

bool
ipc_dp_running(const struct ipc_shm *shm, uint64_t now_ms)
{
	uint64_t ready = atomic_load_explicit(&shm->dp_ready, memory_order_acquire);

	return ready != 0 && ready == __atomic_load_n(&shm->dp_epoch, __ATOMIC_ACQUIRE) &&
	       beat_fresh(__atomic_load_n(&shm->dp_heartbeat_ms, __ATOMIC_RELAXED), now_ms);
}

void
ipc_cp_set_ready(struct ipc_shm *shm, bool ready)
{
	__atomic_store_n(&shm->cp_heartbeat_ms, ipc_monotonic_ms(), __ATOMIC_RELAXED);
	atomic_store_explicit(&shm->cp_ready,
			      ready ? __atomic_load_n(&shm->cp_epoch, __ATOMIC_RELAXED) : 0,
			      memory_order_release);
}

/* ACTIVE: the deadline (and the token it belongs to) first, then the
 * role; anything else: the role first, then the deadline. A dp reading
 * between the two stores sees one old and one new value, and either mix
 * is passive, or active only until the deadline that was granted. */
void
ipc_ha_set(struct ipc_ha *ha, enum ipc_ha_role role, uint64_t token, uint64_t fence_at_ms)
{
	if (role == IPC_HA_ACTIVE) {
		atomic_store_explicit(&ha->token, token, memory_order_relaxed);
		atomic_store_explicit(&ha->fence_at_ms, fence_at_ms, memory_order_release);
		atomic_store_explicit(&ha->role, (uint32_t)role, memory_order_release);
		return;
	}
	atomic_store_explicit(&ha->role, (uint32_t)role, memory_order_release);
	atomic_store_explicit(&ha->token, token, memory_order_relaxed);
	atomic_store_explicit(&ha->fence_at_ms, fence_at_ms, memory_order_release);
}

bool
ipc_ha_active(const struct ipc_ha *ha, uint64_t now_ms)
{
	return atomic_load_explicit(&ha->role, memory_order_acquire) == IPC_HA_ACTIVE &&
	       now_ms < atomic_load_explicit(&ha->fence_at_ms, memory_order_acquire);
}

void
ipc_ha_announce(struct ipc_ha *ha)
{
	atomic_fetch_add_explicit(&ha->announce_gen, 1, memory_order_release);
}

void
ipc_side_publish(struct ipc_side *side, uint64_t caps, uint16_t relay_min,
		 uint16_t relay_max, unsigned int nworkers)
{
	__atomic_store_n(&side->set, 0, __ATOMIC_RELEASE);
	side->caps = caps;
	side->relay_min = relay_min;
	side->relay_max = relay_max;
	side->nworkers = (uint16_t)nworkers;
	__atomic_store_n(&side->set, 1, __ATOMIC_RELEASE);
}

void
ipc_side_set_agw(struct ipc_side *side, uint16_t agw_min, uint16_t agw_max)
{
	side->agw_min = agw_min;
	side->agw_max = agw_max;
}

void
ipc_side_set_media(struct ipc_side *side, uint16_t media_min, uint16_t media_max)
{
	side->media_min = media_min;
	side->media_max = media_max;
}

void
ipc_side_set_tenants(struct ipc_side *side, uint32_t sig)
{
	side->tenants_sig = sig;
}

void
ipc_side_clear(struct ipc_side *side)
{
	__atomic_store_n(&side->set, 0, __ATOMIC_RELEASE);
}

uint64_t
ipc_peer_caps(const struct ipc_shm *shm, bool of_cp, uint64_t now_ms)
{
	const struct ipc_side *side = of_cp ? &shm->cp_side : &shm->dp_side;
	bool up = of_cp ? ipc_cp_serving(shm, now_ms) : ipc_dp_running(shm, now_ms);

	if (!up || __atomic_load_n(&side->set, __ATOMIC_ACQUIRE) != 1)
		return 0;
	return __atomic_load_n(&side->caps, __ATOMIC_RELAXED);
}

int
ipc_sides_agree(const struct ipc_shm *shm, char *err, size_t errlen)
{
	struct ipc_side d, c;

	if (__atomic_load_n(&shm->dp_side.set, __ATOMIC_ACQUIRE) != 1 ||
	    __atomic_load_n(&shm->cp_side.set, __ATOMIC_ACQUIRE) != 1)
		return 0;
	memcpy(&d, &shm->dp_side, sizeof(d));
	memcpy(&c, &shm->cp_side, sizeof(c));
	if (d.relay_min != c.relay_min || d.relay_max != c.relay_max) {
		snprintf(err, errlen, "turn.relay_ports differ: dp relays %u-%u, "
			 "cp %u-%u; give both the same configuration",
			 d.relay_min, d.relay_max, c.relay_min,
			 c.relay_max);
		return -EINVAL;
	}
	if (d.agw_min != 0 && c.agw_min != 0 &&
	    (d.agw_min != c.agw_min || d.agw_max != c.agw_max)) {
		snprintf(err, errlen, "agw.ports differ: dp accepts on %u-%u, "
			 "cp allocates %u-%u; give both the same configuration",
			 d.agw_min, d.agw_max, c.agw_min, c.agw_max);
		return -EINVAL;
	}
	if (d.media_min != 0 && c.media_min != 0 &&
	    (d.media_min != c.media_min || d.media_max != c.media_max)) {
		snprintf(err, errlen, "agw.media_ports differ: dp relays media on %u-%u, "
			 "cp allocates %u-%u; give both the same configuration",
			 d.media_min, d.media_max, c.media_min, c.media_max);
		return -EINVAL;
	}
	if (d.tenants_sig != c.tenants_sig) {
		snprintf(err, errlen, "the tenants differ: dp and cp read different "
			 "tenant names or addresses; give both the same configuration");
		return -EINVAL;
	}
	if (d.nworkers != c.nworkers) {
		snprintf(err, errlen, "dp.workers differ: dp runs %u worker(s), "
			 "cp expects %u; give both the same configuration",
			 d.nworkers, c.nworkers);
		return -EINVAL;
	}
	return 0;
}

/* struct ipc_event is an entry of the general layout */
_Static_assert(sizeof(struct ipc_event_head) == 16, "event head");
_Static_assert(offsetof(struct ipc_event, tuple) == sizeof(struct ipc_event_head),
	       "the tuple follows the head");
_Static_assert(offsetof(struct ipc_event, body) ==
	       sizeof(struct ipc_event_head) + sizeof(struct ipc_tuple),
	       "the body follows the tuple");
_Static_assert(sizeof(struct ipc_event) % 8 == 0, "event stride");

static size_t
backlog_stride(uint16_t body_max, bool tuple)
{
	size_t n = sizeof(struct ipc_event_head) + (tuple ? sizeof(struct ipc_tuple) : 0) +
		   body_max;

	return (n + 7u) & ~(size_t)7u;
}

size_t
ipc_backlog_size(uint32_t cap, uint16_t body_max, bool tuple)
{
	return (size_t)cap * backlog_stride(body_max, tuple);
}

int
ipc_backlog_setup(struct ipc_backlog *b, void *mem, uint32_t cap, uint16_t body_max,
		  bool tuple)
{
	size_t stride = backlog_stride(body_max, tuple);

	memset(b, 0, sizeof(*b));
	if (cap == 0 || (cap & (cap - 1u)) != 0 || stride > UINT16_MAX ||
	    body_max > sizeof(((struct ipc_msg *)0)->body))
		return -EINVAL;
	b->mem = mem;
	b->cap = cap;
	b->stride = (uint16_t)stride;
	b->body_max = body_max;
	b->tuple = tuple;
	return 0;
}

void
ipc_backlog_init(struct ipc_backlog *b, struct ipc_event *ev, uint32_t cap)
{
	(void)ipc_backlog_setup(b, ev, cap, IPC_EVENT_BODY_MAX, true);
}

static inline uint8_t *
backlog_entry(const struct ipc_backlog *b, uint32_t i)
{
	return b->mem + (size_t)(i & (b->cap - 1u)) * b->stride;
}

static inline size_t
backlog_body_off(const struct ipc_backlog *b)
{
	return sizeof(struct ipc_event_head) + (b->tuple ? sizeof(struct ipc_tuple) : 0);
}

void *
ipc_backlog_reserve(struct ipc_backlog *b, uint16_t kind, uint64_t alloc_id,
		    const struct ipc_tuple *tuple, uint16_t len)
{
	struct ipc_event_head *h;
	uint8_t *e;

	if (len > b->body_max)
		return NULL;
	if (b->head - b->tail >= b->cap) {
		b->lost++;
		return NULL;
	}
	e = backlog_entry(b, b->head);
	memset(e, 0, b->stride);
	h = (struct ipc_event_head *)e;
	h->kind = kind;
	h->body_len = len;
	h->alloc_id = alloc_id;
	if (b->tuple && tuple != NULL)
		memcpy(e + sizeof(*h), tuple, sizeof(*tuple));
	return e + backlog_body_off(b);
}

int
ipc_backlog_push(struct ipc_backlog *b, uint16_t kind, uint64_t alloc_id,
		 const struct ipc_tuple *tuple, const void *body, uint16_t len)
{
	void *p;

	if (len > b->body_max)
		return -EMSGSIZE;
	p = ipc_backlog_reserve(b, kind, alloc_id, tuple, len);
	if (p == NULL)
		return -ENOBUFS;
	if (len > 0)
		memcpy(p, body, len);
	ipc_backlog_commit(b);
	return 0;
}

unsigned int
ipc_backlog_flush(struct ipc_backlog *b, struct ipc_ring *r, unsigned int headroom,
		  uint16_t worker, uint32_t *seq)
{
	static _Thread_local struct ipc_msg m;
	size_t boff = backlog_body_off(b);
	unsigned int n = 0;

	while (b->head != b->tail) {
		const uint8_t *e = backlog_entry(b, b->tail);
		const struct ipc_event_head *h = (const struct ipc_event_head *)e;

		if (ipc_ring_count(r) + headroom >= IPC_RING_SLOTS)
			break;
		memset(&m.h, 0, sizeof(m.h));
		m.h.kind = h->kind;
		m.h.worker = worker;
		m.h.body_len = h->body_len;
		m.h.seq = (*seq)++;
		m.h.alloc_id = h->alloc_id;
		if (b->tuple)
			memcpy(&m.h.tuple, e + sizeof(*h), sizeof(m.h.tuple));
		memcpy(m.body, e + boff, h->body_len);
		if (ipc_ring_enqueue(r, &m) != 0) {
			(*seq)--;
			break;
		}
		b->tail++;
		b->sent++;
		n++;
	}
	if (b->head != b->tail)
		b->deferred++;
	return n;
}

void
ipc_cp_doze(const struct ipc_seg *s, unsigned int ms)
{
	struct ipc_shm *shm = s->shm;
	struct timespec ts = { .tv_sec = ms / 1000u,
			       .tv_nsec = (long)(ms % 1000u) * 1000000L };

	atomic_store_explicit(&shm->cp_dozing, 1, memory_order_relaxed);
	/* The store before the looks (dp: its head store before its look
	 * at the word): one of the two sees the other's. */
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned int w = 0; w < s->nworkers; w++)
		if (atomic_load_explicit(&shm->w[w].to_cp.head, memory_order_relaxed) !=
		    atomic_load_explicit(&shm->w[w].to_cp.tail, memory_order_relaxed))
			goto out;
	/* Returns at once when the word is no longer 1 (dp rang). */
	syscall(SYS_futex, &shm->cp_dozing, FUTEX_WAIT, 1, &ts, NULL, 0);
out:
	atomic_store_explicit(&shm->cp_dozing, 0, memory_order_relaxed);
}

bool
ipc_cp_ring(struct ipc_shm *shm)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&shm->cp_dozing, memory_order_relaxed) == 0 ||
	    atomic_exchange_explicit(&shm->cp_dozing, 0, memory_order_relaxed) == 0)
		return false;
	syscall(SYS_futex, &shm->cp_dozing, FUTEX_WAKE, 1, NULL, NULL, 0);
	return true;
}

/*
 * A sequence lock of one writer: the epoch is cleared, the block
 * written, the epoch set (release). A reader copies between two reads of
 * the epoch and keeps the copy only when both saw the epoch it wants.
 */
void
ipc_nonce_publish(struct ipc_shm *shm, const struct ipc_nonce *src,
		  uint64_t epoch)
{
	struct ipc_nonce *n = &shm->nonce;

	__atomic_store_n(&n->epoch, 0, __ATOMIC_RELAXED);
	atomic_thread_fence(memory_order_release);
	memcpy(n->key, src->key, sizeof(n->key));
	n->features = src->features;
	n->lifetime_s = src->lifetime_s;
	n->realm_len = src->realm_len;
	n->software_len = src->software_len;
	n->has_software = src->has_software;
	memcpy(n->realm, src->realm, sizeof(n->realm));
	memcpy(n->software, src->software, sizeof(n->software));
	n->ntenants = src->ntenants;
	memcpy(n->tenant, src->tenant, sizeof(n->tenant));
	n->oauth_name_len = src->oauth_name_len;
	memcpy(n->oauth_name, src->oauth_name, sizeof(n->oauth_name));
	__atomic_store_n(&n->epoch, epoch, __ATOMIC_RELEASE);
}

int
ipc_nonce_copy(const struct ipc_shm *shm, uint64_t epoch, struct ipc_nonce *out)
{
	const struct ipc_nonce *n = &shm->nonce;

	if (epoch == 0 || __atomic_load_n(&n->epoch, __ATOMIC_ACQUIRE) != epoch)
		return -EAGAIN;
	memcpy(out, (const void *)n, sizeof(*out));
	atomic_thread_fence(memory_order_acquire);
	if (__atomic_load_n(&n->epoch, __ATOMIC_RELAXED) != epoch)
		return -EAGAIN;
	out->epoch = epoch;
	/* cp's to trust no more than any other byte of the segment. */
	if (out->realm_len == 0 || out->realm_len >= IPC_NONCE_STR_MAX ||
	    out->software_len >= IPC_NONCE_STR_MAX || out->lifetime_s == 0 ||
	    out->lifetime_s > 3600 || out->features > 0xffffffu)
		return -EPROTO;
	out->realm[out->realm_len] = '\0';
	out->software[out->software_len] = '\0';
	if (out->ntenants > IPC_TENANTS_MAX || out->oauth_name_len >= IPC_OAUTH_NAME_MAX)
		return -EPROTO;
	out->oauth_name[out->oauth_name_len] = '\0';
	for (unsigned int i = 0; i < out->ntenants; i++) {
		if (out->tenant[i].len == 0 || out->tenant[i].len >= IPC_NONCE_STR_MAX)
			return -EPROTO;
		out->tenant[i].realm[out->tenant[i].len] = '\0';
	}
	return 0;
}

void
ipc_dp_set_ready(struct ipc_shm *shm, bool ready)
{
	__atomic_store_n(&shm->dp_heartbeat_ms, ipc_monotonic_ms(), __ATOMIC_RELAXED);
	atomic_store_explicit(&shm->dp_ready,
			      ready ? __atomic_load_n(&shm->dp_epoch, __ATOMIC_RELAXED) : 0,
			      memory_order_release);
}

static uint64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t
ipc_realtime_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

uint64_t
ipc_monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
