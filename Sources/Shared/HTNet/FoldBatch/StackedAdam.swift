import CKernels
import Foundation
import Tensor

/// Adam over a StackedParameters buffer, each model with its own step count (a model that sits a
/// lockstep step out does not advance), computing exactly what AdamOptimizer computes for that
/// model alone: the same host-side scalars (bias corrections in Double, as torch) and the same
/// elementwise kernel over the same segments. The GPU engine passes these per-model scalars to
/// its stacked Adam kernel (CUDAKernelSource.adam).
public final class StackedAdam {
    public let learningRate: Float
    public let beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    /// Disjoint ranges of one model's buffer and their learning-rate multipliers (as AdamOptimizer).
    public let multipliers: [(range: Range<Int>, factor: Float)]
    public private(set) var steps: [Int]
    let stack: StackedParameters

    public init(stack: StackedParameters, learningRate: Float, multipliers: [(range: Range<Int>, factor: Float)] = []) {
        self.stack = stack
        self.learningRate = learningRate
        self.multipliers = LearningRateSegments.sorted(multipliers, parameterCount: stack.perModel)
        steps = Array(repeating: 0, count: stack.models)
    }

    /// The scalars of one model's next step: Adam's step size per segment and sqrt(bias_correction2).
    public static func scalars(step: Int, learningRate: Float, factor: Float, beta1: Float, beta2: Float) -> (stepSize: Float, bc2Sqrt: Float) {
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let biasCorrection2 = 1 - Foundation.pow(Double(beta2), Double(step))
        return (Float(Double(learningRate * factor) / biasCorrection1), Float(biasCorrection2.squareRoot()))
    }

    /// One step for every model with `active[f]`; the others keep their parameters and moments.
    public func update(active: [Bool]) {
        precondition(active.count == stack.models, "one flag per model")
        let perModel = stack.perModel
        let segments = self.segments(perModel)
        for f in 0..<stack.models where active[f] {
            steps[f] += 1
            let base = f * perModel
            let p = stack.parameters.pointer + base, g = stack.gradients.pointer + base
            let m = stack.firstMoments.pointer + base, v = stack.secondMoments.pointer + base
            for (segment, factor) in segments {
                let s = StackedAdam.scalars(step: steps[f], learningRate: learningRate, factor: factor, beta1: beta1, beta2: beta2)
                let b1 = beta1, b2 = beta2, e = eps
                ParallelLoop.ranges(segment.count, minimumChunk: 1 << 16) { r in
                    let o = segment.lowerBound + r.lowerBound
                    ck_adam_update(p + o, g + o, m + o, v + o, r.count, b1, b2, s.stepSize, s.bc2Sqrt, e)
                }
            }
        }
    }

    /// One model's buffer cut into consecutive ranges, each with its multiplier (AdamOptimizer's rule).
    func segments(_ count: Int) -> [(Range<Int>, Float)] { LearningRateSegments.cut(count, by: multipliers) }
}
