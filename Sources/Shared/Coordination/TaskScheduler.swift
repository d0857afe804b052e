import Foundation

/// Hands out planned tasks on request, largest first, and keeps the numbers for the progress line.
/// It knows nothing of MPI: the coordinator feeds it events from whatever transport it uses.
public struct TaskScheduler {
    public private(set) var pending: [PlannedTask]
    /// worker name -> (task, latest epoch reported)
    public private(set) var running: [String: (task: PlannedTask, epoch: Int)] = [:]
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

    /// The next task for `worker`, or nil when there is none (or the run is stopping).
    public mutating func nextTask(for worker: String) -> PlannedTask? {
        guard !stopping, !pending.isEmpty else { return nil }
        let task = pending.removeFirst()
        running[worker] = (task, 0)
        return task
    }

    public mutating func progress(worker: String, epoch: Int) {
        running[worker]?.epoch = epoch
    }

    /// The task `worker` was running, now finished (successfully or not).
    @discardableResult
    public mutating func finish(worker: String, taskID: String, succeeded: Bool) -> PlannedTask? {
        guard let entry = running[worker], entry.task.id == taskID else { return nil }
        running[worker] = nil
        if succeeded {
            done += 1
            costDone += entry.task.cost
        } else {
            failed.append(taskID)
        }
        return entry.task
    }

    /// A worker left mid-task: its task goes back to the front of the queue.
    public mutating func requeue(worker: String) {
        guard let entry = running.removeValue(forKey: worker) else { return }
        pending.insert(entry.task, at: 0)
    }

    /// Seconds left, from the rate of work done so far (finished tasks plus epochs of running ones);
    /// nil until there is something to measure.
    public func eta(now: Date = Date()) -> Double? {
        let partial = running.values.reduce(0.0) { $0 + $1.task.cost * Double($1.epoch) / Double(max(1, $1.task.variant.training.epochs)) }
        let worked = costDone + partial
        let elapsed = now.timeIntervalSince(started)
        guard worked > 0, elapsed > 0 else { return nil }
        let remaining = pending.reduce(0.0) { $0 + $1.cost } + running.values.reduce(0.0) { $0 + $1.task.cost } - partial
        return remaining / (worked / elapsed)
    }

    /// "[3/40 tasks, 1 failed] ETA 4m10s | host:1 base/1/s07 epoch 12/40 | host:2 idle"
    public func progressLine(workers: [String], now: Date = Date()) -> String {
        var line = "[\(done)/\(total) tasks"
        if !failed.isEmpty { line += ", \(failed.count) failed" }
        line += "]"
        if let eta = eta(now: now) { line += " ETA \(TaskScheduler.duration(eta))" }
        for w in workers {
            if let entry = running[w] {
                line += " | \(w) \(entry.task.id) epoch \(entry.epoch)/\(entry.task.variant.training.epochs)"
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
