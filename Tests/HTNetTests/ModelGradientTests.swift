import FoldResults
import Foundation
@testable import HTNet
import Tensor
import XCTest

/// Whole-model finite-difference checks (every parameter tensor probed) on tiny configurations,
/// independent of the reference fixtures, plus properties of initialisation and training.
final class ModelGradientTests: XCTestCase {
    func wholeModelCheck(_ config: HTNetConfig, batch: Int) {
        let model = HTNetModel(config: config, maxBatch: batch)
        var rng = DeterministicRNG(seed: 7)
        model.initialise(rng: &rng)
        let images = (0..<(batch * 3 * 28 * 28)).map { _ in rng.normal() }
        let labels = (0..<batch).map { $0 % config.numClasses }
        let dLogits = FloatBuffer(count: batch * config.numClasses)
        let loss = { () -> Double in
            let out = images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: batch) }
            return labels.withUnsafeBufferPointer {
                SoftmaxCrossEntropy.evaluate(logits: out, labels: $0.baseAddress!, batch: batch, classes: config.numClasses,
                                             dLogits: dLogits.pointer).loss
            }
        }
        _ = loss()
        model.backward(dLogits: dLogits.pointer, batch: batch)
        let grads = model.gradients.array
        // backward writes (never accumulates) every gradient: a second call gives the same values.
        model.backward(dLogits: dLogits.pointer, batch: batch)
        XCTAssertEqual(model.gradients.array, grads)
        for slot in model.layout.slots {
            FiniteDifference.check(slot.name, values: model.parameters.pointer + slot.offset,
                                   analytic: Array(grads[slot.offset..<(slot.offset + slot.count)]),
                                   indices: FiniteDifference.sample(slot.count, max: 6), rtol: 3e-2, atol: 5e-4, eps: 1e-3, loss: loss)
        }
    }

    func testThreeLevelModelGradients() {
        wholeModelCheck(HTNetConfig(dim: 8, heads: 2, numHierarchies: 3, blockRepeats: [1, 1, 2], mlpMult: 2), batch: 3)
    }

    func testTwoLevelModelWithRealAttentionGradients() {
        wholeModelCheck(HTNetConfig(dim: 6, heads: 3, numHierarchies: 2, blockRepeats: [1, 2], mlpMult: 2), batch: 2)
    }

    func testLayoutMatchesReferenceParameterCount() {
        // Paper configuration: 139.6 M parameters (issue 6).
        let layout = ParameterLayout(config: HTNetConfig())
        XCTAssertEqual(Double(layout.count) / 1e6, 139.6, accuracy: 0.05)
        XCTAssertEqual(layout["to_patch_embedding.1.weight"].shape, [256, 147, 1, 1])
        XCTAssertEqual(layout["layers.2.0.layers.9.0.fn.to_qkv.weight"].shape, [3 * 1020, 1024, 1, 1])
        XCTAssertNil(layout.slot(named: "layers.2.1.0.weight"), "the top level has no aggregate")
    }

    func testInitialisationFollowsPyTorchDefaults() {
        let config = HTNetConfig(dim: 16, heads: 2, numHierarchies: 2, blockRepeats: [1, 1])
        let model = HTNetModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: 3)
        model.initialise(rng: &rng)
        let w = model.parameter("layers.0.1.0.weight")   // fan_in = 16 * 9
        let bound = 1 / Float(16 * 9).squareRoot()
        XCTAssertLessThanOrEqual(w.maxAbs, bound)
        XCTAssertGreaterThan(w.maxAbs, 0.9 * bound)
        XCTAssertEqual(model.parameter("mlp_head.0.g").data, [Float](repeating: 1, count: 32))
        XCTAssertEqual(model.parameter("mlp_head.0.b").data, [Float](repeating: 0, count: 32))
    }

    func testCheckpointRoundTripsThroughSafetensors() throws {
        let config = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1])
        let a = HTNetModel(config: config, maxBatch: 1), b = HTNetModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: 11)
        a.initialise(rng: &rng)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint.save(a, to: path)
        try Checkpoint.load(path: path, into: b)
        XCTAssertEqual(a.parameters.array, b.parameters.array)
        // A checkpoint of another configuration is refused with the offending tensor named.
        let other = HTNetModel(config: HTNetConfig(dim: 12, heads: 2, numHierarchies: 2, blockRepeats: [1, 1]), maxBatch: 1)
        XCTAssertThrowsError(try Checkpoint.load(path: path, into: other)) { error in
            XCTAssertTrue("\(error)".contains("has shape"), "\(error)")
        }
    }

    func testFoldTrainingIsDeterministicAndLearns() throws {
        // Two separable classes (bright vs dark left half): the loss must fall.
        var rng = DeterministicRNG(seed: 5)
        var inputs: [Float] = [], labels: [Int] = []
        for i in 0..<24 {
            let y = i % 2
            for c in 0..<3 { for r in 0..<28 { for col in 0..<28 {
                _ = c
                inputs.append((col < 14 ? Float(y) * 2 - 1 : 0) + 0.3 * rng.normal())
            } } }
            labels.append(y)
        }
        let data = FoldData(trainInputs: Array(inputs[0..<(20 * 2352)]), trainLabels: Array(labels[0..<20]),
                            testInputs: Array(inputs[(20 * 2352)...]), testLabels: Array(labels[20...]))
        let trainer = FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 2),
                                  training: TrainingConfig(epochs: 15, batchSize: 8, learningRate: 3e-3), seedKeys: [1, 2, 3])
        let a = try trainer.run(data)
        let b = try trainer.run(data)
        XCTAssertEqual(a, b.withSameTimings(as: a), "same seed keys, same numbers")
        XCTAssertLessThan(a.epochs.last!.trainLoss, 0.5 * a.epochs.first!.trainLoss)
        XCTAssertEqual(a.finalLogits.count, 4)
        XCTAssertGreaterThanOrEqual(a.bestTestEpoch, 1)
        let other = try FoldTrainer(model: trainer.model, training: trainer.training, seedKeys: [1, 2, 4]).run(data)
        XCTAssertNotEqual(other.finalLogits, a.finalLogits, "different seed keys, different initialisation")
    }

    /// A worker's thread count must not change a run's numbers (it defaults to cores / workers):
    /// training with 1 and 2 threads, with a last batch whose token count (41 x 16) makes sgemm's
    /// K exceed OpenBLAS's blocking, gives identical weights and logits.
    func testTrainingBitsDoNotDependOnThreadCount() throws {
        var rng = DeterministicRNG(seed: 8)
        let n = 297, m = 5
        let data = FoldData(trainInputs: (0..<(n * 2352)).map { _ in rng.uniform(0, 255) }, trainLabels: (0..<n).map { $0 % 3 },
                            testInputs: (0..<(m * 2352)).map { _ in rng.uniform(0, 255) }, testLabels: (0..<m).map { $0 % 3 })
        var outcomes: [FoldOutcome] = [], weights: [[Float]] = []
        for threads in [1, 2] {
            BLAS.setThreads(threads)
            let trainer = FoldTrainer(model: HTNetConfig(dim: 32, heads: 2, numHierarchies: 3, blockRepeats: [1, 1, 1]),
                                      training: TrainingConfig(epochs: 1, batchSize: 256, learningRate: 1e-4), seedKeys: [9])
            outcomes.append(try trainer.run(data, finished: { weights.append($0.parameters.array) }))
        }
        BLAS.setThreads(1)
        XCTAssertEqual(weights[0], weights[1])
        XCTAssertEqual(outcomes[0].finalLogits, outcomes[1].finalLogits)
    }

    func testNonFiniteInputIsReportedNotTrained() {
        let data = FoldData(trainInputs: [Float](repeating: .nan, count: 2352), trainLabels: [0],
                            testInputs: [], testLabels: [])
        let trainer = FoldTrainer(model: HTNetConfig(dim: 4, heads: 1, numHierarchies: 1, blockRepeats: [1]),
                                  training: TrainingConfig(epochs: 1), seedKeys: [1])
        XCTAssertThrowsError(try trainer.run(data)) { XCTAssertTrue("\($0)".contains("non-finite"), "\($0)") }
    }
}

extension FoldOutcome {
    /// Wall-clock seconds differ between runs; everything else must not.
    func withSameTimings(as other: FoldOutcome) -> FoldOutcome {
        var copy = self
        for i in copy.epochs.indices { copy.epochs[i].seconds = other.epochs[i].seconds }
        return copy
    }
}
