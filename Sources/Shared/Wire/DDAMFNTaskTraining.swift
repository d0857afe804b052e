import DDAMFN
import Dataset
import FoldResults
import Foundation
import HTNet

/// The worker's side of a `model.arch: ddamfn` task: the experiment's training keys mapped onto
/// DDAMFN's settings, the fold sliced from the dataset (any square 3-channel image; DDAMFNInput
/// resizes and normalises it per batch, so the dataset stays at its own size in memory).
enum DDAMFNTaskTraining {
    static func settings(_ t: TrainingConfig) -> DDAMFNTrainingSettings {
        let augment = t.faceAugment ?? FaceAugmentation()
        let optimizer: DDAMFNTrainingSettings.Optimizer = (t.optimizer ?? .sgd) == .adam ? .adam : .sgd(momentum: Float(t.momentum ?? 0.9))
        return DDAMFNTrainingSettings(epochs: t.epochs, batchSize: t.batchSize, learningRate: t.learningRate, optimizer: optimizer,
                                      weightDecay: Float(t.weightDecay ?? 1e-4), attentionWeight: Float(t.attentionWeight ?? 0.1),
                                      shuffle: t.order == .shuffle,
                                      augmentation: DDAMFNAugmentation(crop: augment.crop, flip: augment.flip, erasing: augment.erasing))
    }

    static func train(_ a: TaskAssignment, config: DDAMFNConfig, dataset: ComposedDataset, worker: String,
                      stateCadence: FoldStateCadence = FoldStateCadence(), saveState: @escaping (FoldStateUpload) -> Void = { _ in },
                      shouldStop: @escaping () -> Bool, progress: @escaping (EpochRecord) -> Void) -> Result<TaskResult, TaskFailure> {
        func failure(_ message: String) -> Result<TaskResult, TaskFailure> {
            .failure(TaskFailure(taskID: a.taskID, worker: worker, message: message))
        }
        let start = Date()
        if dataset.channels != 3 {
            return failure("bad data: DDAMFN takes 3-channel images, the dataset has \(dataset.channels) channels")
        }
        if let problem = DDAMFNTaskProducts.sizeProblem(a, config: config) { return failure(problem) }
        let labels = dataset.labels
        if let bad = (a.trainIndices + a.testIndices + a.validationIndices).first(where: { labels[$0] < 0 || labels[$0] >= config.classes }) {
            return failure("bad data: sample \(dataset.samples[bad].id) has label \(labels[bad]), the model has \(config.classes) classes")
        }
        let data = foldData(a, dataset: dataset, classes: config.classes)   // label noise, validation set: DDAMFNTaskStudies
        if let i = data.testInputs.firstIndex(where: { !$0.isFinite }) {
            return failure("bad data: a non-finite test input value (flat index \(i))")
        }
        let prepared = Date()
        do {
            var trainer = DDAMFNFoldTrainer(config: config, settings: settings(a.training), seedKeys: a.seedKeys)
            trainer.shouldStop = shouldStop
            let returned = try DDAMFNTaskProducts.configure(&trainer, a, stateCadence: stateCadence, saveState: saveState)
            var final: FinalEvaluation?
            let outcome = try trainer.run(data, progress: progress, finished: { net in
                if a.returnedWeights != .none { returned.final = net.exportState() }
                final = finalEvaluation(net, data: data, training: a.training)
            })
            if let row = (outcome.finalLogits + outcome.bestTestLogits + (outcome.validationLogits ?? [])).first(where: { $0.contains { !$0.isFinite } }) {
                return failure("training diverged: non-finite test logits \(row)")
            }
            return .success(TaskResult(taskID: a.taskID, worker: worker, outcome: outcome,
                                       trainSeconds: Date().timeIntervalSince(prepared),
                                       prepareSeconds: prepared.timeIntervalSince(start),
                                       embeddings: final?.embeddings ?? [], noisyScores: final?.noisyScores.map(\.scores) ?? [],
                                       weights: returned.weights(a, outcome: outcome)))
        } catch {
            return failure("\(error)")
        }
    }
}
