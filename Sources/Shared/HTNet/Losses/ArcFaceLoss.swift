/// An angle with its unit, so that a margin given in degrees (pytorch-metric-learning's
/// convention, 28.6) and one given in radians (the ArcFace paper's, 0.5) cannot be confused.
public enum AngularMargin: Hashable, Sendable {
    case degrees(Double)
    case radians(Double)
    public var radians: Double {
        switch self {
        case let .degrees(d): return d * .pi / 180
        case let .radians(r): return r
        }
    }
}

/// ArcFace (Deng et al., CVPR 2019), additive angular margin, as pytorch-metric-learning 2.9.0
/// defines it: the target logit is scale * cos(theta + margin) with theta = acos(clamp(cos, -1, 1)),
/// the others scale * cos, then mean softmax cross-entropy. No "easy margin" fallback where
/// theta + margin passes pi (PML has none). Defaults: margin 28.6 degrees (0.4992 rad), scale 64.
///
/// Derivative of the target term: d cos(theta + m) / d cos = sin(theta + m) / sin(theta). At
/// |cos| >= 1 (where acos is not differentiable; torch's clamp passes no gradient beyond it) we
/// take 0.
public struct ArcFaceLoss: MetricLoss {
    public var margin: AngularMargin
    public var scale: Double

    public init(margin: AngularMargin = .degrees(28.6), scale: Double = 64) {
        self.margin = margin
        self.scale = scale
    }

    public var classVectorLayout: ClassVectorLayout { .dimensionMajor }
    public var classVectorName: String { "W" }

    public func evaluate<T: LossScalar>(embeddings: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, dim: Int,
                                        classes: Int, classVectors: UnsafePointer<T>,
                                        dEmbeddings: UnsafeMutablePointer<T>?, dClassVectors: UnsafeMutablePointer<T>?) -> Double {
        let m = T(margin.radians)
        return ScaledMarginSoftmax(scale: scale).evaluate(
            embeddings: embeddings, labels: labels, batch: batch, dim: dim, classes: classes, W: classVectors,
            dEmbeddings: dEmbeddings, dW: dClassVectors,
            f: { c in T.cos(T.acos(min(max(c, -1), 1)) + m) },
            df: { c in
                guard abs(c) < 1 else { return 0 }
                let theta = T.acos(c)
                return T.sin(theta + m) / (1 - c * c).squareRoot()
            })
    }
}
