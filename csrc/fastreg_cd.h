/*
 * fastreg_cd.h -- plain-C building blocks of the coordinate-descent kernels.
 *
 * Everything here is `static inline`, allocation-free and GIL-free: scalar
 * pieces of the Elastic-Net update and duality gap, sparse (CSC column)
 * dot/axpy with 32- or 64-bit indices, and a small seeded PRNG for
 * selection='random'. Each routine exists for double (suffix _d) and
 * float (suffix _s); sparse routines also by index width (_i32 / _i64).
 *
 * Units: "kernel units", i.e. the un-normalised objective
 *     P(w) = 1/2 ||R||^2 + l1 ||w||_1 + l2/2 ||w||^2,   R = y - X w.
 */
#ifndef FASTREG_CD_H
#define FASTREG_CD_H

#include <math.h>
#include <stdint.h>

#define FR_SCALAR_HELPERS(T, S, FABS)                                          \
/* argmin_w 1/2 a w^2 - b w + l1 |w| + l2/2 w^2 (a = ||x_j||^2, b = x_j.R + a w_old), \
 * optionally constrained to w >= 0. */                                       \
static inline T fr_cd_update_##S(T b, T a, T l1, T l2, int positive)          \
{                                                                             \
    T mag = FABS(b) - l1;                                                     \
    if (mag <= 0 || (positive && b < 0))                                      \
        return (T)0;                                                          \
    return (b > 0 ? mag : -mag) / (a + l2);                                   \
}                                                                             \
                                                                              \
/* Squared excess of one dual-constraint value over l1: (|v| - l1)_+^2,       \
 * or (v - l1)_+^2 when positive. */                                          \
static inline T fr_excess_sq_##S(T v, T l1, int positive)                     \
{                                                                             \
    T e = (positive ? v : FABS(v)) - l1;                                      \
    return e > 0 ? e * e : (T)0;                                              \
}                                                                             \
                                                                              \
/* Elastic-Net duality gap from its sufficient scalars, with per-feature      \
 * penalty factors pf_j (the penalty is sum_j pf_j (l1 |w_j| + l2/2 w_j^2)).  \
 *   primal   = 1/2 ||R||^2 + l2/2 sum pf w^2 + l1 sum pf |w|  (R = y - X w),  \
 *   th_norm2 = ||theta||^2, th_y = theta.y for the dual candidate theta: R,   \
 *              or R projected off the unpenalised columns (pf_j = 0), which  \
 *              makes x_j.theta = 0 for those, as the dual requires,          \
 *   l2_w2    = l2 sum_j pf_j w_j^2,                                          \
 *   dual_norm = max_{pf_j > 0} |x_j.theta - l2 pf_j w_j| / pf_j (signed      \
 *              max if positive),                                             \
 *   excess_sq = sum_{pf_j > 0} (|x_j.theta| - l1 pf_j)_+^2 / pf_j (signed if  \
 *              positive).                                                    \
 * Two dual-feasible points are available: theta rescaled into the l1 ball of \
 * the equivalent augmented Lasso (needs l1 > 0), and theta itself with the   \
 * l2 term's conjugate (needs l2 > 0). The gap uses the better (larger) dual  \
 * value, and never less than D(0) = 0 (theta = 0 is always feasible), so the \
 * gap never exceeds the primal value; with l1 == l2 == 0 that is the only    \
 * point, and the primal value is returned.                                   \
 * *gap_l1 receives the gap at the first point alone (INFINITY if l1 == 0):   \
 * the Gap Safe sphere is centred there, so its radius must use that gap. */  \
static inline T fr_enet_gap_##S(T primal, T th_norm2, T th_y, T l2_w2,        \
                                T dual_norm, T excess_sq, T l1, T l2,         \
                                T *gap_l1)                                    \
{                                                                             \
    T dual = 0;                                                               \
    *gap_l1 = INFINITY;                                                       \
    if (l1 > 0) {                                                             \
        T c = (dual_norm > l1) ? l1 / dual_norm : (T)1;                       \
        T d1 = c * th_y - (T)0.5 * c * c * (th_norm2 + l2_w2);                \
        *gap_l1 = primal - d1;                                                \
        if (d1 > dual)                                                        \
            dual = d1;                                                        \
    }                                                                         \
    if (l2 > 0) {                                                             \
        T d2 = th_y - (T)0.5 * th_norm2 - (T)0.5 * excess_sq / l2;            \
        if (d2 > dual)                                                        \
            dual = d2;                                                        \
    }                                                                         \
    return primal - dual;                                                     \
}                                                                             \
                                                                              \
/* Gap Safe screening test (Ndiaye et al., 2017) on the augmented Lasso:     \
 * feature j is provably zero at the optimum when                            \
 *     |xt_j.theta| + r ||xt_j|| < 1,  theta = R~ / max(l1, dual_norm),        \
 *     r = sqrt(2 gap_l1) / l1,  ||xt_j||^2 = ||x_j||^2 + l2,                  \
 * with xt_j.theta = (x_j.R - l2 w_j) / max(l1, dual_norm) = v / scale.       \
 * With positive=True only the upper constraint binds: v is used signed. */  \
static inline int fr_screen_out_##S(T v, T scale, T radius, T col_norm2,      \
                                    T l2, int positive)                       \
{                                                                             \
    T t = (positive ? v : FABS(v)) / scale;                                   \
    return t + radius * (T)sqrt((double)(col_norm2 + l2)) < (T)1;             \
}

FR_SCALAR_HELPERS(double, d, fabs)
FR_SCALAR_HELPERS(float, s, fabsf)

/* Sparse column kernels: the column is (data[k], indices[k]) for k in [start, end). */
#define FR_SPARSE_HELPERS(T, S, I, IS)                                        \
static inline T fr_sparse_dot_##S##_##IS(const T *data, const I *indices,     \
                                         I start, I end, const T *v)          \
{                                                                             \
    T acc = 0;                                                                \
    for (I k = start; k < end; ++k)                                           \
        acc += data[k] * v[indices[k]];                                       \
    return acc;                                                               \
}                                                                             \
                                                                              \
static inline void fr_sparse_axpy_##S##_##IS(T alpha, const T *data,          \
                                             const I *indices, I start, I end,\
                                             T *v)                            \
{                                                                             \
    for (I k = start; k < end; ++k)                                           \
        v[indices[k]] += alpha * data[k];                                     \
}

FR_SPARSE_HELPERS(double, d, int32_t, i32)
FR_SPARSE_HELPERS(double, d, int64_t, i64)
FR_SPARSE_HELPERS(float, s, int32_t, i32)
FR_SPARSE_HELPERS(float, s, int64_t, i64)

/* State of the PRNG from any seed: one splitmix64 step, so that nearby seeds
 * give unrelated streams, and never the all-zero state xorshift cannot leave. */
static inline uint64_t fr_rand_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return z ? z : 0x9E3779B97F4A7C15ULL;
}

/* xorshift64* : a tiny, seeded, reentrant PRNG for selection='random'. */
static inline uint64_t fr_rand_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform integer in [0, n) (n > 0); the modulo bias is below 2^-40 for n < 2^24. */
static inline int64_t fr_rand_index(uint64_t *state, int64_t n)
{
    return (int64_t)((fr_rand_next(state) >> 11) % (uint64_t)n);
}

#endif /* FASTREG_CD_H */
