/// A loss on embeddings and one learned vector per class, with explicit forward and backward in
/// one call (the loss needs nothing from the model but these two tensors).
public protocol MetricLoss: Sendable {
    /// How `classVectors` is laid out ([classes, dim] or [dim, classes]).
    var classVectorLayout: ClassVectorLayout { get }
    /// The class vectors' name in checkpoints, as pytorch-metric-learning's state_dict calls them.
    var classVectorName: String { get }

    /// Returns the loss of embeddings [batch, dim] with `labels`; writes dLoss/dembeddings
    /// [batch, dim] and dLoss/dclassVectors (stored layout) where given (overwritten, not added).
    func evaluate<T: LossScalar>(embeddings: UnsafePointer<T>, labels: UnsafePointer<Int>, batch: Int, dim: Int,
                                 classes: Int, classVectors: UnsafePointer<T>,
                                 dEmbeddings: UnsafeMutablePointer<T>?, dClassVectors: UnsafeMutablePointer<T>?) -> Double
}

extension MetricLoss {
    /// Array convenience for tests and the fixture check.
    public func evaluate<T: LossScalar>(embeddings: [T], labels: [Int], dim: Int, classes: Int, classVectors: [T],
                                        dEmbeddings: inout [T], dClassVectors: inout [T]) -> Double {
        precondition(embeddings.count == labels.count * dim && classVectors.count == classes * dim)
        dEmbeddings = [T](repeating: 0, count: embeddings.count)
        dClassVectors = [T](repeating: 0, count: classVectors.count)
        return embeddings.withUnsafeBufferPointer { e in labels.withUnsafeBufferPointer { y in
            classVectors.withUnsafeBufferPointer { w in dEmbeddings.withUnsafeMutableBufferPointer { de in
                dClassVectors.withUnsafeMutableBufferPointer { dw in
                    evaluate(embeddings: e.baseAddress!, labels: y.baseAddress!, batch: labels.count, dim: dim, classes: classes,
                             classVectors: w.baseAddress!, dEmbeddings: de.baseAddress!, dClassVectors: dw.baseAddress!)
                } } } } }
    }
}
