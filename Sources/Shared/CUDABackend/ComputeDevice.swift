/// Where a worker or a command trains: the CPU engine, or CUDA device N (`--device cpu|cuda[:N]`).
public enum ComputeDevice: Equatable, Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(ordinal: Int)

    /// Parses `cpu`, `cuda` (device 0) or `cuda:N`.
    public init(parsing text: String) throws {
        let t = text.lowercased()
        if t == "cpu" { self = .cpu; return }
        if t == "cuda" { self = .cuda(ordinal: 0); return }
        if t.hasPrefix("cuda:"), let n = Int(t.dropFirst(5)), n >= 0 { self = .cuda(ordinal: n); return }
        throw ComputeDeviceError.unknown(text)
    }

    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case let .cuda(n): return "cuda:\(n)"
        }
    }
}

public enum ComputeDeviceError: Error, CustomStringConvertible {
    case unknown(String)
    public var description: String { "unknown device '\(unknownText)': use cpu, cuda or cuda:N" }
    var unknownText: String { if case let .unknown(t) = self { return t } else { return "" } }
}

/// A `--device` that was understood but cannot be used here (no driver, no such GPU, ...): the
/// flag as given and why, without the usage text a malformed flag gets.
public struct DeviceUnavailable: Error, CustomStringConvertible {
    public var device: String
    public var reason: Error
    public init(device: String, reason: Error) {
        self.device = device
        self.reason = reason
    }
    public var description: String { "--device \(device): \(reason)" }
}
