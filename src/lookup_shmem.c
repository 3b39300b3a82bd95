/* One lookup index per server: the shared-memory protocol of the versions of each database's
 * index, the background worker that builds them, and the edits a commit hands it.
 * src/lookup_shmem.c — the SQL entry points are in src/lookup.c, the engine in src/engine/geo.c. */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/dsa.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "lookup_int.h"

/*
 * When shegu is in shared_preload_libraries, every database gets a slot in a small control block
 * in shared memory.  A slot holds the registry generation (bumped by each commit that changed
 * shegu.grid's codes, boundaries or validity), up to LK_VERSIONS versions of the index and the
 * boxes of the boundaries edited since the newest base was built.
 *
 * A version is a base image (a flat shegu_geo index in a DSA area, read in place by every
 * backend and parallel worker) and, when grids were edited since the base was built, a delta:
 * the mask of the edited boxes and a small index of every grid version that meets the mask.
 * Versions built from the same base share its image.
 *
 * Nobody who reads waits once a version exists: a statement reads the published version, stale
 * or not.  A commit that changed the grids appends its boxes, bumps the generation and wakes the
 * database's background worker (starting it when none runs), which builds the next version — a
 * delta over the accumulated boxes, or a full base when the delta has grown past a share of the
 * registry, a truncate or too many boxes asked for one, or today has left the raster's days —
 * and publishes it.  The committing session then waits (a bounded time, without interrupts) for
 * the version that holds its change, so that every statement that starts after its COMMIT
 * returned sees the change.  Only the very first build of a database's index is waited for, by
 * the sessions that ask while it runs.  When no background worker can be started, the first
 * session that finds the index stale builds the next version itself (the others keep reading
 * the old one).
 */
#define LK_SLOTS		8		/* databases with a shared index at once */
#define LK_VERSIONS		4		/* versions of one database's index alive at once */
#define LK_BOXES		8192	/* boxes of edited boundaries a slot holds; more: a full build */
#define LK_XACT_BOXES	4096	/* boxes one transaction hands over; more: a full build */

/*
 * Local defaults, not from the seeds; a county replaces them by editing them here.  A delta of
 * more grid versions than LK_COMPACT_MIN and than 1/LK_COMPACT_SHARE of the base is compacted
 * into a new base (in the background: a commit meanwhile abandons the compaction for a delta).
 * The worker exits after LK_WORKER_IDLE_MS with nothing to do, LK_SMALL_IDLE_MS for a registry
 * of fewer than LK_BIG_ROWS grid versions (it holds a background worker slot, which pg_cron and
 * parallel queries also use); DROP DATABASE, ALTER DATABASE and CREATE DATABASE ... TEMPLATE of
 * its database stop it at once (see lk_utility).  A registry of LK_BIG_ROWS or more starts its
 * worker at the first build, so that the first edit finds it ready.  A commit waits at most LK_COMMIT_WAIT_MS for
 * the version that holds its change.
 */
#define LK_COMPACT_MIN		500
#define LK_COMPACT_SHARE	32
#define LK_QUIET_MS			1000	/* a delta that took more than LK_QUIET_DELTA_MS to build is */
#define LK_QUIET_DELTA_MS	10		/* compacted once no commit came for LK_QUIET_MS */
#define LK_WORKER_IDLE_MS	600000	/* ... for a registry of LK_BIG_ROWS grid versions or more */
#define LK_SMALL_IDLE_MS	5000	/* ... for a smaller one (a full build is quick there) */
#define LK_BIG_ROWS			10000
#define LK_COMMIT_WAIT_MS	10000
#define LK_MERGE_QUIET_MS	100		/* half a stack of layers is merged into one after this long */
										/* without a commit, two or more after LK_QUIET_MS */
#define LK_WORKER_START_MS	5000	/* a worker asked for and not running after this is lost */

/*
 * A delta layer: the mask of the slot's boxes [box_from, box_to) and the index of every grid
 * version that meets it, built after the commits of those boxes.  Its image is never changed
 * once published, and is shared by every version that stacks it (freed with the last of them).
 */
typedef struct lk_layer
{
	dsa_pointer dp;				/* mask, then an image */
	Size		size;
	int			box_from,
				box_to;
	int64		rows;			/* grid versions it holds */
	double		ms;				/* its build */
} lk_layer;

typedef struct lk_version
{
	dsa_pointer dp;				/* the base image; InvalidDsaPointer: unused */
	Size		size;
	int			nlayers;		/* delta layers on the base, oldest first; 0: none */
	lk_layer	layers[LK_MAX_LAYERS];
	uint64		gen;			/* registry generation it holds every change of */
	Oid			relid;			/* shegu.grid it was read from */
	int			refcount;		/* backends holding it */
	int64		rows;			/* grid versions of the base */
	double		build_ms;		/* of the base */
	TimestampTz built_at;		/* when it was published */
	DateADT		built_day;		/* the day its base's raster was made for */
} lk_version;

/* The slot boxes the layers of v were made from: [0, lk_boxes_done(v)). */
static inline int
lk_boxes_done(const lk_version *v)
{
	return v->nlayers > 0 ? v->layers[v->nlayers - 1].box_to : 0;
}

/* Grid versions in v's layers (a version in two layers counts twice). */
static int64
lk_delta_rows(const lk_version *v)
{
	int64		n = 0;
	int			i;

	for (i = 0; i < v->nlayers; i++)
		n += v->layers[i].rows;
	return n;
}

typedef struct lk_slot
{
	Oid			dbid;			/* InvalidOid: unused */
	pg_atomic_uint64 gen;		/* registry generation: bumped at every commit that changed it */
	TimestampTz gen_at;			/* when the last bump came (for the builder's log) */
	int			published;		/* the current version (index into versions), -1: none */
	int			builder;		/* pid of the process building, 0: none */
	ConditionVariable cv;		/* broadcast when a build ends */
	lk_version	versions[LK_VERSIONS];
	/* the background worker */
	int			worker_pid;		/* running, 0: none */
	int			worker_procno;
	TimestampTz worker_asked;	/* when one was last registered (0: not waiting for one) */
	bool		worker_failed;	/* the last registration failed: readers build themselves */
	/* the last generation the worker could not build, and why (0: none) */
	uint64		failed_gen;
	int			failed_code;	/* its SQLSTATE */
	char		failed_msg[256];
	/* edits since the newest base */
	bool		full_pending;	/* a change that only a full build takes up */
	int			nboxes;
	shegu_geo_box boxes[LK_BOXES];
} lk_slot;

typedef struct lk_shared
{
	LWLock	   *lock;			/* guards everything but gen */
	int			dsa_tranche;
	dsa_handle	area;			/* DSM_HANDLE_INVALID until the first build */
	lk_slot		slots[LK_SLOTS];
} lk_shared;

static lk_shared *lk_sh = NULL; /* NULL: not preloaded, every backend has its own index */
static dsa_area *lk_area = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static ProcessUtility_hook_type prev_utility_hook = NULL;

/* The version this backend holds (and reads through my_layers). */
static int	my_slot = -1;
static int	my_ver = -1;
static uint64 my_gen = 0;
static Oid	my_relid = InvalidOid;
static lk_layers my_layers;
static MemoryContext view_cxt = NULL;

/*
 * Work left for after the lock (see lk_unlock): images and layers freed while it was held, and
 * the views of the version this backend took (lk_take), which it builds only once it has let go
 * of the lock, so that the lock is held for bookkeeping only, never for freeing or mapping
 * shared memory (which others would wait for, and longer when the holder is descheduled).
 */
#define LK_DEFERRED_MAX	(LK_VERSIONS * (LK_MAX_LAYERS + 1))
static dsa_pointer lk_deferred[LK_DEFERRED_MAX];
static int	lk_ndeferred = 0;
static bool views_pending = false;	/* my_ver's views are still to be made */
static lk_version my_copy;			/* what they are made from: my_ver as taken */
static dsa_pointer pending_dp = InvalidDsaPointer;	/* built but not yet published */
static bool exit_registered = false;
static bool am_worker = false;
static int64 n_shared_builds = 0;

/* This transaction changed shegu.grid: it must see its own changes (private index). */
static bool xact_changed_grid = false;
/* ... and the boxes of the boundaries it wrote and removed, for the delta */
static shegu_geo_box *xact_boxes = NULL;
static int	xact_nboxes = 0;
static bool xact_full = false;

/* A compaction in progress gives up when the generation moves past this one. */
static uint64 abandon_gen = 0;

/*
 * Compactions in a row that a commit abandoned (the index builder's count): each doubles the
 * quiet that the next one waits for (LK_QUIET_MS << n, at most 64 times), so that a steady stream
 * of edits a second or two apart does not start a full build in every pause only to give it up
 * (which cost the CPU the layers needed and the commit that came a check's wait); reset by a
 * compaction that completes.  The layers keep every edit's cost small meanwhile, and more than
 * LK_COMPACT_MIN versions in them compact without waiting for any quiet.
 */
static int	compact_abandoned = 0;

PGDLLEXPORT void shegu_lookup_worker_main(Datum arg);
static bool lk_wake_worker(int si);
static void lk_unlock(void);

/* ---- shared memory ---- */

static void
lk_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(lk_shared)));
	RequestNamedLWLockTranche("shegu lookup", 1);
}

static void
lk_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	lk_sh = ShmemInitStruct("shegu lookup", sizeof(lk_shared), &found);
	if (!found)
	{
		int			i,
					k;

		memset(lk_sh, 0, sizeof(lk_shared));
		lk_sh->lock = &(GetNamedLWLockTranche("shegu lookup"))->lock;
		lk_sh->dsa_tranche = LWLockNewTrancheId();
		lk_sh->area = DSM_HANDLE_INVALID;
		for (i = 0; i < LK_SLOTS; i++)
		{
			lk_sh->slots[i].dbid = InvalidOid;
			pg_atomic_init_u64(&lk_sh->slots[i].gen, 1);
			lk_sh->slots[i].published = -1;
			ConditionVariableInit(&lk_sh->slots[i].cv);
			for (k = 0; k < LK_VERSIONS; k++)
			{
				lk_sh->slots[i].versions[k].dp = InvalidDsaPointer;
				lk_sh->slots[i].versions[k].nlayers = 0;
			}
		}
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Map the DSA area (creating it the first time); call without lk_sh->lock held. */
static void
lk_attach(void)
{
	MemoryContext old;

	if (lk_area != NULL)
		return;
	LWLockRegisterTranche(lk_sh->dsa_tranche, "shegu lookup index");
	old = MemoryContextSwitchTo(TopMemoryContext);
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	if (lk_sh->area == DSM_HANDLE_INVALID)
	{
		dsa_area   *area = dsa_create(lk_sh->dsa_tranche);

		dsa_pin(area);			/* outlives this backend */
		lk_sh->area = dsa_get_handle(area);
		lk_area = area;
	}
	lk_unlock();
	if (lk_area == NULL)
		lk_area = dsa_attach(lk_sh->area);
	dsa_pin_mapping(lk_area);	/* mapped until this backend exits */
	MemoryContextSwitchTo(old);
}


/*
 * Free dp once the lock is let go (lk_unlock); lock held.  Nothing can reach it meanwhile: it has
 * left every version.  If the list is full (it cannot be: LK_DEFERRED_MAX is every image and
 * layer of every version), it is freed at once.
 */
static void
lk_free_later(dsa_pointer dp)
{
	if (lk_ndeferred < LK_DEFERRED_MAX)
		lk_deferred[lk_ndeferred++] = dp;
	else
		dsa_free(lk_area, dp);
}

static void lk_views_make(void);

/* Let go of the lock, then free what was left to free and make the views of a version taken. */
static void
lk_unlock(void)
{
	LWLockRelease(lk_sh->lock);
	while (lk_ndeferred > 0)
		dsa_free(lk_area, lk_deferred[--lk_ndeferred]);
	if (views_pending)
		lk_views_make();
}

/* Free version k of slot sl (its layers and its base, unless another version shares them); lock held. */
static void
lk_version_free(lk_slot *sl, int k)
{
	lk_version *v = &sl->versions[k];
	int			i,
				j,
				q;
	bool		shared = false;

	for (i = 0; i < v->nlayers; i++)
	{
		bool		layer_shared = false;

		for (j = 0; j < LK_VERSIONS; j++)
			if (j != k && DsaPointerIsValid(sl->versions[j].dp))
				for (q = 0; q < sl->versions[j].nlayers; q++)
					layer_shared |= sl->versions[j].layers[q].dp == v->layers[i].dp;
		if (!layer_shared)
			lk_free_later(v->layers[i].dp);
	}
	v->nlayers = 0;
	for (j = 0; j < LK_VERSIONS; j++)
		if (j != k && DsaPointerIsValid(sl->versions[j].dp) && sl->versions[j].dp == v->dp)
			shared = true;
	if (!shared && DsaPointerIsValid(v->dp))
		lk_free_later(v->dp);
	v->dp = InvalidDsaPointer;
}

/* Free version k of slot sl if nobody holds it and it is not current; lock held. */
static void
lk_maybe_free(lk_slot *sl, int k)
{
	lk_version *v = &sl->versions[k];

	if (DsaPointerIsValid(v->dp) && v->refcount == 0 && sl->published != k)
		lk_version_free(sl, k);
}

static void
lk_views_free(void)
{
	if (my_layers.base != NULL)
		shegu_geo_free(my_layers.base);
	for (int i = 0; i < my_layers.nlayers; i++)
		if (my_layers.delta[i] != NULL)
			shegu_geo_free(my_layers.delta[i]);
	memset(&my_layers, 0, sizeof my_layers);
}

/* Let go of the version this backend holds; lock held. */
static void
lk_release_mine(void)
{
	if (my_slot >= 0 && my_ver >= 0)
	{
		lk_slot    *sl = &lk_sh->slots[my_slot];

		sl->versions[my_ver].refcount--;
		lk_maybe_free(sl, my_ver);
	}
	my_ver = -1;
	views_pending = false;
	lk_views_free();
}

/* At exit (also FATAL, e.g. terminate): let go of the version, of a build in progress, of its image. */
static void
lk_before_exit(int code, Datum arg)
{
	if (lk_sh == NULL || lk_area == NULL)
		return;
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	lk_release_mine();
	if (my_slot >= 0)
	{
		lk_slot    *sl = &lk_sh->slots[my_slot];

		if (sl->builder == MyProcPid)
		{
			sl->builder = 0;
			ConditionVariableBroadcast(&sl->cv);
		}
		if (am_worker && sl->worker_pid == MyProcPid)
		{
			sl->worker_pid = 0;
			sl->worker_asked = 0;
		}
	}
	if (DsaPointerIsValid(pending_dp))
	{
		dsa_free(lk_area, pending_dp);
		pending_dp = InvalidDsaPointer;
	}
	lk_unlock();
}

static void
lk_register_exit(void)
{
	if (!exit_registered)
	{
		before_shmem_exit(lk_before_exit, (Datum) 0);
		exit_registered = true;
	}
}

/* This database's slot, taken if it has none; -1 when all are taken. */
static int
lk_slot_of_db(void)
{
	int			i,
				free_slot = -1;

	if (my_slot >= 0 && lk_sh->slots[my_slot].dbid == MyDatabaseId)
		return my_slot;
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	for (i = 0; i < LK_SLOTS; i++)
	{
		lk_slot    *sl = &lk_sh->slots[i];
		int			k;
		bool		busy = false;

		if (sl->dbid == MyDatabaseId)
		{
			my_slot = i;
			break;
		}
		if (sl->dbid != InvalidOid)
		{
			/* a slot nobody uses (its database may be gone) can be taken over */
			for (k = 0; k < LK_VERSIONS; k++)
				busy |= sl->versions[k].refcount > 0;
			busy |= sl->builder != 0 || sl->worker_pid != 0;
		}
		/* an unused slot first, else one nobody holds */
		if (!busy && (free_slot < 0 || (sl->dbid == InvalidOid && lk_sh->slots[free_slot].dbid != InvalidOid)))
			free_slot = i;
	}
	if (i == LK_SLOTS && free_slot >= 0)
	{
		lk_slot    *sl = &lk_sh->slots[free_slot];
		int			k;

		sl->published = -1;
		for (k = 0; k < LK_VERSIONS; k++)
			lk_maybe_free(sl, k);
		sl->dbid = MyDatabaseId;
		sl->nboxes = 0;
		sl->full_pending = false;
		sl->worker_asked = 0;
		sl->worker_failed = false;
		pg_atomic_fetch_add_u64(&sl->gen, 1);
		my_slot = free_slot;
	}
	lk_unlock();
	return (my_slot >= 0 && lk_sh->slots[my_slot].dbid == MyDatabaseId) ? my_slot : -1;
}

/*
 * Hold version k of slot sl; lock held.  Its views (my_layers) are made by lk_unlock, outside the
 * lock: the version cannot go while this backend holds it.
 */
static void
lk_take(lk_slot *sl, int k)
{
	lk_version *v = &sl->versions[k];

	lk_release_mine();
	v->refcount++;
	my_ver = k;
	my_gen = v->gen;
	my_relid = v->relid;
	my_copy = *v;
	views_pending = true;
}

/* The views of the version taken (my_copy) into my_layers; the lock not held. */
static void
lk_views_make(void)
{
	shegu_geo_allocator alloc;

	views_pending = false;
	lk_views_free();
	if (view_cxt == NULL)
		view_cxt = AllocSetContextCreate(TopMemoryContext, "shegu lookup view", ALLOCSET_SMALL_SIZES);
	shegu_lookup_allocator(view_cxt, &alloc);
	my_layers.base = shegu_geo_view(dsa_get_address(lk_area, my_copy.dp), my_copy.size, &alloc);
	if (my_layers.base == NULL)
		elog(ERROR, "the shared grid index image is damaged");
	for (int i = 0; i < my_copy.nlayers; i++)
	{
		char	   *d = dsa_get_address(lk_area, my_copy.layers[i].dp);
		Size		msize = MAXALIGN(shegu_geo_mask_size());

		my_layers.mask[i] = d;
		my_layers.delta[i] = shegu_geo_view(d + msize, my_copy.layers[i].size - msize, &alloc);
		my_layers.nlayers = i + 1;
		if (my_layers.delta[i] == NULL)
			elog(ERROR, "the shared grid index delta is damaged");
	}
}

/*
 * Publish a version (lock held): base image dp (new, or the published one's) and its delta
 * layers (new or shared with the published one).  Returns the version's index, -1 when all LK_VERSIONS are held (the caller frees).
 */
static int
lk_publish(lk_slot *sl, const lk_version *nv)
{
	int			k,
				slot_k = -1,
				old = sl->published;

	for (k = 0; k < LK_VERSIONS; k++)
	{
		lk_maybe_free(sl, k);
		if (slot_k < 0 && !DsaPointerIsValid(sl->versions[k].dp))
			slot_k = k;
	}
	if (slot_k < 0)
		return -1;
	sl->versions[slot_k] = *nv;
	sl->versions[slot_k].refcount = 0;
	sl->versions[slot_k].built_at = GetCurrentTimestamp();
	sl->published = slot_k;
	if (old >= 0)
		lk_maybe_free(sl, old);
	return slot_k;
}

/* Copy a built index into the DSA area as a flat image (held in pending_dp until published). */
static dsa_pointer
lk_store(shegu_geo_index *geo, const void *mask, Size *size_out)
{
	Size		msize = mask ? MAXALIGN(shegu_geo_mask_size()) : 0;
	Size		size = msize + shegu_geo_flat_size(geo);
	char	   *p;

	pending_dp = dsa_allocate_extended(lk_area, size, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM);
	if (!DsaPointerIsValid(pending_dp))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of shared memory for the grid index (%zu bytes)", size)));
	p = dsa_get_address(lk_area, pending_dp);
	if (mask)
		memcpy(p, mask, shegu_geo_mask_size());
	shegu_geo_flatten(geo, p + msize);
	*size_out = size;
	return pending_dp;
}

/* Milliseconds since t. */
static double
lk_ms_since(TimestampTz t)
{
	return (double) (GetCurrentTimestamp() - t) / 1000.0;
}

static bool
lk_abandon(void)
{
	lk_slot    *sl = &lk_sh->slots[my_slot];

	if (pg_atomic_read_u64(&sl->gen) == abandon_gen)
		return false;
	elog(DEBUG1, "shegu lookup: a commit came %.1f ms ago: giving up the build", lk_ms_since(sl->gen_at));
	return true;
}

/* What the next build of a slot is. */
typedef enum lk_work
{
	LK_NOTHING,
	LK_RESTAMP,					/* changes with no boundary: the published version holds them */
	LK_DELTA,					/* a new layer over the boxes since the newest one */
	LK_MERGE,					/* the layers merged into one, when no commit waits (abandoned for one) */
	LK_FULL,					/* must be built */
	LK_COMPACT					/* a full build that a new commit may abandon */
} lk_work;

/*
 * The next build of slot sl; for LK_DELTA and LK_MERGE, *keep is how many of the published
 * version's layers the new one stacks on and *from the first slot box the new layer is made of
 * (it ends at sl->nboxes for a delta, at the newest layer's end for a merge).  quiet_ms: since
 * the worker last had something to do.
 */
static lk_work
lk_plan(lk_slot *sl, Oid relid, uint64 gen, bool check_day, int64 quiet_ms, int *keep, int *from)
{
	int			pub = sl->published;
	lk_version *v;
	double		layers_ms = 0;
	int			i;

	*keep = 0;
	*from = 0;
	if (sl->failed_gen == gen && pub >= 0)
		return LK_NOTHING;		/* waits for the next commit (a repair) */
	if (pub < 0 || sl->versions[pub].relid != relid || sl->full_pending || sl->nboxes > LK_BOXES)
		return LK_FULL;
	v = &sl->versions[pub];
	for (i = 0; i < v->nlayers; i++)
		layers_ms += v->layers[i].ms;
	if (lk_delta_rows(v) > LK_COMPACT_MIN && lk_delta_rows(v) * LK_COMPACT_SHARE > v->rows && v->gen == gen)
		return LK_COMPACT;
	if (check_day && v->gen == gen && v->built_day != shegu_lookup_today())
	{
		shegu_geo_allocator alloc;
		shegu_geo_index *geo;
		bool		stale;

		shegu_lookup_allocator(CurrentMemoryContext, &alloc);
		geo = shegu_geo_view(dsa_get_address(lk_area, v->dp), v->size, &alloc);
		stale = geo != NULL && shegu_lookup_raster_stale(geo, shegu_lookup_today());
		if (geo != NULL)
			shegu_geo_free(geo);
		if (stale)
			return LK_COMPACT;
	}
	if (v->gen == gen && quiet_ms >= ((int64) LK_QUIET_MS << Min(compact_abandoned, 6))
		&& v->nlayers > 0 && layers_ms > LK_QUIET_DELTA_MS)
		return LK_COMPACT;		/* a merge of the layers would cost as much: start afresh */
	if (v->gen == gen && v->nlayers > 1
		&& ((quiet_ms >= LK_MERGE_QUIET_MS && v->nlayers >= LK_MAX_LAYERS / 2) || quiet_ms >= LK_QUIET_MS))
	{
		/*
		 * A quiet moment: one layer over all the boxes, read once by a point instead of several
		 * (not after every commit: a commit during a merge waits until the merge sees it)
		 */
		*keep = 0;
		*from = 0;
		return LK_MERGE;
	}
	if (v->gen == gen || sl->failed_gen == gen)
		return LK_NOTHING;
	if (sl->nboxes == lk_boxes_done(v))
		return LK_RESTAMP;
	/* a small layer over the new boxes only; when the stack is full, the newest layer's boxes too */
	*keep = v->nlayers;
	*from = lk_boxes_done(v);
	if (*keep == LK_MAX_LAYERS)
	{
		(*keep)--;
		*from = v->layers[*keep].box_from;
	}
	return LK_DELTA;
}

/*
 * Build the next version of slot sl and publish it, as its one builder (sl->builder is ours;
 * it is given back here).  Returns whether there was anything to do.  Runs in a transaction.
 */
static bool
lk_update(lk_slot *sl, Oid relid, bool check_day, int64 quiet_ms)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "shegu lookup shared build",
											  ALLOCSET_DEFAULT_SIZES);
	lk_work		work;
	uint64		gen;
	int			nboxes = 0,
				box_from = 0,
				keep = 0;
	shegu_geo_box *boxes = NULL;
	bool		was_full_pending;
	bool		published = true;
	bool		layer;

	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	gen = pg_atomic_read_u64(&sl->gen);
	work = lk_plan(sl, relid, gen, check_day, quiet_ms, &keep, &box_from);
	layer = work == LK_DELTA || work == LK_MERGE;
	was_full_pending = sl->full_pending;
	if (work == LK_RESTAMP)
		sl->versions[sl->published].gen = gen;
	if (work == LK_FULL || work == LK_COMPACT || layer)
	{
		/* the boxes before the snapshot the build reads with: all their commits are in it */
		nboxes = Min(sl->nboxes, LK_BOXES);
		if (work == LK_MERGE)
			nboxes = lk_boxes_done(&sl->versions[sl->published]);
		if (layer)
		{
			boxes = MemoryContextAlloc(cxt, sizeof(shegu_geo_box) * Max(nboxes - box_from, 1));
			memcpy(boxes, sl->boxes + box_from, sizeof(shegu_geo_box) * (nboxes - box_from));
		}
		else
			sl->full_pending = false;
	}
	if (work == LK_NOTHING || work == LK_RESTAMP)
	{
		sl->builder = 0;
		lk_unlock();
		ConditionVariableBroadcast(&sl->cv);
		MemoryContextDelete(cxt);
		return work == LK_RESTAMP;
	}
	lk_unlock();

	PG_TRY();
	{
		instr_time	start,
					dur;
		int64		rows = 0;
		shegu_geo_index *geo;
		lk_version	nv;
		void	   *mask = NULL;
		shegu_geo_box *rects = NULL;
		size_t		nrects = 0;
		bool		abandonable = work == LK_COMPACT || work == LK_MERGE;

		memset(&nv, 0, sizeof nv);
		INSTR_TIME_SET_CURRENT(start);
		if (layer)
		{
			mask = MemoryContextAlloc(cxt, shegu_geo_mask_size());
			shegu_geo_mask_build(mask, boxes, nboxes - box_from);
			nrects = shegu_geo_mask_rects(mask, NULL, 0);
			rects = MemoryContextAlloc(cxt, sizeof(shegu_geo_box) * Max(nrects, 1));
			shegu_geo_mask_rects(mask, rects, nrects);
		}
		abandon_gen = gen;
		geo = shegu_lookup_build(cxt, false, &rows, rects, layer ? nrects : (size_t) -1,
								 abandonable ? lk_abandon : NULL);
		/*
		 * A commit that came after the build's last look: copying a province's base into shared
		 * memory takes half a second more, which its delta would wait for (once copied, the base
		 * is published: the delta on it is the smaller one).
		 */
		if (geo != NULL && abandonable && lk_abandon())
			geo = NULL;
		if (geo != NULL)
		{
			Size		size;
			dsa_pointer dp = lk_store(geo, mask, &size);
			int			k;

			INSTR_TIME_SET_CURRENT(dur);
			INSTR_TIME_SUBTRACT(dur, start);
			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			if (layer)
			{
				lk_layer   *l;

				nv = sl->versions[sl->published];	/* the same base, and the layers it keeps */
				nv.nlayers = keep + 1;
				l = &nv.layers[keep];
				l->dp = dp;
				l->size = size;
				l->box_from = box_from;
				l->box_to = nboxes;
				l->rows = rows;
				l->ms = INSTR_TIME_GET_MILLISEC(dur);
			}
			else
			{
				nv.dp = dp;
				nv.size = size;
				nv.nlayers = 0;
				nv.rows = rows;
				nv.build_ms = INSTR_TIME_GET_MILLISEC(dur);
				nv.built_day = shegu_lookup_today();
			}
			nv.gen = gen;
			nv.relid = relid;
			if (work == LK_COMPACT)
				compact_abandoned = 0;
			k = lk_publish(sl, &nv);
			if (k >= 0)
			{
				pending_dp = InvalidDsaPointer;
				if (!layer)
				{
					/* the boxes this base holds are done with; later ones stay for the next delta */
					memmove(sl->boxes, sl->boxes + nboxes, sizeof(shegu_geo_box) * (sl->nboxes - nboxes));
					sl->nboxes -= nboxes;
				}
				if (!am_worker)
				{
					lk_take(sl, k);
					/* a large registry's index builder starts now, ready for the first edit */
					if (rows >= LK_BIG_ROWS)
						(void) lk_wake_worker((int) (sl - lk_sh->slots));
				}
			}
			else
			{
				/* every version is held by a running transaction: try again a little later */
				dsa_free(lk_area, pending_dp);
				pending_dp = InvalidDsaPointer;
				if (!layer)
					sl->full_pending |= was_full_pending;
				published = false;
			}
			n_shared_builds++;
			elog(DEBUG1, "shegu lookup: %s of generation %llu published in %.1f ms, %.1f ms after its commit (%lld grid versions, boxes %d-%d, %d layers)",
				 work == LK_DELTA ? "delta" : work == LK_MERGE ? "merged delta" : "base", (unsigned long long) gen,
				 INSTR_TIME_GET_MILLISEC(dur), lk_ms_since(sl->gen_at), (long long) rows, box_from, nboxes,
				 layer ? keep + 1 : 0);
		}
		else
		{
			/* a compaction or merge abandoned for a commit: the next round makes a delta first */
			if (work == LK_COMPACT)
				compact_abandoned++;
			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			sl->full_pending |= was_full_pending;
			elog(DEBUG1, "shegu lookup: %s of generation %llu abandoned for a commit",
				 work == LK_MERGE ? "merge" : "compaction", (unsigned long long) gen);
		}
		sl->builder = 0;
		lk_unlock();
		ConditionVariableBroadcast(&sl->cv);
	}
	PG_CATCH();
	{
		/* cancelled or failed: leave nothing behind, and let a waiting backend build */
		LWLockReleaseAll();
		LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
		if (DsaPointerIsValid(pending_dp))
			dsa_free(lk_area, pending_dp);
		pending_dp = InvalidDsaPointer;
		if (sl->builder == MyProcPid)
			sl->builder = 0;
		sl->full_pending |= was_full_pending;
		lk_unlock();
		ConditionVariableBroadcast(&sl->cv);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextDelete(cxt);
	return published;
}

/* ---- the background worker ---- */

/*
 * Make sure slot si has a worker running or on its way, and wake it; lock held.  Returns false
 * when none can be had (the caller builds itself).
 */
static bool
lk_wake_worker(int si)
{
	lk_slot    *sl = &lk_sh->slots[si];
	BackgroundWorker bgw;
	TimestampTz now;

	if (sl->worker_pid != 0)
	{
		SetLatch(&ProcGlobal->allProcs[sl->worker_procno].procLatch);
		return true;
	}
	now = GetCurrentTimestamp();
	if (sl->worker_asked != 0 && !TimestampDifferenceExceeds(sl->worker_asked, now, LK_WORKER_START_MS))
		return true;			/* on its way */
	if (sl->worker_failed && sl->worker_asked != 0
		&& !TimestampDifferenceExceeds(sl->worker_asked, now, 1000))
		return false;			/* do not ask the postmaster again at every statement */
	memset(&bgw, 0, sizeof bgw);
	bgw.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	bgw.bgw_start_time = BgWorkerStart_RecoveryFinished;
	bgw.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(bgw.bgw_library_name, BGW_MAXLEN, "shegu");
	snprintf(bgw.bgw_function_name, BGW_MAXLEN, "shegu_lookup_worker_main");
	snprintf(bgw.bgw_name, BGW_MAXLEN, "shegu lookup index builder for database %u", MyDatabaseId);
	snprintf(bgw.bgw_type, BGW_MAXLEN, "shegu lookup index builder");
	bgw.bgw_main_arg = Int32GetDatum(si);
	memcpy(bgw.bgw_extra, &MyDatabaseId, sizeof(Oid));
	bgw.bgw_notify_pid = 0;
	sl->worker_asked = now;
	sl->worker_failed = !RegisterDynamicBackgroundWorker(&bgw, NULL);
	return !sl->worker_failed;
}

void
shegu_lookup_worker_main(Datum arg)
{
	int			si = DatumGetInt32(arg);
	Oid			dbid;
	lk_slot    *sl;
	TimestampTz idle_since;

	memcpy(&dbid, MyBgworkerEntry->bgw_extra, sizeof(Oid));
	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);
	pgstat_report_appname("shegu lookup index builder");
	am_worker = true;
	if (lk_sh == NULL || si < 0 || si >= LK_SLOTS)
		proc_exit(0);
	lk_attach();
	sl = &lk_sh->slots[si];
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	if (sl->dbid != dbid || sl->worker_pid != 0)
	{
		lk_unlock();
		proc_exit(0);			/* another one runs, or the slot went to another database */
	}
	sl->worker_pid = MyProcPid;
	sl->worker_procno = MyProc->pgprocno;
	sl->worker_asked = 0;
	sl->worker_failed = false;
	my_slot = si;
	lk_unlock();
	lk_register_exit();

	/* load PostGIS and plan a delta's query now, not at the first edit */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	shegu_lookup_warm();
	CommitTransactionCommand();

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		bool		did = false;
		bool		building = false;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		{
			Oid			relid = shegu_lookup_grid_relid();

			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			if (sl->dbid != dbid)
			{
				lk_unlock();
				CommitTransactionCommand();
				proc_exit(0);
			}
			if (sl->builder == 0)
			{
				sl->builder = MyProcPid;
				building = true;
			}
			lk_unlock();
			if (building)
			{
				MemoryContext mcxt = CurrentMemoryContext;
				uint64		gen = pg_atomic_read_u64(&sl->gen);

				PG_TRY();
				{
					long		secs;
					int			usecs;

					TimestampDifference(idle_since, GetCurrentTimestamp(), &secs, &usecs);
					did = lk_update(sl, relid, true, (int64) secs * 1000 + usecs / 1000);
				}
				PG_CATCH();
				{
					/*
					 * A row the engine refuses (written with the check trigger disabled): keep
					 * the published version, say why at the commit and in lookup_wait, and try
					 * again at the next commit.
					 */
					ErrorData  *edata;

					MemoryContextSwitchTo(mcxt);
					LWLockReleaseAll();
					edata = CopyErrorData();
					EmitErrorReport();
					FlushErrorState();
					LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
					if (sl->builder == MyProcPid)
						sl->builder = 0;
					sl->failed_gen = gen;
					sl->failed_code = edata->sqlerrcode;
					strlcpy(sl->failed_msg, edata->message ? edata->message : "", sizeof sl->failed_msg);
					lk_unlock();
					AbortCurrentTransaction();
					StartTransactionCommand();
					did = false;
				}
				PG_END_TRY();
			}
		}
		CommitTransactionCommand();
		if (did)
		{
			idle_since = GetCurrentTimestamp();
			continue;
		}
		if (TimestampDifferenceExceeds(idle_since, GetCurrentTimestamp(),
									   (sl->published >= 0 && sl->versions[sl->published].rows >= LK_BIG_ROWS)
									   ? LK_WORKER_IDLE_MS : LK_SMALL_IDLE_MS))
		{
			/* nothing to do for a while: leave, unless a commit came meanwhile (it would not wake us) */
			int			pub;
			bool		done;

			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			pub = sl->published;
			done = pub >= 0 && !sl->full_pending
				&& (sl->versions[pub].gen == pg_atomic_read_u64(&sl->gen)
					|| sl->failed_gen == pg_atomic_read_u64(&sl->gen));
			if (done)
				sl->worker_pid = 0;
			lk_unlock();
			if (done)
				proc_exit(0);
			idle_since = GetCurrentTimestamp();
		}
		/* woken by a commit; else back soon when the layers wait for a quiet moment to be merged */
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 (sl->published >= 0 && sl->versions[sl->published].nlayers > 1) ? LK_MERGE_QUIET_MS / 2 : 250,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* ---- what the binding calls ---- */

bool
shegu_lookup_shmem_ready(void)
{
	return lk_sh != NULL;
}

/*
 * The shared index this statement reads: the published version of this database's index,
 * current or not (the next one is being built meanwhile); only when none exists yet, the very
 * first build, built by this backend or waited for.  false when it cannot be used (no slot, no
 * room for a version, or in parallel mode with no version to read).
 */
bool
shegu_lookup_shared_layers(lk_layers *out)
{
	int			si;
	lk_slot    *sl;
	Oid			relid;
	bool		waited = false;

	lk_attach();
	si = lk_slot_of_db();
	if (si < 0)
		return false;
	sl = &lk_sh->slots[si];
	relid = shegu_lookup_grid_relid();
	lk_register_exit();
	for (;;)
	{
		uint64		gen = pg_atomic_read_u64(&sl->gen);
		int			pub;

		if (views_pending)
			lk_views_make();	/* (an error came between lk_take and lk_unlock) */
		if (my_layers.base != NULL && my_gen == gen && my_relid == relid)
			break;
		LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
		if (sl->dbid != MyDatabaseId)
		{
			/* taken over by another database since we looked (we held nothing) */
			lk_unlock();
			if (waited)
				ConditionVariableCancelSleep();
			return false;
		}
		pub = sl->published;
		if (pub >= 0 && sl->versions[pub].relid == relid)
		{
			bool		build_here = false;

			if (my_ver != pub)
				lk_take(sl, pub);
			if (sl->versions[pub].gen != gen)
			{
				/* stale: read it while the worker builds the next (or build it here if none can) */
				if (!lk_wake_worker(si) && sl->builder == 0 && !IsInParallelMode())
				{
					sl->builder = MyProcPid;
					build_here = true;
				}
			}
			lk_unlock();
			if (build_here)
				(void) lk_update(sl, relid, false, 0);
			break;
		}
		if (sl->builder == 0 && !IsInParallelMode())
		{
			/* the very first build: ours */
			sl->builder = MyProcPid;
			lk_unlock();
			if (waited)
				ConditionVariableCancelSleep();
			(void) lk_update(sl, relid, false, 0);
			if (my_layers.base == NULL)
				return false;	/* no room for a version */
			/* a commit while we read leaves it stale at once: it serves this statement */
			break;
		}
		lk_unlock();
		if (IsInParallelMode())
			return false;		/* no new snapshot now: the statement's private index */
		/* another backend is making the first version: wait (interruptible), then look again */
		if (!waited)
			ConditionVariablePrepareToSleep(&sl->cv);
		waited = true;
		(void) ConditionVariableTimedSleep(&sl->cv, 1000, PG_WAIT_EXTENSION);
	}
	if (waited)
		ConditionVariableCancelSleep();
	*out = my_layers;
	/* today has left the raster's days: the worker checks with its own clock and rebuilds */
	if (my_ver >= 0 && sl->versions[my_ver].built_day < shegu_lookup_today()
		&& shegu_lookup_raster_stale(my_layers.base, shegu_lookup_today()) && sl->worker_pid == 0)
	{
		LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
		(void) lk_wake_worker(si);
		lk_unlock();
	}
	return true;
}

void
shegu_lookup_shared_info(lk_shared_info *info)
{
	memset(info, 0, sizeof *info);
	info->builds = n_shared_builds;
	if (lk_sh != NULL && my_slot >= 0 && my_ver >= 0)
	{
		lk_version *v = &lk_sh->slots[my_slot].versions[my_ver];

		int			i;

		info->memory = (int64) v->size;
		for (i = 0; i < v->nlayers; i++)
			info->memory += (int64) v->layers[i].size;
		info->build_ms = v->build_ms;
		info->built_at = v->built_at;
		info->delta_grids = lk_delta_rows(v);
		info->delta_boxes = lk_boxes_done(v);
		info->delta_layers = v->nlayers;
		info->delta_ms = v->nlayers > 0 ? v->layers[v->nlayers - 1].ms : 0;
	}
}

void
shegu_lookup_note_change(void)
{
	xact_changed_grid = true;
}

bool
shegu_lookup_xact_changed(void)
{
	return xact_changed_grid;
}

void
shegu_lookup_note_full(void)
{
	xact_changed_grid = true;
	xact_full = true;
}

void
shegu_lookup_note_box(const shegu_geo_box *box)
{
	xact_changed_grid = true;
	if (lk_sh == NULL || xact_full)
		return;
	if (xact_nboxes >= LK_XACT_BOXES)
	{
		xact_full = true;
		return;
	}
	if (xact_boxes == NULL)
		xact_boxes = MemoryContextAlloc(TopTransactionContext, sizeof(shegu_geo_box) * LK_XACT_BOXES);
	xact_boxes[xact_nboxes++] = *box;
}

/*
 * Wait, without interrupts and at most timeout_ms, until this database's published index holds
 * generation gen (or cannot: no version, no worker).  Returns whether it does.
 */
static bool
lk_wait_gen(int si, uint64 gen, int timeout_ms, int *failed_code, char *failed_msg)
{
	lk_slot    *sl = &lk_sh->slots[si];
	TimestampTz start = GetCurrentTimestamp();
	bool		ok = false;
	bool		slept = false;

	for (;;)
	{
		int			pub;
		bool		hopeless;

		LWLockAcquire(lk_sh->lock, LW_SHARED);
		pub = sl->published;
		ok = pub >= 0 && sl->versions[pub].gen >= gen;
		*failed_code = 0;
		if (!ok && sl->failed_gen >= gen)
		{
			*failed_code = sl->failed_code;
			strlcpy(failed_msg, sl->failed_msg, sizeof sl->failed_msg);
		}
		hopeless = pub < 0 || sl->dbid != MyDatabaseId || *failed_code != 0
			|| (sl->worker_pid == 0 && sl->builder == 0
				&& (sl->worker_asked == 0 || sl->worker_failed
					|| TimestampDifferenceExceeds(sl->worker_asked, GetCurrentTimestamp(), LK_WORKER_START_MS)));
		lk_unlock();
		if (ok || hopeless || TimestampDifferenceExceeds(start, GetCurrentTimestamp(), timeout_ms))
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 2, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		slept = true;
	}
	if (slept)
		SetLatch(MyLatch);		/* whatever set it meanwhile is looked at again */
	return ok;
}

bool
shegu_lookup_wait_published(int timeout_ms)
{
	int			si;
	int			code;
	char		msg[256];
	bool		ok;

	if (lk_sh == NULL)
		return true;
	lk_attach();
	si = lk_slot_of_db();
	if (si < 0)
		return false;
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	(void) lk_wake_worker(si);
	lk_unlock();
	ok = lk_wait_gen(si, pg_atomic_read_u64(&lk_sh->slots[si].gen), timeout_ms, &code, msg);
	if (code != 0)
		ereport(ERROR,
				(errcode(code),
				 errmsg("%s", msg),
				 errdetail("The shared lookup index keeps answering from the grids as they were before the change.")));
	return ok;
}

/*
 * At commit of a transaction that changed shegu.grid: hand its boxes to the slot, start a new
 * registry generation, wake the worker and wait for the version that holds the change (at
 * PREPARE for a prepared transaction, without waiting: COMMIT PREPARED runs no callback that
 * knows; documented).
 */
static void
lk_xact_callback(XactEvent event, void *arg)
{
	if ((event == XACT_EVENT_COMMIT || event == XACT_EVENT_PREPARE) && xact_changed_grid && lk_sh != NULL)
	{
		int			i;

		for (i = 0; i < LK_SLOTS; i++)
		{
			lk_slot    *sl = &lk_sh->slots[i];
			uint64		gen = 0;
			bool		wait = false;

			if (sl->dbid != MyDatabaseId)
				continue;
			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			if (sl->dbid == MyDatabaseId)
			{
				if (xact_full || sl->nboxes + xact_nboxes > LK_BOXES)
					sl->full_pending = true;
				else if (xact_nboxes > 0)
				{
					memcpy(sl->boxes + sl->nboxes, xact_boxes, sizeof(shegu_geo_box) * xact_nboxes);
					sl->nboxes += xact_nboxes;
				}
				gen = pg_atomic_add_fetch_u64(&sl->gen, 1);
				sl->gen_at = GetCurrentTimestamp();
				if (sl->published >= 0)
					wait = lk_wake_worker(i) && event == XACT_EVENT_COMMIT;
			}
			lk_unlock();
			if (wait)
			{
				int			code;
				char		msg[256];

				(void) lk_wait_gen(i, gen, LK_COMMIT_WAIT_MS, &code, msg);
				if (code != 0)
					ereport(WARNING,
							(errcode(code),
							 errmsg("%s", msg),
							 errdetail("The change is committed, but the shared lookup index keeps answering from the grids as they were before it.")));
			}
		}
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT
		|| event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT
		|| event == XACT_EVENT_PREPARE)
	{
		xact_changed_grid = false;
		xact_boxes = NULL;		/* in TopTransactionContext, freed with it */
		xact_nboxes = 0;
		xact_full = false;
		/*
		 * Hold a version only while a transaction runs: an idle session must not keep an old one
		 * alive (it would know of a newer one only at its next statement).
		 */
		if (lk_sh != NULL && my_ver >= 0)
		{
			LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
			lk_release_mine();
			lk_unlock();
		}
	}
}

/* Stop the worker of a database (it would keep DROP DATABASE and the like from going ahead). */
static void
lk_stop_worker_of(Oid dbid)
{
	int			i;

	if (!OidIsValid(dbid))
		return;
	LWLockAcquire(lk_sh->lock, LW_EXCLUSIVE);
	for (i = 0; i < LK_SLOTS; i++)
	{
		lk_slot    *sl = &lk_sh->slots[i];

		if (sl->dbid != dbid)
			continue;
		if (sl->worker_pid != 0)
			(void) kill(sl->worker_pid, SIGTERM);
		/* and no new one for a while: whoever asks meanwhile builds itself */
		sl->worker_asked = GetCurrentTimestamp();
		sl->worker_failed = true;
	}
	lk_unlock();
}

/*
 * Statements that need a database without other sessions (DROP DATABASE, ALTER DATABASE,
 * CREATE DATABASE ... TEMPLATE) first stop its index builder.
 */
static void
lk_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
		   ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *queryEnv,
		   DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *n = pstmt->utilityStmt;
	const char *db = NULL;

	if (IsA(n, DropdbStmt))
		db = ((DropdbStmt *) n)->dbname;
	else if (IsA(n, RenameStmt) && ((RenameStmt *) n)->renameType == OBJECT_DATABASE)
		db = ((RenameStmt *) n)->subname;
	else if (IsA(n, AlterDatabaseStmt))
		db = ((AlterDatabaseStmt *) n)->dbname;
	else if (IsA(n, CreatedbStmt))
	{
		ListCell   *lc;

		foreach(lc, ((CreatedbStmt *) n)->options)
		{
			DefElem    *d = (DefElem *) lfirst(lc);

			if (strcmp(d->defname, "template") == 0 && d->arg != NULL)
				db = defGetString(d);
		}
	}
	if (db != NULL && lk_sh != NULL)
		lk_stop_worker_of(get_database_oid(db, true));
	if (prev_utility_hook)
		prev_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

void
shegu_lookup_shmem_init(void)
{
	RegisterXactCallback(lk_xact_callback, NULL);
	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = lk_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = lk_shmem_startup;
		prev_utility_hook = ProcessUtility_hook;
		ProcessUtility_hook = lk_utility;
	}
}
