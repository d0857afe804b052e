/// How much the best-test-epoch rule flatters a variant: its UF1 and UAR minus those of the final
/// epoch on the same tasks, with a subject-level bootstrap 95% interval of that difference (subjects
/// resampled jointly for both rules, so the interval is of the paired difference). Positive = the
/// optimistic rule reports more. Computed only when the journal holds both rules' predictions.
public struct SelectionOptimism: Codable, Equatable, Sendable {
    public var variant: String
    /// "UF1 difference (best-test-epoch - final)" and the same for UAR.
    public var intervals: [BootstrapInterval]

    /// - Parameters: final / best: the variant's rows under each rule (the same tasks and samples).
    init(variant: String, final: [PredictionRow], best: [PredictionRow], classCount: Int, resamples: Int, seed: UInt64) {
        self.variant = variant
        let seeds = Set(final.map(\.seed)).sorted()
        let subjects = orderedUnique(final.map(\.subject))
        func confusions(_ rows: [PredictionRow]) -> [String: [ConfusionMatrix]] {
            let bySubject = Dictionary(grouping: rows, by: \.subject)
            return bySubject.mapValues { rows in
                let bySeed = Dictionary(grouping: rows, by: \.seed)
                return seeds.map { s in
                    ConfusionMatrix(labels: (bySeed[s] ?? []).map(\.label), predictions: (bySeed[s] ?? []).map(\.pred),
                                    classCount: classCount)
                }
            }
        }
        let f = confusions(final), b = confusions(best)
        let empty = seeds.map { _ in ConfusionMatrix(classCount: classCount) }
        let units = subjects.map { [f[$0] ?? empty, b[$0] ?? empty] }
        intervals = [ScoreMetric.uf1, .uar].compactMap { metric in
            SubjectBootstrap.intervals(units: units, systemNames: ["final", "best-test-epoch"], metric: metric,
                                       resamples: resamples, seed: seed).last
        }
    }
}
