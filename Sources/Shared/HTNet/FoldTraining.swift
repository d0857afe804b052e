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

public struct TrainingConfig: Codable, Equatable, Hashable, Sendable {
    public var epochs: Int = 800
    public var batchSize: Int = 256
    public var learningRate: Float = 5e-5
    /// The reference trains in dataset order; shuffling (seeded per task) is an option.
    public var shuffle: Bool = false
    public var loss: LossKind = .crossEntropy

    public init(epochs: Int = 800, batchSize: Int = 256, learningRate: Float = 5e-5,
                shuffle: Bool = false, loss: LossKind = .crossEntropy) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.shuffle = shuffle
        self.loss = loss
    }

    enum CodingKeys: String, CodingKey { case epochs, batchSize = "batch_size", learningRate = "lr", shuffle, loss }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        shuffle = try c.decodeIfPresent(Bool.self, forKey: .shuffle) ?? d.shuffle
        loss = try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? d.loss
    }
}

public enum FoldTrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int)
    case badData(String)
    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, step): return "training diverged: non-finite loss at epoch \(epoch), step \(step)"
        case let .badData(why): return "bad fold data: \(why)"
        }
    }
}
