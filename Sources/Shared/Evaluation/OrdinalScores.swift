/// Scores for ordinal tasks (grades), from a confusion matrix whose class order is the grade order.
///
/// Conventions:
/// - A sample's grade is its class index 0..<K (the experiment's `classes:` order, lowest first).
/// - MAE = mean |true grade - predicted grade| over the samples, in grade steps.
/// - QWK = quadratic-weighted Cohen's kappa over the full class list:
///   kappa = 1 - sum_ij w_ij O_ij / sum_ij w_ij E_ij with w_ij = (i - j)^2, O the confusion counts and
///   E_ij = (row i total)(column j total) / n, equal to scikit-learn's
///   `cohen_kappa_score(y, p, weights='quadratic', labels=range(K))`. Passing every class matters:
///   without `labels`, scikit-learn measures distances between the grades present only.
/// Both are nil for an empty set; QWK is nil when the expected weighted disagreement is 0 (every true
/// and predicted grade the same: scikit-learn returns NaN there).
public struct OrdinalScores: Codable, Equatable, Sendable {
    public var meanAbsoluteError: Double?
    public var quadraticKappa: Double?

    public init(confusion: ConfusionMatrix) {
        let k = confusion.classCount, n = Double(confusion.total)
        guard n > 0 else { meanAbsoluteError = nil; quadraticKappa = nil; return }
        var absoluteSum = 0.0, observed = 0.0, expected = 0.0
        let columnTotals = (0..<k).map { Double(confusion.predicted($0)) }
        for i in 0..<k {
            let rowTotal = Double(confusion.support(i))
            for j in 0..<k {
                let distance = Double(i - j), count = Double(confusion.counts[i][j])
                absoluteSum += abs(distance) * count
                observed += distance * distance * count
                expected += distance * distance * rowTotal * columnTotals[j] / n
            }
        }
        meanAbsoluteError = absoluteSum / n
        quadraticKappa = expected > 0 ? 1 - observed / expected : nil
    }

    public init(labels: [Int], predictions: [Int], classCount: Int) {
        self.init(confusion: ConfusionMatrix(labels: labels, predictions: predictions, classCount: classCount))
    }
}

/// A variant's ordinal scores: per-seed composites (mean ± sample std over seeds, as UF1) and pooled
/// over seeds.
public struct OrdinalSummary: Codable, Equatable, Sendable {
    public var meanAbsoluteError: SeedSpread
    public var quadraticKappa: SeedSpread
    public var pooled: OrdinalScores

    public init(perSeed: [ConfusionMatrix], pooled: ConfusionMatrix) {
        let scores = perSeed.map(OrdinalScores.init(confusion:))
        meanAbsoluteError = SeedSpread(scores.compactMap(\.meanAbsoluteError))
        quadraticKappa = SeedSpread(scores.compactMap(\.quadraticKappa))
        self.pooled = OrdinalScores(confusion: pooled)
    }
}
