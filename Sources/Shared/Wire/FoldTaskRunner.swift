import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor

/// Trains one assigned fold on a background thread (BackgroundTraining), forwarding its epoch
/// records and, at the cadence asked for, its fold states.
public final class FoldTaskRunner: BackgroundTraining<EpochRecord, Result<TaskResult, TaskFailure>> {
    public let assignment: TaskAssignment
    /// When the fold's state is handed to `takeStates` (the coordinator keeps it for a resume).
    public let stateCadence: FoldStateCadence

    public init(assignment: TaskAssignment, stateCadence: FoldStateCadence = FoldStateCadence()) {
        self.assignment = assignment
        self.stateCadence = stateCadence
    }

    /// Starts training; `worker` is the "host:rank" name the result carries.
    public func start(dataset: ComposedDataset, worker: String) {
        launch { [self] in
            FoldTaskRunner.train(assignment, dataset: dataset, worker: worker, stateCadence: stateCadence,
                                 saveState: { self.save($0) }, shouldStop: { self.isCancelled }, progress: { self.report($0) })
        }
    }

    /// Slices the fold out of the dataset, checks it, and trains. Bad data and divergence come back as
    /// a `TaskFailure`, never as a crash.
    static func train(_ a: TaskAssignment, dataset: ComposedDataset, worker: String,
                      stateCadence: FoldStateCadence = FoldStateCadence(), saveState: @escaping (FoldStateUpload) -> Void = { _ in },
                      shouldStop: @escaping () -> Bool = { false },
                      progress: @escaping (EpochRecord) -> Void) -> Result<TaskResult, TaskFailure> {
        func failure(_ message: String) -> Result<TaskResult, TaskFailure> {
            .failure(TaskFailure(taskID: a.taskID, worker: worker, message: message))
        }
        let start = Date()
        if let problem = indexProblem(a, dataset: dataset) { return failure(problem) }
        if let config = a.ddamfn {
            return DDAMFNTaskTraining.train(a, config: config, dataset: dataset, worker: worker, stateCadence: stateCadence,
                                            saveState: saveState, shouldStop: shouldStop, progress: progress)
        }
        let data: FoldData
        switch foldData(a, dataset: dataset) {
        case let .success(d): data = d
        case let .failure(problem): return failure(problem.message)
        }
        let prepared = Date()
        do {
            var trainer = FoldTrainer(model: a.model, training: a.training, seedKeys: a.seedKeys, start: a.start)
            trainer.shouldStop = shouldStop
            // The selected epoch's weights (keep: checkpoints under best-test-epoch or validation) are not
            // part of a fold state: such a fold starts over, which gives the same results, only later.
            if !a.resumeState.isEmpty && a.returnedWeights.selected == nil {
                trainer.resumeState = try FoldState.decode(Data(a.resumeState), source: "the saved fold state of \(a.taskID)")
            }
            if stateCadence.isEnabled {
                trainer.stateCadence = stateCadence
                trainer.stateObserver = { state in
                    do { saveState(FoldStateUpload(taskID: a.taskID, epoch: state.epoch, state: Array(try state.encoded()))) } catch {
                        // Not fatal: the fold goes on and only loses this save point.
                    }
                }
            }
            trainer.initialParameters = a.initialParameters
            trainer.freshSlots = Set(a.freshSlots)
            // The selected epoch's weights, copied whenever an epoch becomes the selected one.
            var selectedWeights: [Float] = []
            let keepSelected: (Int, UnsafePointer<Float>) -> Void = { _, p in
                if selectedWeights.isEmpty { selectedWeights = [Float](repeating: 0, count: parameterCount(a, dataset: dataset)) }
                selectedWeights.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: p, count: $0.count) }
            }
            switch a.returnedWeights.selected {
            case .bestTestEpoch: trainer.bestTestWeightsObserver = keepSelected
            case .validation: trainer.validationWeightsObserver = keepSelected
            case .final, nil: break
            }
            var final: FinalEvaluation?
            var finalWeights: [Float] = []
            let outcome = try trainer.run(data, progress: progress, finished: { net in
                final = trainer.finalEvaluation(net, data: data)
                if a.returnedWeights != .none {
                    finalWeights = Array(UnsafeBufferPointer(start: net.parameters.pointer, count: net.layout.count))
                }
            })
            let selected = a.returnedWeights.selected.map { rule in
                TrainedWeights(selection: rule, epoch: rule == .validation ? (outcome.validationEpoch ?? outcome.epochs.count) : outcome.bestTestEpoch,
                               parameters: selectedWeights)
            }
            return result(a, worker: worker, outcome: outcome, final: final, finalWeights: finalWeights, selectedWeights: selected,
                          trainSeconds: Date().timeIntervalSince(prepared), prepareSeconds: prepared.timeIntervalSince(start))
        } catch {
            return failure("\(error)")
        }
    }

    /// Values in an HTNet task's parameter buffer: the reference layout, plus the fusion's parameters
    /// when the model fuses the dataset's handcrafted features.
    static func parameterCount(_ a: TaskAssignment, dataset: ComposedDataset) -> Int {
        let fusion = a.model.fusionSpec(featureCount: a.model.usesFeatures ? dataset.handcrafted?.count ?? 0 : 0)
        return ParameterLayout(config: a.model, head: a.training.head, fusion: fusion).count
    }

    /// A sample index outside the dataset, or an empty training or test set; nil when the indices are sound.
    static func indexProblem(_ a: TaskAssignment, dataset: ComposedDataset) -> String? {
        let n = dataset.samples.count
        if let bad = (a.trainIndices + a.testIndices + a.validationIndices).first(where: { $0 < 0 || $0 >= n }) {
            return "bad data: sample index \(bad) outside the dataset's \(n) samples"
        }
        if a.trainIndices.isEmpty || a.testIndices.isEmpty {
            return "bad data: \(a.trainIndices.count) training and \(a.testIndices.count) test samples"
        }
        return nil
    }

    struct Problem: Error { let message: String }

    /// An HTNet task's fold sliced out of the dataset and checked (input size, labels, finite inputs,
    /// returned weights that fit one message); the indices must have passed `indexProblem`.
    static func foldData(_ a: TaskAssignment, dataset: ComposedDataset) -> Result<FoldData, Problem> {
        func failure(_ message: String) -> Result<FoldData, Problem> { .failure(Problem(message: message)) }
        let expected = a.model.channels * a.model.imageSize * a.model.imageSize
        if dataset.sampleSize != expected {
            return failure("bad data: samples have \(dataset.sampleSize) values, the model expects \(expected)")
        }
        let labels = dataset.labels
        if let bad = (a.trainIndices + a.testIndices + a.validationIndices).first(where: { labels[$0] < 0 || labels[$0] >= a.model.numClasses }) {
            return failure("bad data: sample \(dataset.samples[bad].id) has label \(labels[bad]), the model has \(a.model.numClasses) classes")
        }
        // Returned weights travel in the result message (at most MPICommunicator.maximumMessageBytes):
        // refuse before training, not after hours of it, what would not fit (the paper's configuration, 140 M parameters, needs 1.1 GB for two sets).
        if a.returnedWeights != .none {
            let sets = a.returnedWeights.setCount
            let bytes = parameterCount(a, dataset: dataset) * 4 * sets
            if bytes > MPICommunicator.maximumMessageBytes - (64 << 20) {
                return failure("keep: checkpoints: \(sets) weight set(s) of this model need \(bytes >> 20) MiB, more than one MPI message holds (2 GiB)")
            }
        }
        // Input noise is keyed by the sample's name, so every variant, seed and worker sees the same noise.
        var data = FoldData(trainInputs: dataset.inputs(at: a.trainIndices), trainLabels: a.trainIndices.map { labels[$0] },
                            testInputs: dataset.inputs(at: a.testIndices), testLabels: a.testIndices.map { labels[$0] },
                            testSampleKeys: a.testIndices.map { stableHash(dataset.samples[$0].id) },
                            validationInputs: dataset.inputs(at: a.validationIndices),
                            validationLabels: a.validationIndices.map { labels[$0] })
        if a.model.usesFeatures {
            guard let features = dataset.handcrafted else {
                return failure("bad data: model.fusion \(a.model.fusion!.rawValue) needs handcrafted features, the dataset has none (dataset.features)")
            }
            (data.trainFeatures, data.testFeatures, data.validationFeatures)
                = foldFeatures(features, trainIndices: a.trainIndices, testIndices: a.testIndices, validationIndices: a.validationIndices)
        }
        if let i = data.trainInputs.firstIndex(where: { !$0.isFinite }) ?? data.testInputs.firstIndex(where: { !$0.isFinite }) {
            return failure("bad data: a non-finite input value (flat index \(i))")
        }
        return .success(data)
    }

    /// The task's result from its trained outcome: refused when the test logits are not finite.
    static func result(_ a: TaskAssignment, worker: String, outcome: FoldOutcome, final: FinalEvaluation?, finalWeights: [Float],
                       selectedWeights: TrainedWeights?, trainSeconds: Double, prepareSeconds: Double) -> Result<TaskResult, TaskFailure> {
        var weights: [TrainedWeights] = []
        if a.returnedWeights != .none {
            weights.append(TrainedWeights(selection: .final, epoch: outcome.epochs.count, parameters: finalWeights))
        }
        if a.returnedWeights.selected != nil, let selectedWeights { weights.append(selectedWeights) }
        if let row = (outcome.finalLogits + outcome.bestTestLogits + (outcome.validationLogits ?? [])).first(where: { $0.contains { !$0.isFinite } }) {
            return .failure(TaskFailure(taskID: a.taskID, worker: worker, message: "training diverged: non-finite test logits \(row)"))
        }
        return .success(TaskResult(taskID: a.taskID, worker: worker, outcome: outcome, trainSeconds: trainSeconds,
                                   prepareSeconds: prepareSeconds, embeddings: final?.embeddings ?? [],
                                   noisyScores: final?.noisyScores.map(\.scores) ?? [], weights: weights))
    }

    /// A fold's handcrafted features, z-scored with the statistics of its training samples only
    /// (FeatureStandardisation), so nothing about the test subject reaches training.
    /// Standardised with the training samples' statistics only (the validation and test samples are
    /// never part of them).
    static func foldFeatures(_ features: HandcraftedFeatures, trainIndices: [Int], testIndices: [Int],
                             validationIndices: [Int] = []) -> (train: [Float], test: [Float], validation: [Float]) {
        let train = features.rows(at: trainIndices)
        let standardisation = FeatureStandardisation(rows: train, columns: features.count)
        return (standardisation.apply(train), standardisation.apply(features.rows(at: testIndices)),
                standardisation.apply(features.rows(at: validationIndices)))
    }
}
