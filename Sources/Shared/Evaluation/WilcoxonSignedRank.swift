import Foundation

/// Wilcoxon signed-rank test on paired differences, with scipy.stats.wilcoxon's defaults as of
/// SciPy 1.17 (zero_method='wilcox', correction=False, alternative='two-sided', method='auto'):
///
/// - zeros are dropped before ranking (they still count in n for choosing the method, as in SciPy);
/// - |d| of the non-zero differences get average ranks; R+ and R- are the rank sums of the positive
///   and negative differences; the reported statistic is min(R+, R-);
/// - method 'auto', with n the number of differences INCLUDING zeros:
///   * n > 50: normal approximation;
///   * n <= 50, no zeros and no ties: exact null distribution of R+;
///   * n <= 13 with zeros or ties: SciPy runs an exhaustive sign-flip permutation test, which is the
///     exact conditional distribution of R+ given the observed (tied) ranks; computed here exactly;
///   * otherwise (ties or zeros, 13 < n <= 50): normal approximation.
/// - exact / permutation p = min(1, 2 min(P(R+ <= r), P(R+ >= r)));
/// - normal approximation: z = (R+ - m(m+1)/4) / sqrt((m(m+1)(2m+1) - sum(t^3 - t)/2) / 24) over the
///   m non-zero differences with tie-group sizes t, no continuity correction, p = 2 P(Z >= |z|).
public enum WilcoxonSignedRank {
    public enum Method: String, Codable, Sendable {
        case exact = "exact"
        case exhaustivePermutation = "exhaustive permutation"
        case normalApproximation = "normal approximation"
    }

    public static func method(forCount n: Int, hasTies: Bool, hasZeros: Bool) -> Method {
        if n > 50 { return .normalApproximation }
        if !hasTies && !hasZeros { return .exact }
        return n <= 13 ? .exhaustivePermutation : .normalApproximation
    }

    public static func test(differences d: [Double], quantity: String) -> TestResult {
        let nonZero = d.filter { $0 != 0 }
        let m = nonZero.count
        let (ranks, groups) = SampleStatistics.averageRanks(nonZero.map(abs))
        var rPlus = 0.0, rMinus = 0.0
        for (x, r) in zip(nonZero, ranks) { if x > 0 { rPlus += r } else { rMinus += r } }
        let zeros = d.count - m
        let hasTies = groups.contains { $0 > 1 }
        let method = method(forCount: d.count, hasTies: hasTies, hasZeros: zeros > 0)
        var result = TestResult(test: "Wilcoxon signed-rank", quantity: quantity, n: m,
                                nDescription: "non-zero differences (\(zeros) zero\(zeros == 1 ? "" : "s") dropped of \(d.count))",
                                statisticName: "min(R+, R-)", statistic: min(rPlus, rMinus), p: nil,
                                tail: .twoSided, method: method.rawValue,
                                effect: SampleStatistics.mean(d))
        guard !d.isEmpty else {
            result.statistic = nil
            result.note = "no differences"
            return result
        }
        switch method {
        case .exact, .exhaustivePermutation:
            let (less, greater) = signFlipTails(ranks: ranks, observedRPlus: rPlus)
            result.p = min(1, 2 * min(less, greater))
        case .normalApproximation:
            let mm = Double(m)
            let tieTerm = groups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let variance = (mm * (mm + 1) * (2 * mm + 1) - tieTerm / 2) / 24
            guard variance > 0 else {
                result.note = "all differences are zero: no test"
                return result
            }
            let z = (rPlus - mm * (mm + 1) / 4) / variance.squareRoot()
            result.p = min(1, 2 * SpecialFunctions.normalSurvival(abs(z)))
            result.note = String(format: "z = %.4f, no continuity correction", z)
        }
        return result
    }

    /// P(R+ <= r) and P(R+ >= r) under random signs of the given ranks: every one of the 2^m sign
    /// patterns is equally likely. Ranks are multiples of 1/2, so the distribution of 2 R+ is counted
    /// exactly by dynamic programming over integer sums.
    static func signFlipTails(ranks: [Double], observedRPlus: Double) -> (less: Double, greater: Double) {
        let doubled = ranks.map { Int(($0 * 2).rounded()) }
        let maxSum = doubled.reduce(0, +)
        var counts = Array(repeating: 0.0, count: maxSum + 1)
        counts[0] = 1
        var reach = 0
        for r in doubled {
            reach += r
            for s in stride(from: reach, through: r, by: -1) { counts[s] += counts[s - r] }
        }
        let total = counts.reduce(0, +)
        let observed = Int((observedRPlus * 2).rounded())
        var less = 0.0, greater = 0.0
        for (s, c) in counts.enumerated() {
            if s <= observed { less += c }
            if s >= observed { greater += c }
        }
        return (less / total, greater / total)
    }
}
