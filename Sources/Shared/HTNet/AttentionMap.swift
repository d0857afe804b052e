/// One Transformer layer's attention weights for one sample (HTNetModel.attention): within each
/// block of `seqLen` tokens, softmax(q k^T / sqrt(d)) per head, each query's row summing to 1.
public struct AttentionMap: Equatable, Sendable {
    public var level: Int
    public var layer: Int
    /// The level's token map is side x side.
    public var side: Int
    public var blocks: Int
    public var heads: Int
    public var seqLen: Int
    /// Token index (raster order in the side x side map) of block k's position i: tokens[k * seqLen + i].
    public var tokens: [Int]
    /// [block][head][query][key].
    public var probabilities: [Float]

    public init(level: Int, layer: Int, side: Int, blocks: Int, heads: Int, seqLen: Int, tokens: [Int], probabilities: [Float]) {
        self.level = level
        self.layer = layer
        self.side = side
        self.blocks = blocks
        self.heads = heads
        self.seqLen = seqLen
        self.tokens = tokens
        self.probabilities = probabilities
    }

    /// Attention each token receives, averaged over heads and over the queries of its block, on the
    /// level's side x side map (raster order). Within a block these sum to 1.
    public var received: [Float] {
        var out = [Float](repeating: 0, count: side * side)
        let L = seqLen
        for k in 0..<blocks {
            for h in 0..<heads {
                for i in 0..<L {
                    let row = ((k * heads + h) * L + i) * L
                    for j in 0..<L { out[tokens[k * L + j]] += probabilities[row + j] }
                }
            }
            for j in 0..<L { out[tokens[k * L + j]] /= Float(heads * L) }
        }
        return out
    }
}
