import Foundation
@testable import HTNet
import Tensor
import TestSupport
import XCTest

/// Thirty epochs of the reference training loop (htnet-trajectory.safetensors) in both orders,
/// and a deliberately wrong order that must fail.
final class TrajectoryParityTests: XCTestCase {
    func report(_ reference: String, _ engine: TrainingOrder) throws -> TrajectoryParity.Report {
        let path = try Fixtures.path("htnet-trajectory.safetensors")
        return try TrajectoryParity.run(fixturePath: path, referenceOrder: reference, engineOrder: engine)
    }

    func assertPasses(_ r: TrajectoryParity.Report) {
        for m in r.measurements {
            XCTAssertTrue(m.passed, "\(r.referenceOrder) trained \(r.engineOrder.rawValue): \(m.name) = \(m.error), bound \(m.tolerance)")
        }
    }

    func testCSVOrderFollowsTheReference() throws { assertPasses(try report("csv", .csv)) }

    func testClassGroupedOrderFollowsTheReference() throws { assertPasses(try report("grouped", .classGrouped)) }

    func testWrongOrderFails() throws {
        let r = try report("grouped", .csv)
        XCTAssertFalse(r.passed)
        // Not only the order check: the trajectory itself must miss.
        XCTAssertTrue(r.measurements.dropFirst().contains { !$0.passed }, "\(r.measurements.map { ($0.name, $0.error) })")
    }

    func testClassGroupedIsStableAndShuffleDependsOnEpochAndTask() {
        let labels = [2, 0, 1, 0, 2, 1, 0]
        XCTAssertEqual(FoldTrainer.epochOrder(.classGrouped, labels: labels, epoch: 1, seedKeys: [1]), [1, 3, 6, 2, 5, 0, 4])
        XCTAssertEqual(FoldTrainer.epochOrder(.csv, labels: labels, epoch: 3, seedKeys: [1]), Array(0..<7))
        let a = FoldTrainer.epochOrder(.shuffle, labels: Array(repeating: 0, count: 50), epoch: 1, seedKeys: [1])
        XCTAssertEqual(a, FoldTrainer.epochOrder(.shuffle, labels: Array(repeating: 0, count: 50), epoch: 1, seedKeys: [1]))
        XCTAssertNotEqual(a, FoldTrainer.epochOrder(.shuffle, labels: Array(repeating: 0, count: 50), epoch: 2, seedKeys: [1]))
        XCTAssertNotEqual(a, FoldTrainer.epochOrder(.shuffle, labels: Array(repeating: 0, count: 50), epoch: 1, seedKeys: [2]))
        XCTAssertEqual(a.sorted(), Array(0..<50))
    }

    /// Starting points: `seed` scope ignores the fold, `fold` scope does not; torch/seed is
    /// exactly torch.manual_seed(seed); splitmix/fold is the original per-task stream.
    func testStartingWeightsScopes() {
        let keys: [UInt64] = [11, 22, 3]
        XCTAssertEqual(StartingWeights.resolve(rng: .torch, scope: .seed, seed: 3, seedKeys: keys, foldKey: 5), .torch(seed: 3))
        XCTAssertEqual(StartingWeights.resolve(rng: .torch, scope: .seed, seed: 3, seedKeys: keys, foldKey: 5),
                       StartingWeights.resolve(rng: .torch, scope: .seed, seed: 3, seedKeys: keys, foldKey: 6))
        XCTAssertNotEqual(StartingWeights.resolve(rng: .torch, scope: .fold, seed: 3, seedKeys: keys, foldKey: 5),
                          StartingWeights.resolve(rng: .torch, scope: .fold, seed: 3, seedKeys: keys, foldKey: 6))
        XCTAssertEqual(StartingWeights.resolve(rng: .splitmix, scope: .seed, seed: 3, seedKeys: keys, foldKey: 5),
                       StartingWeights.resolve(rng: .splitmix, scope: .seed, seed: 3, seedKeys: keys, foldKey: 6))
        XCTAssertEqual(StartingWeights.resolve(rng: .splitmix, scope: .fold, seed: 3, seedKeys: keys, foldKey: 5),
                       .splitmix(keys: keys + [5, 1]))
    }
}
