import Foundation

/// Training on a thread of its own, so the calling (MPI) thread stays free to forward progress and
/// fold states, send heartbeats and notice a shutdown or a signal while a long fold trains. The
/// training body hands its progress and states over through `report` / `save`; the caller collects
/// them with `takeProgress` / `takeStates` and reads `outcome` once `wait` says the body has ended.
/// FoldTaskRunner (one task) and BundleTaskRunner (a fold batch) are the two kinds of body.
open class BackgroundTraining<Progress, Outcome> {
    private let lock = NSLock()
    private var pendingProgress: [Progress] = []
    private var pendingStates: [FoldStateUpload] = []
    private var finished: Outcome?
    private var cancelled = false
    private let done = DispatchSemaphore(value: 0)

    public init() {}

    /// Runs `body` on a new thread with a 64 MiB stack (the engines keep large per-layer buffers on it).
    func launch(_ body: @escaping () -> Outcome) {
        let thread = Thread { [self] in
            let outcome = body()
            lock.lock(); finished = outcome; lock.unlock()
            done.signal()
        }
        thread.stackSize = 64 << 20
        thread.start()
    }

    /// Called by the body: progress for the caller's next `takeProgress`.
    func report(_ progress: Progress) {
        lock.lock(); pendingProgress.append(progress); lock.unlock()
    }

    /// Called by the body: a fold state for the caller's next `takeStates`.
    func save(_ state: FoldStateUpload) {
        lock.lock(); pendingStates.append(state); lock.unlock()
    }

    /// Asks the body to stop at its next step; `wait` then returns once it has.
    public func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    /// What the body polls between steps.
    var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    /// Progress reported since the last call, oldest first.
    public func takeProgress() -> [Progress] {
        lock.lock(); defer { lock.unlock() }
        let out = pendingProgress
        pendingProgress.removeAll()
        return out
    }

    /// Fold states saved since the last call, oldest first (only the last one matters to a resume).
    public func takeStates() -> [FoldStateUpload] {
        lock.lock(); defer { lock.unlock() }
        let out = pendingStates
        pendingStates.removeAll()
        return out
    }

    /// What the body returned once it has ended, else nil.
    public var outcome: Outcome? {
        lock.lock(); defer { lock.unlock() }
        return finished
    }

    /// Waits up to `seconds` for the body to end; true when it has.
    public func wait(seconds: Double) -> Bool {
        if done.wait(timeout: .now() + seconds) == .success { done.signal(); return true }
        return false
    }
}
