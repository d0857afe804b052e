import CKernels

/// The GPU engine's elementwise and small-reduction kernels as CUDA C, compiled by NVRTC at run
/// time (NVRTCCompiler) and cached. They compute what the CPU layers compute (HTNet/Layers) over
/// F stacked models: parameters [F, P] (model f at f * P, the layer's slot at an offset inside),
/// activations [F, rows, width] with rows = stackedBatch * tokensPerSample, and per-model valid
/// row counts (a model's last batch is short; rows past its count are written as zero so the
/// strided-batched sgemms that sum over rows, the weight gradients, add nothing for them).
///
/// Determinism: no atomics anywhere. Every reduction has a fixed shape: a warp's xor-shuffle tree
/// over a fixed lane split (LayerNorm statistics), or one thread summing in the CPU engine's order
/// (parameter gradients over tokens, pos_emb, max-pool's gradient gathered in pooled-index order).
/// The same GPU model therefore gives the same bits for any number of workers. Built with
/// --fmad=false so that products and sums round as the CPU engine's separate operations do.
///
/// GELU uses the CPU engine's own exp (Cephes) and erf (Abramowitz & Stegun 7.1.26), not CUDA's
/// erff, and GELU and Adam's element step are the very text the CPU kernels compile
/// (CKernels/SharedKernelMath.h), so both engines evaluate one function.
public enum CUDAKernelSource {
    /// Every kernel the engine launches, by its extern "C" name.
    public static let kernelNames = [
        "loso_layernorm_forward", "loso_layernorm_backward_input", "loso_layernorm_backward_params",
        "loso_gelu_forward", "loso_gelu_backward", "loso_bias_rows", "loso_column_sums",
        "loso_attention_forward", "loso_attention_backward", "loso_position_add", "loso_position_backward",
        "loso_patch_gather", "loso_im2col3x3", "loso_col2im3x3", "loso_conv_weight_permute",
        "loso_conv_grad_unpermute", "loso_maxpool_forward", "loso_maxpool_backward", "loso_mean_pool_forward",
        "loso_mean_pool_backward", "loso_softmax_cross_entropy", "loso_adam_stacked",
    ]

    /// The whole program NVRTC compiles: the bit casts SharedKernelMath.h asks for, then that header's
    /// functions (exp, erf, GELU, the Adam element step) as CKernels hands them over, so the CPU and GPU
    /// engines share one text of them, then the kernels.
    public static let source = preamble + String(cString: ck_shared_kernel_math_source()) + "\n" + kernels

    static let preamble = #"""
// LOSO trainer GPU kernels (Sources/Shared/CUDABackend/CUDAKernelSource.swift). No includes:
// NVRTC compiles this alone. The shared math (Sources/Shared/CKernels/SharedKernelMath.h) follows.
#define WARP 32
__device__ __forceinline__ unsigned int loso_float_as_uint(float f) { return __float_as_uint(f); }
__device__ __forceinline__ float loso_uint_as_float(unsigned int u) { return __uint_as_float(u); }

"""#

    static let kernels = #"""
// Fixed-shape warp sum: lane j holds a partial; the xor tree always pairs the same lanes.
__device__ __forceinline__ float loso_warp_sum(float v) {
    for (int o = WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// One warp per row (token) of model blockIdx.y. Lane l sums channels l, l+32, ... in order.
extern "C" __global__ void loso_layernorm_forward(const float *x, float *y, float *xhat, float *rstd,
        const float *params, long P, int gain, int shift, int C, int rows, const int *counts) {
    int f = blockIdx.y;
    int t = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP, lane = threadIdx.x % WARP;
    if (t >= rows) return;
    long base = ((long)f * rows + t) * C;
    const float *xr = x + base;
    if (t >= counts[f]) {
        for (int j = lane; j < C; j += WARP) { y[base + j] = 0; xhat[base + j] = 0; }
        if (lane == 0) rstd[(long)f * rows + t] = 0;
        return;
    }
    float s = 0;
    for (int j = lane; j < C; j += WARP) s += xr[j];
    float mean = loso_warp_sum(s) / (float)C;
    float q = 0;
    for (int j = lane; j < C; j += WARP) { float d = xr[j] - mean; q += d * d; }
    float var = loso_warp_sum(q) / (float)C;
    float r = 1.0f / sqrtf(var + 1e-5f);
    if (lane == 0) rstd[(long)f * rows + t] = r;
    const float *g = params + (long)f * P + gain, *b = params + (long)f * P + shift;
    for (int j = lane; j < C; j += WARP) {
        float h = (xr[j] - mean) * r;
        xhat[base + j] = h;
        y[base + j] = h * g[j] + b[j];
    }
}

// dx += r (dy g - mean(dy g) - xhat mean(dy g xhat)); rows past the count are zeroed.
extern "C" __global__ void loso_layernorm_backward_input(const float *dy, const float *xhat, const float *rstd,
        const float *params, long P, int gain, int C, int rows, const int *counts, float *dx) {
    int f = blockIdx.y;
    int t = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP, lane = threadIdx.x % WARP;
    if (t >= rows) return;
    long base = ((long)f * rows + t) * C;
    if (t >= counts[f]) { for (int j = lane; j < C; j += WARP) dx[base + j] = 0; return; }
    const float *g = params + (long)f * P + gain;
    float sd = 0, sdh = 0;
    for (int j = lane; j < C; j += WARP) { float d = dy[base + j] * g[j]; sd += d; sdh += d * xhat[base + j]; }
    float meanD = loso_warp_sum(sd) / (float)C, meanDH = loso_warp_sum(sdh) / (float)C;
    float r = rstd[(long)f * rows + t];
    for (int j = lane; j < C; j += WARP)
        dx[base + j] += r * (dy[base + j] * g[j] - meanD - xhat[base + j] * meanDH);
}

// dg, db per (model, channel): tokens summed in order, as the CPU engine does.
extern "C" __global__ void loso_layernorm_backward_params(const float *dy, const float *xhat, float *grads, long P,
        int gain, int shift, int C, int rows, const int *counts) {
    int f = blockIdx.y, j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= C) return;
    float dg = 0, db = 0;
    long base = (long)f * rows * C;
    for (int t = 0; t < counts[f]; t++) { float d = dy[base + (long)t * C + j]; dg += d * xhat[base + (long)t * C + j]; db += d; }
    grads[(long)f * P + gain + j] = dg;
    grads[(long)f * P + shift + j] = db;
}

extern "C" __global__ void loso_gelu_forward(const float *x, float *y, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = loso_gelu(x[i]);
}

extern "C" __global__ void loso_gelu_backward(const float *x, float *dy, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dy[i] *= loso_gelu_derivative(x[i]);
}

// y[f, t, :] = b_f (or += b_f with residual): the bias a PointwiseLinear's sgemm then adds onto (beta 1).
extern "C" __global__ void loso_bias_rows(float *y, const float *params, long P, int bias, int width, int rows, int residual) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)rows * width) return;
    float b = params[(long)f * P + bias + i % width];
    long k = (long)f * rows * width + i;
    y[k] = residual ? y[k] + b : b;
}

// out_f[j] = sum over the model's valid rows of m[f, t, j], in row order (bias gradients).
extern "C" __global__ void loso_column_sums(const float *m, float *grads, long P, int offset, int rows, int columns, const int *counts) {
    int f = blockIdx.y, j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= columns) return;
    float s = 0;
    const float *base = m + (long)f * rows * columns + j;
    for (int t = 0; t < counts[f]; t++) s += base[(long)t * columns];
    grads[(long)f * P + offset + j] = s;
}

// One thread per (model, block, head, query i): softmax(q k^T scale) v over the block's L tokens.
// tokenOrder: [blocksPerModel * L] row indices within one model; blockCounts: valid blocks per model.
extern "C" __global__ void loso_attention_forward(const float *qkv, float *out, float *probs, const int *tokenOrder,
        int L, int heads, int dh, int rows, int blocksPerModel, const int *blockCounts) {
    int f = blockIdx.y;
    long id = (long)blockIdx.x * blockDim.x + threadIdx.x;
    long perModel = (long)blocksPerModel * heads * L;
    if (id >= perModel) return;
    int i = id % L, h = (id / L) % heads, k = id / ((long)L * heads);
    if (k >= blockCounts[f]) return;
    int inner = heads * dh, stride = 3 * inner;
    const float *q0 = qkv + (long)f * rows * stride;
    const int *tok = tokenOrder + (long)k * L;
    float *row = probs + (((long)f * blocksPerModel + k) * heads + h) * L * L + (long)i * L;
    const float *q = q0 + (long)tok[i] * stride + h * dh;
    float sc = 1.0f / sqrtf((float)dh), mx = -3.402823466e+38f;
    for (int j = 0; j < L; j++) {
        const float *kv = q0 + (long)tok[j] * stride + inner + h * dh;
        float s = 0;
        for (int d = 0; d < dh; d++) s += q[d] * kv[d];
        s *= sc;
        row[j] = s;
        mx = s > mx ? s : mx;
    }
    float sum = 0;
    for (int j = 0; j < L; j++) { float e = loso_exp(row[j] - mx); row[j] = e; sum += e; }
    float inv = 1.0f / sum;
    for (int j = 0; j < L; j++) row[j] *= inv;
    float *o = out + (long)f * rows * inner + (long)tok[i] * inner + h * dh;
    for (int d = 0; d < dh; d++) o[d] = 0;
    for (int j = 0; j < L; j++) {
        const float *v = q0 + (long)tok[j] * stride + 2 * inner + h * dh;
        float pij = row[j];
        for (int d = 0; d < dh; d++) o[d] += pij * v[d];
    }
}

// One thread per (model, block, head): the whole L x L backward (dK and dV sum over queries, so
// one thread owns them: no atomics). dqkv must be zero beforehand; dP scratch is [.., L * L].
extern "C" __global__ void loso_attention_backward(const float *qkv, const float *probs, const float *dout, float *dqkv,
        float *scratch, const int *tokenOrder, int L, int heads, int dh, int rows, int blocksPerModel, const int *blockCounts) {
    int f = blockIdx.y;
    long id = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (id >= (long)blocksPerModel * heads) return;
    int h = id % heads, k = id / heads;
    if (k >= blockCounts[f]) return;
    int inner = heads * dh, stride = 3 * inner;
    const float *q0 = qkv + (long)f * rows * stride;
    float *dq0 = dqkv + (long)f * rows * stride;
    const float *do0 = dout + (long)f * rows * inner;
    const int *tok = tokenOrder + (long)k * L;
    const float *pr = probs + (((long)f * blocksPerModel + k) * heads + h) * L * L;
    float *dP = scratch + (((long)f * blocksPerModel + k) * heads + h) * L * L;
    float sc = 1.0f / sqrtf((float)dh);
    for (int i = 0; i < L; i++) {
        const float *dO = do0 + (long)tok[i] * inner + h * dh;
        for (int j = 0; j < L; j++) {
            const float *v = q0 + (long)tok[j] * stride + 2 * inner + h * dh;
            float *dv = dq0 + (long)tok[j] * stride + 2 * inner + h * dh;
            float s = 0, pij = pr[i * L + j];
            for (int d = 0; d < dh; d++) { s += dO[d] * v[d]; dv[d] += pij * dO[d]; }
            dP[i * L + j] = s;
        }
    }
    for (int i = 0; i < L; i++) {
        float dot = 0;
        for (int j = 0; j < L; j++) dot += pr[i * L + j] * dP[i * L + j];
        const float *q = q0 + (long)tok[i] * stride + h * dh;
        float *dq = dq0 + (long)tok[i] * stride + h * dh;
        for (int j = 0; j < L; j++) {
            float ds = pr[i * L + j] * (dP[i * L + j] - dot) * sc;
            if (ds == 0) continue;
            const float *kk = q0 + (long)tok[j] * stride + inner + h * dh;
            float *dk = dq0 + (long)tok[j] * stride + inner + h * dh;
            for (int d = 0; d < dh; d++) { dq[d] += ds * kk[d]; dk[d] += ds * q[d]; }
        }
    }
}

// x[f, b, s, :] += pos_f[position[s]] (broadcast over channels).
extern "C" __global__ void loso_position_add(float *x, const float *params, long P, int pos, const int *position,
        int C, int perSample, int rows) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)rows * C) return;
    int s = (i / C) % perSample;
    x[(long)f * rows * C + i] += params[(long)f * P + pos + position[s]];
}

// dpos_f[p] = sum over the model's samples b, then tokens s with position p, of sum_j dx[b, s, j]:
// the CPU engine's order.
extern "C" __global__ void loso_position_backward(const float *dx, float *grads, long P, int pos, const int *position,
        int C, int perSample, int seqLen, int rows, const int *sampleCounts) {
    int f = blockIdx.y, p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= seqLen) return;
    float total = 0;
    for (int b = 0; b < sampleCounts[f]; b++) {
        for (int s = 0; s < perSample; s++) {
            if (position[s] != p) continue;
            const float *row = dx + (long)f * rows * C + ((long)b * perSample + s) * C;
            float sum = 0;
            for (int j = 0; j < C; j++) sum += row[j];
            total += sum;
        }
    }
    grads[(long)f * P + pos + p] = total;
}

// images [F, B, C, H, W] -> patches [F, B * grid * grid, patch * patch * C] (channel fastest in a patch).
extern "C" __global__ void loso_patch_gather(const float *images, float *patches, int C, int image, int patch,
        int grid, int B) {
    int f = blockIdx.y;
    int pd = C * patch * patch;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)B * grid * grid * pd) return;
    int e = i % pd, tokenIdx = i / pd;
    int c = e % C, p2 = (e / C) % patch, p1 = e / (C * patch);
    int w = tokenIdx % grid, h = (tokenIdx / grid) % grid, b = tokenIdx / (grid * grid);
    patches[(long)f * B * grid * grid * pd + i] =
        images[(long)f * B * C * image * image + (((long)b * C + c) * image + h * patch + p1) * image + w * patch + p2];
}

// x [F, B*S*S, ci] -> cols [F, B*S*S, 9 ci] ([token, (ky kx) c], zero padding), as Aggregate.
extern "C" __global__ void loso_im2col3x3(const float *x, float *cols, int ci, int S, int B) {
    int f = blockIdx.y;
    long k = 9L * ci, i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    long n = (long)B * S * S;
    if (i >= n * k) return;
    int c = i % ci, kk = (i / ci) % 9;
    long t = i / k;
    int xx = t % S, yy = (t / S) % S, b = t / ((long)S * S);
    int sy = yy + kk / 3 - 1, sx = xx + kk % 3 - 1;
    float v = 0;
    if (sy >= 0 && sy < S && sx >= 0 && sx < S) v = x[(long)f * n * ci + (((long)b * S + sy) * S + sx) * ci + c];
    cols[(long)f * n * k + i] = v;
}

// dx[b, y, x, c] = sum of the column entries that copied it, gathered in Aggregate's (yy, xx, ky, kx)
// scatter order (ascending source row), so no two threads write one element.
extern "C" __global__ void loso_col2im3x3(const float *dcols, float *dx, int ci, int S, int B) {
    int f = blockIdx.y;
    long k = 9L * ci, n = (long)B * S * S, i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n * ci) return;
    int c = i % ci;
    long t = i / ci;
    int sx = t % S, sy = (t / S) % S, b = t / ((long)S * S);
    float s = 0;
    for (int yy = sy - 1; yy <= sy + 1; yy++) {
        if (yy < 0 || yy >= S) continue;
        for (int xx = sx - 1; xx <= sx + 1; xx++) {
            if (xx < 0 || xx >= S) continue;
            int ky = sy - yy + 1, kx = sx - xx + 1;
            s += dcols[(long)f * n * k + (((long)b * S + yy) * S + xx) * k + (ky * 3 + kx) * ci + c];
        }
    }
    dx[(long)f * n * ci + i] = s;
}

// W [co, ci, 3, 3] (model f's slot) -> W' [F, co, 9 ci].
extern "C" __global__ void loso_conv_weight_permute(const float *params, long P, int weight, float *pw, int co, int ci) {
    int f = blockIdx.y;
    long k = 9L * ci, i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= co * k) return;
    int c = i % ci, kk = (i / ci) % 9, o = i / k;
    pw[(long)f * co * k + i] = params[(long)f * P + weight + ((long)o * ci + c) * 9 + kk];
}

extern "C" __global__ void loso_conv_grad_unpermute(const float *pg, float *grads, long P, int weight, int co, int ci) {
    int f = blockIdx.y;
    long k = 9L * ci, i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= co * k) return;
    int kk = i % 9, c = (i / 9) % ci, o = i / k;
    grads[(long)f * P + weight + i] = pg[(long)f * co * k + (long)o * k + kk * ci + c];
}

// Max-pool 3x3 / stride 2 / padding 1 over z [F, B*S*S, co]; argmax holds the in-model source index.
extern "C" __global__ void loso_maxpool_forward(const float *z, float *y, int *argmax, int co, int S, int PS, int B) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    long pooled = (long)B * PS * PS * co;
    if (i >= pooled) return;
    int c = i % co;
    long t = i / co;
    int ox = t % PS, oy = (t / PS) % PS, b = t / ((long)PS * PS);
    const float *zf = z + (long)f * B * S * S * co;
    float best = __int_as_float(0xff800000);  // -inf
    int arg = -1;
    for (int iy = (2 * oy - 1 > 0 ? 2 * oy - 1 : 0); iy <= (2 * oy + 1 < S - 1 ? 2 * oy + 1 : S - 1); iy++)
        for (int ix = (2 * ox - 1 > 0 ? 2 * ox - 1 : 0); ix <= (2 * ox + 1 < S - 1 ? 2 * ox + 1 : S - 1); ix++) {
            long src = (((long)b * S + iy) * S + ix) * co + c;
            if (zf[src] > best) { best = zf[src]; arg = (int)src; }
        }
    y[(long)f * pooled + i] = best;
    argmax[(long)f * pooled + i] = arg;
}

// dz[src] = sum of dy over the pooled outputs whose arg-max is src, in ascending pooled index
// (the CPU engine's scatter order), gathered per source element.
extern "C" __global__ void loso_maxpool_backward(const float *dy, const int *argmax, float *dz, int co, int S, int PS, int B) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    long n = (long)B * S * S * co, pooled = (long)B * PS * PS * co;
    if (i >= n) return;
    int c = i % co;
    long t = i / co;
    int ix = t % S, iy = (t / S) % S, b = t / ((long)S * S);
    float s = 0;
    for (int oy = 0; oy < PS; oy++) {
        if (iy < 2 * oy - 1 || iy > 2 * oy + 1) continue;
        for (int ox = 0; ox < PS; ox++) {
            if (ix < 2 * ox - 1 || ix > 2 * ox + 1) continue;
            long o = (((long)b * PS + oy) * PS + ox) * co + c;
            if (argmax[(long)f * pooled + o] == (int)i) s += dy[(long)f * pooled + o];
        }
    }
    dz[(long)f * n + i] = s;
}

// pooled[f, b, j] = mean over positions of normed[f, b, s, j] (summed in position order).
extern "C" __global__ void loso_mean_pool_forward(const float *normed, float *pooled, int C, int positions, int B) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)B * C) return;
    int j = i % C, b = i / C;
    const float *base = normed + (long)f * B * positions * C + (long)b * positions * C + j;
    float s = 0;
    for (int p = 0; p < positions; p++) s += base[(long)p * C];
    pooled[(long)f * B * C + i] = s * (1.0f / (float)positions);
}

extern "C" __global__ void loso_mean_pool_backward(const float *dpooled, float *dnormed, int C, int positions, int B) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long)B * positions * C) return;
    int j = i % C;
    long b = i / ((long)positions * C);
    dnormed[(long)f * B * positions * C + i] = dpooled[(long)f * B * C + b * C + j] * (1.0f / (float)positions);
}

// Softmax cross-entropy per model (one thread per model, samples in order, as SoftmaxCrossEntropy):
// loss[f] (double) = sum w_y nll / sum w_y; correct[f]; dlogits = (softmax - onehot) w_y / sum w.
// weights: [F, classes] or NULL; samples past counts[f] get zero gradient.
extern "C" __global__ void loso_softmax_cross_entropy(const float *logits, const int *labels, const int *counts,
        const float *weights, int classes, int B, int F, float *dlogits, double *loss, int *correct) {
    int f = blockIdx.x * blockDim.x + threadIdx.x;
    if (f >= F) return;
    const float *lf = logits + (long)f * B * classes;
    float *df = dlogits + (long)f * B * classes;
    double total = 0, wsum = 0;
    int right = 0;
    for (int b = 0; b < counts[f]; b++) {
        const float *row = lf + (long)b * classes;
        int y = labels[(long)f * B + b];
        float mx = row[0];
        int arg = 0;
        for (int j = 1; j < classes; j++) if (row[j] > mx) { mx = row[j]; arg = j; }
        if (arg == y) right++;
        double sum = 0;
        for (int j = 0; j < classes; j++) sum += exp((double)(row[j] - mx));
        double w = weights ? (double)weights[f * classes + y] : 1.0;
        total += w * (log(sum) + (double)mx - (double)row[y]);
        wsum += w;
    }
    loss[f] = counts[f] > 0 ? total / wsum : 0;
    correct[f] = right;
    for (int b = 0; b < B; b++) {
        const float *row = lf + (long)b * classes;
        float *out = df + (long)b * classes;
        if (b >= counts[f]) { for (int j = 0; j < classes; j++) out[j] = 0; continue; }
        int y = labels[(long)f * B + b];
        float mx = row[0];
        for (int j = 1; j < classes; j++) mx = row[j] > mx ? row[j] : mx;
        float sum = 0;
        for (int j = 0; j < classes; j++) { float e = expf(row[j] - mx); out[j] = e; sum += e; }
        float scale = (float)((weights ? (double)weights[f * classes + y] : 1.0) / wsum);
        for (int j = 0; j < classes; j++) out[j] = out[j] / sum * scale;
        out[y] -= scale;
    }
}

// Adam over the stacked [F, P] buffer (torch.optim.Adam, as ck_adam_update): per-model scalars
// computed on the host by StackedAdam.scalars; stepSizes[2f] for the buffer, [2f+1] for the
// multiplied range [multLo, multHi) (class vectors); active[f] == 0 leaves model f untouched.
extern "C" __global__ void loso_adam_stacked(float *p, const float *g, float *m, float *v, long P, const float *stepSizes,
        const float *bc2Sqrt, const int *active, long multLo, long multHi, float b1, float b2, float eps) {
    int f = blockIdx.y;
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= P || !active[f]) return;
    long k = (long)f * P + i;
    float step = (i >= multLo && i < multHi) ? stepSizes[2 * f + 1] : stepSizes[2 * f];
    loso_adam_element(&p[k], &m[k], &v[k], g[k], b1, b2, step, bc2Sqrt[f], eps);
}
"""#
}
