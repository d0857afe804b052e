import Tensor

/// Trains a fresh HTNet on one fold and evaluates the test subject after every epoch.
/// The random streams (initialisation, optional shuffling) derive from `seedKeys` only.
public struct FoldTrainer {
    public let model: HTNetConfig
    public let training: TrainingConfig
    public let seedKeys: [UInt64]

    public init(model: HTNetConfig, training: TrainingConfig, seedKeys: [UInt64]) {
        self.model = model
        self.training = training
        self.seedKeys = seedKeys
    }

    public func run(_ data: FoldData, progress: (EpochRecord) -> Void = { _ in }) throws -> FoldOutcome {
        fatalError("FoldTrainer.run: engine under construction")
    }
}
