import HTNet
import Tensor

/// `training.init_from`: a checkpoint's weights as a task's starting point (fine-tuning). Every
/// backbone parameter of the target model must be in the file under its reference name with its
/// shape. The head above the pooled embedding (the classifier `mlp_head.2.*`, a metric loss's class
/// vectors, a fusion's `fusion.*`) is taken where the file has it with the same shape and otherwise
/// left to be drawn from the task's own stream, so a model pretrained on micro-expressions can be
/// fine-tuned for another number of classes, or into a model that fuses handcrafted features; a
/// head tensor the target lacks (a fused file into a plain model) is not used. A backbone tensor the
/// target does not have is an error: the file was written for another architecture.
public enum InitialWeights {
    /// Parameters of the head above the pooled embedding: their shapes follow the class count and the
    /// fusion, not the backbone.
    public static func isHead(_ name: String) -> Bool {
        name.hasPrefix("mlp_head.2.") || name.hasPrefix("fusion.")
            || name == ModelHead.classVectorName(.classMajor) || name == ModelHead.classVectorName(.dimensionMajor)
    }

    /// The part of the head a parameter belongs to: the classifier, the fusion, or one class-vector tensor.
    static func headPart(_ name: String) -> String {
        name.hasPrefix("mlp_head.2.") ? "mlp_head.2" : name.hasPrefix("fusion.") ? "fusion" : name
    }

    /// The target's parameters (layout order) taken from `file`, and the slots to draw fresh.
    /// `fusion`: the target's fusion with the dataset's feature count (nil: the reference model).
    public static func resolve(_ file: SafeTensorsFile, source: String, target: HTNetConfig, head: ModelHead,
                               fusion: FusionSpec? = nil) throws -> (parameters: [Float], fresh: [String]) {
        if (try? CheckpointMetadata.read(file.metadata, source: source))??.model.name == "ddamfn" || TrainedArchitecture.kind(of: file) == "ddamfn" {
            throw FileError(path: source, problem: "init_from: the file holds DDAMFN weights (features.*), the variant trains "
                                  + "\(TrainedArchitecture.htnet(target).description)")
        }
        let layout = ParameterLayout(config: target, head: head, fusion: fusion)
        var parameters = [Float](repeating: 0, count: layout.count)
        // A head part is taken or drawn whole: a classifier whose weight is drawn keeps no old bias.
        let freshParts = Set(layout.slots.filter { isHead($0.name) && file.tensors[$0.name]?.shape != $0.shape }.map { headPart($0.name) })
        var fresh: [String] = []
        for slot in layout.slots {
            if isHead(slot.name) && freshParts.contains(headPart(slot.name)) { fresh.append(slot.name); continue }
            guard let stored = file.tensors[slot.name] else {
                throw FileError(path: source, problem: "init_from: the file has no tensor '\(slot.name)', which the model "
                                      + "(\(TrainedModel.describe(target))) needs; it was written for another architecture")
            }
            guard stored.shape == slot.shape else {
                throw FileError(path: source, problem: "init_from: tensor '\(slot.name)' has shape \(stored.shape), the model "
                                      + "(\(TrainedModel.describe(target))) expects \(slot.shape); only the head above the embedding may differ")
            }
            parameters.replaceSubrange(slot.offset..<(slot.offset + slot.count), with: stored.floats)
        }
        let known = Set(layout.slots.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) && !isHead($0) }) {
            throw FileError(path: source, problem: "init_from: tensor '\(extra)' is not a parameter of the model (\(TrainedModel.describe(target))); "
                                  + "the file was written for another architecture")
        }
        return (parameters, fresh)
    }
}
