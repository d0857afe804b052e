#ifndef DDAMFN_KERNELS_H
#define DDAMFN_KERNELS_H
#include <stddef.h>

/// DDAMFN's direct (non-sgemm) loops, built per ISA level like the other kernels. Results do not
/// depend on the vector width: every lane accumulates a fixed subset of the terms, in a fixed order,
/// without fused multiply-adds, and lanes are combined in a fixed order.

/// Depthwise cross-correlation of one h x w plane with a kh x kw filter (zero padding ph / pw, the same
/// stride both ways) into the oh x ow plane y (overwritten).
void ck_depthwise_forward(const float *x, int h, int w, const float *k, int kh, int kw, int stride, int ph, int pw,
                          float *y, int oh, int ow);
/// Its backward for one plane: adds the filter gradient into dk; writes dx (overwritten) unless it is NULL.
void ck_depthwise_backward(const float *x, int h, int w, const float *k, int kh, int kw, int stride, int ph, int pw,
                           const float *dy, int oh, int ow, float *dk, float *dx);
/// PReLU backward on n values with one slope: dx = dy (x > 0) or slope dy; returns the sum of dy x over
/// x <= 0 (the slope's gradient share).
double ck_prelu_backward(const float *x, const float *dy, float *dx, size_t n, float slope);
/// sum of a[i] and of a[i] b[i], in float64 (b may be NULL: then only the first).
void ck_sums_f64(const float *a, const float *b, size_t n, double *sum_a, double *sum_ab);
/// sum of (a[i] - mean)^2 in float64.
double ck_squared_deviation_f64(const float *a, size_t n, double mean);
#endif
