import Tensor

/// Approximate randomisation (paired permutation) test for the difference of a pooled score
/// (UF1, UAR) between two systems on the same samples.
///
/// Under the null hypothesis the two systems' predictions of a sample are exchangeable, so each
/// round swaps A's and B's predictions of every matched sample with probability 1/2 (swapping
/// identical predictions changes nothing, so only differing ones draw a coin) and recomputes
/// d = score(B) - score(A), where a score is the mean over seed pairs of the score on that seed
/// pair's pooled predictions. Two-sided: a round counts when |d_round| >= |d_observed| (with a
/// 1e-12 tolerance for ties in floating point). p = (count + 1) / (rounds + 1), the standard
/// add-one estimate that is never 0 and is valid for a finite number of random rounds.
/// The coins come from `DeterministicRNG(keys: [stableHash("approximate randomisation"),
/// stableHash(metric.rawValue), seed])`, so a comparison gives the same p on every machine.
public enum PermutationTest {
    public static let defaultRounds = 10_000

    public static func test(_ paired: PairedPredictions, metric: ScoreMetric,
                            rounds: Int = defaultRounds, seed: UInt64 = 0) -> TestResult {
        precondition(rounds > 0, "a permutation test needs at least one round")
        let concordant = paired.items.filter { $0.predA == $0.predB }
        let swappable = paired.items.filter { $0.predA != $0.predB }
        let base = paired.confusions(of: concordant)
        let observed = paired.confusions(of: paired.items)
        let observedDifference = (meanOverSeeds(observed.b, metric) ?? 0) - (meanOverSeeds(observed.a, metric) ?? 0)
        var rng = DeterministicRNG(keys: [stableHash("approximate randomisation"), stableHash(metric.rawValue), seed])
        var count = 0
        for _ in 0..<rounds {
            var ca = base.a, cb = base.b
            var bits: UInt64 = 0
            for (i, item) in swappable.enumerated() {
                if i % 64 == 0 { bits = rng.next() }
                let swap = (bits >> UInt64(i % 64)) & 1 == 1
                ca[item.seedPair].add(label: item.label, prediction: swap ? item.predB : item.predA)
                cb[item.seedPair].add(label: item.label, prediction: swap ? item.predA : item.predB)
            }
            let d = (meanOverSeeds(cb, metric) ?? 0) - (meanOverSeeds(ca, metric) ?? 0)
            if abs(d) >= abs(observedDifference) - 1e-12 { count += 1 }
        }
        let p = Double(count + 1) / Double(rounds + 1)
        return TestResult(test: "approximate randomisation", quantity: "\(metric.rawValue) difference (B - A)",
                          n: paired.items.count,
                          nDescription: "matched predictions (\(swappable.count) differ between A and B)",
                          statisticName: "\(metric.rawValue)(B) - \(metric.rawValue)(A)",
                          statistic: observedDifference, p: p, tail: .twoSided,
                          method: "\(rounds) random paired swaps, p = (count + 1) / (rounds + 1)",
                          effect: observedDifference)
    }
}
