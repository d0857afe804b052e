import Evaluation
import FoldResults
import Foundation
import HTNet
import Wire

/// What a journal holds, read back line by line.
public struct JournalContents: Sendable {
    /// The last header (a `--force` resume may add one).
    public var header: JournalHeader
    public var workers: [WorkerRecord]
    /// Finished tasks by id (a task journalled twice keeps its first record).
    public var tasks: [String: TaskRecord]
    public var taskOrder: [String]
    public var failures: [FailureRecord]
    public var sessions: [SessionRecord]
    /// The last plan record (nil in journals written before plans were recorded).
    public var plan: PlanRecord? { plans.last }
    /// Every plan record in order (a `--resume --force` onto changed data or settings adds one).
    public var plans: [PlanRecord] = []
    /// For each task, the index in `plans` of the plan in force when it was journalled.
    public var taskPlan: [String: Int] = [:]
    /// Line number of each task's record, for errors that name it.
    public var taskLines: [String: Int] = [:]
    /// Set when the file ends in an incomplete line (a crash mid-write): its line number and length.
    public var tornLine: (line: Int, bytes: Int)?

    public var nextSession: Int { (sessions.map(\.session).max() ?? 0) + 1 }
}

/// Reads OUT/journal.jsonl. An incomplete last line is tolerated (reported in `tornLine`); any other
/// bad line is an error naming the file and the line.
public enum JournalReader {
    /// Whether the file holds at least one newline-terminated line (a header that was completely
    /// written). A file without one is what a run killed while writing its header leaves.
    public static func hasCompleteLine(path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.contains(UInt8(ascii: "\n"))
    }

    public static func read(path: String) throws -> JournalContents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterError.journal("\(path): no journal here (is this a run's OUT folder?)")
        }
        let decoder = JSONDecoder()
        var header: JournalHeader?
        var contents = JournalContents(header: JournalHeader(experiment: Experiment(name: "", dataset: .init(kind: .synthetic),
                                                                                   evaluation: .init(kind: .loso), seeds: [],
                                                                                   selection: .final, variants: []),
                                                             classNames: [], created: ""),
                                       workers: [], tasks: [:], taskOrder: [], failures: [], sessions: [], tornLine: nil)
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let endsCleanly = data.isEmpty || data.last == UInt8(ascii: "\n")
        for (i, raw) in lines.enumerated() {
            let number = i + 1
            let isLast = i == lines.count - 1
            if raw.isEmpty { continue }
            if isLast && !endsCleanly {
                // The writer syncs whole lines; an unterminated last line is a crash's torn write.
                contents.tornLine = (number, raw.count)
                continue
            }
            let line = Data(raw)
            do {
                struct Kind: Decodable { var type: String }
                switch try decoder.decode(Kind.self, from: line).type {
                case "header": header = try decoder.decode(JournalHeader.self, from: line)
                case "plan": contents.plans.append(try decoder.decode(PlanRecord.self, from: line))
                case "worker": contents.workers.append(try decoder.decode(WorkerRecord.self, from: line))
                case "task":
                    let task = try decoder.decode(TaskRecord.self, from: line)
                    if contents.tasks[task.id] == nil {
                        contents.tasks[task.id] = task
                        contents.taskOrder.append(task.id)
                        contents.taskLines[task.id] = number
                        if !contents.plans.isEmpty { contents.taskPlan[task.id] = contents.plans.count - 1 }
                    }
                case "failure": contents.failures.append(try decoder.decode(FailureRecord.self, from: line))
                case "session": contents.sessions.append(try decoder.decode(SessionRecord.self, from: line))
                case let other: throw ClusterError.journal("unknown record type '\(other)'")
                }
            } catch {
                throw ClusterError.journal("\(path): line \(number) is not a valid journal record (\(error)); "
                                           + "the journal was edited or damaged")
            }
        }
        guard let header else { throw ClusterError.journal("\(path): no header line; not a journal of this program") }
        contents.header = header
        return contents
    }

    /// The report's input, built from the journal alone. Rows are ordered by (variant as configured,
    /// seed, fold, sample), never by completion order, so it is the same however the work was spread.
    public static func runRecord(_ journal: JournalContents) throws -> RunRecord {
        try validate(journal)
        let header = journal.header
        let experiment: Experiment
        do { experiment = try JSONDecoder().decode(Experiment.self, from: Data(header.configuration.utf8)) } catch {
            throw ClusterError.journal("journal header's configuration cannot be read: \(error)")
        }
        let variantOrder = Dictionary(uniqueKeysWithValues: experiment.variants.enumerated().map { ($1.name, $0) })
        let tasks = journal.tasks.values.sorted { a, b in
            let va = variantOrder[a.variant] ?? Int.max, vb = variantOrder[b.variant] ?? Int.max
            if va != vb { return va < vb }
            if a.variant != b.variant { return a.variant < b.variant }
            if a.seed != b.seed { return a.seed < b.seed }
            return a.fold < b.fold
        }
        let selection = header.selection
        let alternate: EpochSelection = selection == .final ? .bestTestEpoch : .final
        func rows(_ rule: EpochSelection) -> [PredictionRow] {
            tasks.flatMap { task in
                task.samples.map { s in
                    let logits: [Float]
                    switch rule {
                    case .final: logits = s.finalLogits
                    case .bestTestEpoch: logits = s.bestTestLogits
                    case .validation: logits = s.validationLogits ?? s.finalLogits
                    }
                    return PredictionRow(variant: task.variant, seed: task.seed, fold: task.fold, subject: s.subject,
                                         dataset: s.dataset, sample: s.sample, label: s.label,
                                         pred: argmax(logits), logits: logits)
                }
            }
        }
        let curves = tasks.map { task in
            TaskCurve(variant: task.variant, seed: task.seed, fold: task.fold, epochs: task.epochs,
                      selectedEpoch: selection == .final ? task.epochs.count
                          : selection == .validation ? (task.validationEpoch ?? task.epochs.count) : task.bestTestEpoch,
                      worker: task.worker, seconds: task.trainSeconds, device: task.device, bundleSize: task.bundleSize)
        }
        var hosts: [String] = []
        for w in journal.workers {
            let text = w.summary(withVersion: true)
            if !hosts.contains(text) { hosts.append(text) }
        }
        let wall = journal.sessions.compactMap(\.wallSeconds).reduce(0, +)
        let provenance = RunProvenance(sessions: journal.sessions.filter { $0.event == .start }.map { start in
            let end = journal.sessions.first { $0.session == start.session && $0.event != .start }
            let p = start.provenance
            let workers = journal.workers.filter { $0.session == start.session }.map { $0.summary(withVersion: false) }
            return RunProvenance.Session(session: start.session, started: start.time, ended: end?.time, outcome: end?.event.rawValue,
                                         software: p?.software, coordinatorHost: p?.host, experimentFile: p?.experimentFile,
                                         experimentSHA256: p?.experimentSHA256, dataset: p?.dataset, datasetSHA256: p?.datasetSHA256,
                                         datasetDigestOf: p?.datasetDigestOf, workers: start.workers, workerHosts: workers,
                                         openBLASCoreType: p?.openBLASCoreType, mpiLibrary: p?.mpiLibrary,
                                         dataNotes: p?.dataNotes ?? [])
        })
        // Noisy-input predictions grouped by SNR level (levels in the order the variants list them).
        let variants = Dictionary(experiment.variants.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var levelOrder: [SNRLevel] = [], noiseRows: [SNRLevel: [PredictionRow]] = [:]
        for task in tasks {
            guard let levels = variants[task.variant]?.training.noiseSNR else { continue }
            for (l, level) in levels.enumerated() {
                if noiseRows[level] == nil { levelOrder.append(level); noiseRows[level] = [] }
                for s in task.samples {
                    guard let noisy = s.noisyLogits, l < noisy.count else { continue }
                    noiseRows[level]!.append(PredictionRow(variant: task.variant, seed: task.seed, fold: task.fold, subject: s.subject,
                                                           dataset: s.dataset, sample: s.sample, label: s.label,
                                                           pred: argmax(noisy[l]), logits: noisy[l]))
                }
            }
        }
        let noise = levelOrder.map { NoiseLevelRows(snrDB: $0.decibels.isFinite ? $0.decibels : nil, rows: noiseRows[$0]!) }
        var embeddings: [EmbeddingRow] = []
        for task in tasks {
            for s in task.samples {
                guard let packed = s.embedding else { continue }
                guard let vector = PackedFloats.decode(packed) else {
                    throw ClusterError.journal("task \(task.id), sample \(s.sample): the embedding is not base64 float32 data")
                }
                embeddings.append(EmbeddingRow(variant: task.variant, seed: task.seed, fold: task.fold, subject: s.subject,
                                               dataset: s.dataset, sample: s.sample, label: s.label,
                                               pred: argmax(s.finalLogits), vector: vector))
            }
        }
        let rules = experiment.variants.map { v in "\(v.name): " + v.predictionRule }
        var record = RunRecord(experimentName: header.experimentName, configuration: header.configuration,
                               selection: selection, softwareVersion: header.softwareVersion, classNames: header.classNames,
                               hosts: hosts, wallSeconds: wall, rows: rows(selection), alternateSelection: alternate,
                               alternateRows: rows(alternate), curves: curves, noise: noise, embeddings: embeddings,
                               predictionRules: rules)
        // Validation selection: the run's rule, then final epoch (alternate), then best-test-epoch,
        // so the report shows the honest rule beside both others.
        if selection == .validation {
            record.otherSelections = [SelectionRows(selection: .bestTestEpoch, rows: rows(.bestTestEpoch))]
        }
        record.mixedSettings = mixedSettings(tasks)
        record.ordinal = experiment.classes?.ordinal == true ? true : nil
        record.completeness = journal.plan.map { plan in
            Completeness(plannedTasks: plan.tasks.count, missingTasks: plan.tasks.filter { journal.tasks[$0] == nil })
        }
        record.provenance = provenance.sessions.isEmpty ? nil : provenance
        return record
    }

    /// One line per (experiment identity, dataset fingerprint) the tasks were trained under, when
    /// there is more than one; empty otherwise. Tasks journalled before these were recorded count as
    /// "not recorded".
    static func mixedSettings(_ tasks: [TaskRecord]) -> [String] {
        var counts: [String: Int] = [:], order: [String] = []
        for t in tasks {
            let key = "experiment identity \(t.experimentIdentity ?? "not recorded"), dataset fingerprint \(t.datasetSHA256.map { String($0.prefix(16)) } ?? "not recorded")"
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        guard order.count > 1 else { return [] }
        return order.map { "\(counts[$0]!) task(s): \($0)" }
    }

    /// Index of the largest logit; ties go to the lower class index (as numpy's argmax).
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    /// Checks every task record against the journal's plan: a planned task, its fold's test samples in
    /// order with their labels, one logit per class at both epoch rules (JSON cannot hold a non-finite
    /// one, and workers report a task with non-finite logits as failed). A record that fails
    /// was edited or belongs to another run; the error names the line and what is wrong.
    public static func validate(_ journal: JournalContents) throws {
        for id in journal.taskOrder {
            guard let task = journal.tasks[id], let index = journal.taskPlan[id] else { continue }
            // Checked against the plan in force when it was journalled (data may change under --force).
            let plan = journal.plans[index]
            let planned = Set(plan.tasks)
            func bad(_ why: String) -> ClusterError {
                ClusterError.journal("journal line \(journal.taskLines[id] ?? 0): task \(id): \(why); the record was edited or belongs to another run")
            }
            guard planned.contains(id) else { throw bad("not a task of this run's plan") }
            guard let expected = plan.folds[task.fold] else { throw bad("fold '\(task.fold)' is not in the plan") }
            let got = task.samples.map { PlanRecord.TestSample(sample: $0.sample, label: $0.label) }
            if got != expected {
                let missing = Set(expected.map(\.sample)).subtracting(got.map(\.sample)).sorted()
                let extra = Set(got.map(\.sample)).subtracting(expected.map(\.sample)).sorted()
                var why = "its test samples do not match the plan's \(expected.count) for fold \(task.fold)"
                if !missing.isEmpty { why += "; missing \(missing.prefix(5).joined(separator: ", "))" }
                if !extra.isEmpty { why += "; not planned \(extra.prefix(5).joined(separator: ", "))" }
                if missing.isEmpty && extra.isEmpty { why += " (order or labels differ)" }
                throw bad(why)
            }
            for s in task.samples {
                for (rule, logits) in [("final", s.finalLogits), ("best-test-epoch", s.bestTestLogits)] + (s.validationLogits.map { [("validation", $0)] } ?? []) {
                    guard logits.count == plan.classCount else {
                        throw bad("sample \(s.sample) has \(logits.count) \(rule) logits for \(plan.classCount) classes")
                    }
                }
            }
        }
    }
}

extension WorkerRecord {
    /// "host:rank (cores, workers on node, threads, device[, bundle limit][, version])" for the
    /// report's Hosts line and provenance table; the device only where the journal recorded one.
    func summary(withVersion: Bool) -> String {
        var parts = ["\(cores) cores", "\(workersOnNode) worker\(workersOnNode == 1 ? "" : "s") on node", "\(threads) thread\(threads == 1 ? "" : "s")"]
        if let device { parts.append(device + ((bundleLimit ?? 1) > 1 ? " (bundles of up to \(bundleLimit!) tasks)" : "")) }
        if withVersion { parts.append("v\(softwareVersion)") }
        return "\(host):\(rank) (\(parts.joined(separator: ", ")))"
    }
}
