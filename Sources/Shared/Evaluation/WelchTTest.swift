import Foundation

/// Welch's unequal-variance t-test (scipy.stats.ttest_ind(a, b, equal_var=False), two-sided), for
/// two independent samples such as the per-seed scores of two variants: seed s of one variant and
/// seed s of another are separate trainings, not a pair, so the paired t-test does not apply.
///
/// Conventions: effect = mean(b) - mean(a) and t = effect / sqrt(va/na + vb/nb) with sample
/// variances (ddof = 1), i.e. the sign of scipy's t for ttest_ind(b, a); df by Welch-Satterthwaite,
/// (va/na + vb/nb)^2 / ((va/na)^2/(na-1) + (vb/nb)^2/(nb-1)), not rounded; p = 2 P(T_df >= |t|).
/// Each side needs at least 2 values. When both sides have zero spread the statistic is undefined
/// (scipy gives nan): reported as nil with a note.
public enum WelchTTest {
    public static func test(_ a: [Double], _ b: [Double], quantity: String) -> TestResult {
        var r = TestResult(test: "Welch t-test", quantity: quantity, n: a.count + b.count,
                           nDescription: "values (\(a.count) in A, \(b.count) in B)", statisticName: "t",
                           statistic: nil, p: nil, tail: .twoSided, method: "Student t, Welch-Satterthwaite df")
        guard a.count >= 2, b.count >= 2, let ma = SampleStatistics.mean(a), let mb = SampleStatistics.mean(b),
              let sa = SampleStatistics.standardDeviation(a), let sb = SampleStatistics.standardDeviation(b) else {
            r.note = "needs at least 2 values on each side"
            return r
        }
        r.effect = mb - ma
        let qa = sa * sa / Double(a.count), qb = sb * sb / Double(b.count)
        guard qa + qb > 0 else {
            r.note = "zero spread on both sides: t undefined"
            return r
        }
        let df = (qa + qb) * (qa + qb) / (qa * qa / Double(a.count - 1) + qb * qb / Double(b.count - 1))
        let t = (mb - ma) / (qa + qb).squareRoot()
        r.statistic = t
        r.p = min(1, 2 * SpecialFunctions.studentTSurvival(abs(t), degreesOfFreedom: df))
        r.method = "Student t, Welch-Satterthwaite df = \(String(format: "%.3f", df))"
        return r
    }
}
