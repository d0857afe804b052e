import Foundation
import Wire

/// The coordinator's side of the conversation with the worker ranks (see `ClusterMessage`).
///
/// Every worker ends by answering a shutdown with a shutdown of its own ("bye"), so the coordinator
/// never reaches MPI_Finalize while a worker is still blocked sending it a large result.
struct WorkerLink {
    let communicator: MPICommunicator
    let log: (String) -> Void
    let liveness: WorkerLiveness
    private var states: [Int: State]
    private var names: [Int: String] = [:]
    private var hellos: [Int: WorkerHello] = [:]
    /// Each worker's device and bundle capacity (from its ready message).
    private var bundlings: [Int: TaskBundling] = [:]
    /// When each rank was last heard from (any message); a worker training sends heartbeats.
    private var lastHeard: [Int: Date]
    /// Set once the run stops on a signal or an error: the wait for byes is then bounded more tightly.
    private var stoppingSince: Date?
    /// Ranks declared lost (silent beyond the timeout). MPI_Finalize would wait for them forever, so
    /// the coordinator ends the job with MPI_Abort once its journal and report are written.
    private(set) var lostRanks: [Int] = []
    /// Active workers with nothing to do while other workers' tasks still run: kept (not dismissed),
    /// because a lost worker's task may come back to the queue. Not expected to send anything.
    private var idle: [Int] = []

    enum State: Equatable {
        case connecting
        case active
        /// Shutdown sent; waiting for its bye.
        case dismissed
        case gone
        /// Silent beyond the timeout: no longer waited for; whatever it sends later is ignored.
        case lost
    }

    init(communicator: MPICommunicator, ranks: [Int], liveness: WorkerLiveness, log: @escaping (String) -> Void) {
        self.communicator = communicator
        self.log = log
        self.liveness = liveness
        states = Dictionary(uniqueKeysWithValues: ranks.map { ($0, State.connecting) })
        let now = Date()
        lastHeard = Dictionary(uniqueKeysWithValues: ranks.map { ($0, now) })
    }

    private var waitingFor: [Int] { states.keys.sorted().filter { states[$0] != .gone && states[$0] != .lost } }

    /// The silence allowed now: the timeout, or the shorter grace once the run is stopping.
    private func allowedSilence(now: Date) -> Double {
        stoppingSince == nil ? liveness.timeoutSeconds : min(liveness.timeoutSeconds, liveness.stopGraceSeconds)
    }

    /// A rank we wait for that has been silent too long, if any.
    private func silentRank(now: Date = Date()) -> Int? {
        let allowed = allowedSilence(now: now)
        return waitingFor.first { rank in
            if idle.contains(rank) { return false }
            let since = max(lastHeard[rank] ?? now, stoppingSince ?? .distantPast)
            return now.timeIntervalSince(since) > allowed
        }
    }

    /// The rank is no longer waited for; the job ends with MPI_Abort because of it.
    private mutating func markLost(_ rank: Int) {
        states[rank] = .lost
        lostRanks.append(rank)
    }

    /// Declares `rank` lost: its task goes back to the queue (or the run stops, by policy).
    private mutating func declareLost(_ rank: Int, context: inout RunContext) {
        let silence = Date().timeIntervalSince(lastHeard[rank] ?? Date())
        let tasks = names[rank].flatMap { context.scheduler.running[$0]?.map(\.task.id) } ?? []
        markLost(rank)
        let what = "\(name(rank)) silent for \(Int(silence)) s (worker timeout \(Int(allowedSilence(now: Date()))) s): declared lost"
        if !tasks.isEmpty, let worker = names[rank] {
            let task = tasks.count == 1 ? tasks[0] : "bundle of \(tasks.count) (\(tasks.joined(separator: ", ")))"
            switch liveness.onLost {
            case .requeue:
                context.scheduler.requeue(worker: worker)
                log("\(what); its " + (tasks.count == 1 ? "task " : "") + "\(task) "
                    + (context.scheduler.stopping ? "runs again on --resume" : "goes to another worker"))
                serveIdle(context: &context)
            case .stop:
                log("\(what) during \(task)")
                if context.fatal == nil { context.fatal = "\(what) during \(task) (--on-lost-worker stop)" }
            }
        } else {
            log(what)
        }
    }

    private func name(_ rank: Int) -> String { names[rank] ?? "rank \(rank)" }

    /// Sends without ever blocking on a frozen or vanished worker: a send it does not take within the
    /// allowed silence marks it lost (the caller requeues its task through the scheduler as for any
    /// worker that leaves).
    private mutating func send(_ message: ClusterMessage, to rank: Int) {
        do {
            let allowed = allowedSilence(now: Date())
            if try !communicator.send(MessageCodec.encode(message), to: rank, within: allowed) {
                log("\(name(rank)) did not take the \(message.kind) message within \(Int(allowed)) s (worker timeout): declared lost"
                    + (message.kind == .assignment || message.kind == .bundle ? "; its task(s) go to another worker" : ""))
                markLost(rank)
            }
        } catch {
            log("cannot reach \(name(rank)): \(error)")
            states[rank] = .gone
        }
    }

    private mutating func dismiss(_ rank: Int, reason: String) {
        idle.removeAll { $0 == rank }
        guard let state = states[rank], state == .connecting || state == .active else { return }
        send(.shutdown(reason: reason), to: rank)
        if states[rank] != .gone && states[rank] != .lost { states[rank] = .dismissed }
    }

    /// Sends every worker a shutdown and waits for their byes (used on errors and when nothing is left).
    mutating func dismissAll(reason: String) {
        for rank in states.keys.sorted() { dismiss(rank, reason: reason) }
        if stoppingSince == nil { stoppingSince = Date() }
        while !waitingFor.isEmpty {
            guard let (source, bytes) = try? communicator.receive(interval: 0.01, stop: { silentRank() != nil }) else {
                guard let silent = silentRank() else { break }
                log("\(name(silent)) did not answer the shutdown within \(Int(allowedSilence(now: Date()))) s: declared lost")
                markLost(silent)
                continue
            }
            lastHeard[source] = Date()
            if states[source] == .lost { continue }
            switch try? MessageCodec.decode(bytes) {
            case .shutdown?: states[source] = .gone
            case .hello?: dismiss(source, reason: reason)
            case nil:  // another protocol version: our shutdown makes it refuse us and exit
                if states[source] == .connecting { send(.shutdown(reason: reason), to: source) }
                states[source] = .gone
            default: break
            }
        }
    }

    /// Hands out the scheduler's tasks until none is left (or a signal / fatal error stops the run),
    /// journalling each result as it arrives.
    mutating func run(setup: WorkerSetup, context: inout RunContext) throws {
        while !waitingFor.isEmpty {
            if (StopSignal.isSet || context.fatal != nil) && !context.scheduler.stopping {
                context.scheduler.stop()
                stoppingSince = Date()
                if let signo = StopSignal.caught {
                    log("\(StopSignal.name(signo)): handing out no more work; running folds are abandoned and run again on --resume")
                }
                for rank in states.keys.sorted() { dismiss(rank, reason: "the run is stopping") }
            }
            context.printProgress()
            let stopping = context.scheduler.stopping
            guard let (source, bytes) = try communicator.receive(interval: 0.01, stop: {
                ((StopSignal.isSet || context.fatal != nil) && !stopping) || silentRank() != nil
            }) else {
                if let silent = silentRank() { declareLost(silent, context: &context) }
                continue
            }
            lastHeard[source] = Date()
            if states[source] == .lost {
                // It woke up after its task was given away: ignore what it sends, tell it to leave once.
                if case .shutdown? = try? MessageCodec.decode(bytes) {} else {
                    log("\(name(source)) is back after being declared lost; its message is ignored and it is dismissed")
                    send(.shutdown(reason: "declared lost"), to: source)
                }
                continue
            }
            let message: ClusterMessage
            do { message = try MessageCodec.decode(bytes) } catch {
                // A peer we cannot understand ends the run: results must come from one program version.
                context.fatal = "rank \(source): \(error)"
                // Answer in our version so a mismatched worker refuses us and exits too.
                send(.shutdown(reason: "refused"), to: source)
                states[source] = .gone
                continue
            }
            switch message {
            case let .hello(hello):
                names[source] = hello.name
                hellos[source] = hello
                context.workerNames = states.keys.sorted().compactMap { names[$0] }
                if hello.softwareVersion != ClusterVersion.software {
                    log("note: \(hello.name) runs version \(hello.softwareVersion), the coordinator \(ClusterVersion.software)")
                }
                if context.scheduler.stopping { dismiss(source, reason: "the run is stopping") } else {
                    states[source] = .active
                    send(.setup(setup), to: source)
                }
            case let .ready(ready):
                if let hello = hellos[source] {
                    try context.journal.append(WorkerRecord(session: context.session, hello: hello, ready: ready))
                }
                bundlings[source] = TaskBundling(worker: ready, log: log)
                assign(source, context: &context)
            case let .progress(p):
                if let w = names[source] { context.scheduler.progress(worker: w, taskID: p.taskID, epoch: p.record.epoch) }
            case .heartbeat:
                break  // lastHeard is updated for every message
            case let .foldState(upload):
                context.save(upload, worker: name(source))
            case let .result(result):
                try context.accept(result, worker: name(source))
                // A bundle's worker asks for more work with the last of its results.
                if context.scheduler.running[name(source)] == nil { assign(source, context: &context) }
            case let .failure(failure):
                var f = failure
                f.worker = name(source)
                if context.scheduler.task(f.taskID, of: f.worker) != nil { try context.reject(f) }
                if context.scheduler.running[f.worker] == nil { assign(source, context: &context) }
            case let .shutdown(reason):
                if states[source] != .dismissed {
                    log("\(name(source)) left: \(reason)")
                    context.scheduler.requeue(worker: name(source))
                }
                states[source] = .gone
            case .setup, .assignment, .bundle:
                context.fatal = "rank \(source) sent a coordinator's message (\(message.kind)); is a second coordinator in the job?"
            }
        }
    }

    private mutating func assign(_ rank: Int, context: inout RunContext) {
        guard states[rank] == .active else { return }
        idle.removeAll { $0 == rank }
        if context.scheduler.pending.isEmpty && !context.scheduler.stopping && !context.scheduler.running.isEmpty {
            idle.append(rank)
        } else {
            handOut(to: rank, context: &context)
        }
        serveIdle(context: &context)
    }

    /// A task whose assignment did not reach its worker goes back to the queue; a worker lost that way
    /// stops the run under `--on-lost-worker stop`, as a silent one does.
    private mutating func requeueAfterFailedSend(_ rank: Int, task: String, context: inout RunContext) {
        context.scheduler.requeue(worker: name(rank))
        if states[rank] == .lost, liveness.onLost == .stop, context.fatal == nil {
            context.fatal = "\(name(rank)) declared lost before taking \(task) (--on-lost-worker stop)"
        }
    }

    /// Gives requeued tasks to idle workers, and dismisses them once nothing is left to wait for.
    private mutating func serveIdle(context: inout RunContext) {
        while let rank = idle.first {
            let nothingLeft = context.scheduler.stopping || context.scheduler.running.isEmpty
            guard !context.scheduler.pending.isEmpty || nothingLeft else { return }
            idle.removeFirst()
            handOut(to: rank, context: &context)
        }
    }

    /// Sends `rank` its next work: a bundle of tasks to train as one fold batch when it takes bundles
    /// and the head of the queue can be bundled (TaskBundling), else one task; dismisses it when there
    /// is none (or the run is stopping).
    private mutating func handOut(to rank: Int, context: inout RunContext) {
        let bundling = bundlings[rank]
        let foldStates = context.foldStates
        let tasks = context.scheduler.nextBundle(for: name(rank), capacity: { bundling?.capacity(for: $0) ?? 1 },
                                                 bundlable: { bundling?.bundlable($0, foldStates: foldStates) ?? false })
        if let first = tasks.first {
            if tasks.count == 1 && !(bundling?.bundlable(first, foldStates: foldStates) ?? false) {
                send(.assignment(foldStates.resuming(first.assignment)), to: rank)
            } else {
                send(.bundle(tasks.map(\.assignment)), to: rank)
            }
            if states[rank] == .gone || states[rank] == .lost {
                requeueAfterFailedSend(rank, task: tasks.map(\.id).joined(separator: ", "), context: &context)
            }
        } else {
            dismiss(rank, reason: context.scheduler.stopping ? "the run is stopping" : "no tasks left")
        }
    }
}
