# mm/memmap_on_memory.c against every vector of tests/data/memmap-vectors.json
# (Linux's numbers), whatever the build's granule: page size and struct page
# size are inputs of the arithmetic.
UNIT_TESTS += memmap_on_memory
memmap_on_memory-srcs := mm/memmap_on_memory.c

$(B)/unit/memmap_on_memory: include/mm/memmap_on_memory.h include/lib/kernel.h
