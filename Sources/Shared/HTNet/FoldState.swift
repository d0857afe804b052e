import FoldResults
import Foundation
import Tensor

/// Everything a fold's training needs to continue after `epoch` as if it had never stopped: the
/// weights, Adam's moments and step count, and the results so far (epoch records, the best-test
/// epoch's logits, the last epoch's logits). The shuffle, label noise and starting weights derive from
/// the task's keys and the epoch number, so no generator state is needed beside it.
///
/// Saved every few epochs or minutes by a worker (`FoldStateCadence`) and kept by the coordinator in
/// OUT/fold-state/, so a preempted paper-size fold (hours) loses at most that much work.
public struct FoldState: Equatable, Sendable {
    /// Epochs completed (1-based count); training resumes at `epoch + 1`.
    public var epoch: Int
    public var parameters: [Float]
    public var adamStep: Int
    public var adamMoment1: [Float]
    public var adamMoment2: [Float]
    public var records: [EpochRecord]
    public var bestEpoch: Int
    public var bestAccuracy: Double
    public var bestLogits: [[Float]]
    public var finalLogits: [[Float]]
    /// The validation-selected epoch so far (epoch_selection: validation; epoch 0 = none yet or no
    /// validation set).
    public var validation: ValidationChoice

    public init(epoch: Int, parameters: [Float], adamStep: Int, adamMoment1: [Float], adamMoment2: [Float],
                records: [EpochRecord], bestEpoch: Int, bestAccuracy: Double, bestLogits: [[Float]], finalLogits: [[Float]],
                validation: ValidationChoice = ValidationChoice()) {
        self.validation = validation
        self.epoch = epoch
        self.parameters = parameters
        self.adamStep = adamStep
        self.adamMoment1 = adamMoment1
        self.adamMoment2 = adamMoment2
        self.records = records
        self.bestEpoch = bestEpoch
        self.bestAccuracy = bestAccuracy
        self.bestLogits = bestLogits
        self.finalLogits = finalLogits
    }

    static let format = "loso-fold-state-1"

    /// A safetensors file (FoldStateFile): the results so far, the weights and Adam's state.
    public func encoded() throws -> Data {
        var f = try FoldStateFile(format: Self.format, epoch: epoch, records: records, bestEpoch: bestEpoch, bestAccuracy: bestAccuracy,
                                  bestLogits: bestLogits, finalLogits: finalLogits, validation: validation)
        f.file.metadata["adam_step"] = String(adamStep)
        f.set("parameters", parameters)
        f.set("adam.moment1", adamMoment1)
        f.set("adam.moment2", adamMoment2)
        return try f.encoded()
    }

    /// Reads `encoded()` output; `source` names the file in errors.
    public static func decode(_ data: Data, source: String) throws -> FoldState {
        let f = try FoldStateFile(decoding: data, source: source, format: format, kind: "a fold state")
        let best = try f.best()
        return FoldState(epoch: try f.integer("epoch"), parameters: try f.floats("parameters"), adamStep: try f.integer("adam_step"),
                         adamMoment1: try f.floats("adam.moment1"), adamMoment2: try f.floats("adam.moment2"),
                         records: try f.records(), bestEpoch: best.epoch, bestAccuracy: best.accuracy, bestLogits: best.logits,
                         finalLogits: try f.finalLogits(), validation: try f.validation())
    }
}

/// When a worker saves its fold state: after every `everyEpochs` epochs, or after the first epoch that
/// ends `everySeconds` or more after the last save (whichever comes first). The last epoch is never
/// saved: its result follows at once.
public struct FoldStateCadence: Equatable, Sendable {
    public var everyEpochs: Int?
    public var everySeconds: Double?
    public init(everyEpochs: Int? = nil, everySeconds: Double? = nil) {
        self.everyEpochs = everyEpochs
        self.everySeconds = everySeconds
    }

    public var isEnabled: Bool { (everyEpochs ?? 0) > 0 || (everySeconds ?? 0) > 0 }

    public func isDue(epoch: Int, lastSavedEpoch: Int, secondsSinceSave: Double, epochs: Int) -> Bool {
        guard epoch < epochs else { return false }
        if let n = everyEpochs, n > 0, epoch - lastSavedEpoch >= n { return true }
        if let s = everySeconds, s > 0, secondsSinceSave >= s { return true }
        return false
    }
}
