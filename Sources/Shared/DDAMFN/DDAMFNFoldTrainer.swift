import FoldResults
import Foundation
import Tensor

public enum DDAMFNTrainingError: Error, CustomStringConvertible {
    case badData(String)
    case nonFiniteLoss(epoch: Int, step: Int)
    case cancelled(epoch: Int)
    public var description: String {
        switch self {
        case let .badData(why): return "bad fold data: \(why)"
        case let .nonFiniteLoss(epoch, step): return "training diverged: non-finite loss at epoch \(epoch), step \(step)"
        case let .cancelled(epoch): return "stopped during epoch \(epoch) on request"
        }
    }
}

/// Trains a fresh DDAMFN on one fold with the same contract as HTNet's FoldTrainer: FoldData in,
/// an EpochRecord per epoch, the final and best-test-epoch test logits out (and, with a validation
/// set, the validation-selected epoch's: DDAMFNEvaluation), `shouldStop` asked before every step.
/// Train mode (batch statistics) for the steps, eval mode (running statistics) for the test logits. A last training batch of one sample is merged into the batch before it
/// (batch norm over one sample has no statistics). Everything random (the starting weights, the
/// epoch order, each sample's augmentation) derives from `seedKeys`, the epoch and the sample's
/// position in the fold, so a task gives the same numbers whichever worker or thread count runs it.
/// As products (DDAMFNFoldProducts.swift): a fold may start from given weights (`startingState`),
/// continue from a saved state (`resumeState`), hand out its state every so often (`stateObserver`)
/// and keep the best-test epoch's model state (`bestTestStateObserver`).
public struct DDAMFNFoldTrainer {
    public let config: DDAMFNConfig
    public let settings: DDAMFNTrainingSettings
    public let seedKeys: [UInt64]
    public var shouldStop: (() -> Bool)?
    /// Sees the test logits after each epoch (1-based).
    public var testLogitsObserver: ((Int, [[Float]]) -> Void)?
    /// `init_from`: weights to start from instead of the task's own draw.
    public var startingState: DDAMFNStartingState?
    /// A saved state of this very task to continue from (its epochs are not trained again).
    public var resumeState: DDAMFNFoldState?
    /// Asked after each epoch (1-based) whether to hand the fold's state to `stateObserver`.
    public var stateDue: ((Int) -> Bool)?
    public var stateObserver: ((DDAMFNFoldState) -> Void)?
    /// Set: the best-test epoch's model state (exportState layout) is kept and handed over once at the
    /// end, with that epoch.
    public var bestTestStateObserver: ((Int, [Float]) -> Void)?
    /// The same for the validation-selected epoch (keep: checkpoints under epoch_selection: validation).
    public var validationStateObserver: ((Int, [Float]) -> Void)?

    public init(config: DDAMFNConfig, settings: DDAMFNTrainingSettings, seedKeys: [UInt64]) {
        self.config = config
        self.settings = settings
        self.seedKeys = seedKeys
    }

    static let initialisationStream: UInt64 = 1
    static let shuffleStream: UInt64 = 2
    static let augmentationStream: UInt64 = 6

    /// Batch boundaries of an epoch: chunks of `batchSize`, a last chunk of one joining the one before.
    public static func batches(count: Int, batchSize: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            if end - start == 1, let last = out.popLast() { out.append(last.lowerBound..<end) } else { out.append(start..<end) }
            start = end
        }
        return out
    }

    public func run(_ data: FoldData, progress: (EpochRecord) -> Void = { _ in },
                    finished: (DDAMFNModel) -> Void = { _ in }) throws -> FoldOutcome {
        let trainCount = data.trainLabels.count, testCount = data.testLabels.count
        let inputSize = trainCount > 0 ? data.trainInputs.count / trainCount : 0
        try validate(data, inputSize: inputSize)
        let side = DDAMFNInput.inputSide(sampleSize: inputSize)!
        let batches = DDAMFNFoldTrainer.batches(count: trainCount, batchSize: settings.batchSize)
        let maxBatch = max(batches.map(\.count).max()!, min(settings.batchSize, testCount))
        let net = DDAMFNModel(config: config, maxBatch: maxBatch)
        net.attentionWeight = settings.attentionWeight
        var initRNG = DeterministicRNG(keys: seedKeys + [DDAMFNFoldTrainer.initialisationStream])
        net.initialise(rng: &initRNG)
        try startingState?.apply(to: net)
        let sgd: DDAMFNSGD?, adam: DDAMFNAdam?
        switch settings.optimizer {
        case let .sgd(momentum):
            sgd = DDAMFNSGD(table: net.table, learningRate: settings.learningRate, momentum: momentum, weightDecay: settings.weightDecay)
            adam = nil
        case .adam:
            sgd = nil
            adam = DDAMFNAdam(table: net.table, learningRate: settings.learningRate)
        }
        let sampleSize = DDAMFNInput.sampleSize
        let batchImages = FloatBuffer(count: maxBatch * sampleSize)
        let scratch = FloatBuffer(count: sampleSize)
        var progressSoFar = try restore(into: net, sgd: sgd, adam: adam)
        var records = progressSoFar.records, best = progressSoFar.best, finalLogits = progressSoFar.finalLogits
        for epoch in (records.count + 1)...max(1, settings.epochs) {
            let started = DispatchTime.now().uptimeNanoseconds
            var order = Array(0..<trainCount)
            if settings.shuffle {
                var rng = DeterministicRNG(keys: seedKeys + [DDAMFNFoldTrainer.shuffleStream, UInt64(epoch)])
                order.shuffle(using: &rng)
            }
            var lossSum = 0.0, correct = 0
            for (step, range) in batches.enumerated() {
                if let shouldStop, shouldStop() { throw DDAMFNTrainingError.cancelled(epoch: epoch) }
                var labels: [Int] = []
                data.trainInputs.withUnsafeBufferPointer { src in
                    for (i, position) in range.enumerated() {
                        let s = order[position]
                        let image = batchImages.pointer + i * sampleSize
                        DDAMFNInput.convert(src.baseAddress! + s * inputSize, inputSide: side, into: image)
                        if settings.augmentation.isEnabled {
                            var rng = DeterministicRNG(keys: seedKeys + [DDAMFNFoldTrainer.augmentationStream, UInt64(epoch), UInt64(s)])
                            settings.augmentation.apply(image, scratch: scratch.pointer, rng: &rng)
                        }
                        labels.append(data.trainLabels[s])
                    }
                }
                let logits = net.forward(images: batchImages.pointer, batch: range.count, training: true)
                let loss = net.loss(labels: labels)
                guard loss.total.isFinite else { throw DDAMFNTrainingError.nonFiniteLoss(epoch: epoch, step: step + 1) }
                net.backward()
                lossSum += loss.total * Double(range.count)
                correct += DDAMFNFoldTrainer.correct(logits, labels: labels, classes: config.classes)
                if let sgd { sgd.update(parameters: net.parameters, gradients: net.gradients) }
                if let adam {
                    if settings.weightDecay > 0 { addWeightDecay(net) }
                    adam.update(parameters: net.parameters, gradients: net.gradients)
                }
            }
            let evaluation = evaluate(net, data: data, inputSide: side, batch: batchImages)
            let accuracy = testCount > 0 ? Double(evaluation.correct) / Double(testCount) : 0
            if accuracy >= best.accuracy {
                best = (epoch, accuracy, evaluation.logits)
                if bestTestStateObserver != nil { progressSoFar.bestState = net.exportState() }
            }
            if offerValidation(&progressSoFar.validation, net: net, data: data, inputSide: side, batch: batchImages, epoch: epoch,
                               testLogits: evaluation.logits), validationStateObserver != nil {
                progressSoFar.validationState = net.exportState()
            }
            finalLogits = evaluation.logits
            testLogitsObserver?(epoch, evaluation.logits)
            let record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(trainCount),
                                     trainAccuracy: Double(correct) / Double(trainCount),
                                     testLoss: evaluation.loss, testAccuracy: accuracy,
                                     seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            records.append(record)
            progress(record)
            if let stateObserver, stateDue?(epoch) == true {
                (progressSoFar.records, progressSoFar.best, progressSoFar.finalLogits) = (records, best, finalLogits)
                stateObserver(snapshot(net, sgd: sgd, adam: adam, progress: progressSoFar))
            }
        }
        finished(net)
        if let bestTestStateObserver, let state = progressSoFar.bestState { bestTestStateObserver(best.epoch, state) }
        if let validationStateObserver, let state = progressSoFar.validationState { validationStateObserver(progressSoFar.validation.epoch, state) }
        let validated = !data.validationLabels.isEmpty, validation = progressSoFar.validation
        return FoldOutcome(epochs: records, finalLogits: finalLogits, bestTestEpoch: best.epoch, bestTestLogits: best.logits,
                           validationEpoch: validated ? validation.epoch : nil, validationLogits: validated ? validation.testLogits : nil)
    }

    /// torch's coupled weight decay for Adam: g <- g + wd w on the used parameters.
    func addWeightDecay(_ net: DDAMFNModel) {
        let p = net.parameters.pointer, g = net.gradients.pointer, wd = settings.weightDecay
        for range in net.table.usedRanges { for i in range { g[i] += wd * p[i] } }
    }

    static func correct(_ logits: UnsafePointer<Float>, labels: [Int], classes: Int) -> Int {
        var n = 0
        for (i, y) in labels.enumerated() {
            var arg = 0
            for k in 1..<classes where logits[i * classes + k] > logits[i * classes + arg] { arg = k }
            if arg == y { n += 1 }
        }
        return n
    }

    public struct Evaluation {
        public var logits: [[Float]]
        /// Mean cross-entropy (the attention term belongs to training).
        public var loss: Double
        public var correct: Int
    }

    /// Eval-mode forward passes over the test set in chunks of the model's batch.
    public func evaluate(_ net: DDAMFNModel, data: FoldData, inputSide: Int, batch: FloatBuffer) -> Evaluation {
        evaluate(net, inputs: data.testInputs, labels: data.testLabels, inputSide: inputSide, batch: batch)
    }

    func validate(_ data: FoldData, inputSize: Int) throws {
        func bad(_ why: String) -> DDAMFNTrainingError { .badData(why) }
        if let e = config.validationErrors().first { throw bad("model config: \(e)") }
        if settings.batchSize < 2 { throw bad("batch_size \(settings.batchSize): DDAMFN trains with batch norm and needs at least 2") }
        if data.trainLabels.count < 2 { throw bad("\(data.trainLabels.count) training sample(s); batch norm needs at least 2") }
        if data.trainInputs.count != data.trainLabels.count * inputSize { throw bad("training inputs are not \(data.trainLabels.count) equal samples") }
        guard DDAMFNInput.inputSide(sampleSize: inputSize) != nil else {
            throw bad("samples of \(inputSize) values are not square 3-channel images")
        }
        if data.testInputs.count != data.testLabels.count * inputSize {
            throw bad("\(data.testInputs.count) test input values for \(data.testLabels.count) samples of \(inputSize)")
        }
        for y in data.trainLabels + data.testLabels where y < 0 || y >= config.classes {
            throw bad("label \(y) outside 0..<\(config.classes)")
        }
        if let i = data.trainInputs.firstIndex(where: { !$0.isFinite }) { throw bad("non-finite training input value in sample \(i / inputSize)") }
        if let why = validationSetError(data, inputSize: inputSize) { throw bad(why) }
    }
}
