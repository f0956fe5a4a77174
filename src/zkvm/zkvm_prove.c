/* zkvm_prove.c: the zkVM prover and verifier (zkvm.h): instance list, keys, the STARK job, the
 * proof file (docs/PROOFS.md, "Proof file"). */
#include "zkvm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "add.h"
#include "arith.h"
#include "binary.h"
#include "cmp.h"
#include "div.h"
#include "eq.h"
#include "logic.h"
#include "mul.h"
#include "shift.h"
#include "shift64.h"
#include "shiftw.h"
#include "wmem.h"
#include <openssl/sha.h>

#include "stark.h"
#include "zkvm_airs.h"
#include "zkvm_bus.h"
#include "zkvm_range.h"
#include "zkvm_rom.h"
#include "zkvm_trace.h"

static const char *const kind_names[ZKVM_N_KINDS] = {
    "program", "main", "memory", "boundary", "range", "(retired)", "binary_table", "shift", "arith", "add", "logic",
    "shiftw", "eq", "refresh", "shift64", "memop", "mul", "cmp", "wmem", "div"};

const char *zkvm_kind_name(zkvm_kind k) { return (unsigned)k < ZKVM_N_KINDS ? kind_names[k] : "?"; }

/* Kind numbers are part of the proof format; a retired one is never an instance again. */
static int kind_retired(unsigned k) { return k == 5; /* the binary AIR, until proof version 13 */ }

/* The operation providers, in dispatch order: each record goes to the first one that handles its
 * op (shiftw, shift64 and wmem before shift, mul before arith: they prove the same ops with
 * narrower rows, like div before arith; add before shift for LD; wmem takes word loads/stores at offsets 0 and 4 only). */
typedef struct provider {
    zkvm_kind kind;
    int (*handles)(zkvm_op);
    int (*handles_opc)(uint32_t); /* when not NULL: decides on the whole opc (the offset too) */
    gl_t *(*fixed)(unsigned);
    gl_t *(*trace)(const zkvm_op_record *, size_t, unsigned, zkvm_range_counts *);
    /* adds the records' byte-table lookups to the job's counts (NULL: it makes none) */
    void (*count_bytes)(zkvm_binary_counts *, const zkvm_op_record *, size_t);
} provider;
static const provider providers[] = {
    {ZKVM_KIND_ADD, zkvm_add_handles, NULL, zkvm_add_fixed, zkvm_add_trace, NULL},
    {ZKVM_KIND_LOGIC, zkvm_logic_handles, NULL, zkvm_logic_fixed, zkvm_logic_trace, zkvm_logic_count},
    {ZKVM_KIND_EQ, zkvm_eq_handles, NULL, zkvm_eq_fixed, zkvm_eq_trace, NULL},
    {ZKVM_KIND_SHIFTW, zkvm_shiftw_handles, NULL, zkvm_shiftw_fixed, zkvm_shiftw_trace, NULL},
    {ZKVM_KIND_SHIFT64, zkvm_shift64_handles, NULL, zkvm_shift64_fixed, zkvm_shift64_trace, NULL},
    {ZKVM_KIND_CMP, zkvm_cmp_handles, NULL, zkvm_cmp_fixed, zkvm_cmp_trace, NULL},
    {ZKVM_KIND_WMEM, zkvm_wmem_handles, zkvm_wmem_handles_opc, zkvm_wmem_fixed, zkvm_wmem_trace, NULL},
    {ZKVM_KIND_SHIFT, zkvm_shift_handles, NULL, zkvm_shift_fixed, zkvm_shift_trace, zkvm_shift_count_bytes},
    {ZKVM_KIND_MUL, zkvm_mul_handles, NULL, zkvm_mul_fixed, zkvm_mul_trace, NULL},
    {ZKVM_KIND_DIV, zkvm_div_handles, NULL, zkvm_div_fixed, zkvm_div_trace, NULL},
    {ZKVM_KIND_ARITH, zkvm_arith_handles, NULL, zkvm_arith_fixed, zkvm_arith_trace, NULL},
};
#define N_PROVIDERS (sizeof providers / sizeof providers[0])

/* The proving-key folder's contents (functions below, "The proving-key folder"). */
struct zkvm_keys {
    char *path;
    char fingerprint[65];
    struct { unsigned kind, log_n; hash_digest root; } *e;
    size_t n, cap;
    int dirty;
};

static const hash_digest *keys_find(const zkvm_keys *k, zkvm_kind kind, unsigned log_n) {
    for (size_t i = 0; k && i < k->n; i++)
        if (k->e[i].kind == (unsigned)kind && k->e[i].log_n == log_n) return &k->e[i].root;
    return NULL;
}

static void keys_add(zkvm_keys *k, zkvm_kind kind, unsigned log_n, const hash_digest *root) {
    if (!k || keys_find(k, kind, log_n)) return;
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 32;
        k->e = zisk_xrealloc(k->e, k->cap * sizeof *k->e);
    }
    k->e[k->n].kind = kind;
    k->e[k->n].log_n = log_n;
    k->e[k->n].root = *root;
    k->n++;
    k->dirty = 1;
}

/* ------------------------------------------------------------------------------------------ */
/* AIRs and keys                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct keyring {
    air *airs[ZKVM_N_KINDS];
    struct {
        zkvm_kind kind;
        unsigned log_n;
        stark_pk *pk;   /* prover: full key */
        stark_vk vk;    /* verifier: from a root */
        int have_vk;
    } keys[256]; /* (kind, log_n) pairs: at most ZKVM_N_KINDS * STARK_MAX_LOG_N < 256 */
    size_t n_keys;
    stark_params params;
    zkvm_keys *file; /* the proving-key folder (may be NULL) */
} keyring;

static air *kind_air(keyring *kr, zkvm_kind k) {
    if (!kr->airs[k]) {
        switch (k) {
        case ZKVM_KIND_PROGRAM: kr->airs[k] = zkvm_program_air(); break;
        case ZKVM_KIND_MAIN: kr->airs[k] = zkvm_main_air(); break;
        case ZKVM_KIND_MEMORY: kr->airs[k] = zkvm_mem_air(); break;
        case ZKVM_KIND_BOUNDARY: kr->airs[k] = zkvm_boundary_air(); break;
        case ZKVM_KIND_RANGE: kr->airs[k] = zkvm_range_air(); break;
        case ZKVM_KIND_BINARY_TABLE: kr->airs[k] = zkvm_binary_table_air(); break;
        case ZKVM_KIND_SHIFT: kr->airs[k] = zkvm_shift_air(); break;
        case ZKVM_KIND_ARITH: kr->airs[k] = zkvm_arith_air(); break;
        case ZKVM_KIND_ADD: kr->airs[k] = zkvm_add_air(); break;
        case ZKVM_KIND_LOGIC: kr->airs[k] = zkvm_logic_air(); break;
        case ZKVM_KIND_SHIFTW: kr->airs[k] = zkvm_shiftw_air(); break;
        case ZKVM_KIND_EQ: kr->airs[k] = zkvm_eq_air(); break;
        case ZKVM_KIND_REFRESH: kr->airs[k] = zkvm_refresh_air(); break;
        case ZKVM_KIND_SHIFT64: kr->airs[k] = zkvm_shift64_air(); break;
        case ZKVM_KIND_MEMOP: kr->airs[k] = zkvm_memop_air(); break;
        case ZKVM_KIND_MUL: kr->airs[k] = zkvm_mul_air(); break;
        case ZKVM_KIND_CMP: kr->airs[k] = zkvm_cmp_air(); break;
        case ZKVM_KIND_WMEM: kr->airs[k] = zkvm_wmem_air(); break;
        case ZKVM_KIND_DIV: kr->airs[k] = zkvm_div_air(); break;
        default: ZISK_ASSERT(0);
        }
    }
    return kr->airs[k];
}

/* Fixed columns of a universal kind at 2^log_n rows (NULL when the AIR has none). */
static gl_t *kind_fixed(zkvm_kind k, unsigned log_n) {
    switch (k) {
    case ZKVM_KIND_MAIN: return NULL;
    case ZKVM_KIND_MEMORY: return NULL;
    case ZKVM_KIND_MEMOP: return NULL;
    case ZKVM_KIND_BOUNDARY: return zkvm_boundary_fixed();
    case ZKVM_KIND_REFRESH: return zkvm_refresh_fixed(log_n);
    case ZKVM_KIND_RANGE: return zkvm_range_fixed();
    case ZKVM_KIND_BINARY_TABLE: return zkvm_binary_table_fixed();
    default: break;
    }
    for (size_t i = 0; i < N_PROVIDERS; i++)
        if (providers[i].kind == k) return providers[i].fixed(log_n);
    ZISK_ASSERT(0);
    return NULL;
}

/* The log_n a universal kind must have, or 0 when any size is allowed. */
static unsigned kind_fixed_log_n(zkvm_kind k) {
    switch (k) {
    case ZKVM_KIND_BOUNDARY: return ZKVM_BOUNDARY_LOG_N;
    case ZKVM_KIND_RANGE: return ZKVM_RANGE_LOG_N;
    case ZKVM_KIND_BINARY_TABLE: return ZKVM_BINARY_TABLE_LOG_N;
    default: return 0;
    }
}

static void keyring_init(keyring *kr) {
    memset(kr, 0, sizeof *kr);
    kr->params = stark_params_default();
}

static void keyring_free(keyring *kr) {
    for (size_t i = 0; i < kr->n_keys; i++) stark_pk_free(kr->keys[i].pk);
    for (unsigned k = 0; k < ZKVM_N_KINDS; k++) air_free(kr->airs[k]);
}

/* Prover key for (kind, log_n); program keys use prog_fixed. */
static const stark_pk *keyring_pk(keyring *kr, zkvm_kind k, unsigned log_n, const gl_t *prog_fixed,
                                  zisk_err *err) {
    for (size_t i = 0; i < kr->n_keys; i++)
        if (kr->keys[i].kind == k && kr->keys[i].log_n == log_n && kr->keys[i].pk) return kr->keys[i].pk;
    ZISK_ASSERT(kr->n_keys < 256);
    gl_t *fixed = k == ZKVM_KIND_PROGRAM ? NULL : kind_fixed(k, log_n);
    stark_pk *pk = stark_setup(kind_air(kr, k), &kr->params, log_n, k == ZKVM_KIND_PROGRAM ? prog_fixed : fixed, err);
    free(fixed);
    if (!pk) return NULL;
    if (k != ZKVM_KIND_PROGRAM && kr->file && air_n_cols(kind_air(kr, k), AIR_FIXED) > 0) {
        const hash_digest *want = keys_find(kr->file, k, log_n);
        if (want && memcmp(want->h, stark_pk_vk(pk)->fixed_root.h, sizeof want->h) != 0) {
            zisk_err_set(err, "proving key %s: the %s commitment for 2^%u rows differs from this build's; delete the "
                         "file and run 'zisk setup'", kr->file->path, zkvm_kind_name(k), log_n);
            stark_pk_free(pk);
            return NULL;
        }
        keys_add(kr->file, k, log_n, &stark_pk_vk(pk)->fixed_root);
    }
    kr->keys[kr->n_keys].kind = k;
    kr->keys[kr->n_keys].log_n = log_n;
    kr->keys[kr->n_keys].pk = pk;
    kr->keys[kr->n_keys].vk = *stark_pk_vk(pk);
    kr->keys[kr->n_keys].have_vk = 1;
    kr->n_keys++;
    return pk;
}

/* Verifier key for a universal (kind, log_n): computes the fixed commitment. */
static const stark_vk *keyring_vk(keyring *kr, zkvm_kind k, unsigned log_n, zisk_err *err) {
    for (size_t i = 0; i < kr->n_keys; i++)
        if (kr->keys[i].kind == k && kr->keys[i].log_n == log_n && kr->keys[i].have_vk) return &kr->keys[i].vk;
    const hash_digest *root = keys_find(kr->file, k, log_n);
    if (root) {
        ZISK_ASSERT(kr->n_keys < 256);
        if (stark_vk_init(&kr->keys[kr->n_keys].vk, kind_air(kr, k), &kr->params, log_n, root, err) != 0) return NULL;
        kr->keys[kr->n_keys].kind = k;
        kr->keys[kr->n_keys].log_n = log_n;
        kr->keys[kr->n_keys].pk = NULL;
        kr->keys[kr->n_keys].have_vk = 1;
        return &kr->keys[kr->n_keys++].vk;
    }
    const stark_pk *pk = keyring_pk(kr, k, log_n, NULL, err);
    return pk ? stark_pk_vk(pk) : NULL;
}

static unsigned ceil_log2(size_t n) {
    unsigned l = 0;
    while (((size_t)1 << l) < n) l++;
    return l;
}

/* ------------------------------------------------------------------------------------------ */
/* The proving-key folder                                                                       */
/* ------------------------------------------------------------------------------------------ */

#define KEYS_FILE "universal.keys"
#define KEYS_HEADER "zisk proving key v1\n"

static void sha_hex(const void *data, size_t len, char out[65]) {
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256(data, len, d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A fingerprint of this build's AIRs, parameters and proof formats: the VK digest of every
 * kind with a zero fixed root (it binds every AIR's shape and the FRI parameters) and the
 * STARK and zkVM proof versions. */
static void build_fingerprint(char out[65]) {
    keyring kr;
    keyring_init(&kr);
    hash_digest d[ZKVM_N_KINDS], zero;
    memset(&zero, 0, sizeof zero);
    memset(d, 0, sizeof d);
    for (unsigned k = 0; k < ZKVM_N_KINDS; k++) {
        if (kind_retired(k)) continue;
        stark_vk vk;
        unsigned l = kind_fixed_log_n((zkvm_kind)k) ? kind_fixed_log_n((zkvm_kind)k) : 4;
        ZISK_ASSERT(stark_vk_init(&vk, kind_air(&kr, (zkvm_kind)k), &kr.params, l, &zero, NULL) == 0);
        d[k] = vk.digest;
    }
    keyring_free(&kr);
    /* the proof formats too: a Merkle leaf layout change changes every commitment */
    struct {
        hash_digest d[ZKVM_N_KINDS];
        uint32_t stark_version, zkvm_version;
    } fp;
    memset(&fp, 0, sizeof fp);
    memcpy(fp.d, d, sizeof d);
    fp.stark_version = STARK_PROOF_VERSION;
    fp.zkvm_version = ZKVM_PROOF_VERSION;
    sha_hex(&fp, sizeof fp, out);
}

static char *keys_path(const char *dir) {
    size_t n = strlen(dir) + sizeof KEYS_FILE + 2;
    char *p = zisk_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, KEYS_FILE);
    return p;
}

int zkvm_keys_load(const char *dir, zkvm_keys **out, zisk_err *err) {
    *out = NULL;
    char *path = keys_path(dir);
    uint8_t *data;
    size_t len;
    zisk_err e2;
    if (zisk_read_file(path, 1 << 20, &data, &len, &e2) != 0) {
        zisk_err_set(err, "proving key %s cannot be read (%s); create it with 'zisk setup --elf FILE "
                     "--proving-key %s'", path, e2.msg, dir);
        free(path);
        return -1;
    }
    zkvm_keys *k = zisk_xcalloc(1, sizeof *k);
    k->path = path;
    build_fingerprint(k->fingerprint);
    /* layout: header, "fingerprint HEX", entries, "checksum HEX" over everything before it */
    char *text = zisk_xmalloc(len + 1);
    memcpy(text, data, len);
    text[len] = 0;
    free(data);
    int rc = -1;
    char *cs = strstr(text, "checksum ");
    char want[65];
    if (strlen(text) != len || strncmp(text, KEYS_HEADER, strlen(KEYS_HEADER)) != 0 || !cs) {
        zisk_err_set(err, "proving key %s is damaged (not a zisk proving key file); delete it and run 'zisk setup'", path);
        goto done;
    }
    sha_hex(text, (size_t)(cs - text), want);
    if (strncmp(cs + 9, want, 64) != 0 || cs[9 + 64] != '\n' || cs[9 + 65] != 0) {
        zisk_err_set(err, "proving key %s is damaged (checksum mismatch); delete it and run 'zisk setup'", path);
        goto done;
    }
    char *line = text + strlen(KEYS_HEADER);
    if (strncmp(line, "fingerprint ", 12) != 0 || strncmp(line + 12, k->fingerprint, 64) != 0) {
        zisk_err_set(err, "proving key %s was made by another build (other AIRs or parameters); delete it and run "
                     "'zisk setup' with this build", path);
        goto done;
    }
    line = strchr(line, '\n') + 1;
    while (line < cs) {
        char kname[32], hex[65];
        unsigned log_n;
        if (sscanf(line, "entry %31s %u %64s", kname, &log_n, hex) != 3) break;
        unsigned kind = 0;
        while (kind < ZKVM_N_KINDS && strcmp(kind_names[kind], kname) != 0) kind++;
        hash_digest root;
        if (kind == ZKVM_N_KINDS || kind_retired(kind) || log_n > STARK_MAX_LOG_N || zkvm_vk_parse(hex, &root, NULL) != 0)
            break;
        keys_add(k, (zkvm_kind)kind, log_n, &root);
        line = strchr(line, '\n') + 1;
    }
    if (line != cs) {
        zisk_err_set(err, "proving key %s: malformed entry at byte %zu", path, (size_t)(line - text));
        goto done;
    }
    k->dirty = 0;
    *out = k;
    rc = 0;
done:
    free(text);
    if (rc != 0) zkvm_keys_free(k);
    return rc;
}

int zkvm_keys_save(zkvm_keys *k, zisk_err *err) {
    if (!k || !k->dirty) return 0;
    size_t cap = 256 + k->n * 128, n = 0;
    char *buf = zisk_xmalloc(cap);
    n += (size_t)snprintf(buf + n, cap - n, "%sfingerprint %s\n", KEYS_HEADER, k->fingerprint);
    for (size_t i = 0; i < k->n; i++) {
        char hex[65];
        zkvm_vk_hex(&k->e[i].root, hex);
        n += (size_t)snprintf(buf + n, cap - n, "entry %s %u %s\n", kind_names[k->e[i].kind], k->e[i].log_n, hex);
    }
    char sum[65];
    sha_hex(buf, n, sum);
    n += (size_t)snprintf(buf + n, cap - n, "checksum %s\n", sum);
    /* write to a temporary name and rename: a crash never leaves a half-written key */
    size_t tl = strlen(k->path) + 8;
    char *tmp = zisk_xmalloc(tl);
    snprintf(tmp, tl, "%s.tmp", k->path);
    int rc = zisk_write_file(tmp, buf, n, err);
    if (rc == 0 && rename(tmp, k->path) != 0)
        rc = zisk_err_set(err, "cannot rename %s to %s: %s", tmp, k->path, strerror(errno));
    free(tmp);
    free(buf);
    if (rc == 0) k->dirty = 0;
    return rc;
}

int zkvm_keys_create(const char *dir, zkvm_keys **out, int *created, zisk_err *err) {
    *created = 0;
    if (zkvm_keys_load(dir, out, NULL) == 0) return 0;
    if (zisk_mkdir_p(dir, err) != 0) return -1;
    zkvm_keys *k = zisk_xcalloc(1, sizeof *k);
    k->path = keys_path(dir);
    build_fingerprint(k->fingerprint);
    /* the fixed-size universal AIRs now; segment sizes are added as they are first used */
    keyring kr;
    keyring_init(&kr);
    static const zkvm_kind fixed_kinds[] = {ZKVM_KIND_BOUNDARY, ZKVM_KIND_RANGE, ZKVM_KIND_BINARY_TABLE};
    int rc = 0;
    for (size_t i = 0; i < sizeof fixed_kinds / sizeof fixed_kinds[0] && rc == 0; i++) {
        const stark_vk *vk = keyring_vk(&kr, fixed_kinds[i], kind_fixed_log_n(fixed_kinds[i]), err);
        if (!vk) rc = -1;
        else keys_add(k, fixed_kinds[i], kind_fixed_log_n(fixed_kinds[i]), &vk->fixed_root);
    }
    keyring_free(&kr);
    k->dirty = 1;
    if (rc == 0) rc = zkvm_keys_save(k, err);
    if (rc != 0) {
        zkvm_keys_free(k);
        return -1;
    }
    *out = k;
    *created = 1;
    return 0;
}

void zkvm_keys_free(zkvm_keys *k) {
    if (!k) return;
    free(k->path);
    free(k->e);
    free(k);
}

/* ------------------------------------------------------------------------------------------ */
/* VK                                                                                           */
/* ------------------------------------------------------------------------------------------ */

int zkvm_program_vk(const vm_program *p, hash_digest *vk, zisk_err *err) {
    zkvm_rom *rom = zkvm_rom_build(p);
    unsigned log_n = zkvm_program_log_n(rom);
    gl_t *fixed = zkvm_program_fixed(rom, log_n);
    air *a = zkvm_program_air();
    stark_params params = stark_params_default();
    stark_pk *pk = stark_setup(a, &params, log_n, fixed, err);
    int rc = -1;
    if (pk) {
        *vk = stark_pk_vk(pk)->digest;
        rc = 0;
    }
    stark_pk_free(pk);
    air_free(a);
    free(fixed);
    zkvm_rom_free(rom);
    return rc;
}

void zkvm_vk_hex(const hash_digest *vk, char out[65]) {
    for (unsigned i = 0; i < HASH_DIGEST_LEN; i++)
        for (unsigned b = 0; b < 8; b++) snprintf(out + 16 * i + 2 * b, 3, "%02x", (unsigned)((vk->h[i] >> (8 * b)) & 0xff));
    out[64] = 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int zkvm_vk_parse(const char *hex, hash_digest *vk, zisk_err *err) {
    if (strncmp(hex, "0x", 2) == 0) hex += 2;
    if (strlen(hex) != 64)
        return zisk_err_set(err, "a VK is 64 hex digits (32 bytes); got %zu characters", strlen(hex));
    for (unsigned i = 0; i < HASH_DIGEST_LEN; i++) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 8; b++) {
            int hi = hexval(hex[16 * i + 2 * b]), lo = hexval(hex[16 * i + 2 * b + 1]);
            if (hi < 0 || lo < 0) return zisk_err_set(err, "a VK is hex digits only; '%c%c' at offset %u is not",
                                                      hex[16 * i + 2 * b], hex[16 * i + 2 * b + 1], 16 * i + 2 * b);
            v |= (uint64_t)(hi * 16 + lo) << (8 * b);
        }
        if (v >= GL_P) return zisk_err_set(err, "VK element %u is not a field element (>= p)", i);
        vk->h[i] = v;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Prover                                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct inst {
    zkvm_kind kind;
    unsigned log_n;
    size_t kidx;   /* index among the instances of its kind (segment index for main/memory) */
    size_t first;  /* providers: first record; main/memory: segment index */
    size_t count;  /* providers: records */
    int prov;      /* providers: index into providers[] */
    gl_t *trace;   /* built stage-1 trace, or NULL */
    gl_t publics[ZKVM_BPUB_COUNT];
} inst;

typedef struct inst_list {
    inst *v;
    size_t n, cap;
    size_t per_kind[ZKVM_N_KINDS];
} inst_list;

static inst *inst_add(inst_list *l, zkvm_kind k, unsigned log_n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = zisk_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    inst *i = &l->v[l->n++];
    memset(i, 0, sizeof *i);
    i->kind = k;
    i->log_n = log_n;
    i->kidx = l->per_kind[k]++;
    return i;
}

/* Padding that costs more committed cells than this is worth one more instance. An instance
 * costs the prover about 2^17 cells' worth of work on its own (its FRI proof and grinding, the
 * tops of its trees), and the proof ~0.5 MB and the verifier ~30 ms: 2^18 balances the three
 * (at 2^20 steps: 40 instances, 23.6 MB; with 2^17: 49, 27.9 MB, and no faster within noise). */
#define PAD_SPLIT_CELLS ((double)(1u << 18))

/* Adds the instances for n rows of one kind, each of at most 2^max_log rows, and returns how
 * many. Full instances first, then the rows left as descending powers of two: 2^ceil(log2 r)
 * rows for the r rows left, unless its padding (cells_per_row committed cells a row) costs more
 * than PAD_SPLIT_CELLS: then 2^floor(log2 r) rows and the rest after. `carry` = 1 for memory
 * segments, whose later segments start with a copy of the previous segment's last row. Each
 * instance's `first` is its first row (a later memory segment's: the carry row), `count` its new
 * rows. */
static size_t add_instances(inst_list *L, zkvm_kind kind, int prov, size_t n, unsigned max_log, int carry,
                            double cells_per_row) {
    size_t done = 0, k = 0;
    while (done < n) {
        size_t c = k > 0 ? (size_t)carry : 0, left = n - done, need = left + c;
        unsigned l = max_log;
        if (need < ((size_t)1 << max_log)) {
            l = ceil_log2(need) < 2 ? 2 : ceil_log2(need);
            if (l > 2 && (double)(((size_t)1 << l) - need) * cells_per_row > PAD_SPLIT_CELLS) l--;
        }
        size_t take = ((size_t)1 << l) - c;
        if (take > left) take = left;
        inst *in = inst_add(L, kind, l);
        in->prov = prov, in->first = done - c, in->count = take;
        done += take;
        k++;
    }
    return k;
}

/* Committed cells per row of an AIR (stage 1, stage 2, two quotient chunks). */
static double cells_per_row(const air *a) {
    return (double)(air_n_cols(a, AIR_STAGE1) + air_n_cols(a, AIR_STAGE2) + 6);
}

/* The bytes an instance's held trace and stage-1 LDE take (8 + 16 per trace cell). */
static double held_bytes(keyring *kr, const inst *in) {
    return (double)air_n_cols(kind_air(kr, in->kind), AIR_STAGE1) * 24.0 * (double)((size_t)1 << in->log_n);
}

/* Everything an instance's trace is built from. */
/* The links between instances that live in their public values (docs/PROOFS.md, "Segments"):
 * main segment 0 starts at upc 0, step 1 and every later one where the previous one's last
 * row continues; memory segment 0 starts with the sentinel and every later one with the
 * previous one's last row; the boundary's exit code and halt step are the last main
 * segment's; the other main segments' halt publics are 0. Instances in job order, each with
 * its kind and publics (the counts of publics are the AIRs', checked by the caller). Used by
 * the verifier and by the prover's --verify-constraints. */
static int check_links(const zkvm_kind *kind, const gl_t *const *pub, size_t n, zisk_err *err) {
    const gl_t *prev_main = NULL, *prev_mem = NULL;
    size_t n_main = 0, n_mem = 0;
    for (size_t i = 0; i < n; i++) {
        const gl_t *p = pub[i];
        if (kind[i] == ZKVM_KIND_MAIN) {
            gl_t want_upc = prev_main ? prev_main[ZKVM_MPUB_OUT_UPC] : 0;
            gl_t want_step = prev_main ? prev_main[ZKVM_MPUB_OUT_STEP] : 1;
            if (p[ZKVM_MPUB_IN_UPC] != want_upc || p[ZKVM_MPUB_IN_STEP] != want_step)
                return zisk_err_set(err, "main segment %zu starts at upc %llu, step %llu; %s at upc %llu, step %llu",
                                    n_main, (unsigned long long)p[ZKVM_MPUB_IN_UPC],
                                    (unsigned long long)p[ZKVM_MPUB_IN_STEP],
                                    prev_main ? "the previous segment continues" : "the run starts",
                                    (unsigned long long)want_upc, (unsigned long long)want_step);
            if (prev_main && (prev_main[ZKVM_MPUB_EXIT_LO] | prev_main[ZKVM_MPUB_EXIT_HI] | prev_main[ZKVM_MPUB_HALT_STEP]))
                return zisk_err_set(err, "main segment %zu is not the last but has halt publics", n_main - 1);
            prev_main = p;
            n_main++;
        } else if (kind[i] == ZKVM_KIND_MEMORY) {
            for (unsigned j = 0; j < 4; j++)
                if (p[ZKVM_XPUB_IN + j] != (prev_mem ? prev_mem[ZKVM_XPUB_OUT + j] : 0))
                    return zisk_err_set(err, "memory segment %zu does not start with %s", n_mem,
                                        prev_mem ? "the previous segment's last row" : "the sentinel (0, 0, 0)");
            prev_mem = p;
            n_mem++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (kind[i] != ZKVM_KIND_BOUNDARY) continue;
        if (!prev_main) return zisk_err_set(err, "no main segment");
        const gl_t *b = pub[i];
        if (b[ZKVM_BPUB_EXIT_LO] != prev_main[ZKVM_MPUB_EXIT_LO] || b[ZKVM_BPUB_EXIT_HI] != prev_main[ZKVM_MPUB_EXIT_HI])
            return zisk_err_set(err, "the exit code of the boundary (%llu) is not the halting main segment's (%llu)",
                                (unsigned long long)(b[ZKVM_BPUB_EXIT_LO] | b[ZKVM_BPUB_EXIT_HI] << 32),
                                (unsigned long long)(prev_main[ZKVM_MPUB_EXIT_LO] | prev_main[ZKVM_MPUB_EXIT_HI] << 32));
        if (b[ZKVM_BPUB_S_END] != prev_main[ZKVM_MPUB_HALT_STEP])
            return zisk_err_set(err, "the halt step of the boundary (%llu) is not the halting main segment's (%llu)",
                                (unsigned long long)b[ZKVM_BPUB_S_END],
                                (unsigned long long)prev_main[ZKVM_MPUB_HALT_STEP]);
    }
    return 0;
}

typedef struct witness {
    const zkvm_rom *rom;
    zkvm_exec *e;
    unsigned main_log_n, mem_log_n;
    size_t n_main, n_mem; /* segments */
    zkvm_op_record *recs[N_PROVIDERS];
    zkvm_binary_counts *bcnt;
    zkvm_range_counts *rcnt;    /* the job's range lookups (counted on each first build) */
    zkvm_range_counts *scratch; /* rebuilds count here (discarded) */
    const zkvm_prove_opts *opts;
    keyring *kr;
} witness;

/* Builds instance in's stage-1 trace (allocated). The first build of every instance counts its
 * range lookups into the job's counts (the range instance, built last, needs them all); a
 * rebuild (streaming) gives the same trace and counts nothing. The test-only tamper hook sees
 * every build (a rebuild gets a scratch copy of the publics). */
static gl_t *build_trace(witness *w, inst *in, int rebuild) {
    zkvm_range_counts *rc = rebuild ? w->scratch : w->rcnt;
    gl_t *t = NULL;
    switch (in->kind) {
    case ZKVM_KIND_PROGRAM: t = zkvm_program_trace(w->rom, w->e, in->log_n); break;
    case ZKVM_KIND_MAIN: t = zkvm_main_trace(w->rom, w->e, in->log_n, in->first, rc); break;
    case ZKVM_KIND_MEMORY: t = zkvm_mem_trace(w->e, in->log_n, in->first, rc); break;
    case ZKVM_KIND_BOUNDARY: t = zkvm_boundary_trace(w->e); break;
    case ZKVM_KIND_REFRESH: t = zkvm_refresh_trace(w->e, in->log_n, rc); break;
    case ZKVM_KIND_RANGE: t = zkvm_range_trace(w->rcnt); break;
    case ZKVM_KIND_BINARY_TABLE: t = zkvm_binary_table_trace(w->bcnt); break;
    case ZKVM_KIND_MEMOP: t = zkvm_memop_trace(w->rom, w->e, in->log_n, in->first, in->count); break;
    default:
        t = providers[in->prov].trace(w->recs[in->prov] + in->first, in->count, in->log_n, rc);
        break;
    }
    if (w->opts->tamper) {
        gl_t copy[ZKVM_BPUB_COUNT];
        memcpy(copy, in->publics, sizeof copy);
        w->opts->tamper(w->opts->tamper_ctx, in->kind, in->kidx, in->log_n,
                        air_n_cols(kind_air(w->kr, in->kind), AIR_STAGE1), t, rebuild ? copy : in->publics);
    }
    /* segment publics follow from the trace (as a cheating prover would make them: the links
     * between segments are what the verifier checks) */
    if (!rebuild && in->kind == ZKVM_KIND_MAIN) zkvm_main_publics(w->e, t, in->log_n, in->kidx, w->n_main, in->publics);
    if (!rebuild && in->kind == ZKVM_KIND_MEMORY) zkvm_mem_publics(t, in->log_n, in->kidx, w->n_mem, in->publics);
    return t;
}

static void progress(const zkvm_prove_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const zkvm_prove_opts *o, const char *fmt, ...) {
    if (!o->progress) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->progress, fmt, ap);
    va_end(ap);
    fflush(o->progress);
}

/* Checks one instance's constraints and adds it to the bus tally (--verify-constraints). */
static int check_instance(keyring *kr, const inst *in, const gl_t *fixed, air_bus_tally *tally,
                          size_t index, zisk_err *err) {
    const air *a = kind_air(kr, in->kind);
    size_t n = (size_t)1 << in->log_n;
    air_view v = air_view_col_major(in->trace, fixed, NULL, n);
    /* Fixed challenges: the check is about the witness, not about soundness. */
    static const gl3_t ch[AIR_N_CHALLENGES] = {{{0x1234567, 0x89abcdef, 0x13579}}, {{0x2468ace, 0x97531, 0xfedcba9}}};
    air_values vals = {in->publics, ch, {{0, 0, 0}}, 0};
    gl_t *s2 = zisk_xcalloc(n * (air_n_cols(a, AIR_STAGE2) + 1), sizeof *s2);
    int rc = -1;
    if (air_stage2_generate(a, &v, &vals, s2, &vals.bus_sum, err) != 0) goto done;
    v.m[AIR_STAGE2] = air_matrix_col_major(s2, n);
    air_failure f;
    zisk_err e2;
    if (air_check(a, &v, &vals, &f, &e2) != 0) {
        zisk_err_set(err, "constraint check failed in instance %zu (%s): %s", index, zkvm_kind_name(in->kind), e2.msg);
        goto done;
    }
    if (air_bus_tally_add(tally, a, &v, &vals, err) != 0) goto done;
    rc = 0;
done:
    free(s2);
    return rc;
}

static const char *bus_name(uint32_t bus) {
    switch (bus) {
    case ZKVM_BUS_ROM: return "rom (instruction fetch)";
    case ZKVM_BUS_MEM: return "memory";
    case ZKVM_BUS_OP: return "operation";
    case ZKVM_BUS_RANGE16: return "range";
    case ZKVM_BUS_REG: return "register";
    case ZKVM_BUS_MEMOP: return "memop";
    default: return "provider-private";
    }
}

#define MAGIC "ZKVMPRF"

static void put_u32(uint8_t *p, uint32_t v) { for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put_u64(uint8_t *p, uint64_t v) { for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static uint32_t get_u32(const uint8_t *p) { uint32_t v = 0; for (unsigned i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i); return v; }
static uint64_t get_u64(const uint8_t *p) { uint64_t v = 0; for (unsigned i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i); return v; }

int zkvm_prove(const vm_program *p, const uint8_t *input, size_t input_len,
               const zkvm_prove_opts *opts, zkvm_keys *keys, uint8_t **proof, size_t *proof_len,
               zkvm_prove_stats *st, zisk_err *err) {
    memset(st, 0, sizeof *st);
    unsigned seg_bits = opts->segment_bits;
    if (seg_bits < ZKVM_SEGMENT_BITS_MIN || seg_bits > ZKVM_SEGMENT_BITS_MAX)
        return zisk_err_set(err, "segment bits %u outside %d..%d", seg_bits, ZKVM_SEGMENT_BITS_MIN,
                            ZKVM_SEGMENT_BITS_MAX);
    double t_start = zisk_now_seconds(), t0 = t_start;
    keyring kr;
    keyring_init(&kr);
    kr.file = keys;
    inst_list L = {0};
    zkvm_exec e;
    int have_exec = 0, rc = -1;
    stark_instance **si = NULL;
    stark_job_proof job;
    memset(&job, 0, sizeof job);
    zkvm_range_counts *rcnt = zisk_xcalloc(1, sizeof *rcnt);
    zkvm_binary_counts *bcnt = NULL;
    gl_t *prog_fixed = NULL;
    const stark_pk **pks = NULL;
    witness W;
    memset(&W, 0, sizeof W);

    zkvm_rom *rom = zkvm_rom_build(p);
    unsigned pl = zkvm_program_log_n(rom);
    prog_fixed = zkvm_program_fixed(rom, pl);
    progress(opts, "executing...\n");
    /* The execution runs on one thread; the other meanwhile builds the keys every job needs
     * (the program's and the two tables': their fixed commitments), which keyring_pk then
     * finds. Only this section touches the keyring while the execution runs. */
    int exec_rc = 0, key_rc = 0;
    zisk_err key_err;
    double exec_s = 0;
#pragma omp parallel sections num_threads(2)
    {
#pragma omp section
        {
            double te = zisk_now_seconds();
            exec_rc = zkvm_exec_run(p, rom, input, input_len, ZKVM_MAX_UOPS, &e, err);
            exec_s = zisk_now_seconds() - te;
        }
#pragma omp section
        key_rc = !keyring_pk(&kr, ZKVM_KIND_PROGRAM, pl, prog_fixed, &key_err) ||
                 !keyring_pk(&kr, ZKVM_KIND_RANGE, ZKVM_RANGE_LOG_N, NULL, &key_err) ||
                 !keyring_pk(&kr, ZKVM_KIND_BINARY_TABLE, ZKVM_BINARY_TABLE_LOG_N, NULL, &key_err);
    }
    /* the keys' share of the wall time: what they took beyond the execution */
    double keys_extra = zisk_now_seconds() - t0 - exec_s;
    st->setup_s += keys_extra;
    t0 += keys_extra;
    if (exec_rc != 0) goto done;
    have_exec = 1;
    if (key_rc) {
        *err = key_err;
        goto done;
    }
    st->rv_steps = e.rv_steps;
    st->uops = e.n_rows;
    st->statement.exit_code = e.exit_code;
    memcpy(st->statement.outputs, e.outputs, sizeof e.outputs);
    st->execute_s = zisk_now_seconds() - t0;
    t0 = zisk_now_seconds();
    progress(opts, "executed %llu instructions (%zu uops); building traces...\n",
             (unsigned long long)e.rv_steps, e.n_rows);

    /* The instance list (traces are built later, one instance at a time). */
    W.rom = rom;
    W.e = &e;
    W.rcnt = rcnt;
    W.scratch = zisk_xcalloc(1, sizeof *W.scratch);
    W.opts = opts;
    W.kr = &kr;
    inst_add(&L, ZKVM_KIND_PROGRAM, pl);
    /* Main and memory segments (the segment links do not care about their sizes). */
    st->main_segments = W.n_main =
        add_instances(&L, ZKVM_KIND_MAIN, -1, e.n_rows, seg_bits, 0, cells_per_row(kind_air(&kr, ZKVM_KIND_MAIN)));
    (void)zkvm_mem_prepare(&e, seg_bits); /* sorts the accesses into memory rows */
    st->memory_segments = W.n_mem =
        add_instances(&L, ZKVM_KIND_MEMORY, -1, e.n_mem, seg_bits, 1, cells_per_row(kind_air(&kr, ZKVM_KIND_MEMORY)));
    {
        inst *in = inst_add(&L, ZKVM_KIND_BOUNDARY, ZKVM_BOUNDARY_LOG_N);
        in->publics[ZKVM_BPUB_EXIT_LO] = (uint32_t)e.exit_code;
        in->publics[ZKVM_BPUB_EXIT_HI] = e.exit_code >> 32;
        for (unsigned j = 0; j < VM_OUTPUT_WORDS; j++) in->publics[ZKVM_BPUB_OUT0 + j] = e.outputs[j];
        in->publics[ZKVM_BPUB_S_END] = e.halt_step;
    }
    /* the register refreshes (none for runs shorter than 2^ZKVM_REFRESH_LOG steps) */
    if (e.n_refresh) {
        unsigned l = ceil_log2(e.n_refresh);
        inst_add(&L, ZKVM_KIND_REFRESH, l < 2 ? 2 : l);
    }
    /* the memory uops (memop rows, in execution order) */
    add_instances(&L, ZKVM_KIND_MEMOP, -1, e.n_memops, seg_bits, 0, cells_per_row(kind_air(&kr, ZKVM_KIND_MEMOP)));
    /* providers: records split by provider (the first that handles the op), in execution
     * order; an op no provider handles is a bug (the transpiler emits only provable ops) */
    uint8_t *dest = zisk_xmalloc(e.n_ops ? e.n_ops : 1);
    size_t n_of[N_PROVIDERS] = {0};
    for (size_t i = 0; i < e.n_ops; i++) {
        size_t pi = 0;
        while (pi < N_PROVIDERS && !(providers[pi].handles_opc ? providers[pi].handles_opc(e.ops[i].opc)
                                                                 : providers[pi].handles(zkvm_opc_op(e.ops[i].opc))))
            pi++;
        ZISK_ASSERT(pi < N_PROVIDERS);
        dest[i] = (uint8_t)pi;
        n_of[pi]++;
    }
    for (size_t pi = 0; pi < N_PROVIDERS; pi++) {
        size_t n = 0;
        W.recs[pi] = zisk_xmalloc((n_of[pi] ? n_of[pi] : 1) * sizeof *W.recs[pi]);
        for (size_t i = 0; i < e.n_ops; i++)
            if (dest[i] == pi) W.recs[pi][n++] = e.ops[i];
        /* the byte table counts the lookups of the providers that make some */
        if (providers[pi].count_bytes && n > 0) {
            if (!bcnt) bcnt = zisk_xcalloc(1, sizeof *bcnt);
            providers[pi].count_bytes(bcnt, W.recs[pi], n);
            W.bcnt = bcnt;
        }
        add_instances(&L, providers[pi].kind, (int)pi, n, seg_bits, 0, cells_per_row(kind_air(&kr, providers[pi].kind)));
    }
    free(dest);
    /* the byte table after the providers that use it (its counts are complete: made from the
     * records above) */
    if (bcnt) inst_add(&L, ZKVM_KIND_BINARY_TABLE, ZKVM_BINARY_TABLE_LOG_N);
    /* the records now live per provider */
    free(e.ops);
    e.ops = NULL;
    e.cap_ops = 0;
    /* the range table last: when it is built, every other instance has counted its lookups */
    inst_add(&L, ZKVM_KIND_RANGE, ZKVM_RANGE_LOG_N);
    st->instances = L.n;
    for (size_t i = 0; i < L.n; i++) {
        st->instances_by_kind[L.v[i].kind]++;
        st->rows_by_kind[L.v[i].kind] += (uint64_t)1 << L.v[i].log_n;
    }
    /* Streaming: holding every instance's trace and stage-1 LDE until step (3) costs about
     * 3 x 8 bytes per trace cell. Above the budget, each trace is dropped after its commitment
     * (with its LDE) and both are rebuilt when the instance is finished: memory then holds the
     * execution records and one instance at a time, at the price of building every trace and
     * stage-1 LDE twice. */
    double held = 0;
    for (size_t i = 0; i < L.n; i++) held += held_bytes(&kr, &L.v[i]);
    uint64_t budget = opts->hold_bytes ? opts->hold_bytes : ZKVM_HOLD_BYTES;
    int stream = held > (double)budget;
    st->streamed = stream;
    /* When streaming, the instances from hold_from on keep theirs anyway, up to
     * ZKVM_HOLD_TAIL_BYTES: they are finished first (last first, step 3), so their memory is
     * free again before the main segments, the largest working sets, are finished; the peak
     * hardly moves and their rebuild is saved. (hold_bytes = 1: stream every instance.) */
    size_t hold_from = stream ? L.n : 0;
    if (stream && opts->hold_bytes != 1) {
        double tail = 0, b;
        while (hold_from > 0 && tail + (b = held_bytes(&kr, &L.v[hold_from - 1])) <= (double)ZKVM_HOLD_TAIL_BYTES) {
            tail += b;
            hold_from--;
        }
    }
    st->trace_s = zisk_now_seconds() - t0;
    t0 = zisk_now_seconds();

    /* Step (1), one instance at a time: trace, (check), key, commit. */
    progress(opts, "%zu instances; proving stage 1%s...\n", L.n, stream ? " (streaming)" : "");
    air_bus_tally *tally = opts->verify_constraints ? air_bus_tally_new() : NULL;
    si = zisk_xcalloc(L.n, sizeof *si);
    pks = zisk_xcalloc(L.n, sizeof *pks);
    stark_commitment *cm = zisk_xmalloc(L.n * sizeof *cm);
    int bad = 0;
    for (size_t i = 0; i < L.n && !bad; i++) {
        inst *in = &L.v[i];
        double tt = zisk_now_seconds();
        in->trace = build_trace(&W, in, 0);
        st->trace_s += zisk_now_seconds() - tt;
        if (tally) {
            tt = zisk_now_seconds();
            gl_t *fixed = in->kind == ZKVM_KIND_PROGRAM ? NULL : kind_fixed(in->kind, in->log_n);
            bad = check_instance(&kr, in, in->kind == ZKVM_KIND_PROGRAM ? prog_fixed : fixed, tally, i, err) != 0;
            free(fixed);
            st->check_s += zisk_now_seconds() - tt;
            if (bad) break;
        }
        tt = zisk_now_seconds();
        pks[i] = keyring_pk(&kr, in->kind, in->log_n, prog_fixed, err);
        st->setup_s += zisk_now_seconds() - tt;
        if (!pks[i]) {
            bad = 1;
            break;
        }
        double ti = zisk_now_seconds();
        si[i] = stark_commit_stage1(pks[i], in->trace, air_n_publics(kind_air(&kr, in->kind)) ? in->publics : NULL);
        cm[i] = stark_instance_commitment(si[i]);
        if (i < hold_from) {
            stark_instance_release(si[i]);
            free(in->trace);
            in->trace = NULL;
        }
        st->prove_s_by_kind[in->kind] += zisk_now_seconds() - ti;
    }
    if (tally && !bad) {
        uint32_t bus = 0;
        zisk_err e2;
        zkvm_kind *kk = zisk_xmalloc(L.n * sizeof *kk);
        const gl_t **pp = zisk_xmalloc(L.n * sizeof *pp);
        for (size_t i = 0; i < L.n; i++) kk[i] = L.v[i].kind, pp[i] = L.v[i].publics;
        if (check_links(kk, pp, L.n, &e2) != 0) {
            zisk_err_set(err, "link check failed: %s", e2.msg);
            bad = 1;
        } else if (air_bus_tally_check(tally, &bus, &e2) != 0) {
            zisk_err_set(err, "bus check failed: the %s bus (id %u) does not balance: %s", bus_name(bus), bus, e2.msg);
            bad = 1;
        }
        free(kk);
        free(pp);
    }
    air_bus_tally_free(tally);
    if (bad) {
        free(cm);
        goto done;
    }
    /* Held traces are never rebuilt: the execution records can go now, and the finish step's
     * buffers reuse their memory (a lower peak, fewer first-touched pages). */
    if (!stream) {
        zkvm_exec_free(&e);
        have_exec = 0;
        for (size_t pi = 0; pi < N_PROVIDERS; pi++) {
            free(W.recs[pi]);
            W.recs[pi] = NULL;
        }
    }
    /* Step (2): the global challenges from every commitment. */
    int crc = stark_derive_challenges(cm, L.n, &job.challenges, err);
    free(cm);
    if (crc != 0) goto done;
    /* Step (3): finish every instance (rebuilding its trace when streaming), last first: when
     * the traces and LDEs are held, the main segments (the largest of them, near the front)
     * are finished after the others have released theirs, whose memory their working set
     * then reuses (a lower peak: fewer first-touched pages). Each instance's proof depends
     * only on its own data and the job's challenges, so the order changes no byte. */
    job.n_instances = L.n;
    job.instances = zisk_xcalloc(L.n, sizeof *job.instances);
    for (size_t q = 0; q < L.n; q++) {
        size_t i = L.n - 1 - q;
        inst *in = &L.v[i];
        if (opts->progress && (q % 8 == 0 || q + 1 == L.n))
            progress(opts, "proving: instance %zu/%zu (%s)\n", q + 1, L.n, zkvm_kind_name(in->kind));
        if (!in->trace) {
            double tt = zisk_now_seconds();
            in->trace = build_trace(&W, in, 1);
            stark_instance_set_trace(si[i], in->trace);
            st->trace_s += zisk_now_seconds() - tt;
        }
        double ti = zisk_now_seconds();
        int frc = stark_finish(si[i], &job.challenges, &job.instances[i], err);
        if (frc > 0 && opts->keep_invalid) frc = 0; /* tests: let the verifier judge it */
        if (frc != 0) {
            if (frc > 0)
                zisk_err_set(err, "instance %zu (%s) does not satisfy its AIR (run with --verify-constraints to "
                             "name the constraint)", i, zkvm_kind_name(in->kind));
            goto done;
        }
        st->prove_s_by_kind[in->kind] += zisk_now_seconds() - ti;
        stark_stats ss;
        stark_instance_stats(si[i], &ss);
        st->stark.lde_s += ss.lde_s, st->stark.commit_s += ss.commit_s, st->stark.stage2_s += ss.stage2_s;
        st->stark.quotient_s += ss.quotient_s, st->stark.ood_s += ss.ood_s, st->stark.deep_s += ss.deep_s;
        st->stark.fri_s += ss.fri_s, st->stark.open_s += ss.open_s, st->stark.lde_cells += ss.lde_cells;
        stark_instance_free(si[i]);
        si[i] = NULL;
        free(in->trace);
        in->trace = NULL;
    }
    st->prove_s = zisk_now_seconds() - t0 - st->check_s - st->setup_s;
    t0 = zisk_now_seconds();

    /* the proof file */
    {
        size_t jl = stark_job_proof_encoded_size(&job);
        size_t hl = 8 + 4 + 4 + 4 * L.n + 32 + 8;
        uint8_t *buf = zisk_xmalloc(hl + jl);
        memcpy(buf, MAGIC, 8);
        put_u32(buf + 8, ZKVM_PROOF_VERSION);
        put_u32(buf + 12, (uint32_t)L.n);
        uint8_t *q = buf + 16;
        for (size_t i = 0; i < L.n; i++, q += 4) {
            q[0] = (uint8_t)L.v[i].kind;
            q[1] = (uint8_t)L.v[i].log_n;
            q[2] = q[3] = 0;
        }
        const stark_vk *pvk = stark_pk_vk(keyring_pk(&kr, ZKVM_KIND_PROGRAM, pl, prog_fixed, err));
        for (unsigned i = 0; i < HASH_DIGEST_LEN; i++) put_u64(q + 8 * i, pvk->fixed_root.h[i]);
        st->statement.program_vk = pvk->digest;
        q += 32;
        put_u64(q, jl);
        q += 8;
        ZISK_ASSERT(stark_job_proof_encode(&job, q, jl) == jl);
        *proof = buf;
        *proof_len = hl + jl;
        st->proof_bytes = hl + jl;
    }
    st->encode_s = zisk_now_seconds() - t0;
    st->total_s = zisk_now_seconds() - t_start;
    rc = 0;
done:
    if (si)
        for (size_t i = 0; i < L.n; i++) stark_instance_free(si[i]);
    free(si);
    stark_job_proof_free(&job);
    for (size_t i = 0; i < L.n; i++) free(L.v[i].trace);
    free(L.v);
    free(rcnt);
    free(bcnt);
    free(W.scratch);
    for (size_t pi = 0; pi < N_PROVIDERS; pi++) free(W.recs[pi]);
    free(pks);
    free(prog_fixed);
    if (have_exec) zkvm_exec_free(&e);
    zkvm_rom_free(rom);
    keyring_free(&kr);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Verifier                                                                                     */
/* ------------------------------------------------------------------------------------------ */

int zkvm_verify(const uint8_t *buf, size_t len, const hash_digest *expected_vk, zkvm_keys *keys,
                zkvm_statement *st, zisk_err *err) {
    memset(st, 0, sizeof *st);
    if (len < 16 || memcmp(buf, MAGIC, 8) != 0)
        return zisk_err_set(err, "not a zisk proof file (bad magic at byte 0)");
    uint32_t version = get_u32(buf + 8);
    if (version != ZKVM_PROOF_VERSION)
        return zisk_err_set(err, "proof version %u; this build reads version %d", version, ZKVM_PROOF_VERSION);
    uint32_t n = get_u32(buf + 12);
    if (n < 5 || n > STARK_MAX_INSTANCES)
        return zisk_err_set(err, "proof names %u instances (at byte 12); a proof has 5..%u", n, STARK_MAX_INSTANCES);
    size_t hl = 16 + 4 * (size_t)n + 32 + 8;
    if (len < hl) return zisk_err_set(err, "proof truncated in its header (%zu bytes, header needs %zu)", len, hl);
    const uint8_t *kinds = buf + 16;
    hash_digest proot;
    for (unsigned i = 0; i < HASH_DIGEST_LEN; i++) proot.h[i] = get_u64(buf + 16 + 4 * (size_t)n + 8 * i);
    uint64_t jl = get_u64(buf + 16 + 4 * (size_t)n + 32);
    if (jl != len - hl)
        return zisk_err_set(err, "proof length field says %llu bytes of STARK proof, the file has %zu",
                            (unsigned long long)jl, len - hl);
    /* the instance table: program, main*, memory*, boundary, then providers/tables, range last */
    size_t count[ZKVM_N_KINDS] = {0};
    for (uint32_t i = 0; i < n; i++) {
        unsigned k = kinds[4 * i], l = kinds[4 * i + 1];
        if (k >= ZKVM_N_KINDS || kind_retired(k) || kinds[4 * i + 2] || kinds[4 * i + 3] || l < 1 ||
            l > STARK_MAX_LOG_N)
            return zisk_err_set(err, "instance %u: bad kind/size entry at byte %u", i, 16 + 4 * i);
        /* segments and provider instances are at most 2^ZKVM_SEGMENT_BITS_MAX rows: a larger
         * claimed size would only make the verifier commit big fixed columns for nothing */
        if (k != ZKVM_KIND_PROGRAM && !kind_fixed_log_n((zkvm_kind)k) && (l < 2 || l > ZKVM_SEGMENT_BITS_MAX))
            return zisk_err_set(err, "instance %u (%s): size 2^%u outside 2^2..2^%d", i, zkvm_kind_name((zkvm_kind)k),
                                l, ZKVM_SEGMENT_BITS_MAX);
        if (kind_fixed_log_n((zkvm_kind)k) && l != kind_fixed_log_n((zkvm_kind)k))
            return zisk_err_set(err, "instance %u (%s): size 2^%u, must be 2^%u", i, zkvm_kind_name((zkvm_kind)k), l,
                                kind_fixed_log_n((zkvm_kind)k));
        count[k]++;
    }
    if (kinds[0] != ZKVM_KIND_PROGRAM || count[ZKVM_KIND_PROGRAM] != 1 || count[ZKVM_KIND_BOUNDARY] != 1 ||
        count[ZKVM_KIND_RANGE] != 1 || count[ZKVM_KIND_MAIN] < 1 || count[ZKVM_KIND_MEMORY] < 1 ||
        count[ZKVM_KIND_BINARY_TABLE] > 1 || count[ZKVM_KIND_REFRESH] > 1)
        return zisk_err_set(err, "the proof's instance list is not a zkVM job (it needs the program first, and exactly one "
                            "boundary and one range instance, at least one main and one memory segment, at most one "
                            "byte table and one register-refresh instance)");

    stark_job_proof job;
    memset(&job, 0, sizeof job);
    zisk_err e2;
    stark_status s = stark_job_proof_decode(buf + hl, len - hl, &job, &e2);
    if (s != STARK_OK) {
        stark_job_proof_free(&job);
        return zisk_err_set(err, "proof decoding failed (%s): %s", stark_status_str(s), e2.msg);
    }
    int rc = -1;
    keyring kr;
    keyring_init(&kr);
    kr.file = keys;
    const stark_vk **vks = NULL;
    if (job.n_instances != n) {
        zisk_err_set(err, "the header lists %u instances, the STARK proof has %zu", n, job.n_instances);
        goto done;
    }
    /* keys: the program's from the root in the header (its digest must be the expected VK) */
    stark_vk pvk;
    if (stark_vk_init(&pvk, kind_air(&kr, ZKVM_KIND_PROGRAM), &kr.params, kinds[1], &proot, &e2) != 0) {
        zisk_err_set(err, "program key: %s", e2.msg);
        goto done;
    }
    if (expected_vk && memcmp(expected_vk->h, pvk.digest.h, sizeof pvk.digest.h) != 0) {
        char a[65], b[65];
        zkvm_vk_hex(expected_vk, a);
        zkvm_vk_hex(&pvk.digest, b);
        zisk_err_set(err, "the proof is for another program: its VK is %s, expected %s", b, a);
        goto done;
    }
    st->program_vk = pvk.digest;
    vks = zisk_xmalloc(n * sizeof *vks);
    size_t seen[ZKVM_N_KINDS] = {0};
    for (uint32_t i = 0; i < n; i++) {
        zkvm_kind k = (zkvm_kind)kinds[4 * i];
        unsigned l = kinds[4 * i + 1];
        if (k == ZKVM_KIND_PROGRAM) {
            vks[i] = &pvk;
        } else {
            vks[i] = keyring_vk(&kr, k, l, &e2);
            if (!vks[i]) {
                zisk_err_set(err, "instance %u (%s, 2^%u rows): %s", i, zkvm_kind_name(k), l, e2.msg);
                goto done;
            }
        }
        const stark_proof *pr = &job.instances[i];
        if (memcmp(pr->vk_digest.h, vks[i]->digest.h, sizeof pr->vk_digest.h) != 0) {
            zisk_err_set(err, "instance %u is not a %s instance of 2^%u rows (its VK differs)", i, zkvm_kind_name(k), l);
            goto done;
        }
        /* segment structure */
        if (k == ZKVM_KIND_MAIN || k == ZKVM_KIND_MEMORY) {
            gl_t want[3];
            zkvm_seg_publics(seen[k], count[k], want);
            uint32_t np = k == ZKVM_KIND_MAIN ? ZKVM_MAIN_N_PUBLICS : ZKVM_MEM_N_PUBLICS;
            if (pr->n_publics != np || memcmp(pr->publics, want, sizeof want) != 0) {
                zisk_err_set(err, "instance %u: %s segment %zu of %zu has wrong segment publics", i, zkvm_kind_name(k),
                             seen[k], count[k]);
                goto done;
            }
        }
        if (k == ZKVM_KIND_BOUNDARY) {
            if (pr->n_publics != ZKVM_BPUB_COUNT) {
                zisk_err_set(err, "instance %u: boundary has %u public values", i, pr->n_publics);
                goto done;
            }
            for (unsigned j = 0; j < ZKVM_BPUB_COUNT; j++)
                if (pr->publics[j] >> 32) {
                    zisk_err_set(err, "instance %u: public value %u is not a 32-bit word", i, j);
                    goto done;
                }
            st->exit_code = pr->publics[ZKVM_BPUB_EXIT_LO] | pr->publics[ZKVM_BPUB_EXIT_HI] << 32;
            for (unsigned j = 0; j < VM_OUTPUT_WORDS; j++) st->outputs[j] = (uint32_t)pr->publics[ZKVM_BPUB_OUT0 + j];
        }
        seen[k]++;
    }
    {
        zkvm_kind *kk = zisk_xmalloc(n * sizeof *kk);
        const gl_t **pp = zisk_xmalloc(n * sizeof *pp);
        for (uint32_t i = 0; i < n; i++) kk[i] = (zkvm_kind)kinds[4 * i], pp[i] = job.instances[i].publics;
        int lrc = check_links(kk, pp, n, &e2);
        free(kk);
        free(pp);
        if (lrc != 0) {
            zisk_err_set(err, "the instances do not link up: %s", e2.msg);
            goto done;
        }
    }
    s = stark_verify_job(vks, n, &job, &e2);
    if (s != STARK_OK) {
        zisk_err_set(err, "STARK verification failed (%s): %s", stark_status_str(s), e2.msg);
        goto done;
    }
    rc = 0;
done:
    free(vks);
    stark_job_proof_free(&job);
    keyring_free(&kr);
    if (rc != 0) memset(st, 0, sizeof *st);
    return rc;
}
