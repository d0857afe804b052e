/// An input signal-to-noise ratio in dB for the robustness evaluation. +inf (the clean inputs) is
/// written "inf" in experiment files and JSON, which have no number for it.
public struct SNRLevel: Codable, Hashable, Sendable, CustomStringConvertible {
    public var decibels: Double

    public init(_ decibels: Double) { self.decibels = decibels }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) {
            guard d.isFinite else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "an SNR must be a number of dB or \"inf\"") }
            decibels = d
        } else if let s = try? c.decode(String.self), ["inf", "+inf", ".inf", "infinity"].contains(s.lowercased()) {
            decibels = .infinity
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an SNR must be a number of dB or \"inf\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if decibels.isFinite { try c.encode(decibels) } else { try c.encode("inf") }
    }

    public var description: String { decibels.isFinite ? String(format: "%g dB", decibels) : "inf" }

    /// The study's levels: clean, then 30, 20, 10, 5 and 0 dB.
    public static let defaultLevels: [SNRLevel] = InputNoise.defaultLevels.map(SNRLevel.init)
}
