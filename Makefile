# khub: the top-level Makefile. `make` builds (running ./configure when
# needed); `make check` installs what the tests need, then runs them all.

.POSIX:
.SUFFIXES:

# Goals that must work before ./configure can (they install its needs).
BOOTSTRAP_GOALS = deps check check-asan demo demo-stop bench deb fuzz clean distclean
ifneq ($(filter-out $(BOOTSTRAP_GOALS),$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

WARN    = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
          -Wmissing-prototypes -Wno-unused-parameter -Wformat=2
CFLAGS  = $(CFLAGS_CONF) -std=c11 -D_GNU_SOURCE $(WARN) $(SAN) \
          -DKHUB_DEFAULT_CONFIG='"$(sysconfdir)/khub.conf"' \
          -DKHUB_VERSION='"$(VERSION)"' $(DEP_CFLAGS)
LDFLAGS = $(LDFLAGS_CONF) $(SAN)
LIBS    = $(DEP_LIBS)
B       = build
# `make V=1` shows each command; otherwise one line per file.
Q       = $(if $(V),,@echo '  $(notdir $@)';)

MAINS   = src/fcgi_main.c src/khubctl.c
LIBSRC  = $(filter-out $(MAINS),$(wildcard src/*.c)) $(B)/migrations.c
LIBOBJ  = $(patsubst %.c,$(B)/%.o,$(notdir $(LIBSRC)))
TESTS   = $(patsubst tests/unit/%.c,$(B)/%,$(wildcard tests/unit/test_*.c))
HEADERS = $(wildcard src/*.h)
# Fuzz harnesses: tests/fuzz/fuzz_NAME.c, corpus in tests/fuzz/corpus/NAME/.
# `make` links each with the standalone driver (replays its corpus);
# `make fuzz` links each with libFuzzer (FUZZ_MAIN empty, FUZZ_LINK set).
FUZZERS = $(patsubst tests/fuzz/%.c,$(B)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_MAIN = tests/fuzz/standalone_driver.c
FUZZ_LINK =
FUZZ_SECONDS = 30
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

all: $(B)/khub.fcgi $(B)/khubctl $(B)/hello.fcgi $(TESTS) $(FUZZERS)

config.mk: configure config.mk.in
	./configure
configure: configure.ac
	autoconf && rm -rf autom4te.cache

$(B)/.dir:
	mkdir -p $(B) && touch $@
$(B)/%.o: src/%.c $(HEADERS) config.mk | $(B)/.dir
	$(Q)$(CC) $(CFLAGS) -Isrc -c -o $@ $<
$(B)/migrations.c: $(sort $(wildcard sql/*.sql)) contrib/dev/embed-sql | $(B)/.dir
	sh contrib/dev/embed-sql $(sort $(wildcard sql/*.sql)) > $@
$(B)/migrations.o: $(B)/migrations.c src/migrate.h
	$(Q)$(CC) $(CFLAGS) -Isrc -c -o $@ $<
$(B)/libkhub.a: $(LIBOBJ)
	$(Q)rm -f $@ && ar rcs $@ $(LIBOBJ)
$(B)/khub.fcgi: $(B)/fcgi_main.o $(B)/libkhub.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $(B)/fcgi_main.o $(B)/libkhub.a $(LIBS)
$(B)/khubctl: $(B)/khubctl.o $(B)/libkhub.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $(B)/khubctl.o $(B)/libkhub.a $(LIBS)
$(B)/hello.fcgi: tests/bench/hello.c config.mk | $(B)/.dir
	$(Q)$(CC) $(CFLAGS) -o $@ tests/bench/hello.c $(LDFLAGS) $(LIBS)
$(B)/test_%: tests/unit/test_%.c tests/unit/*.h $(B)/libkhub.a
	$(Q)$(CC) $(CFLAGS) -Isrc -o $@ $< $(B)/libkhub.a $(LDFLAGS) $(LIBS)

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_MAIN) tests/fuzz/fuzz.h \
    tests/unit/fakereq.h $(B)/libkhub.a
	$(Q)$(CC) $(CFLAGS) -Isrc -o $@ $< $(FUZZ_MAIN) $(B)/libkhub.a \
	    $(LDFLAGS) $(FUZZ_LINK) $(LIBS)

# ---- goals that install their own needs first ----

deps:
	sh contrib/dev/install-deps

check: deps
	$(MAKE) all
	sh tests/run

# The same tests with AddressSanitizer and UBSan, in a separate build tree.
check-asan: deps
	$(MAKE) B=build-asan SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' all
	KHUB_BUILD=build-asan sh tests/run

bench: deps
	$(MAKE) all
	sh tests/bench/run

# Each harness under libFuzzer with ASan and UBSan (clang), FUZZ_SECONDS
# each (FUZZ_NAMES="url range": only those), in build-fuzz. New inputs go
# to build-fuzz/corpus/NAME (the committed seeds are read, not grown); a
# crash is written into tests/fuzz/corpus/NAME/ as crash-<sha1> (timeout-,
# leak-, oom-), and make fuzz then fails. Triage it, fix the bug, and keep
# the input there under a name saying what it was (crash-file-and-folder),
# so that `make check` replays it.
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz:
	sh contrib/dev/install-deps fuzz
	$(MAKE) B=build-fuzz CC=clang SAN='$(FUZZ_SAN)' FUZZ_MAIN= \
	    FUZZ_LINK=-fsanitize=fuzzer fuzz-build
	@set -e; for n in $(FUZZ_NAMES); do f=build-fuzz/fuzz_$$n; \
	    mkdir -p build-fuzz/corpus/$$n; echo "== fuzz $$n ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=tests/fuzz/corpus/$$n/ \
	        build-fuzz/corpus/$$n tests/fuzz/corpus/$$n 2>&1 | \
	        grep -E '^(#[0-9]+.*(DONE|INITED)|==|SUMMARY|artifact|stat::number_of_executed_units)' || true; \
	    done; new=$$(ls -d tests/fuzz/corpus/*/* | grep -E \
	        '/(crash|leak|timeout|oom|slow-unit)-[0-9a-f]{40}$$' || true); \
	    [ -z "$$new" ] || { echo "fuzz: new failing inputs:"; \
	        echo "$$new"; exit 1; }
fuzz-build: $(FUZZERS)

demo: deps
	$(MAKE) all
	sh contrib/dev/demo start

demo-stop:
	sh contrib/dev/demo stop

# The Debian package, built in a copy of the tree under run/deb.
deb: deps
	sh contrib/dev/build-deb

EXAMPLES = contrib/apache/khub.conf contrib/apache/htaccess \
	contrib/lighttpd/khub.conf contrib/spawn-fcgi/nginx.conf \
	contrib/spawn-fcgi/supervisord.conf \
	contrib/spawn-fcgi/khub-spawn-fcgi.service \
	contrib/spawn-fcgi/khub-prefork.service \
	contrib/logrotate/khub contrib/s3/cors.xml

install: all
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(sysconfdir) $(DESTDIR)$(datadir)/khub/sql \
	    $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 \
	    $(DESTDIR)$(datadir)/doc/khub/examples/apache \
	    $(DESTDIR)$(datadir)/doc/khub/examples/lighttpd \
	    $(DESTDIR)$(datadir)/doc/khub/examples/spawn-fcgi \
	    $(DESTDIR)$(datadir)/doc/khub/examples/logrotate \
	    $(DESTDIR)$(datadir)/doc/khub/examples/s3
	install -m 755 $(B)/khub.fcgi $(B)/khubctl $(DESTDIR)$(bindir)
	test -e $(DESTDIR)$(sysconfdir)/khub.conf || install -m 640 etc/khub.conf $(DESTDIR)$(sysconfdir)/khub.conf
	install -m 644 sql/*.sql $(DESTDIR)$(datadir)/khub/sql
	install -m 644 doc/khub.conf.5 $(DESTDIR)$(mandir)/man5
	install -m 644 doc/khub.fcgi.8 doc/khubctl.8 $(DESTDIR)$(mandir)/man8
	for f in $(EXAMPLES); do \
	    install -m 644 $$f $(DESTDIR)$(datadir)/doc/khub/examples/$${f#contrib/}; done

clean:
	rm -rf build build-asan build-fuzz

distclean: clean
	rm -f config.mk config.log config.status configure

.PHONY: all deps check check-asan bench fuzz fuzz-build demo demo-stop deb install clean \
	distclean
