# Never exits: only --max-steps stops it.
    .section .text
    .globl _start
_start:
    addi t0, t0, 1
    j _start
