/// Proxy Anchor loss (Kim et al., CVPR 2020) as pytorch-metric-learning 2.9.0 defines it, with
/// s(i, p) the cosine between embedding i and proxy p, P_p the batch samples of class p and N_p the
/// others:
///
///   L = 1/|P+| sum_{p in P+} log(1 + sum_{i in P_p} exp(-alpha (s(i,p) - margin)))
///     + 1/C    sum_{p}         log(1 + sum_{i in N_p} exp( alpha (s(i,p) + margin)))
///
/// where P+ is the set of proxies with at least one positive in the batch and C the number of
/// classes (PML's DivisorReducer). Proxies are stored [classes, dim] under `proxies`; in training
/// they get their own learning-rate multiplier (100 by the paper's convention, see MetricLossSettings).
public struct ProxyAnchorLoss: MetricLoss {
    public var margin: Double
    public var alpha: Double

    public init(margin: Double = 0.1, alpha: Double = 32) {
        self.margin = margin
        self.alpha = alpha
    }

    public var classVectorLayout: ClassVectorLayout { .classMajor }
    public var classVectorName: String { "proxies" }

    public func evaluate<T: LossScalar>(embeddings: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, dim: Int,
                                        classes: Int, classVectors: UnsafePointer<T>,
                                        dEmbeddings: UnsafeMutablePointer<T>?, dClassVectors: UnsafeMutablePointer<T>?) -> Double {
        let cosine = CosineSimilarity(x: embeddings, w: classVectors, batch: batch, dim: dim, classes: classes, layout: .classMajor)
        let a = T(alpha), m = T(margin)
        var withPositives = 0
        for p in 0..<classes where (0..<batch).contains(where: { labels[$0] == p }) { withPositives += 1 }
        var positiveSum: T = 0, negativeSum: T = 0
        var dCos = [T](repeating: 0, count: batch * classes)
        for p in 0..<classes {
            var posZ: [T] = [], negZ: [T] = []
            for i in 0..<batch {
                let s = cosine.cos[i * classes + p]
                if labels[i] == p { posZ.append(a * (m - s)) } else { negZ.append(a * (s + m)) }
            }
            let pos = logOnePlusSumExp(posZ), neg = logOnePlusSumExp(negZ)
            positiveSum += pos.value
            negativeSum += neg.value
            // d log(1 + sum exp z) / dz_i = exp(z_i - L); dz/ds = -alpha (positives), +alpha (negatives).
            let posScale = withPositives > 0 ? 1 / T(withPositives) : 0, negScale = 1 / T(classes)
            for i in 0..<batch {
                let s = cosine.cos[i * classes + p]
                if labels[i] == p {
                    dCos[i * classes + p] = -a * posScale * T.exp(a * (m - s) - pos.value)
                } else {
                    dCos[i * classes + p] = a * negScale * T.exp(a * (s + m) - neg.value)
                }
            }
        }
        let loss = (withPositives > 0 ? positiveSum / T(withPositives) : 0) + negativeSum / T(classes)
        if dEmbeddings != nil || dClassVectors != nil {
            cosine.backward(dCos: dCos, dx: dEmbeddings, dw: dClassVectors)
        }
        return Double(loss)
    }
}
