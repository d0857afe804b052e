import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor

/// Where an experiment's samples come from.
public struct DatasetSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Generated from `seed` into OUT/data by the coordinator (the demo; no download needed).
        case synthetic
        /// A composite folder (manifests + flow images), composed once by the coordinator.
        case composite
        /// A feature cache file written earlier (`FeatureCache.write`).
        case cache
        /// The genuine/posed smile stand-in (SyntheticSmiles) with its features.csv, generated from
        /// `seed` into OUT/data like `synthetic`.
        case syntheticSmiles = "synthetic-smiles"
    }
    public var kind: Kind
    /// Absolute path (composite and cache).
    public var path: String?
    /// Generator seed (synthetic).
    public var seed: UInt64?
    /// Synthetic only: subjects and samples per source dataset (default: the generator's 10 and 100);
    /// smaller values make quick tests.
    public var subjects: Int?
    public var samples: Int?
    /// A per-sample handcrafted feature CSV (absolute path; HandcraftedFeatureFile) for fusion
    /// variants; synthetic-smiles brings its own. Encoded only when set.
    public var features: String?
    public init(kind: Kind, path: String? = nil, seed: UInt64? = nil, subjects: Int? = nil, samples: Int? = nil,
                features: String? = nil) {
        self.features = features
        self.kind = kind
        self.path = path
        self.seed = seed
        self.subjects = subjects
        self.samples = samples
    }
}

/// How samples are split into folds: by subject in both cases, so no subject is ever in its own
/// training set.
public struct ProtocolSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case loso, kfold }
    public var kind: Kind
    /// Number of folds (k-fold).
    public var k: Int?
    /// Seed of the subject shuffle (k-fold).
    public var splitSeed: UInt64?
    public init(kind: Kind, k: Int? = nil, splitSeed: UInt64? = nil) {
        self.kind = kind
        self.k = k
        self.splitSeed = splitSeed
    }
    enum CodingKeys: String, CodingKey { case kind, k, splitSeed = "split_seed" }
}

/// The experiment's label set (`classes:`, `ordinal:`): class names in index order, and optionally
/// a map from the data's label text to those classes. Absent, an experiment keeps the composite's
/// three MER classes and reads labels as indices or names, as it always did.
public struct ClassSpec: Codable, Equatable, Sendable {
    /// Class names in index order (at least 2); for ordinal tasks, lowest grade first.
    public var names: [String]
    /// Label text -> class index, read from the experiment's map file (resolved, so the identity
    /// changes when the file does).
    public var map: LabelMap?
    /// Ordinal task: the classes are grades in order, and reports add mean absolute grade error and
    /// quadratic-weighted Cohen's kappa (grade = class index).
    public var ordinal: Bool
    public init(names: [String], map: LabelMap? = nil, ordinal: Bool = false) {
        self.names = names
        self.map = map
        self.ordinal = ordinal
    }
}

/// One configuration to run: the base experiment with a variant's overrides applied.
public struct ExperimentVariant: Codable, Equatable, Sendable {
    public var name: String
    public var model: HTNetConfig
    public var training: TrainingConfig
    public init(name: String, model: HTNetConfig, training: TrainingConfig) {
        self.name = name
        self.model = model
        self.training = training
    }
}

/// A validated, fully resolved experiment: what `ExperimentFile.load` returns and what the journal
/// records. Its canonical JSON (sorted keys) identifies the run for `--resume`.
public struct Experiment: Codable, Equatable, Sendable {
    public var name: String
    public var dataset: DatasetSpec
    public var evaluation: ProtocolSpec
    public var seeds: [Int]
    public var selection: EpochSelection
    public var variants: [ExperimentVariant]
    /// `classes:` / `ordinal:`; nil for experiments that do not set them (encoded only when set, so
    /// their identity is unchanged).
    public var classes: ClassSpec?

    public init(name: String, dataset: DatasetSpec, evaluation: ProtocolSpec, seeds: [Int],
                selection: EpochSelection, variants: [ExperimentVariant], classes: ClassSpec? = nil) {
        self.classes = classes
        self.name = name
        self.dataset = dataset
        self.evaluation = evaluation
        self.seeds = seeds
        self.selection = selection
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey {
        case name, dataset, evaluation = "protocol", seeds, selection = "epoch_selection", variants, classes
    }

    /// The resolved experiment as JSON with sorted keys: stable across runs and machines.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Identity of the resolved experiment (hex): `--resume` refuses an OUT with another one.
    public var identity: String { String(format: "%016llx", stableHash(canonicalJSON)) }

    /// The experiment's key in every task's random streams. It is the name alone, so adding a seed
    /// or a variant (with `--force`) leaves the streams, and so the results, of existing tasks as
    /// they were.
    public var seedKey: UInt64 { stableHash("experiment:" + name) }
}
