/// Everything a fold produces. Both the final-epoch and the best-test-epoch logits are kept, so a
/// report can show the gap between the honest rule and the reference protocol.
public struct FoldOutcome: Codable, Equatable, Sendable {
    public var epochs: [EpochRecord]
    /// Test logits after the last epoch, [testCount][numClasses].
    public var finalLogits: [[Float]]
    /// 1-based epoch with the best test accuracy (ties go to the later epoch).
    public var bestTestEpoch: Int
    public var bestTestLogits: [[Float]]
    /// With a validation set: the 1-based epoch with the best validation accuracy (ties to the later
    /// epoch), chosen without the test labels, and the test logits of that epoch. nil without one.
    public var validationEpoch: Int?
    public var validationLogits: [[Float]]?

    public init(epochs: [EpochRecord], finalLogits: [[Float]], bestTestEpoch: Int, bestTestLogits: [[Float]],
                validationEpoch: Int? = nil, validationLogits: [[Float]]? = nil) {
        self.validationEpoch = validationEpoch
        self.validationLogits = validationLogits
        self.epochs = epochs
        self.finalLogits = finalLogits
        self.bestTestEpoch = bestTestEpoch
        self.bestTestLogits = bestTestLogits
    }

    /// The test logits a rule reports; `.validation` without a validation set falls back to the final epoch.
    public func logits(for selection: EpochSelection) -> [[Float]] {
        switch selection {
        case .final: return finalLogits
        case .bestTestEpoch: return bestTestLogits
        case .validation: return validationLogits ?? finalLogits
        }
    }
}
