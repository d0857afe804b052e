import Foundation

/// The few distribution functions the significance tests need, written out so the product never
/// needs Python or a numerics package at run time. Accuracy target: about 1e-12 relative, which is
/// far below anything a p-value is read at.
public enum SpecialFunctions {
    /// Standard normal upper tail P(Z >= z), via erfc so that small tails keep their precision.
    public static func normalSurvival(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }

    /// Standard normal CDF P(Z <= z).
    public static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// Regularised incomplete beta function I_x(a, b), by the continued fraction of
    /// Numerical Recipes (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) on the side
    /// where the fraction converges fast.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let md = Double(m), m2 = 2 * md
            var aa = md * (b - md) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + md) * (qab + md) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// Student t upper tail P(T >= t) with `df` degrees of freedom:
    /// for t >= 0 it is I_{df/(df+t^2)}(df/2, 1/2) / 2.
    public static func studentTSurvival(_ t: Double, degreesOfFreedom df: Double) -> Double {
        if t.isNaN { return .nan }
        if t == .infinity { return 0 }
        if t == -.infinity { return 1 }
        let tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
        return t >= 0 ? tail : 1 - tail
    }

    /// Binomial CDF P(X <= k) for X ~ Binomial(n, p), summed exactly in log space
    /// (n here is a count of discordant pairs: small enough to sum term by term).
    public static func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        let logP = log(p), logQ = log1p(-p)
        var total = 0.0
        for i in 0...k {
            let logTerm = lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
                + Double(i) * logP + Double(n - i) * logQ
            total += exp(logTerm)
        }
        return min(1, total)
    }
}
