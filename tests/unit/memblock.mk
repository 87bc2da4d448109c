# mm/memblock.c alone (with the real fault injection) against a unit model.
UNIT_TESTS += memblock
memblock-srcs := mm/memblock.c mm/fault_inject.c tests/unit/fake/stubs.c
# Expected regions list only the fields that matter (&{ base, size, nid }).
memblock-cflags := -Wno-missing-field-initializers

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/memblock: include/mm/memblock.h include/mm/fault_inject.h include/lib/kernel.h
