import CKernels
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
        // torch: exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        // param.addcdiv_(exp_avg, exp_avg_sq.sqrt() / sqrt(bias_correction2) + eps, -lr / bias_correction1)
        ParallelLoop.ranges(parameters.count, minimumChunk: 1 << 16) { r in
            let o = r.lowerBound
            ck_adam_update(p + o, g + o, mp + o, vp + o, r.count, b1, b2, stepSize, bc2Sqrt, e)
        }
    }
}
