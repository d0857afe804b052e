import DDAMFN
import Dataset
import Evaluation
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

/// DDAMFN tasks in the studies with HTNet's conventions: the worker returns the final model's test
/// embeddings and noisy-input scores (noise on the stored image, keyed as HTNet's), trains on the
/// label-noise flips an HTNet task with the same keys makes, and selects the epoch on the inner
/// validation set; an in-process run with both architectures reports a map and noise rows per variant.
final class DDAMFNStudiesTaskTests: XCTestCase {
    /// 4 people x 5 synthetic face images at 28x28 (the size HTNet reads too), 3 classes.
    let dataset = SyntheticFaceExpressions.generate(seed: 3, subjects: 4, samplesPerSubject: 5, side: 28, classNames: ["a", "b", "c"])

    func assignment() -> TaskAssignment {
        var training = TrainingConfig(epochs: 2, batchSize: 4, learningRate: 0.01)
        training.noiseSNR = [SNRLevel(.infinity), SNRLevel(10), SNRLevel(0)]
        training.noiseSeed = 2
        training.labelNoise = 0.3
        var a = TaskAssignment(taskID: "ddamfn/1/k1", model: HTNetConfig(numClasses: 3), training: training, seedKeys: [3, 1, 4],
                               trainIndices: Array(0..<10), testIndices: Array(15..<20), validationIndices: Array(10..<15))
        a.ddamfn = DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0)
        return a
    }

    func testTheWorkerReturnsEmbeddingsNoisyScoresAndTheValidationEpoch() throws {
        let a = assignment()
        let result = try FoldTaskRunner.train(a, dataset: dataset, worker: "t:1", progress: { _ in }).get()
        XCTAssertEqual(result.embeddings.count, 5)
        XCTAssertTrue(result.embeddings.allSatisfy { $0.count == 512 && $0.allSatisfy(\.isFinite) })
        XCTAssertEqual(result.noisyScores.count, 3)
        XCTAssertEqual(result.noisyScores[0], result.outcome.finalLogits, "SNR inf is the clean final evaluation, bit for bit")
        XCTAssertNotEqual(result.noisyScores[2], result.outcome.finalLogits)
        let epoch = try XCTUnwrap(result.outcome.validationEpoch)
        XCTAssertTrue((1...2).contains(epoch))
        XCTAssertEqual(result.outcome.validationLogits?.count, 5)

        // The same task trained directly: the final model scores noise made by hand with HTNet's
        // convention on the stored 28x28 BGR images (before DDAMFN's resize), keyed by the sample names.
        let data = DDAMFNTaskTraining.foldData(a, dataset: dataset, classes: 3)
        let noisy = InputNoise.noisy(dataset.inputs(at: a.testIndices), sampleSize: 3 * 28 * 28, snrDB: 10,
                                     keys: [FoldTrainer.inputNoiseStream, 2], sampleKeys: a.testIndices.map { stableHash(dataset.samples[$0].id) })
        var byHand: [[Float]] = [], embeddings: [[Float]] = []
        let trainer = DDAMFNFoldTrainer(config: a.ddamfn!, settings: DDAMFNTaskTraining.settings(a.training), seedKeys: a.seedKeys)
        let direct = try trainer.run(data, finished: { net in
            byHand = DDAMFNFoldTrainer.forwardAll(net, inputs: noisy, inputSide: 28).scores
            embeddings = DDAMFNFoldTrainer.forwardAll(net, inputs: data.testInputs, inputSide: 28).embeddings
        })
        XCTAssertEqual(direct.finalLogits, result.outcome.finalLogits, "the task trains on foldData's (flipped) labels")
        XCTAssertEqual(result.noisyScores[1], byHand)
        XCTAssertEqual(result.embeddings, embeddings)
    }

    /// keep: checkpoints under epoch_selection: validation: the task returns the validation-selected
    /// epoch's whole state, and that state scores the test samples exactly as that epoch did.
    func testKeptCheckpointsUnderValidationReturnTheValidationEpochsState() throws {
        var a = assignment()
        a.returnedWeights = .finalAndValidation
        let result = try FoldTaskRunner.train(a, dataset: dataset, worker: "t:1", progress: { _ in }).get()
        XCTAssertEqual(result.weights.map(\.selection), [.final, .validation])
        let epoch = try XCTUnwrap(result.outcome.validationEpoch)
        XCTAssertEqual(result.weights[1].epoch, epoch)
        let net = DDAMFNModel(config: a.ddamfn!, maxBatch: DDAMFNFoldTrainer.evaluationBatch(trainCount: 10, testCount: 5, batchSize: 4))
        for (weights, logits) in [(result.weights[0], result.outcome.finalLogits), (result.weights[1], result.outcome.validationLogits!)] {
            net.importState(weights.parameters)
            XCTAssertEqual(DDAMFNInference.scores(net, inputs: dataset.inputs(at: a.testIndices), inputSide: 28), logits, "\(weights.selection)")
        }
    }

    /// HTNet trained with label_noise 0.3 equals HTNet trained on the DDAMFN task's labels without
    /// noise: the two architectures flip the same samples to the same classes for the same task.
    func testLabelNoiseFlipsWhatHTNetFlips() throws {
        let a = assignment()
        let clean = a.trainIndices.map { dataset.labels[$0] }
        let flipped = DDAMFNTaskTraining.foldData(a, dataset: dataset, classes: 3).trainLabels
        XCTAssertEqual(zip(clean, flipped).filter { $0 != $1 }.count, 3, "round(0.3 x 10) labels flipped")
        let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2, numClasses: 3)
        func htnet(labels: [Int], noise: Double) throws -> FoldOutcome {
            let training = TrainingConfig(epochs: 2, batchSize: 4, learningRate: 3e-3, labelNoise: noise)
            return try FoldTrainer(model: model, training: training, seedKeys: a.seedKeys)
                .run(FoldData(trainInputs: dataset.inputs(at: a.trainIndices), trainLabels: labels,
                              testInputs: dataset.inputs(at: a.testIndices), testLabels: a.testIndices.map { dataset.labels[$0] }))
        }
        let noisy = try htnet(labels: clean, noise: 0.3), given = try htnet(labels: flipped, noise: 0)
        XCTAssertEqual(noisy.finalLogits, given.finalLogits)
        XCTAssertEqual(noisy.epochs.map(\.trainLoss), given.epochs.map(\.trainLoss))
        XCTAssertNotEqual(try htnet(labels: clean, noise: 0).epochs.map(\.trainLoss), noisy.epochs.map(\.trainLoss))
    }

    /// An experiment with an HTNet and a DDAMFN variant, noise levels, label noise and validation
    /// selection, run in-process: one t-SNE map per variant at its own width, noise rows for both,
    /// validation-selected epochs for both.
    func testAnExperimentWithBothArchitecturesReportsMapsAndNoiseForEach() throws {
        let dir = try temporaryDirectory(self)
        try Self.experiment.write(toFile: dir + "/e.yaml", atomically: true, encoding: .utf8)
        var options = RunOptions(experimentPath: dir + "/e.yaml")
        options.out = dir + "/out"
        options.threads = 1
        var log: [String] = []
        XCTAssertEqual(CoordinatorSession(options: options, communicator: nil, log: { log.append($0) }).run(), 0, log.joined(separator: "\n"))
        let journal = try JournalReader.read(path: dir + "/out/journal.jsonl")
        let run = try JournalReader.runRecord(journal)
        let report = try RunReport(run)
        XCTAssertEqual(report.embeddingMaps.map(\.variant), ["htnet", "ddamfn"])
        XCTAssertEqual(report.embeddingMaps.map(\.dimensions), [32, 512])
        XCTAssertEqual(report.embeddingMaps[1].points.count, 24)
        XCTAssertEqual(run.noise.map(\.snrDB), [nil, 10])
        for level in run.noise { XCTAssertEqual(Set(level.rows.map(\.variant)), ["htnet", "ddamfn"]) }
        for task in journal.tasks.values where task.variant == "ddamfn" {
            XCTAssertNotNil(task.validationEpoch)
            for s in task.samples {
                XCTAssertEqual(s.noisyLogits?.first, s.finalLogits, "inf = clean for \(s.sample)")
                XCTAssertEqual(s.embedding.flatMap(PackedFloats.decode)?.count, 512)
            }
        }
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("ddamfn: t-SNE of test embeddings") && html.contains("htnet: t-SNE of test embeddings"))
        let csv = try String(contentsOfFile: dir + "/out/embeddings.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.filter { $0.contains(",ddamfn,") }.count, 24)
        // keep: checkpoints keeps each DDAMFN fold's final and validation-selected model.
        let kept = KeptCheckpoints(runDirectory: dir + "/out")
        for task in journal.tasks.values where task.variant == "ddamfn" {
            let file = try SafeTensorsFile.read(path: kept.path(taskID: task.id, selection: .validation))
            XCTAssertEqual(file.metadata["epoch"], task.validationEpoch.map(String.init), task.id)
            XCTAssertTrue(FileManager.default.fileExists(atPath: kept.path(taskID: task.id, selection: .final)))
        }
    }

    /// The experiment file takes the study keys for DDAMFN variants, with HTNet's checks; the planner
    /// gives DDAMFN tasks the inner validation set.
    func testExperimentFilesTakeTheStudyKeysForDDAMFN() throws {
        let e = try ExperimentFile.parse(Self.experiment, file: "studies.yaml")
        XCTAssertEqual(e.selection, .validation)
        let d = try XCTUnwrap(e.variants.first { $0.ddamfn != nil })
        XCTAssertEqual(d.training.noiseSNR, [SNRLevel(.infinity), SNRLevel(10)])
        XCTAssertEqual(d.training.labelNoise, 0.1)
        let tasks = LOSOPlanner.tasks(experiment: e, subjects: (1...6).map { "s\($0)" })
        XCTAssertTrue(tasks.filter { $0.variant.name == "ddamfn" }.allSatisfy { !$0.assignment.validationIndices.isEmpty })
        do {
            _ = try ExperimentFile.parse("""
                name: bad
                dataset: synthetic
                model: {arch: ddamfn}
                training: {label_noise: 1.5, noise_seed: -1, noise_snr_db: [10, 10]}
                """, file: "bad.yaml")
            XCTFail("accepted")
        } catch let error as ExperimentFileError {
            let p = error.problems.map { "\($0.field): \($0.message)" }
            XCTAssertTrue(p.contains("training.label_noise: 1.5 must be a fraction between 0 and 1"), "\(p)")
            XCTAssertTrue(p.contains("training.noise_seed: -1 must be a non-negative integer"), "\(p)")
            XCTAssertTrue(p.contains("training.noise_snr_db: repeats a level"), "\(p)")
        }
    }

    static let experiment = """
        name: ddamfn-studies
        dataset: {source: synthetic, seed: 4, subjects: 2, samples: 8}
        protocol: {kfold: 3, validation_fraction: 0.25}
        epoch_selection: validation
        keep: checkpoints
        seeds: [1]
        training: {order: shuffle, noise_snr_db: [inf, 10], noise_seed: 1, label_noise: 0.1}
        variants:
          - {name: htnet, model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}, training: {epochs: 2, batch_size: 16, lr: 0.002}}
          - {name: ddamfn, model: {arch: ddamfn, num_heads: 2, conv4_blocks: 0}, training: {epochs: 2, batch_size: 8, optimizer: adam, lr: 0.001}}
        """
}
