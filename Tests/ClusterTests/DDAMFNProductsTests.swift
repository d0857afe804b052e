import DDAMFN
import Dataset
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Tensor
import TestSupport
import TrainedModels
import XCTest
@testable import Coordination
@testable import Wire

/// DDAMFN models as products, end to end in-process: a run with `keep: checkpoints` keeps every fold's
/// final and best-test-epoch model under DDAMN's state-dict names with its metadata; `predict
/// --per-fold` reproduces the run's predictions.csv bit for bit under both epoch rules; `--resume`
/// counts a task done only with its checkpoints; `init_from` fine-tunes a kept model into another
/// class count; a worker's fold state, kept by the coordinator and handed back, resumes the fold
/// bit-identically.
final class DDAMFNProductsTests: CoordinatorCommandTestCase {
    static let experimentText = """
        name: fer-products
        dataset: {source: synthetic-fer, seed: 1, subjects: 3, samples: 5}
        classes: [anger, happiness, surprise]
        protocol: {kfold: 3}
        seeds: [1]
        model: {arch: ddamfn, num_heads: 2, conv4_blocks: 0}
        training: {order: shuffle, epochs: 2, batch_size: 4}
        epoch_selection: best-test-epoch
        keep: checkpoints
        """

    /// predictions.csv's header and the lines of one epoch rule.
    private func lines(_ path: String, selection: String) throws -> [String] {
        let all = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        return [all[0]] + all.dropFirst().filter { $0.split(separator: ",")[1] == selection }
    }

    func testKeptDDAMFNModelsPredictTheRunsOwnLogitsResumeAndFineTune() throws {
        try Self.experimentText.write(toFile: directory + "/fer.yaml", atomically: true, encoding: .utf8)
        let run = try coordinator(["run", "fer.yaml", "--out", "out", "--threads", "1", "--fold-state-every", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out/fold-state"), "states of journalled tasks are removed")
        let journal = try JournalReader.read(path: directory + "/out/journal.jsonl")
        XCTAssertEqual(journal.tasks.count, 3)
        let store = KeptCheckpoints(runDirectory: directory + "/out")
        for (id, task) in journal.tasks {
            for selection in [EpochSelection.final, .bestTestEpoch] {
                let file = try SafeTensorsFile.read(path: store.path(taskID: id, selection: selection))
                let metadata = try XCTUnwrap(try CheckpointMetadata.read(file.metadata, source: id))
                XCTAssertEqual(metadata.model, .ddamfn(DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)))
                XCTAssertEqual(metadata.classNames, ["anger", "happiness", "surprise"])
                XCTAssertEqual(metadata.fold, task.fold)
                XCTAssertEqual(metadata.selection, selection)
                XCTAssertEqual(metadata.epoch, selection == .final ? 2 : task.bestTestEpoch)
                XCTAssertEqual(metadata.training.optimizer, .sgd)
                XCTAssertEqual(metadata.datasetSHA256, journal.plan?.datasetSHA256)
                XCTAssertEqual(Set(file.tensors.keys), Set(DDAMFNStateLayout(config: DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)).entries.map(\.name)))
                // 10 training samples in batches of 4, 4 and 2: three steps an epoch, and BN counts them.
                XCTAssertEqual(file["linear.bn.num_batches_tracked"]?.integers, [3 * metadata.epoch])
                XCTAssertEqual(file["features.1.bn.running_var"]?.shape, [64])
            }
        }
        for selection in ["final", "best-test-epoch"] {
            let predicted = try coordinator(["predict", "--run", "out", "--per-fold", "--epoch", selection, "--threads", "1", "--out", "\(selection).csv"])
            XCTAssertEqual(predicted.status, 0, predicted.output)
            let mine = try lines(directory + "/\(selection).csv", selection: selection)
            XCTAssertEqual(mine.count, 1 + 15)
            XCTAssertEqual(mine, try lines(directory + "/out/predictions.csv", selection: selection),
                           "\(selection): predict --per-fold gives the run's predictions.csv rows, logits bit for bit")
        }
        let ensemble = try coordinator(["predict", "--run", "out", "--out", "ensemble.csv"])
        XCTAssertEqual(ensemble.status, 0, ensemble.output)
        XCTAssertTrue(ensemble.output.contains("15 samples, 3 model(s) averaged by mean probability"), ensemble.output)
        // An HTNet configuration for a DDAMFN checkpoint is refused naming both.
        let mixed = try coordinator(["predict", "--checkpoint", "out/checkpoints/base/1/k1.safetensors", "--config", "{\"dim\": 8}", "--data", "x"])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertTrue(mixed.output.contains("architecture mismatch") && mixed.output.contains("DDAMFN: 2 heads") && mixed.output.contains("HTNet: dim 8"), mixed.output)

        // --resume: nothing to run while every checkpoint is there; a task whose checkpoint is gone runs again.
        let again = try coordinator(["run", "fer.yaml", "--out", "out", "--threads", "1", "--resume"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("3 already journalled, 0 to run"), again.output)
        try FileManager.default.removeItem(atPath: store.path(taskID: "base/1/k2", selection: .bestTestEpoch))
        let rerun = try coordinator(["run", "fer.yaml", "--out", "out", "--threads", "1", "--resume"])
        XCTAssertEqual(rerun.status, 0, rerun.output)
        XCTAssertTrue(rerun.output.contains("1 journalled task(s) lack their checkpoint"), rerun.output)
        XCTAssertTrue(store.isComplete(taskID: "base/1/k2", runSelection: .bestTestEpoch))

        // Fine-tuning into four classes: fc.* and the class-width bn drawn fresh, named in the log.
        try """
            name: fer-tuned
            dataset: {source: synthetic-fer, seed: 2, subjects: 2, samples: 6}
            classes: [anger, happiness, surprise, neutral]
            protocol: {kfold: 2}
            seeds: [1]
            model: {arch: ddamfn, num_heads: 2, conv4_blocks: 0}
            training: {epochs: 1, batch_size: 4, init_from: out/checkpoints/base/1/k1.safetensors}
            """.write(toFile: directory + "/tuned.yaml", atomically: true, encoding: .utf8)
        let tuned = try coordinator(["run", "tuned.yaml", "--out", "tuned", "--threads", "1"])
        XCTAssertEqual(tuned.status, 0, tuned.output)
        XCTAssertTrue(tuned.output.contains("starts from") && tuned.output.contains("fc.weight, fc.bias, bn.weight, bn.bias, bn.running_mean"), tuned.output)
        let tunedJournal = try JournalReader.read(path: directory + "/tuned/journal.jsonl")
        XCTAssertTrue(tunedJournal.tasks.values.allSatisfy { $0.samples.allSatisfy { $0.finalLogits.count == 4 } })
        // One head fewer than the checkpoint: refused before training, naming the tensor.
        try String(contentsOfFile: directory + "/tuned.yaml", encoding: .utf8).replacingOccurrences(of: "num_heads: 2", with: "num_heads: 1")
            .write(toFile: directory + "/wrong.yaml", atomically: true, encoding: .utf8)
        let wrong = try coordinator(["run", "wrong.yaml", "--out", "wrong", "--threads", "1"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.output.contains("cat_head1.") && wrong.output.contains("is not part of the model"), wrong.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/wrong/journal.jsonl"), "refused before any training")
    }

    /// The worker's runner saves a DDAMFN fold's state after epoch 1, the coordinator's store keeps it
    /// and hands it back with the assignment, and the resumed fold trains only epoch 2 to the same
    /// logits, curve and returned weights as the fold that never stopped.
    func testASavedDDAMFNFoldStateResumesBitIdentically() throws {
        let dataset = SyntheticFaceExpressions.generate(seed: 3, subjects: 3, samplesPerSubject: 4, side: 48, classNames: ["a", "b", "c"])
        let test = dataset.indices(ofSubject: dataset.subjects[0])
        let train = dataset.samples.indices.filter { !test.contains($0) }
        var a = TaskAssignment(taskID: "v/1/k1", model: HTNetConfig(numClasses: 3), training: TrainingConfig(epochs: 2, batchSize: 4),
                               seedKeys: [1, 2, 3, 4], trainIndices: train, testIndices: test)
        a.training.order = .shuffle
        a.ddamfn = DDAMFNConfig(classes: 3, heads: 1, conv4Blocks: 0)
        a.returnedWeights = .finalAndBestTestEpoch
        var uploads: [FoldStateUpload] = []
        guard case let .success(whole) = FoldTaskRunner.train(a, dataset: dataset, worker: "w", stateCadence: FoldStateCadence(everyEpochs: 1),
                                                             saveState: { uploads.append($0) }, progress: { _ in }) else {
            return XCTFail("the fold failed")
        }
        XCTAssertEqual(uploads.map(\.epoch), [1], "saved after epoch 1; the last epoch is never saved")
        XCTAssertEqual(whole.weights.map(\.selection), [.final, .bestTestEpoch])
        var logs: [String] = []
        let store = FoldStateStore(runDirectory: directory, log: { logs.append($0) })
        store.save(uploads[0], assignment: a)
        let resumedAssignment = store.resuming(a)
        XCTAssertFalse(resumedAssignment.resumeState.isEmpty)
        XCTAssertTrue(logs.contains { $0.contains("continuing from its saved state after epoch 1") }, "\(logs)")
        var epochs: [Int] = []
        guard case let .success(resumed) = FoldTaskRunner.train(resumedAssignment, dataset: dataset, worker: "w",
                                                               progress: { epochs.append($0.epoch) }) else {
            return XCTFail("the resumed fold failed")
        }
        XCTAssertEqual(epochs, [2])
        XCTAssertEqual(resumed.outcome.finalLogits, whole.outcome.finalLogits)
        XCTAssertEqual(resumed.outcome.bestTestLogits, whole.outcome.bestTestLogits)
        XCTAssertEqual(resumed.outcome.bestTestEpoch, whole.outcome.bestTestEpoch)
        XCTAssertEqual(resumed.outcome.epochs.map(\.trainLoss), whole.outcome.epochs.map(\.trainLoss))
        XCTAssertEqual(resumed.weights, whole.weights, "final and best-test-epoch states, running statistics included")
    }
}
