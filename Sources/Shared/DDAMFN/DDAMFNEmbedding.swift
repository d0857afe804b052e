/// DDAMFN's embedding, the vector its classifier reads: in the reference's forward
/// `y = self.linear(x * max_i head_i(x)); y = self.flatten(y); out = self.fc(y)` it is `y` after
/// the flatten, i.e. the output of the `linear` ConvBN (the depthwise 7x7 convolution without bias,
/// then `linear.bn`; no activation) over Y = F * M, one value per channel of the backbone's
/// 512-channel map. Reports' t-SNE maps and embeddings.csv carry it for DDAMFN variants.
extension DDAMFNModel {
    /// Width of the embedding: the backbone's output channels.
    public static let embeddingWidth = DDAMFNConfig.featureChannels

    /// The last forward's embeddings [batch][512] (in eval mode: with the running statistics).
    public var embeddings: [[Float]] {
        let y = UnsafePointer(poolNorm.y.pointer), n = batch   // channel-major [512, batch]
        return (0..<n).map { b in (0..<DDAMFNModel.embeddingWidth).map { c in y[c * n + b] } }
    }
}
