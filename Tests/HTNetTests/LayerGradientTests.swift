import Foundation
@testable import HTNet
import Tensor
import XCTest

/// Finite-difference checks of every layer's backward pass, each in isolation, on small shapes.
final class LayerGradientTests: XCTestCase {
    func testPointwiseLinear() {
        var h = LayerHarness()
        let n = 6, input = 5, output = 4
        let params = h.buffer(output * input + output)
        let layer = PointwiseLinear(input: input, output: output, weight: 0, bias: output * input)
        let x = h.buffer(n * input), y = FloatBuffer(count: n * output), r = h.buffer(n * output)
        let loss = { () -> Double in
            layer.forward(params.pointer, x: x.pointer, y: y.pointer, tokens: n)
            return LayerHarness.projection(y.pointer, r)
        }
        _ = loss()
        let grads = FloatBuffer(count: params.count), dx = FloatBuffer(count: x.count)
        layer.backward(params.pointer, grads.pointer, x: x.pointer, dy: r.pointer, dx: dx.pointer, tokens: n)
        FiniteDifference.check("linear dx", values: x.pointer, analytic: dx.array, indices: Array(0..<x.count), loss: loss)
        FiniteDifference.check("linear dW, db", values: params.pointer, analytic: grads.array, indices: Array(0..<params.count), loss: loss)
    }

    func testChannelLayerNorm() {
        var h = LayerHarness()
        let n = 5, c = 7
        let params = h.buffer(2 * c)
        let norm = ChannelLayerNorm(channels: c, gain: 0, shift: c)
        let x = h.buffer(n * c, scale: 2), y = FloatBuffer(count: n * c), r = h.buffer(n * c)
        let xhat = FloatBuffer(count: n * c), rstd = FloatBuffer(count: n)
        let loss = { () -> Double in
            norm.forward(params.pointer, x: x.pointer, y: y.pointer, normalised: xhat.pointer, rstd: rstd.pointer, tokens: n)
            return LayerHarness.projection(y.pointer, r)
        }
        _ = loss()
        // Reference values by hand for the first token: mean / biased variance / eps 1e-5.
        var mean = 0.0, variance = 0.0
        for j in 0..<c { mean += Double(x[j]) }
        mean /= Double(c)
        for j in 0..<c { variance += (Double(x[j]) - mean) * (Double(x[j]) - mean) }
        variance /= Double(c)
        let expected0 = (Double(x[0]) - mean) / (variance + 1e-5).squareRoot() * Double(params[0]) + Double(params[c])
        XCTAssertEqual(Double(y[0]), expected0, accuracy: 1e-5)
        let grads = FloatBuffer(count: params.count), dx = FloatBuffer(count: x.count)
        norm.backward(params.pointer, grads.pointer, dy: r.pointer, normalised: xhat.pointer, rstd: rstd.pointer, dx: dx.pointer, tokens: n)
        FiniteDifference.check("layernorm dx", values: x.pointer, analytic: dx.array, indices: Array(0..<x.count), loss: loss)
        FiniteDifference.check("layernorm dg, db", values: params.pointer, analytic: grads.array, indices: Array(0..<params.count), loss: loss)
    }

    func testGELU() {
        var h = LayerHarness()
        let n = 50
        let x = h.buffer(n, scale: 2), y = FloatBuffer(count: n), r = h.buffer(n)
        let loss = { () -> Double in
            GELU.forward(x.pointer, y.pointer, count: n)
            return LayerHarness.projection(y.pointer, r)
        }
        _ = loss()
        // GELU(1) = 0.8413447460685429 (x * Phi(x), exact erf form).
        let one = FloatBuffer(count: 1), out = FloatBuffer(count: 1)
        one[0] = 1
        GELU.forward(one.pointer, out.pointer, count: 1)
        XCTAssertEqual(out[0], 0.8413447, accuracy: 1e-6)
        let d = FloatBuffer(count: n)
        d.copy(from: r.array)
        GELU.backward(x.pointer, d.pointer, count: n)
        FiniteDifference.check("gelu dx", values: x.pointer, analytic: d.array, indices: Array(0..<n), loss: loss)
    }

    /// The vectorised GELU (polynomial erf and exp in CKernels) against the exact libm formula over
    /// the range activations take: within 3e-7 * max(1, |x|), far below the parity tolerances.
    func testGELUMatchesExactErfFormula() {
        let n = 6001
        let x = FloatBuffer(count: n), y = FloatBuffer(count: n), d = FloatBuffer(count: n)
        for i in 0..<n { x[i] = -15 + Float(i) * 0.005; d[i] = 1 }
        GELU.forward(x.pointer, y.pointer, count: n)
        GELU.backward(x.pointer, d.pointer, count: n)
        for i in 0..<n {
            let v = Double(x[i])
            let cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let exact = v * cdf
            let slope = cdf + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            XCTAssertEqual(Double(y[i]), exact, accuracy: 3e-7 * max(1, abs(v)), "GELU(\(v))")
            XCTAssertEqual(Double(d[i]), slope, accuracy: 3e-7 * max(1, abs(v)), "GELU'(\(v))")
        }
    }

    func testBlockAttentionOverFourTokenBlocks() {
        var h = LayerHarness()
        let geometry = BlockGeometry(side: 4, blocksPerSide: 2, maxBatch: 2)  // 8 blocks of 4 tokens
        let attention = BlockAttention(heads: 2, dimHead: 3)
        let n = 2 * 16, inner = 6
        let qkv = h.buffer(n * 3 * inner), out = FloatBuffer(count: n * inner), r = h.buffer(n * inner)
        let probs = FloatBuffer(count: geometry.blocks(batch: 2) * 2 * 16)
        let loss = { () -> Double in
            attention.forward(qkv: qkv.pointer, out: out.pointer, probs: probs.pointer, geometry: geometry, batch: 2)
            return LayerHarness.projection(out.pointer, r)
        }
        _ = loss()
        // Each softmax row sums to one.
        for row in 0..<(probs.count / 4) {
            XCTAssertEqual((0..<4).reduce(Float(0)) { $0 + probs[row * 4 + $1] }, 1, accuracy: 1e-5)
        }
        let dqkv = FloatBuffer(count: qkv.count), scratch = FloatBuffer(count: 16)
        attention.backward(qkv: qkv.pointer, probs: probs.pointer, dout: r.pointer, dqkv: dqkv.pointer,
                           scratch: scratch.pointer, geometry: geometry, batch: 2)
        FiniteDifference.check("attention dqkv", values: qkv.pointer, analytic: dqkv.array, indices: Array(0..<qkv.count), loss: loss)
    }

    func testBlockGeometryMatchesReferenceRearrange() {
        // 'b c (b1 h) (b2 w) -> (b b1 b2) c h w' with b1 = b2 = 2 on a 4x4 map: block (0,1) holds
        // rows 0-1, columns 2-3, in row-major order.
        let g = BlockGeometry(side: 4, blocksPerSide: 2, maxBatch: 1)
        XCTAssertEqual(Array(g.tokenOrder[4..<8]), [2, 3, 6, 7])
        XCTAssertEqual(Array(g.tokenOrder[8..<12]), [8, 9, 12, 13])
        XCTAssertEqual(g.position, [0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3])
    }

    func testAggregateConvolutionNormPool() {
        var h = LayerHarness()
        let config = HTNetConfig(dim: 3, heads: 1, numHierarchies: 2, blockRepeats: [1, 1])
        let layout = ParameterLayout(config: config)
        let params = h.buffer(layout.count)
        let aggregate = Aggregate(level: 0, config: config, layout: layout, maxBatch: 2)
        let s = config.side(level: 0), ps = config.side(level: 1)
        XCTAssertEqual(ps, 2)
        let x = h.buffer(2 * s * s * 3), y = FloatBuffer(count: 2 * ps * ps * 6), r = h.buffer(y.count)
        let loss = { () -> Double in
            aggregate.forward(params.pointer, x: x.pointer, y: y.pointer, batch: 2)
            return LayerHarness.projection(y.pointer, r)
        }
        _ = loss()
        let grads = FloatBuffer(count: params.count), dx = FloatBuffer(count: x.count)
        aggregate.backward(params.pointer, grads.pointer, dy: r.pointer, dx: dx.pointer, batch: 2)
        FiniteDifference.check("aggregate dx", values: x.pointer, analytic: dx.array, indices: Array(0..<x.count), loss: loss)
        let slots = ["layers.0.1.0.weight", "layers.0.1.0.bias", "layers.0.1.1.g", "layers.0.1.1.b"].map { layout[$0] }
        for slot in slots {
            let analytic = Array(grads.array[slot.offset..<(slot.offset + slot.count)])
            FiniteDifference.check("aggregate \(slot.name)", values: params.pointer + slot.offset, analytic: analytic,
                                   indices: Array(0..<slot.count), loss: loss)
        }
    }

    func testMaxPoolPaddingNeverWins() {
        // All-negative inputs: a zero pad would win if padding took part in the max.
        let config = HTNetConfig(dim: 1, heads: 1, numHierarchies: 2, blockRepeats: [1, 1])
        let layout = ParameterLayout(config: config)
        let params = FloatBuffer(count: layout.count)
        let aggregate = Aggregate(level: 0, config: config, layout: layout, maxBatch: 1)
        // Identity-like conv: weight centre tap 1 to both outputs, LN gain 1, shift -10 => all outputs negative.
        params[layout["layers.0.1.0.weight"].offset + 4] = 1
        params[layout["layers.0.1.0.weight"].offset + 9 + 4] = -1
        for j in 0..<2 { params[layout["layers.0.1.1.g"].offset + j] = 1; params[layout["layers.0.1.1.b"].offset + j] = -10 }
        let x = FloatBuffer(count: 16)
        for i in 0..<16 { x[i] = Float(i) }
        let y = FloatBuffer(count: 2 * 2 * 2)
        aggregate.forward(params.pointer, x: x.pointer, y: y.pointer, batch: 1)
        for i in 0..<y.count { XCTAssertLessThan(y[i], 0) }
    }

    func testClassifierHead() {
        var h = LayerHarness()
        let config = HTNetConfig(dim: 4, heads: 1, numHierarchies: 1, blockRepeats: [1])
        let layout = ParameterLayout(config: config)
        let params = h.buffer(layout.count)
        let head = ClassifierHead(config: config, layout: layout, maxBatch: 3)
        XCTAssertEqual(head.positions, 16)
        let x = h.buffer(3 * 16 * 4), logits = FloatBuffer(count: 9), r = h.buffer(9)
        let loss = { () -> Double in
            head.forward(params.pointer, x: x.pointer, logits: logits.pointer, batch: 3)
            return LayerHarness.projection(logits.pointer, r)
        }
        _ = loss()
        let grads = FloatBuffer(count: params.count), dx = FloatBuffer(count: x.count)
        head.backward(params.pointer, grads.pointer, dLogits: r.pointer, dx: dx.pointer, batch: 3)
        FiniteDifference.check("head dx", values: x.pointer, analytic: dx.array, indices: FiniteDifference.sample(x.count), loss: loss)
        for name in ["mlp_head.0.g", "mlp_head.0.b", "mlp_head.2.weight", "mlp_head.2.bias"] {
            let slot = layout[name]
            FiniteDifference.check(name, values: params.pointer + slot.offset,
                                   analytic: Array(grads.array[slot.offset..<(slot.offset + slot.count)]),
                                   indices: Array(0..<slot.count), loss: loss)
        }
    }

    func testTransformerLevelWithPositionalEmbedding() {
        var h = LayerHarness()
        let config = HTNetConfig(dim: 6, heads: 2, numHierarchies: 2, blockRepeats: [2, 1], mlpMult: 2)
        let layout = ParameterLayout(config: config)
        let params = h.buffer(layout.count, scale: 0.5)
        let level = TransformerLevel(level: 0, config: config, layout: layout, maxBatch: 2)
        let n = 2 * 16 * 6
        let x0 = h.buffer(n), x = FloatBuffer(count: n), r = h.buffer(n)
        let loss = { () -> Double in
            x.copy(from: x0.array)
            level.forward(params.pointer, x: x.pointer, batch: 2)
            return LayerHarness.projection(x.pointer, r)
        }
        _ = loss()
        let grads = FloatBuffer(count: params.count), dx = FloatBuffer(count: n)
        dx.copy(from: r.array)
        level.backward(params.pointer, grads.pointer, dx: dx.pointer, batch: 2)
        FiniteDifference.check("level dx", values: x0.pointer, analytic: dx.array, indices: FiniteDifference.sample(n), loss: loss)
        for slot in layout.slots where slot.name.hasPrefix("layers.0.0.") {
            FiniteDifference.check(slot.name, values: params.pointer + slot.offset,
                                   analytic: Array(grads.array[slot.offset..<(slot.offset + slot.count)]),
                                   indices: FiniteDifference.sample(slot.count, max: 12), loss: loss)
        }
    }

    func testPatchEmbeddingRearrangeAndGradient() {
        var h = LayerHarness()
        let config = HTNetConfig(dim: 4, heads: 1, numHierarchies: 1, blockRepeats: [1])
        let layout = ParameterLayout(config: config)
        let params = h.buffer(layout.count)
        let embedding = PatchEmbedding(config: config, layout: layout, maxBatch: 1)
        let image = h.buffer(3 * 28 * 28), y = FloatBuffer(count: 16 * 4), r = h.buffer(16 * 4)
        let loss = { () -> Double in
            embedding.forward(params.pointer, images: image.pointer, y: y.pointer, batch: 1)
            return LayerHarness.projection(y.pointer, r)
        }
        _ = loss()
        // b c (h p1) (w p2) -> (p1 p2 c): patch (1, 2), p1 = 3, p2 = 5, c = 2 is feature (3*7+5)*3+2.
        let feature = (3 * 7 + 5) * 3 + 2, token = 1 * 4 + 2
        XCTAssertEqual(embedding.patches[token * 147 + feature], image[(2 * 28 + 1 * 7 + 3) * 28 + 2 * 7 + 5])
        let grads = FloatBuffer(count: params.count)
        embedding.backward(params.pointer, grads.pointer, dy: r.pointer, batch: 1)
        for name in ["to_patch_embedding.1.weight", "to_patch_embedding.1.bias"] {
            let slot = layout[name]
            FiniteDifference.check(name, values: params.pointer + slot.offset,
                                   analytic: Array(grads.array[slot.offset..<(slot.offset + slot.count)]),
                                   indices: FiniteDifference.sample(slot.count), loss: loss)
        }
    }
}
