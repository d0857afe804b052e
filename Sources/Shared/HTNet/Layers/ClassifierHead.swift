import Tensor

/// mlp_head: the pooled, LayerNormed top feature, then Linear(top channels -> classes) (mlp_head.2).
final class ClassifierHead {
    let feature: PooledFeature
    let linear: PointwiseLinear
    let dPooled: FloatBuffer
    var positions: Int { feature.positions }

    init(config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        feature = PooledFeature(config: c, layout: layout, maxBatch: maxBatch)
        linear = PointwiseLinear(input: c.topChannels, output: c.numClasses, weight: layout["mlp_head.2.weight"].offset,
                                 bias: layout["mlp_head.2.bias"].offset)
        dPooled = FloatBuffer(count: maxBatch * c.topChannels)
    }

    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, logits: UnsafeMutablePointer<Float>, batch: Int) {
        feature.forward(p, x: x, batch: batch)
        linear.forward(p, x: feature.pooled.pointer, y: logits, tokens: batch)
    }

    /// dlogits [batch, classes] -> dx [tokens, channels] (overwritten).
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dLogits: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>, batch: Int) {
        linear.backward(p, g, x: feature.pooled.pointer, dy: dLogits, dx: dPooled.pointer, tokens: batch)
        feature.backward(p, g, dPooled: dPooled.pointer, dx: dx, batch: batch)
    }
}
