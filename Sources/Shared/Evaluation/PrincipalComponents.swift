import Foundation

/// Projection onto the leading principal components of the centred data. The covariance matrix's
/// eigenvectors come from cyclic Jacobi rotations (exact to rounding, no random start, so the
/// result is deterministic); each component's sign is fixed so that its largest |coefficient| is
/// positive (scikit-learn's svd_flip convention on the components).
public enum PrincipalComponents {
    public static func project(_ x: [[Double]], components: Int) -> [[Double]] {
        let n = x.count, d = x[0].count
        var mean = [Double](repeating: 0, count: d)
        for row in x { for k in 0..<d { mean[k] += row[k] / Double(n) } }
        let centred = x.map { row in (0..<d).map { row[$0] - mean[$0] } }
        var cov = [Double](repeating: 0, count: d * d)
        for row in centred { for a in 0..<d where row[a] != 0 { for b in 0..<d { cov[a * d + b] += row[a] * row[b] } } }
        let (values, vectors) = symmetricEigen(cov, size: d)
        let order = (0..<d).sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        var basis: [[Double]] = order.prefix(components).map { c in
            var v = (0..<d).map { vectors[$0 * d + c] }
            if let big = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[big] < 0 { v = v.map { -$0 } }
            return v
        }
        while basis.count < components { basis.append([Double](repeating: 0, count: d)) }
        return centred.map { row in basis.map { u in zip(u, row).map(*).reduce(0, +) } }
    }

    /// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric
    /// matrix by cyclic Jacobi sweeps until the off-diagonal mass is below 1e-15 of the total.
    static func symmetricEigen(_ matrix: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        let total = a.map { $0 * $0 }.reduce(0, +)
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<d { for q in (p + 1)..<max(p + 1, d) { off += 2 * a[p * d + q] * a[p * d + q] } }
            if off <= 1e-30 * max(total, .leastNormalMagnitude) { break }
            for p in 0..<d {
                for q in (p + 1)..<max(p + 1, d) where a[p * d + q] != 0 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {   // columns p, q
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {   // rows p, q
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
