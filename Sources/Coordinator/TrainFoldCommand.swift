import ArgumentParser
import CommandLineConventions
import Dataset
import Evaluation
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Tensor
import Wire

/// One LOSO fold without MPI: the quickest way to see the engine learn on real or synthetic data.
struct TrainFoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-fold",
        abstract: "Train HTNet on one leave-one-subject-out fold and write its predictions.",
        discussion: """
        Example:
          coordinator train-fold --data ../shared/data/composite --test-subject sub01 \\
              --dim 32 --epochs 20 --batch 64 --lr 1e-4 --out sub01.csv
        """)

    @OptionGroup var options: FoldTrainingOptions
    @Option(help: "The held-out subject (the fold key).")
    var testSubject: String
    @Option(help: "Initial weights: torch (torch.manual_seed(seed); HTNet(...), bit for bit) or splitmix (our stream, keyed by seed and subject).")
    var initRNG: InitialisationRNG = .splitmix
    @Option(help: "Start from these weights (safetensors with reference parameter names, plain as a --checkpoint writes them or `param.<name>` as in the reference fixtures) instead of drawing them.")
    var `init`: String?
    @Option(help: "Write the per-epoch training loss and test logits to this safetensors file (train_loss [epochs] f64, test_logits [epochs, n, classes] f32, test_labels).")
    var trajectory: String?
    @OptionGroup var model: ModelOptions
    @Option(help: "Threads (default: all cores); results do not depend on it.")
    var threads: Int?
    @Option(help: "Write per-sample predictions (final and best-test-epoch) to this CSV.")
    var out: String?
    @Option(help: "Write the final weights to this safetensors file (reference parameter names).")
    var checkpoint: String?

    func validate() throws {
        try NumericFlag.atLeast(threads, 1, flag: "--threads")
    }

    func run() throws {
        BLAS.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let dataset = try ComposedDataset.open(path: options.data, options: LoadOptions(crop: options.crop))
        let test = dataset.indices(ofSubject: testSubject)
        guard !test.isEmpty else {
            throw ValidationError("subject '\(testSubject)' has no samples in \(options.data); subjects: \(dataset.subjects.joined(separator: ", "))")
        }
        let testSet = Set(test)
        let train = dataset.samples.indices.filter { !testSet.contains($0) }
        let config = try model.config(classes: dataset.classNames.count)
        let training = options.trainingConfig(initRNG: initRNG)
        let fold = FoldData(trainInputs: dataset.inputs(at: train), trainLabels: train.map { dataset.samples[$0].label },
                            testInputs: dataset.inputs(at: test), testLabels: test.map { dataset.samples[$0].label })
        print("train-fold: \(testSubject) held out (\(test.count) test / \(train.count) train samples), " +
              "dim \(config.dim), repeats \(config.blockRepeats), \(options.epochs) epochs, batch \(options.batch), lr \(options.lr), \(BLAS.threads) threads")
        print("epoch  train_loss  train_acc  test_loss  test_acc  seconds  eta")
        let estimate = ProgressEstimate(total: options.epochs)
        let keys = [UInt64(options.seed), stableHash("train-fold"), stableHash(testSubject)]
        var trainer = FoldTrainer(model: config, training: training, seedKeys: keys,
                                  start: initRNG == .torch ? .torch(seed: UInt64(options.seed)) : nil)
        if let path = `init` {
            let file = try SafeTensorsFile.read(path: path), layout = ParameterLayout(config: config)
            // A checkpoint names parameters plainly; a reference fixture as `param.<name>`.
            let prefix = file.tensors[layout.slots[0].name] == nil && file.tensors["param." + layout.slots[0].name] != nil ? "param." : ""
            trainer.initialParameters = try Checkpoint.parameters(file, prefix: prefix, layout: layout, source: path)
            print("initial weights: \(path)")
        } else {
            print("initial weights: \(trainer.start.description); order: \(options.order.reportLabel)")
        }
        var epochLogits: [[[Float]]] = []
        if trajectory != nil { trainer.testLogitsObserver = { _, logits in epochLogits.append(logits) } }
        var lastModel: HTNetModel?
        let outcome = try trainer.run(fold, progress: { r in
            print(String(format: "%5d  %10.4f  %9.3f  %9.4f  %8.3f  %7.2f  ", r.epoch, r.trainLoss, r.trainAccuracy,
                         r.testLoss, r.testAccuracy, r.seconds) + ProgressEstimate.duration(estimate.secondsLeft(completed: r.epoch) ?? 0))
            fflush(stdout)
        }, finished: { lastModel = $0 })
        print("final epoch: test accuracy \(format(outcome.epochs.last!.testAccuracy))")
        print("best-test-epoch (reference protocol, optimistic): epoch \(outcome.bestTestEpoch), " +
              "test accuracy \(format(outcome.epochs[outcome.bestTestEpoch - 1].testAccuracy))")
        if let out {
            try writePredictions(outcome, dataset: dataset, test: test, to: out)
            print("predictions: \(out)")
        }
        if let trajectory {
            var file = SafeTensorsFile(metadata: ["test_subject": testSubject, "order": options.order.rawValue,
                                                  "start": `init` ?? trainer.start.description])
            let n = test.count, classes = config.numClasses
            file.tensors["train_loss"] = StoredTensor(dtype: .f64, shape: [outcome.epochs.count],
                                                     bytes: outcome.epochs.map(\.trainLoss).withUnsafeBufferPointer { Data(buffer: $0) })
            file.tensors["test_logits"] = StoredTensor(Tensor(shape: [epochLogits.count, n, classes], data: epochLogits.flatMap { $0.flatMap { $0 } }))
            file.tensors["test_labels"] = StoredTensor(int64: test.map { Int64(dataset.samples[$0].label) }, shape: [n])
            try file.write(path: trajectory)
            print("trajectory: \(trajectory)")
        }
        if let checkpoint, let net = lastModel {
            try Checkpoint.save(net, to: checkpoint, metadata: ["test_subject": testSubject, "epochs": String(options.epochs)])
            print("checkpoint: \(checkpoint)")
        }
    }

    private func format(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Writes the project's predictions.csv format (the one reports write and `compare` reads): run
    /// "train-fold", variant "train-fold", this seed, the held-out subject as the fold; the final
    /// epoch's rows first, then the best-test-epoch rows, each labelled in the selection column.
    private func writePredictions(_ outcome: FoldOutcome, dataset: ComposedDataset, test: [Int], to path: String) throws {
        func rows(_ logits: [[Float]]) -> [PredictionRow] {
            test.enumerated().map { row, index in
                let s = dataset.samples[index]
                let l = logits[row]
                let pred = l.indices.max { l[$0] < l[$1] || (l[$0] == l[$1] && $0 > $1) }!
                return PredictionRow(variant: "train-fold", seed: options.seed, fold: testSubject, subject: s.subject,
                                     dataset: s.dataset, sample: s.id, label: s.label, pred: pred, logits: l)
            }
        }
        let record = RunRecord(experimentName: "train-fold", configuration: "", selection: .final,
                               softwareVersion: SoftwareVersion.description, classNames: dataset.classNames, hosts: [],
                               wallSeconds: 0, rows: rows(outcome.finalLogits), alternateSelection: .bestTestEpoch,
                               alternateRows: rows(outcome.bestTestLogits), curves: [])
        try OutputFile.write(PredictionsCSV.render(record), to: path)
    }
}
