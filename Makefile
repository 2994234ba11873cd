# smab - MPI-parallel Monte Carlo engine for strategic bandits.
#
#   make            build build/smab
#   make run        install missing packages, build, run experiments/quick.yaml on 2 ranks
#   make check      build and run every test (unit + integration)
#   make asan       unit tests under AddressSanitizer and UBSan
#   make bench      performance benchmarks (see README)
#   make deps       install the Debian packages (root) or print the apt line
#
# ---- settings: everything that may need changing is in this block ---------
ifeq ($(origin CC),default)
CC       = mpicc
endif
NP      ?= 2
PKGS     = hdf5-openmpi yaml-0.1 gsl libcrypto
TESTPKGS = check
OPT     ?= -O2 -march=x86-64-v2
WARN     = -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wundef
MPIRUN  ?= mpirun
MPIFLAGS ?= --oversubscribe
BUILD   ?= build
# ---- nothing to edit below this line ---------------------------------------

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHK_CFLAGS := $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
CHK_LIBS   := $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

CPPFLAGS += -Iinclude $(PKG_CFLAGS) -D_GNU_SOURCE
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=c11 $(WARN) -MMD -MP
BUILDFLAGS = $(CC) $(CFLAGS)
DEFS      = -DSMAB_GIT_COMMIT='"$(GIT_COMMIT)"' -DSMAB_BUILD_FLAGS='"$(strip $(BUILDFLAGS))"'
LDLIBS   += $(PKG_LIBS) -lm

SRC      := $(wildcard src/*.c src/suites/*.c src/mechs/*.c)
LIBSRC   := $(filter-out src/main.c,$(SRC))
OBJ      := $(LIBSRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libsmab.a
BIN      := $(BUILD)/smab
UNITSRC  := $(wildcard tests/unit/test_*.c)
UNITBIN  := $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)
ITESTSRC := $(wildcard tests/integration/*.c)
ITESTBIN := $(ITESTSRC:tests/integration/%.c=$(BUILD)/itest/%)
BENCHSRC := $(wildcard tests/bench/*.c)
BENCHBIN := $(BENCHSRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all run check unit integration asan bench deps clean
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEFS) -c $< -o $@

$(LIB): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check_util.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CHK_CFLAGS) $(CFLAGS) $< $(LIB) $(LDLIBS) $(CHK_LIBS) -o $@

$(BUILD)/itest/%: tests/integration/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(BUILD)/bench/%: tests/bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

deps:
	@bash scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p results
	$(MPIRUN) $(MPIFLAGS) -np $(NP) $(BIN) run experiments/quick.yaml -o results/quick.h5 --force

check: $(BIN) $(UNITBIN) $(ITESTBIN)
	@bash tests/run-tests.sh $(BUILD)

unit: $(UNITBIN)
	@bash tests/run-tests.sh $(BUILD) unit

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" unit

bench: $(BIN) $(BENCHBIN)
	@bash scripts/bench/run.sh $(BUILD)

clean:
	rm -rf build build-asan

-include $(OBJ:.o=.d) $(BUILD)/src/main.d
