import FoldResults
import Foundation
import Tensor

/// Everything a DDAMFN fold needs to continue after `epoch` as if it had never stopped: the model's
/// state (parameters, BatchNorm running statistics and num_batches_tracked), the optimizer's state
/// (SGD's momentum buffer, or Adam's moments, and its step count) and the results so far (epoch
/// records, the best-test epoch and its logits, the last epoch's logits, the validation-selected epoch
/// with its accuracy and logits, and the best-test or validation epoch's model state when the task
/// returns it). The epoch order and each sample's augmentation derive from
/// the task's keys, the epoch and the sample (DDAMFNFoldTrainer), so no generator state is needed.
///
/// Stored as safetensors like HTNet's FoldState: float arrays as tensors, the rest in the header's
/// metadata (doubles as their bit patterns, so they round-trip exactly); versioned by `format` and
/// checked on decode with errors that name the file and the entry.
public struct DDAMFNFoldState: Equatable, Sendable {
    public enum OptimizerState: Equatable, Sendable {
        case sgd(step: Int, velocity: [Float])
        case adam(step: Int, moment1: [Float], moment2: [Float])
        var name: String {
            switch self {
            case .sgd: return "sgd"
            case .adam: return "adam"
            }
        }
    }

    /// Epochs completed; training resumes at `epoch + 1`.
    public var epoch: Int
    /// DDAMFNModel.exportState() layout.
    public var model: [Float]
    public var optimizer: OptimizerState
    public var records: [EpochRecord]
    public var bestEpoch: Int
    public var bestAccuracy: Double
    public var bestLogits: [[Float]]
    public var finalLogits: [[Float]]
    /// The best-test epoch's model state (only when the task returns it: keep: checkpoints under best-test-epoch).
    public var bestState: [Float]?
    /// The validation-selected epoch so far (epoch 0: the fold has no validation set).
    public var validation: ValidationChoice
    /// Its model state (only when the task returns it: keep: checkpoints under epoch_selection: validation).
    public var validationState: [Float]?

    public init(epoch: Int, model: [Float], optimizer: OptimizerState, records: [EpochRecord], bestEpoch: Int,
                bestAccuracy: Double, bestLogits: [[Float]], finalLogits: [[Float]], bestState: [Float]? = nil,
                validation: ValidationChoice = ValidationChoice(), validationState: [Float]? = nil) {
        self.validation = validation
        self.validationState = validationState
        self.epoch = epoch
        self.model = model
        self.optimizer = optimizer
        self.records = records
        self.bestEpoch = bestEpoch
        self.bestAccuracy = bestAccuracy
        self.bestLogits = bestLogits
        self.finalLogits = finalLogits
        self.bestState = bestState
    }

    public static let format = "loso-ddamfn-fold-state-1"

    public func encoded() throws -> Data {
        var f = try FoldStateFile(format: Self.format, epoch: epoch, records: records, bestEpoch: bestEpoch, bestAccuracy: bestAccuracy,
                                  bestLogits: bestLogits, finalLogits: finalLogits, validation: validation)
        f.file.metadata["optimizer"] = optimizer.name
        f.set("model", model)
        switch optimizer {
        case let .sgd(step, velocity):
            f.file.metadata["optimizer_step"] = String(step)
            f.set("sgd.velocity", velocity)
        case let .adam(step, moment1, moment2):
            f.file.metadata["optimizer_step"] = String(step)
            f.set("adam.moment1", moment1)
            f.set("adam.moment2", moment2)
        }
        if let bestState { f.set("best_state", bestState) }
        if let validationState { f.set("validation_state", validationState) }
        return try f.encoded()
    }

    /// Reads `encoded()` output; `source` names the file in errors.
    public static func decode(_ data: Data, source: String) throws -> DDAMFNFoldState {
        let f = try FoldStateFile(decoding: data, source: source, format: format, kind: "a DDAMFN fold state")
        let step = try f.integer("optimizer_step")
        let optimizer: OptimizerState
        switch f.file.metadata["optimizer"] {
        case "sgd": optimizer = .sgd(step: step, velocity: try f.floats("sgd.velocity"))
        case "adam": optimizer = .adam(step: step, moment1: try f.floats("adam.moment1"), moment2: try f.floats("adam.moment2"))
        case let other: throw f.failure("metadata 'optimizer' is \(other.map { "'\($0)'" } ?? "missing"), expected sgd or adam")
        }
        let best = try f.best()
        return DDAMFNFoldState(epoch: try f.integer("epoch"), model: try f.floats("model"), optimizer: optimizer, records: try f.records(),
                               bestEpoch: best.epoch, bestAccuracy: best.accuracy, bestLogits: best.logits, finalLogits: try f.finalLogits(),
                               bestState: try f.optionalFloats("best_state"),
                               validation: try f.validation(),
                               validationState: try f.optionalFloats("validation_state"))
    }
}
