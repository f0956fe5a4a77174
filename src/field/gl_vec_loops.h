/*
 * gl_vec_loops.h: the element-wise kernel loops (add, sub, mul, scale, DIT and DIF butterflies,
 * extension-field products on planes), written once for every vector width. A backend file defines VEC (its vector type), VEC_LANES,
 * VEC_FN(name) (its function prefix) and the inline v_load/v_store/v_set1/v_add/v_sub/v_mul of
 * its instruction set, then includes this file. Lengths that are not a multiple of the lane
 * count finish with the scalar operations, so every backend agrees with gl.h exactly.
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

static void VEC_FN(dit)(gl_t *x, gl_t *y, const gl_t *tw, size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC u = v_load(x + i);
        VEC t = v_mul(v_load(y + i), v_load(tw + i));
        v_store(x + i, v_add(u, t));
        v_store(y + i, v_sub(u, t));
    }
    for (; i < n; i++) {
        gl_t t = gl_mul(y[i], tw[i]), u = x[i];
        x[i] = gl_add(u, t);
        y[i] = gl_sub(u, t);
    }
}

static void VEC_FN(dif)(gl_t *x, gl_t *y, const gl_t *tw, size_t n) {
    size_t i = 0;
    for (; i + VEC_LANES <= n; i += VEC_LANES) {
        VEC u = v_load(x + i), v = v_load(y + i);
        v_store(x + i, v_add(u, v));
        v_store(y + i, v_mul(v_sub(u, v), v_load(tw + i)));
    }
    for (; i < n; i++) {
        gl_t u = x[i], v = y[i];
        x[i] = gl_add(u, v);
        y[i] = gl_mul(gl_sub(u, v), tw[i]);
    }
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
    if (gl3_is_zero(tail)) return 1;
    for (int l = 0; l < VEC_LANES; l++) {
        gl3_t t = {{t0[l], t1[l], t2[l]}};
        if (gl3_is_zero(t)) return 1;
        t = gl3_inv(t);
        t0[l] = t.c[0], t1[l] = t.c[1], t2[l] = t.c[2];
    }
    tail = gl3_inv(tail);
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
