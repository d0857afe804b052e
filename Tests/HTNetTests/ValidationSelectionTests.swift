import FoldResults
import Foundation
@testable import HTNet
import Tensor
import XCTest

/// epoch_selection: validation chooses the epoch from the inner validation set alone: corrupting
/// the test labels changes the best-test epoch's bookkeeping but never the validation-selected
/// epoch or its test logits.
final class ValidationSelectionTests: XCTestCase {
    func data(testLabels: [Int]) -> FoldData {
        var rng = DeterministicRNG(keys: [42])
        let size = 3 * 28 * 28
        func sample(_ label: Int) -> [Float] {
            (0..<size).map { i in Float(rng.normal()) * 20 + (i % 3 == label ? 60 : 0) + 100 }
        }
        let trainLabels = (0..<24).map { $0 % 3 }, validationLabels = (0..<9).map { $0 % 3 }
        return FoldData(trainInputs: trainLabels.flatMap(sample), trainLabels: trainLabels,
                        testInputs: testLabels.indices.flatMap { sample(($0 * 7) % 3) }, testLabels: testLabels,
                        validationInputs: validationLabels.flatMap(sample), validationLabels: validationLabels)
    }

    func testCorruptedTestLabelsDoNotMoveTheValidationSelectedEpoch() throws {
        let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2)
        let training = TrainingConfig(epochs: 8, batchSize: 8, learningRate: 3e-3)
        let trainer = FoldTrainer(model: model, training: training, seedKeys: [1, 2, 3, 4])
        let trueLabels = (0..<12).map { ($0 * 7) % 3 }
        let clean = try trainer.run(data(testLabels: trueLabels))
        let corrupted = try trainer.run(data(testLabels: trueLabels.map { ($0 + 1) % 3 }))
        XCTAssertNotNil(clean.validationEpoch)
        XCTAssertEqual(clean.validationEpoch, corrupted.validationEpoch)
        XCTAssertEqual(clean.validationLogits, corrupted.validationLogits)
        XCTAssertEqual(clean.logits(for: .validation), clean.validationLogits)
        // The best-test rule reads the test labels, so it does see the corruption.
        XCTAssertNotEqual(clean.epochs.map(\.testAccuracy), corrupted.epochs.map(\.testAccuracy))
        // Without a validation set there is no validation epoch and the rule falls back to the final epoch.
        var plain = data(testLabels: trueLabels)
        plain.validationInputs = []; plain.validationLabels = []
        let none = try trainer.run(plain)
        XCTAssertNil(none.validationEpoch)
        XCTAssertEqual(none.logits(for: .validation), none.finalLogits)
    }

    /// A fold resumed from a saved state (issue 18) with a validation set, augmentation, mixup, AdamW
    /// and a schedule ends exactly as the uninterrupted fold: the validation-selected epoch and logits
    /// travel in the state; every augmentation draw derives from (seedKeys, epoch, sample / batch).
    func testResumedFoldKeepsTheValidationSelectionAndAugmentation() throws {
        let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2)
        var training = TrainingConfig(epochs: 7, batchSize: 8, learningRate: 3e-3, order: .shuffle)
        training.weightDecay = 0.05
        training.lrSchedule = LearningRateSchedule(kind: .cosine, warmupEpochs: 1)
        training.augment = AugmentationConfig(affine: .init(probability: 0.7), brightnessContrast: .init(probability: 0.5),
                                              cutout: .init(probability: 0.5, size: 4), mixup: .init(probability: 0.5, alpha: 0.4))
        let data = data(testLabels: (0..<12).map { ($0 * 7) % 3 })
        let whole = try FoldTrainer(model: model, training: training, seedKeys: [7, 8, 9, 10]).run(data)
        var first = FoldTrainer(model: model, training: training, seedKeys: [7, 8, 9, 10])
        var saved: [FoldState] = []
        var epochsSeen = 0
        first.stateCadence = FoldStateCadence(everyEpochs: 2)
        first.stateObserver = { saved.append($0) }
        first.shouldStop = { epochsSeen >= 5 }
        XCTAssertThrowsError(try first.run(data, progress: { _ in epochsSeen += 1 }))
        let restored = try FoldState.decode(try saved.last!.encoded(), source: "state.safetensors")
        XCTAssertEqual(restored, saved.last!)
        XCTAssertGreaterThan(restored.validation.epoch, 0)
        var second = FoldTrainer(model: model, training: training, seedKeys: [7, 8, 9, 10])
        second.resumeState = restored
        let resumed = try second.run(data)
        XCTAssertEqual(resumed.finalLogits, whole.finalLogits)
        XCTAssertEqual(resumed.validationEpoch, whole.validationEpoch)
        XCTAssertEqual(resumed.validationLogits, whole.validationLogits)
        XCTAssertEqual(resumed.epochs.map(\.trainLoss), whole.epochs.map(\.trainLoss))
    }
}
