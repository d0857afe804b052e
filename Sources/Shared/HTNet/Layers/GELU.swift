import Tensor

/// Exact GELU, x * Phi(x) with the error function (PyTorch's default, not the tanh approximation),
/// evaluated 8 lanes at a time and split over the worker's threads.
enum GELU {
    typealias V = SIMD8<Float>
    static let invSqrt2: Float = 0.70710678118654752
    static let invSqrt2Pi: Float = 0.39894228040143268

    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                let out = 0.5 * v * (1 + VectorMath.erf(v * invSqrt2))
                UnsafeMutableRawPointer(y + i).storeBytes(of: out, as: V.self)
                i += 8
            }
            while i < range.upperBound {
                y[i] = 0.5 * x[i] * (1 + VectorMath.erf(x[i] * invSqrt2))
                i += 1
            }
        }
    }

    /// dx = dy * (Phi(x) + x * phi(x)), written in place of dy.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, count: Int) {
        ParallelLoop.ranges(count) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                let d = UnsafeRawPointer(dy + i).loadUnaligned(as: V.self)
                let cdf = 0.5 * (1 + VectorMath.erf(v * invSqrt2))
                let pdf = invSqrt2Pi * VectorMath.exp(-0.5 * v * v)
                UnsafeMutableRawPointer(dy + i).storeBytes(of: d * (cdf + v * pdf), as: V.self)
                i += 8
            }
            while i < range.upperBound {
                let v = x[i]
                let cdf = 0.5 * (1 + VectorMath.erf(v * invSqrt2))
                let pdf = invSqrt2Pi * VectorMath.exp(-0.5 * v * v)
                dy[i] *= cdf + v * pdf
                i += 1
            }
        }
    }
}
