import Foundation

/// Failures of the distributed run that a user must read: each names what failed and what to do.
public enum ClusterError: Error, CustomStringConvertible, Equatable {
    case mpi(String)
    /// A message whose header is not ours (wrong magic, truncated, unknown kind).
    case malformedMessage(String)
    /// The two sides were built from different protocol versions.
    case protocolMismatch(theirs: UInt16, ours: UInt16)
    case journal(String)
    case outDirectory(String)
    case dataset(String)
    /// A message over what one MPI message carries (`MPICommunicator.maximumMessageBytes`).
    case messageTooLarge(bytes: Int, destination: Int)

    public var description: String {
        switch self {
        case let .mpi(why): return "MPI: \(why)"
        case let .malformedMessage(why): return "malformed message: \(why)"
        case let .protocolMismatch(theirs, ours):
            return "protocol version mismatch: the peer speaks version \(theirs), this program speaks version \(ours); "
                + "build the coordinator and the workers from the same source"
        case let .journal(why): return why
        case let .outDirectory(why): return why
        case let .dataset(why): return why
        case let .messageTooLarge(bytes, destination):
            return "a message of \(bytes >> 20) MiB for rank \(destination) is over the \(MPICommunicator.maximumMessageBytes >> 20) MiB one MPI message carries (its count is a 32-bit int)"
        }
    }
}

/// Versions that travel with every message and every journal.
public enum ClusterVersion {
    /// Bumped whenever a message's layout changes; peers of different versions refuse each other.
    /// LOSOTRAINER_WIRE_PROTOCOL (tests only) makes a process speak another version, to check refusal.
    public static let wireProtocol: UInt16 = {
        if let text = ProcessInfo.processInfo.environment["LOSOTRAINER_WIRE_PROTOCOL"], let v = UInt16(text) { return v }
        return 9   // 2: assignments carry their starting weights (init_rng / init_scope); 3: heartbeats; 4: results carry test embeddings and noisy-input scores; 5: fold states (setup cadence, uploads, resumed assignments); 6: validation indices and the validation-selected epoch; 7: assignments carry a DDAMFN shape (model.arch); 8: ready carries the worker's device and bundle capacity, bundles of assignments, results carry the device; 9: returned weights of the validation-selected epoch (ReturnedWeights.finalAndValidation)
    }()
    /// The program's version, journalled and shown in reports.
    public static let software = "0.1.0"
}
