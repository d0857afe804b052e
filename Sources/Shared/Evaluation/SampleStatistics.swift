import Foundation

/// Descriptive statistics with their conventions spelled out.
public enum SampleStatistics {
    public static func mean(_ x: [Double]) -> Double? {
        x.isEmpty ? nil : x.reduce(0, +) / Double(x.count)
    }

    /// Sample standard deviation, ddof = 1 (numpy `std(x, ddof=1)`); nil for fewer than 2 values.
    public static func standardDeviation(_ x: [Double]) -> Double? {
        guard x.count >= 2, let m = mean(x) else { return nil }
        let ss = x.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (ss / Double(x.count - 1)).squareRoot()
    }

    /// Quantile with linear interpolation between order statistics (numpy `quantile(x, q)`, method
    /// 'linear': position (n - 1) q in the sorted values).
    public static func quantile(sorted x: [Double], _ q: Double) -> Double? {
        guard !x.isEmpty else { return nil }
        let position = Double(x.count - 1) * q
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, x.count - 1)
        let fraction = position - Double(lower)
        return x[lower] + (x[upper] - x[lower]) * fraction
    }

    /// Average ranks (1-based) of the values, ties sharing the mean of their positions
    /// (scipy.stats.rankdata method='average'), and the sizes of the tie groups.
    public static func averageRanks(_ x: [Double]) -> (ranks: [Double], tieGroupSizes: [Int]) {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var ranks = Array(repeating: 0.0, count: x.count)
        var groups: [Int] = []
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = rank }
            groups.append(j - i + 1)
            i = j + 1
        }
        return (ranks, groups)
    }
}

/// Mean and spread of one score over seeds.
public struct SeedSpread: Codable, Equatable, Sendable {
    public var n: Int
    public var mean: Double?
    /// Sample standard deviation over seeds (ddof = 1); nil with one seed.
    public var std: Double?
    public var values: [Double]

    public init(_ values: [Double]) {
        self.values = values
        n = values.count
        mean = SampleStatistics.mean(values)
        std = SampleStatistics.standardDeviation(values)
    }
}
