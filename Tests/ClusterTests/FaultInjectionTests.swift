import Foundation
import Tensor
import XCTest
@testable import Coordination
@testable import Wire

/// Issue 18's fault suite, part 1: SIGKILL of a rank at a random moment (a seeded draw of rank and
/// moment per trial), then `--resume`: the final predictions must be byte-identical to an
/// uninterrupted run's and no task may be journalled twice. Folds are long enough (12 epochs) that a
/// kill usually lands mid-fold, after the fold has saved its state (`--fold-state-every 2`), so the
/// resumed fold continues from that state. The other faults (frozen worker, two coordinators, torn
/// header, edited records, changed dataset, graceful stop in a loop) are in LivenessTests,
/// RunFolderTests, JournalTests and GracefulStopTests.
final class FaultInjectionTests: XCTestCase {
    static let experimentText = """
        name: faults
        dataset: {source: synthetic, seed: 9, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 12, batch_size: 8, lr: 0.001, order: shuffle}
        """
    static let taskCount = 6

    private var directory: String!

    override func setUpWithError() throws {
        try MPIJob.requireMPI()
        directory = try MPIJob.scratch("faults", files: ["faults.yaml": Self.experimentText])
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private func predictions(_ out: String) throws -> Data { try MPIJob.predictions(out: "\(directory!)/\(out)") }

    private func taskIDs(_ out: String) throws -> [String] {
        try String(contentsOfFile: "\(directory!)/\(out)/journal.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line in
            guard line.contains("\"type\":\"task\"") else { return nil }
            return (try? JSONDecoder().decode(TaskRecord.self, from: Data(line.utf8)))?.id
        }
    }

    private func stateFiles(_ out: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "\(directory!)/\(out)/fold-state")) ?? []
    }

    /// The in-process tests stop the coordinator with a signal, which it notices between steps; their
    /// folds are long enough (200 epochs) that the signal lands inside one.
    private func useLongFolds() throws {
        try Self.experimentText.replacingOccurrences(of: "epochs: 12", with: "epochs: 200")
            .write(toFile: directory + "/faults.yaml", atomically: true, encoding: .utf8)
    }

    /// Task records by id (their samples' logits, as JSON), to compare single tasks across runs.
    private func taskResults(_ out: String) throws -> [String: Data] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var results: [String: Data] = [:]
        for (id, record) in try JournalReader.read(path: "\(directory!)/\(out)/journal.jsonl").tasks {
            results[id] = try encoder.encode(record.samples)
        }
        return results
    }

    /// Starts an in-process run, sends SIGTERM as soon as a fold has saved its state, and checks that
    /// the state is still there afterwards. The signal is noticed within 50 ms, so a fold may
    /// (rarely, on a loaded machine) finish first and drop its state: then the folder is removed and
    /// the stop tried again, at most three times.
    private func stopMidFold(out: String) throws {
        for _ in 0..<3 {
            try? FileManager.default.removeItem(atPath: "\(directory!)/\(out)")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: MPIJob.coordinator)
            process.arguments = ["run", "faults.yaml", "--out", out, "--threads", "1", "--fold-state-every", "20"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            while process.isRunning && stateFiles(out).isEmpty { usleep(2_000) }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            XCTAssertNotEqual(process.terminationStatus, 0, "stopped by the signal")
            if !stateFiles(out).isEmpty { return }
        }
        XCTFail("three stops in a row all missed a fold in training")
    }

    /// The reference: in-process, no fold states at all.
    private func reference() throws -> Data {
        let local = try MPIJob.runDirect(MPIJob.coordinator, ["run", "faults.yaml", "--out", "ref", "--threads", "1", "--fold-state-minutes", "0"],
                                         in: directory)
        XCTAssertEqual(local.status, 0, local.output)
        return try predictions("ref")
    }

    func testSIGKILLOfARankAtRandomMomentsResumesToIdenticalPredictions() throws {
        let expected = try reference()
        var rng = DeterministicRNG(seed: 18)
        var outcomes: [String] = []
        var resumedFromState = 0
        for trial in 0..<4 {
            let out = "trial\(trial)"
            let target = ["coordinator", "worker"][rng.below(2)]
            // The moment: after `tasks` journalled tasks, and (when `midFold`) once a fold has saved a state.
            let tasks = rng.below(3), midFold = rng.below(3) != 0
            let log = "\(directory!)/\(out).log"
            let job = try MPIJob.start(["run", "faults.yaml", "--out", out, "--threads", "1", "--fold-state-every", "2"],
                                       workers: 2, in: directory, log: log)
            var victim: Int32?
            while job.isRunning && victim == nil {
                let journalled = (try? taskIDs(out).count) ?? 0
                if journalled >= tasks && (!midFold || !stateFiles(out).isEmpty),
                   let pid = MPIJob.childPID(of: job.processIdentifier, named: target) {
                    kill(pid, SIGKILL)
                    victim = pid
                } else {
                    usleep(2_000)
                }
            }
            job.waitUntilExit()
            let before = try taskIDs(out).count
            let resumed = try MPIJob.run(["run", "faults.yaml", "--out", out, "--threads", "1", "--resume"], workers: 2, in: directory)
            XCTAssertEqual(resumed.status, 0, "trial \(trial): \(resumed.output)")
            if resumed.output.contains("continuing from its saved state") { resumedFromState += 1 }
            let ids = try taskIDs(out)
            XCTAssertEqual(ids.count, Self.taskCount, "trial \(trial): every task journalled once")
            XCTAssertEqual(Set(ids).count, Self.taskCount, "trial \(trial): no task journalled twice")
            XCTAssertEqual(try predictions(out), expected, "trial \(trial): predictions equal the uninterrupted run's")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory!)/\(out)/fold-state"),
                           "trial \(trial): fold states (and their folder) are removed once their tasks are journalled")
            outcomes.append("trial \(trial): SIGKILL \(target) \(victim == nil ? "(job ended first)" : "after \(before) journalled task(s)")"
                            + (midFold ? ", mid-fold" : ""))
        }
        print("fault trials:\n  " + outcomes.joined(separator: "\n  ") + "\n  \(resumedFromState) resume(s) continued a fold from its saved state")
    }

    /// In-process (no mpirun): a run stopped by SIGTERM mid-fold keeps the fold's state, and the
    /// resumed fold trains only the epochs after it, ending with the uninterrupted run's predictions.
    func testAStoppedFoldContinuesFromItsSavedStateWithIdenticalResults() throws {
        try useLongFolds()
        let expected = try reference()
        try stopMidFold(out: "stopped")
        XCTAssertEqual(stateFiles("stopped").count, 1, "one fold was in training and saved its state")
        let resumed = try MPIJob.runDirect(MPIJob.coordinator, ["run", "faults.yaml", "--out", "stopped", "--threads", "1", "--resume"],
                                           in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("continuing from its saved state after epoch"), resumed.output)
        XCTAssertEqual(try predictions("stopped"), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory!)/stopped/fold-state"), "no empty fold-state/ left")
    }

    /// A state saved under other settings (here: another epoch count, accepted with --force) is not
    /// used: the fold starts afresh and its results are those of the new settings.
    func testAStateFromOtherSettingsIsNotUsed() throws {
        try useLongFolds()
        try stopMidFold(out: "changed")
        let keptFromBefore = Set(try taskIDs("changed"))
        try Self.experimentText.replacingOccurrences(of: "epochs: 12", with: "epochs: 150")
            .write(toFile: directory + "/faults.yaml", atomically: true, encoding: .utf8)
        let resumed = try MPIJob.runDirect(MPIJob.coordinator, ["run", "faults.yaml", "--out", "changed", "--threads", "1", "--resume", "--force"],
                                           in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertFalse(resumed.output.contains("continuing from its saved state"), resumed.output)
        let fresh = try MPIJob.runDirect(MPIJob.coordinator, ["run", "faults.yaml", "--out", "fresh", "--threads", "1"], in: directory)
        XCTAssertEqual(fresh.status, 0, fresh.output)
        // --force keeps tasks finished under the old settings; every other task, the one whose state
        // was saved included, equals a fresh run under the new settings.
        let changed = try taskResults("changed"), afresh = try taskResults("fresh")
        XCTAssertEqual(changed.count, Self.taskCount)
        for (id, result) in changed where !keptFromBefore.contains(id) { XCTAssertEqual(result, afresh[id], id) }
        XCTAssertEqual(stateFiles("changed"), [])
    }

    /// A host drops off the network mid-run (its namespace link taken down): its worker is declared
    /// lost and mpirun, with the keepalive settings of cluster/netns-cluster.sh, ends the job with a
    /// named error instead of waiting for TCP to give up; `--resume` completes the run with the
    /// uninterrupted run's predictions. Needs root (network namespaces).
    func testAHostThatDropsOffTheNetworkEndsInANamedErrorAndResumeCompletesTheRun() throws {
        guard MPIJob.isRoot else { throw XCTSkip("the namespace cluster needs root (ip netns)") }
        // Folds of a few seconds, so the link goes down while tasks are still running.
        try Self.experimentText.replacingOccurrences(of: "epochs: 12", with: "epochs: 1500")
            .write(toFile: directory + "/faults.yaml", atomically: true, encoding: .utf8)
        let expected = try reference()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("cluster/netns-cluster.sh").path
        let prefix = "nd\(getpid() % 100_000)"
        let env = ["NETNS_PREFIX": prefix, "BIN": MPIJob.bin.path]
        defer { _ = try? MPIJob.runDirect("/bin/sh", [script, "down"], in: directory, environment: env) }
        let log = "\(directory!)/dropped.log"
        let process = try MPIJob.launch("/bin/sh", [script, "run", "faults.yaml", "2", "--out", "\(directory!)/dropped", "--threads", "1",
                                                   "--worker-timeout", "10"], in: directory, environment: MPIJob.environment.merging(env) { $1 }, log: log)
        var dropped = false
        while process.isRunning && !dropped {
            if ((try? taskIDs("dropped").count) ?? 0) >= 1 {
                let down = try MPIJob.runDirect("/sbin/ip", ["netns", "exec", "\(prefix)-head", "ip", "link", "set", "v-n2", "down"], in: directory)
                XCTAssertEqual(down.status, 0, down.output)
                dropped = true
            } else {
                usleep(20_000)
            }
        }
        // Hang detector, not a speed check: without the keepalive settings mpirun waits many minutes.
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && Date() < deadline { usleep(100_000) }
        let hung = process.isRunning
        if hung { process.terminate(); process.waitUntilExit() }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if output.contains("skipped:") { throw XCTSkip(output) }
        XCTAssertTrue(dropped, "the run ended before the link could be taken down:\n\(output)")
        XCTAssertFalse(hung, "the job did not end after the host dropped off:\n\(output)")
        XCTAssertTrue(output.contains("declared lost") || output.contains("lost communication with a remote daemon"), output)
        let resumed = try MPIJob.run(["run", "faults.yaml", "--out", "dropped", "--threads", "1", "--resume"], workers: 2, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let ids = try taskIDs("dropped")
        XCTAssertEqual(ids.count, Self.taskCount)
        XCTAssertEqual(Set(ids).count, Self.taskCount)
        XCTAssertEqual(try predictions("dropped"), expected)
    }
}
