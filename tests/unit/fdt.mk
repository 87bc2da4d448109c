# drivers/fdt.c over the host's libfdt; the DTBs come from mkdata.sh.
UNIT_TESTS += fdt
fdt-srcs := drivers/fdt.c
fdt-libs := -lfdt
