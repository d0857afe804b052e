import FoldResults
import Foundation
import Tensor

/// Weights a DDAMFN fold starts from instead of its own draw (`training.init_from`): a full state
/// (DDAMFNModel.exportState layout, running statistics included) where the state-dict tensors named
/// in `drawnFresh` keep the task's own draw instead (a classifier head of another class count, or
/// what a backbone-only file lacks; BatchNorm buffers drawn fresh are PyTorch's starting ones).
public struct DDAMFNStartingState: Equatable, Sendable {
    public var state: [Float]
    public var drawnFresh: Set<String>
    public init(state: [Float], drawnFresh: Set<String> = []) {
        self.state = state
        self.drawnFresh = drawnFresh
    }

    /// Overwrites the freshly drawn `net` with the starting state except the tensors drawn fresh.
    public func apply(to net: DDAMFNModel) throws {
        guard state.count == net.stateCount else {
            throw DDAMFNTrainingError.badData("starting weights of \(state.count) values, the model's state holds \(net.stateCount)")
        }
        var start = state
        if !drawnFresh.isEmpty {
            let drawn = net.exportState()
            for e in DDAMFNStateLayout(table: net.table).entries where drawnFresh.contains(e.name) {
                start.replaceSubrange(e.offset..<(e.offset + e.count), with: drawn[e.offset..<(e.offset + e.count)])
            }
        }
        net.importState(start)
    }
}

/// The results of a fold so far, as the epoch loop keeps them: fresh, or restored from a fold state.
struct DDAMFNFoldProgress {
    var records: [EpochRecord] = []
    var best = (epoch: 0, accuracy: -1.0, logits: [[Float]]())
    var finalLogits: [[Float]] = []
    /// The validation-selected epoch so far (epoch_selection: validation; DDAMFNEvaluation).
    var validation = ValidationChoice()
    /// The best-test epoch's model state, tracked only when someone asks for it.
    var bestState: [Float]?
    /// The validation-selected epoch's, likewise.
    var validationState: [Float]?
}

extension DDAMFNFoldTrainer {
    /// Fresh progress, or the saved state's after putting its model and optimizer state in place.
    /// A state that does not fit this model, optimizer or epoch count is an error naming the entry.
    func restore(into net: DDAMFNModel, sgd: DDAMFNSGD?, adam: DDAMFNAdam?) throws -> DDAMFNFoldProgress {
        guard let s = resumeState else { return DDAMFNFoldProgress() }
        func bad(_ why: String) -> DDAMFNTrainingError { .badData("saved fold state: \(why)") }
        guard s.epoch < settings.epochs else { throw bad("\(s.epoch) epochs done of \(settings.epochs): nothing left to resume") }
        guard s.model.count == net.stateCount else { throw bad("model state of \(s.model.count) values, this model holds \(net.stateCount)") }
        let n = net.table.parameterCount
        switch (s.optimizer, sgd, adam) {
        case let (.sgd(step, velocity), sgd?, nil):
            guard velocity.count == n else { throw bad("sgd.velocity has \(velocity.count) values, the model has \(n) parameters") }
            sgd.step = step
            sgd.velocity.copy(from: velocity)
        case let (.adam(step, m, v), nil, adam?):
            guard m.count == n, v.count == n else { throw bad("adam moments of \(m.count) and \(v.count) values, the model has \(n) parameters") }
            adam.step = step
            adam.m.copy(from: m)
            adam.v.copy(from: v)
        default:
            throw bad("saved with optimizer \(s.optimizer.name), this task trains with \(sgd == nil ? "adam" : "sgd")")
        }
        if bestTestStateObserver != nil && s.bestState == nil { throw bad("it holds no best-test epoch state, which this task returns") }
        if validationStateObserver != nil && s.validation.epoch > 0 && s.validationState == nil {
            throw bad("it holds no validation-selected epoch state, which this task returns")
        }
        net.importState(s.model)
        return DDAMFNFoldProgress(records: s.records, best: (s.bestEpoch, s.bestAccuracy, s.bestLogits), finalLogits: s.finalLogits,
                                  validation: s.validation, bestState: bestTestStateObserver == nil ? nil : s.bestState,
                                  validationState: validationStateObserver == nil ? nil : s.validationState)
    }

    /// The fold's state after `progress.records.count` epochs.
    func snapshot(_ net: DDAMFNModel, sgd: DDAMFNSGD?, adam: DDAMFNAdam?, progress p: DDAMFNFoldProgress) -> DDAMFNFoldState {
        let optimizer: DDAMFNFoldState.OptimizerState
        if let sgd { optimizer = .sgd(step: sgd.step, velocity: sgd.velocity.array) } else {
            optimizer = .adam(step: adam!.step, moment1: adam!.m.array, moment2: adam!.v.array)
        }
        return DDAMFNFoldState(epoch: p.records.count, model: net.exportState(), optimizer: optimizer, records: p.records,
                               bestEpoch: p.best.epoch, bestAccuracy: p.best.accuracy, bestLogits: p.best.logits,
                               finalLogits: p.finalLogits, bestState: p.bestState, validation: p.validation,
                               validationState: p.validationState)
    }

    /// The chunk size a fold evaluates its test samples in (the model's batch): predicting in the same
    /// chunks gives the journalled logits bit for bit.
    public static func evaluationBatch(trainCount: Int, testCount: Int, batchSize: Int) -> Int {
        max(batches(count: trainCount, batchSize: batchSize).map(\.count).max() ?? 1, min(batchSize, testCount))
    }
}

/// Eval-mode scores of a trained model outside training (`coordinator predict`): every sample
/// converted as in training (DDAMFNInput) and passed in chunks of the model's batch, as the fold's
/// own test evaluation does (the same passes: DDAMFNEvaluation's forEachChunk).
public enum DDAMFNInference {
    public static func scores(_ net: DDAMFNModel, inputs: [Float], inputSide: Int) -> [[Float]] {
        let classes = net.config.classes, buffer = FloatBuffer(count: net.maxBatch * DDAMFNInput.sampleSize)
        var out: [[Float]] = []
        DDAMFNFoldTrainer.forEachChunk(net, inputs: inputs, inputSide: inputSide, buffer: buffer) { _, b, logits in
            for i in 0..<b { out.append(Array(UnsafeBufferPointer(start: logits + i * classes, count: classes))) }
        }
        return out
    }
}
