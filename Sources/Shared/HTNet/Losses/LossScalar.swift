import Foundation

/// The element types the losses run in: Float for training (the model's embeddings and class
/// vectors are float32), Double for checks against the float64 reference fixture.
public protocol LossScalar: BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func acos(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
}

extension Float: LossScalar {
    public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    public static func acos(_ x: Float) -> Float { Foundation.acosf(x) }
    public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
}

extension Double: LossScalar {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func acos(_ x: Double) -> Double { Foundation.acos(x) }
    public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
}

/// log(1 + sum_i exp(z_i)) over the given values, shifted by max(0, max z) so that large
/// exponents (alpha 32 times a cosine) cannot overflow. Returns the value and the shift.
@inline(__always)
func logOnePlusSumExp<T: LossScalar>(_ z: [T]) -> (value: T, shift: T) {
    var m: T = 0
    for v in z where v > m { m = v }
    var s = T.exp(-m)
    for v in z { s += T.exp(v - m) }
    return (m + T.log(s), m)
}
