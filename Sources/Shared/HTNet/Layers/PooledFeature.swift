import Tensor

/// The first part of mlp_head: channel LayerNorm (mlp_head.0) of the top level's tokens, then the
/// mean over its positions: one [top channels] feature per sample. The classifier puts a linear
/// layer on it; the metric losses use it (or a projection of it) as the embedding.
final class PooledFeature {
    let channels: Int, positions: Int
    let norm: ChannelLayerNorm
    let normalised, rstd, normed, dNormed: FloatBuffer
    /// [batch, channels], valid until the next forward.
    let pooled: FloatBuffer

    init(config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        channels = c.topChannels
        let side = c.side(level: c.numHierarchies - 1)
        positions = side * side
        norm = ChannelLayerNorm(channels: channels, gain: layout["mlp_head.0.g"].offset, shift: layout["mlp_head.0.b"].offset)
        let n = maxBatch * positions
        normalised = FloatBuffer(count: n * channels)
        rstd = FloatBuffer(count: n)
        normed = FloatBuffer(count: n * channels)
        dNormed = FloatBuffer(count: n * channels)
        pooled = FloatBuffer(count: maxBatch * channels)
    }

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, batch: Int) {
        let c = channels, n = batch * positions
        norm.forward(p, x: x, y: normed.pointer, normalised: normalised.pointer, rstd: rstd.pointer, tokens: n)
        let inv = 1 / Float(positions)
        for b in 0..<batch {
            let out = pooled.pointer + b * c
            out.update(repeating: 0, count: c)
            for s in 0..<positions {
                let row = normed.pointer + (b * positions + s) * c
                for j in 0..<c { out[j] += row[j] }
            }
            for j in 0..<c { out[j] *= inv }
        }
    }

    /// dPooled [batch, channels] -> dx [tokens, channels] (overwritten); writes mlp_head.0's gradients.
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dPooled: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, batch: Int) {
        let c = channels, n = batch * positions
        let inv = 1 / Float(positions)
        for b in 0..<batch {
            let d = dPooled + b * c
            for s in 0..<positions {
                let row = dNormed.pointer + (b * positions + s) * c
                for j in 0..<c { row[j] = d[j] * inv }
            }
        }
        dx.update(repeating: 0, count: n * c)
        norm.backward(p, g, dy: dNormed.pointer, normalised: normalised.pointer, rstd: rstd.pointer, dx: dx, tokens: n)
    }
}
