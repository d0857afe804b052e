import FoldResults
import Foundation
import Tensor

/// Trains a fresh HTNet on one fold and evaluates the test subject after every epoch, as the
/// reference does (Adam, mini-batches of `batchSize` in `training.order`).
/// The starting weights and the shuffle stream derive from the task's identity only (`start`,
/// `seedKeys`), so a task gives the same numbers whichever worker runs it.
public struct FoldTrainer {
    public let model: HTNetConfig
    public let training: TrainingConfig
    /// The task's keys; they seed `order: shuffle` (with the epoch).
    public let seedKeys: [UInt64]
    /// Where the model starts.
    public let start: StartingWeights
    /// Given weights (reference layout) that replace `start`, e.g. `train-fold --init CHECKPOINT`.
    public var initialParameters: [Float]?
    /// Slots of `initialParameters` drawn from `start` instead (fine-tuning into a head of another
    /// class count: the new head starts as a fresh model's would).
    public var freshSlots: Set<String> = []
    /// Sees the parameters (layout order) whenever an epoch becomes the best-test epoch, so a caller
    /// can keep that epoch's weights (`keep: checkpoints` under the best-test-epoch rule).
    public var bestTestWeightsObserver: ((Int, UnsafePointer<Float>) -> Void)?
    /// The same for the validation-selected epoch (`keep: checkpoints` under epoch_selection: validation).
    public var validationWeightsObserver: ((Int, UnsafePointer<Float>) -> Void)?
    /// Sees the test logits [testCount][classes] after each epoch (1-based), for trajectory dumps.
    public var testLogitsObserver: ((Int, [[Float]]) -> Void)?
    /// Asked before every step; `true` ends training with `FoldTrainingError.cancelled`, so a worker that
    /// must leave can wait for its training thread instead of exiting under it.
    public var shouldStop: (() -> Bool)?
    /// A saved state of this same task to continue from (its weights, optimiser and results so far).
    public var resumeState: FoldState?
    /// When to hand `stateObserver` a `FoldState` (never when nil or disabled).
    public var stateCadence = FoldStateCadence()
    public var stateObserver: ((FoldState) -> Void)?

    /// `start` defaults to today's per-task SplitMix64 draw from `seedKeys`.
    public init(model: HTNetConfig, training: TrainingConfig, seedKeys: [UInt64], start: StartingWeights? = nil) {
        self.model = model
        self.training = training
        self.seedKeys = seedKeys
        self.start = start ?? .splitmix(keys: seedKeys + [StartingWeights.initialisationStream])
    }

    static let shuffleStream: UInt64 = 2
    public static let labelNoiseStream: UInt64 = 5   // 1 and 3 seed the starting weights (StartingWeights), 2 the shuffle
    /// Per-sample augmentation draws (with the epoch and the sample's index in the fold) and the
    /// per-batch mixup draws (with the epoch and the batch's first position); 4 is the input noise.
    static let augmentationStream: UInt64 = 6
    static let mixupStream: UInt64 = 7

    /// The sample order of one epoch (indices into the fold's training samples).
    public static func epochOrder(_ order: TrainingOrder, labels: [Int], epoch: Int, seedKeys: [UInt64]) -> [Int] {
        switch order {
        case .csv: return Array(labels.indices)
        case .classGrouped:
            // Stable: each label's samples keep dataset order.
            return labels.indices.sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
        case .shuffle:
            var rng = DeterministicRNG(keys: seedKeys + [shuffleStream, UInt64(epoch)])
            var o = Array(labels.indices)
            o.shuffle(using: &rng)
            return o
        }
    }

    /// `progress` sees every epoch's record as it finishes; `finished` sees the trained model (for
    /// checkpoints) before it is released.
    public func run(_ data: FoldData, progress: (EpochRecord) -> Void = { _ in },
                    finished: (HTNetModel) -> Void = { _ in }) throws -> FoldOutcome {
        let sampleSize = model.channels * model.imageSize * model.imageSize
        let classes = model.numClasses
        try validate(data, sampleSize: sampleSize)
        let trainCount = data.trainLabels.count, testCount = data.testLabels.count
        let maxBatch = max(1, min(training.batchSize, max(trainCount, testCount)))
        let featureCount = data.featureCount
        let net = HTNetModel(config: model, head: training.head, fusion: model.fusionSpec(featureCount: featureCount), maxBatch: maxBatch)
        if let given = initialParameters {
            guard given.count == net.layout.count else {
                throw FoldTrainingError.badData("initial weights hold \(given.count) values, the model \(net.layout.count)")
            }
            if freshSlots.isEmpty {
                net.parameters.copy(from: given)
            } else {
                start.initialise(net)
                given.withUnsafeBufferPointer { src in
                    for slot in net.layout.slots where !freshSlots.contains(slot.name) {
                        (net.parameters.pointer + slot.offset).update(from: src.baseAddress! + slot.offset, count: slot.count)
                    }
                }
            }
        } else {
            start.initialise(net)
        }
        let trainLabels = LabelNoise.taskLabels(data.trainLabels, fraction: training.labelNoise, classes: classes, seedKeys: seedKeys)
        let multipliers = net.classVectorSlot.map { [(range: $0.offset..<($0.offset + $0.count), factor: Float(training.effectiveClassVectorLRMultiplier))] } ?? []
        let adam = AdamOptimizer(parameterCount: net.layout.count, learningRate: training.learningRate, multipliers: multipliers,
                                 weightDecay: Float(training.weightDecay ?? 0))
        let augmentation = training.augment.map(InputAugmentation.init(config:))
        let mixup = training.augment?.mixup
        let objective = training.objective(trainLabels: trainLabels, classes: classes)

        let batchImages = FloatBuffer(count: maxBatch * sampleSize)
        let batchFeatures = FloatBuffer(count: maxBatch * featureCount)
        let trainFeatures = data.trainFeatures ?? []
        var batchLabels = [Int](repeating: 0, count: maxBatch)
        let fixedOrder = training.order == .shuffle ? [] : FoldTrainer.epochOrder(training.order, labels: data.trainLabels, epoch: 0, seedKeys: seedKeys)
        var records: [EpochRecord] = []
        var best = (epoch: 0, accuracy: -1.0, logits: [[Float]]())
        var validation = ValidationChoice()
        let validationCount = data.validationLabels.count
        var finalLogits: [[Float]] = []
        let epochs = max(1, training.epochs)
        var firstEpoch = 1
        if let state = resumeState {
            try check(state, parameterCount: net.layout.count, testCount: testCount, classes: classes, epochs: epochs)
            net.parameters.copy(from: state.parameters)
            adam.restore(step: state.adamStep, moment1: state.adamMoment1, moment2: state.adamMoment2)
            records = state.records
            best = (state.bestEpoch, state.bestAccuracy, state.bestLogits)
            validation = state.validation
            finalLogits = state.finalLogits
            firstEpoch = state.epoch + 1
        }
        var lastSave = (epoch: firstEpoch - 1, time: DispatchTime.now().uptimeNanoseconds)

        for epoch in firstEpoch...epochs {
            let started = DispatchTime.now().uptimeNanoseconds
            let order = training.order == .shuffle
                ? FoldTrainer.epochOrder(.shuffle, labels: data.trainLabels, epoch: epoch, seedKeys: seedKeys) : fixedOrder
            adam.learningRate = training.lrSchedule?.rate(base: training.learningRate, epoch: epoch, epochs: max(1, training.epochs))
                ?? training.learningRate
            var lossSum = 0.0, correct = 0, step = 0
            var start = 0
            while start < trainCount {
                if let shouldStop, shouldStop() { throw FoldTrainingError.cancelled(epoch: epoch) }
                let b = min(maxBatch, trainCount - start)
                data.trainInputs.withUnsafeBufferPointer { src in
                    for i in 0..<b {
                        let s = order[start + i]
                        (batchImages.pointer + i * sampleSize).update(from: src.baseAddress! + s * sampleSize, count: sampleSize)
                        batchLabels[i] = trainLabels[s]
                        if featureCount > 0 {
                            for j in 0..<featureCount { batchFeatures[i * featureCount + j] = trainFeatures[s * featureCount + j] }
                        }
                        if let augmentation {
                            var rng = DeterministicRNG(keys: seedKeys + [FoldTrainer.augmentationStream, UInt64(epoch), UInt64(s)])
                            augmentation.apply(batchImages.pointer + i * sampleSize, rng: &rng)
                        }
                    }
                }
                var mixTargets: [Float]?
                if let mixup {
                    var rng = DeterministicRNG(keys: seedKeys + [FoldTrainer.mixupStream, UInt64(epoch), UInt64(start)])
                    let fire = rng.nextUnitDouble() < mixup.probability
                    let lambda = Float(Mixup.beta(mixup.alpha, rng: &rng))
                    var permutation = Array(0..<b)
                    permutation.shuffle(using: &rng)
                    if fire, b > 1 {
                        mixTargets = Mixup.mix(batchImages.pointer, labels: Array(batchLabels.prefix(b)), batch: b,
                                               sampleSize: sampleSize, classes: classes, lambda: lambda, permutation: permutation)
                        if featureCount > 0 {   // a fused model's features are mixed like its images
                            _ = Mixup.mix(batchFeatures.pointer, labels: Array(batchLabels.prefix(b)), batch: b,
                                          sampleSize: featureCount, classes: classes, lambda: lambda, permutation: permutation)
                        }
                    }
                }
                net.forward(images: batchImages.pointer, features: featureCount > 0 ? UnsafePointer(batchFeatures.pointer) : nil, batch: b)
                let result: TrainingObjective.Result
                if let mixTargets {
                    result = objective.evaluateSoftTargets(net, targets: mixTargets, labels: batchLabels, batch: b)
                } else {
                    result = batchLabels.withUnsafeBufferPointer {
                        objective.evaluate(net, labels: $0.baseAddress!, batch: b, backward: true)
                    }
                }
                step += 1
                guard result.loss.isFinite else { throw FoldTrainingError.nonFiniteLoss(epoch: epoch, step: step) }
                lossSum += result.loss * Double(b)
                correct += result.correct
                adam.update(parameters: net.parameters, gradients: net.gradients)
                start += b
            }
            let evaluation = evaluate(net, objective: objective, inputs: data.testInputs, labels: data.testLabels, sampleSize: sampleSize,
                                      features: data.testFeatures)
            let accuracy = testCount > 0 ? Double(evaluation.correct) / Double(testCount) : 0
            if accuracy >= best.accuracy {
                best = (epoch, accuracy, evaluation.logits)
                bestTestWeightsObserver?(epoch, UnsafePointer(net.parameters.pointer))
            }
            if validationCount > 0 {
                let v = evaluate(net, objective: objective, inputs: data.validationInputs, labels: data.validationLabels, sampleSize: sampleSize,
                                 features: data.validationFeatures)
                if validation.offer(epoch: epoch, accuracy: Double(v.correct) / Double(validationCount), testLogits: evaluation.logits) {
                    validationWeightsObserver?(epoch, UnsafePointer(net.parameters.pointer))
                }
            }
            finalLogits = evaluation.logits
            testLogitsObserver?(epoch, evaluation.logits)
            let record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(trainCount),
                                     trainAccuracy: Double(correct) / Double(trainCount),
                                     testLoss: evaluation.loss, testAccuracy: accuracy,
                                     seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            records.append(record)
            progress(record)
            let now = DispatchTime.now().uptimeNanoseconds
            if let stateObserver, stateCadence.isDue(epoch: epoch, lastSavedEpoch: lastSave.epoch,
                                                     secondsSinceSave: Double(now - lastSave.time) / 1e9, epochs: epochs) {
                let moments = adam.state
                stateObserver(FoldState(epoch: epoch, parameters: net.parameters.array, adamStep: moments.step,
                                        adamMoment1: moments.moment1, adamMoment2: moments.moment2, records: records,
                                        bestEpoch: best.epoch, bestAccuracy: best.accuracy, bestLogits: best.logits,
                                        finalLogits: finalLogits, validation: validation))
                lastSave = (epoch, DispatchTime.now().uptimeNanoseconds)
            }
        }
        finished(net)
        return FoldOutcome(epochs: records, finalLogits: finalLogits, bestTestEpoch: best.epoch, bestTestLogits: best.logits,
                           validationEpoch: validationCount > 0 ? validation.epoch : nil,
                           validationLogits: validationCount > 0 ? validation.testLogits : nil)
    }

    /// What a forward-only pass over a test set gives.
    public struct Evaluation {
        /// Scores per sample [n][classes]: logits, or cosines with the class vectors (metric losses).
        public var logits: [[Float]]
        /// Embeddings per sample [n][embedding width] (the pooled top feature or its projection).
        public var embeddings: [[Float]]
        /// Mean loss over the samples (for cross-entropy the unweighted mean: the class weights
        /// belong to the training fold).
        public var loss: Double
        public var correct: Int
    }

    /// Forward passes only, in chunks of the model's batch.
    /// `features` [n, F]: the samples' standardised features (fused models).
    public func evaluate(_ net: HTNetModel, objective: TrainingObjective, inputs: [Float], labels: [Int], sampleSize: Int,
                         features: [Float]? = nil) -> Evaluation {
        let featureCount = net.fusion?.featureCount ?? 0
        let features = features ?? []
        let classes = model.numClasses, width = net.embeddingWidth
        let testObjective: TrainingObjective
        if case .crossEntropy = objective { testObjective = .crossEntropy(classWeights: nil) } else { testObjective = objective }
        var out = Evaluation(logits: [], embeddings: [], loss: 0, correct: 0)
        var lossSum = 0.0, start = 0
        inputs.withUnsafeBufferPointer { src in
            labels.withUnsafeBufferPointer { lab in
                while start < labels.count {
                    let b = min(net.maxBatch, labels.count - start)
                    let scores = features.withUnsafeBufferPointer { f in
                        net.forward(images: src.baseAddress! + start * sampleSize,
                                    features: featureCount > 0 ? f.baseAddress! + start * featureCount : nil, batch: b)
                    }
                    let r = testObjective.evaluate(net, labels: lab.baseAddress! + start, batch: b, backward: false)
                    lossSum += r.loss * Double(b)
                    out.correct += r.correct
                    for i in 0..<b {
                        out.logits.append(Array(UnsafeBufferPointer(start: scores + i * classes, count: classes)))
                        out.embeddings.append(Array(UnsafeBufferPointer(start: net.embeddings + i * width, count: width)))
                    }
                    start += b
                }
            }
        }
        out.loss = labels.isEmpty ? 0 : lossSum / Double(labels.count)
        return out
    }

    /// A state that does not belong to this task's shapes is refused rather than half-applied.
    func check(_ state: FoldState, parameterCount: Int, testCount: Int, classes: Int, epochs: Int) throws {
        func bad(_ problem: String) -> FoldTrainingError { .badData("fold state: \(problem)") }
        if state.parameters.count != parameterCount || state.adamMoment1.count != parameterCount || state.adamMoment2.count != parameterCount {
            throw bad("\(state.parameters.count) weights, the model has \(parameterCount)")
        }
        if state.epoch < 1 || state.epoch >= epochs { throw bad("saved after epoch \(state.epoch) of \(epochs)") }
        if state.finalLogits.count != testCount || state.finalLogits.contains(where: { $0.count != classes }) {
            throw bad("test logits are not \(testCount) x \(classes)")
        }
    }

    public func validate(_ data: FoldData, sampleSize: Int) throws {
        if let e = model.validationErrors().first { throw FoldTrainingError.badData("model config: \(e)") }
        if training.batchSize < 1 { throw FoldTrainingError.badData("batch_size must be at least 1") }
        if data.trainLabels.isEmpty { throw FoldTrainingError.badData("the training set is empty") }
        if model.usesFeatures {
            if training.head != .classifier { throw FoldTrainingError.badData("model.fusion needs a cross-entropy loss (the classifier head)") }
            guard let train = data.trainFeatures, let test = data.testFeatures, data.featureCount > 0,
                  train.count == data.trainLabels.count * data.featureCount, test.count == data.testLabels.count * data.featureCount else {
                throw FoldTrainingError.badData("model.fusion \(model.fusion!.rawValue) needs every sample's handcrafted features (dataset.features)")
            }
            if let bad = (train + test).firstIndex(where: { !$0.isFinite }) {
                throw FoldTrainingError.badData("non-finite handcrafted feature value (flat index \(bad))")
            }
        }
        if data.trainInputs.count != data.trainLabels.count * sampleSize {
            throw FoldTrainingError.badData("\(data.trainInputs.count) training input values for \(data.trainLabels.count) samples of \(sampleSize)")
        }
        if data.validationInputs.count != data.validationLabels.count * sampleSize {
            throw FoldTrainingError.badData("\(data.validationInputs.count) validation input values for \(data.validationLabels.count) samples of \(sampleSize)")
        }
        if data.testInputs.count != data.testLabels.count * sampleSize {
            throw FoldTrainingError.badData("\(data.testInputs.count) test input values for \(data.testLabels.count) samples of \(sampleSize)")
        }
        for y in data.trainLabels + data.testLabels + data.validationLabels where y < 0 || y >= model.numClasses {
            throw FoldTrainingError.badData("label \(y) outside 0..<\(model.numClasses)")
        }
        if let bad = data.trainInputs.firstIndex(where: { !$0.isFinite }) {
            throw FoldTrainingError.badData("non-finite training input value in sample \(bad / sampleSize)")
        }
    }
}
