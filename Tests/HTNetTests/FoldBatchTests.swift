import FoldResults
import HTNet
import Tensor
import TestSupport
import XCTest

/// Fold-batched training (F models in lockstep over stacked [F, P] parameters) must give every
/// member exactly what FoldTrainer gives it alone: the CPU engine runs the same products with the
/// same shapes per model, so the comparison is bit for bit (==), not within a tolerance.
final class FoldBatchTests: XCTestCase {
    let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 3)

    /// Three folds with different training and test sizes (20, 13, 7 training samples at batch 8:
    /// 3, 2 and 1 steps per epoch, so the lockstep masks models out of steps).
    func folds(seed: UInt64) -> [FoldData] {
        var rng = DeterministicRNG(seed: seed)
        func samples(_ n: Int, offset: Int) -> ([Float], [Int]) {
            var x: [Float] = [], y: [Int] = []
            for i in 0..<n {
                let label = (i + offset) % 3
                for c in 0..<3 { for r in 0..<28 { for col in 0..<28 {
                    _ = (c, r)
                    x.append((col < 9 * (label + 1) ? 60 : 0) + 40 * rng.normal())
                } } }
                y.append(label)
            }
            return (x, y)
        }
        return [(20, 4), (13, 5), (7, 3)].enumerated().map { i, sizes in
            let train = samples(sizes.0, offset: i), test = samples(sizes.1, offset: i + 1)
            return FoldData(trainInputs: train.0, trainLabels: train.1, testInputs: test.0, testLabels: test.1)
        }
    }

    func checkEquivalence(training: TrainingConfig, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = folds(seed: 21)
        let trainers = data.indices.map { FoldTrainer(model: model, training: training, seedKeys: [7, UInt64(100 + $0)]) }
        var aloneWeights: [[Float]] = [], aloneOutcomes: [FoldOutcome] = []
        for (t, d) in zip(trainers, data) {
            aloneOutcomes.append(try t.run(d, finished: { aloneWeights.append($0.parameters.array) }))
        }
        let batch = try FoldBatchTrainer(members: zip(trainers, data).map { .init(trainer: $0, data: $1) })
        var batchWeights: [Int: [Float]] = [:], seen: [Int: Int] = [:]
        let results = try batch.run(progress: { f, _ in seen[f, default: 0] += 1 },
                                    finished: { f, net in batchWeights[f] = net.parameters.array })
        XCTAssertEqual(results.count, 3, file: file, line: line)
        for f in 0..<3 {
            let outcome = try results[f].get()
            let alone = aloneOutcomes[f]
            XCTAssertEqual(seen[f], training.epochs, file: file, line: line)
            XCTAssertEqual(outcome.epochs.count, alone.epochs.count, file: file, line: line)
            for (a, b) in zip(outcome.epochs, alone.epochs) {
                XCTAssertEqual(a.trainLoss, b.trainLoss, "member \(f) epoch \(a.epoch) train loss", file: file, line: line)
                XCTAssertEqual(a.trainAccuracy, b.trainAccuracy, file: file, line: line)
                XCTAssertEqual(a.testLoss, b.testLoss, "member \(f) epoch \(a.epoch) test loss", file: file, line: line)
                XCTAssertEqual(a.testAccuracy, b.testAccuracy, file: file, line: line)
            }
            XCTAssertEqual(outcome.finalLogits, alone.finalLogits, "member \(f) final logits", file: file, line: line)
            XCTAssertEqual(outcome.bestTestEpoch, alone.bestTestEpoch, file: file, line: line)
            XCTAssertEqual(outcome.bestTestLogits, alone.bestTestLogits, file: file, line: line)
            XCTAssertEqual(batchWeights[f], aloneWeights[f], "member \(f) final weights", file: file, line: line)
        }
        // The members really differ (their own data and seeds), and training moved the loss.
        XCTAssertNotEqual(try results[0].get().finalLogits.first, try results[1].get().finalLogits.first, file: file, line: line)
        let first = try results[0].get().epochs
        XCTAssertNotEqual(first.first!.trainLoss, first.last!.trainLoss, file: file, line: line)
    }

    func testShuffledCrossEntropyBatchMatchesSeparateRuns() throws {
        try checkEquivalence(training: TrainingConfig(epochs: 4, batchSize: 8, learningRate: 2e-3, order: .shuffle, labelNoise: 0.1))
    }

    func testWeightedClassGroupedBatchMatchesSeparateRuns() throws {
        try checkEquivalence(training: TrainingConfig(epochs: 3, batchSize: 8, learningRate: 2e-3, order: .classGrouped,
                                                      loss: .weightedCrossEntropy))
    }

    /// Proxy Anchor trains its class vectors at 100 x lr: StackedAdam's per-segment scalars must match.
    func testMetricLossBatchMatchesSeparateRuns() throws {
        try checkEquivalence(training: TrainingConfig(epochs: 3, batchSize: 8, learningRate: 2e-3, order: .csv,
                                                      loss: .proxyAnchor, embeddingSize: 6))
    }

    func testScheduleKeepsEachModelsBatchesAndMasksShortModels() {
        let s = FoldBatchSchedule(batchSize: 8, trainCounts: [20, 13, 7, 3], testCounts: [4, 5, 3, 12])
        XCTAssertEqual(s.maxBatches, [8, 8, 7, 8])      // FoldTrainer: max(1, min(batch, max(train, test)))
        XCTAssertEqual(s.stepsPerEpoch, [3, 2, 1, 1])
        XCTAssertEqual(s.lockstepSteps, 3)
        XCTAssertEqual(s.stackedBatch, 8)
        XCTAssertEqual(s.slice(model: 0, step: 2), 16..<20)
        XCTAssertEqual(s.slice(model: 1, step: 1), 8..<13)
        XCTAssertNil(s.slice(model: 2, step: 1))
        XCTAssertEqual(s.slice(model: 3, step: 0), 0..<3)
    }

    func testStackedLayoutGivesEachModelItsSlice() {
        let stack = StackedParameters(models: 3, perModel: 5)
        let view = stack.storage(model: 1)
        view.parameters[0] = 4; view.gradients[4] = 2
        XCTAssertEqual(stack.parameters[5], 4)
        XCTAssertEqual(stack.gradients[9], 2)
        XCTAssertEqual(stack.parameters.array.filter { $0 != 0 }.count, 1)
    }

    func testMembersOfDifferentShapesAreRefused() {
        let d = folds(seed: 1)[2]
        let a = FoldTrainer(model: model, training: TrainingConfig(epochs: 1), seedKeys: [1])
        var other = model
        other.dim = 12
        let b = FoldTrainer(model: other, training: TrainingConfig(epochs: 1), seedKeys: [2])
        XCTAssertThrowsError(try FoldBatchTrainer(members: [.init(trainer: a, data: d), .init(trainer: b, data: d)])) {
            XCTAssertTrue("\($0)".contains("member 1: model differs"), "\($0)")
        }
    }
}

extension FoldBatchTests {
    /// Fold states (resume, periodic saves) are FoldTrainer's alone for now: a batch refuses them.
    func testFoldStatesAreRefused() {
        let d = folds(seed: 1)[2]
        var a = FoldTrainer(model: model, training: TrainingConfig(epochs: 1), seedKeys: [1])
        a.stateObserver = { _ in }
        XCTAssertThrowsError(try FoldBatchTrainer(members: [.init(trainer: a, data: d)])) {
            XCTAssertTrue("\($0)".contains("fold states"), "\($0)")
        }
    }
}

extension FoldBatchTests {
    /// Settings the batch does not implement as FoldTrainer does are refused, never trained another
    /// way (the coordinator hands such tasks out alone: FoldBatchSupport).
    func testSettingsTheBatchDoesNotImplementAreRefused() {
        let d = folds(seed: 1)[2]
        func refusal(_ change: (inout TrainingConfig) -> Void, data: FoldData? = nil) -> String {
            var training = TrainingConfig(epochs: 1)
            change(&training)
            let trainer = FoldTrainer(model: model, training: training, seedKeys: [1])
            do { _ = try FoldBatchTrainer(members: [.init(trainer: trainer, data: data ?? d)]); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal { $0.weightDecay = 0.01 }.contains("weight_decay"))
        XCTAssertTrue(refusal { $0.lrSchedule = LearningRateSchedule(kind: .cosine) }.contains("lr_schedule"))
        XCTAssertTrue(refusal { $0.augment = AugmentationConfig() }.contains("augment"))
        var validated = d
        validated.validationInputs = Array(d.testInputs.prefix(d.testInputs.count / d.testLabels.count))
        validated.validationLabels = [d.testLabels[0]]
        XCTAssertTrue(refusal({ _ in }, data: validated).contains("validation"))
        XCTAssertEqual(refusal { $0.weightDecay = 0 }, "accepted", "no decay is plain Adam")
    }

    /// TrajectoryParity's runner hook (how `parity --device cuda` trains the fixture on the GPU): a
    /// CPU fold batch of one passes the reference trajectory with exactly FoldTrainer's numbers.
    func testAFoldBatchOfOnePassesTheTrajectoryFixtureAsFoldTrainerDoes() throws {
        let path = try Fixtures.path("htnet-trajectory.safetensors")
        let alone = try TrajectoryParity.run(fixturePath: path, referenceOrder: "csv", engineOrder: .csv)
        let batched = try TrajectoryParity.run(fixturePath: path, referenceOrder: "csv", engineOrder: .csv) { trainer, fold in
            var weights: [Float] = []
            let outcome = try FoldBatchTrainer(members: [.init(trainer: trainer, data: fold)])
                .run(finished: { _, net in weights = net.parameters.array })[0].get()
            return (outcome, weights)
        }
        XCTAssertTrue(batched.passed)
        XCTAssertEqual(batched.measurements.map(\.error), alone.measurements.map(\.error))
    }
}
