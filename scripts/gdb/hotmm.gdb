# gdb-multiarch setup for hotmm: `make gdb` loads this with build/<g>/hotmm.elf.
# QEMU was started by `make debug` (run-qemu.sh --gdb) and waits on :1234.
set architecture aarch64
set pagination off
set confirm off
# hotmm-pt, hotmm-pfn, ... and the pretty-printers: `help hotmm`.
source scripts/gdb/hotmm.py
target remote localhost:1234

# Code before the MMU is on runs at physical addresses; its symbols are at
# the link address. `hotmm-phys` loads the symbols again at the physical
# load address (gdb splits add-symbol-file arguments at spaces: keep the
# offset expression without any) so early code (primary_entry, early_setup) can be stepped:
#   (gdb) hotmm-phys
#   (gdb) break early_setup
define hotmm-phys
  add-symbol-file build/$arg0/hotmm.elf -o (0x40200000-0xffff800080200000)
end
document hotmm-phys
Load hotmm's symbols at the physical load address: hotmm-phys 4K|16K|64K.
end

# Print the exception-report view of a saved register frame: hotmm-regs ADDR.
define hotmm-regs
  p/x *(struct pt_regs *)$arg0
end

break start_kernel
continue
