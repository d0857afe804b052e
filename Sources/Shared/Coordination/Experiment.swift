import DDAMFN
import Dataset
import Evaluation
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
        /// Synthetic graded facial asymmetry (`SyntheticGradedFaces`: single aligned face images,
        /// grades I...VI) generated from `seed` into OUT/data; `subjects` and `samples` (images per
        /// subject) size it.
        case syntheticFaces = "synthetic-faces"
        /// The genuine/posed smile stand-in (SyntheticSmiles) with its features.csv, generated from
        /// `seed` into OUT/data like `synthetic`.
        case syntheticSmiles = "synthetic-smiles"
        /// Face-expression images (issue 19), each set kept at its own side (DDAMFN resizes to 112):
        /// drawn expressions generated in memory from `seed` (`subjects` people x `samples` images each,
        /// 112 px, SyntheticFaceExpressions) ...
        case syntheticExpressions = "synthetic-fer"
        /// ... FER2013's CSV at `path` (rows filtered by `usage`), FER+ = that CSV relabelled by the
        /// label file `labels`, RAF-DB = the image folder `path` with the partition list `labels`,
        /// and a folder per class at `path` (CK+-style subject ids from file names).
        case fer2013, ferplus, rafdb
        case classFolders = "class-folders"
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
    /// Face sets: FER+'s label file or RAF-DB's partition list (resolved path).
    public var labels: String?
    /// FER2013 / FER+: keep rows whose Usage is one of these (nil keeps all).
    public var usage: [String]?
    public init(kind: Kind, path: String? = nil, seed: UInt64? = nil, subjects: Int? = nil, samples: Int? = nil,
                features: String? = nil, labels: String? = nil, usage: [String]? = nil) {
        self.features = features
        self.labels = labels
        self.usage = usage
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
    public enum Kind: String, Codable, Sendable {
        case loso, kfold
        /// The data's own `split` column: train rows train, test rows test (one fold, "split"); val
        /// rows are the validation set of `epoch_selection: validation`.
        case split
    }
    public var kind: Kind
    /// Number of folds (k-fold).
    public var k: Int?
    /// Seed of the subject shuffle (k-fold) and of the inner validation split.
    public var splitSeed: UInt64?
    /// k-fold: assign subjects so that every fold's class proportions follow the whole set's
    /// (`StratifiedGroupFolds`); nil or false keeps the plain round-robin of shuffled subjects.
    public var stratified: Bool?
    /// `epoch_selection: validation`: the share of a fold's training subjects held out as its inner
    /// validation set (default `ProtocolSpec.defaultValidationFraction`).
    public var validationFraction: Double?
    public static let defaultValidationFraction = 0.2
    public init(kind: Kind, k: Int? = nil, splitSeed: UInt64? = nil, stratified: Bool? = nil, validationFraction: Double? = nil) {
        self.kind = kind
        self.k = k
        self.splitSeed = splitSeed
        self.stratified = stratified
        self.validationFraction = validationFraction
    }
    enum CodingKeys: String, CodingKey {
        case kind, k, splitSeed = "split_seed", stratified, validationFraction = "validation_fraction"
    }
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
    /// HTNet's shape; not used when `ddamfn` is set.
    public var model: HTNetConfig
    public var training: TrainingConfig
    /// `model.arch: ddamfn`: the variant trains DDAMFN with this shape. nil (HTNet) is not encoded, so
    /// HTNet experiments keep their identity.
    public var ddamfn: DDAMFNConfig?
    public init(name: String, model: HTNetConfig, training: TrainingConfig, ddamfn: DDAMFNConfig? = nil) {
        self.name = name
        self.model = model
        self.training = training
        self.ddamfn = ddamfn
    }

    /// `model.arch`.
    public var architecture: String { ddamfn == nil ? "htnet" : "ddamfn" }
    /// In words, for reports: what the variant minimises and how a prediction is made. DDAMFN trains
    /// on cross-entropy plus its attention heads' diversity loss (DDAMFNModel's L_att).
    public var predictionRule: String {
        guard ddamfn != nil else { return training.predictionRule }
        return "DDAMFN: cross-entropy + \(training.attentionWeight ?? 0.1) x the attention heads' diversity loss; "
            + "prediction = arg-max of the logits" + training.labelNoiseNote
    }

    /// Width of the classifier.
    public var classCount: Int { ddamfn?.classes ?? model.numClasses }
}

/// Outputs a run can keep besides its journal and report (`keep:` in an experiment file).
public enum KeptArtifact: String, Codable, Sendable, CaseIterable {
    /// The trained weights of every task, as safetensors with the reference's parameter names.
    case checkpoints
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
    /// What the run keeps beyond its journal and report (`keep:`); nil keeps nothing more, and is
    /// not encoded, so experiments without the key keep their identity.
    public var keep: [KeptArtifact]?
    /// Published ranges the report sets the scores against (`reference:`); nil when not given, and
    /// then not encoded, so experiments without the key keep their identity.
    public var reference: PublishedReference?

    public init(name: String, dataset: DatasetSpec, evaluation: ProtocolSpec, seeds: [Int],
                selection: EpochSelection, variants: [ExperimentVariant], classes: ClassSpec? = nil,
                keep: [KeptArtifact]? = nil, reference: PublishedReference? = nil) {
        self.reference = reference
        self.classes = classes
        self.name = name
        self.dataset = dataset
        self.evaluation = evaluation
        self.seeds = seeds
        self.selection = selection
        self.variants = variants
        self.keep = keep
    }

    enum CodingKeys: String, CodingKey {
        case name, dataset, evaluation = "protocol", seeds, selection = "epoch_selection", variants, classes, keep, reference
    }

    /// `keep: checkpoints`: every task's final weights (and the selected epoch's) under OUT/checkpoints.
    public var keepsCheckpoints: Bool { keep?.contains(.checkpoints) == true }

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
