import XCTest
@testable import Coordination

/// The `keep:` key and `training.init_from` in experiment files: parsed, checked with named
/// problems, and absent from the canonical JSON when unused, so older experiments keep their identity.
final class KeepKeyTests: XCTestCase {
    let base = """
        name: k
        dataset: synthetic
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        """

    func testKeepIsParsedCheckedAndLeavesOldIdentitiesAlone() throws {
        let plain = try ExperimentFile.parse(base, file: "k.yaml")
        XCTAssertFalse(plain.keepsCheckpoints)
        XCTAssertFalse(plain.canonicalJSON.contains("keep"), "unused, the key is not encoded")
        XCTAssertFalse(plain.canonicalJSON.contains("init_from"))
        let kept = try ExperimentFile.parse(base + "\nkeep: checkpoints", file: "k.yaml")
        XCTAssertTrue(kept.keepsCheckpoints)
        XCTAssertNotEqual(kept.identity, plain.identity)
        XCTAssertTrue(try ExperimentFile.parse(base + "\nkeep: [checkpoints]", file: "k.yaml").keepsCheckpoints)
        XCTAssertThrowsError(try ExperimentFile.parse(base + "\nkeep: weights", file: "k.yaml")) { error in
            XCTAssertEqual((error as? ExperimentFileError)?.problems.map(\.field), ["keep"], "\(error)")
        }
        XCTAssertThrowsError(try ExperimentFile.parse(base + "\ntraining: {init_from: missing.safetensors}", file: "k.yaml")) { error in
            XCTAssertEqual((error as? ExperimentFileError)?.problems.map(\.field), ["training.init_from"], "\(error)")
        }
    }
}
