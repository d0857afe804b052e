import Foundation

/// Paired Student t-test (scipy.stats.ttest_rel defaults: two-sided).
///
/// d = b - a; t = mean(d) / (sd(d) / sqrt(n)) with the sample standard deviation (ddof = 1);
/// df = n - 1; p = 2 * P(T_df >= |t|). With n < 2 nothing is computed. When all differences are
/// equal, sd = 0: scipy then gives t = +-inf, p = 0 for a non-zero mean and t = nan, p = nan for a
/// zero mean; both are reported here as such (nan as nil).
public enum PairedTTest {
    public static func test(_ a: [Double], _ b: [Double], quantity: String) -> TestResult {
        precondition(a.count == b.count, "paired samples of different lengths")
        let n = a.count
        let d = zip(a, b).map { $1 - $0 }
        let base = TestResult(test: "paired t-test", quantity: quantity, n: n, nDescription: "pairs",
                              statisticName: "t", statistic: nil, p: nil, tail: .twoSided,
                              method: "Student t, df = n - 1")
        guard n >= 2 else {
            var r = base
            r.note = "needs at least 2 pairs"
            return r
        }
        let mean = d.reduce(0, +) / Double(n)
        let sd = SampleStatistics.standardDeviation(d) ?? 0
        var r = base
        r.effect = mean
        r.method = "Student t, df = \(n - 1)"
        if sd == 0 {
            if mean == 0 {
                r.note = "all differences are zero: t undefined"
            } else {
                r.statistic = mean > 0 ? .infinity : -.infinity
                r.p = 0
                r.note = "all differences are equal: zero spread"
            }
            return r
        }
        let t = mean / (sd / Double(n).squareRoot())
        r.statistic = t
        r.p = min(1, 2 * SpecialFunctions.studentTSurvival(abs(t), degreesOfFreedom: Double(n - 1)))
        return r
    }
}
