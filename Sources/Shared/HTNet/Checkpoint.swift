import Foundation
import Tensor

/// HTNet weights as safetensors under the reference state_dict names (float32), so a checkpoint
/// written here loads into the reference PyTorch model and the reverse.
public enum Checkpoint {
    /// Copies `tensors[prefix + name]` for every parameter into the model; every parameter must be
    /// present with the reference shape (size-1 dimensions must match too).
    public static func load(_ file: SafeTensorsFile, prefix: String = "", into model: HTNetModel, source: String) throws {
        var missing: [String] = []
        for slot in model.layout.slots {
            guard let stored = file.tensors[prefix + slot.name] else { missing.append(prefix + slot.name); continue }
            guard stored.shape == slot.shape else {
                throw FileError(path: source, problem: "tensor '\(prefix + slot.name)' has shape \(stored.shape), HTNet expects \(slot.shape)")
            }
            let values = stored.floats
            values.withUnsafeBufferPointer { (model.parameters.pointer + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
        }
        if !missing.isEmpty {
            throw FileError(path: source, problem: "missing \(missing.count) parameter(s) for this config, e.g. '\(missing[0])'")
        }
    }

    /// The parameters in `layout` order (the engine's one contiguous buffer), read from
    /// `tensors[prefix + name]`, with the same checks as `load`.
    public static func parameters(_ file: SafeTensorsFile, prefix: String = "", layout: ParameterLayout, source: String) throws -> [Float] {
        var values = [Float](repeating: 0, count: layout.count)
        for slot in layout.slots {
            guard let stored = file.tensors[prefix + slot.name] else {
                throw FileError(path: source, problem: "missing parameter '\(prefix + slot.name)' for this config")
            }
            guard stored.shape == slot.shape else {
                throw FileError(path: source, problem: "tensor '\(prefix + slot.name)' has shape \(stored.shape), HTNet expects \(slot.shape)")
            }
            values.replaceSubrange(slot.offset..<(slot.offset + slot.count), with: stored.floats)
        }
        return values
    }

    public static func load(path: String, into model: HTNetModel) throws {
        try load(try SafeTensorsFile.read(path: path), into: model, source: path)
    }

    public static func file(of model: HTNetModel, metadata: [String: String] = [:]) -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: metadata)
        for slot in model.layout.slots { file.tensors[slot.name] = StoredTensor(model.parameter(slot.name)) }
        if let json = try? JSONEncoder().encode(model.config), let text = String(data: json, encoding: .utf8) {
            file.metadata["config"] = file.metadata["config"] ?? text
        }
        return file
    }

    public static func save(_ model: HTNetModel, to path: String, metadata: [String: String] = [:]) throws {
        try file(of: model, metadata: metadata).write(path: path)
    }
}
