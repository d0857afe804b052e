import Dataset
import DDAMFN
import FoldResults
import Foundation
import HTNet
import Tensor
import TrainedModels
import Wire

/// Writes the checkpoints a finished task sent back (`keep: checkpoints`), with the task's metadata.
/// The coordinator writes them before journalling the task, so a journalled task has its checkpoints
/// unless they were removed since (then `--resume` runs it again).
struct TaskCheckpointing {
    let store: KeptCheckpoints
    let experiment: Experiment
    let classNames: [String]
    let composition: InputComposition
    let datasetSHA256: String
    /// The dataset's handcrafted features: a fused variant's checkpoints carry their columns and the
    /// fold's standardisation, recomputed here from the fold's training samples exactly as the worker did.
    let features: HandcraftedFeatures?

    /// Throws a FileError when the result lacks a set of weights the run keeps or a write fails.
    func write(_ result: TaskResult, task: PlannedTask) throws {
        // Every set the run keeps must be there before any is written: a task refused here leaves no files.
        let kept = try KeptCheckpoints.selections(for: experiment.selection).map { selection in
            guard let weights = result.weights.first(where: { $0.selection == selection }) else {
                throw FileError(path: task.id, problem: "the worker sent no \(selection.rawValue) weights (\(result.weights.count) set(s))")
            }
            return (selection, weights)
        }
        for (selection, weights) in kept {
            let training = task.variant.training
            let train = task.fold.trainIndices.count, test = task.fold.testIndices.count
            let evaluationBatch = task.variant.ddamfn == nil ? max(1, min(training.batchSize, max(train, test)))
                : DDAMFNFoldTrainer.evaluationBatch(trainCount: train, testCount: test, batchSize: training.batchSize)
            let metadata = CheckpointMetadata(experimentName: experiment.name, experimentIdentity: experiment.identity,
                                              variant: task.variant.name, seed: task.seed, fold: task.fold.key,
                                              testSubjects: task.fold.testSubjects, epoch: weights.epoch, selection: selection,
                                              classNames: classNames, inputComposition: composition,
                                              model: task.variant.ddamfn.map { .ddamfn($0) } ?? .htnet(task.variant.model),
                                              training: training, datasetSHA256: datasetSHA256, evaluationBatch: evaluationBatch,
                                              labelMap: experiment.classes?.map,
                                              fusedFeatures: try fusedFeatures(task))
            do { try store.write(taskID: task.id, parameters: weights.parameters, metadata: metadata) } catch let e as FileError {
                throw e
            } catch {
                throw FileError(path: store.path(taskID: task.id, selection: selection), problem: "\(error)")
            }
        }
    }

    func fusedFeatures(_ task: PlannedTask) throws -> FusedFeatureInput? {
        guard task.variant.model.usesFeatures else { return nil }
        guard let features else { throw FileError(path: task.id, problem: "a fused variant, and the dataset has no handcrafted features") }
        return FusedFeatureInput(features: features, trainIndices: task.fold.trainIndices)
    }
}
