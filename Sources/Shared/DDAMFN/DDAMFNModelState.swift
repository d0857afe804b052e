import Foundation
import Tensor

/// A DDAMFN model's whole state as one flat vector, the form it travels in (returned weights,
/// `init_from` starts) and is kept in (fold states): the parameter buffer, then the running
/// statistics buffer (each BatchNorm's running_mean then running_var, table order), then one
/// num_batches_tracked counter per BatchNorm as a Float. Eval mode needs the statistics, so a
/// model is never moved without them. Counters are exact as Floats below 2^24 training steps
/// (`exportState` refuses more rather than round).
extension DDAMFNModel {
    public var stateCount: Int { DDAMFNModel.stateCount(table) }

    public static func stateCount(_ table: ParameterTable) -> Int {
        table.parameterCount + table.statisticsCount + table.batchNorms.count
    }

    public func exportState() -> [Float] {
        var out = [Float](repeating: 0, count: stateCount)
        let p = table.parameterCount, s = table.statisticsCount
        out.withUnsafeMutableBufferPointer { o in
            o.baseAddress!.update(from: parameters.pointer, count: p)
            (o.baseAddress! + p).update(from: statistics.pointer, count: s)
            for bn in table.batchNorms {
                let n = batchesTracked[bn.counter]
                precondition(n < 1 << 24, "num_batches_tracked \(n) of \(bn.prefix) does not fit a Float exactly")
                o[p + s + bn.counter] = Float(n)
            }
        }
        return out
    }

    public func importState(_ state: [Float]) {
        precondition(state.count == stateCount, "a DDAMFN state of \(state.count) values for a model of \(stateCount)")
        let p = table.parameterCount, s = table.statisticsCount
        state.withUnsafeBufferPointer { v in
            parameters.pointer.update(from: v.baseAddress!, count: p)
            statistics.pointer.update(from: v.baseAddress! + p, count: s)
            for bn in table.batchNorms { batchesTracked[bn.counter] = Int(v[p + s + bn.counter]) }
        }
    }
}

/// Where each state-dict tensor lives in the flat state vector (DDAMFNModel.exportState), under the
/// reference's names: `<name>` for parameters, `<bn>.running_mean`, `<bn>.running_var` and
/// `<bn>.num_batches_tracked` (int64, shape []) for buffers, exactly as `DDAMN.state_dict()` names them.
public struct DDAMFNStateLayout {
    public struct Entry: Sendable {
        public let name: String
        /// Shape in the state dict ([] for num_batches_tracked).
        public let shape: [Int]
        public let offset: Int
        public let count: Int
        public let isCounter: Bool
    }
    public let entries: [Entry]
    public let count: Int

    public init(table: ParameterTable) {
        var entries = table.parameters.map { Entry(name: $0.name, shape: $0.shape, offset: $0.offset, count: $0.count, isCounter: false) }
        let p = table.parameterCount, s = table.statisticsCount
        for bn in table.batchNorms {
            entries.append(Entry(name: bn.prefix + ".running_mean", shape: [bn.channels], offset: p + bn.offset, count: bn.channels, isCounter: false))
            entries.append(Entry(name: bn.prefix + ".running_var", shape: [bn.channels], offset: p + bn.offset + bn.channels,
                                 count: bn.channels, isCounter: false))
            entries.append(Entry(name: bn.prefix + ".num_batches_tracked", shape: [], offset: p + s + bn.counter, count: 1, isCounter: true))
        }
        self.entries = entries
        count = p + s + table.batchNorms.count
    }

    /// The layout of a model of `config` (built once per configuration; the table is the model's own).
    public init(config: DDAMFNConfig) {
        self.init(table: DDAMFNModel(config: config, maxBatch: 1).table)
    }

    /// The state as a state dict (float32 parameters and statistics, int64 counters).
    public func file(state: [Float], metadata: [String: String] = [:]) -> SafeTensorsFile {
        precondition(state.count == count, "a DDAMFN state of \(state.count) values for a layout of \(count)")
        var file = SafeTensorsFile(metadata: metadata)
        state.withUnsafeBufferPointer { v in
            for e in entries {
                if e.isCounter {
                    file.tensors[e.name] = StoredTensor(int64: [Int64(v[e.offset])], shape: [])
                } else {
                    file.tensors[e.name] = StoredTensor(dtype: .f32, shape: e.shape,
                                                        bytes: Data(buffer: UnsafeBufferPointer(rebasing: v[e.offset..<(e.offset + e.count)])))
                }
            }
        }
        return file
    }

    /// A state dict read back strictly: every tensor present with its shape, none left over. Errors
    /// name the file and the tensor.
    public func state(from file: SafeTensorsFile, source: String) throws -> [Float] {
        var state = [Float](repeating: 0, count: count)
        for e in entries {
            guard let t = file.tensors[e.name] else { throw DDAMFNStateDict.Failure(path: source, problem: "missing tensor '\(e.name)'") }
            if e.isCounter {
                guard t.elementCount == 1, [.i64, .i32].contains(t.dtype) else {
                    throw DDAMFNStateDict.Failure(path: source, problem: "'\(e.name)' is not an integer scalar (\(t.dtype.rawValue) \(t.shape))")
                }
                state[e.offset] = Float(t.integers[0])
                continue
            }
            guard t.shape == e.shape else {
                throw DDAMFNStateDict.Failure(path: source, problem: "'\(e.name)' has shape \(t.shape), the model expects \(e.shape)")
            }
            state.replaceSubrange(e.offset..<(e.offset + e.count), with: t.floats)
        }
        let known = Set(entries.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw DDAMFNStateDict.Failure(path: source, problem: "'\(extra)' names no tensor of this model")
        }
        return state
    }
}
