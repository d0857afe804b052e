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
}
