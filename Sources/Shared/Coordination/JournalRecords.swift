import FoldResults
import HTNet
import Wire

/// The lines of OUT/journal.jsonl. Every line is one JSON object with a `type`; the journal alone is
/// enough to rebuild the report (`coordinator report OUT`).

/// First line of a journal (and again after a `--force` resume of a changed experiment).
public struct JournalHeader: Codable, Equatable, Sendable {
    public var type = "header"
    public var experimentName: String
    /// `Experiment.identity` of the resolved experiment.
    public var identity: String
    /// `Experiment.canonicalJSON`.
    public var configuration: String
    public var selection: EpochSelection
    public var classNames: [String]
    public var softwareVersion: String
    public var protocolVersion: Int
    public var created: String
    public init(experiment: Experiment, classNames: [String], created: String) {
        experimentName = experiment.name
        identity = experiment.identity
        configuration = experiment.canonicalJSON
        selection = experiment.selection
        self.classNames = classNames
        softwareVersion = ClusterVersion.software
        protocolVersion = Int(ClusterVersion.wireProtocol)
        self.created = created
    }
}

/// The plan the journal's tasks must match, written after each header: every task id, and for each
/// fold its test samples with their labels. `coordinator report` checks every task record against it
/// (so an edited or foreign record is caught) and lists planned tasks that are missing.
public struct PlanRecord: Codable, Equatable, Sendable {
    public struct TestSample: Codable, Equatable, Sendable {
        public var sample: String
        public var label: Int
    }
    public var type = "plan"
    /// Task ids in plan order.
    public var tasks: [String]
    /// Fold key -> its test samples, in dataset order (the order of a task record's samples).
    public var folds: [String: [TestSample]]
    public var classCount: Int
    /// `DatasetFingerprint.sha256` of the dataset the plan was made from: `--resume` refuses another.
    public var datasetSHA256: String?

    public init(tasks: [PlannedTask], samples: [(id: String, label: Int)], classCount: Int, datasetSHA256: String? = nil) {
        self.datasetSHA256 = datasetSHA256
        self.tasks = tasks.map(\.id)
        var folds: [String: [TestSample]] = [:]
        for task in tasks where folds[task.fold.key] == nil {
            folds[task.fold.key] = task.fold.testIndices.map { TestSample(sample: samples[$0].id, label: samples[$0].label) }
        }
        self.folds = folds
        self.classCount = classCount
    }
}

/// A worker that joined a session: shows which hosts and ranks did the work.
public struct WorkerRecord: Codable, Equatable, Sendable {
    public var type = "worker"
    public var session: Int
    public var host: String
    public var rank: Int
    public var cores: Int
    public var workersOnNode: Int
    /// Threads it trained with (the engine's results do not depend on it; recorded for timings).
    public var threads: Int
    public var softwareVersion: String
    /// Where it trains bundles ("cpu", "cuda:0 NVIDIA H200") and the most tasks it takes at once;
    /// absent in journals written before bundles.
    public var device: String?
    public var bundleLimit: Int?
    public init(session: Int, hello: WorkerHello, ready: WorkerReady) {
        self.session = session
        host = hello.host
        rank = hello.rank
        cores = hello.cores
        workersOnNode = hello.workersOnNode
        threads = ready.threads
        softwareVersion = hello.softwareVersion
        device = ready.device
        bundleLimit = ready.bundleLimit
    }
}

/// One test sample of a finished task, with logits at both epoch-selection rules.
public struct SampleOutcome: Codable, Equatable, Sendable {
    public var sample: String
    public var subject: String
    public var dataset: String
    public var label: Int
    public var finalLogits: [Float]
    public var bestTestLogits: [Float]
    /// The final model's embedding of the sample, float32 little-endian in base64 (PackedFloats):
    /// about a third of the JSON-number text for the same bits.
    public var embedding: String?
    /// The final model's scores on the sample's noisy copies, one row per SNR level of the
    /// variant's training.noise_snr_db, in that order.
    public var noisyLogits: [[Float]]?
    /// Test logits at the validation-selected epoch (epoch_selection: validation); nil otherwise.
    public var validationLogits: [Float]?
}

/// A finished task. Appended and synced as soon as its result arrives.
public struct TaskRecord: Codable, Equatable, Sendable {
    public var type = "task"
    public var id: String
    public var variant: String
    public var seed: Int
    public var fold: String
    public var worker: String
    public var trainSeconds: Double
    public var prepareSeconds: Double
    public var bestTestEpoch: Int
    /// The epoch the inner validation set chose (epoch_selection: validation); nil otherwise.
    public var validationEpoch: Int? = nil
    public var epochs: [EpochRecord]
    public var samples: [SampleOutcome]
    /// The settings the task was trained under: the experiment's identity and the dataset's
    /// fingerprint. They differ between tasks only after `--resume --force`, and reports then say so.
    public var experimentIdentity: String? = nil
    public var datasetSHA256: String? = nil
    /// What trained it: "cpu", "cuda:0 NVIDIA H200" (absent in journals written before devices were recorded).
    public var device: String? = nil
    /// Tasks in the fold batch it was trained in; nil when it trained alone.
    public var bundleSize: Int? = nil
}

/// A task that failed (non-finite loss, bad data); it is retried by `--resume`.
public struct FailureRecord: Codable, Equatable, Sendable {
    public var type = "failure"
    public var id: String
    public var worker: String
    public var message: String
}

/// Start and end of one `coordinator run` on this OUT (a resumed run adds a session).
public struct SessionRecord: Codable, Equatable, Sendable {
    public enum Event: String, Codable, Sendable { case start, complete, interrupted, failed }
    public var type = "session"
    public var session: Int
    public var event: Event
    public var time: String
    /// Wall-clock seconds of the session (end events).
    public var wallSeconds: Double?
    public var workers: Int?
    public var note: String?
    /// Inputs and machine of the session (start events; absent in journals written before it was recorded).
    public var provenance: SessionProvenance?
}
