/// One lane of `log256_ps` and `sincos256_ps` from avx_mathfun.h (Julien Pommier's port of the
/// Cephes single-precision polynomials), which PyTorch's vectorised `normal_` uses instead of libm.
/// Reproduced as torch's wheel executes them: every multiply that feeds an add is contracted into
/// a fused multiply-add (GCC's -ffp-contract=fast), which changes last bits; the test against
/// torch's own draws (htnet-torch-init-heldout) pins each choice.
enum AVXMathFunctions {
    /// Natural logarithm for x > 0 (denormals are clamped to the smallest normal, as the kernel does).
    static func log(_ input: Float) -> Float {
        var x = max(input, Float(bitPattern: 0x0080_0000))
        let exponent = Int32(bitPattern: x.bitPattern >> 23) - 0x7F
        x = Float(bitPattern: (x.bitPattern & ~0x7F80_0000) | Float(0.5).bitPattern)   // mantissa in [0.5, 1)
        var e = Float(exponent) + 1
        // Below sqrt(1/2): use 2x - 1 and one exponent less, so the polynomial's argument stays small.
        let below = x < 0.707106781186547524
        let tmp: Float = below ? x : 0
        x -= 1
        if below { e -= 1 }
        x += tmp
        let z = x * x
        var y: Float = 7.0376836292e-2
        y = (-1.1514610310e-1 as Float).addingProduct(y, x)
        y = (1.1676998740e-1 as Float).addingProduct(y, x)
        y = (-1.2420140846e-1 as Float).addingProduct(y, x)
        y = (1.4249322787e-1 as Float).addingProduct(y, x)
        y = (-1.6668057665e-1 as Float).addingProduct(y, x)
        y = (2.0000714765e-1 as Float).addingProduct(y, x)
        y = (-2.4999993993e-1 as Float).addingProduct(y, x)
        y = (3.3333331174e-1 as Float).addingProduct(y, x)
        y = y * x
        y = (e * -2.12194440e-4).addingProduct(y, z)
        y = y.addingProduct(z, -0.5)
        x = x + y
        return x.addingProduct(e, 0.693359375)
    }

    /// Sine and cosine together (argument reduction by multiples of pi/4 in three parts).
    static func sincos(_ input: Float) -> (sin: Float, cos: Float) {
        var signSin = input.bitPattern & 0x8000_0000
        var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
        var quadrant = Int32(x * 1.27323954473516)      // truncation, as cvttps
        quadrant = (quadrant + 1) & ~1
        let yq = Float(quadrant)
        let swapSignSin = UInt32(bitPattern: quadrant & 4) << 29
        let usePolySin = (quadrant & 2) == 0
        signSin ^= swapSignSin
        let signCos = UInt32(bitPattern: ~(quadrant &- 2) & 4) << 29

        x = x.addingProduct(yq, -0.78515625)
        x = x.addingProduct(yq, -2.4187564849853515625e-4)
        x = x.addingProduct(yq, -3.77489497744594108e-8)
        let z = x * x

        var c: Float = 2.443315711809948e-5
        c = (-1.388731625493765e-3 as Float).addingProduct(c, z)
        c = (4.166664568298827e-2 as Float).addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z)
        c = c + 1

        var s: Float = -1.9515295891e-4
        s = (8.3321608736e-3 as Float).addingProduct(s, z)
        s = (-1.6666654611e-1 as Float).addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)

        let sinValue = usePolySin ? s : c
        let cosValue = usePolySin ? c : s
        return (Float(bitPattern: sinValue.bitPattern ^ signSin), Float(bitPattern: cosValue.bitPattern ^ signCos))
    }
}
