import FoldResults

/// What trains a worker's bundle of tasks as one fold batch: the CPU engine (CPUFoldBatchEngine,
/// bit-identical to separate FoldTrainer runs) or a GPU (CUDABackend's CUDAFoldBatchEngine, equal
/// within float tolerance). The worker only knows this protocol, so the GPU engine stays out of its
/// wire code.
public protocol FoldBatchEngine {
    /// The device as the journal records it: "cpu", "cuda:0 NVIDIA H200".
    var device: String { get }
    /// Why this engine cannot train members of this model and training (the GPU engine: metric
    /// losses); nil when it can. The worker then trains the bundle on the CPU engine.
    func refusal(model: HTNetConfig, training: TrainingConfig) -> String?
    /// Each member's outcome, in member order (a diverging member gets its error, the others go on).
    /// `progress` sees (member, record) as each epoch ends; `finished` sees each successful member's
    /// trained model on the CPU (the GPU engine copies its weights into one), for the final
    /// evaluation and returned weights. `shouldStop` is asked before every lockstep step.
    func train(_ members: [FoldBatchTrainer.Member], shouldStop: (() -> Bool)?,
               progress: (Int, EpochRecord) -> Void, finished: (Int, HTNetModel) -> Void) throws -> [Result<FoldOutcome, Error>]
}

/// FoldBatchTrainer on the CPU.
public struct CPUFoldBatchEngine: FoldBatchEngine {
    public init() {}
    public var device: String { "cpu" }
    public func refusal(model: HTNetConfig, training: TrainingConfig) -> String? { nil }
    public func train(_ members: [FoldBatchTrainer.Member], shouldStop: (() -> Bool)?,
                      progress: (Int, EpochRecord) -> Void, finished: (Int, HTNetModel) -> Void) throws -> [Result<FoldOutcome, Error>] {
        var trainer = try FoldBatchTrainer(members: members)
        trainer.shouldStop = shouldStop
        return try trainer.run(progress: progress, finished: finished)
    }
}
