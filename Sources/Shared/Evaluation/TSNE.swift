import Foundation

/// Exact t-SNE (van der Maaten and Hinton 2008) as scikit-learn's `TSNE(method="exact")` runs it,
/// in float64: squared Euclidean input distances; per-point Gaussian bandwidths by binary search
/// to the perplexity (natural-log entropy, tolerance 1e-5, at most 100 steps); P = (P_cond +
/// P_cond^T) / (2N), floored at 2.2e-16; Student-t (1 degree of freedom) output kernel;
/// PCA initialisation scaled to standard deviation 1e-4 in the first coordinate; gradient descent
/// with gains (+0.2 / x0.8, floor 0.01), learning rate max(N / 12 / 4, 50), early exaggeration 12
/// with momentum 0.5 for 250 iterations, then momentum 0.8 up to `iterations` in all, stopping
/// early like scikit-learn (no progress in 300 iterations, checked every 50, or gradient norm
/// below 1e-7).
///
/// Deterministic: with PCA initialisation (exact, by Jacobi rotations) nothing is drawn at random,
/// so the same input gives the same map on any machine or worker count; there is no seed to set.
public struct TSNE {
    public var perplexity: Double = 30
    public var iterations: Int = 1000
    public var earlyExaggeration: Double = 12

    public init(perplexity: Double = 30, iterations: Int = 1000) {
        self.perplexity = perplexity
        self.iterations = iterations
    }

    public struct Result {
        /// [n][2]
        public var points: [[Double]]
        /// KL(P || Q) at the final layout.
        public var klDivergence: Double
        /// The perplexity used: the requested one, lowered to (n - 1) / 3 for small inputs.
        public var perplexity: Double
        public var iterations: Int
    }

    static let machineEpsilon = Double.ulpOfOne

    /// The perplexity a set of `n` points gets: scikit-learn refuses perplexity >= n; we lower it
    /// to (n - 1) / 3 so every point keeps about 3 x perplexity neighbours in range.
    public func effectivePerplexity(_ n: Int) -> Double { min(perplexity, max(1, Double(n - 1) / 3)) }

    public func embed(_ x: [[Double]]) -> Result {
        let n = x.count
        precondition(n >= 2, "t-SNE needs at least 2 points")
        let perp = effectivePerplexity(n)
        let p = Self.jointProbabilities(x, perplexity: perp)
        var y = PrincipalComponents.project(x, components: 2)
        let sd = Self.standardDeviation(y.map { $0[0] })
        let factor = sd > 0 ? 1e-4 / sd : 1
        var params = [Double](repeating: 0, count: n * 2)
        for i in 0..<n { params[2 * i] = y[i][0] * factor; params[2 * i + 1] = y[i][1] * factor }
        let learningRate = max(Double(n) / earlyExaggeration / 4, 50)
        let exaggerated = p.map { $0 * earlyExaggeration }
        let exploration = min(250, iterations)
        var (kl, it) = Self.descend(&params, p: exaggerated, n: n, from: 0, to: exploration, momentum: 0.5,
                                    learningRate: learningRate, patience: 250)
        if it < exploration || iterations > exploration {
            (kl, it) = Self.descend(&params, p: p, n: n, from: it + 1, to: iterations, momentum: 0.8,
                                    learningRate: learningRate, patience: 300)
        }
        y = (0..<n).map { [params[2 * $0], params[2 * $0 + 1]] }
        return Result(points: y, klDivergence: Self.objective(params, p: p, n: n, gradient: nil), perplexity: perp, iterations: it + 1)
    }

    /// Symmetric joint probabilities, [n * n] row-major, diagonal 0 (floored entries elsewhere).
    static func jointProbabilities(_ x: [[Double]], perplexity: Double) -> [Double] {
        let n = x.count
        var d = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {
            var s = 0.0
            for k in x[i].indices { let t = x[i][k] - x[j][k]; s += t * t }
            d[i * n + j] = s; d[j * n + i] = s
        } }
        var conditional = [Double](repeating: 0, count: n * n)
        let target = Foundation.log(perplexity)
        for i in 0..<n {
            var beta = 1.0, lo = -Double.infinity, hi = Double.infinity
            for _ in 0..<100 {
                var sum = 0.0
                for j in 0..<n where j != i { let v = Foundation.exp(-d[i * n + j] * beta); conditional[i * n + j] = v; sum += v }
                if sum == 0 { sum = 1e-8 }   // scikit-learn's EPSILON_DBL
                var weighted = 0.0
                for j in 0..<n where j != i { conditional[i * n + j] /= sum; weighted += d[i * n + j] * conditional[i * n + j] }
                let entropy = Foundation.log(sum) + beta * weighted
                let diff = entropy - target
                if abs(diff) <= 1e-5 { break }
                if diff > 0 {
                    lo = beta
                    beta = hi == .infinity ? beta * 2 : (beta + hi) / 2
                } else {
                    hi = beta
                    beta = lo == -.infinity ? beta / 2 : (beta + lo) / 2
                }
            }
        }
        var p = [Double](repeating: 0, count: n * n)
        var total = 0.0
        for i in 0..<n { for j in 0..<n where j != i { p[i * n + j] = conditional[i * n + j] + conditional[j * n + i]; total += p[i * n + j] } }
        total = max(total, machineEpsilon)
        for i in 0..<n { for j in 0..<n where j != i { p[i * n + j] = max(p[i * n + j] / total, machineEpsilon) } }
        return p
    }

    /// KL(P || Q) for the layout `params` [n * 2]; writes its gradient when asked.
    static func objective(_ params: [Double], p: [Double], n: Int, gradient: UnsafeMutablePointer<Double>?) -> Double {
        var w = [Double](repeating: 0, count: n * n)
        var sum = 0.0
        for i in 0..<n { for j in (i + 1)..<max(i + 1, n) {
            let dx = params[2 * i] - params[2 * j], dy = params[2 * i + 1] - params[2 * j + 1]
            let v = 1 / (1 + dx * dx + dy * dy)
            w[i * n + j] = v; w[j * n + i] = v
            sum += 2 * v
        } }
        var kl = 0.0
        if let gradient { gradient.update(repeating: 0, count: 2 * n) }
        for i in 0..<n { for j in 0..<n where j != i {
            let q = max(w[i * n + j] / sum, machineEpsilon)
            let pij = p[i * n + j]
            kl += pij * Foundation.log(max(pij, machineEpsilon) / q)
            if let gradient {
                let m = 4 * (pij - q) * w[i * n + j]
                gradient[2 * i] += m * (params[2 * i] - params[2 * j])
                gradient[2 * i + 1] += m * (params[2 * i + 1] - params[2 * j + 1])
            }
        } }
        return kl
    }

    /// scikit-learn's _gradient_descent; returns the last error and the last iteration index.
    static func descend(_ params: inout [Double], p: [Double], n: Int, from start: Int, to end: Int, momentum: Double,
                        learningRate: Double, patience: Int) -> (Double, Int) {
        var update = [Double](repeating: 0, count: 2 * n), gains = [Double](repeating: 1, count: 2 * n)
        var grad = [Double](repeating: 0, count: 2 * n)
        var error = Double.greatestFiniteMagnitude, best = Double.greatestFiniteMagnitude
        var bestIteration = start, i = start
        while i < end {
            error = grad.withUnsafeMutableBufferPointer { objective(params, p: p, n: n, gradient: $0.baseAddress!) }
            for k in 0..<(2 * n) {
                if update[k] * grad[k] < 0 { gains[k] += 0.2 } else { gains[k] *= 0.8 }
                gains[k] = max(gains[k], 0.01)
                grad[k] *= gains[k]
                update[k] = momentum * update[k] - learningRate * grad[k]
                params[k] += update[k]
            }
            if (i + 1) % 50 == 0 {
                if error < best { best = error; bestIteration = i } else if i - bestIteration > patience { break }
                if grad.map { $0 * $0 }.reduce(0, +).squareRoot() <= 1e-7 { break }
            }
            i += 1
        }
        return (error, min(i, end - 1))
    }

    static func standardDeviation(_ v: [Double]) -> Double {
        let mean = v.reduce(0, +) / Double(v.count)
        return (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
    }

    /// scikit-learn's `trustworthiness(X, Y, n_neighbors=k)`: 1 - 2 / (n k (2n - 3k - 1)) x the sum,
    /// over each point's k nearest neighbours in Y, of max(0, rank in X - k) (ranks from 1, by
    /// Euclidean distance, ties by index).
    public static func trustworthiness(_ x: [[Double]], _ y: [[Double]], neighbours k: Int = 5) -> Double {
        let n = x.count
        precondition(y.count == n && k < n / 2, "trustworthiness needs k < n / 2")
        func order(_ points: [[Double]], _ i: Int) -> [Int] {
            let d = points.indices.map { j -> Double in
                j == i ? .infinity : zip(points[i], points[j]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }
            return points.indices.sorted { d[$0] != d[$1] ? d[$0] < d[$1] : $0 < $1 }
        }
        var penalty = 0.0
        for i in 0..<n {
            var rank = [Int](repeating: 0, count: n)
            for (r, j) in order(x, i).enumerated() { rank[j] = r + 1 }
            for j in order(y, i).prefix(k) where rank[j] > k { penalty += Double(rank[j] - k) }
        }
        return 1 - penalty * 2 / (Double(n * k) * (2 * Double(n) - 3 * Double(k) - 1))
    }
}
