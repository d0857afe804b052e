import ArgumentParser
import CUDABackend
import CommandLineConventions
import Wire
import Foundation
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

    func validate() throws {
        try NumericFlag.atLeast(threads, 0, flag: "--threads")
        do { _ = try ComputeDevice(parsing: device) } catch { throw ValidationError("--device: \(error)") }
    }

    func run() throws {
        StopSignal.install()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if case let .cuda(ordinal) = try ComputeDevice(parsing: device) {
            // Checked before joining the run, so a worker that cannot train never claims a task.
            let found: CUDADevice
            do { found = try CUDADevice(ordinal: ordinal) } catch {
                log("worker: --device \(device): \(error)")
                Foundation.exit(1)
            }
            log("worker: --device \(device): \(found.description); but bundled task claiming is not built yet, so a GPU worker cannot join a run (docs/GPU.md; `coordinator train-seed --device cuda` trains on the GPU without MPI): use --device cpu")
            Foundation.exit(1)
        }
        let communicator = try MPICommunicator()
        guard communicator.rank != 0 else {
            log("worker: rank 0 must be the coordinator: mpirun -np 1 coordinator run EXPERIMENT : -np N worker")
            communicator.abort(code: 1)
        }
        let local = try communicator.nodeLocalWorldRanks()
        let status = WorkerSession(communicator: communicator, threads: threads, log: log).run(localWorldRanks: local)
        communicator.finalize()
        // WorkerSession has stopped and joined any training thread before returning.
        Foundation.exit(status)
    }
}

// Before anything else: OpenBLAS must not run its generic kernels on a CPU it failed to recognise.
OpenBLASCoreType.reexecIfGeneric()
WorkerCommand.mainWithUniformErrors()
