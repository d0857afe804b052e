import Foundation

/// SplitMix64: a small, fast, well-mixed generator whose whole state is one UInt64, so a stream is
/// fully determined by its seed on every platform and every worker.
public struct DeterministicRNG: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator whose seed is derived from several keys (for example experiment hash, variant,
    /// seed, fold), so a task's random numbers depend on what the task is and not on who runs it.
    public init(keys: [UInt64]) {
        var s: UInt64 = 0x9E37_79B9_7F4A_7C15
        for k in keys { s = DeterministicRNG.mix(s ^ DeterministicRNG.mix(k &+ 0x632B_E59B_D9B4_E019)) }
        state = s
    }

    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return DeterministicRNG.mix(state)
    }

    /// Uniform in [0, 1) with 24 bits of precision (exactly representable in Float).
    @inline(__always)
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    @inline(__always)
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextUnitFloat() }

    /// Standard normal by Box-Muller (one value per call; the pair's second half is discarded so
    /// the stream position never depends on earlier calls' parity).
    public mutating func normal() -> Float {
        var u1 = nextUnitDouble()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextUnitDouble()
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// Integer uniform in 0..<n without modulo bias.
    public mutating func below(_ n: Int) -> Int { Int(UInt64.random(in: 0..<UInt64(n), using: &self)) }
}

/// FNV-1a 64-bit hash of a string: a stable key for RNG streams and experiment identities
/// (Swift's Hasher is randomly seeded per process, so it cannot be used for either).
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}
