import DDAMFN
import Foundation
import Tensor
import XCTest
@testable import TrainedModels

/// A DDAMFN explanation in eval mode: the saliency is d logit_k / d x (x the normalised 112x112 RGB
/// network input), checked by central finite differences; the heads' maps and M are the forward's own
/// buffers (M their elementwise maximum); the summaries' channel mean and bilinear upsampling hold.
final class DDAMFNExplanationTests: XCTestCase {
    /// The smallest shape: no repeated block in the 14x14 stage, 2 heads, 3 classes.
    let config = DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)

    /// A freshly drawn model whose running statistics are the batch statistics of its own activations
    /// on four images (one train-mode forward updates running = 0.9 running + 0.1 batch; solved for the
    /// batch's and put in place), so eval mode normalises as train mode did and the logits respond to the
    /// input; and a BGR 0..255 image of 56x56 (resized to 112 by the explanation, as predict does).
    private func network() -> (DDAMFNModel, [Float]) {
        let net = DDAMFNModel(config: config, maxBatch: 4, inputGradient: true)
        var rng = DeterministicRNG(seed: 5)
        net.initialise(rng: &rng)
        let images = (0..<4).map { _ in (0..<(3 * 56 * 56)).map { _ in Float(rng.below(256)) } }
        var batch = [Float](repeating: 0, count: 4 * DDAMFNInput.sampleSize)
        batch.withUnsafeMutableBufferPointer { p in
            for (i, image) in images.enumerated() {
                image.withUnsafeBufferPointer { DDAMFNInput.convert($0.baseAddress!, inputSide: 56, into: p.baseAddress! + i * DDAMFNInput.sampleSize) }
            }
        }
        let before = net.statistics.array
        _ = batch.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: 4, training: true) }
        let after = net.statistics.array
        net.statistics.copy(from: zip(before, after).map { b, a in (a - 0.9 * b) / 0.1 })
        return (net, images[0])
    }

    func testSaliencyIsTheInputGradientOfTheExplainedLogitInEvalMode() throws {
        let (net, image) = network()
        for explained in [nil, 1] as [Int?] {
            let e = try DDAMFNExplanation.compute(net, image: image, inputSide: 56, explaining: explained)
            XCTAssertEqual(e.explainedClass, explained ?? e.prediction)
            XCTAssertEqual(e.input.count, 3 * 112 * 112)
            let k = e.explainedClass
            var probe = e.input
            func logit(_ i: Int, _ v: Float) -> Double {
                probe[i] = v
                defer { probe[i] = e.input[i] }
                return probe.withUnsafeBufferPointer { Double(net.forward(images: $0.baseAddress!, batch: 1, training: false)[k]) }
            }
            XCTAssertEqual(logit(0, e.input[0]), Double(e.logits[k]), "the probe forward reproduces the explanation's logit")
            // The 12 largest |saliency| values and 12 spread over the three channels.
            let magnitudes = e.saliency.map { abs($0) }
            let largest = magnitudes.indices.sorted { magnitudes[$0] > magnitudes[$1] }.prefix(12)
            let indices = Array(largest) + (0..<12).map { ($0 * 7919 + 31) % e.input.count }
            let scale = Double(magnitudes.max()!)
            XCTAssertGreaterThan(scale, 0)
            // Normalised inputs span about -2...2.6. The float32 forward's roundoff moves a logit of ~0.6 by
            // a few 1e-6 (about 60 layers), i.e. ~1e-3 after dividing by 2h; larger steps cross PReLU kinks.
            // Worst seen: 1.8% of the largest |saliency|; a wrong backward (train-mode BatchNorm, a missing
            // path) is off by its whole size.
            let h: Float = 3e-3
            var worst = 0.0
            for i in indices {
                // Central difference, the subtraction in float64 (the logits are float32).
                let numeric = (logit(i, e.input[i] + h) - logit(i, e.input[i] - h)) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(e.saliency[i])))
            }
            XCTAssertLessThanOrEqual(worst, 3e-2 * scale, "class \(k): worst |fd - saliency| \(worst), largest |saliency| \(scale)")
        }
    }

    func testHeadMapsAndTheirMaximumAreTheForwardsOwn() throws {
        let (net, image) = network()
        let e = try DDAMFNExplanation.compute(net, image: image, inputSide: 56)
        XCTAssertEqual(e.headMaps.count, 2)
        // A fresh eval forward of the same input leaves the same maps in the heads' buffers.
        _ = e.input.withUnsafeBufferPointer { net.forward(images: $0.baseAddress!, batch: 1, training: false) }
        for h in 0..<2 { XCTAssertEqual(e.headMaps[h], net.headMap(h)) }
        XCTAssertEqual(e.maximum.count, 512 * 49)
        for i in e.maximum.indices { XCTAssertEqual(e.maximum[i], max(e.headMaps[0][i], e.headMaps[1][i])) }
        XCTAssertGreaterThan(zip(e.headMaps[0], e.headMaps[1]).filter { $0 != $1 }.count, 0, "two different heads")
        let shares = e.headSharesOfMaximum
        XCTAssertEqual(shares.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(shares[1], Double(zip(e.headMaps[0], e.headMaps[1]).filter { $1 > $0 }.count) / Double(512 * 49), accuracy: 1e-15)
        // Channel means: one 7x7 value per position, the mean over 512 channels.
        let s = DDAMFNExplanation.statistics(e.maximum)
        for p in [0, 24, 48] {
            let mean = (0..<512).reduce(0.0) { $0 + Double(e.maximum[$1 * 49 + p]) } / 512
            XCTAssertEqual(Double(s.channelMean[p]), mean, accuracy: 1e-6)
        }
        XCTAssertEqual(s.maximum, s.channelMean[s.peakRow * 7 + s.peakColumn])
        XCTAssertEqual(e.probabilities.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(ExplanationImages.face(e).width, 112)
        XCTAssertEqual(ExplanationImages.map(e, e.maximum).rgb.count, 112 * 112 * 3)
    }

    func testBilinearUpsamplingHasHalfPixelCentres() {
        // A map equal to its column index: pixel x reads (x + 0.5) * 7 / 112 - 0.5, clamped to 0...6.
        let ramp = (0..<49).map { Float($0 % 7) }
        let up = DDAMFNExplanation.upsampled(ramp)
        for y in [0, 50, 111] {
            for x in [0, 7, 8, 23, 60, 104, 111] {
                let expected = min(6, max(0, (Float(x) + 0.5) * 7 / 112 - 0.5))
                XCTAssertEqual(up[y * 112 + x], expected, accuracy: 1e-5, "pixel (\(y), \(x))")
            }
        }
        XCTAssertEqual(Set(DDAMFNExplanation.upsampled([Float](repeating: 0.25, count: 49))), [0.25])
    }
}
