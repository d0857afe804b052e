import Foundation
@testable import HTNet
import Tensor
import XCTest

/// Central finite differences in float32 with the loss accumulated in float64.
/// eps 1e-2 keeps rounding noise (~1e-7 |L| / eps) well under the tolerance for O(1) values; whole-model
/// checks use a smaller eps so a perturbation rarely moves a max-pool's arg-max (a kink FD cannot see past).
enum FiniteDifference {
    static let eps: Float = 1e-2

    /// Compares `analytic[i]` with the numerical derivative of `loss` w.r.t. `values[i]` for the
    /// given indices; fails the test when |fd - analytic| > rtol * max(|analytic|max, 1e-3) + atol.
    static func check(_ label: String, values: UnsafeMutablePointer<Float>, analytic: [Float], indices: [Int],
                      rtol: Double = 2e-2, atol: Double = 2e-4, eps: Float = FiniteDifference.eps, loss: () -> Double,
                      file: StaticString = #filePath, line: UInt = #line) {
        let scale = max(analytic.map { Double(abs($0)) }.max() ?? 0, 1e-3)
        var worst = 0.0
        for i in indices {
            let saved = values[i]
            values[i] = saved + eps
            let plus = loss()
            values[i] = saved - eps
            let minus = loss()
            values[i] = saved
            let numeric = (plus - minus) / Double(2 * eps)
            worst = max(worst, abs(numeric - Double(analytic[i])))
        }
        XCTAssertLessThanOrEqual(worst, rtol * scale + atol, "\(label): worst |fd - analytic| = \(worst), gradient scale \(scale)",
                                 file: file, line: line)
    }

    /// Indices to probe: all of them when few, otherwise a deterministic spread.
    static func sample(_ count: Int, max limit: Int = 40) -> [Int] {
        if count <= limit { return Array(0..<count) }
        var rng = DeterministicRNG(seed: UInt64(count))
        return (0..<limit).map { _ in rng.below(count) }
    }
}

/// Random buffers and the projection loss L = sum(r * y) used by the per-layer checks.
struct LayerHarness {
    var rng = DeterministicRNG(seed: 42)

    mutating func buffer(_ count: Int, scale: Float = 1) -> FloatBuffer {
        let b = FloatBuffer(count: count)
        for i in 0..<count { b[i] = rng.normal() * scale }
        return b
    }

    static func projection(_ y: UnsafePointer<Float>, _ r: FloatBuffer) -> Double {
        var s = 0.0
        for i in 0..<r.count { s += Double(y[i]) * Double(r[i]) }
        return s
    }
}
