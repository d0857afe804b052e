import XCTest
@testable import Evaluation

/// The report's seed-level comparison (Welch t on per-seed scores, issue 22's study) and the
/// published-reference table.
final class AcrossSeedsAndReferenceTests: XCTestCase {
    private let settings = PairwiseComparison.Settings(permutationRounds: 99, bootstrapResamples: 50, seed: 1)

    func testWelchRunsOnEachVariantsPerSeedScoresWithHolmAcrossPairs() throws {
        let run = SyntheticRun.run(variants: [("a", 0.5), ("b", 0.7), ("c", 0.6)], seeds: [1, 2, 3], alternate: false)
        let report = try RunReport(run, settings: settings)
        let s = report.main
        XCTAssertEqual(s.acrossSeeds.map { "\($0.nameA)/\($0.nameB)" }, ["a/b", "a/c", "b/c"])
        let quantities = s.acrossSeeds[0].tests.map(\.quantity)
        XCTAssertEqual(quantities, ["composite UF1 per seed", "composite UAR per seed", "SAMM UF1 per seed", "SAMM UAR per seed",
                                    "CASME II UF1 per seed", "CASME II UAR per seed", "SMIC-HS UF1 per seed", "SMIC-HS UAR per seed"])
        // Each test is Welch's t on the two variants' per-seed values (the statistic itself is checked
        // against SciPy in SignificanceTestsTests); per-seed UF1 recomputed here from the rows.
        func perSeedUF1(_ variant: String, dataset: String? = nil) -> [Double] {
            [1, 2, 3].map { seed in
                let rows = run.rows.filter { $0.variant == variant && $0.seed == seed && (dataset == nil || $0.dataset == dataset) }
                return ClassificationScores(labels: rows.map(\.label), predictions: rows.map(\.pred), classCount: 3).uf1!
            }
        }
        let ab = s.acrossSeeds[0]
        let expected = WelchTTest.test(perSeedUF1("a"), perSeedUF1("b"), quantity: "x")
        XCTAssertEqual(ab.tests[0].statistic!, expected.statistic!, accuracy: 1e-12)
        XCTAssertEqual(ab.tests[0].p!, expected.p!, accuracy: 1e-12)
        let casme = WelchTTest.test(perSeedUF1("a", dataset: "CASME II"), perSeedUF1("b", dataset: "CASME II"), quantity: "x")
        XCTAssertEqual(ab.tests[4].p!, casme.p!, accuracy: 1e-12)
        // Holm across the three pairs, per quantity.
        let holm = HolmCorrection.adjust(s.acrossSeeds.map { $0.tests[0].p })
        XCTAssertEqual(s.acrossSeeds.map { $0.tests[0].pHolm! }, holm.map { $0! }, accuracy: 1e-15)

        let md = MarkdownReport.render(report)
        XCTAssertTrue(md.contains("### Across seeds (Welch t-tests on per-seed scores)"))
        XCTAssertTrue(md.contains("| a | b | CASME II UF1 per seed |"))
        XCTAssertTrue(HTMLReport.render(report).contains("Across seeds (Welch t-tests on per-seed scores)"))
    }

    func testOneSeedGivesNoAcrossSeedsTests() throws {
        let report = try RunReport(SyntheticRun.run(seeds: [1], alternate: false), settings: settings)
        XCTAssertTrue(report.main.acrossSeeds.isEmpty)
        XCTAssertFalse(MarkdownReport.render(report).contains("Across seeds"))
    }

    func testTheReferenceTableSetsEachSeedBesideThePublishedRange() throws {
        var run = SyntheticRun.run(variants: [("a", 0.6)], seeds: [1, 2], alternate: false)
        run.configuration = """
            {"name": "x", "reference": {"source": "paper, 5 runs", "uf1": {"CASME II": [0, 1], "composite": [0.99, 1]},
             "uar": {"SMIC-HS": [0.2, 0.9]}}}
            """
        let report = try RunReport(run, settings: settings)
        let reference = try XCTUnwrap(report.reference)
        XCTAssertEqual(reference.source, "paper, 5 runs")
        XCTAssertEqual(reference.rows.map(\.quantity), ["CASME II UF1", "composite UF1", "SMIC-HS UAR"])
        let casme = reference.rows[0]
        let v = report.main.variants[0]
        XCTAssertEqual(casme.perSeed.map { $0! }, v.perSeed.map { $0.datasets.first { $0.dataset == "CASME II" }!.pooled.uf1! })
        XCTAssertEqual(casme.mean!, (casme.perSeed[0]! + casme.perSeed[1]!) / 2, accuracy: 1e-15)
        XCTAssertEqual(casme.meanInside, true)
        XCTAssertEqual(casme.seedsInside, 2)
        XCTAssertEqual(reference.rows[1].perSeed.map { $0! }, v.perSeed.map { $0.composite.uf1! })
        XCTAssertEqual(reference.rows[1].meanInside, false, "synthetic UF1 near 0.6 is outside [0.99, 1]")
        XCTAssertEqual(reference.rows[1].seedsInside, 0)

        let md = MarkdownReport.render(report)
        XCTAssertTrue(md.contains("### Against the published reference"))
        XCTAssertTrue(md.contains("| a | composite UF1 | [0.9900, 1.0000] |"))
        XCTAssertTrue(md.contains("| NO | 0 of 2 |"))
        // report.json round-trips the table; without a reference there is none.
        let json = try JSONEncoder().encode(report)
        XCTAssertEqual(try JSONDecoder().decode(RunReport.self, from: json).reference, reference)
        XCTAssertNil(try RunReport(SyntheticRun.run(alternate: false), settings: settings).reference)
    }

    func testADatasetTheRunDoesNotHaveIsNamed() throws {
        let reference = PublishedReference(source: "x", uf1: ["casme2": ScoreRange(low: 0.8, high: 0.9), "composite": ScoreRange(low: 0, high: 1)],
                                           uar: ["SMIC-HS": ScoreRange(low: 0, high: 1)])
        XCTAssertEqual(reference.unknownDatasets(present: ["SMIC-HS", "CASME II"]),
                       ["reference.uf1.casme2: no dataset 'casme2' in this run's data (it has: CASME II, SMIC-HS; or composite)"])
        var run = SyntheticRun.run(variants: [("a", 0.6)], seeds: [1], alternate: false)
        run.configuration = #"{"reference": {"source": "x", "uf1": {"casme2": [0.8, 0.9]}}}"#
        let md = MarkdownReport.render(try RunReport(run, settings: settings))
        XCTAssertTrue(md.contains("| a | casme2 UF1 | [0.8000, 0.9000] | no predictions of this dataset in the run | — | — | 0 of 1 |"), md)
    }
}
