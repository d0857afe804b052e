import Tensor

/// Subject-whole folds whose class proportions follow the whole set's: scikit-learn's
/// StratifiedGroupKFold greedy assignment, with our own seeded shuffle.
///
/// Subjects are shuffled (seeded), then stably sorted by the standard deviation of their class
/// counts, largest first (subjects dominated by one class are placed while there is still room to
/// balance them); each goes to the fold that minimises the mean over classes of the standard
/// deviation over folds of (fold's class count / class total), ties (numpy.isclose) to the fold with
/// fewer samples, then the lower fold index. Population standard deviations, as numpy's default.
public enum StratifiedGroupFolds {
    /// Fold index (0..<k) of every group; `labels[i]`, `groups[i]` describe sample i. `shuffle: false`
    /// keeps the sorted group order (scikit-learn's `shuffle=False`, for the reference comparison).
    public static func assign(groups: [String], labels: [Int], k: Int, seedKeys: [UInt64], shuffle: Bool = true) -> [String: Int] {
        let classCount = (labels.max() ?? 0) + 1
        var order: [String] = []
        var counts: [String: [Double]] = [:]
        for (g, y) in zip(groups, labels) {
            if counts[g] == nil { order.append(g); counts[g] = [Double](repeating: 0, count: classCount) }
            counts[g]![y] += 1
        }
        order.sort()
        var rng = DeterministicRNG(keys: seedKeys)
        if shuffle, order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.below(i + 1)) }
        }
        let spread = Dictionary(uniqueKeysWithValues: order.map { ($0, standardDeviation(counts[$0]!)) })
        let sorted = order.enumerated().sorted { a, b in
            spread[a.element]! != spread[b.element]! ? spread[a.element]! > spread[b.element]! : a.offset < b.offset
        }.map(\.element)
        var totals = [Double](repeating: 0, count: classCount)
        for y in labels { totals[y] += 1 }
        var foldCounts = [[Double]](repeating: [Double](repeating: 0, count: classCount), count: k)
        var assignment: [String: Int] = [:]
        for g in sorted {
            let add = counts[g]!
            var best = 0, bestEval = Double.infinity, bestSize = Double.infinity
            for i in 0..<k {
                for c in 0..<classCount { foldCounts[i][c] += add[c] }
                let eval = (0..<classCount).map { c in
                    standardDeviation((0..<k).map { totals[c] > 0 ? foldCounts[$0][c] / totals[c] : 0 })
                }.reduce(0, +) / Double(classCount)
                for c in 0..<classCount { foldCounts[i][c] -= add[c] }
                let size = foldCounts[i].reduce(0, +)
                // numpy.isclose(eval, bestEval): |a - b| <= 1e-8 + 1e-5 |b|.
                let close = bestEval.isFinite && abs(eval - bestEval) <= 1e-8 + 1e-5 * abs(bestEval)
                if eval < bestEval || (close && size < bestSize) {
                    best = i; bestEval = eval; bestSize = size
                }
            }
            for c in 0..<classCount { foldCounts[best][c] += add[c] }
            assignment[g] = best
        }
        return assignment
    }

    static func standardDeviation(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return 0 }
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)).squareRoot()
    }
}
