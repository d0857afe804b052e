import Foundation

/// Mean cross-entropy over the batch, -log softmax(logits)[label] (softmax in float64), and its
/// gradient (softmax - onehot) / B.
public enum CrossEntropy {
    public static func evaluate(logits: UnsafePointer<Float>, labels: [Int], classes: Int,
                                dLogits: UnsafeMutablePointer<Float>?) -> Double {
        let batch = labels.count
        var total = 0.0
        for b in 0..<batch {
            let row = logits + b * classes
            var top = -Double.infinity
            for j in 0..<classes { top = max(top, Double(row[j])) }
            var sum = 0.0
            for j in 0..<classes { sum += Foundation.exp(Double(row[j]) - top) }
            let logSum = Foundation.log(sum) + top
            total += logSum - Double(row[labels[b]])
            if let d = dLogits {
                for j in 0..<classes {
                    let p = Foundation.exp(Double(row[j]) - logSum)
                    d[b * classes + j] = Float((p - (j == labels[b] ? 1 : 0)) / Double(batch))
                }
            }
        }
        return total / Double(batch)
    }
}

/// The attention-diversity term of DDAMFN's loss: S = sum over head pairs i < j of
/// mean((A_i - A_j)^2) over all B x C x H x W elements; L_att = P / (S + eps) with P = h(h-1)/2
/// pairs and eps = 2.220446049250313e-16 (the reference's float64 epsilon); 0 for a single head.
/// It falls as the heads' maps differ more. Sums in float64.
public enum AttentionDiversityLoss {
    public static let eps = 2.220446049250313e-16

    /// Returns L_att; adds weight x dL_att/dA_i into dMaps[i] when given:
    /// dL/dA_i = -P / (S + eps)^2 x sum over j != i of 2 (A_i - A_j) / n.
    public static func evaluate(maps: [UnsafePointer<Float>], elements n: Int, weight: Float = 1,
                                dMaps: [UnsafeMutablePointer<Float>]?) -> Double {
        let h = maps.count
        if h < 2 { return 0 }
        let pairs = Double(h * (h - 1) / 2)
        var s = 0.0
        for i in 0..<h {
            for j in (i + 1)..<h {
                var sum = 0.0
                let a = maps[i], b = maps[j]
                for e in 0..<n { let d = Double(a[e]) - Double(b[e]); sum += d * d }
                s += sum / Double(n)
            }
        }
        let loss = pairs / (s + eps)
        if let dMaps {
            let scale = Float(Double(weight) * -pairs / ((s + eps) * (s + eps)) * 2 / Double(n))
            for i in 0..<h {
                let d = dMaps[i], a = maps[i]
                for j in 0..<h where j != i {
                    let b = maps[j]
                    for e in 0..<n { d[e] += scale * (a[e] - b[e]) }
                }
            }
        }
        return loss
    }
}
