import Dataset
import Evaluation
import Foundation
import XCTest
@testable import Coordination
@testable import Wire

/// The whole job under mpirun with the built executables: a tiny model on a tiny synthetic
/// composite (6 subjects, 2 variants x 2 seeds x 6 folds = 24 tasks), so it stays small in CI.
/// Every run uses --threads 1: OpenBLAS's results can differ in the last bits between thread
/// counts, and the claim under test is that the worker count never matters.
final class EndToEndTests: XCTestCase {
    static let experimentText = """
        name: e2e
        dataset: {source: synthetic, seed: 5, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1, 2]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 3, batch_size: 16, lr: 0.001}
        variants:
          - name: a
          - {name: b, training: {loss: weighted-cross-entropy}}
        """
    static let taskCount = 24

    private var directory: String!

    override func setUpWithError() throws {
        try MPIJob.requireMPI()
        directory = try MPIJob.scratch("cluster-e2e", files: ["e2e.yaml": Self.experimentText])
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Predictions (both epoch rules) as canonical JSON bytes, from the journal alone.
    private func predictions(_ out: String) throws -> Data { try MPIJob.predictions(out: "\(directory!)/\(out)") }

    private func journal(_ out: String) throws -> JournalContents {
        try JournalReader.read(path: "\(directory!)/\(out)/journal.jsonl")
    }

    private func runJob(out: String, workers: Int, extra: [String] = []) throws -> MPIJob.Outcome {
        try MPIJob.run(["run", "e2e.yaml", "--out", out, "--threads", "1"] + extra, workers: workers, in: directory)
    }

    /// The uninterrupted 2-worker run every other run is compared with (run once per test process).
    private static var referencePredictions: Data?
    private func reference() throws -> Data {
        if let cached = Self.referencePredictions { return cached }
        let job = try runJob(out: "ref", workers: 2)
        XCTAssertEqual(job.status, 0, job.output)
        Self.referencePredictions = try predictions("ref")
        return Self.referencePredictions!
    }

    func testTwoWorkersWriteJournalAndReportAndTheReportRebuildsFromTheJournal() throws {
        let job = try runJob(out: "out", workers: 2)
        XCTAssertEqual(job.status, 0, job.output)
        if Self.referencePredictions == nil { Self.referencePredictions = try predictions("out") }
        XCTAssertTrue(job.output.contains("report: "), job.output)
        let journal = try journal("out")
        XCTAssertEqual(journal.tasks.count, Self.taskCount)
        XCTAssertEqual(Set(journal.workers.map(\.rank)), [1, 2])
        XCTAssertEqual(Set(journal.tasks.values.map(\.worker)).count, 2, "both workers trained")
        for task in journal.tasks.values {
            XCTAssertEqual(task.epochs.count, 3)
            XCTAssertFalse(task.samples.isEmpty)
        }
        let reportFile = "\(directory!)/out/report.json"
        let written = try Data(contentsOf: URL(fileURLWithPath: reportFile))
        // Provenance: the experiment file's SHA-256 (as sha256sum prints it), the dataset digest, dates,
        // the workers, the OpenBLAS kernels and the MPI library, in report.json and report.md.
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        let sessions = try XCTUnwrap((report["provenance"] as? [String: Any])?["sessions"] as? [[String: Any]])
        XCTAssertEqual(sessions.count, 1)
        let session = sessions[0]
        let experimentBytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/e2e.yaml"))
        XCTAssertEqual(session["experimentSHA256"] as? String, SHA256.hex(experimentBytes))
        XCTAssertEqual((session["datasetSHA256"] as? String)?.count, 64)
        XCTAssertEqual(session["outcome"] as? String, "complete")
        XCTAssertNotNil(session["ended"] as? String)
        XCTAssertEqual((session["workerHosts"] as? [String])?.count, 2)
        XCTAssertTrue((session["software"] as? String)?.hasPrefix("0.1.0 (commit ") == true)
        XCTAssertTrue((session["mpiLibrary"] as? String)?.contains("MPI") == true, "\(session)")
        XCTAssertFalse((session["openBLASCoreType"] as? String ?? "").isEmpty)
        let markdown = try String(contentsOfFile: "\(directory!)/out/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Provenance") && markdown.contains(SHA256.hex(experimentBytes)))
        for file in ["report.json", "report.md", "report.html", "report.tex", "report.schema.json", "predictions.csv"] {
            try FileManager.default.removeItem(atPath: "\(directory!)/out/\(file)")
        }
        let rebuilt = try MPIJob.runDirect(MPIJob.coordinator, ["report", "out"], in: directory)
        XCTAssertEqual(rebuilt.status, 0, rebuilt.output)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: reportFile)), written, "coordinator report OUT rebuilds the same report")
        // `coordinator compare OUT` reads the run's predictions.csv and prints every paired test.
        let compared = try MPIJob.runDirect(MPIJob.coordinator, ["compare", "out", "--variant-a", "a", "--variant-b", "b", "--rounds", "500", "--resamples", "200"], in: directory)
        XCTAssertEqual(compared.status, 0, compared.output)
        for test in ["McNemar", "Wilcoxon", "t-test", "randomisation", "bootstrap"] {
            XCTAssertTrue(compared.output.range(of: test, options: .caseInsensitive) != nil, "compare output lacks \(test): \(compared.output)")
        }
    }

    func testOneAndThreeWorkersAndInProcessGiveIdenticalPredictions() throws {
        let expected = try reference()
        for workers in [1, 3] {
            let job = try runJob(out: "w\(workers)", workers: workers)
            XCTAssertEqual(job.status, 0, job.output)
            XCTAssertEqual(Set(try journal("w\(workers)").workers.map(\.rank)), Set(1...workers))
            XCTAssertEqual(try predictions("w\(workers)"), expected, "\(workers) worker(s)")
        }
        // Started without mpirun, the coordinator trains in-process: same results.
        let local = try MPIJob.runDirect(MPIJob.coordinator, ["run", "e2e.yaml", "--out", "local", "--threads", "1"], in: directory)
        XCTAssertEqual(local.status, 0, local.output)
        XCTAssertTrue(local.output.contains("in-process"), local.output)
        XCTAssertEqual(try predictions("local"), expected)
    }

    func testAKilledWorkerStopsTheJobAndResumeCompletesItWithoutRerunningJournalledTasks() throws {
        let expected = try reference()
        let log = directory + "/killed.log"
        let job = try MPIJob.start(["run", "e2e.yaml", "--out", "killed", "--threads", "1"], workers: 2, in: directory, log: log)
        let journalPath = "\(directory!)/killed/journal.jsonl"
        let killed = MPIJob.killAWorkerAfterTheFirstJournalledTask(job, journal: journalPath)
        XCTAssertTrue(killed, "the job ended before a worker could be killed:\n" + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
        job.waitUntilExit()
        XCTAssertNotEqual(job.terminationStatus, 0, "mpirun reports the killed worker")
        let before = try journal("killed")
        XCTAssertGreaterThan(before.tasks.count, 0)
        XCTAssertLessThan(before.tasks.count, Self.taskCount, "killed mid-run")

        let resumed = try runJob(out: "killed", workers: 2, extra: ["--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("\(before.tasks.count) already journalled"), resumed.output)
        let text = try String(contentsOfFile: journalPath, encoding: .utf8)
        let ids = text.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("\"type\":\"task\"") else { return nil }
            return (try? JSONDecoder().decode(TaskRecord.self, from: Data(line.utf8)))?.id
        }
        XCTAssertEqual(ids.count, Self.taskCount, "no journalled task ran again")
        XCTAssertEqual(Set(ids).count, Self.taskCount)
        XCTAssertEqual(try predictions("killed"), expected, "resumed predictions equal an uninterrupted run's")
    }

    func testResumeRefusesAnOutWrittenByAnotherExperiment() throws {
        XCTAssertEqual(try runJob(out: "ref", workers: 1).status, 0)
        try Self.experimentText.replacingOccurrences(of: "epochs: 3", with: "epochs: 4")
            .write(toFile: directory + "/e2e.yaml", atomically: true, encoding: .utf8)
        let job = try runJob(out: "ref", workers: 1, extra: ["--resume"])
        XCTAssertNotEqual(job.status, 0)
        XCTAssertTrue(job.output.contains("different experiment"), job.output)
    }

    func testABadExperimentFailsBeforeAnyTraining() throws {
        try "name: bad\ndataset: synthetic\nmodel: {dim: 8, heads: 2, block_repeats: [1, 1]}\ntraining: {epochs: 0}\n"
            .write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
        let job = try MPIJob.run(["run", "bad.yaml", "--out", "bad"], workers: 2, in: directory)
        XCTAssertNotEqual(job.status, 0)
        XCTAssertTrue(job.output.contains("bad.yaml: invalid experiment"), job.output)
        XCTAssertTrue(job.output.contains("model: block_repeats has 2 entries"), job.output)
        XCTAssertTrue(job.output.contains("training.epochs"), job.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/bad"), "nothing written")

        try "name: nodata\ndataset: ./missing-folder\n".write(toFile: directory + "/nodata.yaml", atomically: true, encoding: .utf8)
        let missing = try MPIJob.run(["run", "nodata.yaml", "--out", "nodata"], workers: 1, in: directory)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("missing-folder' does not exist"), missing.output)
    }

    func testADivergingTaskIsReportedNotACrashAndNoReportIsWritten() throws {
        try Self.experimentText.replacingOccurrences(of: "lr: 0.001", with: "lr: 1.0e30")
            .write(toFile: directory + "/nan.yaml", atomically: true, encoding: .utf8)
        let job = try MPIJob.runDirect(MPIJob.coordinator, ["run", "nan.yaml", "--out", "nan"], in: directory)
        XCTAssertEqual(job.status, 2, job.output)
        XCTAssertTrue(job.output.contains("non-finite loss"), job.output)
        XCTAssertTrue(job.output.contains("no report written"), job.output)
        XCTAssertEqual(try journal("nan").failures.count, Self.taskCount)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/nan/report.md"))
    }

    func testWorkersOfAnotherProtocolVersionAreRefused() throws {
        let job = try MPIJob.run(["run", "e2e.yaml", "--out", "mismatch"], workers: 1,
                                 workerPrefix: ["env", "LOSOTRAINER_WIRE_PROTOCOL=99"], in: directory)
        XCTAssertNotEqual(job.status, 0)
        XCTAssertTrue(job.output.contains("the peer speaks version 99, this program speaks version \(ClusterVersion.wireProtocol)"), job.output)
        XCTAssertTrue(job.output.contains("refusing the coordinator"), job.output)
        XCTAssertEqual(try journal("mismatch").tasks.count, 0)
    }

    func testTwoHostNamespaceClusterRunsRanksOnBothHosts() throws {
        guard MPIJob.isRoot else { throw XCTSkip("the namespace cluster needs root (ip netns)") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("cluster/netns-cluster.sh").path
        let prefix = "lt\(getpid() % 100_000)"
        let env = ["NETNS_PREFIX": prefix, "BIN": MPIJob.bin.path]
        defer { _ = try? MPIJob.runDirect("/bin/sh", [script, "down"], in: directory, environment: env) }
        let job = try MPIJob.runDirect("/bin/sh", [script, "run", "e2e.yaml", "2", "--out", "\(directory!)/netns", "--threads", "1"],
                                       in: directory, environment: env)
        if job.status == 77 { throw XCTSkip(job.output) }
        XCTAssertEqual(job.status, 0, job.output)
        let journal = try journal("netns")
        XCTAssertEqual(Set(journal.workers.map(\.host)), ["\(prefix)-n1", "\(prefix)-n2"], "ranks on both hosts")
        XCTAssertEqual(Set(journal.tasks.values.map { $0.worker.split(separator: ":")[0] }).count, 2, "both hosts trained")
        XCTAssertEqual(try predictions("netns"), try reference())
    }

    /// A child process of the job with this name (mpirun forks the ranks directly on one machine).
}
