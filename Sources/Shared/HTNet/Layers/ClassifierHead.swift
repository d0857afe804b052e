import Tensor

/// mlp_head: channel LayerNorm, mean over the top level's positions, Linear(top channels -> classes).
final class ClassifierHead {
    let channels: Int, positions: Int, classes: Int
    let norm: ChannelLayerNorm
    let linear: PointwiseLinear
    let normalised, rstd, normed, pooled, dPooled, dNormed: FloatBuffer

    init(config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        channels = c.topChannels
        let side = c.side(level: c.numHierarchies - 1)
        positions = side * side
        classes = c.numClasses
        norm = ChannelLayerNorm(channels: channels, gain: layout["mlp_head.0.g"].offset, shift: layout["mlp_head.0.b"].offset)
        linear = PointwiseLinear(input: channels, output: classes, weight: layout["mlp_head.2.weight"].offset,
                                 bias: layout["mlp_head.2.bias"].offset)
        let n = maxBatch * positions
        normalised = FloatBuffer(count: n * channels)
        rstd = FloatBuffer(count: n)
        normed = FloatBuffer(count: n * channels)
        dNormed = FloatBuffer(count: n * channels)
        pooled = FloatBuffer(count: maxBatch * channels)
        dPooled = FloatBuffer(count: maxBatch * channels)
    }

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, logits: UnsafeMutablePointer<Float>, batch: Int) {
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
        linear.forward(p, x: pooled.pointer, y: logits, tokens: batch)
    }

    /// dlogits [batch, classes] -> dx [tokens, channels] (overwritten).
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dLogits: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, batch: Int) {
        let c = channels, n = batch * positions
        linear.backward(p, g, x: pooled.pointer, dy: dLogits, dx: dPooled.pointer, tokens: batch)
        let inv = 1 / Float(positions)
        for b in 0..<batch {
            let d = dPooled.pointer + b * c
            for s in 0..<positions {
                let row = dNormed.pointer + (b * positions + s) * c
                for j in 0..<c { row[j] = d[j] * inv }
            }
        }
        dx.update(repeating: 0, count: n * c)
        norm.backward(p, g, dy: dNormed.pointer, normalised: normalised.pointer, rstd: rstd.pointer, dx: dx, tokens: n)
    }
}
