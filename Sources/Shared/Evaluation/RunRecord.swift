import FoldResults

/// One test sample's prediction in one task (variant x seed x fold).
public struct PredictionRow: Codable, Equatable, Sendable {
    public var variant: String
    public var seed: Int
    /// The fold key: the held-out subject under LOSO, or "k<i>" under k-fold.
    public var fold: String
    public var subject: String
    public var dataset: String
    public var sample: String
    public var label: Int
    public var pred: Int
    public var logits: [Float]

    public init(variant: String, seed: Int, fold: String, subject: String, dataset: String,
                sample: String, label: Int, pred: Int, logits: [Float]) {
        self.variant = variant
        self.seed = seed
        self.fold = fold
        self.subject = subject
        self.dataset = dataset
        self.sample = sample
        self.label = label
        self.pred = pred
        self.logits = logits
    }
}

/// The predictions of the run's tasks under one epoch rule.
public struct SelectionRows: Codable, Equatable, Sendable {
    public var selection: EpochSelection
    public var rows: [PredictionRow]
    public init(selection: EpochSelection, rows: [PredictionRow]) {
        self.selection = selection
        self.rows = rows
    }
}

/// The training curve and cost of one task.
public struct TaskCurve: Codable, Equatable, Sendable {
    public var variant: String
    public var seed: Int
    public var fold: String
    public var epochs: [EpochRecord]
    public var selectedEpoch: Int
    public var worker: String      // host:rank that trained it
    public var seconds: Double
    /// What trained it ("cpu", "cuda:0 NVIDIA H200"); nil where the journal predates devices.
    public var device: String?
    /// Tasks in the fold batch it was trained in; nil when it trained alone.
    public var bundleSize: Int?
    public init(variant: String, seed: Int, fold: String, epochs: [EpochRecord], selectedEpoch: Int,
                worker: String, seconds: Double, device: String? = nil, bundleSize: Int? = nil) {
        self.variant = variant
        self.seed = seed
        self.fold = fold
        self.epochs = epochs
        self.selectedEpoch = selectedEpoch
        self.worker = worker
        self.seconds = seconds
        self.device = device
        self.bundleSize = bundleSize
    }
}

/// Everything a report is built from; the cluster's journal reader produces it, and a report can
/// always be rebuilt from the journal alone.
public struct RunRecord: Codable, Equatable, Sendable {
    public var experimentName: String
    /// The experiment as resolved (JSON text), shown verbatim in reports.
    public var configuration: String
    public var selection: EpochSelection
    public var softwareVersion: String
    public var classNames: [String]
    /// Worker descriptions (host, rank, cores) as journalled.
    public var hosts: [String]
    public var wallSeconds: Double
    /// Predictions under the run's epoch selection.
    public var rows: [PredictionRow]
    /// Predictions of the same tasks at the other rule (final vs best-test-epoch), when journalled,
    /// so the gap is visible; reports label these explicitly.
    public var alternateSelection: EpochSelection?
    public var alternateRows: [PredictionRow]
    public var curves: [TaskCurve]
    /// Planned tasks missing from the journal; nil when the journal records no plan (older runs).
    public var completeness: Completeness? = nil
    /// When the tasks were trained under more than one experiment configuration or dataset (a
    /// `--resume --force`): one line per setting with its task count. Empty for a consistent run.
    public var mixedSettings: [String] = []
    /// Commit, input digests, dates, machines and libraries of each session, when journalled.
    public var provenance: RunProvenance?
    /// Final-epoch predictions on noisy test inputs, one entry per SNR level (empty when the
    /// experiment asks for no noise evaluation).
    public var noise: [NoiseLevelRows]
    /// The final models' test embeddings (empty for journals written before they were recorded).
    public var embeddings: [EmbeddingRow]
    /// How each variant turns scores into a prediction, for the report ("variant: rule").
    public var predictionRules: [String]
    /// The classes are grades in order (experiment `ordinal: true`): reports add MAE and QWK.
    public var ordinal: Bool?
    /// Further rules of the same tasks beyond `alternateSelection` (validation-selected runs add
    /// best-test-epoch here), each reported separately and labelled.
    public var otherSelections: [SelectionRows]?

    public init(experimentName: String, configuration: String, selection: EpochSelection,
                softwareVersion: String, classNames: [String], hosts: [String], wallSeconds: Double,
                rows: [PredictionRow], alternateSelection: EpochSelection?, alternateRows: [PredictionRow],
                curves: [TaskCurve], provenance: RunProvenance? = nil, noise: [NoiseLevelRows] = [], embeddings: [EmbeddingRow] = [],
                predictionRules: [String] = []) {
        self.provenance = provenance
        self.noise = noise
        self.embeddings = embeddings
        self.predictionRules = predictionRules
        self.experimentName = experimentName
        self.configuration = configuration
        self.selection = selection
        self.softwareVersion = softwareVersion
        self.classNames = classNames
        self.hosts = hosts
        self.wallSeconds = wallSeconds
        self.rows = rows
        self.alternateSelection = alternateSelection
        self.alternateRows = alternateRows
        self.curves = curves
    }
}

/// How much of the planned work a report covers. A report with missing tasks is labelled INCOMPLETE
/// everywhere it is shown: its pooled scores would silently describe a different protocol.
public struct Completeness: Codable, Equatable, Sendable {
    public var plannedTasks: Int
    /// Planned task ids ("variant/seed/fold") with no record in the journal, in plan order.
    public var missingTasks: [String]
    public var isComplete: Bool { missingTasks.isEmpty }
    public init(plannedTasks: Int, missingTasks: [String]) {
        self.plannedTasks = plannedTasks
        self.missingTasks = missingTasks
    }
    /// One sentence for banners: "INCOMPLETE: 33 of 48 planned tasks are missing (a/1/s01, ...)".
    public var summary: String {
        guard !isComplete else { return "complete: all \(plannedTasks) planned tasks are in the journal" }
        let shown = missingTasks.prefix(12).joined(separator: ", ") + (missingTasks.count > 12 ? ", ..." : "")
        return "INCOMPLETE: \(missingTasks.count) of \(plannedTasks) planned tasks are missing (\(shown)); "
            + "these numbers do not cover the experiment"
    }
}
