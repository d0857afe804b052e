import Foundation
import TestSupport
import XCTest
@testable import Coordination

/// cluster/slurm.sbatch as Slurm runs it at a time limit: the batch shell gets SIGTERM, passes it to
/// mpirun (the real Open MPI one, which then exits 1), and must requeue the job whatever that exit
/// status is; the requeued start must resume from the journal and skip every journalled task.
/// `scontrol` is a stand-in on PATH that records its arguments; `mpirun` is a stand-in that execs the
/// real one with --oversubscribe (this machine has fewer cores than ranks).
final class SlurmRequeueTests: XCTestCase {
    private var directory: String!
    /// 12 tasks long enough (a few seconds in all) that a signal sent after the first one lands mid-run.
    static let experimentText = """
        name: slurm
        dataset: {source: synthetic, seed: 5, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1, 2]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 600, batch_size: 16, lr: 0.001}
        """
    static let taskCount = 12

    override func setUpWithError() throws {
        try MPIJob.requireMPI()
        directory = try temporaryDirectory(self)
        try Self.experimentText.write(toFile: directory + "/e2e.yaml", atomically: true, encoding: .utf8)
        let bin = directory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try writeScript(bin + "/scontrol", "#!/bin/sh\necho \"$@\" >> \"\(directory!)/scontrol.calls\"\n")
        try writeScript(bin + "/mpirun", "#!/bin/sh\nexec \(MPIJob.mpirun!) --oversubscribe \"$@\"\n")
    }

    private func writeScript(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("cluster/slurm.sbatch").path

    /// Starts the batch script as Slurm would (1 coordinator + 2 workers), output to `log`.
    private func startBatch(log: String) throws -> Process {
        var env = MPIJob.environment
        env["PATH"] = directory + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
        env["SLURM_NTASKS"] = "3"
        env["SLURM_CPUS_PER_TASK"] = "1"
        env["SLURM_JOB_ID"] = "4242"
        env["BIN"] = MPIJob.bin.path
        return try MPIJob.launch("/bin/bash", [Self.script, "e2e.yaml", "out"], in: directory, environment: env, log: log)
    }

    private func journalledTaskIDs() throws -> [String] {
        let text = (try? String(contentsOfFile: directory + "/out/journal.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.contains("\"type\":\"task\"") else { return nil }
            return (try? JSONDecoder().decode(TaskRecord.self, from: Data(line.utf8)))?.id
        }
    }

    func testTimeLimitSignalRequeuesAndTheRequeuedJobResumes() throws {
        let firstLog = directory + "/first.log"
        let batch = try startBatch(log: firstLog)
        // As soon as one task is journalled, deliver the time-limit SIGTERM to the batch shell; the
        // other tasks take seconds, the signal's way through mpirun milliseconds.
        var signalled = false
        while batch.isRunning && !signalled {
            guard try journalledTaskIDs().count > 0 else { usleep(2_000); continue }
            kill(batch.processIdentifier, SIGTERM)
            signalled = true
        }
        let firstOutput = { (try? String(contentsOfFile: firstLog, encoding: .utf8)) ?? "" }
        XCTAssertTrue(signalled, "the run ended before the signal:\n" + firstOutput())
        batch.waitUntilExit()
        XCTAssertEqual(batch.terminationStatus, 0, "a requeued job ends cleanly:\n" + firstOutput())
        let calls = (try? String(contentsOfFile: directory + "/scontrol.calls", encoding: .utf8)) ?? ""
        XCTAssertEqual(calls, "requeue 4242\n", firstOutput())
        XCTAssertTrue(firstOutput().contains("requeueing job 4242"), firstOutput())
        let before = try journalledTaskIDs()
        XCTAssertGreaterThan(before.count, 0)
        XCTAssertLessThan(before.count, Self.taskCount, "stopped mid-run:\n" + firstOutput())

        // The requeued start: same script, same arguments; it finds the journal and resumes.
        let secondLog = directory + "/second.log"
        let requeued = try startBatch(log: secondLog)
        requeued.waitUntilExit()
        let secondOutput = (try? String(contentsOfFile: secondLog, encoding: .utf8)) ?? ""
        XCTAssertEqual(requeued.terminationStatus, 0, secondOutput)
        XCTAssertTrue(secondOutput.contains("resuming it"), secondOutput)
        XCTAssertTrue(secondOutput.contains("\(before.count) already journalled"), secondOutput)
        let after = try journalledTaskIDs()
        XCTAssertEqual(after.count, Self.taskCount, "every task journalled once")
        XCTAssertEqual(Set(after).count, Self.taskCount)
        XCTAssertEqual(Array(after.prefix(before.count)), before, "journalled tasks were kept, not rerun")
        XCTAssertEqual(calls, (try? String(contentsOfFile: directory + "/scontrol.calls", encoding: .utf8)) ?? "",
                       "a completed run does not requeue")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/out/report.json"))
    }
}
