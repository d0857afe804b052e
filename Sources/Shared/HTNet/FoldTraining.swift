import FoldResults

/// What one LOSO task trains on: inputs are [n, channels, image, image] float32 (BGR, 0..255),
/// flattened sample by sample, as the dataset module composes them.
public struct FoldData: Sendable {
    public var trainInputs: [Float]
    public var trainLabels: [Int]
    public var testInputs: [Float]
    public var testLabels: [Int]
    public init(trainInputs: [Float], trainLabels: [Int], testInputs: [Float], testLabels: [Int]) {
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
    }
}

public enum LossKind: String, Codable, Sendable, CaseIterable {
    case crossEntropy = "cross-entropy"
    /// Cross-entropy weighted by inverse class frequency of the training fold (mean weight 1).
    case weightedCrossEntropy = "weighted-cross-entropy"
}

/// The order in which a fold's training samples form each epoch's batches (`training.order`).
public enum TrainingOrder: String, Codable, Sendable, CaseIterable {
    /// Dataset (CSV) order every epoch.
    case csv
    /// The reference script's order: all label-0 samples, then label 1, then label 2, ..., each
    /// group in dataset order (it reads `u_train/<label>/` folders one label after another).
    case classGrouped = "class-grouped"
    /// A fresh permutation of dataset order every epoch, from a stream keyed by the task and the
    /// epoch, so any worker count gives the same order.
    case shuffle

    public var reportLabel: String {
        switch self {
        case .csv: return "dataset (CSV) order"
        case .classGrouped: return "class-grouped (reference script's order)"
        case .shuffle: return "shuffled per epoch (seeded by task and epoch)"
        }
    }
}

public struct TrainingConfig: Codable, Equatable, Hashable, Sendable {
    public var epochs: Int = 800
    public var batchSize: Int = 256
    public var learningRate: Float = 5e-5
    public var order: TrainingOrder = .csv
    public var loss: LossKind = .crossEntropy
    /// Which generator draws the initial weights (`init_rng`).
    public var initRNG: InitialisationRNG = .splitmix
    /// Which tasks share one set of initial weights (`init_scope`).
    public var initScope: InitialisationScope = .fold

    public init(epochs: Int = 800, batchSize: Int = 256, learningRate: Float = 5e-5,
                order: TrainingOrder = .csv, loss: LossKind = .crossEntropy,
                initRNG: InitialisationRNG = .splitmix, initScope: InitialisationScope = .fold) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.order = order
        self.loss = loss
        self.initRNG = initRNG
        self.initScope = initScope
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "lr", order, loss
        case initRNG = "init_rng", initScope = "init_scope"
    }

    /// Every key optional (defaults above).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        order = try c.decodeIfPresent(TrainingOrder.self, forKey: .order) ?? d.order
        loss = try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? d.loss
        initRNG = try c.decodeIfPresent(InitialisationRNG.self, forKey: .initRNG) ?? d.initRNG
        initScope = try c.decodeIfPresent(InitialisationScope.self, forKey: .initScope) ?? d.initScope
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(order, forKey: .order)
        try c.encode(loss, forKey: .loss)
        try c.encode(initRNG, forKey: .initRNG)
        try c.encode(initScope, forKey: .initScope)
    }

    /// One line for reports and journals: the order and the starting point.
    public var protocolDescription: String {
        "order: \(order.rawValue); init_rng: \(initRNG.rawValue); init_scope: \(initScope.rawValue)"
    }
}

public enum FoldTrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int)
    case badData(String)
    /// `FoldTrainer.shouldStop` asked to stop (a worker leaving on a shutdown or a signal).
    case cancelled(epoch: Int)
    public var description: String {
        switch self {
        case let .cancelled(epoch): return "stopped during epoch \(epoch) on request"
        case let .nonFiniteLoss(epoch, step): return "training diverged: non-finite loss at epoch \(epoch), step \(step)"
        case let .badData(why): return "bad fold data: \(why)"
        }
    }
}
