import Foundation
import Tensor

/// Adam exactly as `torch.optim.Adam` computes it on CPU (no weight decay, no amsgrad), in one fused
/// pass over the whole parameter buffer.
public final class AdamOptimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    public private(set) var step = 0
    let m: FloatBuffer, v: FloatBuffer

    public init(parameterCount: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    public func update(parameters: FloatBuffer, gradients: FloatBuffer) {
        step += 1
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let biasCorrection2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let bc2Sqrt = Float(biasCorrection2.squareRoot())
        let b1 = beta1, b2 = beta2, e = eps
        let p = parameters.pointer, g = gradients.pointer, mp = m.pointer, vp = v.pointer
        ParallelLoop.ranges(parameters.count, minimumChunk: 1 << 16) { range in
            for i in range {
                let gi = g[i]
                let mi = mp[i] + (gi - mp[i]) * (1 - b1)   // torch: exp_avg.lerp_(grad, 1 - beta1)
                let vi = vp[i] * b2 + (1 - b2) * gi * gi
                mp[i] = mi
                vp[i] = vi
                p[i] -= stepSize * (mi / (vi.squareRoot() / bc2Sqrt + e))
            }
        }
    }
}
