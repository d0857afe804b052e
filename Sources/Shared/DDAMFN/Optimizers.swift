import CKernels
import Foundation
import Tensor

/// Adam exactly as `torch.optim.Adam` computes it on CPU (no weight decay, no amsgrad), over the
/// used parameters only: the reference never gives the unused ones a gradient, so torch skips
/// them and they must not move.
public final class DDAMFNAdam {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float
    public internal(set) var step = 0
    let ranges: [Range<Int>]
    let m: FloatBuffer, v: FloatBuffer

    public init(table: ParameterTable, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        ranges = table.usedRanges
        m = FloatBuffer(count: table.parameterCount)
        v = FloatBuffer(count: table.parameterCount)
    }

    public func update(parameters: FloatBuffer, gradients: FloatBuffer) {
        step += 1
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let biasCorrection2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let bc2Sqrt = Float(biasCorrection2.squareRoot())
        let p = parameters.pointer, g = gradients.pointer, mp = m.pointer, vp = v.pointer
        for range in ranges {
            ParallelLoop.ranges(range.count, minimumChunk: 1 << 16) { r in
                let o = range.lowerBound + r.lowerBound
                ck_adam_update(p + o, g + o, mp + o, vp + o, r.count, beta1, beta2, stepSize, bc2Sqrt, eps)
            }
        }
    }
}

/// SGD with momentum and weight decay as `torch.optim.SGD` (dampening 0, not Nesterov), over the
/// used parameters only: d = g + weightDecay w; buf = d at the first step, else momentum buf + d;
/// w <- w - lr buf.
public final class DDAMFNSGD {
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float
    public internal(set) var step = 0
    let ranges: [Range<Int>]
    let velocity: FloatBuffer

    public init(table: ParameterTable, learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 1e-4) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        ranges = table.usedRanges
        velocity = FloatBuffer(count: table.parameterCount)
    }

    public func update(parameters: FloatBuffer, gradients: FloatBuffer) {
        step += 1
        let first = step == 1, lr = learningRate, mu = momentum, wd = weightDecay
        let p = parameters.pointer, g = gradients.pointer, buf = velocity.pointer
        for range in ranges {
            ParallelLoop.ranges(range.count, minimumChunk: 1 << 16) { r in
                let o = range.lowerBound + r.lowerBound
                let pp = p + o, gp = g + o, bp = buf + o
                for i in 0..<r.count {
                    let d = gp[i] + wd * pp[i]
                    let b = first ? d : mu * bp[i] + d
                    bp[i] = b
                    pp[i] -= lr * b
                }
            }
        }
    }
}
