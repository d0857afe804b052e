/* The engine's elementwise math, written once for both engines: the CPU kernels (CKernels.c, as
 * `static inline` C) and the GPU kernels (CUDAKernelSource, as `__device__ __forceinline__` CUDA C,
 * whose text CKernels.c hands over by stringifying this same macro: ck_shared_kernel_math_source).
 * A constant or a step changed here changes both, so the two engines cannot drift apart.
 *
 * The body is one macro so that it can be both compiled and stringified; it holds no comments
 * (the preprocessor strips them) and no other macros. Each side defines, before it,
 * loso_float_as_uint / loso_uint_as_float (bit casts) and sqrtf.
 *
 * - loso_exp: Cephes expf with the 1.5 * 2^23 rounding trick (as VectorMath.exp in Swift).
 * - loso_erf: Abramowitz & Stegun 7.1.26 (as VectorMath.erf).
 * - loso_gelu / loso_gelu_derivative: the exact-erf GELU x * Phi(x) and its derivative
 *   Phi(x) + x * phi(x).
 * - loso_adam_element: one element of torch.optim.Adam without weight decay:
 *   m += (g - m)(1 - b1); v = b2 v + (1 - b2) g^2; p -= step_size * m / (sqrt(v) / bc2_sqrt + eps),
 *   step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) computed by the host (AdamOptimizer,
 *   StackedAdam.scalars).
 */
#ifndef LOSO_SHARED_KERNEL_MATH_H
#define LOSO_SHARED_KERNEL_MATH_H

#define LOSO_SHARED_KERNEL_MATH(Q) \
Q float loso_exp(float x) { \
    x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x); \
    float t = x * 1.44269504088896341f + 12582912.0f; \
    float n = t - 12582912.0f; \
    float r = x - n * 0.693359375f + n * 2.12194440e-4f; \
    float p = 1.9875691500e-4f; \
    p = p * r + 1.3981999507e-3f; \
    p = p * r + 8.3334519073e-3f; \
    p = p * r + 4.1665795894e-2f; \
    p = p * r + 1.6666665459e-1f; \
    p = p * r + 5.0000001201e-1f; \
    float e = p * r * r + r + 1.0f; \
    unsigned int tb = loso_float_as_uint(t); \
    unsigned int sb = (tb - 0x4B400000u + 127u) << 23; \
    return e * loso_uint_as_float(sb); \
} \
Q float loso_erf(float x) { \
    float a = x < 0 ? -x : x; \
    float t = 1.0f / (1.0f + 0.3275911f * a); \
    float p = 1.061405429f; \
    p = p * t - 1.453152027f; \
    p = p * t + 1.421413741f; \
    p = p * t - 0.284496736f; \
    p = p * t + 0.254829592f; \
    float y = 1.0f - p * t * loso_exp(-a * a); \
    return x < 0 ? -y : y; \
} \
Q float loso_gelu(float v) { \
    return 0.5f * v * (1.0f + loso_erf(v * 0.70710678118654752f)); \
} \
Q float loso_gelu_derivative(float v) { \
    float cdf = 0.5f * (1.0f + loso_erf(v * 0.70710678118654752f)); \
    float pdf = 0.39894228040143268f * loso_exp(-0.5f * v * v); \
    return cdf + v * pdf; \
} \
Q void loso_adam_element(float *p, float *m, float *v, float g, float b1, float b2, float step_size, float bc2_sqrt, float eps) { \
    float mi = *m + (g - *m) * (1.0f - b1); \
    float vi = *v * b2 + (1.0f - b2) * g * g; \
    *m = mi; \
    *v = vi; \
    *p -= step_size * (mi / (sqrtf(vi) / bc2_sqrt + eps)); \
}

#define LOSO_STRINGIFY(...) #__VA_ARGS__
#define LOSO_STRINGIFY_EXPANDED(...) LOSO_STRINGIFY(__VA_ARGS__)

#endif
