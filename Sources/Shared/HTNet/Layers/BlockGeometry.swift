/// How one level's S x S token map (raster order, sample-major) is cut into independent blocks.
///
/// Activations stay in raster order for every pointwise layer (one sgemm over all tokens); only
/// attention and the positional embedding need to know which tokens share a block, and where.
struct BlockGeometry {
    let side: Int          // S: the level's map side
    let blockSide: Int     // w: tokens per block side
    let blocksPerSide: Int // block_size in the reference
    let maxBatch: Int
    /// Token indices grouped by block: block k holds tokenOrder[k*seq ..< (k+1)*seq], position order.
    let tokenOrder: [Int32]
    /// In-block position (iy * w + ix) of every token, for pos_emb.
    let position: [Int32]

    var seqLen: Int { blockSide * blockSide }
    var tokensPerSample: Int { side * side }
    func blocks(batch: Int) -> Int { batch * blocksPerSide * blocksPerSide }

    init(side: Int, blocksPerSide: Int, maxBatch: Int) {
        self.side = side
        self.blocksPerSide = blocksPerSide
        self.blockSide = side / blocksPerSide
        self.maxBatch = maxBatch
        let w = side / blocksPerSide
        var order: [Int32] = []
        order.reserveCapacity(maxBatch * side * side)
        for b in 0..<maxBatch {
            for by in 0..<blocksPerSide {
                for bx in 0..<blocksPerSide {
                    for iy in 0..<w {
                        for ix in 0..<w {
                            order.append(Int32((b * side + by * w + iy) * side + bx * w + ix))
                        }
                    }
                }
            }
        }
        tokenOrder = order
        var pos: [Int32] = []
        pos.reserveCapacity(side * side)
        for y in 0..<side { for x in 0..<side { pos.append(Int32((y % w) * w + (x % w))) } }
        position = pos
    }
}
