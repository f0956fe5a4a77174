# Stores to ROM after a few steps: the run must fault, naming pc and address.
    .section .text
    .globl _start
_start:
    li t0, 0x80000000
    li t1, 1
    sd t1, 0(t0)
    li a7, 93
    ecall
