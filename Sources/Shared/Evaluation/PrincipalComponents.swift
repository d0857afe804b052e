import COpenBLAS
import Foundation

/// Projection onto the leading principal components of the centred data. The covariance matrix's
/// eigenvectors come from LAPACK's dsyevd (no random start, so the result is deterministic); each component's sign is fixed so that its largest |coefficient| is
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
    /// matrix, by LAPACK's dsyevd (divide and conquer, from OpenBLAS). A report's embeddings are up to
    /// a thousand wide; the cyclic Jacobi sweeps used before took minutes at that size.
    static func symmetricEigen(_ matrix: [Double], size d: Int) -> (values: [Double], vectors: [Double]) {
        // Row-major symmetric = column-major symmetric; LAPACK returns the eigenvectors as columns of
        // its column-major matrix, i.e. as rows of ours: transpose back.
        var a = matrix
        var w = [Double](repeating: 0, count: d)
        var n = Int32(d), lda = Int32(max(1, d)), info: Int32 = 0
        var lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0, iworkSize: Int32 = 0
        let jobz: CChar = 86 /* V */, uplo: CChar = 85 /* U */
        var jz = jobz, up = uplo
        dsyevd_(&jz, &up, &n, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)
        lwork = Int32(workSize)
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(max(1, lwork)))
        var iwork = [Int32](repeating: 0, count: Int(max(1, liwork)))
        dsyevd_(&jz, &up, &n, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        precondition(info == 0, "dsyevd failed (info \(info)) on a \(d) x \(d) symmetric matrix")
        var vectors = [Double](repeating: 0, count: d * d)
        for c in 0..<d { for r in 0..<d { vectors[r * d + c] = a[c * d + r] } }
        return (w, vectors)
    }
}
