import Foundation
@testable import HTNet
import Tensor
import XCTest

/// Every fusion strategy's forward and backward (FusionHead) against central finite differences,
/// hand-computed forward values for the simple ones, and whole fused models (HTNet + fusion) probed
/// through every parameter tensor.
final class FusionTests: XCTestCase {
    let config = HTNetConfig(dim: 4, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2)   // C = 8, 3 classes

    /// A FusionHead on random e, f and parameters; loss L = sum(r ⊙ logits).
    struct Harness {
        let head: FusionHead
        let layout: ParameterLayout
        let params, grads, e, f, logits, r, dE: FloatBuffer
        let batch: Int

        init(_ kind: FusionKind, config: HTNetConfig, features: Int = 5, width: Int = 6, batch: Int = 3) {
            let spec = FusionSpec(kind: kind, width: width, featureCount: features)
            layout = ParameterLayout(config: config, fusion: spec)
            var h = LayerHarness()
            params = h.buffer(layout.count, scale: 0.5)
            if let omega = layout.slot(named: "fusion.omega") { params[omega.offset] = 0.3 }
            grads = FloatBuffer(count: layout.count)
            e = h.buffer(batch * config.topChannels)
            f = h.buffer(batch * features)
            logits = FloatBuffer(count: batch * config.numClasses)
            r = h.buffer(batch * config.numClasses)
            dE = FloatBuffer(count: e.count)
            self.batch = batch
            head = FusionHead(spec: spec, embeddingWidth: config.topChannels, classes: config.numClasses, layout: layout, maxBatch: batch)
        }

        func loss() -> Double {
            head.forward(params.pointer, e: e.pointer, f: f.pointer, logits: logits.pointer, batch: batch)
            return LayerHarness.projection(logits.pointer, r)
        }

        func backward() {
            _ = loss()
            head.backward(params.pointer, grads.pointer, e: e.pointer, f: f.pointer, dLogits: r.pointer, dE: dE.pointer, batch: batch)
        }

        /// The slots the head owns: mlp_head.2 and fusion.*.
        var ownedSlots: [ParameterSlot] { layout.slots.filter { $0.name.hasPrefix("fusion.") || $0.name.hasPrefix("mlp_head.2") } }
    }

    func testFifteenStrategies() {
        XCTAssertEqual(FusionKind.allCases.count, 15)
        XCTAssertEqual(FusionKind.allCases.filter(\.isLate).count, 4)
        XCTAssertEqual(Set(FusionKind.allCases.map(\.formula)).count, 15, "every strategy has its own formula")
    }

    func testEveryFusionGradientMatchesFiniteDifferences() {
        for kind in FusionKind.allCases where kind != .none {
            let h = Harness(kind, config: config)
            h.backward()
            // Poison the gradient buffer and run backward again: every owned gradient must be rewritten, not added to.
            let first = h.grads.array
            for slot in h.ownedSlots { for i in 0..<slot.count { h.grads[slot.offset + i] = .nan } }
            h.head.backward(h.params.pointer, h.grads.pointer, e: h.e.pointer, f: h.f.pointer, dLogits: h.r.pointer, dE: h.dE.pointer, batch: h.batch)
            for slot in h.ownedSlots {
                XCTAssertEqual(Array(h.grads.array[slot.offset..<(slot.offset + slot.count)]),
                               Array(first[slot.offset..<(slot.offset + slot.count)]), "\(kind.rawValue): \(slot.name) not overwritten")
            }
            let eps: Float = (kind == .max || kind == .lateMax) ? 1e-3 : 1e-2
            FiniteDifference.check("\(kind.rawValue) dE", values: h.e.pointer, analytic: h.dE.array, indices: Array(0..<h.e.count),
                                   eps: eps, loss: h.loss)
            for slot in h.ownedSlots {
                FiniteDifference.check("\(kind.rawValue) \(slot.name)", values: h.params.pointer + slot.offset,
                                       analytic: Array(h.grads.array[slot.offset..<(slot.offset + slot.count)]),
                                       indices: Array(0..<slot.count), eps: eps, loss: h.loss)
            }
            if kind == .featureOnly { XCTAssertTrue(h.dE.array.allSatisfy { $0 == 0 }, "feature-only does not see e") }
        }
    }

    /// Forward values computed by hand from the same buffers.
    func testForwardValuesByHand() {
        let c = config.topChannels, k = config.numClasses, d = 6, nf = 5
        func linear(_ h: Harness, _ weight: String, _ bias: String, _ x: [Float], out: Int) -> [Float] {
            let w = h.layout[weight].offset, b = h.layout[bias].offset
            return (0..<out).map { o in h.params[b + o] + x.indices.reduce(Float(0)) { $0 + h.params[w + o * x.count + $1] * x[$1] } }
        }
        func row(_ buffer: FloatBuffer, _ s: Int, _ width: Int) -> [Float] { Array(buffer.array[(s * width)..<((s + 1) * width)]) }

        // Hadamard: logits = W (P_e e ⊙ P_f f) + b.
        let hadamard = Harness(.hadamard, config: config)
        _ = hadamard.loss()
        for s in 0..<hadamard.batch {
            let ue = linear(hadamard, "fusion.project_e.weight", "fusion.project_e.bias", row(hadamard.e, s, c), out: d)
            let uf = linear(hadamard, "fusion.project_f.weight", "fusion.project_f.bias", row(hadamard.f, s, nf), out: d)
            let expected = linear(hadamard, "mlp_head.2.weight", "mlp_head.2.bias", zip(ue, uf).map { $0 * $1 }, out: k)
            for j in 0..<k { XCTAssertEqual(hadamard.logits[s * k + j], expected[j], accuracy: 1e-5) }
        }
        // Late average: softmax of the output is the mean of the two heads' distributions.
        let late = Harness(.lateAverage, config: config)
        _ = late.loss()
        func softmax(_ x: [Float]) -> [Double] {
            let m = x.max()!, ex = x.map { Foundation.exp(Double($0 - m)) }, s = ex.reduce(0, +)
            return ex.map { $0 / s }
        }
        for s in 0..<late.batch {
            let pe = softmax(linear(late, "mlp_head.2.weight", "mlp_head.2.bias", row(late.e, s, c), out: k))
            let pf = softmax(linear(late, "fusion.feature_head.weight", "fusion.feature_head.bias", row(late.f, s, nf), out: k))
            for j in 0..<k { XCTAssertEqual(Double(late.logits[s * k + j]), Foundation.log((pe[j] + pf[j]) / 2), accuracy: 1e-5) }
        }
        // FiLM with zero gamma and beta weights and biases is the identity on e.
        let film = Harness(.film, config: config)
        for name in ["fusion.film_gamma.weight", "fusion.film_gamma.bias", "fusion.film_beta.weight", "fusion.film_beta.bias"] {
            let slot = film.layout[name]
            for i in 0..<slot.count { film.params[slot.offset + i] = 0 }
        }
        _ = film.loss()
        for s in 0..<film.batch {
            let expected = linear(film, "mlp_head.2.weight", "mlp_head.2.bias", row(film.e, s, c), out: k)
            for j in 0..<k { XCTAssertEqual(film.logits[s * k + j], expected[j], accuracy: 1e-5) }
        }
    }

    func testLayoutShapes() {
        let c = config.topChannels
        let plain = ParameterLayout(config: config)
        XCTAssertEqual(ParameterLayout(config: config, fusion: FusionSpec(kind: .none, width: 6, featureCount: 5)).count, plain.count,
                       "`none` is the reference layout")
        let concat = ParameterLayout(config: config, fusion: FusionSpec(kind: .concatenation, width: 6, featureCount: 5))
        XCTAssertEqual(concat["mlp_head.2.weight"].shape, [3, c + 5])
        XCTAssertEqual(concat.count, plain.count + 3 * 5, "concatenation adds only the classifier's columns for f")
        let late = ParameterLayout(config: config, fusion: FusionSpec(kind: .lateWeighted, width: 6, featureCount: 5))
        XCTAssertEqual(late["mlp_head.2.weight"].shape, [3, c])
        XCTAssertEqual(late["fusion.feature_head.weight"].shape, [3, 5])
        XCTAssertEqual(late["fusion.omega"].shape, [1])
    }

    /// HTNet + fusion end to end: every parameter tensor (HTNet's and the fusion's) against finite differences.
    func testWholeFusedModelGradients() {
        for kind in [FusionKind.hadamard, .gated, .lateWeighted, .film] {
            let batch = 2, nf = 4
            let model = HTNetModel(config: config, fusion: FusionSpec(kind: kind, width: 5, featureCount: nf), maxBatch: batch)
            var rng = DeterministicRNG(seed: 11)
            model.initialise(rng: &rng)
            let images = (0..<(batch * 3 * 28 * 28)).map { _ in rng.normal() }
            let features = (0..<(batch * nf)).map { _ in rng.normal() }
            let labels = [0, 2]
            let dLogits = FloatBuffer(count: batch * config.numClasses)
            let loss = { () -> Double in
                let out = images.withUnsafeBufferPointer { x in features.withUnsafeBufferPointer { f in
                    model.forward(images: x.baseAddress!, features: f.baseAddress!, batch: batch) } }
                return labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.evaluate(logits: out, labels: $0.baseAddress!, batch: batch, classes: self.config.numClasses,
                                                 dLogits: dLogits.pointer).loss
                }
            }
            _ = loss()
            model.backward(dLogits: dLogits.pointer, batch: batch)
            let grads = model.gradients.array
            for slot in model.layout.slots {
                FiniteDifference.check("\(kind.rawValue) \(slot.name)", values: model.parameters.pointer + slot.offset,
                                       analytic: Array(grads[slot.offset..<(slot.offset + slot.count)]),
                                       indices: FiniteDifference.sample(slot.count, max: 5), rtol: 3e-2, atol: 5e-4, eps: 1e-3, loss: loss)
            }
        }
    }
}
