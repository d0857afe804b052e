/// Every significance test and interval between two systems on the same samples (docs/DESIGN.md
/// section 5), in one record that the reports and `coordinator compare` print.
public struct PairwiseComparison: Codable, Equatable, Sendable {
    public var nameA: String
    public var nameB: String
    public var pairing: String
    public var matchedPredictions: Int
    public var unmatchedA: Int
    public var unmatchedB: Int
    public var seedPairs: Int
    public var subjects: Int
    /// Mean over seed pairs of each system's pooled score on the matched predictions.
    public var uf1A: Double?
    public var uf1B: Double?
    public var uarA: Double?
    public var uarB: Double?
    /// The tests over all seed pairs: McNemar and Wilcoxon pooled over seeds (labelled so), paired
    /// t-tests across seed pairs, approximate randomisation.
    public var tests: [TestResult]
    /// Every seed pair on its own: both sides' UF1/UAR and the per-seed exact McNemar and Wilcoxon.
    public var perSeed: [SeedPairComparison]
    public var intervals: [BootstrapInterval]
    /// What `pHolmWithinComparison` adjusts over.
    public var holmFamily: String

    /// How many rounds and resamples the randomised procedures use; tests of this code use fewer.
    public struct Settings: Sendable {
        public var permutationRounds: Int
        public var bootstrapResamples: Int
        public var seed: UInt64
        public init(permutationRounds: Int = PermutationTest.defaultRounds,
                    bootstrapResamples: Int = SubjectBootstrap.defaultResamples, seed: UInt64 = 0) {
            self.permutationRounds = permutationRounds
            self.bootstrapResamples = bootstrapResamples
            self.seed = seed
        }
    }

    /// Below this many seed pairs the paired t-test carries a caution (df = n - 1 is tiny).
    public static let fewSeedPairs = 5

    /// Runs, on the matched predictions:
    /// - per seed pair: UF1/UAR of A and B, exact McNemar on that seed's per-sample correctness,
    ///   Wilcoxon signed-rank on that seed's per-subject accuracy differences B - A;
    /// - exact McNemar pooled over seed pairs (each (seed, sample) is one pair; with several seeds the
    ///   pairs of one sample are not independent, so it is labelled pooled and read with the others);
    /// - Wilcoxon signed-rank on per-subject accuracy differences B - A pooled over seed pairs;
    /// - paired t-tests across seed pairs on composite UF1 and UAR (df = seed pairs - 1; a caution
    ///   below `fewSeedPairs`);
    /// - approximate randomisation for the UF1 and UAR differences;
    /// - subject-level bootstrap 95% intervals for UF1 and UAR of A, of B, and of B - A;
    /// - Holm's adjustment over every p-value above (`pHolmWithinComparison`).
    public init(_ paired: PairedPredictions, nameA: String, nameB: String, settings: Settings = Settings()) {
        self.nameA = nameA
        self.nameB = nameB
        pairing = paired.pairingDescription
        matchedPredictions = paired.items.count
        unmatchedA = paired.unmatchedA
        unmatchedB = paired.unmatchedB
        seedPairs = paired.seedPairs.count
        let subjectNames = paired.subjects
        subjects = subjectNames.count

        let pooled = paired.confusions(of: paired.items)
        uf1A = meanOverSeeds(pooled.a, .uf1)
        uf1B = meanOverSeeds(pooled.b, .uf1)
        uarA = meanOverSeeds(pooled.a, .uar)
        uarB = meanOverSeeds(pooled.b, .uar)

        let bySeedPair = Dictionary(grouping: paired.items, by: \.seedPair)
        perSeed = paired.seedPairs.enumerated().map { p, seeds in
            SeedPairComparison(seedA: seeds.a, seedB: seeds.b, items: bySeedPair[p] ?? [], classCount: paired.classCount)
        }

        let pooledLabel = seedPairs > 1 ? ", pooled over \(seedPairs) seed pairs" : ""
        var tests: [TestResult] = []
        var mcnemar = McNemarTest.exact(aCorrect: paired.items.map { $0.predA == $0.label },
                                        bCorrect: paired.items.map { $0.predB == $0.label })
        mcnemar.quantity += pooledLabel
        if seedPairs > 1 { mcnemar.note = "pairs pooled over \(seedPairs) seed pairs: not independent across seeds; see the per-seed tests" }
        tests.append(mcnemar)
        tests.append(WilcoxonSignedRank.test(differences: Self.subjectAccuracyDifferences(paired.items),
                                             quantity: "per-subject accuracy (B - A)\(pooledLabel)"))

        for metric in [ScoreMetric.uf1, .uar] {
            let a = pooled.a.map { ClassificationScores(confusion: $0).value(of: metric) ?? 0 }
            let b = pooled.b.map { ClassificationScores(confusion: $0).value(of: metric) ?? 0 }
            var t = PairedTTest.test(a, b, quantity: "composite \(metric.rawValue) per seed (B - A)")
            if a.count >= 2 && a.count < Self.fewSeedPairs {
                let caution = "caution: only \(a.count) seed pairs (df = \(a.count - 1)): very low power, and the normality of the differences cannot be checked; read with the per-seed and subject-level tests"
                t.note = t.note.map { $0 + "; " + caution } ?? caution
            }
            tests.append(t)
        }
        for metric in [ScoreMetric.uf1, .uar] {
            tests.append(PermutationTest.test(paired, metric: metric, rounds: settings.permutationRounds,
                                              seed: settings.seed))
        }
        self.tests = tests

        let bySubject = Dictionary(grouping: paired.items, by: \.subject)
        let units = subjectNames.map { name -> [[ConfusionMatrix]] in
            let c = paired.confusions(of: bySubject[name]!)
            return [c.a, c.b]
        }
        intervals = [ScoreMetric.uf1, .uar].flatMap {
            SubjectBootstrap.intervals(units: units, systemNames: [nameA, nameB], metric: $0,
                                       resamples: settings.bootstrapResamples, seed: settings.seed)
        }

        let perSeedTests = perSeed.count * 2
        holmFamily = "Holm over all \(tests.count + perSeedTests) tests of this comparison "
            + "(\(tests.count) over all seed pairs, \(perSeedTests) per seed pair)"
        applyHolmWithinComparison()
    }

    /// Per-subject accuracy of B minus that of A, subjects in first-seen order; a subject's accuracy
    /// pools all its given items (over seed pairs, when several are given).
    static func subjectAccuracyDifferences(_ items: [PairedPredictions.Item]) -> [Double] {
        let bySubject = Dictionary(grouping: items, by: \.subject)
        return orderedUnique(items.map(\.subject)).map { name -> Double in
            let rows = bySubject[name]!
            let a = rows.filter { $0.predA == $0.label }.count, b = rows.filter { $0.predB == $0.label }.count
            return Double(b - a) / Double(rows.count)
        }
    }

    /// Fills `pHolmWithinComparison` of every test (pooled and per seed) with Holm's adjustment over
    /// all of them: a reader who looks at every p-value of `compare` is protected as a family.
    mutating func applyHolmWithinComparison() {
        let all = tests.map(\.p) + perSeed.flatMap { [$0.mcnemar.p, $0.wilcoxon.p] }
        let adjusted = HolmCorrection.adjust(all)
        for i in tests.indices { tests[i].pHolmWithinComparison = adjusted[i] }
        for (s, i) in zip(perSeed.indices, stride(from: tests.count, to: all.count, by: 2)) {
            perSeed[s].mcnemar.pHolmWithinComparison = adjusted[i]
            perSeed[s].wilcoxon.pHolmWithinComparison = adjusted[i + 1]
        }
    }

    /// Adds Holm-adjusted p-values when more than one pair is compared: for each test and quantity
    /// separately, the family is that test's p-values across all pairs.
    public static func applyHolm(_ comparisons: inout [PairwiseComparison]) {
        guard comparisons.count > 1, let testCount = comparisons.first?.tests.count else { return }
        for t in 0..<testCount {
            let adjusted = HolmCorrection.adjust(comparisons.map { $0.tests[t].p })
            for c in comparisons.indices { comparisons[c].tests[t].pHolm = adjusted[c] }
        }
    }
}
