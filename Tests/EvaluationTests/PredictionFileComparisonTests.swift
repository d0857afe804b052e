import XCTest
@testable import Evaluation

/// The logic behind `coordinator compare`: choosing variants and selections from prediction tables.
final class PredictionFileComparisonTests: XCTestCase {
    let settings = PairwiseComparison.Settings(permutationRounds: 200, bootstrapResamples: 100)

    func table(_ run: RunRecord) throws -> PredictionsCSV.Table { try PredictionsCSV.parse(PredictionsCSV.render(run)) }

    func testTwoVariantsOfOneRun() throws {
        let t = try table(SyntheticRun.run())
        let c = try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: "baseline",
                                                     variantB: "weighted", selection: nil, settings: settings)
        XCTAssertEqual(c.nameA, "baseline")
        XCTAssertEqual(c.nameB, "weighted")
        XCTAssertEqual(c.tests.count, 6)
        XCTAssertEqual(c.matchedPredictions, 72)
        // The optimistic selection is only compared when asked for, and then has other numbers.
        let optimistic = try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: "baseline",
                                                              variantB: "weighted", selection: "best-test-epoch", settings: settings)
        XCTAssertNotEqual(optimistic.uf1A, c.uf1A)
    }

    func testTwoFilesWithOneVariantEach() throws {
        let a = try table(SyntheticRun.run(variants: [("x", 0.5)], alternate: false))
        let b = try table(SyntheticRun.run(variants: [("y", 0.8)], alternate: false))
        let c = try PredictionFileComparison.compare(a: a, nameA: "A.csv", b: b, nameB: "B.csv", variantA: nil, variantB: nil,
                                                     selection: nil, settings: settings)
        XCTAssertEqual(c.nameA, "A.csv:x")
        XCTAssertEqual(c.nameB, "B.csv:y")
        XCTAssertGreaterThan(c.uf1B!, c.uf1A!)
    }

    func testAmbiguousInputsAreRefused() throws {
        let t = try table(SyntheticRun.run())
        XCTAssertThrowsError(try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: nil,
                                                                  variantB: nil, selection: nil, settings: settings)) {
            XCTAssertTrue("\($0)".contains("several variants"))
        }
        XCTAssertThrowsError(try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: "baseline",
                                                                  variantB: "nope", selection: nil, settings: settings)) {
            XCTAssertTrue("\($0)".contains("no variant 'nope'"))
        }
        XCTAssertThrowsError(try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: "baseline",
                                                                  variantB: "weighted", selection: "best", settings: settings))
    }

    /// The terminal table prints every test with n, statistic, p and tail.
    func testComparisonTableListsEveryTest() throws {
        let t = try table(SyntheticRun.run())
        let c = try PredictionFileComparison.compare(a: t, nameA: "run", b: nil, nameB: nil, variantA: "baseline",
                                                     variantB: "weighted", selection: nil, settings: settings)
        let text = MarkdownReport.comparison(c)
        for needle in ["| test | quantity | n | statistic | p | p (Holm, all tests) | tail | method | note |", "| seed A | seed B |", "exact McNemar", "Wilcoxon signed-rank",
                       "composite UF1 per seed", "composite UAR per seed", "UF1 difference (B - A)", "UAR difference (B - A)",
                       "UF1 of baseline", "UAR difference (weighted - baseline)", "two-sided"] {
            XCTAssertTrue(text.contains(needle), needle)
        }
    }
}
