import Foundation

/// The elementwise activations of the attention blocks, with PyTorch's corner cases.
enum Activations {
    /// h_swish(v) = v * (relu6(v + 3) / 6), in that order (as the reference's h_sigmoid then product).
    @inline(__always) static func hardSwish(_ v: Float) -> Float { v * (min(max(v + 3, 0), 6) / 6) }

    /// h_swish'(v): (2v + 3) / 6 inside (-3, 3), 1 at and above 3, 0 at and below -3.
    @inline(__always) static func hardSwishDerivative(_ v: Float) -> Float {
        v >= 3 ? 1 : (v <= -3 ? 0 : (2 * v + 3) / 6)
    }

    @inline(__always) static func sigmoid(_ v: Float) -> Float { 1 / (1 + Foundation.exp(-v)) }
}
