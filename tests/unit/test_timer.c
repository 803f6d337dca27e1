/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/timer: every timer fires exactly once, in the first advance whose
 * time has reached its expiry and never a tick earlier, at every level
 * boundary and after jumps of any size; deletes, re-adds, past expiries
 * and callbacks that re-arm themselves or delete others; tw_next_expiry()
 * exactly as documented; and 100k seeded random timers against a
 * reference model (a sorted array).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tw.h"

static struct tw_wheel wheel;

struct rec {
	struct tw_timer t;
	uint64_t fired_tick;       /* tw_now() seen by the last callback */
	uint64_t fired_call;       /* advance_to() call of the last firing */
	unsigned int fired;
};

static uint64_t call_no;       /* advance_to() calls so far */
static unsigned int callbacks; /* callbacks run in the current call */

static void
on_fire(struct tw_timer *t, void *arg)
{
	struct rec *r = arg;

	assert_ptr_equal(t, &r->t);
	assert_false(tw_pending(t));
	r->fired++;
	r->fired_tick = tw_now(&wheel);
	r->fired_call = call_no;
	callbacks++;
}

static void
rec_init(struct rec *r, tw_fn_t fn)
{
	memset(r, 0, sizeof(*r));
	tw_timer_init(&r->t, fn, r);
}

/* The level tw.h says a timer due at e > now is filed in. */
static unsigned int
level_of(uint64_t e, uint64_t now)
{
	return (63u - (unsigned int)__builtin_clzll(e ^ now)) / TW_LEVEL_BITS;
}

/* tw_next_expiry() as tw.h documents it, given the true earliest e. */
static void
check_next_expiry(uint64_t e)
{
	uint64_t now = tw_now(&wheel), r = tw_next_expiry(&wheel);
	unsigned int level;

	if (tw_count(&wheel) == 0) {
		assert_true(r == UINT64_MAX);
		return;
	}
	assert_true(r <= e);                   /* never later */
	if (e <= now) {
		assert_true(r == e);
		return;
	}
	level = level_of(e, now);
	assert_true(r > now);
	assert_true(e - r < (UINT64_C(1) << (TW_LEVEL_BITS * level)));
	assert_true(r == (e & ~((UINT64_C(1) << (TW_LEVEL_BITS * level)) - 1)));
}

static unsigned int
advance_to(uint64_t n)
{
	unsigned int fired;

	call_no++;
	callbacks = 0;
	fired = tw_advance(&wheel, n);
	assert_int_equal(fired, callbacks);
	return fired;
}

/* One timer, d ticks ahead of base: not at e - 1, exactly at e. */
static void
one_distance(uint64_t base, uint64_t d)
{
	struct rec r;
	uint64_t e = base + d, from, n;

	rec_init(&r, on_fire);
	tw_init(&wheel, base);
	tw_add(&wheel, &r.t, e);
	assert_true(tw_pending(&r.t));
	assert_int_equal(tw_count(&wheel), 1);
	check_next_expiry(e);
	/* Jump to 130 ticks before (two level-0 spans: crosses the last
	 * boundaries), then tick by tick. */
	from = d > 130 ? e - 130 : base + 1;
	if (from > base + 1)
		assert_int_equal(advance_to(from - 1), 0);
	for (n = from; n < e; n++) {
		assert_int_equal(advance_to(n), 0);
		assert_true(tw_pending(&r.t));
		assert_int_equal(tw_count(&wheel), 1);
		check_next_expiry(e);
	}
	assert_int_equal(r.fired, 0);
	assert_int_equal(advance_to(e), 1);
	assert_int_equal(r.fired, 1);
	assert_true(r.fired_tick == e);
	assert_false(tw_pending(&r.t));
	assert_int_equal(tw_count(&wheel), 0);
	assert_true(tw_next_expiry(&wheel) == UINT64_MAX);
	assert_int_equal(advance_to(e + 1), 0);
	assert_int_equal(advance_to(e + 100000), 0);
	assert_int_equal(r.fired, 1);
}

static void
test_tw_fires_exactly_at_tick_at_every_distance(void **state)
{
	static const uint64_t dist[] = {
		1, 2, 63, 64, 65, 255, 256, 257, 4095, 4096, 4097,
		65535, 65536, 65537, (UINT64_C(1) << 24) + 3,
		(UINT64_C(1) << 32) - 1, UINT64_C(1) << 32,
		(UINT64_C(1) << 40) + 7, UINT64_C(1) << 60,
		(UINT64_C(1) << 63) + 12345,
	};
	static const uint64_t bases[] = {
		0, 1, 63, 64, 4095, 0xfffd, 0x1fffe, (UINT64_C(1) << 32) - 2,
		(UINT64_C(1) << 36) - 1, UINT64_C(0x123456789a),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(dist) / sizeof(dist[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			one_distance(bases[b], dist[i]);
}

static void
test_tw_fires_at_the_last_tick(void **state)
{
	(void)state;
	one_distance(UINT64_MAX - 1, 1);
	one_distance(UINT64_MAX - 5000, 5000);
	one_distance(0, UINT64_MAX);
	one_distance(UINT64_C(1) << 63, (UINT64_C(1) << 63) - 1);
}

static void
test_tw_tick_by_tick_each_fires_on_its_tick(void **state)
{
	enum { N = 700 };
	static struct rec r[N];
	const uint64_t base = 4096 * 3 - 200;   /* crosses level 1 and 2 */
	uint64_t n;

	(void)state;
	tw_init(&wheel, base);
	for (unsigned int i = 0; i < N; i++) {
		rec_init(&r[i], on_fire);
		tw_add(&wheel, &r[i].t, base + 1 + i * 7);
	}
	for (n = base + 1; n < base + 1 + N * 7; n++) {
		unsigned int want = (n - base - 1) % 7 == 0 ? 1 : 0;

		assert_int_equal(advance_to(n), want);
		if (tw_count(&wheel) > 0)
			check_next_expiry(base + 1 + ((n - base - 1) / 7 + 1) * 7);
	}
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(r[i].fired, 1);
		assert_true(r[i].fired_tick == base + 1 + i * 7);
	}
	assert_int_equal(tw_count(&wheel), 0);
}

static void
test_tw_big_jump_fires_everything_due_once(void **state)
{
	enum { N = 20000 };
	struct rec *r = calloc(N, sizeof(*r));
	const uint64_t jump = 6000;   /* cp stopped for a minute: 10 ms ticks */
	unsigned int due = 0;

	(void)state;
	assert_non_null(r);
	tw_init(&wheel, 1000);
	for (unsigned int i = 0; i < N; i++) {
		/* every distance from 1 to ~2^34, on every level */
		uint64_t d = 1 + ((uint64_t)i * i * 43) % (UINT64_C(1) << (i % 35));

		rec_init(&r[i], on_fire);
		tw_add(&wheel, &r[i].t, 1000 + d);
		if (d <= jump)
			due++;
	}
	assert_int_equal(tw_count(&wheel), N);
	assert_int_equal(advance_to(1000 + jump), due);
	assert_int_equal(tw_count(&wheel), N - due);
	for (unsigned int i = 0; i < N; i++) {
		uint64_t e = r[i].t.expires;

		assert_int_equal(r[i].fired, e <= 1000 + jump ? 1 : 0);
		if (r[i].fired)
			assert_true(r[i].fired_tick == e);
		assert_int_equal(tw_pending(&r[i].t), e > 1000 + jump);
	}
	/* and the rest in one jump to far beyond */
	assert_int_equal(advance_to(UINT64_C(1) << 40), N - due);
	assert_int_equal(tw_count(&wheel), 0);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(r[i].fired, 1);
		assert_true(r[i].fired_tick == r[i].t.expires);
	}
	free(r);
}

static void
test_tw_delete_before_expiry_never_fires(void **state)
{
	static const uint64_t dist[] = { 30, 64, 5000, 300000, UINT64_C(1) << 33 };
	struct rec r[5], keep;

	(void)state;
	tw_init(&wheel, 77);
	rec_init(&keep, on_fire);
	tw_add(&wheel, &keep.t, 77 + 300000);
	for (unsigned int i = 0; i < 5; i++) {
		rec_init(&r[i], on_fire);
		tw_del(&wheel, &r[i].t);   /* never armed: a no-op */
		tw_add(&wheel, &r[i].t, 77 + dist[i]);
	}
	assert_int_equal(tw_count(&wheel), 6);
	assert_int_equal(advance_to(100), 0);   /* some time passes first */
	for (unsigned int i = 0; i < 5; i++) {
		tw_del(&wheel, &r[i].t);
		assert_false(tw_pending(&r[i].t));
		tw_del(&wheel, &r[i].t);   /* twice: a no-op */
	}
	assert_int_equal(tw_count(&wheel), 1);
	check_next_expiry(77 + 300000);
	assert_int_equal(advance_to(UINT64_C(1) << 40), 1);
	assert_int_equal(keep.fired, 1);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(r[i].fired, 0);
	assert_int_equal(tw_count(&wheel), 0);
}

static void
test_tw_readd_moves_the_timer(void **state)
{
	struct rec r;

	(void)state;
	tw_init(&wheel, 0);
	rec_init(&r, on_fire);
	tw_add(&wheel, &r.t, 1000);
	tw_add(&wheel, &r.t, 70000);   /* later, another level */
	assert_int_equal(tw_count(&wheel), 1);
	check_next_expiry(70000);
	assert_int_equal(advance_to(69999), 0);
	tw_add(&wheel, &r.t, 70500);   /* later again, from a lower level */
	assert_int_equal(advance_to(70499), 0);
	tw_add(&wheel, &r.t, 70400 + 200);
	tw_add(&wheel, &r.t, 70499 + 3);   /* and earlier than that */
	assert_int_equal(tw_count(&wheel), 1);
	assert_int_equal(advance_to(70501), 0);
	assert_int_equal(advance_to(70502), 1);
	assert_true(r.fired_tick == 70502);
	assert_int_equal(advance_to(80000), 0);
	assert_int_equal(r.fired, 1);
}

static void
test_tw_past_expiry_fires_at_next_advance(void **state)
{
	struct rec a, b, c;

	(void)state;
	tw_init(&wheel, 5000);
	rec_init(&a, on_fire);
	rec_init(&b, on_fire);
	rec_init(&c, on_fire);
	tw_add(&wheel, &a.t, 10);     /* long past */
	tw_add(&wheel, &b.t, 5000);   /* exactly now */
	tw_add(&wheel, &c.t, 5001);
	assert_int_equal(tw_count(&wheel), 3);
	check_next_expiry(10);
	/* an advance that does not move time still fires the overdue */
	assert_int_equal(advance_to(5000), 2);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 1);
	assert_int_equal(c.fired, 0);
	assert_true(a.fired_tick == 5000);
	check_next_expiry(5001);
	tw_add(&wheel, &a.t, 0);
	assert_int_equal(advance_to(5001), 2);
	assert_int_equal(a.fired, 2);
	assert_int_equal(c.fired, 1);
	/* a clock going backwards changes nothing */
	tw_add(&wheel, &b.t, 5002);
	assert_int_equal(advance_to(4000), 0);
	assert_true(tw_now(&wheel) == 5001);
	assert_int_equal(advance_to(5002), 1);
	assert_int_equal(b.fired, 2);
}

struct periodic {
	struct tw_timer t;
	uint64_t period;
	unsigned int left;
	uint64_t ticks[16];
	unsigned int fired;
};

static void
rearm_self(struct tw_timer *t, void *arg)
{
	struct periodic *p = arg;

	assert_false(tw_pending(t));
	callbacks++;
	p->ticks[p->fired++] = tw_now(&wheel);
	if (--p->left > 0) {
		tw_add(&wheel, t, tw_now(&wheel) + p->period);
		assert_true(tw_pending(t));
	}
}

static void
test_tw_rearm_inside_callback(void **state)
{
	struct periodic p = { .period = 100, .left = 10 };
	struct periodic q = { .period = 5000, .left = 4 };

	(void)state;
	tw_init(&wheel, 0);
	tw_timer_init(&p.t, rearm_self, &p);
	tw_timer_init(&q.t, rearm_self, &q);
	tw_add(&wheel, &p.t, 100);
	tw_add(&wheel, &q.t, 63);
	/* one call: p fires 10 times, each on its own tick; q twice */
	assert_int_equal(advance_to(10050), 12);
	assert_int_equal(p.fired, 10);
	for (unsigned int i = 0; i < 10; i++)
		assert_true(p.ticks[i] == 100 * (i + 1));
	assert_false(tw_pending(&p.t));
	assert_int_equal(q.fired, 2);
	assert_true(q.ticks[0] == 63 && q.ticks[1] == 5063);
	assert_true(tw_pending(&q.t));
	assert_int_equal(tw_count(&wheel), 1);
	check_next_expiry(10063);
	assert_int_equal(advance_to(10062), 0);
	assert_int_equal(advance_to(10063), 1);
	assert_true(q.ticks[2] == 10063);
	assert_int_equal(advance_to(UINT64_C(1) << 50), 1);
	assert_int_equal(q.fired, 4);
	assert_true(q.ticks[3] == 15063);
	assert_int_equal(tw_count(&wheel), 0);
}

static unsigned int loops;

static void
rearm_now(struct tw_timer *t, void *arg)
{
	(void)arg;
	loops++;
	callbacks++;
	tw_add(&wheel, t, tw_now(&wheel));   /* due already: next call */
}

static void
test_tw_rearm_in_the_past_fires_next_call(void **state)
{
	struct tw_timer t;

	(void)state;
	tw_init(&wheel, 0);
	tw_timer_init(&t, rearm_now, NULL);
	tw_add(&wheel, &t, 50);
	loops = 0;
	assert_int_equal(tw_advance(&wheel, 1000), 1);
	assert_int_equal(loops, 1);
	assert_true(tw_pending(&t));
	check_next_expiry(50);
	assert_int_equal(tw_advance(&wheel, 1000), 1);
	assert_int_equal(loops, 2);
	tw_del(&wheel, &t);
	assert_int_equal(tw_count(&wheel), 0);
}

static struct rec *victims[4];

static void
delete_victims(struct tw_timer *t, void *arg)
{
	on_fire(t, arg);
	for (unsigned int i = 0; i < 4; i++)
		if (victims[i] != NULL && &victims[i]->t != t)
			tw_del(&wheel, &victims[i]->t);
}

static void
test_tw_delete_other_inside_callback(void **state)
{
	struct rec a, b, c, d, e;

	(void)state;
	/* a and b due on the same tick, each deleting the other: whichever
	 * fires first, the other never does. */
	tw_init(&wheel, 0);
	rec_init(&a, delete_victims);
	rec_init(&b, delete_victims);
	rec_init(&c, delete_victims);
	rec_init(&d, on_fire);
	rec_init(&e, on_fire);
	tw_add(&wheel, &a.t, 2000);
	tw_add(&wheel, &b.t, 2000);
	tw_add(&wheel, &d.t, 2001);              /* later in the same call */
	tw_add(&wheel, &e.t, 2000 + 70000);      /* on a higher level */
	victims[0] = &a;
	victims[1] = &b;
	victims[2] = &d;
	victims[3] = &e;
	assert_int_equal(advance_to(3000), 1);
	assert_int_equal(a.fired + b.fired, 1);
	assert_int_equal(d.fired, 0);
	assert_false(tw_pending(&e.t));
	assert_int_equal(tw_count(&wheel), 0);
	/* the same among overdue timers */
	rec_init(&a, delete_victims);
	rec_init(&b, delete_victims);
	tw_add(&wheel, &a.t, 1);
	tw_add(&wheel, &b.t, 2);
	tw_add(&wheel, &c.t, 3000 + 64);
	victims[2] = &c;
	victims[3] = NULL;
	assert_int_equal(advance_to(5000), 1);
	assert_int_equal(a.fired + b.fired, 1);
	assert_int_equal(c.fired, 0);
	assert_int_equal(tw_count(&wheel), 0);
	memset(victims, 0, sizeof(victims));
}

static void
test_tw_next_expiry_is_the_slot_start(void **state)
{
	struct rec a, b;

	(void)state;
	tw_init(&wheel, 1000);
	assert_true(tw_next_expiry(&wheel) == UINT64_MAX);
	rec_init(&a, on_fire);
	rec_init(&b, on_fire);
	tw_add(&wheel, &a.t, 1020);          /* same 64-tick block as 1000 */
	assert_true(tw_next_expiry(&wheel) == 1020);
	tw_add(&wheel, &a.t, 1040);          /* the next block: level 1 */
	assert_true(tw_next_expiry(&wheel) == 1024);
	check_next_expiry(1040);
	tw_del(&wheel, &a.t);
	tw_add(&wheel, &a.t, 360000);        /* a 3600 s lifetime at 10 ms */
	check_next_expiry(360000);
	assert_true(tw_next_expiry(&wheel) == 262144);   /* level 3 */
	tw_add(&wheel, &b.t, 30000);         /* a 300 s permission */
	check_next_expiry(30000);
	/* waking at each estimate converges on the expiry without firing */
	for (unsigned int i = 0; i < TW_LEVELS; i++) {
		uint64_t r = tw_next_expiry(&wheel);

		if (r == 30000)
			break;
		assert_true(r < 30000);
		assert_int_equal(advance_to(r), 0);
		check_next_expiry(30000);
	}
	assert_true(tw_next_expiry(&wheel) == 30000);
	assert_int_equal(advance_to(30000), 1);
	check_next_expiry(360000);
	assert_int_equal(advance_to(UINT64_MAX), 1);
	assert_true(tw_next_expiry(&wheel) == UINT64_MAX);
}

/*
 * The random workload. The reference model keeps, per timer, whether it
 * is pending and its expiry; a sorted array of (expiry, id, generation)
 * entries plus an unsorted batch of recent ones finds what is due. An
 * entry whose generation is not the timer's current one is stale (the
 * timer was deleted or re-added since).
 */
#define NRAND   100000
#define NSTEPS  2500
#define BATCH   4096

struct rtimer {
	struct tw_timer t;
	uint64_t e;                /* reference: expiry when pending */
	uint32_t gen;
	bool pending;
	unsigned int fired;        /* by the wheel */
	unsigned int expected;     /* by the reference */
	uint64_t fired_tick, fired_call;
};

struct ref_ent {
	uint64_t e;
	uint32_t id;
	uint32_t gen;
};

static struct rtimer *rt;
static struct ref_ent *sorted, *batch, *merged;
static size_t nsorted, head, nbatch;
static uint64_t rng;

static uint64_t
rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

static void
on_rfire(struct tw_timer *t, void *arg)
{
	struct rtimer *r = arg;

	assert_ptr_equal(t, &r->t);
	assert_false(tw_pending(t));
	r->fired++;
	r->fired_tick = tw_now(&wheel);
	r->fired_call = call_no;
	callbacks++;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct ref_ent *x = a, *y = b;

	return x->e < y->e ? -1 : x->e > y->e;
}

static bool
ent_live(const struct ref_ent *x)
{
	return rt[x->id].pending && rt[x->id].gen == x->gen;
}

static void
ref_merge(void)
{
	size_t i = head, j = 0, n = 0;
	struct ref_ent *tmp;

	qsort(batch, nbatch, sizeof(*batch), ent_cmp);
	while (i < nsorted || j < nbatch) {
		const struct ref_ent *x;

		if (j == nbatch || (i < nsorted && sorted[i].e <= batch[j].e))
			x = &sorted[i++];
		else
			x = &batch[j++];
		if (ent_live(x))
			merged[n++] = *x;
	}
	tmp = sorted;
	sorted = merged;
	merged = tmp;
	nsorted = n;
	head = 0;
	nbatch = 0;
}

static uint64_t
random_distance(void)
{
	switch (rnd_below(8)) {
	case 0: return rnd_below(64);
	case 1: return rnd_below(4096);
	case 2: return rnd_below(360000);            /* cp's lifetimes */
	case 3: return rnd_below(UINT64_C(1) << 18);
	case 4: return rnd_below(UINT64_C(1) << 24);
	case 5: return rnd_below(UINT64_C(1) << 30);
	case 6: return rnd_below(UINT64_C(1) << 34);
	default: return rnd_below(1000);
	}
}

static void
ref_add(uint32_t id, uint64_t now)
{
	struct rtimer *r = &rt[id];
	uint64_t e;

	if (rnd_below(20) == 0)   /* in the past, or now */
		e = now - rnd_below(now < 100 ? now + 1 : 100);
	else
		e = now + 1 + random_distance();
	tw_add(&wheel, &r->t, e);
	r->e = e;
	r->gen++;
	r->pending = true;
	if (nbatch == BATCH)
		ref_merge();
	batch[nbatch++] = (struct ref_ent){ .e = e, .id = id, .gen = r->gen };
}

/* The earliest pending expiry by the reference (UINT64_MAX if none). */
static uint64_t
ref_earliest(void)
{
	uint64_t e = UINT64_MAX;

	while (head < nsorted && !ent_live(&sorted[head]))
		head++;
	if (head < nsorted)
		e = sorted[head].e;
	for (size_t j = 0; j < nbatch; j++)
		if (ent_live(&batch[j]) && batch[j].e < e)
			e = batch[j].e;
	return e;
}

static void
ref_expect(struct rtimer *r, uint64_t before)
{
	r->expected++;
	r->pending = false;
	assert_int_equal(r->fired, r->expected);
	assert_true(r->fired_call == call_no);
	assert_true(r->fired_tick == (r->e > before ? r->e : before));
}

/* Everything the reference says is due at now must have fired in this
 * call, once; returns how many. */
static unsigned int
ref_fire(uint64_t before, uint64_t now)
{
	unsigned int n = 0;

	for (; head < nsorted && sorted[head].e <= now; head++) {
		if (!ent_live(&sorted[head]))
			continue;
		ref_expect(&rt[sorted[head].id], before);
		n++;
	}
	for (size_t j = 0; j < nbatch; j++) {
		if (!ent_live(&batch[j]) || batch[j].e > now)
			continue;
		ref_expect(&rt[batch[j].id], before);
		n++;
	}
	return n;
}

static uint64_t
random_step(void)
{
	unsigned int k = (unsigned int)rnd_below(100);

	if (k < 3)
		return 0;
	if (k < 60)
		return 1 + rnd_below(100);
	if (k < 85)
		return 1 + rnd_below(5000);
	if (k < 95)
		return 1 + rnd_below(UINT64_C(1) << 20);
	if (k < 99)
		return 1 + rnd_below(UINT64_C(1) << 26);
	return 1 + rnd_below(UINT64_C(1) << 34);
}

static void
test_tw_random_against_reference(void **state)
{
	uint64_t now = 0, pending = 0, total_fired = 0;

	(void)state;
	rng = 0x5eedf00dcafe1234u;
	rt = calloc(NRAND, sizeof(*rt));
	sorted = calloc(NRAND + BATCH, sizeof(*sorted));
	merged = calloc(NRAND + BATCH, sizeof(*merged));
	batch = calloc(BATCH, sizeof(*batch));
	assert_non_null(rt);
	assert_non_null(sorted);
	assert_non_null(merged);
	assert_non_null(batch);
	nsorted = head = nbatch = 0;
	tw_init(&wheel, 0);
	for (uint32_t i = 0; i < NRAND; i++) {
		tw_timer_init(&rt[i].t, on_rfire, &rt[i]);
		ref_add(i, 0);
		pending++;
	}
	ref_merge();
	assert_true(tw_count(&wheel) == pending);
	for (unsigned int step = 0; step < NSTEPS + 1; step++) {
		unsigned int ops = (unsigned int)rnd_below(60), expect, fired;
		uint64_t before = now;

		for (unsigned int k = 0; k < ops; k++) {
			uint32_t id = (uint32_t)rnd_below(NRAND);
			struct rtimer *r = &rt[id];

			assert_int_equal(tw_pending(&r->t), r->pending);
			if (r->pending && rnd_below(2) == 0) {
				tw_del(&wheel, &r->t);
				r->pending = false;
				pending--;
			} else {
				if (!r->pending)
					pending++;
				ref_add(id, now);
			}
		}
		assert_true(tw_count(&wheel) == pending);
		check_next_expiry(ref_earliest());
		now += step < NSTEPS ? random_step() : UINT64_C(1) << 40;
		fired = advance_to(now);
		expect = ref_fire(before, now);
		assert_int_equal(fired, expect);
		pending -= fired;
		total_fired += fired;
		assert_true(tw_count(&wheel) == pending);
		check_next_expiry(ref_earliest());
	}
	/* the last jump emptied the wheel */
	assert_true(pending == 0);
	assert_true(tw_count(&wheel) == 0);
	assert_true(total_fired >= NRAND / 2);
	for (uint32_t i = 0; i < NRAND; i++) {
		assert_false(tw_pending(&rt[i].t));
		assert_int_equal(rt[i].fired, rt[i].expected);
	}
	free(rt);
	free(sorted);
	free(merged);
	free(batch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tw_fires_exactly_at_tick_at_every_distance),
		cmocka_unit_test(test_tw_fires_at_the_last_tick),
		cmocka_unit_test(test_tw_tick_by_tick_each_fires_on_its_tick),
		cmocka_unit_test(test_tw_big_jump_fires_everything_due_once),
		cmocka_unit_test(test_tw_delete_before_expiry_never_fires),
		cmocka_unit_test(test_tw_readd_moves_the_timer),
		cmocka_unit_test(test_tw_past_expiry_fires_at_next_advance),
		cmocka_unit_test(test_tw_rearm_inside_callback),
		cmocka_unit_test(test_tw_rearm_in_the_past_fires_next_call),
		cmocka_unit_test(test_tw_delete_other_inside_callback),
		cmocka_unit_test(test_tw_next_expiry_is_the_slot_start),
		cmocka_unit_test(test_tw_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
