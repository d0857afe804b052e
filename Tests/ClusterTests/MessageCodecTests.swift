import FoldResults
import HTNet
import XCTest
@testable import Coordination
@testable import Wire

final class MessageCodecTests: XCTestCase {
    private func roundTrip(_ message: ClusterMessage, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = MessageCodec.encode(message)
        XCTAssertEqual(Array(bytes[0..<4]), Array("LOSO".utf8), file: file, line: line)
        XCTAssertEqual(try MessageCodec.decode(bytes), message, file: file, line: line)
    }

    func testEveryMessageKindRoundTrips() throws {
        let record = EpochRecord(epoch: 3, trainLoss: 0.5, trainAccuracy: 0.75, testLoss: .nan, testAccuracy: 1, seconds: 0.25)
        try roundTrip(.hello(WorkerHello(host: "node01", rank: 7, cores: 16, workersOnNode: 4, softwareVersion: "1.2.3")))
        try roundTrip(.setup(WorkerSetup(experimentName: "demo", threads: 2, featureCache: [0, 1, 2, 255])))
        try roundTrip(.ready(WorkerReady(worker: "node01:7", threads: 4)))
        try roundTrip(.ready(WorkerReady(worker: "gpu01:2", threads: 8, device: "cuda:0 NVIDIA H200", bundleLimit: 1 << 20, memoryBytes: 140 << 30)))
        try roundTrip(.assignment(TaskAssignment(taskID: "base/1/s01", model: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1]),
                                                 training: TrainingConfig(epochs: 2, batchSize: 16, learningRate: 1e-3, order: .shuffle,
                                                                          loss: .weightedCrossEntropy),
                                                 seedKeys: [1, .max, 0], trainIndices: [0, 2, 5], testIndices: [1])))
        try roundTrip(.progress(EpochProgress(taskID: "t", record: EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0,
                                                                               testLoss: 2, testAccuracy: 0.5, seconds: 1))))
        let outcome = FoldOutcome(epochs: [record, record], finalLogits: [[1, -0.0, .infinity], [2, 3, 4]], bestTestEpoch: 2,
                                  bestTestLogits: [[0.1, 0.2, 0.3], [Float.leastNonzeroMagnitude, 5, 6]])
        let bytes = MessageCodec.encode(.result(TaskResult(taskID: "t", worker: "w:1", outcome: outcome, trainSeconds: 9, prepareSeconds: 0.5)))
        guard case let .result(decoded) = try MessageCodec.decode(bytes) else { return XCTFail("not a result") }
        // Bit patterns survive (NaN compares unequal, so check bits).
        XCTAssertEqual(decoded.outcome.finalLogits.flatMap { $0 }.map(\.bitPattern), outcome.finalLogits.flatMap { $0 }.map(\.bitPattern))
        XCTAssertEqual(decoded.outcome.bestTestLogits, outcome.bestTestLogits)
        XCTAssertEqual(decoded.outcome.epochs.map(\.testLoss.bitPattern), outcome.epochs.map(\.testLoss.bitPattern))
        XCTAssertEqual(decoded.outcome.bestTestEpoch, 2)
        XCTAssertTrue(decoded.embeddings.isEmpty && decoded.noisyScores.isEmpty)
        // The final model's embeddings and noisy-input scores travel too.
        let full = TaskResult(taskID: "t", worker: "w:1", outcome: outcome, trainSeconds: 9, prepareSeconds: 0.5,
                              embeddings: [[0.5, -1, 2, 3], [4, 5, 6, 7]], noisyScores: [[[1, 2, 3], [4, 5, 6]], [[0, 0, 1], [1, 0, 0]]])
        guard case let .result(back) = try MessageCodec.decode(MessageCodec.encode(.result(full))) else { return XCTFail("not a result") }
        XCTAssertEqual(back.embeddings, full.embeddings)
        XCTAssertEqual(back.noisyScores, full.noisyScores)
        // The journal packs embeddings as base64 float32, bit for bit.
        let vector: [Float] = [0.1, -0, .leastNonzeroMagnitude, 3e38, -7.25]
        XCTAssertEqual(PackedFloats.decode(PackedFloats.encode(vector))?.map(\.bitPattern), vector.map(\.bitPattern))
        XCTAssertNil(PackedFloats.decode("not base64!"))
        try roundTrip(.failure(TaskFailure(taskID: "t", worker: "w:1", message: "training diverged: non-finite loss")))
        try roundTrip(.shutdown(reason: "no tasks left"))
    }

    func testAnotherProtocolVersionIsRefusedWithBothVersions() {
        let bytes = MessageCodec.encode(.ready(WorkerReady(worker: "w", threads: 1)), version: ClusterVersion.wireProtocol + 1)
        XCTAssertThrowsError(try MessageCodec.decode(bytes)) { error in
            XCTAssertEqual(error as? ClusterError, .protocolMismatch(theirs: ClusterVersion.wireProtocol + 1, ours: ClusterVersion.wireProtocol))
            XCTAssertTrue("\(error)".contains("same source"), "\(error)")
        }
    }

    func testDamagedMessagesAreErrorsNotCrashes() {
        let good = MessageCodec.encode(.failure(TaskFailure(taskID: "task", worker: "w", message: "m")))
        var badMagic = good
        badMagic[0] = 0
        XCTAssertThrowsError(try MessageCodec.decode(badMagic))
        XCTAssertThrowsError(try MessageCodec.decode(Array(good.dropLast(3))))
        XCTAssertThrowsError(try MessageCodec.decode(Array(good.prefix(10))))
        var badKind = good
        badKind[6] = 200
        XCTAssertThrowsError(try MessageCodec.decode(badKind))
        // A length prefix that claims more than the payload holds.
        var lying = good
        lying[MessageCodec.headerSize] = 0xFF
        XCTAssertThrowsError(try MessageCodec.decode(lying))
    }
}
