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
