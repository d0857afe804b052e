import Foundation
import XCTest
@testable import Evaluation

final class ReportWriterTests: XCTestCase {
    let settings = PairwiseComparison.Settings(permutationRounds: 300, bootstrapResamples: 200)

    /// Where to write; set EVALUATION_TEST_REPORT_DIR to keep the files (for schema validation or a look
    /// in a browser).
    func outputDirectory() -> String {
        if let kept = ProcessInfo.processInfo.environment["EVALUATION_TEST_REPORT_DIR"] { return kept }
        return NSTemporaryDirectory() + "evaluation-report-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    }

    func testWritesAllFilesWithEverySection() throws {
        let run = SyntheticRun.run()
        let dir = outputDirectory()
        let report = try ReportWriter(settings: settings).write(run, to: dir)
        for name in ReportWriter.fileNames {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + name), name)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])

        // report.json decodes back to the same report.
        let json = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))
        XCTAssertEqual(try JSONDecoder().decode(RunReport.self, from: json), report)
        // The schema is valid JSON.
        _ = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report.schema.json")))

        XCTAssertEqual(report.main.variants.map(\.name), ["baseline", "weighted"])
        XCTAssertEqual(report.main.variants[0].seeds, [1, 2])
        XCTAssertEqual(report.main.variants[0].datasets.map(\.dataset), ["SAMM", "CASME II", "SMIC-HS"])
        XCTAssertEqual(report.main.variants[0].subjects.count, 9)
        XCTAssertEqual(report.main.comparisons.count, 1)
        XCTAssertFalse(report.main.holmApplied)
        XCTAssertFalse(report.main.protocolDescription.optimistic)
        XCTAssertEqual(report.alternate?.protocolDescription.label, "best-test-epoch (reference protocol, optimistic)")
        XCTAssertEqual(report.alternate?.protocolDescription.optimistic, true)
        XCTAssertEqual(report.curves.count, 2)
        XCTAssertEqual(report.curves[0].points.count, 12)
        XCTAssertEqual(report.curves[0].points[0].tasks, 18)
        XCTAssertEqual(report.timings.tasks, 36)
        XCTAssertEqual(report.timings.workers.map(\.worker), ["node0:1", "node1:2"])

        // The headline of a variant is the mean over seeds of the per-seed composite.
        let v = report.main.variants[1]
        let perSeed = [1, 2].map { seed -> Double in
            let rows = run.rows.filter { $0.variant == "weighted" && $0.seed == seed }
            return ClassificationScores(labels: rows.map(\.label), predictions: rows.map(\.pred), classCount: 3).uf1!
        }
        XCTAssertEqual(v.uf1.mean!, (perSeed[0] + perSeed[1]) / 2, accuracy: 1e-12)
        XCTAssertEqual(v.uf1.std!, abs(perSeed[0] - perSeed[1]) / 2.0.squareRoot(), accuracy: 1e-12)

        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        for needle in ["# Report: synthetic-demo", "Protocol: final epoch", "Software version: 0.1.0-test", "node0 rank 1",
                       "Wall time", "### Per source dataset", "### Per seed", "### Per class", "Confusion matrix",
                       "### Per subject", "### Significance tests", "exact McNemar", "Wilcoxon signed-rank", "paired t-test",
                       "approximate randomisation", "UF1 difference (weighted - baseline)",
                       "## Other epoch selection, reported separately: best-test-epoch (reference protocol, optimistic)",
                       "WARNING", "Gap between the two selections", "## Training curves", "## Configuration", "\"epochs\": 12"] {
            XCTAssertTrue(md.contains(needle), "report.md lacks \(needle)")
        }
        // Honest numbers come first; the optimistic ones only after the labelled separator.
        let optimisticStart = md.range(of: "## Other epoch selection")!.lowerBound
        XCTAssertFalse(md[..<optimisticStart].contains("Results — best-test-epoch"))

        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        for needle in ["<!DOCTYPE html>", "id=\"alternate\"", "class=\"banner optimistic\"", "Per subject (pooled over seeds), sorted by mean accuracy",
                       "confusion matrix (all seeds)", "Variants: UF1 and UAR, seeds and 95% CI",
                       "Differences between variants", "<polyline", "&lt;test &amp; escape&gt;", "Training curves"] {
            XCTAssertTrue(html.contains(needle), "report.html lacks \(needle)")
        }
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg").count - 1, 10)
        for forbidden in ["<script", "<link", "src=", "@import", "<test &"] {
            XCTAssertFalse(html.contains(forbidden), "report.html must be self-contained and escaped: \(forbidden)")
        }
    }

    func testWithoutAlternateThereIsNoAlternateSection() throws {
        let dir = outputDirectory() + "-noalt"
        let report = try ReportWriter(settings: settings).write(SyntheticRun.run(variants: [("only", 0.6)], seeds: [3], alternate: false), to: dir)
        XCTAssertNil(report.alternate)
        XCTAssertTrue(report.main.comparisons.isEmpty)
        XCTAssertNil(report.main.variants[0].uf1.std)   // one seed: no std
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertFalse(md.contains("Other epoch selection"))
    }

    func testOptimisticMainSelectionCarriesTheWarning() throws {
        var run = SyntheticRun.run(alternate: false)
        run.selection = .bestTestEpoch
        let report = try RunReport(run, settings: settings)
        let md = MarkdownReport.render(report)
        XCTAssertTrue(md.contains("> **Protocol: best-test-epoch (reference protocol, optimistic).** WARNING:"))
        XCTAssertTrue(HTMLReport.render(report).contains("banner optimistic"))
    }

    func testBadInputNamesTheProblemAndWritesNothing() {
        var run = SyntheticRun.run(alternate: false)
        run.rows[3].pred = 7
        let dir = outputDirectory() + "-bad"
        XCTAssertThrowsError(try ReportWriter(settings: settings).write(run, to: dir)) { error in
            XCTAssertTrue("\(error)".contains("prediction 7 outside the 3 classes"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir))
    }

    func testMarkdownShowsNamesFromTheDataLiterallyNotAsHTML() {
        let md = MarkdownReport.table(ReportTable(header: ["subject", "n"],
                                                  rows: [["<img src=x onerror=alert(1)>", "3"], ["a|b & c", "4"]]))
        XCTAssertFalse(md.contains("<img"), md)
        XCTAssertTrue(md.contains("&lt;img src=x onerror=alert(1)&gt;"), md)
        XCTAssertTrue(md.contains("a\\|b &amp; c"), md)
    }

    func testPredictionsCSVRoundTrip() throws {
        var run = SyntheticRun.run(variants: [("a", 0.6), ("b", 0.7)], seeds: [1], subjects: 4)
        run.rows[0].sample = "odd, \"quoted\" name"
        let text = PredictionsCSV.render(run)
        XCTAssertTrue(text.hasPrefix("run,selection,variant,seed,fold,subject,dataset,sample,label,pred,logit_0,logit_1,logit_2\n"))
        let table = try PredictionsCSV.parse(text)
        XCTAssertEqual(table.run, "synthetic-demo")
        XCTAssertEqual(table.selections, ["final", "best-test-epoch"])
        XCTAssertEqual(table.rows(), run.rows)
        XCTAssertEqual(table.rows(selection: "best-test-epoch"), run.alternateRows)
        XCTAssertEqual(table.variants, ["a", "b"])
        XCTAssertEqual(table.classCount, 3)
        XCTAssertThrowsError(try PredictionsCSV.parse("variant,seed\nx,1\n")) { error in
            XCTAssertTrue("\(error)".contains("missing column 'subject'"))
        }
        XCTAssertThrowsError(try PredictionsCSV.parse(text.replacingOccurrences(of: ",final,a,1,", with: ",final,a,one,")))
        // Saved again by a spreadsheet (byte-order mark, CRLF): the same table, the run name included.
        let excel = try PredictionsCSV.parse("\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(excel.run, "synthetic-demo")
        XCTAssertEqual(excel.rows(), run.rows)
        // A class index beyond the logit columns is no class of the run.
        var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        lines[2][8] = "9"
        XCTAssertThrowsError(try PredictionsCSV.parse(lines.map { $0.joined(separator: ",") }.joined(separator: "\n"), file: "p.csv")) {
            XCTAssertEqual("\($0)", "p.csv:3: label 9 is not a class index: the file has 3 logit columns (classes 0..<3)")
        }
        XCTAssertThrowsError(try PredictionsCSV.read(path: "/nonexistent/p.csv")) {
            XCTAssertTrue("\($0)".hasPrefix("/nonexistent/p.csv: cannot read"), "\($0)")
        }
    }
}
