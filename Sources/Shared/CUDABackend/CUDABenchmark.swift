import Dispatch
import HTNet
import Tensor

/// `coordinator bench --device cuda`: the GPU's cuBLAS sgemm rate on a large square product (the
/// yardstick), and the rate of one training step's own products, replayed as strided-batched calls
/// over F stacked models (F = 1, 8, 68): the ceiling of fold-batched training on this GPU. The
/// step's products are recorded from the CPU engine (BLAS.recorder), so the shapes are exactly the
/// engine's. Then the fold-batched trainer's own step (StackedHTNet: forward, loss, backward,
/// stacked Adam) for the same F: training samples/s, effective GFLOP/s and their ratio to the
/// square sgemm; an F whose models do not fit in the GPU's memory is reported as such.
public struct CUDABenchmark {
    public struct BatchedRate: Codable, Sendable {
        public var models: Int
        public var gflops: Double
        /// Training FLOPs of F x batch samples per replayed step, per second: samples/s if training ran at this rate.
        public var samplesPerSecondCeiling: Double
        /// The fold-batched training step itself (nil: F models did not fit).
        public var trainSamplesPerSecond: Double?
        public var trainEffectiveGFLOPS: Double?
        public var stepSeconds: Double?
    }

    public struct Result: Codable, Sendable {
        public var device: String
        public var config: HTNetConfig
        public var batch: Int
        public var squareSize: Int
        public var squareGFLOPS: Double
        public var batched: [BatchedRate]
    }

    public let config: HTNetConfig
    public let batch: Int
    public let squareSize: Int
    public let models: [Int]

    public init(config: HTNetConfig, batch: Int = 256, squareSize: Int = 8192, models: [Int] = [1, 8, 68]) {
        self.config = config
        self.batch = batch
        self.squareSize = squareSize
        self.models = models
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// One CPU training step's products (shape -> calls per step).
    public func stepProducts() -> [BLAS.Call: Int] {
        let model = HTNetModel(config: config, maxBatch: batch)
        var rng = DeterministicRNG(seed: 1)
        model.initialise(rng: &rng)
        let size = config.channels * config.imageSize * config.imageSize
        let images = FloatBuffer(count: batch * size)
        let dLogits = FloatBuffer(count: batch * config.numClasses)
        var calls: [BLAS.Call: Int] = [:]
        BLAS.recorder = { calls[$0, default: 0] += 1 }
        model.forward(images: images.pointer, batch: batch)
        model.backward(dLogits: dLogits.pointer, batch: batch)
        BLAS.recorder = nil
        return calls
    }

    public func run(on device: CUDADevice, log: (String) -> Void = { _ in }) throws -> Result {
        let n = squareSize
        let a = try device.allocate(Float.self, count: n * n), b = try device.allocate(Float.self, count: n * n)
        let c = try device.allocate(Float.self, count: n * n)
        func square() throws {
            try device.gemmStridedBatched(transA: false, transB: false, m: n, n: n, k: n, a: a, lda: n, strideA: 0,
                                          b: b, ldb: n, strideB: 0, beta: 0, c: c, ldc: n, strideC: 0, batch: 1)
        }
        try square(); try device.synchronize()
        var best = Double.infinity
        for _ in 0..<5 {
            let t = CUDABenchmark.now()
            try square(); try device.synchronize()
            best = min(best, CUDABenchmark.now() - t)
        }
        let squareRate = 2 * Double(n) * Double(n) * Double(n) / best / 1e9
        log(String(format: "cuBLAS sgemm %d^3: %.0f GFLOP/s", n, squareRate))

        let calls = stepProducts()
        let perSample = ModelCost(config: config).trainingFLOPs
        var rates: [BatchedRate] = []
        for f in models {
            var flops = 0.0, seconds = 0.0
            for (call, count) in calls.sorted(by: { $0.key.flops > $1.key.flops }) {
                let aBuf = try device.allocate(Float.self, count: f * call.m * call.k)
                let bBuf = try device.allocate(Float.self, count: f * call.k * call.n)
                let cBuf = try device.allocate(Float.self, count: f * call.m * call.n)
                func once() throws {
                    try device.gemmStridedBatched(transA: call.transA, transB: call.transB, m: call.m, n: call.n, k: call.k,
                                                  a: aBuf, lda: call.transA ? call.m : call.k, strideA: call.m * call.k,
                                                  b: bBuf, ldb: call.transB ? call.k : call.n, strideB: call.k * call.n,
                                                  beta: call.accumulate ? 1 : 0, c: cBuf, ldc: call.n, strideC: call.m * call.n, batch: f)
                }
                try once(); try device.synchronize()
                let t = CUDABenchmark.now()
                for _ in 0..<count { try once() }
                try device.synchronize()
                seconds += CUDABenchmark.now() - t
                flops += Double(count * f) * call.flops
            }
            let rate = flops / seconds / 1e9
            let ceiling = Double(f * batch) / seconds
            var entry = BatchedRate(models: f, gflops: rate, samplesPerSecondCeiling: ceiling)
            log(String(format: "F = %d: one step's %d products as strided batches: %.0f GFLOP/s (%.1f%% of square), %.0f samples/s if training ran at this rate (%.4f GFLOP/sample)",
                       f, calls.count, rate, 100 * rate / squareRate, ceiling, perSample / 1e9))
            do {
                let step = try trainingStepSeconds(on: device, models: f)
                entry.stepSeconds = step
                entry.trainSamplesPerSecond = Double(f * batch) / step
                entry.trainEffectiveGFLOPS = Double(f * batch) / step * perSample / 1e9
                log(String(format: "F = %d: fold-batched training %.4f s/step = %.0f samples/s = %.0f GFLOP/s effective (%.1f%% of square sgemm)",
                           f, step, entry.trainSamplesPerSecond!, entry.trainEffectiveGFLOPS!, 100 * entry.trainEffectiveGFLOPS! / squareRate))
            } catch {
                log("F = \(f): fold-batched training not measured: \(error)")
            }
            rates.append(entry)
        }
        return Result(device: device.description, config: config, batch: batch, squareSize: n, squareGFLOPS: squareRate, batched: rates)
    }

    /// Seconds per fold-batched training step of F models at `batch` samples each (median of 5 after
    /// a warm-up step), on random weights and inputs.
    public func trainingStepSeconds(on device: KernelDevice, models f: Int, steps: Int = 5) throws -> Double {
        let net = try StackedHTNet(device: device, config: config, models: f, stackedBatch: batch)
        var rng = DeterministicRNG(seed: 3)
        try device.upload((0..<(f * net.P)).map { _ in rng.uniform(-0.05, 0.05) }, to: net.params)
        let sampleSize = config.channels * config.imageSize * config.imageSize
        try device.upload((0..<(f * batch * sampleSize)).map { _ in rng.uniform(0, 255) }, to: net.images)
        try device.upload((0..<(f * batch)).map { Int32($0 % config.numClasses) }, to: net.labels)
        try device.upload([Float](repeating: 1, count: f * config.numClasses), to: net.classWeights)
        try net.setBatches([Int](repeating: batch, count: f))
        let scalars = StackedAdam.scalars(step: 1, learningRate: 5e-5, factor: 1, beta1: 0.9, beta2: 0.999)
        let sizes = try device.allocate(Float.self, count: 2 * f), roots = try device.allocate(Float.self, count: f)
        let active = try device.allocate(Int32.self, count: f)
        try device.upload([Float](repeating: scalars.stepSize, count: 2 * f), to: sizes)
        try device.upload([Float](repeating: scalars.bc2Sqrt, count: f), to: roots)
        try device.upload([Int32](repeating: 1, count: f), to: active)
        func step() throws {
            try net.forward()
            _ = try net.crossEntropy()
            try net.backward()
            try device.launch("loso_adam_stacked", elements: net.P, models: f,
                              [.buffer(net.params), .buffer(net.grads), .buffer(net.firstMoments), .buffer(net.secondMoments),
                               .int64(Int64(net.P)), .buffer(sizes), .buffer(roots), .buffer(active), .int64(0), .int64(0),
                               .float(0.9), .float(0.999), .float(1e-8)])
            try device.synchronize()
        }
        try step()
        var times: [Double] = []
        for _ in 0..<steps {
            let t = CUDABenchmark.now()
            try step()
            times.append(CUDABenchmark.now() - t)
        }
        return SgemmRate.median(times)
    }
}
