import CKernels
import Foundation
import Tensor

/// Adam exactly as `torch.optim.Adam` computes it on CPU (no weight decay, no amsgrad), in one fused
/// pass over the whole parameter buffer. Ranges of the buffer may get their own learning rate,
/// lr x multiplier, as a separate torch parameter group would (the metric losses' class vectors:
/// Proxy Anchor's authors train proxies at 100 x the network's rate).
public final class AdamOptimizer {
    public var learningRate: Float
    /// Disjoint ranges of the buffer and their learning-rate multipliers; the rest uses 1.
    public let multipliers: [(range: Range<Int>, factor: Float)]
    public let beta1: Float, beta2: Float, eps: Float
    /// Decoupled weight decay (AdamW): before the Adam step every parameter is multiplied by
    /// 1 - lr x multiplier x weightDecay, as torch.optim.AdamW does; 0 is plain Adam.
    public let weightDecay: Float
    public private(set) var step = 0
    let m: FloatBuffer, v: FloatBuffer

    public init(parameterCount: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
                multipliers: [(range: Range<Int>, factor: Float)] = [], weightDecay: Float = 0) {
        self.weightDecay = weightDecay
        self.multipliers = LearningRateSegments.sorted(multipliers, parameterCount: parameterCount)
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
        let bc2Sqrt = Float(biasCorrection2.squareRoot())
        let b1 = beta1, b2 = beta2, e = eps
        let p = parameters.pointer, g = gradients.pointer, mp = m.pointer, vp = v.pointer
        // torch: exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        // param.addcdiv_(exp_avg, exp_avg_sq.sqrt() / sqrt(bias_correction2) + eps, -lr / bias_correction1)
        for (segment, factor) in segments(parameters.count) {
            let stepSize = Float(Double(learningRate * factor) / biasCorrection1)
            let decay = 1 - learningRate * factor * weightDecay
            let wd = weightDecay
            ParallelLoop.ranges(segment.count, minimumChunk: 1 << 16) { r in
                let o = segment.lowerBound + r.lowerBound
                // torch AdamW: param.mul_(1 - lr * weight_decay), then the Adam update.
                if wd != 0 { for i in o..<(o + r.count) { p[i] *= decay } }
                ck_adam_update(p + o, g + o, mp + o, vp + o, r.count, b1, b2, stepSize, bc2Sqrt, e)
            }
        }
    }

    /// The moments and step count, for a fold state that lets training resume exactly.
    public var state: (step: Int, moment1: [Float], moment2: [Float]) { (step, m.array, v.array) }

    /// Continues from a saved `state` (same parameter count): the next update is the one that would
    /// have followed it.
    public func restore(step: Int, moment1: [Float], moment2: [Float]) {
        precondition(moment1.count == m.count && moment2.count == v.count, "Adam state of another size")
        self.step = step
        m.copy(from: moment1)
        v.copy(from: moment2)
    }

    private func segments(_ count: Int) -> [(Range<Int>, Float)] { LearningRateSegments.cut(count, by: multipliers) }
}
