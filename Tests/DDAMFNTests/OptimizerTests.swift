@testable import DDAMFN
import Foundation
import Tensor
import XCTest

/// SGD and Adam step the used parameters as torch does and never touch the unused ones.
final class DDAMFNOptimizerTests: XCTestCase {
    func makeTable() -> ParameterTable {
        let t = ParameterTable()
        _ = t.add("a", [3], .constant(0))
        _ = t.add("unused", [2], .constant(0), used: false)
        _ = t.add("b", [2], .constant(0))
        return t
    }

    func testSGDMomentumWeightDecaySkipsUnused() {
        let t = makeTable()
        XCTAssertEqual(t.usedRanges, [0..<3, 5..<7])
        let p = FloatBuffer(count: 7), g = FloatBuffer(count: 7)
        p.copy(from: [1, -2, 3, 9, 9, 0.5, -0.5])
        g.copy(from: [0.1, 0.2, -0.3, 7, 7, 0, 1])
        let sgd = DDAMFNSGD(table: t, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
        var w = p.array.map(Double.init), buf = [Double](repeating: 0, count: 7)
        for step in 1...3 {
            sgd.update(parameters: p, gradients: g)
            for i in [0, 1, 2, 5, 6] {
                let d = Double(g[i]) + 1e-4 * w[i]
                buf[i] = step == 1 ? d : 0.9 * buf[i] + d
                w[i] -= 0.01 * buf[i]
            }
        }
        for i in [0, 1, 2, 5, 6] { XCTAssertEqual(Double(p[i]), w[i], accuracy: 1e-6) }
        XCTAssertEqual(p[3], 9); XCTAssertEqual(p[4], 9)
    }

    func testAdamSkipsUnused() {
        let t = makeTable()
        let p = FloatBuffer(count: 7), g = FloatBuffer(count: 7)
        p.copy(from: [1, -2, 3, 9, 9, 0.5, -0.5])
        g.copy(from: [0.1, 0.2, -0.3, 7, 7, 0, 1])
        let adam = DDAMFNAdam(table: t, learningRate: 1e-3)
        adam.update(parameters: p, gradients: g)
        // First step: m / (sqrt(v) + eps) after bias correction is sign(g) (for g != 0).
        XCTAssertEqual(p[0], 1 - 1e-3, accuracy: 1e-6)
        XCTAssertEqual(p[2], 3 + 1e-3, accuracy: 1e-6)
        XCTAssertEqual(p[5], 0.5)
        XCTAssertEqual(p[3], 9); XCTAssertEqual(p[4], 9)
    }
}
