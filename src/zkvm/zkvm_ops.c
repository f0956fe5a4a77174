/* zkvm_ops.c: reference semantics of the operation bus (zkvm_ops.h). Plain C on uint64_t; the
 * provider AIRs are tested against this, and it is tested against the emulator. */
#include "zkvm_ops.h"

#include <stddef.h>

const char *zkvm_op_name(unsigned op) {
    switch (op) {
#define ZKVM_OP_NAME(name, value) \
    case value: return #name;
        ZKVM_OPS(ZKVM_OP_NAME)
#undef ZKVM_OP_NAME
    default: return "?";
    }
}

int zkvm_op_is_mem(zkvm_op op) { return op >= ZKVM_OP_LB && op <= ZKVM_OP_SWA; }

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

static uint64_t mulhu64(uint64_t a, uint64_t b) {
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static uint64_t mulh64(uint64_t a, uint64_t b) {
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
}
static uint64_t mulhsu64(uint64_t a, uint64_t b) {
    return (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64);
}

unsigned zkvm_op_mem_width(zkvm_op op) {
    switch (op) {
    case ZKVM_OP_LB: case ZKVM_OP_LBU: case ZKVM_OP_SB: return 1;
    case ZKVM_OP_LH: case ZKVM_OP_LHU: case ZKVM_OP_SH: return 2;
    case ZKVM_OP_LW: case ZKVM_OP_LWU: case ZKVM_OP_LWA: case ZKVM_OP_SW: case ZKVM_OP_SWA: return 4;
    case ZKVM_OP_LD: return 8;
    default: return 0;
    }
}

int zkvm_op_eval(uint32_t opc, uint64_t x, uint64_t y, uint64_t *c) {
    if (opc >= ZKVM_OPC_LIMIT) return 0;
    zkvm_op op = zkvm_opc_op(opc);
    unsigned off = zkvm_opc_off(opc);
    if (op == ZKVM_OP_NONE || op >= ZKVM_OP_COUNT) return 0;
    if (off != 0 && !zkvm_op_is_mem(op)) return 0;
    int64_t sx = (int64_t)x, sy = (int64_t)y;
    int32_t wx = (int32_t)(uint32_t)x, wy = (int32_t)(uint32_t)y;
    uint32_t ux = (uint32_t)x, uy = (uint32_t)y;
    uint64_t r;
    switch (op) {
    case ZKVM_OP_ADD: r = x + y; break;
    case ZKVM_OP_SUB: r = x - y; break;
    case ZKVM_OP_SLL: r = x << (y & 63); break;
    case ZKVM_OP_SLT: r = sx < sy; break;
    case ZKVM_OP_SLTU: r = x < y; break;
    case ZKVM_OP_XOR: r = x ^ y; break;
    case ZKVM_OP_SRL: r = x >> (y & 63); break;
    case ZKVM_OP_SRA: r = (uint64_t)(sx >> (y & 63)); break;
    case ZKVM_OP_OR: r = x | y; break;
    case ZKVM_OP_AND: r = x & y; break;
    case ZKVM_OP_ADDW: r = sext32(x + y); break;
    case ZKVM_OP_SUBW: r = sext32(x - y); break;
    case ZKVM_OP_SLLW: r = sext32((uint64_t)(ux << (y & 31))); break;
    case ZKVM_OP_SRLW: r = sext32(ux >> (y & 31)); break;
    case ZKVM_OP_SRAW: r = (uint64_t)(int64_t)(wx >> (y & 31)); break;
    case ZKVM_OP_MUL: r = x * y; break;
    case ZKVM_OP_MULH: r = mulh64(x, y); break;
    case ZKVM_OP_MULHSU: r = mulhsu64(x, y); break;
    case ZKVM_OP_MULHU: r = mulhu64(x, y); break;
    case ZKVM_OP_DIV:
        r = y == 0 ? UINT64_MAX : (sx == INT64_MIN && sy == -1) ? x : (uint64_t)(sx / sy);
        break;
    case ZKVM_OP_DIVU: r = y == 0 ? UINT64_MAX : x / y; break;
    case ZKVM_OP_REM: r = y == 0 ? x : (sx == INT64_MIN && sy == -1) ? 0 : (uint64_t)(sx % sy); break;
    case ZKVM_OP_REMU: r = y == 0 ? x : x % y; break;
    case ZKVM_OP_MULW: r = sext32(x * y); break;
    case ZKVM_OP_DIVW:
        r = wy == 0 ? UINT64_MAX
                    : (wx == INT32_MIN && wy == -1) ? sext32((uint32_t)wx) : (uint64_t)(int64_t)(wx / wy);
        break;
    case ZKVM_OP_DIVUW: r = uy == 0 ? UINT64_MAX : sext32(ux / uy); break;
    case ZKVM_OP_REMW:
        r = wy == 0 ? sext32(ux) : (wx == INT32_MIN && wy == -1) ? 0 : (uint64_t)(int64_t)(wx % wy);
        break;
    case ZKVM_OP_REMUW: r = uy == 0 ? sext32(ux) : sext32(ux % uy); break;
    case ZKVM_OP_EQ: r = x == y; break;
    case ZKVM_OP_NE: r = x != y; break;
    case ZKVM_OP_GE: r = sx >= sy; break;
    case ZKVM_OP_GEU: r = x >= y; break;
    case ZKVM_OP_MIN: r = sx < sy ? x : y; break;
    case ZKVM_OP_MAX: r = sx > sy ? x : y; break;
    case ZKVM_OP_MINU: r = x < y ? x : y; break;
    case ZKVM_OP_MAXU: r = x > y ? x : y; break;
    case ZKVM_OP_MINW: r = sext32(wx < wy ? ux : uy); break;
    case ZKVM_OP_MAXW: r = sext32(wx > wy ? ux : uy); break;
    case ZKVM_OP_MINUW: r = sext32(ux < uy ? ux : uy); break;
    case ZKVM_OP_MAXUW: r = sext32(ux > uy ? ux : uy); break;
    case ZKVM_OP_JALR: r = (x + y) & ~(uint64_t)1; break;
    case ZKVM_OP_LB: case ZKVM_OP_LH: case ZKVM_OP_LW: case ZKVM_OP_LD:
    case ZKVM_OP_LBU: case ZKVM_OP_LHU: case ZKVM_OP_LWU: case ZKVM_OP_LWA: {
        unsigned w = zkvm_op_mem_width(op);
        if (y != 0 || off + w > 8) return 0;
        if (op == ZKVM_OP_LWA && (off & 3) != 0) return 0;
        uint64_t v = w == 8 ? x : (x >> (8 * off)) & ((1ull << (8 * w)) - 1);
        int sign = op == ZKVM_OP_LB || op == ZKVM_OP_LH || op == ZKVM_OP_LW || op == ZKVM_OP_LWA;
        if (sign && w < 8 && ((v >> (8 * w - 1)) & 1)) v |= ~((1ull << (8 * w)) - 1);
        r = v;
        break;
    }
    case ZKVM_OP_SB: case ZKVM_OP_SH: case ZKVM_OP_SW: case ZKVM_OP_SWA: {
        unsigned w = zkvm_op_mem_width(op);
        if (off + w > 8) return 0;
        if (op == ZKVM_OP_SWA && (off & 3) != 0) return 0;
        uint64_t mask = ((1ull << (8 * w)) - 1) << (8 * off);
        r = (x & ~mask) | ((y << (8 * off)) & mask);
        break;
    }
    default: return 0;
    }
    *c = r;
    return 1;
}
