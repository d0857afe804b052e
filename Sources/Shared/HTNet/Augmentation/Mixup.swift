import Foundation
import Tensor

/// Mixup of one training batch and its loss.
public enum Mixup {
    /// Soft-target cross-entropy over softmax(logits), the mean over the batch:
    /// loss = -(1/B) sum_b sum_c t_bc log softmax(z_b)_c, dLoss/dz_bc = (softmax(z_b)_c - t_bc) / B.
    /// With one-hot targets it equals `SoftmaxCrossEntropy` (PyTorch `CrossEntropyLoss` with
    /// probability targets, reduction 'mean').
    @discardableResult
    public static func softCrossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, batch: Int, classes: Int,
                                        dLogits: UnsafeMutablePointer<Float>?) -> Double {
        var total = 0.0
        for b in 0..<batch {
            let row = logits + b * classes, t = targets + b * classes
            var mx = row[0]
            for j in 1..<classes { mx = max(mx, row[j]) }
            var sum = 0.0
            for j in 0..<classes { sum += exp(Double(row[j] - mx)) }
            let logSum = log(sum) + Double(mx)
            for j in 0..<classes { total -= Double(t[j]) * (Double(row[j]) - logSum) }
            if let d = dLogits {
                for j in 0..<classes {
                    d[b * classes + j] = Float((exp(Double(row[j]) - logSum) - Double(t[j])) / Double(batch))
                }
            }
        }
        return total / Double(batch)
    }

    /// A draw from Beta(alpha, alpha) as X / (X + Y) with X, Y ~ Gamma(alpha, 1) (Marsaglia-Tsang,
    /// with the U^(1/alpha) boost for alpha < 1).
    public static func beta(_ alpha: Double, rng: inout DeterministicRNG) -> Double {
        let x = gamma(alpha, rng: &rng), y = gamma(alpha, rng: &rng)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    static func gamma(_ alpha: Double, rng: inout DeterministicRNG) -> Double {
        if alpha < 1 {
            let u = max(rng.nextUnitDouble(), 1e-300)
            return gamma(alpha + 1, rng: &rng) * pow(u, 1 / alpha)
        }
        let d = alpha - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let z = Double(rng.normal())
            let v0 = 1 + c * z
            if v0 <= 0 { continue }
            let v = v0 * v0 * v0, u = rng.nextUnitDouble()
            if u < 1 - 0.0331 * z * z * z * z || log(max(u, 1e-300)) < 0.5 * z * z + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Mixes `batch` samples in place: sample i becomes lam x_i + (1 - lam) x_perm(i); returns the
    /// soft targets [batch][classes].
    public static func mix(_ images: UnsafeMutablePointer<Float>, labels: [Int], batch: Int, sampleSize: Int, classes: Int,
                           lambda: Float, permutation: [Int]) -> [Float] {
        let original = [Float](UnsafeBufferPointer(start: images, count: batch * sampleSize))
        var targets = [Float](repeating: 0, count: batch * classes)
        for i in 0..<batch {
            let j = permutation[i]
            for k in 0..<sampleSize { images[i * sampleSize + k] = lambda * original[i * sampleSize + k] + (1 - lambda) * original[j * sampleSize + k] }
            targets[i * classes + labels[i]] += lambda
            targets[i * classes + labels[j]] += 1 - lambda
        }
        return targets
    }
}
