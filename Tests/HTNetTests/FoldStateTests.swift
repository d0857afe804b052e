import FoldResults
import Foundation
import HTNet
import Tensor
import XCTest

/// A fold stopped part-way and continued from its saved state must give exactly what an
/// uninterrupted fold gives (issue 18: a preempted paper-size fold loses minutes, not hours).
final class FoldStateTests: XCTestCase {
    private func data() -> FoldData {
        var rng = DeterministicRNG(seed: 11)
        let n = 30, m = 6, size = 2352
        return FoldData(trainInputs: (0..<(n * size)).map { _ in rng.uniform(0, 1) }, trainLabels: (0..<n).map { $0 % 3 },
                        testInputs: (0..<(m * size)).map { _ in rng.uniform(0, 1) }, testLabels: (0..<m).map { $0 % 3 })
    }

    private func trainer(order: TrainingOrder) -> FoldTrainer {
        var training = TrainingConfig(epochs: 7, batchSize: 8, learningRate: 2e-3)
        training.order = order
        training.labelNoise = 0.2
        return FoldTrainer(model: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1]),
                           training: training, seedKeys: [4, 5, 6])
    }

    func testResumedFoldEqualsUninterruptedFold() throws {
        let data = data()
        for order in [TrainingOrder.shuffle, .classGrouped] {
            let whole = try trainer(order: order).run(data)
            // Stopped during epoch 6, after states at epochs 2 and 4; continued from the file's bytes.
            var first = trainer(order: order)
            var saved: [FoldState] = []
            var epochsSeen = 0
            first.stateCadence = FoldStateCadence(everyEpochs: 2)
            first.stateObserver = { saved.append($0) }
            first.shouldStop = { epochsSeen >= 5 }
            XCTAssertThrowsError(try first.run(data, progress: { _ in epochsSeen += 1 }))
            XCTAssertEqual(saved.map(\.epoch), [2, 4])
            let restored = try FoldState.decode(try saved.last!.encoded(), source: "state.safetensors")
            XCTAssertEqual(restored, saved.last!, "the encoding round-trips exactly")
            var second = trainer(order: order)
            second.resumeState = restored
            var resumedEpochs: [Int] = []
            let resumed = try second.run(data, progress: { resumedEpochs.append($0.epoch) })
            XCTAssertEqual(resumedEpochs, [5, 6, 7], "only the epochs after the state are trained")
            XCTAssertEqual(resumed.finalLogits, whole.finalLogits, "\(order): final logits bit-identical")
            XCTAssertEqual(resumed.bestTestEpoch, whole.bestTestEpoch)
            XCTAssertEqual(resumed.bestTestLogits, whole.bestTestLogits)
            XCTAssertEqual(resumed.epochs.map(\.trainLoss), whole.epochs.map(\.trainLoss))
            XCTAssertEqual(resumed.epochs.map(\.testAccuracy), whole.epochs.map(\.testAccuracy))
        }
    }

    func testCadenceByEpochsAndTimeNeverSavesTheLastEpoch() {
        let byEpochs = FoldStateCadence(everyEpochs: 3)
        XCTAssertEqual((1...9).filter { byEpochs.isDue(epoch: $0, lastSavedEpoch: ($0 - 1) / 3 * 3, secondsSinceSave: 0, epochs: 9) }, [3, 6])
        let byTime = FoldStateCadence(everySeconds: 60)
        XCTAssertTrue(byTime.isDue(epoch: 2, lastSavedEpoch: 0, secondsSinceSave: 61, epochs: 9))
        XCTAssertFalse(byTime.isDue(epoch: 2, lastSavedEpoch: 0, secondsSinceSave: 59, epochs: 9))
        XCTAssertFalse(byTime.isDue(epoch: 9, lastSavedEpoch: 0, secondsSinceSave: 600, epochs: 9))
        XCTAssertFalse(FoldStateCadence().isEnabled)
    }

    func testStateOfAnotherModelIsRefusedByName() throws {
        let data = data()
        var first = trainer(order: .csv)
        var saved: FoldState?
        first.stateCadence = FoldStateCadence(everyEpochs: 3)
        first.stateObserver = { saved = $0 }
        _ = try first.run(data)
        var state = try XCTUnwrap(saved)
        state.parameters.removeLast()
        var second = trainer(order: .csv)
        second.resumeState = state
        XCTAssertThrowsError(try second.run(data)) { XCTAssertTrue("\($0)".contains("fold state"), "\($0)") }
        XCTAssertThrowsError(try FoldState.decode(try SafeTensorsFile(metadata: ["format": "other"]).encoded(), source: "x.safetensors")) {
            XCTAssertTrue("\($0)".contains("x.safetensors") && "\($0)".contains("not a fold state"), "\($0)")
        }
    }
}
