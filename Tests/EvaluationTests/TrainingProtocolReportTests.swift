import FoldResults
import XCTest
@testable import Evaluation

/// Reports state each variant's order and starting point, and show test accuracy per epoch per dataset.
final class TrainingProtocolReportTests: XCTestCase {
    func testProtocolIsReadFromTheConfigurationWithDefaults() throws {
        var run = SyntheticRun.run()
        run.configuration = #"{"variants": [{"name": "baseline", "training": {"order": "class-grouped", "init_rng": "torch", "init_scope": "seed"}}, {"name": "weighted", "training": {}}]}"#
        let report = try RunReport(run)
        XCTAssertEqual(report.trainingProtocol, [
            VariantTrainingProtocol(variant: "baseline", order: "class-grouped", initRNG: "torch", initScope: "seed"),
            VariantTrainingProtocol(variant: "weighted", order: "csv", initRNG: "splitmix", initScope: "fold"),
        ])
        let md = MarkdownReport.render(report)
        XCTAssertTrue(md.contains("class-grouped (label 0, then 1, then 2"), md)
        XCTAssertTrue(md.contains("PyTorch's generator (torch.manual_seed, bit-identical to the reference); one set per seed"), md)
        XCTAssertTrue(md.contains("Test accuracy per epoch per source dataset"))
    }

    /// Per-dataset accuracy = fold accuracies weighted by each fold's test samples of that dataset.
    func testDatasetCurvesWeightFoldsByTheirSamples() throws {
        let run = SyntheticRun.run(variants: [("baseline", 0.55)], seeds: [1])
        let curves = DatasetCurve.curves(run: run)
        XCTAssertEqual(Set(curves.map(\.dataset)), ["CASME II", "SAMM", "SMIC-HS"])
        for c in curves {
            let folds = run.curves.filter { curve in run.rows.contains { $0.fold == curve.fold && $0.dataset == c.dataset } }
            for p in c.points {
                var correct = 0.0, n = 0
                for f in folds {
                    let count = run.rows.filter { $0.fold == f.fold }.count
                    correct += f.epochs.first { $0.epoch == p.epoch }!.testAccuracy * Double(count)
                    n += count
                }
                XCTAssertEqual(p.samples, n)
                XCTAssertEqual(p.accuracy, correct / Double(n), accuracy: 1e-12)
            }
        }
    }
}
