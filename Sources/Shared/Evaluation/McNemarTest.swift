/// Exact McNemar test on paired correctness.
///
/// Convention (statsmodels `mcnemar(table, exact=True)`): with b = pairs only A got right and
/// c = pairs only B got right, the statistic is min(b, c) and the two-sided p-value is
/// min(1, 2 * P(X <= min(b, c))) for X ~ Binomial(b + c, 1/2). Concordant pairs carry no
/// information and are ignored; with no discordant pair p = 1.
public enum McNemarTest {
    public static func exact(onlyACorrect b: Int, onlyBCorrect c: Int) -> TestResult {
        precondition(b >= 0 && c >= 0, "McNemar counts must be non-negative")
        let n = b + c
        let k = min(b, c)
        let p = min(1, 2 * SpecialFunctions.binomialCDF(k, n: n, p: 0.5))
        return TestResult(test: "exact McNemar", quantity: "per-sample correctness",
                          n: n, nDescription: "discordant pairs (b=\(b) only A correct, c=\(c) only B correct)",
                          statisticName: "min(b, c)", statistic: Double(k), p: p, tail: .twoSided,
                          method: "exact binomial, p = min(1, 2 P(X <= min(b,c))), X ~ Bin(b+c, 1/2)",
                          effect: n > 0 ? Double(c - b) : 0)
    }

    /// Counts b and c from paired correctness flags.
    public static func exact(aCorrect: [Bool], bCorrect: [Bool]) -> TestResult {
        precondition(aCorrect.count == bCorrect.count, "paired correctness of different lengths")
        var b = 0, c = 0
        for (x, y) in zip(aCorrect, bCorrect) where x != y { if x { b += 1 } else { c += 1 } }
        return exact(onlyACorrect: b, onlyBCorrect: c)
    }
}
