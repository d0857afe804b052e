/// How Adam cuts one model's parameter buffer by learning rate: disjoint ranges with their own
/// multiplier (lr x factor, as a separate torch parameter group would; the metric losses' class
/// vectors), the rest at 1. One rule for AdamOptimizer and StackedAdam, so a model trained alone and
/// the same model in a fold batch are updated over the same segments.
public enum LearningRateSegments {
    public typealias Multipliers = [(range: Range<Int>, factor: Float)]

    /// `multipliers` in buffer order; stops on overlapping ranges or ranges outside the buffer
    /// (a programming error: the ranges come from the model's own layout).
    public static func sorted(_ multipliers: Multipliers, parameterCount: Int) -> Multipliers {
        let sorted = multipliers.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) { precondition(a.range.upperBound <= b.range.lowerBound, "overlapping lr ranges") }
        precondition(sorted.allSatisfy { $0.range.lowerBound >= 0 && $0.range.upperBound <= parameterCount }, "lr range outside the buffer")
        return sorted
    }

    /// The whole buffer of `count` values cut into consecutive ranges, each with its multiplier
    /// (`sorted` multipliers; the gaps between them at 1).
    public static func cut(_ count: Int, by sorted: Multipliers) -> [(Range<Int>, Float)] {
        var out: [(Range<Int>, Float)] = [], at = 0
        for (range, factor) in sorted {
            if at < range.lowerBound { out.append((at..<range.lowerBound, 1)) }
            if !range.isEmpty { out.append((range, factor)) }
            at = range.upperBound
        }
        if at < count { out.append((at..<count, 1)) }
        return out
    }
}
