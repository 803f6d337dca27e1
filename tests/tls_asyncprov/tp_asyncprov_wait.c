/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tp_asyncprov_wait: the delay of the asynchronous test provider.
 *
 * Owns the provider's timer thread and the way an operation waits:
 * - inside an ASYNC job (libssl's SSL_MODE_ASYNC runs the handshake in one),
 *   the operation queues a timer entry on its own stack and pauses the job
 *   (ASYNC_pause_job). When the delay is up, the timer thread marks the
 *   entry done and wakes the application the way an accelerator's polling
 *   thread would: through the ASYNC_WAIT_CTX's callback when the
 *   application set one (SSL_CTX_set_async_callback), else by making an
 *   eventfd registered in the wait ctx readable (ASYNC_WAIT_CTX_set_wait_fd;
 *   what `openssl s_server -async` selects on). The application then resumes
 *   the job (SSL_do_handshake again) on whatever thread it likes.
 * - A job resumed before its entry is done (a spurious resume, or a stale
 *   fd wake-up left by the previous operation) pauses again.
 * - Every wait ctx that ever waits here gets a record of ours (an entry
 *   under our key, with the eventfd, or fd -1 in callback mode: poll()
 *   ignores it), whose cleanup runs when the wait ctx is freed. An
 *   application that frees an SSL (SSL_free frees its wait ctx) while one of
 *   its operations is still queued would, with a real accelerator, have the
 *   callback called on freed memory (libssl passes the SSL). Here that wake-up
 *   is dropped instead, counted (tpasync-abandoned) and reported once on
 *   stderr, so a test can catch the bug. The callback runs under the timer's
 *   lock to close the race with that cleanup: it must not call back into
 *   OpenSSL (queueing the connection, as it should, is fine).
 * - outside a job the operation just sleeps the delay.
 *
 * All delays are equal, so deadlines are queued in order: the queue is a
 * FIFO, not a heap.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <openssl/async.h>

#include "tp_asyncprov.h"
#include "tp_asyncprov_wait.h"

struct tpa_wctx;

/* One queued operation; on the stack of its (paused) job. */
struct tpa_entry {
	struct tpa_entry *next;
	uint64_t deadline_ns;      /* CLOCK_MONOTONIC */
	ASYNC_callback_fn cb;      /* wake through this, or ... */
	void *cb_arg;
	int fd;                    /* ... a dup of the wait fd (owned), or -1 */
	struct tpa_wctx *rec;      /* its wait ctx's record; under tw.lock */
	bool abandoned;            /* the wait ctx was freed; under tw.lock */
	int (*work)(void *);       /* the operation, run by the timer thread */
	void *work_arg;
	int work_rc;               /* its result, read once done */
	atomic_bool done;          /* set by the timer thread, last touch */
};

/* Ours in each ASYNC_WAIT_CTX, freed with it (wctx_cleanup). */
struct tpa_wctx {
	struct tpa_entry *pending; /* queued and not fired; under tw.lock */
	int fd;                    /* the eventfd, or -1 in callback mode */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* CLOCK_MONOTONIC */
	struct tpa_entry *head, *tail;
	pthread_t thread;
	bool running;
	bool stop;
	uint64_t delay_ns;
} tw = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

struct tpa_counters tpa_cnt;

/* The key of our record in an ASYNC_WAIT_CTX (its address is what counts). */
static const char tpa_wctx_key = 't';

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec
ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000ull),
		.tv_nsec = (long)(ns % 1000000000ull),
	};
	return ts;
}

static void
sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = ns_to_ts(deadline_ns);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Wakes the owner of e, under tw.lock (see the file's comment); e must not
 * be touched after done is set: its job may resume and return at once.
 */
static void
entry_fire(struct tpa_entry *e)
{
	ASYNC_callback_fn cb = e->cb;
	void *arg = e->cb_arg;
	int fd = e->fd;

	if (e->rec != NULL)
		e->rec->pending = NULL;
	if (e->abandoned) {
		/* Nobody to wake; the job stays paused (libssl leaks it). */
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Counted before the wake: on a busy host the woken job may finish
	 * its handshake, and the test read the counters, before this thread
	 * runs again. */
	if (cb != NULL)
		atomic_fetch_add(&tpa_cnt.callbacks, 1);
	else if (fd >= 0)
		atomic_fetch_add(&tpa_cnt.fd_wakes, 1);
	atomic_store_explicit(&e->done, true, memory_order_release);
	if (cb != NULL) {
		cb(arg);
	} else if (fd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(fd, &one, sizeof(one));

		(void)n;        /* an eventfd at its limit is still readable */
	}
	if (fd >= 0)
		close(fd);
}

static void *
timer_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&tw.lock);
	while (!tw.stop) {
		struct tpa_entry *e = tw.head;

		if (e == NULL) {
			pthread_cond_wait(&tw.cond, &tw.lock);
			continue;
		}
		if (now_ns() < e->deadline_ns) {
			struct timespec ts = ns_to_ts(e->deadline_ns);

			pthread_cond_timedwait(&tw.cond, &tw.lock, &ts);
			continue;
		}
		tw.head = e->next;
		if (tw.head == NULL)
			tw.tail = NULL;
		/* The operation itself, as an accelerator would do it, off the
		 * application's thread and outside the lock (entries queue
		 * meanwhile); not for an entry whose application is gone. */
		if (e->work != NULL && !e->abandoned) {
			pthread_mutex_unlock(&tw.lock);
			e->work_rc = e->work(e->work_arg);
			pthread_mutex_lock(&tw.lock);
		}
		entry_fire(e);
	}
	pthread_mutex_unlock(&tw.lock);
	return NULL;
}

int
tpa_wait_start(uint64_t delay_us)
{
	pthread_condattr_t ca;
	int rc;

	tw.delay_ns = delay_us * 1000ull;
	tw.stop = false;
	tw.head = tw.tail = NULL;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&tw.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0)
		return -rc;
	rc = pthread_create(&tw.thread, NULL, timer_main, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&tw.cond);
		return -rc;
	}
	/* An accelerator works beside the CPU that asked, not on it: the
	 * timer thread leaves the creating thread's CPU (dp's worker, which
	 * polls without sleeping: there it would run only when the
	 * scheduler preempts the worker, and every wake-up would wait for
	 * that) when the machine has another. */
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		int self = sched_getcpu();
		cpu_set_t set;

		if (ncpu > 1 && self >= 0) {
			CPU_ZERO(&set);
			for (long i = 0; i < ncpu && i < CPU_SETSIZE; i++)
				if (i != self)
					CPU_SET((int)i, &set);
			(void)pthread_setaffinity_np(tw.thread, sizeof(set), &set);
		}
	}
	tw.running = true;
	return 0;
}

void
tpa_wait_stop(void)
{
	if (!tw.running)
		return;
	pthread_mutex_lock(&tw.lock);
	tw.stop = true;
	pthread_cond_signal(&tw.cond);
	pthread_mutex_unlock(&tw.lock);
	pthread_join(tw.thread, NULL);
	pthread_mutex_lock(&tw.lock);
	for (struct tpa_entry *e = tw.head; e != NULL; e = e->next) {
		if (e->rec != NULL)
			e->rec->pending = NULL;
		if (e->fd >= 0)
			close(e->fd);
	}
	pthread_mutex_unlock(&tw.lock);
	tw.head = tw.tail = NULL;
	pthread_cond_destroy(&tw.cond);
	tw.running = false;
}

uint64_t
tpa_wait_delay_us(void)
{
	return tw.delay_ns / 1000ull;
}

static void
entry_queue(struct tpa_entry *e)
{
	pthread_mutex_lock(&tw.lock);
	/* The deadline is taken under the lock so the FIFO stays sorted. */
	e->deadline_ns = now_ns() + tw.delay_ns;
	e->next = NULL;
	if (e->rec != NULL)
		e->rec->pending = e;
	if (tw.tail != NULL)
		tw.tail->next = e;
	else
		tw.head = e;
	tw.tail = e;
	pthread_cond_signal(&tw.cond);
	pthread_mutex_unlock(&tw.lock);
}

static void
wctx_cleanup(ASYNC_WAIT_CTX *ctx, const void *key, OSSL_ASYNC_FD fd, void *custom)
{
	struct tpa_wctx *rec = custom;
	bool first = false;

	(void)ctx;
	(void)key;
	pthread_mutex_lock(&tw.lock);
	if (rec->pending != NULL) {
		rec->pending->abandoned = true;
		rec->pending->rec = NULL;
		first = atomic_fetch_add(&tpa_cnt.abandoned, 1) == 0;
	}
	pthread_mutex_unlock(&tw.lock);
	if (first)
		fprintf(stderr, "tpasync: an ASYNC_WAIT_CTX (an SSL) was freed while one "
			"of its operations was paused; its wake-up is dropped. With an "
			"accelerator the callback would get freed memory: resume a "
			"parked SSL to the end before freeing it (counted in "
			"tpasync-abandoned)\n");
	if (fd >= 0)
		close(fd);
	free(rec);
}

/* The wait ctx's record, registered on first use; NULL if none can be had. */
static struct tpa_wctx *
wctx_get(ASYNC_WAIT_CTX *wctx, bool want_fd)
{
	struct tpa_wctx *rec;
	OSSL_ASYNC_FD fd;
	void *custom;

	if (ASYNC_WAIT_CTX_get_fd(wctx, &tpa_wctx_key, &fd, &custom))
		return custom;
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		return NULL;
	rec->fd = -1;
	if (want_fd) {
		rec->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (rec->fd < 0) {
			free(rec);
			return NULL;
		}
	}
	if (!ASYNC_WAIT_CTX_set_wait_fd(wctx, &tpa_wctx_key, rec->fd, rec, wctx_cleanup)) {
		if (rec->fd >= 0)
			close(rec->fd);
		free(rec);
		return NULL;
	}
	return rec;
}

static void
wait_fd_drain(int fd)
{
	uint64_t v;
	ssize_t n = read(fd, &v, sizeof(v));

	(void)n;        /* EAGAIN: nothing pending */
}

int
tpa_run(int (*work)(void *), void *arg)
{
	ASYNC_JOB *job = ASYNC_get_current_job();
	ASYNC_WAIT_CTX *wctx;
	struct tpa_entry e = { .fd = -1, .work = work, .work_arg = arg };
	int wfd = -1;

	if (tw.delay_ns == 0)
		return work(arg);
	if (job == NULL || !tw.running ||
	    (wctx = ASYNC_get_wait_ctx(job)) == NULL)
		goto sync;
	if (!ASYNC_WAIT_CTX_get_callback(wctx, &e.cb, &e.cb_arg))
		e.cb = NULL;
	e.rec = wctx_get(wctx, e.cb == NULL);
	if (e.rec == NULL)
		goto sync;
	if (e.cb == NULL) {
		wfd = e.rec->fd;
		if (wfd < 0)    /* registered in callback mode, callback gone since */
			goto sync;
		/* The timer thread writes to its own dup: the wait ctx may be
		 * freed (closing wfd) while the entry is queued. */
		e.fd = dup(wfd);
		if (e.fd < 0)
			goto sync;
		wait_fd_drain(wfd);
	}
	atomic_init(&e.done, false);
	atomic_fetch_add(&tpa_cnt.async_ops, 1);
	entry_queue(&e);
	/*
	 * Pause at least once, even when this thread was descheduled for the
	 * whole delay and the entry is already done: its wake-up (callback or
	 * fd) is on its way or made, and is what resumes us, so every operation
	 * costs the application one WANT_ASYNC and one wake-up, always.
	 */
	do {
		atomic_fetch_add(&tpa_cnt.pauses, 1);
		if (!ASYNC_pause_job()) {
			/* Cannot pause after all: wait for the timer here. */
			while (!atomic_load_explicit(&e.done, memory_order_acquire))
				sleep_until(now_ns() + 20000);
			break;
		}
		if (wfd >= 0)
			wait_fd_drain(wfd);
	} while (!atomic_load_explicit(&e.done, memory_order_acquire));
	return e.work_rc;
sync:
	atomic_fetch_add(&tpa_cnt.sync_ops, 1);
	sleep_until(now_ns() + tw.delay_ns);
	return work(arg);
}
