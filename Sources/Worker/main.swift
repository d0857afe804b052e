import ArgumentParser
import CUDABackend
import CommandLineConventions
import Wire
import Foundation
import HTNet
import Tensor

/// `worker`: ranks >= 1 of `mpirun -np 1 coordinator run EXPERIMENT : -np N worker`.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Trains the folds the coordinator (rank 0) hands out. Start it under mpirun.",
        discussion: "Example: mpirun -np 1 coordinator run experiments/demo.yaml : -np 2 worker",
        version: SoftwareVersion.description)

    @Option(help: "OpenBLAS threads for this worker (default: the coordinator's --threads, else cores on the node / workers on the node).")
    var threads: Int = 0

    @Option(help: "Where this worker trains: cpu, or cuda / cuda:N (GPU N; the CUDA libraries are opened at run time).")
    var device = "cpu"

    @Option(help: ArgumentHelp("The most tasks this worker trains at once as one fold batch (default: 1 on the CPU, one task at a time; on a GPU as many as fit in its free memory).",
                               discussion: "Tasks of one model and training setup are bundled; results do not depend on the bundle size."))
    var bundle: Int?

    /// A GPU worker's bundles are bounded by its free memory (the coordinator sizes them), not by a count.
    static let unboundedBundle = 1 << 20

    func validate() throws {
        try NumericFlag.atLeast(threads, 0, flag: "--threads")
        try NumericFlag.atLeast(bundle, 1, flag: "--bundle")
        do { _ = try ComputeDevice(parsing: device) } catch { throw ValidationError("--device: \(error)") }
    }

    func run() throws {
        StopSignal.install()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        var engine: FoldBatchEngine = CPUFoldBatchEngine()
        var memoryBytes: () -> Int = { 0 }
        var limit = bundle ?? 1
        if case let .cuda(ordinal) = try ComputeDevice(parsing: device) {
            // Checked before joining the run, so a worker that cannot train never claims a task.
            let found: CUDADevice
            do { found = try CUDADevice(ordinal: ordinal) } catch {
                log("worker: --device \(device): \(error)")
                Foundation.exit(1)
            }
            log("worker: --device \(device): \(found.description)")
            engine = CUDAFoldBatchEngine(kernelDevice: found, device: "cuda:\(ordinal) \(found.name)")
            memoryBytes = { (try? found.freeMemory()) ?? 0 }
            limit = bundle ?? Self.unboundedBundle
        }
        let communicator = try MPICommunicator()
        guard communicator.rank != 0 else {
            log("worker: rank 0 must be the coordinator: mpirun -np 1 coordinator run EXPERIMENT : -np N worker")
            communicator.abort(code: 1)
        }
        let local = try communicator.nodeLocalWorldRanks()
        let status = WorkerSession(communicator: communicator, threads: threads, bundleLimit: limit, engine: engine,
                                   memoryBytes: memoryBytes, log: log).run(localWorldRanks: local)
        communicator.finalize()
        // WorkerSession has stopped and joined any training thread before returning.
        Foundation.exit(status)
    }
}

// Before anything else: OpenBLAS must not run its generic kernels on a CPU it failed to recognise.
OpenBLASCoreType.reexecIfGeneric()
WorkerCommand.mainWithUniformErrors()
