# helpdeskd: SMS/email intake gateway for a government IT helpdesk.
# Targets: all demo check bench install uninstall clean deps

PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
BINDIR      ?= $(PREFIX)/bin
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/helpdeskd
DESTDIR     ?=
CC          ?= cc
BUILD       ?= build
SANITIZE    ?=
DURATION    ?=
VERSION     := 0.1.0

PKGS        := gammu libconfig sqlite3 nettle gnutls libcurl
CPPFLAGS    += -D_GNU_SOURCE -DHD_VERSION=\"$(VERSION)\" -Iparsers -Idaemon -I$(BUILD)
CFLAGS      ?= -O2 -g
CFLAGS      += -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wformat=2 -pthread \
               $(shell pkg-config --cflags $(PKGS) libetpan 2>/dev/null)
# libetpan's pkg-config --libs adds a dpkg specs file that makes a non-PIE
# binary: link it plainly.
LDLIBS      += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -letpan -pthread
ifneq ($(SANITIZE),)
CFLAGS      += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS     += -fsanitize=address,undefined
endif

# Debian packages: to build, and to test.
BUILD_DEBS  := gcc libc6-dev make pkg-config libgammu-dev gammu libsqlite3-dev libconfig-dev \
               nettle-dev libsystemd-dev libetpan-dev libcurl4-gnutls-dev
TEST_DEBS   := python3 sqlite3 cppcheck dovecot-imapd python3-aiosmtpd gnutls-bin chromium \
               mandoc man-db groff-base systemd
BENCH_DEBS  := python3 sqlite3 gammu-smsd dovecot-imapd python3-aiosmtpd gnutls-bin isync

PARSERS_SRC := parsers/grammar.c parsers/phone.c parsers/text.c parsers/template.c \
               parsers/address.c parsers/compose.c parsers/mime.c parsers/mime_codec.c \
               parsers/mime_header.c parsers/mime_addr.c parsers/mime_param.c parsers/mime_date.c \
               parsers/charset.c parsers/html.c parsers/category.c \
               parsers/utf7.c
COMMON_SRC  := daemon/log.c daemon/config.c daemon/config_mail.c daemon/config_diag.c daemon/store.c daemon/migrate.c \
               daemon/ticket.c daemon/util.c daemon/contacts.c daemon/notify.c \
               daemon/intake.c daemon/templates.c daemon/spool.c daemon/email.c daemon/tls.c \
               daemon/calendar.c daemon/sla.c daemon/workflow.c daemon/config_workflow.c daemon/config_service.c daemon/health.c daemon/retention.c
DAEMON_SRC  := daemon/helpdeskd.c daemon/outbox.c daemon/channel.c \
               daemon/sms.c daemon/sms_read.c daemon/sms_codec.c daemon/imap.c daemon/imap_batch.c daemon/smtp.c \
               daemon/clock.c daemon/modem_link.c daemon/modem_worker.c daemon/live.c daemon/sdnotify.c daemon/service.c daemon/metrics.c
CTL_SRC     := daemon/helpdeskctl.c daemon/ctl_view.c daemon/ctl_work.c daemon/ctl_report.c daemon/ctl_report_emit.c daemon/ctl_report_html.c daemon/ctl_health.c daemon/ctl_backup.c daemon/ctl_archive.c daemon/ctl_vacuum.c
SCHEMA      := $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
UNIT_SRC    := $(sort $(wildcard tests/unit/test_*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ     := $(call obj,$(PARSERS_SRC) $(COMMON_SRC)) $(BUILD)/schema.o
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

all: $(BUILD)/helpdeskd $(BUILD)/helpdeskctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/schema.c: schema/embed.sh $(SCHEMA)
	@mkdir -p $(BUILD)
	sh schema/embed.sh $(SCHEMA) > $@.tmp && mv $@.tmp $@

$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libhd.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/helpdeskd: $(call obj,$(DAEMON_SRC)) $(BUILD)/libhd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/helpdeskctl: $(call obj,$(CTL_SRC)) $(BUILD)/libhd.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libhd.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# deps-build / deps-test: install missing Debian packages when root,
# otherwise print the exact apt-get line and stop.
deps-build:
	@$(call ensure_debs,$(BUILD_DEBS))
deps-test:
	@$(call ensure_debs,$(BUILD_DEBS) $(TEST_DEBS))
deps-bench:
	@$(call ensure_debs,$(BUILD_DEBS) $(BENCH_DEBS))
define ensure_debs
	missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

demo: deps-build
	$(MAKE) all
	sh tests/demo.sh $(BUILD) $(DURATION)

check: deps-test
	$(MAKE) -s all
	$(MAKE) -s BUILD=build/check SANITIZE=1 all $(patsubst build/%,build/check/%,$(UNIT_BIN))
	/usr/bin/python3 tests/sql_args.py
	$(MAKE) -s cppcheck
	/usr/bin/python3 tests/run.py --build build/check

bench: deps-bench
	$(MAKE) all
	/usr/bin/python3 bench/sms_latency.py --build $(BUILD) --at
	/usr/bin/python3 bench/imap_latency.py --build $(BUILD)

cppcheck:
	cppcheck --error-exitcode=1 --enable=warning,portability --inline-suppr -q \
	  -D_GNU_SOURCE -Iparsers -Idaemon daemon parsers tests/unit

# Never overwrites an existing helpdeskd.conf: it is the site's.
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/helpdeskd
	install -m 0755 $(BUILD)/helpdeskd $(DESTDIR)$(SBINDIR)/helpdeskd
	install -m 0755 $(BUILD)/helpdeskctl $(DESTDIR)$(BINDIR)/helpdeskctl
	sed 's|/usr/sbin/helpdeskd|$(SBINDIR)/helpdeskd|g; s|/etc/helpdeskd/|$(SYSCONFDIR)/helpdeskd/|g' \
	  systemd/helpdeskd.service > $(DESTDIR)$(UNITDIR)/helpdeskd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/helpdeskd.service
	install -m 0644 systemd/helpdeskd.sysusers $(DESTDIR)$(SYSUSERSDIR)/helpdeskd.conf
	install -m 0644 systemd/helpdeskd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/helpdeskd.conf
	install -m 0644 man/helpdeskctl.1 $(DESTDIR)$(MANDIR)/man1/helpdeskctl.1
	install -m 0644 man/helpdeskd.conf.5 $(DESTDIR)$(MANDIR)/man5/helpdeskd.conf.5
	install -m 0644 man/helpdeskd.8 $(DESTDIR)$(MANDIR)/man8/helpdeskd.8
	install -m 0644 README.md docs/grammar.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 config/helpdeskd.conf.example $(DESTDIR)$(DOCDIR)/helpdeskd.conf.example
	install -m 0644 config/templates-en.conf $(DESTDIR)$(SYSCONFDIR)/helpdeskd/templates-en.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/helpdeskd/helpdeskd.conf ] || \
	  install -m 0640 config/helpdeskd.conf.example $(DESTDIR)$(SYSCONFDIR)/helpdeskd/helpdeskd.conf

# Leaves helpdeskd.conf and the state in /var/lib/helpdeskd: they are the site's.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/helpdeskd $(DESTDIR)$(BINDIR)/helpdeskctl \
	  $(DESTDIR)$(UNITDIR)/helpdeskd.service $(DESTDIR)$(SYSUSERSDIR)/helpdeskd.conf \
	  $(DESTDIR)$(TMPFILESDIR)/helpdeskd.conf $(DESTDIR)$(MANDIR)/man1/helpdeskctl.1 \
	  $(DESTDIR)$(MANDIR)/man5/helpdeskd.conf.5 $(DESTDIR)$(MANDIR)/man8/helpdeskd.8 \
	  $(DESTDIR)$(DOCDIR)/README.md $(DESTDIR)$(DOCDIR)/grammar.md \
	  $(DESTDIR)$(DOCDIR)/helpdeskd.conf.example \
	  $(DESTDIR)$(SYSCONFDIR)/helpdeskd/templates-en.conf
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build var

.PHONY: all demo check bench cppcheck install uninstall clean deps-build deps-test deps-bench
