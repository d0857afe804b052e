import Tensor

/// One hierarchy level's Transformer: adds the per-position scalar `pos_emb` (broadcast over
/// channels), then runs its layers on every block with shared weights.
final class TransformerLevel {
    let level: Int
    let channels: Int
    let positionalEmbedding: Int   // offset of pos_emb
    let geometry: BlockGeometry
    let layers: [TransformerLayer]
    let scratch: LevelScratch

    init(level: Int, config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        self.level = level
        channels = c.channels(level: level)
        let side = c.side(level: level)
        let geometry = BlockGeometry(side: side, blocksPerSide: 1 << (c.numHierarchies - 1 - level), maxBatch: maxBatch)
        self.geometry = geometry
        positionalEmbedding = layout["layers.\(level).0.pos_emb"].offset
        layers = (0..<c.blockRepeats[level]).map { i in
            TransformerLayer(prefix: "layers.\(level).0.layers.\(i)", channels: c.channels(level: level),
                             heads: c.heads(level: level), mlpMult: c.mlpMult, layout: layout, geometry: geometry)
        }
        let n = maxBatch * side * side
        scratch = LevelScratch(tokens: n, channels: c.channels(level: level), inner: c.innerDim(level: level),
                               hidden: c.channels(level: level) * c.mlpMult, seqLen: geometry.seqLen)
    }

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>, batch: Int) {
        let c = channels, perSample = geometry.tokensPerSample
        let pos = p + positionalEmbedding
        geometry.position.withUnsafeBufferPointer { position in
            for b in 0..<batch {
                for s in 0..<perSample {
                    let e = pos[Int(position[s])]
                    let row = x + (b * perSample + s) * c
                    for j in 0..<c { row[j] += e }
                }
            }
        }
        for layer in layers { layer.forward(p, x: x, geometry: geometry, batch: batch) }
    }

    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>, batch: Int) {
        for layer in layers.reversed() {
            layer.backward(p, g, dx: dx, scratch: scratch, geometry: geometry, batch: batch)
        }
        let c = channels, perSample = geometry.tokensPerSample
        let dpos = g + positionalEmbedding
        dpos.update(repeating: 0, count: geometry.seqLen)
        geometry.position.withUnsafeBufferPointer { position in
            for b in 0..<batch {
                for s in 0..<perSample {
                    let row = dx + (b * perSample + s) * c
                    var sum: Float = 0
                    for j in 0..<c { sum += row[j] }
                    dpos[Int(position[s])] += sum
                }
            }
        }
    }
}
