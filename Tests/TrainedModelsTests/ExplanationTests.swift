import Foundation
import HTNet
import Tensor
import XCTest
@testable import TrainedModels

/// Saliency is the input gradient of the explained class's logit: checked against central finite
/// differences; attention rows are distributions; the PNG encoder's CRC and Adler-32 match known values.
final class ExplanationTests: XCTestCase {
    /// seq_len 4 (two hierarchies), so attention is not trivially 1.
    let config = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 2])

    private func network() -> (HTNetModel, [Float]) {
        let net = HTNetModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: 11)
        net.initialise(rng: &rng)
        let input = (0..<(3 * 28 * 28)).map { _ in Float(rng.below(256)) }
        return (net, input)
    }

    func testSaliencyIsTheInputGradientOfTheExplainedLogit() throws {
        let (net, input) = network()
        for explained in [0, 2] {
            let e = try Explanation.compute(net, input: input, explaining: explained)
            XCTAssertEqual(e.explainedClass, explained)
            var probe = input
            let indices = (0..<40).map { ($0 * 7919) % input.count }
            let eps: Float = 0.5   // inputs are 0...255; a step of 0.5 is small against them
            var worst = 0.0
            let scale = Double(e.saliency.map { abs($0) }.max()!)
            for i in indices {
                func logit(_ v: Float) -> Double {
                    probe[i] = v
                    defer { probe[i] = input[i] }
                    return probe.withUnsafeBufferPointer { Double(net.forward(images: $0.baseAddress!, batch: 1)[explained]) }
                }
                let numeric = (logit(input[i] + eps) - logit(input[i] - eps)) / Double(2 * eps)
                worst = max(worst, abs(numeric - Double(e.saliency[i])))
            }
            XCTAssertGreaterThan(scale, 0)
            XCTAssertLessThanOrEqual(worst, 2e-2 * scale, "class \(explained): worst |fd - saliency| \(worst), gradient scale \(scale)")
        }
    }

    func testAttentionRowsAreDistributionsAndSummariesAddUp() throws {
        let (net, input) = network()
        let e = try Explanation.compute(net, input: input)
        XCTAssertEqual(e.attention.count, 3, "one map per Transformer layer (1 + 2)")
        XCTAssertTrue(e.attentionIsInformative)
        for m in e.attention {
            XCTAssertEqual(m.seqLen, 4)
            for row in stride(from: 0, to: m.probabilities.count, by: m.seqLen) {
                XCTAssertEqual(m.probabilities[row..<(row + m.seqLen)].reduce(0, +), 1, accuracy: 1e-5)
            }
            XCTAssertEqual(m.received.reduce(0, +), Float(m.blocks), accuracy: 1e-4, "each block's received attention sums to 1")
        }
        XCTAssertEqual(e.regionShares.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertEqual(e.channelShares.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertEqual(e.probabilities.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertEqual(e.attentionOnInput(level: 0)?.count, 28 * 28)
        // The paper's shape has one token per block: attention is identically 1 and says so.
        let paper = HTNetModel(config: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1]), maxBatch: 1)
        var rng = DeterministicRNG(seed: 1)
        paper.initialise(rng: &rng)
        XCTAssertFalse(try Explanation.compute(paper, input: input).attentionIsInformative)
    }

    func testPNGChecksumsAndLayout() throws {
        XCTAssertEqual(PNGImage.crc32(Array("IEND".utf8)), 0xAE42_6082, "the CRC every PNG's IEND chunk carries")
        let image = PNGImage(width: 2, height: 1, rgb: [255, 0, 0, 0, 0, 255])
        XCTAssertEqual(Array(image.pngData.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(image.scaled(by: 3).width, 6)
        XCTAssertEqual(Array(image.scaled(by: 2).rgb.prefix(6)), [255, 0, 0, 255, 0, 0])
    }
}
