import Dataset
import Evaluation
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Tensor
import TrainedModels
import Wire

/// The models a run kept (`keep: checkpoints`), read back for `predict` and `explain`: which
/// checkpoints, which dataset the run trained on, and each fold's own held-out samples.
public struct RunFolderModels {
    public let directory: String
    public let journal: JournalContents
    public let experiment: Experiment
    public let store: KeptCheckpoints

    public init(directory: String) throws {
        self.directory = directory
        journal = try JournalReader.read(path: RunDirectory(path: directory).journalPath)
        do { experiment = try JSONDecoder().decode(Experiment.self, from: Data(journal.header.configuration.utf8)) } catch {
            throw ClusterError.journal("\(directory): the journal header's configuration cannot be read: \(error)")
        }
        store = KeptCheckpoints(runDirectory: directory)
    }

    /// The dataset the run trained on: OUT/data for data the run generated there, else the experiment's path.
    public var datasetPath: String {
        switch experiment.dataset.kind {
        case .synthetic, .syntheticFaces, .syntheticSmiles: return (directory as NSString).appendingPathComponent("data")
        default: return experiment.dataset.path ?? ""
        }
    }

    /// Whether any variant fuses handcrafted features.
    public var fuses: Bool { experiment.variants.contains { $0.model.usesFeatures } }

    /// The handcrafted features the run read (`dataset.features`, or the synthetic smiles' generated
    /// features.csv); nil when it read none.
    public var featuresPath: String? {
        experiment.dataset.features
            ?? (experiment.dataset.kind == .syntheticSmiles ? (datasetPath as NSString).appendingPathComponent(SyntheticSmiles.featureFileName) : nil)
    }

    /// Every kept checkpoint of the given epoch rule (of one variant when `variant` is given), ordered as
    /// the report orders tasks (variant as configured, seed, fold); an error when the run kept none, or
    /// has no such variant, and with `everyTask` (predict: an ensemble, or every fold's held-out rows)
    /// also when some journalled task's checkpoint is missing.
    public func checkpoints(selection: EpochSelection = .final, everyTask: Bool = false,
                            variant: String? = nil) throws -> [(task: TaskRecord, path: String)] {
        let order = Dictionary(uniqueKeysWithValues: experiment.variants.enumerated().map { ($1.name, $0) })
        if let variant, order[variant] == nil {
            throw FileError(path: directory, problem: "no variant '\(variant)' (the run's variants: \(experiment.variants.map(\.name).joined(separator: ", ")))")
        }
        let tasks = journal.tasks.values.filter { variant == nil || $0.variant == variant }.sorted { a, b in
            let va = order[a.variant] ?? Int.max, vb = order[b.variant] ?? Int.max
            if va != vb { return va < vb }
            if a.seed != b.seed { return a.seed < b.seed }
            return a.fold < b.fold
        }
        let all = tasks.map { ($0, store.path(taskID: $0.id, selection: selection)) }
        let found = all.filter { FileManager.default.fileExists(atPath: $0.1) }
        guard !found.isEmpty else {
            throw FileError(path: directory, problem: "no \(selection.rawValue) checkpoints under \(store.directory) "
                                  + "(the run needs `keep: checkpoints`\(selection == .final ? "" : " and epoch_selection: \(selection.rawValue)"))")
        }
        // Some but not all: an ensemble without those folds' models would pass for the run's own.
        let missing = all.filter { !FileManager.default.fileExists(atPath: $0.1) }
        if everyTask, let first = missing.first {
            throw FileError(path: directory, problem: "\(missing.count) of the \(all.count) journalled tasks have no \(selection.rawValue) checkpoint, "
                                  + "e.g. task \(first.0.id): \(first.1) is missing; `coordinator run EXPERIMENT --out \(directory) --resume` trains them again")
        }
        return found
    }

    /// The run's own dataset for these models, and how to name it: a folder or cache file (data the
    /// run generated into OUT/data included) is opened as `openDataset` does, with the run's handcrafted
    /// features; data the run built in memory from its experiment's dataset spec (generated face
    /// expressions, FER2013 / FER+ CSVs, RAF-DB, class folders) is built again the same way.
    public func runDataset(for model: TrainedModel) throws -> (data: ComposedDataset, path: String) {
        switch experiment.dataset.kind {
        case .synthetic, .syntheticFaces, .syntheticSmiles, .composite, .cache:
            return (try Self.openDataset(path: datasetPath, for: model, features: featuresPath, withFeatures: fuses), datasetPath)
        case .syntheticExpressions, .fer2013, .ferplus, .rafdb, .classFolders:
            let spec = experiment.dataset
            let name = spec.path ?? "\(spec.kind.rawValue) (seed \(spec.seed ?? 0))"
            return (try DatasetPreparation.load(spec, outDirectory: directory, classes: experiment.classes), name)
        }
    }

    /// Opens a dataset for these models: composed as they were trained (crop rule) and with their class
    /// names; for a fused model (or when `withFeatures`: models of several variants) also the handcrafted
    /// features: `features`, else PATH/features.csv when that exists (a preprocessed folder's). For
    /// DDAMFN models also FER2013's CSV and a folder per class (the model's class names).
    public static func openDataset(path: String, for model: TrainedModel, features: String? = nil,
                                   withFeatures: Bool? = nil) throws -> ComposedDataset {
        var options = LoadOptions()
        if let m = model.metadata {
            options.crop = m.inputComposition.crop
            options.classNames = m.classNames
            options.labelMap = m.labelMap
        }
        // Face-expression data for DDAMFN models: FER2013's CSV, or a folder per class (CK+-style).
        if case .ddamfn = model.weights {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists && !isDirectory.boolValue && path.lowercased().hasSuffix(".csv") { return try FER2013Loader.load(csv: path) }
            if exists && isDirectory.boolValue, let names = model.metadata?.classNames, names.allSatisfy({ name in
                var d: ObjCBool = false
                return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &d) && d.boolValue
            }) {
                return try ClassFolderLoader.load(root: path, classNames: names)
            }
        }
        var dataset = try ComposedDataset.open(path: path, options: options)
        if withFeatures ?? (model.fusedFeatures != nil) {
            let besideData = (path as NSString).appendingPathComponent(SyntheticSmiles.featureFileName)
            if let file = features ?? (FileManager.default.fileExists(atPath: besideData) ? besideData : nil) {
                dataset.handcrafted = try HandcraftedFeatureFile.read(path: file, samples: dataset.samples)
            }
        }
        return dataset
    }

    /// Per-fold predictions: each fold's kept model on that fold's own held-out samples (the plan's,
    /// in plan order), in the chunks its training evaluated them in. The rows are those of the run's
    /// predictions.csv under the same epoch rule.
    public func perFoldPredictions(data: ComposedDataset, dataPath: String, selection: EpochSelection = .final,
                                   variant: String? = nil) throws -> RunRecord {
        guard let plan = journal.plan else { throw ClusterError.journal("\(directory): the journal records no plan (an older run)") }
        let index = Dictionary(data.samples.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [PredictionRow] = []
        for (task, path) in try checkpoints(selection: selection, everyTask: true, variant: variant) {
            let model = try TrainedModel.load(path: path)
            try Predictor.check(model, fits: data, dataPath: dataPath)
            guard let planned = plan.folds[task.fold] else { throw FileError(path: path, problem: "fold '\(task.fold)' is not in the run's plan") }
            let indices = try planned.map { s -> Int in
                guard let i = index[s.sample] else {
                    throw FileError(path: path, problem: "test sample '\(s.sample)' of fold \(task.fold) is not in \(dataPath)")
                }
                return i
            }
            let scores = try Predictor.scores(model, data: data, at: indices)
            for (k, i) in indices.enumerated() {
                let s = data.samples[i]
                rows.append(PredictionRow(variant: task.variant, seed: task.seed, fold: task.fold, subject: s.subject, dataset: s.dataset,
                                          sample: s.id, label: s.label, pred: JournalReader.argmax(scores[k]), logits: scores[k]))
            }
        }
        return RunRecord(experimentName: journal.header.experimentName, configuration: journal.header.configuration, selection: selection,
                         softwareVersion: journal.header.softwareVersion, classNames: journal.header.classNames, hosts: [], wallSeconds: 0,
                         rows: rows, alternateSelection: nil, alternateRows: [], curves: [])
    }
}
