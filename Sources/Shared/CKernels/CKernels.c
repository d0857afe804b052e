#include "CKernels.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

/* Same constants and steps as VectorMath.exp in Swift (Cephes expf, 1.5 * 2^23 rounding trick). */
static inline float ck_exp(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
    float t = x * 1.44269504088896341f + 12582912.0f;
    float n = t - 12582912.0f;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * r * r + r + 1.0f;
    uint32_t tb;
    memcpy(&tb, &t, 4);
    uint32_t sb = (tb - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &sb, 4);
    return e * scale;
}

/* Abramowitz & Stegun 7.1.26, as VectorMath.erf. */
static inline float ck_erf(float x) {
    float a = x < 0 ? -x : x;
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * ck_exp(-a * a);
    return x < 0 ? -y : y;
}

MULTIVERSION
void ck_gelu_forward(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = 0.5f * v * (1.0f + ck_erf(v * 0.70710678118654752f));
    }
}

MULTIVERSION
void ck_gelu_backward(const float *restrict x, float *restrict dy, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + ck_erf(v * 0.70710678118654752f));
        float pdf = 0.39894228040143268f * ck_exp(-0.5f * v * v);
        dy[i] *= cdf + v * pdf;
    }
}

MULTIVERSION
void ck_adam_update(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt, float eps) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] + (gi - m[i]) * (1.0f - b1);
        float vi = v[i] * b2 + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * (mi / (sqrtf(vi) / bc2_sqrt + eps));
    }
}
