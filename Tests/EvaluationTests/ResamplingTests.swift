import XCTest
@testable import Evaluation

final class ResamplingTests: XCTestCase {
    func row(_ seed: Int, _ subject: String, _ sample: String, _ label: Int, _ pred: Int, variant: String = "v") -> PredictionRow {
        PredictionRow(variant: variant, seed: seed, fold: subject, subject: subject, dataset: "D", sample: sample,
                      label: label, pred: pred, logits: [])
    }

    /// Identical systems: no prediction can be swapped, every round ties the observed 0, p = 1.
    func testPermutationIdenticalSystemsGivesOne() throws {
        let a = (0..<20).map { row(1, "s\($0 % 4)", "x\($0)", $0 % 3, ($0 * 2) % 3) }
        let paired = try PairedPredictions(a: a, b: a, classCount: 3)
        let r = PermutationTest.test(paired, metric: .uf1, rounds: 999)
        XCTAssertEqual(r.p, 1)
        XCTAssertEqual(r.statistic, 0)
    }

    /// Hand-worked: 6 samples where A is right and B wrong, 14 where both are right. Accuracy
    /// difference is -6/20; a random round reaches |d| >= 6/20 only when all 6 coins agree:
    /// probability 2 / 64. With 20,000 seeded rounds the add-one estimate must be close to 1/32.
    func testPermutationMatchesExactSignFlipProbability() throws {
        var a: [PredictionRow] = [], b: [PredictionRow] = []
        for i in 0..<20 {
            let label = i % 2
            a.append(row(1, "s\(i % 5)", "x\(i)", label, label))
            b.append(row(1, "s\(i % 5)", "x\(i)", label, i < 6 ? 1 - label : label))
        }
        let paired = try PairedPredictions(a: a, b: b, classCount: 2)
        let r = PermutationTest.test(paired, metric: .accuracy, rounds: 20_000)
        XCTAssertEqual(r.statistic!, -0.3, accuracy: 1e-12)
        XCTAssertEqual(r.p!, 1.0 / 32, accuracy: 0.006)
        // Deterministic: the same seed gives the same p.
        XCTAssertEqual(PermutationTest.test(paired, metric: .accuracy, rounds: 20_000).p, r.p)
    }

    /// 40 samples where only A is right: a random round reproduces so extreme a split with
    /// probability 2^-39, so no round counts and p is exactly the add-one floor 1 / (rounds + 1).
    func testPermutationAddOneFloor() throws {
        var a: [PredictionRow] = [], b: [PredictionRow] = []
        for i in 0..<40 {
            a.append(row(1, "s\(i % 5)", "x\(i)", i % 3, i % 3))
            b.append(row(1, "s\(i % 5)", "x\(i)", i % 3, (i + 1) % 3))
        }
        let r = PermutationTest.test(try PairedPredictions(a: a, b: b, classCount: 3), metric: .uf1, rounds: 999)
        XCTAssertEqual(r.p, 1.0 / 1000)
        XCTAssertEqual(r.statistic!, -1, accuracy: 1e-12)
    }

    /// Hand-worked: two equally sized subjects, one all right (accuracy 1), one all wrong (0).
    /// Resamples give 1 (prob 1/4), 0.5 (1/2), 0 (1/4): the 95% percentile interval is [0, 1].
    func testBootstrapTwoSubjects() {
        func unit(_ correct: Bool) -> [[ConfusionMatrix]] {
            [[ConfusionMatrix(labels: [0, 1], predictions: correct ? [0, 1] : [1, 0], classCount: 2)]]
        }
        let ci = SubjectBootstrap.intervals(units: [unit(true), unit(false)], systemNames: ["A"], metric: .accuracy,
                                            resamples: 2000)
        XCTAssertEqual(ci.count, 1)
        XCTAssertEqual(ci[0].estimate, 0.5)
        XCTAssertEqual(ci[0].lower, 0)
        XCTAssertEqual(ci[0].upper, 1)
        XCTAssertEqual(ci[0].units, 2)
        XCTAssertEqual(ci[0].resamples, 2000)
    }

    /// Identical subjects: every resample has the same score, so the interval collapses.
    func testBootstrapIdenticalSubjectsCollapses() {
        let m = ConfusionMatrix(labels: [0, 1, 2, 2], predictions: [0, 2, 2, 1], classCount: 3)
        let units = Array(repeating: [[m], [m]], count: 6)
        let ci = SubjectBootstrap.intervals(units: units, systemNames: ["A", "B"], metric: .uf1, resamples: 300)
        XCTAssertEqual(ci.count, 3)
        let uf1 = ClassificationScores(confusion: m).uf1!
        XCTAssertEqual(ci[0].lower!, uf1, accuracy: 1e-12)
        XCTAssertEqual(ci[0].upper!, uf1, accuracy: 1e-12)
        XCTAssertEqual(ci[2].lower!, 0, accuracy: 1e-12)
        XCTAssertEqual(ci[2].upper!, 0, accuracy: 1e-12)
    }

    func testPairingBySeedAndSample() throws {
        let a = [row(1, "s1", "x", 0, 0), row(1, "s1", "y", 1, 0), row(2, "s1", "x", 0, 1), row(1, "s2", "only-a", 0, 0)]
        let b = [row(1, "s1", "x", 0, 1), row(1, "s1", "y", 1, 1), row(2, "s1", "x", 0, 0)]
        let p = try PairedPredictions(a: a, b: b, classCount: 2)
        XCTAssertEqual(p.items.count, 3)
        XCTAssertEqual(p.unmatchedA, 1)
        XCTAssertEqual(p.unmatchedB, 0)
        XCTAssertTrue(p.pairingDescription.contains("matched by (seed, sample)"))
    }

    func testPairingDifferentSeedsInOrder() throws {
        let a = [row(1, "s1", "x", 0, 0), row(2, "s1", "x", 0, 1)]
        let b = [row(7, "s1", "x", 0, 1), row(9, "s1", "x", 0, 1), row(11, "s1", "x", 0, 0)]
        let p = try PairedPredictions(a: a, b: b, classCount: 2)
        XCTAssertEqual(p.seedPairs.map(\.a), [1, 2])
        XCTAssertEqual(p.seedPairs.map(\.b), [7, 9])
        XCTAssertEqual(p.items.map(\.predB), [1, 1])
        XCTAssertEqual(p.unmatchedB, 1)
        XCTAssertTrue(p.pairingDescription.contains("1<->7"))
    }

    func testPairingRejectsDifferentSamples() {
        XCTAssertThrowsError(try PairedPredictions(a: [row(1, "s", "x", 0, 0)], b: [row(1, "s", "x", 1, 0)], classCount: 2))
        XCTAssertThrowsError(try PairedPredictions(a: [row(1, "s", "x", 0, 0), row(1, "s", "x", 0, 1)],
                                                   b: [row(1, "s", "x", 0, 0)], classCount: 2))
        XCTAssertThrowsError(try PairedPredictions(a: [row(1, "s", "x", 0, 0)], b: [row(1, "s", "y", 0, 0)], classCount: 2))
    }

    /// The full comparison runs every test and, across several pairs, fills Holm p-values.
    func testComparisonRunsEveryTestAndHolm() throws {
        let run = SyntheticRun.run(variants: [("a", 0.5), ("b", 0.7), ("c", 0.75)], seeds: [1, 2, 3], alternate: false)
        let settings = PairwiseComparison.Settings(permutationRounds: 500, bootstrapResamples: 200)
        let report = try RunReport(run, settings: settings)
        XCTAssertEqual(report.main.comparisons.count, 3)
        XCTAssertTrue(report.main.holmApplied)
        for c in report.main.comparisons {
            XCTAssertEqual(c.tests.map(\.test), ["exact McNemar", "Wilcoxon signed-rank", "paired t-test", "paired t-test",
                                                 "approximate randomisation", "approximate randomisation"])
            XCTAssertEqual(c.intervals.count, 6)
            for t in c.tests {
                XCTAssertNotNil(t.p, t.test)
                XCTAssertNotNil(t.pHolm, t.test)
                XCTAssertGreaterThanOrEqual(t.pHolm!, t.p!)
            }
            XCTAssertEqual(c.tests[2].n, 3)   // three seed pairs
            XCTAssertEqual(c.subjects, 9)
        }
        // Holm by hand for the McNemar family.
        let ps = report.main.comparisons.map { $0.tests[0].p! }
        let expected = HolmCorrection.adjust(ps)
        XCTAssertEqual(report.main.comparisons.map { $0.tests[0].pHolm! }, expected.map { $0! }, accuracy: 0)
        // The composite t-test inputs are the per-seed composites.
        let a = report.main.variants[0].perSeed.map { $0.composite.uf1! }, b = report.main.variants[1].perSeed.map { $0.composite.uf1! }
        XCTAssertEqual(report.main.comparisons[0].tests[2].statistic!, PairedTTest.test(a, b, quantity: "").statistic!, accuracy: 1e-12)
    }
}
