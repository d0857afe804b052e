import Foundation
@testable import HTNet
import Tensor
import XCTest

/// AdamW and the learning-rate schedules against torch (scripts/reference/optimiser_reference.py,
/// torch 2.13.0 CPU), mixup's loss against a hand-worked value.
final class OptimiserSettingsTests: XCTestCase {
    func testAdamWMatchesTorch() {
        let adam = AdamOptimizer(parameterCount: 4, learningRate: 0.01, weightDecay: 0.1)
        let p = FloatBuffer(count: 4), g = FloatBuffer(count: 4)
        for (i, v) in [Float(0.5), -1, 2, 0].enumerated() { p.pointer[i] = v }
        for t in 0..<3 {
            for (i, v) in [Float(0.1), -0.2, 0.3, 0.05].enumerated() { g.pointer[i] = v * Float(t + 1) }
            adam.update(parameters: p, gradients: g)
        }
        let torch: [Float] = [0.469299346, -0.967800856, 1.96480393, -0.0292021874]
        for i in 0..<4 { XCTAssertEqual(p.pointer[i], torch[i], accuracy: 2e-7, "parameter \(i)") }
        // Without decay the same steps differ: the decay is really applied.
        let plain = AdamOptimizer(parameterCount: 4, learningRate: 0.01)
        let q = FloatBuffer(count: 4)
        for (i, v) in [Float(0.5), -1, 2, 0].enumerated() { q.pointer[i] = v }
        for t in 0..<3 {
            for (i, v) in [Float(0.1), -0.2, 0.3, 0.05].enumerated() { g.pointer[i] = v * Float(t + 1) }
            plain.update(parameters: q, gradients: g)
        }
        XCTAssertGreaterThan(abs(q.pointer[2] - p.pointer[2]), 1e-4)
    }

    func testSchedulesMatchTorchPerEpoch() {
        func rates(_ s: LearningRateSchedule) -> [Float] { (1...8).map { s.rate(base: 0.001, epoch: $0, epochs: 8) } }
        let cosine: [Float] = [0.001, 0.00096574579, 0.000868198052, 0.000722207545, 0.00055, 0.000377792455, 0.000231801948, 0.00013425421]
        let step: [Float] = [0.001, 0.001, 0.001, 0.0005, 0.0005, 0.0005, 0.00025, 0.00025]
        let warmCosine: [Float] = [0.000333333333, 0.000666666667, 0.001, 0.001, 0.000904508497, 0.000654508497, 0.000345491503, 9.54915028e-05]
        for (ours, torch) in [(rates(LearningRateSchedule(kind: .cosine, minLR: 0.0001)), cosine),
                              (rates(LearningRateSchedule(kind: .step, stepSize: 3, gamma: 0.5)), step),
                              (rates(LearningRateSchedule(kind: .cosine, warmupEpochs: 3)), warmCosine)] {
            for (a, b) in zip(ours, torch) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        }
        XCTAssertEqual(rates(LearningRateSchedule()), [Float](repeating: 0.001, count: 8))
    }

    /// By hand: z = [2, 1, 0], t = [0.7, 0, 0.3]: logsumexp = log(e^2 + e + 1) = 2.4076059645;
    /// loss = 0.7 (2.4076 - 2) + 0.3 (2.4076 - 0) = 1.0076059645; z = [0, 0, 0], t = e_1: log 3 =
    /// 1.0986122887; mean 1.0531091266. Gradient (softmax - t) / 2. (torch cross_entropy with
    /// probability targets: 1.053109169 in float32.)
    func testMixupSoftTargetLossMatchesAHandWorkedValue() {
        let z: [Float] = [2, 1, 0, 0, 0, 0], t: [Float] = [0.7, 0, 0.3, 0, 1, 0]
        var d = [Float](repeating: 0, count: 6)
        let loss = Mixup.softCrossEntropy(logits: z, targets: t, batch: 2, classes: 3, dLogits: &d)
        XCTAssertEqual(loss, 1.053109126556, accuracy: 1e-7)
        let expected: [Float] = [-0.017379522, 0.122364236, -0.104984713, 0.166666667, -0.333333333, 0.166666667]
        for (a, b) in zip(d, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // One-hot targets: the ordinary cross-entropy.
        let labels = [0, 1]
        let plain = SoftmaxCrossEntropy.evaluate(logits: z, labels: labels, batch: 2, classes: 3)
        XCTAssertEqual(Mixup.softCrossEntropy(logits: z, targets: [1, 0, 0, 0, 1, 0], batch: 2, classes: 3, dLogits: nil), plain.loss, accuracy: 1e-9)
        // Mixing: lam x_i + (1 - lam) x_j and targets lam e_yi + (1 - lam) e_yj.
        var images: [Float] = [10, 20, 30, 40]
        let targets = Mixup.mix(&images, labels: [0, 2], batch: 2, sampleSize: 2, classes: 3, lambda: 0.75, permutation: [1, 0])
        XCTAssertEqual(images, [15, 25, 25, 35])  // 0.75 [10, 20] + 0.25 [30, 40]; 0.75 [30, 40] + 0.25 [10, 20]
        XCTAssertEqual(targets, [0.75, 0, 0.25, 0.25, 0, 0.75])
        // Beta(alpha, alpha) draws lie in [0, 1] and average 1/2.
        var rng = DeterministicRNG(keys: [9])
        let draws = (0..<4000).map { _ in Mixup.beta(0.4, rng: &rng) }
        XCTAssertTrue(draws.allSatisfy { (0...1).contains($0) })
        XCTAssertEqual(draws.reduce(0, +) / 4000, 0.5, accuracy: 0.02)
    }
}

/// Augmentation keeps left and right apart unless a flip is asked for, and is a pure function of its draws.
final class AugmentationTests: XCTestCase {
    static let everything = AugmentationConfig(affine: .init(probability: 1, rotation: 10, scale: 0.1, translation: 2),
                                               brightnessContrast: .init(probability: 1, brightness: 0.2, contrast: 0.2),
                                               cutout: .init(probability: 1, size: 5), mixup: .init(probability: 1, alpha: 0.4))

    /// A face composition whose left tiles (columns 0..<14) are bright and right tiles dark.
    func asymmetricInput() -> [Float] {
        (0..<(3 * 28 * 28)).map { (i: Int) -> Float in (i % 28) < 14 ? 200 : 40 }
    }

    func leftMinusRight(_ x: [Float]) -> Float {
        var d: Float = 0
        for i in x.indices { d += (i % 28) < 14 ? x[i] : -x[i] }
        return d
    }

    func testNoTransformFlipsByDefault() {
        let augmentation = InputAugmentation(config: Self.everything)
        XCTAssertFalse(Self.everything.flip)
        for k in 0..<500 {
            var x = asymmetricInput()
            var rng = DeterministicRNG(keys: [1, UInt64(k)])
            let applied = augmentation.apply(&x, rng: &rng)
            XCTAssertFalse(applied.flipped)
            XCTAssertGreaterThan(leftMinusRight(x), 0, "draw \(k): the bright side stayed left")
        }
    }

    func testFlipWhenAskedMirrorsTheFace() {
        var config = AugmentationConfig()
        config.flip = true
        let augmentation = InputAugmentation(config: config)
        var flips = 0
        for k in 0..<400 {
            var x = asymmetricInput()
            var rng = DeterministicRNG(keys: [2, UInt64(k)])
            if augmentation.apply(&x, rng: &rng).flipped {
                flips += 1
                XCTAssertLessThan(leftMinusRight(x), 0)
            } else {
                XCTAssertEqual(x, asymmetricInput())
            }
        }
        XCTAssertEqual(Double(flips) / 400, 0.5, accuracy: 0.08)
        // Mirroring twice is the identity; a mirrored column c is column 27 - c.
        var x: [Float] = (0..<(3 * 28 * 28)).map { Float($0) }
        InputAugmentation.mirror(&x)
        XCTAssertEqual(x[5], 22)
        InputAugmentation.mirror(&x)
        XCTAssertEqual(x, (0..<(3 * 28 * 28)).map { (i: Int) -> Float in Float(i) })
    }

    func testSameDrawsSameResultAndTheAffineJitterStaysInItsTile() {
        let augmentation = InputAugmentation(config: AugmentationConfig(affine: .init(probability: 1, rotation: 10, scale: 0.1, translation: 2)))
        var a = asymmetricInput(), b = asymmetricInput()
        var r1 = DeterministicRNG(keys: [3, 4]), r2 = DeterministicRNG(keys: [3, 4])
        augmentation.apply(&a, rng: &r1)
        augmentation.apply(&b, rng: &r2)
        XCTAssertEqual(a, b)
        // Tiles are constant left (200) and right (40): a per-tile jitter with replicated edges keeps them exactly.
        XCTAssertLessThan(zip(a, asymmetricInput()).map { abs($0 - $1) }.max()!, 1e-3)
        // A ramp inside a tile does move.
        var ramp: [Float] = (0..<(3 * 28 * 28)).map { (i: Int) -> Float in Float((i / 28) % 14) * 10 }
        let before = ramp
        var r3 = DeterministicRNG(keys: [5])
        augmentation.apply(&ramp, rng: &r3)
        XCTAssertNotEqual(ramp, before)
    }

    func testExperimentKeysAreCheckedAndDescribed() throws {
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: Data(#"{"augment": {"cutout": {"size": 4}}, "weight_decay": 0.05, "lr_schedule": {"kind": "cosine", "warmup_epochs": 2}}"#.utf8))
        XCTAssertEqual(decoded.augment?.cutout?.size, 4)
        XCTAssertEqual(decoded.augment?.cutout?.probability, 0.5)
        XCTAssertTrue(decoded.protocolDescription.contains("cutout p 0.5 (4x4 px); no flip"))
        XCTAssertTrue(decoded.protocolDescription.contains("AdamW weight decay 0.05"))
        XCTAssertTrue(decoded.protocolDescription.contains("lr schedule: linear warm-up over 2 epochs, then cosine"))
        XCTAssertThrowsError(try JSONDecoder().decode(TrainingConfig.self, from: Data(#"{"augment": {"flipp": true}}"#.utf8)))
        let mixupWithMetric = TrainingConfig(loss: .arcface)
        var m = mixupWithMetric
        m.augment = AugmentationConfig(mixup: .init())
        XCTAssertTrue(m.optimisationSettingErrors().contains { $0.0 == "augment.mixup" })
        // Configurations without the new keys encode as before (experiment identities unchanged).
        let json = String(decoding: try JSONEncoder().encode(TrainingConfig()), as: UTF8.self)
        XCTAssertFalse(json.contains("augment") || json.contains("weight_decay") || json.contains("lr_schedule"))
    }
}
