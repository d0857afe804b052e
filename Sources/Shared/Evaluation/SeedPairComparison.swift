/// One seed pair of a comparison: both systems' scores on that seed's matched predictions and the
/// two tests that need no pooling across seeds. Each seed is an independent training, so these
/// per-seed tests are valid on their own; the pooled versions in `PairwiseComparison.tests` pool
/// predictions of several seeds, which are not independent of each other.
public struct SeedPairComparison: Codable, Equatable, Sendable {
    public var seedA: Int
    public var seedB: Int
    public var matchedPredictions: Int
    public var subjects: Int
    /// Scores on this seed pair's matched predictions (all folds pooled, scikit-learn conventions).
    public var uf1A: Double?
    public var uf1B: Double?
    public var uarA: Double?
    public var uarB: Double?
    public var accuracyA: Double?
    public var accuracyB: Double?
    /// McNemar's discordant counts: samples only A got right (b) and only B got right (c).
    public var onlyACorrect: Int
    public var onlyBCorrect: Int
    /// Exact McNemar on this seed pair's per-sample correctness.
    public var mcnemar: TestResult
    /// Wilcoxon signed-rank on this seed pair's per-subject accuracy differences B - A.
    public var wilcoxon: TestResult

    init(seedA: Int, seedB: Int, items: [PairedPredictions.Item], classCount: Int) {
        self.seedA = seedA
        self.seedB = seedB
        matchedPredictions = items.count
        var a = ConfusionMatrix(classCount: classCount), b = a
        for item in items {
            a.add(label: item.label, prediction: item.predA)
            b.add(label: item.label, prediction: item.predB)
        }
        let scoresA = ClassificationScores(confusion: a), scoresB = ClassificationScores(confusion: b)
        uf1A = scoresA.value(of: .uf1)
        uf1B = scoresB.value(of: .uf1)
        uarA = scoresA.value(of: .uar)
        uarB = scoresB.value(of: .uar)
        accuracyA = scoresA.accuracy
        accuracyB = scoresB.accuracy
        let label = seedA == seedB ? "seed \(seedA)" : "seeds \(seedA)/\(seedB)"
        onlyACorrect = items.filter { $0.predA == $0.label && $0.predB != $0.label }.count
        onlyBCorrect = items.filter { $0.predB == $0.label && $0.predA != $0.label }.count
        mcnemar = McNemarTest.exact(onlyACorrect: onlyACorrect, onlyBCorrect: onlyBCorrect)
        mcnemar.quantity = "per-sample correctness, \(label)"
        let differences = PairwiseComparison.subjectAccuracyDifferences(items)
        subjects = differences.count
        wilcoxon = WilcoxonSignedRank.test(differences: differences, quantity: "per-subject accuracy (B - A), \(label)")
    }
}
