#include "DDAMFNKernels.h"

#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTIVERSION
#endif

#define LANES 16

/* Output columns ox whose input column ox*s - pw + kx lies in 0..<w. */
static inline void column_range(int w, int pw, int kx, int s, int ow, int *lo, int *hi) {
    int low = pw - kx > 0 ? (pw - kx + s - 1) / s : 0;
    int top = w - 1 + pw - kx;
    int high = top < 0 ? 0 : top / s + 1;
    if (high > ow) high = ow;
    *lo = low;
    *hi = high > low ? high : low;
}


/* Stride 1, flattened: the input padded into an hp x wp plane (wp = ow + kw - 1), the output computed
   on the same padded width, so each filter tap is one long vector loop over (oh - 1) wp + ow
   positions instead of oh short rows; the extra columns are dropped. */
static inline __attribute__((always_inline)) void pad_plane(const float *restrict x, int h, int w, int ph, int pw, float *restrict xp, int hp, int wp) {
    for (int i = 0; i < hp * wp; i++) xp[i] = 0;
    for (int r = 0; r < h; r++) {
        float *dst = xp + (r + ph) * wp + pw;
        const float *src = x + r * w;
        for (int c = 0; c < w; c++) dst[c] = src[c];
    }
}

static inline __attribute__((always_inline)) void depthwise_forward_flat(const float *restrict x, int h, int w, const float *restrict k, int kh, int kw,
                                   int ph, int pw, float *restrict y, int oh, int ow) {
#pragma clang fp contract(off)
    int hp = oh + kh - 1, wp = ow + kw - 1, n = (oh - 1) * wp + ow;
    float xp[hp * wp], yf[n];
    pad_plane(x, h, w, ph, pw, xp, hp, wp);
    for (int i = 0; i < n; i++) yf[i] = 0;
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            float wv = k[ky * kw + kx];
            const float *xs = xp + ky * wp + kx;
            for (int i = 0; i < n; i++) yf[i] += wv * xs[i];
        }
    }
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) y[oy * ow + ox] = yf[oy * wp + ox];
}

static inline __attribute__((always_inline)) void depthwise_backward_flat(const float *restrict x, int h, int w, const float *restrict k, int kh, int kw,
                                    int ph, int pw, const float *restrict dy, int oh, int ow, float *restrict dk,
                                    float *restrict dx) {
#pragma clang fp contract(off)
    int hp = oh + kh - 1, wp = ow + kw - 1, n = (oh - 1) * wp + ow;
    float xp[hp * wp], dyf[n], dxp[dx ? hp * wp : 1];
    pad_plane(x, h, w, ph, pw, xp, hp, wp);
    for (int i = 0; i < n; i++) dyf[i] = 0;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) dyf[oy * wp + ox] = dy[oy * ow + ox];
    if (dx) for (int i = 0; i < hp * wp; i++) dxp[i] = 0;
    int blocks = n / LANES * LANES;
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            const float *xs = xp + ky * wp + kx;
            float acc[LANES] = {0};
            for (int i = 0; i < blocks; i += LANES)
                for (int j = 0; j < LANES; j++) acc[j] += dyf[i + j] * xs[i + j];
            for (int i = blocks, j = 0; i < n; i++, j++) acc[j] += dyf[i] * xs[i];
            float sum = 0;
            for (int j = 0; j < LANES; j++) sum += acc[j];
            dk[ky * kw + kx] += sum;
            if (dx) {
                float wv = k[ky * kw + kx], *ds = dxp + ky * wp + kx;
                for (int i = 0; i < n; i++) ds[i] += wv * dyf[i];
            }
        }
    }
    if (dx)
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) dx[r * w + c] = dxp[(r + ph) * wp + c + pw];
}

/* Stride 2, polyphase: output (oy, ox) reads the padded input at (2 oy + ky, 2 ox + kx), which is
   phase plane (ky & 1, kx & 1) at (oy + ky / 2, ox + kx / 2). Each of the four phase planes is
   hq x wq (hq = oh + (kh - 1) / 2, wq = ow + (kw - 1) / 2), so every tap becomes a stride-1 tap on
   one phase plane, flattened as above. Taps are visited in the same order as the direct loop. */
static inline __attribute__((always_inline)) void phase_planes(const float *restrict x, int h, int w, int ph, int pw,
                                                                float *restrict phases, int hq, int wq) {
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            float *p = phases + (a * 2 + b) * hq * wq;
            for (int r = 0; r < hq; r++) {
                int iy = 2 * r + a - ph;
                for (int c = 0; c < wq; c++) {
                    int ix = 2 * c + b - pw;
                    p[r * wq + c] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[iy * w + ix] : 0;
                }
            }
        }
}

static inline __attribute__((always_inline)) void depthwise_forward_phases(const float *restrict x, int h, int w,
        const float *restrict k, int kh, int kw, int ph, int pw, float *restrict y, int oh, int ow) {
#pragma clang fp contract(off)
    int hq = oh + (kh - 1) / 2, wq = ow + (kw - 1) / 2, n = (oh - 1) * wq + ow;
    float phases[4 * hq * wq], yf[n];
    phase_planes(x, h, w, ph, pw, phases, hq, wq);
    for (int i = 0; i < n; i++) yf[i] = 0;
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            float wv = k[ky * kw + kx];
            const float *xs = phases + ((ky & 1) * 2 + (kx & 1)) * hq * wq + (ky / 2) * wq + kx / 2;
            for (int i = 0; i < n; i++) yf[i] += wv * xs[i];
        }
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) y[oy * ow + ox] = yf[oy * wq + ox];
}

static inline __attribute__((always_inline)) void depthwise_backward_phases(const float *restrict x, int h, int w,
        const float *restrict k, int kh, int kw, int ph, int pw, const float *restrict dy, int oh, int ow,
        float *restrict dk, float *restrict dx) {
#pragma clang fp contract(off)
    int hq = oh + (kh - 1) / 2, wq = ow + (kw - 1) / 2, n = (oh - 1) * wq + ow;
    float phases[4 * hq * wq], dyf[n], dphases[dx ? 4 * hq * wq : 1];
    phase_planes(x, h, w, ph, pw, phases, hq, wq);
    for (int i = 0; i < n; i++) dyf[i] = 0;
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) dyf[oy * wq + ox] = dy[oy * ow + ox];
    if (dx) for (int i = 0; i < 4 * hq * wq; i++) dphases[i] = 0;
    int blocks = n / LANES * LANES;
    for (int ky = 0; ky < kh; ky++)
        for (int kx = 0; kx < kw; kx++) {
            int offset = ((ky & 1) * 2 + (kx & 1)) * hq * wq + (ky / 2) * wq + kx / 2;
            const float *xs = phases + offset;
            float acc[LANES] = {0};
            for (int i = 0; i < blocks; i += LANES)
                for (int j = 0; j < LANES; j++) acc[j] += dyf[i + j] * xs[i + j];
            for (int i = blocks, j = 0; i < n; i++, j++) acc[j] += dyf[i] * xs[i];
            float sum = 0;
            for (int j = 0; j < LANES; j++) sum += acc[j];
            dk[ky * kw + kx] += sum;
            if (dx) {
                float wv = k[ky * kw + kx], *ds = dphases + offset;
                for (int i = 0; i < n; i++) ds[i] += wv * dyf[i];
            }
        }
    if (dx) {
        for (int i = 0; i < h * w; i++) dx[i] = 0;
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) {
                const float *p = dphases + (a * 2 + b) * hq * wq;
                for (int r = 0; r < hq; r++) {
                    int iy = 2 * r + a - ph;
                    if (iy < 0 || iy >= h) continue;
                    for (int c = 0; c < wq; c++) {
                        int ix = 2 * c + b - pw;
                        if (ix >= 0 && ix < w) dx[iy * w + ix] = p[r * wq + c];
                    }
                }
            }
    }
}

MULTIVERSION
void ck_depthwise_forward(const float *restrict x, int h, int w, const float *restrict k, int kh, int kw, int s,
                          int ph, int pw, float *restrict y, int oh, int ow) {
#pragma clang fp contract(off)
    if (s == 1) { depthwise_forward_flat(x, h, w, k, kh, kw, ph, pw, y, oh, ow); return; }
    if (s == 2) { depthwise_forward_phases(x, h, w, k, kh, kw, ph, pw, y, oh, ow); return; }
    for (int i = 0; i < oh * ow; i++) y[i] = 0;
    for (int oy = 0; oy < oh; oy++) {
        float *yr = y + oy * ow;
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * s - ph + ky;
            if (iy < 0 || iy >= h) continue;
            const float *xr = x + iy * w;
            for (int kx = 0; kx < kw; kx++) {
                float wv = k[ky * kw + kx];
                int lo, hi;
                column_range(w, pw, kx, s, ow, &lo, &hi);
                int shift = kx - pw;
                if (s == 1) {
                    const float *xs = xr + shift;
                    for (int ox = lo; ox < hi; ox++) yr[ox] += wv * xs[ox];
                } else {
                    for (int ox = lo; ox < hi; ox++) yr[ox] += wv * xr[ox * s + shift];
                }
            }
        }
    }
}

MULTIVERSION
void ck_depthwise_backward(const float *restrict x, int h, int w, const float *restrict k, int kh, int kw, int s,
                           int ph, int pw, const float *restrict dy, int oh, int ow, float *restrict dk,
                           float *restrict dx) {
#pragma clang fp contract(off)
    if (s == 1) { depthwise_backward_flat(x, h, w, k, kh, kw, ph, pw, dy, oh, ow, dk, dx); return; }
    if (s == 2) { depthwise_backward_phases(x, h, w, k, kh, kw, ph, pw, dy, oh, ow, dk, dx); return; }
    if (dx) for (int i = 0; i < h * w; i++) dx[i] = 0;
    float acc[ow];   /* one accumulator per output column: the tap's gradient, summed over rows */
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            int lo, hi;
            column_range(w, pw, kx, s, ow, &lo, &hi);
            int shift = kx - pw;
            float wv = k[ky * kw + kx];
            for (int ox = 0; ox < ow; ox++) acc[ox] = 0;
            for (int oy = 0; oy < oh; oy++) {
                int iy = oy * s - ph + ky;
                if (iy < 0 || iy >= h) continue;
                const float *xr = x + iy * w, *dyr = dy + oy * ow;
                if (s == 1) {
                    const float *xs = xr + shift;
                    for (int ox = lo; ox < hi; ox++) acc[ox] += dyr[ox] * xs[ox];
                    if (dx) {
                        float *dxs = dx + iy * w + shift;
                        for (int ox = lo; ox < hi; ox++) dxs[ox] += wv * dyr[ox];
                    }
                } else {
                    for (int ox = lo; ox < hi; ox++) acc[ox] += dyr[ox] * xr[ox * s + shift];
                    if (dx) {
                        float *dxr = dx + iy * w;
                        for (int ox = lo; ox < hi; ox++) dxr[ox * s + shift] += wv * dyr[ox];
                    }
                }
            }
            float sum = 0;
            for (int ox = lo; ox < hi; ox++) sum += acc[ox];
            dk[ky * kw + kx] += sum;
        }
    }
}

MULTIVERSION
double ck_prelu_backward(const float *restrict x, const float *restrict dy, float *restrict dx, size_t n, float slope) {
#pragma clang fp contract(off)
    float acc[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        for (int j = 0; j < LANES; j++) {
            float v = x[i + j], d = dy[i + j];
            int positive = v > 0;
            dx[i + j] = positive ? d : slope * d;
            acc[j] += positive ? 0.0f : d * v;
        }
    }
    for (int j = 0; i < n; i++, j++) {
        float v = x[i], d = dy[i];
        int positive = v > 0;
        dx[i] = positive ? d : slope * d;
        acc[j] += positive ? 0.0f : d * v;
    }
    double sum = 0;
    for (int j = 0; j < LANES; j++) sum += acc[j];
    return sum;
}

MULTIVERSION
void ck_sums_f64(const float *restrict a, const float *restrict b, size_t n, double *sum_a, double *sum_ab) {
#pragma clang fp contract(off)
    double sa[8] = {0}, sab[8] = {0};
    size_t i = 0;
    if (b) {
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) { double v = a[i + j]; sa[j] += v; sab[j] += v * (double)b[i + j]; }
        for (int j = 0; i < n; i++, j++) { double v = a[i]; sa[j] += v; sab[j] += v * (double)b[i]; }
    } else {
        for (; i + 8 <= n; i += 8)
            for (int j = 0; j < 8; j++) sa[j] += (double)a[i + j];
        for (int j = 0; i < n; i++, j++) sa[j] += (double)a[i];
    }
    double ta = 0, tab = 0;
    for (int j = 0; j < 8; j++) { ta += sa[j]; tab += sab[j]; }
    *sum_a = ta;
    if (sum_ab) *sum_ab = tab;
}

MULTIVERSION
double ck_squared_deviation_f64(const float *restrict a, size_t n, double mean) {
#pragma clang fp contract(off)
    double s[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++) { double d = (double)a[i + j] - mean; s[j] += d * d; }
    }
    for (int j = 0; i < n; i++, j++) { double d = (double)a[i] - mean; s[j] += d * d; }
    double t = 0;
    for (int j = 0; j < 8; j++) t += s[j];
    return t;
}
