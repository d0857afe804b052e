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

/// The model's size and cost against the fixture README's figures for the reference configuration.
final class DDAMFNShapeTests: XCTestCase {
    func testParameterCountsAndWork() {
        let model = DDAMFNModel(config: DDAMFNConfig(), maxBatch: 1)
        XCTAssertEqual(model.table.parameterCount, 3_646_069)
        XCTAssertEqual(model.table.usedCount, 3_570_023)
        XCTAssertEqual(model.table.parameters.filter { !$0.used }.count, 89)
        XCTAssertEqual(model.table.forwardMACsPerSample, 444_304_672)
        let authors = DDAMFNModel(config: DDAMFNConfig(conv4Blocks: 16), maxBatch: 1)
        XCTAssertEqual(authors.table.usedCount, 4_105_999)
        XCTAssertEqual(authors.table.forwardMACsPerSample, 539_600_000, accuracy: 100_000)
    }
}

/// Results depend on the data and seeds only: one and two threads give the same bits.
final class DDAMFNDeterminismTests: XCTestCase {
    func run(threads: Int) -> (logits: [Float], gradients: [Float], statistics: [Float]) {
        BLAS.setThreads(threads)
        defer { BLAS.setThreads(1) }
        let model = DDAMFNModel(config: DDAMFNConfig(classes: 3, heads: 3, conv4Blocks: 1), maxBatch: 2)
        var rng = DeterministicRNG(seed: 3)
        model.initialise(rng: &rng)
        let images = (0..<(2 * 3 * 112 * 112)).map { _ in rng.normal() }
        let logits = images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: 2, training: true) }
        let out = Array(UnsafeBufferPointer(start: logits, count: 6))
        _ = model.loss(labels: [0, 2])
        model.backward()
        return (out, model.gradients.array, model.statistics.array)
    }

    func testThreadCountDoesNotChangeBits() {
        let one = run(threads: 1), two = run(threads: 2)
        XCTAssertEqual(one.logits, two.logits)
        XCTAssertEqual(one.gradients, two.gradients)
        XCTAssertEqual(one.statistics, two.statistics)
    }
}
