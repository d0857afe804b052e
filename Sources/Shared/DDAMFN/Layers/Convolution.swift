import CKernels
import Tensor

/// A 2-D convolution (cross-correlation, zero padding, groups = 1, optional bias) on channel-major
/// activations [C, B, H, W] (see `Pass`), by im2col and ONE sgemm for the whole batch:
/// Y [out, B*Ho*Wo] = W [out, in*k*k] . col [in*k*k, B*Ho*Wo]. A 1x1, stride-1 convolution needs no
/// im2col: the input is the column matrix. The weight gradient dY . col^T is one sgemm too, with the
/// batch inside its K, so its bits do not depend on the thread count (BLAS.gemm's fixed blocks).
final class Convolution {
    let input: Int, output: Int, kernel: Int, stride: Int, padding: Int
    let height: Int, width: Int, outHeight: Int, outWidth: Int
    let weight: Int, bias: Int?
    let y: FloatBuffer
    let dx: FloatBuffer?
    let columns: FloatBuffer?
    private var x: UnsafePointer<Float>?

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
        table.addWork(output * input * kernel * kernel * outHeight * outWidth, needsInputGradient: needsInputGradient)
        let pointwise = kernel == 1 && stride == 1 && padding == 0
        y = FloatBuffer(count: maxBatch * output * outHeight * outWidth)
        dx = needsInputGradient ? FloatBuffer(count: maxBatch * input * height * width) : nil
        columns = pointwise ? nil : FloatBuffer(count: maxBatch * input * kernel * kernel * outHeight * outWidth)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        let p = pass.parameters, k = columnRows, n = pass.batch * outPlane
        var source = x
        if let columns {
            im2col(x, columns.pointer, batch: pass.batch)
            source = UnsafePointer(columns.pointer)
        }
        var beta: Float = 0
        if let bias {
            for o in 0..<output { (y.pointer + o * n).update(repeating: p[bias + o], count: n) }
            beta = 1
        }
        BLAS.gemm(.none, .none, m: output, n: n, k: k, a: p + weight, lda: k, b: source, ldb: n,
                  beta: beta, c: y.pointer, ldc: n)
        return y.pointer
    }

    /// Writes dW (and db); returns dx (or nil when the input needs no gradient).
    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats? {
        let p = pass.parameters, g = pass.gradients, k = columnRows, n = pass.batch * outPlane
        let source = columns.map { UnsafePointer($0.pointer) } ?? self.x!
        BLAS.gemm(.none, .transpose, m: output, n: k, k: n, a: dy, lda: n, b: source, ldb: n,
                  beta: 0, c: g + weight, ldc: k)
        if let bias {
            let db = g + bias
            ParallelLoop.ranges(output, minimumChunk: max(1, 16384 / max(n, 1))) { range in
                for o in range {
                    // float64: CA.conv1.bias feeds a train-mode BN, so its exact gradient is 0.
                    var s = 0.0
                    ck_sums_f64(dy + o * n, nil, n, &s, nil)
                    db[o] = Float(s)
                }
            }
        }
        guard let dx else { return nil }
        if let columns {
            let dcol = columns.pointer   // the columns are no longer needed: reuse them
            BLAS.gemm(.transpose, .none, m: k, n: n, k: output, a: p + weight, lda: k, b: dy, ldb: n,
                      beta: 0, c: dcol, ldc: n)
            col2im(dcol, dx.pointer, batch: pass.batch)
        } else {
            BLAS.gemm(.transpose, .none, m: k, n: n, k: output, a: p + weight, lda: k, b: dy, ldb: n,
                      beta: 0, c: dx.pointer, ldc: n)
        }
        return dx.pointer
    }

    /// col[(c, ky, kx), (b, oy, ox)] = x[c, b, oy*s - p + ky, ox*s - p + kx], zero outside the image.
    private func im2col(_ x: UnsafePointer<Float>, _ col: Floats, batch: Int) {
        let kk = kernel, s = stride, pad = padding, h = height, w = width, oh = outHeight, ow = outWidth
        let rowLength = batch * oh * ow
        ParallelLoop.ranges(input * kk * kk, minimumChunk: 1) { rows in
            for row in rows {
                let c = row / (kk * kk), ky = (row / kk) % kk, kx = row % kk
                for b in 0..<batch {
                    let dst = col + row * rowLength + b * oh * ow, plane = x + (c * batch + b) * h * w
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
    }

    /// The adjoint of im2col: dx[c, b, iy, ix] = sum of the column entries that read it (per plane,
    /// taps in a fixed order).
    private func col2im(_ col: UnsafePointer<Float>, _ dx: Floats, batch: Int) {
        let kk = kernel, s = stride, pad = padding, h = height, w = width, oh = outHeight, ow = outWidth
        let rowLength = batch * oh * ow
        ParallelLoop.ranges(input * batch, minimumChunk: 1) { planes in
            for index in planes {
                let c = index / batch, b = index % batch
                let plane = dx + index * h * w
                plane.update(repeating: 0, count: h * w)
                for ky in 0..<kk {
                    for kx in 0..<kk {
                        let src = col + ((c * kk + ky) * kk + kx) * rowLength + b * oh * ow
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
