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

    /// The initial weights: training.init_rng / init_scope applied to this task. The keys of the
    /// (experiment, variant, seed) are the first three of `seedKeys`, the fold's key the fourth, so
    /// `init_scope: seed` gives every fold of a seed the same weights.
    public var start: StartingWeights {
        StartingWeights.resolve(rng: variant.training.initRNG, scope: variant.training.initScope, seed: seed,
                                seedKeys: Array(seedKeys.prefix(3)), foldKey: seedKeys[3])
    }

    public var assignment: TaskAssignment {
        TaskAssignment(taskID: id, model: variant.model, training: variant.training, seedKeys: seedKeys,
                       start: start, trainIndices: fold.trainIndices, testIndices: fold.testIndices)
    }

    public static func id(variant: String, seed: Int, fold: String) -> String { "\(variant)/\(seed)/\(fold)" }
}

/// Turns an experiment and the dataset's subjects into tasks = variants x seeds x folds, largest
/// first, so the long tasks start early and the run does not end waiting on one straggler.
public enum LOSOPlanner {
    /// Folds by subject. `subjects[i]` is sample i's subject.
    public static func folds(subjects: [String], protocol spec: ProtocolSpec) -> [FoldPlan] {
        var seen = Set<String>()
        let ordered = subjects.filter { seen.insert($0).inserted }.sorted()
        let groups: [(String, [String])]
        switch spec.kind {
        case .loso:
            groups = ordered.map { ($0, [$0]) }
        case .kfold:
            let k = spec.k ?? 2
            var rng = DeterministicRNG(keys: [stableHash("kfold-split"), spec.splitSeed ?? 0])
            var shuffled = ordered
            // Fisher-Yates with our own generator: the split is the same on every platform.
            if shuffled.count > 1 {
                for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.below(i + 1)) }
            }
            groups = (0..<k).map { f in
                ("k\(f + 1)", stride(from: f, to: shuffled.count, by: k).map { shuffled[$0] }.sorted())
            }
        }
        return groups.map { key, held in
            let heldSet = Set(held)
            return FoldPlan(key: key, testSubjects: held,
                            trainIndices: subjects.indices.filter { !heldSet.contains(subjects[$0]) },
                            testIndices: subjects.indices.filter { heldSet.contains(subjects[$0]) })
        }
    }

    public static func seedKeys(experiment: Experiment, variant: String, seed: Int, fold: String) -> [UInt64] {
        [experiment.seedKey, stableHash("variant:" + variant), UInt64(seed), stableHash("fold:" + fold)]
    }

    /// All tasks, largest first; ties keep (variant, seed, fold) order so the plan is deterministic.
    public static func tasks(experiment: Experiment, subjects: [String]) -> [PlannedTask] {
        let folds = self.folds(subjects: subjects, protocol: experiment.evaluation)
        var tasks: [PlannedTask] = []
        for variant in experiment.variants {
            for seed in experiment.seeds {
                for fold in folds {
                    let cost = Double(variant.training.epochs)
                        * Double(3 * fold.trainIndices.count + fold.testIndices.count)
                        * forwardFLOPsPerSample(variant.model)
                    tasks.append(PlannedTask(id: PlannedTask.id(variant: variant.name, seed: seed, fold: fold.key),
                                             variant: variant, seed: seed, fold: fold,
                                             seedKeys: seedKeys(experiment: experiment, variant: variant.name,
                                                                seed: seed, fold: fold.key),
                                             cost: cost))
                }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        return tasks.sorted { a, b in a.cost != b.cost ? a.cost > b.cost : order[a.id]! < order[b.id]! }
    }

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
