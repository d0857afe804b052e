import Foundation
import Tensor

/// Measures, in one run, the machine's sgemm rate and the trainer's effective rate, so speed is
/// reported as a ratio that survives a noisy, shared machine (issue 6).
public struct TrainingBenchmark {
    public struct Result: Codable, Sendable {
        public var config: HTNetConfig
        public var batch: Int
        public var threads: Int
        public var parameters: Int
        public var trainingGFLOPPerSample: Double
        /// sgemm on a large square problem (n x n x n).
        public var squareSize: Int
        public var squareSgemmGFLOPS: Double
        /// sgemm replaying exactly the calls of one training step (same shapes, transposes, beta).
        public var modelShapeSgemmGFLOPS: Double
        public var trainSamplesPerSecond: Double
        public var effectiveGFLOPS: Double
        public var evalSamplesPerSecond: Double
        public var peakMemoryMiB: Double
        public var stepSeconds: Double
        /// Fraction of a step spent inside sgemm (timed during the replay).
        public var ratioToSquare: Double { effectiveGFLOPS / squareSgemmGFLOPS }
        public var ratioToModelShapes: Double { effectiveGFLOPS / modelShapeSgemmGFLOPS }
    }

    public let config: HTNetConfig
    public let batch: Int
    public let steps: Int
    public let squareSize: Int

    public init(config: HTNetConfig, batch: Int, steps: Int = 5, squareSize: Int = 2048) {
        self.config = config
        self.batch = batch
        self.steps = steps
        self.squareSize = squareSize
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public func run(log: (String) -> Void = { _ in }) -> Result {
        let cost = ModelCost(config: config)
        let model = HTNetModel(config: config, maxBatch: batch)
        var rng = DeterministicRNG(seed: 1)
        model.initialise(rng: &rng)
        let size = config.channels * config.imageSize * config.imageSize
        let images = FloatBuffer(count: batch * size)
        for i in 0..<images.count { images[i] = rng.uniform(0, 255) }
        let labels = (0..<batch).map { $0 % config.numClasses }
        let dLogits = FloatBuffer(count: batch * config.numClasses)
        let adam = AdamOptimizer(parameterCount: model.layout.count, learningRate: 5e-5)
        func step() {
            let logits = model.forward(images: images.pointer, batch: batch)
            labels.withUnsafeBufferPointer {
                _ = SoftmaxCrossEntropy.evaluate(logits: logits, labels: $0.baseAddress!, batch: batch,
                                                 classes: config.numClasses, dLogits: dLogits.pointer)
            }
            model.backward(dLogits: dLogits.pointer, batch: batch)
            adam.update(parameters: model.parameters, gradients: model.gradients)
        }

        // Record one step's sgemm calls (this is also the warm-up step).
        var calls: [BLAS.Call: Int] = [:]
        BLAS.recorder = { calls[$0, default: 0] += 1 }
        step()
        BLAS.recorder = nil

        let square1 = squareRate()
        log(String(format: "sgemm %dx%dx%d: %.1f GFLOP/s", squareSize, squareSize, squareSize, square1))
        let shapes = modelShapeRate(calls)
        log(String(format: "sgemm on the %d distinct shapes of one training step: %.1f GFLOP/s", calls.count, shapes))

        let t0 = TrainingBenchmark.now()
        for _ in 0..<steps { step() }
        let stepSeconds = (TrainingBenchmark.now() - t0) / Double(steps)
        let trainRate = Double(batch) / stepSeconds
        log(String(format: "training: %.3f s/step, %.1f samples/s", stepSeconds, trainRate))

        let e0 = TrainingBenchmark.now()
        for _ in 0..<steps { _ = model.forward(images: images.pointer, batch: batch) }
        let evalRate = Double(batch * steps) / (TrainingBenchmark.now() - e0)

        let square2 = squareRate()
        log(String(format: "sgemm %dx%dx%d again: %.1f GFLOP/s", squareSize, squareSize, squareSize, square2))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Result(config: config, batch: batch, threads: BLAS.threads, parameters: model.layout.count,
                      trainingGFLOPPerSample: cost.trainingFLOPs / 1e9, squareSize: squareSize,
                      squareSgemmGFLOPS: (square1 + square2) / 2, modelShapeSgemmGFLOPS: shapes,
                      trainSamplesPerSecond: trainRate, effectiveGFLOPS: trainRate * cost.trainingFLOPs / 1e9,
                      evalSamplesPerSecond: evalRate, peakMemoryMiB: Double(usage.ru_maxrss) / 1024,
                      stepSeconds: stepSeconds)
    }

    /// Best of three timings of an n x n x n sgemm, OpenBLAS threaded its own way over the same
    /// number of threads: the machine's native rate.
    func squareRate() -> Double {
        let n = squareSize
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        var best = Double.infinity
        for _ in 0..<3 {
            let t = TrainingBenchmark.now()
            BLAS.withNativeThreads(BLAS.threads) {
                BLAS.native(.none, .none, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n)
            }
            best = min(best, TrainingBenchmark.now() - t)
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }

    /// Replays each recorded call as many times as a step makes it, as native (OpenBLAS-threaded)
    /// sgemms; total FLOPs over total time.
    func modelShapeRate(_ calls: [BLAS.Call: Int]) -> Double {
        var flops = 0.0, seconds = 0.0
        for (call, count) in calls.sorted(by: { $0.key.flops > $1.key.flops }) {
            let a = FloatBuffer(count: call.m * call.k), b = FloatBuffer(count: call.k * call.n), c = FloatBuffer(count: call.m * call.n)
            for i in 0..<a.count { a[i] = Float(i % 7) * 0.01 }
            for i in 0..<b.count { b[i] = Float(i % 5) * 0.01 }
            let lda = call.transA ? call.m : call.k, ldb = call.transB ? call.k : call.n
            func once() {
                BLAS.native(call.transA ? .transpose : .none, call.transB ? .transpose : .none, m: call.m, n: call.n, k: call.k,
                          a: a.pointer, lda: lda, b: b.pointer, ldb: ldb, beta: call.accumulate ? 1 : 0, c: c.pointer, ldc: call.n)
            }
            BLAS.withNativeThreads(BLAS.threads) {
                once()
                let t = TrainingBenchmark.now()
                for _ in 0..<count { once() }
                seconds += TrainingBenchmark.now() - t
            }
            flops += call.flops * Double(count)
        }
        return flops / seconds / 1e9
    }
}
