import Dataset
import Foundation
import HTNet
import Tensor

/// A checkpoint loaded for use: its parameters in the engine's layout, with the configuration that
/// lays them out. Kept checkpoints and `train-fold --checkpoint` files carry their configuration;
/// a reference PyTorch state_dict needs it given (`config`). Names are checked strictly both ways:
/// every parameter of the configuration present with its reference shape, and no tensor left over.
public struct TrainedModel: Sendable {
    public let source: String
    /// nil for files not written by `run` (a reference state_dict, `train-fold --checkpoint`).
    public let metadata: CheckpointMetadata?
    public let config: HTNetConfig
    public let head: ModelHead
    /// A fused model's feature columns and standardisation (from the metadata); nil for the reference model.
    public let fusedFeatures: FusedFeatureInput?
    /// Layout order (ParameterLayout(config:head:fusion:)).
    public let parameters: [Float]

    /// - config: the configuration of a file that carries none (a reference state_dict); a file's own
    ///   configuration always wins, so mixing both kinds of files lays out each correctly.
    public static func load(path: String, config override: HTNetConfig? = nil) throws -> TrainedModel {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile.read(path: path) } catch { throw CheckpointError(source: path, problem: "\(error)") }
        return try load(file, source: path, config: override)
    }

    public static func load(_ file: SafeTensorsFile, source: String, config override: HTNetConfig? = nil) throws -> TrainedModel {
        let metadata = try CheckpointMetadata.read(file.metadata, source: source)
        var config = metadata?.model
        if config == nil, let text = file.metadata["config"] {
            config = try? JSONDecoder().decode(HTNetConfig.self, from: Data(text.utf8))
        }
        config = config ?? override
        guard let config else {
            throw CheckpointError(source: source, problem: "the file names no model configuration (a reference state_dict?); give it with --config "
                                  + "(JSON or YAML keys of `model:`, e.g. '{\"dim\": 8, \"heads\": 2, \"block_repeats\": [1, 1, 1]}')")
        }
        if let e = config.validationErrors().first { throw CheckpointError(source: source, problem: "model configuration: \(e)") }
        let head = metadata?.training.head ?? .classifier
        let fusedFeatures = metadata?.fusedFeatures
        if config.usesFeatures && fusedFeatures == nil {
            throw CheckpointError(source: source, problem: "model.fusion \(config.fusion!.rawValue) reads handcrafted features, and the file names "
                                  + "neither their columns nor their standardisation (only checkpoints kept by `run` carry them)")
        }
        let layout = ParameterLayout(config: config, head: head, fusion: config.fusionSpec(featureCount: fusedFeatures?.columns.count ?? 0))
        // A reference fixture stores parameters as `param.<name>` among other tensors.
        let prefix = file.tensors[layout.slots[0].name] == nil && file.tensors["param." + layout.slots[0].name] != nil ? "param." : ""
        let parameters: [Float]
        do { parameters = try Checkpoint.parameters(file, prefix: prefix, layout: layout, source: source) } catch let e as Checkpoint.LoadError {
            throw CheckpointError(source: source, problem: e.problem + " (model \(Self.describe(config)))")
        }
        if prefix.isEmpty {
            let known = Set(layout.slots.map(\.name))
            if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw CheckpointError(source: source, problem: "tensor '\(extra)' is not a parameter of the model \(Self.describe(config)); "
                                      + "the file was written for another configuration")
            }
        }
        return TrainedModel(source: source, metadata: metadata, config: config, head: head, fusedFeatures: fusedFeatures, parameters: parameters)
    }

    public init(source: String, metadata: CheckpointMetadata?, config: HTNetConfig, head: ModelHead,
                fusedFeatures: FusedFeatureInput? = nil, parameters: [Float]) {
        self.source = source
        self.metadata = metadata
        self.config = config
        self.head = head
        self.fusedFeatures = fusedFeatures
        self.parameters = parameters
    }

    /// A network holding these weights, for batches of up to `maxBatch` samples.
    public func network(maxBatch: Int) -> HTNetModel {
        let net = HTNetModel(config: config, head: head, fusion: config.fusionSpec(featureCount: fusedFeatures?.columns.count ?? 0),
                             maxBatch: max(1, maxBatch))
        net.parameters.copy(from: parameters)
        return net
    }

    /// The chunk size the fold's training evaluated its test samples in; predicting in the same
    /// chunks gives bit-identical logits (a BLAS kernel may round differently for another row count).
    public var evaluationBatch: Int { metadata?.evaluationBatch ?? 256 }

    static func describe(_ c: HTNetConfig) -> String {
        "dim \(c.dim), heads \(c.heads), block_repeats \(c.blockRepeats), \(c.numClasses) classes, \(c.channels)x\(c.imageSize)x\(c.imageSize) inputs"
    }
}
