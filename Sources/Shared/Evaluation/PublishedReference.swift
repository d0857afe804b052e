import Foundation

/// Published results a run should be read against (`reference:` in an experiment file): the
/// range a paper or a reference implementation reports for each source dataset (or the composite),
/// e.g. the lowest and highest of five runs of the official code. The report puts each seed's
/// score beside the range and says whether the mean over seeds falls inside it.
///
/// The numbers are the researcher's; the tool only checks their form: each range is [low, high]
/// with 0 <= low <= high <= 1, keyed by a dataset name of the run ("smic", "casme2", "samm") or
/// "composite" (all folds of a seed pooled).
public struct PublishedReference: Codable, Equatable, Sendable {
    /// Where the numbers come from, e.g. "official HTNet code, 5 runs, final epoch".
    public var source: String
    /// UF1 ranges by dataset name (or "composite"); nil when none are given.
    public var uf1: [String: ScoreRange]?
    /// UAR ranges, likewise.
    public var uar: [String: ScoreRange]?

    public init(source: String, uf1: [String: ScoreRange]? = nil, uar: [String: ScoreRange]? = nil) {
        self.source = source
        self.uf1 = uf1
        self.uar = uar
    }

    /// One line per range keyed by a dataset the run's data does not have (a misspelt name would
    /// otherwise only show as an empty row in the report).
    public func unknownDatasets(present: Set<String>) -> [String] {
        let known = present.union(["composite"])
        return [("uf1", uf1 ?? [:]), ("uar", uar ?? [:])].flatMap { metric, ranges in
            ranges.keys.sorted().filter { !known.contains($0) }.map {
                "reference.\(metric).\($0): no dataset '\($0)' in this run's data (it has: \(present.sorted().joined(separator: ", ")); or composite)"
            }
        }
    }

    /// The `reference` entry of a resolved configuration (JSON), when it has one.
    public static func parse(configuration: String) -> PublishedReference? {
        guard let data = configuration.data(using: .utf8),
              let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let raw = top["reference"],
              let encoded = try? JSONSerialization.data(withJSONObject: raw) else { return nil }
        return try? JSONDecoder().decode(PublishedReference.self, from: encoded)
    }
}

/// A closed interval of a score, written [low, high] in experiment files and JSON.
public struct ScoreRange: Codable, Equatable, Sendable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
        self.low = low
        self.high = high
    }

    public func contains(_ x: Double) -> Bool { x >= low && x <= high }

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        low = try c.decode(Double.self)
        high = try c.decode(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(low)
        try c.encode(high)
    }
}

/// One variant's scores beside the published ranges, under the run's own epoch selection.
public struct ReferenceComparison: Codable, Equatable, Sendable {
    public struct Row: Codable, Equatable, Sendable {
        public var variant: String
        /// "casme2 UF1", "composite UAR", ...
        public var quantity: String
        public var reference: ScoreRange
        public var seeds: [Int]
        /// Each seed's score, in `seeds` order; nil where that seed has no prediction of the dataset.
        public var perSeed: [Double?]
        public var mean: Double?
        /// Whether the mean over seeds lies inside the published range (nil without a mean).
        public var meanInside: Bool?
        /// How many seeds lie inside the range.
        public var seedsInside: Int
    }
    public var source: String
    /// The epoch selection these scores are under (the run's own).
    public var selection: String
    public var rows: [Row]

    /// Rows for every variant and every dataset (or composite) the reference gives: UF1 ranges
    /// first, then UAR, datasets sorted by name.
    public init(reference: PublishedReference, results: SelectionResults) {
        source = reference.source
        selection = results.protocolDescription.label
        var rows: [Row] = []
        for v in results.variants {
            for (metric, ranges) in [("UF1", reference.uf1 ?? [:]), ("UAR", reference.uar ?? [:])] {
                for name in ranges.keys.sorted() {
                    let perSeed: [Double?] = v.perSeed.map { s in
                        let scores = name == "composite" ? s.composite : s.datasets.first { $0.dataset == name }?.pooled
                        return metric == "UF1" ? scores?.uf1 : scores?.uar
                    }
                    let present = perSeed.compactMap { $0 }
                    let mean = SampleStatistics.mean(present)
                    let range = ranges[name]!
                    rows.append(Row(variant: v.name, quantity: "\(name) \(metric)", reference: range,
                                    seeds: v.perSeed.map(\.seed), perSeed: perSeed, mean: mean,
                                    meanInside: mean.map(range.contains), seedsInside: present.filter(range.contains).count))
                }
            }
        }
        self.rows = rows
    }
}
