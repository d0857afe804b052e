/// exp and erf on 8 floats at a time. libm's expf/erff are scalar calls the compiler cannot
/// vectorise, and GELU evaluates them for every hidden unit of every token, forward and backward.
public enum VectorMath {
    public typealias V = SIMD8<Float>

    /// Cephes-style expf: exp(x) = 2^n * exp(r), |r| <= ln2/2, degree-6 polynomial; about 1 ulp.
    @inline(__always)
    public static func exp(_ x0: V) -> V {
        let x = x0.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
        let n: V = (x * V(repeating: 1.44269504088896341)).rounded(.toNearestOrEven)
        let r: V = x - n * V(repeating: 0.693359375) + n * V(repeating: 2.12194440e-4)
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let e: V = p * r * r + r + V(repeating: 1)
        let bits = (SIMD8<Int32>(n) &+ 127) &<< 23
        return e * unsafeBitCast(bits, to: V.self)
    }

    /// erf by Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7), odd-extended.
    @inline(__always)
    public static func erf(_ x: V) -> V {
        let a: V = x.replacing(with: -x, where: x .< 0)
        let one = V(repeating: 1)
        let t: V = one / (one + V(repeating: 0.3275911) * a)
        var p = V(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let y: V = one - p * t * VectorMath.exp(-(a * a))
        return y.replacing(with: -y, where: x .< 0)
    }

    public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }
    public static func erf(_ x: Float) -> Float { erf(V(repeating: x))[0] }
}
