import DDAMFN
import FoldResults
import Foundation
import HTNet

/// The binary wire format: a 16-byte header then the payload.
///
///     offset 0  magic     "LOSO" (4 bytes)
///     offset 4  version   UInt16 LE  (ClusterVersion.wireProtocol)
///     offset 6  kind      UInt16 LE  (MessageKind)
///     offset 8  length    UInt64 LE  (payload bytes that follow)
///
/// The header is checked before the payload is touched: a peer of another protocol version is
/// refused with a message naming both versions, whatever the rest of its layout.
public enum MessageCodec {
    public static let magic: [UInt8] = Array("LOSO".utf8)
    public static let headerSize = 16

    public static func encode(_ message: ClusterMessage, version: UInt16 = ClusterVersion.wireProtocol) -> [UInt8] {
        var p = BinaryWriter()
        switch message {
        case let .hello(h):
            p.write(h.host); p.write(h.rank); p.write(h.cores); p.write(h.workersOnNode); p.write(h.softwareVersion)
        case let .setup(s):
            p.write(s.experimentName); p.write(s.threads); p.write(bytes: s.featureCache)
            p.write(s.foldStateCadence.everyEpochs ?? 0); p.write(s.foldStateCadence.everySeconds ?? 0)
        case let .ready(r):
            p.write(r.worker); p.write(r.threads); p.write(r.device); p.write(r.bundleLimit); p.write(r.memoryBytes)
        case let .assignment(a):
            writeAssignment(a, to: &p)
        case let .bundle(assignments):
            // Each assignment as its own length-prefixed payload (an assignment's tail is optional).
            p.write(assignments.count)
            for a in assignments {
                var one = BinaryWriter()
                writeAssignment(a, to: &one)
                p.write(bytes: one.bytes)
            }
        case let .progress(e):
            p.write(e.taskID); write(e.record, to: &p)
        case let .result(r):
            p.write(r.taskID); p.write(r.worker); p.write(r.device); p.write(r.bundleSize); p.write(r.trainSeconds); p.write(r.prepareSeconds)
            p.write(r.outcome.bestTestEpoch)
            p.write(r.outcome.epochs.count)
            for e in r.outcome.epochs { write(e, to: &p) }
            writeMatrix(r.outcome.finalLogits, to: &p)
            writeMatrix(r.outcome.bestTestLogits, to: &p)
            writeMatrix(r.embeddings, to: &p)
            p.write(r.noisyScores.count)
            for m in r.noisyScores { writeMatrix(m, to: &p) }
            // Validation-selected epoch (0 = no validation set) and its test logits.
            p.write(r.outcome.validationEpoch ?? 0)
            writeMatrix(r.outcome.validationLogits ?? [], to: &p)
            // Optional tail: trained weights (`keep: checkpoints`), absent when none were asked for.
            if !r.weights.isEmpty {
                p.write(r.weights.count)
                for w in r.weights { p.write(w.selection.rawValue); p.write(w.epoch); p.write(floats: w.parameters) }
            }
        case let .failure(f):
            p.write(f.taskID); p.write(f.worker); p.write(f.message)
        case let .shutdown(reason):
            p.write(reason)
        case let .heartbeat(taskID):
            p.write(taskID)
        case let .foldState(u):
            p.write(u.taskID); p.write(u.epoch); p.write(bytes: u.state)
        }
        var out = BinaryWriter()
        for b in magic { out.write(b) }
        out.write(version)
        out.write(message.kind.rawValue)
        out.write(UInt64(p.bytes.count))
        return out.bytes + p.bytes
    }

    /// Reads the header only; throws `protocolMismatch` for another version.
    public static func header(of bytes: [UInt8]) throws -> (version: UInt16, kind: MessageKind, length: Int) {
        guard bytes.count >= headerSize else {
            throw ClusterError.malformedMessage("\(bytes.count) bytes is shorter than the \(headerSize)-byte header")
        }
        guard Array(bytes[0..<4]) == magic else {
            throw ClusterError.malformedMessage("bad magic \(bytes[0..<4].map { String(format: "%02x", $0) }.joined()); not a LOSO trainer message")
        }
        var r = BinaryReader(bytes, offset: 4)
        let version = try r.read(UInt16.self)
        guard version == ClusterVersion.wireProtocol else {
            throw ClusterError.protocolMismatch(theirs: version, ours: ClusterVersion.wireProtocol)
        }
        let rawKind = try r.read(UInt16.self)
        guard let kind = MessageKind(rawValue: rawKind) else {
            throw ClusterError.malformedMessage("unknown message kind \(rawKind)")
        }
        let length = try r.read(UInt64.self)
        guard length == UInt64(bytes.count - headerSize) else {
            throw ClusterError.malformedMessage("header says \(length) payload bytes, \(bytes.count - headerSize) arrived")
        }
        return (version, kind, Int(length))
    }

    public static func decode(_ bytes: [UInt8]) throws -> ClusterMessage {
        let (_, kind, _) = try header(of: bytes)
        var r = BinaryReader(bytes, offset: headerSize)
        let message: ClusterMessage
        switch kind {
        case .hello:
            message = .hello(WorkerHello(host: try r.readString(), rank: try r.readInt(), cores: try r.readInt(),
                                         workersOnNode: try r.readInt(), softwareVersion: try r.readString()))
        case .setup:
            let name = try r.readString(), threads = try r.readInt(), cache = try r.readBytes()
            let epochs = try r.readInt(), seconds = try r.readDouble()
            message = .setup(WorkerSetup(experimentName: name, threads: threads, featureCache: cache,
                                         foldStateCadence: FoldStateCadence(everyEpochs: epochs > 0 ? epochs : nil,
                                                                            everySeconds: seconds > 0 ? seconds : nil)))
        case .ready:
            message = .ready(WorkerReady(worker: try r.readString(), threads: try r.readInt(), device: try r.readString(),
                                         bundleLimit: try r.readInt(), memoryBytes: try r.readInt()))
        case .assignment:
            message = .assignment(try readAssignment(&r))
        case .bundle:
            let n = try r.readInt()
            guard n >= 1, n <= 100_000 else { throw ClusterError.malformedMessage("a bundle of \(n) tasks") }
            var assignments: [TaskAssignment] = []
            for _ in 0..<n {
                var one = BinaryReader(try r.readBytes(), offset: 0)
                assignments.append(try readAssignment(&one))
                guard one.isAtEnd else { throw ClusterError.malformedMessage("a bundled assignment has trailing bytes") }
            }
            message = .bundle(assignments)
        case .progress:
            message = .progress(EpochProgress(taskID: try r.readString(), record: try readRecord(&r)))
        case .result:
            let id = try r.readString(), worker = try r.readString(), device = try r.readString(), bundleSize = try r.readInt()
            let train = try r.readDouble(), prepare = try r.readDouble()
            let best = try r.readInt()
            let n = try r.readInt()
            guard n >= 0, n <= 10_000_000 else { throw ClusterError.malformedMessage("\(n) epochs") }
            var epochs: [EpochRecord] = []
            for _ in 0..<n { epochs.append(try readRecord(&r)) }
            let final = try readMatrix(&r), bestLogits = try readMatrix(&r)
            let embeddings = try readMatrix(&r)
            let levels = try r.readInt()
            guard levels >= 0, levels <= 1000 else { throw ClusterError.malformedMessage("\(levels) noise levels") }
            var noisy: [[[Float]]] = []
            for _ in 0..<levels { noisy.append(try readMatrix(&r)) }
            let validationEpoch = try r.readInt(), validationLogits = try readMatrix(&r)
            var weights: [TrainedWeights] = []
            if !r.isAtEnd {
                let count = try r.readInt()
                guard count >= 0, count <= 16 else { throw ClusterError.malformedMessage("\(count) weight sets") }
                for _ in 0..<count {
                    let rule = try r.readString()
                    guard let selection = EpochSelection(rawValue: rule) else { throw ClusterError.malformedMessage("epoch rule '\(rule)'") }
                    weights.append(TrainedWeights(selection: selection, epoch: try r.readInt(), parameters: try r.readFloats()))
                }
            }
            var result = TaskResult(taskID: id, worker: worker,
                                    outcome: FoldOutcome(epochs: epochs, finalLogits: final, bestTestEpoch: best,
                                                         bestTestLogits: bestLogits,
                                                         validationEpoch: validationEpoch > 0 ? validationEpoch : nil,
                                                         validationLogits: validationEpoch > 0 ? validationLogits : nil),
                                    trainSeconds: train, prepareSeconds: prepare, embeddings: embeddings, noisyScores: noisy,
                                    weights: weights)
            result.device = device
            result.bundleSize = bundleSize
            message = .result(result)
        case .failure:
            message = .failure(TaskFailure(taskID: try r.readString(), worker: try r.readString(), message: try r.readString()))
        case .shutdown:
            message = .shutdown(reason: try r.readString())
        case .heartbeat:
            message = .heartbeat(taskID: try r.readString())
        case .foldState:
            message = .foldState(FoldStateUpload(taskID: try r.readString(), epoch: try r.readInt(), state: try r.readBytes()))
        }
        guard r.isAtEnd else { throw ClusterError.malformedMessage("\(kind) message has trailing bytes") }
        return message
    }

    private static func writeAssignment(_ a: TaskAssignment, to p: inout BinaryWriter) {
        p.write(a.taskID)
        p.write(encodeJSON(a.model)); p.write(encodeJSON(a.training)); p.write(encodeJSON(a.start))
        p.write(words: a.seedKeys); p.write(ints: a.trainIndices); p.write(ints: a.testIndices)
        p.write(bytes: a.resumeState)
        p.write(ints: a.validationIndices)
        p.write(a.ddamfn.map { encodeJSON($0) } ?? "")
        // Optional tail (checkpoints, init_from): absent when unused, so such assignments are
        // byte-identical to those before it.
        if a.returnedWeights != .none || a.initialParameters != nil {
            p.write(a.returnedWeights.rawValue)
            p.write(a.initialParameters != nil)
            if let given = a.initialParameters { p.write(floats: given) }
            p.write(a.freshSlots.count)
            for name in a.freshSlots { p.write(name) }
        }
    }

    private static func readAssignment(_ r: inout BinaryReader) throws -> TaskAssignment {
        let id = try r.readString()
        let model = try decodeJSON(HTNetConfig.self, try r.readString())
        let training = try decodeJSON(TrainingConfig.self, try r.readString())
        let start = try decodeJSON(StartingWeights.self, try r.readString())
        var assignment = TaskAssignment(taskID: id, model: model, training: training,
                                        seedKeys: try r.readWords(), start: start, trainIndices: try r.readInts(),
                                        testIndices: try r.readInts())
        assignment.resumeState = try r.readBytes()
        assignment.validationIndices = try r.readInts()
        let ddamfn = try r.readString()
        if !ddamfn.isEmpty { assignment.ddamfn = try decodeJSON(DDAMFNConfig.self, ddamfn) }
        if !r.isAtEnd {
            let raw = try r.read(UInt8.self)
            guard let returned = ReturnedWeights(rawValue: raw) else { throw ClusterError.malformedMessage("returned-weights code \(raw)") }
            assignment.returnedWeights = returned
            if try r.readBool() { assignment.initialParameters = try r.readFloats() }
            let n = try r.readInt()
            guard n >= 0, n <= 100_000 else { throw ClusterError.malformedMessage("\(n) fresh slots") }
            assignment.freshSlots = try (0..<n).map { _ in try r.readString() }
        }
        return assignment
    }

    private static func write(_ e: EpochRecord, to p: inout BinaryWriter) {
        p.write(e.epoch); p.write(e.trainLoss); p.write(e.trainAccuracy)
        p.write(e.testLoss); p.write(e.testAccuracy); p.write(e.seconds)
    }

    private static func readRecord(_ r: inout BinaryReader) throws -> EpochRecord {
        EpochRecord(epoch: try r.readInt(), trainLoss: try r.readDouble(), trainAccuracy: try r.readDouble(),
                    testLoss: try r.readDouble(), testAccuracy: try r.readDouble(), seconds: try r.readDouble())
    }

    /// Rows of equal length: row count, column count, then the values row by row.
    private static func writeMatrix(_ m: [[Float]], to p: inout BinaryWriter) {
        p.write(m.count)
        p.write(m.first?.count ?? 0)
        p.write(floats: m.flatMap { $0 })
    }

    private static func readMatrix(_ r: inout BinaryReader) throws -> [[Float]] {
        let rows = try r.readInt(), cols = try r.readInt()
        let flat = try r.readFloats()
        guard rows >= 0, cols >= 0, rows * cols == flat.count else {
            throw ClusterError.malformedMessage("a \(rows)x\(cols) matrix with \(flat.count) values")
        }
        return (0..<rows).map { Array(flat[$0 * cols..<($0 + 1) * cols]) }
    }

    private static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw ClusterError.malformedMessage("\(type) in an assignment: \(error)")
        }
    }
}
