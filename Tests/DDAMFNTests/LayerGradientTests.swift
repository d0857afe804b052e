@testable import DDAMFN
import Foundation
import Tensor
import XCTest

/// Every DDAMFN layer's backward against finite differences (see LayerHarness).
final class DDAMFNLayerGradientTests: XCTestCase {
    func testConvolutionStrideTwoPaddedWithBias() {
        let h = LayerHarness()
        let conv = Convolution(h.table, "c", input: 3, output: 4, kernel: 3, stride: 2, padding: 1, bias: true, height: 7, width: 6, maxBatch: 2)
        h.finalise()
        XCTAssertEqual(conv.outHeight, 4); XCTAssertEqual(conv.outWidth, 3)
        let x = h.buffer(2 * 3 * 7 * 6)
        h.check("conv 3x3/2", input: x, outputs: 2 * 4 * 12, forward: { UnsafePointer(conv.forward(x.pointer, h.pass(batch: 2))) },
                backward: { conv.backward($0, h.pass(batch: 2)).map { UnsafePointer($0) } })
    }

    func testConvolutionPointwise() {
        let h = LayerHarness()
        let conv = Convolution(h.table, "c", input: 5, output: 3, height: 4, width: 4, maxBatch: 3)
        h.finalise()
        let x = h.buffer(3 * 5 * 16)
        h.check("conv 1x1", input: x, outputs: 3 * 3 * 16, forward: { UnsafePointer(conv.forward(x.pointer, h.pass(batch: 3))) },
                backward: { conv.backward($0, h.pass(batch: 3)).map { UnsafePointer($0) } })
    }

    /// A 3x3 convolution computed directly, against im2col + sgemm.
    func testConvolutionMatchesDirectSum() {
        let h = LayerHarness()
        let conv = Convolution(h.table, "c", input: 2, output: 3, kernel: 3, stride: 2, padding: 1, height: 5, width: 5, maxBatch: 1)
        h.finalise()
        let x = h.buffer(2 * 25)
        let y = conv.forward(x.pointer, h.pass(batch: 1))
        let w = h.parameters.pointer + conv.weight
        for o in 0..<3 { for oy in 0..<3 { for ox in 0..<3 {
            var s: Float = 0
            for c in 0..<2 { for ky in 0..<3 { for kx in 0..<3 {
                let iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx
                if iy >= 0 && iy < 5 && ix >= 0 && ix < 5 { s += w[((o * 2 + c) * 3 + ky) * 3 + kx] * x[c * 25 + iy * 5 + ix] }
            } } }
            XCTAssertEqual(y[(o * 3 + oy) * 3 + ox], s, accuracy: 1e-5)
        } } }
    }

    func testDepthwiseSquareAndRectangular() {
        for (kh, kw, stride, ph, pw) in [(3, 3, 1, 1, 1), (1, 7, 1, 0, 0), (7, 1, 1, 0, 0), (5, 5, 2, 2, 2), (7, 7, 1, 0, 0)] {
            let h = LayerHarness()
            let side = 7
            let d = DepthwiseConvolution(h.table, "d", channels: 3, kernelHeight: kh, kernelWidth: kw, stride: stride,
                                         padHeight: ph, padWidth: pw, height: side, width: side, maxBatch: 2)
            h.finalise()
            let x = h.buffer(2 * 3 * side * side)
            h.check("depthwise \(kh)x\(kw)/\(stride)", input: x, outputs: 2 * 3 * d.outPlane,
                    forward: { UnsafePointer(d.forward(x.pointer, h.pass(batch: 2))) },
                    backward: { UnsafePointer(d.backward($0, h.pass(batch: 2))) })
        }
    }

    func testMixedDepthwiseRegistersUnusedAndChecks() {
        let h = LayerHarness()
        let m = MixedDepthwiseConvolution(h.table, "dw", channels: 5, kernels: [3, 5], split: [3, 2], stride: 2, height: 6, width: 6, maxBatch: 2)
        h.finalise()
        XCTAssertEqual(h.table.parameters.filter { !$0.used }.map(\.name), ["dw.bn.weight", "dw.bn.bias", "dw.prelu.weight"])
        let x = h.buffer(2 * 5 * 36)
        h.check("mixconv", input: x, outputs: 2 * 5 * 9, forward: { UnsafePointer(m.forward(x.pointer, h.pass(batch: 2))) },
                backward: { UnsafePointer(m.backward($0, h.pass(batch: 2))) })
    }

    func testBatchNormTrainMode() {
        let h = LayerHarness()
        let bn = BatchNorm(h.table, "bn", channels: 3, positions: 5, maxBatch: 4)
        h.finalise()
        let x = h.buffer(4 * 3 * 5, scale: 2)
        h.check("batchnorm", input: x, outputs: 4 * 15, forward: { UnsafePointer(bn.forward(x.pointer, h.pass(batch: 4))) },
                backward: { UnsafePointer(bn.backward($0, h.pass(batch: 4))) })
    }

    /// Running statistics: momentum 0.1, unbiased variance, one count per train-mode forward; eval
    /// mode normalises with them.
    func testBatchNormRunningStatisticsAndEvalMode() {
        let h = LayerHarness()
        let bn = BatchNorm(h.table, "bn", channels: 2, positions: 3, maxBatch: 2)
        h.finalise()
        let x = h.buffer(2 * 2 * 3)
        _ = bn.forward(x.pointer, h.pass(batch: 2))
        for c in 0..<2 {
            let values = (0..<2).flatMap { b in (0..<3).map { Double(x[(c * 2 + b) * 3 + $0]) } }   // [C, B, P]
            let mean = values.reduce(0, +) / 6
            let unbiased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
            XCTAssertEqual(Double(h.statistics[c]), 0.1 * mean, accuracy: 1e-6)
            XCTAssertEqual(Double(h.statistics[2 + c]), 0.9 + 0.1 * unbiased, accuracy: 1e-6)
        }
        XCTAssertEqual(h.counters[0], 1)
        let y = bn.forward(x.pointer, h.pass(batch: 2, training: false))
        XCTAssertEqual(h.counters[0], 1)
        let expected = (x[0] - h.statistics[0]) / (h.statistics[2] + 1e-5).squareRoot() * h.parameters[0] + h.parameters[2]
        XCTAssertEqual(y[0], expected, accuracy: 1e-5)
    }

    func testPReLU() {
        let h = LayerHarness()
        let p = PReLU(h.table, "prelu", channels: 3, positions: 4, maxBatch: 2)
        h.finalise()
        let x = h.buffer(2 * 12, avoid: [0])
        h.check("prelu", input: x, outputs: 24, forward: { UnsafePointer(p.forward(x.pointer, h.pass(batch: 2))) },
                backward: { UnsafePointer(p.backward($0, h.pass(batch: 2))) })
    }

    func testHardSwishCorners() {
        XCTAssertEqual(Activations.hardSwish(3), 3)
        XCTAssertEqual(Activations.hardSwish(-3), 0)
        XCTAssertEqual(Activations.hardSwishDerivative(3), 1)
        XCTAssertEqual(Activations.hardSwishDerivative(-3), 0)
        XCTAssertEqual(Activations.hardSwishDerivative(0), 0.5)
        for v: Float in [-2.5, -1, 0.3, 2.9, 4] {
            let fd = (Double(Activations.hardSwish(v + 1e-3)) - Double(Activations.hardSwish(v - 1e-3))) / 2e-3
            XCTAssertEqual(Double(Activations.hardSwishDerivative(v)), fd, accuracy: 2e-3)
        }
    }

    func testCoordinateAttention() {
        let h = LayerHarness()
        let ca = CoordinateAttention(h.table, "CA", channels: 6, width: 8, height: 4, side: 5, maxBatch: 3)
        h.finalise()
        let x = h.buffer(3 * 6 * 20)
        h.check("coordatt", input: x, outputs: 3 * 6 * 20, forward: { UnsafePointer(ca.forward(x.pointer, h.pass(batch: 3))) },
                backward: { UnsafePointer(ca.backward($0, h.pass(batch: 3))) }, eps: 5e-3)
    }

    func testDualDirectionHead() {
        let h = LayerHarness()
        let head = DualDirectionHead(h.table, "head", channels: 4, side: 5, width: 8, maxBatch: 3)
        h.finalise()
        XCTAssertEqual(Set(h.table.parameters.filter { !$0.used }.map(\.name)), ["head.Linear.conv.weight", "head.Linear.bn.weight", "head.Linear.bn.bias"])
        let x = h.buffer(3 * 4 * 25)
        let n = 3 * 4 * 25
        h.check("head", input: x, outputs: n, forward: { UnsafePointer(head.forward(x.pointer, h.pass(batch: 3))) },
                backward: { dy in head.dMap.pointer.update(from: dy, count: n); return UnsafePointer(head.backward(h.pass(batch: 3))) }, eps: 5e-3)
    }

    func testFullyConnected() {
        let h = LayerHarness()
        let fc = FullyConnected(h.table, "fc", input: 6, output: 4, maxBatch: 3)
        h.finalise()
        let x = h.buffer(18)
        h.check("fc", input: x, outputs: 12, forward: { UnsafePointer(fc.forward(x.pointer, h.pass(batch: 3))) },
                backward: { UnsafePointer(fc.backward($0, h.pass(batch: 3))) })
    }

    /// Max over three heads, folded left; exact ties split the gradient in half.
    func testHeadMaximumFoldAndTies() {
        let a: [Float] = [1, 2, 3, 5], b: [Float] = [1, 4, 0, 5], c: [Float] = [0, 4, 3, 6]
        let maximum = HeadMaximum(heads: 3, elements: 4)
        let maps = [a, b, c].map { v -> UnsafePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: 4); p.initialize(from: v, count: 4); return UnsafePointer(p)
        }
        let m = maximum.forward(maps, elements: 4)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: m, count: 4)), [1, 4, 3, 6])
        let d = (0..<3).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: 4) }
        for p in d { p.initialize(repeating: 0, count: 4) }
        let dm: [Float] = [8, 8, 8, 8]
        maximum.backward(dm, maps: maps, dMaps: d, elements: 4)
        // element 0: max(max(1,1)=1 tie, 0) -> a 4, b 4; element 1: max(2,4)=4 ties c=4 -> b 4, c 4;
        // element 2: max(3,0)=3 ties c=3 -> a 4, c 4; element 3: c wins.
        XCTAssertEqual(Array(UnsafeBufferPointer(start: d[0], count: 4)), [4, 0, 4, 0])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: d[1], count: 4)), [4, 4, 0, 0])
        XCTAssertEqual(Array(UnsafeBufferPointer(start: d[2], count: 4)), [0, 4, 4, 8])
        for p in maps { p.deallocate() }
        for p in d { p.deallocate() }
    }

    func testAttentionDiversityLoss() {
        let h = LayerHarness()
        let maps = (0..<3).map { _ in h.buffer(10) }
        func loss() -> Double { AttentionDiversityLoss.evaluate(maps: maps.map { UnsafePointer($0.pointer) }, elements: 10, dMaps: nil) }
        let grads = (0..<3).map { _ in FloatBuffer(count: 10) }
        let value = AttentionDiversityLoss.evaluate(maps: maps.map { UnsafePointer($0.pointer) }, elements: 10, weight: 1, dMaps: grads.map(\.pointer))
        // Definition: P / sum over pairs of mean squared differences.
        var s = 0.0
        for i in 0..<3 { for j in (i + 1)..<3 { s += (0..<10).map { Double(maps[i][$0]) - Double(maps[j][$0]) }.map { $0 * $0 }.reduce(0, +) / 10 } }
        XCTAssertEqual(value, 3 / s, accuracy: 1e-9 * value)
        for k in 0..<3 {
            h.compare("att d\(k)", values: maps[k].pointer, analytic: grads[k].array, rtol: 1e-2, atol: 1e-5, eps: 1e-3, loss: loss,
                      file: #filePath, line: #line)
        }
        XCTAssertEqual(AttentionDiversityLoss.evaluate(maps: [UnsafePointer(maps[0].pointer)], elements: 10, dMaps: nil), 0)
    }

    func testCrossEntropyGradient() {
        let h = LayerHarness()
        let logits = h.buffer(12)
        let labels = [0, 3, 1]
        let d = FloatBuffer(count: 12)
        _ = CrossEntropy.evaluate(logits: logits.pointer, labels: labels, classes: 4, dLogits: d.pointer)
        h.compare("ce", values: logits.pointer, analytic: d.array, rtol: 1e-2, atol: 1e-5, eps: 1e-3,
                  loss: { CrossEntropy.evaluate(logits: logits.pointer, labels: labels, classes: 4, dLogits: nil) },
                  file: #filePath, line: #line)
    }
}
