/*
 * gl_vec_loops.h: the element-wise kernel loops (add, sub, mul, scale), the NTT stages and the
 * extension-field kernels on planes, written once for every vector width. A backend file defines VEC (its vector type), VEC_LANES,
 * VEC_FN(name) (its function prefix) and the inline v_load/v_store/v_set1/v_add/v_sub/v_mul of
 * its instruction set, plus v_hi (the high 32 bits of each lane moved down),
 * v_mul_pre(a, b, v_hi(b)) (a product whose second operand's high halves were prepared once, as
 * the NTT stages do for a twiddle shared by a whole block) and v_mul_w4 (times 2^48), then
 * includes this file. Lengths that are not a multiple of the lane count finish with the scalar
 * operations, so every backend agrees with gl.h exactly.
 * Private to src/field.
 */
#if !defined(VEC) || !defined(VEC_LANES) || !defined(VEC_FN)
#error "define VEC, VEC_LANES and VEC_FN before including gl_vec_loops.h"
#endif

static void VEC_FN(add)(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) v_store(out + i, v_add(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_add(a[i], b[i]);
}

static void VEC_FN(sub)(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) v_store(out + i, v_sub(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_sub(a[i], b[i]);
}

static void VEC_FN(mul)(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) v_store(out + i, v_mul(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_mul(a[i], b[i]);
}

static void VEC_FN(scale)(gl_t *out, const gl_t *a, gl_t s, size_t n) {
    size_t i = 0;
    VEC vs = v_set1(s);
    for (; i + VEC_LANES <= n; i += VEC_LANES) v_store(out + i, v_mul(v_load(a + i), vs));
    for (; i < n; i++) out[i] = gl_mul(a[i], s);
}

/* ---- NTT stages with one twiddle per block (contracts in gl.h) ----------------------------- */

/* A twiddle broadcast to every lane, with its high halves ready for v_mul_pre. */
typedef struct {
    VEC w, wh;
} VEC_FN(tw);

static inline VEC_FN(tw) VEC_FN(tw_set1)(gl_t z) {
    VEC_FN(tw) t = {v_set1(z), v_set1(z >> 32)};
    return t;
}

static inline VEC VEC_FN(tw_mul)(VEC v, VEC_FN(tw) t) { return v_mul_pre(v, t.w, t.wh); }

/* CT butterflies between rows p and q, columns j < len. The twiddle of a stage's first block is
 * 1 (w^0), which covers a whole stage of the first pass: no multiplication there. */
static inline void VEC_FN(ct_rows)(gl_t *p, gl_t *q, size_t len, gl_t z) {
    size_t j = 0;
    if (z == 1) {
        for (; j + VEC_LANES <= len; j += VEC_LANES) {
            VEC u = v_load(p + j), v = v_load(q + j);
            v_store(p + j, v_add(u, v));
            v_store(q + j, v_sub(u, v));
        }
    } else {
        VEC_FN(tw) tz = VEC_FN(tw_set1)(z);
        for (; j + VEC_LANES <= len; j += VEC_LANES) {
            VEC u = v_load(p + j), t = VEC_FN(tw_mul)(v_load(q + j), tz);
            v_store(p + j, v_add(u, t));
            v_store(q + j, v_sub(u, t));
        }
    }
    for (; j < len; j++) {
        gl_t u = p[j], t = gl_mul(q[j], z);
        p[j] = gl_add(u, t);
        q[j] = gl_sub(u, t);
    }
}

static inline void VEC_FN(gs_rows)(gl_t *p, gl_t *q, size_t len, gl_t z) {
    size_t j = 0;
    if (z == 1) {
        for (; j + VEC_LANES <= len; j += VEC_LANES) {
            VEC u = v_load(p + j), v = v_load(q + j);
            v_store(p + j, v_add(u, v));
            v_store(q + j, v_sub(u, v));
        }
    } else {
        VEC_FN(tw) tz = VEC_FN(tw_set1)(z);
        for (; j + VEC_LANES <= len; j += VEC_LANES) {
            VEC u = v_load(p + j), v = v_load(q + j);
            v_store(p + j, v_add(u, v));
            v_store(q + j, VEC_FN(tw_mul)(v_sub(u, v), tz));
        }
    }
    for (; j < len; j++) {
        gl_t u = p[j], v = q[j];
        p[j] = gl_add(u, v);
        q[j] = gl_mul(gl_sub(u, v), z);
    }
}

static void VEC_FN(ntt_ct2)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw) {
    for (size_t b = 0; b < blocks; b++)
        VEC_FN(ct_rows)(x + 2 * m * b, x + 2 * m * b + m, len, tw[b]);
}

static void VEC_FN(ntt_gs2)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw) {
    for (size_t b = 0; b < blocks; b++)
        VEC_FN(gs_rows)(x + 2 * m * b, x + 2 * m * b + m, len, tw[b]);
}

/* Two stages per pass halve the loads and stores of radix-2 passes. The NTT tables satisfy
 * tw_a[b] = r^2 and tw_b[2b + 1] = r w4 with r = tw_b[2b] and w4 = +-2^48 (gl.h), which turns the
 * four multiplications of the two stages into three by powers of r (the rows "twisted" by 1, r,
 * r^2, r^3) and one by w4, which v_mul_w4 does with shifts and a reduction:
 *   CT, with x1' = r x1, x2' = r^2 x2, x3' = r^3 x3:
 *       rows 0, 1: (x0 + x2') +- (x1' + x3');   rows 2, 3: (x0 - x2') +- w4 (x1' - x3')
 *   GS, with y0 = x0 + x1, y2 = x2 + x3, D = x0 - x1, E = w4 (x2 - x3):
 *       row 0: y0 + y2;   row 2: r^2 (y0 - y2);   row 1: r (D + E);   row 3: r^3 (D - E)
 * (expand either side to check it against the two stages). For w4 = -2^48 (the inverse tables)
 * the operands of the difference that goes through v_mul_w4 swap. The first block of a
 * transform has r = 1 and needs only the w4 product. */
#define VEC_INLINE static inline __attribute__((always_inline))

VEC_INLINE void VEC_FN(ct4_cols)(gl_t *r0, gl_t *r1, gl_t *r2, gl_t *r3, size_t len, gl_t r,
                                 gl_t rr, gl_t rrr, int twist, int neg) {
    VEC_FN(tw) t1 = VEC_FN(tw_set1)(r), t2 = VEC_FN(tw_set1)(rr), t3 = VEC_FN(tw_set1)(rrr);
    for (size_t j = 0; j < len; j += VEC_LANES) {
        VEC x0 = v_load(r0 + j), x1 = v_load(r1 + j), x2 = v_load(r2 + j), x3 = v_load(r3 + j);
        if (twist) {
            x1 = VEC_FN(tw_mul)(x1, t1);
            x2 = VEC_FN(tw_mul)(x2, t2);
            x3 = VEC_FN(tw_mul)(x3, t3);
        }
        VEC y0 = v_add(x0, x2), y2 = v_sub(x0, x2), y1 = v_add(x1, x3);
        VEC y3 = v_mul_w4(neg ? v_sub(x3, x1) : v_sub(x1, x3));
        v_store(r0 + j, v_add(y0, y1));
        v_store(r1 + j, v_sub(y0, y1));
        v_store(r2 + j, v_add(y2, y3));
        v_store(r3 + j, v_sub(y2, y3));
    }
}

VEC_INLINE void VEC_FN(gs4_cols)(gl_t *r0, gl_t *r1, gl_t *r2, gl_t *r3, size_t len, gl_t r,
                                 gl_t rr, gl_t rrr, int twist, int neg) {
    VEC_FN(tw) t1 = VEC_FN(tw_set1)(r), t2 = VEC_FN(tw_set1)(rr), t3 = VEC_FN(tw_set1)(rrr);
    for (size_t j = 0; j < len; j += VEC_LANES) {
        VEC x0 = v_load(r0 + j), x1 = v_load(r1 + j), x2 = v_load(r2 + j), x3 = v_load(r3 + j);
        VEC y0 = v_add(x0, x1), y2 = v_add(x2, x3), d = v_sub(x0, x1);
        VEC e = v_mul_w4(neg ? v_sub(x3, x2) : v_sub(x2, x3));
        VEC o0 = v_add(y0, y2), o2 = v_sub(y0, y2), o1 = v_add(d, e), o3 = v_sub(d, e);
        if (twist) {
            o1 = VEC_FN(tw_mul)(o1, t1);
            o2 = VEC_FN(tw_mul)(o2, t2);
            o3 = VEC_FN(tw_mul)(o3, t3);
        }
        v_store(r0 + j, o0);
        v_store(r1 + j, o1);
        v_store(r2 + j, o2);
        v_store(r3 + j, o3);
    }
}

/* Whether the tables' w4 is -2^48 (the inverse transform's), read from the first block with
 * r != 0 (a block with r = 0 gives the same result either way). */
static inline int VEC_FN(w4_negative)(const gl_t *tw_b, size_t blocks) {
    for (size_t b = 0; b < blocks; b++)
        if (tw_b[2 * b] != 0) return tw_b[2 * b + 1] != gl_mul(tw_b[2 * b], (gl_t)1 << 48);
    return 0;
}

static void VEC_FN(ntt_ct4)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                            const gl_t *tw_b) {
    int neg = VEC_FN(w4_negative)(tw_b, blocks);
    size_t vlen = len - len % VEC_LANES;
    for (size_t b = 0; b < blocks; b++) {
        gl_t *r0 = x + 4 * m * b, *r1 = r0 + m, *r2 = r1 + m, *r3 = r2 + m;
        gl_t r = tw_b[2 * b], rr = tw_a[b], rrr = gl_mul(r, rr);
        if (r == 1 && neg) VEC_FN(ct4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 0, 1);
        else if (r == 1) VEC_FN(ct4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 0, 0);
        else if (neg) VEC_FN(ct4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 1, 1);
        else VEC_FN(ct4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 1, 0);
        if (vlen < len) {
            size_t j = vlen, rest = len - vlen;
            VEC_FN(ct_rows)(r0 + j, r2 + j, rest, rr);
            VEC_FN(ct_rows)(r1 + j, r3 + j, rest, rr);
            VEC_FN(ct_rows)(r0 + j, r1 + j, rest, r);
            VEC_FN(ct_rows)(r2 + j, r3 + j, rest, tw_b[2 * b + 1]);
        }
    }
}

static void VEC_FN(ntt_gs4)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                            const gl_t *tw_b) {
    int neg = VEC_FN(w4_negative)(tw_b, blocks);
    size_t vlen = len - len % VEC_LANES;
    for (size_t b = 0; b < blocks; b++) {
        gl_t *r0 = x + 4 * m * b, *r1 = r0 + m, *r2 = r1 + m, *r3 = r2 + m;
        gl_t r = tw_b[2 * b], rr = tw_a[b], rrr = gl_mul(r, rr);
        if (r == 1 && neg) VEC_FN(gs4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 0, 1);
        else if (r == 1) VEC_FN(gs4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 0, 0);
        else if (neg) VEC_FN(gs4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 1, 1);
        else VEC_FN(gs4_cols)(r0, r1, r2, r3, vlen, r, rr, rrr, 1, 0);
        if (vlen < len) {
            size_t j = vlen, rest = len - vlen;
            VEC_FN(gs_rows)(r0 + j, r1 + j, rest, r);
            VEC_FN(gs_rows)(r2 + j, r3 + j, rest, tw_b[2 * b + 1]);
            VEC_FN(gs_rows)(r0 + j, r2 + j, rest, rr);
            VEC_FN(gs_rows)(r1 + j, r3 + j, rest, rr);
        }
    }
}

/* Four independent running powers, so the loop waits on no multiplication's latency. */
static void VEC_FN(scale_powers)(gl_t *x, size_t n, gl_t c, gl_t s) {
    size_t i = 0;
    if (n >= 4 * VEC_LANES) {
        gl_t pw[4 * VEC_LANES];
        pw[0] = c;
        for (size_t k = 1; k < 4 * VEC_LANES; k++) pw[k] = gl_mul(pw[k - 1], s);
        VEC_FN(tw) step = VEC_FN(tw_set1)(gl_pow(s, 4 * VEC_LANES));
        VEC p0 = v_load(pw), p1 = v_load(pw + VEC_LANES), p2 = v_load(pw + 2 * VEC_LANES),
            p3 = v_load(pw + 3 * VEC_LANES);
        for (; i + 4 * VEC_LANES <= n; i += 4 * VEC_LANES) {
            v_store(x + i, v_mul(v_load(x + i), p0));
            v_store(x + i + VEC_LANES, v_mul(v_load(x + i + VEC_LANES), p1));
            v_store(x + i + 2 * VEC_LANES, v_mul(v_load(x + i + 2 * VEC_LANES), p2));
            v_store(x + i + 3 * VEC_LANES, v_mul(v_load(x + i + 3 * VEC_LANES), p3));
            p0 = VEC_FN(tw_mul)(p0, step), p1 = VEC_FN(tw_mul)(p1, step);
            p2 = VEC_FN(tw_mul)(p2, step), p3 = VEC_FN(tw_mul)(p3, step);
        }
        v_store(pw, p0);
        c = pw[0]; /* c * s^i */
    }
    gl_scalar_scale_powers(x + i, n - i, c, s);
}

/* (a0 + a1 X + a2 X^2)(b0 + b1 X + b2 X^2) with X^3 = X + 1 (as gl3_mul), by Karatsuba: the
 * cross products a_i b_j + a_j b_i are (a_i + a_j)(b_i + b_j) - a_i b_i - a_j b_j, six products
 * instead of nine (a product costs several times an addition). With those, the schoolbook
 * coefficients are c0 = p00, c1 = x01, c2 = x02 + p11, c3 = x12, c4 = p22, and
 * X^3 = X + 1, X^4 = X^2 + X give r0 = c0 + c3, r1 = c1 + c3 + c4, r2 = c2 + c4. */
static inline __attribute__((always_inline)) void VEC_FN(ext_mul_v)(VEC a0, VEC a1, VEC a2, VEC b0, VEC b1, VEC b2, VEC *r0,
                                     VEC *r1, VEC *r2) {
    VEC p00 = v_mul(a0, b0), p11 = v_mul(a1, b1), p22 = v_mul(a2, b2);
    VEC x01 = v_sub(v_sub(v_mul(v_add(a0, a1), v_add(b0, b1)), p00), p11);
    VEC x02 = v_sub(v_sub(v_mul(v_add(a0, a2), v_add(b0, b2)), p00), p22);
    VEC x12 = v_sub(v_sub(v_mul(v_add(a1, a2), v_add(b1, b2)), p11), p22);
    *r0 = v_add(p00, x12);
    *r1 = v_add(v_add(x01, x12), p22);
    *r2 = v_add(v_add(x02, p11), p22);
}

static void VEC_FN(ext_mul)(gl_t *const out[3], const gl_t *const a[3], const gl_t *const b[3],
                            size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC r0, r1, r2;
        VEC_FN(ext_mul_v)(v_load(a[0] + i), v_load(a[1] + i), v_load(a[2] + i), v_load(b[0] + i),
                          v_load(b[1] + i), v_load(b[2] + i), &r0, &r1, &r2);
        v_store(out[0] + i, r0), v_store(out[1] + i, r1), v_store(out[2] + i, r2);
    }
    for (; i < n; i++) {
        gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, (gl3_t){{b[0][i], b[1][i], b[2][i]}});
        out[0][i] = r.c[0], out[1][i] = r.c[1], out[2][i] = r.c[2];
    }
}

static void VEC_FN(ext_scale)(gl_t *const out[3], const gl_t *const a[3], gl3_t s, size_t n) {
    size_t i = 0;
    VEC s0 = v_set1(s.c[0]), s1 = v_set1(s.c[1]), s2 = v_set1(s.c[2]);
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC r0, r1, r2;
        VEC_FN(ext_mul_v)(v_load(a[0] + i), v_load(a[1] + i), v_load(a[2] + i), s0, s1, s2, &r0,
                          &r1, &r2);
        v_store(out[0] + i, r0), v_store(out[1] + i, r1), v_store(out[2] + i, r2);
    }
    for (; i < n; i++) {
        gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, s);
        out[0][i] = r.c[0], out[1][i] = r.c[1], out[2][i] = r.c[2];
    }
}

/* Montgomery's trick on VEC_LANES interleaved chains: lane l multiplies up the elements
 * i = l (mod VEC_LANES), so a vector load of VEC_LANES consecutive elements advances every chain
 * by one. scratch holds each element's exclusive prefix product (its chain's product of the
 * earlier elements); the lane totals are inverted one by one (VEC_LANES inversions per call),
 * and the backward pass turns prefixes into inverses. The last n % VEC_LANES elements form one
 * scalar chain. */
static int VEC_FN(ext_batch_inv)(gl_t *const x[3], size_t n, gl_t *const scratch[3]) {
    size_t nv = n - n % VEC_LANES;
    VEC r0 = v_set1(1), r1 = v_set1(0), r2 = v_set1(0);
    for (size_t i = 0; i < nv; i += VEC_LANES) {
        v_store(scratch[0] + i, r0), v_store(scratch[1] + i, r1), v_store(scratch[2] + i, r2);
        VEC_FN(ext_mul_v)(r0, r1, r2, v_load(x[0] + i), v_load(x[1] + i), v_load(x[2] + i), &r0,
                          &r1, &r2);
    }
    gl3_t tail = gl3_one();
    for (size_t i = nv; i < n; i++) {
        scratch[0][i] = tail.c[0], scratch[1][i] = tail.c[1], scratch[2][i] = tail.c[2];
        tail = gl3_mul(tail, (gl3_t){{x[0][i], x[1][i], x[2][i]}});
    }
    /* A chain's product is 0 exactly when one of its elements is (a field has no zero
     * divisors); the products before it were stored, x is untouched so far. */
    gl_t t0[VEC_LANES], t1[VEC_LANES], t2[VEC_LANES];
    v_store(t0, r0), v_store(t1, r1), v_store(t2, r2);
    /* The lane totals and the tail's product inverted together (Montgomery once more: one
     * inversion per call, which matters for the short batches of the STARK's blocks). */
    gl3_t pre[VEC_LANES], all = tail;
    for (int l = 0; l < VEC_LANES; l++) {
        pre[l] = all;
        all = gl3_mul(all, (gl3_t){{t0[l], t1[l], t2[l]}});
    }
    if (gl3_is_zero(all)) return 1;
    gl3_t inv = gl3_inv(all);
    for (int l = VEC_LANES; l-- > 0;) {
        gl3_t t = {{t0[l], t1[l], t2[l]}}, it = gl3_mul(inv, pre[l]);
        inv = gl3_mul(inv, t);
        t0[l] = it.c[0], t1[l] = it.c[1], t2[l] = it.c[2];
    }
    tail = inv; /* what is left: the inverse of the tail's product */
    for (size_t i = n; i-- > nv;) {
        gl3_t xi = {{x[0][i], x[1][i], x[2][i]}};
        gl3_t o = gl3_mul(tail, (gl3_t){{scratch[0][i], scratch[1][i], scratch[2][i]}});
        tail = gl3_mul(tail, xi);
        x[0][i] = o.c[0], x[1][i] = o.c[1], x[2][i] = o.c[2];
    }
    VEC q0 = v_load(t0), q1 = v_load(t1), q2 = v_load(t2); /* the inverse of the rest so far */
    for (size_t i = nv; i > 0;) {
        i -= VEC_LANES;
        VEC x0 = v_load(x[0] + i), x1 = v_load(x[1] + i), x2 = v_load(x[2] + i), o0, o1, o2;
        VEC_FN(ext_mul_v)(q0, q1, q2, v_load(scratch[0] + i), v_load(scratch[1] + i),
                          v_load(scratch[2] + i), &o0, &o1, &o2);
        VEC_FN(ext_mul_v)(q0, q1, q2, x0, x1, x2, &q0, &q1, &q2);
        v_store(x[0] + i, o0), v_store(x[1] + i, o1), v_store(x[2] + i, o2);
    }
    return 0;
}

static void VEC_FN(ext_axpy)(gl_t *const acc[3], const gl_t *x, gl3_t s, size_t n) {
    size_t i = 0;
    VEC s0 = v_set1(s.c[0]), s1 = v_set1(s.c[1]), s2 = v_set1(s.c[2]);
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC xv = v_load(x + i);
        v_store(acc[0] + i, v_add(v_load(acc[0] + i), v_mul(xv, s0)));
        v_store(acc[1] + i, v_add(v_load(acc[1] + i), v_mul(xv, s1)));
        v_store(acc[2] + i, v_add(v_load(acc[2] + i), v_mul(xv, s2)));
    }
    for (; i < n; i++)
        for (int k = 0; k < 3; k++) acc[k][i] = gl_add(acc[k][i], gl_mul(x[i], s.c[k]));
}

static gl3_t VEC_FN(ext_dot)(const gl_t *x, const gl_t *const y[3], size_t n) {
    size_t i = 0;
    VEC a0 = v_set1(0), a1 = v_set1(0), a2 = v_set1(0);
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC xv = v_load(x + i);
        a0 = v_add(a0, v_mul(xv, v_load(y[0] + i)));
        a1 = v_add(a1, v_mul(xv, v_load(y[1] + i)));
        a2 = v_add(a2, v_mul(xv, v_load(y[2] + i)));
    }
    gl_t l0[VEC_LANES], l1[VEC_LANES], l2[VEC_LANES];
    v_store(l0, a0), v_store(l1, a1), v_store(l2, a2);
    gl3_t r = gl3_zero();
    for (int l = 0; l < VEC_LANES; l++) r = gl3_add(r, (gl3_t){{l0[l], l1[l], l2[l]}});
    for (; i < n; i++) r = gl3_add(r, (gl3_t){{gl_mul(x[i], y[0][i]), gl_mul(x[i], y[1][i]), gl_mul(x[i], y[2][i])}});
    return r;
}
