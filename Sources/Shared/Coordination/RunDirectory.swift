import Foundation
import Wire

/// OUT: the journal, the synthetic data, the report. Opening it decides what a run may do there:
/// a fresh OUT starts a journal; an OUT with a journal needs `--resume`, and must have been written by
/// the same experiment unless `--force`.
public struct RunDirectory {
    public let path: String
    public var journalPath: String { (path as NSString).appendingPathComponent("journal.jsonl") }
    /// The report files (report.md / .json / .html, predictions.csv) go into OUT itself, where
    /// `coordinator compare OUT` and `coordinator report OUT` look for them.
    public var reportPath: String { path }

    public init(path: String) { self.path = path }

    public struct Opened {
        public var journal: JournalWriter
        /// Tasks finished in earlier sessions.
        public var finished: [String: TaskRecord]
        public var session: Int
        /// Things the user should know (torn line repaired, forced resume), already worded.
        public var notes: [String]
    }

    /// What a run may leave in OUT before its journal has a header: the lock, the synthetic data being
    /// generated, a journal torn before its first line was complete.
    static let preJournalEntries: Set<String> = [".lock", "data", "data.partial", "journal.jsonl", "journal.jsonl.torn"]

    /// Checks the OUT folder against the experiment (before the dataset is built or any work runs).
    /// A journal without one complete line (a run killed while writing its header) counts as no
    /// journal: its bytes are set aside when the journal is opened. A folder that holds other files
    /// but no journal is not a run's and is refused, so nothing of the user's is overwritten.
    public func check(experiment: Experiment, resume: Bool, force: Bool) throws -> JournalContents? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: journalPath), JournalReader.hasCompleteLine(path: journalPath) else {
            let foreign = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !Self.preJournalEntries.contains($0) }.sorted()
            if !foreign.isEmpty {
                throw ClusterError.outDirectory("\(path) is not empty and holds no run journal (\(foreign.prefix(5).joined(separator: ", "))"
                                                + "\(foreign.count > 5 ? ", ..." : "")); choose a new or empty --out")
            }
            return nil
        }
        let existing = try JournalReader.read(path: journalPath)
        guard resume else {
            throw ClusterError.outDirectory("\(path) already holds a journal of experiment '\(existing.header.experimentName)' "
                                            + "with \(existing.tasks.count) finished tasks; pass --resume to continue it, or choose another --out")
        }
        if existing.header.identity != experiment.identity && !force {
            throw ClusterError.outDirectory("\(path) was written by a different experiment ('\(existing.header.experimentName)', "
                                            + "identity \(existing.header.identity)); this one ('\(experiment.name)') is \(experiment.identity). "
                                            + "Use another --out, or --force to reuse its finished tasks anyway")
        }
        return existing
    }

    /// Creates OUT if needed, opens the journal and appends a header when the journal is new (or the
    /// experiment changed under --force).
    public func open(experiment: Experiment, existing: JournalContents?, classNames: [String], plan: PlanRecord) throws -> Opened {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw ClusterError.outDirectory("cannot create \(path): \(error.localizedDescription)")
        }
        var notes: [String] = []
        let journal = try JournalWriter(path: journalPath)
        if let torn = journal.repairedTornLine {
            notes.append("journal: the last line was torn (\(torn) bytes, an interrupted write); it was moved to journal.jsonl.torn and its task will run again")
        }
        if let existing, existing.header.identity != experiment.identity {
            notes.append("--force: the experiment changed (was \(existing.header.identity), now \(experiment.identity)); finished tasks with the same id are kept")
        }
        if existing == nil || existing?.header.identity != experiment.identity {
            try journal.append(JournalHeader(experiment: experiment, classNames: classNames, created: RunDirectory.timestamp()))
        }
        if existing?.plan != plan { try journal.append(plan) }
        return Opened(journal: journal, finished: existing?.tasks ?? [:], session: existing?.nextSession ?? 1, notes: notes)
    }

    public static func timestamp(_ date: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: date)
    }
}
