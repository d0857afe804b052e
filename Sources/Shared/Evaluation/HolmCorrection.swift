/// Holm's step-down adjustment for a family of m p-values (statsmodels
/// `multipletests(p, method='holm')[1]`): sort ascending, adjusted p_(i) = max over j <= i of
/// min(1, (m - j + 1) p_(j)). It controls the family-wise error rate without assuming independence.
/// nil entries (tests that could not run) are left out of the family and stay nil.
public enum HolmCorrection {
    public static func adjust(_ p: [Double?]) -> [Double?] {
        let present = p.indices.filter { p[$0] != nil }.sorted { p[$0]! < p[$1]! }
        let m = present.count
        var adjusted = [Double?](repeating: nil, count: p.count)
        var running = 0.0
        for (rank, index) in present.enumerated() {
            running = max(running, min(1, Double(m - rank) * p[index]!))
            adjusted[index] = running
        }
        return adjusted
    }
}
