import ArgumentParser
import CommandLineConventions
import Coordination
import Dataset
import Evaluation
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Tensor
import TrainedModels

/// `coordinator predict`: class probabilities from kept models, for new data or for a run's own folds.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Class probabilities and predictions from a checkpoint, or from every fold model a run kept.",
        discussion: """
        One checkpoint, or every fold's model of a run folder (keep: checkpoints) averaged by mean
        probability, on every sample of --data, composed as the models were trained (crop rule and class
        names from the checkpoint): CSV sample, subject, dataset, label, fold, prediction, p_<class>...
        (and logit_<class>... for one model). With --per-fold, each fold's model predicts that fold's
        own held-out samples: the run's predictions.csv rows of that epoch rule, in the same format.
        Examples:
          coordinator predict --run runs/models-demo --out ensemble.csv
          coordinator predict --run runs/models-demo --per-fold --out per-fold.csv
          coordinator predict --checkpoint model.safetensors --data ../shared/data/composite
          coordinator predict --checkpoint torch_state_dict.safetensors --config '{"dim": 8, "heads": 2, "block_repeats": [1, 1, 2]}' --data DATA
          coordinator predict --checkpoint ddamn_state_dict.safetensors --config '{"arch": "ddamfn", "num_classes": 7}' --data FACES
        DDAMFN models predict in eval mode (running statistics), inputs resized to 112 and normalised as in training.
        """)

    @Option(help: "A checkpoint (safetensors with the reference parameter names); repeat to average several.")
    var checkpoint: [String] = []
    @Option(name: .customLong("run"), help: "A run folder whose kept checkpoints (OUT/checkpoints) to use.")
    var runFolder: String?
    @Option(help: "Dataset: a composite or faces folder, or a feature cache; for DDAMFN models also a FER2013 CSV or a folder per class (default with --run: the run's own dataset).")
    var data: String?
    @Flag(help: "With --run: each fold's model on its own held-out samples (predictions.csv format).")
    var perFold = false
    @Option(help: "With --run: only this variant's kept models. Needed for an ensemble when the run has several variants; --per-fold covers every variant without it.")
    var variant: String?
    @Option(help: "Which kept weights of a run: final, best-test-epoch or validation (the epoch rule's weights kept under epoch_selection).")
    var epoch: EpochSelection = .final
    @Option(help: "Model configuration (JSON, the experiment file's `model:` keys, \"arch\": \"ddamfn\" for DDAMFN) for a checkpoint that does not carry one, e.g. a PyTorch state_dict.")
    var config: String?
    @Option(help: "Handcrafted features (features.csv) for fused models (default: the run's own with --run and no --data, else DATA/features.csv).")
    var features: String?
    @Option(help: "Write the CSV here (default: standard output).")
    var out: String?
    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        try NumericFlag.atLeast(threads, 1, flag: "--threads")
        if (runFolder == nil) == checkpoint.isEmpty { throw ValidationError("give either --checkpoint FILE (repeatable) or --run RUNFOLDER") }
        if perFold && runFolder == nil { throw ValidationError("--per-fold needs --run RUNFOLDER") }
        if variant != nil && runFolder == nil { throw ValidationError("--variant needs --run RUNFOLDER") }
        if runFolder == nil && data == nil { throw ValidationError("--checkpoint needs --data PATH (a composite folder or a feature cache)") }
    }

    func run() throws {
        BLAS.setThreads(threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let override = try config.map { text -> TrainedArchitecture in
            do { return try TrainedArchitecture.parse(json: text) } catch { throw ValidationError("\(error)") }
        }
        let folder = try runFolder.map { try RunFolderModels(directory: $0) }
        let featuresPath = features ?? (data == nil ? folder?.featuresPath : nil)
        func open(for model: TrainedModel, withFeatures: Bool? = nil) throws -> (data: ComposedDataset, path: String) {
            if let data { return (try RunFolderModels.openDataset(path: data, for: model, features: featuresPath, withFeatures: withFeatures), data) }
            return try folder!.runDataset(for: model)
        }
        func noteUnusedFeatures(_ fused: Bool) {
            if features != nil && !fused {
                FileHandle.standardError.write(Data("predict: --features is not used: no model here fuses handcrafted features\n".utf8))
            }
        }
        if let folder, perFold {
            noteUnusedFeatures(folder.fuses)
            let first = try TrainedModel.load(path: try folder.checkpoints(selection: epoch, everyTask: true, variant: variant)[0].path)
            let (dataset, dataPath) = try open(for: first, withFeatures: folder.fuses)
            let record = try folder.perFoldPredictions(data: dataset, dataPath: dataPath, selection: epoch, variant: variant)
            try emit(PredictionsCSV.render(record), summary: "\(record.rows.count) held-out predictions from \(Set(record.rows.map { "\($0.variant)/\($0.seed)/\($0.fold)" }).count) fold models")
            return
        }
        let kept = try folder.map { try $0.checkpoints(selection: epoch, everyTask: true, variant: variant) }
        if let folder, let kept, variant == nil {
            // Variants differ in what they were trained for (loss, labels, fusion): an average of
            // their probabilities is no model of the study, even where the shapes would allow it.
            let keptVariants = Set(kept.map(\.task.variant))
            let names = folder.experiment.variants.map(\.name).filter(keptVariants.contains)
            if names.count > 1 {
                throw ValidationError("--run \(runFolder!): the run kept models of \(names.count) variants (\(names.joined(separator: ", "))); "
                                      + "an ensemble is one variant's fold models: choose it with --variant (--per-fold covers every variant)")
            }
        }
        let paths = kept?.map(\.path) ?? checkpoint
        let models = try paths.map { try TrainedModel.load(path: $0, config: override) }
        try Predictor.checkCompatible(models)
        noteUnusedFeatures(models.contains { $0.fusedFeatures != nil })
        let (dataset, dataPath) = try open(for: models[0])
        for m in models { try Predictor.check(m, fits: dataset, dataPath: dataPath) }
        let rows = try Predictor.predict(models, data: dataset)
        let correct = rows.filter { $0.prediction == $0.label }.count
        try emit(Predictor.csv(rows, classNames: models[0].metadata?.classNames ?? dataset.classNames),
                 summary: "\(rows.count) samples, \(models.count) model(s)\(models.count > 1 ? " averaged by mean probability" : ""); "
                    + "agreement with the dataset's labels \(correct)/\(rows.count)")
    }

    private func emit(_ text: String, summary: String) throws {
        guard let out else { print(text, terminator: ""); return }
        try OutputFile.write(text, to: out)
        print("predict: \(summary) -> \(out)")
    }
}

extension EpochSelection: ExpressibleByArgument {}
