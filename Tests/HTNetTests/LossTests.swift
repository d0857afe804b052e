import Foundation
@testable import HTNet
import Tensor
import TestSupport
import XCTest

/// The metric-learning losses and weighted cross-entropy against the float64 reference
/// (Tests/Fixtures/losses-small.safetensors, a copy of shared/fixtures'), a perturbed copy of it,
/// and float64 finite differences of our own.
final class LossTests: XCTestCase {
    var fixture: String { get throws { try Fixtures.path("losses-small.safetensors") } }

    func testEveryLossMatchesTheReferenceFixture() throws {
        let measurements = try LossParityCheck.run(fixturePath: fixture)
        XCTAssertEqual(measurements.count, 3 * 6 + 4, "loss, two gradients, two precisions per metric loss; CE loss and gradient")
        for m in measurements {
            XCTAssertLessThanOrEqual(m.error, m.tolerance, m.name)
            XCTAssertTrue(m.name.contains("f64") ? m.tolerance == 1e-6 : m.tolerance == 1e-4, m.name)
        }
    }

    /// One changed value in a loss's class vectors must make that loss fail, and only that loss.
    func testAPerturbedFixtureFails() throws {
        for (prefix, tensorName) in [("proxy_anchor", "proxy_anchor.proxies"), ("arcface", "arcface.W"), ("cosface", "cosface.W"),
                                     ("weighted_ce", "weighted_ce.class_weights")] {
            var file = try SafeTensorsFile.read(path: fixture)
            let t = file.tensors[tensorName]!
            var values = t.doubles
            values[1] += 1e-3
            file.tensors[tensorName] = StoredTensor(dtype: .f64, shape: t.shape, bytes: values.withUnsafeBufferPointer { Data(buffer: $0) })
            let measurements = try LossParityCheck.run(file, source: "perturbed \(tensorName)")
            let mine = measurements.filter { $0.name.hasPrefix(prefix) }
            XCTAssertTrue(mine.contains { !$0.passed }, "perturbing \(tensorName) must fail \(prefix)")
            XCTAssertTrue(measurements.filter { !$0.name.hasPrefix(prefix) }.allSatisfy(\.passed), "others unaffected")
        }
    }

    /// Wrong conventions miss the reference: ArcFace's margin read as radians, CosFace without its
    /// margin, Proxy Anchor's negative term averaged over proxies with positives only.
    func testWrongConventionsMissTheReference() throws {
        let file = try SafeTensorsFile.read(path: fixture)
        let x = file["embeddings"]!.doubles, labels = file["labels"]!.integers
        func error(_ loss: any MetricLoss, _ prefix: String, _ vectors: String) -> Double {
            var dx: [Double] = [], dw: [Double] = []
            let l = loss.evaluate(embeddings: x, labels: labels, dim: 32, classes: 3, classVectors: file["\(prefix).\(vectors)"]!.doubles,
                                  dEmbeddings: &dx, dClassVectors: &dw)
            return LossParityCheck.relative(l, file["\(prefix).loss"]!.doubles[0])
        }
        XCTAssertLessThan(error(ArcFaceLoss(margin: .degrees(28.6)), "arcface", "W"), 1e-6)
        XCTAssertGreaterThan(error(ArcFaceLoss(margin: .radians(28.6)), "arcface", "W"), 1e-2)
        XCTAssertLessThan(error(ArcFaceLoss(margin: .radians(28.6 * .pi / 180)), "arcface", "W"), 1e-6, "same angle, other unit")
        XCTAssertGreaterThan(error(CosFaceLoss(margin: 0), "cosface", "W"), 1e-2)
        XCTAssertGreaterThan(error(ProxyAnchorLoss(margin: 0.1, alpha: 16), "proxy_anchor", "proxies"), 1e-2)
    }

    /// With no margin ArcFace and CosFace are the same normalised softmax.
    func testZeroMarginArcFaceEqualsZeroMarginCosFace() {
        var rng = DeterministicRNG(seed: 4)
        let x = (0..<(6 * 5)).map { _ in Double(rng.normal()) }, w = (0..<(5 * 3)).map { _ in Double(rng.normal()) }
        let labels = [0, 1, 2, 0, 1, 2]
        var dxA: [Double] = [], dwA: [Double] = [], dxC: [Double] = [], dwC: [Double] = []
        let a = ArcFaceLoss(margin: .radians(0), scale: 10).evaluate(embeddings: x, labels: labels, dim: 5, classes: 3, classVectors: w,
                                                                     dEmbeddings: &dxA, dClassVectors: &dwA)
        let c = CosFaceLoss(margin: 0, scale: 10).evaluate(embeddings: x, labels: labels, dim: 5, classes: 3, classVectors: w,
                                                           dEmbeddings: &dxC, dClassVectors: &dwC)
        XCTAssertEqual(a, c, accuracy: 1e-12)
        for i in dxA.indices { XCTAssertEqual(dxA[i], dxC[i], accuracy: 1e-12) }
        for i in dwA.indices { XCTAssertEqual(dwA[i], dwC[i], accuracy: 1e-12) }
    }

    /// Central differences in float64 (h 1e-6) against both analytic gradients, on random inputs
    /// with a class absent from the batch (Proxy Anchor's |P+| < C case).
    func testFiniteDifferencesInFloat64() {
        let losses: [any MetricLoss] = [ProxyAnchorLoss(), ArcFaceLoss(), CosFaceLoss(),
                                        ProxyAnchorLoss(margin: 0.3, alpha: 8), ArcFaceLoss(margin: .radians(0.2), scale: 16)]
        for loss in losses {
            for labels in [[0, 1, 2, 3, 1, 0, 2], [0, 0, 1, 2, 1, 0, 2]] {   // 4 classes; the second misses class 3
                let batch = labels.count, dim = 6, classes = 4
                var rng = DeterministicRNG(seed: UInt64(batch + labels[1]))
                var x = (0..<(batch * dim)).map { _ in Double(rng.normal()) }
                var w = (0..<(classes * dim)).map { _ in Double(rng.normal()) }
                var dx: [Double] = [], dw: [Double] = []
                _ = loss.evaluate(embeddings: x, labels: labels, dim: dim, classes: classes, classVectors: w, dEmbeddings: &dx, dClassVectors: &dw)
                var scratchX: [Double] = [], scratchW: [Double] = []
                func value() -> Double {
                    loss.evaluate(embeddings: x, labels: labels, dim: dim, classes: classes, classVectors: w,
                                  dEmbeddings: &scratchX, dClassVectors: &scratchW)
                }
                let h = 1e-6
                let scale = max((dx + dw).map(abs).max()!, 1e-3)
                var worst = 0.0
                for i in x.indices {
                    let s = x[i]; x[i] = s + h; let p = value(); x[i] = s - h; let m = value(); x[i] = s
                    worst = max(worst, abs((p - m) / (2 * h) - dx[i]))
                }
                for i in w.indices {
                    let s = w[i]; w[i] = s + h; let p = value(); w[i] = s - h; let m = value(); w[i] = s
                    worst = max(worst, abs((p - m) / (2 * h) - dw[i]))
                }
                XCTAssertLessThan(worst / scale, 1e-5, "\(loss) labels \(labels): worst |fd - analytic| \(worst), scale \(scale)")
                XCTAssertGreaterThan(scale, 1e-3, "a gradient that vanishes checks nothing")
            }
        }
    }
}
