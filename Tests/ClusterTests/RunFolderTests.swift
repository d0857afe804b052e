import Foundation
import TestSupport
import XCTest
@testable import Coordination

/// What `coordinator run` does with its OUT folder: one coordinator at a time, never writes into a
/// folder that is not a run's, and treats a journal torn before its header was complete as no journal.
/// In-process runs (no mpirun): the folder rules do not depend on the workers.
final class RunFolderTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        try MPIJob.requireMPI()
        directory = try temporaryDirectory(self)
        try EndToEndTests.experimentText.write(toFile: directory + "/e2e.yaml", atomically: true, encoding: .utf8)
        try SlurmRequeueTests.experimentText.write(toFile: directory + "/long.yaml", atomically: true, encoding: .utf8)
    }

    private func run(_ arguments: [String]) throws -> MPIJob.Outcome {
        try MPIJob.runDirect(MPIJob.coordinator, ["run"] + arguments + ["--threads", "1"], in: directory)
    }

    private func taskIDs(_ out: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(directory!)/\(out)/journal.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.contains("\"type\":\"task\"") else { return nil }
            return (try? JSONDecoder().decode(TaskRecord.self, from: Data(line.utf8)))?.id
        }
    }

    func testASecondCoordinatorOnTheSameOutIsRefusedWhileTheFirstRuns() throws {
        let log = directory + "/first.log"
        let first = try MPIJob.launch(MPIJob.coordinator, ["run", "long.yaml", "--out", "shared", "--threads", "1"], in: directory, log: log)
        // Wait until the first holds the lock and has started journalling.
        while first.isRunning && !(FileManager.default.contents(atPath: directory + "/shared/journal.jsonl")?.contains(UInt8(ascii: "\n")) ?? false) {
            usleep(5_000)
        }
        XCTAssertTrue(first.isRunning, "the first run ended before the second could start")
        for extra in [[], ["--resume"], ["--resume", "--force"]] {
            let second = try run(["long.yaml", "--out", "shared"] + extra)
            XCTAssertEqual(second.status, 1, second.output)
            XCTAssertTrue(second.output.contains("is in use by another coordinator (pid \(first.processIdentifier) on"), second.output)
            XCTAssertTrue(second.output.contains("shared/.lock"), second.output)
        }
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        let ids = try taskIDs("shared")
        XCTAssertEqual(ids.count, SlurmRequeueTests.taskCount)
        XCTAssertEqual(Set(ids).count, ids.count, "no task journalled twice")
        // The lock dies with its holder: a later run (here a resume with nothing left) may take it.
        let after = try run(["long.yaml", "--out", "shared", "--resume"])
        XCTAssertEqual(after.status, 0, after.output)
    }

    func testAFolderThatIsNotARunIsRefusedAndLeftAlone() throws {
        let out = directory + "/mine"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "my notes".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        let job = try run(["e2e.yaml", "--out", "mine"])
        XCTAssertEqual(job.status, 1, job.output)
        XCTAssertTrue(job.output.contains("is not empty and holds no run journal (notes.txt)"), job.output)
        XCTAssertEqual(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8), "my notes")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/journal.jsonl"))
    }

    func testAJournalTornInItsHeaderIsSetAsideForANewRunAndForResume() throws {
        for (out, torn, extra) in [("empty", "", [String]()), ("torn", #"{"type":"header","experim"#, []),
                                   ("torn-resume", #"{"type":"hea"#, ["--resume"])] {
            let path = "\(directory!)/\(out)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try torn.write(toFile: path + "/journal.jsonl", atomically: true, encoding: .utf8)
            let job = try run(["e2e.yaml", "--out", out] + extra)
            XCTAssertEqual(job.status, 0, "\(out): \(job.output)")
            // The synthetic data has undetected faces: the run log says how many use fallback landmarks.
            XCTAssertTrue(job.output.contains("use the reference's fallback landmarks"), job.output)
            XCTAssertEqual(try taskIDs(out).count, EndToEndTests.taskCount, out)
            let setAside = (try? String(contentsOfFile: path + "/journal.jsonl.torn", encoding: .utf8)) ?? ""
            XCTAssertEqual(setAside, torn.isEmpty ? "" : torn + "\n", out)
            let contents = try JournalReader.read(path: path + "/journal.jsonl")
            XCTAssertEqual(contents.header.experimentName, "e2e")
        }
    }

    func testResumeRefusesAChangedDatasetAndForceRecordsTheMix() throws {
        for seed in [5, 6] {
            let synth = try MPIJob.runDirect(MPIJob.coordinator, ["synth", "--out", "data\(seed)", "--seed", "\(seed)",
                                                                  "--subjects", "2", "--samples", "12"], in: directory)
            XCTAssertEqual(synth.status, 0, synth.output)
        }
        // The same path, other contents (labels and inputs): the experiment's identity cannot tell.
        func useData(_ seed: Int) throws {
            try? FileManager.default.removeItem(atPath: "\(directory!)/data")
            try FileManager.default.copyItem(atPath: "\(directory!)/data\(seed)", toPath: "\(directory!)/data")
        }
        try useData(5)
        // A run stopped half way: journal the first half of the plan by stopping after the first tasks.
        let first = try run(["e2e.yaml", "--data", "data", "--out", "changed"])
        XCTAssertEqual(first.status, 0, first.output)
        // Drop the last 12 task lines so that a resume has work left.
        let journal = "\(directory!)/changed/journal.jsonl"
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var kept: [Substring] = [], dropped = 0
        for line in lines.reversed() {
            if line.contains("\"type\":\"task\"") && dropped < 12 { dropped += 1; continue }
            kept.insert(line, at: 0)
        }
        try kept.joined(separator: "\n").write(toFile: journal, atomically: true, encoding: .utf8)

        try useData(6)
        let refused = try run(["e2e.yaml", "--data", "data", "--out", "changed", "--resume"])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.output.contains("the dataset changed since"), refused.output)
        XCTAssertEqual(try taskIDs("changed").count, EndToEndTests.taskCount - 12, "nothing was added")

        try useData(5)
        let same = try run(["e2e.yaml", "--data", "data", "--out", "changed", "--resume"])
        XCTAssertEqual(same.status, 0, "the same data resumes: \(same.output)")
        XCTAssertFalse((try String(contentsOfFile: "\(directory!)/changed/report.md", encoding: .utf8)).contains("MIXED SETTINGS"))

        // Forced onto other data: allowed, and the report says the tasks are mixed.
        try kept.joined(separator: "\n").write(toFile: journal, atomically: true, encoding: .utf8)
        try useData(6)
        let forced = try run(["e2e.yaml", "--data", "data", "--out", "changed", "--resume", "--force"])
        XCTAssertEqual(forced.status, 0, forced.output)
        let report = try String(contentsOfFile: "\(directory!)/changed/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("MIXED SETTINGS"), report)
        XCTAssertTrue(report.contains("12 task(s): experiment identity"), report)
    }
}
