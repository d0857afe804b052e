import ArgumentParser

/// Range checks for numeric command-line flags, so that `--epochs 0` or `--batch -3` fail with a
/// message naming the flag, the value and the allowed range instead of being silently clamped.
public enum NumericFlag {
    /// `value >= minimum` (integers).
    public static func atLeast<T: BinaryInteger>(_ value: T, _ minimum: T, flag: String) throws {
        guard value >= minimum else { throw ValidationError("\(flag) must be at least \(minimum) (got \(value))") }
    }

    /// An optional integer flag: checked only when given.
    public static func atLeast<T: BinaryInteger>(_ value: T?, _ minimum: T, flag: String) throws {
        if let value { try atLeast(value, minimum, flag: flag) }
    }

    /// A finite real strictly above `minimum` (learning rates, scales, seconds).
    public static func above<T: BinaryFloatingPoint>(_ value: T, _ minimum: T, flag: String) throws {
        guard value.isFinite, value > minimum else {
            throw ValidationError("\(flag) must be a finite number above \(minimum) (got \(value))")
        }
    }

    /// A finite real in the open interval (lower, upper).
    public static func between<T: BinaryFloatingPoint>(_ value: T, _ lower: T, _ upper: T, flag: String) throws {
        guard value.isFinite, value > lower, value < upper else {
            throw ValidationError("\(flag) must be a finite number between \(lower) and \(upper), exclusive (got \(value))")
        }
    }

    /// One of the listed integers.
    public static func oneOf<T: BinaryInteger>(_ value: T, _ allowed: [T], flag: String) throws {
        guard allowed.contains(value) else {
            throw ValidationError("\(flag) must be one of \(allowed.map { "\($0)" }.joined(separator: ", ")) (got \(value))")
        }
    }
}
