import ArgumentParser
import Coordination
import Foundation

/// `coordinator plan EXPERIMENT [--json]`: the tasks a run would execute, without training.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the tasks a run would execute (variant, seed, fold, train/validation/test subjects and class counts) without training.",
        discussion: """
        Reads the experiment and its dataset exactly as `run` does. Synthetic data is generated into a
        temporary folder (removed afterwards) unless OUT/data already holds it.
        """)

    @Argument(help: "Experiment file (YAML or JSON).")
    var experiment: String

    @Option(name: .long, help: ArgumentHelp("Dataset to use instead of the experiment's (as for run).", valueName: "path"))
    var data: String?

    @Option(help: "The run's output folder, whose data/ a synthetic experiment reuses when present (default runs/<experiment name>).")
    var out: String?

    @Flag(help: "Print JSON (sorted keys) instead of text.")
    var json = false

    func run() throws {
        let e = try ExperimentFile.load(path: experiment, dataOverride: data)
        let outPath = out ?? "runs/\(e.name)"
        var scratch: String?
        var directory = outPath
        if e.dataset.kind == .synthetic || e.dataset.kind == .syntheticFaces, !FileManager.default.fileExists(atPath: outPath + "/data") {
            scratch = NSTemporaryDirectory() + "loso-plan-" + UUID().uuidString
            directory = scratch!
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let dataset = try DatasetPreparation.load(e.dataset, outDirectory: directory, classes: e.classes)
        let problems = DatasetPreparation.problems(dataset, experiment: e)
        guard problems.isEmpty else {
            throw ValidationError("\(experiment): the dataset does not fit the experiment:\n  " + problems.joined(separator: "\n  "))
        }
        try FineTuningStart.check(e, featureCount: dataset.handcrafted?.count ?? 0)
        let description = RunPlanDescription(experiment: e, dataset: dataset)
        print(json ? description.json : description.text, terminator: json ? "\n" : "")
    }
}
