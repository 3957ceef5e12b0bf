# machxfer: machd (a user-space Mach IPC kernel), libmach and their tests.
#
#   make                  machd, libmach.a, libmach.so, libmach-uninstalled.pc
#   make demo             the guided tour of xferd under launchd (TRACE=1: with machd's trace)
#   make test             check dependencies, build, run every test program
#   make asan             the same with ASan+UBSan, built under build/asan/
#   make fuzz             libFuzzer runs of tests/fuzz (clang), FUZZ_SECONDS=60 each
#   make bench            benchmarks against raw Linux and D-Bus; docs/performance.md
#   make install          PREFIX=/usr/local DESTDIR=
#   make clean            remove build/
#
# Knobs: CC, CFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, WERROR=1, SANITIZE=1 (or a
# list such as SANITIZE=address,undefined), V=1 for full command lines.
# Every output goes under $(B); sources are found by wildcard.

CC         ?= cc
AR         ?= ar
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION     = 0.1.0
SOVERSION   = 0

# Always on, even when CFLAGS is overridden: C11 plus the GNU/Linux API.
STD  = -std=c11 -D_GNU_SOURCE
# -Wno-unused-parameter: Mach handlers, cmocka tests and ops-struct
# callbacks share fixed signatures and many ignore some arguments.
WARN = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
       -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual -Wundef \
       -Werror=implicit-function-declaration -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif

comma := ,
B = build
ifneq ($(SANITIZE),)
B        = build/asan
SAN_LIST = $(if $(filter 1,$(SANITIZE)),address$(comma)undefined,$(SANITIZE))
SAN      = -fsanitize=$(SAN_LIST) -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_OPT  = -O1
endif

ALL_CPPFLAGS = -Iinclude -Isrc/common $(CPPFLAGS)
ALL_CFLAGS   = $(STD) $(CFLAGS) $(SAN_OPT) $(WARN) $(SAN) -pthread -MMD -MP
ALL_LDFLAGS  = $(LDFLAGS) $(SAN) -pthread
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

ifneq ($(V),1)
Q = @
quiet = @printf '  %-6s %s\n' '$(1)' '$(2)';
endif

# Objects mirror their sources: src/kernel/x.c -> $(B)/obj/src/kernel/x.o,
# and $(B)/pic/... for the shared library.
obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
pic = $(patsubst %.c,$(B)/pic/%.o,$(1))

define link
@mkdir -p $(@D)
$(call quiet,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(1) $(LDLIBS)
endef

# Changing flags (or SANITIZE) rewrites $(SETTINGS), which every object
# depends on, so nothing built with other flags survives. Adding or removing
# a source rewrites $(SOURCES), which every program and library depends on,
# so none keeps a deleted object.
SETTINGS = $(B)/.make-settings
SOURCES  = $(B)/.make-sources
SETTINGS_NOW = $(CURDIR) $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS) $(CMOCKA_CFLAGS) $(CMOCKA_LIBS) $(DBUS_CFLAGS)
SOURCES_NOW  = $(sort $(wildcard src/*/*.c tests/*/*.c))
# $(call update,TEXT): rewrite $@ only when its content is not TEXT.
update = @mkdir -p $(@D); echo '$(subst ','\'',$(1))' | cmp -s - $@ || \
	echo '$(subst ','\'',$(1))' > $@

all:

# --- shared by machd and libmach -------------------------------------------
COMMON_SRCS := $(wildcard src/common/*.c)
COMMON_OBJS := $(call obj,$(COMMON_SRCS))

# --- machd: the kernel daemon; the rest of src/kernel is what unit tests link
KERNEL_SRCS := $(filter-out src/kernel/machd.c,$(wildcard src/kernel/*.c))
KERNEL_OBJS := $(call obj,$(KERNEL_SRCS))
BINS        += $(B)/bin/machd
$(B)/bin/machd: $(call obj,src/kernel/machd.c) $(KERNEL_OBJS) $(COMMON_OBJS) $(SOURCES)
	$(call link)

# --- libmach: the client library, static and shared ------------------------
LIBMACH_SRCS := $(wildcard src/libmach/*.c)
LIBMACH_A    := $(B)/lib/libmach.a
LIBMACH_SO   := $(B)/lib/libmach.so
LIBS         += $(LIBMACH_A) $(LIBMACH_SO) $(LIBMACH_SO).$(SOVERSION)
$(LIBMACH_A): $(call obj,$(LIBMACH_SRCS) $(COMMON_SRCS)) $(SOURCES)
	@mkdir -p $(@D)
	$(call quiet,AR,$@)rm -f $@ && $(AR) rcs $@ $(filter %.o,$^)
$(LIBMACH_SO).$(SOVERSION): $(call pic,$(LIBMACH_SRCS) $(COMMON_SRCS)) $(SOURCES)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) -shared -Wl,-soname,libmach.so.$(SOVERSION) \
	    -Wl,--no-undefined $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)
$(LIBMACH_SO): $(LIBMACH_SO).$(SOVERSION)
	$(Q)ln -sf libmach.so.$(SOVERSION) $@

# pkg-config finds libmach-uninstalled.pc first for "libmach"; it links the
# checkout's static library by absolute path, so link order and --as-needed
# do not matter.
PC_UNINSTALLED := $(B)/lib/pkgconfig/libmach-uninstalled.pc
$(PC_UNINSTALLED): mk/libmach-uninstalled.pc.in $(SETTINGS)
	@mkdir -p $(@D)
	$(call quiet,GEN,$@)sed -e 's|@TOP@|$(CURDIR)|g' -e 's|@BUILD@|$(B)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@SAN@|$(SAN)|g' $< > $@

# --- launchd and launchctl: plists (libxml2), jobs, the bootstrap server ----
# Everything in src/launchd but its main() is what the launchd unit tests
# and the plist fuzzers link; launchctl shares launchd's protocol header.
XML_CFLAGS   := $(shell $(PKG_CONFIG) --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
XML_LIBS     := $(shell $(PKG_CONFIG) --libs libxml-2.0 2>/dev/null || echo -lxml2)
LAUNCHD_SRCS := $(filter-out src/launchd/launchd.c,$(wildcard src/launchd/*.c))
LAUNCHD_OBJS := $(call obj,$(LAUNCHD_SRCS))
$(B)/obj/src/launchd/%.o:   XCFLAGS = $(XML_CFLAGS)
$(B)/obj/src/launchctl/%.o: XCFLAGS = -Isrc/launchd $(XML_CFLAGS)
ifneq ($(wildcard src/launchd/launchd.c),)
BINS += $(B)/bin/launchd
$(B)/bin/launchd: $(call obj,src/launchd/launchd.c) $(LAUNCHD_OBJS) $(LIBMACH_A) $(SOURCES)
	$(call link,$(XML_LIBS))
endif
ifneq ($(wildcard src/launchctl/*.c),)
BINS += $(B)/bin/launchctl
$(B)/bin/launchctl: $(call obj,$(wildcard src/launchctl/*.c)) $(LAUNCHD_OBJS) $(LIBMACH_A) $(SOURCES)
	$(call link,$(XML_LIBS))
endif
# The job program the launchd tests run (not a test itself: no test_ prefix).
LD_TESTJOB := $(B)/tests/launchd/ld_testjob
$(LD_TESTJOB): $(call obj,tests/launchd/ld_testjob.c) $(LIBMACH_A) $(SOURCES)
	$(call link)
tests: $(LD_TESTJOB)

# --- xferd (the demonstration service) and xfer (its client) -----------------
# Everything in src/service but its main() is what the service tests link.
SERVICE_SRCS := $(filter-out src/service/xferd.c,$(wildcard src/service/*.c))
SERVICE_OBJS := $(call obj,$(SERVICE_SRCS))
XFER_CLIENT  := $(call obj,src/tools/xfer_client.c)
$(B)/obj/src/service/%.o: XCFLAGS = -Isrc/libmach       # libmach_private.h: OOL counters
BINS += $(B)/bin/xferd $(B)/bin/xfer
$(B)/bin/xferd: $(call obj,src/service/xferd.c) $(SERVICE_OBJS) $(LIBMACH_A) $(SOURCES)
	$(call link)
$(B)/bin/xfer: $(call obj,src/tools/xfer.c) $(XFER_CLIENT) $(LIBMACH_A) $(SOURCES)
	$(call link)

all: $(BINS) $(LIBS) $(PC_UNINSTALLED)

# --- tests: one program per tests/<dir>/test_*.c ---------------------------
KTESTS  := $(patsubst %.c,$(B)/%,$(wildcard tests/kernel/test_*.c))
LTESTS  := $(patsubst %.c,$(B)/%,$(wildcard tests/libmach/test_*.c))
HARNESS := $(call obj,$(wildcard tests/harness/*.c))
DTESTS  := $(patsubst %.c,$(B)/%,$(wildcard tests/launchd/test_*.c))
STESTS  := $(patsubst %.c,$(B)/%,$(wildcard tests/service/test_*.c))
TESTS   := $(KTESTS) $(LTESTS) $(DTESTS) $(STESTS)

$(B)/obj/tests/kernel/%.o:  XCFLAGS = -Isrc/kernel $(CMOCKA_CFLAGS)
$(B)/obj/tests/libmach/%.o: XCFLAGS = -Itests/harness $(CMOCKA_CFLAGS)
$(B)/obj/tests/harness/%.o: XCFLAGS = -Itests/harness $(CMOCKA_CFLAGS)

$(KTESTS): $(B)/%: $(B)/obj/%.o $(KERNEL_OBJS) $(COMMON_OBJS) $(SOURCES)
	$(call link,$(CMOCKA_LIBS))
$(LTESTS): $(B)/%: $(B)/obj/%.o $(HARNESS) $(LIBMACH_A) $(SOURCES)
	$(call link,$(CMOCKA_LIBS))
$(B)/obj/tests/service/%.o: XCFLAGS = -Isrc/service -Isrc/tools -Itests/harness -Itests/launchd $(CMOCKA_CFLAGS)
$(STESTS): $(B)/%: $(B)/obj/%.o $(HARNESS) $(SERVICE_OBJS) $(XFER_CLIENT) $(LIBMACH_A) $(SOURCES)
	$(call link,$(CMOCKA_LIBS))
$(B)/obj/tests/launchd/%.o: XCFLAGS = -Isrc/launchd -Itests/harness $(XML_CFLAGS) $(CMOCKA_CFLAGS)
$(DTESTS): $(B)/%: $(B)/obj/%.o $(HARNESS) $(LAUNCHD_OBJS) $(LIBMACH_A) $(SOURCES)
	$(call link,$(CMOCKA_LIBS) $(XML_LIBS))

# --- fuzz targets: tests/fuzz/fuzz_*.c, each linked with the kernel like the
# unit tests.  Here with the replay driver (fuzz_main.c): a test program that
# runs the target once on every input of tests/fuzz/corpus/<name>.  `make
# fuzz` links the same objects, built by clang with coverage, to libFuzzer.
# Fuzzers of plists (fuzz_plist_*.c) link launchd's objects instead.
FUZZ_SRCS    := $(filter-out tests/fuzz/fuzz_main.c tests/fuzz/fuzz_fixture.c,\
                    $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_PLIST   := $(filter tests/fuzz/fuzz_plist%,$(FUZZ_SRCS))
FUZZ_FIXTURE := $(call obj,tests/fuzz/fuzz_fixture.c)
FTESTS       := $(patsubst %.c,$(B)/%,$(filter-out $(FUZZ_PLIST),$(FUZZ_SRCS)))
PTESTS       := $(patsubst %.c,$(B)/%,$(FUZZ_PLIST))
TESTS        += $(FTESTS) $(PTESTS)

$(B)/obj/tests/fuzz/%.o: XCFLAGS = -Isrc/kernel -Itests/kernel -Isrc/launchd $(XML_CFLAGS) $(CMOCKA_CFLAGS)

$(FTESTS): $(B)/%: $(B)/obj/%.o $(call obj,tests/fuzz/fuzz_main.c) $(FUZZ_FIXTURE) \
    $(KERNEL_OBJS) $(COMMON_OBJS) $(SOURCES)
	$(call link,$(CMOCKA_LIBS))
$(PTESTS): $(B)/%: $(B)/obj/%.o $(call obj,tests/fuzz/fuzz_main.c) $(LAUNCHD_OBJS) \
    $(LIBMACH_A) $(SOURCES)
	$(call link,$(CMOCKA_LIBS) $(XML_LIBS))

# --- benchmarks: tests/bench/*.c -> $(B)/bench/machxfer-bench ---------------
# `make bench` runs it through mk/bench.sh (table, docs/performance.md, the
# plot); tests/bench/test_*.c are test programs that run it in smoke mode.
# The D-Bus rows need libdbus-1-dev at build time, else they say skipped.
DBUS_OK     := $(shell $(PKG_CONFIG) --exists dbus-1 2>/dev/null && echo 1)
DBUS_CFLAGS := $(if $(DBUS_OK),-DHAVE_DBUS $(shell $(PKG_CONFIG) --cflags dbus-1))
DBUS_LIBS   := $(if $(DBUS_OK),$(shell $(PKG_CONFIG) --libs dbus-1))
BENCH_SRCS  := $(filter-out tests/bench/test_%,$(wildcard tests/bench/*.c))
BENCH       := $(B)/bench/machxfer-bench
BTESTS      := $(patsubst %.c,$(B)/%,$(wildcard tests/bench/test_*.c))
TESTS       += $(BTESTS)

# bench_launchd.c calls xferd through its client stubs (src/tools/xfer_client.c).
$(B)/obj/tests/bench/%.o: XCFLAGS = -Itests/harness -Isrc/tools $(CMOCKA_CFLAGS) $(DBUS_CFLAGS)
$(BENCH): $(call obj,$(BENCH_SRCS)) $(HARNESS) $(XFER_CLIENT) $(LIBMACH_A) $(SOURCES)
	$(call link,$(CMOCKA_LIBS) $(DBUS_LIBS) -lm)
$(BTESTS): $(B)/%: $(B)/obj/%.o $(BENCH) $(SOURCES)
	$(call link)

bench-build: $(BENCH) $(BINS)

tests: $(TESTS)

# libFuzzer builds (`make fuzz`): the sub-make sets B = $(FUZZ_B), CC = clang.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_B        = build/fuzz
FUZZ_OPTS     = -max_len=4096 -timeout=10 -print_final_stats=1
FUZZERS      := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(filter-out $(FUZZ_PLIST),$(FUZZ_SRCS)))
PFUZZERS     := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(FUZZ_PLIST))
FUZZ_PROBE    = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
                | $(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1

$(FUZZERS): $(FUZZ_B)/%: $(B)/obj/tests/fuzz/%.o $(FUZZ_FIXTURE) $(KERNEL_OBJS) \
    $(COMMON_OBJS) $(SOURCES)
	$(call link,-fsanitize=fuzzer $(CMOCKA_LIBS))
$(PFUZZERS): $(FUZZ_B)/%: $(B)/obj/tests/fuzz/%.o $(LAUNCHD_OBJS) $(LIBMACH_A) $(SOURCES)
	$(call link,-fsanitize=fuzzer $(CMOCKA_LIBS) $(XML_LIBS))

fuzzers: $(FUZZERS) $(PFUZZERS)

# New inputs go to $(FUZZ_B)/corpus/<name>, crashes to $(FUZZ_B)/crashes/.
fuzz:
	@if ! $(FUZZ_PROBE); then \
	    echo "make fuzz: needs $(FUZZ_CC) with libFuzzer (-fsanitize=fuzzer)."; \
	    echo "On Debian 12: apt-get install clang  (clang-14 with libclang-rt-14-dev)"; \
	    exit 0; fi; \
	$(MAKE) --no-print-directory fuzzers B=$(FUZZ_B) CC=$(FUZZ_CC) \
	    SANITIZE=address,undefined CFLAGS='-g -fsanitize=fuzzer-no-link' || exit 1; \
	for f in $(notdir $(FUZZERS) $(PFUZZERS)); do \
	    mkdir -p $(FUZZ_B)/corpus/$$f $(FUZZ_B)/crashes; \
	    echo "=== $$f for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_B)/$$f $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FUZZ_B)/crashes/$$f- \
	        $(FUZZ_B)/corpus/$$f tests/fuzz/corpus/$$f || exit 1; \
	done

test:
	@bash mk/deps.sh
	@$(MAKE) --no-print-directory all tests
	@bash tests/run-tests.sh $(B) $(TESTS)

asan:
	@$(MAKE) --no-print-directory test SANITIZE=1

# make demo TRACE=1: the tour with machd's trace of each step's messages.
demo:
	@bash mk/deps.sh
	@bash mk/demo.sh $(if $(filter 1,$(TRACE)),--trace)

bench:
	@bash mk/deps.sh bench
	@$(MAKE) --no-print-directory bench-build
	@bash mk/bench.sh $(B)

# --- generic rules ----------------------------------------------------------
$(B)/obj/%.o: %.c $(SETTINGS)
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CPPFLAGS) $(XCFLAGS) $(ALL_CFLAGS) -c -o $@ $<
$(B)/pic/%.o: %.c $(SETTINGS)
	@mkdir -p $(@D)
	$(call quiet,CC,$< (pic))$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(SETTINGS): FORCE
	$(call update,$(SETTINGS_NOW))
$(SOURCES): FORCE
	$(call update,$(SOURCES_NOW))

-include $(shell find $(B)/obj $(B)/pic -name '*.d' 2>/dev/null)

# --- install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	install -m 644 $(LIBMACH_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIBMACH_SO).$(SOVERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libmach.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libmach.so
	for h in $$(cd include && find . -name '*.h'); do \
	    install -D -m 644 include/$$h $(DESTDIR)$(INCLUDEDIR)/$$h || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    mk/libmach.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libmach.pc

clean:
	rm -rf build

.PHONY: all tests test asan fuzz fuzzers demo bench bench-build install clean FORCE
.DELETE_ON_ERROR:
