# memmix: exercises every kind of memory access the checkpoint log must cover, in a loop long
# enough to cross many segment boundaries: byte/half/word/double stores and loads (aligned and
# not), AMOs, LR/SC pairs, reads of ROM data and of the input region, UART writes. Commits a
# checksum (outputs 0 and 1) and exits with the low byte of it.
    .section .rodata
    .balign 8
table: .dword 0x0123456789abcdef, 0xfedcba9876543210, 0x0f1e2d3c4b5a6978, 0x8899aabbccddeeff

    .section .bss
    .balign 8
buf: .space 256

    .section .text
    .globl _start
_start:
    li sp, 0xc0000000
    la s0, buf
    la s1, table
    li s2, 0x40000000        # input region
    li s3, 0                 # checksum
    li s4, 200               # iterations
    li t6, 0xa0000200        # UART
loop:
    andi t0, s4, 31
    add t1, s0, t0           # unaligned base inside buf
    sb s4, 0(t1)
    sh s4, 33(t1)
    sw s4, 66(t1)
    sd s4, 99(t1)            # unaligned double (crosses words)
    sd s3, 128(s0)           # aligned double
    lb t2, 0(t1)
    lhu t3, 33(t1)
    lw t4, 66(t1)
    ld t5, 99(t1)
    add s3, s3, t2
    add s3, s3, t3
    xor s3, s3, t4
    add s3, s3, t5
    andi t0, s4, 3
    slli t0, t0, 3
    add t0, s1, t0
    ld t2, 0(t0)             # ROM read
    add s3, s3, t2
    lbu t2, 16(s2)           # input region read (first data byte of the first record)
    ld t3, 0(s2)             # the zero header word
    add s3, s3, t2
    add s3, s3, t3
    addi t0, s0, 160
    amoadd.d t2, s4, (t0)
    add s3, s3, t2
    amoswap.w t2, s3, (t0)
    add s3, s3, t2
    addi t0, s0, 168
1:  lr.d t2, (t0)            # increment with LR/SC
    addi t2, t2, 3
    sc.d t3, t2, (t0)
    bnez t3, 1b
    ld t2, 168(s0)
    add s3, s3, t2
    addi t0, s0, 176
    lr.w t2, (t0)
    addi t2, t2, 1
    sc.w t3, t2, (t0)
    add s3, s3, t3           # always succeeds: 0
    lw t2, 176(s0)
    add s3, s3, t2
    andi t0, s4, 63
    bnez t0, 2f
    li t0, '.'
    sb t0, 0(t6)
2:  addi s4, s4, -1
    bnez s4, loop
    li t0, 10
    sb t0, 0(t6)
    li t0, 0xa0010000
    sw s3, 0(t0)
    srli t1, s3, 32
    sw t1, 4(t0)
    andi a0, s3, 0xff
    li a7, 93
    ecall
