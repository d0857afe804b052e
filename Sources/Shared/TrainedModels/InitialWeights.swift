import HTNet
import Tensor

/// `training.init_from`: a checkpoint's weights as a task's starting point (fine-tuning). Every
/// parameter of the target model must be in the file under its reference name with its shape,
/// except the class-count-dependent head (the classifier `mlp_head.2.*`, or a metric loss's class
/// vectors), which is left to be drawn from the task's own stream when its shape differs, so a
/// model pretrained on micro-expressions can be fine-tuned for another number of classes. A tensor
/// the target does not have is an error too: the file was written for another architecture.
public enum InitialWeights {
    /// Parameters whose shape follows the class count.
    public static func isClassHead(_ name: String) -> Bool {
        name.hasPrefix("mlp_head.2.") || name == ModelHead.classVectorName(.classMajor) || name == ModelHead.classVectorName(.dimensionMajor)
    }

    /// The target's parameters (layout order) taken from `file`, and the slots to draw fresh.
    public static func resolve(_ file: SafeTensorsFile, source: String, target: HTNetConfig, head: ModelHead) throws -> (parameters: [Float], fresh: [String]) {
        let layout = ParameterLayout(config: target, head: head)
        var parameters = [Float](repeating: 0, count: layout.count)
        var fresh: [String] = []
        for slot in layout.slots {
            guard let stored = file.tensors[slot.name] else {
                if isClassHead(slot.name) { fresh.append(slot.name); continue }
                throw CheckpointError(source: source, problem: "init_from: the file has no tensor '\(slot.name)', which the model "
                                      + "(\(TrainedModel.describe(target))) needs; it was written for another architecture")
            }
            guard stored.shape == slot.shape else {
                if isClassHead(slot.name) { fresh.append(slot.name); continue }
                throw CheckpointError(source: source, problem: "init_from: tensor '\(slot.name)' has shape \(stored.shape), the model "
                                      + "(\(TrainedModel.describe(target))) expects \(slot.shape); only the class head may differ")
            }
            parameters.replaceSubrange(slot.offset..<(slot.offset + slot.count), with: stored.floats)
        }
        let known = Set(layout.slots.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) && !isClassHead($0) }) {
            throw CheckpointError(source: source, problem: "init_from: tensor '\(extra)' is not a parameter of the model (\(TrainedModel.describe(target))); "
                                  + "the file was written for another architecture")
        }
        return (parameters, fresh)
    }
}
