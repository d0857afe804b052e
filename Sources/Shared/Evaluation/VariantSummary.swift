/// Scores restricted to one source dataset.
public struct DatasetScores: Codable, Equatable, Sendable {
    public var dataset: String
    /// Pooled over all seeds (confusion matrices summed).
    public var pooled: ClassificationScores
    /// Per-seed composite scores of this dataset's predictions, mean and sample std over seeds.
    public var uf1OverSeeds: SeedSpread
    public var uarOverSeeds: SeedSpread
    /// Subject-level bootstrap intervals of UF1 and UAR over this dataset's subjects (mean over seeds);
    /// empty inside per-seed scores and when not computed.
    public var intervals: [BootstrapInterval] = []
}

/// Scores of one held-out subject, pooled over seeds.
public struct SubjectScores: Codable, Equatable, Sendable {
    public var subject: String
    public var dataset: String
    /// Predictions of this subject summed over seeds.
    public var predictions: Int
    public var accuracy: Double?
    public var uf1: Double?
    public var uar: Double?
}

/// Scores of one seed.
public struct SeedScores: Codable, Equatable, Sendable {
    public var seed: Int
    public var composite: ClassificationScores
    public var datasets: [DatasetScores]
}

/// Everything reported about one variant under one epoch selection.
///
/// Conventions: a seed's composite pools the predictions of all its folds; the headline UF1/UAR of
/// a variant is the mean over seeds of the per-seed composite (sample std, ddof = 1, over seeds);
/// `pooled` sums the confusion matrices of all seeds (identical to the composite with one seed) and is
/// what the confusion-matrix figures show.
public struct VariantSummary: Codable, Equatable, Sendable {
    public var name: String
    public var seeds: [Int]
    public var uf1: SeedSpread
    public var uar: SeedSpread
    public var accuracy: SeedSpread
    public var pooled: ClassificationScores
    public var datasets: [DatasetScores]
    public var subjects: [SubjectScores]
    public var perSeed: [SeedScores]
    /// Subject-level bootstrap intervals of UF1 and UAR, and of MAE and QWK for ordinal tasks
    /// (empty when not computed).
    public var intervals: [BootstrapInterval]
    /// Mean absolute grade error and quadratic-weighted kappa, for ordinal tasks only.
    public var ordinal: OrdinalSummary?

    public init(name: String, rows: [PredictionRow], classCount: Int, bootstrapResamples: Int, seed: UInt64,
                ordinal: Bool = false) {
        self.name = name
        seeds = Set(rows.map(\.seed)).sorted()
        func scores(_ rows: [PredictionRow]) -> ClassificationScores {
            ClassificationScores(labels: rows.map(\.label), predictions: rows.map(\.pred), classCount: classCount)
        }
        let bySeed = Dictionary(grouping: rows, by: \.seed)
        let datasetNames = orderedUnique(rows.map(\.dataset))
        func datasetScores(_ rows: [PredictionRow]) -> [DatasetScores] {
            let byDataset = Dictionary(grouping: rows, by: \.dataset)
            return datasetNames.compactMap { name in
                guard let subset = byDataset[name] else { return nil }
                let perSeed = Dictionary(grouping: subset, by: \.seed).sorted { $0.key < $1.key }.map { scores($0.value) }
                return DatasetScores(dataset: name, pooled: scores(subset),
                                     uf1OverSeeds: SeedSpread(perSeed.compactMap(\.uf1)),
                                     uarOverSeeds: SeedSpread(perSeed.compactMap(\.uar)))
            }
        }
        perSeed = seeds.map { s in SeedScores(seed: s, composite: scores(bySeed[s]!), datasets: datasetScores(bySeed[s]!)) }
        uf1 = SeedSpread(perSeed.compactMap(\.composite.uf1))
        uar = SeedSpread(perSeed.compactMap(\.composite.uar))
        accuracy = SeedSpread(perSeed.compactMap(\.composite.accuracy))
        pooled = scores(rows)
        self.ordinal = ordinal ? OrdinalSummary(perSeed: perSeed.map(\.composite.confusion), pooled: pooled.confusion) : nil
        datasets = datasetScores(rows)
        let bySubject = Dictionary(grouping: rows, by: \.subject)
        let subjectNames = orderedUnique(rows.map(\.subject))
        subjects = subjectNames.map { name in
            let s = scores(bySubject[name]!)
            return SubjectScores(subject: name, dataset: bySubject[name]![0].dataset, predictions: s.samples,
                                 accuracy: s.accuracy, uf1: s.uf1, uar: s.uar)
        }
        let variantName = name, seedList = seeds
        if bootstrapResamples > 0 {
            let units = subjectNames.map { name -> [[ConfusionMatrix]] in
                let perSeed = Dictionary(grouping: bySubject[name]!, by: \.seed)
                return [seedList.map { s in
                    ConfusionMatrix(labels: (perSeed[s] ?? []).map(\.label),
                                    predictions: (perSeed[s] ?? []).map(\.pred), classCount: classCount)
                }]
            }
            // Ordinal tasks: MAE and QWK get the same subject-level intervals as UF1 and UAR.
            let metrics: [ScoreMetric] = ordinal ? [.uf1, .uar, .meanAbsoluteError, .quadraticKappa] : [.uf1, .uar]
            intervals = metrics.flatMap {
                SubjectBootstrap.intervals(units: units, systemNames: [variantName], metric: $0,
                                           resamples: bootstrapResamples, seed: seed)
            }
            // Per source dataset: the same bootstrap over that dataset's subjects only.
            for d in datasets.indices {
                let members = subjectNames.indices.filter { bySubject[subjectNames[$0]]![0].dataset == datasets[d].dataset }
                datasets[d].intervals = [ScoreMetric.uf1, .uar].flatMap {
                    SubjectBootstrap.intervals(units: members.map { units[$0] }, systemNames: [variantName], metric: $0,
                                               resamples: bootstrapResamples, seed: seed)
                }
            }
        } else {
            intervals = []
        }
    }
}

/// The distinct values in order of first appearance (reports list variants, datasets and subjects
/// in the order the run produced them).
func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
