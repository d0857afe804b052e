import FoldResults
import HTNet
import XCTest
@testable import Wire

/// The optional tails of assignments (weights to return, init_from weights) and results (trained
/// weights): they round-trip bit for bit, and messages without them are byte-identical to before.
final class WeightsOnTheWireTests: XCTestCase {
    let model = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1])

    func testAssignmentTailRoundTripsAndIsAbsentWhenUnused() throws {
        let plain = TaskAssignment(taskID: "a/1/s01", model: model, training: TrainingConfig(epochs: 2), seedKeys: [1, 2],
                                   trainIndices: [0, 1], testIndices: [2])
        var tailed = plain
        tailed.returnedWeights = .finalAndBestTestEpoch
        tailed.initialParameters = [1.5, -0.0, .leastNonzeroMagnitude, 3]
        tailed.freshSlots = ["mlp_head.2.weight", "mlp_head.2.bias"]
        let plainBytes = MessageCodec.encode(.assignment(plain)), tailedBytes = MessageCodec.encode(.assignment(tailed))
        XCTAssertGreaterThan(tailedBytes.count, plainBytes.count)
        XCTAssertEqual(try MessageCodec.decode(plainBytes), .assignment(plain))
        guard case let .assignment(back) = try MessageCodec.decode(tailedBytes) else { return XCTFail("not an assignment") }
        XCTAssertEqual(back.returnedWeights, .finalAndBestTestEpoch)
        XCTAssertEqual(back.initialParameters?.map(\.bitPattern), tailed.initialParameters?.map(\.bitPattern))
        XCTAssertEqual(back.freshSlots, tailed.freshSlots)
    }

    func testResultWeightsRoundTripBitForBit() throws {
        let outcome = FoldOutcome(epochs: [EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0, testLoss: 1, testAccuracy: 0, seconds: 0)],
                                  finalLogits: [[1, 2]], bestTestEpoch: 1, bestTestLogits: [[1, 2]])
        let plain = TaskResult(taskID: "t", worker: "w:1", outcome: outcome, trainSeconds: 1, prepareSeconds: 0)
        var full = plain
        full.weights = [TrainedWeights(selection: .final, epoch: 7, parameters: (0..<1000).map { Float($0) * 0.37 - 11 }),
                        TrainedWeights(selection: .bestTestEpoch, epoch: 3, parameters: [.nan, -.infinity, 0])]
        guard case let .result(back) = try MessageCodec.decode(MessageCodec.encode(.result(full))) else { return XCTFail("not a result") }
        XCTAssertEqual(back.weights.map(\.selection), [.final, .bestTestEpoch])
        XCTAssertEqual(back.weights.map(\.epoch), [7, 3])
        XCTAssertEqual(back.weights.map { $0.parameters.map(\.bitPattern) }, full.weights.map { $0.parameters.map(\.bitPattern) })
        guard case let .result(none) = try MessageCodec.decode(MessageCodec.encode(.result(plain))) else { return XCTFail("not a result") }
        XCTAssertTrue(none.weights.isEmpty)
        // A truncated tail is a malformed message, not a crash.
        var cut = MessageCodec.encode(.result(full))
        cut.removeLast(5)
        cut.replaceSubrange(8..<16, with: withUnsafeBytes(of: UInt64(cut.count - 16).littleEndian, Array.init))
        XCTAssertThrowsError(try MessageCodec.decode(cut))
    }
}
