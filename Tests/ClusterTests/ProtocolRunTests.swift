import Dataset
import Evaluation
import Foundation
import Preprocessing
import TestSupport
import XCTest
@testable import Coordination

/// Protocols end to end in-process (issue 13): stratified k-fold with validation-selected epochs,
/// the data's split column, and `coordinator plan`'s description of both.
final class ProtocolRunTests: XCTestCase {
    func run(_ text: String, in dir: String) throws -> (RunRecord, RunReport, String) {
        try text.write(toFile: dir + "/e.yaml", atomically: true, encoding: .utf8)
        var options = RunOptions(experimentPath: dir + "/e.yaml")
        options.out = dir + "/out"
        options.threads = 1
        var log: [String] = []
        XCTAssertEqual(CoordinatorSession(options: options, communicator: nil, log: { log.append($0) }).run(), 0, log.joined(separator: "\n"))
        let run = try JournalReader.runRecord(try JournalReader.read(path: dir + "/out/journal.jsonl"))
        return (run, try RunReport(run), log.joined(separator: "\n"))
    }

    func testValidationSelectionReportsEveryRuleAndPlanDescribesTheFolds() throws {
        let dir = try temporaryDirectory(self)
        let text = """
            name: val
            dataset: {source: synthetic, seed: 4, subjects: 2, samples: 16}
            protocol: {kfold: 3, stratified: true, validation_fraction: 0.25}
            epoch_selection: validation
            seeds: [1]
            model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
            training: {epochs: 4, batch_size: 16, lr: 0.002}
            """
        let (run, report, log) = try run(text, in: dir)
        XCTAssertTrue(log.contains("fold k1: test 2 subjects"), log)
        let journal = try JournalReader.read(path: dir + "/out/journal.jsonl")
        let epochs = Dictionary(uniqueKeysWithValues: journal.tasks.values.map { ($0.fold, $0.validationEpoch) })
        XCTAssertEqual(epochs.count, 3)
        XCTAssertTrue(epochs.values.allSatisfy { $0 != nil })
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: run.curves.map { ($0.fold, $0.selectedEpoch) }), epochs.mapValues { $0! })
        XCTAssertEqual(report.main.protocolDescription.selection, "validation")
        XCTAssertFalse(report.main.protocolDescription.optimistic)
        XCTAssertEqual(report.alternate?.protocolDescription.selection, "final")
        XCTAssertEqual(report.others?.map(\.protocolDescription.selection), ["best-test-epoch"])
        XCTAssertEqual(report.others?.first?.protocolDescription.optimistic, true)
        let markdown = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("Epoch rules side by side"))
        XCTAssertTrue(markdown.contains("UF1 (best-test-epoch (reference protocol, optimistic))"))

        // plan: the same folds, without training.
        let experiment = try ExperimentFile.load(path: dir + "/e.yaml")
        let dataset = try DatasetPreparation.load(experiment.dataset, outDirectory: dir + "/out", classes: experiment.classes)
        let plan = RunPlanDescription(experiment: experiment, dataset: dataset)
        XCTAssertEqual(plan.tasks.count, 3)
        for t in plan.tasks {
            XCTAssertEqual(t.train.samples + t.validation.samples + t.test.samples, dataset.samples.count)
            XCTAssertEqual(t.validation.subjects.count, 1, "4 training subjects, fraction 0.25")
            XCTAssertTrue(Set(t.train.subjects).isDisjoint(with: t.test.subjects + t.validation.subjects))
            XCTAssertEqual(t.test.classCounts.reduce(0, +), t.test.samples)
        }
        XCTAssertEqual(plan.tasks.map(\.test.samples).reduce(0, +), dataset.samples.count)
        let decoded = try JSONDecoder().decode(RunPlanDescription.self, from: Data(plan.json.utf8))
        XCTAssertEqual(decoded, plan)
    }

    /// A folder whose annotation CSV has a split column: train rows train, test rows test, val rows pick the epoch.
    func testSplitColumnRunsOneFoldWithItsValRowsForValidation() throws {
        let dir = try temporaryDirectory(self)
        let source = SyntheticComposite.Source(name: "sp", subjectPrefix: "s", subjects: 6, samples: 36, noise: 8, detectionRate: 1)
        try SyntheticComposite.generate(into: dir + "/data", seed: 2, configuration: SyntheticComposite.Configuration(sources: [source]))
        let csv = dir + "/data/" + CompositeLayout.annotationFileName
        var lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] += ",split"
        for i in 1..<lines.count {
            let subject = lines[i].split(separator: ",", omittingEmptySubsequences: false)[1]
            lines[i] += subject == "s05" ? ",val" : subject == "s06" ? ",Test" : ",train"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let (run, report, _) = try run("""
            name: split
            dataset: data
            protocol: {split: column}
            epoch_selection: validation
            model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
            training: {epochs: 3, batch_size: 16, lr: 0.002}
            """, in: dir)
        XCTAssertEqual(Set(run.rows.map(\.subject)), ["s06"])
        XCTAssertEqual(run.curves.map(\.fold), ["split"])
        XCTAssertEqual(report.main.protocolDescription.selection, "validation")
        let experiment = try ExperimentFile.load(path: dir + "/e.yaml")
        let dataset = try DatasetPreparation.load(experiment.dataset, outDirectory: dir + "/out")
        let plan = RunPlanDescription(experiment: experiment, dataset: dataset)
        XCTAssertEqual(plan.folds.map(\.validation.subjects), [["s05"]])
        XCTAssertEqual(plan.folds.map(\.train.subjects), [["s01", "s02", "s03", "s04"]])
        // A bad split value names the file and row.
        try (lines.enumerated().map { $0.offset == 3 ? $0.element.replacingOccurrences(of: ",train", with: ",later") : $0.element }
            .joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CompositeLoader(directory: dir + "/data").load()) {
            XCTAssertTrue("\($0)".contains("optical_flow.csv:4: ") && "\($0)".contains("split 'later' is not train, val or test"), "\($0)")
        }
    }
}
