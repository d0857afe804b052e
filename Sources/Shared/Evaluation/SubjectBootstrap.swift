import Tensor

/// A percentile bootstrap confidence interval.
public struct BootstrapInterval: Codable, Equatable, Sendable {
    /// e.g. "UF1 of A", "UF1 difference (B - A)".
    public var quantity: String
    /// The statistic on the original data.
    public var estimate: Double?
    public var lower: Double?
    public var upper: Double?
    /// 0.95 for a 95% interval.
    public var level: Double
    public var resamples: Int
    /// Number of resampled units (subjects).
    public var units: Int
    public var method: String
}

/// Subject-level bootstrap: subjects are the independent units of a LOSO study (samples of one
/// subject are correlated), so each resample draws `units.count` subjects with replacement and pools
/// every prediction of the drawn subjects (a subject drawn twice counts twice).
///
/// The statistic of a system is the mean over seeds of the score on that seed's pooled predictions.
/// The interval is the percentile interval: the 2.5% and 97.5% quantiles of the resampled statistics
/// (numpy 'linear' interpolation) for level 0.95. Draws come from
/// `DeterministicRNG(keys: [stableHash("subject bootstrap"), stableHash(metric.rawValue), seed])`.
public enum SubjectBootstrap {
    public static let defaultResamples = 10_000

    /// - Parameter units: `units[subject][system][seed]`, the confusion matrix of one system on one
    ///   seed's predictions of one subject. All units have the same number of systems and seeds.
    /// - Returns: an interval per system, plus one for system 1 minus system 0 when there are two.
    public static func intervals(units: [[[ConfusionMatrix]]], systemNames: [String], metric: ScoreMetric,
                                 resamples: Int = defaultResamples, level: Double = 0.95,
                                 seed: UInt64 = 0) -> [BootstrapInterval] {
        guard let first = units.first, let classCount = first.first?.first?.classCount else { return [] }
        let systems = first.count, seeds = first[0].count
        let k2 = classCount * classCount
        // Flat counts: units x systems x seeds x (k*k), so a resample is a sum of integer arrays.
        var flat = [Int](repeating: 0, count: units.count * systems * seeds * k2)
        for (u, unit) in units.enumerated() {
            for s in 0..<systems { for g in 0..<seeds {
                let m = unit[s][g].counts
                let offset = ((u * systems + s) * seeds + g) * k2
                for i in 0..<classCount { for j in 0..<classCount { flat[offset + i * classCount + j] = m[i][j] } }
            } }
        }
        func statistic(_ sums: [Int]) -> [Double?] {
            (0..<systems).map { s in
                let confusions = (0..<seeds).map { g -> ConfusionMatrix in
                    var m = ConfusionMatrix(classCount: classCount)
                    let offset = (s * seeds + g) * k2
                    for i in 0..<classCount { for j in 0..<classCount {
                        m.add(label: i, prediction: j, count: sums[offset + i * classCount + j])
                    } }
                    return m
                }
                return meanOverSeeds(confusions, metric)
            }
        }
        let block = systems * seeds * k2
        func sum(_ draw: [Int]) -> [Int] {
            var sums = [Int](repeating: 0, count: block)
            for u in draw { let o = u * block; for i in 0..<block { sums[i] += flat[o + i] } }
            return sums
        }
        let observed = statistic(sum(Array(units.indices)))
        var rng = DeterministicRNG(keys: [stableHash("subject bootstrap"), stableHash(metric.rawValue), seed])
        var samples = Array(repeating: [Double](), count: systems + 1)
        for _ in 0..<resamples {
            let draw = (0..<units.count).map { _ in rng.below(units.count) }
            let values = statistic(sum(draw))
            for s in 0..<systems { if let v = values[s] { samples[s].append(v) } }
            if systems == 2, let a = values[0], let b = values[1] { samples[2].append(b - a) }
        }
        let alpha = (1 - level) / 2
        let method = "subject-level percentile bootstrap, \(resamples) resamples, mean over seeds"
        func interval(_ name: String, _ estimate: Double?, _ values: [Double]) -> BootstrapInterval {
            let sorted = values.sorted()
            return BootstrapInterval(quantity: name, estimate: estimate,
                                     lower: SampleStatistics.quantile(sorted: sorted, alpha),
                                     upper: SampleStatistics.quantile(sorted: sorted, 1 - alpha),
                                     level: level, resamples: resamples, units: units.count, method: method)
        }
        var out = (0..<systems).map { interval("\(metric.rawValue) of \(systemNames[$0])", observed[$0], samples[$0]) }
        if systems == 2 {
            let d = observed[0].flatMap { a in observed[1].map { $0 - a } }
            out.append(interval("\(metric.rawValue) difference (\(systemNames[1]) - \(systemNames[0]))", d, samples[2]))
        }
        return out
    }
}
