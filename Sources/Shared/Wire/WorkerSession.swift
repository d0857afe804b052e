import Dataset
import HTNet
import Foundation
import Tensor

/// A worker rank: says hello, receives the dataset once, trains the folds it is given, and answers
/// the coordinator's shutdown with its own. Training runs on a background thread while this (MPI)
/// thread forwards epoch progress and watches for a shutdown or a signal.
public final class WorkerSession {
    private let communicator: MPICommunicator
    /// OpenBLAS threads from the command line; 0 = the coordinator's --threads, else the node's share.
    private let threadsOverride: Int
    private let log: (String) -> Void
    /// The most tasks trained at once as a fold batch (`worker --bundle`); 1: one task at a time.
    private let bundleLimit: Int
    /// What trains bundles: the CPU engine, or a GPU (`worker --device cuda`).
    private let engine: FoldBatchEngine
    /// Free device memory when asked (GPU workers); 0: no memory bound.
    private let memoryBytes: () -> Int

    /// Seconds between heartbeats while a fold trains (the coordinator's `--worker-timeout` must be
    /// well above it).
    public static let heartbeatSeconds = 2.0

    public init(communicator: MPICommunicator, threads: Int, bundleLimit: Int = 1, engine: FoldBatchEngine = CPUFoldBatchEngine(),
                memoryBytes: @escaping () -> Int = { 0 }, log: @escaping (String) -> Void) {
        self.communicator = communicator
        threadsOverride = threads
        self.bundleLimit = bundleLimit
        self.engine = engine
        self.memoryBytes = memoryBytes
        self.log = log
    }

    /// Exit status: 0 after a clean shutdown, 1 when the coordinator could not be understood.
    public func run(localWorldRanks: [Int]) -> Int32 {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let workersOnNode = max(1, localWorldRanks.filter { $0 != 0 }.count)
        let hello = WorkerHello(host: communicator.processorName, rank: communicator.rank, cores: cores,
                                workersOnNode: workersOnNode, softwareVersion: ClusterVersion.software)
        var dataset: ComposedDataset?
        var cadence = FoldStateCadence()
        do {
            try send(.hello(hello))
            while true {
                guard let (_, bytes) = try communicator.receive(from: 0, interval: 0.01, stop: { StopSignal.isSet }) else {
                    try send(.shutdown(reason: "\(StopSignal.name(StopSignal.caught ?? SIGTERM)) received"))
                    return drainUntilDismissed()
                }
                switch try MessageCodec.decode(bytes) {
                case let .setup(setup):
                    dataset = try FeatureCache.decode(Data(setup.featureCache), source: "the coordinator's feature cache")
                    cadence = setup.foldStateCadence
                    let threads = threadsOverride > 0 ? threadsOverride
                        : setup.threads > 0 ? setup.threads : max(1, cores / workersOnNode)
                    BLAS.setThreads(threads)
                    let memory = memoryBytes()
                    log("\(hello.name): \(dataset!.samples.count) samples, \(threads) OpenBLAS thread(s) (\(cores) cores, \(workersOnNode) worker(s) on this node); "
                        + "device \(engine.device), " + (bundleLimit > 1 ? "bundles of up to \(bundleLimit) tasks" : "one task at a time")
                        + (memory > 0 ? String(format: ", %.1f GiB free", Double(memory) / 1073741824) : ""))
                    try send(.ready(WorkerReady(worker: hello.name, threads: threads, device: engine.device,
                                                bundleLimit: bundleLimit, memoryBytes: memory)))
                case let .assignment(assignment):
                    guard let dataset else {
                        try send(.failure(TaskFailure(taskID: assignment.taskID, worker: hello.name, message: "no dataset received before the task")))
                        continue
                    }
                    if let reason = try train(assignment, dataset: dataset, worker: hello.name, cadence: cadence) {
                        // Dismissed (or signalled) mid-fold: the fold is abandoned.
                        try send(.shutdown(reason: reason))
                        return 0
                    }
                case let .bundle(assignments):
                    guard let dataset else {
                        for a in assignments {
                            try send(.failure(TaskFailure(taskID: a.taskID, worker: hello.name, message: "no dataset received before the task")))
                        }
                        continue
                    }
                    if let reason = try train(bundle: assignments, dataset: dataset, worker: hello.name) {
                        try send(.shutdown(reason: reason))
                        return 0
                    }
                case .shutdown:
                    try send(.shutdown(reason: "bye"))
                    return 0
                case let other:
                    log("\(hello.name): unexpected \(other.kind) message from the coordinator; ignored")
                }
            }
        } catch let error as ClusterError {
            if case .protocolMismatch = error {
                log("\(hello.name): refusing the coordinator: \(error)")
            } else {
                log("\(hello.name): \(error)")
            }
            return 1
        } catch {
            log("\(hello.name): \(error)")
            try? send(.shutdown(reason: "worker error: \(error)"))
            return 1
        }
    }

    /// Trains one fold; returns a reason when the worker must stop instead (shutdown or signal). The
    /// training thread has ended whenever this returns: a worker never exits under a running fold
    /// (OpenBLAS's exit handlers would free buffers the thread still uses).
    private func train(_ assignment: TaskAssignment, dataset: ComposedDataset, worker: String, cadence: FoldStateCadence) throws -> String? {
        let runner = FoldTaskRunner(assignment: assignment, stateCadence: cadence)
        runner.start(dataset: dataset, worker: worker)
        let forward = { (ended: Bool) in
            for record in runner.takeProgress() {
                try self.send(.progress(EpochProgress(taskID: assignment.taskID, record: record)))
            }
            // A state left when the fold has ended is not sent: its result follows at once.
            if !ended, let state = runner.takeStates().last {
                // A state over one MPI message is not saved; the fold trains on without a save point.
                do { try self.send(.foldState(state)) } catch ClusterError.messageTooLarge {
                    self.log("\(worker): the fold state of \(assignment.taskID) after epoch \(state.epoch) is \(state.state.count) bytes, "
                        + "more than one MPI message carries; not saved (the fold trains on)")
                }
            }
        }
        if let reason = try supervise(runner, heartbeatTaskID: assignment.taskID, during: assignment.taskID, forward: forward) { return reason }
        try send(runner.outcome!)
        return nil
    }

    /// Trains a bundle as one fold batch; returns a reason when the worker must stop instead. Sends
    /// one result or failure per task when the batch ends (the last one asks for the next work).
    private func train(bundle assignments: [TaskAssignment], dataset: ComposedDataset, worker: String) throws -> String? {
        let runner = BundleTaskRunner(assignments: assignments, engine: engine)
        log("\(worker): a bundle of \(assignments.count) task(s) on \(engine.device): \(assignments.map(\.taskID).joined(separator: ", "))")
        runner.start(dataset: dataset, worker: worker, log: log)
        let forward = { (_: Bool) in for progress in runner.takeProgress() { try self.send(.progress(progress)) } }
        if let reason = try supervise(runner, heartbeatTaskID: assignments[0].taskID, during: "a bundle of \(assignments.count)",
                                      forward: forward) { return reason }
        for outcome in runner.outcome! { try send(outcome) }
        return nil
    }

    /// While `runner` trains: forwards what it produced (`forward(false)`; `forward(true)` once more
    /// after it has ended), sends heartbeats, and watches for the coordinator's shutdown and for a
    /// signal. Returns nil once training has ended, else why the worker must stop; either way the
    /// training thread has ended.
    private func supervise<P, O>(_ runner: BackgroundTraining<P, O>, heartbeatTaskID: String, during: String,
                                 forward: (_ ended: Bool) throws -> Void) throws -> String? {
        // However this returns (done, dismissed, signalled, or an MPI error thrown), the thread has ended.
        defer {
            runner.cancel()
            while !runner.wait(seconds: 0.05) {}
        }
        var lastBeat = Date()
        while !runner.wait(seconds: 0.02) {
            try forward(false)
            if Date().timeIntervalSince(lastBeat) >= Self.heartbeatSeconds {
                try send(.heartbeat(taskID: heartbeatTaskID))
                lastBeat = Date()
            }
            if let (_, bytes) = try communicator.poll(from: 0), case .shutdown = try MessageCodec.decode(bytes) {
                return "bye"
            }
            if StopSignal.isSet { return "\(StopSignal.name(StopSignal.caught!)) received during \(during)" }
        }
        try forward(true)
        return nil
    }

    private func send(_ outcome: Result<TaskResult, TaskFailure>) throws {
        switch outcome {
        case let .success(result): try send(.result(result))
        case let .failure(failure): try send(.failure(failure))
        }
    }

    /// After leaving on a signal: wait for the coordinator's shutdown so both sides finalize cleanly.
    private func drainUntilDismissed() -> Int32 {
        while let (_, bytes) = try? communicator.receive(from: 0, interval: 0.01) {
            if case .shutdown? = try? MessageCodec.decode(bytes) { return 0 }
        }
        return 0
    }

    private func send(_ message: ClusterMessage) throws {
        try communicator.send(MessageCodec.encode(message), to: 0)
    }
}
