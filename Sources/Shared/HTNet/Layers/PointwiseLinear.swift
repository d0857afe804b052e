import Tensor

/// A 1x1 convolution (or a linear layer) over token-major activations [tokens, in]: one sgemm
/// for the whole batch, with the weight kept in PyTorch's [out, in] layout.
struct PointwiseLinear {
    let input: Int
    let output: Int
    let weight: Int        // offset into the parameter buffer
    let bias: Int?         // offset, or nil for to_qkv

    /// y[N, out] = x[N, in] . W^T + b, or with `residual`, y += x . W^T + b: the residual add rides
    /// on sgemm's beta instead of a separate pass over the activations.
    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                 tokens n: Int, residual: Bool = false) {
        var beta: Float = residual ? 1 : 0
        if let b = bias {
            let bp = p + b, width = output
            ParallelLoop.ranges(n, minimumChunk: max(1, 16384 / width)) { rows in
                for t in rows {
                    let row = y + t * width
                    if residual { for j in 0..<width { row[j] += bp[j] } } else { row.update(from: bp, count: width) }
                }
            }
            beta = 1
        }
        BLAS.gemm(.none, .transpose, m: n, n: output, k: input, a: x, lda: input,
                  b: p + weight, ldb: input, beta: beta, c: y, ldc: output)
    }

    /// Writes dW, db into `g` (each parameter's gradient comes from this one call, so nothing needs
    /// zeroing first); writes (or, with `accumulate`, adds) dx = dy . W when dx is given.
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                  x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                  accumulate: Bool = false, tokens n: Int) {
        BLAS.gemm(.transpose, .none, m: output, n: input, k: n, a: dy, lda: output,
                  b: x, ldb: input, beta: 0, c: g + weight, ldc: input)
        if let b = bias { columnSums(dy, rows: n, columns: output, into: g + b) }
        if let dx {
            BLAS.gemm(.none, .none, m: n, n: input, k: output, a: dy, lda: output,
                      b: p + weight, ldb: input, beta: accumulate ? 1 : 0, c: dx, ldc: input)
        }
    }
}

/// out[j] = sum over rows of m[row, j], rows summed in order (split over columns only, so the
/// result does not depend on the thread count).
func columnSums(_ m: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    ParallelLoop.ranges(columns, minimumChunk: max(16, 65536 / max(rows, 1))) { range in
        let o = out + range.lowerBound, width = range.count
        o.update(repeating: 0, count: width)
        for r in 0..<rows {
            let row = m + r * columns + range.lowerBound
            for j in 0..<width { o[j] += row[j] }
        }
    }
}
