import Tensor
import XCTest

final class BLASTests: XCTestCase {
    /// Every transpose combination, with shapes that cut C into several row blocks and several
    /// column blocks, against a plain triple loop in Double.
    func testBlockedGemmMatchesNaiveProduct() {
        var rng = DeterministicRNG(seed: 21)
        for (m, n, k) in [(600, 70, 33), (50, 530, 47), (257, 256, 9), (3, 5, 700), (40, 24, 2500)] {
            for ta in [BLAS.Transpose.none, .transpose] {
                for tb in [BLAS.Transpose.none, .transpose] {
                    let a = (0..<(m * k)).map { _ in rng.normal() }, b = (0..<(k * n)).map { _ in rng.normal() }
                    let c0 = (0..<(m * n)).map { _ in rng.normal() }
                    var c = c0
                    let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
                    BLAS.setThreads(2)
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        BLAS.gemm(ta, tb, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                  beta: 1, c: cp.baseAddress!, ldc: n)
                    } } }
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var s = 0.0
                            for p in 0..<k {
                                let av = ta == .none ? a[i * k + p] : a[p * m + i]
                                let bv = tb == .none ? b[p * n + j] : b[j * k + p]
                                s += Double(av) * Double(bv)
                            }
                            worst = max(worst, abs(Double(c[i * n + j]) - (Double(c0[i * n + j]) + 0.5 * s)))
                        }
                    }
                    XCTAssertLessThan(worst, 1e-4 * Double(k).squareRoot(), "m \(m) n \(n) k \(k) \(ta) \(tb)")
                }
            }
        }
        BLAS.setThreads(1)
    }

    /// The same product with 1, 2 and 3 threads gives the same bits (OpenBLAS's own threading does
    /// not: its threaded driver blocks K differently for k > 448 with the SkylakeX kernels).
    func testGemmBitsDoNotDependOnThreadCount() {
        var rng = DeterministicRNG(seed: 4)
        for (m, n, k) in [(656, 192, 656), (192, 64, 4096)] {   // cut into row blocks; cut along K
        let a = (0..<(m * k)).map { _ in rng.normal() }, b = (0..<(k * n)).map { _ in rng.normal() }
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            BLAS.setThreads(threads)
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                BLAS.gemm(.transpose, .none, m: m, n: n, k: k, a: ap.baseAddress!, lda: m, b: bp.baseAddress!, ldb: n,
                          beta: 0, c: cp.baseAddress!, ldc: n)
            } } }
            results.append(c)
        }
        BLAS.setThreads(1)
        XCTAssertEqual(results[0], results[1], "m \(m) n \(n) k \(k)")
        XCTAssertEqual(results[0], results[2], "m \(m) n \(n) k \(k)")
        }
    }
}
