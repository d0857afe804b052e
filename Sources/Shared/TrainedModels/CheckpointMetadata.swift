import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor

/// What a kept checkpoint says about itself, in the safetensors header's `__metadata__` (a string
/// map, so each structured value is JSON text): which experiment, variant, seed and fold trained
/// it, at which epoch and under which epoch rule, the class names in label order, how inputs were
/// composed, and the model (architecture and shape, `arch` + `config`) and training configuration
/// (which decide the parameter layout). Checkpoints without `arch` are HTNet's (written before DDAMFN).
/// The reference PyTorch loader ignores it; `predict`, `explain` and `init_from` read it.
public struct CheckpointMetadata: Equatable, Sendable {
    public static let formatName = "loso-htnet-checkpoint"
    public static let formatVersion = 1

    public var experimentName: String
    public var experimentIdentity: String
    public var variant: String
    public var seed: Int
    public var fold: String
    public var testSubjects: [String]
    /// 1-based epoch these weights are from.
    public var epoch: Int
    public var selection: EpochSelection
    public var classNames: [String]
    public var inputComposition: InputComposition
    public var model: TrainedArchitecture
    public var training: TrainingConfig
    public var datasetSHA256: String?
    /// The chunk size the fold's test samples were evaluated in (min(batch, max(train, test)) samples).
    public var evaluationBatch: Int?
    /// The experiment's label map (`classes: {map: FILE}`), so new data is labelled as the training data was.
    public var labelMap: LabelMap?
    /// A fused model's feature columns and its fold's standardisation (`model.fusion`); nil otherwise.
    public var fusedFeatures: FusedFeatureInput?

    public init(experimentName: String, experimentIdentity: String, variant: String, seed: Int, fold: String,
                testSubjects: [String], epoch: Int, selection: EpochSelection, classNames: [String],
                inputComposition: InputComposition, model: TrainedArchitecture, training: TrainingConfig, datasetSHA256: String?,
                evaluationBatch: Int? = nil, labelMap: LabelMap? = nil, fusedFeatures: FusedFeatureInput? = nil) {
        self.fusedFeatures = fusedFeatures
        self.evaluationBatch = evaluationBatch
        self.labelMap = labelMap
        self.experimentName = experimentName
        self.experimentIdentity = experimentIdentity
        self.variant = variant
        self.seed = seed
        self.fold = fold
        self.testSubjects = testSubjects
        self.epoch = epoch
        self.selection = selection
        self.classNames = classNames
        self.inputComposition = inputComposition
        self.model = model
        self.training = training
        self.datasetSHA256 = datasetSHA256
    }

    /// The header map. `config` is the model configuration under the key `Checkpoint.file` (and
    /// `train-fold --checkpoint`) already use.
    public var strings: [String: String] {
        var m: [String: String] = [
            "format": "\(Self.formatName)/\(Self.formatVersion)",
            "experiment": experimentName, "experiment_identity": experimentIdentity,
            "variant": variant, "seed": String(seed), "fold": fold, "test_subjects": Self.json(testSubjects),
            "epoch": String(epoch), "epoch_selection": selection.rawValue,
            "class_names": Self.json(classNames), "input_composition": Self.json(inputComposition),
            "arch": model.name, "config": model.configJSON, "training": Self.json(training),
        ]
        if let datasetSHA256 { m["dataset_sha256"] = datasetSHA256 }
        if let evaluationBatch { m["evaluation_batch"] = String(evaluationBatch) }
        if let labelMap { m["label_map"] = Self.json(labelMap) }
        if let fusedFeatures { m["fused_features"] = Self.json(fusedFeatures) }
        return m
    }

    /// Reads the header map back; nil when the file is not one of ours (no `format` entry, e.g. a
    /// reference PyTorch state_dict). A map that claims the format but is damaged is an error
    /// naming the entry.
    public static func read(_ m: [String: String], source: String) throws -> CheckpointMetadata? {
        guard let format = m["format"] else { return nil }
        func fail(_ key: String, _ why: String) -> FileError { FileError(path: source, problem: "metadata '\(key)': \(why)") }
        guard format == "\(formatName)/\(formatVersion)" else { throw fail("format", "'\(format)' is not \(formatName)/\(formatVersion)") }
        func string(_ key: String) throws -> String {
            guard let v = m[key] else { throw fail(key, "missing") }
            return v
        }
        func int(_ key: String) throws -> Int {
            guard let v = Int(try string(key)) else { throw fail(key, "'\(m[key]!)' is not an integer") }
            return v
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do { return try JSONDecoder().decode(type, from: Data(try string(key).utf8)) } catch let e as FileError { throw e } catch {
                throw fail(key, "cannot be read (\(error))")
            }
        }
        func architecture() throws -> TrainedArchitecture {
            let config = try string("config")
            do { return try TrainedArchitecture.decode(arch: m["arch"], config: config) } catch let e as FileError {
                throw fail("arch", e.problem)
            } catch {
                throw fail("config", "cannot be read (\(error))")
            }
        }
        guard let selection = EpochSelection(rawValue: try string("epoch_selection")) else {
            throw fail("epoch_selection", "'\(m["epoch_selection"]!)' is not an epoch rule")
        }
        return CheckpointMetadata(experimentName: try string("experiment"), experimentIdentity: try string("experiment_identity"),
                                  variant: try string("variant"), seed: try int("seed"), fold: try string("fold"),
                                  testSubjects: try decode([String].self, "test_subjects"), epoch: try int("epoch"),
                                  selection: selection, classNames: try decode([String].self, "class_names"),
                                  inputComposition: try decode(InputComposition.self, "input_composition"),
                                  model: try architecture(), training: try decode(TrainingConfig.self, "training"),
                                  datasetSHA256: m["dataset_sha256"], evaluationBatch: m["evaluation_batch"].flatMap { Int($0) },
                                  labelMap: m["label_map"] == nil ? nil : try decode(LabelMap.self, "label_map"),
                                  fusedFeatures: m["fused_features"] == nil ? nil : try decode(FusedFeatureInput.self, "fused_features"))
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try! e.encode(value), as: UTF8.self)
    }
}
