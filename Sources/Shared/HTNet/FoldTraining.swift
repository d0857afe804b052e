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

/// How the reported predictions of a fold are chosen among its epochs.
public enum EpochSelection: String, Codable, Sendable, CaseIterable {
    /// The last epoch: an honest rule, the default.
    case final
    /// The epoch with the best test accuracy (ties to the later epoch), as the reference code does.
    /// It reads the test labels, so it is optimistic; reports say so.
    case bestTestEpoch = "best-test-epoch"

    public var reportLabel: String {
        switch self {
        case .final: return "final epoch"
        case .bestTestEpoch: return "best-test-epoch (reference protocol, optimistic)"
        }
    }
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

/// One epoch of a fold's training curve.
public struct EpochRecord: Codable, Equatable, Sendable {
    public var epoch: Int          // 1-based
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double,
                testAccuracy: Double, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.seconds = seconds
    }
}

/// Everything a fold produces. Both the final-epoch and the best-test-epoch logits are kept, so a
/// report can show the gap between the honest rule and the reference protocol.
public struct FoldOutcome: Codable, Equatable, Sendable {
    public var epochs: [EpochRecord]
    /// Test logits after the last epoch, [testCount][numClasses].
    public var finalLogits: [[Float]]
    /// 1-based epoch with the best test accuracy (ties go to the later epoch).
    public var bestTestEpoch: Int
    public var bestTestLogits: [[Float]]

    public init(epochs: [EpochRecord], finalLogits: [[Float]], bestTestEpoch: Int, bestTestLogits: [[Float]]) {
        self.epochs = epochs
        self.finalLogits = finalLogits
        self.bestTestEpoch = bestTestEpoch
        self.bestTestLogits = bestTestLogits
    }

    public func logits(for selection: EpochSelection) -> [[Float]] {
        selection == .final ? finalLogits : bestTestLogits
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
