@testable import Evaluation
import Foundation
import XCTest

/// Exact t-SNE against scikit-learn 1.9.1 on a fixed input, reproduced here from the same formula.
/// Reference values from (numpy 2.4.6, scikit-learn 1.9.1, CPython 3):
///
///     import numpy as np
///     from sklearn.manifold import TSNE, trustworthiness
///     n, d = 120, 8
///     def h(i, k):
///         v = np.sin(12.9898 * (i + 1) + 78.233 * (k + 1)) * 43758.5453
///         return v - np.floor(v)
///     X = np.array([[0.8 * (i % 3 == k % 3) + h(i, k) - 0.5 for k in range(d)] for i in range(n)])
///     t = TSNE(n_components=2, perplexity=30, method="exact", init="pca", random_state=0)
///     Y = t.fit_transform(X)
///     t.kl_divergence_, t.n_iter_              # 0.2272075704350388, 999
///     trustworthiness(X, Y, n_neighbors=5)     # 0.9752232142857142
///     trustworthiness(X, X[:, :2], n_neighbors=5)   # 0.8140625
final class TSNETests: XCTestCase {
    static func input() -> [[Double]] {
        func h(_ i: Int, _ k: Int) -> Double {
            let v = sin(12.9898 * Double(i + 1) + 78.233 * Double(k + 1)) * 43758.5453
            return v - floor(v)
        }
        return (0..<120).map { i in (0..<8).map { k in 0.8 * (i % 3 == k % 3 ? 1 : 0) + h(i, k) - 0.5 } }
    }

    func testTrustworthinessEqualsScikitLearns() {
        let x = Self.input()
        XCTAssertEqual(TSNE.trustworthiness(x, x.map { Array($0.prefix(2)) }, neighbours: 5), 0.8140625, accuracy: 1e-12)
        XCTAssertEqual(TSNE.trustworthiness(x, x, neighbours: 5), 1, accuracy: 1e-12)
    }

    /// Our map reaches scikit-learn's KL divergence (within 10%) and its trustworthiness (within
    /// 0.02); a layout that ignores the input (a fixed spiral) scores far worse on both, so the
    /// check can fail.
    func testExactTSNEMatchesScikitLearnsQuality() {
        let x = Self.input()
        let result = TSNE(perplexity: 30).embed(x)
        XCTAssertEqual(result.perplexity, 30)
        XCTAssertEqual(result.points.count, 120)
        XCTAssertEqual(result.klDivergence, 0.2272075704350388, accuracy: 0.1 * 0.2272075704350388)
        let trust = TSNE.trustworthiness(x, result.points, neighbours: 5)
        XCTAssertEqual(trust, 0.9752232142857142, accuracy: 0.02)
        let spiral = (0..<120).map { i in [Double(i) * cos(Double(i)), Double(i) * sin(Double(i))] }
        XCTAssertLessThan(TSNE.trustworthiness(x, spiral, neighbours: 5), 0.8)
        // Deterministic (PCA initialisation draws nothing).
        XCTAssertEqual(TSNE(perplexity: 30).embed(x).points, result.points)
    }

    /// The eigen-solver behind the PCA (LAPACK dsyevd): a hand-worked 3x3 (eigenvalues 1, 3, 5 with
    /// eigenvectors (1,-1,0)/sqrt2, (1,1,0)/sqrt2, (0,0,1)), and A v = lambda v on a 300-wide matrix.
    func testSymmetricEigenDecomposition() {
        let (values, vectors) = PrincipalComponents.symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], size: 3)
        XCTAssertEqual(values[0], 1, accuracy: 1e-12)
        XCTAssertEqual(values[1], 3, accuracy: 1e-12)
        XCTAssertEqual(values[2], 5, accuracy: 1e-12)
        XCTAssertEqual(abs(vectors[0 * 3 + 1]), 0.5.squareRoot(), accuracy: 1e-12)
        let product: Double = vectors[0] * vectors[3]
        XCTAssertEqual(product, -0.5, accuracy: 1e-12, "(1,-1,0) up to sign")
        XCTAssertEqual(abs(vectors[2 * 3 + 2]), 1, accuracy: 1e-12)
        let d = 300
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let value: Double = sin(Double(i * 31 + j * 17))
                a[i * d + j] = value
                a[j * d + i] = value
            }
        }
        let (w, v) = PrincipalComponents.symmetricEigen(a, size: d)
        for c in [0, 150, 299] {
            for r in stride(from: 0, to: d, by: 37) {
                var av = 0.0
                for k in 0..<d { av += a[r * d + k] * v[k * d + c] }
                let lv: Double = w[c] * v[r * d + c]
                XCTAssertEqual(av, lv, accuracy: 1e-9)
            }
        }
    }

    /// The PCA recovers a known basis: data spread along two orthogonal directions.
    func testPrincipalComponentsFindTheSpreadDirections() {
        let u = [0.6, 0.8, 0, 0], w = [0, 0, 1.0, 0]
        let x = (0..<50).map { i -> [Double] in
            let a = 5 * sin(Double(i)), b = 2 * cos(3 * Double(i))
            return (0..<4).map { a * u[$0] + b * w[$0] + 0.01 * sin(Double(7 * i + $0)) }
        }
        let y = PrincipalComponents.project(x, components: 2)
        let mean = x.reduce([0, 0, 0, 0]) { acc, r in zip(acc, r).map { $0 + $1 / 50 } }
        for i in 0..<50 {
            let c = zip(x[i], mean).map { $0 - $1 }
            XCTAssertEqual(abs(y[i][0]), abs(zip(c, u).map(*).reduce(0, +)), accuracy: 0.02)
            XCTAssertEqual(abs(y[i][1]), abs(zip(c, w).map(*).reduce(0, +)), accuracy: 0.02)
        }
    }

    func testSmallInputsLowerThePerplexity() {
        let x = Array(Self.input().prefix(20))
        let result = TSNE().embed(x)
        XCTAssertEqual(result.perplexity, 19.0 / 3.0, accuracy: 1e-12)
        XCTAssertTrue(result.klDivergence.isFinite)
    }
}
