import Tensor

/// Between levels: 3x3 convolution (padding 1, bias) to twice the channels, channel LayerNorm, then
/// max-pool 3x3 / stride 2 / padding 1 (padding never wins the max).
///
/// The convolution is im2col + one sgemm. Columns are laid out [token, (ky kx) c] so each copy is a
/// contiguous run of channels; the weight is permuted to match once per step (it is small).
final class Aggregate {
    let inChannels: Int, outChannels: Int, side: Int, pooledSide: Int
    let weight: Int, bias: Int
    let norm: ChannelLayerNorm
    let columns, permutedWeight, permutedGrad, convolved, normalised, rstd, normed, dNormed, dColumns: FloatBuffer
    let argmax: UnsafeMutablePointer<Int32>
    let maxPooled: Int

    init(level: Int, config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        inChannels = c.channels(level: level)
        outChannels = c.channels(level: level + 1)
        side = c.side(level: level)
        pooledSide = c.side(level: level + 1)
        weight = layout["layers.\(level).1.0.weight"].offset
        bias = layout["layers.\(level).1.0.bias"].offset
        norm = ChannelLayerNorm(channels: outChannels, gain: layout["layers.\(level).1.1.g"].offset,
                                shift: layout["layers.\(level).1.1.b"].offset)
        let n = maxBatch * side * side
        columns = FloatBuffer(count: n * 9 * inChannels)
        dColumns = FloatBuffer(count: n * 9 * inChannels)
        permutedWeight = FloatBuffer(count: outChannels * 9 * inChannels)
        permutedGrad = FloatBuffer(count: outChannels * 9 * inChannels)
        convolved = FloatBuffer(count: n * outChannels)
        normalised = FloatBuffer(count: n * outChannels)
        rstd = FloatBuffer(count: n)
        normed = FloatBuffer(count: n * outChannels)
        dNormed = FloatBuffer(count: n * outChannels)
        maxPooled = maxBatch * pooledSide * pooledSide * outChannels
        argmax = .allocate(capacity: maxPooled)
    }

    deinit { argmax.deallocate() }

    /// x [B*S*S, Cin] -> y [B*S'*S', Cout]
    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int) {
        let ci = inChannels, co = outChannels, s = side, k = 9 * ci
        let n = batch * s * s
        // Weight [co, ci, 3, 3] -> [co, 3, 3, ci]
        let w = p + weight, pw = permutedWeight.pointer
        for o in 0..<co { for c in 0..<ci { for kk in 0..<9 { pw[o * k + kk * ci + c] = w[(o * ci + c) * 9 + kk] } } }
        // im2col
        let cols = columns.pointer
        for b in 0..<batch {
            for yy in 0..<s {
                for xx in 0..<s {
                    let row = cols + ((b * s + yy) * s + xx) * k
                    for ky in 0..<3 {
                        let sy = yy + ky - 1
                        for kx in 0..<3 {
                            let sx = xx + kx - 1
                            let dst = row + (ky * 3 + kx) * ci
                            if sy < 0 || sy >= s || sx < 0 || sx >= s {
                                dst.update(repeating: 0, count: ci)
                            } else {
                                dst.update(from: x + ((b * s + sy) * s + sx) * ci, count: ci)
                            }
                        }
                    }
                }
            }
        }
        let conv = convolved.pointer, bp = p + bias
        for t in 0..<n { (conv + t * co).update(from: bp, count: co) }
        BLAS.gemm(.none, .transpose, m: n, n: co, k: k, a: cols, lda: k, b: pw, ldb: k, beta: 1, c: conv, ldc: co)
        norm.forward(p, x: conv, y: normed.pointer, normalised: normalised.pointer, rstd: rstd.pointer, tokens: n)
        // Max-pool 3x3, stride 2, padding 1.
        let ps = pooledSide, z = normed.pointer
        for b in 0..<batch {
            for oy in 0..<ps {
                for ox in 0..<ps {
                    let out = y + ((b * ps + oy) * ps + ox) * co
                    let am = argmax + ((b * ps + oy) * ps + ox) * co
                    for c in 0..<co { out[c] = -.infinity; am[c] = -1 }
                    for iy in max(0, 2 * oy - 1)...min(s - 1, 2 * oy + 1) {
                        for ix in max(0, 2 * ox - 1)...min(s - 1, 2 * ox + 1) {
                            let src = ((b * s + iy) * s + ix) * co
                            for c in 0..<co where z[src + c] > out[c] {
                                out[c] = z[src + c]
                                am[c] = Int32(src + c)
                            }
                        }
                    }
                }
            }
        }
    }

    /// dy [B*S'*S', Cout] -> dx [B*S*S, Cin] (overwritten); writes its parameter gradients.
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, batch: Int) {
        let ci = inChannels, co = outChannels, s = side, k = 9 * ci
        let n = batch * s * s
        let dz = dNormed.pointer
        dz.update(repeating: 0, count: n * co)
        let pooled = batch * pooledSide * pooledSide * co
        for i in 0..<pooled { dz[Int(argmax[i])] += dy[i] }
        // LayerNorm backward into dConv (reuse `convolved`: its forward values are no longer needed).
        let dconv = convolved.pointer
        dconv.update(repeating: 0, count: n * co)
        norm.backward(p, g, dy: dz, normalised: normalised.pointer, rstd: rstd.pointer, dx: dconv, tokens: n)
        columnSums(dconv, rows: n, columns: co, into: g + bias)
        // dW' = dConv^T . cols ; dcols = dConv . W'
        let pg = permutedGrad.pointer
        BLAS.gemm(.transpose, .none, m: co, n: k, k: n, a: dconv, lda: co, b: columns.pointer, ldb: k, beta: 0, c: pg, ldc: k)
        let gw = g + weight
        for o in 0..<co { for c in 0..<ci { for kk in 0..<9 { gw[(o * ci + c) * 9 + kk] = pg[o * k + kk * ci + c] } } }
        let dcols = dColumns.pointer
        BLAS.gemm(.none, .none, m: n, n: k, k: co, a: dconv, lda: co, b: permutedWeight.pointer, ldb: k, beta: 0, c: dcols, ldc: k)
        // col2im
        dx.update(repeating: 0, count: n * ci)
        for b in 0..<batch {
            for yy in 0..<s {
                for xx in 0..<s {
                    let row = dcols + ((b * s + yy) * s + xx) * k
                    for ky in 0..<3 {
                        let sy = yy + ky - 1
                        if sy < 0 || sy >= s { continue }
                        for kx in 0..<3 {
                            let sx = xx + kx - 1
                            if sx < 0 || sx >= s { continue }
                            let src = row + (ky * 3 + kx) * ci
                            let dst = dx + ((b * s + sy) * s + sx) * ci
                            for c in 0..<ci { dst[c] += src[c] }
                        }
                    }
                }
            }
        }
    }
}
