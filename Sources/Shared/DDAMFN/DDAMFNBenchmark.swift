import Foundation
import Tensor

/// DDAMFN training speed as a ratio to the machine's sgemm, both measured in one run (as the
/// HTNet benchmark does): rounds of [square sgemm, one-step sgemm replay, timed training steps]
/// back to back, medians over rounds. A training step is a train-mode forward, the full loss
/// (CE + 0.1 L_att), backward and an SGD step. Effective FLOP/s counts matrix work only
/// (`trainingFLOPsPerSample`), so it compares directly with sgemm's rate.
public struct DDAMFNBenchmark {
    public struct Result: Codable, Sendable {
        public var config: DDAMFNConfig
        public var batch: Int
        public var threads: Int
        public var parameters: Int
        public var trainingGFLOPPerSample: Double
        public var squareSize: Int
        public var squareSgemmGFLOPS: Double
        public var modelShapeSgemmGFLOPS: Double
        public var trainSamplesPerSecond: Double
        public var effectiveGFLOPS: Double
        public var evalSamplesPerSecond: Double
        public var peakMemoryMiB: Double
        public var stepSeconds: Double
        public var rounds: Int
        public var ratioToSquare: Double { effectiveGFLOPS / squareSgemmGFLOPS }
        public var ratioToModelShapes: Double { effectiveGFLOPS / modelShapeSgemmGFLOPS }
    }

    public let config: DDAMFNConfig
    public let batch: Int, steps: Int, squareSize: Int, rounds: Int

    public init(config: DDAMFNConfig, batch: Int, steps: Int = 3, squareSize: Int = 2048, rounds: Int = 3) {
        self.config = config
        self.batch = batch
        self.steps = steps
        self.squareSize = squareSize
        self.rounds = rounds
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public func run(log: (String) -> Void = { _ in }) -> Result {
        let model = DDAMFNModel(config: config, maxBatch: batch)
        var rng = DeterministicRNG(seed: 1)
        model.initialise(rng: &rng)
        let size = 3 * DDAMFNConfig.imageSize * DDAMFNConfig.imageSize
        let images = FloatBuffer(count: batch * size)
        for i in 0..<images.count { images[i] = rng.normal() }
        let labels = (0..<batch).map { $0 % config.classes }
        let sgd = DDAMFNSGD(table: model.table)
        func step() {
            _ = model.forward(images: images.pointer, batch: batch, training: true)
            _ = model.loss(labels: labels)
            model.backward()
            sgd.update(parameters: model.parameters, gradients: model.gradients)
        }
        var calls: [BLAS.Call: Int] = [:]
        BLAS.recorder = { calls[$0, default: 0] += 1 }
        step()
        BLAS.recorder = nil

        let flops = model.trainingFLOPsPerSample
        var squares: [Double] = [], shapes: [Double] = [], times: [Double] = []
        for round in 1...max(1, rounds) {
            let square = SgemmRate.square(squareSize)
            let shape = SgemmRate.replay(calls)
            let t0 = DDAMFNBenchmark.now()
            for _ in 0..<steps { step() }
            let seconds = (DDAMFNBenchmark.now() - t0) / Double(steps)
            squares.append(square); shapes.append(shape); times.append(seconds)
            let effective = Double(batch) / seconds * flops / 1e9
            log(String(format: "round %d: sgemm %d^3 %.1f GFLOP/s, model shapes (%d distinct) %.1f GFLOP/s; training %.3f s/step = %.1f GFLOP/s (%.1f%% / %.1f%%)",
                       round, squareSize, square, calls.count, shape, seconds, effective, 100 * effective / square, 100 * effective / shape))
        }
        let stepSeconds = SgemmRate.median(times)
        let trainRate = Double(batch) / stepSeconds
        let e0 = DDAMFNBenchmark.now()
        for _ in 0..<steps { _ = model.forward(images: images.pointer, batch: batch, training: false) }
        let evalRate = Double(batch * steps) / (DDAMFNBenchmark.now() - e0)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Result(config: config, batch: batch, threads: BLAS.threads, parameters: model.table.usedCount,
                      trainingGFLOPPerSample: flops / 1e9, squareSize: squareSize,
                      squareSgemmGFLOPS: SgemmRate.median(squares), modelShapeSgemmGFLOPS: SgemmRate.median(shapes),
                      trainSamplesPerSecond: trainRate, effectiveGFLOPS: trainRate * flops / 1e9,
                      evalSamplesPerSecond: evalRate, peakMemoryMiB: Double(usage.ru_maxrss) / 1024,
                      stepSeconds: stepSeconds, rounds: squares.count)
    }
}
