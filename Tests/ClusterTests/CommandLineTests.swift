import Foundation
import TestSupport
import XCTest

/// The command-line conventions of both executables: `--version`, named range errors for numeric
/// flags, one "error:" style, and `compare` reading what `train-fold --out` writes.
final class CommandLineTests: XCTestCase {
    private func requireExecutables() throws {
        for path in [MPIJob.coordinator, MPIJob.worker] where !FileManager.default.isExecutableFile(atPath: path) {
            throw XCTSkip("\(path) not built (build the package before testing)")
        }
    }

    func testVersionOnBothExecutables() throws {
        try requireExecutables()
        let directory = try temporaryDirectory(self)
        for executable in [MPIJob.coordinator, MPIJob.worker] {
            let r = try MPIJob.runDirect(executable, ["--version"], in: directory)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.hasPrefix("0.1.0 (commit "), r.output)
        }
    }

    func testNumericFlagsAreCheckedWithNamedErrors() throws {
        try requireExecutables()
        let directory = try temporaryDirectory(self)
        let base = ["train-fold", "--data", "nowhere", "--test-subject", "s01"]
        for (extra, message) in [(["--epochs", "0"], "error: --epochs must be at least 1 (got 0)"),
                                 (["--epochs=-3"], "error: --epochs must be at least 1 (got -3)"),
                                 (["--batch", "0"], "error: --batch must be at least 1 (got 0)"),
                                 (["--lr", "0"], "error: --lr must be a finite number above 0.0 (got 0.0)"),
                                 (["--dim", "0"], "error: --dim must be at least 1 (got 0)")] {
            let r = try MPIJob.runDirect(MPIJob.coordinator, base + extra, in: directory)
            XCTAssertNotEqual(r.status, 0, "\(extra): \(r.output)")
            XCTAssertTrue(r.output.contains(message), "\(extra): \(r.output)")
        }
        // `--epochs -3` (a value that looks like a flag) reaches the same range check.
        let negative = try MPIJob.runDirect(MPIJob.coordinator, base + ["--epochs", "-3"], in: directory)
        XCTAssertNotEqual(negative.status, 0, negative.output)
        XCTAssertTrue(negative.output.contains("error: --epochs must be at least 1 (got -3)"), negative.output)
        let worker = try MPIJob.runDirect(MPIJob.worker, ["--threads=-1"], in: directory)
        XCTAssertNotEqual(worker.status, 0, worker.output)
        XCTAssertTrue(worker.output.contains("error: --threads must be at least 0 (got -1)"), worker.output)
    }

    /// Parse errors, validation errors and failures while running all print "error: ", never "Error:".
    func testOneErrorStyle() throws {
        try requireExecutables()
        let directory = try temporaryDirectory(self)
        for arguments in [["train-fold", "--no-such-flag"], ["compare", "missing.csv"], ["report", "no-such-run"]] {
            let r = try MPIJob.runDirect(MPIJob.coordinator, arguments, in: directory)
            XCTAssertNotEqual(r.status, 0, "\(arguments): \(r.output)")
            XCTAssertTrue(r.output.hasPrefix("error: "), "\(arguments): \(r.output)")
            XCTAssertFalse(r.output.contains("Error:"), "\(arguments): \(r.output)")
        }
    }

    /// train-fold --out writes the predictions format `compare` reads; two seeds of one fold compare.
    func testCompareReadsTrainFoldPredictions() throws {
        try requireExecutables()
        let directory = try temporaryDirectory(self)
        let synth = try MPIJob.runDirect(MPIJob.coordinator, ["synth", "--out", "data", "--subjects", "2", "--samples", "12"], in: directory)
        XCTAssertEqual(synth.status, 0, synth.output)
        let cache = try MPIJob.runDirect(MPIJob.coordinator, ["dataset", "cache", "data", "--out", "data.cache"], in: directory)
        XCTAssertEqual(cache.status, 0, cache.output)
        let subject = "a01"  // synth names subjects <source prefix><index>
        for seed in [1, 2] {
            let r = try MPIJob.runDirect(MPIJob.coordinator, ["train-fold", "--data", "data.cache", "--test-subject", subject,
                                                              "--dim", "8", "--heads", "1", "--repeats", "1,1,1", "--epochs", "2",
                                                              "--batch", "16", "--threads", "1", "--seed", "\(seed)",
                                                              "--out", "seed\(seed).csv"], in: directory)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("eta"), r.output)
        }
        let compare = try MPIJob.runDirect(MPIJob.coordinator, ["compare", "seed1.csv", "seed2.csv", "--json",
                                                                "--rounds", "50", "--resamples", "50"], in: directory)
        XCTAssertEqual(compare.status, 0, compare.output)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(compare.output.utf8)) as? [String: Any], compare.output)
        XCTAssertEqual((json["perSeed"] as? [Any])?.count, 1)
        XCTAssertEqual(json["nameA"] as? String, "seed1.csv:train-fold")
    }
}
