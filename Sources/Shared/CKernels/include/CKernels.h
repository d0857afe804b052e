#ifndef CKERNELS_H
#define CKERNELS_H
#include <stddef.h>

/// Elementwise kernels of the training step that must run at the CPU's full vector width.
/// Swift compiles for the baseline x86-64 ISA (SSE2) and has no function multiversioning; these
/// few loops are built once per ISA level (AVX-512, AVX2, baseline) and the loader picks the best
/// one for the machine (GNU ifunc). The arithmetic is the same as the Swift reference versions
/// (VectorMath.exp / erf): only the vector width changes.

/// y = x * Phi(x) with the exact-erf GELU.
void ck_gelu_forward(const float *x, float *y, size_t n);
/// dy *= Phi(x) + x * phi(x)
void ck_gelu_backward(const float *x, float *dy, size_t n);
/// One Adam step as torch.optim.Adam computes it (no weight decay):
/// m += (g - m)(1 - b1); v = b2 v + (1 - b2) g^2; p -= step_size * m / (sqrt(v) / bc2_sqrt + eps)
void ck_adam_update(float *p, const float *g, float *m, float *v, size_t n,
                    float b1, float b2, float step_size, float bc2_sqrt, float eps);
/// The text of SharedKernelMath.h's functions (exp, erf, GELU, the Adam element step) as CUDA C
/// (`__device__ __forceinline__`): CUDAKernelSource compiles the GPU kernels on top of it, so both
/// engines evaluate one written-once function.
const char *ck_shared_kernel_math_source(void);
/// DDAMFN's depthwise, PReLU and BatchNorm loops.
#include "DDAMFNKernels.h"
#endif
