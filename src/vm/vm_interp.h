/*
 * vm_interp.h: the interpreter loop, compiled three times by vm_interp.c:
 *   VM_MODE 0 (plain)   runs the guest on its memory;
 *   VM_MODE 1 (record)  the same, and appends to c->log every memory word the checkpoint rule
 *                       of vm.h names (value before the access);
 *   VM_MODE 2 (replay)  runs with no memory at all: every such word is taken from c->log.
 * One template keeps the three exactly in step: the instruction semantics exist once.
 *
 * Dispatch is direct threading over the program's pre-decoded slots (vm_slot): every handler
 * ends with its own `goto *labels[next->op]`, which branch predictors like far better than one
 * shared switch. `left` counts the steps this call may still retire.
 */
#ifndef VM_MODE
#error "define VM_MODE before including vm_interp.h"
#endif

void VM_INTERP_FN(vm_core *c, uint64_t until_step, vm_result *res) {
    static const void *const labels[2 * VM_OP_COUNT] = {
#define VM_LBL(name) [RV_OP_##name * 2] = &&L4_##name, [RV_OP_##name * 2 + 1] = &&L2_##name,
        RV_OPS(VM_LBL)
#undef VM_LBL
        [VM_OP_NOEXEC * 2] = &&L4_NOEXEC, [VM_OP_NOEXEC * 2 + 1] = &&L2_NOEXEC,
        [VM_OP_JAL_OUT * 2] = &&L4_JAL_OUT, [VM_OP_JAL_OUT * 2 + 1] = &&L2_JAL_OUT,
        [VM_OP_BRANCH_OUT * 2] = &&L4_BRANCH_OUT, [VM_OP_BRANCH_OUT * 2 + 1] = &&L2_BRANCH_OUT,
    };
    const vm_program *const p = c->prog;
    const vm_slot *const slots = p->slots;
    const uint64_t code_base = p->code_base, code_len = p->code_len;
    const uint64_t rom_len = p->rom_len;
    uint64_t *const x = c->x;
    uint8_t *const hmem = c->hmem;
    const vm_slot *ins;
    uint64_t budget, left;
    uint64_t fault_addr = 0;
    unsigned fault_size = 0;
    int fault_store = 0;
    (void)hmem;
    (void)rom_len;

    if (c->stopped) {
        *res = c->last;
        return;
    }
    if (c->steps >= until_step) {
        vm_stop_limit(c, res);
        return;
    }
    budget = left = until_step - c->steps;
    if (c->pc - code_base >= code_len) {
        vm_fetch_fault(c, res, c->pc);
        return;
    }
    ins = slots + ((c->pc - code_base) >> 1);

#define PC() (code_base + (uint64_t)(ins - slots) * 2)
#define RD x[ins->rd]
#define RS1 x[ins->rs1]
#define RS2 x[ins->rs2]
#define IMM ((int64_t)ins->imm)
#define RETIRE()                                          \
    do {                                                  \
        if (ZISK_UNLIKELY(--left == 0)) goto stop_limit;  \
        goto *labels[ins->op];                            \
    } while (0)
/* Each handler in two flavours: 4-byte (advances 2 slots) and compressed (1 slot). */
#define H(name, ...)                               \
    L4_##name : {                                  \
        enum { ADV = 2, LEN = 4 };                 \
        __VA_ARGS__                                \
    }                                              \
    L2_##name : {                                  \
        enum { ADV = 1, LEN = 2 };                 \
        __VA_ARGS__                                \
    }
#define SEQ() \
    ins += ADV; \
    RETIRE();
#define ALU(name, expr) H(name, RD = (expr); SEQ())
#define MEM_FAULT(a, n, is_store)   \
    do {                            \
        fault_addr = (a);           \
        fault_size = (n);           \
        fault_store = (is_store);   \
        goto mem_fault;             \
    } while (0)

/* Guest address checks. RAM first: it is where almost every access goes. */
#define IN_RAM(a, n) ((a) - VM_SYS_ADDR <= (VM_RAM_END - VM_SYS_ADDR) - (n))
#define READABLE(a, n)                                                 \
    (IN_RAM(a, n) || ((a) - VM_ROM_ADDR <= rom_len - (n)) ||           \
     ((a) - VM_INPUT_ADDR <= VM_INPUT_SIZE - (n)))
#define HOST(a) (hmem + ((a) - VM_INPUT_ADDR))

#if VM_MODE == 2
/* Replay: values come from the log; stores only consume the log where the rule says so. */
#define MEM_LOAD(T, a, out)                                                        \
    do {                                                                           \
        if (ZISK_UNLIKELY(!READABLE(a, sizeof(T)))) MEM_FAULT(a, sizeof(T), 0);    \
        uint64_t mv_ = 0;                                                           \
        if (ZISK_UNLIKELY(vm_log_take(c, a, sizeof(T), &mv_) != 0)) goto log_fault; \
        T mt_;                                                                      \
        memcpy(&mt_, &mv_, sizeof(T));                                               \
        out = mt_;                                                                  \
    } while (0)
#define MEM_STORE(T, a, v)                                                          \
    do {                                                                            \
        (void)(v);                                                                  \
        if (ZISK_UNLIKELY(!IN_RAM(a, sizeof(T)))) MEM_FAULT(a, sizeof(T), 1);       \
        if (sizeof(T) < 8 || ((a) & 7)) {                                           \
            uint64_t mv_;                                                            \
            if (ZISK_UNLIKELY(vm_log_take(c, a, sizeof(T), &mv_) != 0)) goto log_fault; \
        }                                                                           \
    } while (0)
#define MEM_STORE_NOLOG(T, a, v) ((void)(v))
#else
#if VM_MODE == 1
#define LOG_LOAD(a, n) vm_log_words(c, a, n)
#define LOG_STORE(a, n) \
    if ((n) < 8 || ((a) & 7)) vm_log_words(c, a, n)
#else
#define LOG_LOAD(a, n) ((void)0)
#define LOG_STORE(a, n) ((void)0)
#endif
#define MEM_LOAD(T, a, out)                                                      \
    do {                                                                         \
        if (ZISK_UNLIKELY(!READABLE(a, sizeof(T)))) MEM_FAULT(a, sizeof(T), 0);  \
        LOG_LOAD(a, sizeof(T));                                                  \
        T mt_;                                                                    \
        memcpy(&mt_, HOST(a), sizeof(T));                                         \
        out = mt_;                                                                \
    } while (0)
/* Stores at or above the output words go straight to memory; below (UART, system area) and
 * outside RAM take vm_store_slow. */
#define MEM_STORE_NOLOG(T, a, v)                                                        \
    do {                                                                                \
        T mt_ = (T)(v);                                                                  \
        if (ZISK_LIKELY((a) - VM_OUTPUT_ADDR <= (VM_RAM_END - VM_OUTPUT_ADDR) - sizeof(T))) \
            memcpy(HOST(a), &mt_, sizeof(T));                                            \
        else if (ZISK_UNLIKELY(!vm_store_slow(c, a, &mt_, sizeof(T))))                   \
            MEM_FAULT(a, sizeof(T), 1);                                                 \
    } while (0)
#define MEM_STORE(T, a, v)                                                     \
    do {                                                                       \
        if (VM_MODE == 1) {                                                    \
            if (ZISK_UNLIKELY(!IN_RAM(a, sizeof(T)))) MEM_FAULT(a, sizeof(T), 1); \
            LOG_STORE(a, sizeof(T));                                           \
        }                                                                      \
        MEM_STORE_NOLOG(T, a, v);                                              \
    } while (0)
#endif

#define LOADOP(name, T)                      \
    H(name, {                                \
        uint64_t a_ = RS1 + (uint64_t)IMM;   \
        T v_ = 0;                            \
        MEM_LOAD(T, a_, v_);                 \
        RD = (uint64_t)(int64_t)v_;          \
        SEQ()                                \
    })
#define STOREOP(name, T)                     \
    H(name, {                                \
        uint64_t a_ = RS1 + (uint64_t)IMM;   \
        MEM_STORE(T, a_, RS2);               \
        SEQ()                                \
    })
#define BRANCH(name, cond) H(name, if (cond) ins += IMM; else ins += ADV; RETIRE();)

/* Atomics: naturally aligned, inside writable RAM (LR only needs readable memory). */
#define AMO_CHECK(a, n)                                                   \
    do {                                                                  \
        if (ZISK_UNLIKELY((a) & ((n) - 1))) goto misaligned_atomic;       \
        if (ZISK_UNLIKELY(!IN_RAM(a, n))) MEM_FAULT(a, n, 1);             \
    } while (0)
#define AMO_W(name, expr)                                      \
    H(name, {                                                  \
        uint64_t a_ = RS1;                                     \
        AMO_CHECK(a_, 4);                                      \
        int32_t old_ = 0;                                        \
        MEM_LOAD(int32_t, a_, old_);                           \
        uint32_t o = (uint32_t)old_, s = (uint32_t)RS2;        \
        (void)s;                                               \
        (void)o;                                               \
        uint32_t n_ = (expr);                                  \
        MEM_STORE_NOLOG(uint32_t, a_, n_);                     \
        RD = (uint64_t)(int64_t)old_;                          \
        SEQ()                                                  \
    })
#define AMO_D(name, expr)                                      \
    H(name, {                                                  \
        uint64_t a_ = RS1;                                     \
        AMO_CHECK(a_, 8);                                      \
        uint64_t o = 0;                                        \
        MEM_LOAD(uint64_t, a_, o);                             \
        uint64_t s = RS2;                                      \
        (void)s;                                               \
        (void)o;                                               \
        uint64_t n_ = (expr);                                  \
        MEM_STORE_NOLOG(uint64_t, a_, n_);                     \
        RD = o;                                                \
        SEQ()                                                  \
    })

    goto *labels[ins->op];

    /* ---- RV64I ---- */
    ALU(LUI, (uint64_t)IMM)
    ALU(AUIPC, PC() + (uint64_t)IMM)
    H(JAL, RD = PC() + LEN; ins += IMM; RETIRE();)
    H(JALR, {
        uint64_t t_ = (RS1 + (uint64_t)IMM) & ~1ull;
        RD = PC() + LEN;
        if (ZISK_UNLIKELY(t_ - code_base >= code_len)) {
            c->pc = t_;
            goto jump_out;
        }
        ins = slots + ((t_ - code_base) >> 1);
        RETIRE();
    })
    BRANCH(BEQ, RS1 == RS2)
    BRANCH(BNE, RS1 != RS2)
    BRANCH(BLT, (int64_t)RS1 < (int64_t)RS2)
    BRANCH(BGE, (int64_t)RS1 >= (int64_t)RS2)
    BRANCH(BLTU, RS1 < RS2)
    BRANCH(BGEU, RS1 >= RS2)
    LOADOP(LB, int8_t)
    LOADOP(LH, int16_t)
    LOADOP(LW, int32_t)
    LOADOP(LD, uint64_t)
    LOADOP(LBU, uint8_t)
    LOADOP(LHU, uint16_t)
    LOADOP(LWU, uint32_t)
    STOREOP(SB, uint8_t)
    STOREOP(SH, uint16_t)
    STOREOP(SW, uint32_t)
    STOREOP(SD, uint64_t)
    ALU(ADDI, RS1 + (uint64_t)IMM)
    ALU(SLTI, (int64_t)RS1 < IMM)
    ALU(SLTIU, RS1 < (uint64_t)IMM)
    ALU(XORI, RS1 ^ (uint64_t)IMM)
    ALU(ORI, RS1 | (uint64_t)IMM)
    ALU(ANDI, RS1 & (uint64_t)IMM)
    ALU(SLLI, RS1 << IMM)
    ALU(SRLI, RS1 >> IMM)
    ALU(SRAI, (uint64_t)((int64_t)RS1 >> IMM))
    ALU(ADD, RS1 + RS2)
    ALU(SUB, RS1 - RS2)
    ALU(SLL, RS1 << (RS2 & 63))
    ALU(SLT, (int64_t)RS1 < (int64_t)RS2)
    ALU(SLTU, RS1 < RS2)
    ALU(XOR, RS1 ^ RS2)
    ALU(SRL, RS1 >> (RS2 & 63))
    ALU(SRA, (uint64_t)((int64_t)RS1 >> (RS2 & 63)))
    ALU(OR, RS1 | RS2)
    ALU(AND, RS1 & RS2)
    ALU(ADDIW, (uint64_t)(int64_t)(int32_t)(uint32_t)(RS1 + (uint64_t)IMM))
    ALU(SLLIW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 << IMM))
    ALU(SRLIW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 >> IMM))
    ALU(SRAIW, (uint64_t)(int64_t)((int32_t)(uint32_t)RS1 >> IMM))
    ALU(ADDW, (uint64_t)(int64_t)(int32_t)(uint32_t)(RS1 + RS2))
    ALU(SUBW, (uint64_t)(int64_t)(int32_t)(uint32_t)(RS1 - RS2))
    ALU(SLLW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 << (RS2 & 31)))
    ALU(SRLW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 >> (RS2 & 31)))
    ALU(SRAW, (uint64_t)(int64_t)((int32_t)(uint32_t)RS1 >> (RS2 & 31)))

    /* ---- M ---- */
    ALU(MUL, RS1 * RS2)
    ALU(MULH, (uint64_t)(((__int128)(int64_t)RS1 * (__int128)(int64_t)RS2) >> 64))
    ALU(MULHSU, (uint64_t)(((__int128)(int64_t)RS1 * (__int128)(unsigned __int128)RS2) >> 64))
    ALU(MULHU, (uint64_t)(((unsigned __int128)RS1 * (unsigned __int128)RS2) >> 64))
    ALU(DIV, vm_div(RS1, RS2))
    ALU(DIVU, RS2 == 0 ? ~0ull : RS1 / RS2)
    ALU(REM, vm_rem(RS1, RS2))
    ALU(REMU, RS2 == 0 ? RS1 : RS1 % RS2)
    ALU(MULW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 * (uint32_t)RS2))
    ALU(DIVW, vm_divw(RS1, RS2))
    ALU(DIVUW, (uint32_t)RS2 == 0 ? ~0ull
                                  : (uint64_t)(int64_t)(int32_t)((uint32_t)RS1 / (uint32_t)RS2))
    ALU(REMW, vm_remw(RS1, RS2))
    ALU(REMUW, (uint64_t)(int64_t)(int32_t)((uint32_t)RS2 == 0 ? (uint32_t)RS1
                                                               : (uint32_t)RS1 % (uint32_t)RS2))

    /* ---- A (one hart: a reservation is an address; any SC clears it) ---- */
    H(LR_W, {
        uint64_t a_ = RS1;
        if (ZISK_UNLIKELY(a_ & 3)) goto misaligned_atomic;
        int32_t v_ = 0;
        MEM_LOAD(int32_t, a_, v_);
        c->reservation = a_;
        RD = (uint64_t)(int64_t)v_;
        SEQ()
    })
    H(LR_D, {
        uint64_t a_ = RS1;
        if (ZISK_UNLIKELY(a_ & 7)) goto misaligned_atomic;
        uint64_t v_ = 0;
        MEM_LOAD(uint64_t, a_, v_);
        c->reservation = a_;
        RD = v_;
        SEQ()
    })
    H(SC_W, {
        uint64_t a_ = RS1;
        AMO_CHECK(a_, 4);
        if (c->reservation == a_) {
            MEM_STORE(uint32_t, a_, RS2);
            RD = 0;
        } else {
            RD = 1;
        }
        c->reservation = VM_NO_RESERVATION;
        SEQ()
    })
    H(SC_D, {
        uint64_t a_ = RS1;
        AMO_CHECK(a_, 8);
        if (c->reservation == a_) {
            MEM_STORE(uint64_t, a_, RS2);
            RD = 0;
        } else {
            RD = 1;
        }
        c->reservation = VM_NO_RESERVATION;
        SEQ()
    })
    AMO_W(AMOSWAP_W, s)
    AMO_W(AMOADD_W, o + s)
    AMO_W(AMOXOR_W, o ^ s)
    AMO_W(AMOAND_W, o & s)
    AMO_W(AMOOR_W, o | s)
    AMO_W(AMOMIN_W, (int32_t)o < (int32_t)s ? o : s)
    AMO_W(AMOMAX_W, (int32_t)o > (int32_t)s ? o : s)
    AMO_W(AMOMINU_W, o < s ? o : s)
    AMO_W(AMOMAXU_W, o > s ? o : s)
    AMO_D(AMOSWAP_D, s)
    AMO_D(AMOADD_D, o + s)
    AMO_D(AMOXOR_D, o ^ s)
    AMO_D(AMOAND_D, o & s)
    AMO_D(AMOOR_D, o | s)
    AMO_D(AMOMIN_D, (int64_t)o < (int64_t)s ? o : s)
    AMO_D(AMOMAX_D, (int64_t)o > (int64_t)s ? o : s)
    AMO_D(AMOMINU_D, o < s ? o : s)
    AMO_D(AMOMAXU_D, o > s ? o : s)

    /* ---- system ---- */
    H(FENCE, SEQ())
    H(ECALL, {
        if (ZISK_LIKELY(x[17] == VM_SYSCALL_EXIT)) {
            c->steps += budget - left + 1;
            c->pc = PC();
            vm_exit(c, res);
            return;
        }
        c->steps += budget - left;
        c->pc = PC();
        vm_fault(c, res, c->pc, 0, "unsupported system call %llu (a7) at pc 0x%llx; only exit (93) is available",
                 (unsigned long long)x[17], (unsigned long long)c->pc);
        return;
    })
    H(EBREAK, {
        c->steps += budget - left;
        c->pc = PC();
        vm_fault(c, res, c->pc, 0, "ebreak at pc 0x%llx", (unsigned long long)c->pc);
        return;
    })
#define CSROP(name, src)                                                        \
    H(name, {                                                                   \
        uint64_t old_;                                                          \
        if (ZISK_UNLIKELY(vm_csr(RV_OP_##name, (unsigned)ins->imm, (src), ins->rs1 != 0, &old_) != 0)) { \
            c->steps += budget - left;                                          \
            c->pc = PC();                                                       \
            vm_csr_fault(c, res, RV_OP_##name, (unsigned)ins->imm);             \
            return;                                                             \
        }                                                                       \
        RD = old_;                                                              \
        SEQ()                                                                   \
    })
    CSROP(CSRRW, RS1)
    CSROP(CSRRS, RS1)
    CSROP(CSRRC, RS1)
    CSROP(CSRRWI, (uint64_t)ins->rs1)
    CSROP(CSRRSI, (uint64_t)ins->rs1)
    CSROP(CSRRCI, (uint64_t)ins->rs1)
    H(ILLEGAL, {
        c->steps += budget - left;
        c->pc = PC();
        vm_illegal(c, res, 0);
        return;
    })
    H(UNSUPPORTED_FP, {
        c->steps += budget - left;
        c->pc = PC();
        vm_illegal(c, res, 1);
        return;
    })

    /* ---- internal ops ---- */
    H(NOEXEC, {
        c->steps += budget - left;
        c->pc = PC();
        vm_fetch_fault(c, res, c->pc);
        return;
    })
    H(JAL_OUT, {
        RD = PC() + LEN;
        c->pc = PC() + (uint64_t)IMM;
        goto jump_out;
    })
    H(BRANCH_OUT, {
        uint64_t a_ = RS1, b_ = RS2;
        int taken;
        switch (ins->rd) {
        case RV_OP_BEQ: taken = a_ == b_; break;
        case RV_OP_BNE: taken = a_ != b_; break;
        case RV_OP_BLT: taken = (int64_t)a_ < (int64_t)b_; break;
        case RV_OP_BGE: taken = (int64_t)a_ >= (int64_t)b_; break;
        case RV_OP_BLTU: taken = a_ < b_; break;
        default: taken = a_ >= b_; break;
        }
        if (!taken) {
            SEQ()
        }
        c->pc = PC() + (uint64_t)IMM;
        goto jump_out;
    })

jump_out:
    /* A retired jump whose target lies outside the executable range: c->pc holds the target;
     * the fetch there faults (now, or on resume if this was the last step allowed). */
    --left;
    c->steps += budget - left;
    if (left == 0) {
        vm_stop_limit(c, res);
        return;
    }
    vm_fetch_fault(c, res, c->pc);
    return;

stop_limit:
    c->steps += budget;
    c->pc = PC();
    vm_stop_limit(c, res);
    return;

mem_fault:
    c->steps += budget - left;
    c->pc = PC();
    vm_mem_fault(c, res, fault_addr, fault_size, fault_store);
    return;

misaligned_atomic:
    c->steps += budget - left;
    c->pc = PC();
    vm_fault(c, res, c->pc, RS1, "misaligned atomic access at address 0x%llx, pc 0x%llx",
             (unsigned long long)RS1, (unsigned long long)c->pc);
    return;

#if VM_MODE == 2
log_fault:
    c->steps += budget - left;
    c->pc = PC();
    vm_fault(c, res, c->pc, 0, "checkpoint read log exhausted at pc 0x%llx (step %llu)",
             (unsigned long long)c->pc, (unsigned long long)c->steps);
    return;
#endif

#undef PC
#undef RD
#undef RS1
#undef RS2
#undef IMM
#undef RETIRE
#undef H
#undef SEQ
#undef ALU
#undef MEM_FAULT
#undef IN_RAM
#undef READABLE
#undef HOST
#undef MEM_LOAD
#undef MEM_STORE
#undef MEM_STORE_NOLOG
#undef LOG_LOAD
#undef LOG_STORE
#undef LOADOP
#undef STOREOP
#undef BRANCH
#undef AMO_CHECK
#undef AMO_W
#undef AMO_D
#undef CSROP
}
