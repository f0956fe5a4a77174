/*
 * crt0.S: start-up code for the Linux variant of zisk guests (static ELF under
 * qemu-riscv64). The kernel (or qemu) has set up sp, mapped the segments and zeroed .bss;
 * argc/argv on the stack are ignored: guests get main(0, NULL) as on zisk.
 */
    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    /* TLS image used in place by the single thread (see zisk.ld); .tbss is in zeroed .bss. */
    la      tp, __tls_base
    andi    sp, sp, -16
    call    zisk__linux_init
    call    __libc_init_array
    li      a0, 0
    li      a1, 0
    call    main
    call    exit
1:  j       1b
    .size _start, . - _start
