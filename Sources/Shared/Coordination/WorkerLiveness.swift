/// How long the coordinator waits on a silent worker. Workers send a heartbeat every
/// `WorkerSession.heartbeatSeconds` while they train and answer every other message at once, so a
/// silence beyond `timeoutSeconds` means a frozen (SIGSTOP, swapping to death) or vanished worker
/// (a host off the network). Its task is then requeued to another worker, or the run stops with a
/// named error; either way nothing waits forever.
public struct WorkerLiveness: Sendable, Equatable {
    public enum OnLost: String, Sendable, CaseIterable {
        /// Give the lost worker's task to another worker (the default; results do not depend on which).
        case requeue
        /// Stop the run (journalled tasks stay; --resume continues).
        case stop
    }
    public var timeoutSeconds: Double
    public var onLost: OnLost
    /// After a signal or an error, how long workers get to answer the shutdown.
    public var stopGraceSeconds: Double

    public init(timeoutSeconds: Double = 120, onLost: OnLost = .requeue, stopGraceSeconds: Double = 15) {
        self.timeoutSeconds = timeoutSeconds
        self.onLost = onLost
        self.stopGraceSeconds = stopGraceSeconds
    }
}
