# hotmm: a bare-metal aarch64 kernel for QEMU virt that shows how a kernel
# builds its memmap and hot-adds memory.
#
#   make [PAGE_SIZE=4K|16K|64K]   build build/<granule>/hotmm.elf and hotmm.bin
#   make run | debug | gdb        boot in QEMU (see README.md); QMP on build/qmp.sock
#   make test                     every test, all three granules (GRANULES="4K" for fewer)
#   make soak                     the fail_nth= boot sweep over more machines
#   make bench                    figures (boot time, ...); HOTMM_BENCH=ram,memmap for some

PAGE_SIZE ?= 4K
GRANULES := 4K 16K 64K

ifeq ($(PAGE_SIZE),4K)
PAGE_SHIFT := 12
else ifeq ($(PAGE_SIZE),16K)
PAGE_SHIFT := 14
else ifeq ($(PAGE_SIZE),64K)
PAGE_SHIFT := 16
else
$(error PAGE_SIZE must be 4K, 16K or 64K, not '$(PAGE_SIZE)')
endif

CROSS	?= aarch64-linux-gnu-
CC	:= $(CROSS)gcc
OBJCOPY	:= $(CROSS)objcopy
NM	:= $(CROSS)nm
READELF	:= $(CROSS)readelf
HOSTCC	:= gcc
PYTHON	:= /usr/bin/python3

# Build option: Linux's SECTION_SIZE_BITS (default 27, 29 for 64K). Each
# value builds in its own directory (build/64K-s28/), so objects of one
# geometry are never reused for another.
ifdef SECTION_SIZE_BITS
VARIANT	:= -s$(SECTION_SIZE_BITS)
endif
B	:= build/$(PAGE_SIZE)$(VARIANT)
# `make V=1` shows whole commands; otherwise one short line per step.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @echo "  $(1)	$(2)"
endif
FDT	:= build/deps/libfdt/usr
LIBFDT	:= $(FDT)/lib/aarch64-linux-gnu/libfdt.a
VERSION	:= $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

# DESIGN §3: no PIE, no outline atomics, no FP/SIMD in our own code.
KCFLAGS := -std=gnu11 -ffreestanding -fno-pie -fno-pic -mno-outline-atomics \
	-mgeneral-regs-only -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-common -fno-stack-protector -fno-strict-aliasing -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iinclude -Iinclude/libc -I$(FDT)/include \
	-DCONFIG_PAGE_SHIFT=$(PAGE_SHIFT) -I$(B)/generated -MMD -MP
ifdef SECTION_SIZE_BITS
KCFLAGS += -DSECTION_SIZE_BITS=$(SECTION_SIZE_BITS)
endif
# Only arch/ and boot/ see the arch-private headers; mm/ cannot include them.
ARCH_INC := -Iarch/aarch64/include
# Code that runs with the MMU off: no unaligned accesses, no DC ZVA.
BOOT_CFLAGS := -mstrict-align -fno-builtin -fno-tree-loop-distribute-patterns
LDFLAGS := -nostdlib -static -no-pie -Wl,--orphan-handling=error \
	-Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=0x10000 -Wl,--build-id=none

boot_src   := $(wildcard boot/*.S boot/*.c)
arch_src   := $(wildcard arch/aarch64/*.S arch/aarch64/*.c)
other_src  := $(wildcard mm/*.c drivers/*.c kernel/*.c lib/*.c tests/kernel/*.c)
objs := $(patsubst %,$(B)/obj/%.o,$(basename $(boot_src) $(arch_src) $(other_src)))

.PHONY: all deps run debug gdb test unit qemu-test soak bench clean FORCE
.DELETE_ON_ERROR:
all: $(B)/hotmm.bin $(B)/hotmm.elf

deps:
	@./scripts/deps.sh

$(LIBFDT):
	@./scripts/deps.sh

$(B)/obj/boot/%.o: boot/%.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) $(BOOT_CFLAGS) -c $< -o $@
$(B)/obj/boot/%.o: boot/%.S
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) -D__ASSEMBLY__ -c $< -o $@
# The descriptor encoders are also called by boot/early_map.c, MMU off.
$(B)/obj/arch/aarch64/pgtable.o: arch/aarch64/pgtable.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) $(BOOT_CFLAGS) -c $< -o $@
$(B)/obj/arch/%.o: arch/%.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) -c $< -o $@
$(B)/obj/arch/%.o: arch/%.S
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) -D__ASSEMBLY__ -c $< -o $@
# Generic code: mm/ and lib/ cannot see arch-private headers.
$(B)/obj/mm/%.o: mm/%.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
$(B)/obj/lib/%.o: lib/%.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@
$(B)/obj/%.o: %.c | $(LIBFDT)
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(KCFLAGS) $(ARCH_INC) -c $< -o $@

# The version (git describe) is rewritten only when it changes, so a new
# commit rebuilds what prints it and nothing else.
$(B)/generated/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define HOTMM_VERSION "$(VERSION)"' > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(B)/obj/kernel/main.o $(B)/obj/kernel/cmd_sys.o: $(B)/generated/version.h

$(B)/linker.lds: linker.ld include/layout.h
	@mkdir -p $(@D)
	$(call say,LDS,$@)
	$(Q)$(CC) -E -P -x c -D__ASSEMBLY__ -DCONFIG_PAGE_SHIFT=$(PAGE_SHIFT) -Iinclude $< -o $@

# Boot code runs before the MMU maps the kernel at its link address: an
# absolute address in it would point nowhere.
MMU_OFF_OBJS := $(B)/obj/boot/entry.o $(B)/obj/boot/early_map.o $(B)/obj/arch/aarch64/pgtable.o
$(B)/boot-check: $(MMU_OFF_OBJS)
	@$(READELF) -rW $^ | awk '/^Relocation section/ { sec = $$3 } \
		/R_AARCH64_ABS/ && sec !~ /debug/ { print "error: absolute relocation in MMU-off code (" sec "): " $$0; bad = 1 } \
		END { exit bad }'
	@touch $@

# Two-pass link: the first image gives the text symbols, which are compiled
# into a table (for backtraces) and linked into the second. The table sits
# after all code, so text addresses do not move between passes.
LINK = $(Q)$(CC) $(LDFLAGS) -T $(B)/linker.lds -o $@ $(objs) $(1) $(LIBFDT) \
	$(shell $(CC) -print-libgcc-file-name)
$(B)/hotmm.pass1.elf: $(objs) $(B)/linker.lds $(B)/obj/kallsyms0.o $(B)/boot-check $(LIBFDT)
	$(call say,LD,$@)
	$(call LINK,$(B)/obj/kallsyms0.o)
$(B)/obj/kallsyms0.o: scripts/kallsyms.py
	@mkdir -p $(@D)
	$(Q)$(PYTHON) scripts/kallsyms.py /dev/null > $(B)/obj/kallsyms0.S
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $(B)/obj/kallsyms0.S -o $@
$(B)/obj/kallsyms.o: $(B)/hotmm.pass1.elf scripts/kallsyms.py
	$(call say,KSYM,$@)
	$(Q)$(NM) -n $< | $(PYTHON) scripts/kallsyms.py - > $(B)/obj/kallsyms.S
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $(B)/obj/kallsyms.S -o $@
$(B)/hotmm.elf: $(B)/obj/kallsyms.o
	$(call say,LD,$@)
	$(call LINK,$<)
	@$(NM) -n $(B)/hotmm.pass1.elf | grep -i ' t ' > $(B)/syms1.txt
	@$(NM) -n $@ | grep -i ' t ' > $(B)/syms2.txt
	@cmp -s $(B)/syms1.txt $(B)/syms2.txt || { echo "error: text moved between link passes"; exit 1; }
$(B)/hotmm.bin: $(B)/hotmm.elf
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@

-include $(objs:.o=.d)

# ---- running ----
RUN_VARIANT := $(if $(SECTION_SIZE_BITS),--section-bits $(SECTION_SIZE_BITS))
# QEMU's QMP socket: scripts/qmp.py plug|unplug|list talks to it from another terminal.
QMP	?= build/qmp.sock
RUN_ARGS := --boot bios --mem 1G --slots 8 --maxmem 16G --serial mux --qmp $(QMP)
run: deps all
	./run-qemu.sh --page-size $(PAGE_SIZE) $(RUN_VARIANT) $(RUN_ARGS)

debug: deps all
	./run-qemu.sh --page-size $(PAGE_SIZE) $(RUN_VARIANT) $(RUN_ARGS) --gdb

gdb: all
	gdb-multiarch -q -x scripts/gdb/hotmm.gdb $(B)/hotmm.elf

# ---- tests ----
include tests/unit/tests.mk

test: deps
	@for g in $(GRANULES); do $(MAKE) --no-print-directory PAGE_SIZE=$$g all unit || exit 1; done
	HOTMM_GRANULES="$(GRANULES)" $(PYTHON) -m pytest -q -p no:cacheprovider tests/qemu

qemu-test: deps
	@for g in $(GRANULES); do $(MAKE) --no-print-directory PAGE_SIZE=$$g all || exit 1; done
	HOTMM_GRANULES="$(GRANULES)" $(PYTHON) -m pytest -q -p no:cacheprovider tests/qemu $(PYTEST_ARGS)

# fail_nth=N for every boot allocation on NUMA, 3 GiB, mem=, vmemmap=base and
# firmware boots too (make test sweeps the default machine).
soak: deps
	@for g in $(GRANULES); do $(MAKE) --no-print-directory PAGE_SIZE=$$g all || exit 1; done
	HOTMM_SOAK=1 HOTMM_GRANULES="$(GRANULES)" $(PYTHON) -m pytest -q -p no:cacheprovider \
		tests/qemu/test_fail_nth.py $(PYTEST_ARGS)

bench: deps
	@for g in $(GRANULES); do $(MAKE) --no-print-directory PAGE_SIZE=$$g all || exit 1; done
	$(PYTHON) scripts/bench.py $(GRANULES)

clean:
	rm -rf build/4K* build/16K* build/64K*
