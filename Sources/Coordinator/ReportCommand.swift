import ArgumentParser
import Coordination
import Foundation
import TrainedModels

/// `coordinator report OUT`: rebuilds the report from OUT/journal.jsonl alone (no dataset, no MPI).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run's report from its journal (OUT/journal.jsonl).")

    @Argument(help: "The run's output folder.")
    var out: String

    @Flag(help: "Exit with status 3, after writing the report, when planned tasks are missing from the journal.")
    var requireComplete = false

    /// The explanation gallery when the run kept checkpoints (it reads the run's dataset); empty otherwise.
    private func gallery() -> String {
        guard let folder = try? RunFolderModels(directory: out), folder.experiment.keepsCheckpoints,
              let first = try? folder.checkpoints(selection: .final).first else { return "" }
        do {
            // The run's own data: its folder, or generated faces / FER2013 / ... built again from the experiment.
            let data = try folder.runDataset(for: try TrainedModel.load(path: first.path)).data
            return try ExplanationGallery.section(folder: folder, data: data) ?? ""
        } catch {
            FileHandle.standardError.write(Data("report: no explanation gallery (\(error))\n".utf8))
            return ""
        }
    }

    func run() throws {
        let directory = RunDirectory(path: out)
        let journal = try JournalReader.read(path: directory.journalPath)
        if let torn = journal.tornLine {
            FileHandle.standardError.write(Data("journal: line \(torn.line) is torn (\(torn.bytes) bytes, an interrupted write); it is left out\n".utf8))
        }
        let record = try JournalReader.runRecord(journal)
        let path = try ReportOutput.write(record, to: directory.reportPath, htmlAppendix: gallery(), log: { print($0) })
        print("report: \(path) (\(journal.tasks.count) tasks, \(record.rows.count) predictions)")
        if let completeness = record.completeness, !completeness.isComplete {
            FileHandle.standardError.write(Data("\(completeness.summary)\n".utf8))
            if requireComplete { throw ExitCode(3) }
        } else if record.completeness == nil {
            FileHandle.standardError.write(Data("journal records no plan (written by an older version): completeness not checked\n".utf8))
            if requireComplete { throw ExitCode(3) }
        }
    }
}
