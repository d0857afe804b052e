import ArgumentParser
import CUDABackend
import CommandLineConventions
import Dataset
import Evaluation
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Tensor

/// Every LOSO fold of one seed trained together as fold batches (docs/GPU.md), on the CPU or a GPU,
/// without MPI: the GPU's unit of work, and how its speed and results are measured against the CPU.
/// Each fold uses train-fold's random streams, so on the CPU every fold gives exactly what
/// `train-fold --test-subject S` gives.
struct TrainSeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-seed",
        abstract: "Train every leave-one-subject-out fold of one seed as fold batches (CPU or CUDA); print pooled UF1/UAR and the wall time.",
        discussion: """
        Example:
          coordinator train-seed --data ../shared/data/composite --dim 64 --epochs 100 --device cuda
        """)

    @OptionGroup var options: FoldTrainingOptions
    @OptionGroup var model: ModelOptions
    @Option(help: "cpu, or cuda / cuda:N.")
    var device = "cpu"
    @Option(parsing: .unconditional, help: "Folds per fold batch (default: all folds in one batch); lower it when the GPU's memory is short.")
    var bundle: Int?
    @Option(help: "Only the first N subjects' folds (a quick check).")
    var subjects: Int?
    @Option(help: "CPU threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        try NumericFlag.atLeast(bundle, 1, flag: "--bundle")
        try NumericFlag.atLeast(subjects, 1, flag: "--subjects")
        try NumericFlag.atLeast(threads, 1, flag: "--threads")
        do { _ = try ComputeDevice(parsing: device) } catch { throw ValidationError("--device: \(error)") }
        if options.loss.isMetric { throw ValidationError("--loss: train-seed trains the classifier head (cross-entropy or weighted-cross-entropy)") }
    }

    func run() throws {
        BLAS.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let target = try ComputeDevice(parsing: device)
        var kernelDevice: CUDADevice?
        if case let .cuda(ordinal) = target {
            do { kernelDevice = try CUDADevice(ordinal: ordinal) } catch { throw DeviceUnavailable(device: device, reason: error) }
        }
        let dataset = try ComposedDataset.open(path: options.data, options: LoadOptions(crop: options.crop))
        let config = try model.config(classes: dataset.classNames.count)
        let training = options.trainingConfig()
        let folds = Array(dataset.subjects.prefix(subjects ?? dataset.subjects.count))
        let members: [FoldBatchTrainer.Member] = folds.map { subject in
            let test = dataset.indices(ofSubject: subject), testSet = Set(test)
            let train = dataset.samples.indices.filter { !testSet.contains($0) }
            let keys = [UInt64(options.seed), stableHash("train-fold"), stableHash(subject)]
            return .init(trainer: FoldTrainer(model: config, training: training, seedKeys: keys),
                         data: FoldData(trainInputs: dataset.inputs(at: train), trainLabels: train.map { dataset.samples[$0].label },
                                        testInputs: dataset.inputs(at: test), testLabels: test.map { dataset.samples[$0].label }))
        }
        let size = bundle ?? members.count
        print("train-seed: \(members.count) folds, dim \(config.dim), repeats \(config.blockRepeats), \(options.epochs) epochs, batch \(options.batch), lr \(options.lr), " +
              "fold batches of \(size), device \(kernelDevice?.description ?? "cpu (\(BLAS.threads) threads)")")
        let started = Date()
        var labels: [Int] = [], predictions: [Int] = []
        for start in stride(from: 0, to: members.count, by: size) {
            let part = Array(members[start..<min(members.count, start + size)])
            let batchStarted = Date()
            let outcomes: [Result<FoldOutcome, Error>]
            if let kernelDevice {
                outcomes = try CUDAFoldBatchTrainer(members: part, device: kernelDevice).run().outcomes
            } else {
                outcomes = try FoldBatchTrainer(members: part).run()
            }
            for (i, result) in outcomes.enumerated() {
                let subject = folds[start + i], m = part[i]
                switch result {
                case let .failure(error): print("  \(subject): \(error)")
                case let .success(outcome):
                    let last = outcome.epochs.last!
                    let predicted = outcome.finalLogits.map { l in l.indices.max { l[$0] < l[$1] || (l[$0] == l[$1] && $0 > $1) }! }
                    labels += m.data.testLabels
                    predictions += predicted
                    print(String(format: "  %@: %d test / %d train, final train loss %.4f, test accuracy %.3f",
                                 subject, m.data.testLabels.count, m.data.trainLabels.count, last.trainLoss, last.testAccuracy))
                }
            }
            print(String(format: "fold batch of %d: %.1f s", part.count, Date().timeIntervalSince(batchStarted)))
        }
        let scores = ClassificationScores(labels: labels, predictions: predictions, classCount: config.numClasses)
        print(String(format: "pooled final-epoch predictions (%d samples): UF1 %.4f, UAR %.4f, accuracy %.4f", scores.samples,
                     scores.uf1 ?? .nan, scores.uar ?? .nan, scores.accuracy ?? .nan))
        print(String(format: "wall time: %.1f s", Date().timeIntervalSince(started)))
    }
}
