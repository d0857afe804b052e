import Foundation
import Wire

/// The coordinator's side of the conversation with the worker ranks (see `ClusterMessage`).
///
/// Every worker ends by answering a shutdown with a shutdown of its own ("bye"), so the coordinator
/// never reaches MPI_Finalize while a worker is still blocked sending it a large result.
struct WorkerLink {
    let communicator: MPICommunicator
    let log: (String) -> Void
    private var states: [Int: State]
    private var names: [Int: String] = [:]
    private var hellos: [Int: WorkerHello] = [:]

    enum State: Equatable {
        case connecting
        case active
        /// Shutdown sent; waiting for its bye.
        case dismissed
        case gone
    }

    init(communicator: MPICommunicator, ranks: [Int], log: @escaping (String) -> Void) {
        self.communicator = communicator
        self.log = log
        states = Dictionary(uniqueKeysWithValues: ranks.map { ($0, State.connecting) })
    }

    private func name(_ rank: Int) -> String { names[rank] ?? "rank \(rank)" }

    private mutating func send(_ message: ClusterMessage, to rank: Int) {
        do { try communicator.send(MessageCodec.encode(message), to: rank) } catch {
            log("cannot reach \(name(rank)): \(error)")
            states[rank] = .gone
        }
    }

    private mutating func dismiss(_ rank: Int, reason: String) {
        guard let state = states[rank], state == .connecting || state == .active else { return }
        send(.shutdown(reason: reason), to: rank)
        if states[rank] != .gone { states[rank] = .dismissed }
    }

    /// Sends every worker a shutdown and waits for their byes (used on errors and when nothing is left).
    mutating func dismissAll(reason: String) {
        for rank in states.keys.sorted() { dismiss(rank, reason: reason) }
        while states.values.contains(where: { $0 != .gone }) {
            guard let (source, bytes) = try? communicator.receive(interval: 0.01) else { break }
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
        while states.values.contains(where: { $0 != .gone }) {
            if (StopSignal.isSet || context.fatal != nil) && !context.scheduler.stopping {
                context.scheduler.stop()
                if let signo = StopSignal.caught {
                    log("\(StopSignal.name(signo)): handing out no more work; running folds are abandoned and run again on --resume")
                }
                for rank in states.keys.sorted() { dismiss(rank, reason: "the run is stopping") }
            }
            context.printProgress()
            guard let (source, bytes) = try communicator.receive(interval: 0.01, stop: {
                (StopSignal.isSet || context.fatal != nil) && !context.scheduler.stopping
            }) else { continue }
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
            case let .ready(_, threads):
                if let hello = hellos[source] {
                    try context.journal.append(WorkerRecord(session: context.session, hello: hello, threads: threads))
                }
                assign(source, context: &context)
            case let .progress(p):
                if let w = names[source], context.scheduler.running[w]?.task.id == p.taskID {
                    context.scheduler.progress(worker: w, epoch: p.record.epoch)
                }
            case let .result(result):
                try context.accept(result, worker: name(source))
                assign(source, context: &context)
            case let .failure(failure):
                var f = failure
                f.worker = name(source)
                if context.scheduler.running[f.worker]?.task.id == f.taskID { try context.reject(f) }
                assign(source, context: &context)
            case let .shutdown(reason):
                if states[source] != .dismissed {
                    log("\(name(source)) left: \(reason)")
                    context.scheduler.requeue(worker: name(source))
                }
                states[source] = .gone
            case .setup, .assignment:
                context.fatal = "rank \(source) sent a coordinator's message (\(message.kind)); is a second coordinator in the job?"
            }
        }
    }

    private mutating func assign(_ rank: Int, context: inout RunContext) {
        guard states[rank] == .active else { return }
        if let task = context.scheduler.nextTask(for: name(rank)) {
            send(.assignment(task.assignment), to: rank)
            if states[rank] == .gone { context.scheduler.requeue(worker: name(rank)) }
        } else {
            dismiss(rank, reason: context.scheduler.stopping ? "the run is stopping" : "no tasks left")
        }
    }
}
