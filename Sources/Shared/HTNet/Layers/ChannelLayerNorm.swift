import Tensor

/// LayerNorm over the channels of each token (biased variance, eps 1e-5), parameters g and b.
/// Keeps the normalised values and 1/std of the last forward for the backward pass.
struct ChannelLayerNorm {
    let channels: Int
    let gain: Int      // offset of g
    let shift: Int     // offset of b
    static let eps: Float = 1e-5

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                 normalised xhat: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, tokens n: Int) {
        let c = channels
        let g = p + gain, b = p + shift
        ParallelLoop.ranges(n, minimumChunk: max(1, 16384 / c)) { tokens in
            for t in tokens {
                let xr = x + t * c, hr = xhat + t * c, yr = y + t * c
                var mean: Float = 0
                for j in 0..<c { mean += xr[j] }
                mean /= Float(c)
                var variance: Float = 0
                for j in 0..<c { let d = xr[j] - mean; variance += d * d }
                variance /= Float(c)
                let r = 1 / (variance + ChannelLayerNorm.eps).squareRoot()
                rstd[t] = r
                for j in 0..<c {
                    let h = (xr[j] - mean) * r
                    hr[j] = h
                    yr[j] = h * g[j] + b[j]
                }
            }
        }
    }

    /// Writes dg, db; adds dx into `dx` (the residual stream's gradient).
    func backward(_ p: UnsafeMutablePointer<Float>, _ grads: UnsafeMutablePointer<Float>,
                  dy: UnsafePointer<Float>, normalised xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, tokens n: Int) {
        let c = channels
        let g = p + gain, dg = grads + gain, db = grads + shift
        let inv = 1 / Float(c)
        ParallelLoop.ranges(n, minimumChunk: max(1, 16384 / c)) { tokens in
            for t in tokens {
                let dyr = dy + t * c, hr = xhat + t * c, dxr = dx + t * c
                var sumD: Float = 0, sumDH: Float = 0
                for j in 0..<c {
                    let d = dyr[j] * g[j]
                    sumD += d
                    sumDH += d * hr[j]
                }
                let meanD = sumD * inv, meanDH = sumDH * inv, r = rstd[t]
                for j in 0..<c {
                    dxr[j] += r * (dyr[j] * g[j] - meanD - hr[j] * meanDH)
                }
            }
        }
        // Parameter gradients: per channel, tokens summed in order (independent of the thread count).
        ParallelLoop.ranges(c, minimumChunk: max(8, 65536 / max(n, 1))) { range in
            let w = range.count, o = range.lowerBound
            (dg + o).update(repeating: 0, count: w)
            (db + o).update(repeating: 0, count: w)
            for t in 0..<n {
                let dyr = dy + t * c + o, hr = xhat + t * c + o
                for j in 0..<w {
                    dg[o + j] += dyr[j] * hr[j]
                    db[o + j] += dyr[j]
                }
            }
        }
    }
}
