/*
 * crt0.S: start-up code for zisk guests. The machine starts at the ELF entry with every
 * register zero; this sets up what C code needs and runs main.
 */
    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* gp must be set before the linker may relax accesses against it, so not relaxed here. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop

    /* Stack grows down from the top of RAM (0xc0000000, 16-byte aligned as the ABI wants). */
    li      sp, 0xc0000000

    /* Thread pointer: picolibc keeps errno in TLS. The single thread uses the TLS image in
     * place: .tdata is loaded in RAM by the ELF loader and .tbss is zeroed with .bss below.
     * RISC-V puts the TLS block at tp with no TCB before it. */
    la      tp, __tls_base

    /* Zero .tbss and .bss (the loader already did for a fresh machine; this keeps the C
     * guarantee independent of it). Both bounds are 8-byte aligned by the linker script. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    call    __libc_init_array

    li      a0, 0           /* argc */
    li      a1, 0           /* argv */
    call    main
    call    exit            /* runs atexit handlers, then _exit -> ecall 93 */
3:  j       3b
    .size _start, . - _start
