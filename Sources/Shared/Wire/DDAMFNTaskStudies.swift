import DDAMFN
import Dataset
import FoldResults
import HTNet
import Tensor

/// What the studies need of a DDAMFN task beyond its logits, with HTNet's conventions and code:
/// `label_noise` flips the training labels with the task's own stream (LabelNoise.taskLabels, the
/// very flips an HTNet task with the same seed keys makes), the fold carries its inner validation
/// set (`epoch_selection: validation`) and each test sample's noise key, and the final model gives
/// the test embeddings and the noisy-input scores (FinalEvaluation.of: the noise is added to the
/// stored image, before DDAMFN's resize and normalisation, so HTNet and DDAMFN variants of one
/// experiment see the same noisy samples).
extension DDAMFNTaskTraining {
    /// The fold sliced out of the dataset; the indices (validation ones included) must have passed
    /// FoldTaskRunner.indexProblem and the label check.
    static func foldData(_ a: TaskAssignment, dataset: ComposedDataset, classes: Int) -> FoldData {
        let labels = dataset.labels
        let trainLabels = LabelNoise.taskLabels(a.trainIndices.map { labels[$0] }, fraction: a.training.labelNoise,
                                                classes: classes, seedKeys: a.seedKeys)
        return FoldData(trainInputs: dataset.inputs(at: a.trainIndices), trainLabels: trainLabels,
                        testInputs: dataset.inputs(at: a.testIndices), testLabels: a.testIndices.map { labels[$0] },
                        testSampleKeys: a.testIndices.map { stableHash(dataset.samples[$0].id) },
                        validationInputs: dataset.inputs(at: a.validationIndices),
                        validationLabels: a.validationIndices.map { labels[$0] })
    }

    /// The trained model's test embeddings (DDAMFNModel.embeddings) and its scores at each of the
    /// training's SNR levels; at `inf` the scores are the final test logits, bit for bit.
    static func finalEvaluation(_ net: DDAMFNModel, data: FoldData, training: TrainingConfig) -> FinalEvaluation {
        let sampleSize = data.testInputs.count / data.testLabels.count
        let side = DDAMFNInput.inputSide(sampleSize: sampleSize)!   // the trainer refuses any other shape before training
        return FinalEvaluation.of(data, sampleSize: sampleSize, training: training) {
            DDAMFNFoldTrainer.forwardAll(net, inputs: $0, inputSide: side)
        }
    }
}
