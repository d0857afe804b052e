import FoldResults

/// The epoch-selection protocol of a set of numbers, with the warning the reports must carry.
public struct ProtocolDescription: Codable, Equatable, Sendable {
    public var selection: String
    public var label: String
    /// True for best-test-epoch: the rule reads the test labels, so its numbers are optimistic.
    public var optimistic: Bool
    public var note: String

    public init(_ selection: EpochSelection) {
        self.selection = selection.rawValue
        label = selection.reportLabel
        optimistic = selection == .bestTestEpoch
        switch selection {
        case .bestTestEpoch:
            note = "Each fold reports the epoch with the best TEST accuracy (ties to the later epoch), as the reference code does. This reads the test labels: the numbers are optimistic and not an honest estimate."
        case .final:
            note = "Each fold reports its final epoch; no test label is used to choose it."
        case .validation:
            note = "Each fold reports the epoch with the best accuracy on an inner validation set (ties to the later epoch): training-side subjects held out of training (a seeded, stratified, subject-whole part of about protocol.validation_fraction of them, or the split column's val rows). No test label is used to choose it."
        }
    }
}

/// Time spent, from the task curves.
public struct RunTimings: Codable, Equatable, Sendable {
    public struct Worker: Codable, Equatable, Sendable {
        public var worker: String
        public var tasks: Int
        public var seconds: Double
        /// The devices its tasks trained on, in first-use order (one, unless a resumed run put the
        /// rank on another machine). Tasks journalled before devices were recorded count as "cpu":
        /// workers trained only on the CPU then.
        public var devices: [String]
        /// The distinct sizes of the fold batches its tasks were trained in, largest first; 1 =
        /// trained alone.
        public var bundleSizes: [Int]
    }
    public var wallSeconds: Double
    public var tasks: Int
    public var taskSecondsTotal: Double
    public var taskSecondsMean: Double?
    public var taskSecondsMax: Double?
    public var workers: [Worker]

    init(run: RunRecord) {
        wallSeconds = run.wallSeconds
        tasks = run.curves.count
        let seconds = run.curves.map(\.seconds)
        taskSecondsTotal = seconds.reduce(0, +)
        taskSecondsMean = SampleStatistics.mean(seconds)
        taskSecondsMax = seconds.max()
        let byWorker = Dictionary(grouping: run.curves, by: \.worker)
        workers = byWorker.keys.sorted().map { w in
            let curves = byWorker[w]!
            var devices: [String] = []
            for device in curves.map({ $0.device ?? "cpu" }) where !devices.contains(device) { devices.append(device) }
            return Worker(worker: w, tasks: curves.count, seconds: curves.reduce(0) { $0 + $1.seconds }, devices: devices,
                          bundleSizes: Set(curves.map { $0.bundleSize ?? 1 }).sorted(by: >))
        }
    }

    /// Whether any task was trained in a fold batch of more than one task.
    var bundled: Bool { workers.contains { $0.bundleSizes.contains { $0 > 1 } } }
}

/// The mean training curve of a variant: each epoch's values averaged over the tasks (folds x seeds)
/// that reached it.
public struct MeanCurve: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var epoch: Int
        public var tasks: Int
        public var trainLoss: Double
        public var trainAccuracy: Double
        public var testLoss: Double
        public var testAccuracy: Double
        /// Sample standard deviation (ddof = 1) over the tasks (folds x seeds) at this epoch; nil with
        /// one task. The charts draw mean ± sd as a band (min–max is dominated by the smallest folds).
        public var trainLossSD: Double?
        public var trainAccuracySD: Double?
        public var testLossSD: Double?
        public var testAccuracySD: Double?
    }
    public var variant: String
    public var points: [Point]
    /// The epochs the run's selection picked, over tasks.
    public var selectedEpochMean: Double?
    public var selectedEpochMin: Int?
    public var selectedEpochMax: Int?

    init(variant: String, curves: [TaskCurve]) {
        self.variant = variant
        let byEpoch = Dictionary(grouping: curves.flatMap(\.epochs), by: \.epoch)
        points = byEpoch.keys.sorted().map { e in
            let records = byEpoch[e]!
            let n = Double(records.count)
            return Point(epoch: e, tasks: records.count,
                         trainLoss: records.reduce(0) { $0 + $1.trainLoss } / n,
                         trainAccuracy: records.reduce(0) { $0 + $1.trainAccuracy } / n,
                         testLoss: records.reduce(0) { $0 + $1.testLoss } / n,
                         testAccuracy: records.reduce(0) { $0 + $1.testAccuracy } / n,
                         trainLossSD: SampleStatistics.standardDeviation(records.map(\.trainLoss)),
                         trainAccuracySD: SampleStatistics.standardDeviation(records.map(\.trainAccuracy)),
                         testLossSD: SampleStatistics.standardDeviation(records.map(\.testLoss)),
                         testAccuracySD: SampleStatistics.standardDeviation(records.map(\.testAccuracy)))
        }
        let selected = curves.map(\.selectedEpoch)
        selectedEpochMean = SampleStatistics.mean(selected.map(Double.init))
        selectedEpochMin = selected.min()
        selectedEpochMax = selected.max()
    }
}

/// The numbers of one epoch selection: per-variant summaries and the tests between variants.
public struct SelectionResults: Codable, Equatable, Sendable {
    public var protocolDescription: ProtocolDescription
    public var variants: [VariantSummary]
    /// Every pair of variants (i < j in run order), A = the earlier variant.
    public var comparisons: [PairwiseComparison]
    /// Why a pair could not be compared, if any.
    public var comparisonNotes: [String]
    /// True when more than one pair is compared and `pHolm` is filled in.
    public var holmApplied: Bool
    /// Welch's t-tests between variants on their per-seed scores (composite and per source
    /// dataset); empty unless two or more variants have two or more seeds.
    public var acrossSeeds: [SeedLevelComparison]

    enum CodingKeys: String, CodingKey {
        case protocolDescription = "protocol", variants, comparisons, comparisonNotes, holmApplied, acrossSeeds
    }

    /// `stage` names the pairwise tests in `progress` (default "comparisons under final").
    init(selection: EpochSelection, rows: [PredictionRow], classCount: Int, settings: PairwiseComparison.Settings,
         ordinal: Bool = false, progress: ReportProgress? = nil, stage: String? = nil) {
        protocolDescription = ProtocolDescription(selection)
        let names = orderedUnique(rows.map(\.variant))
        let byVariant = Dictionary(grouping: rows, by: \.variant)
        variants = names.map {
            VariantSummary(name: $0, rows: byVariant[$0]!, classCount: classCount,
                           bootstrapResamples: settings.bootstrapResamples, seed: settings.seed, ordinal: ordinal)
        }
        var comparisons: [PairwiseComparison] = [], notes: [String] = []
        let pairs = names.count * (names.count - 1) / 2
        var done = 0
        for i in names.indices { for j in names.indices where j > i {
            defer {
                done += 1
                progress?(stage ?? "comparisons under \(selection.rawValue)", done, pairs)
            }
            do {
                let paired = try PairedPredictions(a: byVariant[names[i]]!, b: byVariant[names[j]]!, classCount: classCount)
                comparisons.append(PairwiseComparison(paired, nameA: names[i], nameB: names[j], settings: settings))
            } catch {
                notes.append("\(names[i]) vs \(names[j]): \(error)")
            }
        } }
        holmApplied = comparisons.count > 1
        PairwiseComparison.applyHolm(&comparisons)
        self.comparisons = comparisons
        comparisonNotes = notes
        acrossSeeds = SeedLevelComparison.all(variants)
    }
}

/// Everything the four report files are written from (report.json is this, encoded).
/// `schemaVersion` changes whenever the JSON layout changes; `ReportSchema.text` describes it.
public struct RunReport: Codable, Equatable, Sendable {
    public var schemaVersion: Int
    public var experimentName: String
    public var softwareVersion: String
    /// The resolved experiment, verbatim.
    public var configuration: String
    public var classNames: [String]
    public var hosts: [String]
    public var timings: RunTimings
    /// The run's own selection.
    public var main: SelectionResults
    /// The same tasks under the other selection, when journalled: reported separately and labelled,
    /// never mixed with `main`.
    public var alternate: SelectionResults?
    /// Further rules of the same tasks (a validation-selected run: best-test-epoch), labelled likewise.
    public var others: [SelectionResults]?
    public var curves: [MeanCurve]
    /// Planned vs journalled tasks, when the journal records its plan.
    public var completeness: Completeness?
    /// Settings the tasks were trained under, when they differ (see RunRecord.mixedSettings).
    public var mixedSettings: [String]?
    /// Each variant's batch order and starting point (training.order / init_rng / init_scope).
    public var trainingProtocol: [VariantTrainingProtocol]
    /// Test accuracy per epoch per source dataset.
    public var datasetCurves: [DatasetCurve]
    /// Commit, input digests, dates and machines of each session (absent for runs journalled before
    /// provenance was recorded).
    public var provenance: RunProvenance?
    /// Best-test-epoch minus final epoch per variant, with bootstrap CIs (when both rules are journalled).
    public var optimism: [SelectionOptimism]?
    /// How each variant predicts ("variant: loss and rule").
    public var predictionRules: [String]
    /// Input-noise robustness per SNR level (final epoch), when the experiment asked for it.
    public var noise: NoiseRobustnessResults?
    /// One t-SNE map of test embeddings per variant (see EmbeddingMap for the convention).
    public var embeddingMaps: [EmbeddingMap]
    /// The run's scores (its own epoch selection) beside the published ranges of the experiment's
    /// `reference:`; nil when the experiment gives none.
    public var reference: ReferenceComparison?

    public static let currentSchemaVersion = 7

    public init(_ run: RunRecord, settings: PairwiseComparison.Settings = PairwiseComparison.Settings(),
                progress: ReportProgress? = nil) throws {
        let classCount = try RunReport.classCount(run)
        schemaVersion = RunReport.currentSchemaVersion
        experimentName = run.experimentName
        softwareVersion = run.softwareVersion
        configuration = run.configuration
        classNames = (0..<classCount).map { $0 < run.classNames.count ? run.classNames[$0] : "class \($0)" }
        hosts = run.hosts
        provenance = run.provenance
        timings = RunTimings(run: run)
        let ordinal = run.ordinal ?? false
        main = SelectionResults(selection: run.selection, rows: run.rows, classCount: classCount, settings: settings, ordinal: ordinal,
                                progress: progress)
        if let other = run.alternateSelection, !run.alternateRows.isEmpty {
            alternate = SelectionResults(selection: other, rows: run.alternateRows, classCount: classCount, settings: settings,
                                         ordinal: ordinal, progress: progress)
        } else {
            alternate = nil
        }
        let ruleRows = [(run.selection, run.rows)] + (run.alternateSelection.map { [($0, run.alternateRows)] } ?? [])
            + (run.otherSelections ?? []).map { ($0.selection, $0.rows) }
        others = (run.otherSelections ?? []).filter { !$0.rows.isEmpty }.map {
            SelectionResults(selection: $0.selection, rows: $0.rows, classCount: classCount, settings: settings, ordinal: ordinal,
                             progress: progress)
        }
        if others?.isEmpty == true { others = nil }
        if let final = ruleRows.first(where: { $0.0 == .final && !$0.1.isEmpty })?.1,
           let best = ruleRows.first(where: { $0.0 == .bestTestEpoch && !$0.1.isEmpty })?.1 {
            let finalByVariant = Dictionary(grouping: final, by: \.variant), bestByVariant = Dictionary(grouping: best, by: \.variant)
            optimism = orderedUnique(final.map(\.variant)).compactMap { v in
                guard let f = finalByVariant[v], let b = bestByVariant[v] else { return nil }
                return SelectionOptimism(variant: v, final: f, best: b, classCount: classCount,
                                         resamples: settings.bootstrapResamples, seed: settings.seed)
            }
        } else {
            optimism = nil
        }
        let curvesByVariant = Dictionary(grouping: run.curves, by: \.variant)
        curves = orderedUnique(run.curves.map(\.variant)).map { MeanCurve(variant: $0, curves: curvesByVariant[$0]!) }
        completeness = run.completeness
        mixedSettings = run.mixedSettings.isEmpty ? nil : run.mixedSettings
        trainingProtocol = VariantTrainingProtocol.parse(configuration: run.configuration)
        datasetCurves = DatasetCurve.curves(run: run)
        predictionRules = run.predictionRules
        noise = run.noise.isEmpty ? nil : NoiseRobustnessResults(levels: run.noise, classCount: classCount, settings: settings,
                                                                  progress: progress)
        embeddingMaps = EmbeddingMap.maps(run.embeddings, progress: progress)
        reference = PublishedReference.parse(configuration: run.configuration).map { ReferenceComparison(reference: $0, results: main) }
    }

    /// The class count: the class list's length, checked against every label and prediction.
    static func classCount(_ run: RunRecord) throws -> Int {
        guard !run.rows.isEmpty else { throw ReportError.noPredictions(run.experimentName) }
        let count = run.classNames.count
        for row in run.rows + run.alternateRows + run.noise.flatMap(\.rows) {
            guard (0..<count).contains(row.label), (0..<count).contains(row.pred) else {
                throw ReportError.classOutOfRange(sample: row.sample, label: row.label, pred: row.pred, classes: count)
            }
        }
        return count
    }
}

public enum ReportError: Error, CustomStringConvertible {
    case noPredictions(String)
    case classOutOfRange(sample: String, label: Int, pred: Int, classes: Int)
    case write(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noPredictions(name): return "run '\(name)' has no predictions to report"
        case let .classOutOfRange(sample, label, pred, classes):
            return "sample '\(sample)': label \(label) / prediction \(pred) outside the \(classes) classes of the run"
        case let .write(path, reason): return "cannot write \(path): \(reason)"
        }
    }
}
