import Tensor

/// Exact GELU, x * Phi(x) with the error function (PyTorch's default, not the tanh approximation),
/// with a vectorisable erf and the work split over the worker's threads.
enum GELU {
    static let invSqrt2: Float = 0.70710678118654752
    static let invSqrt2Pi: Float = 0.39894228040143268

    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            for i in range {
                let v = x[i]
                y[i] = 0.5 * v * (1 + VectorMath.erf(v * invSqrt2))
            }
        }
    }

    /// dx = dy * (Phi(x) + x * phi(x)), written in place of dy.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            for i in range {
                let v = x[i]
                let cdf = 0.5 * (1 + VectorMath.erf(v * invSqrt2))
                let pdf = invSqrt2Pi * VectorMath.exp(-0.5 * v * v)
                dy[i] *= cdf + v * pdf
            }
        }
    }
}
