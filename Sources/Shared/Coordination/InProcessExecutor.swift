import Foundation
import HTNet
import Tensor
import Wire

/// Runs every task in the coordinator's own process, one after another: `coordinator run` started
/// without mpirun (a laptop). Same trainer, same journal, same results as a cluster run.
struct InProcessExecutor {
    let threads: Int
    let foldStateCadence: FoldStateCadence
    let log: (String) -> Void

    func run(context: inout RunContext) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = self.threads > 0 ? self.threads : cores
        BLAS.setThreads(threads)
        let hello = WorkerHello(host: ProcessInfo.processInfo.hostName, rank: 0, cores: cores, workersOnNode: 1,
                                softwareVersion: ClusterVersion.software)
        try context.journal.append(WorkerRecord(session: context.session, hello: hello, ready: WorkerReady(worker: hello.name, threads: threads)))
        context.workerNames = [hello.name]
        while !StopSignal.isSet, let task = context.scheduler.nextTask(for: hello.name) {
            let runner = FoldTaskRunner(assignment: context.foldStates.resuming(task.assignment), stateCadence: foldStateCadence)
            runner.start(dataset: context.dataset, worker: hello.name)
            while !runner.wait(seconds: 0.05) {
                if let last = runner.takeProgress().last { context.scheduler.progress(worker: hello.name, taskID: task.id, epoch: last.epoch) }
                if let state = runner.takeStates().last { context.save(state, worker: hello.name) }
                context.printProgress()
                // On a signal the fold is stopped (its thread ends before we return) and abandoned; it
                // runs again on --resume.
                if StopSignal.isSet {
                    runner.cancel()
                    while !runner.wait(seconds: 0.05) {}
                    if let state = runner.takeStates().last { context.save(state, worker: hello.name) }
                    return
                }
            }
            if let state = runner.takeStates().last { context.save(state, worker: hello.name) }
            switch runner.outcome! {
            case let .success(result): try context.accept(result, worker: hello.name)
            case let .failure(failure): try context.reject(failure)
            }
        }
    }
}
