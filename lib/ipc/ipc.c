/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp <-> cp segment (POSIX shared memory) and its SPSC rings. The
 * segment is sized at creation for a worker count and never resized; the
 * ring indices are free-running 32-bit counters (head - tail is the fill
 * level), published with release stores and read with acquire loads, so
 * a message's bytes are visible before its slot is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"

_Static_assert(sizeof(struct ipc_msg) == IPC_MSG_SIZE, "ipc_msg size");
_Static_assert((IPC_RING_SLOTS & (IPC_RING_SLOTS - 1)) == 0, "ring slots");

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
	r->slots = IPC_RING_SLOTS;
	r->mask = IPC_RING_SLOTS - 1;
	r->full = 0;
}

int
ipc_seg_open(struct ipc_seg *s, const char *name, unsigned int nworkers,
	     bool *created)
{
	struct stat st;
	uint64_t size;
	int fd, rc;
	void *p;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	*created = false;
	if (nworkers > IPC_MAX_WORKERS || strlen(name) >= IPC_NAME_MAX)
		return -EINVAL;
	snprintf(s->name, sizeof(s->name), "%s", name);

	fd = nworkers ? shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) : -1;
	if (fd >= 0) {
		size = seg_size(nworkers);
		if (ftruncate(fd, (off_t)size) < 0) {
			rc = -errno;
			close(fd);
			shm_unlink(name);
			return rc;
		}
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			rc = -errno;
			close(fd);
			shm_unlink(name);
			return rc;
		}
		s->shm = p;
		s->size = size;
		s->fd = fd;
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
		*created = true;
		return 0;
	}
	if (nworkers && errno != EEXIST)
		return -errno;

	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size < sizeof(struct ipc_shm)) {
		close(fd);
		return -EPROTO;
	}
	size = (uint64_t)st.st_size;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		close(fd);
		return rc;
	}
	s->shm = p;
	s->size = size;
	s->fd = fd;
	atomic_thread_fence(memory_order_acquire);
	if (s->shm->magic != IPC_MAGIC || s->shm->version != IPC_VERSION ||
	    s->shm->msg_size != IPC_MSG_SIZE ||
	    s->shm->size != size || seg_size(s->shm->nworkers) != size) {
		ipc_seg_close(s);
		return -EPROTO;
	}
	if (nworkers && s->shm->nworkers != nworkers) {
		ipc_seg_close(s);
		return -EINVAL;
	}
	return 0;
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
	struct ipc_msg *slot;
	size_t n = msg->h.body_len;

	if (head - tail >= r->slots) {
		r->full++;
		return -ENOBUFS;
	}
	if (n > sizeof(msg->body))
		return -EMSGSIZE;
	slot = &r->msg[head & r->mask];
	memcpy(&slot->h, &msg->h, sizeof(slot->h));
	memcpy(slot->body, msg->body, n);
	atomic_store_explicit(&r->head, head + 1,
			      memory_order_release);
	return 0;
}

int
ipc_ring_dequeue(struct ipc_ring *r, struct ipc_msg *msg)
{
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_acquire);
	const struct ipc_msg *slot;
	size_t n;

	if (head == tail)
		return 0;
	slot = &r->msg[tail & r->mask];
	memcpy(&msg->h, &slot->h, sizeof(msg->h));
	n = msg->h.body_len;
	if (n > sizeof(msg->body))   /* a corrupt slot must not overflow us */
		n = msg->h.body_len = sizeof(msg->body);
	memcpy(msg->body, slot->body, n);
	atomic_store_explicit(&r->tail, tail + 1,
			      memory_order_release);
	return 1;
}

unsigned int
ipc_ring_count(const struct ipc_ring *r)
{
	uint32_t head = atomic_load_explicit(&r->head,
					     memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&r->tail,
					     memory_order_acquire);

	return head - tail;
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
