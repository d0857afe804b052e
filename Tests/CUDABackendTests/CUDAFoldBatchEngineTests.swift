import CUDABackend
import FoldResults
import HTNet
import Tensor
import XCTest

/// The GPU as a worker's fold-batch engine (what `worker --device cuda` trains bundles with), run
/// on the kernel emulator: per-member progress, the trained weights handed back as a CPU model for
/// the final evaluation, cancellation, and FoldBatchMemory against the trainer's real allocations.
final class CUDAFoldBatchEngineTests: XCTestCase {
    let model = HTNetConfig(dim: 8, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], numClasses: 3)

    func emulator() throws -> EmulatedKernelDevice {
        do { return try EmulatedKernelDevice() } catch { throw XCTSkip("no C++20 compiler for the kernel emulator (set CXX): \(error)") }
    }

    /// Members of `sizes` (training, test) samples, one class pattern per label.
    func members(_ sizes: [(Int, Int)], training: TrainingConfig) -> [FoldBatchTrainer.Member] {
        SyntheticFoldBatch.members(model: model, training: training, sizes: sizes.map { (train: $0.0, test: $0.1) }, dataSeed: 71, seedKeys: (9, 300))
    }

    func testTheGPUEngineGivesTheWorkerWhatTheCPUEngineGives() throws {
        try compareEngines(on: try emulator(), name: "cuda:0 emulated")
    }

    func testTheGPUEngineOnTheGPUGivesWhatTheCPUEngineGives() throws {
        guard (try? CUDALibraries.openDriver()) != nil else {
            throw XCTSkip("no CUDA driver (libcuda.so.1): the GPU engine not run on this machine")
        }
        let device = try CUDADevice(ordinal: 0)
        try compareEngines(on: device, name: "cuda:0 \(device.name)")
    }

    func compareEngines(on device: KernelDevice, name: String) throws {
        let training = TrainingConfig(epochs: 2, batchSize: 4, learningRate: 2e-3, order: .shuffle)
        let m = members([(10, 4), (7, 3)], training: training)
        let engines: [FoldBatchEngine] = [CPUFoldBatchEngine(), CUDAFoldBatchEngine(kernelDevice: device, device: name)]
        let sampleSize = model.channels * model.imageSize * model.imageSize
        var logits: [[[[Float]]]] = [], handedBack: [[[[Float]]]] = [], embeddings: [[Int]] = [], progress: [[Int]] = []
        for engine in engines {
            var seen: [Int] = [], evaluated: [Int: [[Float]]] = [:], embedded: [Int: Int] = [:]
            let outcomes = try engine.train(m, shouldStop: nil, progress: { f, _ in seen.append(f) }, finished: { f, net in
                let objective = training.objective(trainLabels: m[f].data.trainLabels, classes: model.numClasses)
                evaluated[f] = m[f].trainer.evaluate(net, objective: objective, inputs: m[f].data.testInputs,
                                                     labels: m[f].data.testLabels, sampleSize: sampleSize).logits
                embedded[f] = m[f].trainer.finalEvaluation(net, data: m[f].data).embeddings.count
            })
            logits.append(try outcomes.map { try $0.get().finalLogits })
            handedBack.append((0..<m.count).map { evaluated[$0]! })
            embeddings.append((0..<m.count).map { embedded[$0]! })
            progress.append(seen)
        }
        XCTAssertEqual(engines[1].device, name)
        XCTAssertEqual(progress[1], [0, 1, 0, 1], "each member's epochs, as they end")
        XCTAssertEqual(progress[1], progress[0])
        var worst = 0.0
        for f in 0..<m.count {
            // The model handed back holds the GPU's weights: evaluated on the CPU it gives the GPU's
            // own final logits, and the CPU engine's within float tolerance.
            for (i, gpuRow) in logits[1][f].enumerated() {
                for (j, g) in gpuRow.enumerated() {
                    let onCPU = Double(handedBack[1][f][i][j]), cpuEngine = Double(logits[0][f][i][j]), gpu = Double(g)
                    worst = max(worst, abs(gpu - onCPU) / max(1e-3, abs(onCPU)))
                    worst = max(worst, abs(gpu - cpuEngine) / max(1e-3, abs(cpuEngine)))
                }
            }
            XCTAssertEqual(handedBack[0][f], logits[0][f], "the CPU engine hands back its own model")
            XCTAssertEqual(embeddings[1][f], m[f].data.testLabels.count)
        }
        print(String(format: "GPU engine (%@): largest relative logit difference %.2e", name, worst))
        XCTAssertLessThan(worst, 1e-3)

        XCTAssertNotNil(engines[1].refusal(model: model, training: TrainingConfig(loss: .proxyAnchor)), "metric losses stay on the CPU")
        XCTAssertNil(engines[1].refusal(model: model, training: training))
        XCTAssertThrowsError(try engines[1].train(m, shouldStop: { true }, progress: { _, _ in }, finished: { _, _ in })) {
            guard case FoldTrainingError.cancelled = $0 else { return XCTFail("\($0)") }
        }
    }

    /// The bytes FoldBatchMemory puts on each member cover what the trainer really allocates for one
    /// more member (counted through the emulator), and its fixed part what one member needs besides.
    func testFoldBatchMemoryCoversTheTrainersAllocations() throws {
        let device = try emulator()
        let training = TrainingConfig(epochs: 1, batchSize: 4, learningRate: 1e-3)
        func allocated(_ members: Int) throws -> Int {
            let counting = CountingDevice(device)
            _ = try CUDAFoldBatchTrainer(members: self.members(Array(repeating: (6, 4), count: members), training: training),
                                         device: counting).run()
            return counting.bytes
        }
        let one = try allocated(1), two = try allocated(2)
        let memory = try FoldBatchMemory(model: model, stackedBatch: 4)
        XCTAssertGreaterThanOrEqual(memory.bytesPerMember, two - one)
        XCTAssertLessThanOrEqual(memory.bytesPerMember, two - one + 64, "a few bytes over, not a guess")
        XCTAssertGreaterThanOrEqual(memory.fixedBytes + memory.bytesPerMember, one - 64)
        XCTAssertEqual(memory.members(fitting: memory.fixedBytes + 7 * memory.bytesPerMember + (512 << 20)), 7)
    }
}

/// Passes everything to another device and adds up the bytes allocated.
final class CountingDevice: KernelDevice {
    let inner: KernelDevice
    private(set) var bytes = 0
    init(_ inner: KernelDevice) { self.inner = inner }
    func allocate(bytes: Int) throws -> DeviceBuffer {
        self.bytes += bytes
        return try inner.allocate(bytes: bytes)
    }
    func upload(_ bytes: UnsafeRawBufferPointer, to buffer: DeviceBuffer) throws { try inner.upload(bytes, to: buffer) }
    func download(_ bytes: UnsafeMutableRawBufferPointer, from buffer: DeviceBuffer) throws { try inner.download(bytes, from: buffer) }
    func zero(_ buffer: DeviceBuffer, bytes: Int) throws { try inner.zero(buffer, bytes: bytes) }
    func launch(_ name: String, gridX: UInt32, gridY: UInt32, block: UInt32, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws {
        try inner.launch(name, gridX: gridX, gridY: gridY, block: block, arguments: arguments)
    }
    func sgemmStridedBatchedColumnMajor(transA: Int32, transB: Int32, m: Int32, n: Int32, k: Int32, alpha: Float,
                                        a: UInt64, lda: Int32, strideA: Int64, b: UInt64, ldb: Int32, strideB: Int64,
                                        beta: Float, c: UInt64, ldc: Int32, strideC: Int64, batch: Int32) throws {
        try inner.sgemmStridedBatchedColumnMajor(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                                 strideA: strideA, b: b, ldb: ldb, strideB: strideB, beta: beta, c: c, ldc: ldc,
                                                 strideC: strideC, batch: batch)
    }
    func synchronize() throws { try inner.synchronize() }
}
