/// What sits on HTNet's pooled, LayerNormed top feature, and so which parameters the buffer holds
/// after mlp_head.0.
public enum ModelHead: Hashable, Sendable {
    /// mlp_head.2, Linear(top channels -> classes): logits for cross-entropy (the reference model).
    case classifier
    /// The embedding for a metric loss: the pooled feature itself, or a linear projection of it to
    /// `embeddingSize` dimensions (embedding.projection.*), plus the loss's class vectors
    /// (loss.proxies [classes, E] or loss.W [E, classes], pytorch-metric-learning's names and
    /// layouts), so that checkpoints carry them.
    case metric(embeddingSize: Int?, classVectors: ClassVectorLayout)

    public static let projectionWeightName = "embedding.projection.weight"
    public static let projectionBiasName = "embedding.projection.bias"

    /// The class vectors' parameter name in the model buffer and checkpoints.
    public static func classVectorName(_ layout: ClassVectorLayout) -> String {
        layout == .classMajor ? "loss.proxies" : "loss.W"
    }

    public var isMetric: Bool { if case .metric = self { return true } else { return false } }

    /// Width of the embedding: the projection's size, or the top level's channels.
    public func embeddingWidth(_ c: HTNetConfig) -> Int {
        if case let .metric(size?, _) = self { return size }
        return c.topChannels
    }
}
