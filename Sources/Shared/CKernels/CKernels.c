#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "SharedKernelMath.h"

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

static inline unsigned int loso_float_as_uint(float f) { unsigned int u; memcpy(&u, &f, 4); return u; }
static inline float loso_uint_as_float(unsigned int u) { float f; memcpy(&f, &u, 4); return f; }

/* exp, erf, GELU and the Adam element step: one text for this file and the GPU kernels. */
LOSO_SHARED_KERNEL_MATH(static inline)

const char *ck_shared_kernel_math_source(void) {
    return LOSO_STRINGIFY_EXPANDED(LOSO_SHARED_KERNEL_MATH(__device__ __forceinline__));
}

MULTIVERSION
void ck_gelu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = loso_gelu(x[i]);
}

MULTIVERSION
void ck_gelu_backward(const float *restrict x, float *restrict dy, size_t n) {
    for (size_t i = 0; i < n; i++) dy[i] *= loso_gelu_derivative(x[i]);
}

MULTIVERSION
void ck_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt, float eps) {
    for (size_t i = 0; i < n; i++) loso_adam_element(&p[i], &m[i], &v[i], g[i], b1, b2, step_size, bc2_sqrt, eps);
}
