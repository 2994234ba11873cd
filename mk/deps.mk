# Where smab's dependencies come from; included by the Makefile.
#
# Each dependency X gets X_CFLAGS and X_LIBS from the first of these that
# applies, and X_FROM says which one it was (`make show-deps` prints them):
#   1. X_CFLAGS and/or X_LIBS, given on the command line or in the
#      environment (an empty value counts: `LAPACKE_LIBS=` when OpenBLAS
#      already contains LAPACKE);
#   2. X_DIR: X_DIR/include, and X_DIR/lib with the library's usual names;
#   3. pkg-config ($(PKG_CONFIG)), under the names of X_PKGS (set in the
#      Makefile's settings block), the first that exists;
#   4. MPI: the compiler wrapper (CC, mpicc by default); HDF5: the parallel
#      wrapper's own flags (`h5pcc -show`); the others: the usual library
#      names, for the compiler's default paths (a module's CPATH and
#      LIBRARY_PATH extend them). Random123 is headers only.
# HDF5 must be parallel (H5_HAVE_PARALLEL in H5pubconf.h); of the routes of
# step 3 and 4 the first parallel one wins, explicit ones are taken as given.
# HDF5's high-level library (hdf5_hl, Debian's parallel one hdf5_openmpi_hl)
# is looked for beside it and linked too.
#
# Failures are one line, and only for goals that compile: `make help`,
# `make deps`, `make clean` and `make show-deps` work without any of this.

# Goals that need no dependency found; `show-deps` looks but never fails.
SMAB_NODEPS_GOALS := help deps clean uninstall run
SMAB_GOALS        := $(or $(MAKECMDGOALS),all)
SMAB_DETECT := $(filter-out $(SMAB_NODEPS_GOALS),$(SMAB_GOALS))
SMAB_STRICT := $(filter-out show-deps,$(SMAB_DETECT))

# $(call smab_given,X): non-empty when X_CFLAGS or X_LIBS was set by the user.
smab_given = $(filter-out undefinedundefined,$(origin $(1)_CFLAGS)$(origin $(1)_LIBS))
# $(call smab_q,TEXT): TEXT as one single-quoted shell word.
smab_q = '$(subst ','\'',$(strip $(1)))'
# $(call smab_cpp,TEXT,CFLAGS): shell words preprocessing TEXT (printf's
# format) with CC and CFLAGS; the caller removes "$$t". A file, not stdin:
# Open MPI's mpicc adds its flags only when given a source file.
smab_cpp = t=$$(mktemp -d) && printf '$(1)' >"$$t/probe.c" && $(CC) $(2) -E -P "$$t/probe.c"
# $(call smab_lib_found,NAME,DIRS): non-empty if libNAME.so or .a is in one
# of DIRS or on the compiler's own library path (LIBRARY_PATH included).
smab_lib_found = $(or $(wildcard $(addsuffix /lib$(1).so,$(2)) $(addsuffix /lib$(1).a,$(2))),$(filter /%,$(shell $(CC) -print-file-name=lib$(1).so 2>/dev/null)))
# $(call smab_ldirs,LIBS): the -L directories of LIBS.
smab_ldirs = $(patsubst -L%,%,$(filter -L%,$(1)))
# $(call smab_pc,NAMES): the pkg-config names in NAMES that exist;
# $(call smab_pc1,NAMES): the first of them, asking no further.
smab_pc = $(foreach n,$(1),$(if $(shell $(PKG_CONFIG) --exists $(n) 2>/dev/null && echo y),$(n)))
smab_pc1 = $(if $(1),$(or $(call smab_pc,$(firstword $(1))),$(call smab_pc1,$(wordlist 2,99,$(1)))))

# $(call smab_explicit,X,LIBS WITH X_DIR): steps 1 and 2, for $(eval);
# X_FROM stays empty when neither applies.
define smab_explicit
ifneq ($$(call smab_given,$(1)),)
$(1)_FROM := $(1)_CFLAGS/$(1)_LIBS
else ifneq ($$($(1)_DIR),)
$(1)_CFLAGS := -I$$($(1)_DIR)/include
$(1)_LIBS := $$(if $(2),-L$$($(1)_DIR)/lib -Wl$$(comma)-rpath$$(comma)$$($(1)_DIR)/lib $(2))
$(1)_FROM := $(1)_DIR=$$($(1)_DIR)
endif
endef

# $(call smab_dep,X,LIBS WITH X_DIR OR BY DEFAULT): the four steps above.
define smab_dep
$(call smab_explicit,$(1),$(2))
ifeq ($$($(1)_FROM),)
$(1)_PC := $$(call smab_pc1,$$($(1)_PKGS))
ifneq ($$($(1)_PC),)
$(1)_CFLAGS := $$(shell $$(PKG_CONFIG) --cflags $$($(1)_PC))
$(1)_LIBS := $$(shell $$(PKG_CONFIG) --libs $$($(1)_PC))
$(1)_FROM := pkg-config $$($(1)_PC)
else
$(1)_CFLAGS :=
$(1)_LIBS := $(2)
$(1)_FROM := default $$(or $(2),(headers on the compiler's path))
endif
endif
endef
comma := ,
hash  := \#

ifneq ($(SMAB_DETECT),)

# ---- MPI: the wrapper compiler, or flags for a plain one -------------------
# The wrapper: mpicc when CC is make's default, else CC itself if it answers
# -showme (Open MPI) or -show (MPICH, Intel); none when MPI's flags are given.
$(eval $(call smab_explicit,MPI,-lmpi))
SMAB_MPI_WRAPPER := $(if $(MPI_FROM),,$(if $(filter default,$(origin CC)),$(if $(shell command -v mpicc 2>/dev/null),mpicc),$(if $(shell { $(CC) -showme || $(CC) -show; } >/dev/null 2>&1 && echo y),$(CC))))
ifeq ($(MPI_FROM),)
ifneq ($(SMAB_MPI_WRAPPER),)
MPI_FROM := wrapper $(SMAB_MPI_WRAPPER)
else
MPI_PC := $(call smab_pc1,$(MPI_PKGS))
ifneq ($(MPI_PC),)
MPI_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(MPI_PC))
MPI_LIBS := $(shell $(PKG_CONFIG) --libs $(MPI_PC))
MPI_FROM := pkg-config $(MPI_PC)
else ifneq ($(origin CC),default)
MPI_FROM := CC=$(CC), taken to find mpi.h itself
else
SMAB_ERR_MPI := smab: no MPI found (tried MPI_CFLAGS/MPI_LIBS, MPI_DIR, mpicc, pkg-config $(MPI_PKGS)); set CC=mpicc or MPI_DIR=... or load your site's MPI module
endif
endif
endif
ifeq ($(origin CC),default)
CC = $(or $(SMAB_MPI_WRAPPER),cc)
endif

ifeq ($(shell command -v $(firstword $(CC)) 2>/dev/null),)
SMAB_ERR_MPI := $(or $(SMAB_ERR_MPI),smab: the compiler CC=$(CC) was not found)
endif

# ---- HDF5: parallel, with its high-level library ---------------------------
# $(call smab_h5_parallel,CFLAGS): 1 if parallel, H5_HAVE_PARALLEL if serial, empty if no header.
smab_h5_parallel = $(shell $(call smab_cpp,$(hash)include <H5pubconf.h>\nH5_HAVE_PARALLEL\n,$(1)) 2>/dev/null | tail -n 1; rm -rf "$$t")
SMAB_H5_TRIED := HDF5_CFLAGS/HDF5_LIBS, HDF5_DIR, pkg-config $(HDF5_PKGS), $(H5PCC) -show

$(eval $(call smab_explicit,HDF5,-lhdf5))
ifeq ($(HDF5_FROM),)
# The wrapper prints its compiler, then the flags: keep the flags. Asked
# only when no pkg-config route is parallel, then once.
HDF5_SHOW = $(eval HDF5_SHOW := $(shell $(H5PCC) -shlib -show 2>/dev/null || $(H5PCC) -show 2>/dev/null))$(HDF5_SHOW)
HDF5_SHOW_CFLAGS = $(filter -I% -D%,$(wordlist 2,999,$(HDF5_SHOW)))
HDF5_SHOW_LIBS = $(filter -L% -l% -Wl$(comma)% %.a %.so,$(wordlist 2,999,$(HDF5_SHOW)))
# $(call smab_h5_verdict,ROUTE): 1 parallel, H5_HAVE_PARALLEL serial, else empty.
smab_h5_verdict = $(if $(filter h5pcc,$(1)),$(if $(HDF5_SHOW),$(call smab_h5_parallel,$(HDF5_SHOW_CFLAGS))),$(call smab_h5_parallel,$(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)))
# $(call smab_h5_first,ROUTES): the first parallel one, trying no further.
smab_h5_first = $(if $(1),$(if $(filter 1,$(call smab_h5_verdict,$(firstword $(1)))),$(firstword $(1)),$(call smab_h5_first,$(wordlist 2,99,$(1)))))
SMAB_H5_ROUTES := $(call smab_pc,$(HDF5_PKGS)) h5pcc
SMAB_H5_PICK := $(call smab_h5_first,$(SMAB_H5_ROUTES))
ifeq ($(SMAB_H5_PICK),h5pcc)
HDF5_CFLAGS := $(HDF5_SHOW_CFLAGS)
HDF5_LIBS := $(HDF5_SHOW_LIBS)
HDF5_FROM := $(H5PCC) -show
else ifneq ($(SMAB_H5_PICK),)
HDF5_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(SMAB_H5_PICK))
HDF5_LIBS := $(shell $(PKG_CONFIG) --libs $(SMAB_H5_PICK))
HDF5_FROM := pkg-config $(SMAB_H5_PICK)
else
# Nothing parallel: the routes that gave a serial HDF5, for the message.
SMAB_H5_SERIAL := $(foreach r,$(SMAB_H5_ROUTES),$(if $(filter H5_HAVE_PARALLEL,$(call smab_h5_verdict,$(r))),$(patsubst h5pcc,$(H5PCC),$(r))))
endif
ifeq ($(HDF5_FROM),)
ifneq ($(SMAB_H5_SERIAL),)
SMAB_ERR_HDF5 := smab: only a serial HDF5 found (by $(SMAB_H5_SERIAL)); smab needs a parallel one: set HDF5_DIR=... or load your site's parallel hdf5 module
else
SMAB_ERR_HDF5 := smab: no parallel HDF5 found (tried $(SMAB_H5_TRIED)); set HDF5_DIR=... or load your site's hdf5 module
endif
endif
endif

ifneq ($(HDF5_FROM),)
SMAB_H5_PAR := $(if $(SMAB_H5_PICK),1,$(call smab_h5_parallel,$(HDF5_CFLAGS)))
ifeq ($(SMAB_H5_PAR),H5_HAVE_PARALLEL)
SMAB_ERR_HDF5 := smab: the HDF5 from $(HDF5_FROM) is serial (H5pubconf.h lacks H5_HAVE_PARALLEL); smab needs a parallel one
else ifneq ($(SMAB_H5_PAR),1)
SMAB_ERR_HDF5 := smab: no parallel HDF5 found: H5pubconf.h is not on the include path $(HDF5_FROM) gives ($(or $(HDF5_CFLAGS),none)); set HDF5_DIR=... or load your site's hdf5 module
endif
# The high-level library, unless the flags name it already: by the names
# builds give it, in the -L directories, then on the compiler's own path.
ifeq ($(findstring hdf5_hl,$(HDF5_LIBS))$(findstring hdf5_openmpi_hl,$(HDF5_LIBS))$(findstring hdf5_mpich_hl,$(HDF5_LIBS)),)
HDF5_HL := $(firstword $(foreach n,hdf5_hl hdf5_openmpi_hl hdf5_mpich_hl,$(if $(call smab_lib_found,$(n),$(call smab_ldirs,$(HDF5_LIBS))),$(n))))
ifneq ($(HDF5_HL),)
override HDF5_LIBS := -l$(HDF5_HL) $(HDF5_LIBS)
else
SMAB_ERR_HL := smab: HDF5's high-level library (libhdf5_hl) not found beside the HDF5 from $(HDF5_FROM); add it to HDF5_LIBS
endif
endif
endif

# ---- the others -------------------------------------------------------------
# OpenBLAS before GSL, so that cblas_* resolve to OpenBLAS, not gslcblas.
$(eval $(call smab_dep,BLAS,-lopenblas))
# An OpenBLAS built with LAPACKE inside (Spack's, for one) needs no
# liblapacke: by default it is linked only when it exists.
$(eval $(call smab_dep,LAPACKE,$$(if $$(call smab_lib_found,lapacke,$$(call smab_ldirs,$$(BLAS_LIBS))),-llapacke)))
$(eval $(call smab_dep,GSL,-lgsl -lgslcblas))
$(eval $(call smab_dep,YAML,-lyaml))
$(eval $(call smab_dep,CRYPTO,-lcrypto))
$(eval $(call smab_dep,ZLIB,-lz))
$(eval $(call smab_dep,RANDOM123,))
$(eval $(call smab_dep,CHECK,-lcheck))

DEPS_CFLAGS := $(strip $(MPI_CFLAGS) $(HDF5_CFLAGS) $(BLAS_CFLAGS) $(LAPACKE_CFLAGS) $(GSL_CFLAGS) \
               $(YAML_CFLAGS) $(CRYPTO_CFLAGS) $(ZLIB_CFLAGS) $(RANDOM123_CFLAGS))
DEPS_LIBS   := $(strip $(HDF5_LIBS) $(MPI_LIBS) $(YAML_LIBS) $(BLAS_LIBS) $(LAPACKE_LIBS) $(GSL_LIBS) \
               $(CRYPTO_LIBS) $(ZLIB_LIBS))

# Every header the sources include from a dependency, in one preprocessor
# run: the first one missing names the dependency to point at. Check's only
# for the goals that build unit tests.
SMAB_HEADERS := mpi.h:MPI hdf5.h:HDF5 cblas.h:BLAS lapacke.h:LAPACKE gsl/gsl_rng.h:GSL \
                yaml.h:YAML openssl/evp.h:CRYPTO zlib.h:ZLIB Random123/philox.h:RANDOM123 \
                $(if $(filter check unit asan $(BUILD)/tests/%,$(SMAB_GOALS)),check.h:CHECK)
SMAB_DEPS_ERROR = $(or $(SMAB_ERR_MPI),$(SMAB_ERR_HDF5),$(SMAB_ERR_HL),$(SMAB_ERR_HEADER))
ifeq ($(SMAB_DEPS_ERROR),)
SMAB_MISSING := $(shell $(call smab_cpp,$(foreach h,$(SMAB_HEADERS),$(hash)include <$(firstword $(subst :, ,$(h)))>\n),$(DEPS_CFLAGS) $(CHECK_CFLAGS)) \
  2>&1 >/dev/null | sed -n 's/.*error: \([^ :]*\): No such file.*/\1/p' | head -n 1; rm -rf "$$t")
SMAB_MISSING_DEP := $(lastword $(subst :, ,$(filter $(SMAB_MISSING):%,$(SMAB_HEADERS))))
ifneq ($(SMAB_MISSING),)
SMAB_ERR_HEADER := smab: $(SMAB_MISSING) not found ($(SMAB_MISSING_DEP) from $($(SMAB_MISSING_DEP)_FROM)); set $(SMAB_MISSING_DEP)_DIR=... or $(SMAB_MISSING_DEP)_CFLAGS/$(SMAB_MISSING_DEP)_LIBS, or load its module
endif
endif

ifneq ($(SMAB_STRICT),)
ifneq ($(SMAB_DEPS_ERROR),)
$(error $(SMAB_DEPS_ERROR))
endif
endif

endif
