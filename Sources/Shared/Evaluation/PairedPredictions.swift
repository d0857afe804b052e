/// Predictions of two systems (runs or variants) on the same samples, matched pair by pair.
///
/// Matching rules (stated in every comparison through `pairingDescription`):
/// - seeds: when both sides ran the same seeds, seed s of A is paired with seed s of B; otherwise the
///   seeds are paired in ascending order (A's smallest with B's smallest, ...), and seeds beyond the
///   shorter list are left out. Seeds are paired because a test across seeds needs pairs, and because
///   a sample's two predictions are only exchangeable when they come from comparable trainings.
/// - samples: within a seed pair, rows are matched by the `sample` field. Samples on one side only are
///   left out and counted; a sample twice on one side, or with different labels on the two sides, is
///   an error (the two sides are not the same samples).
public struct PairedPredictions: Sendable {
    public struct Item: Sendable, Equatable {
        public var seedPair: Int
        public var subject: String
        public var dataset: String
        public var sample: String
        public var label: Int
        public var predA: Int
        public var predB: Int
    }

    public var classCount: Int
    public var seedPairs: [(a: Int, b: Int)]
    public var items: [Item]
    public var unmatchedA: Int
    public var unmatchedB: Int
    public var pairingDescription: String

    public enum MatchError: Error, CustomStringConvertible {
        case duplicateSample(side: String, seed: Int, sample: String)
        case labelMismatch(sample: String, seedA: Int, labelA: Int, seedB: Int, labelB: Int)
        case nothingMatched(String)
        public var description: String {
            switch self {
            case let .duplicateSample(side, seed, sample):
                return "\(side) has sample '\(sample)' more than once under seed \(seed)"
            case let .labelMismatch(sample, seedA, labelA, seedB, labelB):
                return "sample '\(sample)' has label \(labelA) in A (seed \(seedA)) but \(labelB) in B (seed \(seedB)): not the same samples"
            case let .nothingMatched(why):
                return "no paired predictions: \(why)"
            }
        }
    }

    public init(a: [PredictionRow], b: [PredictionRow], classCount: Int) throws {
        self.classCount = classCount
        let seedsA = Set(a.map(\.seed)).sorted(), seedsB = Set(b.map(\.seed)).sorted()
        let pairs = Array(zip(seedsA, seedsB))
        seedPairs = pairs.map { (a: $0.0, b: $0.1) }
        if seedsA == seedsB {
            pairingDescription = "matched by (seed, sample); seeds \(seedsA.map(String.init).joined(separator: ", "))"
        } else {
            let shown = pairs.map { "\($0.0)<->\($0.1)" }.joined(separator: ", ")
            pairingDescription = "seeds differ: paired in ascending order (\(shown)), then matched by sample"
                + (seedsA.count != seedsB.count ? "; unpaired seeds left out" : "")
        }
        func index(_ rows: [PredictionRow], side: String) throws -> [Int: [String: PredictionRow]] {
            var out: [Int: [String: PredictionRow]] = [:]
            for row in rows {
                if out[row.seed]?[row.sample] != nil {
                    throw MatchError.duplicateSample(side: side, seed: row.seed, sample: row.sample)
                }
                out[row.seed, default: [:]][row.sample] = row
            }
            return out
        }
        let byA = try index(a, side: "A"), byB = try index(b, side: "B")
        var items: [Item] = []
        var matched = 0
        for (p, pair) in pairs.enumerated() {
            let rowsA = byA[pair.0] ?? [:], rowsB = byB[pair.1] ?? [:]
            for key in rowsA.keys.sorted() {
                guard let ra = rowsA[key], let rb = rowsB[key] else { continue }
                guard ra.label == rb.label else {
                    throw MatchError.labelMismatch(sample: key, seedA: pair.0, labelA: ra.label,
                                                   seedB: pair.1, labelB: rb.label)
                }
                items.append(Item(seedPair: p, subject: ra.subject, dataset: ra.dataset, sample: key,
                                  label: ra.label, predA: ra.pred, predB: rb.pred))
                matched += 1
            }
        }
        guard !items.isEmpty else {
            throw MatchError.nothingMatched("A has seeds \(seedsA), B has seeds \(seedsB), and no sample is on both sides")
        }
        self.items = items
        unmatchedA = a.count - matched
        unmatchedB = b.count - matched
    }

    /// Confusion matrices of A and B for each seed pair, over the given items.
    func confusions(of items: [Item]) -> (a: [ConfusionMatrix], b: [ConfusionMatrix]) {
        var ca = Array(repeating: ConfusionMatrix(classCount: classCount), count: seedPairs.count)
        var cb = ca
        for item in items {
            ca[item.seedPair].add(label: item.label, prediction: item.predA)
            cb[item.seedPair].add(label: item.label, prediction: item.predB)
        }
        return (ca, cb)
    }

    /// The subjects in first-seen order.
    public var subjects: [String] { orderedUnique(items.map(\.subject)) }
}

/// A score of a system with several seeds: the mean over seeds of the score computed on each
/// seed's pooled predictions (the headline number of a multi-seed run). Seeds whose score is
/// undefined (no predictions) are skipped.
public func meanOverSeeds(_ confusions: [ConfusionMatrix], _ metric: ScoreMetric) -> Double? {
    SampleStatistics.mean(confusions.compactMap { ClassificationScores(confusion: $0).value(of: metric) })
}
