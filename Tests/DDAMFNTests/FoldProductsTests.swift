import DDAMFN
import FoldResults
import Foundation
import Tensor
import TestSupport
import XCTest

/// DDAMFN models as products: the whole state (parameters, running statistics, num_batches_tracked)
/// round-trips through the reference state-dict names; a fold stopped after k epochs and resumed from
/// its saved state ends bit-identical to one that never stopped (SGD and Adam, shuffle and every
/// augmentation on); a starting state keeps the tensors it is told to draw fresh.
final class DDAMFNFoldProductsTests: XCTestCase {
    let config = DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)

    func trainedLikeModel(seed: UInt64) -> DDAMFNModel {
        let model = DDAMFNModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: seed)
        model.initialise(rng: &rng)
        for i in 0..<model.statistics.count { model.statistics[i] = rng.uniform(0.5, 1.5) }
        for bn in model.table.batchNorms { model.batchesTracked[bn.counter] = 1000 + bn.counter }
        return model
    }

    func testTheStateRoundTripsThroughTheReferenceStateDictNames() throws {
        let model = trainedLikeModel(seed: 3)
        let state = model.exportState()
        XCTAssertEqual(state.count, model.table.parameterCount + model.table.statisticsCount + model.table.batchNorms.count)
        let layout = DDAMFNStateLayout(table: model.table)
        let path = try temporaryDirectory(self) + "/m.safetensors"
        try layout.file(state: state, metadata: ["note": "x"]).write(path: path)
        let file = try SafeTensorsFile.read(path: path)
        // The reference's state_dict names: parameters as named, buffers beside their BatchNorm.
        XCTAssertEqual(file["features.0.bn.running_mean"]?.shape, [64])
        XCTAssertEqual(file["fc.weight"]?.shape, [3, 512])
        XCTAssertEqual(file["linear.bn.num_batches_tracked"]?.dtype, .i64)
        XCTAssertEqual(file["linear.bn.num_batches_tracked"]?.shape, [])
        XCTAssertEqual(file.tensors.count, model.table.parameters.count + 3 * model.table.batchNorms.count)
        // The same names as the parity fixture's param./buffer. tensors (written by the reference code).
        let reference = DDAMFNModel(config: DDAMFNConfig(), maxBatch: 1)
        let fixture = try SafeTensorsFile.read(path: try Fixtures.path("ddamfn-parity.safetensors"))
        let fixtureNames = Set(fixture.tensors.keys.filter { $0.hasPrefix("param.") || $0.hasPrefix("buffer.") }
            .map { String($0.drop(while: { $0 != "." }).dropFirst()) })
        XCTAssertEqual(Set(DDAMFNStateLayout(table: reference.table).entries.map(\.name)), fixtureNames)
        let back = try layout.state(from: file, source: path)
        XCTAssertEqual(back, state)
        let copy = DDAMFNModel(config: config, maxBatch: 1)
        copy.importState(back)
        XCTAssertEqual(copy.parameters.array, model.parameters.array)
        XCTAssertEqual(copy.statistics.array, model.statistics.array)
        for bn in model.table.batchNorms { XCTAssertEqual(copy.batchesTracked[bn.counter], 1000 + bn.counter) }
        // Strict both ways, naming the tensor.
        var missing = file
        missing.tensors["features.1.bn.running_var"] = nil
        XCTAssertThrowsError(try layout.state(from: missing, source: "m")) { XCTAssertTrue("\($0)".contains("missing tensor 'features.1.bn.running_var'"), "\($0)") }
        var extra = file
        extra.tensors["cat_head9.x"] = StoredTensor(Tensor(zeros: [1]))
        XCTAssertThrowsError(try layout.state(from: extra, source: "m")) { XCTAssertTrue("\($0)".contains("'cat_head9.x' names no tensor"), "\($0)") }
        var shaped = file
        shaped.tensors["fc.weight"] = StoredTensor(Tensor(zeros: [7, 512]))
        XCTAssertThrowsError(try layout.state(from: shaped, source: "m")) {
            XCTAssertTrue("\($0)".contains("'fc.weight' has shape [7, 512], the model expects [3, 512]"), "\($0)")
        }
    }

    func testFoldStatesRoundTripAndBadOnesAreNamed() throws {
        let record = EpochRecord(epoch: 1, trainLoss: 1.25, trainAccuracy: 0.5, testLoss: 0.1 + 0.2, testAccuracy: 1.0 / 3, seconds: 2)
        for optimizer in [DDAMFNFoldState.OptimizerState.sgd(step: 3, velocity: [1, -2, 3]),
                          .adam(step: 4, moment1: [0.5, 0.25, 1e-30], moment2: [1, 2, 3])] {
            let state = DDAMFNFoldState(epoch: 1, model: [1, 2, 3, 4], optimizer: optimizer, records: [record], bestEpoch: 1,
                                        bestAccuracy: 1.0 / 3, bestLogits: [[1, 2], [3, 4]], finalLogits: [[5, 6], [7, 8]],
                                        bestState: [9, 8, 7, 6])
            XCTAssertEqual(try DDAMFNFoldState.decode(try state.encoded(), source: "s"), state)
            var noBest = state
            noBest.bestState = nil
            XCTAssertEqual(try DDAMFNFoldState.decode(try noBest.encoded(), source: "s"), noBest)
            var validated = state
            validated.validation = ValidationChoice(epoch: 1, accuracy: 0.1 + 0.2, testLogits: [[1, 0], [0, 1]])
            validated.validationState = [4, 3, 2, 1]
            XCTAssertEqual(try DDAMFNFoldState.decode(try validated.encoded(), source: "s"), validated)
        }
        let htnetLike = try SafeTensorsFile(metadata: ["format": "loso-fold-state-1"]).encoded()
        XCTAssertThrowsError(try DDAMFNFoldState.decode(htnetLike, source: "old.safetensors")) {
            XCTAssertTrue("\($0)".contains("old.safetensors: not a DDAMFN fold state (format loso-fold-state-1"), "\($0)")
        }
        var file = try SafeTensorsFile.decode(try DDAMFNFoldState(epoch: 1, model: [1], optimizer: .sgd(step: 1, velocity: [0]), records: [record],
                                                                  bestEpoch: 1, bestAccuracy: 0, bestLogits: [], finalLogits: []).encoded(), path: "x")
        file.tensors["sgd.velocity"] = nil
        XCTAssertThrowsError(try DDAMFNFoldState.decode(try file.encoded(), source: "cut.safetensors")) {
            XCTAssertTrue("\($0)".contains("cut.safetensors: tensor 'sgd.velocity' missing"), "\($0)")
        }
    }

    /// A fold stopped after `stopAfter` epochs (its state saved then, encoded and decoded as the
    /// coordinator keeps it) and resumed gives the uninterrupted fold's logits, epoch losses, best-test
    /// and validation-selected epochs and final, best-test and validation-selected model states, bit for bit.
    func checkResumeIsBitIdentical(optimizer: DDAMFNTrainingSettings.Optimizer, epochs: Int, stopAfter: Int) throws {
        let train = FoldProductsData.tinySet(count: 9, seed: 1), test = FoldProductsData.tinySet(count: 3, seed: 2)
        let validation = FoldProductsData.tinySet(count: 4, seed: 3)
        let data = FoldData(trainInputs: train.inputs, trainLabels: train.labels, testInputs: test.inputs, testLabels: test.labels,
                            validationInputs: validation.inputs, validationLabels: validation.labels)
        let settings = DDAMFNTrainingSettings(epochs: epochs, batchSize: 4, learningRate: 0.01, optimizer: optimizer, weightDecay: 1e-4,
                                              shuffle: true, augmentation: DDAMFNAugmentation())
        func trainer() -> DDAMFNFoldTrainer { DDAMFNFoldTrainer(config: config, settings: settings, seedKeys: [4, 5, 6]) }
        var whole = trainer()
        var wholeBest: (Int, [Float])?
        whole.bestTestStateObserver = { wholeBest = ($0, $1) }
        var wholeValidation: (Int, [Float])?
        whole.validationStateObserver = { wholeValidation = ($0, $1) }
        var wholeFinal: [Float] = []
        let uninterrupted = try whole.run(data, finished: { wholeFinal = $0.exportState() })

        var first = trainer()
        var saved: Data?
        first.bestTestStateObserver = { _, _ in }
        first.validationStateObserver = { _, _ in }
        first.stateDue = { $0 == stopAfter }
        first.stateObserver = { saved = try? $0.encoded() }
        first.shouldStop = { saved != nil }
        XCTAssertThrowsError(try first.run(data)) { XCTAssertTrue("\($0)".contains("stopped during epoch \(stopAfter + 1)"), "\($0)") }
        var second = trainer()
        second.resumeState = try DDAMFNFoldState.decode(try XCTUnwrap(saved), source: "saved")
        XCTAssertEqual(second.resumeState?.epoch, stopAfter)
        var resumedBest: (Int, [Float])?
        second.bestTestStateObserver = { resumedBest = ($0, $1) }
        var resumedValidation: (Int, [Float])?
        second.validationStateObserver = { resumedValidation = ($0, $1) }
        var resumedFinal: [Float] = []
        var trainedEpochs: [Int] = []
        let resumed = try second.run(data, progress: { trainedEpochs.append($0.epoch) }, finished: { resumedFinal = $0.exportState() })
        XCTAssertEqual(trainedEpochs, Array((stopAfter + 1)...epochs), "only the epochs after the state are trained")
        XCTAssertEqual(resumed.finalLogits, uninterrupted.finalLogits)
        XCTAssertEqual(resumed.bestTestLogits, uninterrupted.bestTestLogits)
        XCTAssertEqual(resumed.bestTestEpoch, uninterrupted.bestTestEpoch)
        XCTAssertEqual(resumed.epochs.map(\.trainLoss), uninterrupted.epochs.map(\.trainLoss))
        XCTAssertEqual(resumed.epochs.map(\.testLoss), uninterrupted.epochs.map(\.testLoss))
        XCTAssertEqual(resumedFinal, wholeFinal, "parameters, running statistics and counters")
        XCTAssertEqual(resumedBest?.0, wholeBest?.0)
        XCTAssertEqual(resumedBest?.1, wholeBest?.1)
        XCTAssertNotNil(uninterrupted.validationEpoch)
        XCTAssertEqual(resumed.validationEpoch, uninterrupted.validationEpoch)
        XCTAssertEqual(resumed.validationLogits, uninterrupted.validationLogits)
        XCTAssertEqual(resumedValidation?.0, uninterrupted.validationEpoch)
        XCTAssertEqual(resumedValidation?.0, wholeValidation?.0)
        XCTAssertEqual(resumedValidation?.1, wholeValidation?.1)
        // The saved validation choice is the one the resumed fold goes on from: an unbeatable saved
        // choice (accuracy 2) stays the validation-selected epoch, with its logits and model state.
        var forced = try XCTUnwrap(second.resumeState)
        XCTAssertTrue((1...stopAfter).contains(forced.validation.epoch), "the state carries the choice so far")
        forced.validation = ValidationChoice(epoch: stopAfter, accuracy: 2, testLogits: [[7, 7, 7]])
        forced.validationState = [Float](repeating: 3, count: wholeFinal.count)
        var third = trainer()
        third.resumeState = forced
        var thirdValidation: (Int, [Float])?
        third.validationStateObserver = { thirdValidation = ($0, $1) }
        let kept = try third.run(data)
        XCTAssertEqual(kept.validationEpoch, stopAfter)
        XCTAssertEqual(kept.validationLogits, [[7, 7, 7]])
        XCTAssertEqual(thirdValidation?.0, stopAfter)
        XCTAssertEqual(thirdValidation?.1, forced.validationState)
        XCTAssertNotEqual(uninterrupted.finalLogits, [], "the fold trained")
    }

    func testAResumedSGDFoldIsBitIdenticalToAnUninterruptedOne() throws {
        try checkResumeIsBitIdentical(optimizer: .sgd(momentum: 0.9), epochs: 3, stopAfter: 1)
    }

    func testAResumedAdamFoldIsBitIdenticalToAnUninterruptedOne() throws {
        try checkResumeIsBitIdentical(optimizer: .adam, epochs: 2, stopAfter: 1)
    }

    func testAStateOfAnotherOptimizerIsRefused() throws {
        let set = FoldProductsData.tinySet(count: 4, seed: 1)
        let data = FoldData(trainInputs: set.inputs, trainLabels: set.labels, testInputs: set.inputs, testLabels: set.labels)
        var trainer = DDAMFNFoldTrainer(config: config, settings: DDAMFNTrainingSettings(epochs: 2, batchSize: 4, optimizer: .adam), seedKeys: [1])
        let n = DDAMFNModel(config: config, maxBatch: 1)
        trainer.resumeState = DDAMFNFoldState(epoch: 1, model: n.exportState(), optimizer: .sgd(step: 1, velocity: n.parameters.array),
                                              records: [EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0, testLoss: 1, testAccuracy: 0, seconds: 0)],
                                              bestEpoch: 1, bestAccuracy: 0, bestLogits: [], finalLogits: [])
        XCTAssertThrowsError(try trainer.run(data)) { XCTAssertTrue("\($0)".contains("saved with optimizer sgd, this task trains with adam"), "\($0)") }
    }

    func testAStartingStateKeepsTheTensorsDrawnFresh() throws {
        let source = trainedLikeModel(seed: 11)
        let net = DDAMFNModel(config: config, maxBatch: 1)
        var rng = DeterministicRNG(seed: 12)
        net.initialise(rng: &rng)
        let drawn = net.exportState()
        let fresh: Set<String> = ["fc.weight", "fc.bias", "bn.running_mean", "bn.num_batches_tracked"]
        try DDAMFNStartingState(state: source.exportState(), drawnFresh: fresh).apply(to: net)
        let now = net.exportState(), from = source.exportState()
        for e in DDAMFNStateLayout(table: net.table).entries {
            let want = fresh.contains(e.name) ? drawn : from
            XCTAssertEqual(Array(now[e.offset..<(e.offset + e.count)]), Array(want[e.offset..<(e.offset + e.count)]), e.name)
        }
        XCTAssertThrowsError(try DDAMFNStartingState(state: [1, 2]).apply(to: net)) { XCTAssertTrue("\($0)".contains("starting weights of 2 values"), "\($0)") }
    }
}

enum FoldProductsData {
    /// 3 classes, each a bright square in its own place on a grey 28x28 BGR image with per-sample
    /// Gaussian noise of standard deviation `noise`.
    static func tinySet(count: Int, seed: UInt64, noise: Float = 20) -> (inputs: [Float], labels: [Int]) {
        var rng = DeterministicRNG(seed: seed)
        var inputs: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 3
            for _ in 0..<3 {
                for y in 0..<28 {
                    for x in 0..<28 {
                        let inside = y >= 4 && y < 14 && x >= 2 + 8 * label && x < 10 + 8 * label
                        inputs.append((inside ? 230 : 90) + noise * rng.normal())
                    }
                }
            }
            labels.append(label)
        }
        return (inputs, labels)
    }
}
