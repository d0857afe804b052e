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
    /// The validation-selected epoch so far (epoch_selection: validation): its epoch (0 = none yet or
    /// no validation set), validation accuracy and test logits.
    public var validationEpoch: Int
    public var validationAccuracy: Double
    public var validationLogits: [[Float]]

    public init(epoch: Int, parameters: [Float], adamStep: Int, adamMoment1: [Float], adamMoment2: [Float],
                records: [EpochRecord], bestEpoch: Int, bestAccuracy: Double, bestLogits: [[Float]], finalLogits: [[Float]],
                validationEpoch: Int = 0, validationAccuracy: Double = -1, validationLogits: [[Float]] = []) {
        self.validationEpoch = validationEpoch
        self.validationAccuracy = validationAccuracy
        self.validationLogits = validationLogits
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

    /// A safetensors file: the float arrays as tensors, the rest as JSON in the header's metadata
    /// (doubles in JSON round-trip exactly).
    public func encoded() throws -> Data {
        let recordJSON = String(decoding: try JSONEncoder().encode(records), as: UTF8.self)
        var file = SafeTensorsFile(metadata: [
            "format": Self.format, "epoch": String(epoch), "adam_step": String(adamStep),
            "best_epoch": String(bestEpoch), "best_accuracy": String(bestAccuracy.bitPattern),
            "records": recordJSON,
        ])
        if validationEpoch > 0 {
            file.metadata["validation_epoch"] = String(validationEpoch)
            file.metadata["validation_accuracy"] = String(validationAccuracy.bitPattern)
            file.tensors["validation_logits"] = Self.matrix(validationLogits)
        }
        file.tensors["parameters"] = StoredTensor(Tensor(shape: [parameters.count], data: parameters))
        file.tensors["adam.moment1"] = StoredTensor(Tensor(shape: [adamMoment1.count], data: adamMoment1))
        file.tensors["adam.moment2"] = StoredTensor(Tensor(shape: [adamMoment2.count], data: adamMoment2))
        file.tensors["best_logits"] = Self.matrix(bestLogits)
        file.tensors["final_logits"] = Self.matrix(finalLogits)
        return try file.encoded()
    }

    /// Reads `encoded()` output; `source` names the file in errors.
    public static func decode(_ data: Data, source: String) throws -> FoldState {
        let file = try SafeTensorsFile.decode(data, path: source)
        func bad(_ problem: String) -> FoldStateError { FoldStateError(source: source, problem: problem) }
        guard file.metadata["format"] == format else {
            throw bad("not a fold state (format \(file.metadata["format"] ?? "missing"), expected \(format))")
        }
        func integer(_ key: String) throws -> Int {
            guard let text = file.metadata[key], let v = Int(text) else { throw bad("metadata '\(key)' missing or not an integer") }
            return v
        }
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file[name], t.dtype == .f32 else { throw bad("tensor '\(name)' missing or not F32") }
            return t
        }
        guard let accuracyBits = file.metadata["best_accuracy"].flatMap(UInt64.init) else { throw bad("metadata 'best_accuracy' missing") }
        guard let recordJSON = file.metadata["records"],
              let records = try? JSONDecoder().decode([EpochRecord].self, from: Data(recordJSON.utf8)) else {
            throw bad("metadata 'records' missing or not epoch records")
        }
        let epoch = try integer("epoch")
        guard records.count == epoch else { throw bad("\(records.count) epoch records for \(epoch) epochs") }
        return FoldState(epoch: epoch, parameters: try tensor("parameters").floats, adamStep: try integer("adam_step"),
                         adamMoment1: try tensor("adam.moment1").floats, adamMoment2: try tensor("adam.moment2").floats,
                         records: records, bestEpoch: try integer("best_epoch"), bestAccuracy: Double(bitPattern: accuracyBits),
                         bestLogits: rows(try tensor("best_logits")), finalLogits: rows(try tensor("final_logits")),
                         validationEpoch: file.metadata["validation_epoch"].flatMap(Int.init) ?? 0,
                         validationAccuracy: file.metadata["validation_accuracy"].flatMap(UInt64.init).map(Double.init(bitPattern:)) ?? -1,
                         validationLogits: file["validation_logits"].map(rows) ?? [])
    }

    private static func matrix(_ rows: [[Float]]) -> StoredTensor {
        StoredTensor(Tensor(shape: [rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0 }))
    }

    private static func rows(_ t: StoredTensor) -> [[Float]] {
        let values = t.floats, width = t.shape.count == 2 ? t.shape[1] : 0
        guard width > 0 else { return Array(repeating: [], count: t.shape.first ?? 0) }
        return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
    }
}

/// A saved state that cannot be used, naming its file.
public struct FoldStateError: Error, CustomStringConvertible {
    public let source: String
    public let problem: String
    public var description: String { "\(source): \(problem)" }
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
