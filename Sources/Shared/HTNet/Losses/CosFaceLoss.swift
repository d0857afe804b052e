/// CosFace / large-margin cosine loss (Wang et al., CVPR 2018) as pytorch-metric-learning 2.9.0
/// defines it: the target logit is scale * (cos - margin), the others scale * cos, then mean softmax
/// cross-entropy. The margin is on the cosine (unitless). Defaults: margin 0.35, scale 64.
public struct CosFaceLoss: MetricLoss {
    public var margin: Double
    public var scale: Double

    public init(margin: Double = 0.35, scale: Double = 64) {
        self.margin = margin
        self.scale = scale
    }

    public var classVectorLayout: ClassVectorLayout { .dimensionMajor }
    public var classVectorName: String { "W" }

    public func evaluate<T: LossScalar>(embeddings: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, dim: Int,
                                        classes: Int, classVectors: UnsafePointer<T>,
                                        dEmbeddings: UnsafeMutablePointer<T>?, dClassVectors: UnsafeMutablePointer<T>?) -> Double {
        let m = T(margin)
        return ScaledMarginSoftmax(scale: scale).evaluate(
            embeddings: embeddings, labels: labels, batch: batch, dim: dim, classes: classes, W: classVectors,
            dEmbeddings: dEmbeddings, dW: dClassVectors, f: { $0 - m }, df: { _ in 1 })
    }
}
