import XCTest
@testable import Evaluation

/// Expected values computed once with SciPy 1.17.1 and statsmodels 0.15.0 (Python 3.11):
///   from statsmodels.stats.contingency_tables import mcnemar
///   from statsmodels.stats.multitest import multipletests
///   from scipy import stats, special
/// The exact call is above each literal.
final class SignificanceTestsTests: XCTestCase {
    // MARK: special functions

    func testSpecialFunctions() {
        // special.betainc(2.5, 0.5, 0.3); special.betainc(30, 40, 0.45)
        XCTAssertEqual(SpecialFunctions.regularizedIncompleteBeta(0.3, a: 2.5, b: 0.5), 0.018927124071945658, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.regularizedIncompleteBeta(0.45, a: 30, b: 40), 0.6447480085585666, accuracy: 1e-12)
        // stats.t.sf(t, df)
        XCTAssertEqual(SpecialFunctions.studentTSurvival(2.5, degreesOfFreedom: 3), 0.04385332350403278, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.studentTSurvival(0.3, degreesOfFreedom: 1), 0.4072264209222577, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.studentTSurvival(10, degreesOfFreedom: 29) / 3.2999312882167624e-11, 1, accuracy: 1e-8)
        XCTAssertEqual(SpecialFunctions.studentTSurvival(1.96, degreesOfFreedom: 1000), 0.025136592477874368, accuracy: 1e-12)
        XCTAssertEqual(SpecialFunctions.studentTSurvival(-2.5, degreesOfFreedom: 3), 1 - 0.04385332350403278, accuracy: 1e-13)
    }

    // MARK: McNemar

    /// mcnemar([[10, b], [c, 10]], exact=True) -> (statistic, pvalue)
    func testMcNemarAgainstStatsmodels() {
        let cases: [(Int, Int, Double, Double)] = [
            (3, 7, 3, 0.34375), (0, 0, 0, 1.0), (1, 0, 0, 1.0), (5, 5, 5, 1.0),
            (60, 85, 60, 0.04587706851008294), (12, 2, 2, 0.012939453125),
        ]
        for (b, c, statistic, p) in cases {
            let r = McNemarTest.exact(onlyACorrect: b, onlyBCorrect: c)
            XCTAssertEqual(r.statistic!, statistic, "b=\(b) c=\(c)")
            XCTAssertEqual(r.p!, p, accuracy: 1e-12, "b=\(b) c=\(c)")
            XCTAssertEqual(r.n, b + c)
            XCTAssertEqual(r.tail, .twoSided)
        }
    }

    /// Hand-worked: b = 0, c = 4 -> p = 2 * (1/2)^4 = 0.125; counts come from correctness flags.
    func testMcNemarCountsDiscordantPairsOnly() {
        let a = [true, true, false, false, false, false, false, true]
        let b = [true, true, true, true, true, true, false, true]
        let r = McNemarTest.exact(aCorrect: a, bCorrect: b)
        XCTAssertEqual(r.n, 4)
        XCTAssertEqual(r.p!, 0.125, accuracy: 1e-15)
    }

    // MARK: Wilcoxon

    /// stats.wilcoxon(d) -> (statistic, pvalue), default arguments.
    func testWilcoxonAgainstSciPy() {
        let cases: [(String, [Double], Double, Double, WilcoxonSignedRank.Method)] = [
            ("exact_small", [0.5, -1.2, 2.3, 3.1, -0.4, 1.7, 2.9, 0.8], 5.0, 0.078125, .exact),
            ("perm_ties_zeros", [0.1, 0.1, -0.2, 0.0, 0.3, 0.3, 0.3, -0.1, 0.5, 0.0], 6.0, 0.1171875, .exhaustivePermutation),
            ("perm4_ties", [1, -1, 1, 1], 2.5, 0.625, .exhaustivePermutation),
            ("all_zero_3", [0, 0, 0], 0.0, 1.0, .exhaustivePermutation),
            // n = 13 with ties: still the exhaustive permutation; one more difference (n = 14): normal approximation
            ("perm13_ties", [1, 2, 2, -3, 4, 4, 5, -1, 6, 7, 8, 9, 3], 7.0, 0.004638671875, .exhaustivePermutation),
            ("asym14_ties", [1, 2, 2, -3, 4, 4, 5, -1, 6, 7, 8, 9, 3, 10], 7.0, 0.004247802613804795, .normalApproximation),
            ("asym_ties_20", [1, 2, 2, -1, 3, 3, -2, 4, 5, 5, 1, 2, 6, -3, 0, 2, 7, 1, -1, 4], 26.0, 0.005275208740754332, .normalApproximation),
            // [((i*37) % 101 - 40) / 10 for i in range(1, 51)]: n = 50 with a zero -> normal approximation
            ("n50_zero", (1...50).map { Double((($0 * 37) % 101) - 40) / 10 }, 382.5, 0.022137223261292416, .normalApproximation),
            // [(-i if i % 3 == 0 else i) for i in range(1, 51)]: n = 50, no ties or zeros -> exact
            ("exact50", (1...50).map { Double($0 % 3 == 0 ? -$0 : $0) }, 408.0, 0.02616696817119646, .exact),
            // same for range(1, 52): n = 51 -> normal approximation
            ("asym51", (1...51).map { Double($0 % 3 == 0 ? -$0 : $0) }, 459.0, 0.055852182035584695, .normalApproximation),
            // [(-i if i % 4 == 0 else i) for i in range(1, 31)]
            ("exact30", (1...30).map { Double($0 % 4 == 0 ? -$0 : $0) }, 112.0, 0.012047622352838516, .exact),
            // np.round(np.random.default_rng(7).normal(0.05, 0.2, 60), 2): n = 60, ties and zeros
            ("asym_large_60", [0.05, 0.11, -0.0, -0.13, -0.04, -0.15, 0.06, 0.32, -0.05, -0.07, 0.15, 0.12, 0.07, -0.14, 0.04, 0.19,
                               -0.22, -0.04, -0.33, -0.21, -0.32, 0.0, -0.2, 0.1, 0.08, 0.01, -0.45, -0.06, 0.04, 0.07, -0.26,
                               -0.05, -0.15, -0.11, 0.26, -0.11, 0.04, 0.23, -0.07, 0.03, 0.07, 0.06, -0.2, 0.07, 0.32, -0.26,
                               0.22, 0.07, -0.08, 0.45, 0.2, -0.19, 0.06, 0.17, 0.01, 0.19, 0.04, 0.18, 0.34, -0.09],
             816.0, 0.7596234931286833, .normalApproximation),
        ]
        for (name, d, statistic, p, method) in cases {
            let r = WilcoxonSignedRank.test(differences: d, quantity: name)
            XCTAssertEqual(r.statistic!, statistic, accuracy: 1e-9, name)
            XCTAssertEqual(r.p!, p, accuracy: 1e-10, name)
            XCTAssertEqual(r.method, method.rawValue, name)
        }
    }

    /// Hand-worked: d = [1, 2, 3], no ties: 8 sign patterns, R+ = 6 only for all positive, so
    /// P(R+ >= 6) = 1/8 and p = 2/8 = 0.25; the statistic min(R+, R-) = 0.
    func testWilcoxonHandWorked() {
        let r = WilcoxonSignedRank.test(differences: [1, 2, 3], quantity: "hand")
        XCTAssertEqual(r.statistic, 0)
        XCTAssertEqual(r.p!, 0.25, accuracy: 1e-15)
        XCTAssertEqual(r.n, 3)
    }

    // MARK: paired t

    /// stats.ttest_rel(b, a) -> (statistic, pvalue)
    func testPairedTAgainstSciPy() {
        let cases: [([Double], [Double], Double, Double)] = [
            ([0.61, 0.58, 0.66], [0.64, 0.63, 0.65], 1.3228756555322951, 0.3168699489360268),
            ([0.70, 0.72, 0.69, 0.71, 0.73], [0.74, 0.73, 0.75, 0.70, 0.78], 2.3008949665421112, 0.08285742808310921),
            ([0.5, 0.6], [0.55, 0.62], 2.3333333333333335, 0.2577621168183132),
        ]
        for (a, b, t, p) in cases {
            let r = PairedTTest.test(a, b, quantity: "x")
            XCTAssertEqual(r.statistic!, t, accuracy: 1e-10)
            XCTAssertEqual(r.p!, p, accuracy: 1e-10)
            XCTAssertEqual(r.n, a.count)
        }
        // stats.ttest_rel([0.6]*3, [0.5]*3) -> statistic inf, pvalue 0.0 (all differences equal)
        let constant = PairedTTest.test([0.5, 0.5, 0.5], [0.6, 0.6, 0.6], quantity: "x")
        XCTAssertEqual(constant.statistic, .infinity)
        XCTAssertEqual(constant.p, 0)
        XCTAssertNil(PairedTTest.test([0.5], [0.6], quantity: "x").p)
    }

    // MARK: Welch

    /// scipy.stats.ttest_ind(b, a, equal_var=False) (scripts/reference/welch_reference.py).
    func testWelchAgainstSciPy() {
        let cases: [([Double], [Double], t: Double, p: Double)] = [
            ([0.630, 0.637, 0.633], [0.686, 0.629, 0.655, 0.671, 0.660], 2.7821899626037863, 0.0451475928974091),
            ([0.772, 0.751, 0.760], [0.710, 0.705, 0.741], -3.3079198577984634, 0.043836767978520874),
            ([1.0, 2.0], [3.0, 5.0, 4.0, 10.0], 2.449489742783178, 0.07874652426488475),
            ([0.5, 0.5, 0.5], [0.4, 0.7, 0.6], 0.7559289460184556, 0.5285954792089678),
        ]
        for (a, b, t, p) in cases {
            let r = WelchTTest.test(a, b, quantity: "x")
            XCTAssertEqual(r.statistic!, t, accuracy: 1e-9)
            XCTAssertEqual(r.p!, p, accuracy: 1e-9)
            XCTAssertEqual(r.effect!, b.reduce(0, +) / Double(b.count) - a.reduce(0, +) / Double(a.count), accuracy: 1e-12)
            XCTAssertEqual(r.n, a.count + b.count)
        }
        // df 4.358922706081167 for the first case, stated in the method.
        XCTAssertTrue(WelchTTest.test(cases[0].0, cases[0].1, quantity: "x").method.hasSuffix("df = 4.359"))
        XCTAssertNil(WelchTTest.test([0.5, 0.5], [0.6, 0.6], quantity: "x").statistic, "zero spread on both sides")
        XCTAssertNil(WelchTTest.test([0.5], [0.6, 0.7], quantity: "x").p, "one value on a side")
    }

    // MARK: Holm

    /// multipletests(p, method='holm')[1]
    func testHolmAgainstStatsmodels() {
        XCTAssertEqual(HolmCorrection.adjust([0.01, 0.04, 0.03, 0.2]).map { $0! }, [0.04, 0.09, 0.09, 0.2], accuracy: 1e-12)
        XCTAssertEqual(HolmCorrection.adjust([0.5, 0.001, 0.02]).map { $0! }, [0.5, 0.003, 0.04], accuracy: 1e-12)
        XCTAssertEqual(HolmCorrection.adjust([0.04, 0.04, 0.04]).map { $0! }, [0.12, 0.12, 0.12], accuracy: 1e-12)
        let withMissing = HolmCorrection.adjust([0.01, nil, 0.04])
        XCTAssertNil(withMissing[1])
        XCTAssertEqual(withMissing[0]!, 0.02, accuracy: 1e-15)
        XCTAssertEqual(withMissing[2]!, 0.04, accuracy: 1e-15)
    }
}
