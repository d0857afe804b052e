/// Two variants compared at the level of whole trainings: each seed's composite (and per source
/// dataset) UF1 and UAR is one value, and Welch's t-test asks whether the two variants' per-seed
/// values differ in mean. This is the test for questions about what varies between trainings (the
/// starting point, the batch order): seed s of variant A and seed s of variant B are separate
/// trainings, so the seeds are two independent samples, not pairs.
///
/// With the 3-5 seeds a study can afford the test has little power: a large p says the seeds'
/// spread hides any difference, not that there is none. Holm's adjustment is across the variant
/// pairs, per quantity (`pHolm`), as for the prediction-level tests.
public struct SeedLevelComparison: Codable, Equatable, Sendable {
    public var nameA: String
    public var nameB: String
    /// Per quantity ("composite UF1 per seed", "casme2 UF1 per seed", ...): Welch's t on the
    /// variants' per-seed values, effect = mean(B) - mean(A).
    public var tests: [TestResult]

    init(_ a: VariantSummary, _ b: VariantSummary) {
        nameA = a.name
        nameB = b.name
        var tests = [
            WelchTTest.test(a.perSeed.compactMap(\.composite.uf1), b.perSeed.compactMap(\.composite.uf1),
                            quantity: "composite UF1 per seed"),
            WelchTTest.test(a.perSeed.compactMap(\.composite.uar), b.perSeed.compactMap(\.composite.uar),
                            quantity: "composite UAR per seed"),
        ]
        let datasetsB = Dictionary(uniqueKeysWithValues: b.datasets.map { ($0.dataset, $0) })
        for da in a.datasets {
            guard let db = datasetsB[da.dataset] else { continue }
            tests.append(WelchTTest.test(da.uf1OverSeeds.values, db.uf1OverSeeds.values, quantity: "\(da.dataset) UF1 per seed"))
            tests.append(WelchTTest.test(da.uarOverSeeds.values, db.uarOverSeeds.values, quantity: "\(da.dataset) UAR per seed"))
        }
        self.tests = tests
    }

    /// Every pair of variants (i < j in run order) when at least two variants have two or more
    /// seeds; empty otherwise (nothing to test). Holm across the pairs, per quantity.
    static func all(_ variants: [VariantSummary]) -> [SeedLevelComparison] {
        guard variants.filter({ $0.seeds.count >= 2 }).count >= 2 else { return [] }
        var comparisons: [SeedLevelComparison] = []
        for i in variants.indices { for j in variants.indices where j > i {
            comparisons.append(SeedLevelComparison(variants[i], variants[j]))
        } }
        guard comparisons.count > 1 else { return comparisons }
        let quantities = orderedUnique(comparisons.flatMap { $0.tests.map(\.quantity) })
        for quantity in quantities {
            let positions = comparisons.indices.compactMap { c in
                comparisons[c].tests.firstIndex { $0.quantity == quantity }.map { (c, $0) }
            }
            let adjusted = HolmCorrection.adjust(positions.map { comparisons[$0.0].tests[$0.1].p })
            for (k, (c, t)) in positions.enumerated() { comparisons[c].tests[t].pHolm = adjusted[k] }
        }
        return comparisons
    }
}
