import ArgumentParser
import CUDABackend
import CommandLineConventions
import DDAMFN
import Foundation
import HTNet
import Tensor

/// Training speed as a ratio to the same machine's sgemm, measured in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm and HTNet or DDAMFN training/evaluation speed in one run; report the ratio.",
        discussion: """
        Examples:
          coordinator bench                          # paper configuration, batch 256
          coordinator bench --dim 64 --json          # the dim-64 configuration, machine-readable
          coordinator bench --arch ddamfn            # DDAMFN, 7 classes, 2 heads, batch 32
          coordinator bench --device cuda --dim 64   # GPU: cuBLAS sgemm, the step's products and fold-batched training, F = 1, 8, 68
        """)

    enum Architecture: String, ExpressibleByArgument, CaseIterable { case htnet, ddamfn }

    @Option(help: "Model architecture: htnet or ddamfn.")
    var arch: Architecture = .htnet
    @OptionGroup var model: ModelOptions
    @Option(help: "DDAMFN: dual-direction attention heads (reference: 2).")
    var ddamfnHeads = 2
    @Option(help: "DDAMFN: blocks of the 14x14 stage (reference: 9; the authors' code: 16).")
    var conv4Blocks = 9
    @Option(help: "Mini-batch size (default: 256 for HTNet, 32 for DDAMFN).")
    var batch: Int?
    @Option(help: "Timed training steps per round (after one warm-up step).")
    var steps = 5
    @Option(help: "Measurement rounds (sgemm, then training, back to back); figures are medians over rounds.")
    var rounds = 3
    @Option(help: "Side of the square sgemm used as the machine's reference rate.")
    var square = 2048
    @Option(help: "Threads for the trainer and for the native sgemm it is compared with (default: all cores).")
    var threads: Int?
    @Option(help: "Classes of the classifier head (default: 3 for HTNet, 7 for DDAMFN).")
    var classes: Int?
    @Flag(help: "Print the result as JSON.")
    var json = false
    @Option(help: "cpu, or cuda / cuda:N: the GPU's cuBLAS rate, the step's products and fold-batched training over F = 1, 8, 68 models (HTNet only).")
    var device = "cpu"
    @Flag(help: "cuda only: let cuBLAS use TF32 tensor cores (default fp32).")
    var tf32 = false

    func validate() throws {
        try NumericFlag.atLeast(batch, 1, flag: "--batch")
        try NumericFlag.atLeast(steps, 1, flag: "--steps")
        try NumericFlag.atLeast(rounds, 1, flag: "--rounds")
        try NumericFlag.atLeast(square, 1, flag: "--square")
        try NumericFlag.atLeast(threads, 1, flag: "--threads")
        try NumericFlag.atLeast(classes, 2, flag: "--classes")
        try NumericFlag.atLeast(ddamfnHeads, 1, flag: "--ddamfn-heads")
        try NumericFlag.atLeast(conv4Blocks, 0, flag: "--conv4-blocks")
        do { _ = try ComputeDevice(parsing: device) } catch { throw ValidationError("--device: \(error)") }
    }

    func run() throws {
        BLAS.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        if case let .cuda(ordinal) = try ComputeDevice(parsing: device) { return try runCUDA(ordinal: ordinal) }
        if arch == .ddamfn { return try runDDAMFN() }
        let batch = self.batch ?? 256
        let config = try model.config(classes: classes ?? 3)
        let bench = TrainingBenchmark(config: config, batch: batch, steps: steps, squareSize: square, rounds: rounds)
        if !json {
            let cost = ModelCost(config: config)
            print(String(format: "model: dim %d, heads %d, repeats %@, %.1f M parameters, %.4f GFLOP per training sample; batch %d; %d threads",
                         config.dim, config.heads, "\(config.blockRepeats)", Double(ParameterLayout(config: config).count) / 1e6,
                         cost.trainingFLOPs / 1e9, batch, BLAS.threads))
            print("OpenBLAS: \(BLAS.configuration)")
        }
        let r = bench.run(log: { if !json { print("  " + $0) } })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var object = try JSONSerialization.jsonObject(with: encoder.encode(r)) as! [String: Any]
            object["ratioToSquare"] = r.ratioToSquare
            object["ratioToModelShapes"] = r.ratioToModelShapes
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(data: data, encoding: .utf8)!)
            return
        }
        print(String(format: "training:   %.1f samples/s = %.1f GFLOP/s effective", r.trainSamplesPerSecond, r.effectiveGFLOPS))
        print(String(format: "evaluation: %.1f samples/s", r.evalSamplesPerSecond))
        print(String(format: "sgemm:      %.1f GFLOP/s square %d, %.1f GFLOP/s on the model's own shapes (native OpenBLAS threading)", r.squareSgemmGFLOPS, r.squareSize, r.modelShapeSgemmGFLOPS))
        print(String(format: "ratio:      %.1f%% of square sgemm, %.1f%% of model-shape sgemm (medians over %d rounds)", 100 * r.ratioToSquare, 100 * r.ratioToModelShapes, r.rounds))
        print(String(format: "peak memory: %.0f MiB", r.peakMemoryMiB))
    }

    func runDDAMFN() throws {
        let batch = self.batch ?? 32
        guard batch >= 2 else { throw ValidationError("--batch: DDAMFN trains on at least 2 samples per batch (got \(batch))") }
        let config = DDAMFNConfig(classes: classes ?? 7, heads: ddamfnHeads, conv4Blocks: conv4Blocks)
        if let problem = config.validationErrors().first { throw ValidationError("ddamfn: \(problem)") }
        let bench = DDAMFNBenchmark(config: config, batch: batch, steps: steps, squareSize: square, rounds: rounds)
        let r = bench.run(log: { if !json { print("  " + $0) } })
        if json {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
            object["ratioToSquare"] = r.ratioToSquare
            object["ratioToModelShapes"] = r.ratioToModelShapes
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(data: data, encoding: .utf8)!)
            return
        }
        print(String(format: "model: DDAMFN, %d heads, %d classes, %d blocks at 14x14, %.2f M used parameters, %.3f GFLOP per training sample; batch %d; %d threads",
                     config.heads, config.classes, config.conv4Blocks, Double(r.parameters) / 1e6, r.trainingGFLOPPerSample, batch, r.threads))
        print("OpenBLAS: \(BLAS.configuration)")
        print(String(format: "training:   %.1f samples/s = %.1f GFLOP/s effective (SGD, loss CE + 0.1 L_att)", r.trainSamplesPerSecond, r.effectiveGFLOPS))
        print(String(format: "evaluation: %.1f samples/s", r.evalSamplesPerSecond))
        print(String(format: "sgemm:      %.1f GFLOP/s square %d, %.1f GFLOP/s on the model's own shapes (native OpenBLAS threading)", r.squareSgemmGFLOPS, r.squareSize, r.modelShapeSgemmGFLOPS))
        print(String(format: "ratio:      %.1f%% of square sgemm, %.1f%% of model-shape sgemm (medians over %d rounds)", 100 * r.ratioToSquare, 100 * r.ratioToModelShapes, r.rounds))
        print(String(format: "peak memory: %.0f MiB", r.peakMemoryMiB))
    }

    /// The GPU bench of issue 17: cuBLAS's square sgemm, one step's products strided-batched, and the
    /// fold-batched training step, for F = 1, 8, 68 (CUDABenchmark).
    func runCUDA(ordinal: Int) throws {
        guard arch == .htnet else { throw ValidationError("--device cuda: only --arch htnet has GPU kernels") }
        let device: CUDADevice
        do { device = try CUDADevice(ordinal: ordinal, tf32: tf32) } catch {
            throw DeviceUnavailable(device: self.device, reason: error)
        }
        let config = try model.config(classes: classes ?? 3)
        let bench = CUDABenchmark(config: config, batch: batch ?? 256)
        if !json { print("device: \(device.description)\(tf32 ? ", cuBLAS TF32" : ", fp32")") }
        let r = try bench.run(on: device, log: { if !json { print("  " + $0) } })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(data: try encoder.encode(r), encoding: .utf8)!)
            return
        }
    }
}
