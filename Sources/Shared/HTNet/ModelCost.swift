/// Analytic cost of HTNet: the matrix work (multiply-adds x 2) of one sample, forward and training.
///
/// Training counts backward as twice the forward (dW and dX products), except the patch embedding,
/// whose input needs no gradient. Elementwise work (LayerNorm, GELU, softmax) is not counted, so the
/// effective rate is directly comparable with sgemm's.
public struct ModelCost: Sendable {
    public let forwardFLOPs: Double
    public let trainingFLOPs: Double

    public init(config c: HTNetConfig) {
        var forward = 0.0, embedding = 0.0
        let tokens0 = Double(c.fmap * c.fmap)
        embedding = 2 * tokens0 * Double(c.patchDim * c.dim)
        for level in 0..<c.numHierarchies {
            let ch = Double(c.channels(level: level)), inner = Double(c.innerDim(level: level))
            let side = c.side(level: level)
            let tokens = Double(side * side)
            let hidden = ch * Double(c.mlpMult)
            let seq = Double(c.seqLen), dh = Double(c.dimHead(level: level)), heads = Double(c.heads(level: level))
            let perLayer = tokens * 2 * (ch * 3 * inner + inner * ch + 2 * ch * hidden)
                + tokens * heads * 2 * (2 * seq * dh)   // q k^T and p v within each block
            forward += Double(c.blockRepeats[level]) * perLayer
            if level < c.numHierarchies - 1 {
                forward += tokens * 2 * 9 * ch * Double(c.channels(level: level + 1))
            }
        }
        forward += 2 * Double(c.topChannels * c.numClasses)
        forwardFLOPs = forward + embedding
        trainingFLOPs = 3 * forward + 2 * embedding
    }
}
