import Foundation

/// A linear axis with "nice" ticks (Heckbert, Graphics Gems 1990): steps of 1, 2 or 5 times a power
/// of ten, the range widened to whole steps, labels with just enough decimals to tell ticks apart.
struct ChartScale {
    let lower: Double
    let upper: Double
    let step: Double
    let ticks: [Double]
    let decimals: Int

    /// - Parameters:
    ///   - values: the data to show (non-finite values are ignored);
    ///   - include: values the axis must also cover (e.g. 0 for a difference axis);
    ///   - clamp: a range the axis never leaves (e.g. 0...1 for scores).
    init(values: [Double], include: [Double] = [], targetTicks: Int = 5, clamp: ClosedRange<Double>? = nil) {
        let finite = (values + include).filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo < 1e-9 { lo -= 0.05; hi += 0.05 }
        let step = ChartScale.niceNumber((hi - lo) / Double(max(1, targetTicks - 1)), round: true)
        // Whole multiples of the step, counted in integers so that rounding never drops a tick.
        let first = Int((lo / step + 1e-9).rounded(.down)), last = Int((hi / step - 1e-9).rounded(.up))
        lo = Double(first) * step
        hi = Double(max(last, first + 1)) * step
        if let clamp { lo = max(lo, clamp.lowerBound); hi = min(hi, clamp.upperBound) }
        lower = lo
        upper = hi
        self.step = step
        let ticks = (first...max(last, first + 1)).map { Double($0) * step }
            .filter { $0 >= lo - step * 1e-9 && $0 <= hi + step * 1e-9 }
        self.ticks = ticks
        decimals = max(0, Int((-log10(step)).rounded(.up)))
    }

    /// 1, 2, 5 or 10 times a power of ten near x (rounded, or the next one up).
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// Position of v in [0, 1] along the axis.
    func fraction(_ v: Double) -> Double { upper > lower ? (v - lower) / (upper - lower) : 0.5 }

    func label(_ v: Double) -> String { String(format: "%.\(decimals)f", v) }
}
