# shegu — PGXS build.  Each capability ("room") owns src/<room>.sql and its C in
# src/<room>.c; the pure engines live in src/engine/ and build without the server.
# The install script of this version is assembled from the rooms' SQL in the order of ROOMS;
# the install scripts of released versions are frozen files, and shegu--A--B.sql upgrade them
# (docs/upgrading.md).

EXTENSION  = shegu
EXTVERSION = 0.3.0
MODULE_big = shegu

# Rooms, in install order.
ROOMS = gridcode coords lookup import worktime incident index security base duty restore report figures

ENGINE_SRCS = $(sort $(wildcard src/engine/*.c))
ROOM_SRCS   = $(wildcard $(addprefix src/,$(addsuffix .c,$(ROOMS))))
# more files of a room: src/<room>_<part>.c (e.g. src/lookup_shmem.c)
ROOM_SRCS  += $(sort $(wildcard $(addprefix src/,$(addsuffix _*.c,$(ROOMS)))))
# a room is in the build once its src/<room>.sql exists (and in pg_regress once sql/<room>.sql does)
ROOM_SQL    = $(wildcard $(addprefix src/,$(addsuffix .sql,$(ROOMS))))
OBJS        = src/shegu.o src/core.o src/refcache.o $(ROOM_SRCS:.c=.o) $(ENGINE_SRCS:.c=.o)

DATA_built  = $(EXTENSION)--$(EXTVERSION).sql
# frozen install scripts of released versions and the upgrade scripts between versions
DATA        = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*.sql))

REGRESS      = $(foreach r,$(ROOMS),$(if $(wildcard sql/$(r).sql),$(r)))
REGRESS_OPTS = --encoding=UTF8

PG_CPPFLAGS = -I$(srcdir)/src -DSHEGU_LIBRARY_VERSION=\"$(EXTVERSION)\"
EXTRA_CLEAN = build

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header changes.
$(OBJS): $(wildcard src/*.h src/engine/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(ROOM_SQL) Makefile
	{ echo '-- shegu $(EXTVERSION): assembled by the Makefile from $(ROOM_SQL); edit those.'; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION shegu" to load this file. \quit'; \
	  for f in $(ROOM_SQL); do echo; echo "-- ==== $$f"; cat $$f; done; } > $@

# ---- pure-engine tests, outside the server ----

UNIT_CC     ?= cc
UNIT_CFLAGS ?= -O2 -g -std=gnu11 -Wall -Wextra -Werror -Isrc/engine -Itest/unit
UNIT_TESTS   = $(patsubst test/unit/%.c,build/unit/%,$(wildcard test/unit/test_*.c))

build/unit/%: test/unit/%.c $(ENGINE_SRCS) $(wildcard src/engine/*.h) $(wildcard test/unit/*.h)
	@mkdir -p build/unit
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(ENGINE_SRCS) -lm

# Runs every engine test; each prints TAP lines and a closing "N passed, N failed".
unittest: $(UNIT_TESTS)
	@status=0; for t in $(UNIT_TESTS); do echo "# $$t"; $$t || status=1; done; exit $$status

# ---- fuzz targets (clang libFuzzer + ASan/UBSan), each run for FUZZ_SECONDS ----

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS  ?= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc/engine -Itest/unit
FUZZ_TARGETS  = $(patsubst test/fuzz/%.c,build/fuzz/%,$(wildcard test/fuzz/fuzz_*.c))

build/fuzz/%: test/fuzz/%.c $(ENGINE_SRCS) $(wildcard src/engine/*.h) $(wildcard test/unit/*.h)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(ENGINE_SRCS) -lm

fuzz: $(FUZZ_TARGETS)
	@status=0; for f in $(FUZZ_TARGETS); do \
	  echo "# $$f for $(FUZZ_SECONDS)s"; mkdir -p $$f.corpus; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -error_exitcode=77 \
	      $$f.corpus test/fuzz/corpus/$$(basename $$f) 2>$$f.log \
	    && echo "ok - $$f: no crash, no sanitizer report" \
	    || { status=1; echo "not ok - $$f (see $$f.log)"; tail -40 $$f.log; }; \
	done; exit $$status

.PHONY: unittest fuzz

# The rooms in install order, for tools/demo.sh.
print-rooms:
	@echo $(ROOMS)
.PHONY: print-rooms
