import Foundation

/// PyTorch's CPU default generator (`at::CPUGeneratorImpl`, torch 2.x) and the exact way its
/// float32 `uniform_` and `normal_` consume it, so that weights drawn here equal
/// `torch.manual_seed(seed); <construct the model>` bit for bit.
///
/// What it reproduces (ATen's MT19937RNGEngine.h, TransformationHelper.h, DistributionsHelper.h,
/// native/cpu/DistributionTemplates.h and DistributionKernels.cpp):
/// - `manual_seed(s)`: a fresh mt19937 seeded with the low 32 bits of `s` (the standard
///   1812433253 recurrence) and no cached normal value.
/// - `random()`: one 32-bit mt19937 output; `random64()`: two outputs, the first in the high half.
/// - `uniform_(from, to)` on a float tensor: per element, in memory order,
///   x = (random() & (2^24 - 1)) * 2^-24 in float, then x * (to - from) + from in float with one
///   rounding. The kernel is compiled for AVX2/AVX-512 with FMA contraction, so the product and the
///   sum are one fused multiply-add; the fixture (htnet-torch-init) confirms this on every value.
///   `from` and `to` are the Python doubles cast to float first.
/// - `normal_(mean, std)` on a float tensor of fewer than 16 values: per element
///   `normal_distribution<double>`: u1, u2 from `random64()` with 53 bits, r = sqrt(-2 log1p(-u2)),
///   theta = 2 pi u1; returns r cos(theta) and caches r sin(theta), which the next such draw (of
///   any tensor, until the next seed) returns without touching the engine.
/// - `normal_` on a contiguous float tensor of 16 or more values: the vectorised path (`normal_fill`):
///   fill every element with a float uniform in [0, 1), then Box-Muller over blocks of 16
///   (u1 = 1 - data[j], u2 = data[j + 8], j < 8), recomputing the last 16 values from 16 fresh
///   uniforms when the count is not a multiple of 16. The Box-Muller step is the AVX2 kernel's
///   (`normal_fill_16_AVX2`), whose log and sincos are avx_mathfun's polynomials. The cached
///   double normal is neither used nor reset by this path.
public struct TorchGenerator: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var position = 624
    /// `next_double_normal_sample_` of the C++ generator.
    private var cachedNormal: Double?

    /// `torch.manual_seed(seed)`.
    public init(seed: UInt64) {
        state[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<624 {
            let prev = state[j - 1]
            state[j] = 1_812_433_253 &* (prev ^ (prev >> 30)) &+ UInt32(j)
        }
        position = 624
    }

    private mutating func twist() {
        for k in 0..<624 {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % 624] & 0x7FFF_FFFF)
            state[k] = state[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }

    /// One 32-bit output of mt19937.
    public mutating func random() -> UInt32 {
        if position >= 624 { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Two 32-bit outputs, the first one in the high half (`make64BitsFrom32Bits`).
    public mutating func random64() -> UInt64 {
        let hi = UInt64(random()), lo = UInt64(random())
        return (hi << 32) | lo
    }

    /// `uniform_real_distribution<float>(from, to)` for one element.
    @inline(__always)
    mutating func uniformFloat(from: Float, range: Float) -> Float {
        let x = Float(random() & 0xFF_FFFF) * (1.0 / 16_777_216.0)
        return from.addingProduct(x, range)   // one rounding, as the FMA-contracted kernel computes it
    }

    /// `tensor.uniform_(from, to)` on `count` contiguous float32 values.
    public mutating func uniform(_ p: UnsafeMutablePointer<Float>, count: Int, from: Double, to: Double) {
        let lo = Float(from), hi = Float(to)
        let range = hi - lo
        for i in 0..<count { p[i] = uniformFloat(from: lo, range: range) }
    }

    /// `tensor.normal_(mean, std)` (and so `torch.randn`) on `count` contiguous float32 values.
    public mutating func normal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Double = 0, std: Double = 1) {
        if count >= 16 {
            fillNormal16(p, count: count, mean: Float(mean), std: Float(std))
        } else {
            for i in 0..<count { p[i] = Float(normalDouble() * std + mean) }
        }
    }

    /// `normal_distribution<double>(0, 1)` with the generator's cached second value.
    mutating func normalDouble() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = Double(random64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(random64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * Foundation.log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// ATen's `normal_fill` (float, count >= 16).
    private mutating func fillNormal16(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
        for i in 0..<count { p[i] = uniformFloat(from: 0, range: 1) }
        var i = 0
        while i + 16 <= count {
            Self.boxMuller16(p + i, mean: mean, std: std)
            i += 16
        }
        if count % 16 != 0 {
            let tail = p + count - 16
            for j in 0..<16 { tail[j] = uniformFloat(from: 0, range: 1) }
            Self.boxMuller16(tail, mean: mean, std: std)
        }
    }

    /// ATen's `normal_fill_16_AVX2`: radius from the first 8 values, angle from the last 8, with
    /// avx_mathfun's Cephes polynomials (`AVXMathFunctions`) rather than libm, and
    /// n * std + mean as one fused multiply-add.
    private static func boxMuller16(_ d: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        let twoPi = Float(2.0 * Double.pi)
        for j in 0..<8 {
            let u1 = 1 - d[j]
            let u2 = d[j + 8]
            let radius = (-2 * AVXMathFunctions.log(u1)).squareRoot()
            let (sine, cosine) = AVXMathFunctions.sincos(twoPi * u2)
            d[j] = mean.addingProduct(radius * cosine, std)
            d[j + 8] = mean.addingProduct(radius * sine, std)
        }
    }
}
