import CKernels
import Tensor

/// BatchNorm over the channels of a channel-major tensor [C, B, P] (P positions per sample; one
/// channel's B x P values are contiguous), as PyTorch's
/// BatchNorm1d/2d: eps 1e-5, momentum 0.1.
/// Train mode: each channel normalised with its batch mean and biased variance over B x P values
/// (accumulated in float64), then running_mean <- 0.9 running_mean + 0.1 mean, running_var <- 0.9
/// running_var + 0.1 x unbiased variance (n / (n - 1)), num_batches_tracked += 1.
/// Eval mode: normalised with the running statistics, constants to its backward (dx = g rstd dy).
final class BatchNorm {
    static let eps = 1e-5, momentum = 0.1
    let channels: Int, positions: Int
    let weight: Int, bias: Int
    let buffers: DDAMFNBatchNormBuffers
    let y: FloatBuffer
    let normalised: FloatBuffer
    let inverseStd: FloatBuffer
    let dx: FloatBuffer

    init(_ table: ParameterTable, _ prefix: String, channels: Int, positions: Int, maxBatch: Int) {
        self.channels = channels
        self.positions = positions
        (weight, bias, buffers) = table.batchNorm(prefix, channels)
        y = FloatBuffer(count: maxBatch * channels * positions)
        normalised = FloatBuffer(count: maxBatch * channels * positions)
        inverseStd = FloatBuffer(count: channels)
        dx = FloatBuffer(count: maxBatch * channels * positions)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let batch = pass.batch, c = channels, n = positions
        let gamma = pass.parameters + weight, beta = pass.parameters + bias
        let mean = pass.statistics + buffers.offset, variance = mean + c
        let xhat = normalised.pointer, out = y.pointer, rstd = inverseStd.pointer
        let training = pass.training
        ParallelLoop.ranges(c, minimumChunk: max(1, 8192 / max(batch * n, 1))) { range in
            for ch in range {
                let m: Float, r: Float
                if training {
                    var sum = 0.0
                    ck_sums_f64(x + ch * batch * n, nil, batch * n, &sum, nil)
                    let count = Double(batch * n)
                    let mu = sum / count
                    let squares = ck_squared_deviation_f64(x + ch * batch * n, batch * n, mu)
                    let biased = squares / count
                    m = Float(mu)
                    r = Float(1 / (biased + BatchNorm.eps).squareRoot())
                    let unbiased = count > 1 ? squares / (count - 1) : biased
                    mean[ch] = Float((1 - BatchNorm.momentum) * Double(mean[ch]) + BatchNorm.momentum * mu)
                    variance[ch] = Float((1 - BatchNorm.momentum) * Double(variance[ch]) + BatchNorm.momentum * unbiased)
                } else {
                    m = mean[ch]
                    r = Float(1 / (Double(variance[ch]) + BatchNorm.eps).squareRoot())
                }
                rstd[ch] = r
                let g = gamma[ch], s = beta[ch], o = ch * batch * n
                let row = x + o, h = xhat + o, yr = out + o
                for i in 0..<(batch * n) {
                    let v = (row[i] - m) * r
                    h[i] = v
                    yr[i] = v * g + s
                }
            }
        }
        if training { pass.counters[buffers.counter] += 1 }
        return out
    }

    /// Train mode: dx = rstd (g dy - mean(g dy) - xhat mean(g dy xhat)); eval mode (explanations):
    /// dx = g rstd dy. Writes dweight, dbias.
    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let batch = pass.batch, c = channels, n = positions, training = pass.training
        let gamma = pass.parameters + weight, dgamma = pass.gradients + weight, dbeta = pass.gradients + bias
        let xhat = normalised.pointer, rstd = inverseStd.pointer, out = dx.pointer
        ParallelLoop.ranges(c, minimumChunk: max(1, 8192 / max(batch * n, 1))) { range in
            for ch in range {
                // Sums in float64: dbias of a BN whose consumers cancel it (project.bn.bias) is
                // exactly 0, and float32 sums over B x P terms would leave visible noise.
                var sumDy = 0.0, sumDyH = 0.0
                let o = ch * batch * n
                ck_sums_f64(dy + o, xhat + o, batch * n, &sumDy, &sumDyH)
                dgamma[ch] = Float(sumDyH)
                dbeta[ch] = Float(sumDy)
                let count = Double(batch * n), g = gamma[ch], r = rstd[ch]
                let meanDy = Float(sumDy / count), meanDyH = Float(sumDyH / count)
                let d = dy + o, h = xhat + o, dxr = out + o
                if !training {
                    for i in 0..<(batch * n) { dxr[i] = g * r * d[i] }
                    continue
                }
                for i in 0..<(batch * n) { dxr[i] = g * r * (d[i] - meanDy - h[i] * meanDyH) }
            }
        }
        return out
    }
}
