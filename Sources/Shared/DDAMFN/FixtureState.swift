import Foundation
import Tensor

/// Reading and writing the model's state as state-dict tensors: `<prefix><name>` for parameters,
/// `<prefix><bn>.running_mean` / `running_var` / `num_batches_tracked` for buffers. Shapes must
/// match exactly; every error names the file and the tensor.
public enum DDAMFNStateDict {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String, problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public static func loadParameters(_ file: SafeTensorsFile, prefix: String, into model: DDAMFNModel, source: String) throws {
        for p in model.table.parameters {
            guard let t = file[prefix + p.name] else { throw Failure(path: source, problem: "missing tensor '\(prefix + p.name)'") }
            guard t.shape == p.shape else {
                throw Failure(path: source, problem: "'\(prefix + p.name)' has shape \(t.shape), the model expects \(p.shape)")
            }
            let values = t.floats
            (model.parameters.pointer + p.offset).update(from: values, count: p.count)
        }
        let known = Set(model.table.parameters.map { prefix + $0.name })
        if let extra = file.tensors.keys.filter({ $0.hasPrefix(prefix) && !known.contains($0) }).sorted().first {
            throw Failure(path: source, problem: "'\(extra)' names no parameter of this model")
        }
    }

    public static func loadBuffers(_ file: SafeTensorsFile, prefix: String, into model: DDAMFNModel, source: String) throws {
        for bn in model.table.batchNorms {
            for (suffix, offset) in [("running_mean", bn.offset), ("running_var", bn.offset + bn.channels)] {
                let name = "\(prefix)\(bn.prefix).\(suffix)"
                guard let t = file[name] else { throw Failure(path: source, problem: "missing tensor '\(name)'") }
                guard t.elementCount == bn.channels else {
                    throw Failure(path: source, problem: "'\(name)' has \(t.elementCount) values, expected \(bn.channels)")
                }
                (model.statistics.pointer + offset).update(from: t.floats, count: bn.channels)
            }
            let name = "\(prefix)\(bn.prefix).num_batches_tracked"
            guard let t = file[name], t.elementCount == 1 else { throw Failure(path: source, problem: "missing scalar '\(name)'") }
            model.batchesTracked[bn.counter] = t.integers[0]
        }
    }

    /// Parameters (`param.`) and buffers (`buffer.`) as state-dict tensors, for checkpoints.
    public static func tensors(of model: DDAMFNModel) -> [String: StoredTensor] {
        var out: [String: StoredTensor] = [:]
        for p in model.table.parameters {
            let values = Array(UnsafeBufferPointer(start: model.parameters.pointer + p.offset, count: p.count))
            out["param." + p.name] = StoredTensor(Tensor(shape: p.shape, data: values))
        }
        for bn in model.table.batchNorms {
            let s = model.statistics.pointer + bn.offset
            out["buffer.\(bn.prefix).running_mean"] = StoredTensor(Tensor(shape: [bn.channels], data: Array(UnsafeBufferPointer(start: s, count: bn.channels))))
            out["buffer.\(bn.prefix).running_var"] = StoredTensor(Tensor(shape: [bn.channels], data: Array(UnsafeBufferPointer(start: s + bn.channels, count: bn.channels))))
            out["buffer.\(bn.prefix).num_batches_tracked"] = StoredTensor(int64: [Int64(model.batchesTracked[bn.counter])], shape: [])
        }
        return out
    }
}
