import Foundation
import XCTest
@testable import Evaluation

/// The study's report sections: noise robustness per SNR level, embedding maps, embeddings.csv and
/// the prediction rules, from a synthetic run whose accuracy falls with the SNR.
final class RobustnessReportTests: XCTestCase {
    let settings = PairwiseComparison.Settings(permutationRounds: 200, bootstrapResamples: 200)

    func run() -> RunRecord {
        var run = SyntheticRun.run(variants: [("cross-entropy", 0.6), ("proxy-anchor", 0.7), ("cosface", 0.65)], alternate: false)
        let levels: [(Double?, Double)] = [(nil, 0), (10, 0.1), (0, 0.3)]
        run.noise = levels.enumerated().map { i, level in
            NoiseLevelRows(snrDB: level.0, rows: [("cross-entropy", 0.6), ("proxy-anchor", 0.7), ("cosface", 0.65)].flatMap { v, a in
                [1, 2].flatMap { SyntheticRun.rows(variant: v, seed: $0, accuracy: a - level.1, subjects: 9, salt: 10 + UInt64(i)) }
            })
        }
        // Embeddings: two well separated groups per class in 6 dims, so the map has structure.
        run.embeddings = run.rows.filter { $0.seed == 1 || $0.variant == "cosface" }.enumerated().map { i, r in
            let vector = (0..<6).map { k -> Float in Float(k == r.label ? 3 : 0) + Float(sin(Double(i * 7 + k))) * 0.3 }
            return EmbeddingRow(variant: r.variant, seed: r.seed, fold: r.fold, subject: r.subject, dataset: r.dataset,
                                sample: r.sample, label: r.label, pred: r.pred, vector: vector)
        }
        run.predictionRules = ["cross-entropy: arg-max of the logits", "proxy-anchor: nearest proxy by cosine", "cosface: nearest class weight by cosine"]
        return run
    }

    func testNoiseLevelsMapsAndEmbeddingsAreReported() throws {
        let dir = try temporaryFolder()
        let report = try ReportWriter(settings: settings).write(run(), to: dir)
        let noise = try XCTUnwrap(report.noise)
        XCTAssertEqual(noise.levels.map(\.label), ["inf (clean)", "10 dB", "0 dB"])
        XCTAssertEqual(noise.levels[0].results.variants.map(\.name), ["cross-entropy", "proxy-anchor", "cosface"])
        XCTAssertEqual(noise.levels[0].results.comparisons.count, 3)
        XCTAssertTrue(noise.levels[0].results.holmApplied)
        // Accuracy was drawn lower at lower SNR: UF1 falls from the clean level to 0 dB for every variant.
        for v in 0..<3 {
            XCTAssertGreaterThan(noise.levels[0].results.variants[v].uf1.mean!, noise.levels[2].results.variants[v].uf1.mean!)
        }
        XCTAssertEqual(noise.testTable().rows.count, 9, "3 pairs x 3 levels")

        XCTAssertEqual(report.embeddingMaps.map(\.variant), ["cross-entropy", "proxy-anchor", "cosface"])
        let map = report.embeddingMaps[0]
        XCTAssertEqual(map.seed, 1)
        XCTAssertEqual(map.points.count, run().rows.filter { $0.variant == "cross-entropy" && $0.seed == 1 }.count)
        XCTAssertGreaterThan(try XCTUnwrap(map.trustworthiness), 0.8, "class clusters survive the map")
        XCTAssertEqual(report.embeddingMaps[2].seed, 1, "one seed per map (the first)")

        let html = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        for needle in ["id=\"noise\"", "UF1 against input SNR", "id=\"maps\"", "t-SNE of test embeddings", "nearest proxy by cosine",
                       "Paired tests per SNR level", "<polygon"] {
            XCTAssertTrue(html.contains(needle), needle)
        }
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Input-noise robustness (final epoch)") && md.contains("| 0 dB | cosface |"), md)
        let csv = try String(contentsOfFile: dir + "/embeddings.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "run,variant,seed,fold,sample,dataset,label,prediction,vector")
        XCTAssertEqual(csv.count, 1 + run().embeddings.count)
        XCTAssertEqual(csv[1].split(separator: ",").last!.split(separator: " ").count, 6)
        let json = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.json"))
        XCTAssertEqual(try JSONDecoder().decode(RunReport.self, from: json), report)
    }

    func testRunsWithoutNoiseOrEmbeddingsLeaveTheSectionsOut() throws {
        let dir = try temporaryFolder()
        let report = try ReportWriter(settings: settings).write(SyntheticRun.run(), to: dir)
        XCTAssertNil(report.noise)
        XCTAssertTrue(report.embeddingMaps.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/embeddings.csv"))
        XCTAssertFalse(try String(contentsOfFile: dir + "/report.html", encoding: .utf8).contains("id=\"noise\""))
    }

    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "robustness-report-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
