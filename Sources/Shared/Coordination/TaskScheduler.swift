import Foundation

/// Hands out planned tasks on request, largest first, one at a time or in bundles (tasks a worker
/// trains together as one fold batch), and keeps the numbers for the progress line. It knows
/// nothing of MPI: the coordinator feeds it events from whatever transport it uses.
public struct TaskScheduler {
    /// A task being trained, with the latest epoch its worker reported.
    public struct RunningTask: Equatable, Sendable {
        public var task: PlannedTask
        public var epoch: Int
    }

    public private(set) var pending: [PlannedTask]
    /// worker name -> what it trains: one task, or a bundle (in hand-out order).
    public private(set) var running: [String: [RunningTask]] = [:]
    public let total: Int
    public private(set) var done: Int
    public private(set) var failed: [String] = []
    /// No new task is handed out once set (a signal, a fatal error).
    public private(set) var stopping = false

    private let started: Date
    /// Estimated cost finished in this session (for the ETA; journalled tasks do not count).
    private var costDone = 0.0

    /// `tasks` in hand-out order; `alreadyDone` of the `total` were journalled earlier.
    public init(tasks: [PlannedTask], alreadyDone: Int, now: Date = Date()) {
        pending = tasks
        total = tasks.count + alreadyDone
        done = alreadyDone
        started = now
    }

    public var isFinished: Bool { running.isEmpty && (pending.isEmpty || stopping) }

    public mutating func stop() { stopping = true }

    /// The next task for `worker` alone, or nil when there is none (or the run is stopping).
    public mutating func nextTask(for worker: String) -> PlannedTask? {
        nextBundle(for: worker, capacity: { _ in 1 }, bundlable: { _ in false }).first
    }

    /// The next work for `worker`: the head of the queue and, when it is `bundlable` and `capacity`
    /// of it exceeds 1, the next pending tasks that can share its fold batch (bundlable, the same
    /// model and training settings: other folds, seeds or starting weights), in queue order, up to
    /// `capacity` tasks. Tasks passed over keep their places. Empty when there is nothing to hand out.
    public mutating func nextBundle(for worker: String, capacity: (PlannedTask) -> Int,
                                    bundlable: (PlannedTask) -> Bool) -> [PlannedTask] {
        guard !stopping, !pending.isEmpty, running[worker] == nil else { return [] }
        let head = pending[0]
        var taken = [0]
        let limit = bundlable(head) ? capacity(head) : 1
        if limit > 1 {
            for i in pending.indices.dropFirst() where taken.count < limit {
                if TaskScheduler.shareAFoldBatch(head, pending[i]) && bundlable(pending[i]) { taken.append(i) }
            }
        }
        let bundle = taken.map { pending[$0] }
        for i in taken.reversed() { pending.remove(at: i) }
        running[worker] = bundle.map { RunningTask(task: $0, epoch: 0) }
        return bundle
    }

    /// Whether two tasks can train as members of one fold batch: one model and one training setup
    /// (FoldBatchTrainer's rule); they differ in fold, seed, data or starting weights.
    public static func shareAFoldBatch(_ a: PlannedTask, _ b: PlannedTask) -> Bool {
        a.variant.model == b.variant.model && a.variant.training == b.variant.training
            && a.variant.ddamfn == nil && b.variant.ddamfn == nil
    }

    /// The task `taskID` if `worker` is training it.
    public func task(_ taskID: String, of worker: String) -> PlannedTask? {
        running[worker]?.first { $0.task.id == taskID }?.task
    }

    public mutating func progress(worker: String, taskID: String, epoch: Int) {
        guard let i = running[worker]?.firstIndex(where: { $0.task.id == taskID }) else { return }
        running[worker]![i].epoch = epoch
    }

    /// A task `worker` was running, now finished (successfully or not); the worker is free once the
    /// last task of its bundle has finished.
    @discardableResult
    public mutating func finish(worker: String, taskID: String, succeeded: Bool) -> PlannedTask? {
        guard let i = running[worker]?.firstIndex(where: { $0.task.id == taskID }) else { return nil }
        let task = running[worker]!.remove(at: i).task
        if running[worker]!.isEmpty { running[worker] = nil }
        if succeeded {
            done += 1
            costDone += task.cost
        } else {
            failed.append(taskID)
        }
        return task
    }

    /// A worker left mid-work: every unfinished task of its bundle goes back to the front of the
    /// queue, in the order it was handed out.
    public mutating func requeue(worker: String) {
        guard let entries = running.removeValue(forKey: worker) else { return }
        pending.insert(contentsOf: entries.map(\.task), at: 0)
    }

    /// Seconds left, from the rate of work done so far (finished tasks plus epochs of running ones);
    /// nil until there is something to measure.
    public func eta(now: Date = Date()) -> Double? {
        let all = running.values.flatMap { $0 }
        let partial = all.reduce(0.0) { $0 + $1.task.cost * Double($1.epoch) / Double(max(1, $1.task.variant.training.epochs)) }
        let worked = costDone + partial
        let elapsed = now.timeIntervalSince(started)
        guard worked > 0, elapsed > 0 else { return nil }
        let remaining = pending.reduce(0.0) { $0 + $1.cost } + all.reduce(0.0) { $0 + $1.task.cost } - partial
        return remaining / (worked / elapsed)
    }

    /// "[3/40 tasks, 1 failed] ETA 4m10s | host:1 base/1/s07 epoch 12/40 | host:2 4 tasks (base/1/s01 ...) epoch 3/40 | host:3 idle"
    public func progressLine(workers: [String], now: Date = Date()) -> String {
        var line = "[\(done)/\(total) tasks"
        if !failed.isEmpty { line += ", \(failed.count) failed" }
        line += "]"
        if let eta = eta(now: now) { line += " ETA \(TaskScheduler.duration(eta))" }
        for w in workers {
            if let entries = running[w], let first = entries.first {
                let what = entries.count == 1 ? first.task.id : "\(entries.count) tasks (\(first.task.id) ...)"
                let epoch = entries.map(\.epoch).min() ?? 0
                line += " | \(w) \(what) epoch \(epoch)/\(first.task.variant.training.epochs)"
            } else {
                line += " | \(w) idle"
            }
        }
        return line
    }

    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
