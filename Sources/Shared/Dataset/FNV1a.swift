/// FNV-1a 64-bit over bytes: a stable fingerprint for manifests and the feature cache's checksum.
/// Not cryptographic; it detects accidents (a flipped byte, a different file), which is the job.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    public mutating func update(floats: [Float]) {
        floats.withUnsafeBytes { update($0) }
    }

    /// Sixteen lowercase hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var h = FNV1a()
        h.update(bytes)
        return h.hex
    }
}
