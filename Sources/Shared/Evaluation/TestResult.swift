/// The alternative hypothesis of a test.
public enum Tail: String, Codable, Sendable {
    case twoSided = "two-sided"
    case less
    case greater
}

/// The outcome of one significance test, in the form every report prints it: the test, its n, its
/// statistic, its p-value and its tail, plus how the p-value was obtained.
public struct TestResult: Codable, Equatable, Sendable {
    /// e.g. "exact McNemar", "Wilcoxon signed-rank".
    public var test: String
    /// What was compared, e.g. "per-subject accuracy (B - A)".
    public var quantity: String
    /// The number of units the test is over (discordant pairs, non-zero differences, seed pairs, ...);
    /// `nDescription` says which.
    public var n: Int
    public var nDescription: String
    public var statisticName: String
    /// nil when the statistic is undefined (e.g. a t-test on identical differences with zero spread).
    public var statistic: Double?
    public var p: Double?
    public var tail: Tail
    /// How p was obtained: "exact binomial", "normal approximation", "exhaustive permutation", ...
    public var method: String
    /// The observed effect, B - A, where that is meaningful.
    public var effect: Double?
    /// Holm-adjusted p across all variant pairs of the same test and quantity; nil with one pair.
    public var pHolm: Double?
    /// Holm-adjusted p across every test of one comparison (pooled, per seed, t, randomisation);
    /// see `PairwiseComparison.holmFamily`.
    public var pHolmWithinComparison: Double?
    /// A one-line note on conventions or why a test could not run.
    public var note: String?

    public init(test: String, quantity: String, n: Int, nDescription: String, statisticName: String,
                statistic: Double?, p: Double?, tail: Tail, method: String, effect: Double? = nil,
                pHolm: Double? = nil, note: String? = nil) {
        self.test = test
        self.quantity = quantity
        self.n = n
        self.nDescription = nDescription
        self.statisticName = statisticName
        self.statistic = statistic
        self.p = p
        self.tail = tail
        self.method = method
        self.effect = effect
        self.pHolm = pHolm
        self.note = note
    }
}
