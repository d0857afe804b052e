import FoldResults

/// Predictions of every fold's final model on its test inputs with additive Gaussian noise at one
/// SNR (signal power per sample; see HTNet's InputNoise), one row per (variant, seed, fold, sample).
public struct NoiseLevelRows: Codable, Equatable, Sendable {
    /// dB; nil stands for +inf (the clean inputs), which JSON cannot spell as a number.
    public var snrDB: Double?
    public var rows: [PredictionRow]
    public init(snrDB: Double?, rows: [PredictionRow]) {
        self.snrDB = snrDB
        self.rows = rows
    }
    public var label: String { snrDB.map { String(format: "%g dB", $0) } ?? "inf (clean)" }
}

/// Input-noise robustness: at each SNR level the same per-variant scores, subject-bootstrap
/// intervals and paired tests between variants (Holm across the pairs of that level) as the main
/// results, always on the final epoch's model.
public struct NoiseRobustnessResults: Codable, Equatable, Sendable {
    public struct Level: Codable, Equatable, Sendable {
        public var snrDB: Double?
        public var label: String
        public var results: SelectionResults
    }
    public var levels: [Level]

    init(levels: [NoiseLevelRows], classCount: Int, settings: PairwiseComparison.Settings, progress: ReportProgress? = nil) {
        self.levels = levels.map {
            Level(snrDB: $0.snrDB, label: $0.label,
                  results: SelectionResults(selection: .final, rows: $0.rows, classCount: classCount, settings: settings,
                                            progress: progress, stage: "comparisons at noise \($0.label)"))
        }
    }

    /// Variant x level table of UF1 and UAR with their 95% intervals.
    func table() -> ReportTable {
        var rows: [[String]] = []
        for level in levels {
            for v in level.results.variants {
                rows.append([level.label, v.name, ReportFormat.spread(v.uf1),
                             ReportFormat.interval(ReportFormat.interval(v.intervals, .uf1, of: v.name)),
                             ReportFormat.spread(v.uar), ReportFormat.interval(ReportFormat.interval(v.intervals, .uar, of: v.name))])
            }
        }
        return ReportTable(header: ["SNR", "variant", "UF1", "UF1 95% CI", "UAR", "UAR 95% CI"], rows: rows)
    }

    /// One row per level and pair: the paired tests on UF1 and UAR (approximate randomisation,
    /// Holm-adjusted across that level's pairs) and the bootstrap interval of the UF1 difference.
    func testTable() -> ReportTable {
        var rows: [[String]] = []
        for level in levels {
            for c in level.results.comparisons {
                func test(_ metric: ScoreMetric) -> TestResult? {
                    c.tests.first { $0.test == "approximate randomisation" && $0.quantity.hasPrefix(metric.rawValue) }
                }
                let uf1 = test(.uf1), uar = test(.uar)
                rows.append([level.label, "\(c.nameB) − \(c.nameA)",
                             ReportFormat.score(c.uf1B.flatMap { b in c.uf1A.map { b - $0 } }),
                             ReportFormat.interval(ReportFormat.differenceInterval(c.intervals, .uf1)),
                             ReportFormat.p(uf1?.p), ReportFormat.p(uf1?.pHolm ?? uf1?.p),
                             ReportFormat.score(c.uarB.flatMap { b in c.uarA.map { b - $0 } }),
                             ReportFormat.p(uar?.p), ReportFormat.p(uar?.pHolm ?? uar?.p)])
            }
        }
        return ReportTable(header: ["SNR", "pair (B − A)", "ΔUF1", "ΔUF1 95% CI", "p UF1", "p UF1 (Holm)", "ΔUAR", "p UAR", "p UAR (Holm)"],
                           rows: rows)
    }

    /// Per variant, the score at each level with its interval, for the chart.
    func curves(_ metric: ScoreMetric) -> [(name: String, points: [(estimate: Double?, lower: Double?, upper: Double?)])] {
        let names = orderedUnique(levels.flatMap { $0.results.variants.map(\.name) })
        return names.map { name in
            (name: name, points: levels.map { level in
                guard let v = level.results.variants.first(where: { $0.name == name }) else { return (nil, nil, nil) }
                let ci = ReportFormat.interval(v.intervals, metric, of: name)
                return (metric == .uf1 ? v.uf1.mean : v.uar.mean, ci?.lower, ci?.upper)
            })
        }
    }
}
