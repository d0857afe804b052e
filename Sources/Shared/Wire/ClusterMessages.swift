import DDAMFN
import FoldResults
import HTNet

/// A worker introduces itself; the coordinator journals it (the journal's worker records show
/// which hosts took part).
public struct WorkerHello: Equatable, Sendable {
    public var host: String
    public var rank: Int
    /// Cores this process may use (affinity / cgroup aware).
    public var cores: Int
    /// Worker ranks on the same node (they share its cores).
    public var workersOnNode: Int
    public var softwareVersion: String
    public init(host: String, rank: Int, cores: Int, workersOnNode: Int, softwareVersion: String) {
        self.host = host
        self.rank = rank
        self.cores = cores
        self.workersOnNode = workersOnNode
        self.softwareVersion = softwareVersion
    }
    /// "host:rank", the name a task's results carry.
    public var name: String { "\(host):\(rank)" }
}

/// Sent once to every worker: the feature cache (zstd-compressed by its format) and run-wide settings.
public struct WorkerSetup: Equatable, Sendable {
    public var experimentName: String
    /// OpenBLAS threads per worker; 0 = the worker's default (node cores / workers on the node).
    public var threads: Int
    /// `FeatureCache.encode` output (already a zstd frame, checksummed).
    public var featureCache: [UInt8]
    /// When workers send their fold state back (`--fold-state-every`, `--fold-state-minutes`).
    public var foldStateCadence: FoldStateCadence
    public init(experimentName: String, threads: Int, featureCache: [UInt8], foldStateCadence: FoldStateCadence = FoldStateCadence()) {
        self.experimentName = experimentName
        self.threads = threads
        self.featureCache = featureCache
        self.foldStateCadence = foldStateCadence
    }
}

/// A worker set up and asking for work, with what it can take.
public struct WorkerReady: Equatable, Sendable {
    public var worker: String
    /// OpenBLAS threads it trains with.
    public var threads: Int
    /// Where it trains bundles, as the journal records it: "cpu", "cuda:0 NVIDIA H200".
    public var device: String
    /// The most tasks it trains at once as one fold batch (`worker --bundle`); 1: one task at a time.
    public var bundleLimit: Int
    /// Free device memory (bytes) that bounds a GPU worker's bundles (FoldBatchMemory); 0: no memory bound (CPU).
    public var memoryBytes: Int
    public init(worker: String, threads: Int, device: String = "cpu", bundleLimit: Int = 1, memoryBytes: Int = 0) {
        self.worker = worker
        self.threads = threads
        self.device = device
        self.bundleLimit = bundleLimit
        self.memoryBytes = memoryBytes
    }
}

/// One fold to train: everything the worker needs besides the dataset it already holds.
public struct TaskAssignment: Equatable, Sendable {
    public var taskID: String
    public var model: HTNetConfig
    public var training: TrainingConfig
    /// Derived from (experiment, variant, seed, fold) only; never from the worker.
    public var seedKeys: [UInt64]
    /// The task's initial weights, resolved by the planner from training.init_rng / init_scope.
    public var start: StartingWeights
    /// Sample indices into the dataset, in dataset order.
    public var trainIndices: [Int]
    public var testIndices: [Int]
    /// A `FoldState` of this very task saved in an earlier session (its encoded bytes), to continue
    /// from instead of starting at epoch 1; empty for a fresh start.
    public var resumeState: [UInt8] = []
    /// The inner validation set (epoch_selection: validation), disjoint from both; empty for none.
    public var validationIndices: [Int]
    /// Which trained weights the worker sends back with the result (`keep: checkpoints`).
    public var returnedWeights: ReturnedWeights = .none
    /// Weights to start from instead of `start` (`training.init_from`), in the model's layout order;
    /// the slots named in `freshSlots` are drawn from `start` instead (a re-initialised classifier head).
    public var initialParameters: [Float]?
    public var freshSlots: [String] = []
    /// Set: the task trains DDAMFN with this shape (`model.arch: ddamfn`) and `model` is not used.
    public var ddamfn: DDAMFNConfig?
    /// `start` defaults to the per-task SplitMix64 stream of `seedKeys` (init_rng splitmix, scope fold).
    public init(taskID: String, model: HTNetConfig, training: TrainingConfig, seedKeys: [UInt64],
                start: StartingWeights? = nil, trainIndices: [Int], testIndices: [Int], validationIndices: [Int] = []) {
        self.validationIndices = validationIndices
        self.taskID = taskID
        self.model = model
        self.training = training
        self.seedKeys = seedKeys
        self.start = start ?? .splitmix(keys: seedKeys + [1])
        self.trainIndices = trainIndices
        self.testIndices = testIndices
    }
}

public struct EpochProgress: Equatable, Sendable {
    public var taskID: String
    public var record: EpochRecord
    public init(taskID: String, record: EpochRecord) {
        self.taskID = taskID
        self.record = record
    }
}

/// A fold's saved state on its way to the coordinator, which keeps it in OUT/fold-state/ until the
/// task's result is journalled.
public struct FoldStateUpload: Equatable, Sendable {
    public var taskID: String
    /// Epochs the state has completed.
    public var epoch: Int
    /// `FoldState.encoded()`.
    public var state: [UInt8]
    public init(taskID: String, epoch: Int, state: [UInt8]) {
        self.taskID = taskID
        self.epoch = epoch
        self.state = state
    }
}

/// Which of a task's trained weights travel back to the coordinator.
public enum ReturnedWeights: UInt8, Sendable {
    case none = 0
    /// The last epoch's.
    case final = 1
    /// The last epoch's and those of the best-test epoch (when the epoch rule selects it).
    case finalAndBestTestEpoch = 2
    /// The last epoch's and those of the validation-selected epoch (epoch_selection: validation).
    case finalAndValidation = 3

    /// Besides the final weights, the epoch rule whose weights come back; nil when none does.
    public var selected: EpochSelection? {
        switch self {
        case .none, .final: return nil
        case .finalAndBestTestEpoch: return .bestTestEpoch
        case .finalAndValidation: return .validation
        }
    }

    /// What a run under epoch rule `selection` asks back when it keeps checkpoints.
    public static func kept(under selection: EpochSelection) -> ReturnedWeights {
        switch selection {
        case .final: return .final
        case .bestTestEpoch: return .finalAndBestTestEpoch
        case .validation: return .finalAndValidation
        }
    }

    /// How many weight sets come back.
    public var setCount: Int { self == .none ? 0 : selected == nil ? 1 : 2 }
}

/// One set of trained weights (the model's one parameter buffer, layout order) and the epoch it is from.
public struct TrainedWeights: Equatable, Sendable {
    public var selection: EpochSelection
    /// 1-based.
    public var epoch: Int
    public var parameters: [Float]
    public init(selection: EpochSelection, epoch: Int, parameters: [Float]) {
        self.selection = selection
        self.epoch = epoch
        self.parameters = parameters
    }
}

/// A finished task: logits at the final AND the best-test epoch, the curve, and timings.
public struct TaskResult: Equatable, Sendable {
    public var taskID: String
    public var worker: String
    public var outcome: FoldOutcome
    /// Seconds spent training (all epochs, including per-epoch test evaluation).
    public var trainSeconds: Double
    /// Seconds spent slicing the fold's inputs out of the dataset.
    public var prepareSeconds: Double
    /// The final model's test embeddings [test sample][width] (FoldTrainer.finalEvaluation).
    public var embeddings: [[Float]]
    /// Its scores on noisy test inputs, one [test sample][classes] matrix per configured SNR level.
    public var noisyScores: [[[Float]]]
    /// The weights the assignment asked for (`returnedWeights`); empty otherwise.
    public var weights: [TrainedWeights] = []
    /// What trained it: "cpu", "cuda:0 NVIDIA H200" (journalled with the task).
    public var device = "cpu"
    /// Tasks in the fold batch it was trained in; 1 when trained alone.
    public var bundleSize = 1
    public init(taskID: String, worker: String, outcome: FoldOutcome, trainSeconds: Double, prepareSeconds: Double,
                embeddings: [[Float]] = [], noisyScores: [[[Float]]] = [], weights: [TrainedWeights] = []) {
        self.weights = weights
        self.taskID = taskID
        self.worker = worker
        self.outcome = outcome
        self.trainSeconds = trainSeconds
        self.prepareSeconds = prepareSeconds
        self.embeddings = embeddings
        self.noisyScores = noisyScores
    }
}

/// A task that could not finish (non-finite loss, bad data): reported, never a crash.
public struct TaskFailure: Error, Equatable, Sendable {
    public var taskID: String
    public var worker: String
    public var message: String
    public init(taskID: String, worker: String, message: String) {
        self.taskID = taskID
        self.worker = worker
        self.message = message
    }
}

/// Every message of the coordinator-worker protocol.
///
/// The conversation: worker -> hello; coordinator -> setup; worker -> ready (a request for work);
/// coordinator -> assignment (or a bundle of them for a worker that takes bundles); worker ->
/// progress*, then one result or failure per task (the last of them is also a request for the next
/// work); coordinator -> shutdown when nothing is left (or on a signal or error).
public enum ClusterMessage: Equatable, Sendable {
    case hello(WorkerHello)
    case setup(WorkerSetup)
    /// Set up and asking for work, with its device and bundle capacity.
    case ready(WorkerReady)
    case assignment(TaskAssignment)
    /// Tasks of one model and training setup (different folds or seeds) to train together as one
    /// fold batch; the worker answers each with its own result or failure.
    case bundle([TaskAssignment])
    case progress(EpochProgress)
    case result(TaskResult)
    case failure(TaskFailure)
    case shutdown(reason: String)
    /// Sent by a worker every `WorkerSession.heartbeatSeconds` while it trains, so the coordinator can
    /// tell a long epoch from a frozen or vanished worker.
    case heartbeat(taskID: String)
    /// A training fold's state, every few epochs or minutes (see `FoldStateCadence`).
    case foldState(FoldStateUpload)

    public var kind: MessageKind {
        switch self {
        case .hello: return .hello
        case .setup: return .setup
        case .ready: return .ready
        case .assignment: return .assignment
        case .bundle: return .bundle
        case .progress: return .progress
        case .result: return .result
        case .failure: return .failure
        case .shutdown: return .shutdown
        case .heartbeat: return .heartbeat
        case .foldState: return .foldState
        }
    }
}

public enum MessageKind: UInt16, Sendable, CaseIterable {
    case hello = 1, setup, ready, assignment, progress, result, failure, shutdown, heartbeat, foldState, bundle
}
