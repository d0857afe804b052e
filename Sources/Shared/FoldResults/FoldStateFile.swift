import Foundation
import Tensor

/// The safetensors form both engines' fold states share (HTNet's FoldState, DDAMFN's
/// DDAMFNFoldState): float arrays as tensors, everything else in the header's metadata (integers as
/// text, doubles as their bit patterns so they round-trip exactly, epoch records as JSON), versioned
/// by `format`. Holds the results so far, which both engines keep alike; each state adds its model
/// and optimizer entries. Reading checks every entry and names the file and the entry when one is
/// missing or malformed.
public struct FoldStateFile {
    public var file: SafeTensorsFile
    let source: String

    /// A new state file of `format` holding the results after `epoch` epochs.
    public init(format: String, epoch: Int, records: [EpochRecord], bestEpoch: Int, bestAccuracy: Double,
                bestLogits: [[Float]], finalLogits: [[Float]], validation: ValidationChoice) throws {
        source = ""
        file = SafeTensorsFile(metadata: [
            "format": format, "epoch": String(epoch), "best_epoch": String(bestEpoch),
            "best_accuracy": String(bestAccuracy.bitPattern),
            "records": String(decoding: try JSONEncoder().encode(records), as: UTF8.self),
        ])
        file.tensors["best_logits"] = Self.matrix(bestLogits)
        file.tensors["final_logits"] = Self.matrix(finalLogits)
        if validation.epoch > 0 {
            file.metadata["validation_epoch"] = String(validation.epoch)
            file.metadata["validation_accuracy"] = String(validation.accuracy.bitPattern)
            file.tensors["validation_logits"] = Self.matrix(validation.testLogits)
        }
    }

    /// Reads a state file; `kind` ("a fold state", "a DDAMFN fold state") words a format mismatch.
    public init(decoding data: Data, source: String, format: String, kind: String) throws {
        file = try SafeTensorsFile.decode(data, path: source)
        self.source = source
        guard file.metadata["format"] == format else {
            throw failure("not \(kind) (format \(file.metadata["format"] ?? "missing"), expected \(format))")
        }
        let epoch = try integer("epoch"), count = try records().count
        guard epoch >= 1, count == epoch else { throw failure("\(count) epoch records for \(epoch) epochs") }
    }

    public func failure(_ problem: String) -> FileError { FileError(path: source, problem: problem) }

    public func encoded() throws -> Data { try file.encoded() }

    // MARK: entries

    public func integer(_ key: String) throws -> Int {
        guard let text = file.metadata[key], let v = Int(text) else { throw failure("metadata '\(key)' missing or not an integer") }
        return v
    }

    /// A double stored as its bit pattern.
    public func double(_ key: String) throws -> Double {
        guard let bits = file.metadata[key].flatMap(UInt64.init) else { throw failure("metadata '\(key)' missing or not a bit pattern") }
        return Double(bitPattern: bits)
    }

    public func floats(_ name: String) throws -> [Float] {
        guard let t = file[name], t.dtype == .f32 else { throw failure("tensor '\(name)' missing or not F32") }
        return t.floats
    }

    /// An entry only some states have: nil when absent, an error when malformed.
    public func optionalFloats(_ name: String) throws -> [Float]? {
        file[name] == nil ? nil : try floats(name)
    }

    /// A [rows, columns] tensor as rows.
    public func rows(_ name: String) throws -> [[Float]] {
        guard let t = file[name], t.dtype == .f32 else { throw failure("tensor '\(name)' missing or not F32") }
        let values = t.floats, width = t.shape.count == 2 ? t.shape[1] : 0
        guard width > 0 else { return Array(repeating: [], count: t.shape.first ?? 0) }
        return stride(from: 0, to: values.count, by: width).map { Array(values[$0..<($0 + width)]) }
    }

    // MARK: the results so far

    public func records() throws -> [EpochRecord] {
        guard let json = file.metadata["records"], let records = try? JSONDecoder().decode([EpochRecord].self, from: Data(json.utf8)) else {
            throw failure("metadata 'records' missing or not epoch records")
        }
        return records
    }

    public func best() throws -> (epoch: Int, accuracy: Double, logits: [[Float]]) {
        (try integer("best_epoch"), try double("best_accuracy"), try rows("best_logits"))
    }

    public func finalLogits() throws -> [[Float]] { try rows("final_logits") }

    /// The validation-selected epoch so far; an empty choice (epoch 0) when the state has none.
    public func validation() throws -> ValidationChoice {
        guard file.metadata["validation_epoch"] != nil else { return ValidationChoice() }
        return ValidationChoice(epoch: try integer("validation_epoch"), accuracy: try double("validation_accuracy"),
                                testLogits: try rows("validation_logits"))
    }

    // MARK: writing

    public mutating func set(_ name: String, _ values: [Float]) {
        file.tensors[name] = StoredTensor(Tensor(shape: [values.count], data: values))
    }

    static func matrix(_ rows: [[Float]]) -> StoredTensor {
        StoredTensor(Tensor(shape: [rows.count, rows.first?.count ?? 0], data: rows.flatMap { $0 }))
    }
}
