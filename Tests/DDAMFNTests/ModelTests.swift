@testable import DDAMFN
import Foundation
import Tensor
import XCTest

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
