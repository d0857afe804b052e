import CUDABackend
import HTNet
import Wire

/// Which tasks a worker may train as one fold batch, and how many at once.
///
/// A task can be bundled when the fold batch trains it exactly as FoldTrainer does
/// (FoldBatchSupport) and nothing about it needs the lone trainer: no DDAMFN, no inner validation
/// set, no partly fresh start, no selected epoch's weights to keep, no saved fold state to resume
/// from (a bundled fold saves no states and restarts from epoch 1 when cut off; a task with a
/// saved state goes alone, so it resumes). Tasks share a bundle when they share one model and
/// training setup (TaskScheduler.shareAFoldBatch).
final class TaskBundling {
    /// Why `task` trains alone; nil when it can be bundled (fold states aside, see `bundlable`).
    static func refusal(_ task: PlannedTask) -> String? {
        if task.variant.ddamfn != nil { return "DDAMFN trains alone" }
        if !task.fold.validationIndices.isEmpty { return "an inner validation set" }
        if !task.freshSlots.isEmpty { return "a partly fresh start" }
        if let selected = task.returnedWeights.selected { return "the \(selected.rawValue) epoch's weights are kept" }
        return FoldBatchSupport.refusal(model: task.variant.model, training: task.variant.training)
    }

    /// The worker's device and bundle capacity (its ready message).
    let worker: WorkerReady
    let log: (String) -> Void
    /// Members per bundle of each variant on this worker, once computed (and logged).
    private var sizes: [String: Int] = [:]

    init(worker: WorkerReady, log: @escaping (String) -> Void) {
        self.worker = worker
        self.log = log
    }

    var takesBundles: Bool { worker.bundleLimit > 1 }

    /// Tasks of `task`'s variant this worker trains at once: its --bundle limit, and for a GPU worker
    /// the members that fit in its free memory (FoldBatchMemory, the GPU engine's own allocations
    /// at the variant's batch size), stated in the log. 0: not even one fits, the task goes alone
    /// (trained by the worker's CPU).
    func capacity(for task: PlannedTask) -> Int {
        guard takesBundles else { return 1 }
        if let known = sizes[task.variant.name] { return known }
        var size = worker.bundleLimit
        if worker.memoryBytes > 0 {
            do {
                let memory = try FoldBatchMemory(model: task.variant.model, stackedBatch: task.variant.training.batchSize)
                size = min(size, memory.members(fitting: worker.memoryBytes))
                log(String(format: "%@ (%@, %.1f GiB free): variant %@ needs %.2f GiB per member + %.2f GiB: bundles of up to %d task(s)",
                           worker.worker, worker.device, Double(worker.memoryBytes) / 1073741824, task.variant.name,
                           Double(memory.bytesPerMember) / 1073741824, Double(memory.fixedBytes) / 1073741824, size))
            } catch {
                log("\(worker.worker): the fold batch of variant \(task.variant.name) cannot be sized (\(error)); its tasks go alone")
                size = 0
            }
        } else {
            log("\(worker.worker) (\(worker.device)): bundles of up to \(size) task(s) of variant \(task.variant.name)")
        }
        sizes[task.variant.name] = size
        return size
    }

    /// Whether this worker gets `task` in a bundle (possibly of one): it takes bundles, the task can
    /// be bundled, at least one member fits, and no fold state of it waits to be resumed.
    func bundlable(_ task: PlannedTask, foldStates: FoldStateStore) -> Bool {
        takesBundles && TaskBundling.refusal(task) == nil && capacity(for: task) >= 1 && !foldStates.hasState(for: task.assignment)
    }
}
