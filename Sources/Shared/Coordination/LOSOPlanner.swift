import Dataset
import Foundation
import DDAMFN
import HTNet
import Tensor
import Wire

/// One fold: which subjects are held out, and the sample indices (dataset order) of each side.
public struct FoldPlan: Equatable, Sendable {
    /// The fold key: the held-out subject under LOSO, "k1" ... "kK" under k-fold.
    public var key: String
    public var testSubjects: [String]
    public var trainIndices: [Int]
    public var testIndices: [Int]
    /// The inner validation set (epoch_selection: validation): samples of training-side subjects
    /// (or the split column's val rows) held out of `trainIndices`; empty otherwise.
    public var validationIndices: [Int] = []

    public init(key: String, testSubjects: [String], trainIndices: [Int], testIndices: [Int], validationIndices: [Int] = []) {
        self.key = key
        self.testSubjects = testSubjects
        self.trainIndices = trainIndices
        self.testIndices = testIndices
        self.validationIndices = validationIndices
    }

    /// Samples per class (0..<classCount) of the given side.
    public static func classCounts(_ indices: [Int], labels: [Int], classCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for i in indices where labels[i] >= 0 && labels[i] < classCount { counts[labels[i]] += 1 }
        return counts
    }
}

/// One unit of work: a variant, a seed, a fold.
public struct PlannedTask: Equatable, Sendable {
    /// "variant/seed/fold", the key of the journal.
    public var id: String
    public var variant: ExperimentVariant
    public var seed: Int
    public var fold: FoldPlan
    /// Random-stream keys: (experiment, variant, seed, fold) only, never the worker.
    public var seedKeys: [UInt64]
    /// Estimated floating-point work, for largest-first ordering.
    public var cost: Double
    /// Weights the worker sends back (`keep: checkpoints`).
    public var returnedWeights: ReturnedWeights = .none
    /// Starting weights from `training.init_from` (one array shared by the variant's tasks) and the
    /// slots drawn fresh from `start` instead (a head of another class count).
    public var initialParameters: [Float]?
    public var freshSlots: [String] = []

    /// The initial weights: training.init_rng / init_scope applied to this task. The keys of the
    /// (experiment, variant, seed) are the first three of `seedKeys`, the fold's key the fourth, so
    /// `init_scope: seed` gives every fold of a seed the same weights.
    public var start: StartingWeights {
        StartingWeights.resolve(rng: variant.training.initRNG, scope: variant.training.initScope, seed: seed,
                                seedKeys: Array(seedKeys.prefix(3)), foldKey: seedKeys[3])
    }

    public var assignment: TaskAssignment {
        var a = TaskAssignment(taskID: id, model: variant.model, training: variant.training, seedKeys: seedKeys,
                               start: start, trainIndices: fold.trainIndices, testIndices: fold.testIndices,
                               validationIndices: fold.validationIndices)
        a.returnedWeights = returnedWeights
        a.initialParameters = initialParameters
        a.freshSlots = freshSlots
        a.ddamfn = variant.ddamfn
        return a
    }

    public static func id(variant: String, seed: Int, fold: String) -> String { "\(variant)/\(seed)/\(fold)" }
}

/// Turns an experiment and the dataset's subjects into tasks = variants x seeds x folds, largest
/// first, so the long tasks start early and the run does not end waiting on one straggler.
public enum LOSOPlanner {
    /// Folds by subject. `subjects[i]` is sample i's subject; `labels` (needed for `stratified: true`
    /// and the validation split's stratification) and `splits` (the split column, needed for
    /// `protocol: {split: column}`) describe the same samples. With `validation`, every fold's inner
    /// validation set is carved out of its training side (`validationSplit`).
    public static func folds(subjects: [String], labels: [Int]? = nil, splits: [String?]? = nil,
                             protocol spec: ProtocolSpec, validation: Bool = false) -> [FoldPlan] {
        var seen = Set<String>()
        let ordered = subjects.filter { seen.insert($0).inserted }.sorted()
        var plans: [FoldPlan]
        switch spec.kind {
        case .loso:
            plans = ordered.map { plan(key: $0, held: [$0], subjects: subjects) }
        case .kfold:
            let k = spec.k ?? 2
            let groups: [[String]]
            if spec.stratified == true, let labels {
                let fold = StratifiedGroupFolds.assign(groups: subjects, labels: labels, k: k,
                                                       seedKeys: [stableHash("stratified-kfold"), spec.splitSeed ?? 0])
                groups = (0..<k).map { f in ordered.filter { fold[$0] == f } }
            } else {
                var rng = DeterministicRNG(keys: [stableHash("kfold-split"), spec.splitSeed ?? 0])
                var shuffled = ordered
                // Fisher-Yates with our own generator: the split is the same on every platform.
                if shuffled.count > 1 {
                    for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.below(i + 1)) }
                }
                groups = (0..<k).map { f in stride(from: f, to: shuffled.count, by: k).map { shuffled[$0] }.sorted() }
            }
            plans = groups.enumerated().map { plan(key: "k\($0.offset + 1)", held: $0.element, subjects: subjects) }
        case .split:
            let split = splits ?? []
            func rows(_ name: String) -> [Int] { subjects.indices.filter { $0 < split.count && split[$0] == name } }
            let test = rows(SplitName.test)
            var fold = FoldPlan(key: "split", testSubjects: ComposedDataset.distinct(test.map { subjects[$0] }).sorted(),
                                trainIndices: rows(SplitName.train), testIndices: test)
            if validation { fold.validationIndices = rows(SplitName.validation) }
            plans = [fold]
        }
        guard validation else { return plans }
        return plans.map { fold in
            guard fold.validationIndices.isEmpty else { return fold }
            var f = fold
            let held = validationSplit(trainIndices: fold.trainIndices, subjects: subjects, labels: labels,
                                       fraction: spec.validationFraction ?? ProtocolSpec.defaultValidationFraction,
                                       seedKeys: [stableHash("validation-split"), spec.splitSeed ?? 0, stableHash("fold:" + fold.key)])
            let heldSet = Set(held)
            f.validationIndices = held
            f.trainIndices = fold.trainIndices.filter { !heldSet.contains($0) }
            return f
        }
    }

    static func plan(key: String, held: [String], subjects: [String]) -> FoldPlan {
        let heldSet = Set(held)
        return FoldPlan(key: key, testSubjects: held,
                        trainIndices: subjects.indices.filter { !heldSet.contains(subjects[$0]) },
                        testIndices: subjects.indices.filter { heldSet.contains(subjects[$0]) })
    }

    /// The inner validation set of one fold: its training subjects cut into round(1 / fraction) (at
    /// least 2) stratified, subject-whole parts (`StratifiedGroupFolds`, seeded by the split seed and
    /// the fold), the first part held out. Empty when the training side has fewer than 2 subjects.
    /// Only training-side samples are read: the test fold has no say in it.
    public static func validationSplit(trainIndices: [Int], subjects: [String], labels: [Int]?, fraction: Double,
                                       seedKeys: [UInt64]) -> [Int] {
        let trainSubjects = trainIndices.map { subjects[$0] }
        guard Set(trainSubjects).count >= 2 else { return [] }
        let parts = max(2, min(Set(trainSubjects).count, Int((1 / fraction).rounded())))
        let trainLabels = trainIndices.map { labels?[$0] ?? 0 }
        let part = StratifiedGroupFolds.assign(groups: trainSubjects, labels: trainLabels, k: parts, seedKeys: seedKeys)
        return trainIndices.filter { part[subjects[$0]] == 0 }
    }

    public static func seedKeys(experiment: Experiment, variant: String, seed: Int, fold: String) -> [UInt64] {
        [experiment.seedKey, stableHash("variant:" + variant), UInt64(seed), stableHash("fold:" + fold)]
    }

    /// All tasks of a dataset's samples (subjects, labels, split column).
    public static func tasks(experiment: Experiment, dataset: ComposedDataset) -> [PlannedTask] {
        tasks(experiment: experiment, subjects: dataset.samples.map(\.subject), labels: dataset.labels,
              splits: dataset.samples.map(\.split))
    }

    /// All tasks, largest first; ties keep (variant, seed, fold) order so the plan is deterministic.
    public static func tasks(experiment: Experiment, subjects: [String], labels: [Int]? = nil,
                             splits: [String?]? = nil) -> [PlannedTask] {
        let folds = self.folds(subjects: subjects, labels: labels, splits: splits, protocol: experiment.evaluation,
                               validation: experiment.selection == .validation)
        var tasks: [PlannedTask] = []
        for variant in experiment.variants {
            for seed in experiment.seeds {
                for fold in folds {
                    let cost = Double(variant.training.epochs)
                        * Double(3 * fold.trainIndices.count + fold.testIndices.count + fold.validationIndices.count)
                        * forwardFLOPsPerSample(variant)
                    tasks.append(PlannedTask(id: PlannedTask.id(variant: variant.name, seed: seed, fold: fold.key),
                                             variant: variant, seed: seed, fold: fold,
                                             seedKeys: seedKeys(experiment: experiment, variant: variant.name,
                                                                seed: seed, fold: fold.key),
                                             cost: cost,
                                             returnedWeights: experiment.keepsCheckpoints ? .kept(under: experiment.selection) : .none))
                }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        return tasks.sorted { a, b in a.cost != b.cost ? a.cost > b.cost : order[a.id]! < order[b.id]! }
    }

    /// One forward pass of the variant's architecture.
    public static func forwardFLOPsPerSample(_ variant: ExperimentVariant) -> Double {
        guard let config = variant.ddamfn else { return forwardFLOPsPerSample(variant.model) }
        // The layers count their work as the model is built; a one-sample model is built once per shape.
        let key = "\(config.classes)/\(config.heads)/\(config.conv4Blocks)"
        ddamfnCostLock.lock(); defer { ddamfnCostLock.unlock() }
        if let known = ddamfnCosts[key] { return known }
        let flops = DDAMFNModel(config: config, maxBatch: 1).forwardFLOPsPerSample
        ddamfnCosts[key] = flops
        return flops
    }
    private static let ddamfnCostLock = NSLock()
    private static var ddamfnCosts: [String: Double] = [:]

    /// Multiply-adds of one forward pass (1x1 convolutions, attention, aggregates); a backward pass
    /// costs about twice that, hence the 3x for training samples.
    public static func forwardFLOPsPerSample(_ m: HTNetConfig) -> Double {
        var total = Double(m.fmap * m.fmap * m.patchDim * m.dim)
        for level in 0..<m.numHierarchies {
            let c = Double(m.channels(level: level)), inner = Double(m.innerDim(level: level))
            let tokens = Double(m.side(level: level) * m.side(level: level))
            let perLayer = tokens * (3 * c * inner + inner * c + 2 * c * c * Double(m.mlpMult))
                + tokens * Double(m.seqLen) * inner * 2
            total += Double(m.blockRepeats[level]) * perLayer
            if level + 1 < m.numHierarchies {
                total += tokens * 9 * c * Double(m.channels(level: level + 1))
            }
        }
        return 2 * total
    }
}
