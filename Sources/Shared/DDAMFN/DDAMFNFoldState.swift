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
        let recordJSON = String(decoding: try JSONEncoder().encode(records), as: UTF8.self)
        var file = SafeTensorsFile(metadata: [
            "format": Self.format, "epoch": String(epoch), "optimizer": optimizer.name,
            "best_epoch": String(bestEpoch), "best_accuracy": String(bestAccuracy.bitPattern), "records": recordJSON,
        ])
        file.tensors["model"] = Self.vector(model)
        switch optimizer {
        case let .sgd(step, velocity):
            file.metadata["optimizer_step"] = String(step)
            file.tensors["sgd.velocity"] = Self.vector(velocity)
        case let .adam(step, moment1, moment2):
            file.metadata["optimizer_step"] = String(step)
            file.tensors["adam.moment1"] = Self.vector(moment1)
            file.tensors["adam.moment2"] = Self.vector(moment2)
        }
        file.tensors["best_logits"] = Self.matrix(bestLogits)
        file.tensors["final_logits"] = Self.matrix(finalLogits)
        if let bestState { file.tensors["best_state"] = Self.vector(bestState) }
        if validation.epoch > 0 {
            file.metadata["validation_epoch"] = String(validation.epoch)
            file.metadata["validation_accuracy"] = String(validation.accuracy.bitPattern)
            file.tensors["validation_logits"] = Self.matrix(validation.testLogits)
        }
        if let validationState { file.tensors["validation_state"] = Self.vector(validationState) }
        return try file.encoded()
    }

    /// Reads `encoded()` output; `source` names the file in errors.
    public static func decode(_ data: Data, source: String) throws -> DDAMFNFoldState {
        let file = try SafeTensorsFile.decode(data, path: source)
        func bad(_ problem: String) -> DDAMFNFoldStateError { DDAMFNFoldStateError(source: source, problem: problem) }
        guard file.metadata["format"] == format else {
            throw bad("not a DDAMFN fold state (format \(file.metadata["format"] ?? "missing"), expected \(format))")
        }
        func integer(_ key: String) throws -> Int {
            guard let text = file.metadata[key], let v = Int(text) else { throw bad("metadata '\(key)' missing or not an integer") }
            return v
        }
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file[name], t.dtype == .f32 else { throw bad("tensor '\(name)' missing or not F32") }
            return t
        }
        guard let accuracyBits = file.metadata["best_accuracy"].flatMap(UInt64.init) else { throw bad("metadata 'best_accuracy' missing or not a bit pattern") }
        guard let recordJSON = file.metadata["records"],
              let records = try? JSONDecoder().decode([EpochRecord].self, from: Data(recordJSON.utf8)) else {
            throw bad("metadata 'records' missing or not epoch records")
        }
        let epoch = try integer("epoch")
        guard epoch >= 1, records.count == epoch else { throw bad("\(records.count) epoch records for \(epoch) epochs") }
        let step = try integer("optimizer_step")
        let optimizer: OptimizerState
        switch file.metadata["optimizer"] {
        case "sgd": optimizer = .sgd(step: step, velocity: try tensor("sgd.velocity").floats)
        case "adam": optimizer = .adam(step: step, moment1: try tensor("adam.moment1").floats, moment2: try tensor("adam.moment2").floats)
        case let other: throw bad("metadata 'optimizer' is \(other.map { "'\($0)'" } ?? "missing"), expected sgd or adam")
        }
        var validation = ValidationChoice()
        if file.metadata["validation_epoch"] != nil {
            guard let bits = file.metadata["validation_accuracy"].flatMap(UInt64.init) else {
                throw bad("metadata 'validation_accuracy' missing or not a bit pattern")
            }
            validation = ValidationChoice(epoch: try integer("validation_epoch"), accuracy: Double(bitPattern: bits),
                                          testLogits: rows(try tensor("validation_logits")))
        }
        return DDAMFNFoldState(epoch: epoch, model: try tensor("model").floats, optimizer: optimizer, records: records,
                               bestEpoch: try integer("best_epoch"), bestAccuracy: Double(bitPattern: accuracyBits),
                               bestLogits: rows(try tensor("best_logits")), finalLogits: rows(try tensor("final_logits")),
                               bestState: file["best_state"] == nil ? nil : try tensor("best_state").floats,
                               validation: validation,
                               validationState: file["validation_state"] == nil ? nil : try tensor("validation_state").floats)
    }

    private static func vector(_ v: [Float]) -> StoredTensor { StoredTensor(Tensor(shape: [v.count], data: v)) }

    private static func matrix(_ rows: [[Float]]) -> StoredTensor {
        StoredTensor(Tensor(shape: [rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0 }))
    }

    private static func rows(_ t: StoredTensor) -> [[Float]] {
        let values = t.floats, width = t.shape.count == 2 ? t.shape[1] : 0
        guard width > 0 else { return Array(repeating: [], count: t.shape.first ?? 0) }
        return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
    }
}

/// A saved DDAMFN state that cannot be used, naming its file and the problem.
public struct DDAMFNFoldStateError: Error, CustomStringConvertible {
    public let source: String
    public let problem: String
    public var description: String { "\(source): \(problem)" }
}
