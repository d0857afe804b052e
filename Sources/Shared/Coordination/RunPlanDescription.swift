import Dataset
import FoldResults
import Foundation

/// What `coordinator run` would execute, without training (`coordinator plan`): every task with its
/// variant, seed, fold, the subjects of each side and their class counts, in the order the run hands
/// them out. It is made by the same planner as the run, from the same dataset.
public struct RunPlanDescription: Codable, Equatable, Sendable {
    public struct Task: Codable, Equatable, Sendable {
        public var id: String
        public var variant: String
        public var seed: Int
        public var fold: String
        public var train: FoldBalance.Side
        public var validation: FoldBalance.Side
        public var test: FoldBalance.Side
    }
    public var experiment: String
    public var identity: String
    public var protocolDescription: String
    public var epochSelection: String
    public var classNames: [String]
    public var samples: Int
    public var subjects: Int
    /// Whole-set samples per class.
    public var classCounts: [Int]
    public var folds: [FoldBalance]
    public var tasks: [Task]

    public init(experiment: Experiment, dataset: ComposedDataset) {
        let plan = LOSOPlanner.tasks(experiment: experiment, dataset: dataset)
        let balance = Dictionary(uniqueKeysWithValues: FoldBalance.folds(of: plan).map { ($0.key, FoldBalance(fold: $0, dataset: dataset)) })
        self.experiment = experiment.name
        identity = experiment.identity
        protocolDescription = Self.describe(experiment.evaluation, selection: experiment.selection)
        epochSelection = experiment.selection.rawValue
        classNames = dataset.classNames
        samples = dataset.samples.count
        subjects = dataset.subjects.count
        classCounts = FoldPlan.classCounts(Array(dataset.samples.indices), labels: dataset.labels, classCount: dataset.classNames.count)
        folds = FoldBalance.folds(of: plan).map { balance[$0.key]! }
        tasks = plan.map { t in
            let b = balance[t.fold.key]!
            return Task(id: t.id, variant: t.variant.name, seed: t.seed, fold: t.fold.key, train: b.train, validation: b.validation, test: b.test)
        }
    }

    static func describe(_ p: ProtocolSpec, selection: EpochSelection) -> String {
        var text: String
        switch p.kind {
        case .loso: text = "leave-one-subject-out"
        case .kfold:
            text = "\(p.k ?? 2)-fold by subject (split_seed \(p.splitSeed ?? 0)\(p.stratified == true ? ", stratified by label" : ""))"
        case .split: text = "the data's split column (train / val / test rows)"
        }
        if selection == .validation {
            text += "; epoch chosen on an inner validation split of the training subjects (fraction \(p.validationFraction ?? ProtocolSpec.defaultValidationFraction), or the val rows)"
        }
        return text
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public var text: String {
        var lines = ["experiment \(experiment) (\(identity)): \(tasks.count) tasks",
                     "protocol: \(protocolDescription); epoch selection: \(epochSelection)",
                     "dataset: \(samples) samples, \(subjects) subjects, classes "
                        + zip(classNames, classCounts).map { "\($0) \($1)" }.joined(separator: ", "),
                     "", "folds:"]
        lines += folds.map { "  " + $0.line }
        lines += ["", "tasks (in the order they are handed out):"]
        lines += tasks.map { t in
            "  \(t.id): train \(t.train.subjects.count) subjects / \(t.train.samples) samples"
                + (t.validation.samples > 0 ? ", validation \(t.validation.subjects.count) / \(t.validation.samples)" : "")
                + ", test \(t.test.subjects.count) / \(t.test.samples) (\(t.test.subjects.prefix(6).joined(separator: " "))\(t.test.subjects.count > 6 ? " ..." : ""))"
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
