# Host unit tests (cmocka, ASan + UBSan), built once per granule.
#
# Each test is tests/unit/<name>_test.c plus the real sources it checks,
# listed in a fragment tests/unit/<area>.mk as:
#   UNIT_TESTS += <name>
#   <name>-srcs := lib/foo.c tests/unit/fake/stubs.c
#   <name>-libs := -lfdt            (optional)
#   <name>-cflags := ...            (optional)

UNIT_TESTS :=
include $(filter-out tests/unit/tests.mk,$(wildcard tests/unit/*.mk))

HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Iinclude -Itests/unit -DHOST_TEST -DCONFIG_PAGE_SHIFT=$(PAGE_SHIFT) -MMD -MP \
	$(if $(SECTION_SIZE_BITS),-DSECTION_SIZE_BITS=$(SECTION_SIZE_BITS))
UB := $(B)/unit

define unit_rule
$(UB)/$(1): tests/unit/$(1)_test.c $$($(1)-srcs) $(wildcard tests/unit/fake/*.h) | $(UB)
	$$(call say,HOSTCC,$$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $$($(1)-cflags) -o $$@ $$< $$($(1)-srcs) -lcmocka $$($(1)-libs)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

$(UB):
	@mkdir -p $@

# Run every unit test; tests that need data files find them through
# HOTMM_UNIT_DATA (QEMU-dumped DTBs are made there by tests/unit/mkdata.sh).
unit: $(addprefix $(UB)/,$(UNIT_TESTS))
	@if [ -x tests/unit/mkdata.sh ]; then tests/unit/mkdata.sh $(UB)/data; fi
	@set -e; for t in $(UNIT_TESTS); do \
		echo "== unit $(PAGE_SIZE): $$t"; \
		HOTMM_UNIT_DATA=$(UB)/data ASAN_OPTIONS=detect_leaks=1 $(UB)/$$t; \
	done
