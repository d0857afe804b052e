import CKernels
import Foundation
import HTNet
import Tensor

/// Runs the GPU engine's building blocks on the device against the CPU engine on the same stacked
/// inputs (F = 3 models, the last with a short batch): LayerNorm forward/backward, GELU, the
/// stacked Adam with per-model steps, softmax cross-entropy, and cuBLAS strided-batched products
/// against OpenBLAS per model. It runs on any KernelDevice: the GPU, or the test suite's CPU
/// emulator of the same kernel source. `coordinator parity --device cuda` prints it; cluster/gpu-check.sh runs it.
public struct CUDAKernelCheck {
    public struct Measurement {
        public var name: String
        /// Largest |gpu - cpu| / max(1, |cpu|) over the outputs compared.
        public var error: Double
        public var tolerance: Double
        public var passed: Bool { error <= tolerance }
    }

    public init() {}

    static func error(_ gpu: [Float], _ cpu: [Float]) -> Double {
        precondition(gpu.count == cpu.count, "compared arrays differ in length")
        var worst = 0.0
        for (g, c) in zip(gpu, cpu) {
            let e = Double(abs(g - c)) / max(1, Double(abs(c)))
            if !(e <= worst) { worst = e.isNaN ? .infinity : e }
        }
        return worst
    }

    public func run(on device: KernelDevice) throws -> [Measurement] {
        var rng = DeterministicRNG(seed: 17)
        var out: [Measurement] = []
        let F = 3, rows = 40, C = 96
        let counts: [Int32] = [40, 40, 23]
        let P = 2 * C + 5
        var params = [Float](repeating: 0, count: F * P)
        for i in params.indices { params[i] = rng.uniform(-1, 1) }
        let x = (0..<(F * rows * C)).map { _ in rng.normal() * 3 + 1 }
        let dy = (0..<(F * rows * C)).map { _ in rng.normal() }

        // LayerNorm forward and both backward passes (gain at 5, shift at 5 + C).
        var cpuY = [Float](repeating: 0, count: x.count), cpuXhat = cpuY, cpuRstd = [Float](repeating: 0, count: F * rows)
        var cpuDx = [Float](repeating: 0, count: x.count), cpuGrads = [Float](repeating: 0, count: F * P)
        for f in 0..<F {
            for t in 0..<Int(counts[f]) {
                let base = (f * rows + t) * C
                var mean: Float = 0
                for j in 0..<C { mean += x[base + j] }
                mean /= Float(C)
                var v: Float = 0
                for j in 0..<C { let d = x[base + j] - mean; v += d * d }
                v /= Float(C)
                let r = 1 / (v + 1e-5).squareRoot()
                cpuRstd[f * rows + t] = r
                var sd: Float = 0, sdh: Float = 0
                for j in 0..<C {
                    let h = (x[base + j] - mean) * r
                    cpuXhat[base + j] = h
                    cpuY[base + j] = h * params[f * P + 5 + j] + params[f * P + 5 + C + j]
                    let d = dy[base + j] * params[f * P + 5 + j]
                    sd += d; sdh += d * h
                }
                for j in 0..<C {
                    cpuDx[base + j] = r * (dy[base + j] * params[f * P + 5 + j] - sd / Float(C) - cpuXhat[base + j] * sdh / Float(C))
                    cpuGrads[f * P + 5 + j] += dy[base + j] * cpuXhat[base + j]
                    cpuGrads[f * P + 5 + C + j] += dy[base + j]
                }
            }
        }
        let dX = try device.allocate(Float.self, count: x.count), dY = try device.allocate(Float.self, count: x.count)
        let dXhat = try device.allocate(Float.self, count: x.count), dRstd = try device.allocate(Float.self, count: F * rows)
        let dParams = try device.allocate(Float.self, count: F * P), dGrads = try device.allocate(Float.self, count: F * P)
        let dCounts = try device.allocate(Int32.self, count: F), dDy = try device.allocate(Float.self, count: x.count)
        let dDx = try device.allocate(Float.self, count: x.count)
        try device.upload(x, to: dX); try device.upload(params, to: dParams); try device.upload(counts, to: dCounts)
        try device.upload(dy, to: dDy)
        let warpsPerBlock = 4
        try device.launch("loso_layernorm_forward", elements: rows * 32, models: F, block: 32 * warpsPerBlock,
                          [.buffer(dX), .buffer(dY), .buffer(dXhat), .buffer(dRstd), .buffer(dParams), .int64(Int64(P)),
                           .int32(5), .int32(Int32(5 + C)), .int32(Int32(C)), .int32(Int32(rows)), .buffer(dCounts)])
        try device.launch("loso_layernorm_backward_input", elements: rows * 32, models: F, block: 32 * warpsPerBlock,
                          [.buffer(dDy), .buffer(dXhat), .buffer(dRstd), .buffer(dParams), .int64(Int64(P)), .int32(5),
                           .int32(Int32(C)), .int32(Int32(rows)), .buffer(dCounts), .buffer(dDx)])
        try device.launch("loso_layernorm_backward_params", elements: C, models: F,
                          [.buffer(dDy), .buffer(dXhat), .buffer(dGrads), .int64(Int64(P)), .int32(5), .int32(Int32(5 + C)),
                           .int32(Int32(C)), .int32(Int32(rows)), .buffer(dCounts)])
        try device.synchronize()
        out.append(Measurement(name: "layernorm forward (F=3, short last model)", error: CUDAKernelCheck.error(try device.download(Float.self, count: x.count, from: dY), cpuY), tolerance: 1e-5))
        out.append(Measurement(name: "layernorm backward dx", error: CUDAKernelCheck.error(try device.download(Float.self, count: x.count, from: dDx), cpuDx), tolerance: 1e-5))
        out.append(Measurement(name: "layernorm backward dg, db", error: CUDAKernelCheck.error(try device.download(Float.self, count: F * P, from: dGrads), cpuGrads), tolerance: 1e-5))

        // GELU forward and backward against CKernels over the whole stack.
        var cpuGelu = [Float](repeating: 0, count: x.count), cpuGeluBack = dy
        ck_gelu_forward(x, &cpuGelu, x.count)
        ck_gelu_backward(x, &cpuGeluBack, x.count)
        try device.launch("loso_gelu_forward", elements: x.count, [.buffer(dX), .buffer(dY), .int64(Int64(x.count))])
        try device.launch("loso_gelu_backward", elements: x.count, [.buffer(dX), .buffer(dDy), .int64(Int64(x.count))])
        try device.synchronize()
        out.append(Measurement(name: "gelu forward", error: CUDAKernelCheck.error(try device.download(Float.self, count: x.count, from: dY), cpuGelu), tolerance: 1e-6))
        out.append(Measurement(name: "gelu backward", error: CUDAKernelCheck.error(try device.download(Float.self, count: x.count, from: dDy), cpuGeluBack), tolerance: 1e-6))

        // Stacked Adam, 3 steps, model 1 sitting step 2 out; class-vector range [10, 20) at 100 x lr.
        let grads = (0..<(F * P)).map { _ in rng.normal() * 0.01 }
        let stack = StackedParameters(models: F, perModel: P)
        stack.parameters.copy(from: params); stack.gradients.copy(from: grads)
        let adam = StackedAdam(stack: stack, learningRate: 1e-3, multipliers: [(10..<20, 100)])
        let dM = try device.allocate(Float.self, count: F * P), dV = try device.allocate(Float.self, count: F * P)
        let dSteps = try device.allocate(Float.self, count: 2 * F), dBc2 = try device.allocate(Float.self, count: F)
        let dActive = try device.allocate(Int32.self, count: F)
        try device.upload(grads, to: dGrads)
        var gpuSteps = [Int](repeating: 0, count: F)
        for step in 1...3 {
            let active = (0..<F).map { !(step == 2 && $0 == 1) }
            adam.update(active: active)
            var sizes = [Float](repeating: 0, count: 2 * F), bc2 = [Float](repeating: 1, count: F)
            for f in 0..<F where active[f] {
                gpuSteps[f] += 1
                let base = StackedAdam.scalars(step: gpuSteps[f], learningRate: 1e-3, factor: 1, beta1: 0.9, beta2: 0.999)
                let scaled = StackedAdam.scalars(step: gpuSteps[f], learningRate: 1e-3, factor: 100, beta1: 0.9, beta2: 0.999)
                sizes[2 * f] = base.stepSize; sizes[2 * f + 1] = scaled.stepSize; bc2[f] = base.bc2Sqrt
            }
            try device.upload(sizes, to: dSteps); try device.upload(bc2, to: dBc2)
            try device.upload(active.map { Int32($0 ? 1 : 0) }, to: dActive)
            try device.launch("loso_adam_stacked", elements: P, models: F,
                              [.buffer(dParams), .buffer(dGrads), .buffer(dM), .buffer(dV), .int64(Int64(P)), .buffer(dSteps),
                               .buffer(dBc2), .buffer(dActive), .int64(10), .int64(20), .float(0.9), .float(0.999), .float(1e-8)])
        }
        try device.synchronize()
        out.append(Measurement(name: "stacked Adam, per-model steps, lr multiplier", error: CUDAKernelCheck.error(try device.download(Float.self, count: F * P, from: dParams), stack.parameters.array), tolerance: 1e-6))

        // Softmax cross-entropy with class weights, per model, short last batch.
        let classes = 3, B = 8
        let logits = (0..<(F * B * classes)).map { _ in rng.normal() * 2 }
        let labels = (0..<(F * B)).map { Int32($0 % classes) }
        let sampleCounts: [Int32] = [8, 8, 5]
        let weights: [Float] = [0.5, 1.2, 1.3, 1, 1, 1, 2, 0.5, 0.5]
        var cpuD = [Float](repeating: 0, count: logits.count), cpuLoss: [Double] = []
        for f in 0..<F {
            let n = Int(sampleCounts[f])
            let ls = labels[(f * B)..<(f * B + n)].map { Int($0) }
            var d = [Float](repeating: 0, count: n * classes)
            let r = Array(logits[(f * B * classes)..<(f * B * classes + n * classes)]).withUnsafeBufferPointer { lp in
                ls.withUnsafeBufferPointer { SoftmaxCrossEntropy.evaluate(logits: lp.baseAddress!, labels: $0.baseAddress!, batch: n, classes: classes,
                                                                         classWeights: Array(weights[(f * classes)..<(f * classes + classes)]), dLogits: &d) }
            }
            cpuLoss.append(r.loss)
            for i in 0..<(n * classes) { cpuD[f * B * classes + i] = d[i] }
        }
        let dLogits = try device.allocate(Float.self, count: logits.count), dLabels = try device.allocate(Int32.self, count: labels.count)
        let dSampleCounts = try device.allocate(Int32.self, count: F), dWeights = try device.allocate(Float.self, count: weights.count)
        let dDLogits = try device.allocate(Float.self, count: logits.count), dLoss = try device.allocate(Double.self, count: F)
        let dCorrect = try device.allocate(Int32.self, count: F)
        try device.upload(logits, to: dLogits); try device.upload(labels, to: dLabels)
        try device.upload(sampleCounts, to: dSampleCounts); try device.upload(weights, to: dWeights)
        try device.launch("loso_softmax_cross_entropy", elements: F, block: 32,
                          [.buffer(dLogits), .buffer(dLabels), .buffer(dSampleCounts), .buffer(dWeights), .int32(Int32(classes)),
                           .int32(Int32(B)), .int32(Int32(F)), .buffer(dDLogits), .buffer(dLoss), .buffer(dCorrect)])
        try device.synchronize()
        let gpuLoss = try device.download(Double.self, count: F, from: dLoss)
        out.append(Measurement(name: "weighted softmax cross-entropy loss", error: zip(gpuLoss, cpuLoss).map { abs($0 - $1) / max(1, abs($1)) }.max()!, tolerance: 1e-6))
        out.append(Measurement(name: "weighted softmax cross-entropy dlogits", error: CUDAKernelCheck.error(try device.download(Float.self, count: logits.count, from: dDLogits), cpuD), tolerance: 1e-6))

        // y[f] = x[f] W[f]^T for F = 3 models in one strided-batched call (the PointwiseLinear shape).
        let m = 200, k = 96, n = 160
        let a = (0..<(F * m * k)).map { _ in rng.normal() }, w = (0..<(F * n * k)).map { _ in rng.normal() }
        var cpuC = [Float](repeating: 0, count: F * m * n)
        a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in cpuC.withUnsafeMutableBufferPointer { cp in
            for f in 0..<F {
                BLAS.gemm(.none, .transpose, m: m, n: n, k: k, a: ap.baseAddress! + f * m * k, lda: k,
                          b: wp.baseAddress! + f * n * k, ldb: k, beta: 0, c: cp.baseAddress! + f * m * n, ldc: n)
            }
        } } }
        let dA = try device.allocate(Float.self, count: a.count), dW = try device.allocate(Float.self, count: w.count)
        let dC = try device.allocate(Float.self, count: cpuC.count)
        try device.upload(a, to: dA); try device.upload(w, to: dW)
        try device.gemmStridedBatched(transA: false, transB: true, m: m, n: n, k: k, a: dA, lda: k, strideA: m * k,
                                      b: dW, ldb: k, strideB: n * k, beta: 0, c: dC, ldc: n, strideC: m * n, batch: F)
        try device.synchronize()
        out.append(Measurement(name: "cuBLAS strided-batched x W^T (F=3) vs OpenBLAS", error: CUDAKernelCheck.error(try device.download(Float.self, count: cpuC.count, from: dC), cpuC), tolerance: 1e-4))
        return out
    }
}
