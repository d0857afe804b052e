import Tensor

/// A 2-D convolution (cross-correlation, zero padding, groups = 1, optional bias) on NCHW input,
/// by im2col and one sgemm per sample: Y_b [out, Ho*Wo] = W [out, in*k*k] . col_b [in*k*k, Ho*Wo].
/// A 1x1, stride-1 convolution needs no im2col: the input plane is the column matrix.
/// Weight gradients are summed over the samples in order (sgemm with beta 1), so the bits do not
/// depend on the thread count.
final class Convolution {
    let input: Int, output: Int, kernel: Int, stride: Int, padding: Int
    let height: Int, width: Int, outHeight: Int, outWidth: Int
    let weight: Int, bias: Int?
    let y: FloatBuffer
    let dx: FloatBuffer?
    let columns: FloatBuffer?
    private var x: UnsafePointer<Float>?

    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }
    var columnRows: Int { input * kernel * kernel }
    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }

    init(_ table: ParameterTable, _ prefix: String, input: Int, output: Int, kernel: Int = 1, stride: Int = 1,
         padding: Int = 0, bias: Bool = false, height: Int, width: Int, maxBatch: Int, needsInputGradient: Bool = true) {
        self.input = input; self.output = output; self.kernel = kernel; self.stride = stride; self.padding = padding
        self.height = height; self.width = width
        outHeight = (height + 2 * padding - kernel) / stride + 1
        outWidth = (width + 2 * padding - kernel) / stride + 1
        weight = table.weight(prefix + ".weight", [output, input, kernel, kernel])
        self.bias = bias ? table.bias(prefix + ".bias", output, fanIn: input * kernel * kernel) : nil
        y = FloatBuffer(count: maxBatch * output * outHeight * outWidth)
        dx = needsInputGradient ? FloatBuffer(count: maxBatch * input * height * width) : nil
        table.addWork(output * input * kernel * kernel * outHeight * outWidth, needsInputGradient: needsInputGradient)
        let pointwise = kernel == 1 && stride == 1 && padding == 0
        columns = pointwise ? nil : FloatBuffer(count: maxBatch * input * kernel * kernel * outHeight * outWidth)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        let p = pass.parameters, k = columnRows, n = outPlane
        for b in 0..<pass.batch {
            let yb = y.pointer + b * output * n
            var source = x + b * input * inPlane
            if let columns {
                let col = columns.pointer + b * k * n
                im2col(source, col)
                source = UnsafePointer(col)
            }
            var beta: Float = 0
            if let bias {
                for o in 0..<output { (yb + o * n).update(repeating: p[bias + o], count: n) }
                beta = 1
            }
            BLAS.gemm(.none, .none, m: output, n: n, k: k, a: p + weight, lda: k, b: source, ldb: n,
                      beta: beta, c: yb, ldc: n)
        }
        return y.pointer
    }

    /// Writes dW (and db); returns dx (or nil when the input needs no gradient).
    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats? {
        let p = pass.parameters, g = pass.gradients, k = columnRows, n = outPlane
        let x = self.x!
        for b in 0..<pass.batch {
            let dyb = dy + b * output * n
            let source = columns.map { UnsafePointer($0.pointer + b * k * n) } ?? (x + b * input * inPlane)
            BLAS.gemm(.none, .transpose, m: output, n: k, k: n, a: dyb, lda: n, b: source, ldb: n,
                      beta: b == 0 ? 0 : 1, c: g + weight, ldc: k)
        }
        if let bias {
            let db = g + bias
            ParallelLoop.ranges(output, minimumChunk: max(1, 16384 / max(n * pass.batch, 1))) { range in
                for o in range {
                    // float64: CA.conv1.bias feeds a train-mode BN, so its exact gradient is 0.
                    var s = 0.0
                    for b in 0..<pass.batch {
                        let row = dy + (b * output + o) * n
                        for i in 0..<n { s += Double(row[i]) }
                    }
                    db[o] = Float(s)
                }
            }
        }
        guard let dx else { return nil }
        for b in 0..<pass.batch {
            let dyb = dy + b * output * n
            let dxb = dx.pointer + b * input * inPlane
            if let columns {
                let dcol = columns.pointer + b * k * n   // the columns are no longer needed: reuse them
                BLAS.gemm(.transpose, .none, m: k, n: n, k: output, a: p + weight, lda: k, b: dyb, ldb: n,
                          beta: 0, c: dcol, ldc: n)
                col2im(dcol, dxb)
            } else {
                BLAS.gemm(.transpose, .none, m: k, n: n, k: output, a: p + weight, lda: k, b: dyb, ldb: n,
                          beta: 0, c: dxb, ldc: n)
            }
        }
        return dx.pointer
    }

    /// col[(c, ky, kx), (oy, ox)] = x[c, oy*s - p + ky, ox*s - p + kx], zero outside the image.
    private func im2col(_ x: UnsafePointer<Float>, _ col: Floats) {
        let kk = kernel, s = stride, pad = padding, h = height, w = width, oh = outHeight, ow = outWidth
        ParallelLoop.ranges(input * kk * kk, minimumChunk: 4) { rows in
            for row in rows {
                let c = row / (kk * kk), ky = (row / kk) % kk, kx = row % kk
                let dst = col + row * oh * ow, plane = x + c * h * w
                for oy in 0..<oh {
                    let iy = oy * s - pad + ky
                    let d = dst + oy * ow
                    if iy < 0 || iy >= h { d.update(repeating: 0, count: ow); continue }
                    for ox in 0..<ow {
                        let ix = ox * s - pad + kx
                        d[ox] = (ix >= 0 && ix < w) ? plane[iy * w + ix] : 0
                    }
                }
            }
        }
    }

    /// The adjoint of im2col: dx[c, iy, ix] = sum of the column entries that read it (per channel,
    /// in a fixed order).
    private func col2im(_ col: UnsafePointer<Float>, _ dx: Floats) {
        let kk = kernel, s = stride, pad = padding, h = height, w = width, oh = outHeight, ow = outWidth
        ParallelLoop.ranges(input, minimumChunk: 1) { channels in
            for c in channels {
                let plane = dx + c * h * w
                plane.update(repeating: 0, count: h * w)
                for ky in 0..<kk {
                    for kx in 0..<kk {
                        let src = col + ((c * kk + ky) * kk + kx) * oh * ow
                        for oy in 0..<oh {
                            let iy = oy * s - pad + ky
                            if iy < 0 || iy >= h { continue }
                            for ox in 0..<ow {
                                let ix = ox * s - pad + kx
                                if ix >= 0 && ix < w { plane[iy * w + ix] += src[oy * ow + ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}
