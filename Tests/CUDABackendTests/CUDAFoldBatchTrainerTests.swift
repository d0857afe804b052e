import CUDABackend
import FoldResults
import HTNet
import Tensor
import XCTest

/// The GPU fold-batched trainer (StackedHTNet's forward, backward and stacked Adam over the kernels
/// and strided-batched products) against the CPU FoldBatchTrainer, which is itself bit-identical
/// to separate FoldTrainer runs (FoldBatchTests). Run here on the kernel emulator; on a GPU by
/// testFoldBatchOnTheGPU. Tolerances: float32 with the products summed in another order
/// (the emulator's naive loop or cuBLAS against OpenBLAS) and no FMA on either side: relative
/// differences of 1e-6 per step, grown by a few training steps.
final class CUDAFoldBatchTrainerTests: XCTestCase {
    let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 3)

    /// Members of 12, 9 and 5 training samples at batch 4 (3, 3 and 2 steps; short last batches).
    func members(training: TrainingConfig) -> [FoldBatchTrainer.Member] {
        SyntheticFoldBatch.members(model: model, training: training, sizes: [(12, 4), (9, 5), (5, 3)], dataSeed: 33, seedKeys: (5, 200))
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(1e-3, abs(b)) }

    func compare(on device: KernelDevice, training: TrainingConfig, label: String) throws {
        let m = members(training: training)
        var cpuWeights: [Int: [Float]] = [:]
        let cpu = try FoldBatchTrainer(members: m).run(finished: { cpuWeights[$0] = $1.parameters.array })
        let gpu = try CUDAFoldBatchTrainer(members: m, device: device).run()
        var worstLoss = 0.0, worstLogit = 0.0, worstWeight = 0.0, worstSlot = ""
        for f in 0..<m.count {
            let a = try gpu.outcomes[f].get(), b = try cpu[f].get()
            XCTAssertEqual(a.epochs.count, b.epochs.count)
            for (x, y) in zip(a.epochs, b.epochs) {
                worstLoss = max(worstLoss, CUDAFoldBatchTrainerTests.relative(x.trainLoss, y.trainLoss),
                                CUDAFoldBatchTrainerTests.relative(x.testLoss, y.testLoss))
                XCTAssertEqual(x.trainAccuracy, y.trainAccuracy, "\(label) member \(f) epoch \(x.epoch)")
                XCTAssertEqual(x.testAccuracy, y.testAccuracy, "\(label) member \(f) epoch \(x.epoch)")
            }
            XCTAssertEqual(a.finalLogits.count, b.finalLogits.count)
            for (r, s) in zip(a.finalLogits, b.finalLogits) {
                for (u, v) in zip(r, s) { worstLogit = max(worstLogit, CUDAFoldBatchTrainerTests.relative(Double(u), Double(v))) }
            }
            XCTAssertEqual(a.bestTestEpoch, b.bestTestEpoch)
            // The top level's pos_emb adds one constant to every channel of a token, which the
            // head's LayerNorm removes: its true gradient is 0, so Adam (which divides by the
            // gradient's own size) turns rounding noise into full-size steps. It is left out.
            let layout = ParameterLayout(config: model)
            for slot in layout.slots where slot.name != "layers.\(model.numHierarchies - 1).0.pos_emb" {
                for i in slot.offset..<(slot.offset + slot.count) {
                    let d = Double(abs(gpu.weights[f][i] - cpuWeights[f]![i]))
                    if d > worstWeight { worstWeight = d; worstSlot = slot.name }
                }
            }
        }
        print(String(format: "%@: largest relative loss difference %.2e, logit %.2e; largest weight difference %.2e (%@)",
                     label, worstLoss, worstLogit, worstWeight, worstSlot))
        XCTAssertLessThan(worstLoss, 1e-4, label)
        XCTAssertLessThan(worstLogit, 1e-3, label)
        XCTAssertLessThan(worstWeight, 1e-4, label)
        // Training moved the weights by far more than the tolerance.
        let start = HTNetModel(config: model, maxBatch: 1)
        m[0].trainer.start.initialise(start)
        let moved = zip(start.parameters.array, cpuWeights[0]!).map { Double(abs($0 - $1)) }.max()!
        XCTAssertGreaterThan(moved, 100 * worstWeight, label)
    }

    func testFoldBatchOnTheEmulatorMatchesTheCPUEngine() throws {
        let device: EmulatedKernelDevice
        do { device = try EmulatedKernelDevice() } catch { throw XCTSkip("no C++20 compiler for the kernel emulator (set CXX): \(error)") }
        try compare(on: device, training: TrainingConfig(epochs: 2, batchSize: 4, learningRate: 2e-3, order: .shuffle, labelNoise: 0.1),
                    label: "emulator, shuffle + label noise")
        try compare(on: device, training: TrainingConfig(epochs: 1, batchSize: 4, learningRate: 2e-3, order: .classGrouped, loss: .weightedCrossEntropy),
                    label: "emulator, class-grouped + weighted CE")
    }

    func testFoldBatchOnTheGPUMatchesTheCPUEngine() throws {
        guard (try? CUDALibraries.openDriver()) != nil else {
            throw XCTSkip("no CUDA driver (libcuda.so.1): the GPU trainer not run on this machine")
        }
        let device = try CUDADevice(ordinal: 0)
        try compare(on: device, training: TrainingConfig(epochs: 3, batchSize: 4, learningRate: 2e-3, order: .shuffle, labelNoise: 0.1),
                    label: "GPU, shuffle + label noise")
    }

    func testMetricLossesAreRefused() throws {
        let m = members(training: TrainingConfig(epochs: 1, batchSize: 4, loss: .arcface))
        let device: EmulatedKernelDevice
        do { device = try EmulatedKernelDevice() } catch { throw XCTSkip("no C++20 compiler for the kernel emulator: \(error)") }
        XCTAssertThrowsError(try CUDAFoldBatchTrainer(members: m, device: device)) { XCTAssertTrue("\($0)".contains("classifier head only"), "\($0)") }
    }
}

final class CUDABenchmarkStepTests: XCTestCase {
    /// The bench's fold-batched training step runs (on the emulator: its time means nothing there).
    func testTrainingStepRunsOnTheEmulator() throws {
        let device: EmulatedKernelDevice
        do { device = try EmulatedKernelDevice() } catch { throw XCTSkip("no C++20 compiler for the kernel emulator: \(error)") }
        let bench = CUDABenchmark(config: HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1]), batch: 2)
        let seconds = try bench.trainingStepSeconds(on: device, models: 2, steps: 1)
        XCTAssertGreaterThan(seconds, 0)
        // Forward 11 (patch, 4 per layer x 2, conv, classifier), backward 21 (2 per linear, conv 2, patch dW 1).
        XCTAssertEqual(bench.stepProducts().values.reduce(0, +), 32, "one step's sgemm calls at this size")
    }
}
