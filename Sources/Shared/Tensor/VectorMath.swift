/// exp and erf written with plain float arithmetic and bit casts, no libm calls, so that loops over
/// them (GELU over every hidden unit, forward and backward) are vectorised by the compiler.
/// libm's expf/erff are opaque calls and cost more than the sgemms around them at small widths.
public enum VectorMath {
    /// Cephes-style expf: exp(x) = 2^n * exp(r), |r| <= ln2/2, degree-6 polynomial; within a few
    /// float ulps. n is found with the 1.5 * 2^23 rounding trick, which also yields its bits.
    @inlinable @inline(__always)
    public static func exp(_ x0: Float) -> Float {
        let x = Swift.min(Swift.max(x0, -87.3), 88.3)
        let t = x * 1.44269504088896341 + 12_582_912
        let n = t - 12_582_912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let e = p * r * r + r + 1
        let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return e * scale
    }

    /// erf by Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7), odd-extended.
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = 1 / (1 + 0.3275911 * a)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y = 1 - p * t * exp(-a * a)
        return x < 0 ? -y : y
    }
}
