# Declarations of the plain-C helpers in csrc/fastreg_cd.h.
from libc.stdint cimport int32_t, int64_t, uint64_t

cdef extern from "fastreg_cd.h" nogil:
    double fr_cd_update_d(double b, double a, double l1, double l2, int positive)
    float fr_cd_update_s(float b, float a, float l1, float l2, int positive)
    double fr_excess_sq_d(double v, double l1, int positive)
    float fr_excess_sq_s(float v, float l1, int positive)
    double fr_enet_gap_d(double primal, double th_norm2, double th_y, double l2_w2,
                         double dual_norm, double excess_sq, double l1, double l2,
                         double *gap_l1)
    float fr_enet_gap_s(float primal, float th_norm2, float th_y, float l2_w2,
                        float dual_norm, float excess_sq, float l1, float l2,
                        float *gap_l1)
    int fr_screen_out_d(double v, double scale, double radius, double col_norm2,
                        double l2, int positive)
    int fr_screen_out_s(float v, float scale, float radius, float col_norm2,
                        float l2, int positive)

    double fr_sparse_dot_d_i32(const double *data, const int32_t *indices,
                               int32_t start, int32_t end, const double *v)
    double fr_sparse_dot_d_i64(const double *data, const int64_t *indices,
                               int64_t start, int64_t end, const double *v)
    float fr_sparse_dot_s_i32(const float *data, const int32_t *indices,
                              int32_t start, int32_t end, const float *v)
    float fr_sparse_dot_s_i64(const float *data, const int64_t *indices,
                              int64_t start, int64_t end, const float *v)
    void fr_sparse_axpy_d_i32(double alpha, const double *data, const int32_t *indices,
                              int32_t start, int32_t end, double *v)
    void fr_sparse_axpy_d_i64(double alpha, const double *data, const int64_t *indices,
                              int64_t start, int64_t end, double *v)
    void fr_sparse_axpy_s_i32(float alpha, const float *data, const int32_t *indices,
                              int32_t start, int32_t end, float *v)
    void fr_sparse_axpy_s_i64(float alpha, const float *data, const int64_t *indices,
                              int64_t start, int64_t end, float *v)

    uint64_t fr_rand_seed(uint64_t seed)
    uint64_t fr_rand_next(uint64_t *state)
    int64_t fr_rand_index(uint64_t *state, int64_t n)


# Fused-type front ends, so that kernels written over `floating` pick the
# float or double C routine at compile time.
from ._blas cimport floating


cdef inline floating cd_update(floating b, floating a, floating l1, floating l2,
                               bint positive) noexcept nogil:
    if floating is float:
        return fr_cd_update_s(b, a, l1, l2, positive)
    else:
        return fr_cd_update_d(b, a, l1, l2, positive)


cdef inline floating excess_sq(floating v, floating l1, bint positive) noexcept nogil:
    if floating is float:
        return fr_excess_sq_s(v, l1, positive)
    else:
        return fr_excess_sq_d(v, l1, positive)


cdef inline floating enet_gap(floating primal, floating th_norm2, floating th_y,
                              floating l2_w2, floating dual_norm, floating exc,
                              floating l1, floating l2, floating *gap_l1) noexcept nogil:
    if floating is float:
        return fr_enet_gap_s(primal, th_norm2, th_y, l2_w2, dual_norm, exc, l1, l2, gap_l1)
    else:
        return fr_enet_gap_d(primal, th_norm2, th_y, l2_w2, dual_norm, exc, l1, l2, gap_l1)


cdef inline bint screen_out(floating v, floating scale, floating radius,
                            floating col_norm2, floating l2, bint positive) noexcept nogil:
    if floating is float:
        return fr_screen_out_s(v, scale, radius, col_norm2, l2, positive)
    else:
        return fr_screen_out_d(v, scale, radius, col_norm2, l2, positive)
