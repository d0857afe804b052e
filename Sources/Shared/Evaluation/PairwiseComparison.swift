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
    public var tests: [TestResult]
    public var intervals: [BootstrapInterval]

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

    /// Runs, on the matched predictions:
    /// - exact McNemar on per-prediction correctness, pooled over seed pairs (each (seed, sample) is
    ///   one pair; with several seeds the pairs of one sample are not independent, so read it with the
    ///   subject-level tests);
    /// - Wilcoxon signed-rank on per-subject accuracy differences B - A (a subject's accuracy pools its
    ///   predictions over the seed pairs);
    /// - paired t-tests across seed pairs on composite UF1 and UAR;
    /// - approximate randomisation for the UF1 and UAR differences;
    /// - subject-level bootstrap 95% intervals for UF1 and UAR of A, of B, and of B - A.
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

        var tests: [TestResult] = []
        var mcnemar = McNemarTest.exact(aCorrect: paired.items.map { $0.predA == $0.label },
                                        bCorrect: paired.items.map { $0.predB == $0.label })
        if seedPairs > 1 { mcnemar.note = "pairs pooled over \(seedPairs) seed pairs: not independent across seeds" }
        tests.append(mcnemar)

        let bySubject = Dictionary(grouping: paired.items, by: \.subject)
        let differences = subjectNames.map { name -> Double in
            let rows = bySubject[name]!
            let a = rows.filter { $0.predA == $0.label }.count, b = rows.filter { $0.predB == $0.label }.count
            return Double(b - a) / Double(rows.count)
        }
        tests.append(WilcoxonSignedRank.test(differences: differences, quantity: "per-subject accuracy (B - A)"))

        for metric in [ScoreMetric.uf1, .uar] {
            let a = pooled.a.map { ClassificationScores(confusion: $0).value(of: metric) ?? 0 }
            let b = pooled.b.map { ClassificationScores(confusion: $0).value(of: metric) ?? 0 }
            tests.append(PairedTTest.test(a, b, quantity: "composite \(metric.rawValue) per seed (B - A)"))
        }
        for metric in [ScoreMetric.uf1, .uar] {
            tests.append(PermutationTest.test(paired, metric: metric, rounds: settings.permutationRounds,
                                              seed: settings.seed))
        }
        self.tests = tests

        let units = subjectNames.map { name -> [[ConfusionMatrix]] in
            let c = paired.confusions(of: bySubject[name]!)
            return [c.a, c.b]
        }
        intervals = [ScoreMetric.uf1, .uar].flatMap {
            SubjectBootstrap.intervals(units: units, systemNames: [nameA, nameB], metric: $0,
                                       resamples: settings.bootstrapResamples, seed: settings.seed)
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
