import FoldResults
import Foundation
@testable import HTNet
import Tensor
import XCTest

/// HTNet with the metric losses' embedding head: whole-model finite differences with each loss,
/// class vectors in the parameter buffer and checkpoints, the class vectors' learning rate, label
/// noise, and a short training run per loss.
final class MetricModelTests: XCTestCase {
    let config = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2)

    func trainingConfigs() -> [TrainingConfig] {
        [TrainingConfig(loss: .crossEntropy), TrainingConfig(loss: .weightedCrossEntropy),
         TrainingConfig(loss: .proxyAnchor), TrainingConfig(loss: .arcface), TrainingConfig(loss: .cosface),
         TrainingConfig(loss: .proxyAnchor, embeddingSize: 5), TrainingConfig(loss: .arcface, embeddingSize: 5),
         TrainingConfig(loss: .cosface, embeddingSize: 5)]
    }

    /// Every parameter tensor probed, class vectors and projection included, through the loss as
    /// training uses it (float32), with the default hyper-parameters (margin 0.1 / alpha 32,
    /// 28.6 degrees / scale 64, 0.35 / scale 64) and with gentle ones (alpha 8, scale 8).
    /// The absolute floor grows with the scale: the float32 forward rounds the cosines to ~1e-7,
    /// which the scale (or alpha) multiplies before the central difference divides by 2 eps = 2e-3,
    /// so structurally zero gradients (pos_emb ahead of a LayerNorm) read up to ~scale x 6e-5.
    func testWholeModelFiniteDifferencesWithEachLoss() {
        let gentle = [TrainingConfig(loss: .proxyAnchor, alpha: 8), TrainingConfig(loss: .arcface, scale: 8),
                      TrainingConfig(loss: .cosface, scale: 8), TrainingConfig(loss: .arcface, margin: 0.3, marginUnit: .radians, scale: 8, embeddingSize: 5)]
        for training in trainingConfigs() + gentle {
            let sharpness = training.loss == .proxyAnchor ? training.alpha ?? 32 : training.loss.isMetric ? training.scale ?? 64 : 8
            wholeModelCheck(training, atol: 5e-4 * max(1, sharpness / 8))
        }
    }

    func wholeModelCheck(_ training: TrainingConfig, atol: Double) {
        let batch = 4
        do {
            let model = HTNetModel(config: config, head: training.head, maxBatch: batch)
            var rng = DeterministicRNG(seed: 17)
            model.initialise(rng: &rng)
            let images = (0..<(batch * 3 * 28 * 28)).map { _ in rng.normal() }
            let labels = [0, 1, 2, 1]
            let objective = training.objective(trainLabels: labels, classes: 3)
            func run(backward: Bool) -> Double {
                images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: batch) }
                return labels.withUnsafeBufferPointer { objective.evaluate(model, labels: $0.baseAddress!, batch: batch, backward: backward).loss }
            }
            _ = run(backward: true)
            let grads = model.gradients.array
            _ = run(backward: true)
            XCTAssertEqual(model.gradients.array, grads, "\(training.loss): gradients are written, not accumulated")
            XCTAssertGreaterThan(grads.map(abs).max()!, 0)
            for slot in model.layout.slots {
                FiniteDifference.check("\(training.loss.rawValue) \(training.embeddingSize.map { "E\($0) " } ?? "")\(slot.name)",
                                       values: model.parameters.pointer + slot.offset,
                                       analytic: Array(grads[slot.offset..<(slot.offset + slot.count)]),
                                       indices: FiniteDifference.sample(slot.count, max: 6), rtol: 3e-2, atol: atol, eps: 1e-3,
                                       loss: { run(backward: false) })
            }
        }
    }

    func testClassVectorsLiveInTheBufferUnderClearNames() throws {
        let pa = ParameterLayout(config: config, head: TrainingConfig(loss: .proxyAnchor, embeddingSize: 5).head)
        XCTAssertEqual(pa["loss.proxies"].shape, [3, 5])
        XCTAssertEqual(pa["embedding.projection.weight"].shape, [5, 16])
        XCTAssertNil(pa.slot(named: "mlp_head.2.weight"), "no classifier on a metric head")
        let arc = ParameterLayout(config: config, head: TrainingConfig(loss: .arcface).head)
        XCTAssertEqual(arc["loss.W"].shape, [16, 3], "PML's [embedding, classes] layout")
        XCTAssertNil(arc.slot(named: "embedding.projection.weight"))
        XCTAssertEqual(arc.slots.last!.name, "loss.W")

        // A checkpoint carries them and restores the same scores.
        let a = HTNetModel(config: config, head: TrainingConfig(loss: .proxyAnchor, embeddingSize: 5).head, maxBatch: 2)
        var rng = DeterministicRNG(seed: 2)
        a.initialise(rng: &rng)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metric-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint.save(a, to: path)
        let file = try SafeTensorsFile.read(path: path)
        XCTAssertEqual(file["loss.proxies"]?.shape, [3, 5])
        let b = HTNetModel(config: config, head: a.head, maxBatch: 2)
        try Checkpoint.load(path: path, into: b)
        let images = (0..<(2 * 3 * 28 * 28)).map { _ in rng.normal() }
        func scores(_ m: HTNetModel) -> [Float] {
            let out: UnsafeMutablePointer<Float> = images.withUnsafeBufferPointer { m.forward(images: $0.baseAddress!, batch: 2) }
            return Array(UnsafeBufferPointer(start: out, count: 6))
        }
        let sa = scores(a), sb = scores(b)
        XCTAssertEqual(sa, sb)
        // Scores of a metric head are cosines with the class vectors.
        XCTAssertTrue(sa.allSatisfy { abs($0) <= 1.0001 })
        // Initialisation as PML: proxies N(0, 2 / classes).
        let big = HTNetModel(config: HTNetConfig(dim: 64, heads: 2, numHierarchies: 1, blockRepeats: [1]),
                             head: TrainingConfig(loss: .proxyAnchor).head, maxBatch: 1)
        big.initialise(rng: &rng)
        let proxies = big.parameter("loss.proxies").data
        let variance = proxies.map { Double($0 * $0) }.reduce(0, +) / Double(proxies.count)
        XCTAssertEqual(variance, 2.0 / 3.0, accuracy: 0.12)
    }

    /// Adam moves the class vectors at lr x multiplier: one step of Adam moves every parameter by
    /// about its learning rate (m / sqrt(v) = sign(g) at step 1).
    func testClassVectorLearningRateMultiplier() {
        let n = 10
        let p = FloatBuffer(count: n), g = FloatBuffer(count: n)
        for i in 0..<n { g[i] = 0.5 }
        let adam = AdamOptimizer(parameterCount: n, learningRate: 1e-3, multipliers: [(range: 6..<9, factor: 100)])
        adam.update(parameters: p, gradients: g)
        for i in 0..<n {
            XCTAssertEqual(p[i], (6..<9).contains(i) ? -0.1 : -1e-3, accuracy: 1e-6 * (i >= 6 && i < 9 ? 100 : 1), "index \(i)")
        }
        XCTAssertEqual(TrainingConfig(loss: .proxyAnchor).effectiveClassVectorLRMultiplier, 100)
        XCTAssertEqual(TrainingConfig(loss: .arcface).effectiveClassVectorLRMultiplier, 1)
        XCTAssertEqual(TrainingConfig(loss: .cosface, classVectorLRMultiplier: 10).effectiveClassVectorLRMultiplier, 10)
    }

    /// A diverging run stops with an error and never back-propagates the non-finite batch (NaN
    /// activations give the max-pool backward arg-maxes out of range: that corrupted the heap).
    func testDivergenceStopsBeforeBackward() {
        var rng = DeterministicRNG(seed: 6)
        let data = FoldData(trainInputs: (0..<(20 * 2352)).map { _ in rng.uniform(0, 255) }, trainLabels: (0..<20).map { $0 % 3 },
                            testInputs: (0..<(2 * 2352)).map { _ in rng.uniform(0, 255) }, testLabels: [0, 1])
        let trainer = FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 3, blockRepeats: [1, 1, 1]),
                                  training: TrainingConfig(epochs: 3, batchSize: 16, learningRate: 1e30), seedKeys: [1])
        XCTAssertThrowsError(try trainer.run(data)) { XCTAssertTrue("\($0)".contains("non-finite loss"), "\($0)") }
    }

    func testLabelNoiseFlipsTheStatedFractionToOtherClasses() {
        let labels = (0..<200).map { $0 % 3 }
        var rng = DeterministicRNG(keys: [1, 2])
        let noisy = LabelNoise.flip(labels, fraction: 0.25, classes: 3, rng: &rng)
        XCTAssertEqual(zip(labels, noisy).filter { $0 != $1 }.count, 50)
        XCTAssertTrue(noisy.allSatisfy { (0..<3).contains($0) })
        var again = DeterministicRNG(keys: [1, 2])
        XCTAssertEqual(LabelNoise.flip(labels, fraction: 0.25, classes: 3, rng: &again), noisy, "seeded")
        var other = DeterministicRNG(keys: [1, 3])
        XCTAssertNotEqual(LabelNoise.flip(labels, fraction: 0.25, classes: 3, rng: &other), noisy)
        var none = DeterministicRNG(keys: [1, 2])
        XCTAssertEqual(LabelNoise.flip(labels, fraction: 0, classes: 3, rng: &none), labels)
    }

    func testSettingsThatDoNotApplyAreRefused() {
        XCTAssertTrue(TrainingConfig(loss: .proxyAnchor).lossSettingErrors().isEmpty)
        XCTAssertEqual(TrainingConfig(loss: .crossEntropy, margin: 0.2).lossSettingErrors().map(\.key), ["margin"])
        XCTAssertEqual(TrainingConfig(loss: .proxyAnchor, scale: 30).lossSettingErrors().map(\.key), ["scale"])
        XCTAssertEqual(TrainingConfig(loss: .cosface, marginUnit: .degrees).lossSettingErrors().map(\.key), ["margin_unit"])
        XCTAssertEqual(TrainingConfig(loss: .arcface, labelNoise: 1.5).lossSettingErrors().map(\.key), ["label_noise"])
        let arc = TrainingConfig(loss: .arcface, margin: 0.5, marginUnit: .radians).metricLoss as! ArcFaceLoss
        XCTAssertEqual(arc.margin.radians, 0.5)
        XCTAssertEqual((TrainingConfig(loss: .arcface).metricLoss as! ArcFaceLoss).margin, .degrees(28.6))
        // Round trip through the experiment-file encoding; cross-entropy encodes without the new keys.
        let t = TrainingConfig(loss: .arcface, margin: 0.5, marginUnit: .radians, scale: 30, embeddingSize: 8,
                               classVectorLRMultiplier: 10, labelNoise: 0.1)
        let decoded = try! JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(t))
        XCTAssertEqual(decoded, t)
        let ce = String(data: try! JSONEncoder().encode(TrainingConfig()), encoding: .utf8)!
        XCTAssertFalse(ce.contains("margin") || ce.contains("label_noise"), ce)
    }

    /// Each loss trains the tiny model on two separable classes: the training loss falls and the
    /// nearest-class-vector prediction gets the training set right; the same seed keys give the
    /// same numbers.
    func testEachMetricLossLearnsASeparableProblem() throws {
        var rng = DeterministicRNG(seed: 5)
        var inputs: [Float] = [], labels: [Int] = []
        for i in 0..<24 {
            let y = i % 2
            for _ in 0..<3 { for _ in 0..<28 { for col in 0..<28 { inputs.append((col < 14 ? Float(y) * 2 - 1 : 0) + 0.3 * rng.normal()) } } }
            labels.append(y)
        }
        let data = FoldData(trainInputs: Array(inputs[0..<(20 * 2352)]), trainLabels: Array(labels[0..<20]),
                            testInputs: Array(inputs[(20 * 2352)...]), testLabels: Array(labels[20...]))
        for loss in [LossKind.proxyAnchor, .arcface, .cosface] {
            let trainer = FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 2),
                                      training: TrainingConfig(epochs: 15, batchSize: 8, learningRate: 3e-3, loss: loss), seedKeys: [1, 2, 3])
            let a = try trainer.run(data)
            let b = try trainer.run(data)
            XCTAssertEqual(a, b.withSameTimings(as: a), "\(loss): same seed keys, same numbers")
            XCTAssertLessThan(a.epochs.last!.trainLoss, 0.5 * a.epochs.first!.trainLoss, "\(loss)")
            XCTAssertEqual(a.epochs.last!.trainAccuracy, 1, "\(loss)")
            XCTAssertEqual(a.finalLogits.count, 4)
        }
        // Label noise reaches training: with every label flipped (2 classes) the model learns the
        // inverted rule and gets the clean test samples wrong.
        let flipped = try FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 2),
                                      training: TrainingConfig(epochs: 15, batchSize: 8, learningRate: 3e-3, labelNoise: 1), seedKeys: [1, 2, 3]).run(data)
        XCTAssertEqual(flipped.epochs.last!.testAccuracy, 0)
        XCTAssertEqual(flipped.epochs.last!.trainAccuracy, 1, "accuracy against the (flipped) training labels")
    }
}

/// The final model's extra evaluation: embeddings and noisy-input scores.
final class FinalEvaluationTests: XCTestCase {
    func testCleanLevelReproducesTheFinalLogitsAndNoiseIsPaired() throws {
        var rng = DeterministicRNG(seed: 3)
        let data = FoldData(trainInputs: (0..<(12 * 2352)).map { _ in rng.uniform(0, 255) }, trainLabels: (0..<12).map { $0 % 3 },
                            testInputs: (0..<(5 * 2352)).map { _ in rng.uniform(0, 255) }, testLabels: [0, 1, 2, 0, 1],
                            testSampleKeys: [11, 12, 13, 14, 15])
        let levels = [SNRLevel(.infinity), SNRLevel(10), SNRLevel(0)]
        for loss in [LossKind.crossEntropy, .cosface] {
            let trainer = FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1]),
                                      training: TrainingConfig(epochs: 2, batchSize: 4, learningRate: 1e-3, loss: loss, embeddingSize: loss.isMetric ? 6 : nil,
                                                               noiseSNR: levels), seedKeys: [5])
            var extra: FinalEvaluation?
            let outcome = try trainer.run(data, finished: { extra = trainer.finalEvaluation($0, data: data) })
            let e = try XCTUnwrap(extra)
            XCTAssertEqual(e.noisyScores.map(\.level), levels)
            XCTAssertEqual(e.noisyScores[0].scores, outcome.finalLogits, "\(loss): SNR inf is the clean evaluation")
            XCTAssertNotEqual(e.noisyScores[2].scores, outcome.finalLogits)
            XCTAssertEqual(e.embeddings.count, 5)
            XCTAssertEqual(e.embeddings[0].count, loss.isMetric ? 6 : 16)
            // Same seed keys, same numbers (the noise depends on noise_seed, level and sample key only).
            var again: FinalEvaluation?
            _ = try trainer.run(data, finished: { again = trainer.finalEvaluation($0, data: data) })
            XCTAssertEqual(again, e)
        }
        let noisy = InputNoise.noisy(data.testInputs, sampleSize: 2352, snrDB: 10, keys: [FoldTrainer.inputNoiseStream, 0], sampleKeys: [11, 12, 13, 14, 15])
        XCTAssertNotEqual(noisy, data.testInputs)
    }
}

/// Input noise at a stated SNR (signal power per sample, mean of x^2).
final class InputNoiseTests: XCTestCase {
    func testMeasuredSNRMatchesTheLevelAndIsSeededPerSample() {
        var rng = DeterministicRNG(seed: 1)
        let size = 20000
        let inputs = (0..<(3 * size)).map { i in Float(i / size + 1) * rng.uniform(0, 255) }
        for snr in [30.0, 10, 0] {
            let noisy = InputNoise.noisy(inputs, sampleSize: size, snrDB: snr, keys: [7], sampleKeys: [10, 11, 12])
            for s in 0..<3 {
                var signal = 0.0, noise = 0.0
                for i in (s * size)..<((s + 1) * size) {
                    signal += Double(inputs[i] * inputs[i])
                    noise += Double((noisy[i] - inputs[i]) * (noisy[i] - inputs[i]))
                }
                XCTAssertEqual(10 * log10(signal / noise), snr, accuracy: 0.1, "sample \(s) at \(snr) dB")
            }
            // A sample's noise depends on its key, not on its position or companions.
            let alone = InputNoise.noisy(Array(inputs[size..<(2 * size)]), sampleSize: size, snrDB: snr, keys: [7], sampleKeys: [11])
            XCTAssertEqual(alone, Array(noisy[size..<(2 * size)]))
        }
        XCTAssertEqual(InputNoise.noisy(inputs, sampleSize: size, snrDB: .infinity, keys: [7], sampleKeys: [10, 11, 12]), inputs)
        XCTAssertNotEqual(InputNoise.noisy(inputs, sampleSize: size, snrDB: 10, keys: [8], sampleKeys: [10, 11, 12]),
                          InputNoise.noisy(inputs, sampleSize: size, snrDB: 10, keys: [7], sampleKeys: [10, 11, 12]))
    }
}
