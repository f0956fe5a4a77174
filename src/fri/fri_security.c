/*
 * fri_security.c: the soundness estimate of docs/SECURITY.md. Every term is an error
 * probability turned into bits (-log2); the total is the minimum of the terms (a sum of errors
 * is within one bit of its largest term, and the table in SECURITY.md rounds down).
 */
#include <math.h>
#include <string.h>

#include "fri_internal.h"

/* log2 |F_p^3| = 3 * log2(2^64 - 2^32 + 1). */
static double log2_ext_field(void) { return 3.0 * log2(18446744069414584321.0); }

/* Poseidon2 digests are 4 Goldilocks elements (~2^256 values) and the sponge capacity is 4
 * elements: generic collision (birthday) and capacity attacks both cost ~2^128. The deficit of
 * 4 * log2(p) below 256 is 7e-10 bits and is ignored. */
#define HASH_COLLISION_BITS 128.0

void fri_security_estimate(const fri_params *params, unsigned log_degree,
                           unsigned max_constraint_degree, unsigned log_n_constraints,
                           fri_security *out) {
    memset(out, 0, sizeof *out);
    if (params == NULL || fri_params_check(params, log_degree, NULL) != 0 || log_n_constraints > 64)
        return;
    fri_proof shape;
    memset(&shape, 0, sizeof shape);
    fri_layout(&shape, params, log_degree);
    double lb = params->log_blowup, q = params->n_queries, pow = params->pow_bits;
    double log_n = log_degree + lb; /* log2 of the LDE domain size */
    double log_f = log2_ext_field();
    double dmax = max_constraint_degree ? max_constraint_degree : 1;

    /* Conjectured (ethSTARK, Conjecture 2.3 / "8.4" style): each query of a codeword at distance
     * from the code catches it with probability 1 - rho, rho = 2^-log_blowup, up to the
     * capacity bound; grinding adds its bits to the query phase. */
    out->query_conjectured = q * lb + pow;

    /* Field terms, summed as probabilities:
     *  ALI: the constraints are combined with powers of one challenge, a nonzero polynomial of
     *       degree < n_constraints in it:            2^log_n_constraints / |F|
     *  DEEP: the out-of-domain point (and its shift to the next row) hits a root of a nonzero
     *       polynomial of degree < dmax * n + n:     2 * (dmax + 1) * 2^log_degree / |F|
     *  FRI commit phase (conjectured): each fold by 2^k with powers of beta:
     *                                               (2^k - 1) * 2^log_n / |F| per layer. */
    double eps = ldexp(1.0, (int)log_n_constraints - 192) +
                 2.0 * (dmax + 1.0) * ldexp(1.0, (int)log_degree - 192);
    double fold_terms = 0;
    for (unsigned i = 0; i < shape.n_layers; i++) fold_terms += ldexp(1.0, (int)shape.layer_log_arity[i]) - 1.0;
    eps += fold_terms * ldexp(1.0, (int)log_n - 192);
    /* The terms above use 2^192 for |F|; correct by the exact size of F_p^3. */
    out->field = -log2(eps) + (log_f - 192.0);
    out->hash = HASH_COLLISION_BITS;
    out->conjectured = fmin(out->query_conjectured, fmin(out->field, out->hash));

    /* Proven, Johnson-bound regime (BCIKS20 "Proximity gaps", as applied in ethSTARK sec. 5):
     * distance 1 - sqrt(rho) * (1 + 1/(2m)) for an integer m >= 3; per query error that
     * fraction's complement, and the correlated-agreement error per folded function
     *   eps_C = (m + 1/2)^7 / (3 * rho^(3/2)) * N^2 / |F|.
     * A larger m helps the queries and hurts the commit phase; take the best m. */
    double best = -1, best_q = 0, best_c = 0;
    for (int m = 3; m <= 256; m++) {
        double alpha = exp2(-lb / 2.0) * (1.0 + 1.0 / (2.0 * m));
        double qbits = -q * log2(alpha) + pow;
        double log_eps_c = 7.0 * log2(m + 0.5) - log2(3.0) + 1.5 * lb + 2.0 * log_n - log_f;
        double cbits = -(log_eps_c + log2(fold_terms > 0 ? fold_terms : 1.0));
        double b = fmin(qbits, cbits);
        if (b > best) {
            best = b;
            best_q = qbits;
            best_c = cbits;
        }
    }
    out->query_proven = best_q;
    out->commit_proven = best_c;
    out->proven = fmin(fmin(best_q, best_c), fmin(out->field, out->hash));
}

double fri_conjectured_bits(const fri_params *params) {
    fri_security s;
    fri_security_estimate(params, 22, 3, 12, &s);
    return s.conjectured;
}
