@testable import Evaluation
import XCTest

/// Reference values: scripts/reference/ordinal_metrics_reference.py (scikit-learn 1.9.1,
/// mean_absolute_error and cohen_kappa_score(weights='quadratic', labels=range(K))).
final class OrdinalScoresTests: XCTestCase {
    func check(_ labels: [Int], _ predictions: [Int], classes: Int, mae: Double, qwk: Double,
               file: StaticString = #filePath, line: UInt = #line) {
        let s = OrdinalScores(labels: labels, predictions: predictions, classCount: classes)
        XCTAssertEqual(s.meanAbsoluteError!, mae, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(s.quadraticKappa!, qwk, accuracy: 1e-12, file: file, line: line)
    }

    func testSixGradesMatchScikitLearn() {
        check([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 2, 3, 0, 5], [0, 1, 1, 2, 2, 1, 3, 4, 4, 3, 5, 4, 2, 3, 5, 5],
              classes: 6, mae: 0.6875, qwk: 0.647727272727273)
    }

    /// Grade 2 occurs in neither labels nor predictions: distances stay in grade steps over the full class list.
    func testAbsentGradeKeepsGradeDistances() {
        check([0, 1, 3, 4, 5, 5, 1, 3, 4, 0], [1, 1, 3, 5, 5, 4, 0, 4, 4, 0], classes: 6, mae: 0.5, qwk: 0.929178470254957)
    }

    func testThreeClassesMatchScikitLearn() {
        check([2, 1, 2, 2, 1, 2, 2, 0, 0, 0, 0, 2, 2, 0, 1, 2, 0, 2, 0, 1, 2, 0, 1, 0, 2, 0, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2],
              [2, 0, 0, 2, 0, 0, 1, 2, 1, 2, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2, 0, 2, 0, 0, 0, 1, 0, 2, 2, 2, 1, 0, 0, 1, 1, 1, 1, 1, 1],
              classes: 3, mae: 0.85, qwk: 0.072463768115942)
    }

    func testPerfectAgreementAndUndefinedKappa() {
        let perfect = OrdinalScores(labels: [0, 1, 2, 5], predictions: [0, 1, 2, 5], classCount: 6)
        XCTAssertEqual(perfect.meanAbsoluteError, 0)
        XCTAssertEqual(perfect.quadraticKappa, 1)
        // Everything true grade 3 and predicted 3: no expected disagreement, kappa undefined (sklearn NaN).
        let constant = OrdinalScores(labels: [3, 3], predictions: [3, 3], classCount: 6)
        XCTAssertNil(constant.quadraticKappa)
        XCTAssertNil(OrdinalScores(labels: [], predictions: [], classCount: 6).meanAbsoluteError)
    }

    /// An ordinal run's report gives MAE and QWK subject-bootstrap intervals beside UF1's: the
    /// estimate is the mean over seeds of each seed's MAE / QWK (recomputed here from the rows).
    func testOrdinalReportsCarryMAEAndQWKIntervals() throws {
        var run = SyntheticRun.run(variants: [("a", 0.6)], seeds: [1, 2], alternate: false)
        run.ordinal = true
        let report = try RunReport(run, settings: PairwiseComparison.Settings(permutationRounds: 99, bootstrapResamples: 200, seed: 3))
        let v = report.main.variants[0]
        for (metric, value) in [(ScoreMetric.meanAbsoluteError, \OrdinalScores.meanAbsoluteError), (.quadraticKappa, \OrdinalScores.quadraticKappa)] {
            let perSeed = [1, 2].map { seed -> Double in
                let rows = run.rows.filter { $0.seed == seed }
                return OrdinalScores(labels: rows.map(\.label), predictions: rows.map(\.pred), classCount: 3)[keyPath: value]!
            }
            let interval = try XCTUnwrap(ReportFormat.interval(v.intervals, metric, of: "a"), "\(metric)")
            XCTAssertEqual(interval.estimate!, (perSeed[0] + perSeed[1]) / 2, accuracy: 1e-12)
            XCTAssertLessThan(interval.lower!, interval.estimate!)
            XCTAssertGreaterThan(interval.upper!, interval.estimate!)
            XCTAssertEqual(interval.units, 9, "subjects are the resampled units")
        }
        XCTAssertTrue(MarkdownReport.render(report).contains("| MAE (grades) | MAE 95% CI | QWK | QWK 95% CI |"))
        // Not ordinal: no MAE interval is computed.
        let plain = try RunReport(SyntheticRun.run(variants: [("a", 0.6)], seeds: [1], alternate: false),
                                  settings: PairwiseComparison.Settings(permutationRounds: 9, bootstrapResamples: 20))
        XCTAssertNil(ReportFormat.interval(plain.main.variants[0].intervals, .meanAbsoluteError, of: "a"))
    }
}
