import XCTest
@testable import Evaluation

/// `coordinator compare` on a 3-seed pair of runs: per-seed UF1/UAR of both sides, per-seed exact
/// McNemar and Wilcoxon, the pooled tests labelled as pooled, the paired t over seeds with its df and
/// a caution, Holm over every test, and all of it in the JSON.
///
/// The runs follow an arithmetic rule, mirrored in Python to get the expected values with SciPy 1.17.1
/// and scikit-learn 1.9.1 (script: the loop below, then for each seed s
///   f1_score(y, p, average='macro'), balanced_accuracy_score(y, p),
///   stats.binomtest(min(b, c), b + c, 0.5).pvalue   (= statsmodels mcnemar(exact=True) for p = 1/2),
///   stats.wilcoxon(d)   with d = per-subject accuracy of B minus A, subjects s1..s8,
/// and over seeds stats.ttest_rel(uf1B, uf1A)). The exact call is beside each literal.
final class CompareThreeSeedsTests: XCTestCase {
    /// for s in [1, 2, 3]: for k in range(8): for i in range(3 + k % 4):
    ///   label = (k + 2*i) % 3
    ///   a = label if (k*7 + i*3 + s*5) % 10 < 5 else (label + 1) % 3
    ///   b = label if (k*5 + i*7 + s*3 + 1) % 10 < 7 else (label + 1 + (i + s) % 2) % 3
    static func runs() -> (a: [PredictionRow], b: [PredictionRow]) {
        var a: [PredictionRow] = [], b: [PredictionRow] = []
        for s in [1, 2, 3] { for k in 0..<8 { for i in 0..<(3 + k % 4) {
            let label = (k + 2 * i) % 3
            let predA = (k * 7 + i * 3 + s * 5) % 10 < 5 ? label : (label + 1) % 3
            let predB = (k * 5 + i * 7 + s * 3 + 1) % 10 < 7 ? label : (label + 1 + (i + s) % 2) % 3
            func row(_ variant: String, _ pred: Int) -> PredictionRow {
                PredictionRow(variant: variant, seed: s, fold: "s\(k + 1)", subject: "s\(k + 1)", dataset: k < 4 ? "CASME II" : "SMIC",
                              sample: "s\(k + 1)_\(i)", label: label, pred: pred, logits: [])
            }
            a.append(row("baseline", predA))
            b.append(row("candidate", predB))
        } } }
        return (a, b)
    }

    func comparison() throws -> PairwiseComparison {
        let (a, b) = Self.runs()
        return PairwiseComparison(try PairedPredictions(a: a, b: b, classCount: 3), nameA: "A", nameB: "B",
                                  settings: .init(permutationRounds: 300, bootstrapResamples: 200))
    }

    func testPerSeedScoresMatchScikitLearn() throws {
        let c = try comparison()
        XCTAssertEqual(c.perSeed.map(\.seedA), [1, 2, 3])
        XCTAssertEqual(c.perSeed.map(\.matchedPredictions), [36, 36, 36])
        // f1_score(y, pA, average='macro') per seed
        XCTAssertEqual(c.perSeed.map { $0.uf1A! }, [0.3535714285714286, 0.48380952380952386, 0.3535714285714286], accuracy: 1e-12)
        // f1_score(y, pB, average='macro') per seed
        XCTAssertEqual(c.perSeed.map { $0.uf1B! }, [0.7201783723522853, 0.6615384615384615, 0.7218840579710145], accuracy: 1e-12)
        // balanced_accuracy_score(y, pA) per seed
        XCTAssertEqual(c.perSeed.map { $0.uarA! }, [0.4102564102564103, 0.5897435897435898, 0.4102564102564103], accuracy: 1e-12)
        // balanced_accuracy_score(y, pB) per seed
        XCTAssertEqual(c.perSeed.map { $0.uarB! }, [0.721056721056721, 0.6625874125874126, 0.7278554778554779], accuracy: 1e-12)
        // np.mean over seeds
        XCTAssertEqual(c.uf1A!, 0.396984126984127, accuracy: 1e-12)
        XCTAssertEqual(c.uarB!, 0.7038332038332039, accuracy: 1e-12)
    }

    func testPerSeedTestsMatchSciPy() throws {
        let c = try comparison()
        // b, c per seed: ((pa == y) & (pb != y)).sum(), ((pb == y) & (pa != y)).sum()
        XCTAssertEqual(c.perSeed.map(\.onlyACorrect), [5, 9, 5])
        XCTAssertEqual(c.perSeed.map(\.onlyBCorrect), [16, 12, 16])
        // stats.binomtest(min(b, c), b + c, 0.5).pvalue: (5, 21) -> 0.02660369873046875, (9, 21) -> 0.6636238098144531
        XCTAssertEqual(c.perSeed.map { $0.mcnemar.p! }, [0.02660369873046875, 0.6636238098144531, 0.02660369873046875], accuracy: 1e-12)
        XCTAssertEqual(c.perSeed[0].mcnemar.test, "exact McNemar")
        XCTAssertTrue(c.perSeed[1].mcnemar.quantity.hasSuffix("seed 2"))
        // stats.wilcoxon(d).statistic, .pvalue per seed (seed 2 has five zero differences: dropped)
        XCTAssertEqual(c.perSeed.map { $0.wilcoxon.statistic! }, [0, 0, 0])
        XCTAssertEqual(c.perSeed.map { $0.wilcoxon.p! }, [0.0078125, 0.25, 0.0078125], accuracy: 1e-12)
        XCTAssertEqual(c.perSeed[1].wilcoxon.n, 3)
        XCTAssertEqual(c.perSeed.map(\.subjects), [8, 8, 8])
    }

    func testPooledTestsAreLabelledAndMatchSciPy() throws {
        let c = try comparison()
        let mcnemar = c.tests[0], wilcoxon = c.tests[1]
        XCTAssertTrue(mcnemar.quantity.contains("pooled over 3 seed pairs"), mcnemar.quantity)
        XCTAssertTrue(wilcoxon.quantity.contains("pooled over 3 seed pairs"), wilcoxon.quantity)
        // stats.binomtest(19, 63, 0.5).pvalue (pooled b = 19, c = 44)
        XCTAssertEqual(mcnemar.p!, 0.0022275315109880345, accuracy: 1e-14)
        XCTAssertEqual(mcnemar.n, 63)
        // stats.wilcoxon(d_pooled) -> statistic 0.0, pvalue 0.0078125
        XCTAssertEqual(wilcoxon.statistic!, 0)
        XCTAssertEqual(wilcoxon.p!, 0.0078125, accuracy: 1e-12)
    }

    func testPairedTOverSeedsHasDfAndCaution() throws {
        let c = try comparison()
        let uf1 = c.tests[2], uar = c.tests[3]
        // stats.ttest_rel(uf1B, uf1A) -> statistic 4.810081530460962, pvalue 0.0406066268007915, df 2
        XCTAssertEqual(uf1.statistic!, 4.810081530460962, accuracy: 1e-9)
        XCTAssertEqual(uf1.p!, 0.0406066268007915, accuracy: 1e-10)
        // stats.ttest_rel(uarB, uarA) -> statistic 2.9045684407150145, pvalue 0.10090868060215037
        XCTAssertEqual(uar.statistic!, 2.9045684407150145, accuracy: 1e-9)
        XCTAssertEqual(uar.p!, 0.10090868060215037, accuracy: 1e-10)
        XCTAssertEqual(uf1.method, "Student t, df = 2")
        XCTAssertTrue(uf1.note?.contains("caution: only 3 seed pairs (df = 2)") == true, uf1.note ?? "no note")
    }

    /// Five seed pairs: no caution.
    func testNoCautionFromFiveSeeds() throws {
        var (a, b) = Self.runs()
        for extra in [4, 5] {
            a += a.filter { $0.seed == 1 }.map { var r = $0; r.seed = extra; return r }
            b += b.filter { $0.seed == 2 }.map { var r = $0; r.seed = extra; return r }
        }
        let c = PairwiseComparison(try PairedPredictions(a: a, b: b, classCount: 3), nameA: "A", nameB: "B",
                                   settings: .init(permutationRounds: 10, bootstrapResamples: 10))
        XCTAssertEqual(c.seedPairs, 5)
        XCTAssertNil(c.tests[2].note)
    }

    /// Holm over all 6 + 3 x 2 tests: the adjustment of HolmCorrection (checked against statsmodels)
    /// applied to exactly that family, in that order.
    func testHolmCoversEveryTest() throws {
        let c = try comparison()
        let all = c.tests.map(\.p) + c.perSeed.flatMap { [$0.mcnemar.p, $0.wilcoxon.p] }
        XCTAssertEqual(all.count, 12)
        let expected = HolmCorrection.adjust(all)
        let got = c.tests.map(\.pHolmWithinComparison) + c.perSeed.flatMap { [$0.mcnemar.pHolmWithinComparison, $0.wilcoxon.pHolmWithinComparison] }
        XCTAssertEqual(got, expected)
        XCTAssertTrue(c.holmFamily.contains("all 12 tests"), c.holmFamily)
        // The smallest p (pooled McNemar 0.0022275315109880345) is multiplied by the family size.
        XCTAssertEqual(c.tests[0].pHolmWithinComparison!, 12 * 0.0022275315109880345, accuracy: 1e-12)
    }

    /// Randomisation and bootstrap are there, and an interval of the difference brackets its estimate.
    func testRandomisationAndBootstrapAreReported() throws {
        let c = try comparison()
        XCTAssertEqual(c.tests.filter { $0.test == "approximate randomisation" }.count, 2)
        let d = try XCTUnwrap(c.intervals.first { $0.quantity == "UF1 difference (B - A)" })
        XCTAssertLessThanOrEqual(d.lower!, d.estimate!)
        XCTAssertGreaterThanOrEqual(d.upper!, d.estimate!)
        XCTAssertEqual(d.estimate!, 0.7012002972872539 - 0.396984126984127, accuracy: 1e-12)
    }

    /// `compare --json` writes every per-seed number and test, and the terminal table shows them.
    func testJSONAndTableCarryPerSeedResults() throws {
        let c = try comparison()
        let json = try JSONSerialization.jsonObject(with: ReportWriter.encoder().encode(c)) as! [String: Any]
        let perSeed = try XCTUnwrap(json["perSeed"] as? [[String: Any]])
        XCTAssertEqual(perSeed.count, 3)
        XCTAssertEqual(perSeed[1]["uf1B"] as! Double, 0.6615384615384615, accuracy: 1e-12)
        let wilcoxon = try XCTUnwrap(perSeed[0]["wilcoxon"] as? [String: Any])
        XCTAssertEqual(wilcoxon["p"] as! Double, 0.0078125, accuracy: 1e-12)
        XCTAssertNotNil(wilcoxon["pHolmWithinComparison"])
        XCTAssertNotNil(json["holmFamily"] as? String)
        let text = MarkdownReport.comparison(c)
        for needle in ["| seed A | seed B |", "| 2 | 2 | 36 | 0.4838 | 0.6615 |", "5 / 16", "pooled over 3 seed pairs",
                       "caution: only 3 seed pairs", "p (Holm, all tests)"] {
            XCTAssertTrue(text.contains(needle), needle)
        }
    }

    /// A CSV written by `train-fold` before it used the report's format (no variant, seed or fold
    /// columns) is still read: variant "default", seed 0, fold = subject.
    func testLegacyTrainFoldCSVIsRead() throws {
        let text = "selection,sample,subject,dataset,label,pred,logit_0,logit_1\nfinal,x1,s1,D,0,1,0.1,0.9\nbest-test-epoch,x1,s1,D,0,0,0.9,0.1\n"
        let t = try PredictionsCSV.parse(text)
        XCTAssertEqual(t.selections, ["final", "best-test-epoch"])
        XCTAssertEqual(t.rows(selection: nil), [PredictionRow(variant: "default", seed: 0, fold: "s1", subject: "s1", dataset: "D",
                                                               sample: "x1", label: 0, pred: 1, logits: [0.1, 0.9])])
    }
}
