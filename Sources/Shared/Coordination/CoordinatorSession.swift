import Dataset
import Evaluation
import Foundation
import HTNet
import Tensor
import TrainedModels
import Wire

/// What `coordinator run` was asked to do.
public struct RunOptions: Sendable {
    public var experimentPath: String
    /// `--data`: replaces the experiment's dataset (a composite folder, a feature cache, or `synthetic`).
    public var dataOverride: String?
    /// OUT; default runs/<experiment name>.
    public var out: String?
    public var resume = false
    public var force = false
    /// OpenBLAS threads per worker; 0 = cores on the node / workers on the node.
    public var threads = 0
    /// Seconds between progress lines (a line is also printed whenever a task finishes).
    public var progressInterval = 10.0
    /// Worker timeout and what a lost worker means (`--worker-timeout`, `--on-lost-worker`).
    public var liveness = WorkerLiveness()
    /// How often a training fold's state is saved in OUT/fold-state/ (`--fold-state-every`, `--fold-state-minutes`).
    public var foldStateCadence = FoldStateCadence(everySeconds: 600)
    public init(experimentPath: String) { self.experimentPath = experimentPath }
}

/// Rank 0 of the job: validates, builds the dataset once, plans, hands out tasks, journals every
/// result, writes the report. With no workers (started without mpirun) it trains in-process.
public final class CoordinatorSession {
    public let options: RunOptions
    private let communicator: MPICommunicator?
    private let log: (String) -> Void

    /// Worker ranks declared lost during the run: MPI_Finalize would wait for them, so the caller ends
    /// the job with MPI_Abort instead (after everything is written).
    public private(set) var lostRanks: [Int] = []

    public init(options: RunOptions, communicator: MPICommunicator?, log: @escaping (String) -> Void) {
        self.options = options
        self.communicator = communicator
        self.log = log
    }

    /// Exit status: 0 complete (report written), 1 error before or during the run, 2 some tasks
    /// failed (no report; `--resume` retries them), 128+signal when interrupted (resumable).
    public func run() -> Int32 {
        let workerRanks = communicator.map { Array(1..<$0.size) } ?? []
        var link = communicator.map { WorkerLink(communicator: $0, ranks: workerRanks, liveness: options.liveness, log: log) }
        do {
            let started = Date()
            // Everything that can be wrong with the input is found before any training.
            let experiment = try ExperimentFile.load(path: options.experimentPath, dataOverride: options.dataOverride)
            let outPath = options.out ?? "runs/\(experiment.name)"
            let directory = RunDirectory(path: outPath)
            // Held until run() returns: one coordinator per OUT.
            let lock = try RunLock(directory: outPath)
            defer { withExtendedLifetime(lock) {} }
            let existing = try directory.check(experiment: experiment, resume: options.resume, force: options.force)
            if let torn = existing?.tornLine {
                log("journal: line \(torn.line) is torn (\(torn.bytes) bytes written by an interrupted run); it is set aside and its task runs again")
            }
            log("experiment '\(experiment.name)' (\(experiment.identity)): \(experiment.variants.count) variant(s) x \(experiment.seeds.count) seed(s), \(experiment.selection.reportLabel)")
            for v in experiment.variants { log("  variant \(v.name): \(v.training.protocolDescription)") }
            let dataset: ComposedDataset
            do {
                try FileManager.default.createDirectory(atPath: outPath, withIntermediateDirectories: true)
                dataset = try DatasetPreparation.load(experiment.dataset, outDirectory: outPath, classes: experiment.classes)
            } catch {
                throw ClusterError.dataset("dataset (\(experiment.dataset.path ?? "synthetic")) of \(options.experimentPath): \(error)")
            }
            let dataNotes = DatasetPreparation.inputNotes(dataset)
            dataNotes.forEach(log)
            let problems = DatasetPreparation.problems(dataset, experiment: experiment)
            guard problems.isEmpty else {
                throw ClusterError.dataset("\(options.experimentPath): the dataset does not fit the experiment:\n  " + problems.joined(separator: "\n  "))
            }
            let plan = try FineTuningStart.apply(to: LOSOPlanner.tasks(experiment: experiment, dataset: dataset),
                                                 experiment: experiment, featureCount: dataset.handcrafted?.count ?? 0, log: log)
            FoldBalance.lines(plan: plan, dataset: dataset).forEach(log)
            let fingerprint = DatasetFingerprint.sha256(of: dataset)
            if let before = existing?.plan?.datasetSHA256, before != fingerprint {
                guard options.force else {
                    throw ClusterError.outDirectory("the dataset changed since \(outPath) was journalled (fingerprint \(before.prefix(16)), "
                                                    + "now \(fingerprint.prefix(16)): samples, labels or inputs differ); its tasks would mix two datasets. "
                                                    + "Use another --out, or --resume --force to continue anyway (the report then lists the mixed settings)")
                }
                log("--force: the dataset changed (fingerprint \(before.prefix(16)) -> \(fingerprint.prefix(16))); new tasks train on the new data and the report lists the mix")
            }
            let planRecord = PlanRecord(tasks: plan, samples: dataset.samples.map { ($0.id, $0.label) },
                                        classCount: dataset.classNames.count, datasetSHA256: fingerprint)
            let opened = try directory.open(experiment: experiment, existing: existing, classNames: dataset.classNames,
                                            plan: planRecord)
            opened.notes.forEach(log)
            // With `keep: checkpoints` a task is done only when its checkpoints are written too.
            let kept = experiment.keepsCheckpoints ? KeptCheckpoints(runDirectory: outPath) : nil
            let remaining = plan.filter { task in
                guard opened.finished[task.id] != nil else { return true }
                return kept.map { !$0.isComplete(taskID: task.id, runSelection: experiment.selection) } ?? false
            }
            if let kept {
                let missing = plan.filter { opened.finished[$0.id] != nil && !kept.isComplete(taskID: $0.id, runSelection: experiment.selection) }
                if !missing.isEmpty { log("checkpoints: \(missing.count) journalled task(s) lack their checkpoint under \(kept.directory); they run again") }
            }
            log("dataset: \(dataset.samples.count) samples, \(dataset.subjects.count) subjects, classes \(dataset.classNames.joined(separator: "/")); "
                + "\(plan.count) tasks, \(plan.count - remaining.count) already journalled, \(remaining.count) to run")
            if let reference = experiment.reference {
                for warning in reference.unknownDatasets(present: Set(dataset.samples.map(\.dataset))) { log("warning: \(warning)") }
            }
            let session = opened.session
            let cache = try FeatureCache.encode(dataset)
            let provenance = SessionProvenance.probe(experimentPath: options.experimentPath, spec: experiment.dataset,
                                                     encodedCache: cache, dataNotes: dataNotes)
            try opened.journal.append(SessionRecord(session: session, event: .start, time: RunDirectory.timestamp(),
                                                    workers: max(1, workerRanks.count), provenance: provenance))
            let foldStates = FoldStateStore(runDirectory: outPath, log: log)
            foldStates.prune(keeping: remaining.map(\.assignment))
            var context = RunContext(journal: opened.journal, dataset: dataset, session: session,
                                     experimentIdentity: experiment.identity, datasetSHA256: fingerprint,
                                     scheduler: TaskScheduler(tasks: remaining, alreadyDone: plan.count - remaining.count),
                                     foldStates: foldStates,
                                     log: log, progressInterval: options.progressInterval)
            if let kept {
                context.checkpoints = TaskCheckpointing(store: kept, experiment: experiment, classNames: dataset.classNames,
                                                        composition: InputComposition(of: dataset), datasetSHA256: fingerprint,
                                                        features: dataset.handcrafted)
            }
            if !remaining.isEmpty {
                if link != nil {
                    try link!.run(setup: WorkerSetup(experimentName: experiment.name, threads: options.threads,
                                                     featureCache: [UInt8](cache), foldStateCadence: options.foldStateCadence),
                                   context: &context)
                } else {
                    log("no workers (started without mpirun): training in-process. For a cluster: mpirun -np 1 coordinator run EXPERIMENT : -np N worker")
                    try InProcessExecutor(threads: options.threads, foldStateCadence: options.foldStateCadence, log: log).run(context: &context)
                }
            } else if link != nil {
                link!.dismissAll(reason: "all tasks are already journalled")
            }
            lostRanks = link?.lostRanks ?? []
            link = nil
            let wall = Date().timeIntervalSince(started)
            let scheduler = context.scheduler
            let event: SessionRecord.Event
            let status: Int32
            if let signo = StopSignal.caught, scheduler.done < scheduler.total {
                event = .interrupted
                status = 128 + signo
                log("stopped by \(StopSignal.name(signo)): \(scheduler.done)/\(scheduler.total) tasks are journalled in \(directory.journalPath); "
                    + "continue with: coordinator run \(options.experimentPath)\(options.dataOverride.map { " --data \($0)" } ?? "") --out \(outPath) --resume")
            } else if context.fatal != nil || !scheduler.failed.isEmpty || scheduler.done < scheduler.total {
                event = .failed
                status = context.fatal != nil ? 1 : 2
                if let fatal = context.fatal { log("error: \(fatal)") }
                if !scheduler.failed.isEmpty {
                    log("\(scheduler.failed.count) task(s) failed (see 'failure' lines in \(directory.journalPath)): \(scheduler.failed.joined(separator: ", "))")
                }
                log("\(scheduler.done)/\(scheduler.total) tasks journalled; no report written. Fix the cause and continue with --resume")
            } else {
                event = .complete
                status = 0
            }
            try opened.journal.append(SessionRecord(session: session, event: event, time: RunDirectory.timestamp(),
                                                    wallSeconds: wall, workers: max(1, workerRanks.count)))
            guard status == 0 else { return status }
            log("done: \(scheduler.total) tasks in \(TaskScheduler.duration(wall)); journal \(directory.journalPath)")
            let record = try JournalReader.runRecord(try JournalReader.read(path: directory.journalPath))
            var gallery = ""
            if experiment.keepsCheckpoints {
                // The gallery explains held-out samples with the kept models; a failure costs only the gallery.
                do { gallery = try ExplanationGallery.section(folder: RunFolderModels(directory: outPath), data: dataset) ?? "" } catch {
                    log("report: no explanation gallery (\(error))")
                }
            }
            let report = try ReportOutput.write(record, to: directory.reportPath, htmlAppendix: gallery, log: log)
            log("report: \(report)")
            return 0
        } catch {
            log("error: \(error)")
            link?.dismissAll(reason: "the coordinator stopped on an error")
            lostRanks = link?.lostRanks ?? lostRanks
            return 1
        }
    }
}

/// State shared by the executors: where results go and what is left.
struct RunContext {
    let journal: JournalWriter
    let dataset: ComposedDataset
    let session: Int
    /// Recorded on every task: what it was trained under.
    let experimentIdentity: String
    let datasetSHA256: String
    var scheduler: TaskScheduler
    /// Saved states of folds in training (OUT/fold-state/).
    let foldStates: FoldStateStore
    let log: (String) -> Void
    let progressInterval: Double
    var lastProgressLine = Date()
    /// Workers by name, in rank order, for the progress line.
    var workerNames: [String] = []
    /// Set when the run cannot go on (protocol mismatch, journal write error).
    var fatal: String?
    /// `keep: checkpoints`: written before the task is journalled, so a journalled task has them.
    var checkpoints: TaskCheckpointing?

    /// Journals a finished task (synced before returning) and logs it.
    mutating func accept(_ result: TaskResult, worker: String) throws {
        guard let task = scheduler.task(result.taskID, of: worker) else {
            log("ignoring a result for \(result.taskID) from \(worker), which was not running it")
            return
        }
        let tests = task.fold.testIndices
        let outcome = result.outcome
        guard outcome.finalLogits.count == tests.count, outcome.bestTestLogits.count == tests.count,
              (outcome.validationLogits?.count ?? tests.count) == tests.count,
              (outcome.validationEpoch != nil) == !task.fold.validationIndices.isEmpty else {
            try reject(TaskFailure(taskID: task.id, worker: worker,
                                   message: "the worker returned \(outcome.finalLogits.count) logit rows for \(tests.count) test samples"))
            return
        }
        let levels = task.variant.training.noiseSNR?.count ?? 0
        guard result.embeddings.isEmpty || result.embeddings.count == tests.count,
              result.noisyScores.count == levels, result.noisyScores.allSatisfy({ $0.count == tests.count }) else {
            try reject(TaskFailure(taskID: task.id, worker: worker,
                                   message: "the worker returned \(result.embeddings.count) embeddings and \(result.noisyScores.count) noise levels "
                                       + "for \(tests.count) test samples and \(levels) levels"))
            return
        }
        if let checkpoints {
            do { try checkpoints.write(result, task: task) } catch let e as FileError {
                try reject(TaskFailure(taskID: task.id, worker: worker, message: "checkpoint: \(e)"))
                return
            }
        }
        let samples = tests.enumerated().map { i, index -> SampleOutcome in
            let s = dataset.samples[index]
            return SampleOutcome(sample: s.id, subject: s.subject, dataset: s.dataset, label: s.label,
                                 finalLogits: outcome.finalLogits[i], bestTestLogits: outcome.bestTestLogits[i],
                                 embedding: result.embeddings.isEmpty ? nil : PackedFloats.encode(result.embeddings[i]),
                                 noisyLogits: levels == 0 ? nil : result.noisyScores.map { $0[i] },
                                 validationLogits: outcome.validationLogits?[i])
        }
        try journal.append(TaskRecord(id: task.id, variant: task.variant.name, seed: task.seed, fold: task.fold.key,
                                      worker: result.worker, trainSeconds: result.trainSeconds,
                                      prepareSeconds: result.prepareSeconds, bestTestEpoch: outcome.bestTestEpoch,
                                      validationEpoch: outcome.validationEpoch,
                                      epochs: outcome.epochs, samples: samples,
                                      experimentIdentity: experimentIdentity, datasetSHA256: datasetSHA256,
                                      device: result.device, bundleSize: result.bundleSize > 1 ? result.bundleSize : nil))
        scheduler.finish(worker: worker, taskID: task.id, succeeded: true)
        foldStates.remove(task.id)
        log("finished \(task.id) on \(result.worker) (\(result.device)\(result.bundleSize > 1 ? ", a bundle of \(result.bundleSize)" : "")) in \(TaskScheduler.duration(result.trainSeconds))")
        printProgress(force: true)
    }

    mutating func reject(_ failure: TaskFailure) throws {
        try journal.append(FailureRecord(id: failure.taskID, worker: failure.worker, message: failure.message))
        scheduler.finish(worker: failure.worker, taskID: failure.taskID, succeeded: false)
        log("task \(failure.taskID) failed on \(failure.worker): \(failure.message)")
    }

    /// Keeps a worker's fold state when it belongs to the task that worker is running.
    func save(_ upload: FoldStateUpload, worker: String) {
        guard let task = scheduler.task(upload.taskID, of: worker) else { return }
        foldStates.save(upload, assignment: task.assignment)
    }

    mutating func printProgress(force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastProgressLine) >= progressInterval else { return }
        lastProgressLine = now
        log(scheduler.progressLine(workers: workerNames, now: now))
    }
}
