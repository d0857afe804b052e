import Tensor

/// One pre-norm Transformer layer of a level: x = Attention(LN(x)) + x; x = FeedForward(LN(x)) + x.
/// Works in place on the level's residual stream and keeps what its backward pass needs.
final class TransformerLayer {
    let attentionNorm: ChannelLayerNorm
    let toQKV: PointwiseLinear
    let attention: BlockAttention
    let toOut: PointwiseLinear
    let feedForwardNorm: ChannelLayerNorm
    let expand: PointwiseLinear      // net.0
    let contract: PointwiseLinear    // net.3

    // Saved activations, sized for the largest batch.
    let normalised1, rstd1, normed1, qkv, probs, attended: FloatBuffer
    let normalised2, rstd2, normed2, hiddenPre, hiddenAct: FloatBuffer

    init(prefix: String, channels c: Int, heads: Int, mlpMult: Int, layout: ParameterLayout,
         geometry: BlockGeometry) {
        let dimHead = c / heads, inner = dimHead * heads, hidden = c * mlpMult
        attentionNorm = ChannelLayerNorm(channels: c, gain: layout["\(prefix).0.norm.g"].offset,
                                         shift: layout["\(prefix).0.norm.b"].offset)
        toQKV = PointwiseLinear(input: c, output: 3 * inner, weight: layout["\(prefix).0.fn.to_qkv.weight"].offset, bias: nil)
        attention = BlockAttention(heads: heads, dimHead: dimHead)
        toOut = PointwiseLinear(input: inner, output: c, weight: layout["\(prefix).0.fn.to_out.0.weight"].offset,
                                bias: layout["\(prefix).0.fn.to_out.0.bias"].offset)
        feedForwardNorm = ChannelLayerNorm(channels: c, gain: layout["\(prefix).1.norm.g"].offset,
                                           shift: layout["\(prefix).1.norm.b"].offset)
        expand = PointwiseLinear(input: c, output: hidden, weight: layout["\(prefix).1.fn.net.0.weight"].offset,
                                 bias: layout["\(prefix).1.fn.net.0.bias"].offset)
        contract = PointwiseLinear(input: hidden, output: c, weight: layout["\(prefix).1.fn.net.3.weight"].offset,
                                   bias: layout["\(prefix).1.fn.net.3.bias"].offset)
        let n = geometry.maxBatch * geometry.tokensPerSample
        let blocks = geometry.blocks(batch: geometry.maxBatch)
        normalised1 = FloatBuffer(count: n * c); rstd1 = FloatBuffer(count: n); normed1 = FloatBuffer(count: n * c)
        qkv = FloatBuffer(count: n * 3 * inner)
        probs = FloatBuffer(count: blocks * heads * geometry.seqLen * geometry.seqLen)
        attended = FloatBuffer(count: n * inner)
        normalised2 = FloatBuffer(count: n * c); rstd2 = FloatBuffer(count: n); normed2 = FloatBuffer(count: n * c)
        hiddenPre = FloatBuffer(count: n * hidden); hiddenAct = FloatBuffer(count: n * hidden)
    }

    /// x [tokens, c] is updated in place (each sublayer's output projection adds into it).
    func forward(_ p: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>, geometry: BlockGeometry, batch: Int) {
        let n = batch * geometry.tokensPerSample
        attentionNorm.forward(p, x: x, y: normed1.pointer, normalised: normalised1.pointer, rstd: rstd1.pointer, tokens: n)
        toQKV.forward(p, x: normed1.pointer, y: qkv.pointer, tokens: n)
        attention.forward(qkv: qkv.pointer, out: attended.pointer, probs: probs.pointer, geometry: geometry, batch: batch)
        toOut.forward(p, x: attended.pointer, y: x, tokens: n, residual: true)

        feedForwardNorm.forward(p, x: x, y: normed2.pointer, normalised: normalised2.pointer, rstd: rstd2.pointer, tokens: n)
        expand.forward(p, x: normed2.pointer, y: hiddenPre.pointer, tokens: n)
        GELU.forward(hiddenPre.pointer, hiddenAct.pointer, count: n * expand.output)
        contract.forward(p, x: hiddenAct.pointer, y: x, tokens: n, residual: true)
    }

    /// dx [tokens, c]: the residual stream's gradient, updated in place.
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>,
                  scratch: LevelScratch, geometry: BlockGeometry, batch: Int) {
        let n = batch * geometry.tokensPerSample
        // Feed-forward sublayer: its output's gradient is dx itself (residual).
        contract.backward(p, g, x: hiddenAct.pointer, dy: dx, dx: scratch.hidden.pointer, tokens: n)
        GELU.backward(hiddenPre.pointer, scratch.hidden.pointer, count: n * expand.output)
        expand.backward(p, g, x: normed2.pointer, dy: scratch.hidden.pointer, dx: scratch.normed.pointer, tokens: n)
        feedForwardNorm.backward(p, g, dy: scratch.normed.pointer, normalised: normalised2.pointer, rstd: rstd2.pointer, dx: dx, tokens: n)

        // Attention sublayer.
        toOut.backward(p, g, x: attended.pointer, dy: dx, dx: scratch.attended.pointer, tokens: n)
        attention.backward(qkv: qkv.pointer, probs: probs.pointer, dout: scratch.attended.pointer,
                           dqkv: scratch.qkv.pointer, scratch: scratch.small.pointer, geometry: geometry, batch: batch)
        toQKV.backward(p, g, x: normed1.pointer, dy: scratch.qkv.pointer, dx: scratch.normed.pointer, tokens: n)
        attentionNorm.backward(p, g, dy: scratch.normed.pointer, normalised: normalised1.pointer, rstd: rstd1.pointer, dx: dx, tokens: n)
    }
}

/// Backward-pass scratch shared by all layers of a level (used one layer at a time).
final class LevelScratch {
    let normed, hidden, attended, qkv, small: FloatBuffer
    init(tokens n: Int, channels c: Int, inner: Int, hidden h: Int, seqLen: Int) {
        normed = FloatBuffer(count: n * c)
        hidden = FloatBuffer(count: n * h)
        attended = FloatBuffer(count: n * inner)
        qkv = FloatBuffer(count: n * 3 * inner)
        small = FloatBuffer(count: seqLen * seqLen)
    }
}
