/// The part ArcFace and CosFace share (pytorch-metric-learning's LargeMarginSoftmaxLoss with its
/// `scale_logits` overridden): logits_bj = scale * cos(x_b, W_j) for j != y_b and
/// scale * f(cos(x_b, W_y)) for the target class, then the mean over the batch of softmax
/// cross-entropy. W is stored [dim, classes] under `W`. `f` is the target-cosine margin and `df` its
/// derivative.
struct ScaledMarginSoftmax {
    let scale: Double

    func evaluate<T: LossScalar>(embeddings: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, dim: Int,
                                 classes: Int, W: UnsafePointer<T>,
                                 dEmbeddings: UnsafeMutablePointer<T>?, dW: UnsafeMutablePointer<T>?,
                                 f: (T) -> T, df: (T) -> T) -> Double {
        let cosine = CosineSimilarity(x: embeddings, w: W, batch: batch, dim: dim, classes: classes, layout: .dimensionMajor)
        let s = T(scale)
        var total: T = 0
        var dCos = [T](repeating: 0, count: batch * classes)
        var logits = [T](repeating: 0, count: classes)
        for b in 0..<batch {
            let y = labels[b]
            for j in 0..<classes {
                let c = cosine.cos[b * classes + j]
                logits[j] = s * (j == y ? f(c) : c)
            }
            var mx = logits[0]
            for j in 1..<classes where logits[j] > mx { mx = logits[j] }
            var sum: T = 0
            for j in 0..<classes { sum += T.exp(logits[j] - mx) }
            let logSum = mx + T.log(sum)
            total += logSum - logits[y]
            // dL/dlogit_j = (softmax_j - [j == y]) / batch; dlogit/dcos = scale (times f' for the target).
            for j in 0..<classes {
                var d = T.exp(logits[j] - logSum)
                if j == y { d -= 1 }
                d = d * s / T(batch)
                dCos[b * classes + j] = j == y ? d * df(cosine.cos[b * classes + j]) : d
            }
        }
        if dEmbeddings != nil || dW != nil {
            cosine.backward(dCos: dCos, dx: dEmbeddings, dw: dW)
        }
        return Double(total / T(batch))
    }
}
