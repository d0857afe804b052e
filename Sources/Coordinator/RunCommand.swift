import ArgumentParser
import CommandLineConventions
import Coordination
import Foundation
import HTNet
import Wire

/// `coordinator run EXPERIMENT`: rank 0 of `mpirun -np 1 coordinator run EXPERIMENT : -np N worker`.
/// Started without mpirun it trains in-process (same results, one process), so a laptop needs no MPI
/// launcher to try an experiment.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every fold of every seed of every variant of an experiment; journal and report the results.",
        discussion: """
        Cluster:    mpirun -np 1 coordinator run EXPERIMENT : -np N worker     (or cluster/run-local.sh)
        One process: coordinator run EXPERIMENT                                 (trains in-process)
        Results go to OUT (default runs/<experiment name>): journal.jsonl (one line per finished task,
        synced), data/ (synthetic datasets), report.md/.html/.json, predictions.csv. Ctrl-C or SIGTERM stops handing out work and exits;
        --resume continues where it stopped.
        Exit status: 0 done, 1 error, 2 some tasks failed (no report), 128+signal interrupted.
        """)

    @Argument(help: "Experiment file (YAML or JSON), e.g. experiments/demo.yaml.")
    var experiment: String

    @Option(name: .long, help: ArgumentHelp("Dataset to use instead of the experiment's: a composite folder, a feature cache file, or 'synthetic'.",
                                            discussion: "Relative to the current directory. A dataset path written in the experiment file is relative to that file's folder.",
                                            valueName: "path"))
    var data: String?

    @Option(name: .long, help: "Output folder (default: runs/<experiment name>).")
    var out: String?

    @Flag(help: "Continue the run journalled in OUT: skip finished tasks, run the rest.")
    var resume = false

    @Flag(help: "With --resume: accept an OUT written by a different experiment (finished tasks with the same id are kept).")
    var force = false

    @Option(help: "OpenBLAS threads per worker (default: cores on the node / workers on the node).")
    var threads: Int = 0

    @Option(help: ArgumentHelp("Seconds a worker may stay silent before it is declared lost.",
                                discussion: "Workers send a heartbeat every 2 s while they train and answer everything else at once."))
    var workerTimeout: Double = 120

    @Option(help: "What a lost worker means: 'requeue' gives its task to another worker; 'stop' ends the run (resumable).")
    var onLostWorker: String = "requeue"

    @Option(help: "Seconds between progress lines.")
    var progressInterval: Double = 10

    @Option(help: ArgumentHelp("Save each training fold's state after every N epochs (0: by time only).",
                                discussion: "States go to OUT/fold-state/ and let --resume continue a fold where it stopped, with the same results as an uninterrupted fold."))
    var foldStateEvery: Int = 0

    @Option(help: "Also save a fold's state at the first epoch end at least this many minutes after its last save (0: by epochs only).")
    var foldStateMinutes: Double = 10

    func validate() throws {
        try NumericFlag.atLeast(threads, 0, flag: "--threads")
        try NumericFlag.above(progressInterval, 0, flag: "--progress-interval")
        if force && !resume { throw ValidationError("--force only applies with --resume") }
        try NumericFlag.above(workerTimeout, 0, flag: "--worker-timeout")
        try NumericFlag.atLeast(foldStateEvery, 0, flag: "--fold-state-every")
        if !(foldStateMinutes >= 0 && foldStateMinutes.isFinite) { throw ValidationError("--fold-state-minutes must be a number of minutes >= 0, got \(foldStateMinutes)") }
        if WorkerLiveness.OnLost(rawValue: onLostWorker) == nil {
            throw ValidationError("--on-lost-worker must be one of: \(WorkerLiveness.OnLost.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        StopSignal.install()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let communicator = try MPICommunicator()
        guard communicator.rank == 0 else {
            log("coordinator: must be rank 0 (mpirun -np 1 coordinator run EXPERIMENT : -np N worker)")
            communicator.abort(code: 1)
        }
        _ = try communicator.nodeLocalWorldRanks()  // collective with the workers' thread sizing
        var options = RunOptions(experimentPath: experiment)
        options.out = out
        options.dataOverride = data
        options.resume = resume
        options.force = force
        options.threads = threads
        options.progressInterval = progressInterval
        options.foldStateCadence = FoldStateCadence(everyEpochs: foldStateEvery > 0 ? foldStateEvery : nil,
                                                    everySeconds: foldStateMinutes > 0 ? foldStateMinutes * 60 : nil)
        options.liveness = WorkerLiveness(timeoutSeconds: workerTimeout, onLost: WorkerLiveness.OnLost(rawValue: onLostWorker)!,
                                          stopGraceSeconds: min(workerTimeout, 15))
        let session = CoordinatorSession(options: options, communicator: communicator.size > 1 ? communicator : nil, log: log)
        let status = session.run()
        if !session.lostRanks.isEmpty {
            // A lost worker never reaches MPI_Finalize; end the job instead (everything is written).
            log("ending the job with MPI_Abort: worker rank(s) \(session.lostRanks.map(String.init).joined(separator: ", ")) were declared lost")
            communicator.abort(code: status)
        }
        communicator.finalize()
        // Exit with the session's status; an in-process fold was stopped and joined before run() returned.
        Foundation.exit(status)
    }
}
