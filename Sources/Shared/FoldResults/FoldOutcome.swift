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
