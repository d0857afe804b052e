import FoldResults
import HTNet

/// The GPU as a worker's fold-batch engine: CUDAFoldBatchTrainer on a KernelDevice (a CUDADevice,
/// or the kernel emulator in tests). Each trained member's weights are copied into a CPU model
/// for the final evaluation (embeddings, noisy scores) and returned weights.
public struct CUDAFoldBatchEngine: FoldBatchEngine {
    public let kernelDevice: KernelDevice
    public let device: String

    /// `device`: how the journal names it, e.g. "cuda:0 NVIDIA H200".
    public init(kernelDevice: KernelDevice, device: String) {
        self.kernelDevice = kernelDevice
        self.device = device
    }

    public func refusal(model: HTNetConfig, training: TrainingConfig) -> String? {
        training.loss.isMetric ? "the GPU trainer has the classifier head only (loss \(training.loss.rawValue))" : nil
    }

    public func train(_ members: [FoldBatchTrainer.Member], shouldStop: (() -> Bool)?,
                      progress: (Int, EpochRecord) -> Void, finished: (Int, HTNetModel) -> Void) throws -> [Result<FoldOutcome, Error>] {
        var trainer = try CUDAFoldBatchTrainer(members: members, device: kernelDevice)
        trainer.shouldStop = shouldStop
        let (outcomes, weights) = try trainer.run(progress: progress)
        let model = members[0].trainer.model, training = members[0].trainer.training
        let schedule = FoldBatchSchedule(batchSize: training.batchSize, trainCounts: members.map { $0.data.trainLabels.count },
                                         testCounts: members.map { $0.data.testLabels.count })
        for (f, outcome) in outcomes.enumerated() {
            guard case .success = outcome else { continue }
            let net = HTNetModel(config: model, head: training.head, maxBatch: schedule.maxBatches[f])
            net.parameters.copy(from: weights[f])
            finished(f, net)
        }
        return outcomes
    }
}
