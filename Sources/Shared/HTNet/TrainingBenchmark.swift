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
        /// Measurement rounds; every rate is the median over them.
        public var rounds: Int
        /// Fraction of a step spent inside sgemm (timed during the replay).
        public var ratioToSquare: Double { effectiveGFLOPS / squareSgemmGFLOPS }
        public var ratioToModelShapes: Double { effectiveGFLOPS / modelShapeSgemmGFLOPS }
    }

    public let config: HTNetConfig
    public let batch: Int
    public let steps: Int
    public let squareSize: Int
    public let rounds: Int

    public init(config: HTNetConfig, batch: Int, steps: Int = 5, squareSize: Int = 2048, rounds: Int = 3) {
        self.rounds = rounds
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

        // Rounds of [square sgemm, model-shape sgemm, training steps], back to back: the machine's
        // speed drifts (shared VMs), so each round's ratio compares rates taken moments apart, and
        // the reported figures are the medians over rounds.
        var squares: [Double] = [], shapeRates: [Double] = [], stepTimes: [Double] = []
        for round in 1...max(1, rounds) {
            let square = squareRate()
            let shapes = modelShapeRate(calls)
            let t0 = TrainingBenchmark.now()
            for _ in 0..<steps { step() }
            let stepSeconds = (TrainingBenchmark.now() - t0) / Double(steps)
            squares.append(square)
            shapeRates.append(shapes)
            stepTimes.append(stepSeconds)
            let effective = Double(batch) / stepSeconds * cost.trainingFLOPs / 1e9
            log(String(format: "round %d: sgemm %d^3 %.1f GFLOP/s, model shapes (%d distinct) %.1f GFLOP/s; training %.3f s/step = %.1f GFLOP/s (%.1f%% / %.1f%%)",
                       round, squareSize, square, calls.count, shapes, stepSeconds, effective,
                       100 * effective / square, 100 * effective / shapes))
        }
        let stepSeconds = TrainingBenchmark.median(stepTimes)
        let trainRate = Double(batch) / stepSeconds

        let e0 = TrainingBenchmark.now()
        for _ in 0..<steps { _ = model.forward(images: images.pointer, batch: batch) }
        let evalRate = Double(batch * steps) / (TrainingBenchmark.now() - e0)

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Result(config: config, batch: batch, threads: BLAS.threads, parameters: model.layout.count,
                      trainingGFLOPPerSample: cost.trainingFLOPs / 1e9, squareSize: squareSize,
                      squareSgemmGFLOPS: TrainingBenchmark.median(squares),
                      modelShapeSgemmGFLOPS: TrainingBenchmark.median(shapeRates),
                      trainSamplesPerSecond: trainRate, effectiveGFLOPS: trainRate * cost.trainingFLOPs / 1e9,
                      evalSamplesPerSecond: evalRate, peakMemoryMiB: Double(usage.ru_maxrss) / 1024,
                      stepSeconds: stepSeconds, rounds: squares.count)
    }

    static func median(_ values: [Double]) -> Double { SgemmRate.median(values) }

    /// The machine's native rate on an n x n x n sgemm (see `SgemmRate.square`).
    func squareRate() -> Double { SgemmRate.square(squareSize) }

    /// Native sgemm replaying one step's calls (see `SgemmRate.replay`).
    func modelShapeRate(_ calls: [BLAS.Call: Int]) -> Double { SgemmRate.replay(calls) }
}
