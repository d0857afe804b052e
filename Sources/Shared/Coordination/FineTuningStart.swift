import Foundation
import HTNet
import Tensor
import TrainedModels

/// Resolves `training.init_from` once per variant, before any training: the checkpoint is read and
/// checked against the variant's model (names and shapes, the class head excepted), and every task of
/// the variant gets the same starting parameters (one shared array) and the list of head slots to
/// draw fresh from its own stream. The coordinator reads the file; workers need no access to it.
/// For DDAMFN the starting parameters are the whole model state (DDAMFNModel.exportState: running
/// statistics from the file too) and the fresh slots name state-dict tensors (DDAMFNInitialWeights).
public enum FineTuningStart {
    /// Reads and checks every variant's init_from as `run` does before any training, for `plan`,
    /// which would otherwise pass an experiment whose run then stops at its starting weights.
    public static func check(_ experiment: Experiment, featureCount: Int = 0) throws {
        _ = try apply(to: [], experiment: experiment, featureCount: featureCount, log: { _ in })
    }

    /// `featureCount`: the dataset's handcrafted feature columns (a fused variant's layout depends on it).
    static func apply(to plan: [PlannedTask], experiment: Experiment, featureCount: Int = 0, log: (String) -> Void) throws -> [PlannedTask] {
        var resolved: [String: (parameters: [Float], fresh: [String])] = [:]
        for variant in experiment.variants {
            guard let path = variant.training.initFrom else { continue }
            let file: SafeTensorsFile
            do { file = try SafeTensorsFile.read(path: path) } catch {
                throw FileError(path: path, problem: "init_from of variant \(variant.name): \((error as? FileError)?.problem ?? "\(error)")")
            }
            try TrainedModel.requireFiniteValues(file, source: path, use: "init_from of variant \(variant.name): ")
            let start: (parameters: [Float], fresh: [String])
            if let config = variant.ddamfn {
                let resolved = try DDAMFNInitialWeights.resolve(file, source: path, target: config)
                start = (resolved.parameters, resolved.fresh)
                for note in resolved.notes { log("  variant \(variant.name): \(path): \(note)") }
            } else {
                start = try InitialWeights.resolve(file, source: path, target: variant.model, head: variant.training.head,
                                                   fusion: variant.model.fusionSpec(featureCount: featureCount))
            }
            resolved[variant.name] = start
            log("  variant \(variant.name): starts from \(path)"
                + (start.fresh.isEmpty ? "" : " (drawn fresh from each task's stream: \(start.fresh.joined(separator: ", ")))"))
        }
        guard !resolved.isEmpty else { return plan }
        return plan.map { task in
            guard let start = resolved[task.variant.name] else { return task }
            var t = task
            t.initialParameters = start.parameters
            t.freshSlots = start.fresh
            return t
        }
    }
}
