import DDAMFN
import FoldResults
import Foundation
import HTNet
import Tensor

/// The checkpoints a run keeps (`keep: checkpoints`): OUT/checkpoints/<variant>/<seed>/<fold>.safetensors
/// for the final epoch, and `<fold>.best-test-epoch.safetensors` or `<fold>.validation.safetensors`
/// for the epoch the run's rule selects (best-test-epoch or validation). Each holds the weights under
/// the reference state_dict names and shapes (HTNet: its parameters, Checkpoint.file; DDAMFN: the whole
/// `DDAMN.state_dict()`, BatchNorm running statistics and num_batches_tracked included,
/// DDAMFNStateLayout) and the task's CheckpointMetadata.
public struct KeptCheckpoints: Sendable {
    public let directory: String

    public init(runDirectory: String) {
        directory = (runDirectory as NSString).appendingPathComponent("checkpoints")
    }

    /// The task id is "variant/seed/fold", so each part becomes a folder level.
    public func path(taskID: String, selection: EpochSelection) -> String {
        let base = (directory as NSString).appendingPathComponent(taskID)
        return selection == .final ? base + ".safetensors" : base + ".\(selection.rawValue).safetensors"
    }

    /// The epoch rules whose weights a run under `selection` keeps.
    public static func selections(for selection: EpochSelection) -> [EpochSelection] {
        selection == .final ? [.final] : [.final, selection]
    }

    /// Whether every checkpoint the task needs is in place (resume counts a task as done only then).
    public func isComplete(taskID: String, runSelection: EpochSelection) -> Bool {
        Self.selections(for: runSelection).allSatisfy { FileManager.default.fileExists(atPath: path(taskID: taskID, selection: $0)) }
    }

    /// Writes one task's weights durably, with its metadata: HTNet's parameters in the layout order of
    /// its model and head, or DDAMFN's whole state (DDAMFNModel.exportState).
    @discardableResult
    public func write(taskID: String, parameters: [Float], metadata: CheckpointMetadata) throws -> String {
        let file: SafeTensorsFile
        switch metadata.model {
        case let .htnet(config):
            let layout = ParameterLayout(config: config, head: metadata.training.head,
                                         fusion: config.fusionSpec(featureCount: metadata.fusedFeatures?.columns.count ?? 0))
            guard parameters.count == layout.count else {
                throw FileError(path: taskID, problem: "\(parameters.count) trained values, the model's layout holds \(layout.count)")
            }
            file = Self.file(parameters: parameters, layout: layout, metadata: metadata.strings)
        case let .ddamfn(config):
            let layout = DDAMFNStateLayout(config: config)
            guard parameters.count == layout.count else {
                throw FileError(path: taskID, problem: "\(parameters.count) trained values, the DDAMFN model's state holds \(layout.count)")
            }
            file = layout.file(state: parameters, metadata: metadata.strings)
        }
        let path = self.path(taskID: taskID, selection: metadata.selection)
        try DurableSafeTensorsWriter().write(file, to: path)
        return path
    }

    /// Every slot as a float32 tensor under its reference name and shape.
    public static func file(parameters: [Float], layout: ParameterLayout, metadata: [String: String]) -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: metadata)
        parameters.withUnsafeBufferPointer { p in
            for slot in layout.slots {
                let values = UnsafeBufferPointer(rebasing: p[slot.offset..<(slot.offset + slot.count)])
                file.tensors[slot.name] = StoredTensor(dtype: .f32, shape: slot.shape, bytes: Data(buffer: values))
            }
        }
        return file
    }

    /// Every final-epoch checkpoint under the folder, sorted by path.
    public func finalCheckpoints() -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        for case let relative as String in walker where relative.hasSuffix(".safetensors") {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") || EpochSelection.allCases.contains(where: { $0 != .final && name.hasSuffix(".\($0.rawValue).safetensors") }) { continue }
            found.append((directory as NSString).appendingPathComponent(relative))
        }
        return found.sorted()
    }
}
