/*
 * gl_vec_loops.h: the element-wise kernel loops (add, sub, mul, scale, DIT and DIF butterflies),
 * written once for every vector width. A backend file defines VEC (its vector type), VEC_LANES,
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
