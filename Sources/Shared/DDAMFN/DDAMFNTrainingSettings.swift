/// How a DDAMFN fold trains (the experiment's `training:` keys for `model.arch: ddamfn`, mapped by
/// the worker). Defaults are the reference's: SGD lr 0.01, momentum 0.9, weight decay 1e-4, loss
/// CE + 0.1 x attention-diversity loss, every augmentation on.
public struct DDAMFNTrainingSettings: Sendable, Equatable {
    public enum Optimizer: Sendable, Equatable {
        case sgd(momentum: Float)
        /// torch.optim.Adam; weight decay, if any, is added to the gradient (torch's coupled form).
        case adam
    }
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var optimizer: Optimizer
    public var weightDecay: Float
    public var attentionWeight: Float
    /// A fresh permutation per epoch from (task, epoch) (the reference's shuffling loader); false keeps
    /// dataset order.
    public var shuffle: Bool
    public var augmentation: DDAMFNAugmentation

    public init(epochs: Int, batchSize: Int, learningRate: Float = 0.01, optimizer: Optimizer = .sgd(momentum: 0.9),
                weightDecay: Float = 1e-4, attentionWeight: Float = 0.1, shuffle: Bool = true,
                augmentation: DDAMFNAugmentation = DDAMFNAugmentation()) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.weightDecay = weightDecay
        self.attentionWeight = attentionWeight
        self.shuffle = shuffle
        self.augmentation = augmentation
    }
}
