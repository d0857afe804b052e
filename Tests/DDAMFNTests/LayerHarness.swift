@testable import DDAMFN
import Foundation
import Tensor
import XCTest

/// Builds one layer on its own parameter table and checks its backward against central finite
/// differences of the projection loss L = sum(r * y) (float32 values, loss summed in float64;
/// eps 1e-2 keeps rounding noise, about 1e-7 |L| / eps, well under the tolerance). Inputs are
/// drawn away from the kinks (PReLU at 0, h_swish at +-3) where a step could cross one.
final class LayerHarness {
    let table = ParameterTable()
    var rng = DeterministicRNG(seed: 7)
    private(set) var parameters = FloatBuffer(count: 0)
    private(set) var gradients = FloatBuffer(count: 0)
    private(set) var statistics = FloatBuffer(count: 0)
    let counters = UnsafeMutablePointer<Int>.allocate(capacity: 64)

    deinit { counters.deallocate() }

    /// Allocates the buffers once the layer has registered its parameters; random values.
    func finalise(scale: Float = 0.5) {
        parameters = FloatBuffer(count: table.parameterCount)
        gradients = FloatBuffer(count: table.parameterCount)
        statistics = FloatBuffer(count: table.statisticsCount)
        counters.initialize(repeating: 0, count: 64)
        table.resetStatistics(statistics.pointer)
        for p in table.parameters {
            for i in 0..<p.count {
                let v = rng.uniform(-scale, scale)
                // BN weights near 1 so the layer is well conditioned.
                parameters[p.offset + i] = p.name.hasSuffix("bn.weight") || p.name.hasSuffix("bn1.weight") ? 1 + v / 2 : v
            }
        }
    }

    func pass(batch: Int, training: Bool = true) -> Pass {
        Pass(parameters: parameters.pointer, gradients: gradients.pointer, statistics: statistics.pointer,
             counters: counters, batch: batch, training: training)
    }

    /// Values drawn from N(0, 1) scaled, kept at least `gap` away from each point in `avoid`.
    func buffer(_ count: Int, scale: Float = 1, avoid: [Float] = [], gap: Float = 0.05) -> FloatBuffer {
        let b = FloatBuffer(count: count)
        for i in 0..<count {
            var v: Float
            repeat { v = rng.normal() * scale } while avoid.contains(where: { abs(v - $0) < gap })
            b[i] = v
        }
        return b
    }

    /// Runs forward, sets dy = r, runs backward and compares every used parameter's gradient and
    /// (when `dx` returns one) the input gradient with finite differences.
    func check(_ label: String, input: FloatBuffer, outputs: Int, forward: () -> UnsafePointer<Float>,
               backward: (UnsafePointer<Float>) -> UnsafePointer<Float>?, rtol: Double = 2e-2, atol: Double = 2e-4,
               eps: Float = 1e-2, file: StaticString = #filePath, line: UInt = #line) {
        let r = buffer(outputs)
        func loss() -> Double {
            let y = forward()
            var s = 0.0
            for i in 0..<outputs { s += Double(y[i]) * Double(r[i]) }
            return s
        }
        _ = forward()
        let dx = backward(r.pointer).map { Array(UnsafeBufferPointer(start: $0, count: input.count)) }
        let analytic = gradients.array
        for p in table.parameters where p.used {
            compare("\(label) d\(p.name)", values: parameters.pointer + p.offset, analytic: Array(analytic[p.offset..<(p.offset + p.count)]),
                    rtol: rtol, atol: atol, eps: eps, loss: loss, file: file, line: line)
        }
        for p in table.parameters where !p.used {
            XCTAssertTrue(analytic[p.offset..<(p.offset + p.count)].allSatisfy { $0 == 0 }, "\(label): unused \(p.name) got a gradient", file: file, line: line)
        }
        if let dx {
            compare("\(label) dx", values: input.pointer, analytic: dx, rtol: rtol, atol: atol, eps: eps, loss: loss, file: file, line: line)
        }
    }

    func compare(_ label: String, values: UnsafeMutablePointer<Float>, analytic: [Float], rtol: Double, atol: Double,
                 eps: Float, loss: () -> Double, file: StaticString, line: UInt) {
        let scale = max(analytic.map { Double(abs($0)) }.max() ?? 0, 1e-3)
        var worst = 0.0
        for i in LayerHarness.sample(analytic.count) {
            let saved = values[i]
            values[i] = saved + eps
            let plus = loss()
            values[i] = saved - eps
            let minus = loss()
            values[i] = saved
            worst = max(worst, abs((plus - minus) / Double(2 * eps) - Double(analytic[i])))
        }
        XCTAssertLessThanOrEqual(worst, rtol * scale + atol, "\(label): worst |fd - analytic| = \(worst), scale \(scale)", file: file, line: line)
    }

    /// Indices to probe: all when few, else a deterministic spread of 30.
    static func sample(_ count: Int) -> [Int] {
        if count <= 30 { return Array(0..<count) }
        var rng = DeterministicRNG(seed: UInt64(count))
        return (0..<30).map { _ in rng.below(count) }
    }
}
