import Foundation

/// Exact GELU, x * Phi(x) with the error function (PyTorch's default, not the tanh approximation).
enum GELU {
    static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            y[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752))
        }
    }

    /// dx = dy * (Phi(x) + x * phi(x)), written in place of dy.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2Pi: Float = 0.39894228040143268
        for i in 0..<count {
            let v = x[i]
            let cdf = 0.5 * (1 + erff(v * 0.70710678118654752))
            let pdf = invSqrt2Pi * expf(-0.5 * v * v)
            dy[i] *= cdf + v * pdf
        }
    }
}
