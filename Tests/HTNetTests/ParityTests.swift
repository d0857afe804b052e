import Foundation
@testable import HTNet
import Tensor
import TestSupport
import XCTest

/// The engine against the reference PyTorch HTNet dumps in shared/fixtures.
final class ParityTests: XCTestCase {
    func check(_ name: String) throws {
        let report = try ParityCheck.run(fixturePath: try Fixtures.path("\(name)"))
        for m in report.measurements {
            XCTAssertLessThanOrEqual(m.error, m.tolerance, "\(name): \(m.name) (worst gradient: \(report.worstGradient))")
        }
        XCTAssertTrue(report.passed)
    }

    func testPaperShapedSmallFixture() throws { try check("htnet-parity-small.safetensors") }

    func testSeqLenFourFixture() throws { try check("htnet-parity-seq4.safetensors") }

    /// The check must notice a wrong model: perturb one weight of the fixture and expect failure.
    func testParityDetectsAPerturbedWeight() throws {
        let path = try Fixtures.path("htnet-parity-seq4.safetensors")
        var file = try SafeTensorsFile.read(path: path)
        let name = "param.layers.1.0.layers.0.1.fn.net.0.weight"
        var t = file.tensors[name]!.tensor
        t.data[0] += 0.05
        file.tensors[name] = StoredTensor(t)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("perturbed-\(UUID().uuidString).safetensors").path
        try file.write(path: tmp)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let report = try ParityCheck.run(fixturePath: tmp)
        XCTAssertFalse(report.passed)
    }

    /// Weighted cross-entropy against the float64 reference in losses-small.safetensors
    /// (sum w_y * nll / sum w_y and its gradient w.r.t. the logits).
    func testWeightedCrossEntropyAgainstReference() throws {
        let file = try SafeTensorsFile.read(path: try Fixtures.path("losses-small.safetensors"))
        let embeddings = file["embeddings"]!, labels = file["labels"]!.integers
        let weights = file["weighted_ce.class_weights"]!.floats
        let classes = weights.count, batch = labels.count, width = embeddings.shape[1]
        let all = embeddings.floats
        var logits = [Float](repeating: 0, count: batch * classes)
        for b in 0..<batch { for j in 0..<classes { logits[b * classes + j] = all[b * width + j] } }
        var grad = [Float](repeating: 0, count: batch * classes)
        let result = logits.withUnsafeBufferPointer { l in labels.withUnsafeBufferPointer { y in grad.withUnsafeMutableBufferPointer { g in
            SoftmaxCrossEntropy.evaluate(logits: l.baseAddress!, labels: y.baseAddress!, batch: batch, classes: classes,
                                         classWeights: weights, dLogits: g.baseAddress!)
        } } }
        let refLoss = file["weighted_ce.loss"]!.doubles[0]
        XCTAssertEqual(result.loss, refLoss, accuracy: 1e-4 * abs(refLoss))
        let refGrad = file["weighted_ce.grad_logits"]!.doubles
        let scale = refGrad.map(abs).max()!
        for i in 0..<refGrad.count { XCTAssertEqual(Double(grad[i]), refGrad[i], accuracy: 1e-4 * scale) }
        // Our inverse-frequency weights reproduce the fixture's (mean 1 over classes).
        let derived = SoftmaxCrossEntropy.inverseFrequencyWeights(labels: labels, classes: classes)
        for j in 0..<classes { XCTAssertEqual(derived[j], weights[j], accuracy: 1e-5) }
    }
}
