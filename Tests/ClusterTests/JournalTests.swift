import FoldResults
import HTNet
import Evaluation
import XCTest
@testable import Coordination
@testable import Wire

final class JournalTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "journal-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func experiment(epochs: Int = 2) -> Experiment {
        Experiment(name: "j", dataset: .init(kind: .synthetic, seed: 1), evaluation: .init(kind: .loso), seeds: [1],
                   selection: .bestTestEpoch,
                   variants: [ExperimentVariant(name: "v", model: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1]),
                                                training: TrainingConfig(epochs: epochs))])
    }

    private func task(_ fold: String, final: Float = 1) -> TaskRecord {
        TaskRecord(id: "v/1/\(fold)", variant: "v", seed: 1, fold: fold, worker: "h:1", trainSeconds: 1, prepareSeconds: 0,
                   bestTestEpoch: 1,
                   epochs: [EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 1, seconds: 0.1),
                            EpochRecord(epoch: 2, trainLoss: 0.5, trainAccuracy: 0.6, testLoss: 2, testAccuracy: 0, seconds: 0.1)],
                   samples: [SampleOutcome(sample: "\(fold)_x", subject: fold, dataset: "d", label: 0,
                                           finalLogits: [0, final, 0], bestTestLogits: [3, 1, 0])])
    }

    private var journalPath: String { directory + "/journal.jsonl" }

    /// The plan of `experiment()` over two subjects with one test sample each ("s1_x", "s2_x", label 0).
    private func plan(_ e: Experiment? = nil) -> PlanRecord {
        let e = e ?? experiment()
        return PlanRecord(tasks: LOSOPlanner.tasks(experiment: e, subjects: ["s1", "s2"]),
                          samples: [("s1_x", 0), ("s2_x", 0)], classCount: 3)
    }

    private func journal(with records: [TaskRecord]) throws -> JournalContents {
        try? FileManager.default.removeItem(atPath: journalPath)
        let writer = try JournalWriter(path: journalPath)
        try writer.append(JournalHeader(experiment: experiment(), classNames: ["n", "p", "s"], created: "now"))
        try writer.append(plan())
        for r in records { try writer.append(r) }
        return try JournalReader.read(path: journalPath)
    }

    func testEveryTaskRecordIsCheckedAgainstThePlan() throws {
        XCTAssertNoThrow(try JournalReader.runRecord(try journal(with: [task("s1"), task("s2")])))
        var edited = task("s2")
        edited.samples.removeAll()
        var relabelled = task("s1")
        relabelled.samples[0].label = 2
        var short = task("s1")
        short.samples[0].finalLogits = [0, 1]
        var foreign = task("s1")
        foreign.id = "w/1/s1"
        for (record, message) in [(edited, "line 3: task v/1/s2: its test samples do not match the plan's 1 for fold s2; missing s2_x"),
                                  (relabelled, "line 3: task v/1/s1: its test samples do not match the plan's 1 for fold s1 (order or labels differ)"),
                                  (short, "line 3: task v/1/s1: sample s1_x has 2 final logits for 3 classes"),
                                  (foreign, "line 3: task w/1/s1: not a task of this run's plan")] {
            let contents = try journal(with: [record])
            XCTAssertThrowsError(try JournalReader.runRecord(contents)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    func testAReportFromAPartialJournalIsLabelledIncomplete() throws {
        let partial = try JournalReader.runRecord(try journal(with: [task("s2")]))
        XCTAssertEqual(partial.completeness, Completeness(plannedTasks: 2, missingTasks: ["v/1/s1"]))
        let report = try RunReport(partial)
        XCTAssertTrue(MarkdownReport.render(report).contains("INCOMPLETE: 1 of 2 planned tasks are missing (v/1/s1)"))
        XCTAssertTrue(HTMLReport.render(report).contains("INCOMPLETE: 1 of 2 planned tasks are missing (v/1/s1)"))
        let whole = try JournalReader.runRecord(try journal(with: [task("s2"), task("s1")]))
        XCTAssertEqual(whole.completeness?.isComplete, true)
        XCTAssertFalse(MarkdownReport.render(try RunReport(whole)).contains("INCOMPLETE"))
    }

    func testAppendedRecordsReadBackIntoARunRecord() throws {
        let writer = try JournalWriter(path: journalPath)
        try writer.append(JournalHeader(experiment: experiment(), classNames: ["n", "p", "s"], created: "now"))
        try writer.append(task("s2"))
        try writer.append(task("s1"))
        try writer.append(SessionRecord(session: 1, event: .complete, time: "t", wallSeconds: 5))
        let journal = try JournalReader.read(path: journalPath)
        XCTAssertNil(journal.tornLine)
        XCTAssertEqual(Set(journal.tasks.keys), ["v/1/s1", "v/1/s2"])
        let run = try JournalReader.runRecord(journal)
        XCTAssertEqual(run.selection, .bestTestEpoch)
        XCTAssertEqual(run.alternateSelection, .final)
        XCTAssertEqual(run.rows.map(\.fold), ["s1", "s2"], "ordered by fold, not by completion")
        XCTAssertEqual(run.rows.map(\.pred), [0, 0], "best-test-epoch logits")
        XCTAssertEqual(run.alternateRows.map(\.pred), [1, 1], "final-epoch logits")
        XCTAssertEqual(run.curves.map(\.selectedEpoch), [1, 1])
        XCTAssertEqual(run.wallSeconds, 5)
        XCTAssertEqual(run.classNames, ["n", "p", "s"])
    }

    /// Issue 18: what the loader had to do (landmark fallbacks, skipped samples) reaches the report,
    /// not only the run log.
    func testDataNotesOfTheSessionAppearInTheReport() throws {
        let writer = try JournalWriter(path: journalPath)
        try writer.append(JournalHeader(experiment: experiment(), classNames: ["n", "p", "s"], created: "now"))
        var start = SessionRecord(session: 1, event: .start, time: "t0", workers: 1)
        start.provenance = SessionProvenance(software: "0.1.0", host: "h", experimentFile: "e.yaml", experimentSHA256: nil,
                                             dataset: "d", datasetSHA256: nil, datasetDigestOf: "x", openBLASCoreType: "c",
                                             mpiLibrary: "m", dataNotes: ["landmarks: 2 detected, 1 fallback rows in l.csv, 0 samples with no landmarks row: 1 of 3 use the reference's fallback landmarks",
                                                                          "skipped 1 sample(s) (--skip-invalid):", "  s3_<b>: bad PNG"])
        try writer.append(start)
        try writer.append(task("s1"))
        try writer.append(task("s2"))
        try writer.append(SessionRecord(session: 1, event: .complete, time: "t", wallSeconds: 5))
        let run = try JournalReader.runRecord(try JournalReader.read(path: journalPath))
        XCTAssertEqual(run.provenance?.dataNotes.count, 3)
        try ReportOutput.write(run, to: directory)
        let md = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        XCTAssertTrue(md.contains("- Data notes"), md)
        XCTAssertTrue(md.contains("1 of 3 use the reference's fallback landmarks"), md)
        XCTAssertTrue(html.contains("1 of 3 use the reference&#39;s fallback landmarks") || html.contains("1 of 3 use the reference's fallback landmarks"), html)
        XCTAssertTrue(html.contains("s3_&lt;b&gt;: bad PNG"), "escaped in HTML")
        XCTAssertFalse(md.contains("s3_<b>"), "escaped in Markdown")
    }

    func testATornLastLineIsToleratedReportedAndCutOnResume() throws {
        let writer = try JournalWriter(path: journalPath)
        try writer.append(JournalHeader(experiment: experiment(), classNames: ["n", "p", "s"], created: "now"))
        try writer.append(task("s1"))
        let handle = FileHandle(forWritingAtPath: journalPath)!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"task","id":"v/1/s2","vari"#.utf8))
        handle.closeFile()

        let journal = try JournalReader.read(path: journalPath)
        XCTAssertEqual(journal.tornLine?.line, 3)
        XCTAssertEqual(Array(journal.tasks.keys), ["v/1/s1"])

        let reopened = try JournalWriter(path: journalPath)
        XCTAssertNotNil(reopened.repairedTornLine)
        try reopened.append(task("s2"))
        let repaired = try JournalReader.read(path: journalPath)
        XCTAssertNil(repaired.tornLine)
        XCTAssertEqual(Set(repaired.tasks.keys), ["v/1/s1", "v/1/s2"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: journalPath + ".torn"), "the torn bytes are kept aside")
    }

    func testABadLineInTheMiddleNamesTheFileAndLine() throws {
        try "{\"type\":\"header\"}\nnot json\n{}\n".write(toFile: journalPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try JournalReader.read(path: journalPath)) { error in
            XCTAssertTrue("\(error)".contains("journal.jsonl: line 1"), "\(error)")
        }
    }

    func testResumeSkipsJournalledTasksAndRefusesAnotherExperiment() throws {
        let out = RunDirectory(path: directory)
        XCTAssertNil(try out.check(experiment: experiment(), resume: false, force: false), "a fresh OUT")
        let opened = try out.open(experiment: experiment(), existing: nil, classNames: ["n", "p", "s"], plan: plan())
        try opened.journal.append(task("s1"))

        XCTAssertThrowsError(try out.check(experiment: experiment(), resume: false, force: false)) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        let existing = try XCTUnwrap(try out.check(experiment: experiment(), resume: true, force: false))
        let again = try out.open(experiment: experiment(), existing: existing, classNames: ["n", "p", "s"], plan: plan())
        XCTAssertEqual(Array(again.finished.keys), ["v/1/s1"])
        XCTAssertEqual(again.session, 1)

        XCTAssertThrowsError(try out.check(experiment: experiment(epochs: 3), resume: true, force: false)) { error in
            XCTAssertTrue("\(error)".contains("different experiment"), "\(error)")
        }
        let forced = try XCTUnwrap(try out.check(experiment: experiment(epochs: 3), resume: true, force: true))
        let reopened = try out.open(experiment: experiment(epochs: 3), existing: forced, classNames: ["n", "p", "s"], plan: plan(experiment(epochs: 3)))
        XCTAssertFalse(reopened.notes.isEmpty)
        XCTAssertEqual(try JournalReader.read(path: journalPath).header.identity, experiment(epochs: 3).identity,
                       "a forced resume journals the new experiment's header")
    }
}
