import DDAMFN
import Dataset
import Foundation
import HTNet
import Tensor

/// A checkpoint loaded for use: an HTNet or a DDAMFN model's weights with the configuration that lays
/// them out. Kept checkpoints and `train-fold --checkpoint` files carry their configuration; a
/// reference PyTorch state_dict needs it given (`config`). Names are checked strictly both ways: every
/// tensor of the configuration present with its reference shape, and no tensor left over.
public struct TrainedModel: Sendable {
    public let source: String
    /// nil for files not written by `run` (a reference state_dict, `train-fold --checkpoint`).
    public let metadata: CheckpointMetadata?
    public let weights: Weights

    public enum Weights: Sendable {
        case htnet(HTNetWeights)
        case ddamfn(DDAMFNWeights)
    }

    public var architecture: TrainedArchitecture {
        switch weights {
        case let .htnet(w): return .htnet(w.config)
        case let .ddamfn(w): return .ddamfn(w.config)
        }
    }

    /// - config: the configuration of a file that carries none (a reference state_dict); a file's own
    ///   configuration wins when it is of the same architecture, and another architecture is refused.
    public static func load(path: String, config override: TrainedArchitecture? = nil) throws -> TrainedModel {
        // SafeTensorsFile names the file in its errors already.
        return try load(SafeTensorsFile.read(path: path), source: path, config: override)
    }

    public static func load(_ file: SafeTensorsFile, source: String, config override: TrainedArchitecture? = nil) throws -> TrainedModel {
        try requireFiniteValues(file, source: source)
        let metadata = try CheckpointMetadata.read(file.metadata, source: source)
        var own = metadata?.model
        if own == nil, let text = file.metadata["config"] {
            own = try? TrainedArchitecture.decode(arch: file.metadata["arch"], config: text)
        }
        if let own, let override, own.name != override.name {
            throw FileError(path: source, problem: "architecture mismatch: the file holds a model of \(own.description), "
                                  + "--config describes \(override.description)")
        }
        guard let architecture = own ?? override else {
            throw FileError(path: source, problem: "the file names no model configuration (a reference state_dict?); give it with --config "
                                  + "(JSON or YAML keys of `model:`, e.g. '{\"dim\": 8, \"heads\": 2, \"block_repeats\": [1, 1, 1]}' for HTNet, "
                                  + "'{\"arch\": \"ddamfn\", \"num_classes\": 7, \"num_heads\": 2, \"conv4_blocks\": 9}' for DDAMFN)")
        }
        if let e = architecture.validationErrors.first { throw FileError(path: source, problem: "model configuration: \(e)") }
        // Also for a file's own configuration: a foreign file's `config` metadata (any JSON) decodes
        // as an HTNet configuration of defaults, and would otherwise fail on a missing parameter.
        let held = TrainedArchitecture.kind(of: file)
        if held != architecture.name {
            throw FileError(path: source, problem: "architecture mismatch: the file's tensors are \(held == "ddamfn" ? "DDAMFN's (features.*)" : "not DDAMFN's (no features.*)"), "
                                  + "\(own == nil ? "--config" : "its metadata 'config'") describes \(architecture.description)")
        }
        switch architecture {
        case let .htnet(config):
            let head = metadata?.training.head ?? .classifier
            let fusedFeatures = metadata?.fusedFeatures
            if config.usesFeatures && fusedFeatures == nil {
                throw FileError(path: source, problem: "model.fusion \(config.fusion!.rawValue) reads handcrafted features, and the file names "
                                      + "neither their columns nor their standardisation (only checkpoints kept by `run` carry them)")
            }
            return TrainedModel(source: source, metadata: metadata,
                                weights: .htnet(try HTNetWeights.load(file, source: source, config: config, head: head, fusedFeatures: fusedFeatures)))
        case let .ddamfn(config):
            let layout = DDAMFNStateLayout(config: config)
            do {
                return TrainedModel(source: source, metadata: metadata,
                                    weights: .ddamfn(DDAMFNWeights(config: config, state: try layout.state(from: file, source: source))))
            } catch let e as DDAMFNStateDict.Failure {
                throw FileError(path: source, problem: e.problem + " (model \(architecture.description))")
            }
        }
    }

    /// Every floating-point value of the file finite, else an error naming the tensor and element.
    public static func requireFiniteValues(_ file: SafeTensorsFile, source: String, use: String = "") throws {
        guard let bad = file.firstNonFiniteValue() else { return }
        throw FileError(path: source, problem: "\(use)tensor '\(bad.tensor)' holds NaN or an infinity (element \(bad.index)): "
                              + "the training that wrote it diverged, or the file is damaged")
    }

    public init(source: String, metadata: CheckpointMetadata?, weights: Weights) {
        self.source = source
        self.metadata = metadata
        self.weights = weights
    }

    /// A fused HTNet model's feature columns and standardisation; nil for every other model.
    public var fusedFeatures: FusedFeatureInput? {
        if case let .htnet(w) = weights { return w.fusedFeatures }
        return nil
    }

    /// The HTNet weights, or an error saying that `use` takes HTNet models only.
    public func htnet(for use: String) throws -> HTNetWeights {
        guard case let .htnet(w) = weights else {
            throw FileError(path: source, problem: "\(use) takes HTNet models; this is \(architecture.description)")
        }
        return w
    }

    /// The chunk size the fold's training evaluated its test samples in; predicting in the same
    /// chunks gives bit-identical logits (a BLAS kernel may round differently for another row count).
    /// Without metadata: 256 samples for HTNet, 32 for DDAMFN (its activations are large).
    public var evaluationBatch: Int {
        if let b = metadata?.evaluationBatch { return b }
        if case .ddamfn = weights { return 32 }
        return 256
    }

    /// An HTNet configuration in words, for errors (TrainedArchitecture's wording, fusion included).
    static func describe(_ c: HTNetConfig) -> String { TrainedArchitecture.htnet(c).description }
}

/// HTNet weights: the parameters in the engine's layout (ParameterLayout(config:head:fusion:)).
public struct HTNetWeights: Sendable {
    public let config: HTNetConfig
    public let head: ModelHead
    /// A fused model's feature columns and standardisation (from the metadata); nil for the reference model.
    public let fusedFeatures: FusedFeatureInput?
    public let parameters: [Float]

    public init(config: HTNetConfig, head: ModelHead, fusedFeatures: FusedFeatureInput? = nil, parameters: [Float]) {
        self.config = config
        self.head = head
        self.fusedFeatures = fusedFeatures
        self.parameters = parameters
    }

    static func load(_ file: SafeTensorsFile, source: String, config: HTNetConfig, head: ModelHead,
                     fusedFeatures: FusedFeatureInput?) throws -> HTNetWeights {
        let layout = ParameterLayout(config: config, head: head, fusion: config.fusionSpec(featureCount: fusedFeatures?.columns.count ?? 0))
        // A reference fixture stores parameters as `param.<name>` among other tensors.
        let prefix = file.tensors[layout.slots[0].name] == nil && file.tensors["param." + layout.slots[0].name] != nil ? "param." : ""
        let parameters: [Float]
        do { parameters = try Checkpoint.parameters(file, prefix: prefix, layout: layout, source: source) } catch let e as FileError {
            throw FileError(path: source, problem: e.problem + " (model \(TrainedModel.describe(config)))")
        }
        if prefix.isEmpty {
            let known = Set(layout.slots.map(\.name))
            if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw FileError(path: source, problem: "tensor '\(extra)' is not a parameter of the model \(TrainedModel.describe(config)); "
                                      + "the file was written for another configuration")
            }
        }
        return HTNetWeights(config: config, head: head, fusedFeatures: fusedFeatures, parameters: parameters)
    }

    /// A network holding these weights, for batches of up to `maxBatch` samples.
    public func network(maxBatch: Int) -> HTNetModel {
        let net = HTNetModel(config: config, head: head, fusion: config.fusionSpec(featureCount: fusedFeatures?.columns.count ?? 0),
                             maxBatch: max(1, maxBatch))
        net.parameters.copy(from: parameters)
        return net
    }
}

/// DDAMFN weights: the model's whole state (DDAMFNModel.exportState: parameters, BatchNorm running
/// statistics and num_batches_tracked), so eval mode normalises as the trained model did.
public struct DDAMFNWeights: Sendable {
    public let config: DDAMFNConfig
    public let state: [Float]

    public init(config: DDAMFNConfig, state: [Float]) {
        self.config = config
        self.state = state
    }

    /// - inputGradient: a network that backpropagates to its input image (explanations).
    public func network(maxBatch: Int, inputGradient: Bool = false) -> DDAMFNModel {
        let net = DDAMFNModel(config: config, maxBatch: max(1, maxBatch), inputGradient: inputGradient)
        net.importState(state)
        return net
    }
}
