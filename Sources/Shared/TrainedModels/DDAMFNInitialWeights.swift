import DDAMFN
import Tensor

/// `training.init_from` for DDAMFN variants: a state dict under the reference's names (a kept DDAMFN
/// checkpoint, or `DDAMN.state_dict()` saved with safetensors) as the task's starting state, BatchNorm
/// running statistics and num_batches_tracked included. Every tensor is checked by name and shape
/// before any training, each error naming the tensor and both shapes, except:
/// - the classifier head, `fc.*` and the class-width `bn.*` (weight, bias and buffers; the reference
///   creates it beside `fc`), may differ in class count or be absent: then it is drawn fresh from the
///   task's own stream (BatchNorm buffers start as PyTorch's);
/// - a backbone-only file (only `features.*` tensors, the pretrained MixedFeatureNet part the reference
///   starts from, saved under DDAMN's names) is accepted: everything it lacks (the attention heads
///   `cat_head*`, `linear.*`, `fc.*`, `bn.*`) is drawn fresh, each tensor named in the log;
/// - a MixFeatureNet state dict (the reference's `MixFeatureNet().state_dict()`, e.g. the MS-Celeb
///   pretrained MFN_msceleb.pth saved with safetensors) is read as such a backbone: its first nine
///   children (conv1, conv2_dw, conv23, conv3, conv34, conv4, conv45, conv5, conv6_sep) become
///   `features.0` ... `features.8`, as `nn.Sequential(*list(net.children())[:-4])` makes them, and its
///   embedding head (conv6_dw, linear, bn), which the reference drops, is left out (logged).
/// A tensor the model does not have is an error: the file was written for another architecture.
public enum DDAMFNInitialWeights {
    /// State-dict tensors whose shape follows the class count.
    public static func isClassHead(_ name: String) -> Bool { name.hasPrefix("fc.") || name.hasPrefix("bn.") }

    /// MixFeatureNet's children in order: DDAMN's `features.0` ... `features.8`.
    public static let mixFeatureNetChildren = ["conv1", "conv2_dw", "conv23", "conv3", "conv34", "conv4", "conv45", "conv5", "conv6_sep"]
    /// MixFeatureNet's embedding head, which DDAMN drops.
    public static let mixFeatureNetHead = ["conv6_dw", "linear", "bn"]

    /// A MixFeatureNet state dict under DDAMN's names, with the tensors left out; nil when the file is
    /// not one (it has `features.*` tensors, or no `conv1.*`).
    public static func renamedMixFeatureNet(_ file: SafeTensorsFile) -> (file: SafeTensorsFile, leftOut: [String])? {
        guard !file.tensors.keys.contains(where: { $0.hasPrefix("features.") }), file.tensors.keys.contains(where: { $0.hasPrefix("conv1.") }) else {
            return nil
        }
        var renamed = SafeTensorsFile(metadata: file.metadata)
        var leftOut: [String] = []
        for (name, tensor) in file.tensors {
            if let i = mixFeatureNetChildren.firstIndex(where: { name.hasPrefix($0 + ".") }) {
                renamed.tensors["features.\(i)." + name.dropFirst(mixFeatureNetChildren[i].count + 1)] = tensor
            } else if mixFeatureNetHead.contains(where: { name.hasPrefix($0 + ".") }) {
                leftOut.append(name)
            } else {
                renamed.tensors[name] = tensor   // not MixFeatureNet's: reported as a tensor the model lacks
            }
        }
        return (renamed, leftOut.sorted())
    }

    /// The starting state (DDAMFNModel.exportState layout), the tensors to draw fresh, and notes for the log.
    public static func resolve(_ file: SafeTensorsFile, source: String, target: DDAMFNConfig) throws -> (parameters: [Float], fresh: [String], notes: [String]) {
        var notes: [String] = []
        var file = file
        if let mfn = renamedMixFeatureNet(file) {
            file = mfn.file
            notes.append("read as a MixFeatureNet state dict (conv1 ... conv6_sep as features.0 ... features.8)"
                         + (mfn.leftOut.isEmpty ? "" : "; its embedding head is left out: \(mfn.leftOut.joined(separator: ", "))"))
        }
        let model = TrainedArchitecture.ddamfn(target).description
        func fail(_ problem: String) -> FileError { FileError(path: source, problem: "init_from: " + problem) }
        if let held = (try? CheckpointMetadata.read(file.metadata, source: source))??.model, held.name != "ddamfn" {
            throw fail("the file holds a model of \(held.description), the variant trains \(model)")
        }
        guard TrainedArchitecture.kind(of: file) == "ddamfn" else {
            throw fail("the file holds no DDAMFN backbone tensor (features.*), e.g. '\(file.tensors.keys.sorted().first ?? "none")': "
                       + "it was written for another architecture; the variant trains \(model)")
        }
        let backboneOnly = file.tensors.keys.allSatisfy { $0.hasPrefix("features.") }
        let layout = DDAMFNStateLayout(config: target)
        var state = [Float](repeating: 0, count: layout.count)
        var fresh: [String] = []
        for e in layout.entries {
            guard let t = file.tensors[e.name] else {
                if isClassHead(e.name) || (backboneOnly && !e.name.hasPrefix("features.")) { fresh.append(e.name); continue }
                throw fail("the file has no tensor '\(e.name)', which the model (\(model)) needs")
            }
            if e.isCounter {
                guard t.elementCount == 1 else { throw fail("'\(e.name)' has shape \(t.shape), the model expects a scalar") }
                state[e.offset] = Float(t.integers[0])
                continue
            }
            guard t.shape == e.shape else {
                if isClassHead(e.name) { fresh.append(e.name); continue }
                throw fail("tensor '\(e.name)' has shape \(t.shape), the model (\(model)) expects \(e.shape); only the class head (fc.*, bn.*) may differ")
            }
            state.replaceSubrange(e.offset..<(e.offset + e.count), with: t.floats)
        }
        // A head drawn fresh is drawn whole: its counter too, not the file's count for another width.
        for head in ["fc.", "bn."] where fresh.contains(where: { $0.hasPrefix(head) }) {
            fresh = layout.entries.map(\.name).filter { fresh.contains($0) || $0.hasPrefix(head) }
        }
        let known = Set(layout.entries.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("tensor '\(extra)' is not part of the model (\(model)); the file was written for another configuration")
        }
        if backboneOnly { notes.append("a backbone-only file: everything but features.* is drawn fresh") }
        return (state, fresh, notes)
    }
}
