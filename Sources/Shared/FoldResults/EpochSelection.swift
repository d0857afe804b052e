/// How the reported predictions of a fold are chosen among its epochs.
public enum EpochSelection: String, Codable, Sendable, CaseIterable {
    /// The last epoch: an honest rule, the default.
    case final
    /// The epoch with the best test accuracy (ties to the later epoch), as the reference code does.
    /// It reads the test labels, so it is optimistic; reports say so.
    case bestTestEpoch = "best-test-epoch"
    /// The epoch with the best accuracy on an inner validation split of the training subjects (ties to
    /// the later epoch). The test fold is never read to choose it: an honest rule that still picks
    /// an epoch.
    case validation

    public var reportLabel: String {
        switch self {
        case .final: return "final epoch"
        case .bestTestEpoch: return "best-test-epoch (reference protocol, optimistic)"
        case .validation: return "validation-selected epoch"
        }
    }
}
