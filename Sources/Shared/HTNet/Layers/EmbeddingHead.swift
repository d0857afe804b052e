import Tensor

/// The metric losses' head: the pooled, LayerNormed top feature (mlp_head.0 and the mean over
/// positions), optionally followed by a linear projection to `embeddingSize` dimensions
/// (embedding.projection). Its output is the embedding the loss sees; the class vectors live in
/// the parameter buffer too but belong to the loss (see ModelHead).
final class EmbeddingHead {
    let feature: PooledFeature
    let projection: PointwiseLinear?
    let projected: FloatBuffer?
    let dPooled: FloatBuffer
    let width: Int

    init(config c: HTNetConfig, layout: ParameterLayout, embeddingSize: Int?, maxBatch: Int) {
        feature = PooledFeature(config: c, layout: layout, maxBatch: maxBatch)
        dPooled = FloatBuffer(count: embeddingSize == nil ? 0 : maxBatch * c.topChannels)
        if let e = embeddingSize {
            projection = PointwiseLinear(input: c.topChannels, output: e, weight: layout[ModelHead.projectionWeightName].offset,
                                         bias: layout[ModelHead.projectionBiasName].offset)
            projected = FloatBuffer(count: maxBatch * e)
            width = e
        } else {
            projection = nil
            projected = nil
            width = c.topChannels
        }
    }

    /// The embeddings of the last forward, [batch, width].
    var embeddings: UnsafeMutablePointer<Float> { projected?.pointer ?? feature.pooled.pointer }

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch: Int) {
        feature.forward(p, x: x, batch: batch)
        if let projection, let projected {
            projection.forward(p, x: feature.pooled.pointer, y: projected.pointer, tokens: batch)
        }
    }

    /// dEmbeddings [batch, width] -> dx [tokens, channels] (overwritten).
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dEmbeddings: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, batch: Int) {
        if let projection {
            projection.backward(p, g, x: feature.pooled.pointer, dy: dEmbeddings, dx: dPooled.pointer, tokens: batch)
            feature.backward(p, g, dPooled: dPooled.pointer, dx: dx, batch: batch)
        } else {
            feature.backward(p, g, dPooled: dEmbeddings, dx: dx, batch: batch)
        }
    }
}
